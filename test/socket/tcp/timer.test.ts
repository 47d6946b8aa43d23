// The TCP socket's timer record, delayed-ACK timer and user timeout: every transition, every
// deadline across the int32 wrap of the clock, and the pollDelay contract of socket/meta.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  ACK_DELAY_DEFAULT,
  AckDelayState,
  DelayedAck,
  TIME_WAIT_DURATION,
  TIMER_KIND_NAMES,
  TcpTimer,
  TimerKind,
  UserTimeout,
} from "../../../src/socket/tcp/timer.js";
import { POLL_INGRESS, POLL_NOW } from "../../../src/socket/meta.js";

// The clock starts 5 seconds before the int32 wrap, so every deadline below crosses it.
const START = (0x7fffffff - 5000) | 0;
const at = (ms: number) => (START + ms) | 0;

test("constants and names", () => {
  assert.is(TIME_WAIT_DURATION, 10000);
  assert.is(ACK_DELAY_DEFAULT, 10);
  assert.equal([...TIMER_KIND_NAMES], ["Idle", "Retransmit", "FastRetransmit", "ZeroWindowProbe", "Close"]);
  assert.is(TIMER_KIND_NAMES[TimerKind.ZeroWindowProbe], "ZeroWindowProbe");
  assert.ok(Object.isFrozen(TIMER_KIND_NAMES));
});

test("a new timer is idle without keep-alive: nothing due, poll on ingress only", () => {
  const t = new TcpTimer();
  assert.is(t.kind, TimerKind.Idle);
  assert.is(t.pollDelay(START), POLL_INGRESS);
  assert.not.ok(t.shouldKeepAlive(START));
  assert.is(t.shouldRetransmit(START), -1);
  assert.not.ok(t.shouldClose(START));
  assert.not.ok(t.shouldProbeZeroWindow(START));
  assert.not.ok(t.isRetransmit());
  assert.not.ok(t.isZeroWindowProbe());
  assert.not.ok(t.isClose());
});

test("idle with keep-alive (RFC 1122 §4.2.3.6): deadline across the wrap, rearmed by traffic", () => {
  const t = new TcpTimer();
  t.setForIdle(at(0), 10000); // due 5 s after the wrap
  assert.is(t.kind, TimerKind.Idle);
  assert.ok(t.keepAlive);
  assert.is(t.pollDelay(at(0)), 10000);
  assert.is(t.pollDelay(at(5000)), 5000, "at the wrap");
  assert.not.ok(t.shouldKeepAlive(at(9999)));
  assert.ok(t.shouldKeepAlive(at(10000)));
  assert.is(t.pollDelay(at(10000)), POLL_NOW);
  assert.is(t.pollDelay(at(12000)), POLL_NOW, "late: still due");
  // A segment arrived at 6 s: the next probe is 10 s later.
  t.rewindKeepAlive(at(6000), 10000);
  assert.not.ok(t.shouldKeepAlive(at(10000)));
  assert.is(t.pollDelay(at(10000)), 6000);
  assert.ok(t.shouldKeepAlive(at(16000)));
  // The probe was sent: rearm from then.
  t.rewindKeepAlive(at(16000), 10000);
  assert.is(t.pollDelay(at(16000)), 10000);
  // Keep-alive switched off.
  t.rewindKeepAlive(at(17000), 0);
  assert.not.ok(t.keepAlive);
  assert.is(t.pollDelay(at(17000)), POLL_INGRESS);
  assert.not.ok(t.shouldKeepAlive(at(100000)));
  // setForIdle with 0: off.
  t.setForIdle(at(0), 0);
  assert.is(t.pollDelay(at(0)), POLL_INGRESS);
});

test("setKeepAlive: an idle timer without keep-alive probes at once; a scheduled one is kept", () => {
  const t = new TcpTimer();
  t.setKeepAlive(at(100));
  assert.ok(t.shouldKeepAlive(at(100)));
  assert.is(t.pollDelay(at(100)), POLL_NOW);
  t.setForIdle(at(0), 7000);
  t.setKeepAlive(at(100));
  assert.is(t.expiresAt, at(7000));
  // Not idle: no effect, and neither has rewindKeepAlive.
  t.setForRetransmit(at(0), 1000);
  t.setKeepAlive(at(100));
  t.rewindKeepAlive(at(100), 5000);
  assert.is(t.kind, TimerKind.Retransmit);
  assert.not.ok(t.shouldKeepAlive(at(100000)));
  assert.is(t.expiresAt, at(1000));
});

test("retransmit (RFC 6298 5.1): started once, kept while running, re-armed once expired", () => {
  const t = new TcpTimer();
  t.setForIdle(at(0), 60000);
  t.setForRetransmit(at(4500), 1000); // expires 500 ms after the wrap
  assert.is(t.kind, TimerKind.Retransmit);
  assert.not.ok(t.keepAlive, "keep-alive is off while data is outstanding");
  assert.ok(t.isRetransmit());
  assert.is(t.delay, 1000);
  assert.is(t.pollDelay(at(4500)), 1000);
  // More data sent while it runs: the timer is not restarted (5.1).
  t.setForRetransmit(at(5000), 1000);
  assert.is(t.expiresAt, at(5500));
  assert.is(t.shouldRetransmit(at(5499)), -1);
  assert.not.ok(t.shouldKeepAlive(at(100000)));
  // Due: the answer is the time since the data was sent, the delay plus how late the poll is.
  assert.is(t.shouldRetransmit(at(5500)), 1000);
  assert.is(t.shouldRetransmit(at(5750)), 1250);
  assert.is(t.pollDelay(at(5750)), POLL_NOW);
  // The retransmission goes out with the backed-off RTO: the expired timer is re-armed.
  t.setForRetransmit(at(5750), 2000);
  assert.is(t.expiresAt, at(7750));
  assert.is(t.delay, 2000);
  assert.is(t.shouldRetransmit(at(7000)), -1);
  assert.is(t.shouldRetransmit(at(7750)), 2000);
});

test("rewindRetransmit (RFC 6298 5.3): an ACK of new data restarts a running timer", () => {
  const t = new TcpTimer();
  t.setForRetransmit(at(0), 1000);
  t.rewindRetransmit(at(800), 1200);
  assert.is(t.expiresAt, at(2000));
  assert.is(t.delay, 1200);
  assert.is(t.shouldRetransmit(at(1500)), -1);
  // Not running: nothing to restart.
  t.setForIdle(at(0), 0);
  t.rewindRetransmit(at(900), 1000);
  assert.is(t.kind, TimerKind.Idle);
  assert.is(t.pollDelay(at(900)), POLL_INGRESS);
});

test("fast retransmit: due at once, then the retransmission arms a timeout", () => {
  const t = new TcpTimer();
  t.setForRetransmit(at(0), 1000);
  t.setForFastRetransmit();
  assert.is(t.kind, TimerKind.FastRetransmit);
  assert.ok(t.isRetransmit());
  assert.is(t.shouldRetransmit(at(1)), 0);
  assert.is(t.pollDelay(at(1)), POLL_NOW);
  t.setForRetransmit(at(10), 1000);
  assert.is(t.kind, TimerKind.Retransmit);
  assert.is(t.expiresAt, at(1010));
});

test("zero-window probe (RFC 9293 SHLD-29, SHLD-30): first after the RTO, then doubling to a maximum", () => {
  const t = new TcpTimer();
  t.setForRetransmit(at(0), 1000);
  t.setForZeroWindowProbe(at(4000), 1500); // due 500 ms after the wrap
  assert.is(t.kind, TimerKind.ZeroWindowProbe);
  assert.ok(t.isZeroWindowProbe());
  assert.not.ok(t.isRetransmit());
  assert.is(t.shouldRetransmit(at(100000)), -1);
  assert.is(t.pollDelay(at(4000)), 1500);
  assert.not.ok(t.shouldProbeZeroWindow(at(5499)));
  assert.ok(t.shouldProbeZeroWindow(at(5500)));
  const delays: number[] = [];
  let now = at(5500);
  for (let i = 0; i < 7; i++) {
    t.rewindZeroWindowProbe(now, 60000);
    delays.push(t.delay);
    assert.is(t.pollDelay(now), t.delay);
    now = t.expiresAt;
    assert.ok(t.shouldProbeZeroWindow(now));
  }
  assert.equal(delays, [3000, 6000, 12000, 24000, 48000, 60000, 60000]);
  // The window opened and data went out: the retransmission timer replaces the probe timer.
  t.setForRetransmit(now, 800);
  assert.is(t.kind, TimerKind.Retransmit);
  assert.is(t.expiresAt, (now + 800) | 0);
  // rewindZeroWindowProbe on another kind does nothing.
  t.rewindZeroWindowProbe(now, 60000);
  assert.is(t.kind, TimerKind.Retransmit);
  assert.is(t.delay, 800);
});

test("close (TIME-WAIT): 10 s across the wrap; retransmission never replaces it", () => {
  const t = new TcpTimer();
  t.setForRetransmit(at(0), 1000);
  t.setForClose(at(1000), TIME_WAIT_DURATION);
  assert.is(t.kind, TimerKind.Close);
  assert.ok(t.isClose());
  assert.not.ok(t.isRetransmit());
  assert.is(t.pollDelay(at(1000)), 10000);
  assert.is(t.pollDelay(at(5000)), 6000);
  t.setForRetransmit(at(2000), 1000);
  assert.is(t.kind, TimerKind.Close, "a FIN retransmitted in TIME-WAIT does not cancel it");
  assert.is(t.shouldRetransmit(at(20000)), -1);
  assert.not.ok(t.shouldClose(at(10999)));
  assert.ok(t.shouldClose(at(11000)));
  assert.is(t.pollDelay(at(11000)), POLL_NOW);
  // A retransmitted FIN from the peer restarts TIME-WAIT (RFC 9293 §3.10.7.4): setForClose again.
  t.setForClose(at(10500), TIME_WAIT_DURATION);
  assert.not.ok(t.shouldClose(at(11000)));
  assert.ok(t.shouldClose(at(20500)));
  // Explicitly going idle (the socket was reset) is allowed.
  t.setForIdle(at(21000), 0);
  assert.is(t.kind, TimerKind.Idle);
  assert.not.ok(t.shouldClose(at(30000)));
});

test("reset returns to idle without keep-alive", () => {
  const t = new TcpTimer();
  t.setForZeroWindowProbe(at(0), 1000);
  t.reset();
  assert.is(t.kind, TimerKind.Idle);
  assert.is(t.pollDelay(at(0)), POLL_INGRESS);
  assert.is(t.delay, 0);
  assert.not.ok(t.keepAlive);
});

test("all fields stay int32 across the wrap", () => {
  const t = new TcpTimer();
  let now = at(0);
  for (let i = 0; i < 100; i++) {
    t.setForRetransmit(now, 997);
    assert.is(t.expiresAt | 0, t.expiresAt);
    now = (now + 333) | 0;
    const d = t.pollDelay(now);
    assert.ok(d >= 0 && d <= 997 && (d | 0) === d);
  }
});

test("delayed ACK: held for ackDelay across the wrap, never extended", () => {
  const d = new DelayedAck();
  assert.is(d.ackDelay, 10);
  assert.is(d.state, AckDelayState.Idle);
  assert.ok(d.mayAck(at(0)), "idle: nothing holds an ACK");
  assert.is(d.pollDelay(at(0)), POLL_INGRESS);
  d.onSegment(at(4995), false); // held until 5 ms after the wrap
  assert.ok(d.isArmed());
  assert.is(d.ackDelayUntil, at(5005));
  assert.is(d.pollDelay(at(4995)), 10);
  assert.not.ok(d.mayAck(at(5004)));
  d.onSegment(at(5003), false); // a second small segment: the deadline stays
  assert.is(d.ackDelayUntil, at(5005));
  assert.ok(d.mayAck(at(5005)));
  assert.is(d.pollDelay(at(5006)), POLL_NOW);
  d.onAckSent();
  assert.is(d.state, AckDelayState.Idle);
  assert.not.ok(d.isArmed());
  assert.is(d.pollDelay(at(5006)), POLL_INGRESS);
});

test("delayed ACK: a second full-sized segment (RFC 9293 SHLD-19) makes it immediate", () => {
  const d = new DelayedAck();
  d.onSegment(at(0), false);
  d.onSegment(at(1), true);
  assert.is(d.state, AckDelayState.Immediate);
  assert.ok(d.mayAck(at(1)));
  assert.is(d.pollDelay(at(1)), POLL_NOW);
  d.onSegment(at(2), false); // stays immediate
  assert.is(d.state, AckDelayState.Immediate);
  d.onAckSent();
  d.onSegment(at(3), true); // immediate from idle
  assert.is(d.state, AckDelayState.Immediate);
  d.reset();
  assert.is(d.state, AckDelayState.Idle);
  assert.is(d.ackDelay, 10, "reset keeps the configured delay");
});

test("delayed ACK: ackDelay 0 never delays", () => {
  const d = new DelayedAck();
  d.ackDelay = 0;
  d.onSegment(at(0), false);
  assert.is(d.state, AckDelayState.Idle);
  assert.ok(d.mayAck(at(0)));
  assert.is(d.pollDelay(at(0)), POLL_INGRESS);
  d.ackDelay = 200;
  d.onSegment(at(0), false);
  assert.is(d.pollDelay(at(50)), 150);
});

test("user timeout (RFC 5482): abort when data stays unacknowledged, across the wrap", () => {
  const u = new UserTimeout();
  assert.is(u.timeout, 0);
  u.onSend(at(0));
  assert.not.ok(u.expired(at(1000000)), "no timeout set");
  assert.is(u.pollDelay(at(0)), POLL_INGRESS);
  u.reset();
  u.timeout = 8000;
  assert.is(u.pollDelay(at(0)), POLL_INGRESS, "nothing outstanding");
  assert.not.ok(u.expired(at(100000)));
  u.onSend(at(1000)); // expires 4 s after the wrap
  u.onSend(at(2000)); // later data does not move the clock
  assert.is(u.since, at(1000));
  assert.is(u.pollDelay(at(1000)), 8000);
  assert.not.ok(u.expired(at(8999)));
  assert.ok(u.expired(at(9000)));
  assert.is(u.pollDelay(at(9500)), POLL_NOW);
  // A partial ACK at 3 s: progress, the clock restarts there.
  u.onAck(at(3000), true);
  assert.is(u.since, at(3000));
  assert.not.ok(u.expired(at(9000)));
  assert.ok(u.expired(at(11000)));
  // Everything acknowledged: nothing can expire until data is sent again.
  u.onAck(at(4000), false);
  assert.not.ok(u.pending);
  assert.not.ok(u.expired(at(100000)));
  assert.is(u.pollDelay(at(4000)), POLL_INGRESS);
  u.onSend(at(6000));
  assert.is(u.pollDelay(at(7000)), 7000);
});

test.run();
