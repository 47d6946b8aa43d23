/**
 * `TcpSocket`: a TCP endpoint (RFC 9293), modelled on smoltcp's `socket/tcp.rs`, that reads
 * like an annotated RFC: each part of `process` quotes the step of RFC 9293 §3.10.7 it follows.
 *
 * ## The contract with the interface
 * The socket speaks reprs, never header bytes (STYLE lesson 9).
 * - `accepts(ip, tcp)`: a listening socket takes any segment to its port (and address, if it
 *   listens on one); any other socket only its connection's exact 4-tuple.
 * - `process(now, ip, tcp, bytes, off, len, reply)`: handles one segment (`len` data octets at
 *   `off`). Returns true when `reply` holds a segment the interface must send at once to the
 *   segment's sender, with the IP addresses swapped: a RST, a challenge ACK (RFC 5961), or the
 *   ACK that answers an unacceptable segment (RFC 9293 §3.10.7.4).
 * - `dispatch(now, ip, tcp)` → -1 (nothing to send) or the payload length, with `ip` and `tcp`
 *   filled; `dispatchPayload(dst, off)` copies the data out of the transmit ring;
 *   `dispatchCommit(now)` says the frame went to the device. `dispatch` changes nothing the
 *   next call would not recompute; only `dispatchCommit` advances SND.NXT, arms timers and
 *   clears the owed ACK, so a segment that could not be sent (no next hop yet) is simply built
 *   again later. After a commit, `dispatch` returns a segment only when there is something new
 *   (more data in the window, a due timer), so the interface may loop until it returns -1.
 * - `dispatchNoRoute(now)`: the interface has no route for the prepared segment.
 * - `icmpError(now, kind, seq, mss)`: an ICMP error quoting one of our segments.
 * - `pollDelay(now)`: 0 when a segment is ready, else ms until a timer, -1 for "only a packet".
 * - `linkMss`: set by the interface before every `process` and `dispatch`.
 *
 * ## Implemented
 * - Every transition of the state diagram (§3.3.2), passive and active open, simultaneous open
 *   and simultaneous close, TIME-WAIT for `TIME_WAIT_DURATION` (10 s, as smoltcp; not 2 MSL).
 *   Several sockets listening on one port form the backlog (the interface picks a free one).
 * - Segment acceptability (§3.10.7.4) with an ACK in answer to an unacceptable segment; RFC 5961
 *   §3 (a RST resets only at exactly RCV.NXT, an in-window RST gets a challenge ACK), §4 (a SYN
 *   in a synchronized state gets a challenge ACK), §5 (an ACK older than SND.UNA - MAX.SND.WND
 *   or beyond what was sent gets a challenge ACK and the segment is dropped), §7 (challenge
 *   ACKs limited to `challengeAckLimit` per second per socket).
 * - MSS (§3.7.1): ours is min(`linkMss`, receive buffer); the peer's is raised to at least
 *   `TCP_MIN_PEER_MSS` (48, Linux's `TCP_MIN_SND_MSS`) and defaults to 536 / 1220 without the
 *   option (MUST-15). Segments are at most min(peer MSS, `linkMss`, path MSS).
 * - Window scaling (RFC 7323 §2): our shift is the smallest that lets the window cover the whole
 *   receive buffer (at most 14); offered in our SYN, answered only if the peer's SYN carried it;
 *   otherwise shift 0 both ways. The window field is rounded down, never exceeds 0xffff, and
 *   is never scaled in a SYN.
 * - Many segments in flight, limited by the peer's window only.
 * - Out-of-order reassembly through the `Assembler` (`assemblerGaps` ranges): segments are
 *   written into the receive ring's free space at once and committed when the gap before them
 *   fills; a segment that would need one range more is dropped (and answered with a duplicate
 *   ACK); a FIN that arrives ahead of missing data is remembered and takes effect when the data
 *   before it is in.
 * - Retransmission on the RFC 6298 RTO (`RttEstimator`: Karn, back-off), go-back-N from
 *   SND.UNA; the RTO is reset to 3 s after a lost SYN (§5.7). Fast retransmit of the first
 *   unacknowledged segment on the third duplicate ACK (RFC 5681 §3.2 definition).
 * - SYN retries (`synRetries`, 5: six SYNs), data retries (`maxRetransmits`, 15, as Linux's
 *   `tcp_retries2`), the RFC 5482 user timeout (`timeout`), keep-alive (`keepAlive` interval;
 *   a probe is SEQ = SND.UNA - 1 without data; `keepAliveProbes` (9) unanswered end the
 *   connection): all end it with `TimedOut`.
 * - Zero-window probing (§3.8.6.1, the "persist timer"): 1 octet at the RTO, backed off, never
 *   given up while the peer answers; the same timer is the sender-side SWS override.
 * - Silly-window-syndrome avoidance on both sides (§3.8.6.2.1 / §3.8.6.2.2), Nagle (§3.7.4,
 *   `nagle`), delayed ACKs (`ackDelay`, with Linux's quick-ACK exceptions), the SND.WL1/SND.WL2
 *   window-update rule (§3.10.7.4).
 * - ICMP errors (RFC 5927 §4.1 sequence check; RFC 1122 §4.2.3.9 / RFC 5461: hard in SYN-SENT,
 *   soft otherwise; RFC 1191 / RFC 8201 packet too big lowers the segment size, floored at 536 /
 *   1220, and resends what no longer fits).
 * - Errors the application reads with `error` / `takeError()`: ConnectionRefused,
 *   ConnectionReset, TimedOut, Unreachable, NoRoute.
 *
 * ## Deliberate deviations
 * - Data on a SYN (or on the SYN-ACK) is **ignored**: only the SYN is acknowledged, so the peer
 *   sends the data again once the connection is established (RFC 9293 allows queueing it; the
 *   retransmission is what every peer does anyway, and it keeps the handshake code small).
 * - A SYN in SYN-RECEIVED that repeats the peer's first SYN makes us send our SYN-ACK again (as
 *   Linux's `tcp_check_req`), and the peer's SYN-ACK in a simultaneous open completes the
 *   handshake (as Linux); any other SYN there gets a challenge ACK (RFC 5961 §4) instead of
 *   returning a passive connection to LISTEN. A SYN in TIME-WAIT gets a challenge ACK too (no
 *   RFC 6191 reuse).
 * - RST in CLOSING, LAST-ACK and TIME-WAIT closes without an error (the connection was done).
 * - When the interface finds no route for a segment in a synchronized state, the segment counts
 *   as sent and lost (so the retransmission timer, not a busy loop, tries again) and `NoRoute`
 *   is recorded as a soft error.
 * - An ICMP error is checked against SND.UNA ≤ seq < the highest SND.NXT (after a go-back-N,
 *   segments beyond the current SND.NXT are still in flight).
 * - A timed-out synchronized connection (user timeout, retries, keep-alive) sends a RST, as
 *   smoltcp does, in case the peer is still there.
 *
 * ## NOT implemented
 * Congestion control (no slow start, no congestion window, no NewReno recovery: a sender that
 * gets a big window fills it at once; fine on a LAN, unfriendly on a shared bottleneck), SACK and
 * timestamps (RFC 2018, RFC 7323 §3–4: a peer's SACK-permitted and timestamp options are simply
 * not echoed, so the peer does not use them), the urgent pointer (ignored), the User Timeout
 * Option (RFC 5482 option 28), TCP Fast Open, ECN, MD5 / TCP-AO, RFC 6191 TIME-WAIT reuse,
 * F-RTO and RACK.
 *
 * No allocation after construction: every state variable is a number or a preallocated
 * object, no closure or string is made on the packet path (messages only on API misuse).
 */

import { Assembler } from "../../storage/assembler.js";
import { RingBuffer } from "../../storage/ring-buffer.js";
import { type Duration, type Instant, MAX_DURATION, instantDiff } from "../../time.js";
import { IpAddress, IpEndpoint, IpProtocol, IpVersion } from "../../wire/ip.js";
import type { IpRepr } from "../../wire/ip-repr.js";
import { TcpControl, type TcpRepr } from "../../wire/tcp.js";
import { SocketError, SocketErrorCode } from "../error.js";
import { POLL_INGRESS, POLL_NOW, SocketMeta } from "../meta.js";
import { SocketKind, type Socket } from "../set.js";
import { type TcpContext, TcpIcmpError } from "./context.js";
import type { IsnGenerator } from "./isn.js";
import { RttEstimator } from "./rtt.js";
import { segmentAcceptable, seqAdd, seqGe, seqGt, seqInWindow, seqLe, seqLt, seqSub } from "./seq.js";
import { DelayedAck, TIME_WAIT_DURATION, TcpTimer, TimerKind, UserTimeout } from "./timer.js";

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
/** RFC 7323 §2.3: the largest window shift. */
export const TCP_MAX_WINDOW_SHIFT = 14;
/** SYNs sent again before an opening connection gives up (six SYNs in all, about 63 s with a 1 s RTO). */
export const TCP_SYN_RETRIES = 5;
/** RTO expiries in a row without progress before a connection gives up (Linux's `tcp_retries2`). */
export const TCP_MAX_RETRANSMITS = 15;
/** Unanswered keep-alive probes before the connection is declared dead (Linux's `tcp_keepalive_probes`). */
export const TCP_KEEPALIVE_PROBES = 9;
/** Challenge ACKs a socket sends per second at most (RFC 5961 §7). */
export const TCP_CHALLENGE_ACK_LIMIT = 10;
/** Duplicate ACKs that trigger a fast retransmit (RFC 5681 §3.2). */
export const TCP_DUP_ACK_THRESHOLD = 3;

/** What the segment `dispatch` prepared is, so that `dispatchCommit` knows what to update. */
const enum SendKind {
  /** New data, SYN, FIN or a plain ACK / window update. */
  Normal = 0,
  /** The RTO expired: go back to SND.UNA (back-off, Karn). */
  Retransmit = 1,
  /** Three duplicate ACKs: the first unacknowledged segment once more. */
  Fast = 2,
  /** A zero-window probe: one octet at SND.UNA. */
  Probe = 3,
  /** A keep-alive: SEQ = SND.UNA - 1, no data. */
  KeepAlive = 4,
  /** The RST of an aborted connection. */
  Rst = 5,
}

/** The largest value of the 16-bit window field. */
const MAX_WINDOW_FIELD = 0xffff;

/** The TCP socket (see the file comment). */
export class TcpSocket implements Socket {
  /** The socket kind, for the interface's dispatch. */
  readonly kind = SocketKind.Tcp;
  /** What the interface keeps about the socket (handle, neighbor wait). */
  readonly meta = new SocketMeta();

  // --- Connection state (RFC 9293 §3.3.1 names) -----------------------------------------------
  private st: TcpState = TcpState.Closed;
  /** ISS: our initial send sequence number. */
  private iss = 0;
  /** SND.UNA: the oldest unacknowledged sequence number (the front of the transmit ring once the SYN is acknowledged). */
  private sndUna = 0;
  /** SND.NXT: the next sequence number to send. A go-back-N retransmission moves it back to SND.UNA. */
  private sndNxt = 0;
  /** The highest SND.NXT reached: an ACK up to here is for something we sent (RFC 9293's SND.NXT before any go-back-N). */
  private sndMax = 0;
  /** SND.WND: the peer's window in octets (the field shifted by SND.WND.SHIFT), counted from SND.WL2's ACK. */
  private sndWnd = 0;
  /** SND.WL1: the SEG.SEQ of the segment that last updated SND.WND. */
  private sndWl1 = 0;
  /** SND.WL2: the SEG.ACK of the segment that last updated SND.WND. */
  private sndWl2 = 0;
  /** MAX.SND.WND (RFC 5961 §5): the largest window the peer has advertised; also Max(SND.WND) of the SWS rule. */
  private maxSndWnd = 0;
  /** SND.WND.SHIFT (RFC 7323): the peer's window shift, 0 unless both SYNs carried Window Scale. */
  private sndShift = 0;
  /** IRS: the peer's initial sequence number. */
  private irs = 0;
  /** RCV.NXT: the next sequence number expected from the peer (the front of the assembler). */
  private rcvNxt = 0;
  /** RCV.WND.SHIFT (RFC 7323): the shift of the window we advertise, 0 unless both SYNs carried Window Scale. */
  private rcvShift = 0;
  /** RCV.NXT + RCV.WND as last advertised: the right edge of the window the peer may fill (valid when `rcvAdvValid`). */
  private rcvAdvRight = 0;
  /** Whether a window has been advertised since the connection began. */
  private rcvAdvValid = false;
  /** The (unscaled) window field of our last SYN, to place the right edge once RCV.NXT is known. */
  private synWnd = 0;
  /** The peer's MSS (its option, raised to `TCP_MIN_PEER_MSS`, or the default). */
  private remoteMss = TCP_DEFAULT_MSS;
  /** The path MSS learned from ICMP "packet too big" (`0x7fffffff` while unknown). */
  private pathMss = 0x7fffffff;
  /** Whether the peer's SYN carried Window Scale. */
  private peerScaled = false;
  /** `close()` was called: a FIN follows the queued data (at SND.UNA + queued). */
  private finQueued = false;
  /** The peer's FIN arrived ahead of missing data: it sits at `rcvFinSeq` until RCV.NXT reaches it. */
  private rcvFinValid = false;
  /** The sequence number of the remembered out-of-order FIN. */
  private rcvFinSeq = 0;
  /** The connection came from `listen` (a RST or a failed handshake in SYN-RECEIVED returns to LISTEN). */
  private passive = false;
  /** The address `listen` was given (unspecified: any), restored on a return to LISTEN. */
  private readonly listenAddr = new IpAddress();
  /** An ACK is owed to the peer (RCV.NXT moved, or the peer must be told where we are). */
  private ackPending = false;
  /** Octets received since we last sent an ACK (RFC 9293 SHLD-19: ACK every second full-sized segment). */
  private rcvUnacked = 0;
  /** The largest segment received so far: the "full-sized" of the delayed-ACK rule. */
  private rcvMssSeen = 0;
  /** Duplicate ACKs in a row (RFC 5681 §3.2). */
  private dupAcks = 0;
  /** RTO expiries in a row without SND.UNA moving. */
  private retries = 0;
  /** Zero-window probes the peer has not answered. */
  private probesUnanswered = 0;
  /** Keep-alive probes the peer has not answered. */
  private keepAliveUnanswered = 0;
  /** The SYN was sent more than once (RFC 6298 §5.7 then wants a 3 s RTO). */
  private synRetransmitted = false;
  /** `abort()` (or a time-out) owes the peer a RST with SEQ = `rstSeq`. */
  private rstPending = false;
  /** The sequence number of the owed RST (SND.NXT when the connection ended). */
  private rstSeq = 0;
  /** Start of the current one-second challenge-ACK budget (valid when `challengeOpen`). */
  private challengeStart: Instant = 0;
  private challengeOpen = false;
  /** Challenge ACKs sent in the current second. */
  private challengeCount = 0;
  /** The keep-alive interval changed: re-arm the idle timer at the next poll. */
  private keepAliveDirty = false;
  /** The keep-alive interval in ms (0: off). */
  private keepAliveInterval: Duration = 0;
  /** The last network error, until `takeError()`. */
  private err: SocketErrorCode = SocketErrorCode.None;

  // The segment `dispatch` prepared, applied by `dispatchCommit`.
  private pendSeq = 0;
  private pendLen = 0;
  private pendCtl: TcpControl = TcpControl.None;
  private pendKind: SendKind = SendKind.Normal;
  private pendAck = true;
  /** The prepared probe replaces an RTO retransmission (the RTO backs off first). */
  private pendProbeAfterRto = false;
  /** The window field of the prepared segment (scaled, or raw for a SYN). */
  private pendWnd = 0;

  /** Received data, in order; out-of-order data waits in its free space. */
  readonly rx: RingBuffer;
  /** Data to send: SND.UNA at the front, then the unsent rest. */
  readonly tx: RingBuffer;
  /** Which parts of the receive window past RCV.NXT hold out-of-order data. */
  readonly assembler: Assembler;
  /** Our endpoint (port 0 while closed; while listening, the address may be unspecified). Read it, never modify it. */
  readonly local = new IpEndpoint();
  /** The peer's endpoint. Read it, never modify it. */
  readonly remote = new IpEndpoint();
  /** The connection's one timer (retransmit, fast retransmit, zero-window probe, keep-alive, TIME-WAIT). */
  readonly timer = new TcpTimer();
  /** The RFC 6298 RTO estimator. */
  readonly rtt = new RttEstimator();
  /** The delayed-ACK timer. */
  readonly delayedAck = new DelayedAck();
  /** The RFC 5482 user timeout. */
  readonly userTimeout = new UserTimeout();
  /** A scratch endpoint for `connect`. */
  private readonly scratch = new IpEndpoint();

  // --- Configuration -----------------------------------------------------------------------------
  /** The largest TCP payload the link carries (MTU less IP and TCP headers); the interface sets it before every call. */
  linkMss = TCP_DEFAULT_MSS;
  /** Nagle's algorithm (RFC 9293 §3.7.4): hold a small segment while data is unacknowledged. On by default. */
  nagle = true;
  /** SYN retransmissions before `connect` fails with `TimedOut`. */
  synRetries = TCP_SYN_RETRIES;
  /** RTO expiries in a row before the connection fails with `TimedOut`. */
  maxRetransmits = TCP_MAX_RETRANSMITS;
  /** Unanswered keep-alives before the connection fails with `TimedOut`. */
  keepAliveProbes = TCP_KEEPALIVE_PROBES;
  /** Challenge ACKs per second (RFC 5961 §7). */
  challengeAckLimit = TCP_CHALLENGE_ACK_LIMIT;
  /** TTL / hop limit of our segments (the interface may override it). */
  hopLimit = 64;
  /** The ISN of a connection accepted in LISTEN when neither `context` nor `isnGenerator` is set (tests). */
  listenIsn = 0;
  /** When set (and `context` is not), the ISN of an accepted connection comes from it (RFC 6528). */
  isnGenerator: IsnGenerator | null = null;
  /** The interface, given to `connect` or `listen`: the ISN of an accepted connection comes from it. */
  context: TcpContext | null = null;

  // --- Counters ----------------------------------------------------------------------------------
  /** Segments sent again because the RTO expired. */
  retransmits = 0;
  /** Fast retransmissions (three duplicate ACKs). */
  fastRetransmits = 0;
  /** Zero-window probes sent. */
  windowProbes = 0;
  /** Challenge ACKs sent (RFC 5961). */
  challengeAcks = 0;
  /** Challenge ACKs not sent because of the rate limit. */
  challengeAcksLimited = 0;
  /** Segments received out of order and kept. */
  rxOutOfOrder = 0;
  /** Segments dropped because the assembler had no free range. */
  rxAssemblerFull = 0;

  /**
   * A closed socket with a receive ring of `rxCapacity` octets, a transmit ring of `txCapacity`
   * octets and an assembler of `assemblerGaps` out-of-order ranges.
   */
  constructor(rxCapacity: number, txCapacity: number, assemblerGaps = 4) {
    this.rx = new RingBuffer(rxCapacity);
    this.tx = new RingBuffer(txCapacity);
    this.assembler = new Assembler(assemblerGaps);
  }

  // =============================================================================================
  // The application's side
  // =============================================================================================

  /** The connection state. */
  get state(): TcpState {
    return this.st;
  }

  /** Our endpoint (see `local`). */
  get localEndpoint(): Readonly<IpEndpoint> {
    return this.local;
  }

  /** The peer's endpoint (see `remote`). */
  get remoteEndpoint(): Readonly<IpEndpoint> {
    return this.remote;
  }

  /** The last network error (None if none), not cleared. */
  get error(): SocketErrorCode {
    return this.err;
  }

  /** Returns the last network error and clears it. */
  takeError(): SocketErrorCode {
    const e = this.err;
    this.err = SocketErrorCode.None;
    return e;
  }

  /** Keep-alive interval in ms (0: off, the default). RFC 1122 §4.2.3.6: probes only an idle connection. */
  get keepAlive(): Duration {
    return this.keepAliveInterval;
  }

  set keepAlive(ms: Duration) {
    checkDuration("keepAlive", ms);
    this.keepAliveInterval = ms;
    this.keepAliveDirty = true;
  }

  /** The user timeout in ms (0: none, the default): RFC 5482, data unacknowledged that long aborts with `TimedOut`. */
  get timeout(): Duration {
    return this.userTimeout.timeout;
  }

  set timeout(ms: Duration) {
    checkDuration("timeout", ms);
    this.userTimeout.timeout = ms;
  }

  /** How long an ACK may be delayed, in ms (0: never; default 10; RFC 9293 MUST-40: below 500). */
  get ackDelay(): Duration {
    return this.delayedAck.ackDelay;
  }

  set ackDelay(ms: Duration) {
    if (!(Number.isInteger(ms) && ms >= 0 && ms < 500)) throw new RangeError("ackDelay must be an integer from 0 to 499 ms: " + ms);
    this.delayedAck.ackDelay = ms;
    if (ms === 0) this.delayedAck.reset();
  }

  /** Not CLOSED and not TIME-WAIT (smoltcp's `is_open`). */
  get isOpen(): boolean {
    return this.st !== TcpState.Closed && this.st !== TcpState.TimeWait;
  }

  /** In LISTEN. */
  get isListening(): boolean {
    return this.st === TcpState.Listen;
  }

  /** A connection exists or is being made (not CLOSED, LISTEN or TIME-WAIT). */
  get isActive(): boolean {
    const s = this.st;
    return s !== TcpState.Closed && s !== TcpState.Listen && s !== TcpState.TimeWait;
  }

  /** Our half is open: ESTABLISHED or CLOSE-WAIT, and `close()` not called. */
  get maySend(): boolean {
    return (this.st === TcpState.Established || this.st === TcpState.CloseWait) && !this.finQueued;
  }

  /** `maySend` and the transmit ring has room. */
  get canSend(): boolean {
    return this.maySend && !this.tx.isFull();
  }

  /** Data can still be read: the peer's half is open, or received data waits. */
  get mayRecv(): boolean {
    const s = this.st;
    return s === TcpState.Established || s === TcpState.FinWait1 || s === TcpState.FinWait2 || !this.rx.isEmpty();
  }

  /** Received data waits. */
  get canRecv(): boolean {
    return !this.rx.isEmpty();
  }

  /** Octets queued to send (unacknowledged included). */
  get sendQueue(): number {
    return this.tx.len();
  }

  /** Octets received and not yet read. */
  get recvQueue(): number {
    return this.rx.len();
  }

  /** Size of the transmit ring. */
  get sendCapacity(): number {
    return this.tx.capacity;
  }

  /** Size of the receive ring. */
  get recvCapacity(): number {
    return this.rx.capacity;
  }

  /**
   * Waits for a connection on `local`: a port, or an endpoint (an unspecified address means any
   * of ours). `ctx`, if given, supplies the ISN of each accepted connection. Throws
   * `SocketError(InvalidState)` unless closed, `Unaddressable` for port 0.
   */
  listen(local: IpEndpoint | number, ctx?: TcpContext): void {
    const port = typeof local === "number" ? local : local.port;
    if (this.st !== TcpState.Closed) throw new SocketError(SocketErrorCode.InvalidState, "listen in " + TCP_STATE_NAMES[this.st]);
    if (!(Number.isInteger(port) && port > 0 && port <= 0xffff)) throw new SocketError(SocketErrorCode.Unaddressable, "port " + port);
    this.resetConnection();
    if (typeof local === "number" || local.addr.isUnspecified()) this.listenAddr.clear();
    else this.listenAddr.copyFrom(local.addr);
    if (ctx !== undefined) this.context = ctx;
    this.local.addr.copyFrom(this.listenAddr);
    this.local.port = port;
    this.remote.addr.clear();
    this.remote.port = 0;
    this.passive = true;
    this.st = TcpState.Listen;
  }

  /**
   * Opens a connection to `remote`. What `local` leaves open the interface `ctx` fills: no port
   * (or 0) → `ctx.tcpEphemeralPort()` (none: `NoPortAvailable`); no address →
   * `ctx.tcpSourceAddress` (none: `Unaddressable`). The ISN is `ctx.tcpInitialSeq` (RFC 6528),
   * `linkMss` is `ctx.tcpLinkMss(remote)`, the time `ctx.tcpNow()`. The SYN leaves at the next
   * poll. Throws `InvalidState` unless closed, `Unaddressable` for a remote without address or
   * port or a local address of the other version.
   */
  connect(ctx: TcpContext, remote: IpEndpoint, local?: IpEndpoint | number): void {
    if (this.st !== TcpState.Closed) throw new SocketError(SocketErrorCode.InvalidState, "connect in " + TCP_STATE_NAMES[this.st]);
    checkRemote(remote);
    const l = this.scratch;
    l.addr.clear();
    l.port = 0;
    if (typeof local === "number") l.port = local;
    else if (local !== undefined) l.copyFrom(local);
    if (!(Number.isInteger(l.port) && l.port >= 0 && l.port <= 0xffff)) throw new SocketError(SocketErrorCode.Unaddressable, "port " + l.port);
    if (l.addr.isUnspecified()) {
      if (!ctx.tcpSourceAddress(remote.addr, l.addr)) throw new SocketError(SocketErrorCode.Unaddressable, "no source address for " + remote);
    } else if (l.addr.version !== remote.addr.version) {
      throw new SocketError(SocketErrorCode.Unaddressable, l + " to " + remote);
    }
    if (l.port === 0) {
      l.port = ctx.tcpEphemeralPort();
      if (l.port === 0) throw new SocketError(SocketErrorCode.NoPortAvailable);
    }
    const now = ctx.tcpNow();
    this.linkMss = ctx.tcpLinkMss(remote.addr);
    this.connectWith(now, l, remote, ctx.tcpInitialSeq(now, l, remote));
    this.context = ctx;
  }

  /**
   * The lower-level `connect` for tests and hosts without an interface: from `local` (a
   * specified address and port) to `remote` at `now`, with initial sequence number `isn`.
   */
  connectWith(now: Instant, local: IpEndpoint, remote: IpEndpoint, isn: number): void {
    if (this.st !== TcpState.Closed) throw new SocketError(SocketErrorCode.InvalidState, "connect in " + TCP_STATE_NAMES[this.st]);
    checkRemote(remote);
    if (local.port <= 0 || local.port > 0xffff || local.addr.isUnspecified() || local.addr.version !== remote.addr.version) {
      throw new SocketError(SocketErrorCode.Unaddressable, "local endpoint " + local);
    }
    this.resetConnection();
    this.local.copyFrom(local);
    this.remote.copyFrom(remote);
    this.iss = isn | 0;
    this.sndUna = this.iss;
    this.sndNxt = this.iss;
    this.sndMax = this.iss;
    // RFC 7323 §2.2: we offer our shift in the SYN; it holds only if the peer answers with one.
    this.rcvShift = this.ourShift();
    this.st = TcpState.SynSent;
    this.timer.setForIdle(now, 0);
  }

  /**
   * Queues up to `len` octets of `bytes[off...]` for sending; returns how many fit (0 when the
   * ring is full). Allowed from SYN-SENT to CLOSE-WAIT until `close()`; otherwise throws
   * `SocketError(InvalidState)`.
   */
  send(bytes: Uint8Array, off: number, len: number): number {
    this.checkSend();
    return this.tx.enqueueSlice(bytes, off, len);
  }

  /** The same as `send` (smoltcp's name). */
  sendSlice(bytes: Uint8Array, off: number, len: number): number {
    return this.send(bytes, off, len);
  }

  /** In-place send: the offset in `tx.bytes` where the application may write up to `sendWindowLen()` octets. */
  sendWindowOffset(): number {
    return this.tx.enqueueWindowOffset();
  }

  /** In-place send: the contiguous room at `sendWindowOffset()` (ask for both together). */
  sendWindowLen(): number {
    return this.tx.enqueueWindowLen();
  }

  /** In-place send: queues `n` octets written at `sendWindowOffset()`. Throws like `send`. */
  sendCommit(n: number): void {
    this.checkSend();
    this.tx.enqueueCommit(n);
  }

  /**
   * Copies up to `max` received octets into `dst[off...]` and dequeues them. Returns how many;
   * 0 when none has arrived yet (LISTEN included); **-1 when none ever will**: the peer closed
   * its half (or the connection ended, or the socket is closed) and everything received has
   * been read. `error` tells a
   * reset or a time-out from an orderly close.
   */
  recv(dst: Uint8Array, off: number, max: number): number {
    const n = this.rx.dequeueSlice(dst, off, max);
    if (n > 0 || max === 0) return n;
    return this.recvFinished() ? -1 : 0;
  }

  /** The same as `recv` (smoltcp's name). */
  recvSlice(dst: Uint8Array, off: number, max: number): number {
    return this.recv(dst, off, max);
  }

  /** Like `recv` but leaves the data queued. */
  peek(dst: Uint8Array, off: number, max: number): number {
    const n = this.rx.readAllocated(0, dst, off, max);
    if (n > 0 || max === 0) return n;
    return this.recvFinished() ? -1 : 0;
  }

  /** In-place receive: the offset in `rx.bytes` of the oldest received octet. */
  recvWindowOffset(): number {
    return this.rx.dequeueWindowOffset();
  }

  /** In-place receive: the contiguous received octets at `recvWindowOffset()`. */
  recvWindowLen(): number {
    return this.rx.dequeueWindowLen();
  }

  /** In-place receive: dequeues `n` octets read at `recvWindowOffset()`. */
  recvCommit(n: number): void {
    this.rx.dequeueCommit(n);
  }

  /**
   * Closes our half (RFC 9293 §3.10.4): a FIN follows the queued data. LISTEN and SYN-SENT just
   * close; in SYN-RECEIVED the FIN waits for the handshake to complete.
   */
  close(): void {
    switch (this.st) {
      case TcpState.Listen:
      case TcpState.SynSent:
        this.toClosed();
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

  /** Drops the connection at once (RFC 9293 §3.10.5): a synchronized connection is sent `<SEQ=SND.NXT><CTL=RST>`. */
  abort(): void {
    const s = this.st;
    this.rstPending = s >= TcpState.SynReceived && s !== TcpState.TimeWait;
    this.rstSeq = this.sndNxt;
    this.toClosed();
  }

  // =============================================================================================
  // The interface's side: ingress
  // =============================================================================================

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
   * filled with a segment for the interface to send at once to the segment's source. Never throws.
   */
  process(now: Instant, ip: IpRepr, tcp: TcpRepr, bytes: Uint8Array, off: number, len: number, reply: TcpRepr): boolean {
    if (off < 0 || len < 0 || off + len > bytes.length) return false;
    switch (this.st) {
      case TcpState.Closed:
        return false;
      case TcpState.Listen:
        return this.processListen(now, ip, tcp, reply);
      case TcpState.SynSent:
        return this.processSynSent(now, tcp, reply);
      default:
        return this.processSynchronized(now, tcp, bytes, off, len, reply);
    }
  }

  /** RFC 9293 §3.10.7.2, LISTEN. */
  private processListen(now: Instant, ip: IpRepr, tcp: TcpRepr, reply: TcpRepr): boolean {
    const ctl = tcp.control;
    // "First, check for a RST: An incoming RST segment could not be valid since it could not
    // have been sent in response to anything sent by this incarnation of the connection. An
    // incoming RST should be ignored."
    if (ctl === TcpControl.Rst) return false;
    // "Second, check for an ACK: ... any acknowledgment is bad ... <SEQ=SEG.ACK><CTL=RST>."
    if (tcp.hasAck) return this.replyRst(tcp, reply);
    // "Third, check for a SYN": anything else "should be dropped".
    if (ctl !== TcpControl.Syn) return false;
    this.remote.addr.copyFrom(ip.srcAddr);
    this.remote.port = tcp.srcPort;
    this.local.addr.copyFrom(ip.dstAddr);
    const ctx = this.context;
    const g = this.isnGenerator;
    this.iss = (ctx !== null ? ctx.tcpInitialSeq(now, this.local, this.remote) : g !== null ? g.generate(now, this.local, this.remote) : this.listenIsn) | 0;
    this.sndUna = this.iss;
    this.sndNxt = this.iss;
    this.sndMax = this.iss;
    // Our window scale answers the peer's: "Window Scale option ... MUST only be sent in a
    // <SYN,ACK> segment if the option was received in the initial <SYN>" (RFC 7323 §2.2).
    this.acceptSyn(tcp, tcp.windowScale >= 0);
    this.sndWl2 = this.iss;
    // "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ ... ISS should be selected and a SYN
    // segment sent of the form <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>." Data on the SYN is not
    // queued (see the file comment): the peer sends it again.
    this.st = TcpState.SynReceived;
    this.timer.setForIdle(now, 0);
    return false;
  }

  /** RFC 9293 §3.10.7.3, SYN-SENT. */
  private processSynSent(now: Instant, tcp: TcpRepr, reply: TcpRepr): boolean {
    const ctl = tcp.control;
    // "First, check the ACK bit: If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless
    // the RST bit is set, if so drop the segment and return)."
    const ack = tcp.ackNumber;
    if (tcp.hasAck && (seqLe(ack, this.iss) || seqGt(ack, this.sndNxt))) {
      return ctl === TcpControl.Rst ? false : this.replyRst(tcp, reply);
    }
    // "Second, check the RST bit: If the ACK was acceptable, then signal to the user "error:
    // connection reset", drop the segment, enter CLOSED state ... Otherwise (no ACK), drop."
    if (ctl === TcpControl.Rst) {
      if (tcp.hasAck) this.fail(SocketErrorCode.ConnectionRefused, false);
      return false;
    }
    // "Fourth, check the SYN bit"; "If neither of the SYN or RST bits is set, then drop."
    if (ctl !== TcpControl.Syn) return false;
    this.acceptSyn(tcp, tcp.windowScale >= 0);
    this.rcvAdvRight = seqAdd(this.rcvNxt, this.synWnd);
    this.rcvAdvValid = true;
    this.ackPending = true;
    if (tcp.hasAck) {
      // "If SND.UNA > ISS (our SYN has been ACKed), change the connection state to ESTABLISHED,
      // form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it."
      this.sndWl2 = ack;
      this.established(now, ack);
    } else {
      // "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT>
      // <CTL=SYN,ACK> and send it" (simultaneous open): our SYN again, now with an ACK.
      this.sndWl2 = this.iss;
      this.sndNxt = this.iss;
      this.st = TcpState.SynReceived;
    }
    return false;
  }

  /** RFC 9293 §3.10.7.4, SYN-RECEIVED and every synchronized state. */
  private processSynchronized(now: Instant, tcp: TcpRepr, bytes: Uint8Array, off: number, len: number, reply: TcpRepr): boolean {
    const ctl = tcp.control;
    const seq = tcp.seqNumber;

    // "Second, check the RST bit", as RFC 5961 §3.2 refines it: "1) If the RST bit is set and
    // the sequence number is outside the current receive window, silently drop the segment.
    // 2) If the RST bit is set and the sequence number exactly matches the next expected
    // sequence number (RCV.NXT), then TCP MUST reset the connection. 3) If the RST bit is set
    // and the sequence number does not exactly match the next expected sequence value, yet is
    // within the current receive window, TCP MUST send an acknowledgment (challenge ACK)."
    // (Checked before the acceptability test, which would answer an unacceptable RST.)
    if (ctl === TcpControl.Rst) {
      if (seq === this.rcvNxt) {
        this.onReset();
        return false;
      }
      const wnd = this.rcvWindowMax();
      if (seqInWindow(seq, this.rcvNxt, wnd > 0 ? wnd : 1)) return this.challengeAck(now, tcp, reply);
      return false;
    }

    // "Fourth, check the SYN bit": RFC 5961 §4.2, "If the SYN bit is set, irrespective of the
    // sequence number, TCP MUST send an ACK (also referred to as challenge ACK) to the remote
    // peer". (Checked early for the same reason.) Exception: in SYN-RECEIVED the peer's own
    // SYN again means our SYN-ACK was lost: send it again (Linux's `tcp_check_req`).
    // A second exception, for a simultaneous open (RFC 9293 Figure 8): the peer's SYN-ACK
    // (SEQ = IRS, ACK = ISS + 1) completes our SYN-RECEIVED as the ACK would (as Linux does in
    // `tcp_validate_incoming`); the acceptability test would refuse its SYN octet.
    if (ctl === TcpControl.Syn) {
      if (this.st === TcpState.SynReceived && seq === this.irs) {
        if (!tcp.hasAck) {
          this.sndNxt = this.iss;
          return false;
        }
        if (tcp.ackNumber === seqAdd(this.iss, 1) && seqGt(this.sndNxt, this.iss)) {
          this.sndWnd = tcp.windowLen; // a SYN's window is not scaled
          this.sndWl1 = seq;
          this.sndWl2 = tcp.ackNumber;
          if (this.sndWnd > this.maxSndWnd) this.maxSndWnd = this.sndWnd;
          this.established(now, tcp.ackNumber);
          return false;
        }
      }
      return this.challengeAck(now, tcp, reply);
    }

    // "First, check sequence number": the four-case table, with RCV.WND the room the receive
    // ring has now (never less than what we advertised). "If an incoming segment is not
    // acceptable, an acknowledgment should be sent in reply (unless the RST bit is set ...):
    // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. After sending the acknowledgment, drop the
    // unacceptable segment and return."
    const fin = ctl === TcpControl.Fin;
    const segLen = len + (fin ? 1 : 0);
    if (!segmentAcceptable(seq, segLen, this.rcvNxt, this.rcvWindowMax())) {
      // TIME-WAIT: "The only thing that can arrive in this state is a retransmission of the
      // remote FIN. Acknowledge it, and restart the 2 MSL timeout."
      if (this.st === TcpState.TimeWait && fin && seqAdd(seq, segLen) === this.rcvNxt) this.toTimeWait(now);
      return this.replyAck(tcp, reply);
    }

    // "Fifth, check the ACK field: if the ACK bit is off, drop the segment and return."
    if (!tcp.hasAck) return false;
    const ack = tcp.ackNumber;
    if (this.st === TcpState.SynReceived) {
      // "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state and continue processing
      // with the variables below set to: SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <-
      // SEG.ACK. If the segment acknowledgment is not acceptable, form a reset segment
      // <SEQ=SEG.ACK><CTL=RST> and send it."
      if (ack !== seqAdd(this.iss, 1) || !seqGt(this.sndNxt, this.iss)) return this.replyRst(tcp, reply);
      this.sndWnd = tcp.windowLen << this.sndShift;
      this.sndWl1 = seq;
      this.sndWl2 = ack;
      if (this.sndWnd > this.maxSndWnd) this.maxSndWnd = this.sndWnd;
      this.established(now, ack);
    } else {
      // RFC 5961 §5.2: "The ACK value is considered acceptable only if it is in the range of
      // ((SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT). All incoming segments whose ACK value
      // doesn't satisfy the above condition MUST be discarded and an ACK sent back." RFC 9293:
      // "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop
      // the segment, and return." Both are challenge ACKs, rate-limited.
      if (seqGt(ack, this.sndMax) || seqLt(ack, seqSub(this.sndUna, this.maxSndWnd))) return this.challengeAck(now, tcp, reply);
      // "If the ACK is a duplicate (SEG.ACK < SND.UNA), it can be ignored."
      if (!seqLt(ack, this.sndUna)) {
        this.processAck(now, tcp, seq, ack, len);
        if (this.st === TcpState.Closed) return false; // LAST-ACK ended
      }
    }
    // The peer is alive: the next keep-alive is an interval from now.
    this.keepAliveUnanswered = 0;
    this.timer.rewindKeepAlive(now, this.keepAliveFor());

    // "Seventh, process the segment text" and "eighth, check the FIN bit": text only while the
    // peer's half is open (ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2); in CLOSE-WAIT, CLOSING,
    // LAST-ACK and TIME-WAIT "this should not occur since a FIN has been received from the
    // remote side. Ignore the segment text" (and a FIN there is a retransmission, which the
    // acceptability test answered).
    const s = this.st;
    if ((s === TcpState.Established || s === TcpState.FinWait1 || s === TcpState.FinWait2) && segLen > 0) {
      this.receive(now, seq, bytes, off, len, fin);
    }
    return false;
  }

  /**
   * The fifth check for SND.UNA =< SEG.ACK =< SND.NXT (highest): frees acknowledged data, counts
   * duplicate ACKs (RFC 5681), updates the window (SND.WL1/WL2), the timers, and the closing
   * states whose FIN this acknowledges.
   */
  private processAck(now: Instant, tcp: TcpRepr, seq: number, ack: number, len: number): void {
    const wnd = tcp.windowLen << this.sndShift;
    if (seqGt(ack, this.sndNxt)) this.sndNxt = ack; // a late ACK of data sent before a go-back-N
    const acked = seqSub(ack, this.sndUna);
    let finAcked = false;
    if (acked === 0) {
      // RFC 5681 §3.2, "DUPLICATE ACKNOWLEDGMENT: An acknowledgment is considered a "duplicate"
      // ... when (a) the receiver of the ACK has outstanding data, (b) the incoming
      // acknowledgment carries no data, (c) the SYN and FIN bits are both off, (d) the
      // acknowledgment number is equal to the greatest acknowledgment received on the given
      // connection (TCP.UNA from RFC 793) and (e) the advertised window in the incoming
      // acknowledgment equals the advertised window in the last incoming acknowledgment."
      const ctl = tcp.control;
      if (len === 0 && (ctl === TcpControl.None || ctl === TcpControl.Psh) && this.sndMax !== this.sndUna && wnd === this.sndWnd) {
        this.dupAcks++;
        // "The fast retransmit algorithm uses the arrival of 3 duplicate ACKs ... as an
        // indication that a segment has been lost." (No congestion window to halve here.)
        if (this.dupAcks === TCP_DUP_ACK_THRESHOLD && this.timer.kind === TimerKind.Retransmit) this.timer.setForFastRetransmit();
      }
    } else {
      // "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK. Any segments on the
      // retransmission queue that are thereby entirely acknowledged are removed."
      this.dupAcks = 0;
      this.retries = 0;
      const queued = this.tx.len();
      this.tx.dequeueAllocated(acked < queued ? acked : queued);
      finAcked = acked > queued; // the FIN sits just past the queued data
      this.sndUna = ack;
      this.rtt.onAck(ack, now);
      this.userTimeout.onAck(now, this.sndMax !== this.sndUna);
    }
    // "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated. If (SND.WL1 <
    // SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), set SND.WND <- SEG.WND, set
    // SND.WL1 <- SEG.SEQ, and set SND.WL2 <- SEG.ACK." (An old segment cannot shrink it.)
    if (seqLt(this.sndWl1, seq) || (this.sndWl1 === seq && seqLe(this.sndWl2, ack))) {
      this.sndWnd = wnd;
      this.sndWl1 = seq;
      this.sndWl2 = ack;
      if (wnd > this.maxSndWnd) this.maxSndWnd = wnd;
    }
    // The timer.
    const timer = this.timer;
    if (timer.kind === TimerKind.ZeroWindowProbe) {
      // The peer answered: probing "MUST NOT" give up while it does (RFC 9293 MUST-36 / §3.8.6.1).
      this.probesUnanswered = 0;
      if (this.sndWnd > 0) {
        // The window opened. A probe octet this ACK does not cover was refused: it goes again
        // with the rest, from SND.UNA.
        this.sndNxt = this.sndUna;
        this.idle(now);
      } else if (this.userTimeout.pending) {
        this.userTimeout.onAck(now, true); // a live peer with a closed window is no time-out
      }
    } else if (timer.kind !== TimerKind.Close) {
      if (this.sndNxt === this.sndUna) {
        // RFC 6298 (5.2): "When all outstanding data has been acknowledged, turn off the
        // retransmission timer." (Data past SND.NXT after a go-back-N goes out next.)
        if (timer.isRetransmit()) this.idle(now);
      } else if (acked > 0) {
        // (5.3): "When an ACK is received that acknowledges new data, restart the
        // retransmission timer so that it will expire after RTO seconds."
        if (timer.kind === TimerKind.Retransmit) timer.rewindRetransmit(now, this.rtt.rto);
        else if (timer.kind !== TimerKind.FastRetransmit || this.dupAcks === 0) timer.setForRetransmit(now, this.rtt.rto);
      }
    }
    if (!finAcked) return;
    switch (this.st) {
      case TcpState.FinWait1:
        // "In addition to the processing for the ESTABLISHED state, if the FIN segment is now
        // acknowledged, then enter FIN-WAIT-2 and continue processing in that state."
        this.st = TcpState.FinWait2;
        this.idle(now);
        break;
      case TcpState.Closing:
        // "if the ACK acknowledges our FIN, then enter the TIME-WAIT state".
        this.toTimeWait(now);
        break;
      case TcpState.LastAck:
        // "If our FIN is now acknowledged, delete the TCB, enter the CLOSED state, and return."
        this.toClosed();
        break;
      default:
        break;
    }
  }

  /**
   * The seventh and eighth checks: puts `len` octets at `seq` into the receive ring (in order or
   * not, through the assembler), then the FIN, and decides how soon to acknowledge.
   */
  private receive(now: Instant, seq: number, bytes: Uint8Array, off: number, len: number, fin: boolean): void {
    // The segment passed the acceptability test, so it ends at or after RCV.NXT.
    let skip = seqSub(this.rcvNxt, seq); // octets we already have at its front
    let offset = 0; // where the new octets go, past RCV.NXT
    if (skip < 0) {
      offset = -skip;
      skip = 0;
    }
    let n = len - skip;
    let finOk = fin;
    const room = this.rx.window() - offset;
    if (n > room) {
      // "Segments with higher beginning sequence numbers may be held for later processing": what
      // lies beyond the buffer is dropped, and a FIN after it with it.
      n = room > 0 ? room : 0;
      finOk = false;
    }
    const hadGaps = !this.assembler.isEmpty();
    let inOrder = 0;
    if (n > 0) {
      const written = this.rx.writeUnallocated(offset, bytes, off + skip, n);
      inOrder = this.assembler.addThenRemoveFront(offset, written);
      if (inOrder < 0) {
        // The assembler has no range left: drop the segment, as if lost (the peer sends it
        // again), and say at once where we are.
        this.rxAssemblerFull++;
        this.ackNow(now);
        return;
      }
      if (offset > 0) this.rxOutOfOrder++;
      this.rx.enqueueUnallocated(inOrder);
      this.rcvNxt = seqAdd(this.rcvNxt, inOrder);
      this.rcvUnacked += n;
      if (n > this.rcvMssSeen) this.rcvMssSeen = n;
    }
    let finNow = false;
    if (finOk) {
      const finSeq = seqAdd(seq, len);
      if (finSeq === this.rcvNxt) finNow = true;
      else if (!this.rcvFinValid) {
        this.rcvFinValid = true; // out of order: remember where the stream ends
        this.rcvFinSeq = finSeq;
      }
    }
    if (this.rcvFinValid) {
      if (this.rcvFinSeq === this.rcvNxt) finNow = true;
      else if (seqGt(this.rcvNxt, this.rcvFinSeq)) this.rcvFinValid = false; // data past a FIN: the FIN was bogus
    }
    if (finNow) {
      // "If the FIN bit is set, signal the user "connection closing" ..., advance RCV.NXT over
      // the FIN, and send an acknowledgment for the FIN."
      this.rcvFinValid = false;
      this.rcvNxt = seqAdd(this.rcvNxt, 1);
      switch (this.st) {
        case TcpState.Established:
          this.st = TcpState.CloseWait; // "Enter the CLOSE-WAIT state."
          break;
        case TcpState.FinWait1:
          this.st = TcpState.Closing; // our FIN is not acknowledged yet (else we would be in FIN-WAIT-2)
          break;
        default:
          this.toTimeWait(now); // FIN-WAIT-2: "Enter the TIME-WAIT state."
          break;
      }
      this.ackNow(now);
      return;
    }
    // When to acknowledge. RFC 9293 §3.8.6.3: delay (SHLD-18), "in a stream of full-sized
    // segments, there SHOULD be an ACK for at least every second full-sized segment" (SHLD-19);
    // RFC 5681 §4.2: "an ACK SHOULD be generated immediately" for an out-of-order segment and
    // for one that fills a gap. Linux's quick ACK also answers duplicate data at once.
    this.ackPending = true;
    const immediate = offset > 0 || skip > 0 || (hadGaps && inOrder > 0) || n === 0 || this.rcvUnacked >= 2 * this.rcvMssSeen;
    this.delayedAck.onSegment(now, immediate);
  }

  /** An ACK is owed and must not wait. */
  private ackNow(now: Instant): void {
    this.ackPending = true;
    this.delayedAck.onSegment(now, true);
  }

  /** The handshake is complete at `now`: SND.UNA = `ack` (ISS + 1). */
  private established(now: Instant, ack: number): void {
    this.sndUna = ack;
    this.rtt.onAck(ack, now);
    if (this.synRetransmitted) this.rtt.onSynTimeout();
    this.retries = 0;
    this.userTimeout.onAck(now, false);
    this.st = this.finQueued ? TcpState.FinWait1 : TcpState.Established;
    this.idle(now);
  }

  /** A RST was accepted (RFC 9293 §3.10.7.4, second check, per state). */
  private onReset(): void {
    switch (this.st) {
      case TcpState.SynReceived:
        // "If this connection was initiated with a passive OPEN (i.e., came from the LISTEN
        // state), then return this connection to LISTEN state and return. ... If this connection
        // was initiated with an active OPEN (i.e., came from SYN-SENT state), then the connection
        // was refused; signal the user "connection refused"."
        if (this.passive) this.backToListen();
        else this.fail(SocketErrorCode.ConnectionRefused, false);
        return;
      case TcpState.Established:
      case TcpState.FinWait1:
      case TcpState.FinWait2:
      case TcpState.CloseWait:
        // "any outstanding RECEIVEs and SEND should receive "reset" responses. All segment
        // queues should be flushed. Users should also receive an unsolicited general
        // "connection reset" signal. Enter the CLOSED state." (Data already received stays
        // readable, as in smoltcp.)
        this.tx.clear();
        this.fail(SocketErrorCode.ConnectionReset, false);
        return;
      default:
        // CLOSING, LAST-ACK, TIME-WAIT: "enter the CLOSED state, delete the TCB, and return."
        this.toClosed();
        return;
    }
  }

  /** Takes the peer's SYN: IRS, RCV.NXT, its window, MSS and window shift. `scaled`: both sides use Window Scale. */
  private acceptSyn(tcp: TcpRepr, scaled: boolean): void {
    this.irs = tcp.seqNumber;
    this.rcvNxt = seqAdd(tcp.seqNumber, 1);
    this.sndWl1 = tcp.seqNumber;
    // RFC 7323 §2.2: "The window field in a segment where the SYN bit is set (i.e., a <SYN> or
    // <SYN,ACK>) MUST NOT be scaled."
    this.sndWnd = tcp.windowLen;
    this.maxSndWnd = tcp.windowLen;
    const mss = tcp.maxSegSize;
    this.remoteMss = mss > 0 ? (mss > TCP_MIN_PEER_MSS ? mss : TCP_MIN_PEER_MSS) : this.remote.addr.version === IpVersion.Ipv6 ? TCP_DEFAULT_MSS_V6 : TCP_DEFAULT_MSS;
    this.peerScaled = scaled;
    // "If a Window Scale option is received with a shift.cnt value larger than 14, the TCP
    // SHOULD log the error but MUST use 14 instead" (the parser already clamps).
    const ws = tcp.windowScale;
    this.sndShift = scaled ? (ws < TCP_MAX_WINDOW_SHIFT ? ws : TCP_MAX_WINDOW_SHIFT) : 0;
    this.rcvShift = scaled ? this.ourShift() : 0;
  }

  /** RFC 5961 §7: sends the challenge ACK unless this second's budget is spent. */
  private challengeAck(now: Instant, tcp: TcpRepr, reply: TcpRepr): boolean {
    if (!this.challengeOpen || instantDiff(now, this.challengeStart) >= 1000 || instantDiff(now, this.challengeStart) < 0) {
      this.challengeOpen = true;
      this.challengeStart = now;
      this.challengeCount = 0;
    }
    if (this.challengeCount >= this.challengeAckLimit) {
      this.challengeAcksLimited++;
      return false;
    }
    this.challengeCount++;
    this.challengeAcks++;
    return this.replyAck(tcp, reply);
  }

  /** Replies to `tcp` with a RST (RFC 9293 §3.10.7: SEQ = SEG.ACK, or SEQ 0 and ACK SEG.SEQ + SEG.LEN). */
  private replyRst(tcp: TcpRepr, reply: TcpRepr): boolean {
    fillReply(tcp, reply);
    reply.control = TcpControl.Rst;
    if (tcp.hasAck) {
      reply.seqNumber = tcp.ackNumber;
    } else {
      reply.hasAck = true;
      reply.ackNumber = seqAdd(tcp.seqNumber, tcp.segmentLen());
    }
    return true;
  }

  /** Replies to `tcp` with `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>` and our window. */
  private replyAck(tcp: TcpRepr, reply: TcpRepr): boolean {
    fillReply(tcp, reply);
    reply.seqNumber = this.sndNxt;
    reply.hasAck = true;
    reply.ackNumber = this.rcvNxt;
    reply.windowLen = this.windowToAdvertise() >> this.rcvShift;
    return true;
  }

  // =============================================================================================
  // The interface's side: egress
  // =============================================================================================

  /**
   * Prepares the next segment: -1 when there is nothing to send, else its payload length, with
   * `ip` (addresses, protocol, payload length, hop limit) and `tcp` filled in.
   */
  dispatch(now: Instant, ip: IpRepr, tcp: TcpRepr): number {
    if (!this.prepare(now)) return -1;
    const ctl = this.pendCtl;
    tcp.srcPort = this.local.port;
    tcp.dstPort = this.remote.port;
    tcp.control = ctl;
    tcp.seqNumber = this.pendSeq;
    tcp.hasAck = this.pendAck;
    tcp.ackNumber = this.pendAck ? this.rcvNxt : 0;
    tcp.windowLen = this.pendWnd;
    tcp.windowScale = -1;
    tcp.maxSegSize = 0;
    tcp.sackPermitted = false;
    tcp.sackCount = 0;
    tcp.hasTimestamp = false;
    tcp.payloadOffset = 0;
    tcp.payloadLen = this.pendLen;
    if (ctl === TcpControl.Syn) {
      tcp.maxSegSize = this.advMss();
      // RFC 7323 §2.2: offered in our SYN; in a SYN-ACK only if the peer's SYN had it.
      if (this.st === TcpState.SynSent) tcp.windowScale = this.rcvShift;
      else if (this.peerScaled) tcp.windowScale = this.rcvShift;
    }
    ip.version = this.remote.addr.version;
    ip.srcAddr.copyFrom(this.local.addr);
    ip.dstAddr.copyFrom(this.remote.addr);
    ip.nextHeader = IpProtocol.Tcp;
    ip.hopLimit = this.hopLimit;
    ip.payloadLen = tcp.headerLen() + this.pendLen;
    return this.pendLen;
  }

  /** Copies the prepared segment's data to `dst[off...]`. */
  dispatchPayload(dst: Uint8Array, off: number): void {
    if (this.pendLen > 0) this.tx.readAllocated(seqSub(this.pendSeq, this.sndUna), dst, off, this.pendLen);
  }

  /** The prepared segment went to the device: advance SND.NXT, arm the timers, clear the owed ACK. */
  dispatchCommit(now: Instant): void {
    const kind = this.pendKind;
    if (kind === SendKind.Rst) {
      this.rstPending = false;
      return;
    }
    if (this.pendAck) {
      // Every segment but our first SYN carries the ACK: nothing is owed any more.
      this.ackPending = false;
      this.delayedAck.onAckSent();
      this.rcvUnacked = 0;
      this.rcvAdvRight = seqAdd(this.rcvNxt, this.pendCtl === TcpControl.Syn ? this.pendWnd : this.pendWnd << this.rcvShift);
      this.rcvAdvValid = true;
    }
    if (this.pendCtl === TcpControl.Syn) {
      this.synWnd = this.pendWnd;
      if (kind === SendKind.Retransmit) this.synRetransmitted = true;
    }
    if (kind === SendKind.KeepAlive) {
      this.keepAliveUnanswered++;
      this.timer.setForIdle(now, this.keepAliveFor());
      return;
    }
    const segLen = this.pendLen + (this.pendCtl === TcpControl.Syn || this.pendCtl === TcpControl.Fin ? 1 : 0);
    if (segLen === 0) return;
    const end = seqAdd(this.pendSeq, segLen);
    switch (kind) {
      case SendKind.Retransmit:
        // RFC 6298 (5.4)-(5.6): retransmit the earliest segment, back off, restart the timer.
        // Go-back-N: what followed it goes out again after it.
        this.retransmits++;
        this.retries++;
        this.rtt.backoff();
        this.rtt.onRetransmit();
        this.sndNxt = end;
        this.timer.setForRetransmit(now, this.rtt.rto);
        break;
      case SendKind.Fast:
        this.fastRetransmits++;
        this.rtt.onRetransmit();
        if (seqGt(end, this.sndNxt)) this.sndNxt = end;
        this.timer.setForRetransmit(now, this.rtt.rto); // FastRetransmit → Retransmit, from now
        break;
      case SendKind.Probe:
        // The probe octet counts as sent; an ACK that takes it is an ordinary ACK. Not timed.
        this.windowProbes++;
        this.probesUnanswered++;
        if (seqGt(end, this.sndNxt)) this.sndNxt = end;
        this.rtt.onRetransmit();
        if (this.pendProbeAfterRto) this.rtt.backoff();
        if (this.timer.kind === TimerKind.ZeroWindowProbe) this.timer.rewindZeroWindowProbe(now, this.rtt.maxRto);
        else this.timer.setForZeroWindowProbe(now, this.rtt.rto);
        break;
      default:
        if (seqGt(end, this.sndNxt)) this.sndNxt = end;
        this.timer.setForRetransmit(now, this.rtt.rto); // RFC 6298 (5.1): starts it unless running
        break;
    }
    if (seqGt(this.sndNxt, this.sndMax)) this.sndMax = this.sndNxt;
    this.rtt.onSend(end, now);
    if (kind === SendKind.Probe) this.rtt.onRetransmit();
    this.userTimeout.onSend(now);
  }

  /**
   * The interface has no route for the prepared segment. In SYN-SENT the connection fails with
   * `NoRoute`. Otherwise the segment counts as sent and lost, so the retransmission timer tries
   * again later (no busy loop), and `NoRoute` is recorded as a soft error.
   */
  dispatchNoRoute(now: Instant): void {
    if (this.st === TcpState.SynSent) {
      this.fail(SocketErrorCode.NoRoute, false);
      return;
    }
    if (this.st !== TcpState.Closed) this.err = SocketErrorCode.NoRoute;
    this.dispatchCommit(now);
  }

  /**
   * An ICMP error quoting our segment with sequence number `seq`. Accepted (true) only when
   * SND.UNA =< seq < SND.NXT (RFC 5927 §4.1; in SYN-SENT only the ISS qualifies).
   * `Unreachable` ends a connection in SYN-SENT (and an active SYN-RECEIVED) with `Unreachable`;
   * elsewhere it is a soft error (RFC 1122 §4.2.3.9), only recorded. `PacketTooBig`: `mss` is
   * the largest payload the path carries; segments shrink to it (not below 536 / 1220) and what
   * no longer fits is sent again at once (RFC 1191 §6.5, RFC 8201 §5.4).
   */
  icmpError(now: Instant, kind: TcpIcmpError, seq: number, mss: number): boolean {
    const s = this.st;
    if (s === TcpState.Closed || s === TcpState.Listen || s === TcpState.TimeWait) return false;
    if (s === TcpState.SynSent) {
      if (seq !== this.iss || this.sndMax === this.iss) return false;
    } else if (!(seqGe(seq, this.sndUna) && seqLt(seq, this.sndMax))) {
      return false;
    }
    if (kind === TcpIcmpError.Unreachable) {
      if (s === TcpState.SynSent || (s === TcpState.SynReceived && !this.passive)) this.fail(SocketErrorCode.Unreachable, false);
      else this.err = SocketErrorCode.Unreachable;
      return true;
    }
    if (kind === TcpIcmpError.PacketTooBig) {
      const floor = this.remote.addr.version === IpVersion.Ipv6 ? TCP_MIN_PATH_MSS_V6 : TCP_MIN_PATH_MSS_V4;
      const m = mss > floor ? mss : floor;
      if (m < this.pathMss) {
        const before = this.effMss();
        this.pathMss = m;
        if (this.effMss() < before && s >= TcpState.Established && this.sndNxt !== this.sndUna) {
          // Everything in flight may have been too big: go back to SND.UNA, without back-off.
          this.sndNxt = this.sndUna;
          this.rtt.onRetransmit();
        }
      }
      return true;
    }
    return false;
  }

  /** 0 when a segment is ready, else ms until a timer is due, or -1 when only waiting for packets. */
  pollDelay(now: Instant): number {
    if (this.prepare(now)) return POLL_NOW;
    const s = this.st;
    if (s === TcpState.Closed || s === TcpState.Listen) return POLL_INGRESS;
    let d = this.timer.pollDelay(now);
    if (this.ackPending) d = earliest(d, this.delayedAck.pollDelay(now));
    return earliest(d, this.userTimeout.pollDelay(now));
  }

  // --- What to send ------------------------------------------------------------------------------

  /** Fills the pending-segment fields; false when nothing is to be sent. Expired timers act here. */
  private prepare(now: Instant): boolean {
    const s = this.st;
    this.pendLen = 0;
    this.pendCtl = TcpControl.None;
    this.pendKind = SendKind.Normal;
    this.pendAck = true;
    this.pendProbeAfterRto = false;
    this.pendSeq = this.sndNxt;
    if (s === TcpState.Closed) {
      if (!this.rstPending) return false;
      // RFC 9293 §3.10.5 ABORT: "<SEQ=SND.NXT><CTL=RST>".
      this.pendKind = SendKind.Rst;
      this.pendCtl = TcpControl.Rst;
      this.pendSeq = this.rstSeq;
      this.pendAck = false;
      this.pendWnd = 0;
      return true;
    }
    if (s === TcpState.Listen) return false;
    this.pendWnd = this.windowToAdvertise() >> this.rcvShift;
    if (s === TcpState.TimeWait) {
      if (this.timer.shouldClose(now)) {
        this.toClosed();
        return false;
      }
      return this.ackPending;
    }

    // RFC 5482 / RFC 9293 §3.10.1: the user timeout.
    if (this.userTimeout.expired(now)) return this.timedOut(now);
    const timer = this.timer;
    if (this.keepAliveDirty) {
      this.keepAliveDirty = false;
      if (timer.kind === TimerKind.Idle) this.idle(now);
    }
    const rtoDue = timer.kind === TimerKind.Retransmit && timer.shouldRetransmit(now) >= 0;
    const synState = s === TcpState.SynSent || s === TcpState.SynReceived;
    if (rtoDue && this.retries >= (synState ? this.synRetries : this.maxRetransmits)) return this.timedOut(now);

    if (synState) {
      // Our SYN (SYN-ACK in SYN-RECEIVED): first, or again on the RTO or a repeated SYN.
      if (rtoDue || this.sndNxt === this.iss) {
        this.pendKind = rtoDue ? SendKind.Retransmit : SendKind.Normal;
        this.pendCtl = TcpControl.Syn;
        this.pendSeq = this.iss;
        this.pendAck = s === TcpState.SynReceived;
        this.pendWnd = this.synWindow();
        return true;
      }
      return false;
    }

    // Retransmissions first.
    const queued = this.tx.len();
    let force = false;
    if (timer.kind === TimerKind.FastRetransmit || rtoDue) {
      if (this.sndWnd === 0 && queued > 0) {
        // The RTO expired into a closed window: a probe instead, and probing from now on.
        this.probe();
        this.pendProbeAfterRto = rtoDue;
        return true;
      }
      if (this.segmentAt(this.sndUna, this.sndWnd)) {
        this.pendKind = rtoDue ? SendKind.Retransmit : SendKind.Fast;
        return true;
      }
      this.idle(now); // nothing left to send again (a stale timer)
    } else if (timer.shouldProbeZeroWindow(now)) {
      if (this.probesUnanswered >= this.maxRetransmits) return this.timedOut(now);
      if (this.sndWnd === 0) {
        if (queued > 0) return this.probe();
        this.idle(now);
      } else {
        force = true; // the SWS override timeout (§3.8.6.2.1 (4)): send what fits
      }
    }

    // New data (and FIN): RFC 9293 §3.8.6.2.1 with Nagle.
    if (this.segmentAt(this.sndNxt, this.sndWnd - seqSub(this.sndNxt, this.sndUna))) {
      const n = this.pendLen;
      if (n === 0 || force || this.mayTransmit(n)) return true;
      this.pendLen = 0;
      this.pendCtl = TcpControl.None;
    }
    this.pendSeq = this.sndNxt;
    // Held data with nothing in flight: only the persist timer will make progress.
    const unsent = queued - seqSub(this.sndNxt, this.sndUna);
    if (unsent > 0 && this.sndMax === this.sndUna && timer.kind === TimerKind.Idle && this.sendingState()) {
      timer.setForZeroWindowProbe(now, this.rtt.rto);
    }

    // An ACK, or a window update (§3.8.6.2.2: only when the right edge moves by enough).
    if (this.ackPending && this.delayedAck.mayAck(now)) return true;
    if (this.windowUpdateDue()) return true;

    // Keep-alive (RFC 1122 §4.2.3.6): "SEG.SEQ = SND.NXT-1" with no data.
    if (timer.shouldKeepAlive(now)) {
      if (this.keepAliveFor() === 0) {
        timer.setForIdle(now, 0);
      } else if (this.keepAliveUnanswered >= this.keepAliveProbes) {
        return this.timedOut(now);
      } else {
        this.pendKind = SendKind.KeepAlive;
        this.pendSeq = seqAdd(this.sndUna, -1);
        return true;
      }
    }
    // A due timer that found nothing to do must not make `pollDelay` say 0 for ever.
    if ((timer.kind === TimerKind.Retransmit || timer.kind === TimerKind.FastRetransmit || timer.kind === TimerKind.ZeroWindowProbe) && timer.pollDelay(now) === 0) {
      if (this.sndMax === this.sndUna && unsent <= 0) this.idle(now);
      else timer.setForZeroWindowProbe(now, this.rtt.rto);
    }
    return false;
  }

  /**
   * Fills the pending segment with the data at `from` (at most `room` octets of window, and the
   * segment size), and the FIN if it follows the last queued octet. False when that is nothing.
   */
  private segmentAt(from: number, room: number): boolean {
    const sent = seqSub(from, this.sndUna);
    const queued = this.tx.len();
    let n = queued - sent;
    if (n > room) n = room;
    const mss = this.effMss();
    if (n > mss) n = mss;
    if (n < 0) n = 0;
    this.pendSeq = from;
    this.pendLen = n;
    // The FIN follows the data; like Linux, it is sent even into a closed window.
    const fin = this.finQueued && sent <= queued && sent + n === queued && (this.st === TcpState.FinWait1 || this.st === TcpState.Closing || this.st === TcpState.LastAck);
    this.pendCtl = fin ? TcpControl.Fin : TcpControl.None;
    return n > 0 || fin;
  }

  /**
   * RFC 9293 §3.8.6.2.1 (sender SWS avoidance) with Nagle (§3.7.4) for a prepared segment of
   * `n` > 0 new octets. Send "(1) if a maximum-sized segment can be sent ... (2) or if the data
   * is pushed and all queued data can be sent now ... [SND.NXT = SND.UNA] (3) or if at least a
   * fraction Fs of the maximum window can be sent ... [SND.NXT = SND.UNA]" with Fs = 1/2; the
   * bracketed condition is Nagle's. Every send is pushed (as smoltcp). Data being sent again
   * after a go-back-N (below the highest SND.NXT) is never held.
   */
  private mayTransmit(n: number): boolean {
    if (n >= this.effMss() || seqLt(this.sndNxt, this.sndMax) || this.pendCtl === TcpControl.Fin) return true;
    const nagleOk = !this.nagle || this.sndNxt === this.sndUna;
    if (!nagleOk) return false;
    const unsent = this.tx.len() - seqSub(this.sndNxt, this.sndUna);
    return n === unsent || n >= this.maxSndWnd >> 1;
  }

  /** A zero-window probe (RFC 9293 §3.8.6.1): one octet at SND.UNA. */
  private probe(): boolean {
    this.pendKind = SendKind.Probe;
    this.pendSeq = this.sndUna;
    this.pendLen = 1;
    this.pendCtl = TcpControl.None;
    return true;
  }

  /** A time-out ended the connection; prepares its RST if there is one. */
  private timedOut(now: Instant): boolean {
    const s = this.st;
    if (s === TcpState.SynReceived && this.passive) {
      this.backToListen();
      return false;
    }
    this.fail(SocketErrorCode.TimedOut, s !== TcpState.SynSent);
    return this.prepare(now);
  }

  /** Our half can carry data or a FIN (the states where SND.NXT moves). */
  private sendingState(): boolean {
    const s = this.st;
    return s === TcpState.Established || s === TcpState.CloseWait || s === TcpState.FinWait1 || s === TcpState.Closing || s === TcpState.LastAck;
  }

  // --- Windows and sizes -------------------------------------------------------------------------

  /** The segment size: min(peer MSS, `linkMss`, path MSS). */
  private effMss(): number {
    let m = this.remoteMss;
    if (this.linkMss < m) m = this.linkMss;
    if (this.pathMss < m) m = this.pathMss;
    return m > 1 ? m : 1;
  }

  /** The MSS we advertise: the link's, but no more than the receive buffer holds. */
  private advMss(): number {
    let m = this.linkMss;
    if (this.rx.capacity < m) m = this.rx.capacity;
    if (m > 0xffff) m = 0xffff;
    return m > 1 ? m : 1;
  }

  /** Our window shift: the smallest that lets the 16-bit field cover the whole receive buffer, at most 14. */
  private ourShift(): number {
    let shift = 0;
    while (shift < TCP_MAX_WINDOW_SHIFT && this.rx.capacity >> shift > MAX_WINDOW_FIELD) shift++;
    return shift;
  }

  /** The receive window in octets: the ring's free space, at most what the field can say with our shift. */
  private rcvWindowMax(): number {
    const w = this.rx.window();
    const max = MAX_WINDOW_FIELD << this.rcvShift;
    return w < max ? w : max;
  }

  /** The window of a SYN (never scaled, RFC 7323 §2.2). */
  private synWindow(): number {
    const w = this.rx.window();
    return w < MAX_WINDOW_FIELD ? w : MAX_WINDOW_FIELD;
  }

  /** The receiver-side SWS threshold (§3.8.6.2.2): min(MSS, half the buffer). */
  private swsThreshold(): number {
    const half = this.rx.capacity >> 1;
    const mss = this.advMss();
    const t = mss < half ? mss : half;
    return t > 1 ? t : 1;
  }

  /**
   * The window to advertise, in octets. RFC 9293 §3.8.6.2.2: "The suggested SWS avoidance
   * algorithm for the receiver is to keep RCV.NXT+RCV.WND fixed until the reduction satisfies:
   * RCV.BUFF - RCV.USER - RCV.WND >= min( Fr * RCV.BUFF, Eff.snd.MSS )" with Fr = 1/2. The right
   * edge never moves left.
   */
  private windowToAdvertise(): number {
    const free = this.rcvWindowMax();
    if (!this.rcvAdvValid) return free;
    let cur = seqSub(this.rcvAdvRight, this.rcvNxt);
    if (cur < 0) cur = 0;
    if (cur >= free) return free;
    return free - cur >= this.swsThreshold() ? free : cur;
  }

  /** Whether a window update is worth a segment: the edge moves by the SWS threshold and the window was small or at least doubles. */
  private windowUpdateDue(): boolean {
    if (!this.rcvAdvValid) return false;
    const s = this.st;
    if (s !== TcpState.Established && s !== TcpState.FinWait1 && s !== TcpState.FinWait2) return false;
    const free = this.rcvWindowMax();
    let cur = seqSub(this.rcvAdvRight, this.rcvNxt);
    if (cur < 0) cur = 0;
    const t = this.swsThreshold();
    return free - cur >= t && (cur < t || free >= 2 * cur) && this.pendWnd << this.rcvShift > cur;
  }

  /** Whether the receive side is over for good and drained. */
  private recvFinished(): boolean {
    const s = this.st;
    return !(s === TcpState.Listen || s === TcpState.SynSent || s === TcpState.SynReceived || s === TcpState.Established || s === TcpState.FinWait1 || s === TcpState.FinWait2) && this.rx.isEmpty();
  }

  // --- State helpers ------------------------------------------------------------------------------

  /** The keep-alive interval that applies in this state (0 where no keep-alive is sent). */
  private keepAliveFor(): Duration {
    const s = this.st;
    return s === TcpState.Established || s === TcpState.CloseWait || s === TcpState.FinWait2 ? this.keepAliveInterval : 0;
  }

  /** Nothing outstanding: the timer idles, with the keep-alive deadline if any. */
  private idle(now: Instant): void {
    this.timer.setForIdle(now, this.keepAliveFor());
  }

  private checkSend(): void {
    const s = this.st;
    if (this.finQueued || (s !== TcpState.SynSent && s !== TcpState.SynReceived && s !== TcpState.Established && s !== TcpState.CloseWait)) {
      throw new SocketError(SocketErrorCode.InvalidState, "send in " + TCP_STATE_NAMES[s] + (this.finQueued ? " after close" : ""));
    }
  }

  private toTimeWait(now: Instant): void {
    this.st = TcpState.TimeWait;
    this.timer.setForClose(now, TIME_WAIT_DURATION);
  }

  private toClosed(): void {
    this.st = TcpState.Closed;
    this.timer.reset();
    this.delayedAck.reset();
    this.userTimeout.reset();
    this.ackPending = false;
  }

  /** The connection ends with `code`; `rst`: the peer is sent a RST. */
  private fail(code: SocketErrorCode, rst: boolean): void {
    this.err = code;
    this.rstPending = rst;
    this.rstSeq = this.sndNxt;
    this.toClosed();
  }

  /** A passive connection that failed before it was established: LISTEN again, on the same endpoint. */
  private backToListen(): void {
    const port = this.local.port;
    this.resetConnection();
    this.local.addr.copyFrom(this.listenAddr);
    this.local.port = port;
    this.remote.addr.clear();
    this.remote.port = 0;
    this.passive = true;
    this.st = TcpState.Listen;
  }

  /** Forgets the connection's variables and buffers (not the endpoints, not the configuration). */
  private resetConnection(): void {
    this.rx.clear();
    this.tx.clear();
    this.assembler.clear();
    this.timer.reset();
    this.rtt.reset();
    this.delayedAck.reset();
    this.userTimeout.reset();
    this.st = TcpState.Closed;
    this.iss = 0;
    this.sndUna = 0;
    this.sndNxt = 0;
    this.sndMax = 0;
    this.sndWnd = 0;
    this.sndWl1 = 0;
    this.sndWl2 = 0;
    this.maxSndWnd = 0;
    this.sndShift = 0;
    this.irs = 0;
    this.rcvNxt = 0;
    this.rcvShift = 0;
    this.rcvAdvRight = 0;
    this.rcvAdvValid = false;
    this.synWnd = 0;
    this.remoteMss = TCP_DEFAULT_MSS;
    this.pathMss = 0x7fffffff;
    this.peerScaled = false;
    this.finQueued = false;
    this.rcvFinValid = false;
    this.rcvFinSeq = 0;
    this.passive = false;
    this.ackPending = false;
    this.rcvUnacked = 0;
    this.rcvMssSeen = 0;
    this.dupAcks = 0;
    this.retries = 0;
    this.probesUnanswered = 0;
    this.keepAliveUnanswered = 0;
    this.synRetransmitted = false;
    this.rstPending = false;
    this.rstSeq = 0;
    this.challengeOpen = false;
    this.challengeCount = 0;
    this.keepAliveDirty = false;
    this.err = SocketErrorCode.None;
  }
}

/** The earlier of two `pollDelay` answers (-1: never). */
function earliest(a: number, b: number): number {
  if (a < 0) return b;
  if (b < 0) return a;
  return a < b ? a : b;
}

/** Clears `reply` and addresses it back to the sender of `tcp`. */
function fillReply(tcp: TcpRepr, reply: TcpRepr): void {
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

function checkRemote(remote: IpEndpoint): void {
  if (remote.port <= 0 || remote.port > 0xffff || remote.addr.isUnspecified() || !remote.addr.isUnicast()) {
    throw new SocketError(SocketErrorCode.Unaddressable, "remote endpoint " + remote);
  }
}

function checkDuration(name: string, ms: number): void {
  if (!(Number.isInteger(ms) && ms >= 0 && ms <= MAX_DURATION)) throw new RangeError(name + " must be an integer number of ms from 0 to 2^31 - 1: " + ms);
}
