import { test } from "uvu";
import * as assert from "uvu/assert";
import { WireError } from "../../src/wire/error.js";
import { Checksum, ChecksumCapabilities } from "../../src/wire/checksum.js";
import { IpProtocol, ipv4Parse } from "../../src/wire/ip.js";
import { IPV4_HEADER_LEN, Ipv4Packet, Ipv4Repr } from "../../src/wire/ipv4.js";
import { filled, toHex, view } from "../support/bytes.js";
import { LINUX_FRAMES } from "../fixtures/linux.js";

// smoltcp's wire/ipv4.rs PACKET_BYTES: a fragment (DF and MF set, offset 0x203 * 8) with a
// 10-octet payload.
const FRAGMENT_BYTES = new Uint8Array([
  0x45, 0x00, 0x00, 0x1e, // version 4, IHL 5, DSCP 0, ECN 0, total length 30
  0x01, 0x02, 0x62, 0x03, // identification 0x0102, flags DF|MF, fragment offset 0x203
  0x1a, 0x01, 0xd5, 0x6e, // TTL 26, protocol ICMP, checksum 0xd56e
  0x11, 0x12, 0x13, 0x14, // source 17.18.19.20
  0x21, 0x22, 0x23, 0x24, // destination 33.34.35.36
  0xaa, 0x00, 0x00, 0x00, // payload
  0x00, 0x00, 0x00, 0x00,
  0x00, 0xff,
]);

// smoltcp's wire/ipv4.rs REPR_PACKET_BYTES: what Ipv4Repr::emit writes (DF, TTL 64, id 0).
const REPR_BYTES = new Uint8Array([
  0x45, 0x00, 0x00, 0x18, // version 4, IHL 5, total length 24
  0x00, 0x00, 0x40, 0x00, // identification 0, DF
  0x40, 0x01, 0xd2, 0x79, // TTL 64, protocol ICMP, checksum 0xd279
  0x11, 0x12, 0x13, 0x14, // source 17.18.19.20
  0x21, 0x22, 0x23, 0x24, // destination 33.34.35.36
  0xaa, 0x00, 0x00, 0xff, // payload
]);

// The IPv4 header of a Linux ping (echo request, 64 octets of ICMP), checked with tshark.
const PING_HEADER = new Uint8Array([
  0x45, 0x00, 0x00, 0x54, // IHL 5, total length 84
  0x1c, 0x46, 0x40, 0x00, // identification 0x1c46, DF
  0x40, 0x01, 0x12, 0xad, // TTL 64, protocol ICMP, checksum 0x12ad
  0xc0, 0xa8, 0x45, 0x64, // source 192.168.69.100
  0xc0, 0xa8, 0x45, 0x01, // destination 192.168.69.1
]);

// An IGMPv2 report as Linux sends it: IHL 6 for the Router Alert option (RFC 2113), DSCP CS6
// (tos 0xc0), TTL 1. Checked with tshark.
const OPTIONS_BYTES = new Uint8Array([
  0x46, 0xc0, 0x00, 0x20, // IHL 6, tos 0xc0 (DSCP 48, ECN 0), total length 32
  0x00, 0x00, 0x40, 0x00, // identification 0, DF
  0x01, 0x02, 0xfd, 0x0f, // TTL 1, protocol IGMP, checksum 0xfd0f
  0xc0, 0xa8, 0x45, 0x64, // source 192.168.69.100
  0xe0, 0x00, 0x00, 0xfb, // destination 224.0.0.251
  0x94, 0x04, 0x00, 0x00, // option: Router Alert, length 4, value 0
  0x16, 0x00, 0x09, 0x04, // payload: IGMPv2 report for 224.0.0.251
  0xe0, 0x00, 0x00, 0xfb,
]);

// An IGMPv1 query (a 28-octet datagram) as it arrives in a minimum Ethernet frame: 18 octets of
// padding follow the total length.
const PADDED_BYTES = new Uint8Array([
  0x45, 0x00, 0x00, 0x1c, // IHL 5, total length 28
  0x00, 0x00, 0x40, 0x00, // identification 0, DF
  0x01, 0x02, 0x94, 0x35, // TTL 1, protocol IGMP, checksum 0x9435
  0xc0, 0xa8, 0x45, 0x01, // source 192.168.69.1
  0xe0, 0x00, 0x00, 0x01, // destination 224.0.0.1
  0x11, 0x00, 0xee, 0xff, // payload: IGMPv1 general query
  0x00, 0x00, 0x00, 0x00,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // Ethernet padding
]);

// A header whose checksum is 0x0000: the other words sum to 0xffff (identification chosen so).
const ZERO_CHECKSUM_BYTES = new Uint8Array([
  0x45, 0x00, 0x00, 0x18, // IHL 5, total length 24
  0xd2, 0x79, 0x40, 0x00, // identification 0xd279, DF
  0x40, 0x01, 0x00, 0x00, // TTL 64, protocol ICMP, checksum 0x0000
  0x11, 0x12, 0x13, 0x14, // source 17.18.19.20
  0x21, 0x22, 0x23, 0x24, // destination 33.34.35.36
  0xaa, 0x00, 0x00, 0xff, // payload
]);

const CAPS = new ChecksumCapabilities();

function caps(c: Checksum): ChecksumCapabilities {
  const k = new ChecksumCapabilities();
  k.ipv4 = c;
  return k;
}

function packetOf(bytes: Uint8Array | number[], len?: number): Ipv4Packet {
  const v = view(bytes);
  return new Ipv4Packet(v.bytes, v.dv, 0, len ?? v.bytes.length);
}

function parse(bytes: Uint8Array | number[], c = CAPS): { err: WireError; repr: Ipv4Repr } {
  const repr = new Ipv4Repr();
  return { err: repr.parse(packetOf(bytes), c), repr };
}

test("deconstruct", () => {
  const p = packetOf(FRAGMENT_BYTES);
  assert.is(p.check(), WireError.Ok);
  assert.is(p.version(), 4);
  assert.is(p.headerLen(), 20);
  assert.is(p.dscp(), 0);
  assert.is(p.ecn(), 0);
  assert.is(p.totalLen(), 30);
  assert.is(p.ident(), 0x102);
  assert.is(p.moreFrags(), true);
  assert.is(p.dontFrag(), true);
  assert.is(p.fragOffset(), 0x203 * 8);
  assert.is(p.ttl(), 0x1a);
  assert.is(p.protocol(), IpProtocol.Icmp);
  assert.is(p.checksum(), 0xd56e);
  assert.is(p.srcAddr(), ipv4Parse("17.18.19.20"));
  assert.is(p.dstAddr(), ipv4Parse("33.34.35.36"));
  assert.is(p.verifyChecksum(), true);
  assert.is(p.payloadOffset(), 20);
  assert.is(p.payloadLen(), 10);
});

test("deconstruct: options, DSCP and ECN", () => {
  const p = packetOf(OPTIONS_BYTES);
  assert.is(p.check(), WireError.Ok);
  assert.is(p.headerLen(), 24);
  assert.is(p.dscp(), 48);
  assert.is(p.ecn(), 0);
  assert.is(p.dontFrag(), true);
  assert.is(p.moreFrags(), false);
  assert.is(p.fragOffset(), 0);
  assert.is(p.ttl(), 1);
  assert.is(p.protocol(), IpProtocol.Igmp);
  assert.is(p.dstAddr(), ipv4Parse("224.0.0.251"));
  assert.is(p.verifyChecksum(), true, "the checksum covers the options");
  assert.is(p.payloadOffset(), 24);
  assert.is(p.payloadLen(), 8);
  const e = packetOf([0x45, 0x03, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.is(e.dscp(), 0);
  assert.is(e.ecn(), 3);
});

test("deconstruct: a view at an offset inside a larger buffer", () => {
  const big = filled(FRAGMENT_BYTES.length + 7);
  big.bytes.set(FRAGMENT_BYTES, 5);
  const p = new Ipv4Packet(big.bytes, big.dv, 5, FRAGMENT_BYTES.length);
  assert.is(p.check(), WireError.Ok);
  assert.is(p.verifyChecksum(), true);
  assert.is(p.srcAddr(), ipv4Parse("17.18.19.20"));
  assert.is(p.payloadOffset(), 25);
  assert.is(p.payloadLen(), 10);
});

test("construct into a 0xa5-filled buffer", () => {
  const b = filled(30);
  const p = new Ipv4Packet(b.bytes, b.dv);
  p.setVersion(4);
  p.setHeaderLen(20);
  p.clearFlags();
  p.setDscp(0);
  p.setEcn(0);
  p.setTotalLen(30);
  p.setIdent(0x102);
  p.setMoreFrags(true);
  p.setDontFrag(true);
  p.setFragOffset(0x203 * 8);
  p.setTtl(0x1a);
  p.setProtocol(IpProtocol.Icmp);
  p.setSrcAddr(ipv4Parse("17.18.19.20"));
  p.setDstAddr(ipv4Parse("33.34.35.36"));
  p.fillChecksum();
  b.bytes.set(FRAGMENT_BYTES.subarray(20), p.payloadOffset());
  assert.is(toHex(b.bytes), toHex(FRAGMENT_BYTES));
});

test("construct: options, DSCP, flags cleared", () => {
  const b = filled(32);
  const p = new Ipv4Packet(b.bytes, b.dv);
  p.setVersion(4);
  p.setHeaderLen(24);
  p.setDscp(48);
  p.setEcn(0);
  p.setTotalLen(32);
  p.setIdent(0);
  p.setFragOffset(0);
  p.clearFlags();
  p.setDontFrag(true);
  p.setTtl(1);
  p.setProtocol(IpProtocol.Igmp);
  p.setSrcAddr(ipv4Parse("192.168.69.100"));
  p.setDstAddr(ipv4Parse("224.0.0.251"));
  b.bytes.set([0x94, 0x04, 0x00, 0x00], 20);
  p.fillChecksum();
  b.bytes.set(OPTIONS_BYTES.subarray(24), p.payloadOffset());
  assert.is(toHex(b.bytes), toHex(OPTIONS_BYTES));
  // Setters keep the neighbouring bits.
  p.setMoreFrags(true);
  p.setFragOffset(8 * 0x1fff);
  assert.is(p.dontFrag(), true);
  assert.is(p.moreFrags(), true);
  assert.is(p.fragOffset(), 8 * 0x1fff);
  p.setDontFrag(false);
  p.setMoreFrags(false);
  assert.is(p.fragOffset(), 8 * 0x1fff);
  assert.is(p.dontFrag(), false);
  p.setEcn(2);
  assert.is(p.dscp(), 48);
  p.setVersion(6);
  assert.is(p.headerLen(), 24);
  assert.is(p.version(), 6);
});

test("parse", () => {
  const { err, repr } = parse(REPR_BYTES);
  assert.is(err, WireError.Ok);
  assert.is(repr.srcAddr, ipv4Parse("17.18.19.20"));
  assert.is(repr.dstAddr, ipv4Parse("33.34.35.36"));
  assert.is(repr.nextHeader, IpProtocol.Icmp);
  assert.is(repr.payloadLen, 4);
  assert.is(repr.hopLimit, 64);
  assert.is(repr.ident, 0);
  assert.is(repr.dontFragment, true);
  assert.is(repr.moreFragments, false);
  assert.is(repr.fragmentOffset, 0);
  assert.is(repr.isFragment(), false);
  assert.is(repr.toString(), "IPv4 src=17.18.19.20 dst=33.34.35.36 proto=ICMP ttl=64 len=4 df");
});

test("parse: a fragment parses and says so", () => {
  const { err, repr } = parse(FRAGMENT_BYTES);
  assert.is(err, WireError.Ok);
  assert.is(repr.isFragment(), true);
  assert.is(repr.moreFragments, true);
  assert.is(repr.fragmentOffset, 0x203 * 8);
  assert.is(repr.ident, 0x102);
  assert.is(repr.hopLimit, 0x1a);
  assert.is(repr.payloadLen, 10);
  assert.is(repr.toString(), "IPv4 src=17.18.19.20 dst=33.34.35.36 proto=ICMP ttl=26 len=10 df id=258 off=4120 mf");
  // The last fragment: MF clear, offset non-zero.
  const last = view(FRAGMENT_BYTES);
  const p = new Ipv4Packet(last.bytes, last.dv);
  p.setMoreFrags(false);
  p.fillChecksum();
  const r = new Ipv4Repr();
  assert.is(r.parse(p, CAPS), WireError.Ok);
  assert.is(r.moreFragments, false);
  assert.is(r.isFragment(), true);
  // The first fragment: MF set, offset 0.
  p.setMoreFrags(true);
  p.setFragOffset(0);
  p.fillChecksum();
  assert.is(r.parse(p, CAPS), WireError.Ok);
  assert.is(r.fragmentOffset, 0);
  assert.is(r.isFragment(), true);
});

test("parse: options are skipped", () => {
  const { err, repr } = parse(OPTIONS_BYTES);
  assert.is(err, WireError.Ok);
  assert.is(repr.payloadLen, 8, "total length minus the 24-octet header");
  assert.is(repr.nextHeader, IpProtocol.Igmp);
  assert.is(repr.hopLimit, 1);
  assert.is(repr.srcAddr, ipv4Parse("192.168.69.100"));
  assert.is(repr.dstAddr, ipv4Parse("224.0.0.251"));
});

test("parse: Ethernet padding after the total length is not payload", () => {
  const p = packetOf(PADDED_BYTES);
  assert.is(p.check(), WireError.Ok);
  assert.is(p.payloadLen(), 8);
  const r = new Ipv4Repr();
  assert.is(r.parse(p, CAPS), WireError.Ok);
  assert.is(r.payloadLen, 8);
  assert.is(r.srcAddr, ipv4Parse("192.168.69.1"));
  assert.is(r.dstAddr, ipv4Parse("224.0.0.1"));
});

test("parse: a version other than 4 is malformed (RFC 1122 §3.2.1.1)", () => {
  for (const version of [0, 5, 6, 15]) {
    const v = view(REPR_BYTES);
    const p = new Ipv4Packet(v.bytes, v.dv);
    p.setVersion(version);
    p.fillChecksum();
    assert.is(p.verifyChecksum(), true);
    assert.is(new Ipv4Repr().parse(p, CAPS), WireError.Malformed, "version " + version);
  }
});

test("emit", () => {
  const repr = new Ipv4Repr().set(ipv4Parse("17.18.19.20"), ipv4Parse("33.34.35.36"), IpProtocol.Icmp, 4, 64);
  assert.is(repr.headerLen(), 20);
  assert.is(repr.bufferLen(), 24);
  const b = filled(repr.bufferLen());
  repr.emit(new Ipv4Packet(b.bytes, b.dv), CAPS);
  assert.is(toHex(b.bytes.subarray(20)), "a5 a5 a5 a5", "emit writes only the header");
  b.bytes.set([0xaa, 0x00, 0x00, 0xff], 20);
  assert.is(toHex(b.bytes), toHex(REPR_BYTES));
});

test("emit: identification and DF from the repr", () => {
  const repr = new Ipv4Repr().set(ipv4Parse("192.168.69.100"), ipv4Parse("192.168.69.1"), IpProtocol.Icmp, 64, 64);
  repr.ident = 0x1c46;
  const b = filled(20);
  repr.emit(new Ipv4Packet(b.bytes, b.dv), CAPS);
  assert.is(toHex(b.bytes), toHex(PING_HEADER));
  // DF clear: the ICMP error header of the port-unreachable fixture (checked with tshark).
  repr.set(ipv4Parse("192.168.69.1"), ipv4Parse("192.168.69.100"), IpProtocol.Icmp, 36, 64);
  repr.ident = 0x7a11;
  repr.dontFragment = false;
  repr.emit(new Ipv4Packet(b.bytes, b.dv), CAPS);
  assert.is(toHex(b.bytes), "45 00 00 38 7a 11 00 00 40 01 f4 fd c0 a8 45 01 c0 a8 45 64");
});

test("emit: fragment facts of a parsed repr are not emitted", () => {
  const { repr } = parse(FRAGMENT_BYTES);
  const b = filled(30);
  repr.emit(new Ipv4Packet(b.bytes, b.dv), CAPS);
  const p = new Ipv4Packet(b.bytes, b.dv);
  assert.is(p.moreFrags(), false);
  assert.is(p.fragOffset(), 0);
  assert.is(p.dontFrag(), true);
  assert.is(p.ident(), 0x102);
  assert.is(p.totalLen(), 30);
  assert.is(p.verifyChecksum(), true);
});

test("emit then parse round-trip", () => {
  for (const fixture of [REPR_BYTES, PING_HEADER, OPTIONS_BYTES, PADDED_BYTES, ZERO_CHECKSUM_BYTES]) {
    const first = new Ipv4Repr();
    const p = packetOf(fixture);
    // The ping header alone claims 84 octets: give it room.
    if (p.len < p.totalLen()) {
      const v = view(new Uint8Array(p.totalLen()));
      v.bytes.set(fixture);
      p.reset(v.bytes, v.dv, 0, v.bytes.length);
    }
    assert.is(first.parse(p, CAPS), WireError.Ok, toHex(fixture));
    const b = filled(first.bufferLen());
    first.emit(new Ipv4Packet(b.bytes, b.dv), CAPS);
    const second = new Ipv4Repr();
    assert.is(second.parse(new Ipv4Packet(b.bytes, b.dv), CAPS), WireError.Ok);
    assert.equal(second, first);
    if (p.headerLen() === 20 && p.dscp() === 0) {
      assert.is(toHex(b.bytes.subarray(0, 20)), toHex(fixture.subarray(0, 20)), "same header bytes");
    }
  }
  // Every field combination the repr can emit.
  const r = new Ipv4Repr();
  for (const df of [false, true]) {
    for (const ttl of [0, 1, 255]) {
      r.set(-1, 0, 0xff, 65515, ttl);
      r.dontFragment = df;
      r.ident = 0xffff;
      const b = filled(20);
      r.emit(new Ipv4Packet(b.bytes, b.dv), CAPS);
      const q = new Ipv4Repr();
      // The buffer holds only the header: checkHeader-level parse.
      assert.is(q.parseQuoted(new Ipv4Packet(b.bytes, b.dv)), WireError.Ok);
      assert.equal(q, r);
    }
  }
});

test("copyFrom and set", () => {
  const { repr } = parse(FRAGMENT_BYTES);
  const c = new Ipv4Repr().copyFrom(repr);
  assert.equal(c, repr);
  c.set(1, 2, IpProtocol.Udp, 8, 3);
  assert.is(c.isFragment(), false);
  assert.is(c.ident, 0);
  assert.is(c.dontFragment, true);
  assert.is(c.srcAddr, 1);
  assert.is(c.dstAddr, 2);
  assert.is(c.nextHeader, IpProtocol.Udp);
  assert.is(c.payloadLen, 8);
  assert.is(c.hopLimit, 3);
});

test("impossible length: every truncated prefix of every fixture", () => {
  for (const fixture of [FRAGMENT_BYTES, REPR_BYTES, OPTIONS_BYTES, PADDED_BYTES, ZERO_CHECKSUM_BYTES]) {
    const total = (fixture[2] << 8) | fixture[3];
    for (let n = 0; n < total; n++) {
      const p = packetOf(fixture.slice(0, n));
      assert.is.not(p.check(), WireError.Ok, toHex(fixture) + " length " + n);
      assert.is(new Ipv4Repr().parse(p, CAPS), WireError.Truncated, "length " + n);
    }
  }
  // The header alone, without the datagram its total length announces.
  assert.is(parse(PING_HEADER).err, WireError.Truncated);
});

test("impossible length: bad length fields", () => {
  const cases: [string, (p: Ipv4Packet) => void, WireError][] = [
    ["IHL 0", (p) => p.setHeaderLen(0), WireError.Malformed],
    ["IHL 4", (p) => p.setHeaderLen(16), WireError.Malformed],
    ["IHL 6 in a 24-octet buffer, total length 24: an empty payload", (p) => p.setHeaderLen(24), WireError.Ok],
    ["IHL 7 in a 24-octet buffer", (p) => p.setHeaderLen(28), WireError.Truncated],
    ["IHL 15 in a 24-octet buffer", (p) => p.setHeaderLen(60), WireError.Truncated],
    ["total length 0", (p) => p.setTotalLen(0), WireError.Malformed],
    ["total length 19", (p) => p.setTotalLen(19), WireError.Malformed],
    ["total length 20", (p) => p.setTotalLen(20), WireError.Ok],
    ["total length 25 > buffer", (p) => p.setTotalLen(25), WireError.Truncated],
    ["total length 65535 > buffer", (p) => p.setTotalLen(65535), WireError.Truncated],
  ];
  for (const [name, mutate, expected] of cases) {
    const v = view(REPR_BYTES);
    const p = new Ipv4Packet(v.bytes, v.dv);
    mutate(p);
    p.dv.setUint16(10, 0);
    // fillChecksum reads IHL: only fill when the header fits, so that the test is about lengths.
    if (p.headerLen() >= 20 && p.headerLen() <= 24) p.fillChecksum();
    assert.is(p.check(), expected, name);
    assert.is(new Ipv4Repr().parse(p, caps(Checksum.None)), expected, name);
  }
  // IHL 6 with total length 24: the header fits, the total length covers it, so only the
  // payload is empty.
  const v = view(REPR_BYTES);
  const p = new Ipv4Packet(v.bytes, v.dv);
  p.setHeaderLen(24);
  assert.is(p.payloadLen(), 0);
  // IHL 6, total length 22: total length below the header.
  p.setTotalLen(22);
  assert.is(p.check(), WireError.Malformed);
  // checkHeader (for quoted headers) accepts a total length beyond the buffer, nothing else.
  p.setHeaderLen(20);
  p.setTotalLen(1500);
  assert.is(p.check(), WireError.Truncated);
  assert.is(p.checkHeader(), WireError.Ok);
  p.setHeaderLen(16);
  assert.is(p.checkHeader(), WireError.Malformed);
  p.reset(v.bytes, v.dv, 0, 19);
  assert.is(p.checkHeader(), WireError.Truncated);
});

test("checksum: every corrupted header octet is detected", () => {
  for (const fixture of [REPR_BYTES, OPTIONS_BYTES, PING_HEADER]) {
    const len = fixture === PING_HEADER ? 20 : fixture.length;
    for (let i = 0; i < ((fixture[0] & 0x0f) << 2); i++) {
      const v = view(fixture);
      const p = new Ipv4Packet(v.bytes, v.dv, 0, len);
      v.bytes[i] ^= 0x01;
      assert.is(p.verifyChecksum(), false, "octet " + i);
      // Octets 0 and 2..3 change lengths or version before the checksum is looked at.
      if (fixture !== PING_HEADER && i !== 0 && i !== 2 && i !== 3) {
        assert.is(new Ipv4Repr().parse(p, CAPS), WireError.Checksum, "octet " + i);
      }
    }
  }
  // The payload is not covered.
  const v = view(REPR_BYTES);
  v.bytes[22] ^= 0xff;
  assert.is(new Ipv4Repr().parse(new Ipv4Packet(v.bytes, v.dv), CAPS), WireError.Ok);
});

test("checksum: capabilities", () => {
  const bad = view(REPR_BYTES);
  bad.bytes[15] ^= 0x40; // source address changed, checksum stale
  const p = new Ipv4Packet(bad.bytes, bad.dv);
  assert.is(new Ipv4Repr().parse(p, caps(Checksum.Both)), WireError.Checksum);
  assert.is(new Ipv4Repr().parse(p, caps(Checksum.Rx)), WireError.Checksum);
  assert.is(new Ipv4Repr().parse(p, caps(Checksum.Tx)), WireError.Ok);
  assert.is(new Ipv4Repr().parse(p, caps(Checksum.None)), WireError.Ok);
  assert.is(new Ipv4Repr().parse(p, ChecksumCapabilities.ignored()), WireError.Ok);

  const { repr } = parse(REPR_BYTES);
  for (const [c, filledIn] of [[Checksum.Both, true], [Checksum.Tx, true], [Checksum.Rx, false], [Checksum.None, false]] as const) {
    const b = filled(24);
    repr.emit(new Ipv4Packet(b.bytes, b.dv), caps(c));
    assert.is(b.dv.getUint16(10), filledIn ? 0xd279 : 0, "capability " + c);
  }
});

test("checksum: zero and 0xffff", () => {
  // A computed checksum of 0x0000 (the other words sum to 0xffff) verifies, and emit writes it
  // as 0x0000, not as its other one's complement form 0xffff.
  const p = packetOf(ZERO_CHECKSUM_BYTES);
  assert.is(p.checksum(), 0);
  assert.is(p.verifyChecksum(), true);
  const { err, repr } = parse(ZERO_CHECKSUM_BYTES);
  assert.is(err, WireError.Ok);
  assert.is(repr.ident, 0xd279);
  const b = filled(24);
  repr.emit(new Ipv4Packet(b.bytes, b.dv), CAPS);
  assert.is(b.dv.getUint16(10), 0x0000);
  const q = new Ipv4Packet(b.bytes, b.dv);
  q.fillChecksum();
  assert.is(q.checksum(), 0x0000);
  // 0xffff is the same sum (negative zero) and verifies too.
  q.setChecksum(0xffff);
  assert.is(q.verifyChecksum(), true);
  // A header that is all ones but for the version and lengths: sums wrap many times.
  const ones = view(new Uint8Array(60).fill(0xff));
  const o = new Ipv4Packet(ones.bytes, ones.dv);
  o.setVersion(4);
  o.setHeaderLen(20);
  o.setTotalLen(60);
  o.fillChecksum();
  assert.is(o.verifyChecksum(), true);
  assert.is(new Ipv4Repr().parse(o, CAPS), WireError.Ok);
});

test("parseQuoted: a quoted header needs only itself", () => {
  // The quoted header of the port-unreachable fixture: a 60-octet UDP datagram, quoted with 8 octets.
  const quote = new Uint8Array([
    0x45, 0x00, 0x00, 0x3c, 0x4d, 0x2b, 0x40, 0x00, 0x40, 0x11, 0xe1, 0xcf,
    0xc0, 0xa8, 0x45, 0x64, 0xc0, 0xa8, 0x45, 0x01,
    0xc3, 0x5b, 0x00, 0x35, 0x00, 0x28, 0x30, 0x57,
  ]);
  const p = packetOf(quote);
  assert.is(p.check(), WireError.Truncated);
  const r = new Ipv4Repr();
  assert.is(r.parseQuoted(p), WireError.Ok);
  assert.is(r.payloadLen, 40, "the original payload length, not what was quoted");
  assert.is(r.nextHeader, IpProtocol.Udp);
  assert.is(r.srcAddr, ipv4Parse("192.168.69.100"));
  assert.is(r.dstAddr, ipv4Parse("192.168.69.1"));
  assert.is(r.ident, 0x4d2b);
  // Its checksum is not verified; its version is.
  p.setTtl(3);
  assert.is(r.parseQuoted(p), WireError.Ok);
  p.setVersion(6);
  assert.is(r.parseQuoted(p), WireError.Malformed);
  for (let n = 0; n < IPV4_HEADER_LEN; n++) {
    assert.is(r.parseQuoted(packetOf(quote.slice(0, n))), WireError.Truncated, "length " + n);
  }
});

test("real Linux frames: every IPv4 header agrees with tshark and re-emits", () => {
  let seen = 0;
  for (const frame of LINUX_FRAMES) {
    if (frame.bytes[12] !== 0x08 || frame.bytes[13] !== 0x00) continue;
    seen++;
    const f = frame.fields;
    const first = (k: string) => f[k].split(",")[0];
    const v = view(frame.bytes);
    const p = new Ipv4Packet(v.bytes, v.dv, 14, v.bytes.length - 14);
    const r = new Ipv4Repr();
    assert.is(r.parse(p, CAPS), WireError.Ok, frame.name);
    assert.is(p.headerLen(), +first("ip.hdr_len"), frame.name + " ip.hdr_len");
    assert.is(p.totalLen(), +first("ip.len"), frame.name + " ip.len");
    assert.is((p.dscp() << 2) | p.ecn(), parseInt(first("ip.dsfield"), 16), frame.name + " ip.dsfield");
    assert.is(r.ident, parseInt(first("ip.id"), 16), frame.name + " ip.id");
    assert.is((r.dontFragment ? 2 : 0) | (r.moreFragments ? 1 : 0), parseInt(first("ip.flags"), 16), frame.name + " ip.flags");
    assert.is(r.fragmentOffset, +first("ip.frag_offset"), frame.name + " ip.frag_offset");
    assert.is(r.hopLimit, +first("ip.ttl"), frame.name + " ip.ttl");
    assert.is(r.nextHeader, +first("ip.proto"), frame.name + " ip.proto");
    assert.is(p.checksum(), parseInt(first("ip.checksum"), 16), frame.name + " ip.checksum");
    assert.is(r.srcAddr, ipv4Parse(first("ip.src")), frame.name + " ip.src");
    assert.is(r.dstAddr, ipv4Parse(first("ip.dst")), frame.name + " ip.dst");
    assert.is(r.payloadLen, p.totalLen() - p.headerLen());
    // Re-emit: identical when the kernel used no options and no DSCP; else the same meaning.
    const b = filled(20);
    r.emit(new Ipv4Packet(b.bytes, b.dv), CAPS);
    if (p.headerLen() === 20 && p.dscp() === 0 && p.ecn() === 0) {
      assert.is(toHex(b.bytes), toHex(frame.bytes.subarray(14, 34)), frame.name + " re-emitted");
    }
    const again = new Ipv4Repr();
    assert.is(again.parseQuoted(new Ipv4Packet(b.bytes, b.dv)), WireError.Ok);
    assert.equal(again, r, frame.name);
  }
  assert.ok(seen >= 10, "the capture holds IPv4 frames (" + seen + ")");
});

test.run();
