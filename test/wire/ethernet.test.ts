import { test } from "uvu";
import * as assert from "uvu/assert";
import { WireError } from "../../src/wire/error.js";
import {
  ETHERNET_BROADCAST,
  ETHERNET_HEADER_LEN,
  EthernetAddress,
  EthernetFrame,
  EthernetRepr,
  EtherType,
} from "../../src/wire/ethernet.js";
import { Ipv6Address, ipv4Parse } from "../../src/wire/ip.js";
import { view } from "../support/bytes.js";

// An Ethernet II header followed by a 4-octet payload (after smoltcp's wire/ethernet.rs).
const FRAME_BYTES = new Uint8Array([
  0x01, 0x02, 0x03, 0x04, 0x05, 0x06, // destination
  0x11, 0x12, 0x13, 0x14, 0x15, 0x16, // source
  0x08, 0x00, //                         EtherType: IPv4
  0xaa, 0x00, 0x00, 0xff, //             payload
]);

test("deconstruct", () => {
  const v = view(FRAME_BYTES);
  const f = new EthernetFrame(v.bytes, v.dv);
  assert.is(f.check(), WireError.Ok);
  assert.is(f.dstAddr(new EthernetAddress()).toString(), "01-02-03-04-05-06");
  assert.is(f.srcAddr(new EthernetAddress()).toString(), "11-12-13-14-15-16");
  assert.is(f.etherType(), EtherType.Ipv4);
  assert.is(f.payloadOffset(), 14);
  assert.is(f.payloadLen(), 4);
});

test("construct into a 0xa5-filled buffer", () => {
  const v = view(new Uint8Array(18).fill(0xa5));
  const f = new EthernetFrame(v.bytes, v.dv);
  f.setDstAddr(EthernetAddress.fromOctets(1, 2, 3, 4, 5, 6));
  f.setSrcAddr(EthernetAddress.fromOctets(0x11, 0x12, 0x13, 0x14, 0x15, 0x16));
  f.setEtherType(EtherType.Ipv4);
  v.bytes.set([0xaa, 0x00, 0x00, 0xff], f.payloadOffset());
  assert.equal(v.bytes, FRAME_BYTES);
});

test("parse and emit round-trip", () => {
  const v = view(FRAME_BYTES);
  const repr = new EthernetRepr();
  assert.is(repr.parse(new EthernetFrame(v.bytes, v.dv)), WireError.Ok);
  assert.is(repr.etherType, EtherType.Ipv4);
  assert.is(repr.toString(), "EthernetII src=11-12-13-14-15-16 dst=01-02-03-04-05-06 type=IPv4");
  const out = view(new Uint8Array(18).fill(0xa5));
  repr.emit(new EthernetFrame(out.bytes, out.dv));
  assert.equal(out.bytes.subarray(0, ETHERNET_HEADER_LEN), FRAME_BYTES.subarray(0, ETHERNET_HEADER_LEN));
  assert.is(out.bytes[14], 0xa5, "emit writes only the header");
  assert.is(repr.bufferLen(4), 18);
});

test("impossible length: every truncated prefix", () => {
  for (let n = 0; n < ETHERNET_HEADER_LEN; n++) {
    const v = view(FRAME_BYTES.slice(0, n));
    assert.is(new EthernetRepr().parse(new EthernetFrame(v.bytes, v.dv, 0, n)), WireError.Truncated, "length " + n);
  }
  const v = view(FRAME_BYTES.slice(0, 14));
  assert.is(new EthernetRepr().parse(new EthernetFrame(v.bytes, v.dv)), WireError.Ok, "an empty payload is fine");
});

test("address classification", () => {
  assert.ok(ETHERNET_BROADCAST.isBroadcast());
  assert.ok(ETHERNET_BROADCAST.isMulticast());
  const a = EthernetAddress.parse("02-00-00-00-00-01");
  assert.ok(a.isUnicast());
  assert.ok(a.isLocal());
  assert.not.ok(a.isMulticast());
  assert.is(EthernetAddress.parse("02:00:00:00:00:02").toString(), "02-00-00-00-00-02");
  assert.throws(() => EthernetAddress.parse("02-00-00-00-00"), /invalid Ethernet address/);
  assert.throws(() => EthernetAddress.parse("02-00:00-00-00-00"), /invalid Ethernet address/);
  assert.throws(() => EthernetAddress.parse("zz-00-00-00-00-00"), /invalid Ethernet address/);
});

test("multicast mapping (RFC 1112 §6.4, RFC 2464 §7)", () => {
  const m = new EthernetAddress();
  assert.is(m.setIpv4Multicast(ipv4Parse("224.0.0.251")).toString(), "01-00-5e-00-00-fb");
  // Only the low 23 bits of the group survive.
  assert.is(m.setIpv4Multicast(ipv4Parse("239.255.255.250")).toString(), "01-00-5e-7f-ff-fa");
  assert.ok(m.isMulticast());
  assert.is(m.setIpv6Multicast(Ipv6Address.parse("ff02::1:ff00:1")).toString(), "33-33-ff-00-00-01");
  assert.is(m.setIpv6Multicast(Ipv6Address.parse("ff02::1")).toString(), "33-33-00-00-00-01");
});

test.run();
