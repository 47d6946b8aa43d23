import { test } from "uvu";
import * as assert from "uvu/assert";
import { WireError } from "../../src/wire/error.js";
import { IpProtocol, Ipv6Address } from "../../src/wire/ip.js";
import { IPV6_HEADER_LEN, Ipv6Packet, Ipv6Repr } from "../../src/wire/ipv6.js";
import { filled, toHex, view } from "../support/bytes.js";

// An echo request from Linux `ping -6 -s 16 2001:db8:1::1` (captured on a veth pair; the
// Ethernet header is left out). The kernel labels the flow (RFC 6437), so the first word is not
// plain 0x60000000.
const ECHO_REQUEST = new Uint8Array([
  0x60, 0x03, 0x19, 0xc4, 0x00, 0x18, 0x3a, 0x40, // version 6, TC 0, flow 0x319c4; len 24, ICMPv6, hop limit 64
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // source 2001:db8:1::2
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // destination 2001:db8:1::1
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0x80, 0x00, 0x0a, 0xc7, 0x21, 0xab, 0x00, 0x01, // ICMPv6 echo request, id 0x21ab, seq 1
  0xfc, 0xcf, 0x06, 0x6b, 0x00, 0x00, 0x00, 0x00, // 16 octets of data (ping's timestamp)
  0xe8, 0x87, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

// A Neighbor Solicitation from Linux for 2001:db8:1::1 (flow label 0, hop limit 255, as RFC 4861
// wants), the header this stack's emit must reproduce exactly.
const NEIGHBOR_SOLICIT = new Uint8Array([
  0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, // version 6, TC 0, flow 0; len 32, ICMPv6, hop limit 255
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // source 2001:db8:1::2
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
  0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // destination ff02::1:ff00:1 (solicited-node)
  0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x01,
  0x87, 0x00, 0x97, 0x6a, 0x00, 0x00, 0x00, 0x00, // ICMPv6 neighbor solicitation
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // target 2001:db8:1::1
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0x01, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, // source link-layer address 52-54-00-12-34-56
]);

const A1 = Ipv6Address.parse("2001:db8:1::1");
const A2 = Ipv6Address.parse("2001:db8:1::2");

function packetOf(bytes: Uint8Array, len = bytes.length): Ipv6Packet {
  const v = view(bytes);
  return new Ipv6Packet(v.bytes, v.dv, 0, len);
}

test("deconstruct", () => {
  const p = packetOf(ECHO_REQUEST);
  assert.is(p.check(), WireError.Ok);
  assert.is(p.version(), 6);
  assert.is(p.trafficClass(), 0);
  assert.is(p.flowLabel(), 0x319c4);
  assert.is(p.payloadLen(), 24);
  assert.is(p.nextHeader(), IpProtocol.Icmpv6);
  assert.is(p.hopLimit(), 64);
  assert.ok(p.srcAddr(new Ipv6Address()).equals(A2));
  assert.ok(p.dstAddr(new Ipv6Address()).equals(A1));
  assert.is(p.headerLen(), 40);
  assert.is(p.totalLen(), 64);
  assert.is(p.payloadOffset(), 40);
});

test("deconstruct: traffic class and flow label do not bleed into each other", () => {
  const p = packetOf(new Uint8Array([0x6a, 0xbc, 0xde, 0xf1, 0, 0, 0, 0, ...new Uint8Array(32)]));
  assert.is(p.version(), 6);
  assert.is(p.trafficClass(), 0xab);
  assert.is(p.flowLabel(), 0xcdef1);
});

test("construct into a 0xa5-filled buffer", () => {
  const v = filled(ECHO_REQUEST.length);
  const p = new Ipv6Packet(v.bytes, v.dv);
  p.setVersion(6);
  p.setTrafficClass(0);
  p.setFlowLabel(0x319c4);
  p.setPayloadLen(24);
  p.setNextHeader(IpProtocol.Icmpv6);
  p.setHopLimit(64);
  p.setSrcAddr(A2);
  p.setDstAddr(A1);
  v.bytes.set(ECHO_REQUEST.subarray(40), p.payloadOffset());
  assert.equal(v.bytes, ECHO_REQUEST, toHex(v.bytes));
});

test("construct: setters touch only their own bits", () => {
  const v = filled(40);
  const p = new Ipv6Packet(v.bytes, v.dv);
  p.setFlowLabel(0);
  assert.equal([...v.bytes.subarray(0, 4)], [0xa5, 0xa0, 0x00, 0x00]);
  p.setTrafficClass(0x12);
  assert.equal([...v.bytes.subarray(0, 4)], [0xa1, 0x20, 0x00, 0x00]);
  p.setVersion(6);
  assert.equal([...v.bytes.subarray(0, 4)], [0x61, 0x20, 0x00, 0x00]);
  p.setFlowLabel(0xfffff);
  assert.equal([...v.bytes.subarray(0, 4)], [0x61, 0x2f, 0xff, 0xff]);
});

test("parse", () => {
  const repr = new Ipv6Repr();
  assert.is(repr.parse(packetOf(ECHO_REQUEST)), WireError.Ok);
  assert.ok(repr.srcAddr.equals(A2));
  assert.ok(repr.dstAddr.equals(A1));
  assert.is(repr.nextHeader, IpProtocol.Icmpv6);
  assert.is(repr.payloadLen, 24);
  assert.is(repr.hopLimit, 64);
  assert.is(repr.headerLen(), 40);
  assert.is(repr.bufferLen(), 64);
  assert.is(repr.toString(), "IPv6 src=2001:db8:1::2 dst=2001:db8:1::1 nxt=ICMPv6 hop_limit=64 len=24");
});

test("emit: exact bytes of a real header, payload untouched", () => {
  const repr = new Ipv6Repr().set(A2, Ipv6Address.parse("ff02::1:ff00:1"), IpProtocol.Icmpv6, 32, 255);
  const v = filled(NEIGHBOR_SOLICIT.length);
  repr.emit(new Ipv6Packet(v.bytes, v.dv));
  assert.equal(v.bytes.subarray(0, IPV6_HEADER_LEN), NEIGHBOR_SOLICIT.subarray(0, IPV6_HEADER_LEN), toHex(v.bytes));
  for (let i = IPV6_HEADER_LEN; i < v.bytes.length; i++) assert.is(v.bytes[i], 0xa5, "emit wrote payload octet " + i);
});

test("emit at an offset, then parse round-trip", () => {
  const repr = new Ipv6Repr().set(A1, A2, IpProtocol.Udp, 8, 17);
  const v = filled(14 + 48);
  const p = new Ipv6Packet(v.bytes, v.dv, 14, 48);
  repr.emit(p);
  assert.is(v.bytes[13], 0xa5, "nothing before the offset");
  const back = new Ipv6Repr();
  assert.is(back.parse(p), WireError.Ok);
  assert.ok(back.srcAddr.equals(A1));
  assert.ok(back.dstAddr.equals(A2));
  assert.is(back.nextHeader, IpProtocol.Udp);
  assert.is(back.payloadLen, 8);
  assert.is(back.hopLimit, 17);
  assert.is(p.trafficClass(), 0);
  assert.is(p.flowLabel(), 0);
  const copy = new Ipv6Repr().copyFrom(back);
  assert.is(copy.toString(), back.toString());
  assert.ok(copy.srcAddr !== back.srcAddr, "copyFrom copies, it does not share");
});

test("trailing link padding is allowed and measured by Payload Length", () => {
  const padded = new Uint8Array(ECHO_REQUEST.length + 6);
  padded.set(ECHO_REQUEST);
  const p = packetOf(padded);
  assert.is(p.check(), WireError.Ok);
  assert.is(p.totalLen(), 64);
  const repr = new Ipv6Repr();
  assert.is(repr.parse(p), WireError.Ok);
  assert.is(repr.payloadLen, 24);
});

test("impossible length: every truncated prefix", () => {
  const repr = new Ipv6Repr();
  for (const fixture of [ECHO_REQUEST, NEIGHBOR_SOLICIT]) {
    for (let n = 0; n < fixture.length; n++) {
      assert.is(repr.parse(packetOf(fixture, n)), WireError.Truncated, "length " + n);
    }
    assert.is(repr.parse(packetOf(fixture)), WireError.Ok);
  }
});

test("impossible length: Payload Length beyond the buffer", () => {
  const b = ECHO_REQUEST.slice();
  b[4] = 0xff;
  b[5] = 0xff;
  assert.is(packetOf(b).check(), WireError.Truncated);
  assert.is(new Ipv6Repr().parse(packetOf(b)), WireError.Truncated);
  b[4] = 0;
  b[5] = 25;
  assert.is(new Ipv6Repr().parse(packetOf(b)), WireError.Truncated, "one octet too many");
});

test("version other than 6 is Malformed", () => {
  for (const ver of [0, 4, 5, 7, 15]) {
    const b = ECHO_REQUEST.slice();
    b[0] = (ver << 4) | (b[0] & 0x0f);
    assert.is(new Ipv6Repr().parse(packetOf(b)), WireError.Malformed, "version " + ver);
    assert.is(new Ipv6Repr().parseQuoted(packetOf(b)), WireError.Malformed, "quoted, version " + ver);
  }
});

test("jumbograms (RFC 2675) are Unsupported", () => {
  // Payload Length 0 and a Hop-by-Hop header holding a Jumbo Payload option (0xc2) of 65536.
  const jumbo = new Uint8Array(40 + 8 + 8);
  jumbo.set(ECHO_REQUEST.subarray(0, 40));
  jumbo[4] = 0;
  jumbo[5] = 0;
  jumbo[6] = IpProtocol.HopByHop;
  jumbo.set([IpProtocol.Icmpv6, 0, 0xc2, 4, 0x00, 0x01, 0x00, 0x00], 40);
  assert.is(new Ipv6Repr().parse(packetOf(jumbo)), WireError.Unsupported);
  // Payload Length 0 with anything else is an ordinary empty packet.
  jumbo[6] = IpProtocol.Ipv6NoNxt;
  assert.is(new Ipv6Repr().parse(packetOf(jumbo)), WireError.Ok);
});

test("parseQuoted needs only the fixed header", () => {
  const repr = new Ipv6Repr();
  const p = packetOf(ECHO_REQUEST, 40);
  assert.is(p.check(), WireError.Truncated);
  assert.is(p.checkHeader(), WireError.Ok);
  assert.is(repr.parseQuoted(p), WireError.Ok);
  assert.is(repr.payloadLen, 24, "the original Payload Length, not what was quoted");
  assert.ok(repr.dstAddr.equals(A1));
  for (let n = 0; n < 40; n++) assert.is(repr.parseQuoted(packetOf(ECHO_REQUEST, n)), WireError.Truncated, "length " + n);
});

test("parse never throws on random bytes", () => {
  const repr = new Ipv6Repr();
  let seed = 0x2545f491;
  for (let i = 0; i < 2000; i++) {
    const n = i % 80;
    const b = new Uint8Array(n);
    for (let j = 0; j < n; j++) {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      b[j] = seed >>> 24;
    }
    if (n > 0 && i % 2 === 0) b[0] = 0x60;
    const err = repr.parse(packetOf(b));
    assert.ok(err >= WireError.Ok && err <= WireError.Unsupported);
  }
});

test.run();
