// The TCP socket without an interface, as smoltcp's socket/tcp.rs tests it: segments are built
// by hand as TcpReprs (peer.ts), fed with `process`, and what `dispatch` produces is read back.
// This file holds the basic life of a connection; the other *.test.ts files here each take one
// RFC topic.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TcpSocket, TcpState } from "../../../src/socket/tcp/socket.js";
import { SocketError } from "../../../src/socket/error.js";
import { POLL_INGRESS, POLL_NOW } from "../../../src/socket/meta.js";
import { TcpControl } from "../../../src/wire/tcp.js";
import { RTO_MIN_DEFAULT } from "../../../src/socket/tcp/rtt.js";
import { BUF, ISN, LOCAL_END, LOCAL_PORT, REMOTE_END, REMOTE_PORT, RISN, T0, assertState, bytesOf, client, expectSeg, feed, ipIn, make, out, recvText, reply, seg, server } from "./peer.js";

test("handshake as server: SYN-ACK with our MSS, no Window Scale unless offered", () => {
  const sock = make();
  sock.listenIsn = ISN;
  sock.listen(LOCAL_PORT);
  feed(sock, T0, seg(TcpControl.Syn, RISN, null));
  assert.is(sock.pollDelay(T0), POLL_NOW);
  const o = expectSeg(out(sock, T0), TcpControl.Syn, ISN, RISN + 1);
  assert.is(o.tcp.maxSegSize, BUF, "MSS: no more than the receive buffer");
  assert.is(o.tcp.windowScale, -1, "no Window Scale unless the peer sent one");
  assert.is(o.tcp.windowLen, BUF);
  feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 1));
  assertState(sock, TcpState.Established);
  assert.is(sock.pollDelay(T0), POLL_INGRESS);
});

test("handshake as client: SYN offers MSS and Window Scale; the RTT is measured", () => {
  const c = make({ rx: 4096 });
  c.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
  const o = expectSeg(out(c, T0), TcpControl.Syn, ISN, null);
  assert.is(o.tcp.windowScale, 0);
  assert.is(o.tcp.maxSegSize, 1460);
  assert.is(o.tcp.windowLen, 4096);
  const sock = client();
  assert.ok(sock.rtt.measured);
  assert.is(sock.rtt.srtt(), 10);
});

test("listen: an ACK is answered with a RST, a RST ignored", () => {
  const sock = make();
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
      const sock = mk({ isn, risn });
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

test("sending respects the peer's window and the link MSS", () => {
  const sock = server({ win: 4, linkMss: 3 });
  sock.send(bytesOf("abcdefgh"), 0, 8);
  expectSeg(out(sock, T0), TcpControl.None, ISN + 1, RISN + 1, "abc");
  assert.is(out(sock, T0), null, "Nagle holds the 1-octet rest of the window");
  feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 4, 4));
  expectSeg(out(sock, T0), TcpControl.None, ISN + 4, RISN + 1, "def");
  assert.is(out(sock, T0), null);
  feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 7, 4));
  expectSeg(out(sock, T0), TcpControl.None, ISN + 7, RISN + 1, "gh");
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
  // A retransmitted FIN is answered with an ACK and restarts the 2 MSL (here 10 s) timeout.
  assert.ok(feed(sock, T0 + 200, seg(TcpControl.Fin, RISN + 1, ISN + 5)));
  assert.is(reply.control, TcpControl.None);
  assert.is(reply.ackNumber, (RISN + 2) | 0);
  assert.is(sock.pollDelay(T0 + 200), 10000);
  assert.is(out(sock, T0 + 10199), null);
  assertState(sock, TcpState.TimeWait);
  assert.is(out(sock, T0 + 10200), null);
  assertState(sock, TcpState.Closed);
  assert.is(sock.pollDelay(T0 + 10200), POLL_INGRESS);
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
  const sock = make();
  sock.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
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
  assert.is(sock.takeError(), 10 /* ConnectionRefused */);
});

test("RST in SYN-RECEIVED of a passive open returns to LISTEN", () => {
  const sock = make();
  sock.listen(LOCAL_PORT);
  feed(sock, T0, seg(TcpControl.Syn, RISN, null));
  out(sock, T0);
  feed(sock, T0, seg(TcpControl.Rst, RISN + 1, null));
  assertState(sock, TcpState.Listen);
});

test("SYN-RECEIVED: a bad ACK is answered with a RST", () => {
  const sock = make();
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
  // An ACK of data never sent (a challenge ACK, RFC 5961 §5).
  assert.ok(feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 50)));
  assert.is(reply.ackNumber, RISN + 1);
  assert.is(recvText(sock), "");
  assertState(sock, TcpState.Established);
});

test("an out-of-order segment is kept and answered at once by a duplicate ACK", () => {
  const sock = server({ ackDelay: 10 });
  assert.not.ok(feed(sock, T0, seg(TcpControl.None, RISN + 3, ISN + 1), "cd"));
  expectSeg(out(sock, T0), TcpControl.None, ISN + 1, RISN + 1);
  assert.is(sock.rx.len(), 0);
  feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 1), "ab");
  expectSeg(out(sock, T0), TcpControl.None, ISN + 1, RISN + 5);
  assert.is(recvText(sock), "abcd");
});

test("the SYN is retransmitted after the RTO, with back-off", () => {
  const sock = make();
  sock.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
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
  const sock = server({ linkMss: 4 });
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
  const sock = make();
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
  const sock = make();
  sock.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
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
