// Sequence-number arithmetic (RFC 9293 §3.4) at both wraps of the int32 representation, and the
// segment acceptability table of RFC 9293 §3.10.7.4.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  segmentAcceptable,
  seqAdd,
  seqGe,
  seqGt,
  seqInWindow,
  seqLe,
  seqLt,
  seqMax,
  seqMin,
  seqSub,
  seqToUnsigned,
} from "../../../src/socket/tcp/seq.js";

const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;
/** 0xffffffff as the int32 the stack holds. */
const ALL_ONES = -1;

test("seqAdd wraps at 2^31 (int32) and at 2^32 (wire value) and stays int32", () => {
  assert.is(seqAdd(INT32_MAX, 1), INT32_MIN, "0x7fffffff + 1 = 0x80000000");
  assert.is(seqAdd(INT32_MIN, -1), INT32_MAX);
  assert.is(seqAdd(ALL_ONES, 1), 0, "0xffffffff + 1 = 0");
  assert.is(seqAdd(0, -1), ALL_ONES);
  assert.is(seqAdd(ALL_ONES, 100), 99);
  assert.is(seqAdd(1000, 0x7fffffff), (1000 + 0x7fffffff) | 0);
  for (const v of [seqAdd(INT32_MAX, 5), seqAdd(ALL_ONES, 5), seqAdd(INT32_MIN, -5)]) assert.is(v | 0, v, "int32");
});

test("seqSub is the signed distance across both wraps", () => {
  assert.is(seqSub(INT32_MIN, INT32_MAX), 1);
  assert.is(seqSub(INT32_MAX, INT32_MIN), -1);
  assert.is(seqSub(0, ALL_ONES), 1);
  assert.is(seqSub(ALL_ONES, 0), -1);
  assert.is(seqSub(seqAdd(ALL_ONES - 10, 1000), ALL_ONES - 10), 1000);
  assert.is(seqSub(seqAdd(INT32_MAX, 0x3fffffff), INT32_MAX), 0x3fffffff, "a 2^30 window crossing 2^31");
  assert.is(seqSub(5, 5), 0);
});

test("comparisons order by signed difference at 0x7fffffff/0x80000000", () => {
  assert.ok(seqLt(INT32_MAX, INT32_MIN));
  assert.ok(seqLe(INT32_MAX, INT32_MIN));
  assert.not.ok(seqGt(INT32_MAX, INT32_MIN));
  assert.not.ok(seqGe(INT32_MAX, INT32_MIN));
  assert.ok(seqGt(INT32_MIN, INT32_MAX));
  assert.ok(seqGe(INT32_MIN, INT32_MAX));
  // Plain < would say the opposite: the reason these functions exist.
  assert.ok(INT32_MIN < INT32_MAX);
});

test("comparisons order by signed difference at 0xffffffff/0", () => {
  assert.ok(seqLt(ALL_ONES, 0));
  assert.ok(seqLt(ALL_ONES - 1000, 1000));
  assert.ok(seqGt(0, ALL_ONES));
  assert.ok(seqGe(1000, ALL_ONES - 1000));
  assert.not.ok(seqLt(0, ALL_ONES));
});

test("comparisons on equal numbers", () => {
  for (const v of [0, ALL_ONES, INT32_MAX, INT32_MIN, 12345]) {
    assert.not.ok(seqLt(v, v));
    assert.ok(seqLe(v, v));
    assert.not.ok(seqGt(v, v));
    assert.ok(seqGe(v, v));
  }
});

test("comparisons up to 2^31 - 1 apart; exactly 2^31 apart is ambiguous (each is 'less')", () => {
  const a = 0x10;
  assert.ok(seqLt(a, seqAdd(a, 0x7fffffff)));
  const half = seqAdd(a, 0x80000000 | 0);
  assert.ok(seqLt(a, half), "a < a + 2^31");
  assert.ok(seqLt(half, a), "and a + 2^31 < a");
  assert.not.ok(seqGt(a, half));
  assert.not.ok(seqGt(half, a));
});

test("seqMax / seqMin across the wraps", () => {
  assert.is(seqMax(INT32_MAX, INT32_MIN), INT32_MIN);
  assert.is(seqMin(INT32_MAX, INT32_MIN), INT32_MAX);
  assert.is(seqMax(ALL_ONES, 0), 0);
  assert.is(seqMin(ALL_ONES, 0), ALL_ONES);
  assert.is(seqMax(0, ALL_ONES), 0);
  assert.is(seqMin(7, 7), 7);
  assert.is(seqMax(3, 9), 9);
  assert.is(seqMin(3, 9), 3);
});

test("seqInWindow: start =< x < start + size, across both wraps", () => {
  // A window of 100 that straddles 0xffffffff/0.
  const start = ALL_ONES - 49; // 0xffffffce
  assert.ok(seqInWindow(start, start, 100), "the left edge is inside");
  assert.ok(seqInWindow(ALL_ONES, start, 100));
  assert.ok(seqInWindow(0, start, 100));
  assert.ok(seqInWindow(49, start, 100), "the last octet");
  assert.not.ok(seqInWindow(50, start, 100), "the right edge is outside");
  assert.not.ok(seqInWindow(start - 1, start, 100));
  // A window that straddles 0x7fffffff/0x80000000.
  assert.ok(seqInWindow(INT32_MIN, INT32_MAX, 2));
  assert.not.ok(seqInWindow(INT32_MIN + 1, INT32_MAX, 2));
  assert.not.ok(seqInWindow(INT32_MAX - 1, INT32_MAX, 2));
});

test("seqInWindow: size 0 contains nothing, size 2^31 - 1 reaches 2^31 - 2 ahead", () => {
  assert.not.ok(seqInWindow(5, 5, 0));
  assert.not.ok(seqInWindow(ALL_ONES, ALL_ONES, 0));
  assert.ok(seqInWindow(1, 1, 1));
  assert.not.ok(seqInWindow(2, 1, 1));
  const big = 0x7fffffff;
  assert.ok(seqInWindow(seqAdd(100, big - 1), 100, big));
  assert.not.ok(seqInWindow(seqAdd(100, big), 100, big));
  assert.not.ok(seqInWindow(99, 100, big), "just behind the window");
  assert.not.ok(seqInWindow(seqAdd(100, 0x80000000 | 0), 100, big), "2^31 ahead");
});

// RFC 9293 §3.10.7.4, the four cases, with RCV.NXT just before the 2^32 wrap so every window
// crosses it.
const RCV_NXT = ALL_ONES - 9; // 0xfffffff6

test("RFC 9293 §3.10.7.4 case 1: SEG.LEN 0, RCV.WND 0: acceptable iff SEG.SEQ = RCV.NXT", () => {
  assert.ok(segmentAcceptable(RCV_NXT, 0, RCV_NXT, 0));
  assert.not.ok(segmentAcceptable(RCV_NXT + 1, 0, RCV_NXT, 0));
  assert.not.ok(segmentAcceptable(RCV_NXT - 1, 0, RCV_NXT, 0));
});

test("RFC 9293 §3.10.7.4 case 2: SEG.LEN 0, RCV.WND > 0: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND", () => {
  assert.ok(segmentAcceptable(RCV_NXT, 0, RCV_NXT, 20));
  assert.ok(segmentAcceptable(0, 0, RCV_NXT, 20), "past the wrap");
  assert.ok(segmentAcceptable(9, 0, RCV_NXT, 20), "the last sequence number in the window");
  assert.not.ok(segmentAcceptable(10, 0, RCV_NXT, 20), "RCV.NXT + RCV.WND is outside");
  assert.not.ok(segmentAcceptable(RCV_NXT - 1, 0, RCV_NXT, 20), "an old duplicate ACK");
});

test("RFC 9293 §3.10.7.4 case 3: SEG.LEN > 0, RCV.WND 0: never acceptable", () => {
  assert.not.ok(segmentAcceptable(RCV_NXT, 1, RCV_NXT, 0));
  assert.not.ok(segmentAcceptable(RCV_NXT, 1000, RCV_NXT, 0));
  assert.not.ok(segmentAcceptable(RCV_NXT - 5, 10, RCV_NXT, 0));
});

test("RFC 9293 §3.10.7.4 case 4: SEG.LEN > 0, RCV.WND > 0: either end inside the window", () => {
  // Starts inside.
  assert.ok(segmentAcceptable(RCV_NXT, 5, RCV_NXT, 20));
  assert.ok(segmentAcceptable(9, 100, RCV_NXT, 20), "starts on the last octet, runs far past");
  // Starts before, ends inside: a partly retransmitted segment (the new part is kept).
  assert.ok(segmentAcceptable(RCV_NXT - 5, 6, RCV_NXT, 20), "SEG.SEQ+SEG.LEN-1 = RCV.NXT");
  assert.ok(segmentAcceptable(RCV_NXT - 5, 15, RCV_NXT, 20), "ends past the wrap");
  // Entirely before: a duplicate.
  assert.not.ok(segmentAcceptable(RCV_NXT - 5, 5, RCV_NXT, 20), "SEG.SEQ+SEG.LEN-1 = RCV.NXT-1");
  // Entirely after.
  assert.not.ok(segmentAcceptable(10, 1, RCV_NXT, 20));
  // Starts before and ends after the window: neither end inside, so not acceptable by the
  // table's letter (RFC 9293 keeps the two-ended test; such a segment cannot be sent to a
  // window the sender respects).
  assert.not.ok(segmentAcceptable(RCV_NXT - 5, 40, RCV_NXT, 20));
  // A SYN or FIN alone counts one: SEG.LEN = 1.
  assert.ok(segmentAcceptable(RCV_NXT, 1, RCV_NXT, 1));
  assert.not.ok(segmentAcceptable(RCV_NXT + 1, 1, RCV_NXT, 1));
});

test("seqToUnsigned shows the wire value", () => {
  assert.is(seqToUnsigned(ALL_ONES), 0xffffffff);
  assert.is(seqToUnsigned(INT32_MIN), 0x80000000);
  assert.is(seqToUnsigned(INT32_MAX), 0x7fffffff);
  assert.is(seqToUnsigned(0), 0);
});

test.run();
