/**
 * A packet buffer: smoltcp's `PacketBuffer<H>`, a queue of whole packets for the datagram
 * sockets (UDP, ICMP, raw).
 *
 * It is two rings. A **metadata ring** of `metaCapacity()` records of type `M` (the endpoint a
 * datagram came from, say), all made once by the `makeMeta` factory given to the constructor
 * and reused forever; and a **payload ring** of octets (a `RingBuffer`). Each queued packet owns
 * one record and one contiguous run of the payload ring.
 *
 * A packet's payload is never split across the end of the payload ring, so that it can be read
 * or written in place. When the contiguous room at the write position is too short but the room
 * at the start of the ring is enough, the tail of the ring is given up as **padding**. smoltcp
 * records padding as a separate metadata entry; here it is a count kept with the packet that
 * follows it (an improvement: padding never costs a metadata slot, so `metaCapacity()` packets
 * always fit when their payloads do). `dequeue` and `peek` skip the padding transparently.
 *
 * ```text
 *  payload ring:  [ packet 3 ....... | free ...... | packet 1 .... | packet 2 ... | pad ]
 *                                                    ^ read                         ^ packet 3's
 *                                                                                     padding
 * ```
 *
 * Nothing allocates after construction. `enqueue(size)` returns the packet's record to fill in
 * and leaves the payload location in `enqueuedOffset` / `enqueuedLen` (absolute in `bytes`);
 * `dequeue()` returns the record and leaves the location in `dequeuedOffset` / `dequeuedLen`.
 * The returned record and the dequeued payload stay valid until the next `enqueue` (which may
 * reuse both); copy out what must live longer.
 *
 * **Full or too big?** `enqueue` answers `null` both when the buffer is full now (no metadata
 * slot, or no contiguous room yet) and when the packet can never fit. A caller tells them apart
 * with `size > payloadCapacity()`: such a packet is refused forever (a UDP socket reports it as
 * "message too large"), anything else fits once enough packets are dequeued. Packets of size 0
 * are legal: they take a metadata slot and no payload.
 *
 * Not supported: shrinking or growing a packet after `enqueue` (size it exactly first), and
 * looking at any queued packet but the oldest.
 */

import { Arena, BoundsError, checkCapacity } from "./arena.js";
import { RingBuffer } from "./ring-buffer.js";

/** A queue of whole packets: a ring of metadata records of type `M` and a payload ring. */
export class PacketBuffer<M> {
  /** The payload ring. Its `bytes` and `dv` are also `this.bytes` and `this.dv`. */
  readonly payload: RingBuffer;
  /** The payload ring's backing bytes (the whole `ArrayBuffer`); payload offsets are absolute in it. */
  readonly bytes: Uint8Array;
  /** A `DataView` over the same memory as `bytes`. */
  readonly dv: DataView;
  /** Offset in `bytes` of the payload of the last packet `enqueue` accepted. */
  enqueuedOffset = 0;
  /** Length of the payload of the last packet `enqueue` accepted. */
  enqueuedLen = 0;
  /** Offset in `bytes` of the payload of the last packet `dequeue` returned (valid until the next `enqueue`). */
  dequeuedOffset = 0;
  /** Length of the payload of the last packet `dequeue` returned. */
  dequeuedLen = 0;

  /** The metadata records, made once by the factory. */
  private readonly meta: M[];
  /** Payload size of the packet in each metadata slot. */
  private readonly sizes: Int32Array;
  /** Padding octets (the skipped tail of the payload ring) just before the packet in each slot. */
  private readonly pads: Int32Array;
  /** Slot of the oldest packet, in `[0, metaCapacity())`. */
  private metaRead = 0;
  /** Number of queued packets. */
  private count = 0;

  /**
   * Creates a buffer for `metaCount` packets (an integer in `[0, 2^30]`) holding at most
   * `payloadCapacity` octets of payload in all, with records made by `makeMeta` (called
   * `metaCount` times, here and never again). The payload ring is reserved from `arena` if one
   * is given.
   */
  constructor(metaCount: number, payloadCapacity: number, makeMeta: () => M, arena?: Arena) {
    checkCapacity("packet buffer metadata count", metaCount, 0);
    this.payload = new RingBuffer(payloadCapacity, arena);
    this.bytes = this.payload.bytes;
    this.dv = this.payload.dv;
    this.sizes = new Int32Array(metaCount);
    this.pads = new Int32Array(metaCount);
    const meta: M[] = [];
    for (let i = 0; i < metaCount; i++) meta.push(makeMeta());
    this.meta = meta;
  }

  /** Number of packets the metadata ring holds. */
  metaCapacity(): number {
    return this.sizes.length;
  }

  /** Number of payload octets the buffer holds in all; no larger packet is ever accepted. */
  payloadCapacity(): number {
    return this.payload.capacity;
  }

  /** Number of queued packets. */
  packetCount(): number {
    return this.count;
  }

  /** Whether no packet is queued. */
  isEmpty(): boolean {
    return this.count === 0;
  }

  /**
   * Whether every metadata slot is taken. The payload ring may be full while this is false, so
   * `enqueue` can still refuse a packet.
   */
  isFull(): boolean {
    return this.count === this.sizes.length;
  }

  /** Drops every queued packet. */
  clear(): void {
    this.metaRead = 0;
    this.count = 0;
    this.payload.clear();
  }

  /**
   * Queues a packet of `size` payload octets. Returns its metadata record for the caller to
   * fill in, with the payload's place in `enqueuedOffset` / `enqueuedLen`; or `null`, changing
   * nothing, if no metadata slot is free or no contiguous run of `size` octets can be found (see
   * the module comment for telling "full now" from "too big ever"). Throws `BoundsError` for a
   * negative size.
   */
  enqueue(size: number): M | null {
    if (size < 0) throw new BoundsError("PacketBuffer.enqueue(" + size + ")");
    const slots = this.sizes.length;
    if (this.count === slots) return null;
    const payload = this.payload;
    // Asking for the window first also moves an empty ring's read position back to 0.
    const contiguous = payload.enqueueWindowLen();
    let pad = 0;
    let off = 0;
    if (size <= contiguous) {
      off = payload.enqueueWindowOffset();
    } else if (payload.window() - contiguous >= size) {
      // The contiguous run ends at the end of the ring; give it up and start at the beginning.
      pad = contiguous;
      off = payload.base;
    } else {
      return null;
    }
    payload.enqueueUnallocated(pad + size);
    let slot = this.metaRead + this.count;
    if (slot >= slots) slot -= slots;
    this.sizes[slot] = size;
    this.pads[slot] = pad;
    this.count++;
    this.enqueuedOffset = off;
    this.enqueuedLen = size;
    return this.meta[slot];
  }

  /** The record of the oldest packet without dequeueing it, or `null` if none is queued. */
  peek(): M | null {
    return this.count === 0 ? null : this.meta[this.metaRead];
  }

  /** Offset in `bytes` of the oldest packet's payload, or -1 if none is queued. */
  peekOffset(): number {
    return this.count === 0 ? -1 : this.payload.allocatedOffset(this.pads[this.metaRead]);
  }

  /** Length of the oldest packet's payload, or -1 if none is queued. */
  peekLen(): number {
    return this.count === 0 ? -1 : this.sizes[this.metaRead];
  }

  /**
   * Dequeues the oldest packet and returns its record, with the payload's place in
   * `dequeuedOffset` / `dequeuedLen`; or `null` if none is queued. Record and payload stay
   * valid until the next `enqueue`.
   */
  dequeue(): M | null {
    if (this.count === 0) return null;
    const slot = this.metaRead;
    const pad = this.pads[slot];
    const size = this.sizes[slot];
    const payload = this.payload;
    this.dequeuedOffset = payload.allocatedOffset(pad);
    this.dequeuedLen = size;
    payload.dequeueAllocated(pad + size);
    let next = slot + 1;
    if (next === this.sizes.length) next = 0;
    this.metaRead = next;
    this.count--;
    return this.meta[slot];
  }
}
