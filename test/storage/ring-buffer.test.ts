import { test } from "uvu";
import * as assert from "uvu/assert";
import { Arena, BoundsError, CapacityError } from "../../src/storage/arena.js";
import { RingBuffer } from "../../src/storage/ring-buffer.js";

/** A xorshift32 generator: the same sequence on every engine. `next(n)` is in `[0, n)`. */
function prng(seed: number): (n: number) => number {
  let s = seed | 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

function ascii(text: string): Uint8Array {
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
  return b;
}

function text(b: Uint8Array, off = 0, len = b.length - off): string {
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(b[off + i]);
  return s;
}

/** The ring's region of its backing bytes, as text (`.` is what `filledRing` put there). */
function storage(r: RingBuffer): string {
  return text(r.bytes, r.base, r.capacity);
}

/** A ring at offset 3 of an arena, between two guard regions, its storage filled with '.'. */
function filledRing(capacity: number): { ring: RingBuffer; arena: Arena } {
  const arena = new Arena(capacity + 6);
  arena.bytes.fill(0x7e); // '~' guards
  arena.reserve(3);
  const ring = new RingBuffer(capacity, arena);
  arena.reserve(3);
  arena.bytes.fill(0x2e, ring.base, ring.base + capacity);
  return { ring, arena };
}

function guardsIntact(arena: Arena, ring: RingBuffer): boolean {
  const b = arena.bytes;
  for (let i = 0; i < ring.base; i++) if (b[i] !== 0x7e) return false;
  for (let i = ring.base + ring.capacity; i < b.length; i++) if (b[i] !== 0x7e) return false;
  return true;
}

test("construction: own buffer, arena region, bad capacities", () => {
  const own = new RingBuffer(8);
  assert.is(own.base, 0);
  assert.is(own.bytes.byteOffset, 0);
  assert.is(own.bytes.length, 8);
  assert.is(own.dv.buffer, own.bytes.buffer);
  const arena = new Arena(20);
  arena.reserve(5);
  const r = new RingBuffer(10, arena);
  assert.is(r.base, 5);
  assert.is(r.bytes, arena.bytes);
  assert.is(r.capacity, 10);
  assert.is(arena.used, 15);
  for (const bad of [-1, 2.5, NaN, 0x40000001]) {
    assert.throws(() => new RingBuffer(bad), (e: unknown) => e instanceof CapacityError, "capacity " + bad);
  }
  assert.throws(() => new RingBuffer(6, arena), (e: unknown) => e instanceof CapacityError, "arena exhausted");
});

test("capacity 0: always empty and full, every window empty", () => {
  const arena = new Arena(4);
  arena.reserve(2);
  const r = new RingBuffer(0, arena);
  const src = ascii("ab");
  const dst = new Uint8Array(2);
  assert.ok(r.isEmpty());
  assert.ok(r.isFull());
  assert.is(r.len(), 0);
  assert.is(r.window(), 0);
  assert.is(r.enqueueWindowLen(), 0);
  assert.is(r.enqueueWindowOffset(), 2);
  assert.is(r.dequeueWindowLen(), 0);
  assert.is(r.dequeueWindowOffset(), 2);
  assert.is(r.enqueueSlice(src, 0, 2), 0);
  assert.is(r.dequeueSlice(dst, 0, 2), 0);
  assert.is(r.writeUnallocated(0, src, 0, 2), 0);
  assert.is(r.readAllocated(0, dst, 0, 2), 0);
  assert.is(r.unallocatedOffset(0), 2);
  assert.is(r.unallocatedOffset(1), -1);
  assert.is(r.unallocatedLen(0, 5), 0);
  assert.is(r.allocatedOffset(0), 2);
  assert.is(r.allocatedOffset(1), -1);
  assert.is(r.allocatedLen(0, 5), 0);
  r.enqueueCommit(0);
  r.dequeueCommit(0);
  r.enqueueUnallocated(0);
  r.dequeueAllocated(0);
  assert.throws(() => r.enqueueCommit(1), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => r.enqueueUnallocated(1), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => r.dequeueAllocated(1), (e: unknown) => e instanceof BoundsError);
  assert.ok(r.isEmpty() && r.isFull());
  assert.is(arena.bytes[2], 0, "nothing written");
});

test("capacity 1", () => {
  const { ring: r, arena } = filledRing(1);
  const dst = new Uint8Array(3);
  assert.ok(r.isEmpty());
  assert.not.ok(r.isFull());
  assert.is(r.enqueueSlice(ascii("xyz"), 0, 3), 1);
  assert.ok(r.isFull());
  assert.is(r.enqueueSlice(ascii("q"), 0, 1), 0);
  assert.is(r.enqueueWindowLen(), 0);
  assert.is(r.dequeueWindowLen(), 1);
  assert.is(r.dequeueSlice(dst, 0, 3), 1);
  assert.is(dst[0], 0x78);
  assert.ok(r.isEmpty());
  assert.is(r.writeUnallocated(0, ascii("kl"), 0, 2), 1);
  assert.is(r.writeUnallocated(1, ascii("m"), 0, 1), 0);
  r.enqueueUnallocated(1);
  assert.is(r.readAllocated(0, dst, 1, 2), 1);
  assert.is(dst[1], 0x6b);
  assert.is(r.readAllocated(1, dst, 0, 1), 0);
  r.dequeueAllocated(1);
  assert.ok(r.isEmpty());
  assert.ok(guardsIntact(arena, r));
});

test("contiguous windows, commits and the wrap (after smoltcp's enqueue_many/dequeue_many)", () => {
  const { ring: r, arena } = filledRing(12);
  const b = r.base;
  assert.is(r.enqueueWindowOffset(), b);
  assert.is(r.enqueueWindowLen(), 12);
  r.bytes.set(ascii("abcd"), r.enqueueWindowOffset());
  r.enqueueCommit(4);
  assert.is(r.len(), 4);
  assert.is(r.window(), 8);
  assert.is(r.enqueueWindowOffset(), b + 4);
  assert.is(r.enqueueWindowLen(), 8);
  r.bytes.set(ascii("efghijkl"), r.enqueueWindowOffset());
  r.enqueueCommit(8);
  assert.ok(r.isFull());
  assert.is(r.enqueueWindowLen(), 0);
  assert.is(storage(r), "abcdefghijkl");
  assert.is(r.dequeueWindowOffset(), b);
  assert.is(r.dequeueWindowLen(), 12);
  r.dequeueCommit(5);
  assert.is(r.dequeueWindowOffset(), b + 5);
  assert.is(r.dequeueWindowLen(), 7);
  // The free run is now at the start: 5 octets, contiguous.
  assert.is(r.enqueueWindowOffset(), b);
  assert.is(r.enqueueWindowLen(), 5);
  r.bytes.set(ascii("MNO"), r.enqueueWindowOffset());
  r.enqueueCommit(3);
  assert.is(storage(r), "MNOdefghijkl");
  // Queued data wraps: the contiguous run stops at the end of the ring.
  assert.is(r.dequeueWindowLen(), 7);
  assert.is(text(r.bytes, r.dequeueWindowOffset(), r.dequeueWindowLen()), "fghijkl");
  r.dequeueCommit(7);
  assert.is(r.dequeueWindowOffset(), b);
  assert.is(text(r.bytes, r.dequeueWindowOffset(), r.dequeueWindowLen()), "MNO");
  // Over-commits are typed errors and change nothing.
  assert.throws(() => r.dequeueCommit(4), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => r.dequeueCommit(-1), (e: unknown) => e instanceof BoundsError);
  assert.is(r.enqueueWindowLen(), 9, "window from position 3 to the end");
  assert.throws(() => r.enqueueCommit(10), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => r.enqueueCommit(-1), (e: unknown) => e instanceof BoundsError);
  assert.is(r.len(), 3);
  assert.is(r.dequeueWindowLen(), 3);
  assert.ok(guardsIntact(arena, r));
});

test("a contiguous window never passes the read position", () => {
  const { ring: r } = filledRing(8);
  r.enqueueSlice(ascii("abcdefgh"), 0, 8);
  r.dequeueCommit(2);
  // Write position is 0 (wrapped), read position 2: only 2 free octets, before the data.
  assert.is(r.enqueueWindowOffset(), r.base);
  assert.is(r.enqueueWindowLen(), 2);
  r.dequeueCommit(3);
  assert.is(r.enqueueWindowLen(), 5);
  assert.throws(() => r.enqueueCommit(6), (e: unknown) => e instanceof BoundsError);
  // Free space that wraps: 6 octets free but only 2 before the end, so committing 3 in place
  // would claim octets the caller never had a window for.
  const q = new RingBuffer(12);
  q.enqueueSlice(new Uint8Array(10), 0, 10);
  q.dequeueCommit(4);
  assert.is(q.window(), 6);
  assert.is(q.enqueueWindowLen(), 2);
  assert.throws(() => q.enqueueCommit(3), (e: unknown) => e instanceof BoundsError);
  q.enqueueCommit(2);
  assert.is(q.enqueueWindowOffset(), q.base);
  assert.is(q.enqueueWindowLen(), 4);
});

test("the read position resets only when an empty ring is enqueued into", () => {
  const { ring: r } = filledRing(10);
  const dst = new Uint8Array(10);
  r.enqueueSlice(ascii("abcdefg"), 0, 7);
  assert.is(r.dequeueSlice(dst, 0, 7), 7);
  assert.ok(r.isEmpty());
  // Dequeueing to empty left the read position at 7.
  assert.is(r.dequeueWindowOffset(), r.base + 7);
  // The unallocated calls do not move it: out-of-order data lands past position 7.
  assert.is(r.unallocatedOffset(0), r.base + 7);
  assert.is(r.unallocatedLen(0, 10), 3);
  assert.is(r.writeUnallocated(1, ascii("XY"), 0, 2), 2);
  assert.is(storage(r), "abcdefg.XY");
  assert.is(r.dequeueWindowOffset(), r.base + 7);
  // Asking for the contiguous enqueue window of the empty ring moves it back to 0.
  assert.is(r.enqueueWindowLen(), 10);
  assert.is(r.dequeueWindowOffset(), r.base);
  // Same for enqueueWindowOffset and enqueueSlice.
  r.enqueueSlice(ascii("abc"), 0, 3);
  r.dequeueSlice(dst, 0, 3);
  assert.is(r.dequeueWindowOffset(), r.base + 3);
  assert.is(r.enqueueWindowOffset(), r.base);
  r.enqueueSlice(ascii("abc"), 0, 3);
  r.dequeueSlice(dst, 0, 3);
  assert.is(r.enqueueSlice(ascii("0123456789"), 0, 10), 10, "the whole ring, in one contiguous copy");
  assert.is(storage(r), "0123456789");
  // clear() resets too.
  r.dequeueCommit(4);
  r.clear();
  assert.ok(r.isEmpty());
  assert.is(r.dequeueWindowOffset(), r.base);
});

test("enqueueSlice / dequeueSlice at every wrap position and length", () => {
  const N = 13;
  const foreign = new Uint8Array(2 * N);
  for (let i = 0; i < foreign.length; i++) foreign[i] = 0x41 + i;
  for (let p = 0; p < N; p++) {
    for (let l = 0; l < N; l++) {
      const { ring: r, arena } = filledRing(N);
      // Leave the read position at p with one octet ('#') queued, so nothing resets it.
      const lead = new Uint8Array(p + 1).fill(0x23);
      assert.is(r.enqueueSlice(lead, 0, p + 1), p + 1);
      r.dequeueAllocated(p);
      assert.is(r.dequeueWindowOffset(), r.base + p);
      const w = (p + 1) % N;
      assert.is(r.enqueueWindowOffset(), r.base + w, "p " + p);
      assert.is(r.enqueueWindowLen(), Math.min(N - 1, N - w), "p " + p);
      assert.is(r.enqueueSlice(foreign, 3, l), l, "p " + p + " l " + l);
      assert.is(r.len(), l + 1);
      // Pieces of a retransmission read across the wrap.
      const firstLen = r.allocatedLen(1, N);
      assert.is(firstLen, Math.min(l, N - w), "contiguous part at offset 1");
      assert.is(r.allocatedOffset(1), r.base + w);
      const dst = new Uint8Array(N + 2).fill(0xa5);
      assert.is(r.dequeueSlice(dst, 1, N + 1), l + 1);
      assert.is(dst[0], 0xa5);
      assert.is(dst[1], 0x23);
      assert.equal(Array.from(dst.subarray(2, 2 + l)), Array.from(foreign.subarray(3, 3 + l)), "p " + p + " l " + l);
      if (2 + l < dst.length) assert.is(dst[2 + l], 0xa5);
      assert.ok(r.isEmpty());
      assert.ok(guardsIntact(arena, r));
    }
  }
});

test("writeUnallocated / enqueueUnallocated: out-of-order segments across the wrap", () => {
  const { ring: r, arena } = filledRing(12);
  // Read position 8, nothing queued: the free space starts at 8 and wraps after 4 octets.
  r.writeUnallocated(0, ascii("........"), 0, 8);
  r.enqueueUnallocated(8);
  r.dequeueAllocated(8);
  assert.ok(r.isEmpty());
  // A later segment first (offset 3), then the one before it (offset 0).
  assert.is(r.writeUnallocated(3, ascii("defg"), 0, 4), 4);
  assert.is(storage(r), "efg........d");
  assert.is(r.len(), 0, "nothing committed yet");
  assert.is(r.writeUnallocated(0, ascii("abc"), 0, 3), 3);
  assert.is(storage(r), "efg.....abcd");
  r.enqueueUnallocated(7);
  assert.is(r.len(), 7);
  const dst = new Uint8Array(7);
  assert.is(r.readAllocated(0, dst, 0, 7), 7);
  assert.is(text(dst), "abcdefg");
  // Offsets are clamped to the window: 5 free octets.
  assert.is(r.window(), 5);
  assert.is(r.writeUnallocated(3, ascii("WXYZ"), 0, 4), 2);
  assert.is(r.writeUnallocated(5, ascii("Q"), 0, 1), 0);
  assert.is(r.writeUnallocated(6, ascii("Q"), 0, 1), 0);
  assert.is(storage(r), "efg...WXabcd");
  // The contiguous forms.
  assert.is(r.unallocatedOffset(0), r.base + 3);
  assert.is(r.unallocatedLen(0, 100), 5);
  assert.is(r.unallocatedLen(1, 2), 2);
  assert.is(r.unallocatedOffset(5), r.base + 8, "offset == window is still a position");
  assert.is(r.unallocatedLen(5, 1), 0);
  assert.is(r.unallocatedOffset(6), -1);
  assert.throws(() => r.enqueueUnallocated(6), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => r.writeUnallocated(-1, dst, 0, 1), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => r.writeUnallocated(0, dst, 5, 3), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => r.unallocatedOffset(-1), (e: unknown) => e instanceof BoundsError);
  assert.is(r.len(), 7);
  assert.ok(guardsIntact(arena, r));
});

test("writeUnallocated where the free run reaches the end: contiguous lengths stop at the wrap", () => {
  const { ring: r } = filledRing(10);
  r.enqueueSlice(ascii("abcdef"), 0, 6);
  r.dequeueAllocated(4);
  // Queued: "ef" at 4..6. Free: 6..10 then 0..4.
  assert.is(r.unallocatedLen(0, 10), 4);
  assert.is(r.unallocatedOffset(4), r.base);
  assert.is(r.unallocatedLen(4, 10), 4);
  assert.is(r.unallocatedLen(2, 10), 2);
  assert.is(r.writeUnallocated(2, ascii("123456"), 0, 6), 6);
  assert.is(storage(r), "3456ef..12");
});

test("readAllocated / dequeueAllocated: retransmission reads at every offset across the wrap", () => {
  const N = 11;
  for (let p = 0; p < N; p++) {
    const { ring: r, arena } = filledRing(N);
    // Leave the empty ring's read position at start = (p + 1) % N, then queue "abcdefghij"
    // there through the unallocated calls (which, unlike enqueueSlice, keep the position).
    r.enqueueSlice(new Uint8Array(p + 1), 0, p + 1);
    r.dequeueAllocated(p + 1);
    const start = (p + 1) % N;
    assert.is(r.dequeueWindowOffset(), r.base + start);
    const expected = "abcdefghij";
    assert.is(r.writeUnallocated(0, ascii(expected), 0, 10), 10);
    r.enqueueUnallocated(10);
    for (let off = 0; off <= 10; off++) {
      for (let len = 0; len <= 11 - off; len++) {
        const dst = new Uint8Array(len + 1).fill(0x2a);
        const n = r.readAllocated(off, dst, 1, len);
        assert.is(n, Math.min(len, 10 - off), "p " + p + " off " + off + " len " + len);
        assert.is(text(dst, 1, n), expected.slice(off, off + n));
        assert.is(dst[0], 0x2a);
      }
      // The contiguous form, piece by piece, gives the same octets.
      let got = "";
      let o = off;
      while (r.allocatedLen(o, 100) > 0) {
        const at = r.allocatedOffset(o);
        const n = r.allocatedLen(o, 100);
        assert.ok(at >= r.base && at + n <= r.base + N);
        got += text(r.bytes, at, n);
        o += n;
      }
      assert.is(got, expected.slice(off), "pieces from offset " + off);
      const abs = (start + off) % N;
      assert.is(r.allocatedOffset(off), r.base + abs);
    }
    assert.is(r.allocatedOffset(11), -1);
    // Acknowledge in two steps; the read position follows, wrapping.
    r.dequeueAllocated(4);
    assert.is(r.dequeueWindowOffset(), r.base + ((start + 4) % N));
    const rest = new Uint8Array(6);
    assert.is(r.readAllocated(0, rest, 0, 6), 6);
    assert.is(text(rest), "efghij");
    assert.throws(() => r.dequeueAllocated(7), (e: unknown) => e instanceof BoundsError);
    r.dequeueAllocated(6);
    assert.ok(r.isEmpty());
    assert.ok(guardsIntact(arena, r));
  }
});

test("bounds errors on copies change nothing", () => {
  const r = new RingBuffer(8);
  const b = new Uint8Array(4);
  assert.throws(() => r.enqueueSlice(b, 1, 4), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => r.enqueueSlice(b, -1, 1), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => r.enqueueSlice(b, 0, -1), (e: unknown) => e instanceof BoundsError);
  assert.is(r.len(), 0);
  r.enqueueSlice(b, 0, 4);
  assert.throws(() => r.dequeueSlice(b, 2, 3), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => r.readAllocated(0, b, 0, 5), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => r.readAllocated(-1, b, 0, 1), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => r.allocatedLen(0, -1), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => r.allocatedOffset(-1), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => r.dequeueAllocated(-1), (e: unknown) => e instanceof BoundsError);
  assert.is(r.len(), 4);
});

/**
 * Thousands of random operations against a plain-array model: the queue is an array of octets,
 * and the ring must agree with it after every step (length, window, and the full content read
 * back at offset 0). `sameBuffer` copies from and to regions of the ring's own arena, exercising
 * `copyWithin`; otherwise separate buffers exercise the byte loop.
 */
function randomRun(capacity: number, seed: number, sameBuffer: boolean, steps: number): void {
  const rnd = prng(seed);
  const arena = new Arena(3 * capacity + 16 + 8);
  arena.bytes.fill(0x7e);
  const srcBase = arena.reserve(capacity + 8);
  arena.reserve(4);
  const ring = new RingBuffer(capacity, arena);
  arena.reserve(4);
  const dstBase = arena.reserve(capacity + 8);
  const src = sameBuffer ? arena.bytes : new Uint8Array(capacity + 8);
  const sOff = sameBuffer ? srcBase : 0;
  const dst = sameBuffer ? arena.bytes : new Uint8Array(capacity + 8);
  const dOff = sameBuffer ? dstBase : 0;
  const model: number[] = [];
  let next = 1;
  const fill = (n: number): void => {
    for (let i = 0; i < n; i++) {
      src[sOff + i] = next;
      next = (next % 100) + 1;
    }
  };
  const where = "capacity " + capacity + " seed " + seed + (sameBuffer ? " arena" : " foreign");
  for (let step = 0; step < steps; step++) {
    const op = rnd(8);
    const at = where + " step " + step + " op " + op;
    if (op === 0) {
      const n = rnd(capacity + 3);
      fill(n);
      const got = ring.enqueueSlice(src, sOff, n);
      assert.is(got, Math.min(n, capacity - model.length), at);
      for (let i = 0; i < got; i++) model.push(src[sOff + i]);
    } else if (op === 1) {
      const n = rnd(capacity + 3);
      const got = ring.dequeueSlice(dst, dOff, n);
      assert.is(got, Math.min(n, model.length), at);
      const expect = model.splice(0, got);
      for (let i = 0; i < got; i++) if (dst[dOff + i] !== expect[i]) assert.unreachable(at + ": octet " + i);
    } else if (op === 2) {
      // In place, through the contiguous window.
      const off = ring.enqueueWindowOffset();
      const len = ring.enqueueWindowLen();
      assert.ok(len <= capacity - model.length, at);
      if (capacity - model.length > 0) assert.ok(len > 0, at + ": free space but no window");
      assert.ok(off >= ring.base && off + len <= ring.base + capacity, at);
      const n = len === 0 ? 0 : rnd(len + 1);
      for (let i = 0; i < n; i++) {
        ring.bytes[off + i] = next;
        model.push(next);
        next = (next % 100) + 1;
      }
      ring.enqueueCommit(n);
    } else if (op === 3) {
      const off = ring.dequeueWindowOffset();
      const len = ring.dequeueWindowLen();
      assert.ok(len <= model.length, at);
      if (model.length > 0) assert.ok(len > 0, at + ": data but no window");
      const n = len === 0 ? 0 : rnd(len + 1);
      for (let i = 0; i < n; i++) if (ring.bytes[off + i] !== model[i]) assert.unreachable(at + ": octet " + i);
      model.splice(0, n);
      ring.dequeueCommit(n);
    } else if (op === 4) {
      // An out-of-order pair: the later part first, then the gap before it, then commit.
      const free = capacity - model.length;
      const n = rnd(free + 1);
      const k = rnd(n + 1);
      fill(n);
      assert.is(ring.writeUnallocated(k, src, sOff + k, n - k), n - k, at);
      assert.is(ring.writeUnallocated(0, src, sOff, k), k, at);
      ring.enqueueUnallocated(n);
      for (let i = 0; i < n; i++) model.push(src[sOff + i]);
    } else if (op === 5) {
      // A retransmission read at a random offset, then an acknowledgement.
      const off = rnd(model.length + 2);
      const len = rnd(capacity + 3);
      const got = ring.readAllocated(off, dst, dOff, len);
      assert.is(got, Math.max(0, Math.min(len, model.length - off)), at);
      for (let i = 0; i < got; i++) if (dst[dOff + i] !== model[off + i]) assert.unreachable(at + ": octet " + i);
      const ack = rnd(model.length + 1);
      ring.dequeueAllocated(ack);
      model.splice(0, ack);
    } else if (op === 6) {
      // Emit in place from an offset, piece by piece.
      const off = rnd(model.length + 1);
      let o = off;
      for (let piece = 0; piece < 3; piece++) {
        const n = ring.allocatedLen(o, capacity);
        if (n === 0) break;
        const p = ring.allocatedOffset(o);
        assert.ok(p >= ring.base && p + n <= ring.base + capacity, at);
        for (let i = 0; i < n; i++) if (ring.bytes[p + i] !== model[o + i]) assert.unreachable(at + ": octet " + i);
        o += n;
      }
      assert.is(o, model.length, at + ": two pieces at most cover the rest");
    } else if (rnd(50) === 0) {
      ring.clear();
      model.length = 0;
    }
    assert.is(ring.len(), model.length, at);
    assert.is(ring.window(), capacity - model.length, at);
    assert.is(ring.isEmpty(), model.length === 0, at);
    assert.is(ring.isFull(), model.length === capacity, at);
  }
  // Guards around the ring are intact: nothing ever wrote outside it.
  const b = arena.bytes;
  for (let i = ring.base - 4; i < ring.base; i++) assert.is(b[i], 0x7e, where + " guard before");
  for (let i = ring.base + capacity; i < ring.base + capacity + 4; i++) assert.is(b[i], 0x7e, where + " guard after");
}

test("random operations against a reference model (copyWithin path)", () => {
  for (const cap of [1, 2, 3, 7, 16, 61]) randomRun(cap, 0x5eed + cap, true, 3000);
});

test("random operations against a reference model (byte-loop path)", () => {
  for (const cap of [1, 2, 5, 16, 33]) randomRun(cap, 0xbeef + cap, false, 3000);
});

test.run();
