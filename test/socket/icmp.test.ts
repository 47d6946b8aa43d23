// Tests of the ICMP socket (src/socket/icmp.ts), fed at the socket level, as smoltcp's
// socket/icmp.rs tests are: IpReprs and whole ICMP messages in, dispatch sequences out. The
// messages are real ones, captured from Linux (test/fixtures/linux.ts), so that a checksum the
// socket computes is compared with one the kernel computed.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { IcmpBinding, IcmpSocket, ICMP_HEADER_LEN } from "../../src/socket/icmp.js";
import { SocketError, SocketErrorCode } from "../../src/socket/error.js";
import { POLL_INGRESS, POLL_NOW } from "../../src/socket/meta.js";
import { SocketKind, SocketSet } from "../../src/socket/set.js";
import { Arena, BoundsError, CapacityError } from "../../src/storage/arena.js";
import { Checksum, ChecksumCapabilities } from "../../src/wire/checksum.js";
import { IpAddress, IpEndpoint, IpProtocol, IpVersion, Ipv6Address, ipv4Parse } from "../../src/wire/ip.js";
import { IpRepr } from "../../src/wire/ip-repr.js";
import { Icmpv4Packet } from "../../src/wire/icmpv4.js";
import { icmpv6VerifyChecksum } from "../../src/wire/icmpv6.js";
import {
  LINUX_ICMPV4_ECHO_REPLY,
  LINUX_ICMPV4_ECHO_REQUEST,
  LINUX_ICMPV4_PORT_UNREACHABLE,
  LINUX_ICMPV6_ECHO_REPLY,
  LINUX_ICMPV6_ECHO_REQUEST,
  LINUX_ICMPV6_PORT_UNREACHABLE,
} from "../fixtures/linux.js";
import { filled, toHex, view } from "../support/bytes.js";

// A clock a few seconds before the int32 wrap, as every socket test uses.
const T0 = (0x7fffffff - 3000) | 0;

// The two hosts of the Linux captures.
const A1 = ipv4Parse("192.168.69.1");
const A2 = ipv4Parse("192.168.69.2");
const F1 = Ipv6Address.parse("fdaa::1");
const F2 = Ipv6Address.parse("fdaa::2");
const REMOTE_V4 = IpAddress.v4(A2);
const REMOTE_V6 = IpAddress.v6(F2);

/** Offset of the ICMP message in a captured IPv4 frame (Ethernet 14 + IPv4 20) and an IPv6 one (14 + 40). */
const AT_V4 = 34;
const AT_V6 = 54;

/** The ICMP message of a captured frame, as a fresh copy. */
function icmpOf(frame: Uint8Array, at: number): Uint8Array {
  return view(frame.subarray(at)).bytes;
}

// Linux `ping -c 1 192.168.69.2` and its reply: id 0x3f28, seq 1, 56 octets of data.
const ECHO_REQUEST_V4 = icmpOf(LINUX_ICMPV4_ECHO_REQUEST, AT_V4);
const ECHO_REPLY_V4 = icmpOf(LINUX_ICMPV4_ECHO_REPLY, AT_V4);
// Linux `ping -6 -c 1 fdaa::2` and its reply: id 0x3f2a, seq 1, 56 octets of data.
const ECHO_REQUEST_V6 = icmpOf(LINUX_ICMPV6_ECHO_REQUEST, AT_V6);
const ECHO_REPLY_V6 = icmpOf(LINUX_ICMPV6_ECHO_REPLY, AT_V6);
// Port unreachable from 192.168.69.2 quoting the whole UDP datagram 192.168.69.1:50002 -> :7778.
const PORT_UNREACHABLE_V4 = icmpOf(LINUX_ICMPV4_PORT_UNREACHABLE, AT_V4);
// Port unreachable from fdaa::2 quoting the whole UDP datagram [fdaa::1]:50062 -> :7778.
const PORT_UNREACHABLE_V6 = icmpOf(LINUX_ICMPV6_PORT_UNREACHABLE, AT_V6);

// Parameter problem, pointer 20, at an unknown option of a quoted header with IHL 6: the UDP
// header starts 24 octets into the quote (from test/wire/icmpv4.test.ts, checked with tshark).
const PARAM_PROBLEM_IHL6 = new Uint8Array([
  0x0c, 0x00, 0xca, 0xa4, // parameter problem, code 0 (pointer), checksum 0xcaa4
  0x14, 0x00, 0x00, 0x00, // pointer 20, unused
  0x46, 0x00, 0x00, 0x24, // quoted header: IHL 6, total length 36
  0x01, 0x01, 0x40, 0x00, //   identification 0x0101, DF
  0x40, 0x11, 0x92, 0xd9, //   TTL 64, UDP, checksum 0x92d9
  0xc0, 0xa8, 0x45, 0x64, //   192.168.69.100
  0xc0, 0xa8, 0x45, 0x01, //   192.168.69.1
  0x88, 0x04, 0x12, 0x34, //   option 0x88 (stream id), length 4
  0x13, 0x88, 0x00, 0x07, // quoted data: UDP 5000 -> 7 (echo)
  0x00, 0x0c, 0x01, 0xc0, //   length 12, checksum 0x01c0
]);

// Fragmentation needed for a TCP segment from 192.168.69.100:54321 (from test/wire/icmpv4.test.ts).
const FRAG_NEEDED_TCP = new Uint8Array([
  0x03, 0x04, 0xc6, 0x87, // destination unreachable, fragmentation needed, checksum 0xc687
  0x00, 0x00, 0x05, 0x78, // unused, next-hop MTU 1400
  0x45, 0x00, 0x05, 0xdc, // quoted header: total length 1500
  0x00, 0x00, 0x40, 0x00, //   identification 0, DF
  0x40, 0x06, 0xf9, 0x34, //   TTL 64, TCP, checksum 0xf934
  0xc0, 0xa8, 0x45, 0x64, //   192.168.69.100
  0x5d, 0xb8, 0xd8, 0x22, //   93.184.216.34
  0xd4, 0x31, 0x00, 0x50, // quoted data: TCP source port 54321, destination port 80
  0x1f, 0x2e, 0x3d, 0x4c, //   sequence number
]);

const CAPS = new ChecksumCapabilities();

/** An ICMP socket with room for `packets` messages of 66 octets each way, as smoltcp's tests. */
function socket(packets = 1, rxPayload = 66 * packets, txPayload = 66 * packets): IcmpSocket {
  return new IcmpSocket(packets, rxPayload, packets, txPayload);
}

/** The IpRepr of a message from 192.168.69.2 to .1 (an IPv4 reply or error reaching us). */
function fromV4(len: number): IpRepr {
  return new IpRepr().setV4(A2, A1, IpProtocol.Icmp, len, 64);
}

/** The IpRepr of a message from fdaa::2 to fdaa::1. */
function fromV6(len: number): IpRepr {
  return new IpRepr().setV6(F2, F1, IpProtocol.Icmpv6, len, 64);
}

/** Whether `s` accepts the whole message `msg` arriving in `ip`. */
function accepts(s: IcmpSocket, ip: IpRepr, msg: Uint8Array): boolean {
  return s.accepts(ip, msg, 0, msg.length);
}

/** A copy of `msg` changed by `f`. */
function mutated(msg: Uint8Array, f: (b: Uint8Array) => void): Uint8Array {
  const b = view(msg).bytes;
  f(b);
  return b;
}

/**
 * Runs the interface's egress sequence on the oldest queued message: peek, choose `src`, copy
 * into a 0xa5-filled "frame" at offset 3, commit. Returns the IpRepr and the copied message.
 */
function dispatch(s: IcmpSocket, src: IpAddress, caps = CAPS): { ip: IpRepr; msg: Uint8Array; n: number } {
  const ip = new IpRepr();
  const n = s.dispatchPeek(T0, ip);
  if (n < 0) return { ip, msg: new Uint8Array(0), n };
  ip.srcAddr.copyFrom(src);
  const frame = filled(n + 6);
  assert.is(s.dispatchPayload(frame.bytes, 3, ip, caps), n);
  assert.is(frame.bytes[2], 0xa5, "nothing written before the offset");
  assert.is(frame.bytes[3 + n], 0xa5, "nothing written after the message");
  s.dispatchCommit();
  return { ip, msg: frame.bytes.slice(3, 3 + n), n };
}

function isSocketError(code: SocketErrorCode): (e: unknown) => boolean {
  return (e: unknown) => e instanceof SocketError && e.code === code;
}

// --- Construction and binding ----------------------------------------------------------------

test("construction: kind, meta, capacities, unbound, nothing queued", () => {
  const s = new IcmpSocket(2, 100, 3, 200);
  assert.is(s.kind, SocketKind.Icmp);
  assert.is(s.meta.handle, -1);
  assert.not.ok(s.isOpen());
  assert.is(s.bindingKind(), IcmpBinding.None);
  assert.is(s.packetRecvCapacity(), 2);
  assert.is(s.packetSendCapacity(), 3);
  assert.is(s.payloadRecvCapacity(), 100);
  assert.is(s.payloadSendCapacity(), 200);
  assert.ok(s.canSend());
  assert.not.ok(s.canRecv());
  assert.is(s.sendQueue(), 0);
  assert.is(s.recvQueue(), 0);
  assert.is(s.hopLimit, null);
  assert.is(s.takeError(), SocketErrorCode.None);
  assert.is(s.pollDelay(T0), POLL_INGRESS);
  assert.ok(s.rxView().buffer === s.rxBytes().buffer);
  assert.ok(s.txView().buffer === s.txBytes().buffer);
  // An unbound socket takes nothing, not even an echo reply with identifier 0.
  assert.not.ok(accepts(s, fromV4(ECHO_REPLY_V4.length), mutated(ECHO_REPLY_V4, (b) => { b[4] = 0; b[5] = 0; })));
  const set = new SocketSet(2);
  assert.is(set.add(s), 0);
  assert.is(s.meta.handle, 0);
  assert.throws(() => new IcmpSocket(-1, 10, 1, 10), (e: unknown) => e instanceof CapacityError);
  const arena = new Arena(300);
  const inArena = new IcmpSocket(1, 100, 1, 100, arena);
  assert.ok(inArena.rxBytes() === arena.bytes);
  assert.ok(inArena.txBytes() === arena.bytes);
  assert.is(arena.used, 200);
});

test("bind: an identifier or a UDP endpoint, once; port 0 is unaddressable", () => {
  const s = socket();
  assert.throws(() => s.bindIdent(65536), isSocketError(SocketErrorCode.Unaddressable));
  assert.throws(() => s.bindIdent(-1), isSocketError(SocketErrorCode.Unaddressable));
  assert.throws(() => s.bindIdent(1.5), isSocketError(SocketErrorCode.Unaddressable));
  assert.throws(() => s.bindUdp(IpEndpoint.of(IpAddress.v4(A1), 0)), isSocketError(SocketErrorCode.Unaddressable));
  assert.throws(() => s.bindUdp(IpEndpoint.of(null, 65536)), isSocketError(SocketErrorCode.Unaddressable));
  assert.not.ok(s.isOpen(), "a refused bind leaves the socket unbound");
  s.bindIdent(0); // RFC 4443 §4.1: the identifier "May be zero"
  assert.ok(s.isOpen());
  assert.is(s.bindingKind(), IcmpBinding.Ident);
  assert.is(s.boundIdent(), 0);
  assert.throws(() => s.bindIdent(0x1234), isSocketError(SocketErrorCode.InvalidState));
  assert.throws(() => s.bindUdp(IpEndpoint.of(null, 53)), isSocketError(SocketErrorCode.InvalidState));
  assert.is(s.boundIdent(), 0, "a refused second bind changes nothing");
  // Unbound, the socket may be bound again, the other way; the endpoint is copied.
  s.close();
  assert.not.ok(s.isOpen());
  const ep = IpEndpoint.of(IpAddress.v4(A1), 53);
  s.bindUdp(ep);
  ep.port = 54;
  ep.addr.setV4(A2);
  assert.is(s.bindingKind(), IcmpBinding.Udp);
  assert.is(s.boundUdp().port, 53);
  assert.is(s.boundUdp().addr.v4, A1);
  assert.throws(() => s.bindUdp(IpEndpoint.of(null, 54)), isSocketError(SocketErrorCode.InvalidState));
  assert.throws(() => s.bindIdent(7), isSocketError(SocketErrorCode.InvalidState));
});

test("hop limit: null for the interface's default, 1..255, anything else refused", () => {
  const s = socket(2);
  assert.ok(s.sendEchoRequest(REMOTE_V4, 1, 1, ECHO_REQUEST_V4, 8, 4));
  const ip = new IpRepr();
  assert.is(s.dispatchPeek(T0, ip), 12);
  assert.is(ip.hopLimit, 0, "0 asks the interface for its default (RFC 1122 §3.2.1.7: never TTL 0)");
  s.hopLimit = 0x2a;
  assert.is(s.hopLimit, 0x2a);
  assert.is(s.dispatchPeek(T0, ip), 12);
  assert.is(ip.hopLimit, 0x2a, "applies to a message already queued");
  // The same for ICMPv6 (smoltcp's test_set_hop_limit for both versions).
  s.dispatchCommit();
  assert.ok(s.sendEchoRequest(REMOTE_V6, 1, 1, ECHO_REQUEST_V6, 8, 4));
  assert.is(s.dispatchPeek(T0, ip), 12);
  assert.is(ip.version, IpVersion.Ipv6);
  assert.is(ip.hopLimit, 0x2a);
  s.hopLimit = null;
  assert.is(s.dispatchPeek(T0, ip), 12);
  assert.is(ip.hopLimit, 0);
  s.hopLimit = 255;
  assert.is(s.hopLimit, 255);
  assert.throws(() => (s.hopLimit = 256), (e: unknown) => e instanceof RangeError);
  assert.throws(() => (s.hopLimit = -1), (e: unknown) => e instanceof RangeError);
  assert.throws(() => (s.hopLimit = 1.5), (e: unknown) => e instanceof RangeError);
  assert.is(s.hopLimit, 255, "a refused value changes nothing");
  s.hopLimit = null;
  assert.is(s.hopLimit, null);
  s.hopLimit = 1;
  s.hopLimit = 0;
  assert.is(s.hopLimit, null);
});

// --- Sending -----------------------------------------------------------------------------------

test("send: unaddressable, malformed, too large and out-of-range calls throw and queue nothing", () => {
  const s = socket(2, 66, 66);
  const msg = ECHO_REQUEST_V4;
  assert.throws(() => s.sendSlice(msg, 0, 12, new IpAddress()), isSocketError(SocketErrorCode.Unaddressable));
  assert.throws(() => s.sendSlice(msg, 0, 12, IpAddress.v4(0)), isSocketError(SocketErrorCode.Unaddressable));
  assert.throws(() => s.sendSlice(msg, 0, 12, IpAddress.v6(new Ipv6Address())), isSocketError(SocketErrorCode.Unaddressable));
  assert.throws(() => s.sendSlice(msg, 0, 7, REMOTE_V4), isSocketError(SocketErrorCode.Malformed));
  assert.throws(() => s.sendBegin(0, REMOTE_V4), isSocketError(SocketErrorCode.Malformed));
  assert.throws(() => s.sendBegin(8.5, REMOTE_V4), isSocketError(SocketErrorCode.Malformed));
  // smoltcp's test_send_dispatch: 67 octets do not fit a 66-octet buffer.
  assert.throws(() => s.sendBegin(67, REMOTE_V4), isSocketError(SocketErrorCode.TooLarge));
  assert.throws(() => s.sendSlice(msg, 60, 64, REMOTE_V4), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => s.sendSlice(msg, -1, 8, REMOTE_V4), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => s.sendEchoRequest(REMOTE_V4, 1, 1, msg, 60, 10), (e: unknown) => e instanceof BoundsError);
  assert.is(s.sendQueue(), 0);
  assert.ok(s.canSend());
  assert.is(s.pollDelay(T0), POLL_INGRESS);
  assert.is(s.dispatchPeek(T0, new IpRepr()), -1);
  // No bind is needed to send, as in smoltcp; 8 octets is the least.
  assert.ok(s.sendSlice(msg, 0, 8, REMOTE_V4));
  assert.is(s.sendQueue(), 1);
});

test("echo request over IPv4: sendEchoRequest, dispatch, the bytes Linux's ping sent (RFC 792 checksum)", () => {
  const s = socket(1);
  // The data of Linux's request: 56 octets after the 8-octet header.
  assert.ok(s.sendEchoRequest(REMOTE_V4, 0x3f28, 1, ECHO_REQUEST_V4, 8, 56));
  assert.is(s.sendQueue(), 1);
  assert.not.ok(s.canSend(), "one metadata slot, taken");
  assert.is(s.pollDelay(T0), POLL_NOW);
  const ip = new IpRepr();
  ip.srcAddr.setV4(A1); // stale contents the peek must overwrite
  assert.is(s.dispatchPeek(T0, ip), 64);
  assert.is(ip.version, IpVersion.Ipv4);
  assert.is(ip.srcAddr.version, IpVersion.Ipv4);
  assert.is(ip.srcAddr.v4, 0, "the source is left for the interface to choose");
  assert.is(ip.dstAddr.v4, A2);
  assert.is(ip.nextHeader, IpProtocol.Icmp);
  assert.is(ip.payloadLen, 64);
  assert.is(s.sendQueue(), 1, "a peek dequeues nothing");
  const { msg } = dispatch(s, IpAddress.v4(A1));
  assert.is(toHex(msg), toHex(ECHO_REQUEST_V4));
  const v = view(msg);
  assert.ok(new Icmpv4Packet(v.bytes, v.dv).verifyChecksum());
  assert.is(s.sendQueue(), 0);
  assert.ok(s.canSend());
  assert.is(s.txPackets, 1);
  assert.is(s.pollDelay(T0), POLL_INGRESS);
  assert.is(s.dispatchPeek(T0, ip), -1);
});

test("echo request over IPv6: type 128, the checksum covers the pseudo-header of the chosen source (RFC 4443 §2.3)", () => {
  const s = socket(2);
  assert.ok(s.sendEchoRequest(REMOTE_V6, 0x3f2a, 0x10001, ECHO_REQUEST_V6, 8, 56));
  const first = dispatch(s, IpAddress.v6(F1));
  assert.is(first.ip.version, IpVersion.Ipv6);
  assert.ok(first.ip.dstAddr.v6.equals(F2));
  assert.is(first.ip.nextHeader, IpProtocol.Icmpv6);
  assert.is(first.ip.payloadLen, 64);
  assert.is(toHex(first.msg), toHex(ECHO_REQUEST_V6), "Linux's bytes, checksum 0x6b66 (seq taken modulo 65536)");
  const v = view(first.msg);
  assert.ok(icmpv6VerifyChecksum(v.dv, 0, 64, F1, F2));
  // The same message from another source address: another checksum, which does not verify for fdaa::1.
  assert.ok(s.sendEchoRequest(REMOTE_V6, 0x3f2a, 1, ECHO_REQUEST_V6, 8, 56));
  const F3 = Ipv6Address.parse("fdaa::3");
  const other = dispatch(s, IpAddress.v6(F3));
  const w = view(other.msg);
  assert.is.not(w.dv.getUint16(2), 0x6b66);
  assert.ok(icmpv6VerifyChecksum(w.dv, 0, 64, F3, F2));
  assert.not.ok(icmpv6VerifyChecksum(w.dv, 0, 64, F1, F2));
});

test("sendSlice: the message goes out as written, the Checksum field recomputed or, when the device fills it, 0", () => {
  const s = socket(4, 66, 264);
  // A stale checksum 0xdead in the application's copy.
  const stale = mutated(ECHO_REQUEST_V4, (b) => { b[2] = 0xde; b[3] = 0xad; });
  const none = new ChecksumCapabilities();
  none.icmpv4 = Checksum.None;
  const rxOnly = new ChecksumCapabilities();
  rxOnly.icmpv4 = Checksum.Rx;
  const txOnly = new ChecksumCapabilities();
  txOnly.icmpv4 = Checksum.Tx;
  for (let i = 0; i < 4; i++) assert.ok(s.sendSlice(stale, 0, stale.length, REMOTE_V4));
  assert.is(s.sendQueue(), 4);
  assert.is(toHex(dispatch(s, IpAddress.v4(A1)).msg), toHex(ECHO_REQUEST_V4));
  const zero = mutated(ECHO_REQUEST_V4, (b) => { b[2] = 0; b[3] = 0; });
  assert.is(toHex(dispatch(s, IpAddress.v4(A1), none).msg), toHex(zero));
  assert.is(toHex(dispatch(s, IpAddress.v4(A1), rxOnly).msg), toHex(zero));
  assert.is(toHex(dispatch(s, IpAddress.v4(A1), txOnly).msg), toHex(ECHO_REQUEST_V4));
  // ICMPv6 with the device filling the checksum.
  const v6none = new ChecksumCapabilities();
  v6none.icmpv6 = Checksum.None;
  assert.ok(s.sendSlice(ECHO_REQUEST_V6, 0, ECHO_REQUEST_V6.length, REMOTE_V6));
  const out = dispatch(s, IpAddress.v6(F1), v6none).msg;
  assert.is(out[2] | out[3], 0);
  assert.is(toHex(out.subarray(4)), toHex(ECHO_REQUEST_V6.subarray(4)));
});

test("sendBegin: a message written in place in txBytes()", () => {
  const s = socket(1);
  const at = s.sendBegin(ECHO_REQUEST_V6.length, REMOTE_V6);
  assert.ok(at >= 0);
  assert.ok(s.txBytes().buffer === s.txView().buffer);
  s.txBytes().set(ECHO_REQUEST_V6, at);
  s.txView().setUint16(at + 2, 0x1234); // the checksum the application need not write
  assert.is(s.sendBegin(8, REMOTE_V6), -1, "full: one message at a time");
  const { msg } = dispatch(s, IpAddress.v6(F1));
  assert.is(toHex(msg), toHex(ECHO_REQUEST_V6));
});

test("dispatch: the message stays queued until dispatchCommit (smoltcp test_send_dispatch)", () => {
  const s = socket(1);
  const ip = new IpRepr();
  assert.is(s.dispatchPeek(T0, ip), -1);
  assert.is(s.dispatchPayload(new Uint8Array(80), 0, ip, CAPS), -1);
  s.dispatchCommit(); // nothing queued: no effect
  assert.is(s.txPackets, 0);
  assert.ok(s.sendSlice(ECHO_REQUEST_V4, 0, 24, REMOTE_V4));
  assert.not.ok(s.sendSlice(ECHO_REQUEST_V4, 0, 8, REMOTE_V4), "full: false, not an exception");
  assert.is(s.sendBegin(8, REMOTE_V4), -1);
  assert.not.ok(s.canSend());
  // The interface could not resolve the neighbor: it peeked (twice) and called nothing else.
  assert.is(s.dispatchPeek(T0, ip), 24);
  assert.is(s.dispatchPeek(T0, ip), 24);
  assert.not.ok(s.canSend(), "not taken off the queue");
  assert.is(s.pollDelay(T0), POLL_NOW);
  ip.srcAddr.setV4(A1);
  const dst = new Uint8Array(24);
  assert.is(s.dispatchPayload(dst, 0, ip, CAPS), 24);
  assert.is(s.dispatchPayload(dst, 0, ip, CAPS), 24, "a second attempt copies the same message");
  s.dispatchCommit();
  assert.ok(s.canSend(), "taken off the queue this time");
  assert.is(s.pollDelay(T0), POLL_INGRESS);
});

test("dispatchDrop: the message is dropped and takeError reports NoRoute once", () => {
  const s = socket(2);
  s.dispatchDrop(SocketErrorCode.NoRoute); // nothing queued: nothing to report
  assert.is(s.takeError(), SocketErrorCode.None);
  assert.ok(s.sendEchoRequest(REMOTE_V4, 1, 1, ECHO_REQUEST_V4, 8, 8));
  assert.ok(s.sendEchoRequest(REMOTE_V4, 1, 2, ECHO_REQUEST_V4, 8, 8));
  const ip = new IpRepr();
  assert.is(s.dispatchPeek(T0, ip), 16);
  s.dispatchDrop(SocketErrorCode.NoRoute);
  assert.is(s.sendQueue(), 1);
  assert.is(s.txDropped, 1);
  assert.is(s.takeError(), SocketErrorCode.NoRoute);
  assert.is(s.takeError(), SocketErrorCode.None, "reading the error clears it");
  // The next message is the second one.
  const { msg } = dispatch(s, IpAddress.v4(A1));
  assert.is((msg[6] << 8) | msg[7], 2);
  assert.is(s.takeError(), SocketErrorCode.None);
});

test("pollDelay: POLL_NOW while a message waits, POLL_INGRESS otherwise, across the clock's wrap", () => {
  const s = socket(1);
  for (const now of [T0, (T0 + 5000) | 0, -0x80000000, 0]) {
    assert.is(s.pollDelay(now), POLL_INGRESS);
  }
  assert.ok(s.sendEchoRequest(REMOTE_V4, 1, 1, ECHO_REQUEST_V4, 0, 0));
  for (const now of [T0, (T0 + 5000) | 0, -0x80000000, 0]) {
    assert.is(s.pollDelay(now), POLL_NOW);
  }
  dispatch(s, IpAddress.v4(A1));
  assert.is(s.pollDelay(T0), POLL_INGRESS);
});

test("the send ring wraps: 300 echo requests of varying sizes, in order, each with a correct checksum", () => {
  const s = socket(3, 66, 100);
  const data = new Uint8Array(40);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
  let next = 0;
  const check = (): void => {
    const { msg, n } = dispatch(s, IpAddress.v4(A1));
    const v = view(msg);
    assert.ok(new Icmpv4Packet(v.bytes, v.dv).verifyChecksum(), "message " + next);
    assert.is(v.dv.getUint16(6), next, "in the order sent");
    assert.is(n, 8 + ((next * 13) % 41));
    assert.is(toHex(msg.subarray(8)), toHex(data.subarray(0, n - 8)));
    next++;
  };
  for (let i = 0; i < 300; i++) {
    const len = (i * 13) % 41;
    while (!s.sendEchoRequest(REMOTE_V4, 0x77, i, data, 0, len)) check();
  }
  while (s.sendQueue() > 0) check();
  assert.is(next, 300);
  assert.is(s.txPackets, 300);
});

// --- Receiving: bound to an identifier ----------------------------------------------------------

test("ident: the echo reply with the bound identifier is accepted and received (smoltcp test_recv_process)", () => {
  const s = socket(1);
  s.bindIdent(0x3f28);
  assert.not.ok(s.canRecv());
  assert.is(s.recv(), -1);
  const ip = fromV4(ECHO_REPLY_V4.length);
  assert.ok(accepts(s, ip, ECHO_REPLY_V4));
  assert.ok(s.process(T0, ip, ECHO_REPLY_V4, 0, ECHO_REPLY_V4.length));
  assert.ok(s.canRecv());
  assert.is(s.recvQueue(), 1);
  assert.is(s.rxPackets, 1);
  // Full: accepted, but not queued.
  assert.ok(accepts(s, ip, ECHO_REPLY_V4));
  assert.not.ok(s.process(T0, ip, ECHO_REPLY_V4, 0, ECHO_REPLY_V4.length));
  assert.is(s.rxDropped, 1);
  const len = s.recv();
  assert.is(len, 64);
  assert.is(s.lastRecvAddr.version, IpVersion.Ipv4);
  assert.is(s.lastRecvAddr.v4, A2);
  assert.is(toHex(s.rxBytes().subarray(s.recvOffset, s.recvOffset + len)), toHex(ECHO_REPLY_V4), "verbatim, checksum included");
  assert.is(s.rxView().getUint16(s.recvOffset + 6), 1, "the sequence number read in place");
  assert.not.ok(s.canRecv());
  assert.is(s.recv(), -1);
});

test("ident: another identifier is refused (smoltcp test_accept_bad_id); both versions; requests too, as smoltcp", () => {
  const v4 = socket(1);
  v4.bindIdent(0x3f29);
  assert.not.ok(accepts(v4, fromV4(64), ECHO_REPLY_V4));
  const v6 = socket(1);
  v6.bindIdent(0x3f2a);
  assert.ok(accepts(v6, fromV6(64), ECHO_REPLY_V6));
  assert.not.ok(accepts(v6, fromV4(64), ECHO_REPLY_V4), "0x3f28 is not 0x3f2a");
  // The ICMPv4 reply relabelled 0x3f2a is taken too: an identifier binds both versions.
  assert.ok(accepts(v6, fromV4(64), mutated(ECHO_REPLY_V4, (b) => { b[5] = 0x2a; })));
  // smoltcp accepts echo requests with the identifier as well (the interface still answers them).
  const req = socket(1);
  req.bindIdent(0x3f28);
  assert.ok(accepts(req, new IpRepr().setV4(A1, A2, IpProtocol.Icmp, 64, 64), ECHO_REQUEST_V4));
  const req6 = socket(1);
  req6.bindIdent(0x3f2a);
  assert.ok(accepts(req6, new IpRepr().setV6(F1, F2, IpProtocol.Icmpv6, 64, 64), ECHO_REQUEST_V6));
  // An ICMPv6 echo type in an IPv4 packet (and the other way round) is no echo.
  assert.not.ok(accepts(req6, fromV4(64), ECHO_REPLY_V6));
  assert.not.ok(accepts(req, fromV6(64), ECHO_REPLY_V4));
  // An IpRepr of no version.
  assert.not.ok(accepts(req, new IpRepr(), ECHO_REPLY_V4));
});

test("ident: only echo messages, whatever octets 4-5 of another type hold", () => {
  const s = socket(1);
  s.bindIdent(0); // a port unreachable's unused word is 0
  assert.not.ok(accepts(s, fromV4(PORT_UNREACHABLE_V4.length), PORT_UNREACHABLE_V4));
  assert.not.ok(accepts(s, fromV6(PORT_UNREACHABLE_V6.length), PORT_UNREACHABLE_V6));
  // Timestamp (13) and timestamp reply (14) with identifier 0.
  assert.not.ok(accepts(s, fromV4(20), new Uint8Array([13, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])));
  assert.not.ok(accepts(s, fromV4(20), new Uint8Array([14, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])));
  assert.ok(accepts(s, fromV4(8), new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1])), "an echo reply with identifier 0 is");
});

// --- Receiving: bound to a UDP endpoint ---------------------------------------------------------

test("udp: the port unreachable quoting a datagram from the bound port is accepted and received (IPv4)", () => {
  const ip = fromV4(PORT_UNREACHABLE_V4.length);
  for (const addr of [null, IpAddress.v4(A1)]) {
    const s = socket(1, 80, 80);
    s.bindUdp(IpEndpoint.of(addr, 50002));
    assert.ok(accepts(s, ip, PORT_UNREACHABLE_V4), "bound to " + s.boundUdp());
    assert.ok(s.process(T0, ip, PORT_UNREACHABLE_V4, 0, PORT_UNREACHABLE_V4.length));
    const out = new Uint8Array(80);
    assert.is(s.recvSlice(out, 0, 80), PORT_UNREACHABLE_V4.length);
    assert.is(toHex(out.subarray(0, PORT_UNREACHABLE_V4.length)), toHex(PORT_UNREACHABLE_V4));
    assert.is(s.lastRecvAddr.v4, A2, "the router or host that sent the error");
  }
  // Another port, another source address, an address of the other version: refused.
  const other = socket(1);
  other.bindUdp(IpEndpoint.of(null, 50003));
  assert.not.ok(accepts(other, ip, PORT_UNREACHABLE_V4));
  const otherAddr = socket(1);
  otherAddr.bindUdp(IpEndpoint.of(IpAddress.v4(A2), 50002));
  assert.not.ok(accepts(otherAddr, ip, PORT_UNREACHABLE_V4), "the datagram left from .1, not .2");
  const v6Addr = socket(1);
  v6Addr.bindUdp(IpEndpoint.of(IpAddress.v6(F1), 50002));
  assert.not.ok(accepts(v6Addr, ip, PORT_UNREACHABLE_V4));
  // The destination port 7778 is not the source port.
  const dstPort = socket(1);
  dstPort.bindUdp(IpEndpoint.of(null, 7778));
  assert.not.ok(accepts(dstPort, ip, PORT_UNREACHABLE_V4));
});

test("udp: the port unreachable quoting a datagram from the bound port is accepted (IPv6)", () => {
  const ip = fromV6(PORT_UNREACHABLE_V6.length);
  for (const addr of [null, IpAddress.v6(F1)]) {
    const s = socket(1, 80, 80);
    s.bindUdp(IpEndpoint.of(addr, 50062));
    assert.ok(accepts(s, ip, PORT_UNREACHABLE_V6));
    assert.ok(s.process(T0, ip, PORT_UNREACHABLE_V6, 0, PORT_UNREACHABLE_V6.length));
    assert.is(s.recv(), 76);
    assert.ok(s.lastRecvAddr.v6.equals(F2));
    assert.is(s.rxBytes()[s.recvOffset], 1, "destination unreachable");
    assert.is(s.rxBytes()[s.recvOffset + 1], 4, "port unreachable");
  }
  for (const [addr, port] of [[null, 50063], [IpAddress.v6(F2), 50062], [IpAddress.v4(A1), 50062]] as [IpAddress | null, number][]) {
    const s = socket(1, 80, 80);
    s.bindUdp(IpEndpoint.of(addr, port));
    assert.not.ok(accepts(s, ip, PORT_UNREACHABLE_V6), "bound to " + s.boundUdp());
  }
  // Each word of the quoted source address counts.
  const s = socket(1, 80, 80);
  s.bindUdp(IpEndpoint.of(IpAddress.v6(F1), 50062));
  for (const i of [8, 12, 16, 20]) {
    assert.not.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V6, (b) => { b[8 + i] ^= 1; })), "octet " + i + " of the quote");
  }
});

test("udp: the other ICMPv4 errors are accepted; echo, TCP quotes, later fragments and short quotes are not", () => {
  const s = socket(1, 80, 80);
  s.bindUdp(IpEndpoint.of(null, 50002));
  const ip = fromV4(PORT_UNREACHABLE_V4.length);
  // Time exceeded in transit (11/0) and parameter problem (12/0) quoting the same datagram.
  assert.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V4, (b) => { b[0] = 11; b[1] = 0; })));
  assert.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V4, (b) => { b[0] = 12; b[1] = 0; b[4] = 20; })));
  // Not an error type this stack parses (source quench 4, redirect 5), nor an echo.
  assert.not.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V4, (b) => { b[0] = 4; b[1] = 0; })));
  assert.not.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V4, (b) => { b[0] = 5; b[1] = 0; })));
  assert.not.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V4, (b) => { b[0] = 0; b[1] = 0; })));
  // The quoted protocol must be UDP (17).
  assert.not.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V4, (b) => { b[8 + 9] = 6; })));
  // A fragment other than the first quotes no UDP header; the first fragment (MF, offset 0) does.
  assert.not.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V4, (b) => { b[8 + 6] = 0x00; b[8 + 7] = 0xb9; })));
  assert.not.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V4, (b) => { b[8 + 6] = 0x10; b[8 + 7] = 0x00; })));
  assert.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V4, (b) => { b[8 + 6] = 0x20; b[8 + 7] = 0x00; })));
  // A quote that is not IPv4, or whose IHL is below 5.
  assert.not.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V4, (b) => { b[8] = 0x65; })));
  assert.not.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V4, (b) => { b[8] = 0x44; })));
  // The quote must hold the whole UDP header: 8 + 20 + 8 octets, not one fewer.
  assert.ok(s.accepts(ip, PORT_UNREACHABLE_V4, 0, 36));
  assert.not.ok(s.accepts(ip, PORT_UNREACHABLE_V4, 0, 35));
  // The UDP header after a 24-octet quoted header (IHL 6, an option).
  const pp = socket(1);
  pp.bindUdp(IpEndpoint.of(IpAddress.v4(ipv4Parse("192.168.69.100")), 5000));
  assert.ok(accepts(pp, fromV4(PARAM_PROBLEM_IHL6.length), PARAM_PROBLEM_IHL6));
  assert.ok(pp.accepts(fromV4(40), PARAM_PROBLEM_IHL6, 0, 40), "8 + 24 + 8 octets");
  assert.not.ok(pp.accepts(fromV4(39), PARAM_PROBLEM_IHL6, 0, 39), "one octet of the UDP header missing");
  const ppOption = socket(1);
  ppOption.bindUdp(IpEndpoint.of(null, 0x8804)); // the option's first two octets, where IHL 5 would put the port
  assert.not.ok(accepts(ppOption, fromV4(PARAM_PROBLEM_IHL6.length), PARAM_PROBLEM_IHL6));
  // Fragmentation needed for a TCP segment from port 54321: not UDP.
  const tcp = socket(1);
  tcp.bindUdp(IpEndpoint.of(null, 54321));
  assert.not.ok(accepts(tcp, fromV4(FRAG_NEEDED_TCP.length), FRAG_NEEDED_TCP));
  assert.ok(accepts(tcp, fromV4(FRAG_NEEDED_TCP.length), mutated(FRAG_NEEDED_TCP, (b) => { b[8 + 9] = 17; })), "the same quote, labelled UDP");
});

test("udp: every ICMPv6 error type is accepted (RFC 4443 §2.4 (a)); informational types and extension headers are not", () => {
  const s = socket(1, 80, 80);
  s.bindUdp(IpEndpoint.of(null, 50062));
  const ip = fromV6(PORT_UNREACHABLE_V6.length);
  for (const type of [1, 2, 3, 4, 100, 127]) {
    assert.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V6, (b) => { b[0] = type; })), "type " + type);
  }
  for (const type of [128, 129, 135, 200]) {
    assert.not.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V6, (b) => { b[0] = type; })), "type " + type);
  }
  // A quoted extension header before UDP (hop-by-hop, 0) is not looked through; nor TCP.
  assert.not.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V6, (b) => { b[8 + 6] = 0; })));
  assert.not.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V6, (b) => { b[8 + 6] = 6; })));
  // A quote that is not IPv6.
  assert.not.ok(accepts(s, ip, mutated(PORT_UNREACHABLE_V6, (b) => { b[8] = 0x40; })));
  // 8 + 40 + 8 octets are needed.
  assert.ok(s.accepts(ip, PORT_UNREACHABLE_V6, 0, 56));
  assert.not.ok(s.accepts(ip, PORT_UNREACHABLE_V6, 0, 55));
  // An ICMPv6 error in an IPv4 IpRepr is read as ICMPv4 (type 1 is none of its errors).
  assert.not.ok(accepts(s, fromV4(76), PORT_UNREACHABLE_V6));
});

test("accepts: a message at an offset; short or out-of-range input is refused without reading outside", () => {
  const s = socket(1);
  s.bindUdp(IpEndpoint.of(null, 50002));
  const frame = LINUX_ICMPV4_PORT_UNREACHABLE;
  const ip = fromV4(frame.length - AT_V4);
  assert.ok(s.accepts(ip, frame, AT_V4, frame.length - AT_V4));
  assert.not.ok(s.accepts(ip, frame, AT_V4, frame.length - AT_V4 + 1), "past the end of the bytes");
  assert.not.ok(s.accepts(ip, frame, -1, 8));
  assert.not.ok(s.accepts(ip, frame, AT_V4, 7));
  // IHL 15 in a quote of 20 octets: the UDP header would lie beyond the message.
  const big = mutated(PORT_UNREACHABLE_V4, (b) => { b[8] = 0x4f; });
  assert.not.ok(s.accepts(ip, big, 0, 36));
  const e = socket(1);
  e.bindIdent(0x3f28);
  assert.ok(e.accepts(fromV4(64), LINUX_ICMPV4_ECHO_REPLY, AT_V4, 64));
  assert.not.ok(e.accepts(fromV4(64), LINUX_ICMPV4_ECHO_REPLY, AT_V4 + 60, 8), "past the end of the bytes");
});

test("accepts, process and recv never throw on mutated messages at any length (a seeded fuzz)", () => {
  const seeds: [Uint8Array, boolean][] = [
    [ECHO_REPLY_V4, false], [ECHO_REQUEST_V4, false], [PORT_UNREACHABLE_V4, false], [PARAM_PROBLEM_IHL6, false],
    [ECHO_REPLY_V6, true], [PORT_UNREACHABLE_V6, true],
  ];
  const sockets = [socket(2, 200, 66), socket(2, 200, 66), socket(2, 200, 66), socket(2, 200, 66)];
  sockets[0].bindIdent(0x3f28);
  sockets[1].bindIdent(0x3f2a);
  sockets[2].bindUdp(IpEndpoint.of(null, 50002));
  sockets[3].bindUdp(IpEndpoint.of(IpAddress.v6(F1), 50062));
  let x = 0x1234567;
  const rand = (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const buf = new Uint8Array(120);
  let taken = 0;
  for (let i = 0; i < 3000; i++) {
    const [seed, v6] = seeds[rand(seeds.length)];
    buf.fill(0);
    buf.set(seed);
    for (let k = rand(4); k > 0; k--) buf[rand(seed.length)] = rand(256);
    const off = rand(3);
    const len = rand(seed.length + 8) - off;
    const ip = v6 ? fromV6(len) : fromV4(len);
    for (const s of sockets) {
      if (!s.accepts(ip, buf, off, len)) continue;
      taken++;
      assert.ok(len >= 8 && off + len <= buf.length);
      s.process(T0, ip, buf, off, len);
      assert.is(s.recv(), len);
    }
  }
  assert.ok(taken > 100, "some mutations are still accepted: " + taken);
});

// --- Receive buffer ------------------------------------------------------------------------------

test("process: a full queue refuses (false), a message larger than the buffer is counted apart, a bad range never throws", () => {
  const s = socket(2, 100, 66);
  s.bindIdent(0x3f28);
  const ip = fromV4(64);
  assert.ok(s.process(T0, ip, ECHO_REPLY_V4, 0, 64));
  assert.not.ok(s.process(T0, ip, ECHO_REPLY_V4, 0, 64), "36 octets left");
  assert.is(s.rxDropped, 1);
  assert.ok(s.process(T0, ip, ECHO_REPLY_V4, 0, 36), "a shorter message still fits");
  assert.not.ok(s.process(T0, ip, ECHO_REPLY_V4, 0, 8), "no metadata slot left");
  assert.is(s.rxDropped, 2);
  const small = socket(1, 50, 66);
  assert.not.ok(small.process(T0, ip, ECHO_REPLY_V4, 0, 64));
  assert.is(small.rxTooLarge, 1);
  assert.is(small.rxDropped, 0);
  assert.not.ok(small.process(T0, ip, ECHO_REPLY_V4, 60, 8));
  assert.not.ok(small.process(T0, ip, ECHO_REPLY_V4, -1, 8));
  assert.is(small.recvQueue(), 0);
  assert.is(s.recvQueue(), 2);
});

test("recvSlice cuts a message to the room given and drops the rest; peekSlice and peek keep it", () => {
  const s = socket(2, 200, 66);
  s.bindIdent(0x3f28);
  assert.is(s.recvSlice(new Uint8Array(10), 0, 10), -1);
  assert.is(s.peekSlice(new Uint8Array(10), 0, 10), -1);
  assert.is(s.peek(), -1);
  assert.ok(s.process(T0, fromV4(64), ECHO_REPLY_V4, 0, 64));
  assert.ok(s.process(T0, fromV6(64), ECHO_REPLY_V6, 0, 64));
  const out = filled(20).bytes;
  assert.is(s.peekSlice(out, 2, 10), 10);
  assert.is(toHex(out.subarray(2, 12)), toHex(ECHO_REPLY_V4.subarray(0, 10)));
  assert.is(out[12], 0xa5);
  assert.is(s.recvQueue(), 2);
  assert.is(s.peek(), 64);
  assert.is(s.peek(), 64);
  assert.is(s.lastRecvAddr.v4, A2);
  assert.throws(() => s.recvSlice(out, 15, 10), (e: unknown) => e instanceof BoundsError);
  assert.is(s.recvQueue(), 2, "a refused call dequeues nothing");
  assert.is(s.recvSlice(out, 0, 12), 12);
  assert.is(toHex(out.subarray(0, 12)), toHex(ECHO_REPLY_V4.subarray(0, 12)));
  assert.is(s.recvQueue(), 1, "the other 52 octets are gone with the message");
  // The next message is the ICMPv6 one, from fdaa::2.
  const big = new Uint8Array(100);
  assert.is(s.recvSlice(big, 0, 100), 64);
  assert.is(s.lastRecvAddr.version, IpVersion.Ipv6);
  assert.ok(s.lastRecvAddr.v6.equals(F2));
  assert.is(toHex(big.subarray(0, 64)), toHex(ECHO_REPLY_V6));
  assert.not.ok(s.canRecv());
});

test("close: unbinds and drops what is queued both ways", () => {
  const s = socket(2);
  s.bindIdent(0x3f28);
  assert.ok(s.process(T0, fromV4(64), ECHO_REPLY_V4, 0, 64));
  assert.ok(s.sendEchoRequest(REMOTE_V4, 0x3f28, 2, ECHO_REQUEST_V4, 8, 8));
  s.close();
  assert.not.ok(s.isOpen());
  assert.is(s.bindingKind(), IcmpBinding.None);
  assert.is(s.recv(), -1);
  assert.is(s.sendQueue(), 0);
  assert.is(s.pollDelay(T0), POLL_INGRESS);
  assert.not.ok(accepts(s, fromV4(64), ECHO_REPLY_V4));
  assert.is(s.boundUdp().port, 0);
  s.bindIdent(0x3f28);
  assert.ok(accepts(s, fromV4(64), ECHO_REPLY_V4));
  assert.is(ICMP_HEADER_LEN, 8);
});

test.run();
