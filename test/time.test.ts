import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  durationClamp,
  durationDouble,
  durationUntil,
  formatDuration,
  instantAdd,
  instantAfter,
  instantBefore,
  instantDiff,
  instantFromMillis,
  instantMax,
  instantMin,
  instantReached,
  instantSub,
  MAX_DURATION,
  MILLIS_PER_SECOND,
} from "../src/time.js";

// The clock starts 5 seconds before the int32 wrap, so every interval below crosses it.
const START = 0x7fffffff - 5000;
const INT32_MIN = -0x80000000;

test("constants", () => {
  assert.is(MILLIS_PER_SECOND, 1000);
  assert.is(MAX_DURATION, 2147483647);
  assert.is(MAX_DURATION | 0, MAX_DURATION, "MAX_DURATION is an int32");
});

test("instantFromMillis wraps any integer into int32", () => {
  assert.is(instantFromMillis(0), 0);
  assert.is(instantFromMillis(START), START);
  assert.is(instantFromMillis(0x80000000), INT32_MIN);
  assert.is(instantFromMillis(0x100000005), 5);
  // A Date.now()-sized value (2024-01-01T00:00:00Z) keeps its low 32 bits.
  assert.is(instantFromMillis(1704067200000), -1034816512);
  assert.is(instantFromMillis(-1), -1);
});

test("instantAdd / instantSub cross the wrap and stay int32", () => {
  const later = instantAdd(START, 10000);
  assert.is(later, INT32_MIN + 4999, "5000 ms to the wrap, 4999 past it");
  assert.is(later | 0, later);
  assert.is(instantSub(later, 10000), START);
  assert.is(instantAdd(0x7fffffff, 1), INT32_MIN);
  assert.is(instantSub(INT32_MIN, 1), 0x7fffffff);
  assert.is(instantAdd(START, 0), START);
  assert.is(instantAdd(START, MAX_DURATION), -5002, "the longest interval wraps once");
});

test("instantDiff is signed across the wrap", () => {
  const later = instantAdd(START, 10000);
  assert.is(instantDiff(later, START), 10000);
  assert.is(instantDiff(START, later), -10000);
  assert.is(instantDiff(START, START), 0);
  // One millisecond either side of the wrap.
  assert.is(instantDiff(INT32_MIN, 0x7fffffff), 1);
  assert.is(instantDiff(0x7fffffff, INT32_MIN), -1);
  // The largest representable interval.
  assert.is(instantDiff(instantAdd(START, MAX_DURATION), START), MAX_DURATION);
});

test("ordering: before / after across the wrap, where < would be wrong", () => {
  const later = instantAdd(START, 10000);
  assert.ok(later < START, "the raw numbers are in the wrong order");
  assert.ok(instantBefore(START, later));
  assert.not.ok(instantBefore(later, START));
  assert.not.ok(instantBefore(START, START));
  assert.ok(instantAfter(later, START));
  assert.not.ok(instantAfter(START, later));
  assert.not.ok(instantAfter(START, START));
  // Each step of a 1-second ticking clock that crosses the wrap is after the previous one.
  let t = START;
  for (let i = 0; i < 20; i++) {
    const next = instantAdd(t, 1000);
    assert.ok(instantAfter(next, t), "tick " + i);
    assert.ok(instantBefore(t, next), "tick " + i);
    t = next;
  }
});

test("instantReached: a deadline past the wrap", () => {
  const deadline = instantAdd(START, 6000); // 1 s after the wrap
  assert.not.ok(instantReached(START, deadline));
  assert.not.ok(instantReached(0x7fffffff, deadline), "at the last instant before the wrap");
  assert.not.ok(instantReached(instantSub(deadline, 1), deadline));
  assert.ok(instantReached(deadline, deadline), "reached exactly at the deadline");
  assert.ok(instantReached(instantAdd(deadline, 1), deadline));
  assert.ok(instantReached(instantAdd(deadline, 100000), deadline));
});

test("instantMin / instantMax pick by signed difference", () => {
  const later = instantAdd(START, 10000);
  assert.is(instantMin(START, later), START);
  assert.is(instantMin(later, START), START);
  assert.is(instantMax(START, later), later);
  assert.is(instantMax(later, START), later);
  assert.is(instantMin(later, later), later);
  assert.is(instantMax(START, START), START);
  // Math.min would pick the wrong one here.
  assert.is.not(instantMin(START, later), Math.min(START, later));
});

test("durationUntil: time left, 0 once passed, across the wrap", () => {
  const deadline = instantAdd(START, 7500);
  assert.is(durationUntil(START, deadline), 7500);
  assert.is(durationUntil(instantAdd(START, 5000), deadline), 2500, "from the wrap itself");
  assert.is(durationUntil(deadline, deadline), 0);
  assert.is(durationUntil(instantAdd(deadline, 1), deadline), 0);
  assert.is(durationUntil(instantAdd(deadline, 3000), deadline), 0);
});

test("durationClamp", () => {
  assert.is(durationClamp(50, 200, 60000), 200);
  assert.is(durationClamp(200, 200, 60000), 200);
  assert.is(durationClamp(1234, 200, 60000), 1234);
  assert.is(durationClamp(60000, 200, 60000), 60000);
  assert.is(durationClamp(90000, 200, 60000), 60000);
});

test("durationDouble saturates at max and never leaves int32", () => {
  assert.is(durationDouble(0, 60000), 0);
  assert.is(durationDouble(1000, 60000), 2000);
  assert.is(durationDouble(29999, 60000), 59998);
  assert.is(durationDouble(30000, 60000), 60000);
  assert.is(durationDouble(45000, 60000), 60000);
  assert.is(durationDouble(60000, 60000), 60000);
  // Exponential back-off from 1 s: 1, 2, 4, 8, 16, 32, then pinned at 60.
  let rto = 1000;
  const seen: number[] = [];
  for (let i = 0; i < 8; i++) {
    rto = durationDouble(rto, 60000);
    seen.push(rto);
  }
  assert.equal(seen, [2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  // Near the int32 limit.
  assert.is(durationDouble(0x3ffffffe, MAX_DURATION), 0x7ffffffc);
  assert.is(durationDouble(0x3fffffff, MAX_DURATION), MAX_DURATION);
  assert.is(durationDouble(0x40000000, MAX_DURATION), MAX_DURATION);
  assert.is(durationDouble(MAX_DURATION, MAX_DURATION), MAX_DURATION);
});

test("formatDuration", () => {
  assert.is(formatDuration(0), "0ms");
  assert.is(formatDuration(15), "15ms");
  assert.is(formatDuration(999), "999ms");
  assert.is(formatDuration(1000), "1.000s");
  assert.is(formatDuration(1005), "1.005s");
  assert.is(formatDuration(1050), "1.050s");
  assert.is(formatDuration(1250), "1.250s");
  assert.is(formatDuration(61999), "61.999s");
  assert.is(formatDuration(MAX_DURATION), "2147483.647s");
  // The difference of two instants across the wrap, as a trace would print it.
  assert.is(formatDuration(instantDiff(instantAdd(START, 7250), START)), "7.250s");
});

test.run();
