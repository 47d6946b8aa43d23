// RttEstimator against RFC 6298: the formulas of §2 on samples whose expected values are worked
// out by hand below, the bounds of (2.4)/(2.5), Karn's algorithm (§3), the back-off of (5.5),
// and wrap-around of both sequence numbers and the clock.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  CLOCK_GRANULARITY,
  RTO_AFTER_SYN_TIMEOUT,
  RTO_INITIAL,
  RTO_MAX_DEFAULT,
  RTO_MIN_DEFAULT,
  RttEstimator,
} from "../../../src/socket/tcp/rtt.js";

// The clock starts 5 seconds before the int32 wrap, so every interval below crosses it.
const START = (0x7fffffff - 5000) | 0;
const at = (ms: number) => (START + ms) | 0;

test("constants and the state before any measurement: RFC 6298 (2.1)", () => {
  assert.is(RTO_INITIAL, 1000);
  assert.is(RTO_MIN_DEFAULT, 200);
  assert.is(RTO_MAX_DEFAULT, 60000);
  assert.is(RTO_AFTER_SYN_TIMEOUT, 3000);
  assert.is(CLOCK_GRANULARITY, 1);
  const e = new RttEstimator();
  assert.is(e.rto, 1000);
  assert.is(e.minRto, 200);
  assert.is(e.maxRto, 60000);
  assert.not.ok(e.measured);
  assert.not.ok(e.timing);
  assert.is(e.backoffs, 0);
  // An initial RTO outside the bounds is clamped into them.
  assert.is(new RttEstimator(1500, 60000).rto, 1500);
  assert.is(new RttEstimator(100, 800).rto, 800);
});

test("constructor refuses impossible bounds", () => {
  assert.throws(() => new RttEstimator(0, 1000), RangeError);
  assert.throws(() => new RttEstimator(500, 400), RangeError);
  assert.throws(() => new RttEstimator(1.5, 1000), RangeError);
  assert.throws(() => new RttEstimator(1, 2 ** 31), RangeError);
});

test("RFC 6298 (2.2) and (2.3): a sequence of samples worked out by hand", () => {
  const e = new RttEstimator(1, 60000); // a floor of 1 ms so the formulas show unclamped
  // (2.2) R = 800: SRTT = 800, RTTVAR = 400, RTO = 800 + max(1, 4*400) = 2400.
  e.sample(800);
  assert.ok(e.measured);
  assert.is(e.srtt(), 800);
  assert.is(e.rttvar(), 400);
  assert.is(e.srtt8, 6400, "SRTT scaled by 8");
  assert.is(e.rttvar4, 1600, "RTTVAR scaled by 4");
  assert.is(e.rto, 2400);
  // (2.3) R' = 400: RTTVAR = 3/4*400 + 1/4*|800-400| = 400; SRTT = 7/8*800 + 1/8*400 = 750;
  // RTO = 750 + 1600 = 2350.
  e.sample(400);
  assert.is(e.srtt(), 750);
  assert.is(e.rttvar(), 400);
  assert.is(e.rto, 2350);
  // R' = 750: RTTVAR = 3/4*400 + 0 = 300; SRTT = 750; RTO = 750 + 1200 = 1950.
  e.sample(750);
  assert.is(e.srtt(), 750);
  assert.is(e.rttvar(), 300);
  assert.is(e.rto, 1950);
  // R' = 1550: RTTVAR = 3/4*300 + 1/4*800 = 425; SRTT = 7/8*750 + 1/8*1550 = 850;
  // RTO = 850 + 1700 = 2550.
  e.sample(1550);
  assert.is(e.srtt(), 850);
  assert.is(e.rttvar(), 425);
  assert.is(e.rto, 2550);
});

test("RFC 6298 (2.3): integer results track the real-valued formulas within a millisecond", () => {
  const e = new RttEstimator(1, 60000);
  const samples = [123, 97, 301, 45, 45, 46, 1000, 7, 250, 251, 249, 250, 3000, 12, 12, 13];
  let srtt = 0;
  let rttvar = 0;
  for (let i = 0; i < samples.length; i++) {
    const r = samples[i];
    if (i === 0) {
      srtt = r;
      rttvar = r / 2;
    } else {
      rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - r);
      srtt = 0.875 * srtt + 0.125 * r;
    }
    e.sample(r);
    assert.ok(Math.abs(e.srtt8 / 8 - srtt) < 1, "SRTT after sample " + i + ": " + e.srtt8 / 8 + " vs " + srtt);
    assert.ok(Math.abs(e.rttvar4 / 4 - rttvar) < 1, "RTTVAR after sample " + i + ": " + e.rttvar4 / 4 + " vs " + rttvar);
    const rto = Math.floor(srtt) + Math.max(1, 4 * rttvar);
    assert.ok(Math.abs(e.rto - rto) <= 4, "RTO after sample " + i + ": " + e.rto + " vs " + rto);
    assert.is(e.rto | 0, e.rto, "int32");
  }
});

test("clock granularity G: RTO = SRTT + max(G, 4*RTTVAR)", () => {
  const e = new RttEstimator(1, 60000);
  e.sample(0); // SRTT = 0, RTTVAR = 0: RTO = 0 + G
  assert.is(e.rto, 1);
  e.sample(1); // err 1: SRTT*8 = 1, RTTVAR*4 = 1: RTO = 0 + max(1, 1) = 1
  assert.is(e.srtt8, 1);
  assert.is(e.rttvar4, 1);
  assert.is(e.rto, 1);
  // Constant samples: RTTVAR decays; the truncated RTTVAR*4 settles below 4 (RTTVAR < 1 ms).
  const f = new RttEstimator(1, 60000);
  for (let i = 0; i < 50; i++) f.sample(10);
  assert.is(f.srtt(), 10);
  assert.ok(f.rttvar4 < 4);
  assert.is(f.rto, 10 + f.rttvar4 > 11 ? 10 + f.rttvar4 : 11);
});

test("RFC 6298 (2.4)/(2.5): the RTO is clamped to [minRto, maxRto]", () => {
  const e = new RttEstimator();
  e.sample(10); // 10 + 20 = 30 < 200
  assert.is(e.rto, 200);
  e.reset();
  e.sample(50000); // 50000 + 4*25000 > 60000
  assert.is(e.rto, 60000);
  const g = new RttEstimator(1000, 120000); // RFC 6298's own floor
  g.sample(5);
  assert.is(g.rto, 1000);
  g.sample(100000); // err 99995: SRTT*8 = 40 + 99995, RTTVAR*4 = 10 + 99995 - 2
  assert.is(g.rto, 12504 + 100003, "just under the maximum");
  g.reset();
  g.sample(100000); // 100000 + 4*50000
  assert.is(g.rto, 120000);
});

test("samples are clamped so the scaled state stays int32", () => {
  const e = new RttEstimator(1, 0x7fffffff);
  e.sample(-5);
  assert.is(e.srtt8, 0, "a negative sample counts as 0");
  e.reset();
  e.sample(2000000000);
  assert.is(e.srtt(), 0xffffff);
  assert.is(e.srtt8 | 0, e.srtt8);
  assert.is(e.rttvar4 | 0, e.rttvar4);
  assert.is(e.rto | 0, e.rto);
  for (let i = 0; i < 20; i++) e.sample(i & 1 ? 0 : 2000000000);
  assert.is(e.srtt8 | 0, e.srtt8);
  assert.ok(e.rttvar4 > 0 && e.rttvar4 === (e.rttvar4 | 0));
  assert.ok(e.rto > 0 && e.rto === (e.rto | 0));
});

test("timing one segment: onSend starts, onAck covering it takes the sample", () => {
  const e = new RttEstimator(1, 60000);
  e.onSend(1100, at(0)); // segment [1000, 1100) sent at t=0
  assert.ok(e.timing);
  assert.is(e.timedSeq, 1100);
  e.onSend(1200, at(10)); // a second segment while one is timed: not timed
  assert.is(e.timedSeq, 1100);
  assert.is(e.timedAt, at(0));
  assert.not.ok(e.onAck(1050, at(40)), "a partial acknowledgment takes no sample");
  assert.ok(e.timing);
  assert.ok(e.onAck(1200, at(80)), "an ACK beyond the timed segment covers it");
  assert.not.ok(e.timing);
  assert.is(e.srtt(), 80);
  assert.is(e.rto, 80 + 160);
  assert.not.ok(e.onAck(1200, at(90)), "no timing running: no sample");
  // The next new segment is timed again.
  e.onSend(1300, at(100));
  assert.ok(e.timing);
  assert.ok(e.onAck(1300, at(120)));
  // R' = 20: err = -60; SRTT*8 = 640 - 60 = 580; RTTVAR*4 = 160 + 60 - 40 = 180.
  assert.is(e.srtt8, 580);
  assert.is(e.rttvar4, 180);
  assert.is(e.rto, 72 + 180);
});

test("Karn (RFC 6298 §3): onRetransmit voids the timing; the retransmission is not timed", () => {
  const e = new RttEstimator();
  e.onSend(1100, at(0));
  e.onRetransmit(); // the RTO fired: [1000, 1100) goes again
  assert.not.ok(e.timing);
  e.onSend(1100, at(1000)); // the retransmitted copy: old sequence space, never timed
  assert.not.ok(e.timing);
  assert.not.ok(e.onAck(1100, at(1010)), "the ACK may answer either copy: no sample");
  assert.not.ok(e.measured);
  assert.is(e.rto, 1000);
  // New data after the retransmission is timed.
  e.onSend(1200, at(1020));
  assert.ok(e.timing);
  assert.ok(e.onAck(1200, at(1050)));
  assert.is(e.srtt(), 30);
});

test("Karn: resending old sequence space is never timed, even without onRetransmit", () => {
  const e = new RttEstimator();
  e.onSend(1100, at(0));
  e.onSend(1200, at(1));
  assert.ok(e.onAck(1100, at(20)));
  // [1100, 1200) goes again (say, after a fast retransmit the socket forgot to report).
  e.onSend(1200, at(30));
  assert.not.ok(e.timing, "ends at the highest sequence number sent: a retransmission");
  e.onSend(1150, at(30));
  assert.not.ok(e.timing);
  assert.is(e.maxSeqSent, 1200);
  // A segment that resends some old data and adds new data is new sequence space.
  e.onSend(1250, at(40));
  assert.ok(e.timing);
  assert.is(e.timedSeq, 1250);
});

test("onNewAck: an ACK of new data ends the back-off once an RTT is measured (lwIP's rule)", () => {
  const e = new RttEstimator();
  e.backoff();
  e.onNewAck();
  assert.is(e.rto, 2000, "nothing measured yet: the backed-off RTO stays");
  assert.is(e.backoffs, 1);
  e.sample(100); // 100 + 4 * 50 = 300
  assert.is(e.rto, 300);
  for (let i = 0; i < 10; i++) e.backoff();
  assert.is(e.rto, 60000);
  e.onNewAck();
  assert.is(e.rto, 300, "back to SRTT + 4 RTTVAR");
  assert.is(e.backoffs, 0);
  assert.is(e.srtt(), 100, "the estimate itself is untouched");
  e.onNewAck();
  assert.is(e.rto, 300, "idempotent");
  const f = new RttEstimator(500, 60000);
  f.sample(10);
  f.backoff();
  f.onNewAck();
  assert.is(f.rto, 500, "still clamped to the minimum");
});

test("RFC 6298 (5.5): back-off doubles up to maxRto; the next valid sample ends it", () => {
  const e = new RttEstimator();
  const seen: number[] = [];
  for (let i = 0; i < 8; i++) {
    e.backoff();
    seen.push(e.rto);
  }
  assert.equal(seen, [2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  assert.is(e.backoffs, 8);
  // The retransmission's ACK gives no sample (Karn): the backed-off RTO stays.
  e.onSend(1100, at(0));
  e.onRetransmit();
  e.onSend(1100, at(60000));
  assert.not.ok(e.onAck(1100, at(60010)));
  assert.is(e.rto, 60000);
  // New data answered: the RTO is computed afresh, back-off forgotten.
  e.onSend(1200, at(60020));
  assert.ok(e.onAck(1200, at(60320)));
  assert.is(e.rto, 300 + 600);
  assert.is(e.backoffs, 0);
  // Back-off from a measured RTO, with a maximum that is not a power-of-two multiple.
  const f = new RttEstimator(200, 5000);
  f.sample(300); // 300 + 600 = 900
  f.backoff();
  assert.is(f.rto, 1800);
  f.backoff();
  assert.is(f.rto, 3600);
  f.backoff();
  assert.is(f.rto, 5000);
  f.backoff();
  assert.is(f.rto, 5000);
});

test("RFC 6298 (5.7): 3 s after a lost SYN, unless a sample exists", () => {
  const e = new RttEstimator();
  e.onSynTimeout();
  assert.is(e.rto, 3000);
  e.reset();
  e.backoff();
  e.backoff();
  e.backoff(); // 8000
  e.onSynTimeout();
  assert.is(e.rto, 8000, "already above 3 s");
  const f = new RttEstimator();
  f.sample(100);
  f.onSynTimeout();
  assert.is(f.rto, 300, "a measurement exists");
  const g = new RttEstimator(200, 2000);
  g.onSynTimeout();
  assert.is(g.rto, 2000, "clamped to maxRto");
});

test("sequence numbers wrap: across 2^31 and across 2^32", () => {
  for (const base of [0x7fffff00, -0x100]) {
    const e = new RttEstimator(1, 60000);
    const end1 = (base + 0x80) | 0; // still before the wrap
    const end2 = (base + 0x180) | 0; // after it
    e.onSend(end1, at(0));
    e.onSend(end2, at(5));
    assert.is(e.maxSeqSent, end2, "the later end is the highest, though numerically smaller or negative");
    assert.not.ok(e.onAck((base + 0x40) | 0, at(10)));
    assert.ok(e.onAck(end2, at(40)), "an ACK past the wrap covers a segment before it");
    assert.is(e.srtt(), 40);
    e.onSend(end1, at(50)); // old data
    assert.not.ok(e.timing);
    const end3 = (end2 + 0x100) | 0;
    e.onSend(end3, at(60));
    assert.ok(e.timing);
    assert.not.ok(e.onAck(end2, at(70)));
    assert.ok(e.onAck(end3, at(80)));
  }
});

test("the clock wraps: a sample across the int32 wrap of the clock", () => {
  const e = new RttEstimator(1, 60000);
  e.onSend(5000, at(4990)); // 10 ms before the wrap
  const ackTime = at(5020); // 20 ms after it
  assert.ok(ackTime < e.timedAt, "the raw numbers are in the wrong order");
  assert.ok(e.onAck(5000, ackTime));
  assert.is(e.srtt(), 30);
  assert.is(e.rto, 30 + 60);
});

test("reset forgets everything but the bounds", () => {
  const e = new RttEstimator(300, 9000);
  e.onSend(100, at(0));
  e.onAck(100, at(700));
  e.backoff();
  e.onSend(200, at(800));
  e.reset();
  assert.is(e.rto, 1000);
  assert.not.ok(e.measured);
  assert.not.ok(e.timing);
  assert.not.ok(e.sent);
  assert.is(e.backoffs, 0);
  assert.is(e.srtt8, 0);
  assert.is(e.rttvar4, 0);
  assert.is(e.minRto, 300);
  assert.is(e.maxRto, 9000);
  // After reset any sequence number is new again.
  e.onSend(50, at(900));
  assert.ok(e.timing);
});

test.run();
