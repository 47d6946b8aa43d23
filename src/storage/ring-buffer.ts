/**
 * A ring buffer of octets: smoltcp's `RingBuffer<u8>`.
 *
 * The ring owns `capacity` octets starting at `base` inside `bytes` (a `Uint8Array` over the
 * whole backing `ArrayBuffer`, so that every offset this class hands out is absolute in `bytes`
 * and copies between regions of one arena are `copyWithin`s). Its state is two integers: the
 * read position `readAt` (relative to `base`, in `[0, capacity)`) and the number of queued
 * octets `length`. Queued data runs from `readAt` for `length` octets, wrapping at `capacity`;
 * the free space ("window") follows it.
 *
 * ```text
 *  base                 readAt                    readAt + length
 *   |                     |                            |
 *   [ free (wrapped) .... | queued data .............. | free ......... ]
 *   0                                                              capacity
 * ```
 *
 * Three ways in and out, all without allocating:
 *
 * - **Contiguous windows**, for code that writes or reads in place (a socket emitting straight
 *   from its ring, a driver receiving straight into one): `enqueueWindowOffset()` /
 *   `enqueueWindowLen()` then `enqueueCommit(n)`, and the `dequeue...` mirror. A window never
 *   wraps, so a full transfer may take two rounds.
 * - **Copies**, `enqueueSlice` / `dequeueSlice`, which handle the wrap themselves.
 * - **Access away from the ends**, which TCP needs: an out-of-order segment is written into the
 *   free space `offset` octets past the write position (`writeUnallocated`) and only committed
 *   (`enqueueUnallocated`) once the assembler says the gap before it is filled; a
 *   retransmission reads queued data `offset` octets past the read position (`readAllocated`,
 *   or the contiguous `allocatedOffset` / `allocatedLen` to emit in place) and the data is only
 *   dropped (`dequeueAllocated`) when it is acknowledged.
 *
 * **When the read position resets.** As in smoltcp, an *empty* ring moves its read position
 * back to 0 so that the next contiguous enqueue window is the whole ring. This happens only in
 * the contiguous-enqueue calls (`enqueueWindowOffset`, `enqueueWindowLen`, `enqueueSlice`) and
 * in `clear()`; dequeueing never moves it, and neither do the unallocated calls. This matters
 * for a TCP receive ring: out-of-order data written with `writeUnallocated` beyond an empty
 * queue lives at positions relative to the read position, and a reset would strand it. So use
 * one style per ring, as smoltcp does: a receive ring is filled only through
 * `writeUnallocated`/`enqueueUnallocated`, a transmit ring through the contiguous calls.
 *
 * Capacity 0 is legal: the ring is then both empty and full, every window is 0 octets long, and
 * every copy moves nothing.
 *
 * Misuse (committing or dequeueing more than is there, negative offsets, copy ranges outside
 * the caller's array) throws `BoundsError`; full and empty are answered with counts.
 */

import { Arena, BoundsError, checkCapacity } from "./arena.js";
import { copyBytes } from "./copy.js";

/** A ring of `capacity` octets inside a (possibly shared) `ArrayBuffer`. */
export class RingBuffer {
  /** A view of the **whole** backing `ArrayBuffer` (byte offset 0); the ring is `[base, base + capacity)` of it. */
  readonly bytes: Uint8Array;
  /** A `DataView` over the same memory as `bytes`. */
  readonly dv: DataView;
  /** Offset of the ring's first octet in `bytes`. */
  readonly base: number;
  /** Size of the ring in octets. */
  readonly capacity: number;
  /** Position of the oldest queued octet, relative to `base`, in `[0, capacity)` (0 when capacity is 0). */
  private readAt = 0;
  /** Number of queued octets, in `[0, capacity]`. */
  private length = 0;

  /**
   * Creates a ring of `capacity` octets (an integer in `[0, 2^30]`), reserved from `arena` if
   * one is given, else in an `ArrayBuffer` of its own.
   */
  constructor(capacity: number, arena?: Arena) {
    checkCapacity("ring buffer capacity", capacity, 0);
    this.capacity = capacity;
    if (arena) {
      this.base = arena.reserve(capacity);
      this.bytes = arena.bytes;
      this.dv = arena.dv;
    } else {
      const buffer = new ArrayBuffer(capacity);
      this.base = 0;
      this.bytes = new Uint8Array(buffer);
      this.dv = new DataView(buffer);
    }
  }

  // --- Queries ---------------------------------------------------------------------------------

  /** Number of queued octets. */
  len(): number {
    return this.length;
  }

  /** Number of free octets (all of them, contiguous or not). */
  window(): number {
    return this.capacity - this.length;
  }

  /** Whether nothing is queued. */
  isEmpty(): boolean {
    return this.length === 0;
  }

  /** Whether no octet is free. */
  isFull(): boolean {
    return this.length === this.capacity;
  }

  /** Drops everything queued and resets the read position to the start of the ring. */
  clear(): void {
    this.readAt = 0;
    this.length = 0;
  }

  // --- Contiguous windows ----------------------------------------------------------------------

  /**
   * Offset in `bytes` where the next enqueued octet goes. Resets the read position first if the
   * ring is empty (see the module comment), so ask for the offset and the length together.
   */
  enqueueWindowOffset(): number {
    if (this.length === 0) this.readAt = 0;
    let at = this.readAt + this.length;
    if (at >= this.capacity) at -= this.capacity;
    return this.base + at;
  }

  /**
   * Length of the contiguous free run at the write position: the most that can be written at
   * `enqueueWindowOffset()` and committed in one step. Resets the read position first if the
   * ring is empty.
   */
  enqueueWindowLen(): number {
    const cap = this.capacity;
    const length = this.length;
    if (length === 0) this.readAt = 0;
    let at = this.readAt + length;
    if (at >= cap) at -= cap;
    const free = cap - length;
    const toEnd = cap - at;
    return free < toEnd ? free : toEnd;
  }

  /**
   * Commits `n` octets written at `enqueueWindowOffset()`. Throws `BoundsError` if `n` is
   * negative or larger than `enqueueWindowLen()`.
   */
  enqueueCommit(n: number): void {
    const cap = this.capacity;
    let at = this.readAt + this.length;
    if (at >= cap) at -= cap;
    const free = cap - this.length;
    const contiguous = free < cap - at ? free : cap - at;
    if (n < 0 || n > contiguous) throw new BoundsError("enqueueCommit(" + n + "): the contiguous window is " + contiguous);
    this.length += n;
  }

  /** Offset in `bytes` of the oldest queued octet. */
  dequeueWindowOffset(): number {
    return this.base + this.readAt;
  }

  /** Length of the contiguous run of queued octets at the read position. */
  dequeueWindowLen(): number {
    const toEnd = this.capacity - this.readAt;
    return this.length < toEnd ? this.length : toEnd;
  }

  /**
   * Drops `n` octets read at `dequeueWindowOffset()`. Throws `BoundsError` if `n` is negative
   * or larger than `dequeueWindowLen()`.
   */
  dequeueCommit(n: number): void {
    const toEnd = this.capacity - this.readAt;
    const contiguous = this.length < toEnd ? this.length : toEnd;
    if (n < 0 || n > contiguous) throw new BoundsError("dequeueCommit(" + n + "): the contiguous queued run is " + contiguous);
    let at = this.readAt + n;
    if (at >= this.capacity) at -= this.capacity;
    this.readAt = at;
    this.length -= n;
  }

  // --- Copies ----------------------------------------------------------------------------------

  /**
   * Copies up to `len` octets from `src[srcOff...]` into the ring and commits them; returns how
   * many fit (`min(len, window())`). Resets the read position first if the ring is empty.
   */
  enqueueSlice(src: Uint8Array, srcOff: number, len: number): number {
    if (len < 0 || srcOff < 0 || srcOff + len > src.length) {
      throw new BoundsError("enqueueSlice: " + len + " octets at " + srcOff + " of " + src.length);
    }
    const cap = this.capacity;
    if (this.length === 0) this.readAt = 0;
    let at = this.readAt + this.length;
    if (at >= cap) at -= cap;
    const free = cap - this.length;
    const n = len < free ? len : free;
    const first = n < cap - at ? n : cap - at;
    copyBytes(this.bytes, this.base + at, src, srcOff, first);
    if (n > first) copyBytes(this.bytes, this.base, src, srcOff + first, n - first);
    this.length += n;
    return n;
  }

  /**
   * Copies up to `len` queued octets into `dst[dstOff...]` and dequeues them; returns how many
   * were copied (`min(len, len())`).
   */
  dequeueSlice(dst: Uint8Array, dstOff: number, len: number): number {
    if (len < 0 || dstOff < 0 || dstOff + len > dst.length) {
      throw new BoundsError("dequeueSlice: " + len + " octets at " + dstOff + " of " + dst.length);
    }
    const cap = this.capacity;
    const at = this.readAt;
    const n = len < this.length ? len : this.length;
    const first = n < cap - at ? n : cap - at;
    copyBytes(dst, dstOff, this.bytes, this.base + at, first);
    if (n > first) copyBytes(dst, dstOff + first, this.bytes, this.base, n - first);
    let next = at + n;
    if (next >= cap) next -= cap;
    this.readAt = next;
    this.length -= n;
    return n;
  }

  // --- Free space past the write position (out-of-order receive) -------------------------------

  /**
   * Offset in `bytes` of the free octet `offset` octets past the write position, or -1 if
   * `offset > window()`. Throws `BoundsError` for a negative `offset`.
   */
  unallocatedOffset(offset: number): number {
    if (offset < 0) throw new BoundsError("unallocatedOffset(" + offset + ")");
    if (offset > this.capacity - this.length) return -1;
    let at = this.readAt + this.length + offset;
    if (at >= this.capacity) at -= this.capacity;
    return this.base + at;
  }

  /**
   * Length of the contiguous free run at `unallocatedOffset(offset)`, at most `maxLen`
   * (0 if `offset >= window()`).
   */
  unallocatedLen(offset: number, maxLen: number): number {
    if (offset < 0 || maxLen < 0) throw new BoundsError("unallocatedLen(" + offset + ", " + maxLen + ")");
    const cap = this.capacity;
    const free = cap - this.length - offset;
    if (free <= 0) return 0;
    let at = this.readAt + this.length + offset;
    if (at >= cap) at -= cap;
    let n = maxLen < free ? maxLen : free;
    if (n > cap - at) n = cap - at;
    return n;
  }

  /**
   * Copies up to `len` octets from `src[srcOff...]` into the free space starting `offset` octets
   * past the write position, wrapping, without committing them; returns how many fit
   * (`min(len, window() - offset)`, 0 if `offset >= window()`).
   */
  writeUnallocated(offset: number, src: Uint8Array, srcOff: number, len: number): number {
    if (offset < 0 || len < 0 || srcOff < 0 || srcOff + len > src.length) {
      throw new BoundsError("writeUnallocated(" + offset + "): " + len + " octets at " + srcOff + " of " + src.length);
    }
    const cap = this.capacity;
    const free = cap - this.length - offset;
    if (free <= 0) return 0;
    let at = this.readAt + this.length + offset;
    if (at >= cap) at -= cap;
    const n = len < free ? len : free;
    const first = n < cap - at ? n : cap - at;
    copyBytes(this.bytes, this.base + at, src, srcOff, first);
    if (n > first) copyBytes(this.bytes, this.base, src, srcOff + first, n - first);
    return n;
  }

  /**
   * Commits `n` octets of free space that were written with `writeUnallocated` (or in place at
   * `unallocatedOffset`). Throws `BoundsError` if `n` is negative or larger than `window()`.
   */
  enqueueUnallocated(n: number): void {
    if (n < 0 || n > this.capacity - this.length) {
      throw new BoundsError("enqueueUnallocated(" + n + "): the window is " + (this.capacity - this.length));
    }
    this.length += n;
  }

  // --- Queued data past the read position (retransmission) -------------------------------------

  /**
   * Offset in `bytes` of the queued octet `offset` octets past the read position, or -1 if
   * `offset > len()`. Throws `BoundsError` for a negative `offset`.
   */
  allocatedOffset(offset: number): number {
    if (offset < 0) throw new BoundsError("allocatedOffset(" + offset + ")");
    if (offset > this.length) return -1;
    let at = this.readAt + offset;
    if (at >= this.capacity) at -= this.capacity;
    return this.base + at;
  }

  /**
   * Length of the contiguous run of queued octets at `allocatedOffset(offset)`, at most
   * `maxLen` (0 if `offset >= len()`).
   */
  allocatedLen(offset: number, maxLen: number): number {
    if (offset < 0 || maxLen < 0) throw new BoundsError("allocatedLen(" + offset + ", " + maxLen + ")");
    const queued = this.length - offset;
    if (queued <= 0) return 0;
    const cap = this.capacity;
    let at = this.readAt + offset;
    if (at >= cap) at -= cap;
    let n = maxLen < queued ? maxLen : queued;
    if (n > cap - at) n = cap - at;
    return n;
  }

  /**
   * Copies up to `len` queued octets starting `offset` octets past the read position into
   * `dst[dstOff...]`, wrapping, without dequeueing them; returns how many were copied
   * (`min(len, len() - offset)`, 0 if `offset >= len()`).
   */
  readAllocated(offset: number, dst: Uint8Array, dstOff: number, len: number): number {
    if (offset < 0 || len < 0 || dstOff < 0 || dstOff + len > dst.length) {
      throw new BoundsError("readAllocated(" + offset + "): " + len + " octets at " + dstOff + " of " + dst.length);
    }
    const queued = this.length - offset;
    if (queued <= 0) return 0;
    const cap = this.capacity;
    let at = this.readAt + offset;
    if (at >= cap) at -= cap;
    const n = len < queued ? len : queued;
    const first = n < cap - at ? n : cap - at;
    copyBytes(dst, dstOff, this.bytes, this.base + at, first);
    if (n > first) copyBytes(dst, dstOff + first, this.bytes, this.base, n - first);
    return n;
  }

  /**
   * Drops the `n` oldest queued octets (acknowledged data), wrapping. Throws `BoundsError` if
   * `n` is negative or larger than `len()`.
   */
  dequeueAllocated(n: number): void {
    if (n < 0 || n > this.length) throw new BoundsError("dequeueAllocated(" + n + "): " + this.length + " octets queued");
    let at = this.readAt + n;
    if (at >= this.capacity) at -= this.capacity;
    this.readAt = at;
    this.length -= n;
  }
}
