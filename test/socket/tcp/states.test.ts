// RFC 9293 §3.3.2 (the state diagram) and §3.10.7.4 (RST and SYN in every state), with RFC 5961
// §3/§4 where it refines them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TcpSocket, TcpState } from "../../../src/socket/tcp/socket.js";
import { SocketErrorCode } from "../../../src/socket/error.js";
import { POLL_INGRESS } from "../../../src/socket/meta.js";
import { TcpControl } from "../../../src/wire/tcp.js";
import { ADDR_A, ADDR_B, PORT_A, PORT_B, Pair } from "./pair.js";
import { IpAddress, IpEndpoint } from "../../../src/wire/ip.js";
import { ISN, LOCAL_END, LOCAL_PORT, REMOTE_END, RISN, T0, assertState, client, expectSeg, feed, ipIn, make, out, reply, seg, server, stateName } from "./peer.js";

/** Where RCV.NXT and SND.NXT stand in each state reached by `reach`. */
interface At {
  sock: TcpSocket;
  rcvNxt: number;
  sndNxt: number;
}

/** Takes a fresh server socket to `st` (a synchronized state). */
function reach(st: TcpState): At {
  const sock = server();
  switch (st) {
    case TcpState.Established:
      return { sock, rcvNxt: RISN + 1, sndNxt: ISN + 1 };
    case TcpState.FinWait1:
      sock.close();
      expectSeg(out(sock, T0), TcpControl.Fin, ISN + 1, RISN + 1);
      return { sock, rcvNxt: RISN + 1, sndNxt: ISN + 2 };
    case TcpState.FinWait2:
      sock.close();
      out(sock, T0);
      feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 2));
      return { sock, rcvNxt: RISN + 1, sndNxt: ISN + 2 };
    case TcpState.CloseWait:
      feed(sock, T0, seg(TcpControl.Fin, RISN + 1, ISN + 1));
      out(sock, T0);
      return { sock, rcvNxt: RISN + 2, sndNxt: ISN + 1 };
    case TcpState.Closing:
      sock.close();
      out(sock, T0);
      feed(sock, T0, seg(TcpControl.Fin, RISN + 1, ISN + 1));
      out(sock, T0);
      return { sock, rcvNxt: RISN + 2, sndNxt: ISN + 2 };
    case TcpState.LastAck:
      feed(sock, T0, seg(TcpControl.Fin, RISN + 1, ISN + 1));
      sock.close();
      expectSeg(out(sock, T0), TcpControl.Fin, ISN + 1, RISN + 2);
      return { sock, rcvNxt: RISN + 2, sndNxt: ISN + 2 };
    case TcpState.TimeWait:
      sock.close();
      out(sock, T0);
      feed(sock, T0, seg(TcpControl.Fin, RISN + 1, ISN + 2));
      out(sock, T0);
      return { sock, rcvNxt: RISN + 2, sndNxt: ISN + 2 };
    default:
      throw new Error("reach " + st);
  }
}

const SYNCHRONIZED = [TcpState.Established, TcpState.FinWait1, TcpState.FinWait2, TcpState.CloseWait, TcpState.Closing, TcpState.LastAck, TcpState.TimeWait];

for (const st of SYNCHRONIZED) {
  const name = stateName(st);
  test(`reach ${name}`, () => {
    assertState(reach(st).sock, st);
  });

  test(`RFC 9293 §3.10.7.4 / RFC 5961 §3: RST in ${name}`, () => {
    const at = reach(st);
    // Outside the window: silently dropped.
    assert.not.ok(feed(at.sock, T0 + 1, seg(TcpControl.Rst, at.rcvNxt + 5000, null)));
    assertState(at.sock, st, "a RST outside the window is dropped");
    // In the window but not RCV.NXT: a challenge ACK (except with a zero window, where only RCV.NXT is in).
    assert.ok(feed(at.sock, T0 + 1, seg(TcpControl.Rst, at.rcvNxt + 1, null)), "challenge ACK");
    assert.is(reply.control, TcpControl.None);
    assert.is(reply.seqNumber, at.sndNxt | 0);
    assert.is(reply.ackNumber, at.rcvNxt | 0);
    assertState(at.sock, st);
    // Exactly RCV.NXT: reset.
    assert.not.ok(feed(at.sock, T0 + 1, seg(TcpControl.Rst, at.rcvNxt, null)));
    assertState(at.sock, TcpState.Closed);
    const reset = st === TcpState.Established || st === TcpState.FinWait1 || st === TcpState.FinWait2 || st === TcpState.CloseWait;
    assert.is(at.sock.takeError(), reset ? SocketErrorCode.ConnectionReset : SocketErrorCode.None, "error");
    assert.is(out(at.sock, T0 + 1), null, "no answer to a RST");
    assert.is(at.sock.pollDelay(T0 + 1), POLL_INGRESS);
  });

  test(`RFC 5961 §4: SYN in ${name} gets a challenge ACK, in or out of the window`, () => {
    const at = reach(st);
    for (const seq of [at.rcvNxt, at.rcvNxt + 10, at.rcvNxt - 100000, RISN]) {
      assert.ok(feed(at.sock, T0 + 1, seg(TcpControl.Syn, seq, null)), "challenge ACK");
      assert.is(reply.control, TcpControl.None);
      assert.ok(reply.hasAck);
      assert.is(reply.seqNumber, at.sndNxt | 0);
      assert.is(reply.ackNumber, at.rcvNxt | 0);
      assertState(at.sock, st);
    }
  });
}

test("RST in CLOSED and LISTEN is ignored", () => {
  const sock = make();
  assert.not.ok(sock.process(T0, ipIn, seg(TcpControl.Rst, 5, null), new Uint8Array(0), 0, 0, reply));
  assertState(sock, TcpState.Closed);
  sock.listen(LOCAL_PORT);
  assert.not.ok(feed(sock, T0, seg(TcpControl.Rst, 5, 77)));
  assertState(sock, TcpState.Listen);
});

test("RST in SYN-RECEIVED: passive open back to LISTEN; simultaneous open refused", () => {
  const p = make();
  p.listen(LOCAL_PORT);
  feed(p, T0, seg(TcpControl.Syn, RISN, null));
  out(p, T0);
  assert.ok(feed(p, T0, seg(TcpControl.Rst, RISN + 5, null)), "in window, not RCV.NXT: challenge ACK");
  assertState(p, TcpState.SynReceived);
  feed(p, T0, seg(TcpControl.Rst, RISN + 1, null));
  assertState(p, TcpState.Listen);
  assert.is(p.takeError(), SocketErrorCode.None);
  assert.is(p.remote.port, 0, "forgets the peer");

  const a = make();
  a.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
  out(a, T0);
  feed(a, T0, seg(TcpControl.Syn, RISN, null));
  assertState(a, TcpState.SynReceived);
  feed(a, T0, seg(TcpControl.Rst, RISN + 1, null));
  assertState(a, TcpState.Closed);
  assert.is(a.takeError(), SocketErrorCode.ConnectionRefused);
});

test("LISTEN → CLOSED and SYN-SENT → CLOSED by close()", () => {
  const l = make();
  l.listen(LOCAL_PORT);
  l.close();
  assertState(l, TcpState.Closed);
  const c = make();
  c.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
  out(c, T0);
  c.close();
  assertState(c, TcpState.Closed);
  assert.is(out(c, T0), null, "no RST for an unsynchronized connection");
  assert.is(c.pollDelay(T0), POLL_INGRESS);
});

test("SYN-RECEIVED: a repeated SYN gets the SYN-ACK again", () => {
  const p = make();
  p.listenIsn = ISN;
  p.listen(LOCAL_PORT);
  feed(p, T0, seg(TcpControl.Syn, RISN, null));
  expectSeg(out(p, T0), TcpControl.Syn, ISN, RISN + 1);
  assert.is(out(p, T0), null);
  assert.not.ok(feed(p, T0 + 5, seg(TcpControl.Syn, RISN, null)));
  expectSeg(out(p, T0 + 5), TcpControl.Syn, ISN, RISN + 1);
  assert.is(out(p, T0 + 5), null);
  feed(p, T0 + 6, seg(TcpControl.None, RISN + 1, ISN + 1));
  assertState(p, TcpState.Established);
});

test("LISTEN: data on the SYN is not queued; the ACK covers the SYN only", () => {
  const p = make();
  p.listenIsn = ISN;
  p.listen(LOCAL_PORT);
  feed(p, T0, seg(TcpControl.Syn, RISN, null), "early");
  expectSeg(out(p, T0), TcpControl.Syn, ISN, RISN + 1);
  assert.is(p.recvQueue, 0);
});

test("simultaneous open between two sockets (SYN-SENT → SYN-RECEIVED → ESTABLISHED both sides)", () => {
  const a = new TcpSocket(1024, 1024);
  const b = new TcpSocket(1024, 1024);
  const pair = new Pair(a, b, T0, { delay: 5 });
  const ea = IpEndpoint.of(IpAddress.v4(ADDR_A), PORT_A);
  const eb = IpEndpoint.of(IpAddress.v4(ADDR_B), PORT_B);
  a.connectWith(T0, ea, eb, 111);
  b.connectWith(T0, eb, ea, 222);
  // Both SYNs cross on the wire.
  pair.step();
  assertState(a, TcpState.SynSent);
  assertState(b, TcpState.SynSent);
  pair.advance(5);
  assertState(a, TcpState.SynReceived);
  assertState(b, TcpState.SynReceived);
  pair.advance(5);
  assertState(a, TcpState.Established);
  assertState(b, TcpState.Established);
});

test("simultaneous close between two sockets (FIN-WAIT-1 → CLOSING → TIME-WAIT both sides)", () => {
  const a = new TcpSocket(1024, 1024);
  const b = new TcpSocket(1024, 1024);
  const pair = new Pair(a, b, T0, { delay: 5 });
  pair.open(1000, 2000);
  assert.ok(pair.run(() => a.state === TcpState.Established && b.state === TcpState.Established));
  a.close();
  b.close();
  pair.step();
  assertState(a, TcpState.FinWait1);
  assertState(b, TcpState.FinWait1);
  pair.advance(5);
  assertState(a, TcpState.Closing);
  assertState(b, TcpState.Closing);
  pair.advance(5);
  assertState(a, TcpState.TimeWait);
  assertState(b, TcpState.TimeWait);
  pair.advance(10000);
  assertState(a, TcpState.Closed);
  assertState(b, TcpState.Closed);
});

test("abort in SYN-RECEIVED and CLOSE-WAIT sends <SEQ=SND.NXT><CTL=RST>", () => {
  const p = make();
  p.listenIsn = ISN;
  p.listen(LOCAL_PORT);
  feed(p, T0, seg(TcpControl.Syn, RISN, null));
  out(p, T0);
  p.abort();
  const r = expectSeg(out(p, T0), TcpControl.Rst, ISN + 1, null);
  assert.is(r.tcp.windowLen, 0);
  const at = reach(TcpState.CloseWait);
  at.sock.abort();
  expectSeg(out(at.sock, T0), TcpControl.Rst, at.sndNxt, null);
  assertState(at.sock, TcpState.Closed);
});

test("abort in TIME-WAIT and LISTEN sends nothing", () => {
  const at = reach(TcpState.TimeWait);
  at.sock.abort();
  assert.is(out(at.sock, T0), null);
  const l = make();
  l.listen(LOCAL_PORT);
  l.abort();
  assert.is(out(l, T0), null);
});

test("state queries follow the state", () => {
  const c = client();
  assert.ok(c.isOpen && c.isActive && !c.isListening && c.maySend && c.canSend && c.mayRecv && !c.canRecv);
  feed(c, T0, seg(TcpControl.Fin, RISN + 1, ISN + 1), "x");
  assertState(c, TcpState.CloseWait);
  assert.ok(c.mayRecv && c.canRecv, "data waits");
  const b = new Uint8Array(4);
  assert.is(c.recv(b, 0, 4), 1);
  assert.not.ok(c.mayRecv);
  assert.is(c.recv(b, 0, 4), -1, "end of stream");
  assert.ok(c.maySend);
  c.close();
  assert.not.ok(c.maySend);
  assert.not.ok(c.canSend);
  const l = make();
  assert.not.ok(l.isOpen);
  l.listen(LOCAL_PORT);
  assert.ok(l.isListening && l.isOpen && !l.isActive);
  assert.is(l.recv(b, 0, 4), 0, "a listening socket: nothing yet");
});

test.run();
