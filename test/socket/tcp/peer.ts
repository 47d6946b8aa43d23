// A scripted peer for socket-level TCP tests (mirage-tcpip style): segments are built by hand as
// TcpReprs, fed to the socket with `process`, and what `dispatch` produces is read back. Not a
// test file itself; the *.test.ts files import it.
import * as assert from "uvu/assert";
import { TCP_STATE_NAMES, TcpSocket, TcpState } from "../../../src/socket/tcp/socket.js";
import { IpAddress, IpEndpoint, IpProtocol, ipv4Parse } from "../../../src/wire/ip.js";
import { IpRepr } from "../../../src/wire/ip-repr.js";
import { TcpControl, TcpRepr } from "../../../src/wire/tcp.js";

/** A clock a few seconds before the int32 wrap, so every timer crosses it. */
export const T0 = (0x7fffffff - 3000) | 0;
export const LOCAL4 = ipv4Parse("192.168.69.1");
export const REMOTE4 = ipv4Parse("192.168.69.2");
export const LOCAL_PORT = 80;
export const REMOTE_PORT = 49500;
export const LOCAL_END = IpEndpoint.of(IpAddress.v4(LOCAL4), LOCAL_PORT);
export const REMOTE_END = IpEndpoint.of(IpAddress.v4(REMOTE4), REMOTE_PORT);
export const ISN = 10000;
export const RISN = -2000;
export const BUF = 64;

/** The IP header of segments from the peer. */
export const ipIn = new IpRepr().setV4(REMOTE4, LOCAL4, IpProtocol.Tcp, 0, 64);
/** Where `process` writes its reply. */
export const reply = new TcpRepr();

export const stateName = (st: TcpState): string => TCP_STATE_NAMES[st];

export function assertState(sock: TcpSocket, st: TcpState, msg?: string): void {
  assert.is(stateName(sock.state), stateName(st), msg);
}

/** A segment from the peer: `ack` null for none. */
export function seg(ctl: TcpControl, seq: number, ack: number | null, win = 1000): TcpRepr {
  const t = new TcpRepr();
  t.srcPort = REMOTE_PORT;
  t.dstPort = LOCAL_PORT;
  t.control = ctl;
  t.seqNumber = seq | 0;
  t.hasAck = ack !== null;
  t.ackNumber = ack === null ? 0 : ack | 0;
  t.windowLen = win;
  return t;
}

export function bytesOf(text: string): Uint8Array {
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
  return b;
}

export function textOf(b: Uint8Array, off: number, n: number): string {
  let r = "";
  for (let i = 0; i < n; i++) r += String.fromCharCode(b[off + i]);
  return r;
}

/** Feeds a segment (with optional data); returns whether a reply is to be sent (in `reply`). */
export function feed(sock: TcpSocket, now: number, t: TcpRepr, data?: string): boolean {
  const bytes = new Uint8Array(2 + (data ? data.length : 0));
  for (let i = 0; data && i < data.length; i++) bytes[2 + i] = data.charCodeAt(i);
  t.payloadLen = data ? data.length : 0;
  assert.ok(sock.accepts(ipIn, t), "accepts");
  return sock.process(now, ipIn, t, bytes, 2, t.payloadLen, reply);
}

export interface Out {
  tcp: TcpRepr;
  ip: IpRepr;
  data: string;
}

/** Runs dispatch / dispatchPayload / dispatchCommit; null when nothing is sent. */
export function out(sock: TcpSocket, now: number): Out | null {
  const ip = new IpRepr();
  const tcp = new TcpRepr();
  const n = sock.dispatch(now, ip, tcp);
  if (n < 0) return null;
  const buf = new Uint8Array(n + 3);
  sock.dispatchPayload(buf, 3);
  sock.dispatchCommit(now);
  return { tcp, ip, data: textOf(buf, 3, n) };
}

/** Checks a segment the socket sent. */
export function expectSeg(o: Out | null, ctl: TcpControl, seq: number, ack: number | null, data = ""): Out {
  assert.ok(o !== null, "a segment");
  const t = o!.tcp;
  assert.is(t.control, ctl, "control");
  assert.is(t.seqNumber, seq | 0, "seq");
  assert.is(t.hasAck, ack !== null, "hasAck");
  if (ack !== null) assert.is(t.ackNumber, ack | 0, "ack");
  assert.is(o!.data, data, "data");
  assert.is(t.srcPort, LOCAL_PORT);
  assert.is(t.dstPort, REMOTE_PORT);
  return o!;
}

/** Everything the socket sends now, in order. */
export function drain(sock: TcpSocket, now: number): Out[] {
  const r: Out[] = [];
  for (let o = out(sock, now); o !== null; o = out(sock, now)) {
    r.push(o);
    assert.ok(r.length < 10000, "dispatch terminates");
  }
  return r;
}

export function recvText(sock: TcpSocket, max = 4096): string {
  const b = new Uint8Array(max);
  const n = sock.recv(b, 0, max);
  return n > 0 ? textOf(b, 0, n) : "";
}

export interface Opts {
  isn?: number;
  risn?: number;
  /** The peer's MSS option (0: none). */
  mss?: number;
  /** The peer's Window Scale option (-1: none). */
  ws?: number;
  /** The peer's window in the handshake. */
  win?: number;
  rx?: number;
  tx?: number;
  linkMss?: number;
  ackDelay?: number;
  nagle?: boolean;
  gaps?: number;
}

/** A fresh socket configured from `o` (defaults: immediate ACKs, link MSS 1460). */
export function make(o: Opts = {}): TcpSocket {
  const sock = new TcpSocket(o.rx ?? BUF, o.tx ?? BUF, o.gaps ?? 4);
  sock.linkMss = o.linkMss ?? 1460;
  sock.ackDelay = o.ackDelay ?? 0;
  sock.nagle = o.nagle ?? true;
  return sock;
}

/** A server socket through the handshake (passive open). */
export function server(o: Opts = {}): TcpSocket {
  const isn = o.isn ?? ISN;
  const risn = o.risn ?? RISN;
  const sock = make(o);
  sock.listenIsn = isn;
  sock.listen(LOCAL_PORT);
  const syn = seg(TcpControl.Syn, risn, null, o.win ?? 1000);
  syn.maxSegSize = o.mss ?? 1400;
  syn.windowScale = o.ws ?? -1;
  assert.not.ok(feed(sock, T0, syn));
  assertState(sock, TcpState.SynReceived);
  const sa = expectSeg(out(sock, T0), TcpControl.Syn, isn, risn + 1);
  assert.is(sa.ip.nextHeader, IpProtocol.Tcp);
  assert.is(sa.ip.srcAddr.v4, LOCAL4);
  assert.is(sa.ip.dstAddr.v4, REMOTE4);
  assert.not.ok(feed(sock, T0, seg(TcpControl.None, risn + 1, isn + 1, o.win ?? 1000)));
  assertState(sock, TcpState.Established);
  // A buffer larger than the SYN's unscaled window: the first ACK widens the window.
  if ((o.rx ?? BUF) <= 0xffff) assert.is(out(sock, T0), null);
  else drain(sock, T0);
  return sock;
}

/** A client socket through the handshake (active open); the SYN-ACK arrives 10 ms after the SYN. */
export function client(o: Opts = {}): TcpSocket {
  const isn = o.isn ?? ISN;
  const risn = o.risn ?? RISN;
  const sock = make(o);
  sock.connectWith(T0, LOCAL_END, REMOTE_END, isn);
  assertState(sock, TcpState.SynSent);
  expectSeg(out(sock, T0), TcpControl.Syn, isn, null);
  const synAck = seg(TcpControl.Syn, risn, isn + 1, o.win ?? 1000);
  synAck.maxSegSize = o.mss ?? 1400;
  synAck.windowScale = o.ws ?? -1;
  assert.not.ok(feed(sock, T0 + 10, synAck));
  assertState(sock, TcpState.Established);
  expectSeg(out(sock, T0 + 10), TcpControl.None, isn + 1, risn + 1);
  assert.is(out(sock, T0 + 10), null);
  return sock;
}
