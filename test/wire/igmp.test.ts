import { test } from "uvu";
import * as assert from "uvu/assert";
import { WireError } from "../../src/wire/error.js";
import { Checksum, ChecksumCapabilities } from "../../src/wire/checksum.js";
import { ipv4Parse } from "../../src/wire/ip.js";
import { IGMP_V1_MAX_RESP_TIME, IgmpMessage, IgmpPacket, IgmpRepr, IgmpVersion } from "../../src/wire/igmp.js";
import { filled, toHex, view } from "../support/bytes.js";
import { Ipv4Packet } from "../../src/wire/ipv4.js";
import { LINUX_IGMPV2_LEAVE, LINUX_IGMPV2_REPORT, LINUX_IGMPV3_REPORT } from "../fixtures/linux.js";

// smoltcp's wire/igmp.rs LEAVE_PACKET_BYTES: leave group 224.0.6.150.
const SMOLTCP_LEAVE = new Uint8Array([
  0x17, 0x00, 0x02, 0x69, // leave group, max resp time 0, checksum 0x0269
  0xe0, 0x00, 0x06, 0x96, // group 224.0.6.150
]);
// smoltcp's wire/igmp.rs REPORT_PACKET_BYTES: version 2 report for 225.0.0.37.
const SMOLTCP_REPORT = new Uint8Array([
  0x16, 0x00, 0x08, 0xda, // version 2 report, checksum 0x08da
  0xe1, 0x00, 0x00, 0x25, // group 225.0.0.37
]);
// The general query every IGMPv2 router sends: max resp time 100 (10 s) (checked with tshark).
const QUERY_V2 = new Uint8Array([
  0x11, 0x64, 0xee, 0x9b, // membership query, max resp time 100, checksum 0xee9b
  0x00, 0x00, 0x00, 0x00, // group 0: a general query
]);
// An IGMPv1 router's general query: the max resp time octet is 0 (checked with tshark).
const QUERY_V1 = new Uint8Array([
  0x11, 0x00, 0xee, 0xff, // membership query, 0, checksum 0xeeff
  0x00, 0x00, 0x00, 0x00, // group 0
]);
// A group-specific query for 224.0.0.251, max resp time 1 s (checked with tshark).
const QUERY_GROUP = new Uint8Array([
  0x11, 0x0a, 0x0d, 0xfa, // membership query, max resp time 10, checksum 0x0dfa
  0xe0, 0x00, 0x00, 0xfb, // group 224.0.0.251
]);
// An IGMPv3 general query (RFC 3376 §4.1): 12 octets, checksummed whole (checked with tshark).
const QUERY_V3 = new Uint8Array([
  0x11, 0x64, 0xec, 0x1e, // membership query, max resp code 100, checksum 0xec1e
  0x00, 0x00, 0x00, 0x00, // group 0
  0x02, 0x7d, 0x00, 0x00, // S 0, QRV 2, QQIC 125, no sources
]);
// Version 2 report for 224.0.0.251, as Linux sends it for mDNS (checked with tshark).
const REPORT_V2 = new Uint8Array([
  0x16, 0x00, 0x09, 0x04, // version 2 report, checksum 0x0904
  0xe0, 0x00, 0x00, 0xfb, // group 224.0.0.251
]);
// Version 1 report for 224.0.0.251 (checked with tshark).
const REPORT_V1 = new Uint8Array([
  0x12, 0x00, 0x0d, 0x04, // version 1 report, checksum 0x0d04
  0xe0, 0x00, 0x00, 0xfb, // group 224.0.0.251
]);
// Leave group 224.0.0.251 (checked with tshark).
const LEAVE = new Uint8Array([
  0x17, 0x00, 0x08, 0x04, // leave group, checksum 0x0804
  0xe0, 0x00, 0x00, 0xfb, // group 224.0.0.251
]);

const ALL = [SMOLTCP_LEAVE, SMOLTCP_REPORT, QUERY_V2, QUERY_V1, QUERY_GROUP, QUERY_V3, REPORT_V2, REPORT_V1, LEAVE];
const CAPS = new ChecksumCapabilities();

function caps(c: Checksum): ChecksumCapabilities {
  const k = new ChecksumCapabilities();
  k.igmp = c;
  return k;
}

function packetOf(bytes: Uint8Array | number[], len?: number): IgmpPacket {
  const v = view(bytes);
  return new IgmpPacket(v.bytes, v.dv, 0, len ?? v.bytes.length);
}

function parse(bytes: Uint8Array | number[], c = CAPS): { err: WireError; repr: IgmpRepr } {
  const repr = new IgmpRepr();
  return { err: repr.parse(packetOf(bytes), c), repr };
}

function emitted(repr: IgmpRepr, c = CAPS): string {
  const b = filled(repr.bufferLen() + 2);
  repr.emit(new IgmpPacket(b.bytes, b.dv, 0, repr.bufferLen()), c);
  assert.is(toHex(b.bytes.subarray(8)), "a5 a5", "nothing written past 8 octets");
  return toHex(b.bytes.subarray(0, 8));
}

/** A copy of `bytes` with the checksum refilled after `mutate`. */
function mutated(bytes: Uint8Array, mutate: (p: IgmpPacket) => void): Uint8Array {
  const p = packetOf(bytes);
  mutate(p);
  p.fillChecksum();
  return p.bytes;
}

test("deconstruct", () => {
  const l = packetOf(SMOLTCP_LEAVE);
  assert.is(l.check(), WireError.Ok);
  assert.is(l.msgType(), IgmpMessage.LeaveGroup);
  assert.is(l.maxRespTime(), 0);
  assert.is(l.checksum(), 0x0269);
  assert.is(l.groupAddr(), ipv4Parse("224.0.6.150"));
  assert.is(l.verifyChecksum(), true);
  const r = packetOf(SMOLTCP_REPORT);
  assert.is(r.msgType(), IgmpMessage.MembershipReportV2);
  assert.is(r.checksum(), 0x08da);
  assert.is(r.groupAddr(), ipv4Parse("225.0.0.37"));
  assert.is(r.verifyChecksum(), true);
  const q = packetOf(QUERY_GROUP);
  assert.is(q.msgType(), IgmpMessage.MembershipQuery);
  assert.is(q.maxRespTime(), 10);
  assert.is(q.groupAddr(), ipv4Parse("224.0.0.251"));
  const v3 = packetOf(QUERY_V3);
  assert.is(v3.check(), WireError.Ok);
  assert.is(v3.verifyChecksum(), true, "the checksum covers all 12 octets");
  assert.is(packetOf(QUERY_V3, 8).verifyChecksum(), false);
});

test("construct into a 0xa5-filled buffer", () => {
  const b = filled(8);
  const p = new IgmpPacket(b.bytes, b.dv);
  p.setMsgType(IgmpMessage.LeaveGroup);
  p.setMaxRespTime(0);
  p.setGroupAddr(ipv4Parse("224.0.6.150"));
  p.fillChecksum();
  assert.is(toHex(b.bytes), toHex(SMOLTCP_LEAVE));
  p.setMsgType(IgmpMessage.MembershipReportV2);
  p.setGroupAddr(ipv4Parse("225.0.0.37"));
  p.fillChecksum();
  assert.is(toHex(b.bytes), toHex(SMOLTCP_REPORT));
  p.setMsgType(IgmpMessage.MembershipQuery);
  p.setMaxRespTime(100);
  p.setGroupAddr(0);
  p.setChecksum(0xee9b);
  assert.is(toHex(b.bytes), toHex(QUERY_V2));
});

test("parse", () => {
  const expect: [Uint8Array, number, string, number, number, string][] = [
    [SMOLTCP_LEAVE, IgmpMessage.LeaveGroup, "224.0.6.150", 0, 2, "IGMPv2 leave group group=224.0.6.150"],
    [SMOLTCP_REPORT, IgmpMessage.MembershipReportV2, "225.0.0.37", 0, 2, "IGMPv2 version 2 membership report group=225.0.0.37"],
    [QUERY_V2, IgmpMessage.MembershipQuery, "0.0.0.0", 100, 2, "IGMPv2 membership query group=0.0.0.0 max_resp_time=10s"],
    [QUERY_V1, IgmpMessage.MembershipQuery, "0.0.0.0", 100, 1, "IGMPv1 membership query group=0.0.0.0 max_resp_time=10s"],
    [QUERY_GROUP, IgmpMessage.MembershipQuery, "224.0.0.251", 10, 2, "IGMPv2 membership query group=224.0.0.251 max_resp_time=1s"],
    [QUERY_V3, IgmpMessage.MembershipQuery, "0.0.0.0", 100, 2, "IGMPv2 membership query group=0.0.0.0 max_resp_time=10s"],
    [REPORT_V2, IgmpMessage.MembershipReportV2, "224.0.0.251", 0, 2, "IGMPv2 version 2 membership report group=224.0.0.251"],
    [REPORT_V1, IgmpMessage.MembershipReportV1, "224.0.0.251", 0, 1, "IGMPv1 version 1 membership report group=224.0.0.251"],
    [LEAVE, IgmpMessage.LeaveGroup, "224.0.0.251", 0, 2, "IGMPv2 leave group group=224.0.0.251"],
  ];
  for (const [bytes, message, group, maxRespTime, version, text] of expect) {
    const { err, repr } = parse(bytes);
    assert.is(err, WireError.Ok, text);
    assert.is(repr.message, message, text);
    assert.is(repr.groupAddr, ipv4Parse(group), text);
    assert.is(repr.maxRespTime, maxRespTime, text);
    assert.is(repr.version, version, text);
    assert.is(repr.toString(), text);
  }
});

test("parse: version inference (RFC 2236 §4)", () => {
  // Max resp time 0 in a query: an IGMPv1 router, to be read as 100 (10 s).
  const v1 = parse(QUERY_V1).repr;
  assert.is(v1.version, IgmpVersion.Version1);
  assert.is(v1.maxRespTime, IGMP_V1_MAX_RESP_TIME);
  assert.is(IGMP_V1_MAX_RESP_TIME, 100);
  // Any non-zero value: IGMPv2, read linearly in tenths of a second, 255 included.
  for (const t of [1, 127, 128, 255]) {
    const r = parse(mutated(QUERY_V2, (p) => p.setMaxRespTime(t))).repr;
    assert.is(r.version, IgmpVersion.Version2, "max resp time " + t);
    assert.is(r.maxRespTime, t);
  }
  // A report or leave ignores the field (RFC 2236 §2.2).
  const r = parse(mutated(REPORT_V2, (p) => p.setMaxRespTime(50))).repr;
  assert.is(r.maxRespTime, 0);
  assert.is(r.version, IgmpVersion.Version2);
  const l = parse(mutated(REPORT_V1, (p) => p.setMaxRespTime(50))).repr;
  assert.is(l.version, IgmpVersion.Version1);
});

test("parse: group addresses that do not fit the message are malformed", () => {
  const cases: [string, Uint8Array, string][] = [
    ["query for a unicast address", QUERY_V2, "192.168.69.1"],
    ["query for the broadcast address", QUERY_V2, "255.255.255.255"],
    ["report for no group", REPORT_V2, "0.0.0.0"],
    ["v1 report for a unicast address", REPORT_V1, "10.0.0.1"],
    ["leave for no group", LEAVE, "0.0.0.0"],
    ["leave for 240.0.0.1", LEAVE, "240.0.0.1"],
  ];
  for (const [name, bytes, group] of cases) {
    assert.is(parse(mutated(bytes, (p) => p.setGroupAddr(ipv4Parse(group)))).err, WireError.Malformed, name);
  }
  // The edges of 224.0.0.0/4 are multicast.
  for (const group of ["224.0.0.0", "239.255.255.255"]) {
    assert.is(parse(mutated(REPORT_V2, (p) => p.setGroupAddr(ipv4Parse(group)))).err, WireError.Ok, group);
  }
});

test("parse: other types are unsupported", () => {
  for (const type of [0x00, 0x10, 0x13, 0x14, 0x15, 0x18, 0x1e, 0x1f, 0x22, 0x31, 0xff]) {
    assert.is(parse(mutated(REPORT_V2, (p) => p.setMsgType(type))).err, WireError.Unsupported, "type " + type);
  }
});

test("emit", () => {
  assert.is(emitted(new IgmpRepr().leave(ipv4Parse("224.0.6.150"))), toHex(SMOLTCP_LEAVE));
  assert.is(emitted(new IgmpRepr().report(ipv4Parse("225.0.0.37"), IgmpVersion.Version2)), toHex(SMOLTCP_REPORT));
  assert.is(emitted(new IgmpRepr().query(0, 100, IgmpVersion.Version2)), toHex(QUERY_V2));
  assert.is(emitted(new IgmpRepr().query(0, 100, IgmpVersion.Version1)), toHex(QUERY_V1));
  assert.is(emitted(new IgmpRepr().query(ipv4Parse("224.0.0.251"), 10, IgmpVersion.Version2)), toHex(QUERY_GROUP));
  assert.is(emitted(new IgmpRepr().report(ipv4Parse("224.0.0.251"), IgmpVersion.Version2)), toHex(REPORT_V2));
  assert.is(emitted(new IgmpRepr().report(ipv4Parse("224.0.0.251"), IgmpVersion.Version1)), toHex(REPORT_V1));
  assert.is(emitted(new IgmpRepr().leave(ipv4Parse("224.0.0.251"))), toHex(LEAVE));
  const r = new IgmpRepr();
  assert.is(r.headerLen(), 8);
  assert.is(r.bufferLen(), 8);
});

test("emit: max resp time", () => {
  const r = new IgmpRepr().query(0, 0, IgmpVersion.Version1);
  assert.is(r.maxRespTime, 100);
  // A version 1 query carries 0 whatever the repr holds.
  r.maxRespTime = 55;
  assert.is(emitted(r), toHex(QUERY_V1));
  // A version 2 query carries 1..255: 0 would make it a version 1 query.
  const v2 = new IgmpRepr().query(0, 0, IgmpVersion.Version2);
  assert.is(emitted(v2).slice(0, 5), "11 01");
  v2.maxRespTime = 300;
  assert.is(emitted(v2).slice(0, 5), "11 ff");
  // Reports and leaves carry 0 (RFC 2236 §2.2).
  const rep = new IgmpRepr().report(ipv4Parse("224.0.0.251"), IgmpVersion.Version2);
  rep.maxRespTime = 77;
  assert.is(emitted(rep), toHex(REPORT_V2));
});

test("emit then parse round-trip, every variant", () => {
  for (const fixture of ALL) {
    const first = parse(fixture);
    assert.is(first.err, WireError.Ok, toHex(fixture));
    const b = filled(8);
    first.repr.emit(new IgmpPacket(b.bytes, b.dv), CAPS);
    if (fixture.length === 8) assert.is(toHex(b.bytes), toHex(fixture));
    const second = parse(b.bytes);
    assert.is(second.err, WireError.Ok);
    assert.equal(second.repr, first.repr);
  }
  const reprs = [
    new IgmpRepr().query(0, 1, IgmpVersion.Version2),
    new IgmpRepr().query(ipv4Parse("239.255.255.250"), 255, IgmpVersion.Version2),
    new IgmpRepr().query(ipv4Parse("224.0.0.1"), 100, IgmpVersion.Version1),
    new IgmpRepr().report(ipv4Parse("239.255.255.250"), IgmpVersion.Version1),
    new IgmpRepr().report(ipv4Parse("224.0.0.0"), IgmpVersion.Version2),
    new IgmpRepr().leave(ipv4Parse("239.1.2.3")),
  ];
  for (const r of reprs) {
    const b = filled(8);
    r.emit(new IgmpPacket(b.bytes, b.dv), CAPS);
    const back = parse(b.bytes);
    assert.is(back.err, WireError.Ok, r.toString());
    assert.equal(back.repr, r, r.toString());
  }
});

test("impossible length: every truncated prefix", () => {
  for (const fixture of ALL) {
    for (let n = 0; n < 8; n++) {
      const p = packetOf(fixture.slice(0, n));
      assert.is(p.check(), WireError.Truncated, "length " + n);
      assert.is(new IgmpRepr().parse(p, CAPS), WireError.Truncated, toHex(fixture) + " length " + n);
      assert.is(new IgmpRepr().parse(p, ChecksumCapabilities.ignored()), WireError.Truncated);
    }
  }
  // The IGMPv3 query cut to 8 or 9 octets loses QRV/QQIC and the checksum no longer verifies;
  // cut to 10 or 11 it loses only zero octets, which add nothing to the sum.
  for (let n = 8; n < 12; n++) {
    assert.is(parse(QUERY_V3.slice(0, n)).err, n < 10 ? WireError.Checksum : WireError.Ok, "length " + n);
    assert.is(parse(QUERY_V3.slice(0, n), ChecksumCapabilities.ignored()).err, WireError.Ok, "length " + n);
  }
});

test("checksum: every corrupted octet is detected", () => {
  for (const fixture of ALL) {
    for (let i = 0; i < fixture.length; i++) {
      const v = view(fixture);
      v.bytes[i] ^= 0x01;
      const p = new IgmpPacket(v.bytes, v.dv);
      assert.is(p.verifyChecksum(), false, toHex(fixture) + " octet " + i);
      assert.is(new IgmpRepr().parse(p, CAPS), WireError.Checksum, toHex(fixture) + " octet " + i);
    }
  }
});

test("checksum: capabilities", () => {
  const bad = view(REPORT_V2);
  bad.bytes[7] = 0xfc; // group changed, checksum stale
  const p = new IgmpPacket(bad.bytes, bad.dv);
  assert.is(new IgmpRepr().parse(p, caps(Checksum.Both)), WireError.Checksum);
  assert.is(new IgmpRepr().parse(p, caps(Checksum.Rx)), WireError.Checksum);
  const r = new IgmpRepr();
  assert.is(r.parse(p, caps(Checksum.Tx)), WireError.Ok);
  assert.is(r.groupAddr, ipv4Parse("224.0.0.252"));
  assert.is(new IgmpRepr().parse(p, caps(Checksum.None)), WireError.Ok);
  const k = ChecksumCapabilities.ignored();
  k.igmp = Checksum.Rx;
  assert.is(new IgmpRepr().parse(p, k), WireError.Checksum);

  const rep = new IgmpRepr().report(ipv4Parse("224.0.0.251"), IgmpVersion.Version2);
  assert.is(emitted(rep, caps(Checksum.Both)), toHex(REPORT_V2));
  assert.is(emitted(rep, caps(Checksum.Tx)), toHex(REPORT_V2));
  assert.is(emitted(rep, caps(Checksum.Rx)), "16 00 00 00 e0 00 00 fb");
  assert.is(emitted(rep, caps(Checksum.None)), "16 00 00 00 e0 00 00 fb");
});

test("checksum: zero and 0xffff", () => {
  // 0x1600 + 0xe000 + 0x09ff = 0xffff: the checksum of a report for 224.0.9.255 is 0.
  const rep = new IgmpRepr().report(ipv4Parse("224.0.9.255"), IgmpVersion.Version2);
  const zero = emitted(rep);
  assert.is(zero, "16 00 00 00 e0 00 09 ff");
  const bytes = new Uint8Array([0x16, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x09, 0xff]);
  assert.is(parse(bytes).err, WireError.Ok);
  // Its other one's complement form, 0xffff, verifies too.
  bytes[2] = 0xff;
  bytes[3] = 0xff;
  assert.is(parse(bytes).err, WireError.Ok);
  // An all-zero message does not verify (its checksum would be 0xffff).
  assert.is(parse(new Uint8Array(8)).err, WireError.Checksum);
});

/** The IGMP message inside a captured Ethernet/IPv4 frame (after the Router Alert option). */
function linuxIgmp(frame: Uint8Array): IgmpPacket {
  const v = view(frame);
  const ip = new Ipv4Packet(v.bytes, v.dv, 14, v.bytes.length - 14);
  return new IgmpPacket(v.bytes, v.dv, ip.payloadOffset(), ip.payloadLen());
}

test("real Linux frames: IGMPv2 report and leave parse and re-emit byte for byte", () => {
  for (const [frame, message] of [[LINUX_IGMPV2_REPORT, IgmpMessage.MembershipReportV2], [LINUX_IGMPV2_LEAVE, IgmpMessage.LeaveGroup]] as const) {
    const p = linuxIgmp(frame);
    const r = new IgmpRepr();
    assert.is(r.parse(p, CAPS), WireError.Ok);
    assert.is(r.message, message);
    assert.is(r.groupAddr, ipv4Parse("224.0.0.251"));
    assert.is(r.version, IgmpVersion.Version2);
    assert.is(emitted(r), toHex(p.bytes.subarray(p.off, p.off + p.len)));
  }
  // Linux's IGMPv3 report (type 0x22) is not IGMPv2: unsupported, never misread.
  assert.is(new IgmpRepr().parse(linuxIgmp(LINUX_IGMPV3_REPORT), CAPS), WireError.Unsupported);
});

test.run();
