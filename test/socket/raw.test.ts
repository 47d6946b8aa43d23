// The raw socket without an interface, as smoltcp's socket/raw.rs tests it: whole IP packets in,
// whole IP packets out, with the checks on dispatch driven by hand.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RawSocket } from "../../src/socket/raw.js";
import { SocketError, SocketErrorCode } from "../../src/socket/error.js";
import { POLL_INGRESS, POLL_NOW } from "../../src/socket/meta.js";
import { SocketKind } from "../../src/socket/set.js";
import { IpProtocol, IpVersion, Ipv6Address, ipv4Parse } from "../../src/wire/ip.js";
import { IpRepr } from "../../src/wire/ip-repr.js";
import { checksumData } from "../../src/wire/checksum.js";
import { BoundsError } from "../../src/storage/arena.js";
import { filled, toHex, view } from "../support/bytes.js";

const T0 = (0x7fffffff - 3000) | 0;

/** An experimental protocol number, as smoltcp's tests use ("any local network", RFC 790). */
const PROTO = 63;

// 10.0.0.1 -> 10.0.0.2, protocol 63, four octets of payload. Header checksum computed by hand
// (RFC 1071) over the header with the field zeroed: 0x26a5.
const PACKET4 = new Uint8Array([
  0x45, 0x00, 0x00, 0x18, //             version 4, IHL 5, DSCP/ECN 0, total length 24
  0x00, 0x00, 0x40, 0x00, //             identification 0, DF, offset 0
  0x40, 0x3f, 0x26, 0xa5, //             TTL 64, protocol 63, checksum
  0x0a, 0x00, 0x00, 0x01, //             source 10.0.0.1
  0x0a, 0x00, 0x00, 0x02, //             destination 10.0.0.2
  0xaa, 0x00, 0x00, 0xff, //             payload
]);

// The same with four octets of options (IHL 6): NOP, NOP, NOP, End of Option List (RFC 791).
const PACKET4_OPTIONS = new Uint8Array([
  0x46, 0x00, 0x00, 0x1c, //             version 4, IHL 6, total length 28
  0x00, 0x00, 0x40, 0x00, //             identification 0, DF
  0x40, 0x3f, 0x23, 0xa0, //             TTL 64, protocol 63, checksum (options included)
  0x0a, 0x00, 0x00, 0x01, //             source 10.0.0.1
  0x0a, 0x00, 0x00, 0x02, //             destination 10.0.0.2
  0x01, 0x01, 0x01, 0x00, //             options: NOP NOP NOP EOL
  0xaa, 0x00, 0x00, 0xff, //             payload
]);

// fe80::1 -> fe80::2, next header 63, hop limit 64, four octets of payload.
const PACKET6 = new Uint8Array([
  0x60, 0x00, 0x00, 0x00, //             version 6, traffic class 0, flow label 0
  0x00, 0x04, 0x3f, 0x40, //             payload length 4, next header 63, hop limit 64
  0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // fe80::1
  0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, // fe80::2
  0xaa, 0x00, 0x00, 0xff, //             payload
]);

const SRC4 = ipv4Parse("10.0.0.1");
const DST4 = ipv4Parse("10.0.0.2");
const SRC6 = Ipv6Address.parse("fe80::1");
const DST6 = Ipv6Address.parse("fe80::2");

/** smoltcp's `buffer(n)`: n packets of up to 48 octets. */
function socket4(rx: number, tx: number): RawSocket {
  return new RawSocket(IpVersion.Ipv4, PROTO, rx, 48 * rx, tx, 48 * tx);
}

function socket6(rx: number, tx: number): RawSocket {
  return new RawSocket(IpVersion.Ipv6, PROTO, rx, 48 * rx, tx, 48 * tx);
}

/** The IP repr the interface would make of PACKET4 / PACKET6. */
function repr4(protocol = PROTO): IpRepr {
  return new IpRepr().setV4(SRC4, DST4, protocol, 4, 64);
}

function repr6(protocol = PROTO): IpRepr {
  return new IpRepr().setV6(SRC6, DST6, protocol, 4, 64);
}

function throwsCode(fn: () => unknown, code: SocketErrorCode): void {
  assert.throws(fn, (e: unknown) => e instanceof SocketError && e.code === code);
}

/** The octets of the packet the socket would send now (dispatchPayload into a fresh array). */
function dispatched(s: RawSocket, len: number): Uint8Array {
  const out = new Uint8Array(len);
  s.dispatchPayload(out, 0);
  return out;
}

/** A copy of `src` with `edit` applied. */
function edited(src: Uint8Array, edit: (b: Uint8Array, dv: DataView) => void): Uint8Array {
  const v = view(src);
  edit(v.bytes, v.dv);
  return v.bytes;
}

test("construction: version and protocol are checked", () => {
  const s = socket4(1, 1);
  assert.is(s.kind, SocketKind.Raw);
  assert.is(s.ipVersion, IpVersion.Ipv4);
  assert.is(s.protocol, PROTO);
  assert.is(s.payloadSendCapacity(), 48);
  assert.is(s.payloadRecvCapacity(), 48);
  assert.throws(() => new RawSocket(IpVersion.Unspecified, PROTO, 1, 48, 1, 48), (e: unknown) => e instanceof RangeError);
  assert.throws(() => new RawSocket(5 as IpVersion, PROTO, 1, 48, 1, 48), (e: unknown) => e instanceof RangeError);
  assert.throws(() => new RawSocket(IpVersion.Ipv4, 256, 1, 48, 1, 48), (e: unknown) => e instanceof RangeError);
  assert.throws(() => new RawSocket(IpVersion.Ipv6, -1, 1, 48, 1, 48), (e: unknown) => e instanceof RangeError);
});

test("accepts: version and protocol must both match", () => {
  const s4 = socket4(1, 0);
  assert.ok(s4.accepts(repr4()));
  assert.not.ok(s4.accepts(repr4(IpProtocol.Udp)));
  assert.not.ok(s4.accepts(repr6()), "same protocol, other version");
  const s6 = socket6(1, 0);
  assert.ok(s6.accepts(repr6()));
  assert.not.ok(s6.accepts(repr6(IpProtocol.Tcp)));
  assert.not.ok(s6.accepts(repr4()));
});

for (const [name, make, packet, repr] of [
  ["IPv4", socket4, PACKET4, repr4],
  ["IPv6", socket6, PACKET6, repr6],
] as const) {
  test(name + ": process queues the whole packet, header included", () => {
    const s = make(2, 0);
    assert.not.ok(s.canRecv());
    assert.is(s.recv(), -1);
    assert.ok(s.process(T0, repr(), packet, 0, packet.length));
    assert.ok(s.canRecv());
    assert.is(s.recvQueue(), 1);
    assert.is(s.peek(), packet.length);
    assert.is(toHex(s.rxBytes().slice(s.recvOffset, s.recvOffset + packet.length)), toHex(packet));
    const out = filled(packet.length + 2);
    assert.is(s.recvSlice(out.bytes, 1, packet.length + 1), packet.length);
    assert.is(toHex(out.bytes.slice(1, 1 + packet.length)), toHex(packet));
    assert.is(out.bytes[packet.length + 1], 0xa5);
    assert.is(s.recvSlice(out.bytes, 0, 4), -1);
    assert.is(s.rxPackets, 1);
  });

  test(name + ": recvSlice truncates to the slice, the rest is discarded", () => {
    const s = make(2, 0);
    assert.ok(s.process(T0, repr(), packet, 0, packet.length));
    assert.ok(s.process(T0, repr(), packet, 0, packet.length));
    const out = new Uint8Array(4);
    assert.is(s.recvSlice(out, 0, 4), 4);
    assert.is(toHex(out), toHex(packet.slice(0, 4)));
    assert.is(s.recvQueue(), 1, "one packet dequeued, not four octets");
    assert.is(s.peekSlice(out, 0, 4), 4);
    assert.is(s.recvQueue(), 1, "peekSlice does not dequeue");
    assert.is(s.recv(), packet.length);
    assert.is(s.recv(), -1);
  });

  test(name + ": process leaves out link padding after the stated length", () => {
    const s = make(1, 0);
    const padded = new Uint8Array(packet.length + 10);
    padded.set(packet);
    assert.ok(s.process(T0, repr(), padded, 0, padded.length));
    assert.is(s.recv(), packet.length);
  });

  test(name + ": process refuses, never throws: too large, queue full, bad range", () => {
    const s = new RawSocket(repr().version, PROTO, 1, packet.length, 0, 0);
    const big = new Uint8Array(packet.length + 1);
    big.set(packet);
    big[0] = packet[0]; // same version
    // A header that states a longer packet than the buffer holds: nothing to trim.
    const bigger = edited(big, (b, dv) => {
      if (repr().version === IpVersion.Ipv4) dv.setUint16(2, b.length);
      else dv.setUint16(4, b.length - 40);
    });
    assert.not.ok(s.process(T0, repr(), bigger, 0, bigger.length));
    assert.is(s.rxTooLarge, 1);
    assert.ok(s.process(T0, repr(), packet, 0, packet.length));
    assert.not.ok(s.process(T0, repr(), packet, 0, packet.length));
    assert.is(s.rxDropped, 1);
    assert.not.ok(s.process(T0, repr(), packet, 4, packet.length), "a range outside bytes");
    assert.is(s.recvQueue(), 1);
  });

  test(name + ": send dispatch: peek, payload, commit", () => {
    const s = make(0, 1);
    const ip = new IpRepr();
    assert.ok(s.canSend());
    assert.is(s.dispatchPeek(T0, ip), -1);
    assert.ok(s.sendSlice(packet, 0, packet.length));
    assert.not.ok(s.sendSlice(packet, 0, 0), "a full queue answers false");
    assert.not.ok(s.canSend());
    assert.is(s.pollDelay(T0), POLL_NOW);

    assert.is(s.dispatchPeek(T0, ip), packet.length);
    const want = repr();
    assert.is(ip.version, want.version);
    assert.ok(ip.srcAddr.equals(want.srcAddr));
    assert.ok(ip.dstAddr.equals(want.dstAddr));
    assert.is(ip.nextHeader, PROTO);
    assert.is(ip.payloadLen, 4);
    assert.is(ip.hopLimit, 64);
    assert.is(s.dispatchPeek(T0, new IpRepr()), packet.length, "peek again: the same packet");
    assert.is(toHex(dispatched(s, packet.length)), toHex(packet));
    assert.is(s.sendQueue(), 1);
    s.dispatchCommit();
    assert.ok(s.canSend());
    assert.is(s.txPackets, 1);
    assert.is(s.pollDelay(T0), POLL_INGRESS);
    assert.is(s.dispatchPeek(T0, ip), -1);
    assert.is(s.takeError(), SocketErrorCode.None);
  });

  test(name + ": sendBegin: the packet is written in place", () => {
    const s = make(0, 1);
    const at = s.sendBegin(packet.length);
    assert.ok(at >= 0);
    s.txBytes().set(packet, at);
    assert.is(s.sendBegin(1), -1, "full");
    assert.is(s.dispatchPeek(T0, new IpRepr()), packet.length);
    assert.is(toHex(dispatched(s, packet.length)), toHex(packet));
  });

  test(name + ": dispatchDrop records NoRoute", () => {
    const s = make(0, 2);
    assert.ok(s.sendSlice(packet, 0, packet.length));
    assert.is(s.dispatchPeek(T0, new IpRepr()), packet.length);
    s.dispatchDrop(SocketErrorCode.NoRoute);
    assert.is(s.txDropped, 1);
    assert.is(s.sendQueue(), 0);
    assert.is(s.takeError(), SocketErrorCode.NoRoute);
    assert.is(s.takeError(), SocketErrorCode.None);
  });
}

test("send: too large for the buffer ever, or for an IP packet; bad ranges", () => {
  const s = socket4(0, 1);
  throwsCode(() => s.sendSlice(new Uint8Array(49), 0, 49), SocketErrorCode.TooLarge);
  throwsCode(() => s.sendBegin(49), SocketErrorCode.TooLarge);
  const huge = new RawSocket(IpVersion.Ipv4, PROTO, 0, 0, 1, 70000);
  throwsCode(() => huge.sendBegin(65536), SocketErrorCode.TooLarge);
  assert.ok(huge.sendBegin(65535) >= 0);
  assert.throws(() => s.sendSlice(PACKET4, 10, 20), (e: unknown) => e instanceof BoundsError);
  assert.is(s.sendQueue(), 0);
  assert.ok(s.sendSlice(new Uint8Array(48), 0, 48));
});

test("IPv4: the socket fills the header checksum, whatever was written there", () => {
  const s = socket4(0, 3);
  const zero = edited(PACKET4, (_b, dv) => dv.setUint16(10, 0));
  const wrong = edited(PACKET4, (_b, dv) => dv.setUint16(10, 0x1234));
  assert.ok(s.sendSlice(zero, 0, zero.length));
  assert.ok(s.sendSlice(wrong, 0, wrong.length));
  assert.ok(s.sendSlice(PACKET4_OPTIONS, 0, PACKET4_OPTIONS.length));
  for (const want of [PACKET4, PACKET4]) {
    assert.is(s.dispatchPeek(T0, new IpRepr()), want.length);
    const out = dispatched(s, want.length);
    assert.is(toHex(out), toHex(want));
    assert.is(checksumData(new DataView(out.buffer), 0, 20), 0xffff);
    s.dispatchCommit();
  }
  // Options: covered by the checksum, and not part of the payload length.
  const ip = new IpRepr();
  assert.is(s.dispatchPeek(T0, ip), 28);
  assert.is(ip.payloadLen, 4);
  assert.is(toHex(dispatched(s, 28)), toHex(PACKET4_OPTIONS));
  assert.is(s.txMalformed, 0);
});

test("IPv4: an unspecified source address is sent as written", () => {
  const s = socket4(0, 1);
  const dhcp = edited(PACKET4, (_b, dv) => {
    dv.setInt32(12, 0);
    dv.setInt32(16, -1);
  });
  assert.ok(s.sendSlice(dhcp, 0, dhcp.length));
  const ip = new IpRepr();
  assert.is(s.dispatchPeek(T0, ip), 24);
  assert.is(ip.srcAddr.version, IpVersion.Ipv4);
  assert.ok(ip.srcAddr.isUnspecified());
  assert.ok(ip.dstAddr.isBroadcast());
  const out = dispatched(s, 24);
  assert.is(new DataView(out.buffer).getInt32(12), 0);
  assert.is(checksumData(new DataView(out.buffer), 0, 20), 0xffff);
});

/** Malformed IPv4 packets, each with what is wrong. */
const BAD4: [string, Uint8Array][] = [
  ["version 6", edited(PACKET4, (b) => { b[0] = 0x65; })],
  ["protocol UDP", edited(PACKET4, (b) => { b[9] = IpProtocol.Udp; })],
  ["total length shorter than the packet", edited(PACKET4, (_b, dv) => dv.setUint16(2, 23))],
  ["total length longer than the packet", edited(PACKET4, (_b, dv) => dv.setUint16(2, 25))],
  ["IHL 4", edited(PACKET4, (b) => { b[0] = 0x44; })],
  ["IHL 7, longer than the packet", edited(PACKET4, (b) => { b[0] = 0x47; })],
  ["TTL 0 (RFC 1122 §3.2.1.7)", edited(PACKET4, (b) => { b[8] = 0; })],
  ["truncated header", PACKET4.slice(0, 19)],
  ["empty", new Uint8Array(0)],
];

test("IPv4: a malformed packet is dropped on dispatch, counted, and reported", () => {
  for (const [what, bad] of BAD4) {
    const s = socket4(0, 2);
    assert.ok(s.sendSlice(bad, 0, bad.length), what);
    assert.ok(s.sendSlice(PACKET4, 0, PACKET4.length), what);
    const ip = new IpRepr();
    assert.is(s.dispatchPeek(T0, ip), PACKET4.length, what + ": the good packet after it");
    assert.is(s.txMalformed, 1, what);
    assert.is(s.takeError(), SocketErrorCode.Malformed, what);
    assert.is(toHex(dispatched(s, PACKET4.length)), toHex(PACKET4), what);
    s.dispatchCommit();
    assert.ok(s.sendSlice(bad, 0, bad.length), what);
    assert.is(s.dispatchPeek(T0, ip), -1, what + ": alone");
    assert.is(s.sendQueue(), 0, what);
    assert.is(s.pollDelay(T0), POLL_INGRESS, what);
  }
});

const BAD6: [string, Uint8Array][] = [
  ["version 4", edited(PACKET6, (b) => { b[0] = 0x40; })],
  ["next header TCP", edited(PACKET6, (b) => { b[6] = IpProtocol.Tcp; })],
  ["payload length shorter than the packet", edited(PACKET6, (_b, dv) => dv.setUint16(4, 3))],
  ["payload length longer than the packet", edited(PACKET6, (_b, dv) => dv.setUint16(4, 5))],
  ["hop limit 0", edited(PACKET6, (b) => { b[7] = 0; })],
  ["truncated header", PACKET6.slice(0, 39)],
  ["an IPv4 packet", PACKET4],
];

test("IPv6: a malformed packet is dropped on dispatch, counted, and reported", () => {
  for (const [what, bad] of BAD6) {
    const s = socket6(0, 2);
    assert.ok(s.sendSlice(bad, 0, bad.length), what);
    assert.ok(s.sendSlice(PACKET6, 0, PACKET6.length), what);
    const ip = new IpRepr();
    assert.is(s.dispatchPeek(T0, ip), PACKET6.length, what + ": the good packet after it");
    assert.ok(ip.dstAddr.v6.equals(DST6), what);
    assert.is(s.txMalformed, 1, what);
    assert.is(s.takeError(), SocketErrorCode.Malformed, what);
    s.dispatchCommit();
    assert.ok(s.sendSlice(bad, 0, bad.length), what);
    assert.is(s.dispatchPeek(T0, ip), -1, what + ": alone");
    assert.is(s.sendQueue(), 0, what);
  }
});

test("IPv4 socket: an IPv6 packet is malformed", () => {
  const s = socket4(0, 1);
  assert.ok(s.sendSlice(PACKET6, 0, 44));
  assert.is(s.dispatchPeek(T0, new IpRepr()), -1);
  assert.is(s.takeError(), SocketErrorCode.Malformed);
});

test.run();
