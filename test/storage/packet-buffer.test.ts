import { test } from "uvu";
import * as assert from "uvu/assert";
import { Arena, BoundsError, CapacityError } from "../../src/storage/arena.js";
import { PacketBuffer } from "../../src/storage/packet-buffer.js";

/** The metadata record the tests use: what a UDP socket would keep per datagram. */
class Meta {
  port = 0;
}

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

/** Enqueues a packet of `size` octets all equal to `fill`, tagged with `port`; returns the record or null. */
function put(pb: PacketBuffer<Meta>, size: number, fill: number, port: number): Meta | null {
  const m = pb.enqueue(size);
  if (m === null) return null;
  m.port = port;
  pb.bytes.fill(fill, pb.enqueuedOffset, pb.enqueuedOffset + pb.enqueuedLen);
  return m;
}

/** The octets of the last dequeued packet. */
function dequeued(pb: PacketBuffer<Meta>): number[] {
  return Array.from(pb.bytes.subarray(pb.dequeuedOffset, pb.dequeuedOffset + pb.dequeuedLen));
}

test("construction: records made once by the factory, capacities, errors", () => {
  let made = 0;
  const pb = new PacketBuffer<Meta>(3, 64, () => {
    made++;
    return new Meta();
  });
  assert.is(made, 3);
  assert.is(pb.metaCapacity(), 3);
  assert.is(pb.payloadCapacity(), 64);
  assert.is(pb.bytes, pb.payload.bytes);
  assert.ok(pb.isEmpty());
  assert.not.ok(pb.isFull());
  for (let i = 0; i < 10; i++) {
    assert.ok(pb.enqueue(1) !== null);
    assert.ok(pb.dequeue() !== null);
  }
  assert.is(made, 3, "no record is made after construction");
  assert.throws(() => new PacketBuffer<Meta>(-1, 8, () => new Meta()), (e: unknown) => e instanceof CapacityError);
  assert.throws(() => new PacketBuffer<Meta>(2, 1.5, () => new Meta()), (e: unknown) => e instanceof CapacityError);
  assert.throws(() => pb.enqueue(-1), (e: unknown) => e instanceof BoundsError);
  const arena = new Arena(40);
  arena.reserve(7);
  const inArena = new PacketBuffer<Meta>(2, 16, () => new Meta(), arena);
  assert.is(inArena.bytes, arena.bytes);
  assert.is(inArena.payload.base, 7);
  assert.is(inArena.enqueue(4), inArena.peek());
  assert.is(inArena.enqueuedOffset, 7);
});

test("enqueue, peek and dequeue in order, with the records reused", () => {
  const pb = new PacketBuffer<Meta>(4, 32, () => new Meta());
  const a = put(pb, 5, 0xaa, 1);
  const b = put(pb, 3, 0xbb, 2);
  assert.ok(a !== null && b !== null && a !== b);
  assert.is(pb.packetCount(), 2);
  assert.is(pb.peek(), a);
  assert.is(pb.peekOffset(), 0);
  assert.is(pb.peekLen(), 5);
  assert.is(pb.dequeue(), a);
  assert.is(a!.port, 1);
  assert.is(pb.dequeuedOffset, 0);
  assert.equal(dequeued(pb), [0xaa, 0xaa, 0xaa, 0xaa, 0xaa]);
  assert.is(pb.peekOffset(), 5);
  assert.is(pb.peekLen(), 3);
  const m = pb.dequeue();
  assert.is(m, b);
  assert.is(m!.port, 2);
  assert.equal(dequeued(pb), [0xbb, 0xbb, 0xbb]);
  assert.is(pb.dequeue(), null);
  assert.is(pb.peek(), null);
  assert.is(pb.peekOffset(), -1);
  assert.is(pb.peekLen(), -1);
  assert.ok(pb.isEmpty());
});

test("metadata exhaustion: the slot count limits packets, and nothing changes on refusal", () => {
  const pb = new PacketBuffer<Meta>(2, 100, () => new Meta());
  assert.ok(put(pb, 10, 1, 1) !== null);
  assert.ok(put(pb, 10, 2, 2) !== null);
  assert.ok(pb.isFull());
  assert.is(pb.enqueue(1), null);
  assert.is(pb.enqueue(0), null, "even an empty packet needs a slot");
  assert.is(pb.packetCount(), 2);
  assert.is(pb.payload.len(), 20);
  assert.is(pb.dequeue()!.port, 1);
  assert.not.ok(pb.isFull());
  assert.ok(put(pb, 10, 3, 3) !== null);
  assert.is(pb.dequeue()!.port, 2);
  assert.is(pb.dequeue()!.port, 3);
  assert.equal(dequeued(pb), new Array(10).fill(3));
});

test("padding: a packet that does not fit before the end starts at the beginning", () => {
  // Payload ring of 10: A at 0..4, B at 4..8, then A leaves. C (3 octets) does not fit in the
  // 2 octets at 8..10, so those become padding and C goes to 0..3.
  const pb = new PacketBuffer<Meta>(3, 10, () => new Meta());
  put(pb, 4, 0xa, 1);
  put(pb, 4, 0xb, 2);
  pb.dequeue();
  const c = put(pb, 3, 0xc, 3);
  assert.ok(c !== null);
  assert.is(pb.enqueuedOffset, 0);
  assert.is(pb.enqueuedLen, 3);
  assert.is(pb.payload.len(), 4 + 2 + 3, "B, the padding and C");
  assert.is(pb.packetCount(), 2, "the padding takes no metadata slot");
  // B comes out first, then C, whose padding is skipped transparently.
  assert.is(pb.dequeue()!.port, 2);
  assert.is(pb.dequeuedOffset, 4);
  assert.equal(dequeued(pb), [0xb, 0xb, 0xb, 0xb]);
  assert.is(pb.peekOffset(), 0);
  assert.is(pb.peekLen(), 3);
  assert.is(pb.dequeue(), c);
  assert.is(pb.dequeuedOffset, 0);
  assert.equal(dequeued(pb), [0xc, 0xc, 0xc]);
  assert.ok(pb.payload.isEmpty(), "the padding went with C");
});

test("padding is refused when the start of the ring has no room either", () => {
  const pb = new PacketBuffer<Meta>(4, 10, () => new Meta());
  put(pb, 3, 1, 1);
  put(pb, 5, 2, 2);
  pb.dequeue(); // read at 3, write at 8: 2 octets at the end, 3 at the start
  assert.is(pb.enqueue(4), null);
  assert.is(pb.payload.len(), 5, "no padding was left behind");
  assert.is(pb.packetCount(), 1);
  assert.ok(put(pb, 3, 3, 3) !== null, "3 octets fit at the start");
  assert.is(pb.enqueuedOffset, 0);
  assert.is(pb.payload.window(), 0, "2 octets of padding and 3 of payload");
  assert.is(pb.enqueue(1), null);
  assert.ok(pb.enqueue(0) !== null, "an empty packet still fits");
  assert.is(pb.packetCount(), 3);
  assert.is(pb.dequeue()!.port, 2);
  assert.is(pb.dequeue()!.port, 3);
  assert.equal(dequeued(pb), [3, 3, 3]);
  assert.ok(pb.dequeue() !== null);
  assert.is(pb.dequeuedLen, 0);
  assert.ok(pb.isEmpty());
});

test("a packet as large as the payload ring fits whenever the buffer is empty", () => {
  const pb = new PacketBuffer<Meta>(2, 8, () => new Meta());
  put(pb, 5, 1, 1);
  pb.dequeue(); // the read position is 5 now, but the ring is empty
  assert.ok(put(pb, 8, 9, 2) !== null);
  assert.is(pb.enqueuedOffset, 0);
  assert.is(pb.dequeue()!.port, 2);
  assert.equal(dequeued(pb), new Array(8).fill(9));
});

test("too big ever vs full now", () => {
  const pb = new PacketBuffer<Meta>(2, 8, () => new Meta());
  assert.is(pb.enqueue(9), null, "refused on an empty buffer");
  assert.ok(9 > pb.payloadCapacity(), "which the caller recognises as too big");
  put(pb, 6, 1, 1);
  assert.is(pb.enqueue(3), null, "full now");
  assert.ok(3 <= pb.payloadCapacity(), "which the caller recognises as worth retrying");
  pb.dequeue();
  assert.ok(pb.enqueue(3) !== null, "and it fits once the buffer drains");
});

test("capacity 0: metadata, payload", () => {
  const noMeta = new PacketBuffer<Meta>(0, 8, () => new Meta());
  assert.ok(noMeta.isFull() && noMeta.isEmpty());
  assert.is(noMeta.enqueue(1), null);
  assert.is(noMeta.dequeue(), null);
  const noPayload = new PacketBuffer<Meta>(2, 0, () => new Meta());
  assert.is(noPayload.enqueue(1), null);
  assert.ok(noPayload.enqueue(0) !== null);
  assert.is(noPayload.enqueuedLen, 0);
  assert.ok(noPayload.dequeue() !== null);
  assert.is(noPayload.dequeuedLen, 0);
});

test("clear drops everything", () => {
  const pb = new PacketBuffer<Meta>(3, 10, () => new Meta());
  put(pb, 4, 1, 1);
  put(pb, 4, 2, 2);
  pb.dequeue();
  put(pb, 3, 3, 3);
  pb.clear();
  assert.ok(pb.isEmpty());
  assert.is(pb.payload.len(), 0);
  assert.is(pb.dequeue(), null);
  assert.ok(put(pb, 10, 4, 4) !== null);
  assert.is(pb.enqueuedOffset, 0);
});

/**
 * Random enqueues and dequeues against a model written differently: the model keeps an
 * occupancy map of the payload ring and places each packet right after the newest one (or at 0
 * when nothing is queued), or at 0 after padding when it does not fit before the end.
 */
function randomRun(metaCount: number, capacity: number, seed: number, steps: number): void {
  const rnd = prng(seed);
  const arena = new Arena(capacity + 8);
  arena.bytes.fill(0xee);
  arena.reserve(4);
  const pb = new PacketBuffer<Meta>(metaCount, capacity, () => new Meta(), arena);
  const base = pb.payload.base;
  const used: boolean[] = new Array(capacity).fill(false);
  const queue: Array<{ off: number; size: number; pad: number; fill: number; port: number }> = [];
  let tag = 0;
  const where = "meta " + metaCount + " capacity " + capacity + " seed " + seed;
  const free = (a: number, b: number): boolean => {
    for (let i = a; i < b; i++) if (used[i]) return false;
    return true;
  };
  for (let step = 0; step < steps; step++) {
    const at = where + " step " + step;
    if (rnd(2) === 0) {
      const size = rnd(capacity + 2);
      tag = (tag % 200) + 1;
      // Where the model puts it.
      let expected = -1;
      let pad = 0;
      if (queue.length < metaCount && size <= capacity) {
        let w = 0;
        let queued = 0;
        for (const q of queue) queued += q.size + q.pad;
        if (queued > 0) {
          const last = queue[queue.length - 1];
          w = (last.off + last.size) % capacity;
        }
        if (w + size <= capacity && free(w, w + size)) expected = w;
        else if (free(w, capacity) && free(0, size)) {
          expected = 0;
          pad = capacity - w;
        }
      }
      const m = pb.enqueue(size);
      if (expected < 0) {
        assert.is(m, null, at + ": refused");
        continue;
      }
      assert.ok(m !== null, at + ": accepted");
      assert.is(pb.enqueuedOffset, base + expected, at);
      assert.is(pb.enqueuedLen, size, at);
      m!.port = tag;
      pb.bytes.fill(tag, pb.enqueuedOffset, pb.enqueuedOffset + size);
      for (let i = 0; i < size; i++) used[expected + i] = true;
      for (let i = capacity - pad; i < capacity; i++) used[i] = true;
      queue.push({ off: expected, size, pad, fill: tag, port: tag });
    } else {
      const m = pb.dequeue();
      const q = queue.shift();
      if (q === undefined) {
        assert.is(m, null, at);
        continue;
      }
      assert.ok(m !== null, at);
      assert.is(m!.port, q.port, at);
      assert.is(pb.dequeuedLen, q.size, at);
      if (q.size > 0) assert.is(pb.dequeuedOffset, base + q.off, at);
      for (let i = 0; i < q.size; i++) {
        if (pb.bytes[pb.dequeuedOffset + i] !== q.fill) assert.unreachable(at + ": payload octet " + i);
        used[q.off + i] = false;
      }
      for (let i = capacity - q.pad; i < capacity; i++) used[i] = false;
    }
    assert.is(pb.packetCount(), queue.length, at);
    assert.is(pb.isFull(), queue.length === metaCount, at);
  }
  for (let i = 0; i < 4; i++) assert.is(arena.bytes[i], 0xee, where + ": guard before");
  for (let i = base + capacity; i < base + capacity + 4; i++) assert.is(arena.bytes[i], 0xee, where + ": guard after");
}

test("random packets against a reference model", () => {
  randomRun(4, 16, 1, 4000);
  randomRun(8, 64, 2, 4000);
  randomRun(3, 7, 3, 4000);
  randomRun(16, 100, 4, 4000);
  randomRun(1, 5, 5, 1000);
});

test.run();
