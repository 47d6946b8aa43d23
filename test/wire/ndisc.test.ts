import { test } from "uvu";
import * as assert from "uvu/assert";
import { WireError } from "../../src/wire/error.js";
import { Checksum, ChecksumCapabilities } from "../../src/wire/checksum.js";
import { Ipv6Address, IPV6_UNSPECIFIED } from "../../src/wire/ip.js";
import { EthernetAddress } from "../../src/wire/ethernet.js";
import { Icmpv6Message, Icmpv6Packet, icmpv6FillChecksum } from "../../src/wire/icmpv6.js";
import {
  NDISC_NEIGHBOR_OVERRIDE,
  NDISC_NEIGHBOR_ROUTER,
  NDISC_NEIGHBOR_SOLICITED,
  NDISC_PREFIX_AUTONOMOUS,
  NDISC_PREFIX_ON_LINK,
  NDISC_ROUTER_OTHER,
  NdiscOptionCursor,
  NdiscOptionType,
  NdiscPrefixInfo,
  NdiscRepr,
  ndiscHeaderLen,
} from "../../src/wire/ndisc.js";
import { filled, toHex, view } from "../support/bytes.js";

// Real Neighbor Discovery messages, captured from Linux on veth pairs: host A
// (52-54-00-12-34-56, fe80::5054:ff:fe12:3456, 2001:db8:1::2) and router R (52-54-00-ab-cd-ef,
// fe80::5054:ff:feab:cdef, 2001:db8:1::1). The ICMPv6 message alone is kept; the IPv6 addresses
// it travelled between go with it (the checksum covers them). Every one was sent with hop limit
// 255, which the interface checks.

const A_LL = Ipv6Address.parse("fe80::5054:ff:fe12:3456");
const A_GLOBAL = Ipv6Address.parse("2001:db8:1::2");
const R_LL = Ipv6Address.parse("fe80::5054:ff:feab:cdef");
const R_GLOBAL = Ipv6Address.parse("2001:db8:1::1");
const A_MAC = EthernetAddress.parse("52-54-00-12-34-56");
const R_MAC = EthernetAddress.parse("52-54-00-ab-cd-ef");
const ALL_NODES = Ipv6Address.parse("ff02::1");
const ALL_ROUTERS = Ipv6Address.parse("ff02::2");
const CAPS = new ChecksumCapabilities();
const IGNORED = ChecksumCapabilities.ignored();

// Duplicate Address Detection for A's link-local address: :: -> ff02::1:ff12:3456. Linux adds
// the Nonce option of RFC 7527 (type 14), which this stack skips as unknown.
const DAD_NS = new Uint8Array([
  0x87, 0x00, 0x93, 0x00, 0x00, 0x00, 0x00, 0x00, // neighbor solicitation, checksum, reserved
  0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // target fe80::5054:ff:fe12:3456
  0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,
  0x0e, 0x01, 0x72, 0xb9, 0x31, 0x44, 0x7e, 0xfb, // option 14 (Nonce), length 1
]);
const DAD_SRC = IPV6_UNSPECIFIED;
const DAD_DST = Ipv6Address.parse("ff02::1:ff12:3456");

// Address resolution of R by A: 2001:db8:1::2 -> ff02::1:ff00:1.
const NS = new Uint8Array([
  0x87, 0x00, 0x97, 0x6a, 0x00, 0x00, 0x00, 0x00, // neighbor solicitation, checksum, reserved
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // target 2001:db8:1::1
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0x01, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, // source link-layer address 52-54-00-12-34-56
]);
const NS_DST = Ipv6Address.parse("ff02::1:ff00:1");

// R's answer: 2001:db8:1::1 -> 2001:db8:1::2, flags router, solicited, override.
const NA = new Uint8Array([
  0x88, 0x00, 0xeb, 0x81, 0xe0, 0x00, 0x00, 0x00, // neighbor advertisement, checksum, R S O
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // target 2001:db8:1::1
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0x02, 0x01, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, // target link-layer address 52-54-00-ab-cd-ef
]);

// A's answer to R's unicast probe (NUD): 2001:db8:1::2 -> fe80::5054:ff:feab:cdef, solicited
// only, no option (RFC 4861 §7.2.4 lets a unicast answer leave the address out).
const NA_NO_OPTIONS = new Uint8Array([
  0x88, 0x00, 0xbf, 0xc4, 0x40, 0x00, 0x00, 0x00, // neighbor advertisement, checksum, S
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // target 2001:db8:1::2
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
]);

// A looking for routers: fe80::5054:ff:fe12:3456 -> ff02::2.
const RS = new Uint8Array([
  0x85, 0x00, 0x71, 0xb5, 0x00, 0x00, 0x00, 0x00, // router solicitation, checksum, reserved
  0x01, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, // source link-layer address 52-54-00-12-34-56
]);

// A Router Advertisement built from RFC 4861 §4.2 and §4.6, sent by Linux from R through a raw
// ICMPv6 socket (the kernel computed the checksum): fe80::5054:ff:feab:cdef -> ff02::1.
const RA = new Uint8Array([
  0x86, 0x00, 0xee, 0xbb, 0x40, 0x40, 0x07, 0x08, // router advertisement, checksum, hop limit 64, O, lifetime 1800 s
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // reachable time 0, retrans timer 0 (unspecified)
  0x01, 0x01, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, // source link-layer address 52-54-00-ab-cd-ef
  0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc, // MTU 1500
  0x03, 0x04, 0x40, 0xc0, 0x00, 0x01, 0x51, 0x80, // prefix information: /64, L A, valid 86400 s
  0x00, 0x00, 0x38, 0x40, 0x00, 0x00, 0x00, 0x00, // preferred 14400 s, reserved
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // prefix 2001:db8:1::
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

// R redirecting A's ping to 2001:db8:9::1 to A's own link-local address (R's route pointed
// back out the same link): fe80::5054:ff:feab:cdef -> 2001:db8:1::2.
const REDIRECT = new Uint8Array([
  0x89, 0x00, 0x23, 0x76, 0x00, 0x00, 0x00, 0x00, // redirect, checksum, reserved
  0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // target fe80::5054:ff:fe12:3456
  0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x09, 0x00, 0x00, // destination 2001:db8:9::1
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0x02, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, // target link-layer address 52-54-00-12-34-56
  0x04, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // redirected header, 64 octets
  0x60, 0x0d, 0x31, 0xd9, 0x00, 0x10, 0x3a, 0x40, // the redirected packet: IPv6, len 16, ICMPv6
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // source 2001:db8:1::2
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x09, 0x00, 0x00, // destination 2001:db8:9::1
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0x80, 0x00, 0xf5, 0x8a, 0x22, 0x9a, 0x00, 0x01, // echo request, id 0x229a, seq 1
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, // 8 octets of data
]);

const FIXTURES: [string, Uint8Array, Ipv6Address, Ipv6Address][] = [
  ["DAD NS", DAD_NS, DAD_SRC, DAD_DST],
  ["NS", NS, A_GLOBAL, NS_DST],
  ["NA", NA, R_GLOBAL, A_GLOBAL],
  ["NA without options", NA_NO_OPTIONS, A_GLOBAL, R_LL],
  ["RS", RS, A_LL, ALL_ROUTERS],
  ["RA", RA, R_LL, ALL_NODES],
  ["Redirect", REDIRECT, R_LL, A_GLOBAL],
];

function packetOf(bytes: Uint8Array, len = bytes.length): Icmpv6Packet {
  const v = view(bytes);
  return new Icmpv6Packet(v.bytes, v.dv, 0, len);
}

/** A copy of `fixture` changed by `edit`, with its checksum recomputed for `src` -> `dst`. */
function edited(fixture: Uint8Array | number[], src: Ipv6Address, dst: Ipv6Address, edit: (b: Uint8Array) => void): Icmpv6Packet {
  const v = view(fixture);
  edit(v.bytes);
  icmpv6FillChecksum(v.dv, 0, v.bytes.length, src, dst);
  return new Icmpv6Packet(v.bytes, v.dv);
}

test("deconstruct: the option cursor over a Router Advertisement", () => {
  const v = view(RA);
  const cur = new NdiscOptionCursor().reset(v.bytes, v.dv, 16, RA.length - 16);
  const seen: number[][] = [];
  while (cur.next()) seen.push([cur.type, cur.optionOffset, cur.optionLen]);
  assert.is(cur.error, WireError.Ok);
  assert.equal(seen, [[NdiscOptionType.SourceLinkLayerAddr, 16, 8], [NdiscOptionType.Mtu, 24, 8], [NdiscOptionType.PrefixInformation, 32, 32]]);
  const info = new NdiscPrefixInfo().read(v.dv, 32);
  assert.equal([info.prefixLen, info.flags, info.validLifetime, info.preferredLifetime], [64, 0xc0, 86400, 14400]);
  assert.is(info.prefix.toString(), "2001:db8:1::");
  const p = new Icmpv6Packet(v.bytes, v.dv);
  assert.is(p.msgType(), Icmpv6Message.RouterAdvert);
  assert.ok(p.verifyChecksum(R_LL, ALL_NODES));
});

test("construct: the prefix option and the setters, into 0xa5-filled buffers", () => {
  const info = new NdiscPrefixInfo();
  info.prefixLen = 64;
  info.flags = NDISC_PREFIX_ON_LINK | NDISC_PREFIX_AUTONOMOUS;
  info.validLifetime = 86400;
  info.preferredLifetime = 14400;
  info.prefix.copyFrom(Ipv6Address.parse("2001:db8:1::"));
  const v = filled(34);
  info.write(v.dv, 1);
  assert.equal(v.bytes.subarray(1, 33), RA.subarray(32, 64));
  assert.equal([v.bytes[0], v.bytes[33]], [0xa5, 0xa5]);
  assert.is(info.toString(), "2001:db8:1::/64 L A valid=86400 preferred=14400");

  const cases: [NdiscRepr, Uint8Array, Ipv6Address, Ipv6Address][] = [
    [new NdiscRepr().setNeighborSolicit(R_GLOBAL, A_MAC), NS, A_GLOBAL, NS_DST],
    [new NdiscRepr().setNeighborAdvert(NDISC_NEIGHBOR_ROUTER | NDISC_NEIGHBOR_SOLICITED | NDISC_NEIGHBOR_OVERRIDE, R_GLOBAL, R_MAC), NA, R_GLOBAL, A_GLOBAL],
    [new NdiscRepr().setNeighborAdvert(NDISC_NEIGHBOR_SOLICITED, A_GLOBAL, null), NA_NO_OPTIONS, A_GLOBAL, R_LL],
    [new NdiscRepr().setRouterSolicit(A_MAC), RS, A_LL, ALL_ROUTERS],
  ];
  for (const [repr, fixture, src, dst] of cases) {
    const b = filled(fixture.length + 3);
    assert.is(repr.bufferLen(), fixture.length);
    repr.emit(new Icmpv6Packet(b.bytes, b.dv), src, dst, CAPS);
    assert.equal(b.bytes.subarray(0, fixture.length), fixture, toHex(b.bytes));
    assert.equal([...b.bytes.subarray(fixture.length)], [0xa5, 0xa5, 0xa5]);
  }
});

test("parse: Neighbor Solicitations (address resolution, DAD with an unknown option)", () => {
  const repr = new NdiscRepr();
  assert.is(repr.parse(packetOf(NS), A_GLOBAL, NS_DST, CAPS), WireError.Ok);
  assert.is(repr.msgType, Icmpv6Message.NeighborSolicit);
  assert.ok(repr.targetAddr.equals(R_GLOBAL));
  assert.ok(repr.hasSourceLla);
  assert.ok(repr.sourceLla.equals(A_MAC));
  assert.not.ok(repr.hasTargetLla || repr.hasMtu || repr.hasPrefixInfo || repr.hasRedirectedHeader);
  assert.equal([repr.optionsOffset, repr.optionsLen], [24, 8]);
  assert.is(repr.toString(), "NDISC neighbor solicitation target=2001:db8:1::1 slla=52-54-00-12-34-56");

  assert.is(repr.parse(packetOf(DAD_NS), DAD_SRC, DAD_DST, CAPS), WireError.Ok);
  assert.ok(repr.targetAddr.equals(A_LL));
  assert.not.ok(repr.hasSourceLla, "the previous packet's option is forgotten");
  assert.equal([repr.optionsOffset, repr.optionsLen], [24, 8], "the nonce is there, and skipped");
});

test("parse: Neighbor Advertisements", () => {
  const repr = new NdiscRepr();
  assert.is(repr.parse(packetOf(NA), R_GLOBAL, A_GLOBAL, CAPS), WireError.Ok);
  assert.is(repr.msgType, Icmpv6Message.NeighborAdvert);
  assert.is(repr.neighborFlags, NDISC_NEIGHBOR_ROUTER | NDISC_NEIGHBOR_SOLICITED | NDISC_NEIGHBOR_OVERRIDE);
  assert.ok(repr.targetAddr.equals(R_GLOBAL));
  assert.ok(repr.hasTargetLla);
  assert.ok(repr.targetLla.equals(R_MAC));
  assert.not.ok(repr.hasSourceLla);
  assert.is(repr.toString(), "NDISC neighbor advertisement R S O target=2001:db8:1::1 tlla=52-54-00-ab-cd-ef");
  assert.is(repr.parse(packetOf(NA_NO_OPTIONS), A_GLOBAL, R_LL, CAPS), WireError.Ok);
  assert.is(repr.neighborFlags, NDISC_NEIGHBOR_SOLICITED);
  assert.not.ok(repr.hasTargetLla);
  assert.is(repr.optionsLen, 0);
});

test("parse: Router Solicitation and Router Advertisement", () => {
  const repr = new NdiscRepr();
  assert.is(repr.parse(packetOf(RS), A_LL, ALL_ROUTERS, CAPS), WireError.Ok);
  assert.is(repr.msgType, Icmpv6Message.RouterSolicit);
  assert.ok(repr.hasSourceLla && repr.sourceLla.equals(A_MAC));

  assert.is(repr.parse(packetOf(RA), R_LL, ALL_NODES, CAPS), WireError.Ok);
  assert.is(repr.msgType, Icmpv6Message.RouterAdvert);
  assert.equal([repr.curHopLimit, repr.routerFlags, repr.routerLifetime, repr.reachableTime, repr.retransTimer], [64, NDISC_ROUTER_OTHER, 1800, 0, 0]);
  assert.ok(repr.hasSourceLla && repr.sourceLla.equals(R_MAC));
  assert.ok(repr.hasMtu);
  assert.is(repr.mtu, 1500);
  assert.ok(repr.hasPrefixInfo);
  assert.is(repr.prefixInfoCount, 1);
  assert.equal([repr.prefixInfo.prefixLen, repr.prefixInfo.flags, repr.prefixInfo.validLifetime, repr.prefixInfo.preferredLifetime], [64, 0xc0, 86400, 14400]);
  assert.is(repr.prefixInfo.prefix.toString(), "2001:db8:1::");
  assert.is(repr.toString(),
    "NDISC router advertisement hop_limit=64 lifetime=1800s reachable=0ms retrans=0ms O slla=52-54-00-ab-cd-ef mtu=1500 " +
    "prefix=2001:db8:1::/64 L A valid=86400 preferred=14400");
});

test("parse: Redirect locates the redirected header", () => {
  const repr = new NdiscRepr();
  assert.is(repr.parse(packetOf(REDIRECT), R_LL, A_GLOBAL, CAPS), WireError.Ok);
  assert.is(repr.msgType, Icmpv6Message.Redirect);
  assert.ok(repr.targetAddr.equals(A_LL));
  assert.is(repr.destAddr.toString(), "2001:db8:9::1");
  assert.ok(repr.hasTargetLla && repr.targetLla.equals(A_MAC));
  assert.ok(repr.hasRedirectedHeader);
  assert.equal([repr.redirectedOffset, repr.redirectedLen], [56, 56]);
  assert.is(REDIRECT[repr.redirectedOffset], 0x60, "the redirected IPv6 header starts there");
});

test("emit: exact bytes of the real RA; the Redirect's fixed part", () => {
  const ra = new NdiscRepr().clear(Icmpv6Message.RouterAdvert);
  ra.curHopLimit = 64;
  ra.routerFlags = NDISC_ROUTER_OTHER;
  ra.routerLifetime = 1800;
  ra.hasSourceLla = true;
  ra.sourceLla.copyFrom(R_MAC);
  ra.hasMtu = true;
  ra.mtu = 1500;
  ra.hasPrefixInfo = true;
  ra.prefixInfo.prefixLen = 64;
  ra.prefixInfo.flags = NDISC_PREFIX_ON_LINK | NDISC_PREFIX_AUTONOMOUS;
  ra.prefixInfo.validLifetime = 86400;
  ra.prefixInfo.preferredLifetime = 14400;
  ra.prefixInfo.prefix.copyFrom(Ipv6Address.parse("2001:db8:1::"));
  assert.is(ra.headerLen(), 16);
  assert.is(ra.bufferLen(), RA.length);
  const b = filled(RA.length + 1);
  ra.emit(new Icmpv6Packet(b.bytes, b.dv), R_LL, ALL_NODES, CAPS);
  assert.equal(b.bytes.subarray(0, RA.length), RA, toHex(b.bytes));
  assert.is(b.bytes[RA.length], 0xa5);

  // The Redirected Header option is never emitted: the fixed part and the target address match.
  const rd = new NdiscRepr();
  assert.is(rd.parse(packetOf(REDIRECT), R_LL, A_GLOBAL, CAPS), WireError.Ok);
  assert.is(rd.bufferLen(), 48);
  const r = filled(50);
  rd.emit(new Icmpv6Packet(r.bytes, r.dv), R_LL, A_GLOBAL, CAPS);
  assert.equal(r.bytes.subarray(4, 48), REDIRECT.subarray(4, 48));
  assert.equal([...r.bytes.subarray(48)], [0xa5, 0xa5]);
  assert.ok(new Icmpv6Packet(r.bytes, r.dv, 0, 48).verifyChecksum(R_LL, A_GLOBAL));
});

test("emit then parse: every message type round-trips", () => {
  const reprs: [NdiscRepr, Ipv6Address, Ipv6Address][] = [];
  reprs.push([new NdiscRepr().setRouterSolicit(null), A_LL, ALL_ROUTERS]);
  reprs.push([new NdiscRepr().setRouterSolicit(null), IPV6_UNSPECIFIED, ALL_ROUTERS]);
  reprs.push([new NdiscRepr().setNeighborSolicit(A_LL, null), IPV6_UNSPECIFIED, DAD_DST]);
  reprs.push([new NdiscRepr().setNeighborAdvert(NDISC_NEIGHBOR_OVERRIDE, A_LL, A_MAC), A_LL, ALL_NODES]);
  const ra = new NdiscRepr().clear(Icmpv6Message.RouterAdvert);
  ra.curHopLimit = 255;
  ra.routerFlags = 0xff;
  ra.routerLifetime = 0xffff;
  ra.reachableTime = 30000;
  ra.retransTimer = -1;
  ra.hasPrefixInfo = true;
  ra.prefixInfo.validLifetime = -1;
  ra.prefixInfo.preferredLifetime = -1;
  ra.prefixInfo.prefixLen = 48;
  ra.prefixInfo.prefix.copyFrom(Ipv6Address.parse("fd00:1:2::"));
  reprs.push([ra, R_LL, ALL_NODES]);
  const rd = new NdiscRepr().clear(Icmpv6Message.Redirect);
  rd.targetAddr.copyFrom(Ipv6Address.parse("2001:db8:9::1"));
  rd.destAddr.copyFrom(Ipv6Address.parse("2001:db8:9::1"));
  reprs.push([rd, R_LL, A_GLOBAL]);
  const back = new NdiscRepr();
  for (const [repr, src, dst] of reprs) {
    const b = filled(repr.bufferLen());
    const p = new Icmpv6Packet(b.bytes, b.dv);
    repr.emit(p, src, dst, CAPS);
    assert.is(back.parse(p, src, dst, CAPS), WireError.Ok, repr.toString());
    assert.is(back.toString(), repr.toString());
    assert.equal([back.msgType, back.curHopLimit, back.routerFlags, back.routerLifetime, back.reachableTime, back.retransTimer, back.neighborFlags],
      [repr.msgType, repr.curHopLimit, repr.routerFlags, repr.routerLifetime, repr.reachableTime, repr.retransTimer, repr.neighborFlags]);
    assert.equal([back.hasSourceLla, back.hasTargetLla, back.hasMtu, back.hasPrefixInfo], [repr.hasSourceLla, repr.hasTargetLla, repr.hasMtu, repr.hasPrefixInfo]);
    if (repr.hasPrefixInfo) assert.is(back.prefixInfo.toString(), repr.prefixInfo.toString());
  }
  assert.match(ra.toString(), "valid=infinity preferred=infinity");
});

test("options: length 0 is Malformed (RFC 4861 §4.6), overruns are Truncated", () => {
  const repr = new NdiscRepr();
  // The NS's source link-layer address option with its length set to 0.
  assert.is(repr.parse(edited(NS, A_GLOBAL, NS_DST, (b) => { b[25] = 0; }), A_GLOBAL, NS_DST, CAPS), WireError.Malformed);
  // The RA's MTU option (second) with length 0: the options before it do not save the message.
  assert.is(repr.parse(edited(RA, R_LL, ALL_NODES, (b) => { b[25] = 0; }), R_LL, ALL_NODES, CAPS), WireError.Malformed);
  // The RA's prefix option announcing 40 octets where 32 remain.
  assert.is(repr.parse(edited(RA, R_LL, ALL_NODES, (b) => { b[33] = 5; }), R_LL, ALL_NODES, CAPS), WireError.Truncated);
  // One stray octet after the last option.
  assert.is(repr.parse(edited([...NA, 0x00], R_GLOBAL, A_GLOBAL, () => {}), R_GLOBAL, A_GLOBAL, CAPS), WireError.Truncated);
  // An unknown option of length 0 is as bad as a known one.
  assert.is(repr.parse(edited(DAD_NS, DAD_SRC, DAD_DST, (b) => { b[25] = 0; }), DAD_SRC, DAD_DST, CAPS), WireError.Malformed);
  const v = view([0x01, 0x00, 0, 0, 0, 0, 0, 0]);
  const cur = new NdiscOptionCursor().reset(v.bytes, v.dv, 0, 8);
  assert.not.ok(cur.next());
  assert.is(cur.error, WireError.Malformed);
});

test("options: unknown and odd-sized options are skipped; several prefixes are counted", () => {
  const repr = new NdiscRepr();
  // The NS's source address option stretched to 16 octets (not Ethernet): skipped.
  const longLla = [...NS, 0, 0, 0, 0, 0, 0, 0, 0];
  assert.is(repr.parse(edited(longLla, A_GLOBAL, NS_DST, (b) => { b[25] = 2; }), A_GLOBAL, NS_DST, CAPS), WireError.Ok);
  assert.not.ok(repr.hasSourceLla);
  // The RA with the MTU option's type changed to 200 (unknown): skipped, the rest read.
  assert.is(repr.parse(edited(RA, R_LL, ALL_NODES, (b) => { b[24] = 200; }), R_LL, ALL_NODES, CAPS), WireError.Ok);
  assert.not.ok(repr.hasMtu);
  assert.ok(repr.hasSourceLla && repr.hasPrefixInfo);
  // The RA with a second prefix option, fd00::/8: the first is kept, both are counted, and the
  // cursor reaches the second.
  const second = [0x03, 0x04, 0x08, 0x80, 0, 0, 0, 60, 0, 0, 0, 30, 0, 0, 0, 0, 0xfd, ...new Array(15).fill(0)];
  const twoPrefixes = edited([...RA, ...second], R_LL, ALL_NODES, () => {});
  assert.is(repr.parse(twoPrefixes, R_LL, ALL_NODES, CAPS), WireError.Ok);
  assert.is(repr.prefixInfoCount, 2);
  assert.is(repr.prefixInfo.prefix.toString(), "2001:db8:1::");
  assert.match(repr.toString(), "(+1 more)");
  const cur = new NdiscOptionCursor().reset(twoPrefixes.bytes, twoPrefixes.dv, repr.optionsOffset, repr.optionsLen);
  const info = new NdiscPrefixInfo();
  while (cur.next()) if (cur.type === NdiscOptionType.PrefixInformation) info.read(cur.dv, cur.optionOffset);
  assert.is(info.toString(), "fd00::/8 L valid=60 preferred=30");
});

test("validation: the rules of RFC 4861 §6.1, §7.1 and §8.1 that a message shows", () => {
  const repr = new NdiscRepr();
  const bad: [string, Icmpv6Packet, Ipv6Address, Ipv6Address][] = [
    ["code 1", edited(NS, A_GLOBAL, NS_DST, (b) => { b[1] = 1; }), A_GLOBAL, NS_DST],
    ["NS for a multicast target", edited(NS, A_GLOBAL, NS_DST, (b) => { b[8] = 0xff; }), A_GLOBAL, NS_DST],
    ["DAD NS with a source address option", edited(NS, DAD_SRC, NS_DST, () => {}), DAD_SRC, NS_DST],
    ["DAD NS not to a solicited-node group", edited(DAD_NS, DAD_SRC, ALL_NODES, () => {}), DAD_SRC, ALL_NODES],
    ["NA for a multicast target", edited(NA, R_GLOBAL, A_GLOBAL, (b) => { b[8] = 0xff; }), R_GLOBAL, A_GLOBAL],
    ["solicited NA to a multicast group", edited(NA, R_GLOBAL, ALL_NODES, () => {}), R_GLOBAL, ALL_NODES],
    ["RS from :: with a source address option", edited(RS, DAD_SRC, ALL_ROUTERS, () => {}), DAD_SRC, ALL_ROUTERS],
    ["RA from a global address", edited(RA, R_GLOBAL, ALL_NODES, () => {}), R_GLOBAL, ALL_NODES],
    ["Redirect from a global address", edited(REDIRECT, R_GLOBAL, A_GLOBAL, () => {}), R_GLOBAL, A_GLOBAL],
    ["Redirect for a multicast destination", edited(REDIRECT, R_LL, A_GLOBAL, (b) => { b[24] = 0xff; }), R_LL, A_GLOBAL],
    ["Redirect to a global target other than the destination", edited(REDIRECT, R_LL, A_GLOBAL, (b) => { b[8] = 0x20; }), R_LL, A_GLOBAL],
  ];
  for (const [name, p, src, dst] of bad) assert.is(repr.parse(p, src, dst, CAPS), WireError.Malformed, name);
  const good: [string, Icmpv6Packet, Ipv6Address, Ipv6Address][] = [
    ["unsolicited NA to all nodes", edited(NA, R_GLOBAL, ALL_NODES, (b) => { b[4] = 0xa0; }), R_GLOBAL, ALL_NODES],
    ["RS from :: without options", edited(RS.subarray(0, 8), DAD_SRC, ALL_ROUTERS, () => {}), DAD_SRC, ALL_ROUTERS],
    ["Redirect to the destination itself", edited(REDIRECT, R_LL, A_GLOBAL, (b) => { b.set(REDIRECT.subarray(24, 40), 8); }), R_LL, A_GLOBAL],
    ["reserved bits are ignored", edited(NS, A_GLOBAL, NS_DST, (b) => { b[4] = 0xff; b[7] = 0xff; }), A_GLOBAL, NS_DST],
  ];
  for (const [name, p, src, dst] of good) assert.is(repr.parse(p, src, dst, CAPS), WireError.Ok, name);
});

test("not Neighbor Discovery: Unsupported", () => {
  const echo = edited([0x80, 0, 0, 0, 0, 1, 0, 1], A_GLOBAL, R_GLOBAL, () => {});
  assert.is(new NdiscRepr().parse(echo, A_GLOBAL, R_GLOBAL, CAPS), WireError.Unsupported);
  assert.equal([132, 133, 134, 135, 136, 137, 138].map(ndiscHeaderLen), [0, 8, 16, 24, 24, 40, 0]);
  const b = filled(8);
  new NdiscRepr().clear(Icmpv6Message.EchoRequest).emit(new Icmpv6Packet(b.bytes, b.dv), A_GLOBAL, R_GLOBAL, CAPS);
  assert.equal([...b.bytes], [0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5], "emit of a non-ND type writes nothing");
});

test("checksum: corruption detected, capabilities honoured", () => {
  const repr = new NdiscRepr();
  for (const [name, fixture, src, dst] of FIXTURES) {
    for (let i = 0; i < fixture.length; i++) {
      const b = fixture.slice();
      b[i] ^= 0x10;
      // Octet 0 is the type: 0x85..0x89 become 0x95..0x99, not Neighbor Discovery.
      assert.is(repr.parse(packetOf(b), src, dst, CAPS), i === 0 ? WireError.Unsupported : WireError.Checksum, name + " octet " + i);
    }
  }
  const bad = NS.slice();
  bad[3] ^= 1;
  const caps = new ChecksumCapabilities();
  for (const [c, verifies] of [[Checksum.Both, true], [Checksum.Rx, true], [Checksum.Tx, false], [Checksum.None, false]] as const) {
    caps.icmpv6 = c;
    assert.is(repr.parse(packetOf(bad), A_GLOBAL, NS_DST, caps), verifies ? WireError.Checksum : WireError.Ok, "rx capability " + c);
    const b = filled(NS.length);
    new NdiscRepr().setNeighborSolicit(R_GLOBAL, A_MAC).emit(new Icmpv6Packet(b.bytes, b.dv), A_GLOBAL, NS_DST, caps);
    const fills = c === Checksum.Both || c === Checksum.Tx;
    assert.equal([...b.bytes.subarray(2, 4)], fills ? [0x97, 0x6a] : [0, 0], "tx capability " + c);
  }
});

test("impossible length: every truncated prefix of every fixture", () => {
  const repr = new NdiscRepr();
  for (const [name, fixture, src, dst] of FIXTURES) {
    const fixed = ndiscHeaderLen(fixture[0]);
    for (let n = 0; n < fixture.length; n++) {
      const err = repr.parse(packetOf(fixture, n), src, dst, CAPS);
      assert.ok(err !== WireError.Ok, name + " length " + n);
      const unchecked = repr.parse(packetOf(fixture, n), src, dst, IGNORED);
      if (n < fixed) assert.is(unchecked, WireError.Truncated, name + " unchecked length " + n);
      // Cut inside an option: the option overruns.
      else if (n > fixed && n % 8 !== 0) assert.is(unchecked, WireError.Truncated, name + " unchecked length " + n);
    }
  }
});

test("parse never throws on random bytes", () => {
  const repr = new NdiscRepr();
  let seed = 99;
  for (let i = 0; i < 3000; i++) {
    const n = i % 96;
    const b = new Uint8Array(n);
    for (let j = 0; j < n; j++) {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      b[j] = seed >>> 24;
    }
    if (n > 0) b[0] = 133 + (i % 5);
    if (n > 1) b[1] = 0;
    const err = repr.parse(packetOf(b), R_LL, i & 1 ? ALL_NODES : A_GLOBAL, IGNORED);
    assert.ok(err >= WireError.Ok && err <= WireError.Unsupported);
  }
});

test.run();
