/**
 * `TcpReceiver`: the receive side of a TCP connection (gVisor's `rcv.go`): the receive sequence
 * space, the receive ring and its assembler, the window we advertise, and when to acknowledge.
 * The socket (`socket.ts`) owns the state machine; it hands this object the text of every
 * acceptable segment and asks it which window and ACK to send.
 *
 * ## The receive sequence space (RFC 9293 §3.3.1, Figure 4)
 * ```text
 *                1          2          3
 *            ----------|----------|----------
 *                   RCV.NXT    RCV.NXT
 *                             +RCV.WND
 *   1 - old sequence numbers that have been acknowledged
 *   2 - sequence numbers allowed for new reception
 *   3 - future sequence numbers that are not yet allowed
 * ```
 * The receive ring `rx` holds area 1 until the application reads it, and its free space is
 * area 2: the octet RCV.NXT + `k` goes to offset `k` of the free space. Data that arrives ahead
 * of RCV.NXT is written there at once and the `assembler` remembers which ranges it holds; when
 * the gap before them fills, they are committed to the ring and RCV.NXT moves past them.
 *
 * ## What it decides
 * - **Inserting segment text** (§3.10.7.4 "seventh, process the segment text", `receive`): what
 *   the window cannot hold is dropped ("Segments with higher beginning sequence numbers may be
 *   held for later processing"), in-order and out-of-order data go through the `Assembler`, a
 *   segment that would need one more assembler range is dropped and answered at once.
 * - **The FIN** ("eighth, check the FIN bit"): taken when RCV.NXT reaches it; a FIN that arrives
 *   ahead of missing data is remembered (`finValid`, `finSeq`) until the data before it is in.
 * - **When to acknowledge**: delayed ACKs (§3.8.6.3, SHLD-18; `DelayedAck`) with an ACK for at
 *   least every second full-sized segment (SHLD-19), sent when the poll that received it has
 *   processed its batch of frames (one ACK for the batch, as smoltcp), and RFC 5681 §4.2's
 *   immediate ACK for out-of-order data and for data that fills a gap (Linux's quick ACK also
 *   answers duplicate data at once), sent before the next frame is processed (`ackUrgent`).
 * - **Our window scale** (RFC 7323 §2): the smallest shift that lets the 16-bit field cover the
 *   whole receive ring (at most 14); offered in our SYN, used only if the peer's SYN carried one.
 *   The window field is rounded down, never exceeds 0xffff, and is never scaled in a SYN.
 * - **The window we advertise**: receiver silly-window-syndrome avoidance (§3.8.6.2.2, Fr = 1/2);
 *   the right edge RCV.NXT + RCV.WND never moves left (§3.8.6: "shrinking the window" is
 *   strongly discouraged), and a window update goes out only when the edge moves by enough.
 * - **Our MSS** (§3.7.1): min(the link's, the receive ring).
 *
 * Every field is an int32, a boolean or a preallocated object; nothing here allocates after the
 * constructor.
 */

import { Assembler } from "../../storage/assembler.js";
import { RingBuffer } from "../../storage/ring-buffer.js";
import type { Arena } from "../../storage/arena.js";
import type { Instant } from "../../time.js";
import { seqAdd, seqGt, seqSub } from "./seq.js";
import { DelayedAck } from "./timer.js";

/** RFC 7323 §2.3: the largest window shift. */
export const TCP_MAX_WINDOW_SHIFT = 14;

/** The largest value of the 16-bit window field. */
const MAX_WINDOW_FIELD = 0xffff;

/** What `TcpReceiver.receive` did, as bit flags (0: the text went in, in order or as a duplicate). */
export const enum Received {
  /** Some of the text was kept out of order, past RCV.NXT. */
  OutOfOrder = 1,
  /** The assembler had no range left: the segment was dropped (an ACK is owed at once). */
  AssemblerFull = 2,
  /** RCV.NXT passed the peer's FIN: its half of the connection is closed (an ACK is owed at once). */
  Fin = 4,
}

/** The receive side of a connection (see the file comment). Fields hot on the packet path come first. */
export class TcpReceiver {
  /** RCV.NXT: the next sequence number expected from the peer (the front of the assembler). */
  nxt = 0;
  /** RCV.WND.SHIFT (RFC 7323): the shift of the window we advertise, 0 unless both SYNs carried Window Scale. */
  shift = 0;
  /** An ACK is owed to the peer (RCV.NXT moved, or the peer must be told where we are). */
  ackPending = false;
  /**
   * The owed ACK must leave before the rest of the frames received in the same poll are
   * processed: it answers out-of-order data, data that fills a gap, duplicate data (RFC 5681
   * §4.2: each such segment gets its own duplicate ACK, or the sender's fast retransmit never
   * counts three), a dropped segment, or the FIN. The ACK of every second full-sized segment
   * (SHLD-19) is not urgent in this sense: it leaves at the end of the poll's batch, at the same
   * instant, and acknowledges the whole batch (as smoltcp, whose `poll` sends after receiving).
   */
  ackUrgent = false;
  /** RCV.NXT + RCV.WND as last advertised: the right edge of the window the peer may fill (valid when `advValid`). */
  advRight = 0;
  /** Whether a window has been advertised since the connection began. */
  advValid = false;
  /** Octets received since we last sent an ACK (RFC 9293 SHLD-19: ACK every second full-sized segment). */
  unacked = 0;
  /** The largest segment received so far: the "full-sized" of the delayed-ACK rule. */
  mssSeen = 0;
  /** The peer's FIN arrived ahead of missing data: it sits at `finSeq` until RCV.NXT reaches it. */
  finValid = false;
  /** The sequence number of the remembered out-of-order FIN. */
  finSeq = 0;
  /** IRS: the peer's initial sequence number. */
  irs = 0;
  /** The (unscaled) window field of our last SYN, to place the right edge once RCV.NXT is known. */
  synWnd = 0;

  /** Received data, in order; out-of-order data waits in its free space. */
  readonly rx: RingBuffer;
  /** Which parts of the receive window past RCV.NXT hold out-of-order data. */
  readonly assembler: Assembler;
  /** The delayed-ACK timer. */
  readonly delayedAck: DelayedAck;

  /** A receive side with a ring of `rxCapacity` octets and an assembler of `assemblerGaps` ranges. */
  constructor(rxCapacity: number, assemblerGaps: number, arena?: Arena) {
    this.rx = new RingBuffer(rxCapacity, arena);
    this.assembler = new Assembler(assemblerGaps);
    this.delayedAck = new DelayedAck();
  }

  /** Forgets the connection: received data, out-of-order ranges, the owed ACK, every sequence variable. */
  reset(): void {
    this.rx.clear();
    this.assembler.clear();
    this.delayedAck.reset();
    this.nxt = 0;
    this.shift = 0;
    this.ackPending = false;
    this.ackUrgent = false;
    this.advRight = 0;
    this.advValid = false;
    this.unacked = 0;
    this.mssSeen = 0;
    this.finValid = false;
    this.finSeq = 0;
    this.irs = 0;
    this.synWnd = 0;
  }

  /** Takes the peer's SYN at `seq`: IRS, RCV.NXT = IRS + 1, and our shift (`scaled`: both sides use Window Scale). */
  acceptSyn(seq: number, scaled: boolean): void {
    this.irs = seq;
    this.nxt = seqAdd(seq, 1);
    this.shift = scaled ? this.ourShift() : 0;
  }

  /** The peer's SYN answers ours: the window our SYN offered now has a right edge, and the SYN is owed an ACK. */
  synAnswered(): void {
    this.advRight = seqAdd(this.nxt, this.synWnd);
    this.advValid = true;
    this.ackPending = true;
  }

  /** Our window shift: the smallest that lets the 16-bit field cover the whole receive buffer, at most 14. */
  ourShift(): number {
    const capacity = this.rx.capacity;
    let shift = 0;
    while (shift < TCP_MAX_WINDOW_SHIFT && capacity >> shift > MAX_WINDOW_FIELD) shift++;
    return shift;
  }

  /** The MSS we advertise: the link's, but no more than the receive buffer holds. */
  advMss(linkMss: number): number {
    let m = linkMss;
    if (this.rx.capacity < m) m = this.rx.capacity;
    if (m > 0xffff) m = 0xffff;
    return m > 1 ? m : 1;
  }

  /** The receive window in octets (RCV.WND at most): the ring's free space, at most what the field can say with our shift. */
  windowMax(): number {
    const w = this.rx.window();
    const max = MAX_WINDOW_FIELD << this.shift;
    return w < max ? w : max;
  }

  /** The window of a SYN (never scaled, RFC 7323 §2.2). */
  synWindow(): number {
    const w = this.rx.window();
    return w < MAX_WINDOW_FIELD ? w : MAX_WINDOW_FIELD;
  }

  /** The receiver-side SWS threshold (§3.8.6.2.2): min(our MSS for `linkMss`, half the buffer). */
  swsThreshold(linkMss: number): number {
    const half = this.rx.capacity >> 1;
    const mss = this.advMss(linkMss);
    const t = mss < half ? mss : half;
    return t > 1 ? t : 1;
  }

  /**
   * The window field of a segment other than a SYN: the window to advertise in octets, shifted
   * by RCV.WND.SHIFT (rounded down). RFC 9293 §3.8.6.2.2: "The suggested SWS avoidance algorithm
   * for the receiver is to keep RCV.NXT+RCV.WND fixed until the reduction satisfies: RCV.BUFF -
   * RCV.USER - RCV.WND >= min( Fr * RCV.BUFF, Eff.snd.MSS )" with Fr = 1/2. The right edge never
   * moves left.
   */
  windowField(linkMss: number): number {
    const free = this.windowMax();
    if (!this.advValid) return free >> this.shift;
    let cur = seqSub(this.advRight, this.nxt);
    if (cur < 0) cur = 0;
    // An empty ring is advertised whole: that is never a silly window, and holding the edge
    // back (here by less than the SWS threshold) leaves a sender whose MSS exceeds our buffer
    // waiting for its persist timer (Linux: ~200 ms per window with 64-octet rings).
    if (cur >= free || this.rx.window() === this.rx.capacity) return free >> this.shift;
    return (free - cur >= this.swsThreshold(linkMss) ? free : cur) >> this.shift;
  }

  /**
   * Whether a window update (field `wnd`, as the next segment would carry it) is worth a segment:
   * the edge moves by the SWS threshold and the window was small or at least doubles. The caller
   * asks only while the peer may still send (ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2).
   */
  windowUpdateDue(wnd: number, linkMss: number): boolean {
    if (!this.advValid) return false;
    const free = this.windowMax();
    let cur = seqSub(this.advRight, this.nxt);
    if (cur < 0) cur = 0;
    const t = this.swsThreshold(linkMss);
    return free - cur >= t && (cur < t || free >= 2 * cur) && wnd << this.shift > cur;
  }

  /** An ACK is owed and must not wait. */
  ackNow(now: Instant): void {
    this.ackPending = true;
    this.ackUrgent = true;
    this.delayedAck.onSegment(now, true);
  }

  /**
   * A segment went out with window field `wnd`: `ack`, it carried an ACK, so nothing is owed any
   * more and RCV.NXT + RCV.WND is the new right edge; `syn`, it was a SYN (its window unscaled).
   */
  onSent(wnd: number, ack: boolean, syn: boolean): void {
    if (ack) {
      this.ackPending = false;
      this.ackUrgent = false;
      this.delayedAck.onAckSent();
      this.unacked = 0;
      this.advRight = seqAdd(this.nxt, syn ? wnd : wnd << this.shift);
      this.advValid = true;
    }
    if (syn) this.synWnd = wnd;
  }

  /**
   * The seventh and eighth checks: puts `len` octets of `bytes[off...]` at `seq` into the receive
   * ring (in order or not, through the assembler), then the FIN (`fin`), and decides how soon to
   * acknowledge. The segment passed the acceptability test, so it ends at or after RCV.NXT.
   * Returns `Received` flags: 0 when the text simply went in.
   */
  receive(now: Instant, seq: number, bytes: Uint8Array, off: number, len: number, fin: boolean): number {
    const rx = this.rx;
    const assembler = this.assembler;
    let skip = seqSub(this.nxt, seq); // octets we already have at its front
    let offset = 0; // where the new octets go, past RCV.NXT
    if (skip < 0) {
      offset = -skip;
      skip = 0;
    }
    let n = len - skip;
    let finOk = fin;
    const room = rx.window() - offset;
    if (n > room) {
      // "Segments with higher beginning sequence numbers may be held for later processing": what
      // lies beyond the buffer is dropped, and a FIN after it with it.
      n = room > 0 ? room : 0;
      finOk = false;
    }
    const hadGaps = !assembler.isEmpty();
    let inOrder = 0;
    let result = 0;
    if (n > 0) {
      // Overlapping data: RFC 9293 lets either copy count; the first to arrive is kept. Only the
      // octets the assembler does not hold yet are written, so a contradictory (or forged)
      // retransmission cannot change data already received. With no gap held this is one copy.
      const end = offset + n;
      let pos = offset;
      const count = assembler.rangeCount();
      for (let i = 0; i < count && pos < end; i++) {
        const rs = assembler.rangeStart(i);
        const re = assembler.rangeEnd(i);
        if (re <= pos) continue;
        if (rs >= end) break;
        if (rs > pos) rx.writeUnallocated(pos, bytes, off + skip + (pos - offset), rs - pos);
        pos = re;
      }
      if (pos < end) rx.writeUnallocated(pos, bytes, off + skip + (pos - offset), end - pos);
      inOrder = assembler.addThenRemoveFront(offset, n);
      if (inOrder < 0) {
        // The assembler has no range left: drop the segment, as if lost (the peer sends it
        // again), and say at once where we are.
        this.ackNow(now);
        return Received.AssemblerFull;
      }
      if (offset > 0) result = Received.OutOfOrder;
      rx.enqueueUnallocated(inOrder);
      this.nxt = seqAdd(this.nxt, inOrder);
      this.unacked += n;
      if (n > this.mssSeen) this.mssSeen = n;
    }
    let finNow = false;
    if (finOk) {
      const finSeq = seqAdd(seq, len);
      if (finSeq === this.nxt) finNow = true;
      else if (!this.finValid) {
        this.finValid = true; // out of order: remember where the stream ends
        this.finSeq = finSeq;
      }
    }
    if (this.finValid) {
      if (this.finSeq === this.nxt) finNow = true;
      else if (seqGt(this.nxt, this.finSeq)) this.finValid = false; // data past a FIN: the FIN was bogus
    }
    if (finNow) {
      // "If the FIN bit is set, signal the user "connection closing" ..., advance RCV.NXT over
      // the FIN, and send an acknowledgment for the FIN." (The socket changes the state.)
      this.finValid = false;
      this.nxt = seqAdd(this.nxt, 1);
      this.ackNow(now);
      return result | Received.Fin;
    }
    // When to acknowledge. RFC 9293 §3.8.6.3: delay (SHLD-18), "in a stream of full-sized
    // segments, there SHOULD be an ACK for at least every second full-sized segment" (SHLD-19);
    // RFC 5681 §4.2: "an ACK SHOULD be generated immediately" for an out-of-order segment and
    // for one that fills a gap. Linux's quick ACK also answers duplicate data at once. Only
    // those are `ackUrgent` (and every segment when delaying is off, `ackDelay` 0): the ACK of
    // the second full-sized segment waits for the end of the poll's batch (see `ackUrgent`).
    this.ackPending = true;
    const urgent = offset > 0 || skip > 0 || (hadGaps && inOrder > 0) || n === 0 || this.delayedAck.ackDelay <= 0;
    if (urgent) this.ackUrgent = true;
    this.delayedAck.onSegment(now, urgent || this.unacked >= 2 * this.mssSeen);
    return result;
  }
}
