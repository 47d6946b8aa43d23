/**
 * `TcpSocket`: a TCP endpoint (RFC 9293), modelled on smoltcp's `socket/tcp.rs`, that reads
 * like an annotated RFC: each part of `process` quotes the step of RFC 9293 §3.10.7 it follows.
 *
 * ## Split by concern (as gVisor's netstack)
 * This file is the API and the state machine: the states and their transitions (§3.3.2), the
 * event processing of §3.10.7 (which check comes when, what each state does with a RST, a SYN,
 * an ACK, a FIN), the handshake, the timers' consequences and the errors. The rest lives beside
 * it, each file with its own header:
 * - `send.ts`, `TcpSender`: SND.UNA / SND.NXT / SND.WND / SND.WL1 / SND.WL2, the transmit ring,
 *   the segment size, the choice of the next segment (Nagle, sender SWS, FIN placement,
 *   zero-window probe, go-back-N) and the processing of an acceptable ACK (duplicate ACKs,
 *   freeing the ring, the RTT sample, the window-update rule).
 * - `recv.ts`, `TcpReceiver`: RCV.NXT, the receive ring and its assembler, our window shift and
 *   the window we advertise (receiver SWS), segment text in or out of order, the out-of-order
 *   FIN, and the delayed-ACK decision.
 * - `timer.ts` (the one connection timer, delayed ACK, user timeout), `rtt.ts` (RFC 6298),
 *   `timestamps.ts` (RFC 7323 timestamps: TS.Recent, PAWS, RTTM), `seq.ts` (sequence
 *   arithmetic), `isn.ts` (RFC 6528), `ports.ts` (RFC 6056), `context.ts`.
 * The lists below are the one place that says what the whole socket does and does not do; the
 * file that implements each point is named in brackets.
 *
 * ## The contract with the interface
 * The socket speaks reprs, never header bytes (STYLE lesson 9).
 * - `accepts(ip, tcp)`: a listening socket takes any segment to its port (and address, if it
 *   listens on one); any other socket only its connection's exact 4-tuple.
 * - `process(now, ip, tcp, bytes, off, len, reply)`: handles one segment (`len` data octets at
 *   `off`). Returns true when `reply` holds a segment the interface must send at once to the
 *   segment's sender, with the IP addresses swapped: a RST, a challenge ACK (RFC 5961), or the
 *   ACK that answers an unacceptable segment (RFC 9293 §3.10.7.4).
 * - `ackUrgent`: after `process`, whether the owed ACK must go out before the rest of the poll's
 *   received frames (a duplicate ACK); the interface then calls `dispatch` at once.
 * - `dispatch(now, ip, tcp)` → -1 (nothing to send) or the payload length, with `ip` and `tcp`
 *   filled; `dispatchPayload(dst, off)` copies the data out of the transmit ring;
 *   `dispatchCommit(now)` says the frame went to the device. `dispatch` changes nothing the
 *   next call would not recompute; only `dispatchCommit` advances SND.NXT, arms timers and
 *   clears the owed ACK, so a segment that could not be sent (no next hop yet) is simply built
 *   again later. After a commit, `dispatch` returns a segment only when there is something new
 *   (more data in the window, a due timer), so the interface may loop until it returns -1.
 * - `dispatchNoRoute(now)`: the interface has no route for the prepared segment.
 * - `dispatchWaiting(now)`: its next hop is not resolved yet (time runs as if it were lost).
 * - `neighborResolved(now)`: that next hop has answered (a held-back retransmission leaves).
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
 * - MSS (§3.7.1): ours is min(`linkMss`, receive buffer) [recv.ts]; the peer's is raised to at
 *   least `TCP_MIN_PEER_MSS` (48, Linux's `TCP_MIN_SND_MSS`) and defaults to 536 / 1220 without
 *   the option (MUST-15). Segments are at most min(peer MSS, `linkMss`, path MSS) [send.ts].
 * - Window scaling (RFC 7323 §2): our shift is the smallest that lets the window cover the whole
 *   receive buffer (at most 14); offered in our SYN, answered only if the peer's SYN carried it;
 *   otherwise shift 0 both ways. The window field is rounded down, never exceeds 0xffff, and
 *   is never scaled in a SYN [recv.ts].
 * - Timestamps (RFC 7323 §3–5, `timestamps`, on by default): offered in our SYN, answered only
 *   if the peer's SYN carried them; once negotiated every segment carries them (our RST too) and
 *   a non-RST segment without them is dropped (§3.2). TSval is a 1 ms clock plus a per-connection
 *   keyed random offset (§5.4); TSecr echoes TS.Recent, updated by the §4.3 rule with
 *   Last.ACK.sent; PAWS (§5.3) answers an older TSval with an ACK and drops the segment (never a
 *   RST; TS.Recent idle for 24 days is invalid, §5.5); RTTM (§4.1) takes an RTT sample from every
 *   ACK of new data, retransmitted data included. Segments carry 12 octets less data
 *   [timestamps.ts, send.ts].
 * - Many segments in flight, limited by the peer's window only [send.ts].
 * - Out-of-order reassembly through the `Assembler` (`assemblerGaps` ranges): segments are
 *   written into the receive ring's free space at once and committed when the gap before them
 *   fills; a segment that would need one range more is dropped (and answered with a duplicate
 *   ACK); a FIN that arrives ahead of missing data is remembered and takes effect when the data
 *   before it is in [recv.ts].
 * - Retransmission on the RFC 6298 RTO (`RttEstimator`: Karn without timestamps, back-off), go-back-N from
 *   SND.UNA; the RTO is reset to 3 s after a lost SYN (§5.7). Fast retransmit of the first
 *   unacknowledged segment on the third duplicate ACK (RFC 5681 §3.2 definition) [send.ts
 *   counts, this file decides].
 * - SYN retries (`synRetries`, 5: six SYNs), data retries (`maxRetransmits`, 15, as Linux's
 *   `tcp_retries2`), the RFC 5482 user timeout (`timeout`), keep-alive (`keepAlive` interval,
 *   RFC 9293 §3.8.4; a probe is SEQ = SND.UNA - 1 without data; without a user timeout
 *   `keepAliveProbes` (9) unanswered end the connection; with one, as Linux's TCP_USER_TIMEOUT,
 *   the user timeout decides instead, counted from the first unanswered probe [timer.ts]): all
 *   end it with `TimedOut`.
 * - Zero-window probing (§3.8.6.1, the "persist timer"): 1 octet at the RTO, backed off, never
 *   given up while the peer answers; the same timer is the sender-side SWS override.
 * - Silly-window-syndrome avoidance on both sides (§3.8.6.2.1 [send.ts] / §3.8.6.2.2
 *   [recv.ts]), Nagle (§3.7.4, `nagle`) [send.ts], delayed ACKs (`ackDelay`, with Linux's
 *   quick-ACK exceptions) [recv.ts], the SND.WL1/SND.WL2 window-update rule (§3.10.7.4)
 *   [send.ts].
 * - ICMP errors (RFC 5927 §4.1 sequence check; RFC 1122 §4.2.3.9 / RFC 5461: hard in SYN-SENT,
 *   soft otherwise; RFC 1191 / RFC 8201 packet too big lowers the segment size, floored at 536 /
 *   1220, and resends what no longer fits).
 * - Errors the application reads with `error` / `takeError()`: ConnectionRefused,
 *   ConnectionReset, TimedOut, Unreachable, NoRoute.
 *
 * ## Deliberate deviations
 * - An ACK that acknowledges new data ends the RTO back-off (`RttEstimator.onNewAck`, as lwIP
 *   does) instead of keeping it until the next valid RTT sample (RFC 6298 §5.5 with Karn).
 *   Without timestamps a retransmission's ACK never yields a sample, and under steady loss the
 *   RTO would otherwise sit at 60 s while the peer answers in milliseconds (the netsim 15 % case
 *   took 54 simulated minutes that way, 67 s with this rule) [send.ts]. With timestamps every
 *   such ACK gives a sample, which ends the back-off anyway.
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
 * gets a big window fills it at once; fine on a LAN, unfriendly on a shared bottleneck), SACK
 * (RFC 2018: a peer's SACK-permitted option is not echoed, so the peer does not use it), RFC
 * 7323 Appendix G (RTO gains scaled by the samples per window), the urgent pointer (ignored),
 * the User Timeout Option (RFC 5482 option 28), TCP Fast Open, ECN, MD5 / TCP-AO, RFC 6191
 * TIME-WAIT reuse, F-RTO and RACK.
 *
 * No allocation after construction: every state variable is a number or a preallocated
 * object, no closure or string is made on the packet path (messages only on API misuse).
 */

import type { RingBuffer } from "../../storage/ring-buffer.js";
import type { Arena } from "../../storage/arena.js";
import type { Assembler } from "../../storage/assembler.js";
import { type Duration, type Instant, MAX_DURATION, instantDiff } from "../../time.js";
import { IpAddress, IpEndpoint, IpProtocol, IpVersion } from "../../wire/ip.js";
import type { IpRepr } from "../../wire/ip-repr.js";
import { TcpControl, type TcpRepr } from "../../wire/tcp.js";
import { SocketError, SocketErrorCode } from "../error.js";
import { POLL_INGRESS, POLL_NOW, SocketMeta } from "../meta.js";
import { SocketKind, type Socket } from "../set.js";
import { type TcpContext, TcpIcmpError } from "./context.js";
import type { IsnGenerator } from "./isn.js";
import { Received, TCP_MAX_WINDOW_SHIFT, TcpReceiver } from "./recv.js";
import type { RttEstimator } from "./rtt.js";
import {
  AckResult,
  TCP_DEFAULT_MSS,
  TCP_DEFAULT_MSS_V6,
  TCP_DUP_ACK_THRESHOLD,
  TCP_MIN_PATH_MSS_V4,
  TCP_MIN_PATH_MSS_V6,
  TCP_MIN_PEER_MSS,
  TcpSender,
} from "./send.js";
import { segmentAcceptable, seqAdd, seqGe, seqGt, seqInWindow, seqLe, seqLt, seqSub } from "./seq.js";
import { type DelayedAck, TIME_WAIT_DURATION, TcpTimer, TimerKind, UserTimeout } from "./timer.js";
import { TCP_TIMESTAMPS_LEN, TcpTimestamps } from "./timestamps.js";

// The constants of the send and receive sides, exported from here as they always were.
export { TCP_DEFAULT_MSS, TCP_DEFAULT_MSS_V6, TCP_DUP_ACK_THRESHOLD, TCP_MAX_WINDOW_SHIFT, TCP_MIN_PATH_MSS_V4, TCP_MIN_PATH_MSS_V6, TCP_MIN_PEER_MSS };

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

/** SYNs sent again before an opening connection gives up (six SYNs in all, about 63 s with a 1 s RTO). */
export const TCP_SYN_RETRIES = 5;
/** RTO expiries in a row without progress before a connection gives up (Linux's `tcp_retries2`). */
export const TCP_MAX_RETRANSMITS = 15;
/** Unanswered keep-alive probes before the connection is declared dead (Linux's `tcp_keepalive_probes`). */
export const TCP_KEEPALIVE_PROBES = 9;
/** Challenge ACKs a socket sends per second at most (RFC 5961 §7). */
export const TCP_CHALLENGE_ACK_LIMIT = 10;

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

/** The TCP socket (see the file comment). */
export class TcpSocket implements Socket {
  /** The socket kind, for the interface's dispatch. */
  readonly kind = SocketKind.Tcp;
  /** What the interface keeps about the socket (handle, neighbor wait). */
  readonly meta = new SocketMeta();

  // --- Connection state (RFC 9293 §3.3.1 names) -----------------------------------------------
  /** The connection state (RFC 9293 §3.3.2). */
  private st: TcpState = TcpState.Closed;
  /** The send side: ISS, SND.UNA, SND.NXT, SND.WND, SND.WL1, SND.WL2, the transmit ring, the prepared segment (`send.ts`). */
  private readonly snd: TcpSender;
  /** The receive side: IRS, RCV.NXT, RCV.WND as advertised, the receive ring and assembler, the owed ACK (`recv.ts`). */
  private readonly rcv: TcpReceiver;
  /** The connection's one timer (retransmit, fast retransmit, zero-window probe, keep-alive, TIME-WAIT). */
  readonly timer = new TcpTimer();
  /** Whether the peer's SYN carried Window Scale (our SYN-ACK then carries ours). */
  private peerScaled = false;
  /** RFC 7323 timestamps: negotiation, our clock, TS.Recent, Last.ACK.sent, PAWS, RTTM (`timestamps.ts`). */
  private readonly ts = new TcpTimestamps();
  /** The connection came from `listen` (a RST or a failed handshake in SYN-RECEIVED returns to LISTEN). */
  private passive = false;
  /** The address `listen` was given (unspecified: any), restored on a return to LISTEN. */
  private readonly listenAddr = new IpAddress();
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

  // The segment `dispatch` prepared, applied by `dispatchCommit` (its SEQ, length and control are the sender's `pend*`).
  /** What the prepared segment is (new data, a retransmission, a probe, a keep-alive, a RST). */
  private pendKind: SendKind = SendKind.Normal;
  /** The prepared segment carries ACK = RCV.NXT (all but our first SYN and a RST). */
  private pendAck = true;
  /** The prepared probe replaces an RTO retransmission (the RTO backs off first). */
  private pendProbeAfterRto = false;
  /** A retransmission was due while the next hop was unresolved (`dispatchWaiting`): it leaves as soon as the neighbor answers (`neighborResolved`). */
  private retransmitOnResolve = false;
  /** The window field of the prepared segment (scaled, or raw for a SYN). */
  private pendWnd = 0;

  /** Received data, in order; out-of-order data waits in its free space (the receive side's ring). */
  readonly rx: RingBuffer;
  /** Data to send: SND.UNA at the front, then the unsent rest (the send side's ring). */
  readonly tx: RingBuffer;
  /** Which parts of the receive window past RCV.NXT hold out-of-order data. */
  readonly assembler: Assembler;
  /** Our endpoint (port 0 while closed; while listening, the address may be unspecified). Read it, never modify it. */
  readonly local = new IpEndpoint();
  /** The peer's endpoint. Read it, never modify it. */
  readonly remote = new IpEndpoint();
  /** The RFC 6298 RTO estimator (the send side's). */
  readonly rtt: RttEstimator;
  /** The delayed-ACK timer (the receive side's). */
  readonly delayedAck: DelayedAck;
  /** The RFC 5482 user timeout. */
  readonly userTimeout = new UserTimeout();
  /** A scratch endpoint for `connect`. */
  private readonly scratch = new IpEndpoint();

  // --- Configuration -----------------------------------------------------------------------------
  /** The largest TCP payload the link carries (MTU less IP and TCP headers); the interface sets it before every call. */
  linkMss = TCP_DEFAULT_MSS;
  /** Nagle's algorithm (RFC 9293 §3.7.4): hold a small segment while data is unacknowledged. On by default. */
  nagle = true;
  /**
   * RFC 7323 timestamps: offered on our SYN, accepted on the peer's; read when a connection
   * opens (`connect`, or a SYN arriving in LISTEN). On by default.
   */
  timestamps = true;
  /** SYN retransmissions before `connect` fails with `TimedOut`. */
  synRetries = TCP_SYN_RETRIES;
  /** RTO expiries in a row before the connection fails with `TimedOut`. */
  maxRetransmits = TCP_MAX_RETRANSMITS;
  /** Unanswered keep-alives before the connection fails with `TimedOut` (when `timeout` is 0; else the user timeout decides). */
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
  /** Segments dropped by PAWS (RFC 7323 §5.3: a timestamp older than TS.Recent) and answered with an ACK. */
  rxPawsRejected = 0;
  /** Non-RST segments dropped because they lacked the negotiated Timestamps option (RFC 7323 §3.2). */
  rxMissingTimestamp = 0;

  /**
   * A closed socket with a receive ring of `rxCapacity` octets, a transmit ring of `txCapacity`
   * octets and an assembler of `assemblerGaps` out-of-order ranges. With an `arena` (the one the
   * device's frames come from), both rings are reserved from it, so that every copy between a
   * frame and a ring is one `copyWithin`.
   */
  constructor(rxCapacity: number, txCapacity: number, assemblerGaps = 4, arena?: Arena) {
    const snd = new TcpSender(txCapacity, arena);
    const rcv = new TcpReceiver(rxCapacity, assemblerGaps, arena);
    this.snd = snd;
    this.rcv = rcv;
    this.tx = snd.tx;
    this.rtt = snd.rtt;
    this.rx = rcv.rx;
    this.assembler = rcv.assembler;
    this.delayedAck = rcv.delayedAck;
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

  /**
   * The user timeout in ms (0: none, the default): RFC 5482, data unacknowledged that long aborts
   * with `TimedOut`; so does a keep-alive probe unanswered that long (nothing at all heard from
   * the peer since the first unanswered probe), which then replaces the `keepAliveProbes` rule
   * (Linux's TCP_USER_TIMEOUT; see timer.ts).
   */
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
    return (this.st === TcpState.Established || this.st === TcpState.CloseWait) && !this.snd.finQueued;
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
    this.context = ctx; // before `connectWith`: the timestamp offset comes from it
    this.connectWith(now, l, remote, ctx.tcpInitialSeq(now, l, remote));
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
    this.snd.open(isn | 0);
    // RFC 7323 §2.2: we offer our shift in the SYN; it holds only if the peer answers with one.
    const rcv = this.rcv;
    rcv.shift = rcv.ourShift();
    // RFC 7323 §3.2: timestamps too.
    this.ts.offered = this.timestamps;
    this.ts.offset = this.timestampOffset();
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
        this.snd.finQueued = true; // FIN-WAIT-1 once our SYN is acknowledged
        return;
      case TcpState.Established:
        this.snd.finQueued = true;
        this.st = TcpState.FinWait1;
        return;
      case TcpState.CloseWait:
        this.snd.finQueued = true;
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
    this.rstSeq = this.snd.nxt;
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
   * Whether the socket owes an ACK that must leave before the rest of the frames received in
   * the same poll (out-of-order or duplicate data, a gap filled, the FIN: `TcpReceiver.ackUrgent`).
   * The interface asks after each `process` and then lets the socket send at once; otherwise the
   * socket sends in the poll's egress.
   */
  get ackUrgent(): boolean {
    return this.rcv.ackUrgent;
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
    const snd = this.snd;
    snd.open((ctx !== null ? ctx.tcpInitialSeq(now, this.local, this.remote) : g !== null ? g.generate(now, this.local, this.remote) : this.listenIsn) | 0);
    // Our window scale answers the peer's: "Window Scale option ... MUST only be sent in a
    // <SYN,ACK> segment if the option was received in the initial <SYN>" (RFC 7323 §2.2);
    // timestamps likewise (§3.2).
    this.ts.offered = this.timestamps;
    this.ts.offset = this.timestampOffset();
    this.acceptSyn(now, tcp, tcp.windowScale >= 0);
    snd.wl2 = snd.iss;
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
    const snd = this.snd;
    if (tcp.hasAck && (seqLe(ack, snd.iss) || seqGt(ack, snd.nxt))) {
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
    this.acceptSyn(now, tcp, tcp.windowScale >= 0);
    this.rcv.synAnswered();
    if (tcp.hasAck) {
      // "If SND.UNA > ISS (our SYN has been ACKed), change the connection state to ESTABLISHED,
      // form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it."
      snd.wl2 = ack;
      this.established(now, tcp);
    } else {
      // "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT>
      // <CTL=SYN,ACK> and send it" (simultaneous open): our SYN again, now with an ACK.
      snd.wl2 = snd.iss;
      snd.nxt = snd.iss;
      this.st = TcpState.SynReceived;
    }
    return false;
  }

  /** RFC 9293 §3.10.7.4, SYN-RECEIVED and every synchronized state. */
  private processSynchronized(now: Instant, tcp: TcpRepr, bytes: Uint8Array, off: number, len: number, reply: TcpRepr): boolean {
    const ctl = tcp.control;
    const seq = tcp.seqNumber;
    const rcv = this.rcv;

    // "Second, check the RST bit", as RFC 5961 §3.2 refines it: "1) If the RST bit is set and
    // the sequence number is outside the current receive window, silently drop the segment.
    // 2) If the RST bit is set and the sequence number exactly matches the next expected
    // sequence number (RCV.NXT), then TCP MUST reset the connection. 3) If the RST bit is set
    // and the sequence number does not exactly match the next expected sequence value, yet is
    // within the current receive window, TCP MUST send an acknowledgment (challenge ACK)."
    // (Checked before the acceptability test, which would answer an unacceptable RST.)
    if (ctl === TcpControl.Rst) {
      if (seq === rcv.nxt) {
        this.onReset();
        return false;
      }
      const wnd = rcv.windowMax();
      if (seqInWindow(seq, rcv.nxt, wnd > 0 ? wnd : 1)) return this.challengeAck(now, tcp, reply);
      return false;
    }

    // "Fourth, check the SYN bit": RFC 5961 §4.2, "If the SYN bit is set, irrespective of the
    // sequence number, TCP MUST send an ACK (also referred to as challenge ACK) to the remote
    // peer". (Checked early for the same reason.) Exception: in SYN-RECEIVED the peer's own
    // SYN again means our SYN-ACK was lost: send it again (Linux's `tcp_check_req`).
    // A second exception, for a simultaneous open (RFC 9293 Figure 8): the peer's SYN-ACK
    // (SEQ = IRS, ACK = ISS + 1) completes our SYN-RECEIVED as the ACK would (as Linux does in
    // `tcp_validate_incoming`); the acceptability test would refuse its SYN octet.
    const snd = this.snd;
    if (ctl === TcpControl.Syn) {
      if (this.st === TcpState.SynReceived && seq === rcv.irs) {
        if (!tcp.hasAck) {
          snd.nxt = snd.iss;
          return false;
        }
        if (tcp.ackNumber === seqAdd(snd.iss, 1) && seqGt(snd.nxt, snd.iss)) {
          snd.setWindow(tcp.windowLen, seq, tcp.ackNumber); // a SYN's window is not scaled
          this.established(now, tcp);
          return false;
        }
      }
      return this.challengeAck(now, tcp, reply);
    }

    // RFC 7323, once timestamps are negotiated. §3.2: "If a non-<RST> segment is received
    // without a TSopt, a TCP SHOULD silently drop the segment." §5.3 R1 (PAWS): a segment whose
    // TSval is older than TS.Recent is "not acceptable: Send an acknowledgment in reply as
    // specified in Section 3.9 of RFC 793 and drop the segment." (A RST was handled above: it
    // is never dropped for either reason.)
    const ts = this.ts;
    if (ts.on) {
      if (!tcp.hasTimestamp) {
        this.rxMissingTimestamp++;
        return false;
      }
      if (ts.isOld(now, tcp)) {
        this.rxPawsRejected++;
        return this.replyAck(now, tcp, reply);
      }
    }

    // "First, check sequence number": the four-case table, with RCV.WND the room the receive
    // ring has now (never less than what we advertised). "If an incoming segment is not
    // acceptable, an acknowledgment should be sent in reply (unless the RST bit is set ...):
    // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. After sending the acknowledgment, drop the
    // unacceptable segment and return."
    const fin = ctl === TcpControl.Fin;
    const segLen = len + (fin ? 1 : 0);
    if (!segmentAcceptable(seq, segLen, rcv.nxt, rcv.windowMax())) {
      // TIME-WAIT: "The only thing that can arrive in this state is a retransmission of the
      // remote FIN. Acknowledge it, and restart the 2 MSL timeout."
      if (this.st === TcpState.TimeWait && fin && seqAdd(seq, segLen) === rcv.nxt) this.toTimeWait(now);
      // A retransmission of text we already have (our ACK of it was lost): RFC 7323 §4.3 (2)
      // holds for it (SEG.SEQ <= Last.ACK.sent), so its TSval is echoed, and the peer's RTT
      // sample measures this copy rather than the time since the first one (which would include
      // its whole retransmission timeout). Only with an acceptable ACK field (RFC 5961 §5.2),
      // as for any segment, so that a blind guess cannot plant a TSval.
      if (ts.on && segLen > 0 && tcp.hasAck && seqLe(seqAdd(seq, segLen), rcv.nxt) && !seqGt(tcp.ackNumber, snd.max) && !seqLt(tcp.ackNumber, seqSub(snd.una, snd.maxWnd))) ts.update(now, tcp);
      return this.replyAck(now, tcp, reply);
    }

    // "Fifth, check the ACK field: if the ACK bit is off, drop the segment and return."
    if (!tcp.hasAck) return false;
    const ack = tcp.ackNumber;
    if (this.st === TcpState.SynReceived) {
      // "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state and continue processing
      // with the variables below set to: SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <-
      // SEG.ACK. If the segment acknowledgment is not acceptable, form a reset segment
      // <SEQ=SEG.ACK><CTL=RST> and send it."
      if (ack !== seqAdd(snd.iss, 1) || !seqGt(snd.nxt, snd.iss)) return this.replyRst(tcp, reply);
      ts.update(now, tcp); // RFC 7323 §4.3 (2), for a segment whose ACK is acceptable
      snd.setWindow(tcp.windowLen << snd.shift, seq, ack);
      this.established(now, tcp);
    } else {
      // RFC 5961 §5.2: "The ACK value is considered acceptable only if it is in the range of
      // ((SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT). All incoming segments whose ACK value
      // doesn't satisfy the above condition MUST be discarded and an ACK sent back." RFC 9293:
      // "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop
      // the segment, and return." Both are challenge ACKs, rate-limited.
      if (seqGt(ack, snd.max) || seqLt(ack, seqSub(snd.una, snd.maxWnd))) return this.challengeAck(now, tcp, reply);
      ts.update(now, tcp); // RFC 7323 §4.3 (2), for a segment whose ACK is acceptable
      // "If the ACK is a duplicate (SEG.ACK < SND.UNA), it can be ignored."
      if (!seqLt(ack, snd.una)) {
        this.processAck(now, tcp, len);
        if (this.st === TcpState.Closed) return false; // LAST-ACK ended
      }
    }
    // The peer is alive: the next keep-alive is an interval from now, and the user timeout's
    // clock no longer waits for an answer to a probe (only for data still outstanding).
    if (this.keepAliveUnanswered !== 0) this.userTimeout.onAck(now, snd.max !== snd.una);
    this.keepAliveUnanswered = 0;
    this.timer.rewindKeepAlive(now, this.keepAliveFor());

    // "Seventh, process the segment text" and "eighth, check the FIN bit": text only while the
    // peer's half is open (ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2); in CLOSE-WAIT, CLOSING,
    // LAST-ACK and TIME-WAIT "this should not occur since a FIN has been received from the
    // remote side. Ignore the segment text" (and a FIN there is a retransmission, which the
    // acceptability test answered).
    const s = this.st;
    if ((s === TcpState.Established || s === TcpState.FinWait1 || s === TcpState.FinWait2) && segLen > 0) {
      const r = rcv.receive(now, seq, bytes, off, len, fin);
      if (r !== 0) this.received(now, r);
    }
    return false;
  }

  /**
   * The fifth check for SND.UNA =< SEG.ACK =< SND.NXT (highest): the send side frees
   * acknowledged data, counts duplicate ACKs (RFC 5681) and updates the window (SND.WL1/WL2);
   * here the timers follow, and the closing states whose FIN this acknowledges.
   */
  private processAck(now: Instant, tcp: TcpRepr, len: number): void {
    const snd = this.snd;
    const timer = this.timer;
    const r = snd.onAck(now, tcp, len, this.ts.rttSample(now, tcp));
    if (r === AckResult.ThirdDuplicate) {
      if (timer.kind === TimerKind.Retransmit) timer.setForFastRetransmit();
    } else if (r !== AckResult.None) {
      this.retries = 0;
      this.userTimeout.onAck(now, snd.max !== snd.una);
    }
    // The timer.
    if (timer.kind === TimerKind.ZeroWindowProbe) {
      // The peer answered: probing "MUST NOT" give up while it does (RFC 9293 MUST-36 / §3.8.6.1).
      this.probesUnanswered = 0;
      if (snd.wnd > 0) {
        // The window opened. A probe octet this ACK does not cover was refused: it goes again
        // with the rest, from SND.UNA.
        snd.nxt = snd.una;
        this.idle(now);
      } else if (this.userTimeout.pending) {
        this.userTimeout.onAck(now, true); // a live peer with a closed window is no time-out
      }
    } else if (timer.kind !== TimerKind.Close) {
      if (snd.nxt === snd.una) {
        // RFC 6298 (5.2): "When all outstanding data has been acknowledged, turn off the
        // retransmission timer." (Data past SND.NXT after a go-back-N goes out next.)
        if (timer.isRetransmit()) this.idle(now);
      } else if (r > 0) {
        // (5.3): "When an ACK is received that acknowledges new data, restart the
        // retransmission timer so that it will expire after RTO seconds."
        if (timer.kind === TimerKind.Retransmit) timer.rewindRetransmit(now, snd.rtt.rto);
        else if (timer.kind !== TimerKind.FastRetransmit || snd.dupAcks === 0) timer.setForRetransmit(now, snd.rtt.rto);
      }
    }
    if (r !== AckResult.FinAcked) return;
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
   * What the receive side reported about a segment's text (`Received` flags, not 0): the
   * counters, and the state change when RCV.NXT passed the peer's FIN (eighth check).
   */
  private received(now: Instant, r: number): void {
    if ((r & Received.OutOfOrder) !== 0) this.rxOutOfOrder++;
    if ((r & Received.AssemblerFull) !== 0) this.rxAssemblerFull++;
    if ((r & Received.Fin) === 0) return;
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
  }

  /** The handshake is complete at `now`: `tcp` acknowledged our SYN (SND.UNA = ISS + 1). */
  private established(now: Instant, tcp: TcpRepr): void {
    const snd = this.snd;
    const ack = tcp.ackNumber;
    snd.una = ack;
    // The first RTT sample: the timestamp echo (RFC 7323 §4.1, a resent SYN included), or the
    // timed SYN (Karn: none if it was resent).
    if (!snd.timestamps) snd.rtt.onAck(ack, now);
    else {
      const r = this.ts.rttSample(now, tcp);
      if (r >= 0) snd.rtt.sample(r);
    }
    if (this.synRetransmitted) snd.rtt.onSynTimeout();
    this.retries = 0;
    this.userTimeout.onAck(now, false);
    this.st = snd.finQueued ? TcpState.FinWait1 : TcpState.Established;
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

  /**
   * Takes the peer's SYN at `now`: IRS, RCV.NXT, its window, MSS and window shift, and whether
   * timestamps are on. `scaled`: both sides use Window Scale.
   */
  private acceptSyn(now: Instant, tcp: TcpRepr, scaled: boolean): void {
    // RFC 7323 §2.2: "The window field in a segment where the SYN bit is set (i.e., a <SYN> or
    // <SYN,ACK>) MUST NOT be scaled." And "If a Window Scale option is received with a
    // shift.cnt value larger than 14, the TCP SHOULD log the error but MUST use 14 instead"
    // (the parser already clamps).
    const ws = tcp.windowScale;
    const v6 = this.remote.addr.version === IpVersion.Ipv6;
    this.snd.acceptSyn(tcp.seqNumber, tcp.windowLen, tcp.maxSegSize, v6, scaled ? (ws < TCP_MAX_WINDOW_SHIFT ? ws : TCP_MAX_WINDOW_SHIFT) : 0);
    this.rcv.acceptSyn(tcp.seqNumber, scaled);
    this.peerScaled = scaled;
    const ts = this.ts;
    ts.onSyn(now, tcp, this.rcv.nxt);
    this.snd.timestamps = ts.on;
    this.snd.optionsLen = ts.on ? TCP_TIMESTAMPS_LEN : 0;
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
    return this.replyAck(now, tcp, reply);
  }

  /** Replies to `tcp` with a RST (RFC 9293 §3.10.7: SEQ = SEG.ACK, or SEQ 0 and ACK SEG.SEQ + SEG.LEN). */
  private replyRst(tcp: TcpRepr, reply: TcpRepr): boolean {
    reply.resetFor(tcp);
    return true;
  }

  /** Replies to `tcp` with `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>`, our window and, when on, our timestamps. */
  private replyAck(now: Instant, tcp: TcpRepr, reply: TcpRepr): boolean {
    const rcv = this.rcv;
    reply.replyTo(tcp);
    reply.seqNumber = this.snd.nxt;
    reply.hasAck = true;
    reply.ackNumber = rcv.nxt;
    reply.windowLen = rcv.windowField(this.linkMss);
    const ts = this.ts;
    if (ts.on) {
      ts.fill(now, reply);
      ts.lastAckSent = rcv.nxt;
    }
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
    const snd = this.snd;
    const ctl = snd.pendCtl;
    const len = snd.pendLen;
    tcp.srcPort = this.local.port;
    tcp.dstPort = this.remote.port;
    tcp.control = ctl;
    tcp.seqNumber = snd.pendSeq;
    tcp.hasAck = this.pendAck;
    tcp.ackNumber = this.pendAck ? this.rcv.nxt : 0;
    tcp.windowLen = this.pendWnd;
    tcp.windowScale = -1;
    tcp.maxSegSize = 0;
    tcp.sackPermitted = false;
    tcp.sackCount = 0;
    tcp.hasTimestamp = false;
    tcp.payloadOffset = 0;
    tcp.payloadLen = len;
    if (ctl === TcpControl.Syn) {
      const rcv = this.rcv;
      tcp.maxSegSize = rcv.advMss(this.linkMss);
      // RFC 7323 §2.2: offered in our SYN; in a SYN-ACK only if the peer's SYN had it.
      if (this.st === TcpState.SynSent) tcp.windowScale = rcv.shift;
      else if (this.peerScaled) tcp.windowScale = rcv.shift;
    }
    // RFC 7323 §3.2: offered on our SYN; once negotiated, on every segment (our RST too).
    const ts = this.ts;
    if (ctl === TcpControl.Syn && this.st === TcpState.SynSent ? ts.offered : ts.on) ts.fill(now, tcp);
    ip.version = this.remote.addr.version;
    ip.srcAddr.copyFrom(this.local.addr);
    ip.dstAddr.copyFrom(this.remote.addr);
    ip.nextHeader = IpProtocol.Tcp;
    ip.hopLimit = this.hopLimit;
    ip.payloadLen = tcp.headerLen() + len;
    return len;
  }

  /** Copies the prepared segment's data to `dst[off...]`. */
  dispatchPayload(dst: Uint8Array, off: number): void {
    const snd = this.snd;
    const n = snd.pendLen;
    if (n > 0) snd.tx.readAllocated(seqSub(snd.pendSeq, snd.una), dst, off, n);
  }

  /** The prepared segment went to the device: advance SND.NXT, arm the timers, clear the owed ACK. */
  dispatchCommit(now: Instant): void {
    this.retransmitOnResolve = false;
    const kind = this.pendKind;
    if (kind === SendKind.Rst) {
      this.rstPending = false;
      return;
    }
    const snd = this.snd;
    const ctl = snd.pendCtl;
    // Every segment but our first SYN carries the ACK: nothing is owed any more.
    this.rcv.onSent(this.pendWnd, this.pendAck, ctl === TcpControl.Syn);
    if (this.pendAck) this.ts.lastAckSent = this.rcv.nxt; // RFC 7323 §4.3: Last.ACK.sent
    if (ctl === TcpControl.Syn && kind === SendKind.Retransmit) this.synRetransmitted = true;
    if (kind === SendKind.KeepAlive) {
      this.keepAliveUnanswered++;
      this.timer.setForIdle(now, this.keepAliveFor());
      this.userTimeout.onSend(now); // the first unanswered probe starts the user timeout (timer.ts)
      return;
    }
    const segLen = snd.pendLen + (ctl === TcpControl.Syn || ctl === TcpControl.Fin ? 1 : 0);
    if (segLen === 0) return;
    const rtt = snd.rtt;
    const timer = this.timer;
    switch (kind) {
      case SendKind.Retransmit:
        // RFC 6298 (5.4)-(5.6): retransmit the earliest segment, back off, restart the timer.
        // Go-back-N: what followed it goes out again after it (`sent` moves SND.NXT back).
        this.retransmits++;
        this.retries++;
        rtt.backoff();
        rtt.onRetransmit();
        this.ts.onRetransmit(now);
        timer.setForRetransmit(now, rtt.rto);
        break;
      case SendKind.Fast:
        this.fastRetransmits++;
        rtt.onRetransmit();
        timer.setForRetransmit(now, rtt.rto); // FastRetransmit → Retransmit, from now
        break;
      case SendKind.Probe:
        // The probe octet counts as sent; an ACK that takes it is an ordinary ACK. Not timed.
        this.windowProbes++;
        this.probesUnanswered++;
        rtt.onRetransmit();
        if (this.pendProbeAfterRto) rtt.backoff();
        if (timer.kind === TimerKind.ZeroWindowProbe) timer.rewindZeroWindowProbe(now, rtt.maxRto);
        else timer.setForZeroWindowProbe(now, rtt.rto);
        break;
      default:
        timer.setForRetransmit(now, rtt.rto); // RFC 6298 (5.1): starts it unless running
        break;
    }
    snd.sent(now, segLen, kind === SendKind.Retransmit);
    if (kind === SendKind.Probe) rtt.onRetransmit();
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
   * The next hop of the prepared segment is not resolved yet: the interface asked for it and
   * holds the socket back until it answers (`SocketMeta`). Nothing is sent, but time must run
   * as if the segment had been lost, or a neighbor that never answers would keep a connection
   * (and a listener's backlog slot) for ever: the first wait arms the retransmission timer as a
   * send would; a retransmission that is due counts as one more retry (the timer restarts at the
   * RTO, without back-off: the segment was not lost, the neighbor is just slow), so the retry
   * limits end the connection with `TimedOut` when the neighbor never answers; a probe or
   * keep-alive counts as sent. When the neighbor answers, the segment leaves at once, a
   * retransmission included (`neighborResolved`): waiting for the next RTO, backed off as it may
   * be, would leave the connection silent for up to a minute after the neighbor answered.
   */
  dispatchWaiting(now: Instant): void {
    const kind = this.pendKind;
    const snd = this.snd;
    if (kind === SendKind.Retransmit || kind === SendKind.Fast) {
      this.retries++;
      this.timer.setForRetransmit(now, snd.rtt.rto);
      this.retransmitOnResolve = true;
      return;
    }
    if (kind === SendKind.Probe || kind === SendKind.KeepAlive) {
      this.dispatchCommit(now);
      return;
    }
    const ctl = snd.pendCtl;
    if (kind === SendKind.Normal && this.timer.kind === TimerKind.Idle && (snd.pendLen > 0 || ctl === TcpControl.Syn || ctl === TcpControl.Fin)) {
      this.timer.setForRetransmit(now, snd.rtt.rto);
    }
  }

  /**
   * The next hop this socket waited for has answered (the interface calls this before offering
   * the link again). A retransmission held back by `dispatchWaiting` is due at once: the timer
   * expires now, so the next `dispatch` prepares it (and backs the RTO off, as any timeout).
   */
  neighborResolved(now: Instant): void {
    if (!this.retransmitOnResolve) return;
    this.retransmitOnResolve = false;
    this.timer.expireRetransmit(now);
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
    const snd = this.snd;
    if (s === TcpState.SynSent) {
      if (seq !== snd.iss || snd.max === snd.iss) return false;
    } else if (!(seqGe(seq, snd.una) && seqLt(seq, snd.max))) {
      return false;
    }
    if (kind === TcpIcmpError.Unreachable) {
      if (s === TcpState.SynSent || (s === TcpState.SynReceived && !this.passive)) this.fail(SocketErrorCode.Unreachable, false);
      else this.err = SocketErrorCode.Unreachable;
      return true;
    }
    if (kind === TcpIcmpError.PacketTooBig) {
      const floor = this.remote.addr.version === IpVersion.Ipv6 ? TCP_MIN_PATH_MSS_V6 : TCP_MIN_PATH_MSS_V4;
      if (snd.lowerPathMss(mss > floor ? mss : floor, this.linkMss) && s >= TcpState.Established && snd.nxt !== snd.una) {
        // Everything in flight may have been too big: go back to SND.UNA, without back-off.
        snd.nxt = snd.una;
        snd.rtt.onRetransmit();
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
    if (this.rcv.ackPending) d = earliest(d, this.delayedAck.pollDelay(now));
    return earliest(d, this.userTimeout.pollDelay(now));
  }

  // --- What to send ------------------------------------------------------------------------------

  /** Fills the pending-segment fields; false when nothing is to be sent. Expired timers act here. */
  private prepare(now: Instant): boolean {
    const s = this.st;
    const snd = this.snd;
    snd.pendLen = 0;
    snd.pendCtl = TcpControl.None;
    this.pendKind = SendKind.Normal;
    this.pendAck = true;
    this.pendProbeAfterRto = false;
    snd.pendSeq = snd.nxt;
    if (s === TcpState.Closed) {
      if (!this.rstPending) return false;
      // RFC 9293 §3.10.5 ABORT: "<SEQ=SND.NXT><CTL=RST>".
      this.pendKind = SendKind.Rst;
      snd.pendCtl = TcpControl.Rst;
      snd.pendSeq = this.rstSeq;
      this.pendAck = false;
      this.pendWnd = 0;
      return true;
    }
    if (s === TcpState.Listen) return false;
    const rcv = this.rcv;
    const linkMss = this.linkMss;
    this.pendWnd = rcv.windowField(linkMss);
    if (s === TcpState.TimeWait) {
      if (this.timer.shouldClose(now)) {
        this.toClosed();
        return false;
      }
      return rcv.ackPending;
    }

    // RFC 5482 / RFC 9293 §3.10.1: the user timeout.
    if (this.userTimeout.expired(now)) return this.timedOut(now);
    const timer = this.timer;
    if (this.keepAliveDirty) {
      this.keepAliveDirty = false;
      if (timer.kind === TimerKind.Idle) {
        this.idle(now);
        // Keep-alive switched off with probes unanswered: nothing awaits an answer any more.
        if (this.keepAliveFor() === 0 && this.keepAliveUnanswered !== 0) {
          this.keepAliveUnanswered = 0;
          this.userTimeout.onAck(now, this.snd.max !== this.snd.una);
        }
      }
    }
    const rtoDue = timer.kind === TimerKind.Retransmit && timer.shouldRetransmit(now) >= 0;
    const synState = s === TcpState.SynSent || s === TcpState.SynReceived;
    if (rtoDue && this.retries >= (synState ? this.synRetries : this.maxRetransmits)) return this.timedOut(now);

    if (synState) {
      // Our SYN (SYN-ACK in SYN-RECEIVED): first, or again on the RTO or a repeated SYN.
      if (rtoDue || snd.nxt === snd.iss) {
        this.pendKind = rtoDue ? SendKind.Retransmit : SendKind.Normal;
        snd.pendCtl = TcpControl.Syn;
        snd.pendSeq = snd.iss;
        this.pendAck = s === TcpState.SynReceived;
        this.pendWnd = rcv.synWindow();
        return true;
      }
      return false;
    }

    // A queued FIN may go (after the data) only once the state says our half is closing.
    const finReady = snd.finQueued && (s === TcpState.FinWait1 || s === TcpState.Closing || s === TcpState.LastAck);
    const mss = snd.effMss(linkMss);
    // Retransmissions first.
    const queued = snd.tx.len();
    let force = false;
    if (timer.kind === TimerKind.FastRetransmit || rtoDue) {
      if (snd.wnd === 0 && queued > 0) {
        // The RTO expired into a closed window: a probe instead, and probing from now on.
        this.probe();
        this.pendProbeAfterRto = rtoDue;
        return true;
      }
      if (snd.segmentAt(snd.una, snd.wnd, mss, finReady)) {
        this.pendKind = rtoDue ? SendKind.Retransmit : SendKind.Fast;
        return true;
      }
      this.idle(now); // nothing left to send again (a stale timer)
    } else if (timer.shouldProbeZeroWindow(now)) {
      if (this.probesUnanswered >= this.maxRetransmits) return this.timedOut(now);
      if (snd.wnd === 0) {
        if (queued > 0) return this.probe();
        this.idle(now);
      } else {
        force = true; // the SWS override timeout (§3.8.6.2.1 (4)): send what fits
      }
    }

    // New data (and FIN): RFC 9293 §3.8.6.2.1 with Nagle.
    if (snd.segmentAt(snd.nxt, snd.wnd - seqSub(snd.nxt, snd.una), mss, finReady)) {
      const n = snd.pendLen;
      if (n === 0 || force || snd.mayTransmit(n, mss, this.nagle)) return true;
      snd.pendLen = 0;
      snd.pendCtl = TcpControl.None;
    }
    snd.pendSeq = snd.nxt;
    // Held data with nothing in flight: only the persist timer will make progress.
    const unsent = queued - seqSub(snd.nxt, snd.una);
    if (unsent > 0 && snd.max === snd.una && timer.kind === TimerKind.Idle && this.sendingState()) {
      timer.setForZeroWindowProbe(now, snd.rtt.rto);
    }

    // An ACK, or a window update (§3.8.6.2.2: only when the right edge moves by enough, and
    // only while the peer may still send).
    if (rcv.ackPending && this.delayedAck.mayAck(now)) return true;
    if ((s === TcpState.Established || s === TcpState.FinWait1 || s === TcpState.FinWait2) && rcv.windowUpdateDue(this.pendWnd, linkMss)) return true;

    // Keep-alive (RFC 1122 §4.2.3.6, RFC 9293 §3.8.4): "SEG.SEQ = SND.NXT-1" with no data.
    // Unanswered probes end the connection after `keepAliveProbes` only without a user timeout;
    // with one, the user timeout (checked above) decides, as with Linux's TCP_USER_TIMEOUT.
    if (timer.shouldKeepAlive(now)) {
      if (this.keepAliveFor() === 0) {
        timer.setForIdle(now, 0);
      } else if (this.keepAliveUnanswered >= this.keepAliveProbes && this.userTimeout.timeout === 0) {
        return this.timedOut(now);
      } else {
        this.pendKind = SendKind.KeepAlive;
        snd.pendSeq = seqAdd(snd.una, -1);
        return true;
      }
    }
    // A due timer that found nothing to do must not make `pollDelay` say 0 for ever.
    if ((timer.kind === TimerKind.Retransmit || timer.kind === TimerKind.FastRetransmit || timer.kind === TimerKind.ZeroWindowProbe) && timer.pollDelay(now) === 0) {
      if (snd.max === snd.una && unsent <= 0) this.idle(now);
      else timer.setForZeroWindowProbe(now, snd.rtt.rto);
    }
    return false;
  }

  /** Prepares a zero-window probe (RFC 9293 §3.8.6.1): one octet at SND.UNA. */
  private probe(): boolean {
    this.pendKind = SendKind.Probe;
    this.snd.probe();
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

  // --- State helpers ------------------------------------------------------------------------------

  /** Whether the receive side is over for good and drained. */
  private recvFinished(): boolean {
    const s = this.st;
    return !(s === TcpState.Listen || s === TcpState.SynSent || s === TcpState.SynReceived || s === TcpState.Established || s === TcpState.FinWait1 || s === TcpState.FinWait2) && this.rx.isEmpty();
  }

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
    const finQueued = this.snd.finQueued;
    if (finQueued || (s !== TcpState.SynSent && s !== TcpState.SynReceived && s !== TcpState.Established && s !== TcpState.CloseWait)) {
      throw new SocketError(SocketErrorCode.InvalidState, "send in " + TCP_STATE_NAMES[s] + (finQueued ? " after close" : ""));
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
    this.rcv.ackPending = false;
    this.rcv.ackUrgent = false;
  }

  /** The connection ends with `code`; `rst`: the peer is sent a RST. */
  private fail(code: SocketErrorCode, rst: boolean): void {
    this.err = code;
    this.rstPending = rst;
    this.rstSeq = this.snd.nxt;
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

  /**
   * The connection's TSval offset (RFC 7323 §5.4; see `timestamps.ts`): RFC 6528's keyed hash F
   * of the reversed 4-tuple, from the interface (`tcpInitialSeq` at time 0 is F alone) or the
   * socket's `isnGenerator`; 0 when neither is set (tests).
   */
  private timestampOffset(): number {
    const ctx = this.context;
    if (ctx !== null) return ctx.tcpInitialSeq(0, this.remote, this.local) | 0;
    const g = this.isnGenerator;
    return g !== null ? g.offset(this.remote, this.local) : 0;
  }

  /** Forgets the connection's variables and buffers (not the endpoints, not the configuration). */
  private resetConnection(): void {
    this.snd.reset();
    this.rcv.reset();
    this.ts.reset();
    this.timer.reset();
    this.userTimeout.reset();
    this.st = TcpState.Closed;
    this.peerScaled = false;
    this.passive = false;
    this.retries = 0;
    this.retransmitOnResolve = false;
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

function checkRemote(remote: IpEndpoint): void {
  if (remote.port <= 0 || remote.port > 0xffff || remote.addr.isUnspecified() || !remote.addr.isUnicast()) {
    throw new SocketError(SocketErrorCode.Unaddressable, "remote endpoint " + remote);
  }
}

function checkDuration(name: string, ms: number): void {
  if (!(Number.isInteger(ms) && ms >= 0 && ms <= MAX_DURATION)) throw new RangeError(name + " must be an integer number of ms from 0 to 2^31 - 1: " + ms);
}
