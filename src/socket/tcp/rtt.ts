/**
 * The retransmission timeout: round-trip time measurement, smoothing and back-off (RFC 6298).
 *
 * A TCP sender that hears no acknowledgment must eventually send again, and how long it waits
 * (the RTO) decides whether it floods a slow path or idles on a fast one. RFC 6298 derives the
 * RTO from two state variables, the smoothed round-trip time SRTT and its variation RTTVAR:
 *
 * > (2.1) Until a round-trip time (RTT) measurement has been made for a segment sent between
 * > the sender and receiver, the sender SHOULD set RTO <- 1 second
 * >
 * > (2.2) When the first RTT measurement R is made, the host MUST set
 * >     SRTT <- R
 * >     RTTVAR <- R/2
 * >     RTO <- SRTT + max (G, K*RTTVAR)    where K = 4.
 * >
 * > (2.3) When a subsequent RTT measurement R' is made, a host MUST set
 * >     RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|
 * >     SRTT <- (1 - alpha) * SRTT + alpha * R'
 * > [...] using alpha=1/8 and beta=1/4
 *
 * ## Integers only
 * The ESP32 has no double-precision FPU, so no fraction is ever computed. As in Jacobson's
 * original code (SIGCOMM '88, appendix A), 4.4BSD and Linux's `tcp_rtt_estimator`, SRTT is kept
 * multiplied by 8 (`srtt8`) and RTTVAR multiplied by 4 (`rttvar4`); then both updates are an
 * add, a subtract and a shift:
 *
 *     err      = R' - SRTT                      (SRTT = srtt8 >> 3)
 *     srtt8   += err                            (= 8 * (7/8 SRTT + 1/8 R'))
 *     rttvar4 += |err| - (rttvar4 >> 2)         (= 4 * (3/4 RTTVAR + 1/4 |SRTT - R'|))
 *     RTO      = SRTT + max(G, rttvar4)         (K * RTTVAR is exactly rttvar4)
 *
 * The shifts truncate, so SRTT and RTTVAR may lag the real-valued formulas by less than a
 * millisecond; that is the rounding every BSD-derived stack makes. The first sample is exact:
 * `srtt8 = 8R`, `rttvar4 = 4 * R/2 = 2R`. The clock granularity G is 1 ms (the stack's clock
 * counts milliseconds). A sample is clamped to [0, 2^24) ms (about 4.6 hours) so `8R` stays in
 * int32.
 *
 * ## Bounds
 * > (2.4) Whenever RTO is computed, if it is less than 1 second, then the RTO SHOULD be rounded
 * > up to 1 second. [...] (2.5) A maximum value MAY be placed on RTO provided it is at least
 * > 60 seconds.
 *
 * The minimum here is **200 ms**, not 1 s, a deliberate deviation from (2.4): on the LAN an
 * ESP32 sits on, round trips are a few milliseconds, and a 1 s floor makes every lost segment
 * a one-second stall. Linux uses 200 ms (`TCP_RTO_MIN = HZ/5` in `include/net/tcp.h`), and
 * smoltcp's estimator used an even lower floor (`RTTE_MIN_RTO = 10` ms in 0.8–0.11). RFC 6298
 * calls its own floor "a conservative approach, while at the same time acknowledging that at
 * some future point, research may show that a smaller minimum RTO is acceptable or superior."
 * The price of 200 ms is an occasional spurious retransmission when a peer delays its ACK by
 * more than that (RFC 9293 allows up to 500 ms). The maximum is 60 s, the least (2.5) allows.
 * Both are constructor arguments.
 *
 * ## Karn's algorithm (§3)
 * > RTT samples MUST NOT be made using segments that were retransmitted (and thus for which it
 * > is ambiguous whether the reply was for the first instance of the packet or a later
 * > instance).
 *
 * One segment at a time is timed (the "one measurement per RTT" of RFC 6298 §3, as smoltcp):
 * `onSend(seq, now)` is told the sequence number just past every segment sent (`SEG.SEQ +
 * SEG.LEN`, SYN and FIN counted). A segment that ends at or before the highest sequence number
 * sent so far repeats old data, so it is never timed; a segment with new data starts the timing
 * if none is running. `onAck(ack, now)` takes the sample once the acknowledgment covers the
 * timed segment. `onRetransmit()` discards a running timing: the timed segment may be resent,
 * and its acknowledgment could then answer either copy.
 *
 * ## Back-off (§5.5, §5.7)
 * > (5.5) The host MUST set RTO <- RTO * 2 ("back off the timer"). The maximum value discussed
 * > in (2.5) above may be used to provide an upper bound to this doubling operation.
 *
 * `backoff()` doubles the RTO, saturating at the maximum; the next valid sample recomputes it
 * from SRTT and RTTVAR, which is how §5.7 ends the back-off ("after the RTO timer expires
 * [...] a new RTT measurement [...] then the RTO is recalculated"). Karn's algorithm guarantees
 * that sample comes from a segment sent after the back-off, so a backed-off RTO is kept until
 * the path is known to answer again. (5.7)'s 3-second reset after a lost SYN is
 * `onSynTimeout()`.
 *
 * RTT measurement from TCP timestamps (RFC 7323 §4.1, a sample per ACK of new data, even for
 * retransmitted data) is the socket's (`timestamps.ts`): it feeds `sample` directly and does not
 * use `onSend` / `onAck`. Not here: clearing SRTT after many back-offs (§5.7 MAY).
 */
import { type Duration, type Instant, durationClamp, durationDouble } from "../../time.js";

/** RFC 6298 (2.1): the RTO before any measurement, 1 s (smoltcp uses the same). */
export const RTO_INITIAL: Duration = 1000;
/** The default lower bound of the RTO: 200 ms, as Linux's `TCP_RTO_MIN` (see the file comment). */
export const RTO_MIN_DEFAULT: Duration = 200;
/** The default upper bound of the RTO: 60 s, the least RFC 6298 (2.5) allows. */
export const RTO_MAX_DEFAULT: Duration = 60000;
/** RFC 6298 §5.7: the RTO used after the SYN's timer expired, once data transmission begins. */
export const RTO_AFTER_SYN_TIMEOUT: Duration = 3000;
/** The clock granularity G of RFC 6298 §2: the stack's clock counts milliseconds. */
export const CLOCK_GRANULARITY: Duration = 1;
/** Samples are clamped below this (2^24 ms, about 4.6 h) so that `8 * R` stays in int32. */
const RTT_SAMPLE_LIMIT = 0xffffff;

/** Whether sequence number `a` is strictly after `b` (signed 32-bit difference, RFC 9293 §3.4). */
function seqAfter(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/** Whether sequence number `a` is at or after `b`. */
function seqAtOrAfter(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

export class RttEstimator {
  /** The current RTO in ms, back-off included: what the retransmission timer is armed with. */
  rto: Duration;
  /** SRTT * 8, in ms (meaningful once `measured`). */
  srtt8 = 0;
  /** RTTVAR * 4, in ms (meaningful once `measured`). */
  rttvar4 = 0;
  /** Whether a round trip has been measured (RFC 6298 (2.2) has happened). */
  measured = false;
  /** Whether a segment is being timed (`timedSeq`, `timedAt` valid). */
  timing = false;
  /** The sequence number just past the timed segment: an ACK at or after it yields a sample. */
  timedSeq = 0;
  /** When the timed segment was sent. */
  timedAt: Instant = 0;
  /** Whether any segment was sent since `reset` (`maxSeqSent` valid). */
  sent = false;
  /** The highest `SEG.SEQ + SEG.LEN` sent so far: a segment ending at or before it is a retransmission. */
  maxSeqSent = 0;
  /** Doublings of the RTO since the last valid sample (saturates at 2^30). */
  backoffs = 0;
  /** The lower bound of the RTO, in ms. */
  readonly minRto: Duration;
  /** The upper bound of the RTO, in ms. */
  readonly maxRto: Duration;

  constructor(minRto: Duration = RTO_MIN_DEFAULT, maxRto: Duration = RTO_MAX_DEFAULT) {
    if (!(minRto >= 1 && maxRto >= minRto && (maxRto | 0) === maxRto && (minRto | 0) === minRto)) {
      throw new RangeError("RTO bounds must be integers with 1 <= min <= max: " + minRto + ", " + maxRto);
    }
    this.minRto = minRto;
    this.maxRto = maxRto;
    this.rto = durationClamp(RTO_INITIAL, minRto, maxRto);
  }

  /** Forgets every measurement: a new connection starts from RFC 6298 (2.1). */
  reset(): void {
    this.rto = durationClamp(RTO_INITIAL, this.minRto, this.maxRto);
    this.srtt8 = 0;
    this.rttvar4 = 0;
    this.measured = false;
    this.timing = false;
    this.timedSeq = 0;
    this.timedAt = 0;
    this.sent = false;
    this.maxSeqSent = 0;
    this.backoffs = 0;
  }

  /** SRTT in whole ms (truncated). */
  srtt(): Duration {
    return this.srtt8 >> 3;
  }

  /** RTTVAR in whole ms (truncated). */
  rttvar(): Duration {
    return this.rttvar4 >> 2;
  }

  /**
   * A segment ending just before `seq` (`SEG.SEQ + SEG.LEN`) was sent at `now`. Starts timing it
   * if it carries new sequence space and no other segment is being timed.
   */
  onSend(seq: number, now: Instant): void {
    if (this.sent && !seqAfter(seq, this.maxSeqSent)) return; // old data again: Karn
    this.sent = true;
    this.maxSeqSent = seq | 0;
    if (!this.timing) {
      this.timing = true;
      this.timedSeq = seq | 0;
      this.timedAt = now;
    }
  }

  /**
   * An acknowledgment `ack` arrived at `now`. If it covers the timed segment, takes the sample
   * `now - timedAt` and returns true.
   */
  onAck(ack: number, now: Instant): boolean {
    if (!this.timing || !seqAtOrAfter(ack, this.timedSeq)) return false;
    this.timing = false;
    this.sample((now - this.timedAt) | 0);
    return true;
  }

  /** A segment is being retransmitted: any running timing is void (Karn, RFC 6298 §3). */
  onRetransmit(): void {
    this.timing = false;
  }

  /** RFC 6298 (5.5): the retransmission timer expired; doubles the RTO up to `maxRto`. */
  backoff(): void {
    this.rto = durationDouble(this.rto, this.maxRto);
    if (this.backoffs < 0x40000000) this.backoffs = (this.backoffs + 1) | 0;
  }

  /**
   * An ACK acknowledged new data (SND.UNA advanced). Once a round trip has been measured, the
   * back-off ends here and the RTO returns to SRTT + max(G, 4 * RTTVAR), as lwIP does on every
   * such ACK. **Deliberate deviation** from a strict reading of Karn's algorithm (RFC 6298 §5.5
   * keeps the backed-off RTO until a valid sample): without timestamps, an ACK that covers a
   * retransmitted segment never yields a sample, so under steady loss with a small window (one
   * segment in flight, every other segment lost) the RTO would stay at its maximum for good
   * while the peer answers within milliseconds. The ACK proves the path works again; the next
   * loss backs off afresh from the measured RTO. Before any measurement the RTO is left as it is.
   */
  onNewAck(): void {
    if (!this.measured || this.backoffs === 0) return;
    this.computeRto();
  }

  /**
   * RFC 6298 §5.7: "If the timer expires awaiting the ACK of a SYN segment and the TCP
   * implementation is using an RTO less than 3 seconds, the RTO MUST be re-initialized to 3
   * seconds when data transmission begins (i.e., after the three-way handshake completes)."
   * The socket calls this when the handshake completes after a SYN or SYN-ACK was resent. A
   * later valid sample replaces it.
   */
  onSynTimeout(): void {
    if (!this.measured && this.rto < RTO_AFTER_SYN_TIMEOUT) {
      this.rto = durationClamp(RTO_AFTER_SYN_TIMEOUT, this.minRto, this.maxRto);
    }
  }

  /** Feeds one round-trip measurement `r` (ms): RFC 6298 (2.2) or (2.3), then (2.4)/(2.5). */
  sample(r: Duration): void {
    if (r < 0) r = 0;
    else if (r > RTT_SAMPLE_LIMIT) r = RTT_SAMPLE_LIMIT;
    if (!this.measured) {
      this.measured = true;
      this.srtt8 = r << 3; // SRTT <- R
      this.rttvar4 = r << 1; // RTTVAR <- R/2, times 4
    } else {
      let err = (r - (this.srtt8 >> 3)) | 0;
      this.srtt8 = (this.srtt8 + err) | 0;
      if (err < 0) err = -err;
      this.rttvar4 = (this.rttvar4 + err - (this.rttvar4 >> 2)) | 0;
    }
    this.computeRto();
  }

  /** RFC 6298 (2.3)-(2.5): RTO <- SRTT + max(G, K * RTTVAR), clamped; the back-off ends. */
  private computeRto(): void {
    const k = this.rttvar4 > CLOCK_GRANULARITY ? this.rttvar4 : CLOCK_GRANULARITY;
    this.rto = durationClamp(((this.srtt8 >> 3) + k) | 0, this.minRto, this.maxRto);
    this.backoffs = 0;
  }
}
