// RFC 5961 (challenge ACKs and their rate limit, §5 ACK acceptability), ICMP errors (RFC 5927
// §4.1, RFC 1122 §4.2.3.9, RFC 1191 / RFC 8201), no route, and `connect` through a TcpContext.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TCP_MIN_PATH_MSS_V4, TcpState } from "../../../src/socket/tcp/socket.js";
import { TcpIcmpError, type TcpContext } from "../../../src/socket/tcp/context.js";
import { SocketError, SocketErrorCode } from "../../../src/socket/error.js";
import { SocketKind } from "../../../src/socket/set.js";
import { SocketSet } from "../../../src/socket/set.js";
import { IpAddress, IpEndpoint, IpVersion } from "../../../src/wire/ip.js";
import { TcpControl } from "../../../src/wire/tcp.js";
import { ISN, LOCAL4, LOCAL_END, REMOTE_END, RISN, T0, assertState, bytesOf, drain, feed, make, out, reply, seg, server } from "./peer.js";

const D = ISN + 1;
const R = RISN + 1;

test("RFC 5961 §7: challenge ACKs are limited per second", () => {
  const sock = server();
  sock.challengeAckLimit = 3;
  let sent = 0;
  for (let i = 0; i < 10; i++) if (feed(sock, T0 + i, seg(TcpControl.Syn, R + 5, null))) sent++;
  assert.is(sent, 3);
  assert.is(sock.challengeAcks, 3);
  assert.is(sock.challengeAcksLimited, 7);
  assert.ok(feed(sock, T0 + 1000, seg(TcpControl.Syn, R + 5, null)), "a new second, a new budget");
  assertState(sock, TcpState.Established);
});

test("RFC 5961 §5: an ACK older than SND.UNA - MAX.SND.WND is dropped with a challenge ACK; a recent old one is a plain duplicate", () => {
  const sock = server({ win: 100, tx: 256, nagle: false });
  sock.send(new Uint8Array(200), 0, 200);
  assert.is(drain(sock, T0).length, 1);
  feed(sock, T0, seg(TcpControl.None, R, D + 100, 100));
  assert.is(drain(sock, T0).length, 1);
  feed(sock, T0, seg(TcpControl.None, R, D + 200, 100));
  // SND.UNA = D + 200, MAX.SND.WND = 100.
  assert.ok(feed(sock, T0, seg(TcpControl.None, R, D + 50, 100), "zz"), "too old: challenge ACK");
  assert.is(sock.recvQueue, 0, "and its data dropped");
  assert.not.ok(feed(sock, T0, seg(TcpControl.None, R, D + 150, 100), "ab"), "within MAX.SND.WND: accepted");
  assert.is(sock.recvQueue, 2);
});

test("RFC 9293 §3.10.7.4: an old segment may not shrink the window (SND.WL1 / SND.WL2)", () => {
  const sock = server({ tx: 256, nagle: false });
  feed(sock, T0, seg(TcpControl.None, R, D, 500), "abc");
  drain(sock, T0);
  // A reordered, older segment (lower SEQ) carrying a smaller window is not applied.
  feed(sock, T0, seg(TcpControl.None, R, D, 10));
  sock.send(new Uint8Array(200), 0, 200);
  assert.is(out(sock, T0)!.data.length, 200);
});

test("ICMP errors are accepted only for a sequence number in flight (RFC 5927 §4.1)", () => {
  const sock = server({ tx: 256 });
  assert.not.ok(sock.icmpError(T0, TcpIcmpError.Unreachable, D, 0), "nothing in flight");
  sock.send(bytesOf("abcdef"), 0, 6);
  out(sock, T0);
  assert.not.ok(sock.icmpError(T0, TcpIcmpError.Unreachable, D - 1, 0));
  assert.not.ok(sock.icmpError(T0, TcpIcmpError.Unreachable, D + 6, 0));
  assert.ok(sock.icmpError(T0, TcpIcmpError.Unreachable, D + 5, 0));
  // A soft error: recorded, the connection goes on.
  assertState(sock, TcpState.Established);
  assert.is(sock.error, SocketErrorCode.Unreachable);
  assert.is(sock.takeError(), SocketErrorCode.Unreachable);
  assert.is(sock.takeError(), SocketErrorCode.None);
});

test("ICMP unreachable in SYN-SENT ends the connection (only for the ISS)", () => {
  const sock = make();
  sock.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
  assert.not.ok(sock.icmpError(T0, TcpIcmpError.Unreachable, ISN, 0), "the SYN is not sent yet");
  out(sock, T0);
  assert.not.ok(sock.icmpError(T0, TcpIcmpError.Unreachable, ISN + 1, 0));
  assertState(sock, TcpState.SynSent);
  assert.ok(sock.icmpError(T0, TcpIcmpError.Unreachable, ISN, 0));
  assertState(sock, TcpState.Closed);
  assert.is(sock.takeError(), SocketErrorCode.Unreachable);
  assert.is(out(sock, T0), null);
});

test("ICMP packet too big: segments shrink (not below the floor) and what no longer fits goes again", () => {
  const sock = server({ tx: 4096, mss: 1400, win: 4000, nagle: false });
  sock.send(new Uint8Array(2800), 0, 2800);
  assert.equal(drain(sock, T0).map((o) => o.data.length), [1400, 1400]);
  assert.ok(sock.icmpError(T0 + 1, TcpIcmpError.PacketTooBig, D, 1000));
  assert.equal(drain(sock, T0 + 1).map((o) => [o.tcp.seqNumber - D, o.data.length]), [[0, 1000], [1000, 1000], [2000, 800]]);
  assert.ok(sock.icmpError(T0 + 2, TcpIcmpError.PacketTooBig, D, 100));
  assert.equal(drain(sock, T0 + 2).map((o) => o.data.length)[0], TCP_MIN_PATH_MSS_V4, "floored at 536");
});

test("no route: SYN-SENT fails with NoRoute; elsewhere the segment counts as lost", () => {
  const c = make();
  c.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
  assert.ok(c.dispatch(T0, new (class { version = 0; srcAddr = new IpAddress(); dstAddr = new IpAddress(); nextHeader = 0; payloadLen = 0; hopLimit = 0 })() as never, reply) >= 0);
  c.dispatchNoRoute(T0);
  assertState(c, TcpState.Closed);
  assert.is(c.takeError(), SocketErrorCode.NoRoute);

  const sock = server({ nagle: false });
  sock.send(bytesOf("abc"), 0, 3);
  const o = out(sock, T0);
  assert.ok(o !== null);
  sock.send(bytesOf("d"), 0, 1);
  assert.ok(sock.dispatch(T0 + 1, o!.ip, o!.tcp) >= 0);
  sock.dispatchNoRoute(T0 + 1);
  assert.is(sock.takeError(), SocketErrorCode.NoRoute);
  assert.ok(sock.pollDelay(T0 + 1) > 0, "no busy loop: the retransmission timer runs");
  assertState(sock, TcpState.Established);
});

class FakeContext implements TcpContext {
  port = 50000;
  hasSource = true;
  now = T0;
  tcpNow(): number {
    return this.now;
  }
  tcpSourceAddress(remote: IpAddress, out: IpAddress): boolean {
    if (!this.hasSource || remote.version !== IpVersion.Ipv4) return false;
    out.setV4(LOCAL4);
    return true;
  }
  tcpEphemeralPort(): number {
    return this.port;
  }
  tcpInitialSeq(now: number, local: IpEndpoint, remote: IpEndpoint): number {
    return (local.port * 7 + remote.port + now) | 0;
  }
  tcpLinkMss(): number {
    return 1000;
  }
}

test("connect(ctx): ephemeral port, source address, ISN and link MSS from the context", () => {
  const ctx = new FakeContext();
  const sock = make();
  sock.connect(ctx, REMOTE_END);
  assertState(sock, TcpState.SynSent);
  assert.is(sock.localEndpoint.port, 50000);
  assert.is(sock.localEndpoint.addr.v4, LOCAL4);
  assert.ok(sock.remoteEndpoint.equals(REMOTE_END));
  assert.is(sock.linkMss, 1000);
  const syn = out(sock, T0)!;
  assert.is(syn.tcp.control, TcpControl.Syn);
  assert.is(syn.tcp.seqNumber, (50000 * 7 + REMOTE_END.port + T0) | 0, "the context's ISN");
  assert.is(syn.tcp.srcPort, 50000);
  assert.is(syn.tcp.maxSegSize, 64);
  // A given port is kept.
  const s2 = make();
  s2.connect(ctx, REMOTE_END, 1234);
  assert.is(s2.localEndpoint.port, 1234);
  const s3 = make();
  s3.connect(ctx, REMOTE_END, IpEndpoint.of(IpAddress.v4(LOCAL4), 0));
  assert.is(s3.localEndpoint.port, 50000);
});

test("connect(ctx) and listen misuse throw SocketError with the code", () => {
  const code = (f: () => void): number => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof SocketError);
      return (e as SocketError).code;
    }
    return -1;
  };
  const ctx = new FakeContext();
  ctx.port = 0;
  assert.is(code(() => make().connect(ctx, REMOTE_END)), SocketErrorCode.NoPortAvailable);
  ctx.port = 50000;
  ctx.hasSource = false;
  assert.is(code(() => make().connect(ctx, REMOTE_END)), SocketErrorCode.Unaddressable);
  ctx.hasSource = true;
  assert.is(code(() => make().connect(ctx, IpEndpoint.of(null, 80))), SocketErrorCode.Unaddressable);
  const open = make();
  open.connect(ctx, REMOTE_END);
  assert.is(code(() => open.connect(ctx, REMOTE_END)), SocketErrorCode.InvalidState);
  assert.is(code(() => open.listen(80)), SocketErrorCode.InvalidState);
  assert.is(code(() => make().listen(0)), SocketErrorCode.Unaddressable);
});

test("listen on an endpoint: only segments to that address; the address is restored after a RST", () => {
  const sock = make();
  sock.listen(IpEndpoint.of(IpAddress.v4(LOCAL4), 80));
  assert.is(sock.kind, SocketKind.Tcp);
  const set = new SocketSet(2);
  assert.is(set.add(sock), 0, "goes into a SocketSet");
  const t = seg(TcpControl.Syn, RISN, null);
  assert.ok(feed(sock, T0, t) === false);
  assertState(sock, TcpState.SynReceived);
  feed(sock, T0, seg(TcpControl.Rst, R, null));
  assertState(sock, TcpState.Listen);
  assert.is(sock.localEndpoint.addr.v4, LOCAL4);
  const other = make();
  other.listen(IpEndpoint.of(IpAddress.v4(LOCAL4 + 1), 80));
  assert.not.ok(other.accepts({ dstAddr: IpAddress.v4(LOCAL4), srcAddr: IpAddress.v4(1) } as never, t));
});

test.run();
