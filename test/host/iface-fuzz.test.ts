// The long form of test/iface/fuzz.test.ts: 1,000,000 mutated frames through an interface with
// sockets bound (Node only, for time): poll never throws and the counters add up.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fuzzRig, runFuzz } from "../support/fuzz-rig.js";

test("1,000,000 mutated frames: no exception, every frame accounted for", () => {
  const r = fuzzRig(0x5eed1);
  const s = r.iface.stats;
  let t = (0x7fffffff - 5000) | 0;
  for (let i = 0; i < 1000; i++) {
    runFuzz(r, 1000, 8, t);
    t = (t + 1000) | 0;
    if (s.rxFrames !== s.rxProcessed + s.rxDropped()) assert.unreachable("counters diverge near frame " + s.rxFrames);
  }
  assert.ok(s.rxFrames >= 1000000, "frames " + s.rxFrames);
  assert.is(s.rxFrames, r.dev.received);
  console.log("# fuzz: " + JSON.stringify(s.snapshot()));
});

test.run();
