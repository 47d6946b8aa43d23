import { test } from "uvu";
import * as assert from "uvu/assert";
import { Xorshift32 } from "../../src/phy/rand.js";

test("xorshift32 (13, 17, 5) from seed 1 gives Marsaglia's sequence", () => {
  const r = new Xorshift32(1);
  // As unsigned: 270369, 67634689, 2647435461.
  assert.is(r.nextInt32(), 270369);
  assert.is(r.nextInt32(), 67634689);
  assert.is(r.nextInt32(), -1647531835);
});

test("same seed, same sequence; another seed, another sequence", () => {
  const a = new Xorshift32(12345);
  const b = new Xorshift32(12345);
  const c = new Xorshift32(12346);
  let differ = 0;
  for (let i = 0; i < 1000; i++) {
    const x = a.nextInt32();
    assert.is(b.nextInt32(), x);
    if (c.nextInt32() !== x) differ++;
  }
  assert.ok(differ > 990);
});

test("reseed restarts the sequence", () => {
  const r = new Xorshift32(99);
  const first = [r.nextInt32(), r.nextInt32(), r.nextInt32()];
  r.reseed(99);
  assert.equal([r.nextInt32(), r.nextInt32(), r.nextInt32()], first);
});

test("seed 0 still gives a non-degenerate, repeatable sequence", () => {
  const r = new Xorshift32(0);
  const again = new Xorshift32();
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const x = r.nextInt32();
    assert.is.not(x, 0);
    assert.is(again.nextInt32(), x);
    seen.add(x);
  }
  assert.is(seen.size, 1000);
  // Only the low 32 bits of a seed count: 2^32 is seed 0.
  assert.is(new Xorshift32(0x100000000).nextInt32(), new Xorshift32(0).nextInt32());
});

test("numbers stay int32 and are never 0", () => {
  const r = new Xorshift32(-7);
  for (let i = 0; i < 10000; i++) {
    const x = r.nextInt32();
    assert.ok(x === (x | 0) && x !== 0);
  }
});

test("below(n) stays in range and covers it evenly", () => {
  const r = new Xorshift32(2024);
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 10000; i++) {
    const v = r.below(10);
    assert.ok(v >= 0 && v < 10 && v === (v | 0));
    counts[v]++;
  }
  for (const c of counts) assert.ok(c > 900 && c < 1100, "bucket count " + c);
  for (let i = 0; i < 100; i++) assert.is(r.below(1), 0);
});

test("percent(p): never at 0, always at 100, about p in between", () => {
  const r = new Xorshift32(5);
  let hits = 0;
  for (let i = 0; i < 10000; i++) {
    assert.not.ok(r.percent(0));
    assert.ok(r.percent(100));
    if (r.percent(25)) hits++;
  }
  assert.ok(hits > 2300 && hits < 2700, "25% gave " + hits + " of 10000");
});

test.run();
