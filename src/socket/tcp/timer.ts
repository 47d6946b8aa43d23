/**
 * The TCP socket's clocks: one tagged timer record, the delayed-ACK timer and the user timeout.
 *
 * A TCP connection waits for one thing at a time, so it needs one timer, not five booleans
 * (smoltcp's `Timer` enum; STYLE lesson 9). Its `kind` says what the connection waits for:
 *
 * - **Idle**: nothing is outstanding. If keep-alive is on, `expiresAt` is when to probe the
 *   peer. RFC 1122 §4.2.3.6: "Keep-alive packets MUST only be sent when no data or
 *   acknowledgement packets have been received for the connection within an interval. This
 *   interval MUST be configurable and MUST default to no less than two hours." Keep-alive is
 *   off unless the application sets an interval (0 = off), and the socket calls
 *   `rewindKeepAlive` on every segment it receives.
 * - **Retransmit**: data (or SYN, FIN) is unacknowledged; at `expiresAt` it is sent again.
 *   RFC 6298 (5.1): "Every time a packet containing data is sent (including a retransmission),
 *   if the timer is not running, start it running so that it will expire after RTO seconds";
 *   so `setForRetransmit` leaves a running timer alone, and re-arms one that has expired
 *   (that is the retransmission itself, (5.5)/(5.6)). (5.3): "When an ACK is received that
 *   acknowledges new data, restart the retransmission timer": `rewindRetransmit`. `delay` is
 *   the RTO it was armed with; the back-off lives in `RttEstimator`, whose `rto` the socket
 *   passes here.
 * - **FastRetransmit**: three duplicate ACKs said a segment is lost (RFC 5681 §3.2); resend now.
 * - **ZeroWindowProbe**: the peer's window is zero and data waits. RFC 9293 §3.8.6.1: "The
 *   transmitting host SHOULD send the first zero-window probe when a zero window has existed
 *   for the retransmission timeout period (SHLD-29), and SHOULD increase exponentially the
 *   interval between successive probes (SHLD-30)": `rewindZeroWindowProbe` doubles `delay`.
 *   (smoltcp added this kind too.)
 * - **Close**: TIME-WAIT; at `expiresAt` the connection is gone. RFC 9293 asks for 2 MSL, with
 *   an MSL of two minutes (§3.4.2); like smoltcp, this stack waits **10 s**
 *   (`TIME_WAIT_DURATION`): a small device cannot hold a socket slot for four minutes, and on a
 *   LAN no segment lives that long. The price is a small risk that an old duplicate reaches a
 *   new incarnation of the same connection.
 *
 * `pollDelay(now)` answers the socket contract of `meta.ts`: ms until the deadline, 0 when
 * due (`POLL_NOW`), -1 when only ingress can wake the socket (`POLL_INGRESS`).
 *
 * ## Delayed ACKs
 * RFC 9293 §3.8.6.3 (RFC 1122 §4.2.3.2): "A TCP SHOULD implement a delayed ACK, but an ACK
 * should not be excessively delayed; in particular, the delay MUST be less than 0.5 seconds
 * (MUST-40), and in a stream of full-sized segments, there SHOULD be an ACK for at least every
 * second full-sized segment (SHLD-19)." `DelayedAck` is smoltcp's `AckDelayTimer`: Idle (no
 * delay in force: an ACK may go now), Waiting until `ackDelayUntil`, or Immediate (the socket
 * saw a second full-sized segment, or the delay is off). The default delay is 10 ms, as
 * smoltcp's `ACK_DELAY_DEFAULT`; 0 turns delaying off.
 *
 * ## User timeout
 * RFC 9293 §3.10.1 OPEN's "timeout" and RFC 5482 §1: "the maximum amount of time that
 * transmitted data may remain unacknowledged before TCP will forcefully close the connection."
 * `UserTimeout` keeps when the oldest unacknowledged data was first sent. When an ACK takes
 * some data but not all, the clock restarts at the ACK's arrival: the stack keeps no send time
 * per segment, and the new oldest data was sent at or before then, so the abort can only come
 * late, never early. Not supported: the User Timeout Option itself (TCP option 28), so the
 * timeout is local only.
 *
 * The clock also runs while keep-alive probes (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6) go
 * unanswered: a probe is sent like data that awaits an answer, so the first unanswered probe
 * starts the clock (`onSend`, unless it already runs), and any segment from the peer stops it
 * again (`onAck`, with whether data is still outstanding). A dead peer of an idle connection
 * is then given up `timeout` after the first unanswered probe, not after `keepAliveProbes`
 * probes: as Linux's TCP_USER_TIMEOUT, which "will override keepalive to determine when to
 * close a connection due to keepalive failure" (tcp(7)), and as smoltcp's `timeout` ("After
 * enabling keep-alive, the remote endpoint exceeds the specified duration between any two
 * packets it sends"). Linux counts from the last segment received and looks only when a probe
 * is due; this clock counts from the first unanswered probe (one keep-alive interval later), so
 * even a timeout shorter than the interval leaves the probe that long to be answered.
 *
 * Everything here is allocation-free: fields are int32 or boolean, methods return numbers.
 */
import { type Duration, type Instant, durationDouble, durationUntil, instantAdd, instantDiff, instantReached } from "../../time.js";

/** What the connection's single timer is waiting for. */
export const enum TimerKind {
  /** Nothing outstanding; `expiresAt` is the keep-alive deadline when `keepAlive`. */
  Idle = 0,
  /** Unacknowledged data; resend at `expiresAt`. */
  Retransmit = 1,
  /** Duplicate ACKs signalled a loss; resend at the next poll. */
  FastRetransmit = 2,
  /** The peer's window is zero; probe at `expiresAt`. */
  ZeroWindowProbe = 3,
  /** TIME-WAIT; the connection ends at `expiresAt`. */
  Close = 4,
}

/** Printable names of `TimerKind`, for traces only. */
export const TIMER_KIND_NAMES: readonly string[] = Object.freeze(["Idle", "Retransmit", "FastRetransmit", "ZeroWindowProbe", "Close"]);

/** How long TIME-WAIT lasts, in ms: 10 s as smoltcp's `CLOSE_DELAY`, not RFC 9293's 2 MSL (see above). */
export const TIME_WAIT_DURATION: Duration = 10000;

/** The default delayed-ACK delay, in ms (smoltcp's `ACK_DELAY_DEFAULT`); RFC 9293 requires < 500. */
export const ACK_DELAY_DEFAULT: Duration = 10;

export class TcpTimer {
  /** What the timer waits for. */
  kind: TimerKind = TimerKind.Idle;
  /** The deadline: of the retransmission, probe or TIME-WAIT; in Idle, of the keep-alive (when `keepAlive`). */
  expiresAt: Instant = 0;
  /** Retransmit / ZeroWindowProbe: the delay the timer was armed with (the RTO, or the probe interval). */
  delay: Duration = 0;
  /** Idle: whether a keep-alive is scheduled at `expiresAt`. */
  keepAlive = false;

  /** Idle, keep-alive off (smoltcp's `Timer::new`). */
  reset(): void {
    this.kind = TimerKind.Idle;
    this.expiresAt = 0;
    this.delay = 0;
    this.keepAlive = false;
  }

  /** Nothing outstanding; probe the peer at `now + keepAliveInterval` (0: keep-alive off). */
  setForIdle(now: Instant, keepAliveInterval: Duration): void {
    this.kind = TimerKind.Idle;
    this.delay = 0;
    this.keepAlive = keepAliveInterval > 0;
    this.expiresAt = this.keepAlive ? instantAdd(now, keepAliveInterval) : 0;
  }

  /**
   * Keep-alive was just switched on: if idle without a keep-alive scheduled, probe at `now`
   * (smoltcp's `set_keep_alive`). A scheduled keep-alive is left alone.
   */
  setKeepAlive(now: Instant): void {
    if (this.kind === TimerKind.Idle && !this.keepAlive) {
      this.keepAlive = true;
      this.expiresAt = now;
    }
  }

  /** A segment arrived (or keep-alive changed): if idle, the next probe is `interval` from `now` (0: off). */
  rewindKeepAlive(now: Instant, interval: Duration): void {
    if (this.kind === TimerKind.Idle) this.setForIdle(now, interval);
  }

  /**
   * Data was sent: start the retransmission timer at `now + delay` unless it is already
   * running (RFC 6298 (5.1)). An expired retransmission timer is re-armed: that send was the
   * retransmission, and `delay` is the backed-off RTO. TIME-WAIT is never replaced.
   */
  setForRetransmit(now: Instant, delay: Duration): void {
    switch (this.kind) {
      case TimerKind.Close:
        return;
      case TimerKind.Retransmit:
        if (!instantReached(now, this.expiresAt)) return;
        break;
      default:
        break;
    }
    this.kind = TimerKind.Retransmit;
    this.expiresAt = instantAdd(now, delay);
    this.delay = delay;
    this.keepAlive = false;
  }

  /** RFC 6298 (5.3): an ACK took new data and some remains; a running timer restarts at `now + delay`. */
  rewindRetransmit(now: Instant, delay: Duration): void {
    if (this.kind !== TimerKind.Retransmit) return;
    this.expiresAt = instantAdd(now, delay);
    this.delay = delay;
  }

  /** A running retransmission timer expires at `now` (its segment can leave: see `TcpSocket.neighborResolved`). */
  expireRetransmit(now: Instant): void {
    if (this.kind === TimerKind.Retransmit) this.expiresAt = now;
  }

  /** Duplicate ACKs: resend at the next poll (RFC 5681 §3.2). */
  setForFastRetransmit(): void {
    this.kind = TimerKind.FastRetransmit;
    this.delay = 0;
    this.keepAlive = false;
  }

  /** The peer's window is zero: the first probe is due at `now + delay` (the RTO, SHLD-29). */
  setForZeroWindowProbe(now: Instant, delay: Duration): void {
    this.kind = TimerKind.ZeroWindowProbe;
    this.expiresAt = instantAdd(now, delay);
    this.delay = delay;
    this.keepAlive = false;
  }

  /** A probe was sent: the next is twice as far, at most `maxDelay` (SHLD-30). */
  rewindZeroWindowProbe(now: Instant, maxDelay: Duration): void {
    if (this.kind !== TimerKind.ZeroWindowProbe) return;
    this.delay = durationDouble(this.delay, maxDelay);
    this.expiresAt = instantAdd(now, this.delay);
  }

  /** TIME-WAIT: the connection ends at `now + delay` (normally `TIME_WAIT_DURATION`). */
  setForClose(now: Instant, delay: Duration): void {
    this.kind = TimerKind.Close;
    this.expiresAt = instantAdd(now, delay);
    this.delay = 0;
    this.keepAlive = false;
  }

  /** Whether a keep-alive probe is due. */
  shouldKeepAlive(now: Instant): boolean {
    return this.kind === TimerKind.Idle && this.keepAlive && instantReached(now, this.expiresAt);
  }

  /**
   * -1 if nothing is to be retransmitted; otherwise the time since the data was sent (the
   * armed `delay` plus how late the poll is), 0 for a fast retransmit.
   */
  shouldRetransmit(now: Instant): Duration {
    if (this.kind === TimerKind.FastRetransmit) return 0;
    if (this.kind !== TimerKind.Retransmit) return -1;
    const late = instantDiff(now, this.expiresAt);
    return late >= 0 ? (late + this.delay) | 0 : -1;
  }

  /** Whether TIME-WAIT is over. */
  shouldClose(now: Instant): boolean {
    return this.kind === TimerKind.Close && instantReached(now, this.expiresAt);
  }

  /** Whether a zero-window probe is due. */
  shouldProbeZeroWindow(now: Instant): boolean {
    return this.kind === TimerKind.ZeroWindowProbe && instantReached(now, this.expiresAt);
  }

  /** Ms until the timer fires, 0 if due, -1 if it never will (idle without keep-alive). */
  pollDelay(now: Instant): number {
    switch (this.kind) {
      case TimerKind.Idle:
        return this.keepAlive ? durationUntil(now, this.expiresAt) : -1;
      case TimerKind.FastRetransmit:
        return 0;
      default:
        return durationUntil(now, this.expiresAt);
    }
  }

  /** Whether the timer waits to retransmit (by timeout or fast). */
  isRetransmit(): boolean {
    return this.kind === TimerKind.Retransmit || this.kind === TimerKind.FastRetransmit;
  }

  /** Whether the timer waits to probe a zero window. */
  isZeroWindowProbe(): boolean {
    return this.kind === TimerKind.ZeroWindowProbe;
  }

  /** Whether the connection is in its TIME-WAIT countdown. */
  isClose(): boolean {
    return this.kind === TimerKind.Close;
  }
}

/** The three states of the delayed-ACK timer (smoltcp's `AckDelayTimer`). */
export const enum AckDelayState {
  /** No delay in force: an ACK owed may go now. */
  Idle = 0,
  /** An ACK is owed but held until `ackDelayUntil`. */
  Waiting = 1,
  /** An ACK must go at the next poll (second full-sized segment, or delaying is off). */
  Immediate = 2,
}

export class DelayedAck {
  /** The state of the timer. */
  state: AckDelayState = AckDelayState.Idle;
  /** Waiting: until when the ACK is held. */
  ackDelayUntil: Instant = 0;
  /** How long an ACK may be held, in ms (0: never delay). RFC 9293 MUST-40: less than 500. */
  ackDelay: Duration = ACK_DELAY_DEFAULT;

  /** Back to Idle (a new connection, or an ACK was sent). The configured delay is kept. */
  reset(): void {
    this.state = AckDelayState.Idle;
    this.ackDelayUntil = 0;
  }

  /** Whether an ACK is being held (Waiting). */
  isArmed(): boolean {
    return this.state === AckDelayState.Waiting;
  }

  /**
   * A segment that needs acknowledging arrived at `now`. `immediate`: the socket wants an ACK
   * without delay (SHLD-19: a second full-sized segment is unacknowledged; or out-of-order data,
   * RFC 5681 §4.2). Starts the delay if none runs; never extends a running one.
   */
  onSegment(now: Instant, immediate: boolean): void {
    if (this.ackDelay <= 0) return; // delaying off: Idle always allows the ACK
    if (immediate) {
      this.state = AckDelayState.Immediate;
    } else if (this.state === AckDelayState.Idle) {
      this.state = AckDelayState.Waiting;
      this.ackDelayUntil = instantAdd(now, this.ackDelay);
    }
  }

  /** Whether an ACK owed may be sent at `now` (smoltcp's `delayed_ack_expired`). */
  mayAck(now: Instant): boolean {
    return this.state !== AckDelayState.Waiting || instantReached(now, this.ackDelayUntil);
  }

  /** An ACK (or any segment carrying one) was sent: nothing is held any more. */
  onAckSent(): void {
    this.state = AckDelayState.Idle;
  }

  /** Ms until a held ACK is due, 0 if due now, -1 if none is held. */
  pollDelay(now: Instant): number {
    if (this.state === AckDelayState.Waiting) return durationUntil(now, this.ackDelayUntil);
    return this.state === AckDelayState.Immediate ? 0 : -1;
  }
}

/**
 * The user timeout's clock (see the file comment): runs while sent data (SYN, FIN) awaits
 * acknowledgment or a keep-alive probe awaits an answer.
 */
export class UserTimeout {
  /** The user timeout in ms (0: none). At most `MAX_DURATION`. */
  timeout: Duration = 0;
  /** Whether sent data (or SYN / FIN, or a keep-alive probe) awaits an answer (`since` valid). */
  pending = false;
  /**
   * When the oldest unacknowledged data (or the first unanswered keep-alive probe) was sent; after
   * a partial ACK, or a segment that answered a probe while data stays outstanding, its arrival.
   */
  since: Instant = 0;

  /** No data outstanding (a new connection). The configured timeout is kept. */
  reset(): void {
    this.pending = false;
    this.since = 0;
  }

  /** Sequence space (or a keep-alive probe) was sent at `now`: starts the clock if nothing was outstanding. */
  onSend(now: Instant): void {
    if (this.pending) return;
    this.pending = true;
    this.since = now;
  }

  /**
   * SND.UNA advanced at `now`, or a segment answered the keep-alive probes. `outstanding`:
   * whether unacknowledged data remains; if so the clock restarts at `now` (progress was made;
   * see the file comment), otherwise it stops.
   */
  onAck(now: Instant, outstanding: boolean): void {
    this.pending = outstanding;
    this.since = outstanding ? now : 0;
  }

  /** Whether the connection should be aborted: data (or a probe) has stayed unanswered for `timeout`. */
  expired(now: Instant): boolean {
    return this.timeout > 0 && this.pending && instantDiff(now, this.since) >= this.timeout;
  }

  /** Ms until the timeout expires, 0 if it has, -1 if it cannot (off, or nothing outstanding). */
  pollDelay(now: Instant): number {
    if (this.timeout <= 0 || !this.pending) return -1;
    return durationUntil(now, instantAdd(this.since, this.timeout));
  }
}
