import { test } from "uvu";
import * as assert from "uvu/assert";
import { Arena, BoundsError, CapacityError, StorageError, STORAGE_MAX_CAPACITY } from "../../src/storage/arena.js";
import { copyBytes } from "../../src/storage/copy.js";

/** `memmove` on plain arrays: the reference `copyBytes` is checked against. */
function memmove(mem: number[], dstAbs: number, srcAbs: number, len: number): number[] {
  const out = mem.slice();
  const tmp = mem.slice(srcAbs, srcAbs + len);
  for (let i = 0; i < len; i++) out[dstAbs + i] = tmp[i];
  return out;
}

/** 0, 1, 2, ... as a Uint8Array over a fresh ArrayBuffer. */
function counting(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = i + 1;
  return b;
}

test("arena: regions are consecutive, share one buffer, and exhaustion throws", () => {
  const arena = new Arena(100);
  assert.is(arena.bytes.length, 100);
  assert.is(arena.dv.byteLength, 100);
  assert.is(arena.dv.buffer, arena.bytes.buffer);
  assert.is(arena.reserve(10), 0);
  assert.is(arena.reserve(0), 10);
  assert.is(arena.reserve(30), 10);
  assert.is(arena.remaining(), 60);
  assert.throws(() => arena.reserve(61), (e: unknown) => e instanceof CapacityError && e instanceof StorageError);
  assert.is(arena.used, 40, "a refused reservation changes nothing");
  assert.is(arena.reserve(60), 40);
  assert.is(arena.remaining(), 0);
  assert.throws(() => arena.reserve(1), /arena exhausted/);
});

test("arena: bad sizes are typed errors", () => {
  for (const bad of [-1, 1.5, NaN, STORAGE_MAX_CAPACITY + 1]) {
    assert.throws(() => new Arena(bad), (e: unknown) => e instanceof CapacityError, "size " + bad);
  }
  assert.throws(() => new Arena(8).reserve(-1), (e: unknown) => e instanceof CapacityError);
  assert.is(new Arena(0).remaining(), 0);
});

test("same buffer, source inside the destination view: every overlap", () => {
  // dst covers octets 4..28 of a 32-octet buffer; src covers 0..32. Sources start inside dst.
  const N = 32;
  for (let srcRel = 0; srcRel < 24; srcRel++) {
    for (let dstOff = 0; dstOff < 24; dstOff++) {
      const len = Math.min(24 - srcRel, 24 - dstOff, 9);
      const buf = counting(N);
      const before = Array.from(buf);
      const dst = new Uint8Array(buf.buffer, 4, 24);
      copyBytes(dst, dstOff, buf, 4 + srcRel, len);
      assert.equal(Array.from(buf), memmove(before, 4 + dstOff, 4 + srcRel, len), "src " + srcRel + " dst " + dstOff);
    }
  }
});

test("one array as source and destination (an arena's bytes): every overlap, like memmove", () => {
  for (let srcOff = 0; srcOff < 20; srcOff++) {
    for (let dstOff = 0; dstOff < 20; dstOff++) {
      const len = Math.min(32 - srcOff, 32 - dstOff, 11);
      const buf = counting(32);
      const before = Array.from(buf);
      copyBytes(buf, dstOff, buf, srcOff, len);
      assert.equal(Array.from(buf), memmove(before, dstOff, srcOff, len), "src " + srcOff + " dst " + dstOff);
    }
  }
  assert.throws(() => copyBytes(counting(8), 4, counting(8), 0, 5), (e: unknown) => e instanceof BoundsError);
  const one = counting(8);
  assert.throws(() => copyBytes(one, 4, one, 0, 5), (e: unknown) => e instanceof BoundsError);
  assert.equal(Array.from(one), Array.from(counting(8)), "nothing copied");
});

test("same buffer, source outside the destination view: the byte loop picks its direction", () => {
  // dst = octets 4..12, src = octets 0..8: the destination starts inside the source, so a
  // forward loop would copy octets it has already overwritten.
  let buf = counting(16);
  let before = Array.from(buf);
  copyBytes(new Uint8Array(buf.buffer, 4, 8), 0, new Uint8Array(buf.buffer, 0, 8), 0, 8);
  assert.equal(Array.from(buf), memmove(before, 4, 0, 8));
  // dst = octets 0..8, src = octets 4..12: now only a forward loop is right.
  buf = counting(16);
  before = Array.from(buf);
  copyBytes(new Uint8Array(buf.buffer, 0, 8), 0, new Uint8Array(buf.buffer, 4, 8), 0, 8);
  assert.equal(Array.from(buf), memmove(before, 0, 4, 8));
  // Disjoint, source after the destination view.
  buf = counting(16);
  before = Array.from(buf);
  copyBytes(new Uint8Array(buf.buffer, 0, 4), 1, new Uint8Array(buf.buffer, 10, 6), 2, 3);
  assert.equal(Array.from(buf), memmove(before, 1, 12, 3));
});

test("different buffers: whole source (set) and part of it (loop)", () => {
  const src = counting(8);
  const dst = new Uint8Array(12).fill(0xa5);
  copyBytes(dst, 2, src, 0, 8);
  assert.equal(Array.from(dst), [0xa5, 0xa5, 1, 2, 3, 4, 5, 6, 7, 8, 0xa5, 0xa5]);
  const dst2 = new Uint8Array(6).fill(0xa5);
  copyBytes(dst2, 1, src, 3, 4);
  assert.equal(Array.from(dst2), [0xa5, 4, 5, 6, 7, 0xa5]);
  // A source that is itself a view at an offset of another buffer.
  const big = counting(20);
  const dst3 = new Uint8Array(4);
  copyBytes(dst3, 0, new Uint8Array(big.buffer, 10, 5), 1, 4);
  assert.equal(Array.from(dst3), [12, 13, 14, 15]);
});

test("zero length is a no-op, out-of-range arguments throw and copy nothing", () => {
  const src = counting(4);
  const dst = new Uint8Array(4).fill(0xa5);
  copyBytes(dst, 4, src, 4, 0);
  copyBytes(dst, 0, src, 0, 0);
  assert.equal(Array.from(dst), [0xa5, 0xa5, 0xa5, 0xa5]);
  const bad: Array<[number, number, number]> = [
    [0, 0, 5], // longer than both
    [1, 0, 4], // past the end of dst
    [0, 1, 4], // past the end of src
    [-1, 0, 1],
    [0, -1, 1],
    [0, 0, -1],
    [5, 0, 0], // an empty range that starts outside dst
  ];
  for (const [d, s, n] of bad) {
    assert.throws(() => copyBytes(dst, d, src, s, n), (e: unknown) => e instanceof BoundsError, d + "," + s + "," + n);
  }
  assert.equal(Array.from(dst), [0xa5, 0xa5, 0xa5, 0xa5]);
});

test.run();
