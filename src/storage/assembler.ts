/**
 * The assembler: which parts of a TCP receive window hold out-of-order data (smoltcp's
 * `Assembler`).
 *
 * TCP may receive segments out of order (RFC 9293 §3.10.7.4: a segment beyond `RCV.NXT` may be
 * kept for later). The socket writes such a segment straight into its receive ring's free space
 * (`RingBuffer.writeUnallocated`) and tells the assembler which octets it now holds. Offsets are
 * relative to the **front**: offset 0 is the next octet the application expects (`RCV.NXT`).
 * When data reaches offset 0, `removeFront()` hands back the length of the contiguous run there,
 * which the socket commits to the ring (`enqueueUnallocated`) and adds to `RCV.NXT`; the
 * remaining ranges shift down by that length.
 *
 * The state is an ordered list of disjoint, non-adjacent `[start, end)` data ranges, stored in
 * one preallocated `Int32Array` (`start` at `2i`, `end` at `2i + 1`). Adding a range merges it
 * with every range it overlaps or touches, so the list stays minimal.
 *
 * ```text
 *  offset:  0        4         8          12      16
 *           |  gap   |  data   |   gap    | data  |
 *  ranges:  [4, 8) [12, 16)                   -> SACK blocks RCV.NXT+4..+8, RCV.NXT+12..+16
 * ```
 *
 * **The gap limit.** The list holds at most `maxGaps` separate ranges (each preceded by a gap;
 * smoltcp's `ASSEMBLER_MAX_SEGMENT_COUNT`). A segment that would need one more range is
 * **refused**: `add` returns `false` and the state is unchanged, so the socket drops the segment
 * as if it had never arrived and the peer retransmits it. Filling a gap merges two ranges and
 * frees a slot. The default is smoltcp's, 4, enough for the occasional reordering on a LAN and
 * small (64 octets) on an ESP32; 32 suits a long path with SACK. Any positive integer works;
 * each range costs 8 octets and `add` is linear in the number of ranges.
 *
 * Not supported: offsets beyond 2^31 - 1 (a TCP window is at most 2^30) and ranges behind the
 * front (the socket trims a segment to the window before adding it).
 */

import { BoundsError, checkCapacity } from "./arena.js";

/** The number of separate data ranges an assembler holds unless told otherwise (smoltcp's default). */
export const ASSEMBLER_DEFAULT_MAX_GAPS = 4;

/** Out-of-order reassembly state: up to `maxGaps` disjoint data ranges relative to the front. */
export class Assembler {
  /** The most separate data ranges this assembler holds. */
  readonly maxGaps: number;
  /** `[start, end)` of range `i` at `2i` and `2i + 1`, ordered, disjoint and not adjacent. */
  private readonly ranges: Int32Array;
  /** Number of ranges in use. */
  private count = 0;

  /** Creates an assembler for at most `maxGaps` (a positive integer) separate ranges. */
  constructor(maxGaps: number = ASSEMBLER_DEFAULT_MAX_GAPS) {
    checkCapacity("assembler maxGaps", maxGaps, 1);
    this.maxGaps = maxGaps;
    this.ranges = new Int32Array(2 * maxGaps);
  }

  /** Whether no out-of-order data is held. */
  isEmpty(): boolean {
    return this.count === 0;
  }

  /** Forgets every range. */
  clear(): void {
    this.count = 0;
  }

  /** Number of separate data ranges held (the SACK blocks the socket could report). */
  rangeCount(): number {
    return this.count;
  }

  /** Start offset of range `i` (`0 <= i < rangeCount()`), relative to the front. */
  rangeStart(i: number): number {
    if (i < 0 || i >= this.count) throw new BoundsError("rangeStart(" + i + "): " + this.count + " ranges");
    return this.ranges[2 * i];
  }

  /** End offset (exclusive) of range `i` (`0 <= i < rangeCount()`), relative to the front. */
  rangeEnd(i: number): number {
    if (i < 0 || i >= this.count) throw new BoundsError("rangeEnd(" + i + "): " + this.count + " ranges");
    return this.ranges[2 * i + 1];
  }

  /**
   * Records that octets `[offset, offset + size)` are held. Returns `true` if recorded
   * (overlapping and adjacent ranges merge; `size` 0 is a no-op), `false` if it would need more
   * than `maxGaps` separate ranges, in which case nothing changed. Throws `BoundsError` for a
   * negative `offset` or `size`, or an end beyond 2^31 - 1.
   */
  add(offset: number, size: number): boolean {
    if (offset < 0 || size < 0 || offset + size > 0x7fffffff) {
      throw new BoundsError("Assembler.add(" + offset + ", " + size + ")");
    }
    if (size === 0) return true;
    const r = this.ranges;
    const count = this.count;
    const end = offset + size;
    // first: the first range that ends at or after `offset` (the first one it can touch).
    let first = 0;
    while (first < count && r[2 * first + 1] < offset) first++;
    // last + 1: the first range that starts after `end` (it cannot touch it).
    let after = first;
    while (after < count && r[2 * after] <= end) after++;
    if (after === first) {
      // Touches nothing: insert a new range at `first`.
      if (count === this.maxGaps) return false;
      for (let i = 2 * count - 1; i >= 2 * first; i--) r[i + 2] = r[i];
      r[2 * first] = offset;
      r[2 * first + 1] = end;
      this.count = count + 1;
      return true;
    }
    // Merge ranges first..after-1 with the new one into slot `first`.
    const start0 = r[2 * first];
    const end0 = r[2 * after - 1];
    r[2 * first] = offset < start0 ? offset : start0;
    r[2 * first + 1] = end > end0 ? end : end0;
    const removed = after - first - 1;
    if (removed > 0) {
      for (let i = 2 * after; i < 2 * count; i++) r[i - 2 * removed] = r[i];
      this.count = count - removed;
    }
    return true;
  }

  /** Length of the contiguous data at offset 0 (what `removeFront` would return), without removing it. */
  peekFront(): number {
    return this.count > 0 && this.ranges[0] === 0 ? this.ranges[1] : 0;
  }

  /**
   * If data starts at offset 0, removes that contiguous run, moves the front past it (every
   * remaining range shifts down by its length) and returns its length; otherwise returns 0.
   */
  removeFront(): number {
    const r = this.ranges;
    const count = this.count;
    if (count === 0 || r[0] !== 0) return 0;
    const len = r[1];
    for (let i = 2; i < 2 * count; i++) r[i - 2] = r[i] - len;
    this.count = count - 1;
    return len;
  }

  /**
   * `add(offset, size)` then `removeFront()`, as the socket does for each segment: returns the
   * number of octets that became contiguous at the front (0 if none), or -1 if the segment was
   * refused (state unchanged). Unlike `add` alone, a segment at offset 0 is never refused: it
   * is consumed at once even when every range slot is taken (smoltcp's
   * `add_then_remove_front`).
   */
  addThenRemoveFront(offset: number, size: number): number {
    if (offset === 0 && size > 0 && this.count === this.maxGaps && size < this.ranges[0]) {
      // The new data stays separate from the first range: consume it directly and shift the rest.
      const r = this.ranges;
      for (let i = 0; i < 2 * this.count; i++) r[i] -= size;
      return size;
    }
    if (!this.add(offset, size)) return -1;
    return this.removeFront();
  }

  /** Formats the ranges as `[4, 8) [12, 16)` (`[]` when empty), for traces and tests. */
  toString(): string {
    if (this.count === 0) return "[]";
    let s = "";
    for (let i = 0; i < this.count; i++) {
      s += (i > 0 ? " " : "") + "[" + this.ranges[2 * i] + ", " + this.ranges[2 * i + 1] + ")";
    }
    return s;
  }
}
