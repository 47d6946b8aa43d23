/**
 * `TcpTimestamps`: the Timestamps option (TSopt) of RFC 7323 for one connection: its
 * negotiation (§3.2), our timestamp clock (§5.4), TS.Recent and Last.ACK.sent (§4.3), PAWS
 * (§5.3, with the 24-day rule of §5.5) and the RTT sample of RTTM (§4.1). The socket owns one
 * and calls it at the points RFC 7323 names; the rest of the socket never looks at the option.
 *
 * ```text
 * Kind: 8  Length: 10
 * +-------+-------+---------------------+---------------------+
 * |Kind=8 |  10   |   TS Value (TSval)  |TS Echo Reply (TSecr)|
 * +-------+-------+---------------------+---------------------+
 *     1       1              4                     4
 * ```
 *
 * ## Negotiation (§3.2)
 * "A TCP MAY send the TSopt in an initial <SYN> segment (i.e., segment containing a SYN bit and
 * no ACK bit), and MAY send a TSopt in <SYN,ACK> only if it received a TSopt in the initial
 * <SYN> segment for the connection. Once TSopt has been successfully negotiated, that is both
 * <SYN> and <SYN,ACK> contain TSopt, the TSopt MUST be sent in every non-<RST> segment for the
 * duration of the connection, and SHOULD be sent in an <RST> segment." We offer it on our SYN
 * when the socket's `timestamps` switch is on (`offered`) and answer a SYN that carried it;
 * `on` says it was negotiated. Without it nothing is sent and a received option is ignored.
 * Our RST of an aborted connection carries it (the SHOULD); the RST that answers an
 * unacceptable segment (`TcpRepr.resetFor`) does not, like the interface's RSTs.
 * "If a non-<RST> segment is received without a TSopt, a TCP SHOULD silently drop the segment.
 * A received <RST> segment MUST NOT be dropped due to lack of TSopt": the socket does both.
 *
 * ## Our clock (§5.4)
 * TSval = `now` + `offset`, one tick per millisecond (the range §5.4 allows is 1 ms to 1 s),
 * int32 like every sequence number and instant. The offset is per connection and random, so
 * that TSval tells nobody how long the host has been up: the keyed hash F of RFC 6528 (the ISN's
 * secret, `isn.ts`) of the **reversed** 4-tuple, peer to us. That value is never sent: our own
 * ISNs hash the tuple us to peer (only a connection between two of this host's own addresses
 * would use it). It is fixed for a 4-tuple, so a new incarnation of the same connection
 * continues the old one's timestamps, as PAWS at the peer (Linux's `tcp_tw_reuse`) expects.
 *
 * ## TS.Recent and Last.ACK.sent (§4.3)
 * "(1) The connection state is augmented by two 32-bit slots: TS.Recent holds a timestamp to be
 * echoed in TSecr whenever a segment is sent, and Last.ACK.sent holds the ACK field from the
 * last segment sent. Last.ACK.sent will equal RCV.NXT except when <ACK>s have been delayed.
 * (2) If: SEG.TSval >= TS.Recent and SEG.SEQ <= Last.ACK.sent then SEG.TSval is copied to
 * TS.Recent; otherwise, it is ignored. (3) When a TSopt is sent, its TSecr field is set to the
 * current TS.Recent value." So with delayed ACKs the echo is the TSval of the earliest segment
 * not yet acknowledged, and a late or out-of-order segment (SEG.SEQ past Last.ACK.sent) does not
 * move it. As Linux does (`tcp_replace_ts_recent` after `tcp_ack`), the socket updates TS.Recent
 * only for a segment whose ACK field was acceptable, so a segment with a bogus ACK cannot plant
 * a TSval. A retransmission of text already received (unacceptable, answered with an ACK) also
 * updates it: the rule holds for it, and the peer, whose first ACK was lost, then measures the
 * round trip of that copy (echoing the first copy's TSval would hand it a sample as long as its
 * retransmission timeout: against Linux under loss, RTT samples of 600 ms ± 900 ms and an RTO
 * backed off to 64 s).
 *
 * ## PAWS (§5.3, §5.5)
 * "R1) If there is a Timestamps option in the arriving segment, SEG.TSval < TS.Recent, TS.Recent
 * is valid (see later discussion), and if the RST bit is not set, then treat the arriving
 * segment as not acceptable: Send an acknowledgment in reply as specified in Section 3.9 of RFC
 * 793 and drop the segment." TS.Recent is invalid after 24 days without an update (§5.5: "an
 * implementation of PAWS [must] include a mechanism to 'invalidate' the TS.Recent value when a
 * connection is idle for more than 24 days"); then the segment is accepted and (R3) its TSval
 * replaces TS.Recent. `recentAt` is an int32 instant, so an idle time past 24.8 days reads as
 * negative: that counts as invalid too (up to 49.6 days; a longer silence is not told apart).
 *
 * ## RTTM (§4.1, RFC 6298)
 * An ACK that acknowledges new data and carries a TSecr gives the sample `TSval(now) - TSecr`,
 * for retransmitted data too: the echo says which copy was answered, which is what Karn's rule
 * (RFC 6298 §3) cannot know without it. A TSecr of 0 is taken as "no echo" (as Linux does: a
 * peer echoes 0 before it saw a timestamp) and a negative sample is dropped; one sample per such
 * ACK feeds the `RttEstimator` (no scaling by the number of samples per window, RFC 7323
 * Appendix G).
 *
 * One echo is not trusted: one older than our last RTO retransmission. It answers a copy sent
 * before the time-out, and when the peer's first ACK of that copy was lost, the ACK carrying it
 * is the peer's answer to our retransmission of data it already had (an unacceptable segment,
 * answered with TS.Recent unchanged, RFC 7323 §5.3 R2 / RFC 9293 §3.10.7.4): the sample would
 * then include the whole time-out. Under heavy loss such samples inflated SRTT to seconds and the
 * RTO to 20 s (the netsim upload with 15 % drop and 15 % corruption took twice as long as
 * without timestamps). This is Karn's ambiguity again, narrowed to copies sent before a
 * time-out: an echo of the retransmission itself, or of anything sent after it, is a sample.
 *
 * Every field is an int32 or a boolean; nothing here allocates.
 */

import { type Instant, instantDiff } from "../../time.js";
import type { TcpRepr } from "../../wire/tcp.js";

/** The octets the option costs on every segment: `01 01 08 0a tsval tsecr` (two NOPs align it). */
export const TCP_TIMESTAMPS_LEN = 12;

/** RFC 7323 §5.5: TS.Recent is invalid after this long without an update (24 days, in ms). */
export const TS_RECENT_MAX_AGE = 24 * 24 * 3600 * 1000;

/** The timestamp state of one connection (see the file comment). */
export class TcpTimestamps {
  /** We offer (active open) or accept (passive open) the option: the socket's `timestamps` at the open. */
  offered = false;
  /** Negotiated: both SYNs carried it. Every segment we send carries it; every one received must. */
  on = false;
  /** Added to `now` to make TSval (per connection; see the file comment). */
  offset = 0;
  /** TS.Recent: the peer's TSval we echo. */
  recent = 0;
  /** When TS.Recent was last set (for the 24-day rule). */
  recentAt: Instant = 0;
  /** Last.ACK.sent: the ACK field of the last segment we sent. */
  lastAckSent = 0;
  /** Our TSval when we last retransmitted on the RTO (valid when `retransmitted`): older echoes give no sample. */
  retransmitTsVal = 0;
  retransmitted = false;

  /** Forgets the connection. */
  reset(): void {
    this.offered = false;
    this.on = false;
    this.offset = 0;
    this.recent = 0;
    this.recentAt = 0;
    this.lastAckSent = 0;
    this.retransmitTsVal = 0;
    this.retransmitted = false;
  }

  /** Our TSval at `now`. */
  now(now: Instant): number {
    return (now + this.offset) | 0;
  }

  /**
   * The peer's SYN (or SYN-ACK) `tcp` arrived at `now`, and RCV.NXT is now `rcvNxt`: the option
   * is on when we offered it and the SYN carries it; TS.Recent starts at its TSval.
   */
  onSyn(now: Instant, tcp: TcpRepr, rcvNxt: number): void {
    this.on = this.offered && tcp.hasTimestamp;
    if (!this.on) return;
    this.recent = tcp.tsVal;
    this.recentAt = now;
    this.lastAckSent = rcvNxt;
  }

  /** Whether TS.Recent is too old to judge by (§5.5). */
  private stale(now: Instant): boolean {
    const age = instantDiff(now, this.recentAt);
    return age < 0 || age >= TS_RECENT_MAX_AGE;
  }

  /**
   * PAWS rule R1 for a non-RST segment that carries the option: true when SEG.TSval < TS.Recent
   * and TS.Recent is valid, i.e. the segment is an old duplicate to answer with an ACK and drop.
   */
  isOld(now: Instant, tcp: TcpRepr): boolean {
    return ((tcp.tsVal - this.recent) | 0) < 0 && !this.stale(now);
  }

  /** §4.3 (2) / PAWS R3 for an acceptable segment with the option: may move TS.Recent to its TSval. */
  update(now: Instant, tcp: TcpRepr): void {
    if (!this.on || !tcp.hasTimestamp) return;
    if (((tcp.seqNumber - this.lastAckSent) | 0) > 0) return; // SEG.SEQ > Last.ACK.sent
    if (((tcp.tsVal - this.recent) | 0) < 0 && !this.stale(now)) return;
    this.recent = tcp.tsVal;
    this.recentAt = now;
  }

  /** The RTTM sample of an ACK `tcp` that acknowledged new data at `now`, in ms; -1 when it gives none. */
  rttSample(now: Instant, tcp: TcpRepr): number {
    if (!this.on || !tcp.hasTimestamp || !tcp.hasAck || tcp.tsEcr === 0) return -1;
    if (this.retransmitted && ((tcp.tsEcr - this.retransmitTsVal) | 0) < 0) return -1; // see the file comment
    const r = (this.now(now) - tcp.tsEcr) | 0;
    return r >= 0 ? r : -1;
  }

  /** We retransmit on the RTO at `now`: echoes of what was sent before give no sample. */
  onRetransmit(now: Instant): void {
    this.retransmitTsVal = this.now(now);
    this.retransmitted = true;
  }

  /**
   * Puts the option on a segment we send at `now`: TSval from our clock, TSecr = TS.Recent when
   * the segment carries an ACK, else 0 (§3.2: "If the ACK bit is not set in the outgoing TCP
   * header, the sender of that segment SHOULD set the TSecr field to zero").
   */
  fill(now: Instant, tcp: TcpRepr): void {
    tcp.hasTimestamp = true;
    tcp.tsVal = this.now(now);
    tcp.tsEcr = tcp.hasAck ? this.recent : 0;
  }
}
