/**
 * `TcpSender`: the send side of a TCP connection (gVisor's `snd.go`): the send sequence space,
 * the transmit ring, and every decision that depends on them alone. The socket (`socket.ts`)
 * owns the state machine and the timers and asks this object what to send and what an ACK did.
 *
 * ## The send sequence space (RFC 9293 §3.3.1, Figure 3)
 * ```text
 *            1         2          3          4
 *       ----------|----------|----------|----------
 *              SND.UNA    SND.NXT    SND.UNA
 *                                   +SND.WND
 *   1 - old sequence numbers that have been acknowledged
 *   2 - sequence numbers of unacknowledged data
 *   3 - sequence numbers allowed for new data transmission
 *   4 - future sequence numbers that are not yet allowed
 * ```
 * The transmit ring `tx` holds areas 2, 3 and 4: its front is SND.UNA once the SYN is
 * acknowledged, and the octet at ring offset `k` has sequence number SND.UNA + `k`. Our FIN,
 * once `close()` queued it, sits just past the last queued octet. A go-back-N retransmission
 * moves SND.NXT back to SND.UNA; `max` (the highest SND.NXT) remembers how far we had sent, so
 * an ACK up to there is still for something we sent.
 *
 * ## What it decides
 * - **Segment size** (§3.7.1): min(the peer's MSS, the link's, the path's), less the options
 *   every segment carries (`optionsLen`: 12 octets once timestamps are negotiated, as Linux
 *   does; RFC 9293 §3.7.1: the MSS counts no TCP option). The peer's MSS option is raised to
 *   `TCP_MIN_PEER_MSS`; without one it is 536 / 1220 (MUST-15). An ICMP "packet too big" (RFC
 *   1191 / RFC 8201) lowers the path MSS (`lowerPathMss`).
 * - **The next segment** (`segmentAt`): the data at a given sequence number, limited by the
 *   window and the segment size, with the FIN when it follows the last queued octet ("the FIN
 *   follows the data"; like Linux it goes even into a closed window).
 * - **Whether to send it now** (`mayTransmit`): sender silly-window-syndrome avoidance
 *   (§3.8.6.2.1) with Nagle (§3.7.4).
 * - **A zero-window probe** (§3.8.6.1, `probe`): one octet at SND.UNA.
 * - **After a segment went out** (`sent`): SND.NXT moves to its end (back to it, for a
 *   go-back-N retransmission from SND.UNA), the highest SND.NXT follows, the RTT estimator may
 *   time it.
 * - **An acceptable ACK** (`onAck`, §3.10.7.4 "fifth, check the ACK field" for SND.UNA =<
 *   SEG.ACK =< the highest SND.NXT): duplicate ACKs counted by RFC 5681 §3.2's definition, the
 *   acknowledged octets freed from the ring, the RTT sample (RFC 7323 RTTM from the timestamp
 *   echo when timestamps are on, else RFC 6298 timing with Karn's rule), the SND.WL1 /
 *   SND.WL2 window-update rule. It reports what happened (`AckResult`); the socket moves the
 *   timers and the closing states.
 *
 * What the socket keeps: which kind of segment goes next (a retransmission on the RTO, a fast
 * retransmission on the third duplicate ACK, a probe when the persist timer fires, a SYN, a
 * keep-alive, a RST), the give-up counters, and the counters the application reads.
 *
 * Every field is an int32 or a boolean; nothing here allocates after the constructor.
 */

import { RingBuffer } from "../../storage/ring-buffer.js";
import type { Arena } from "../../storage/arena.js";
import type { Instant } from "../../time.js";
import { TcpControl, type TcpRepr } from "../../wire/tcp.js";
import { RttEstimator } from "./rtt.js";
import { seqAdd, seqGt, seqLe, seqLt, seqSub } from "./seq.js";

/** RFC 9293 §3.7.1 (MUST-15): the send MSS assumed over IPv4 when the peer's SYN has none (576 - 40). */
export const TCP_DEFAULT_MSS = 536;
/** RFC 9293 §3.7.1 (MUST-15): the send MSS assumed over IPv6 when the peer's SYN has none (1280 - 60). */
export const TCP_DEFAULT_MSS_V6 = 1220;
/**
 * The smallest MSS option we honour: a smaller one is raised to this. A peer announcing a tiny
 * MSS would make a transfer cost one segment per few octets; Linux raises it to 48 too
 * (`TCP_MIN_SND_MSS`, after CVE-2019-11479).
 */
export const TCP_MIN_PEER_MSS = 48;
/**
 * The smallest segment size an ICMP "fragmentation needed" may lower a connection to over IPv4:
 * 536, the MSS of RFC 791's 576-octet datagram (Linux's `min_pmtu` of 552 is alike).
 */
export const TCP_MIN_PATH_MSS_V4 = 536;
/** The same floor over IPv6: every IPv6 link carries 1280 octets (RFC 8200 §5), less 60 of headers. */
export const TCP_MIN_PATH_MSS_V6 = 1220;
/** Duplicate ACKs that trigger a fast retransmit (RFC 5681 §3.2). */
export const TCP_DUP_ACK_THRESHOLD = 3;

/** What an acceptable ACK did (`TcpSender.onAck`). Positive: SND.UNA moved. */
export const enum AckResult {
  /** The `TCP_DUP_ACK_THRESHOLD`-th duplicate ACK in a row (RFC 5681 §3.2): time for a fast retransmit. */
  ThirdDuplicate = -1,
  /** SND.UNA did not move (a window update, data only, or a duplicate but not the third). */
  None = 0,
  /** SND.UNA moved: data (or our SYN) acknowledged. */
  Advanced = 1,
  /** SND.UNA moved past our FIN. */
  FinAcked = 2,
}

/** The send side of a connection (see the file comment). Fields hot on the packet path come first. */
export class TcpSender {
  /** SND.UNA: the oldest unacknowledged sequence number (the front of `tx` once the SYN is acknowledged). */
  una = 0;
  /** SND.NXT: the next sequence number to send. A go-back-N retransmission moves it back to SND.UNA. */
  nxt = 0;
  /** The highest SND.NXT reached: an ACK up to here is for something we sent (RFC 9293's SND.NXT before any go-back-N). */
  max = 0;
  /** SND.WND: the peer's window in octets (the field shifted by SND.WND.SHIFT), counted from SND.WL2's ACK. */
  wnd = 0;
  /** SND.WL1: the SEG.SEQ of the segment that last updated SND.WND. */
  wl1 = 0;
  /** SND.WL2: the SEG.ACK of the segment that last updated SND.WND. */
  wl2 = 0;
  /** MAX.SND.WND (RFC 5961 §5): the largest window the peer has advertised; also Max(SND.WND) of the SWS rule. */
  maxWnd = 0;
  /** SND.WND.SHIFT (RFC 7323): the peer's window shift, 0 unless both SYNs carried Window Scale. */
  shift = 0;
  /** ISS: our initial send sequence number (our SYN occupies it). */
  iss = 0;
  /** Duplicate ACKs in a row (RFC 5681 §3.2). */
  dupAcks = 0;
  /** `close()` was called: a FIN follows the queued data (at SND.UNA + queued). */
  finQueued = false;
  /** The peer's MSS (its option, raised to `TCP_MIN_PEER_MSS`, or the default). */
  remoteMss = TCP_DEFAULT_MSS;
  /** The path MSS learned from ICMP "packet too big" (`0x7fffffff` while unknown). */
  pathMss = 0x7fffffff;
  /** Octets of TCP options on every segment (12 with timestamps): a segment's data is that much smaller. */
  optionsLen = 0;
  /** Timestamps are on: RTT samples come from the echo (RTTM), not from timing one segment. */
  timestamps = false;

  // The segment the socket's `dispatch` prepared, applied by `dispatchCommit`.
  /** SEG.SEQ of the prepared segment. */
  pendSeq = 0;
  /** The data octets of the prepared segment (at ring offset SEG.SEQ - SND.UNA). */
  pendLen = 0;
  /** The control of the prepared segment (None, SYN, FIN or RST). */
  pendCtl: TcpControl = TcpControl.None;

  /** Data to send: SND.UNA at the front, then the unsent rest. */
  readonly tx: RingBuffer;
  /** The RFC 6298 RTO estimator: times one segment at a time (Karn), backs off. */
  readonly rtt: RttEstimator;

  /** A send side with a transmit ring of `txCapacity` octets. */
  constructor(txCapacity: number, arena?: Arena) {
    this.tx = new RingBuffer(txCapacity, arena);
    this.rtt = new RttEstimator();
  }

  /** Forgets the connection: the queued data, the RTT estimate, every sequence variable. */
  reset(): void {
    this.tx.clear();
    this.rtt.reset();
    this.una = 0;
    this.nxt = 0;
    this.max = 0;
    this.wnd = 0;
    this.wl1 = 0;
    this.wl2 = 0;
    this.maxWnd = 0;
    this.shift = 0;
    this.iss = 0;
    this.dupAcks = 0;
    this.finQueued = false;
    this.remoteMss = TCP_DEFAULT_MSS;
    this.pathMss = 0x7fffffff;
    this.optionsLen = 0;
    this.timestamps = false;
  }

  /** Starts the send sequence space at ISS = `iss`: SND.UNA = SND.NXT = ISS, our SYN next. */
  open(iss: number): void {
    this.iss = iss;
    this.una = iss;
    this.nxt = iss;
    this.max = iss;
  }

  /**
   * Takes what the peer's SYN (SEG.SEQ = `seq`) says about our side: its window `wnd` ("The
   * window field in a segment where the SYN bit is set ... MUST NOT be scaled", RFC 7323 §2.2),
   * its MSS option `mss` (0: none; `v6` picks the default), and SND.WND.SHIFT `shift`.
   */
  acceptSyn(seq: number, wnd: number, mss: number, v6: boolean, shift: number): void {
    this.wl1 = seq;
    this.wnd = wnd;
    this.maxWnd = wnd;
    this.remoteMss = mss > 0 ? (mss > TCP_MIN_PEER_MSS ? mss : TCP_MIN_PEER_MSS) : v6 ? TCP_DEFAULT_MSS_V6 : TCP_DEFAULT_MSS;
    this.shift = shift;
  }

  /** SND.WND <- `wnd`, SND.WL1 <- SEG.SEQ `seq`, SND.WL2 <- SEG.ACK `ack` (the handshake's unconditional update). */
  setWindow(wnd: number, seq: number, ack: number): void {
    this.wnd = wnd;
    this.wl1 = seq;
    this.wl2 = ack;
    if (wnd > this.maxWnd) this.maxWnd = wnd;
  }

  /** The segment size: min(peer MSS, `linkMss`, path MSS) less the options of every segment. */
  effMss(linkMss: number): number {
    let m = this.remoteMss;
    if (linkMss < m) m = linkMss;
    if (this.pathMss < m) m = this.pathMss;
    m -= this.optionsLen;
    return m > 1 ? m : 1;
  }

  /** ICMP says the path carries `mss` (already floored): lowers the path MSS; true when segments got smaller. */
  lowerPathMss(mss: number, linkMss: number): boolean {
    if (mss >= this.pathMss) return false;
    const before = this.effMss(linkMss);
    this.pathMss = mss;
    return this.effMss(linkMss) < before;
  }

  /**
   * The fifth check for SND.UNA =< SEG.ACK =< the highest SND.NXT, for the segment `tcp` with
   * `len` data octets: counts duplicate ACKs, frees acknowledged data, takes the RTT sample and
   * applies the window-update rule. `echoRtt` is the RTTM sample of the segment's timestamp echo
   * (-1: none), used instead of the timed segment when `timestamps`. Returns what happened for
   * the socket's timers and closing states.
   */
  onAck(now: Instant, tcp: TcpRepr, len: number, echoRtt = -1): AckResult {
    const seq = tcp.seqNumber;
    const ack = tcp.ackNumber;
    const wnd = tcp.windowLen << this.shift;
    if (seqGt(ack, this.nxt)) this.nxt = ack; // a late ACK of data sent before a go-back-N
    const acked = seqSub(ack, this.una);
    let result = AckResult.None;
    if (acked === 0) {
      // RFC 5681 §3.2, "DUPLICATE ACKNOWLEDGMENT: An acknowledgment is considered a "duplicate"
      // ... when (a) the receiver of the ACK has outstanding data, (b) the incoming
      // acknowledgment carries no data, (c) the SYN and FIN bits are both off, (d) the
      // acknowledgment number is equal to the greatest acknowledgment received on the given
      // connection (TCP.UNA from RFC 793) and (e) the advertised window in the incoming
      // acknowledgment equals the advertised window in the last incoming acknowledgment."
      const ctl = tcp.control;
      if (len === 0 && (ctl === TcpControl.None || ctl === TcpControl.Psh) && this.max !== this.una && wnd === this.wnd) {
        this.dupAcks++;
        // "The fast retransmit algorithm uses the arrival of 3 duplicate ACKs ... as an
        // indication that a segment has been lost." (No congestion window to halve here.)
        if (this.dupAcks === TCP_DUP_ACK_THRESHOLD) result = AckResult.ThirdDuplicate;
      }
    } else {
      // "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK. Any segments on the
      // retransmission queue that are thereby entirely acknowledged are removed."
      this.dupAcks = 0;
      const tx = this.tx;
      const queued = tx.len();
      tx.dequeueAllocated(acked < queued ? acked : queued);
      result = acked > queued ? AckResult.FinAcked : AckResult.Advanced; // the FIN sits just past the queued data
      this.una = ack;
      // RFC 7323 §4.1: "a TSecr value received in a segment is used to update the averaged RTT
      // measurement only if the segment acknowledges some new data": retransmitted data too.
      if (!this.timestamps) this.rtt.onAck(ack, now);
      else if (echoRtt >= 0) this.rtt.sample(echoRtt);
      this.rtt.onNewAck(); // the back-off ends once the peer acknowledges new data (see RttEstimator.onNewAck)
    }
    // "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated. If (SND.WL1 <
    // SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), set SND.WND <- SEG.WND, set
    // SND.WL1 <- SEG.SEQ, and set SND.WL2 <- SEG.ACK." (An old segment cannot shrink it.)
    const wl1 = this.wl1;
    if (seqLt(wl1, seq) || (wl1 === seq && seqLe(this.wl2, ack))) {
      this.wnd = wnd;
      this.wl1 = seq;
      this.wl2 = ack;
      if (wnd > this.maxWnd) this.maxWnd = wnd;
    }
    return result;
  }

  /**
   * Prepares the data at `from` (at most `room` octets of window, and at most `mss`, the
   * segment size `effMss` gave), and the FIN if it follows the last queued octet and `finReady`
   * (the FIN is queued and the state lets it go). False when that is nothing.
   */
  segmentAt(from: number, room: number, mss: number, finReady: boolean): boolean {
    const sent = seqSub(from, this.una);
    const queued = this.tx.len();
    let n = queued - sent;
    if (n > room) n = room;
    if (n > mss) n = mss;
    if (n < 0) n = 0;
    this.pendSeq = from;
    this.pendLen = n;
    // The FIN follows the data; like Linux, it is sent even into a closed window.
    const fin = finReady && sent <= queued && sent + n === queued;
    this.pendCtl = fin ? TcpControl.Fin : TcpControl.None;
    return n > 0 || fin;
  }

  /**
   * RFC 9293 §3.8.6.2.1 (sender SWS avoidance) with Nagle (§3.7.4, `nagle`) for a prepared
   * segment of `n` > 0 new octets, with `mss` the segment size `effMss` gave. Send "(1) if a maximum-sized segment can be sent ... (2) or if
   * the data is pushed and all queued data can be sent now ... [SND.NXT = SND.UNA] (3) or if at
   * least a fraction Fs of the maximum window can be sent ... [SND.NXT = SND.UNA]" with Fs = 1/2;
   * the bracketed condition is Nagle's. Every send is pushed (as smoltcp). Data being sent again
   * after a go-back-N (below the highest SND.NXT) is never held.
   */
  mayTransmit(n: number, mss: number, nagle: boolean): boolean {
    if (n >= mss || seqLt(this.nxt, this.max) || this.pendCtl === TcpControl.Fin) return true;
    if (nagle && this.nxt !== this.una) return false;
    const unsent = this.tx.len() - seqSub(this.nxt, this.una);
    return n === unsent || n >= this.maxWnd >> 1;
  }

  /** Prepares a zero-window probe (RFC 9293 §3.8.6.1): one octet at SND.UNA. */
  probe(): void {
    this.pendSeq = this.una;
    this.pendLen = 1;
    this.pendCtl = TcpControl.None;
  }

  /**
   * The prepared segment, `segLen` octets of sequence space (SYN and FIN included), went out at
   * `now`: SND.NXT moves up to its end (to its end exactly when `goBack`: an RTO retransmission
   * from SND.UNA, after which what followed goes out again), the highest SND.NXT follows, and the
   * RTT estimator may time it.
   */
  sent(now: Instant, segLen: number, goBack: boolean): void {
    const end = seqAdd(this.pendSeq, segLen);
    if (goBack || seqGt(end, this.nxt)) this.nxt = end;
    if (seqGt(this.nxt, this.max)) this.max = this.nxt;
    this.rtt.onSend(end, now);
  }
}
