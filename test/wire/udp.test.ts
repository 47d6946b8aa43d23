import { test } from "uvu";
import * as assert from "uvu/assert";
import { WireError } from "../../src/wire/error.js";
import { Checksum, ChecksumCapabilities, checksumPseudoV4, checksumPseudoV6 } from "../../src/wire/checksum.js";
import { IpProtocol, Ipv6Address, ipv4Parse } from "../../src/wire/ip.js";
import { UDP_HEADER_LEN, UdpPacket, UdpRepr } from "../../src/wire/udp.js";
import { filled, toHex, view } from "../support/bytes.js";

// Fixtures. The first three are real datagrams sent by Linux 6.x over a veth pair with transmit
// checksum offload off (so the checksums on the wire are final), captured with tcpdump; tshark
// reports every checksum "correct" (the zero one "not present").

// 10.0.0.1 -> 10.0.0.2: a glibc resolver's DNS query for "example.com" A (RFC 1035 §4.1).
const DNS_QUERY = new Uint8Array([
  0xc2, 0xd9, 0x00, 0x35, //             source port 49881, destination port 53
  0x00, 0x25, 0x5e, 0x3c, //             length 37, checksum
  0xfa, 0xe8, 0x01, 0x00, //             DNS: id, flags (RD)
  0x00, 0x01, 0x00, 0x00, //             QDCOUNT 1, ANCOUNT 0
  0x00, 0x00, 0x00, 0x00, //             NSCOUNT 0, ARCOUNT 0
  0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, // "example"
  0x03, 0x63, 0x6f, 0x6d, 0x00, //       "com", root
  0x00, 0x01, 0x00, 0x01, //             QTYPE A, QCLASS IN
]);

// fd00::1 -> fd00::2: "hello, world\n" from port 5353 to port 7 (echo).
const V6_DATAGRAM = new Uint8Array([
  0x14, 0xe9, 0x00, 0x07, //             source port 5353, destination port 7
  0x00, 0x15, 0xa6, 0x83, //             length 21, checksum
  0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x2c, 0x20, 0x77, 0x6f, 0x72, 0x6c, 0x64, 0x0a, // "hello, world\n"
]);

// 10.0.0.1 -> 10.0.0.2: "no checksum" sent from a socket with SO_NO_CHECK: checksum field 0.
const NO_CHECKSUM = new Uint8Array([
  0x04, 0xd2, 0x00, 0x09, //             source port 1234, destination port 9 (discard)
  0x00, 0x13, 0x00, 0x00, //             length 19, checksum 0: none (RFC 768)
  0x6e, 0x6f, 0x20, 0x63, 0x68, 0x65, 0x63, 0x6b, 0x73, 0x75, 0x6d, // "no checksum"
]);

// 10.0.0.1 -> 10.0.0.2, built from the RFC 768 diagram: the two data octets are chosen so that
// the computed checksum is 0, which is sent as 0xffff. tshark: "0xffff [correct]".
const ALL_ONES = new Uint8Array([
  0x04, 0xd2, 0x00, 0x09, //             source port 1234, destination port 9
  0x00, 0x0a, 0xff, 0xff, //             length 10, checksum: computed 0, sent as all ones
  0xe6, 0xfc, //                         data
]);

const V4_SRC = ipv4Parse("10.0.0.1");
const V4_DST = ipv4Parse("10.0.0.2");
const V6_SRC = Ipv6Address.parse("fd00::1");
const V6_DST = Ipv6Address.parse("fd00::2");
const pseudo4 = (len: number) => checksumPseudoV4(V4_SRC, V4_DST, IpProtocol.Udp, len);
const pseudo6 = (len: number) => checksumPseudoV6(V6_SRC, V6_DST, IpProtocol.Udp, len);

const BOTH = new ChecksumCapabilities();
function caps(c: Checksum): ChecksumCapabilities {
  const k = new ChecksumCapabilities();
  k.udp = c;
  return k;
}

function packetOf(src: Uint8Array, len = src.length): UdpPacket {
  const v = view(src);
  return new UdpPacket(v.bytes, v.dv, 0, len);
}

test("deconstruct", () => {
  const p = packetOf(DNS_QUERY);
  assert.is(p.check(), WireError.Ok);
  assert.is(p.srcPort(), 49881);
  assert.is(p.dstPort(), 53);
  assert.is(p.length(), 37);
  assert.is(p.checksum(), 0x5e3c);
  assert.is(p.payloadOffset(), 8);
  assert.is(p.payloadLen(), 29);
  assert.ok(p.verifyChecksum(pseudo4(37)));
  const q = packetOf(V6_DATAGRAM);
  assert.is(q.check(), WireError.Ok);
  assert.is(q.srcPort(), 5353);
  assert.is(q.dstPort(), 7);
  assert.is(q.length(), 21);
  assert.is(q.payloadLen(), 13);
  assert.ok(q.verifyChecksum(pseudo6(21)));
});

test("deconstruct at an offset", () => {
  const buf = filled(DNS_QUERY.length + 6);
  buf.bytes.set(DNS_QUERY, 6);
  const p = new UdpPacket(buf.bytes, buf.dv, 6, DNS_QUERY.length);
  assert.is(p.check(), WireError.Ok);
  assert.is(p.dstPort(), 53);
  assert.is(p.payloadOffset(), 14);
  assert.ok(p.verifyChecksum(pseudo4(37)));
});

test("construct into a 0xa5-filled buffer", () => {
  const cases: [Uint8Array, number][] = [
    [DNS_QUERY, pseudo4(DNS_QUERY.length)],
    [V6_DATAGRAM, pseudo6(V6_DATAGRAM.length)],
    [ALL_ONES, pseudo4(ALL_ONES.length)],
  ];
  for (const [fixture, pseudo] of cases) {
    const b = filled(fixture.length);
    const p = new UdpPacket(b.bytes, b.dv);
    p.setSrcPort((fixture[0] << 8) | fixture[1]);
    p.setDstPort((fixture[2] << 8) | fixture[3]);
    p.setLength(fixture.length);
    b.bytes.set(fixture.subarray(8), p.payloadOffset());
    p.fillChecksum(pseudo);
    assert.equal(b.bytes, fixture, toHex(fixture));
  }
});

test("parse", () => {
  const repr = new UdpRepr();
  assert.is(repr.parse(packetOf(DNS_QUERY), pseudo4(37), false, BOTH), WireError.Ok);
  assert.is(repr.srcPort, 49881);
  assert.is(repr.dstPort, 53);
  assert.is(repr.payloadOffset, 8);
  assert.is(repr.payloadLen, 29);
  assert.is(repr.toString(), "UDP src=49881 dst=53 len=29");
  assert.is(repr.parse(packetOf(V6_DATAGRAM), pseudo6(21), true, BOTH), WireError.Ok);
  assert.is(repr.srcPort, 5353);
  assert.is(repr.dstPort, 7);
  assert.is(repr.payloadLen, 13);
  assert.is(repr.parse(packetOf(ALL_ONES), pseudo4(10), false, BOTH), WireError.Ok);
  assert.is(repr.payloadLen, 2);
});

test("emit", () => {
  const cases: [Uint8Array, number][] = [
    [DNS_QUERY, pseudo4(DNS_QUERY.length)],
    [V6_DATAGRAM, pseudo6(V6_DATAGRAM.length)],
    [ALL_ONES, pseudo4(ALL_ONES.length)],
  ];
  for (const [fixture, pseudo] of cases) {
    const repr = new UdpRepr();
    repr.srcPort = (fixture[0] << 8) | fixture[1];
    repr.dstPort = (fixture[2] << 8) | fixture[3];
    const payloadLen = fixture.length - UDP_HEADER_LEN;
    assert.is(repr.headerLen(), 8);
    assert.is(repr.bufferLen(payloadLen), fixture.length);
    // One spare octet: emit must not touch it.
    const b = filled(fixture.length + 1);
    b.bytes.set(fixture.subarray(8), 8);
    repr.emit(new UdpPacket(b.bytes, b.dv), payloadLen, pseudo, BOTH);
    assert.equal(b.bytes.subarray(0, fixture.length), fixture, toHex(fixture));
    assert.is(b.bytes[fixture.length], 0xa5, "emit writes only the datagram");
  }
});

test("emit at an offset", () => {
  const repr = new UdpRepr();
  repr.srcPort = 49881;
  repr.dstPort = 53;
  const b = filled(50);
  b.bytes.set(DNS_QUERY.subarray(8), 12);
  repr.emit(new UdpPacket(b.bytes, b.dv, 4, 37), 29, pseudo4(37), BOTH);
  assert.equal(b.bytes.subarray(4, 41), DNS_QUERY);
  assert.is(b.bytes[3], 0xa5);
  assert.is(b.bytes[41], 0xa5);
});

test("emit -> parse round trips (IPv4 and IPv6, odd and even lengths)", () => {
  const repr = new UdpRepr();
  const back = new UdpRepr();
  const ports = [1, 53, 0x7fff, 0x8000, 0xffff];
  for (let i = 0; i < ports.length; i++) {
    for (const payloadLen of [0, 1, 2, 13, 512, 1472]) {
      for (const v6 of [false, true]) {
        repr.srcPort = ports[(i + 1) % ports.length];
        repr.dstPort = ports[i];
        const len = repr.bufferLen(payloadLen);
        const b = filled(len);
        for (let k = 0; k < payloadLen; k++) b.bytes[8 + k] = (k * 7 + i) & 0xff;
        const pseudo = v6 ? pseudo6(len) : pseudo4(len);
        const p = new UdpPacket(b.bytes, b.dv);
        repr.emit(p, payloadLen, pseudo, BOTH);
        const what = `ports ${repr.srcPort}->${repr.dstPort} len ${payloadLen} v6 ${v6}`;
        assert.is(back.parse(p, pseudo, v6, BOTH), WireError.Ok, what);
        assert.is(back.srcPort, repr.srcPort, what);
        assert.is(back.dstPort, repr.dstPort, what);
        assert.is(back.payloadOffset, 8, what);
        assert.is(back.payloadLen, payloadLen, what);
        assert.is.not(p.checksum(), 0, "a checksum is never sent as 0");
      }
    }
  }
});

test("impossible length: every truncated prefix of every fixture", () => {
  const repr = new UdpRepr();
  for (const fixture of [DNS_QUERY, V6_DATAGRAM, NO_CHECKSUM, ALL_ONES]) {
    for (let n = 0; n < fixture.length; n++) {
      const r = repr.parse(packetOf(fixture.subarray(0, n)), pseudo4(n), false, BOTH);
      assert.is(r, WireError.Truncated, toHex(fixture.subarray(0, 4)) + " cut to " + n);
    }
  }
});

test("impossible length: Length field below 8 or beyond the buffer", () => {
  const repr = new UdpRepr();
  for (let length = 0; length < 8; length++) {
    const b = view(DNS_QUERY);
    b.dv.setUint16(4, length);
    const p = new UdpPacket(b.bytes, b.dv);
    assert.is(p.check(), WireError.Malformed, "length " + length);
    assert.is(repr.parse(p, pseudo4(37), false, BOTH), WireError.Malformed, "length " + length);
  }
  for (const length of [38, 0xffff]) {
    const b = view(DNS_QUERY);
    b.dv.setUint16(4, length);
    const p = new UdpPacket(b.bytes, b.dv);
    assert.is(p.check(), WireError.Truncated, "length " + length);
    assert.is(repr.parse(p, pseudo4(37), false, BOTH), WireError.Truncated, "length " + length);
  }
  // A header alone (Length 8) is a valid empty datagram.
  const e = filled(8);
  const ep = new UdpPacket(e.bytes, e.dv);
  const er = new UdpRepr();
  er.srcPort = 1;
  er.dstPort = 2;
  er.emit(ep, 0, pseudo4(8), BOTH);
  assert.is(repr.parse(ep, pseudo4(8), false, BOTH), WireError.Ok);
  assert.is(repr.payloadLen, 0);
});

test("trailing octets after the datagram are ignored, checksum included", () => {
  const padded = new Uint8Array(DNS_QUERY.length + 3);
  padded.set(DNS_QUERY);
  padded.set([0xde, 0xad, 0xbe], DNS_QUERY.length);
  const p = packetOf(padded);
  assert.is(p.check(), WireError.Ok);
  assert.is(p.payloadLen(), 29);
  // The IP layer only knows its payload length (40): the sum is re-based on the Length field.
  assert.ok(p.verifyChecksum(pseudo4(40)));
  const repr = new UdpRepr();
  assert.is(repr.parse(p, pseudo4(40), false, BOTH), WireError.Ok);
  assert.is(repr.payloadLen, 29);
  // The same over IPv6 addresses (the IPv6 pseudo-header has a 32-bit length).
  const q6 = new Uint8Array(V6_DATAGRAM.length + 1);
  q6.set(V6_DATAGRAM);
  q6[V6_DATAGRAM.length] = 0xff;
  assert.is(repr.parse(packetOf(q6), pseudo6(22), true, BOTH), WireError.Ok);
  assert.is(repr.payloadLen, 13);
  // fillChecksum on a padded view covers only the datagram.
  const f = view(padded);
  f.dv.setUint16(6, 0x1234);
  new UdpPacket(f.bytes, f.dv).fillChecksum(pseudo4(40));
  assert.equal(f.bytes, padded);
});

test("ports: destination 0 is malformed, source 0 is allowed", () => {
  const repr = new UdpRepr();
  const src = new UdpRepr();
  src.srcPort = 1234;
  src.dstPort = 0;
  const b = filled(10);
  src.emit(new UdpPacket(b.bytes, b.dv), 2, pseudo4(10), BOTH);
  assert.is(repr.parse(new UdpPacket(b.bytes, b.dv), pseudo4(10), false, BOTH), WireError.Malformed);
  src.srcPort = 0;
  src.dstPort = 9;
  src.emit(new UdpPacket(b.bytes, b.dv), 2, pseudo4(10), BOTH);
  assert.is(repr.parse(new UdpPacket(b.bytes, b.dv), pseudo4(10), false, BOTH), WireError.Ok);
  assert.is(repr.srcPort, 0);
});

test("checksum: a corrupted octet is detected over IPv4 and IPv6", () => {
  const repr = new UdpRepr();
  const cases: [Uint8Array, boolean][] = [[DNS_QUERY, false], [V6_DATAGRAM, true]];
  for (const [fixture, v6] of cases) {
    const pseudo = v6 ? pseudo6(fixture.length) : pseudo4(fixture.length);
    for (let i = 0; i < fixture.length; i++) {
      const b = view(fixture);
      b.bytes[i] ^= 0x01;
      const p = new UdpPacket(b.bytes, b.dv);
      // Octet 4 (Length, high) then claims more than the buffer: a length error, not a checksum one.
      const want = i === 4 ? WireError.Truncated : WireError.Checksum;
      assert.is(repr.parse(p, pseudo, v6, BOTH), want, "octet " + i);
      if (i !== 4) assert.not.ok(p.verifyChecksum(pseudo), "octet " + i);
    }
  }
  // The wrong pseudo-header: a different address or the other IP version.
  assert.is(repr.parse(packetOf(DNS_QUERY), checksumPseudoV4(V4_SRC, ipv4Parse("10.0.0.3"), IpProtocol.Udp, 37), false, BOTH), WireError.Checksum);
  assert.is(repr.parse(packetOf(V6_DATAGRAM), pseudo4(21), true, BOTH), WireError.Checksum);
  assert.is(repr.parse(packetOf(DNS_QUERY), checksumPseudoV4(V4_SRC, V4_DST, IpProtocol.Tcp, 37), false, BOTH), WireError.Checksum);
});

test("checksum: zero means none over IPv4, and is refused over IPv6 (RFC 8200 §8.1)", () => {
  const repr = new UdpRepr();
  assert.not.ok(packetOf(NO_CHECKSUM).verifyChecksum(pseudo4(19)), "the arithmetic alone fails");
  assert.is(repr.parse(packetOf(NO_CHECKSUM), pseudo4(19), false, BOTH), WireError.Ok);
  assert.is(repr.payloadLen, 11);
  assert.is(repr.parse(packetOf(NO_CHECKSUM), pseudo6(19), true, BOTH), WireError.Checksum);
  const z = view(V6_DATAGRAM);
  z.dv.setUint16(6, 0);
  assert.is(repr.parse(new UdpPacket(z.bytes, z.dv), pseudo6(21), true, BOTH), WireError.Checksum);
  assert.is(repr.parse(new UdpPacket(z.bytes, z.dv), pseudo6(21), true, caps(Checksum.Rx)), WireError.Checksum);
  // Without software verification the device's verdict stands.
  assert.is(repr.parse(new UdpPacket(z.bytes, z.dv), pseudo6(21), true, caps(Checksum.Tx)), WireError.Ok);
  assert.is(repr.parse(new UdpPacket(z.bytes, z.dv), pseudo6(21), true, caps(Checksum.None)), WireError.Ok);
});

test("checksum: a computed zero is sent as 0xffff (RFC 768)", () => {
  const repr = new UdpRepr();
  repr.srcPort = 1234;
  repr.dstPort = 9;
  const b = filled(10);
  b.bytes.set([0xe6, 0xfc], 8);
  repr.emit(new UdpPacket(b.bytes, b.dv), 2, pseudo4(10), BOTH);
  assert.is(b.dv.getUint16(6), 0xffff);
  const v = view(ALL_ONES);
  v.dv.setUint16(6, 0);
  new UdpPacket(v.bytes, v.dv).fillChecksum(pseudo4(10));
  assert.is(v.dv.getUint16(6), 0xffff);
  assert.ok(new UdpPacket(v.bytes, v.dv).verifyChecksum(pseudo4(10)));
});

test("checksum capabilities: Both, Rx, Tx, None", () => {
  const repr = new UdpRepr();
  const bad = view(DNS_QUERY);
  bad.bytes[20] ^= 0x40;
  const expectRx: [Checksum, WireError][] = [
    [Checksum.Both, WireError.Checksum],
    [Checksum.Rx, WireError.Checksum],
    [Checksum.Tx, WireError.Ok],
    [Checksum.None, WireError.Ok],
  ];
  for (const [c, want] of expectRx) {
    assert.is(repr.parse(new UdpPacket(bad.bytes, bad.dv), pseudo4(37), false, caps(c)), want, "rx under " + c);
  }
  const expectTx: [Checksum, number][] = [
    [Checksum.Both, 0x5e3c],
    [Checksum.Rx, 0],
    [Checksum.Tx, 0x5e3c],
    [Checksum.None, 0],
  ];
  for (const [c, want] of expectTx) {
    const out = filled(37);
    out.bytes.set(DNS_QUERY.subarray(8), 8);
    repr.srcPort = 49881;
    repr.dstPort = 53;
    repr.emit(new UdpPacket(out.bytes, out.dv), 29, pseudo4(37), caps(c));
    assert.is(out.dv.getUint16(6), want, "tx under " + c);
  }
});

test.run();
