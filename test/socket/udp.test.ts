// The UDP socket without an interface, as smoltcp's socket/udp.rs tests it: reprs and payload
// bytes are fed to `accepts` / `process`, and the dispatch sequence is driven by hand.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { UdpSocket } from "../../src/socket/udp.js";
import { SocketError, SocketErrorCode } from "../../src/socket/error.js";
import { POLL_INGRESS, POLL_NOW } from "../../src/socket/meta.js";
import { SocketKind, SocketSet } from "../../src/socket/set.js";
import { IpAddress, IpEndpoint, IpProtocol, IpVersion, Ipv6Address, ipv4Parse } from "../../src/wire/ip.js";
import { IpRepr } from "../../src/wire/ip-repr.js";
import { UdpRepr } from "../../src/wire/udp.js";
import { Arena, BoundsError } from "../../src/storage/arena.js";
import { filled } from "../support/bytes.js";

// A clock a few seconds before the int32 wrap (a UDP socket ignores time; pollDelay must too).
const T0 = (0x7fffffff - 3000) | 0;

const LOCAL_PORT = 53;
const REMOTE_PORT = 49500;
const LOCAL4 = ipv4Parse("192.168.69.1");
const REMOTE4 = ipv4Parse("192.168.69.2");
const OTHER4 = ipv4Parse("192.168.69.3");
const GROUP4 = ipv4Parse("224.0.0.251"); // mDNS
const LOCAL6 = Ipv6Address.parse("fdaa::1");
const REMOTE6 = Ipv6Address.parse("fdaa::2");
const GROUP6 = Ipv6Address.parse("ff02::fb");

const LOCAL_END = IpEndpoint.of(IpAddress.v4(LOCAL4), LOCAL_PORT);
const REMOTE_END = IpEndpoint.of(IpAddress.v4(REMOTE4), REMOTE_PORT);
const LOCAL_END6 = IpEndpoint.of(IpAddress.v6(LOCAL6), LOCAL_PORT);
const REMOTE_END6 = IpEndpoint.of(IpAddress.v6(REMOTE6), REMOTE_PORT);

/** "abcdef", the payload of smoltcp's tests, at offset 2 of a larger array. */
const PAYLOAD = new Uint8Array([0xee, 0xee, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0xee]);
const P_OFF = 2;
const P_LEN = 6;

/** A socket whose queues hold `rx` and `tx` datagrams of 16 octets each (smoltcp's `buffer(n)`). */
function socket(rx: number, tx: number, arena?: Arena): UdpSocket {
  return new UdpSocket(rx, 16 * rx, tx, 16 * tx, arena);
}

/** An IPv4 datagram's IP repr from REMOTE4 to `dst`, carrying `len` octets of UDP payload. */
function ip4(dst: number, len = P_LEN, src = REMOTE4): IpRepr {
  return new IpRepr().setV4(src, dst, IpProtocol.Udp, 8 + len, 64);
}

function ip6(dst: Ipv6Address, len = P_LEN): IpRepr {
  return new IpRepr().setV6(REMOTE6, dst, IpProtocol.Udp, 8 + len, 64);
}

/** The UDP repr of a datagram from REMOTE_PORT to `dstPort`. */
function udp(dstPort = LOCAL_PORT, srcPort = REMOTE_PORT): UdpRepr {
  const r = new UdpRepr();
  r.srcPort = srcPort;
  r.dstPort = dstPort;
  r.payloadLen = P_LEN;
  return r;
}

/** Whether `fn` throws a SocketError with `code`. */
function throwsCode(fn: () => unknown, code: SocketErrorCode, msg?: string): void {
  assert.throws(fn, (e: unknown) => e instanceof SocketError && e.code === code, msg);
}

function text(bytes: Uint8Array, off: number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(bytes[off + i]);
  return s;
}

test("kind, meta and a fresh socket", () => {
  const s = socket(1, 1);
  assert.is(s.kind, SocketKind.Udp);
  assert.is(s.meta.handle, -1);
  assert.not.ok(s.isOpen());
  assert.is(s.endpoint().port, 0);
  assert.ok(s.canSend());
  assert.not.ok(s.canRecv());
  assert.is(s.sendQueue(), 0);
  assert.is(s.recvQueue(), 0);
  assert.is(s.payloadSendCapacity(), 16);
  assert.is(s.payloadRecvCapacity(), 16);
  assert.is(s.packetSendCapacity(), 1);
  assert.is(new UdpSocket(3, 100, 5, 200).packetSendCapacity(), 5);
  assert.is(new UdpSocket(3, 100, 5, 200).payloadRecvCapacity(), 100);
  const set = new SocketSet(2);
  assert.is(set.add(s), 0);
  assert.is(s.meta.handle, 0);
});

test("bind: port 0 is unaddressable", () => {
  const s = socket(0, 0);
  throwsCode(() => s.bind(0), SocketErrorCode.Unaddressable);
  throwsCode(() => s.bind(IpEndpoint.of(IpAddress.v4(LOCAL4), 0)), SocketErrorCode.Unaddressable);
  throwsCode(() => s.bind(65536), SocketErrorCode.Unaddressable);
  throwsCode(() => s.bind(1.5), SocketErrorCode.Unaddressable);
  assert.not.ok(s.isOpen(), "a refused bind leaves the socket unbound");
});

test("bind: twice is InvalidState; close unbinds", () => {
  const s = socket(0, 0);
  s.bind(1);
  assert.ok(s.isOpen());
  throwsCode(() => s.bind(2), SocketErrorCode.InvalidState);
  assert.is(s.endpoint().port, 1, "the first binding stands");
  s.close();
  assert.not.ok(s.isOpen());
  s.bind(2);
  assert.is(s.endpoint().port, 2);
});

test("bind: an address is kept; an unspecified one means any", () => {
  const s = socket(0, 0);
  s.bind(LOCAL_END);
  assert.ok(s.endpoint().equals(LOCAL_END));
  assert.ok(s.endpoint() !== LOCAL_END, "the endpoint is copied");
  const any = socket(0, 0);
  any.bind(IpEndpoint.of(IpAddress.v4(0), 7));
  assert.is(any.endpoint().addr.version, IpVersion.Unspecified);
  assert.is(any.endpoint().port, 7);
  const bare = socket(0, 0);
  bare.bind(IpEndpoint.parse("5353"));
  assert.is(bare.endpoint().addr.version, IpVersion.Unspecified);
});

test("send: unbound, unaddressable remote endpoints", () => {
  const s = socket(0, 1);
  throwsCode(() => s.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END), SocketErrorCode.NotBound);
  throwsCode(() => s.sendBegin(P_LEN, REMOTE_END), SocketErrorCode.NotBound);
  s.bind(LOCAL_PORT);
  throwsCode(() => s.sendSlice(PAYLOAD, P_OFF, P_LEN, IpEndpoint.of(null, REMOTE_PORT)), SocketErrorCode.Unaddressable);
  throwsCode(() => s.sendSlice(PAYLOAD, P_OFF, P_LEN, IpEndpoint.of(IpAddress.v4(0), REMOTE_PORT)), SocketErrorCode.Unaddressable);
  throwsCode(() => s.sendSlice(PAYLOAD, P_OFF, P_LEN, IpEndpoint.of(IpAddress.v6(new Ipv6Address()), REMOTE_PORT)), SocketErrorCode.Unaddressable);
  throwsCode(() => s.sendSlice(PAYLOAD, P_OFF, P_LEN, IpEndpoint.of(IpAddress.v4(REMOTE4), 0)), SocketErrorCode.Unaddressable);
  assert.is(s.sendQueue(), 0, "nothing was queued");
  assert.ok(s.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END));
  assert.is(s.sendQueue(), 1);
});

test("send: a remote endpoint of the other version than the bound address", () => {
  const s = socket(0, 2);
  s.bind(LOCAL_END);
  throwsCode(() => s.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END6), SocketErrorCode.Unaddressable);
  const s6 = socket(0, 2);
  s6.bind(LOCAL_END6);
  throwsCode(() => s6.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END), SocketErrorCode.Unaddressable);
  // A socket bound to a port alone sends to either version.
  const any = socket(0, 2);
  any.bind(LOCAL_PORT);
  assert.ok(any.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END));
  assert.ok(any.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END6));
});

test("send dispatch: peek, payload, commit (IPv4)", () => {
  const s = socket(0, 1);
  s.bind(LOCAL_END);
  const ip = new IpRepr();
  const u = new UdpRepr();
  assert.ok(s.canSend());
  assert.is(s.dispatchPeek(T0, ip, u), -1, "nothing queued");

  assert.ok(s.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END));
  assert.not.ok(s.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END), "a full queue answers false");
  assert.not.ok(s.canSend());

  assert.is(s.dispatchPeek(T0, ip, u), P_LEN);
  assert.is(ip.version, IpVersion.Ipv4);
  assert.ok(ip.srcAddr.equals(LOCAL_END.addr));
  assert.ok(ip.dstAddr.equals(REMOTE_END.addr));
  assert.is(ip.nextHeader, IpProtocol.Udp);
  assert.is(ip.payloadLen, 8 + P_LEN);
  assert.is(ip.hopLimit, 0, "0: the interface's default");
  assert.is(u.srcPort, LOCAL_PORT);
  assert.is(u.dstPort, REMOTE_PORT);
  assert.is(u.payloadLen, P_LEN);
  assert.is(text(s.txBytes(), u.payloadOffset, P_LEN), "abcdef");

  // Not resolved yet: the interface calls nothing else, and the next peek sees the same datagram.
  const ip2 = new IpRepr();
  const u2 = new UdpRepr();
  assert.is(s.dispatchPeek(T0, ip2, u2), P_LEN);
  assert.ok(ip2.dstAddr.equals(ip.dstAddr));
  assert.is(u2.dstPort, REMOTE_PORT);
  assert.not.ok(s.canSend());

  const frame = filled(20);
  s.dispatchPayload(frame.bytes, 5);
  assert.is(text(frame.bytes, 5, P_LEN), "abcdef");
  assert.is(frame.bytes[4], 0xa5, "nothing before the payload is written");
  assert.is(frame.bytes[5 + P_LEN], 0xa5, "nothing after the payload is written");
  assert.is(s.sendQueue(), 1, "dispatchPayload does not dequeue");

  s.dispatchCommit();
  assert.ok(s.canSend());
  assert.is(s.sendQueue(), 0);
  assert.is(s.txPackets, 1);
  assert.is(s.dispatchPeek(T0, ip, u), -1);
  assert.is(s.takeError(), SocketErrorCode.None);
});

test("send dispatch: datagrams leave in order", () => {
  const s = socket(0, 3);
  s.bind(LOCAL_PORT);
  const ip = new IpRepr();
  const u = new UdpRepr();
  for (let i = 1; i <= 3; i++) assert.ok(s.sendSlice(PAYLOAD, P_OFF, i, IpEndpoint.of(IpAddress.v4(REMOTE4), 1000 + i)));
  for (let i = 1; i <= 3; i++) {
    assert.is(s.dispatchPeek(T0, ip, u), i);
    assert.is(u.dstPort, 1000 + i);
    s.dispatchCommit();
  }
  assert.is(s.dispatchPeek(T0, ip, u), -1);
});

test("dispatchDrop: dequeues and records NoRoute for takeError", () => {
  const s = socket(0, 2);
  s.bind(LOCAL_PORT);
  const ip = new IpRepr();
  const u = new UdpRepr();
  assert.ok(s.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END));
  assert.ok(s.sendSlice(PAYLOAD, P_OFF, 2, REMOTE_END));
  assert.is(s.dispatchPeek(T0, ip, u), P_LEN);
  s.dispatchDrop(SocketErrorCode.NoRoute);
  assert.is(s.txDropped, 1);
  assert.is(s.sendQueue(), 1);
  assert.is(s.takeError(), SocketErrorCode.NoRoute);
  assert.is(s.takeError(), SocketErrorCode.None, "takeError clears");
  assert.is(s.dispatchPeek(T0, ip, u), 2, "the next datagram is still queued");
  s.dispatchCommit();
  s.dispatchDrop(SocketErrorCode.NoRoute);
  assert.is(s.txDropped, 1, "a drop with nothing queued changes nothing");
  assert.is(s.takeError(), SocketErrorCode.None);
});

test("pollDelay: now while a datagram is queued, else only on ingress", () => {
  const s = socket(1, 1);
  s.bind(LOCAL_PORT);
  assert.is(s.pollDelay(T0), POLL_INGRESS);
  assert.ok(s.process(T0, ip4(LOCAL4), udp(), PAYLOAD, P_OFF, P_LEN));
  assert.is(s.pollDelay(T0), POLL_INGRESS, "received data needs no poll");
  assert.ok(s.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END));
  assert.is(s.pollDelay(T0), POLL_NOW);
  assert.is(s.pollDelay((T0 + 5000) | 0), POLL_NOW, "across the wrap of the clock");
  s.dispatchPeek(T0, new IpRepr(), new UdpRepr());
  s.dispatchCommit();
  assert.is(s.pollDelay(T0), POLL_INGRESS);
});

test("send: too large for the buffer ever, or for an IP datagram", () => {
  const s = socket(0, 4); // 64 octets
  s.bind(LOCAL_END);
  const big = new Uint8Array(65);
  throwsCode(() => s.sendSlice(big, 0, 65, REMOTE_END), SocketErrorCode.TooLarge);
  throwsCode(() => s.sendBegin(65, REMOTE_END), SocketErrorCode.TooLarge);
  assert.is(s.sendQueue(), 0);
  assert.ok(s.sendSlice(big, 0, 64, REMOTE_END));
  // A datagram that fits the buffer but not the buffer's free room now is "full", not too large.
  assert.not.ok(s.sendSlice(big, 0, 1, REMOTE_END));
  assert.is(s.sendBegin(1, REMOTE_END), -1);

  const huge = new UdpSocket(0, 0, 1, 65600);
  huge.bind(LOCAL_PORT);
  throwsCode(() => huge.sendBegin(65508, REMOTE_END), SocketErrorCode.TooLarge, "65535 - 20 - 8 over IPv4");
  assert.ok(huge.sendBegin(65507, REMOTE_END) >= 0);
  huge.close();
  huge.bind(LOCAL_PORT);
  throwsCode(() => huge.sendBegin(65528, REMOTE_END6), SocketErrorCode.TooLarge, "65535 - 8 over IPv6");
  assert.ok(huge.sendBegin(65527, REMOTE_END6) >= 0);
});

test("send: full metadata ring or full payload ring", () => {
  const s = new UdpSocket(0, 0, 4, 16);
  s.bind(LOCAL_PORT);
  const ten = new Uint8Array(10);
  assert.ok(s.sendSlice(ten, 0, 10, REMOTE_END));
  assert.not.ok(s.sendSlice(ten, 0, 10, REMOTE_END), "no room in the payload ring");
  assert.ok(s.canSend(), "a metadata slot is still free");
  assert.ok(s.sendSlice(ten, 0, 6, REMOTE_END));
  assert.ok(s.sendSlice(ten, 0, 0, REMOTE_END), "an empty datagram needs only a slot");
  assert.ok(s.sendSlice(ten, 0, 0, REMOTE_END));
  assert.not.ok(s.canSend());
  assert.not.ok(s.sendSlice(ten, 0, 0, REMOTE_END));
  assert.is(s.sendQueue(), 4);
});

test("sendBegin: the application writes the payload in place", () => {
  const s = socket(0, 1);
  s.bind(LOCAL_PORT);
  const at = s.sendBegin(3, REMOTE_END);
  assert.ok(at >= 0);
  assert.is(s.sendQueue(), 1, "queued by sendBegin");
  s.txBytes()[at] = 0x78;
  s.txBytes()[at + 1] = 0x79;
  s.txBytes()[at + 2] = 0x7a;
  assert.is(s.sendBegin(1, REMOTE_END), -1, "full");
  const ip = new IpRepr();
  const u = new UdpRepr();
  assert.is(s.dispatchPeek(T0, ip, u), 3);
  const out = new Uint8Array(3);
  s.dispatchPayload(out, 0);
  assert.is(text(out, 0, 3), "xyz");
});

test("send: a range outside the source array is a BoundsError, nothing is queued", () => {
  const s = socket(0, 1);
  s.bind(LOCAL_PORT);
  assert.throws(() => s.sendSlice(PAYLOAD, 5, 6, REMOTE_END), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => s.sendSlice(PAYLOAD, -1, 2, REMOTE_END), (e: unknown) => e instanceof BoundsError);
  assert.is(s.sendQueue(), 0);
});

test("recv: process, then recv in place", () => {
  const s = socket(1, 0);
  s.bind(LOCAL_PORT);
  assert.not.ok(s.canRecv());
  assert.is(s.recv(), -1);
  assert.ok(s.accepts(ip4(LOCAL4), udp()));
  assert.ok(s.process(T0, ip4(LOCAL4), udp(), PAYLOAD, P_OFF, P_LEN));
  assert.ok(s.canRecv());
  assert.is(s.recvQueue(), 1);
  assert.ok(s.accepts(ip4(LOCAL4), udp()));
  assert.not.ok(s.process(T0, ip4(LOCAL4), udp(), PAYLOAD, P_OFF, P_LEN), "a full queue refuses");
  assert.is(s.rxDropped, 1);
  assert.is(s.rxPackets, 1);
  assert.is(s.recv(), P_LEN);
  assert.is(text(s.rxBytes(), s.recvOffset, P_LEN), "abcdef");
  assert.ok(s.lastRecvEndpoint.equals(REMOTE_END));
  assert.ok(s.lastRecvLocalAddr.equals(IpAddress.v4(LOCAL4)));
  assert.not.ok(s.canRecv());
  assert.is(s.recv(), -1);
});

test("peek: looks without dequeueing", () => {
  const s = socket(1, 0);
  s.bind(LOCAL_PORT);
  assert.is(s.peek(), -1);
  assert.ok(s.process(T0, ip4(LOCAL4), udp(), PAYLOAD, P_OFF, P_LEN));
  assert.is(s.peek(), P_LEN);
  assert.ok(s.lastRecvEndpoint.equals(REMOTE_END));
  assert.is(text(s.rxBytes(), s.recvOffset, P_LEN), "abcdef");
  assert.is(s.peek(), P_LEN, "still there");
  const dst = new Uint8Array(4);
  assert.is(s.peekSlice(dst, 0, 4), 4);
  assert.is(text(dst, 0, 4), "abcd");
  assert.is(s.recvQueue(), 1);
  assert.is(s.recv(), P_LEN);
  assert.is(s.peek(), -1);
  assert.is(s.peekSlice(dst, 0, 4), -1);
});

test("recvSlice: copies, truncates, discards the rest of the datagram", () => {
  const s = socket(2, 0);
  s.bind(LOCAL_PORT);
  assert.ok(s.process(T0, ip4(LOCAL4), udp(), PAYLOAD, P_OFF, P_LEN));
  assert.ok(s.process(T0, ip4(LOCAL4, 2, OTHER4), udp(LOCAL_PORT, 7), PAYLOAD, 0, 2));
  const dst = filled(8);
  assert.is(s.recvSlice(dst.bytes, 1, 4), 4);
  assert.is(text(dst.bytes, 1, 4), "abcd");
  assert.is(dst.bytes[0], 0xa5);
  assert.is(dst.bytes[5], 0xa5, "no octet past max is written");
  assert.ok(s.lastRecvEndpoint.equals(REMOTE_END));
  // "ef" is gone: the next call returns the next datagram.
  assert.is(s.recvSlice(dst.bytes, 0, 8), 2);
  assert.is(dst.bytes[0], 0xee);
  assert.ok(s.lastRecvEndpoint.addr.equals(IpAddress.v4(OTHER4)));
  assert.is(s.lastRecvEndpoint.port, 7);
  assert.is(s.recvSlice(dst.bytes, 0, 8), -1);
});

test("recvSlice: a destination range outside the array is a BoundsError, nothing is dequeued", () => {
  const s = socket(1, 0);
  s.bind(LOCAL_PORT);
  assert.ok(s.process(T0, ip4(LOCAL4), udp(), PAYLOAD, P_OFF, P_LEN));
  const dst = new Uint8Array(4);
  assert.throws(() => s.recvSlice(dst, 1, 4), (e: unknown) => e instanceof BoundsError);
  assert.is(s.recvQueue(), 1);
  assert.is(s.recvSlice(dst, 0, 4), 4);
});

test("process: too large for the buffer ever; never throws", () => {
  const s = socket(2, 0); // 32 octets
  s.bind(LOCAL_PORT);
  const big = new Uint8Array(33);
  assert.not.ok(s.process(T0, ip4(LOCAL4, 33), udp(), big, 0, 33));
  assert.is(s.rxTooLarge, 1);
  assert.is(s.rxDropped, 0);
  assert.not.ok(s.process(T0, ip4(LOCAL4, 33), udp(), big, 10, 30), "a range outside bytes is refused");
  assert.not.ok(s.process(T0, ip4(LOCAL4, 33), udp(), big, -1, 3));
  assert.is(s.recvQueue(), 0);
  assert.ok(s.process(T0, ip4(LOCAL4, 32), udp(), big, 0, 32));
});

test("process: an empty payload", () => {
  const s = new UdpSocket(1, 0, 0, 0);
  s.bind(LOCAL_PORT);
  assert.ok(s.process(T0, ip4(LOCAL4, 0), udp(), PAYLOAD, 0, 0));
  assert.is(s.recv(), 0);
  assert.ok(s.lastRecvEndpoint.equals(REMOTE_END));
});

test("accepts: the wrong port", () => {
  const s = socket(1, 0);
  assert.not.ok(s.accepts(ip4(LOCAL4), udp()), "an unbound socket accepts nothing");
  s.bind(LOCAL_PORT);
  assert.ok(s.accepts(ip4(LOCAL4), udp()));
  assert.not.ok(s.accepts(ip4(LOCAL4), udp(LOCAL_PORT + 1)));
});

test("accepts: a socket bound to an address takes only datagrams to it", () => {
  const portBound = socket(1, 0);
  portBound.bind(LOCAL_PORT);
  assert.ok(portBound.accepts(ip4(OTHER4), udp()));
  assert.ok(portBound.accepts(ip6(LOCAL6), udp()), "either version");
  const ipBound = socket(1, 0);
  ipBound.bind(LOCAL_END);
  assert.ok(ipBound.accepts(ip4(LOCAL4), udp()));
  assert.not.ok(ipBound.accepts(ip4(OTHER4), udp()));
  assert.not.ok(ipBound.accepts(ip4(-1), udp()), "no broadcast for an address-bound socket");
  assert.not.ok(ipBound.accepts(ip4(GROUP4), udp()), "no multicast for an address-bound socket");
  assert.not.ok(ipBound.accepts(ip6(LOCAL6), udp()), "not the other version");
});

test("multicast and broadcast: a port-bound socket takes them, and sees the destination", () => {
  const s = socket(4, 0);
  s.bind(5353);
  const mdns = udp(5353, 5353);
  assert.ok(s.accepts(ip4(GROUP4), mdns));
  assert.ok(s.process(T0, ip4(GROUP4), mdns, PAYLOAD, P_OFF, P_LEN));
  assert.ok(s.accepts(ip4(-1), mdns));
  assert.ok(s.process(T0, ip4(-1), mdns, PAYLOAD, P_OFF, P_LEN));
  assert.ok(s.accepts(ip6(GROUP6), mdns));
  assert.ok(s.process(T0, ip6(GROUP6), mdns, PAYLOAD, P_OFF, P_LEN));
  assert.ok(s.process(T0, ip4(LOCAL4), mdns, PAYLOAD, P_OFF, P_LEN));
  assert.is(s.recv(), P_LEN);
  assert.ok(s.lastRecvLocalAddr.isMulticast());
  assert.ok(s.lastRecvLocalAddr.equals(IpAddress.v4(GROUP4)));
  assert.is(s.recv(), P_LEN);
  assert.ok(s.lastRecvLocalAddr.isBroadcast());
  assert.is(s.recv(), P_LEN);
  assert.ok(s.lastRecvLocalAddr.equals(IpAddress.v6(GROUP6)));
  assert.ok(s.lastRecvEndpoint.equals(IpEndpoint.of(IpAddress.v6(REMOTE6), 5353)));
  assert.is(s.recv(), P_LEN);
  assert.ok(s.lastRecvLocalAddr.isUnicast());
});

test("multicast: a socket bound to a group takes that group only, and sends from an address the interface picks", () => {
  const s = socket(1, 1);
  s.bind(IpEndpoint.of(IpAddress.v4(GROUP4), 5353));
  assert.ok(s.accepts(ip4(GROUP4), udp(5353)));
  assert.not.ok(s.accepts(ip4(ipv4Parse("224.0.0.252")), udp(5353)));
  assert.not.ok(s.accepts(ip4(LOCAL4), udp(5353)));
  assert.ok(s.sendSlice(PAYLOAD, P_OFF, P_LEN, IpEndpoint.of(IpAddress.v4(GROUP4), 5353)));
  const ip = new IpRepr();
  assert.is(s.dispatchPeek(T0, ip, new UdpRepr()), P_LEN);
  assert.is(ip.srcAddr.version, IpVersion.Ipv4);
  assert.ok(ip.srcAddr.isUnspecified(), "RFC 1122 §3.2.1.3: never a multicast source");
  assert.ok(ip.dstAddr.equals(IpAddress.v4(GROUP4)));
});

test("IPv6 endpoints: send and receive", () => {
  const s = socket(1, 1);
  s.bind(LOCAL_END6);
  assert.ok(s.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END6));
  const ip = new IpRepr();
  const u = new UdpRepr();
  assert.is(s.dispatchPeek(T0, ip, u), P_LEN);
  assert.is(ip.version, IpVersion.Ipv6);
  assert.ok(ip.srcAddr.v6.equals(LOCAL6));
  assert.ok(ip.dstAddr.v6.equals(REMOTE6));
  assert.is(ip.payloadLen, 8 + P_LEN);
  assert.is(ip.nextHeader, IpProtocol.Udp);
  s.dispatchCommit();

  assert.ok(s.accepts(ip6(LOCAL6), udp()));
  assert.not.ok(s.accepts(ip6(REMOTE6), udp()));
  assert.not.ok(s.accepts(ip4(LOCAL4), udp()));
  assert.ok(s.process(T0, ip6(LOCAL6), udp(), PAYLOAD, P_OFF, P_LEN));
  const dst = new Uint8Array(16);
  assert.is(s.recvSlice(dst, 0, 16), P_LEN);
  assert.ok(s.lastRecvEndpoint.equals(REMOTE_END6));
  assert.ok(s.lastRecvLocalAddr.v6.equals(LOCAL6));
});

test("source address: unspecified of the remote's version for a socket bound to a port", () => {
  const s = socket(0, 2);
  s.bind(LOCAL_PORT);
  assert.ok(s.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END6));
  assert.ok(s.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END));
  const ip = new IpRepr();
  ip.setV4(OTHER4, OTHER4, 0, 0, 1); // stale values the socket must overwrite
  assert.is(s.dispatchPeek(T0, ip, new UdpRepr()), P_LEN);
  assert.is(ip.version, IpVersion.Ipv6);
  assert.is(ip.srcAddr.version, IpVersion.Ipv6);
  assert.ok(ip.srcAddr.isUnspecified());
  s.dispatchCommit();
  ip.srcAddr.setV6(LOCAL6);
  assert.is(s.dispatchPeek(T0, ip, new UdpRepr()), P_LEN);
  assert.is(ip.version, IpVersion.Ipv4);
  assert.is(ip.srcAddr.version, IpVersion.Ipv4);
  assert.is(ip.srcAddr.v4, 0);
});

test("hop limit: default, set, validated", () => {
  const s = socket(0, 2);
  s.bind(LOCAL_END);
  assert.is(s.hopLimit, null);
  s.hopLimit = 0x2a;
  assert.is(s.hopLimit, 0x2a);
  assert.ok(s.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END));
  const ip = new IpRepr();
  assert.is(s.dispatchPeek(T0, ip, new UdpRepr()), P_LEN);
  assert.is(ip.hopLimit, 0x2a);
  s.dispatchCommit();
  for (const bad of [256, -1, 1.5, NaN]) {
    assert.throws(() => { s.hopLimit = bad; }, (e: unknown) => e instanceof RangeError, "hop limit " + bad);
  }
  assert.is(s.hopLimit, 0x2a, "a refused value changes nothing");
  s.hopLimit = 255;
  assert.is(s.hopLimit, 255);
  s.hopLimit = 1;
  assert.is(s.hopLimit, 1);
  s.hopLimit = 0;
  assert.is(s.hopLimit, null, "0 restores the default");
  s.hopLimit = 7;
  s.hopLimit = null;
  assert.is(s.hopLimit, null);
  assert.ok(s.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END));
  assert.is(s.dispatchPeek(T0, ip, new UdpRepr()), P_LEN);
  assert.is(ip.hopLimit, 0);
});

test("close: drops both queues", () => {
  const s = socket(1, 1);
  s.bind(LOCAL_PORT);
  assert.ok(s.process(T0, ip4(LOCAL4), udp(), PAYLOAD, P_OFF, P_LEN));
  assert.ok(s.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END));
  s.close();
  assert.not.ok(s.canRecv());
  assert.is(s.sendQueue(), 0);
  assert.is(s.pollDelay(T0), POLL_INGRESS);
  assert.not.ok(s.accepts(ip4(LOCAL4), udp()));
  throwsCode(() => s.sendSlice(PAYLOAD, P_OFF, P_LEN, REMOTE_END), SocketErrorCode.NotBound);
});

test("arena: datagrams stay whole across the wrap of the payload rings", () => {
  const arena = new Arena(200);
  const frameOff = arena.reserve(40);
  for (let i = 0; i < 40; i++) arena.bytes[frameOff + i] = i;
  const s = new UdpSocket(3, 48, 3, 48, arena);
  assert.is(s.rxBytes(), arena.bytes);
  assert.is(s.txBytes(), arena.bytes);
  s.bind(LOCAL_PORT);
  const ip = new IpRepr();
  const u = new UdpRepr();
  const out = new Uint8Array(16);
  const lenOf = (round: number) => 7 + (round % 5) * 2; // 7..15: the rings wrap at different places
  // One datagram stays queued each way, so the rings never empty (and never reset to 0).
  assert.ok(s.sendSlice(arena.bytes, frameOff, lenOf(0), REMOTE_END));
  assert.ok(s.process(T0, ip4(LOCAL4, lenOf(0)), udp(), arena.bytes, frameOff, lenOf(0)));
  for (let round = 1; round < 30; round++) {
    const len = lenOf(round);
    assert.ok(s.sendSlice(arena.bytes, frameOff + round % 20, len, REMOTE_END), "send " + round);
    assert.ok(s.process(T0, ip4(LOCAL4, len), udp(), arena.bytes, frameOff + round % 20, len), "process " + round);
    const prev = round - 1;
    assert.is(s.dispatchPeek(T0, ip, u), lenOf(prev));
    s.dispatchPayload(out, 0);
    for (let i = 0; i < lenOf(prev); i++) assert.is(out[i], (prev % 20) + i, "sent octet " + i + " of round " + prev);
    s.dispatchCommit();
    assert.is(s.recvSlice(out, 0, 16), lenOf(prev));
    for (let i = 0; i < lenOf(prev); i++) assert.is(out[i], (prev % 20) + i, "received octet " + i + " of round " + prev);
  }
});

test.run();
