// Fuzzing the interface with mutated Linux captures (test/support/fuzz-device.ts) while UDP,
// ICMP and raw sockets are bound: poll never throws, and after every frame the counters add up
// (every received frame was processed or counted under exactly one drop reason). 20,000 frames
// here, on both engines; test/host/iface-fuzz.test.ts runs 1,000,000 on Node, and
// test/alloc/iface.alloc.ts has XS count the allocations of 100,000.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fuzzRig, runFuzz } from "../support/fuzz-rig.js";

test("20,000 mutated frames, one per poll: no exception, the counters add up after each", () => {
  const r = fuzzRig(0xc0ffee);
  const s = r.iface.stats;
  const t0 = (0x7fffffff - 5000) | 0;
  for (let i = 0; i < 20000; i++) {
    runFuzz(r, 1, 1, (t0 + i * 3) | 0);
    if (s.rxFrames !== s.rxProcessed + s.rxDropped()) assert.unreachable("counters diverge at frame " + i);
  }
  assert.is(s.rxFrames, 20000);
  assert.is(r.dev.received, 20000);
  // The mutations reach deep: frames were processed, answered and dropped for many reasons.
  assert.ok(s.rxProcessed > 500, "processed " + s.rxProcessed);
  assert.ok(s.txFrames > 100, "transmitted " + s.txFrames);
  const reasons = [s.rxMalformed, s.rxChecksum, s.rxNotForUs, s.rxUnknownEtherType, s.rxUnknownProtocol, s.rxNoSocket].filter((n) => n > 0).length;
  assert.ok(reasons >= 5, "drop reasons seen: " + JSON.stringify(s.snapshot()));
});

test.run();
