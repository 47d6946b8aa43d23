// RFC 9293 §3.7.1 (MSS) and RFC 7323 §2 (window scale) as the socket negotiates them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TCP_MIN_PEER_MSS, TcpState } from "../../../src/socket/tcp/socket.js";
import { TcpControl } from "../../../src/wire/tcp.js";
import { ISN, LOCAL_END, LOCAL_PORT, REMOTE_END, RISN, T0, assertState, drain, expectSeg, feed, make, out, seg, server } from "./peer.js";

test("RFC 9293 §3.7.1: segments never exceed the peer's MSS", () => {
  const sock = server({ mss: 100, tx: 1000, nagle: false });
  sock.send(new Uint8Array(250), 0, 250);
  const segs = drain(sock, T0);
  assert.equal(segs.map((o) => o.data.length), [100, 100, 50]);
});

test("MSS: no option means 536 (MUST-15); a tiny option is raised to TCP_MIN_PEER_MSS", () => {
  const none = server({ mss: 0, tx: 2000, nagle: false });
  none.send(new Uint8Array(1000), 0, 1000);
  assert.equal(drain(none, T0).map((o) => o.data.length), [536, 464]);
  const tiny = server({ mss: 10, tx: 200, nagle: false });
  tiny.send(new Uint8Array(100), 0, 100);
  assert.equal(drain(tiny, T0).map((o) => o.data.length), [TCP_MIN_PEER_MSS, TCP_MIN_PEER_MSS, 100 - 2 * TCP_MIN_PEER_MSS]);
});

test("MSS: the one we advertise is min(linkMss, receive buffer)", () => {
  for (const [rx, link, want] of [[64, 1460, 64], [8192, 1460, 1460], [8192, 536, 536]]) {
    const sock = make({ rx, linkMss: link });
    sock.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
    assert.is(out(sock, T0)!.tcp.maxSegSize, want);
  }
});

test("RFC 7323 §2.2: our shift covers the buffer; offered in SYN-SENT, answered only when offered", () => {
  for (const [rx, shift] of [[65535, 0], [65536, 1], [262144, 3], [1 << 20, 5]]) {
    const c = make({ rx });
    c.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
    assert.is(out(c, T0)!.tcp.windowScale, shift, "offered shift for " + rx);
  }
  // A passive open answers with our shift only if the SYN carried the option.
  const offered = make({ rx: 262144 });
  offered.listenIsn = ISN;
  offered.listen(LOCAL_PORT);
  const syn = seg(TcpControl.Syn, RISN, null);
  syn.windowScale = 7;
  feed(offered, T0, syn);
  const sa = out(offered, T0)!;
  assert.is(sa.tcp.windowScale, 3);
  assert.is(sa.tcp.windowLen, 0xffff, "the SYN's window is never scaled");
  const plain = make({ rx: 262144 });
  plain.listen(LOCAL_PORT);
  feed(plain, T0, seg(TcpControl.Syn, RISN, null));
  assert.is(out(plain, T0)!.tcp.windowScale, -1);
});

test("window scale negotiated: our window field is shifted (rounded down), theirs is applied", () => {
  const sock = server({ rx: 262144, tx: 262144, ws: 2, win: 100 });
  // Ours: 262144 free >> 3 = 32768; after 10 octets: (262134 >> 3) = 32766 (rounded down).
  feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 1, 100), "0123456789");
  const a = expectSeg(out(sock, T0), TcpControl.None, ISN + 1, RISN + 11);
  assert.is(a.tcp.windowLen, 32766);
  // Theirs: the field 100 with shift 2 is 400 octets.
  sock.send(new Uint8Array(1000), 0, 1000);
  assert.equal(drain(sock, T0).map((o) => o.data.length), [400]);
});

test("window scale absent: shift 0 both ways, the field saturates at 0xffff", () => {
  const sock = server({ rx: 262144, tx: 100000, ws: -1, win: 0xffff, mss: 60000, linkMss: 60000, nagle: false });
  feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 1, 0xffff), "x");
  const a = expectSeg(out(sock, T0), TcpControl.None, ISN + 1, RISN + 2);
  assert.is(a.tcp.windowLen, 0xffff - 1, "the right edge stays put (receiver SWS avoidance)");
  sock.send(new Uint8Array(0xffff), 0, 0xffff);
  assert.equal(drain(sock, T0).map((o) => o.data.length), [60000, 0xffff - 60000], "their window unscaled");
});

test("window scale edge: shift 14 from the peer (and larger read as 14), our shift at most 14", () => {
  const sock = server({ rx: 1024, tx: 300000, ws: 14, win: 1, mss: 60000, linkMss: 60000 });
  feed(sock, T0, seg(TcpControl.None, RISN + 1, ISN + 1, 1));
  sock.send(new Uint8Array(300000), 0, 300000);
  const sent = drain(sock, T0).reduce((n, o) => n + o.data.length, 0);
  assert.is(sent, 16384, "a window field of 1 with shift 14 is 16384 octets");
  // A client whose peer answers with shift 0: scaling is on, our shift (5) applies to our window.
  const c = make({ rx: 1 << 20 });
  c.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
  out(c, T0);
  const sa = seg(TcpControl.Syn, RISN, ISN + 1);
  sa.windowScale = 0;
  feed(c, T0, sa);
  const a = expectSeg(out(c, T0), TcpControl.None, ISN + 1, RISN + 1);
  assert.is(a.tcp.windowLen, (1 << 20) >> 5, "our window, scaled by our shift");
  const noWs = make({ rx: 1 << 20 });
  noWs.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
  out(noWs, T0);
  feed(noWs, T0, seg(TcpControl.Syn, RISN, ISN + 1));
  assertState(noWs, TcpState.Established);
  assert.is(out(noWs, T0)!.tcp.windowLen, 0xffff, "the peer sent no option: shift 0");
});

test.run();
