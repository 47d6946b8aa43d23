/**
 * `TcpSocket`: the first slice of a TCP endpoint (RFC 9293), modelled on smoltcp's
 * `socket/tcp.rs`, at the socket level only (not yet wired into the interface).
 *
 * The socket speaks reprs: the interface offers each received segment with `accepts(ip, tcp)`
 * and `process(now, ip, tcp, bytes, off, len, reply)`; `process` returns true when `reply` holds
 * a segment to send at once to the segment's sender (a RST, or an ACK answering an
 * unacceptable segment). On egress the interface calls `dispatch(now, ip, tcp)` (-1: nothing to
 * send; else the payload length, with `ip` and `tcp` filled in), then `dispatchPayload(dst, off)`
 * to copy the data, then `dispatchCommit(now)` once the frame went to the device. `dispatch`
 * changes nothing but the pending-segment fields (and ends an expired TIME-WAIT, as `pollDelay`
 * may); only `dispatchCommit` advances SND.NXT, arms
 * the retransmission timer and clears the pending ACK, so a segment that could not be sent (no
 * next hop) is simply built again later.
 *
 * Implemented: the three-way handshake both ways (the SYN carries MSS and Window Scale 0),
 * in-order data both ways with the receive window taken from the rx ring's free space, ACK
 * processing that frees the tx ring, FIN in every closing state with TIME-WAIT held for
 * `TIME_WAIT_DURATION` (10 s), RST handling (an in-window RST resets; a passive SYN-RECEIVED
 * goes back to LISTEN), RFC 9293 §3.10.7.4 segment acceptability with an ACK in reply to an
 * unacceptable segment, and go-back-N retransmission of the oldest unacknowledged data, SYN or
 * FIN when the RFC 6298 RTO (`RttEstimator`, `TcpTimer`) expires, with back-off and Karn.
 *
 * The ISN is passed in for now: `connect` takes it, and a listening socket uses `listenIsn`
 * (or `isnGenerator` when one is set, RFC 6528) for the connection it accepts.
 *
 * NOT YET: out-of-order reassembly (a segment past RCV.NXT is dropped and answered with an
 * ACK), data on a SYN (dropped, the peer sends it again), SACK, timestamps, window scaling
 * beyond parsing (we always advertise shift 0; the peer's shift is applied to its window),
 * fast retransmit, zero-window probes, Nagle, delayed ACK, keep-alive, user timeout, RFC 5961
 * (any in-window RST resets; an in-window SYN gets an ACK), the SND.WL1/WL2 window-update check,
 * listen backlog, congestion control.
 *
 * No allocation after construction: all state is numbers and preallocated objects.
 */

import { RingBuffer } from "../../storage/ring-buffer.js";
import type { Instant } from "../../time.js";
import { IpEndpoint, IpProtocol } from "../../wire/ip.js";
import type { IpRepr } from "../../wire/ip-repr.js";
import { TcpControl, type TcpRepr } from "../../wire/tcp.js";
import { SocketError, SocketErrorCode } from "../error.js";
import { POLL_INGRESS, POLL_NOW, SocketMeta } from "../meta.js";
import type { IsnGenerator } from "./isn.js";
import { RttEstimator } from "./rtt.js";
import { segmentAcceptable, seqAdd, seqGt, seqLt, seqSub } from "./seq.js";
import { TIME_WAIT_DURATION, TcpTimer } from "./timer.js";

/** The connection states of RFC 9293 §3.3.2. */
export const enum TcpState {
  Closed = 0,
  Listen = 1,
  SynSent = 2,
  SynReceived = 3,
  Established = 4,
  FinWait1 = 5,
  FinWait2 = 6,
  CloseWait = 7,
  Closing = 8,
  LastAck = 9,
  TimeWait = 10,
}

/** Printable state names (traces and tests only). */
export const TCP_STATE_NAMES: readonly string[] = Object.freeze([
  "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
  "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
]);

/** RFC 9293 §3.7.1: the MSS assumed when the peer sends none (IPv4's default). */
export const TCP_DEFAULT_MSS = 536;
/** The largest window the 16-bit field carries with our shift of 0. */
const MAX_WINDOW = 0xffff;

export class TcpSocket {
  /** What the interface keeps about the socket (handle, neighbor wait). */
  readonly meta = new SocketMeta();
  private st: TcpState = TcpState.Closed;
  /** SND.UNA, SND.NXT, ISS, RCV.NXT (int32 sequence numbers). */
  private sndUna = 0;
  private sndNxt = 0;
  /** The highest SND.NXT reached: go-back-N moves SND.NXT back, an ACK up to here is still valid. */
  private sndMax = 0;
  private iss = 0;
  private rcvNxt = 0;
  /** SND.WND as the peer advertised it, scaled. */
  private sndWnd = 0;
  /** The peer's window shift (0 unless both SYNs carried Window Scale). */
  private sndShift = 0;
  /** The peer's MSS. */
  private remoteMss = TCP_DEFAULT_MSS;
  /** An ACK is owed to the peer. */
  private ackPending = false;
  /** `close()` was called: a FIN follows the queued data. */
  private finQueued = false;
  /** `abort()` was called on a synchronized connection: a RST is owed. */
  private rstPending = false;
  /** The connection came from `listen` (a RST in SYN-RECEIVED returns to LISTEN). */
  private passive = false;
  /** The peer's SYN carried Window Scale (so ours answers with one). */
  private peerScaled = false;
  /** The window we last advertised (for a window update after it was 0). */
  private lastAdvWnd = 0;

  // The segment `dispatch` prepared, applied by `dispatchCommit`.
  private pendSeq = 0;
  private pendLen = 0;
  private pendCtl: TcpControl = TcpControl.None;
  private pendRetransmit = false;
  private pendWnd = 0;

  readonly rx: RingBuffer;
  readonly tx: RingBuffer;
  readonly local = new IpEndpoint();
  readonly remote = new IpEndpoint();
  readonly timer = new TcpTimer();
  readonly rtt = new RttEstimator();
  /** The MSS we advertise. */
  localMss = 1460;
  /** The ISN of the next connection accepted in LISTEN when `isnGenerator` is null. */
  listenIsn = 0;
  /** When set, the ISN of an accepted connection comes from it (RFC 6528). */
  isnGenerator: IsnGenerator | null = null;

  constructor(rxCapacity: number, txCapacity: number) {
    this.rx = new RingBuffer(rxCapacity);
    this.tx = new RingBuffer(txCapacity);
  }

  /** The connection state. */
  get state(): TcpState {
    return this.st;
  }

  /** Waits for a connection on `localPort` (any local address). Throws `InvalidState` unless closed. */
  listen(localPort: number): void {
    if (this.st !== TcpState.Closed) throw new SocketError(SocketErrorCode.InvalidState, "listen");
    if (!(localPort > 0 && localPort <= 0xffff)) throw new SocketError(SocketErrorCode.Unaddressable, "port " + localPort);
    this.resetConnection();
    this.local.addr.clear();
    this.local.port = localPort;
    this.passive = true;
    this.st = TcpState.Listen;
  }

  /**
   * Opens a connection from `local` (a specified address and port) to `remote` with initial send
   * sequence number `isn` (the caller draws it, e.g. from `IsnGenerator`). The SYN leaves on the
   * next `dispatch`.
   */
  connect(now: Instant, local: IpEndpoint, remote: IpEndpoint, isn: number): void {
    if (this.st !== TcpState.Closed) throw new SocketError(SocketErrorCode.InvalidState, "connect");
    if (local.port === 0 || remote.port === 0 || remote.addr.isUnspecified() || local.addr.isUnspecified()) {
      throw new SocketError(SocketErrorCode.Unaddressable, "connect");
    }
    this.resetConnection();
    this.local.copyFrom(local);
    this.remote.copyFrom(remote);
    this.iss = isn | 0;
    this.sndUna = this.iss;
    this.sndNxt = this.iss;
    this.sndMax = this.iss;
    this.st = TcpState.SynSent;
    this.timer.setForIdle(now, 0);
  }

  /** Queues up to `len` octets of `bytes[off...]` for sending; returns how many fit. */
  send(bytes: Uint8Array, off: number, len: number): number {
    const s = this.st;
    if (this.finQueued || (s !== TcpState.SynSent && s !== TcpState.SynReceived && s !== TcpState.Established && s !== TcpState.CloseWait)) {
      throw new SocketError(SocketErrorCode.InvalidState, "send in " + TCP_STATE_NAMES[s]);
    }
    return this.tx.enqueueSlice(bytes, off, len);
  }

  /** Copies up to `max` received octets into `dst[off...]`; returns how many (0 when none). */
  recv(dst: Uint8Array, off: number, max: number): number {
    return this.rx.dequeueSlice(dst, off, max);
  }

  /** Closes our half: a FIN follows the queued data. A listening or SYN-SENT socket just closes. */
  close(): void {
    switch (this.st) {
      case TcpState.Listen:
      case TcpState.SynSent:
        this.st = TcpState.Closed;
        this.timer.reset();
        return;
      case TcpState.SynReceived:
        this.finQueued = true; // FIN-WAIT-1 once our SYN is acknowledged
        return;
      case TcpState.Established:
        this.finQueued = true;
        this.st = TcpState.FinWait1;
        return;
      case TcpState.CloseWait:
        this.finQueued = true;
        this.st = TcpState.LastAck;
        return;
      default:
        return;
    }
  }

  /** Drops the connection at once; a synchronized connection is sent a RST. */
  abort(): void {
    const s = this.st;
    this.rstPending = s >= TcpState.SynReceived && s !== TcpState.TimeWait;
    this.st = TcpState.Closed;
    this.timer.reset();
  }

  /** Whether this socket wants the segment (port, and address or the connection's 4-tuple). */
  accepts(ip: IpRepr, tcp: TcpRepr): boolean {
    const s = this.st;
    if (s === TcpState.Closed || tcp.dstPort !== this.local.port) return false;
    if (!this.local.addr.isUnspecified() && !ip.dstAddr.equals(this.local.addr)) return false;
    if (s === TcpState.Listen) return true;
    return tcp.srcPort === this.remote.port && ip.srcAddr.equals(this.remote.addr);
  }

  /**
   * Handles one segment (`len` data octets at `off` in `bytes`). Returns true when `reply` was
   * filled with a segment for the interface to send at once to the segment's source.
   */
  process(now: Instant, ip: IpRepr, tcp: TcpRepr, bytes: Uint8Array, off: number, len: number, reply: TcpRepr): boolean {
    const ctl = tcp.control;
    const seq = tcp.seqNumber;
    switch (this.st) {
      case TcpState.Closed:
        return false;
      case TcpState.Listen:
        if (ctl === TcpControl.Rst) return false;
        if (tcp.hasAck) return this.replyRst(tcp, reply);
        if (ctl !== TcpControl.Syn) return false;
        this.remote.addr.copyFrom(ip.srcAddr);
        this.remote.port = tcp.srcPort;
        this.local.addr.copyFrom(ip.dstAddr);
        this.iss = this.isnGenerator !== null ? this.isnGenerator.generate(now, this.local, this.remote) : this.listenIsn | 0;
        this.sndUna = this.iss;
        this.sndNxt = this.iss;
        this.sndMax = this.iss;
        this.acceptSyn(tcp);
        this.st = TcpState.SynReceived;
        this.timer.setForIdle(now, 0);
        return false;
      case TcpState.SynSent: {
        const ackOk = tcp.hasAck && tcp.ackNumber === seqAdd(this.iss, 1) && seqGt(this.sndNxt, this.iss);
        if (tcp.hasAck && !ackOk) return ctl === TcpControl.Rst ? false : this.replyRst(tcp, reply);
        if (ctl === TcpControl.Rst) {
          if (ackOk) this.toClosed(); // connection refused
          return false;
        }
        if (ctl !== TcpControl.Syn) return false;
        this.acceptSyn(tcp);
        if (ackOk) {
          this.sndUna = tcp.ackNumber;
          this.rtt.onAck(tcp.ackNumber, now);
          this.timer.setForIdle(now, 0);
          this.st = TcpState.Established;
        } else {
          this.sndNxt = this.iss; // simultaneous open: our SYN again, with an ACK
          this.st = TcpState.SynReceived;
        }
        this.ackPending = true;
        return false;
      }
      default:
        break;
    }

    // Synchronized states (and SYN-RECEIVED): RFC 9293 §3.10.7.4.
    const segLen = len + (ctl === TcpControl.Syn || ctl === TcpControl.Fin ? 1 : 0);
    if (!segmentAcceptable(seq, segLen, this.rcvNxt, this.rxWindow())) {
      if (ctl === TcpControl.Rst) return false;
      return this.replyAck(tcp, reply);
    }
    if (ctl === TcpControl.Rst) {
      // NOT YET RFC 5961: any in-window RST resets.
      if (this.st === TcpState.SynReceived && this.passive) {
        const port = this.local.port;
        this.resetConnection();
        this.local.addr.clear();
        this.local.port = port;
        this.passive = true;
        this.st = TcpState.Listen;
      } else {
        this.toClosed();
      }
      return false;
    }
    if (ctl === TcpControl.Syn) return this.replyAck(tcp, reply); // in-window SYN: challenge ACK
    if (!tcp.hasAck) return false;

    const ack = tcp.ackNumber;
    if (this.st === TcpState.SynReceived) {
      if (ack !== seqAdd(this.iss, 1) || !seqGt(this.sndNxt, this.iss)) return this.replyRst(tcp, reply);
      this.sndUna = ack;
      this.rtt.onAck(ack, now);
      this.timer.setForIdle(now, 0);
      this.st = this.finQueued ? TcpState.FinWait1 : TcpState.Established;
    } else if (seqGt(ack, this.sndMax)) {
      return this.replyAck(tcp, reply); // acknowledges something not yet sent
    } else if (!seqLt(ack, this.sndUna)) {
      if (seqGt(ack, this.sndNxt)) this.sndNxt = ack; // a late ACK of data sent before a go-back-N
      const acked = seqSub(ack, this.sndUna);
      const queued = this.tx.len();
      this.tx.dequeueAllocated(acked < queued ? acked : queued);
      const finAcked = this.finQueued && acked > queued;
      this.sndUna = ack;
      if (acked > 0) this.rtt.onAck(ack, now);
      if (ack === this.sndNxt) {
        if (!this.timer.isClose()) this.timer.setForIdle(now, 0);
      } else if (acked > 0) {
        this.timer.rewindRetransmit(now, this.rtt.rto);
      }
      if (finAcked) {
        switch (this.st) {
          case TcpState.FinWait1:
            this.st = TcpState.FinWait2;
            break;
          case TcpState.Closing:
            this.toTimeWait(now);
            break;
          case TcpState.LastAck:
            this.toClosed();
            return false;
          default:
            break;
        }
      }
    }
    this.sndWnd = tcp.windowLen << this.sndShift;

    // The data and FIN: only while the peer's half is open.
    const s = this.st;
    if (s !== TcpState.Established && s !== TcpState.FinWait1 && s !== TcpState.FinWait2) return false;
    if (segLen === 0) return false;
    const old = seqSub(this.rcvNxt, seq); // octets already received at the front
    if (old < 0) {
      this.ackPending = true; // NOT YET reassembly: out of order, dropped; a duplicate ACK says where we are
      return false;
    }
    let taken = 0;
    if (len > old) {
      taken = this.rx.enqueueSlice(bytes, off + old, len - old);
      this.rcvNxt = seqAdd(this.rcvNxt, taken);
    }
    this.ackPending = true;
    if (ctl === TcpControl.Fin && old + taken === len) {
      this.rcvNxt = seqAdd(this.rcvNxt, 1);
      if (s === TcpState.Established) this.st = TcpState.CloseWait;
      else if (s === TcpState.FinWait1) this.st = TcpState.Closing;
      else this.toTimeWait(now);
    }
    return false;
  }

  /**
   * Prepares the next segment: -1 when there is nothing to send, else its payload length, with
   * `ip` (addresses, protocol, payload length) and `tcp` filled in.
   */
  dispatch(now: Instant, ip: IpRepr, tcp: TcpRepr): number {
    if (!this.prepare(now)) return -1;
    const ctl = this.pendCtl;
    tcp.srcPort = this.local.port;
    tcp.dstPort = this.remote.port;
    tcp.control = ctl;
    tcp.seqNumber = this.pendSeq;
    tcp.windowLen = this.pendWnd;
    tcp.windowScale = -1;
    tcp.maxSegSize = 0;
    tcp.sackPermitted = false;
    tcp.sackCount = 0;
    tcp.hasTimestamp = false;
    tcp.payloadOffset = 0;
    tcp.payloadLen = this.pendLen;
    if (ctl === TcpControl.Rst) {
      tcp.hasAck = false;
      tcp.ackNumber = 0;
    } else {
      tcp.hasAck = this.st !== TcpState.SynSent;
      tcp.ackNumber = tcp.hasAck ? this.rcvNxt : 0;
    }
    if (ctl === TcpControl.Syn) {
      tcp.maxSegSize = this.localMss;
      if (this.st === TcpState.SynSent || this.peerScaled) tcp.windowScale = 0;
    }
    ip.version = this.remote.addr.version;
    ip.srcAddr.copyFrom(this.local.addr);
    ip.dstAddr.copyFrom(this.remote.addr);
    ip.nextHeader = IpProtocol.Tcp;
    ip.hopLimit = 64;
    ip.payloadLen = tcp.headerLen() + this.pendLen;
    return this.pendLen;
  }

  /** Copies the prepared segment's data to `dst[off...]`. */
  dispatchPayload(dst: Uint8Array, off: number): void {
    if (this.pendLen > 0) this.tx.readAllocated(seqSub(this.pendSeq, this.sndUna), dst, off, this.pendLen);
  }

  /** The prepared segment went to the device: advance SND.NXT, arm the timer, clear the owed ACK. */
  dispatchCommit(now: Instant): void {
    const ctl = this.pendCtl;
    if (ctl === TcpControl.Rst) {
      this.rstPending = false;
      return;
    }
    this.ackPending = false;
    this.lastAdvWnd = this.pendWnd;
    const segLen = this.pendLen + (ctl === TcpControl.Syn || ctl === TcpControl.Fin ? 1 : 0);
    if (segLen === 0) return;
    const end = seqAdd(this.pendSeq, segLen);
    if (this.pendRetransmit) {
      this.rtt.backoff();
      this.rtt.onRetransmit();
      this.sndNxt = end; // go back N
    } else if (seqGt(end, this.sndNxt)) {
      this.sndNxt = end;
    }
    if (seqGt(this.sndNxt, this.sndMax)) this.sndMax = this.sndNxt;
    this.rtt.onSend(end, now);
    this.timer.setForRetransmit(now, this.rtt.rto);
  }

  /** 0 when a segment is ready, else ms until a timer is due, or -1 when only waiting for packets. */
  pollDelay(now: Instant): number {
    if (this.prepare(now)) return POLL_NOW;
    if (this.st === TcpState.Closed) return POLL_INGRESS;
    return this.timer.pollDelay(now);
  }

  // --- Internals -------------------------------------------------------------------------------

  /** The receive window we advertise: the rx ring's free space, at most 0xffff (shift 0). */
  private rxWindow(): number {
    const w = this.rx.window();
    return w < MAX_WINDOW ? w : MAX_WINDOW;
  }

  /** Fills the pending-segment fields; false when nothing is to be sent. TIME-WAIT expires here. */
  private prepare(now: Instant): boolean {
    const s = this.st;
    this.pendLen = 0;
    this.pendCtl = TcpControl.None;
    this.pendRetransmit = false;
    this.pendWnd = this.rxWindow();
    if (s === TcpState.Closed) {
      if (!this.rstPending) return false;
      this.pendCtl = TcpControl.Rst;
      this.pendSeq = this.sndNxt;
      this.pendWnd = 0;
      return true;
    }
    if (s === TcpState.Listen) return false;
    if (s === TcpState.TimeWait) {
      if (this.timer.shouldClose(now)) {
        this.toClosed();
        return false;
      }
      this.pendSeq = this.sndNxt;
      return this.ackPending;
    }
    const retransmit = this.timer.shouldRetransmit(now) >= 0;
    const from = retransmit ? this.sndUna : this.sndNxt;
    this.pendRetransmit = retransmit;
    this.pendSeq = from;
    if (s === TcpState.SynSent || s === TcpState.SynReceived) {
      if (from !== this.iss) return this.ackPending && s === TcpState.SynReceived;
      this.pendCtl = TcpControl.Syn;
      return true;
    }
    // Data from the tx ring, within the peer's window and MSS.
    const sent = seqSub(from, this.sndUna);
    const queued = this.tx.len();
    let n = queued - sent;
    const room = this.sndWnd - sent;
    if (n > room) n = room;
    if (n > this.remoteMss) n = this.remoteMss;
    if (n < 0) n = 0;
    this.pendLen = n;
    const finState = s === TcpState.FinWait1 || s === TcpState.Closing || s === TcpState.LastAck;
    if (finState && this.finQueued && sent + n === queued) this.pendCtl = TcpControl.Fin;
    if (n > 0 || this.pendCtl === TcpControl.Fin) return true;
    return this.ackPending || (this.lastAdvWnd === 0 && this.pendWnd > 0);
  }

  /** Takes the peer's SYN: RCV.NXT, its window, MSS and window shift. */
  private acceptSyn(tcp: TcpRepr): void {
    this.rcvNxt = seqAdd(tcp.seqNumber, 1);
    this.sndWnd = tcp.windowLen;
    this.remoteMss = tcp.maxSegSize > 0 ? tcp.maxSegSize : TCP_DEFAULT_MSS;
    this.peerScaled = tcp.windowScale >= 0;
    this.sndShift = this.peerScaled ? tcp.windowScale : 0;
  }

  /** Replies to `tcp` with a RST (RFC 9293 §3.10.7: SEQ = SEG.ACK, or SEQ 0 and ACK SEG.SEQ + SEG.LEN). */
  private replyRst(tcp: TcpRepr, reply: TcpRepr): boolean {
    this.fillReply(tcp, reply);
    reply.control = TcpControl.Rst;
    if (tcp.hasAck) {
      reply.seqNumber = tcp.ackNumber;
    } else {
      reply.hasAck = true;
      reply.ackNumber = seqAdd(tcp.seqNumber, tcp.segmentLen());
    }
    return true;
  }

  /** Replies to `tcp` with an ACK of our current state (RFC 9293 §3.10.7.4). */
  private replyAck(tcp: TcpRepr, reply: TcpRepr): boolean {
    this.fillReply(tcp, reply);
    reply.seqNumber = this.sndNxt;
    reply.hasAck = true;
    reply.ackNumber = this.rcvNxt;
    reply.windowLen = this.rxWindow();
    return true;
  }

  private fillReply(tcp: TcpRepr, reply: TcpRepr): void {
    reply.srcPort = tcp.dstPort;
    reply.dstPort = tcp.srcPort;
    reply.control = TcpControl.None;
    reply.seqNumber = 0;
    reply.ackNumber = 0;
    reply.hasAck = false;
    reply.windowLen = 0;
    reply.windowScale = -1;
    reply.maxSegSize = 0;
    reply.sackPermitted = false;
    reply.sackCount = 0;
    reply.hasTimestamp = false;
    reply.payloadOffset = 0;
    reply.payloadLen = 0;
  }

  private toTimeWait(now: Instant): void {
    this.st = TcpState.TimeWait;
    this.timer.setForClose(now, TIME_WAIT_DURATION);
  }

  private toClosed(): void {
    this.st = TcpState.Closed;
    this.timer.reset();
  }

  /** Forgets the connection's variables and buffers (not the endpoints). */
  private resetConnection(): void {
    this.rx.clear();
    this.tx.clear();
    this.timer.reset();
    this.rtt.reset();
    this.sndUna = 0;
    this.sndNxt = 0;
    this.sndMax = 0;
    this.iss = 0;
    this.rcvNxt = 0;
    this.sndWnd = 0;
    this.sndShift = 0;
    this.remoteMss = TCP_DEFAULT_MSS;
    this.ackPending = false;
    this.finQueued = false;
    this.rstPending = false;
    this.passive = false;
    this.peerScaled = false;
    this.lastAdvWnd = 0;
  }
}
