// The Node part of the reliability fuzzer's short form (test/reliability/fuzz.test.ts runs
// 50,000 frames on both engines): 150,000 frames in three rigs with other seeds, invariants
// checked after every frame. Memory is not measured here (uvu runs without --expose-gc); the
// soak (`npm run soak`) measures the Node heap and test/alloc/reliability-fuzz.alloc.ts the XS
// allocation.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TcpFuzzRig, fuzzTcp } from "../reliability/tcp-fuzz.js";

for (const seed of [0x5eed1, 0x5eed2, 0x5eed3]) {
  test(`50,000 fuzzed frames, seed ${seed.toString(16)}: no exception, invariants after every frame`, () => {
    const r = new TcpFuzzRig(seed);
    const p = fuzzTcp(r, 50000, 1);
    assert.is(p, null, String(p));
    assert.is(r.iface.stats.rxFrames, 50000);
  });
}

test.run();
