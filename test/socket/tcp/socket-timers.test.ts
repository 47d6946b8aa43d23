// Each timer of the socket at work (timer.ts tests the records alone): the RFC 6298
// retransmission timer with back-off, SYN retries, the delayed ACK (RFC 9293 §3.8.6.3), keep-alive
// (RFC 1122 §4.2.3.6), the persist timer / zero-window probes (RFC 9293 §3.8.6.1), the user
// timeout (RFC 5482). The clock starts 3 s before the int32 wrap, so every one crosses it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TcpState } from "../../../src/socket/tcp/socket.js";
import { SocketErrorCode } from "../../../src/socket/error.js";
import { POLL_INGRESS, POLL_NOW } from "../../../src/socket/meta.js";
import { TcpControl } from "../../../src/wire/tcp.js";
import { ISN, LOCAL_END, REMOTE_END, RISN, T0, assertState, bytesOf, expectSeg, feed, make, out, seg, server } from "./peer.js";

const t = (ms: number): number => (T0 + ms) | 0;

test("RFC 6298 (5.5): the RTO doubles on each retransmission; an ACK of new data ends the back-off (lwIP's rule)", () => {
  const sock = server();
  assert.is(sock.rtt.rto, 200, "a 0 ms handshake sample: the 200 ms floor");
  sock.send(bytesOf("abc"), 0, 3);
  expectSeg(out(sock, t(0)), TcpControl.None, ISN + 1, RISN + 1, "abc");
  assert.is(sock.pollDelay(t(0)), 200);
  assert.is(out(sock, t(199)), null);
  expectSeg(out(sock, t(200)), TcpControl.None, ISN + 1, RISN + 1, "abc");
  assert.is(sock.pollDelay(t(200)), 400);
  expectSeg(out(sock, t(600)), TcpControl.None, ISN + 1, RISN + 1, "abc");
  assert.is(sock.pollDelay(t(600)), 800);
  assert.is(sock.retransmits, 2);
  // The ACK of retransmitted data gives no sample (Karn: SRTT is untouched), but it shows the
  // path works again: the back-off ends and the RTO is SRTT + 4 RTTVAR again
  // (RttEstimator.onNewAck, a deliberate deviation, as lwIP).
  const srtt = sock.rtt.srtt();
  feed(sock, t(650), seg(TcpControl.None, RISN + 1, ISN + 4));
  assert.is(sock.rtt.rto, 200);
  assert.is(sock.rtt.srtt(), srtt, "no sample from a retransmission's ACK");
  assert.is(sock.pollDelay(t(650)), POLL_INGRESS);
  // The next loss backs off afresh from there.
  sock.send(bytesOf("d"), 0, 1);
  out(sock, t(700));
  assert.is(sock.pollDelay(t(700)), 200);
  expectSeg(out(sock, t(900)), TcpControl.None, ISN + 4, RISN + 1, "d");
  assert.is(sock.pollDelay(t(900)), 400);
  feed(sock, t(910), seg(TcpControl.None, RISN + 1, ISN + 5));
  assert.is(sock.rtt.rto, 200);
});

test("retries: after maxRetransmits RTO expiries the connection times out with a RST", () => {
  const sock = server();
  sock.maxRetransmits = 2;
  sock.send(bytesOf("abc"), 0, 3);
  out(sock, t(0));
  expectSeg(out(sock, t(200)), TcpControl.None, ISN + 1, RISN + 1, "abc");
  expectSeg(out(sock, t(600)), TcpControl.None, ISN + 1, RISN + 1, "abc");
  assertState(sock, TcpState.Established);
  assert.is(sock.pollDelay(t(1399)), 1);
  expectSeg(out(sock, t(1400)), TcpControl.Rst, ISN + 4, null);
  assertState(sock, TcpState.Closed);
  assert.is(sock.takeError(), SocketErrorCode.TimedOut);
});

test("SYN retries: six SYNs with back-off, then TimedOut without a RST", () => {
  const sock = make();
  sock.connectWith(t(0), LOCAL_END, REMOTE_END, ISN);
  const at = [0, 1000, 3000, 7000, 15000, 31000];
  for (const ms of at) {
    if (ms > 0) assert.is(out(sock, t(ms - 1)), null);
    expectSeg(out(sock, t(ms)), TcpControl.Syn, ISN, null);
  }
  assert.is(sock.pollDelay(t(31000)), 32000);
  assertState(sock, TcpState.SynSent);
  assert.is(out(sock, t(63000)), null, "gives up silently");
  assertState(sock, TcpState.Closed);
  assert.is(sock.error, SocketErrorCode.TimedOut);
  assert.is(sock.takeError(), SocketErrorCode.TimedOut);
  assert.is(sock.takeError(), SocketErrorCode.None, "takeError clears");
});

test("a passive SYN-RECEIVED whose SYN-ACK is never answered goes back to LISTEN", () => {
  const sock = make();
  sock.synRetries = 1;
  sock.listenIsn = ISN;
  sock.listen(80);
  feed(sock, t(0), seg(TcpControl.Syn, RISN, null));
  expectSeg(out(sock, t(0)), TcpControl.Syn, ISN, RISN + 1);
  expectSeg(out(sock, t(1000)), TcpControl.Syn, ISN, RISN + 1);
  assert.is(out(sock, t(3000)), null);
  assertState(sock, TcpState.Listen);
  assert.is(sock.takeError(), SocketErrorCode.None);
});

test("RFC 6298 §5.7: after a lost SYN the RTO is 3 s once the connection is established", () => {
  const sock = make();
  sock.connectWith(t(0), LOCAL_END, REMOTE_END, ISN);
  out(sock, t(0));
  out(sock, t(1000));
  feed(sock, t(1010), seg(TcpControl.Syn, RISN, ISN + 1));
  assertState(sock, TcpState.Established);
  assert.is(sock.rtt.rto, 3000);
});

test("delayed ACK: held for ackDelay, piggybacked on data, immediate on the second full segment", () => {
  const sock = server({ ackDelay: 10, linkMss: 8, rx: 256 });
  feed(sock, t(0), seg(TcpControl.None, RISN + 1, ISN + 1), "ab");
  assert.is(out(sock, t(0)), null, "held");
  assert.is(sock.pollDelay(t(0)), 10);
  assert.is(out(sock, t(9)), null);
  expectSeg(out(sock, t(10)), TcpControl.None, ISN + 1, RISN + 3);
  assert.is(sock.pollDelay(t(10)), POLL_INGRESS);
  // Piggybacked: data queued before the delay ends carries the ACK; no separate ACK follows.
  feed(sock, t(20), seg(TcpControl.None, RISN + 3, ISN + 1), "cd");
  sock.send(bytesOf("xy"), 0, 2);
  expectSeg(out(sock, t(21)), TcpControl.None, ISN + 1, RISN + 5, "xy");
  assert.is(out(sock, t(40)), null);
  feed(sock, t(41), seg(TcpControl.None, RISN + 5, ISN + 3));
  // Full-sized segments (8 octets): the first waits, the second is acknowledged at once.
  feed(sock, t(50), seg(TcpControl.None, RISN + 5, ISN + 3), "12345678");
  assert.is(out(sock, t(50)), null);
  feed(sock, t(51), seg(TcpControl.None, RISN + 13, ISN + 3), "abcdefgh");
  expectSeg(out(sock, t(51)), TcpControl.None, ISN + 3, RISN + 21);
  // ackDelay 0: every segment is acknowledged at once.
  sock.ackDelay = 0;
  feed(sock, t(60), seg(TcpControl.None, RISN + 21, ISN + 3), "z");
  expectSeg(out(sock, t(60)), TcpControl.None, ISN + 3, RISN + 22);
  assert.throws(() => (sock.ackDelay = 500), (e: unknown) => e instanceof RangeError);
});

test("RFC 1122 §4.2.3.6: keep-alive SEQ = SND.UNA - 1 after an idle interval; answered ones rewind", () => {
  const sock = server();
  assert.is(sock.pollDelay(t(0)), POLL_INGRESS, "off by default");
  sock.keepAlive = 1000;
  assert.is(sock.pollDelay(t(0)), 1000);
  assert.is(out(sock, t(999)), null);
  const k = expectSeg(out(sock, t(1000)), TcpControl.None, ISN, RISN + 1);
  assert.is(k.tcp.payloadLen, 0);
  assert.is(sock.pollDelay(t(1000)), 1000);
  // The peer answers with an ACK: the next probe is an interval after the answer.
  feed(sock, t(1500), seg(TcpControl.None, RISN + 1, ISN + 1));
  assert.is(sock.pollDelay(t(1500)), 1000);
  expectSeg(out(sock, t(2500)), TcpControl.None, ISN, RISN + 1);
  sock.keepAlive = 0;
  assert.is(sock.pollDelay(t(2500)), POLL_INGRESS, "switched off");
});

test("keep-alive: keepAliveProbes unanswered probes end the connection with TimedOut", () => {
  const sock = server();
  sock.keepAlive = 1000;
  sock.keepAliveProbes = 3;
  sock.pollDelay(t(0));
  for (const ms of [1000, 2000, 3000]) expectSeg(out(sock, t(ms)), TcpControl.None, ISN, RISN + 1);
  assertState(sock, TcpState.Established);
  expectSeg(out(sock, t(4000)), TcpControl.Rst, ISN + 1, null);
  assertState(sock, TcpState.Closed);
  assert.is(sock.takeError(), SocketErrorCode.TimedOut);
});

test("keep-alive without a user timeout: 9 unanswered probes (the default keepAliveProbes) end the connection", () => {
  const sock = server();
  sock.keepAlive = 1000;
  assert.is(sock.keepAliveProbes, 9);
  sock.pollDelay(t(0));
  for (let i = 1; i <= 9; i++) {
    assert.is(out(sock, t(i * 1000 - 1)), null, "nothing before probe " + i);
    expectSeg(out(sock, t(i * 1000)), TcpControl.None, ISN, RISN + 1);
    assertState(sock, TcpState.Established, "after probe " + i);
  }
  assert.is(out(sock, t(9999)), null);
  expectSeg(out(sock, t(10000)), TcpControl.Rst, ISN + 1, null);
  assertState(sock, TcpState.Closed);
  assert.is(sock.takeError(), SocketErrorCode.TimedOut);
});

test("keep-alive 1 s with a 2 s user timeout (Linux's TCP_USER_TIMEOUT): a silent peer is given up 2 s after the first unanswered probe", () => {
  const sock = server();
  sock.keepAlive = 1000;
  sock.timeout = 2000;
  assert.is(sock.pollDelay(t(0)), 1000, "no data outstanding: only the keep-alive is due");
  expectSeg(out(sock, t(1000)), TcpControl.None, ISN, RISN + 1);
  assert.is(sock.pollDelay(t(1500)), 500, "the next probe");
  expectSeg(out(sock, t(2000)), TcpControl.None, ISN, RISN + 1);
  assert.is(sock.pollDelay(t(2000)), 1000, "the user timeout, 2 s after the first probe");
  assert.is(out(sock, t(2999)), null);
  assertState(sock, TcpState.Established);
  // The first poll at or after the deadline aborts (a late poll, 3.4 s, still aborts at once).
  expectSeg(out(sock, t(3400)), TcpControl.Rst, ISN + 1, null);
  assertState(sock, TcpState.Closed);
  assert.is(sock.takeError(), SocketErrorCode.TimedOut);
  assert.is(out(sock, t(3400)), null, "one RST");

  // A user timeout shorter than the interval still gives the probe that long to be answered.
  const quick = server();
  quick.keepAlive = 1000;
  quick.timeout = 300;
  quick.pollDelay(t(0));
  assert.is(out(quick, t(999)), null);
  expectSeg(out(quick, t(1000)), TcpControl.None, ISN, RISN + 1);
  assert.is(quick.pollDelay(t(1000)), 300);
  assert.is(out(quick, t(1299)), null);
  assertState(quick, TcpState.Established);
  expectSeg(out(quick, t(1300)), TcpControl.Rst, ISN + 1, null);
  assert.is(quick.takeError(), SocketErrorCode.TimedOut);
});

test("keep-alive 1 s with a 2 s user timeout: a peer that answers each probe (0.8 s late) keeps the connection for 5 minutes; then silence ends it", () => {
  const sock = server();
  sock.keepAlive = 1000;
  sock.timeout = 2000;
  sock.pollDelay(t(0));
  let at = 1000;
  let probes = 0;
  while (at < 300000) {
    assert.is(out(sock, t(at - 1)), null);
    expectSeg(out(sock, t(at)), TcpControl.None, ISN, RISN + 1);
    probes++;
    assert.is(out(sock, t(at + 799)), null, "no abort before the answer");
    // The probe's answer: an ACK with SEQ = RCV.NXT (RFC 9293 §3.8.4). Had it not stopped the
    // clock, the poll before the next answer (2.6 s after this probe) would abort.
    assert.not.ok(feed(sock, t(at + 800), seg(TcpControl.None, RISN + 1, ISN + 1)));
    assert.is(sock.pollDelay(t(at + 800)), 1000, "the next probe an interval after the answer");
    at += 1800;
  }
  assertState(sock, TcpState.Established, "alive after " + probes + " answered probes");
  assert.is(sock.error, SocketErrorCode.None);
  assert.ok(probes > 100);
  // The peer goes silent: probes at `at` and `at` + 1 s, the RST 2 s after the first of them.
  expectSeg(out(sock, t(at)), TcpControl.None, ISN, RISN + 1);
  expectSeg(out(sock, t(at + 1000)), TcpControl.None, ISN, RISN + 1);
  assert.is(out(sock, t(at + 1999)), null);
  expectSeg(out(sock, t(at + 2000)), TcpControl.Rst, ISN + 1, null);
  assert.is(sock.takeError(), SocketErrorCode.TimedOut);
});

test("keep-alive with a user timeout: switched off while a probe is unanswered, nothing times out; data keeps RFC 5482's clock", () => {
  const sock = server();
  sock.keepAlive = 1000;
  sock.timeout = 2000;
  sock.pollDelay(t(0));
  expectSeg(out(sock, t(1000)), TcpControl.None, ISN, RISN + 1);
  sock.keepAlive = 0;
  assert.is(sock.pollDelay(t(1500)), POLL_INGRESS, "nothing awaits an answer");
  assert.is(out(sock, t(60000)), null);
  assertState(sock, TcpState.Established);
  // Data sent after an unanswered probe: the clock runs from the probe (nothing was heard since).
  const d = server();
  d.keepAlive = 1000;
  d.timeout = 2000;
  d.pollDelay(t(0));
  expectSeg(out(d, t(1000)), TcpControl.None, ISN, RISN + 1);
  d.send(bytesOf("abc"), 0, 3);
  expectSeg(out(d, t(1500)), TcpControl.None, ISN + 1, RISN + 1, "abc");
  // The peer acknowledges it: the connection lives on, data and probe clocks both stopped.
  feed(d, t(1600), seg(TcpControl.None, RISN + 1, ISN + 4));
  assert.is(d.pollDelay(t(1600)), 1000, "only the next keep-alive");
  expectSeg(out(d, t(2600)), TcpControl.None, ISN + 3, RISN + 1);
  assert.is(out(d, t(3000)), null, "no abort where the first probe's clock would have expired");
  assertState(d, TcpState.Established);
  assert.is(d.pollDelay(t(3000)), 600, "the next probe");
  assert.is(out(d, t(3599)), null);
  expectSeg(out(d, t(3600)), TcpControl.None, ISN + 3, RISN + 1);
  assert.is(out(d, t(4599)), null);
  expectSeg(out(d, t(4600)), TcpControl.Rst, ISN + 4, null); // 2 s after the probe of 2.6 s
  assert.is(d.takeError(), SocketErrorCode.TimedOut);
});

test("RFC 9293 §3.8.6.1: zero-window probes at the RTO, backed off, for as long as the peer answers", () => {
  const sock = server();
  sock.maxRetransmits = 3;
  feed(sock, t(0), seg(TcpControl.None, RISN + 1, ISN + 1, 0));
  sock.send(bytesOf("abc"), 0, 3);
  assert.is(out(sock, t(0)), null, "the window is closed");
  assert.is(sock.pollDelay(t(0)), 200, "the persist timer: one RTO");
  let at = 200;
  let gap = 200;
  for (let i = 0; i < 8; i++) {
    assert.is(out(sock, t(at - 1)), null);
    expectSeg(out(sock, t(at)), TcpControl.None, ISN + 1, RISN + 1, "a");
    assert.is(out(sock, t(at)), null);
    // The peer answers: still no room.
    assert.not.ok(feed(sock, t(at + 1), seg(TcpControl.None, RISN + 1, ISN + 1, 0)));
    gap *= 2;
    at += gap;
  }
  assertState(sock, TcpState.Established, "never given up while the peer answers");
  assert.is(sock.windowProbes, 8);
  // The window opens: everything goes at once, the refused probe octet first.
  feed(sock, t(at), seg(TcpControl.None, RISN + 1, ISN + 1, 100));
  expectSeg(out(sock, t(at)), TcpControl.None, ISN + 1, RISN + 1, "abc");
});

test("zero-window probes: the probe octet accepted, the rest follows; unanswered probes time out", () => {
  const sock = server();
  feed(sock, t(0), seg(TcpControl.None, RISN + 1, ISN + 1, 0));
  sock.send(bytesOf("abc"), 0, 3);
  assert.is(out(sock, t(0)), null, "the next poll after send arms the persist timer");
  expectSeg(out(sock, t(200)), TcpControl.None, ISN + 1, RISN + 1, "a");
  feed(sock, t(210), seg(TcpControl.None, RISN + 1, ISN + 2, 10));
  expectSeg(out(sock, t(210)), TcpControl.None, ISN + 2, RISN + 1, "bc");

  const dead = server();
  dead.maxRetransmits = 2;
  feed(dead, t(0), seg(TcpControl.None, RISN + 1, ISN + 1, 0));
  dead.send(bytesOf("abc"), 0, 3);
  assert.is(dead.pollDelay(t(0)), 200);
  expectSeg(out(dead, t(200)), TcpControl.None, ISN + 1, RISN + 1, "a");
  expectSeg(out(dead, t(600)), TcpControl.None, ISN + 1, RISN + 1, "a");
  const r = out(dead, t(1400));
  assert.ok(r !== null && r.tcp.control === TcpControl.Rst);
  assert.is(dead.takeError(), SocketErrorCode.TimedOut);
});

test("an RTO that expires into a closed window sends a probe, not the whole segment", () => {
  const sock = server();
  sock.send(bytesOf("abcdef"), 0, 6);
  out(sock, t(0));
  feed(sock, t(10), seg(TcpControl.None, RISN + 1, ISN + 4, 0)); // takes "abc", closes the window
  expectSeg(out(sock, t(210)), TcpControl.None, ISN + 4, RISN + 1, "d");
  assert.is(sock.pollDelay(t(210)), 400, "now a backed-off probe interval");
});

test("RFC 5482: the user timeout aborts when data stays unacknowledged that long", () => {
  const sock = server();
  sock.timeout = 1000;
  sock.send(bytesOf("abc"), 0, 3);
  out(sock, t(0));
  out(sock, t(200));
  out(sock, t(600));
  assert.is(sock.pollDelay(t(600)), 400, "the user timeout comes before the next RTO");
  assert.is(out(sock, t(999)), null);
  expectSeg(out(sock, t(1000)), TcpControl.Rst, ISN + 4, null);
  assert.is(sock.takeError(), SocketErrorCode.TimedOut);
  // Progress restarts the clock.
  const ok = server();
  ok.timeout = 1000;
  ok.send(bytesOf("abcdef"), 0, 6);
  expectSeg(out(ok, t(0)), TcpControl.None, ISN + 1, RISN + 1, "abcdef");
  feed(ok, t(900), seg(TcpControl.None, RISN + 1, ISN + 4));
  assert.is(out(ok, t(1000)), null);
  assertState(ok, TcpState.Established);
  assert.throws(() => (ok.timeout = -1), (e: unknown) => e instanceof RangeError);
});

test("TIME-WAIT lasts 10 s across the clock wrap", () => {
  const sock = server();
  sock.close();
  out(sock, t(0));
  feed(sock, t(0), seg(TcpControl.Fin, RISN + 1, ISN + 2));
  out(sock, t(0));
  assertState(sock, TcpState.TimeWait);
  assert.is(sock.pollDelay(t(0)), 10000);
  assert.is(sock.pollDelay(t(9999)), 1);
  assertState(sock, TcpState.TimeWait);
  assert.is(sock.pollDelay(t(10000)), POLL_INGRESS);
  assertState(sock, TcpState.Closed);
  assert.ok(((t(10000) - t(0)) | 0) === 10000 && t(10000) < t(0), "the clock wrapped");
  assert.is(POLL_NOW, 0);
});

test.run();
