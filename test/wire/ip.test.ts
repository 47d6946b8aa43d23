import { test } from "uvu";
import * as assert from "uvu/assert";
import { AddressParseError } from "../../src/wire/error.js";
import {
  IPV4_BROADCAST,
  IPV4_MULTICAST_ALL_ROUTERS,
  IPV4_MULTICAST_ALL_SYSTEMS,
  IPV4_UNSPECIFIED,
  IPV6_LINK_LOCAL_ALL_NODES,
  IPV6_LINK_LOCAL_ALL_ROUTERS,
  IPV6_LOOPBACK,
  IPV6_UNSPECIFIED,
  IpProtocol,
  Ipv4Cidr,
  Ipv6Address,
  Ipv6Cidr,
  ipProtocolName,
  ipv4Format,
  ipv4FromOctets,
  ipv4IsBroadcast,
  ipv4IsLinkLocal,
  ipv4IsLoopback,
  ipv4IsMulticast,
  ipv4IsUnicast,
  ipv4IsUnspecified,
  ipv4Netmask,
  ipv4Parse,
} from "../../src/wire/ip.js";
import { filled, toHex, view } from "../support/bytes.js";

// ---------------------------------------------------------------------------------------------
// IPv4
// ---------------------------------------------------------------------------------------------

test("IPv4: parse and format", () => {
  assert.is(ipv4Parse("192.168.69.1"), 0xc0a84501 | 0);
  assert.ok(ipv4Parse("192.168.69.1") < 0, "int32, not an unsigned double");
  assert.is(ipv4Parse("0.0.0.0"), 0);
  assert.is(ipv4Parse("255.255.255.255"), -1);
  assert.is(ipv4Parse("127.255.255.255"), 0x7fffffff);
  assert.is(ipv4Parse("128.0.0.0"), 0x80000000 | 0);
  assert.is(ipv4Parse("1.2.3.4"), 0x01020304);
  assert.is(ipv4FromOctets(192, 168, 69, 1), ipv4Parse("192.168.69.1"));
  assert.is(ipv4FromOctets(255, 255, 255, 255), -1);
  assert.is(ipv4FromOctets(0x1ff, 0, 0, 0x100), ipv4Parse("255.0.0.0"), "octets are masked");
  for (const text of ["0.0.0.0", "255.255.255.255", "127.255.255.255", "128.0.0.0", "192.168.69.1", "10.0.0.254", "1.2.3.4"]) {
    assert.is(ipv4Format(ipv4Parse(text)), text);
  }
  assert.is(ipv4Format(0xc0a84501), "192.168.69.1", "an unsigned value formats the same");
});

test("IPv4: bad text throws AddressParseError", () => {
  for (const text of ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.256", "01.2.3.4", "1.2.3.04", "1.2.3.-4", " 1.2.3.4",
    "1.2.3.4 ", "1..3.4", "a.b.c.d", "1.2.3.4/24", "1e2.0.0.1", "0x1.2.3.4", "1000.1.1.1", "+1.2.3.4", "1.2.3.", ".1.2.3"]) {
    assert.throws(() => ipv4Parse(text), (e: unknown) => e instanceof AddressParseError && /invalid IPv4 address/.test((e as Error).message), JSON.stringify(text));
  }
});

test("IPv4: classification", () => {
  const rows: [string, boolean, boolean, boolean, boolean, boolean, boolean][] = [
    // address            unspec  bcast  mcast  linkloc loopbk unicast
    ["0.0.0.0", true, false, false, false, false, false],
    ["255.255.255.255", false, true, false, false, false, false],
    ["224.0.0.0", false, false, true, false, false, false],
    ["224.0.0.1", false, false, true, false, false, false],
    ["239.255.255.255", false, false, true, false, false, false],
    ["223.255.255.255", false, false, false, false, false, true],
    ["240.0.0.0", false, false, false, false, false, true],
    ["169.254.0.1", false, false, false, true, false, true],
    ["169.254.255.255", false, false, false, true, false, true],
    ["169.253.255.255", false, false, false, false, false, true],
    ["169.255.0.0", false, false, false, false, false, true],
    ["127.0.0.1", false, false, false, false, true, true],
    ["127.255.255.254", false, false, false, false, true, true],
    ["128.0.0.1", false, false, false, false, false, true],
    ["192.168.69.1", false, false, false, false, false, true],
    ["0.0.0.1", false, false, false, false, false, true],
  ];
  for (const [text, unspec, bcast, mcast, linkLocal, loopback, unicast] of rows) {
    const a = ipv4Parse(text);
    assert.is(ipv4IsUnspecified(a), unspec, text + " unspecified");
    assert.is(ipv4IsBroadcast(a), bcast, text + " broadcast");
    assert.is(ipv4IsMulticast(a), mcast, text + " multicast");
    assert.is(ipv4IsLinkLocal(a), linkLocal, text + " link-local");
    assert.is(ipv4IsLoopback(a), loopback, text + " loopback");
    assert.is(ipv4IsUnicast(a), unicast, text + " unicast");
  }
  assert.is(IPV4_UNSPECIFIED, 0);
  assert.is(IPV4_BROADCAST, -1);
  assert.is(ipv4Format(IPV4_MULTICAST_ALL_SYSTEMS), "224.0.0.1");
  assert.is(ipv4Format(IPV4_MULTICAST_ALL_ROUTERS), "224.0.0.2");
  assert.is(IPV4_MULTICAST_ALL_SYSTEMS, ipv4Parse("224.0.0.1"), "stored as int32");
});

test("IPv4: netmask", () => {
  const expected: [number, string][] = [
    [0, "0.0.0.0"], [1, "128.0.0.0"], [8, "255.0.0.0"], [12, "255.240.0.0"], [16, "255.255.0.0"],
    [17, "255.255.128.0"], [24, "255.255.255.0"], [31, "255.255.255.254"], [32, "255.255.255.255"],
  ];
  for (const [len, mask] of expected) {
    assert.is(ipv4Netmask(len), ipv4Parse(mask), "/" + len);
    assert.is(new Ipv4Cidr(ipv4Parse("192.168.1.1"), len).netmask(), ipv4Parse(mask), "/" + len);
  }
});

test("IPv4 CIDR: contains (after smoltcp's test_cidr)", () => {
  const cidr = new Ipv4Cidr(ipv4Parse("192.168.1.10"), 24);
  for (const a of ["192.168.1.0", "192.168.1.1", "192.168.1.2", "192.168.1.10", "192.168.1.127", "192.168.1.255"]) {
    assert.ok(cidr.contains(ipv4Parse(a)), a);
  }
  for (const a of ["192.168.0.0", "127.0.0.1", "192.168.2.0", "192.168.0.255", "0.0.0.0", "255.255.255.255"]) {
    assert.not.ok(cidr.contains(ipv4Parse(a)), a);
  }
  for (const [a, p] of [["192.168.1.0", 32], ["192.168.1.255", 24], ["192.168.1.10", 30]] as const) {
    assert.ok(cidr.containsCidr(new Ipv4Cidr(ipv4Parse(a), p)), a + "/" + p);
  }
  for (const [a, p] of [["192.168.1.10", 23], ["127.0.0.1", 8], ["192.168.1.0", 0], ["192.168.0.255", 32]] as const) {
    assert.not.ok(cidr.containsCidr(new Ipv4Cidr(ipv4Parse(a), p)), a + "/" + p);
  }
  assert.ok(new Ipv4Cidr(ipv4Parse("192.168.1.10"), 0).contains(ipv4Parse("127.0.0.1")), "/0 contains everything");
  const host = new Ipv4Cidr(ipv4Parse("10.0.0.1"), 32);
  assert.ok(host.contains(ipv4Parse("10.0.0.1")));
  assert.not.ok(host.contains(ipv4Parse("10.0.0.0")));
  // High-bit addresses (negative int32) compare correctly.
  const high = new Ipv4Cidr(ipv4Parse("200.0.0.0"), 1);
  assert.ok(high.contains(ipv4Parse("255.255.255.255")));
  assert.not.ok(high.contains(ipv4Parse("127.255.255.255")));
});

test("IPv4 CIDR: network, broadcast, parse, format", () => {
  const c = Ipv4Cidr.parse("192.168.69.100/24");
  assert.is(c.address, ipv4Parse("192.168.69.100"));
  assert.is(c.prefixLen, 24);
  assert.is(c.network(), ipv4Parse("192.168.69.0"));
  assert.is(c.broadcast(), ipv4Parse("192.168.69.255"));
  assert.is(c.toString(), "192.168.69.100/24");
  assert.is(Ipv4Cidr.parse("172.16.5.4/12").network(), ipv4Parse("172.16.0.0"));
  assert.is(Ipv4Cidr.parse("172.16.5.4/12").broadcast(), ipv4Parse("172.31.255.255"));
  assert.is(Ipv4Cidr.parse("10.1.2.3/8").broadcast(), ipv4Parse("10.255.255.255"));
  assert.is(Ipv4Cidr.parse("10.1.2.3/30").broadcast(), ipv4Parse("10.1.2.3"));
  assert.is(Ipv4Cidr.parse("10.1.2.3/31").broadcast(), 0, "/31 has no broadcast (RFC 3021)");
  assert.is(Ipv4Cidr.parse("10.1.2.3/32").broadcast(), 0);
  assert.is(Ipv4Cidr.parse("10.1.2.3/0").broadcast(), -1);
  assert.is(Ipv4Cidr.parse("10.1.2.3/0").network(), 0);
  assert.is(Ipv4Cidr.parse("10.1.2.3/32").network(), ipv4Parse("10.1.2.3"));
  for (const text of ["1.2.3.4", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/024", "1.2.3.4/a", "1.2.3.4/-1", "1.2.3/24", "/24", "1.2.3.4/2/4"]) {
    assert.throws(() => Ipv4Cidr.parse(text), (e: unknown) => e instanceof AddressParseError, JSON.stringify(text));
  }
  for (const len of [-1, 33, 1.5, NaN]) {
    assert.throws(() => new Ipv4Cidr(0, len), (e: unknown) => e instanceof RangeError, String(len));
  }
});

// ---------------------------------------------------------------------------------------------
// IPv6
// ---------------------------------------------------------------------------------------------

function segs(a: Ipv6Address): string {
  const out: string[] = [];
  for (let i = 0; i < 8; i++) out.push(a.segment(i).toString(16));
  return out.join(" ");
}

test("IPv6: parse", () => {
  const cases: [string, string][] = [
    ["2001:0db8:0000:0000:0000:ff00:0042:8329", "2001 db8 0 0 0 ff00 42 8329"],
    ["2001:db8::ff00:42:8329", "2001 db8 0 0 0 ff00 42 8329"],
    ["::", "0 0 0 0 0 0 0 0"],
    ["::1", "0 0 0 0 0 0 0 1"],
    ["1::", "1 0 0 0 0 0 0 0"],
    ["fe80::1", "fe80 0 0 0 0 0 0 1"],
    ["FE80::ABCD", "fe80 0 0 0 0 0 0 abcd"],
    ["1:2:3:4:5:6:7::", "1 2 3 4 5 6 7 0"],
    ["::2:3:4:5:6:7:8", "0 2 3 4 5 6 7 8"],
    ["1:2:3:4:5:6:7:8", "1 2 3 4 5 6 7 8"],
    ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff ffff ffff ffff ffff ffff ffff ffff"],
    ["::ffff:192.0.2.1", "0 0 0 0 0 ffff c000 201"],
    ["64:ff9b::192.0.2.33", "64 ff9b 0 0 0 0 c000 221"],
    ["1:2:3:4:5:6:1.2.3.4", "1 2 3 4 5 6 102 304"],
    ["ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "ffff ffff ffff ffff ffff ffff ffff ffff"],
  ];
  for (const [text, expected] of cases) {
    assert.is(segs(Ipv6Address.parse(text)), expected, text);
  }
  const a = Ipv6Address.parse("2001:db8::ff00:42:8329");
  assert.is(a.w0, 0x20010db8);
  assert.is(a.w1, 0);
  assert.is(a.w2, 0x0000ff00);
  assert.is(a.w3, 0x00428329);
  assert.is(Ipv6Address.parse("ff02::1").w0, 0xff020000 | 0, "words are int32");
});

test("IPv6: bad text throws AddressParseError", () => {
  for (const text of ["", ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::", "1:2:3:4:5:6:7:8::",
    "::1:2:3:4:5:6:7:8", "::1:", ":1::", "1:", ":1", "::ffff:1.2.3", "::ffff:256.1.1.1", "1.2.3.4::", "1.2.3.4", "fe80::1%eth0",
    "::ffff:1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4", "[::1]", " ::1", "::1 ", "0000000::1", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255:1"]) {
    assert.throws(() => Ipv6Address.parse(text), (e: unknown) => e instanceof AddressParseError && /invalid IPv6 address/.test((e as Error).message), JSON.stringify(text));
  }
});

test("IPv6: RFC 5952 formatting", () => {
  const cases: [string, string][] = [
    // §4.1 leading zeros are suppressed; §4.3 lower case.
    ["2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    // §4.2.1 the longest run is compressed.
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
    // §4.2.3 of runs of equal length, the first.
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    // §4.2.2 a single zero group is not compressed.
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0"],
    ["0:1:1:1:1:1:1:1", "0:1:1:1:1:1:1:1"],
    ["::", "::"],
    ["::1", "::1"],
    ["1::", "1::"],
    ["fe80::", "fe80::"],
    ["0:0:1::", "0:0:1::"],
    ["::1:2", "::1:2"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
    ["1:0:0:2:0:0:0:0", "1:0:0:2::"],
    ["0:0:0:1:0:0:0:0", "0:0:0:1::"],
    ["ff02::1:ff00:1", "ff02::1:ff00:1"],
    ["FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
    // §5 IPv4-mapped addresses keep the dotted quad.
    ["::ffff:c000:0201", "::ffff:192.0.2.1"],
    ["::ffff:0:0", "::ffff:0.0.0.0"],
  ];
  for (const [text, expected] of cases) {
    assert.is(Ipv6Address.parse(text).toString(), expected, text);
    assert.is(Ipv6Address.parse(expected).toString(), expected, "formatting is stable: " + expected);
  }
});

test("IPv6: classification", () => {
  const rows: [string, boolean, boolean, boolean, boolean, boolean, boolean, boolean, number][] = [
    // address           unspec loopbk mcast  linkloc llmcast v4map  unicast scope
    ["::", true, false, false, false, false, false, false, -1],
    ["::1", false, true, false, false, false, false, true, -1],
    ["::2", false, false, false, false, false, false, true, -1],
    ["1::1", false, false, false, false, false, false, true, -1],
    ["fe80::1", false, false, false, true, false, false, true, -1],
    ["febf:ffff::1", false, false, false, true, false, false, true, -1],
    ["fe7f::1", false, false, false, false, false, false, true, -1],
    ["fec0::1", false, false, false, false, false, false, true, -1],
    ["ff02::1", false, false, true, false, true, false, false, 2],
    ["ff01::1", false, false, true, false, false, false, false, 1],
    ["ff05::2", false, false, true, false, false, false, false, 5],
    ["ff0e::101", false, false, true, false, false, false, false, 14],
    ["ff12::1", false, false, true, false, false, false, false, 2],
    ["fe00::", false, false, false, false, false, false, true, -1],
    ["::ffff:10.0.0.1", false, false, false, false, false, true, true, -1],
    ["::fffe:10.0.0.1", false, false, false, false, false, false, true, -1],
    ["2001:db8::1", false, false, false, false, false, false, true, -1],
  ];
  for (const [text, unspec, loopback, mcast, linkLocal, llMcast, mapped, unicast, scope] of rows) {
    const a = Ipv6Address.parse(text);
    assert.is(a.isUnspecified(), unspec, text + " unspecified");
    assert.is(a.isLoopback(), loopback, text + " loopback");
    assert.is(a.isMulticast(), mcast, text + " multicast");
    assert.is(a.isLinkLocal(), linkLocal, text + " link-local");
    assert.is(a.isLinkLocalMulticast(), llMcast, text + " link-local multicast");
    assert.is(a.isIpv4Mapped(), mapped, text + " IPv4-mapped");
    assert.is(a.isUnicast(), unicast, text + " unicast");
    assert.is(a.multicastScope(), scope, text + " scope");
  }
  assert.ok(IPV6_UNSPECIFIED.isUnspecified());
  assert.ok(IPV6_LOOPBACK.isLoopback());
  assert.is(IPV6_LINK_LOCAL_ALL_NODES.toString(), "ff02::1");
  assert.is(IPV6_LINK_LOCAL_ALL_ROUTERS.toString(), "ff02::2");
  for (const c of [IPV6_UNSPECIFIED, IPV6_LOOPBACK, IPV6_LINK_LOCAL_ALL_NODES, IPV6_LINK_LOCAL_ALL_ROUTERS]) {
    assert.ok(Object.isFrozen(c), c.toString() + " is frozen");
  }
});

test("IPv6: solicited-node multicast (RFC 4291 §2.7.1)", () => {
  const out = new Ipv6Address();
  // RFC 4291's own example: 4037::01:800:200E:8C6C -> FF02::1:FF0E:8C6C.
  assert.is(Ipv6Address.parse("4037::01:800:200E:8C6C").solicitedNode(out).toString(), "ff02::1:ff0e:8c6c");
  assert.ok(out.isSolicitedNodeMulticast());
  assert.ok(out.isLinkLocalMulticast());
  assert.is(Ipv6Address.parse("fe80::2").solicitedNode(out).toString(), "ff02::1:ff00:2");
  assert.is(Ipv6Address.parse("2001:db8::ffff:ffff").solicitedNode(out).toString(), "ff02::1:ffff:ffff");
  // The same for every address sharing the low 24 bits.
  const a = Ipv6Address.parse("fe80::aabb:ccdd").solicitedNode(new Ipv6Address());
  const b = Ipv6Address.parse("2001:db8::11bb:ccdd").solicitedNode(new Ipv6Address());
  assert.ok(a.equals(b));
  assert.not.ok(Ipv6Address.parse("ff02::1:fe00:1").isSolicitedNodeMulticast());
  assert.not.ok(Ipv6Address.parse("ff02::2:ff00:1").isSolicitedNodeMulticast());
  assert.not.ok(Ipv6Address.parse("ff02:0:0:1:0:1:ff00:1").isSolicitedNodeMulticast());
});

test("IPv6: segments, octets, set, copy, read and write", () => {
  const a = Ipv6Address.parse("2001:db8:1:2:3:4:5:6789");
  assert.is(segs(a), "2001 db8 1 2 3 4 5 6789");
  const octets: number[] = [];
  for (let i = 0; i < 16; i++) octets.push(a.octet(i));
  assert.equal(octets, [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0x67, 0x89]);
  assert.ok(Ipv6Address.fromSegments(0x2001, 0xdb8, 1, 2, 3, 4, 5, 0x6789).equals(a));
  assert.ok(Ipv6Address.fromSegments(0x12001, 0, 0, 0, 0, 0, 0, 0).equals(Ipv6Address.parse("2001::")), "segments are masked");
  const b = new Ipv6Address().copyFrom(a);
  assert.ok(b.equals(a));
  b.set(0, 0, 0, 1);
  assert.ok(b.isLoopback());
  assert.not.ok(b.equals(a));
  assert.ok(new Ipv6Address(0xffffffff, 0, 0, 0).equals(Ipv6Address.parse("ffff:ffff::")), "the constructor truncates to int32");
  assert.is(new Ipv6Address(0xffffffff).w0, -1);

  const buf = filled(20);
  a.write(buf.dv, 2);
  assert.is(toHex(buf.bytes), "a5 a5 20 01 0d b8 00 01 00 02 00 03 00 04 00 05 67 89 a5 a5");
  assert.ok(a.equalsAt(buf.dv, 2));
  assert.not.ok(a.equalsAt(buf.dv, 1));
  const c = new Ipv6Address().read(buf.dv, 2);
  assert.ok(c.equals(a));
  const v = view(buf.bytes);
  v.bytes[17] = 0x88;
  assert.not.ok(a.equalsAt(v.dv, 2), "the last octet counts");
});

test("IPv6 CIDR", () => {
  const c = Ipv6Cidr.parse("2001:db8:1::/48");
  assert.is(c.prefixLen, 48);
  assert.is(c.toString(), "2001:db8:1::/48");
  assert.ok(c.contains(Ipv6Address.parse("2001:db8:1::1")));
  assert.ok(c.contains(Ipv6Address.parse("2001:db8:1:ffff:ffff:ffff:ffff:ffff")));
  assert.not.ok(c.contains(Ipv6Address.parse("2001:db8:2::1")));
  assert.not.ok(c.contains(Ipv6Address.parse("2001:db9:1::1")));
  const boundaries: [string, number, string, boolean][] = [
    ["fe80::1", 64, "fe80::ffff:ffff:ffff:ffff", true],
    ["fe80::1", 64, "fe80:0:0:1::", false],
    ["fe80::1", 65, "fe80::7fff:ffff:ffff:ffff", true],
    ["fe80::1", 65, "fe80::8000:0:0:0", false],
    ["::", 0, "ffff::1", true],
    ["2001:db8::1", 128, "2001:db8::1", true],
    ["2001:db8::1", 128, "2001:db8::2", false],
    ["2001:db8::1", 127, "2001:db8::", true],
    ["2001:db8::1", 127, "2001:db8::2", false],
    ["ffff:ffff::", 31, "ffff:fffe::", true],
    ["ffff:ffff::", 32, "ffff:fffe::", false],
    ["::ffff:ffff", 96, "::1:0:0", false],
    ["::ffff:ffff", 96, "::abcd", true],
  ];
  for (const [net, len, addr, inside] of boundaries) {
    assert.is(new Ipv6Cidr(Ipv6Address.parse(net), len).contains(Ipv6Address.parse(addr)), inside, net + "/" + len + " " + addr);
  }
  const out = new Ipv6Address();
  assert.is(Ipv6Cidr.parse("2001:db8:abcd:1234:5678::1/36").network(out).toString(), "2001:db8:a000::");
  assert.is(Ipv6Cidr.parse("fe80::1:2:3:4/64").network(out).toString(), "fe80::");
  assert.is(Ipv6Cidr.parse("fe80::1:2:3:4/128").network(out).toString(), "fe80::1:2:3:4");
  assert.is(Ipv6Cidr.parse("fe80::1:2:3:4/0").network(out).toString(), "::");
  assert.ok(c.containsCidr(Ipv6Cidr.parse("2001:db8:1:2::/64")));
  assert.not.ok(c.containsCidr(Ipv6Cidr.parse("2001:db8::/32")));
  assert.not.ok(c.containsCidr(Ipv6Cidr.parse("2001:db8:2::/64")));
  // The CIDR owns a copy of its address.
  const addr = Ipv6Address.parse("fd00::1");
  const owned = new Ipv6Cidr(addr, 64);
  addr.set(0, 0, 0, 0);
  assert.is(owned.address.toString(), "fd00::1");
  for (const text of ["fe80::1", "fe80::1/", "fe80::1/129", "fe80::1/064", "fe80::1/x", "zz::/64", "/64"]) {
    assert.throws(() => Ipv6Cidr.parse(text), (e: unknown) => e instanceof AddressParseError, JSON.stringify(text));
  }
  for (const len of [-1, 129, 0.5]) {
    assert.throws(() => new Ipv6Cidr(new Ipv6Address(), len), (e: unknown) => e instanceof RangeError, String(len));
  }
});

test("IP protocol names", () => {
  assert.is(ipProtocolName(IpProtocol.Icmp), "ICMP");
  assert.is(ipProtocolName(IpProtocol.Igmp), "IGMP");
  assert.is(ipProtocolName(IpProtocol.Tcp), "TCP");
  assert.is(ipProtocolName(IpProtocol.Udp), "UDP");
  assert.is(ipProtocolName(IpProtocol.Icmpv6), "ICMPv6");
  assert.is(ipProtocolName(IpProtocol.HopByHop), "Hop-by-Hop");
  assert.is(ipProtocolName(0x84), "0x84");
  assert.is(ipProtocolName(3), "0x03");
});

test.run();
