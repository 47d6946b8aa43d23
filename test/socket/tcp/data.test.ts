// The data path: reassembly (RFC 9293 §3.10.7.4 "segments with higher beginning sequence numbers
// may be held"), fast retransmit (RFC 5681 §3.2), Nagle (RFC 9293 §3.7.4), silly-window-syndrome
// avoidance on both sides (§3.8.6.2.1, §3.8.6.2.2), and the in-place and peek APIs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TcpState } from "../../../src/socket/tcp/socket.js";
import { SocketError } from "../../../src/socket/error.js";
import { TcpControl } from "../../../src/wire/tcp.js";
import { ISN, RISN, T0, assertState, bytesOf, drain, expectSeg, feed, out, recvText, seg, server, textOf } from "./peer.js";

const D = ISN + 1; // our first data octet
const R = RISN + 1; // the peer's

test("reassembly: three out-of-order segments, then the gap fills and all arrive in order", () => {
  const sock = server({ rx: 256 });
  feed(sock, T0, seg(TcpControl.None, R + 4, D), "efgh");
  feed(sock, T0, seg(TcpControl.None, R + 12, D), "mnop");
  feed(sock, T0, seg(TcpControl.None, R + 8, D), "ijkl");
  assert.is(sock.recvQueue, 0);
  assert.is(sock.assembler.toString(), "[4, 16)");
  assert.is(drain(sock, T0).length >= 1, true, "duplicate ACKs");
  feed(sock, T0, seg(TcpControl.None, R, D), "abcd");
  expectSeg(out(sock, T0), TcpControl.None, D, R + 16);
  assert.is(recvText(sock), "abcdefghijklmnop");
  assert.ok(sock.assembler.isEmpty());
  assert.is(sock.rxOutOfOrder, 3);
});

test("reassembly: the gap limit drops the segment that needs one range more; the retransmission is taken", () => {
  const sock = server({ rx: 256, gaps: 2 });
  feed(sock, T0, seg(TcpControl.None, R + 2, D), "cc");
  feed(sock, T0, seg(TcpControl.None, R + 6, D), "gg");
  feed(sock, T0, seg(TcpControl.None, R + 10, D), "kk"); // a third range: refused
  assert.is(sock.rxAssemblerFull, 1);
  assert.is(sock.assembler.toString(), "[2, 4) [6, 8)");
  expectSeg(out(sock, T0), TcpControl.None, D, R, "");
  // Filling the first gap frees a range.
  feed(sock, T0, seg(TcpControl.None, R, D), "aa");
  assert.is(sock.assembler.toString(), "[2, 4)");
  feed(sock, T0, seg(TcpControl.None, R + 10, D), "kk");
  feed(sock, T0, seg(TcpControl.None, R + 4, D), "ee");
  feed(sock, T0, seg(TcpControl.None, R + 8, D), "ii");
  assert.is(recvText(sock), "aacceeggiikk");
});

test("reassembly: a FIN ahead of missing data is remembered and takes effect when the gap fills", () => {
  const sock = server({ rx: 256 });
  feed(sock, T0, seg(TcpControl.Fin, R + 3, D), "def");
  assertState(sock, TcpState.Established);
  expectSeg(out(sock, T0), TcpControl.None, D, R);
  feed(sock, T0, seg(TcpControl.None, R, D), "abc");
  assertState(sock, TcpState.CloseWait);
  expectSeg(out(sock, T0), TcpControl.None, D, R + 7);
  assert.is(recvText(sock), "abcdef");
  const b = new Uint8Array(4);
  assert.is(sock.recv(b, 0, 4), -1);
});

test("receive: data beyond the buffer is cut, and the FIN after it dropped", () => {
  const sock = server({ rx: 8 });
  feed(sock, T0, seg(TcpControl.Fin, R, D), "0123456789");
  assertState(sock, TcpState.Established, "the FIN was past the window");
  expectSeg(out(sock, T0), TcpControl.None, D, R + 8);
  assert.is(recvText(sock), "01234567");
});

test("RFC 5681 §3.2: the third duplicate ACK retransmits the first unacknowledged segment at once", () => {
  const sock = server({ linkMss: 4, tx: 64, nagle: false });
  sock.send(bytesOf("aaaabbbbccccdddd"), 0, 16);
  assert.is(drain(sock, T0).length, 4);
  feed(sock, T0 + 5, seg(TcpControl.None, R, D + 4)); // "aaaa" arrived; "bbbb" lost
  for (let i = 0; i < 2; i++) {
    feed(sock, T0 + 6, seg(TcpControl.None, R, D + 4));
    assert.is(out(sock, T0 + 6), null, "fewer than three duplicates");
  }
  // A window change is not a duplicate.
  feed(sock, T0 + 6, seg(TcpControl.None, R, D + 4, 999));
  assert.is(out(sock, T0 + 6), null);
  feed(sock, T0 + 6, seg(TcpControl.None, R, D + 4, 999));
  feed(sock, T0 + 6, seg(TcpControl.None, R, D + 4, 999));
  feed(sock, T0 + 6, seg(TcpControl.None, R, D + 4, 999));
  expectSeg(out(sock, T0 + 6), TcpControl.None, D + 4, R, "bbbb");
  assert.is(out(sock, T0 + 6), null, "only that segment");
  assert.is(sock.fastRetransmits, 1);
  feed(sock, T0 + 10, seg(TcpControl.None, R, D + 16, 999));
  assert.is(sock.sendQueue, 0);
});

test("RFC 9293 §3.7.4 Nagle: a small segment waits while data is unacknowledged; off, it goes", () => {
  for (const nagle of [true, false]) {
    const sock = server({ nagle });
    sock.send(bytesOf("a"), 0, 1);
    expectSeg(out(sock, T0), TcpControl.None, D, R, "a");
    sock.send(bytesOf("b"), 0, 1);
    const o = out(sock, T0);
    if (nagle) {
      assert.is(o, null, "held");
      sock.send(bytesOf("c"), 0, 1);
      assert.is(out(sock, T0), null);
      feed(sock, T0 + 1, seg(TcpControl.None, R, D + 1));
      expectSeg(out(sock, T0 + 1), TcpControl.None, D + 1, R, "bc");
    } else {
      expectSeg(o, TcpControl.None, D + 1, R, "b");
    }
  }
});

test("RFC 9293 §3.8.6.2.1 sender SWS: a small usable window is not used until the override timeout", () => {
  const sock = server({ win: 1000, nagle: false, tx: 2000, linkMss: 1460, mss: 1460 });
  feed(sock, T0, seg(TcpControl.None, R, D, 100)); // the peer's window shrank to 100 (max seen 1000)
  sock.send(new Uint8Array(500), 0, 500);
  assert.is(out(sock, T0), null, "100 < MSS, < 500 queued, < half the largest window");
  assert.is(sock.pollDelay(T0), 200, "the override (persist) timer");
  const o = out(sock, T0 + 200);
  assert.ok(o !== null && o.data.length === 100, "the override sends what fits");
  // Half the largest window is enough at once.
  const s2 = server({ win: 1000, nagle: false, tx: 2000 });
  feed(s2, T0, seg(TcpControl.None, R, D, 500));
  s2.send(new Uint8Array(800), 0, 800);
  assert.is(out(s2, T0)!.data.length, 500);
});

test("RFC 9293 §3.8.6.2.2 receiver SWS: the right edge moves only by min(MSS, buffer/2)", () => {
  const sock = server({ rx: 64, linkMss: 1460 });
  feed(sock, T0, seg(TcpControl.None, R, D), "x".repeat(64));
  assert.is(expectSeg(out(sock, T0), TcpControl.None, D, R + 64).tcp.windowLen, 0);
  const b = new Uint8Array(64);
  sock.recv(b, 0, 10);
  assert.is(out(sock, T0), null, "10 octets free: no update (threshold 32)");
  sock.recv(b, 0, 22);
  const u = expectSeg(out(sock, T0), TcpControl.None, D, R + 64);
  assert.is(u.tcp.windowLen, 32);
  // A small read does not move the edge in an ACK either.
  feed(sock, T0, seg(TcpControl.None, R + 64, D), "y");
  sock.recv(b, 0, 3);
  assert.is(expectSeg(out(sock, T0), TcpControl.None, D, R + 65).tcp.windowLen, 31);
});

test("in-place send and receive, peek, and send misuse", () => {
  const sock = server({ rx: 64, tx: 64 });
  const at = sock.sendWindowOffset();
  assert.ok(sock.sendWindowLen() >= 3);
  sock.tx.bytes.set(bytesOf("xyz"), at);
  sock.sendCommit(3);
  expectSeg(out(sock, T0), TcpControl.None, D, R, "xyz");
  feed(sock, T0, seg(TcpControl.None, R, D + 3), "hello");
  const p = new Uint8Array(8);
  assert.is(sock.peek(p, 0, 8), 5);
  assert.is(textOf(p, 0, 5), "hello");
  assert.is(sock.recvQueue, 5);
  assert.is(sock.recvWindowLen(), 5);
  assert.is(textOf(sock.rx.bytes, sock.recvWindowOffset(), 2), "he");
  sock.recvCommit(2);
  assert.is(recvText(sock), "llo");
  assert.is(sock.sendCapacity, 64);
  assert.is(sock.recvCapacity, 64);
  sock.close();
  assert.throws(() => sock.send(bytesOf("a"), 0, 1), (e: unknown) => e instanceof SocketError);
  assert.throws(() => sock.sendCommit(0), (e: unknown) => e instanceof SocketError);
  assert.is(sock.sendSlice === sock.send || typeof sock.sendSlice === "function", true);
});

test("many segments in flight without waiting for ACKs", () => {
  const sock = server({ tx: 4096, win: 4000, mss: 500, linkMss: 1460 });
  sock.send(new Uint8Array(4096), 0, 4096);
  const segs = drain(sock, T0);
  assert.equal(segs.map((o) => o.data.length), [500, 500, 500, 500, 500, 500, 500, 500]);
  assert.is(segs[7].tcp.seqNumber, D + 3500);
});

test.run();
