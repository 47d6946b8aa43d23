/**
 * TCP sequence-number arithmetic (smoltcp's `TcpSeqNumber`, gVisor's `seqnum`).
 *
 * RFC 9293 §3.4: "It is essential to remember that the actual sequence number space is finite,
 * though very large. This space ranges from 0 to 2^32 - 1. Since the space is finite, all
 * arithmetic dealing with sequence numbers must be performed modulo 2^32." And: "The symbol
 * '=<' means 'less than or equal' (modulo 2^32)."
 *
 * A sequence number here is an **int32** holding the 32 bits of the wire value (the TCP view's
 * `seqNumber` / `ackNumber` read it with `getInt32`), so `0xffffffff` is `-1` and `0x80000000` is
 * `-2^31`. Sums wrap with `(a + n) | 0`, which is arithmetic modulo 2^32 on the same bits, and XS
 * keeps every value in an integer slot; nothing here ever produces a double.
 *
 * Order is defined only between numbers less than 2^31 apart, by the sign of their difference:
 * `a < b` iff `((a - b) | 0) < 0`, exactly as RFC 1982 "Serial Number Arithmetic" and every TCP
 * implementation do (`SEQ_LT` in BSD, `before()` in Linux). Two numbers exactly 2^31 apart are
 * each "less" than the other; TCP never compares such a pair, because windows are below 2^30
 * (RFC 7323 §2.3: a scaled window is at most 2^30 - 2^14). Distances (`seqSub`) are signed for
 * the same reason.
 *
 * Windows: `seqInWindow(x, start, size)` is `start =< x < start + size` with `size` from 0 to
 * 2^31 - 1; an empty window (`size` 0) contains nothing. RFC 9293 §3.10.7.4 builds its segment
 * acceptability test from that predicate; `segmentAcceptable` is the four-case table itself.
 *
 * Display: `seqToUnsigned` gives the familiar 0..2^32 - 1 value for traces and messages only; its
 * result may be a double on XS, so it never goes back into arithmetic.
 */

/** A TCP sequence number: the 32 wire bits as an int32. */
export type SeqNumber = number;

/** `a + n` modulo 2^32 (`n` may be negative). */
export function seqAdd(a: SeqNumber, n: number): SeqNumber {
  return (a + n) | 0;
}

/**
 * The signed distance `a - b`: positive when `a` comes after `b`. Meaningful when the two are
 * less than 2^31 apart; the number of octets from `b` up to `a` when `b =< a`.
 */
export function seqSub(a: SeqNumber, b: SeqNumber): number {
  return (a - b) | 0;
}

/** `a < b` modulo 2^32. */
export function seqLt(a: SeqNumber, b: SeqNumber): boolean {
  return ((a - b) | 0) < 0;
}

/** `a =< b` modulo 2^32. */
export function seqLe(a: SeqNumber, b: SeqNumber): boolean {
  return ((a - b) | 0) <= 0;
}

/** `a > b` modulo 2^32. */
export function seqGt(a: SeqNumber, b: SeqNumber): boolean {
  return ((a - b) | 0) > 0;
}

/** `a >= b` modulo 2^32. */
export function seqGe(a: SeqNumber, b: SeqNumber): boolean {
  return ((a - b) | 0) >= 0;
}

/** The later of two sequence numbers (`a` when equal). */
export function seqMax(a: SeqNumber, b: SeqNumber): SeqNumber {
  return ((a - b) | 0) >= 0 ? a : b;
}

/** The earlier of two sequence numbers (`a` when equal). */
export function seqMin(a: SeqNumber, b: SeqNumber): SeqNumber {
  return ((a - b) | 0) <= 0 ? a : b;
}

/**
 * `start =< x < start + size` modulo 2^32, for `0 <= size <= 2^31 - 1`. The offset of `x` from
 * `start`, taken as a signed int32, is inside the window when it is in `[0, size)`; an offset of
 * 2^31 or more reads as negative and is outside, which is right because no window is that large.
 * A window of size 0 contains no sequence number.
 */
export function seqInWindow(x: SeqNumber, start: SeqNumber, size: number): boolean {
  const offset = (x - start) | 0;
  return offset >= 0 && offset < size;
}

/**
 * RFC 9293 §3.10.7.4, the test a synchronized connection applies to every arriving segment
 * ("Segments are processed in sequence. ... There are four cases for the acceptability test for
 * an incoming segment"):
 *
 * | SEG.LEN | RCV.WND | test |
 * | --- | --- | --- |
 * | 0 | 0 | SEG.SEQ = RCV.NXT |
 * | 0 | >0 | RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND |
 * | >0 | 0 | not acceptable |
 * | >0 | >0 | RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND or RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND |
 *
 * `segLen` counts the octets of data plus one for SYN and one for FIN ("SEG.LEN = the number of
 * octets occupied by the data in the segment (counting SYN and FIN)", §3.3.1). The caller applies
 * the RFC's exception itself: "If the RCV.WND is zero, no segments will be acceptable, but special
 * allowance should be made to accept valid ACKs, URGs, and RSTs."
 */
export function segmentAcceptable(segSeq: SeqNumber, segLen: number, rcvNxt: SeqNumber, rcvWnd: number): boolean {
  if (segLen === 0) {
    if (rcvWnd === 0) return segSeq === rcvNxt;
    return seqInWindow(segSeq, rcvNxt, rcvWnd);
  }
  if (rcvWnd === 0) return false;
  return seqInWindow(segSeq, rcvNxt, rcvWnd) || seqInWindow((segSeq + segLen - 1) | 0, rcvNxt, rcvWnd);
}

/**
 * The sequence number as the unsigned value 0..2^32 - 1 that traces show. Display only: on XS a
 * result of 2^31 or more is a double.
 */
export function seqToUnsigned(a: SeqNumber): number {
  return a >>> 0;
}
