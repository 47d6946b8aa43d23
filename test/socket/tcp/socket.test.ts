// The TCP socket without an interface, as smoltcp's socket/tcp.rs tests it: segments are built
// by hand as TcpReprs, fed with `process`, and what `dispatch` produces is read back.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TCP_STATE_NAMES, TcpSocket, TcpState } from "../../../src/socket/tcp/socket.js";
import { SocketError } from "../../../src/socket/error.js";
import { POLL_INGRESS, POLL_NOW } from "../../../src/socket/meta.js";
import { IpAddress, IpEndpoint, IpProtocol, ipv4Parse } from "../../../src/wire/ip.js";
import { IpRepr } from "../../../src/wire/ip-repr.js";
import { TcpControl, TcpRepr } from "../../../src/wire/tcp.js";
import { RTO_MIN_DEFAULT } from "../../../src/socket/tcp/rtt.js";

// A clock a few seconds before the int32 wrap, so every timer crosses it.
const T0 = (0x7fffffff - 3000) | 0;
const LOCAL4 = ipv4Parse("192.168.69.1");
const REMOTE4 = ipv4Parse("192.168.69.2");
const LOCAL_PORT = 80;
const REMOTE_PORT = 49500;
const LOCAL_END = IpEndpoint.of(IpAddress.v4(LOCAL4), LOCAL_PORT);
const REMOTE_END = IpEndpoint.of(IpAddress.v4(REMOTE4), REMOTE_PORT);
const ISN = 10000;
const RISN = -2000;
const BUF = 64;

const ipIn = new IpRepr().setV4(REMOTE4, LOCAL4, IpProtocol.Tcp, 0, 64);
const reply = new TcpRepr();

const s = (st: TcpState) => TCP_STATE_NAMES[st];

function assertState(sock: TcpSocket, st: TcpState): void {
  assert.is(s(sock.state), s(st));
}

/** A segment from the peer: `ack` null for none. */
function seg(ctl: TcpControl, seq: number, ack: number | null, win = 1000): TcpRepr {
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

/** Feeds a segment (with optional data); returns whether a reply is to be sent. */
function feed(sock: TcpSocket, now: number, t: TcpRepr, data?: string): boolean {
  const bytes = new Uint8Array(2 + (data ? data.length : 0));
  for (let i = 0; data && i < data.length; i++) bytes[2 + i] = data.charCodeAt(i);
  t.payloadLen = data ? data.length : 0;
  assert.ok(sock.accepts(ipIn, t), "accepts");
  return sock.process(now, ipIn, t, bytes, 2, t.payloadLen, reply);
}

interface Out {
  tcp: TcpRepr;
  ip: IpRepr;
  data: string;
}

/** Runs dispatch / dispatchPayload / dispatchCommit; null when nothing is sent. */
function out(sock: TcpSocket, now: number): Out | null {
  const ip = new IpRepr();
  const tcp = new TcpRepr();
  const n = sock.dispatch(now, ip, tcp);
  if (n < 0) return null;
  const buf = new Uint8Array(n + 3);
  sock.dispatchPayload(buf, 3);
  sock.dispatchCommit(now);
  let data = "";
  for (let i = 0; i < n; i++) data += String.fromCharCode(buf[3 + i]);
  return { tcp, ip, data };
}

function expectSeg(o: Out | null, ctl: TcpControl, seq: number, ack: number | null, data = ""): Out {
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

function bytesOf(text: string): Uint8Array {
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
  return b;
}

function recvText(sock: TcpSocket): string {
  const b = new Uint8Array(BUF);
  const n = sock.recv(b, 0, BUF);
  let r = "";
  for (let i = 0; i < n; i++) r += String.fromCharCode(b[i]);
  return r;
}

/** A server socket through the handshake. */
function server(isn = ISN, risn = RISN, mss = 1400): TcpSocket {
  const sock = new TcpSocket(BUF, BUF);
  sock.listenIsn = isn;
  sock.listen(LOCAL_PORT);
  const syn = seg(TcpControl.Syn, risn, null);
  syn.maxSegSize = mss;
  assert.not.ok(feed(sock, T0, syn));
  assertState(sock, TcpState.SynReceived);
  assert.is(sock.pollDelay(T0), POLL_NOW);
  const o = expectSeg(out(sock, T0), TcpControl.Syn, isn, risn + 1);
  assert.is(o.tcp.maxSegSize, 1460);
  assert.is(o.tcp.windowScale, -1, "no Window Scale unless the peer sent one");
  assert.is(o.tcp.windowLen, BUF);
  assert.is(o.ip.nextHeader, IpProtocol.Tcp);
  assert.is(o.ip.srcAddr.v4, LOCAL4);
  assert.is(o.ip.dstAddr.v4, REMOTE4);
  assert.not.ok(feed(sock, T0, seg(TcpControl.None, risn + 1, isn + 1)));
  assertState(sock, TcpState.Established);
  assert.is(out(sock, T0), null);
  assert.is(sock.pollDelay(T0), POLL_INGRESS);
  return sock;
}

/** A client socket through the handshake. */
function client(isn = ISN, risn = RISN): TcpSocket {
  const sock = new TcpSocket(BUF, BUF);
  sock.connect(T0, LOCAL_END, REMOTE_END, isn);
  assertState(sock, TcpState.SynSent);
  const o = expectSeg(out(sock, T0), TcpControl.Syn, isn, null);
  assert.is(o.tcp.windowScale, 0);
  assert.is(o.tcp.maxSegSize, 1460);
  const synAck = seg(TcpControl.Syn, risn, isn + 1);
  synAck.maxSegSize = 1400;
  assert.not.ok(feed(sock, T0 + 10, synAck));
  assertState(sock, TcpState.Established);
  expectSeg(out(sock, T0 + 10), TcpControl.None, isn + 1, risn + 1);
  assert.is(out(sock, T0 + 10), null);
  return sock;
}

test("handshake as server", () => {
  server();
});

test("handshake as client; the RTT is measured", () => {
  const sock = client();
  assert.ok(sock.rtt.measured);
  assert.is(sock.rtt.srtt(), 10);
});

test("listen: an ACK is answered with a RST, a RST ignored", () => {
  const sock = new TcpSocket(BUF, BUF);
  sock.listen(LOCAL_PORT);
  assert.ok(feed(sock, T0, seg(TcpControl.None, 5, 1234)));
  assert.is(reply.control, TcpControl.Rst);
  assert.is(reply.seqNumber, 1234);
  assert.is(reply.dstPort, REMOTE_PORT);
  assert.not.ok(feed(sock, T0, seg(TcpControl.Rst, 5, null)));
  assertState(sock, TcpState.Listen);
  assert.throws(() => sock.listen(81), (e: unknown) => e instanceof SocketError);
});

test("accepts: only the connection's 4-tuple once connected", () => {
  const sock = server();
  const t = seg(TcpControl.None, RISN + 1, ISN + 1);
  t.srcPort = REMOTE_PORT + 1;
  assert.not.ok(sock.accepts(ipIn, t));
  t.srcPort = REMOTE_PORT;
  assert.ok(sock.accepts(ipIn, t));
  t.dstPort = 81;
  assert.not.ok(sock.accepts(ipIn, t));
});

for (const [isn, risn] of [
  [ISN, RISN],
  [-1, 0x7fffffff],
  [-3, -2],
  [0x7ffffffe, -1],
  [0x7fffffff, 0x7ffffffd],
]) {
  test(`data both ways, ISN ${isn >>> 0} / ${risn >>> 0}`, () => {
    for (const mk of [server, client]) {
      const sock = mk(isn, risn);
      assert.is(sock.send(bytesOf("abcdef"), 0, 6), 6);
      assert.is(sock.pollDelay(T0 + 20), POLL_NOW);
      expectSeg(out(sock, T0 + 20), TcpControl.None, isn + 1, risn + 1, "abcdef");
      assert.is(out(sock, T0 + 20), null);
      assert.is(sock.pollDelay(T0 + 20), RTO_MIN_DEFAULT, "retransmission timer (RTO after the handshake's sample)");
      // Partial ACK frees part of the ring.
      assert.not.ok(feed(sock, T0 + 30, seg(TcpControl.None, risn + 1, isn + 4)));
      assert.is(sock.tx.len(), 3);
      assert.not.ok(feed(sock, T0 + 40, seg(TcpControl.None, risn + 1, isn + 7)));
      assert.is(sock.tx.len(), 0);
      assert.is(sock.pollDelay(T0 + 40), POLL_INGRESS);
      // Receive: window shrinks by what is buffered.
      assert.not.ok(feed(sock, T0 + 50, seg(TcpControl.None, risn + 1, isn + 7), "xyz"));
      const a = expectSeg(out(sock, T0 + 50), TcpControl.None, isn + 7, risn + 4);
      assert.is(a.tcp.windowLen, BUF - 3);
      // A segment overlapping what we have: only the new part is taken.
      assert.not.ok(feed(sock, T0 + 60, seg(TcpControl.None, risn + 2, isn + 7), "yzuv"));
      expectSeg(out(sock, T0 + 60), TcpControl.None, isn + 7, risn + 6);
      assert.is(recvText(sock), "xyzuv");
    }
  });
}

test("sending respects the peer's window and MSS", () => {
  const sock = server();
  feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 1, 4));
  sock.send(bytesOf("abcdefgh"), 0, 8);
  expectSeg(out(sock, T0), TcpControl.None, ISN + 1, RISN + 1, "abcd");
  assert.is(out(sock, T0), null);
  feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 5, 4));
  expectSeg(out(sock, T0), TcpControl.None, ISN + 5, RISN + 1, "efgh");
});

test("close from our side: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT for 10 s, CLOSED", () => {
  const sock = server();
  sock.send(bytesOf("abc"), 0, 3);
  sock.close();
  assertState(sock, TcpState.FinWait1);
  assert.throws(() => sock.send(bytesOf("x"), 0, 1), (e: unknown) => e instanceof SocketError);
  expectSeg(out(sock, T0), TcpControl.Fin, ISN + 1, RISN + 1, "abc");
  assert.is(out(sock, T0), null);
  feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 5));
  assertState(sock, TcpState.FinWait2);
  assert.is(out(sock, T0), null);
  feed(sock, T0 + 100, seg(TcpControl.Fin, RISN + 1, ISN + 5));
  assertState(sock, TcpState.TimeWait);
  expectSeg(out(sock, T0 + 100), TcpControl.None, ISN + 5, RISN + 2);
  assert.is(sock.pollDelay(T0 + 100), 10000);
  // A retransmitted FIN is answered with an ACK.
  assert.ok(feed(sock, T0 + 200, seg(TcpControl.Fin, RISN + 1, ISN + 5)));
  assert.is(reply.control, TcpControl.None);
  assert.is(reply.ackNumber, (RISN + 2) | 0);
  assert.is(out(sock, T0 + 10099), null);
  assertState(sock, TcpState.TimeWait);
  assert.is(out(sock, T0 + 10100), null);
  assertState(sock, TcpState.Closed);
  assert.is(sock.pollDelay(T0 + 10100), POLL_INGRESS);
});

test("close: FIN and ACK together take FIN-WAIT-1 to TIME-WAIT", () => {
  const sock = client();
  sock.close();
  expectSeg(out(sock, T0), TcpControl.Fin, ISN + 1, RISN + 1);
  feed(sock, T0, seg(TcpControl.Fin, RISN + 1, ISN + 2));
  assertState(sock, TcpState.TimeWait);
  expectSeg(out(sock, T0), TcpControl.None, ISN + 2, RISN + 2);
});

test("simultaneous close: FIN-WAIT-1, CLOSING, TIME-WAIT", () => {
  const sock = server();
  sock.close();
  expectSeg(out(sock, T0), TcpControl.Fin, ISN + 1, RISN + 1);
  feed(sock, T0, seg(TcpControl.Fin, RISN + 1, ISN + 1));
  assertState(sock, TcpState.Closing);
  expectSeg(out(sock, T0), TcpControl.None, ISN + 2, RISN + 2);
  feed(sock, T0, seg(TcpControl.None, RISN + 2, ISN + 2));
  assertState(sock, TcpState.TimeWait);
  assert.is(out(sock, T0 + 10000), null);
  assertState(sock, TcpState.Closed);
});

test("close from the peer: CLOSE-WAIT, LAST-ACK, CLOSED", () => {
  const sock = client();
  feed(sock, T0, seg(TcpControl.Fin, RISN + 1, ISN + 1), "bye");
  assertState(sock, TcpState.CloseWait);
  expectSeg(out(sock, T0), TcpControl.None, ISN + 1, RISN + 5);
  assert.is(recvText(sock), "bye");
  sock.send(bytesOf("ok"), 0, 2);
  sock.close();
  assertState(sock, TcpState.LastAck);
  expectSeg(out(sock, T0), TcpControl.Fin, ISN + 1, RISN + 5, "ok");
  feed(sock, T0, seg(TcpControl.None, RISN + 5, ISN + 4));
  assertState(sock, TcpState.Closed);
  assert.is(out(sock, T0), null);
});

test("the FIN is retransmitted on the RTO", () => {
  const sock = server();
  sock.close();
  expectSeg(out(sock, T0), TcpControl.Fin, ISN + 1, RISN + 1);
  assert.is(out(sock, T0 + RTO_MIN_DEFAULT - 1), null);
  expectSeg(out(sock, T0 + RTO_MIN_DEFAULT), TcpControl.Fin, ISN + 1, RISN + 1);
  assert.is(sock.pollDelay(T0 + RTO_MIN_DEFAULT), 2 * RTO_MIN_DEFAULT, "backed off");
});

test("RST in ESTABLISHED: in window resets, outside is ignored", () => {
  const sock = server();
  assert.not.ok(feed(sock, T0, seg(TcpControl.Rst, RISN + 1000, null)));
  assertState(sock, TcpState.Established);
  assert.not.ok(feed(sock, T0, seg(TcpControl.Rst, RISN + 1, null)));
  assertState(sock, TcpState.Closed);
  assert.is(out(sock, T0), null);
});

test("RST in SYN-SENT: with an acceptable ACK resets, without is ignored", () => {
  const sock = new TcpSocket(BUF, BUF);
  sock.connect(T0, LOCAL_END, REMOTE_END, ISN);
  out(sock, T0);
  assert.not.ok(feed(sock, T0, seg(TcpControl.Rst, 0, ISN + 5)));
  assertState(sock, TcpState.SynSent);
  assert.not.ok(feed(sock, T0, seg(TcpControl.Rst, 0, null)));
  assertState(sock, TcpState.SynSent);
  // An unacceptable ACK without RST is answered with a RST.
  assert.ok(feed(sock, T0, seg(TcpControl.None, 7, ISN + 5)));
  assert.is(reply.control, TcpControl.Rst);
  assert.is(reply.seqNumber, ISN + 5);
  assert.not.ok(feed(sock, T0, seg(TcpControl.Rst, 0, ISN + 1)));
  assertState(sock, TcpState.Closed);
});

test("RST in SYN-RECEIVED of a passive open returns to LISTEN", () => {
  const sock = new TcpSocket(BUF, BUF);
  sock.listen(LOCAL_PORT);
  feed(sock, T0, seg(TcpControl.Syn, RISN, null));
  out(sock, T0);
  feed(sock, T0, seg(TcpControl.Rst, RISN + 1, null));
  assertState(sock, TcpState.Listen);
});

test("SYN-RECEIVED: a bad ACK is answered with a RST", () => {
  const sock = new TcpSocket(BUF, BUF);
  sock.listenIsn = ISN;
  sock.listen(LOCAL_PORT);
  feed(sock, T0, seg(TcpControl.Syn, RISN, null));
  out(sock, T0);
  assert.ok(feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 9)));
  assert.is(reply.control, TcpControl.Rst);
  assert.is(reply.seqNumber, ISN + 9);
  assertState(sock, TcpState.SynReceived);
});

test("an unacceptable segment is answered with an ACK", () => {
  const sock = server();
  assert.ok(feed(sock, T0, seg(TcpControl.None, RISN + 1 + BUF, ISN + 1), "zz"));
  assert.is(reply.control, TcpControl.None);
  assert.ok(reply.hasAck);
  assert.is(reply.seqNumber, ISN + 1);
  assert.is(reply.ackNumber, RISN + 1);
  assert.is(reply.windowLen, BUF);
  assert.is(reply.dstPort, REMOTE_PORT);
  // An old duplicate too.
  assert.ok(feed(sock, T0, seg(TcpControl.None, RISN - 10, ISN + 1), "zz"));
  // An ACK of data never sent.
  assert.ok(feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 50)));
  assert.is(recvText(sock), "");
  assertState(sock, TcpState.Established);
});

test("an out-of-order segment is dropped and answered by a duplicate ACK", () => {
  const sock = server();
  assert.not.ok(feed(sock, T0, seg(TcpControl.None, RISN + 3, ISN + 1), "cd"));
  expectSeg(out(sock, T0), TcpControl.None, ISN + 1, RISN + 1);
  assert.is(sock.rx.len(), 0);
});

test("the SYN is retransmitted after the RTO, with back-off", () => {
  const sock = new TcpSocket(BUF, BUF);
  sock.connect(T0, LOCAL_END, REMOTE_END, ISN);
  expectSeg(out(sock, T0), TcpControl.Syn, ISN, null);
  assert.is(sock.pollDelay(T0), 1000);
  assert.is(out(sock, T0 + 999), null);
  expectSeg(out(sock, T0 + 1000), TcpControl.Syn, ISN, null);
  assert.is(sock.pollDelay(T0 + 1000), 2000);
  assert.is(out(sock, T0 + 2999), null);
  expectSeg(out(sock, T0 + 3000), TcpControl.Syn, ISN, null);
  // The SYN-ACK after retransmissions: no RTT sample (Karn), established.
  feed(sock, T0 + 3100, seg(TcpControl.Syn, RISN, ISN + 1));
  assertState(sock, TcpState.Established);
  assert.not.ok(sock.rtt.measured);
});

test("data is retransmitted from the oldest unacknowledged octet", () => {
  const sock = server();
  sock.send(bytesOf("abcdef"), 0, 6);
  expectSeg(out(sock, T0), TcpControl.None, ISN + 1, RISN + 1, "abcdef");
  feed(sock, T0 + 100, seg(TcpControl.None, RISN + 1, ISN + 3));
  assert.is(sock.pollDelay(T0 + 100), sock.rtt.rto, "rewound on the partial ACK");
  assert.is(out(sock, T0 + 100 + sock.rtt.rto - 1), null);
  expectSeg(out(sock, T0 + 100 + sock.rtt.rto), TcpControl.None, ISN + 3, RISN + 1, "cdef");
  feed(sock, T0 + 1000, seg(TcpControl.None, RISN + 1, ISN + 7));
  assert.is(sock.tx.len(), 0);
  assert.is(sock.pollDelay(T0 + 1000), POLL_INGRESS);
});

test("go-back-N: a late ACK of segments sent before the retransmission is accepted", () => {
  const sock = server(ISN, RISN, 4);
  sock.send(bytesOf("abcdefghijkl"), 0, 12);
  expectSeg(out(sock, T0), TcpControl.None, ISN + 1, RISN + 1, "abcd");
  expectSeg(out(sock, T0), TcpControl.None, ISN + 5, RISN + 1, "efgh");
  expectSeg(out(sock, T0), TcpControl.None, ISN + 9, RISN + 1, "ijkl");
  assert.is(out(sock, T0), null);
  const rto = sock.rtt.rto;
  expectSeg(out(sock, T0 + rto), TcpControl.None, ISN + 1, RISN + 1, "abcd");
  assert.not.ok(feed(sock, T0 + rto + 1, seg(TcpControl.None, RISN + 1, ISN + 13)));
  assert.is(sock.tx.len(), 0);
  assert.is(out(sock, T0 + rto + 1), null);
  assert.is(sock.pollDelay(T0 + rto + 1), POLL_INGRESS);
});

test("close in SYN-RECEIVED: the FIN follows the handshake", () => {
  const sock = new TcpSocket(BUF, BUF);
  sock.listenIsn = ISN;
  sock.listen(LOCAL_PORT);
  feed(sock, T0, seg(TcpControl.Syn, RISN, null));
  expectSeg(out(sock, T0), TcpControl.Syn, ISN, RISN + 1);
  sock.close();
  assertState(sock, TcpState.SynReceived);
  feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 1));
  assertState(sock, TcpState.FinWait1);
  expectSeg(out(sock, T0), TcpControl.Fin, ISN + 1, RISN + 1);
});

test("simultaneous open: SYN-SENT, SYN-RECEIVED, ESTABLISHED", () => {
  const sock = new TcpSocket(BUF, BUF);
  sock.connect(T0, LOCAL_END, REMOTE_END, ISN);
  expectSeg(out(sock, T0), TcpControl.Syn, ISN, null);
  feed(sock, T0, seg(TcpControl.Syn, RISN, null));
  assertState(sock, TcpState.SynReceived);
  expectSeg(out(sock, T0), TcpControl.Syn, ISN, RISN + 1);
  feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 1));
  assertState(sock, TcpState.Established);
});

test("abort sends a RST and closes", () => {
  const sock = server();
  sock.abort();
  assertState(sock, TcpState.Closed);
  assert.is(sock.pollDelay(T0), POLL_NOW);
  const o = out(sock, T0);
  assert.ok(o !== null);
  assert.is(o!.tcp.control, TcpControl.Rst);
  assert.is(o!.tcp.seqNumber, ISN + 1);
  assert.is(out(sock, T0), null);
});

test("a zero window is reopened by a window update after recv", () => {
  const sock = server();
  const big = "x".repeat(BUF);
  feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 1), big);
  const a = expectSeg(out(sock, T0), TcpControl.None, ISN + 1, RISN + 1 + BUF);
  assert.is(a.tcp.windowLen, 0);
  assert.is(out(sock, T0), null);
  recvText(sock);
  const u = expectSeg(out(sock, T0), TcpControl.None, ISN + 1, RISN + 1 + BUF);
  assert.is(u.tcp.windowLen, BUF);
});

test.run();
