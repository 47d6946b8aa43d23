import { test } from "uvu";
import * as assert from "uvu/assert";
import { WireError } from "../../src/wire/error.js";
import { IpProtocol } from "../../src/wire/ip.js";
import { Ipv6Packet } from "../../src/wire/ipv6.js";
import {
  IPV6_EXT_DEFAULT_MAX_HEADERS,
  Ipv6ExtHeader,
  Ipv6ExtWalker,
  Ipv6FragmentHeader,
  Ipv6FragmentRepr,
  Ipv6HopByHopRepr,
  Ipv6OptionAction,
  Ipv6OptionCursor,
  Ipv6OptionType,
  Ipv6RouterAlert,
  ipv6IsExtensionHeader,
} from "../../src/wire/ipv6-ext.js";
import { filled, toHex, view } from "../support/bytes.js";

// Real packets, captured from Linux on a veth pair (Ethernet header left out).

// UDP "hbh" to port 33435 with a Hop-by-Hop header set through IPV6_HOPOPTS: one option of the
// unassigned type 0x88 (action 10: discard and send Parameter Problem code 2). Linux answered
// with Parameter Problem code 2, pointer 42: the offset of that option's type octet.
const HBH_UNKNOWN_OPTION = new Uint8Array([
  0x60, 0x0a, 0xe0, 0x7e, 0x00, 0x13, 0x00, 0x40, // len 19, next header Hop-by-Hop, hop limit 64
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // source 2001:db8:1::2
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // destination 2001:db8:1::1
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0x11, 0x00, 0x88, 0x02, 0xab, 0xcd, 0x01, 0x00, // HbH: next UDP, len 0; option 0x88 (2 octets); PadN(0)
  0xaf, 0x28, 0x82, 0x9b, 0x00, 0x0b, 0xa2, 0x3a, // UDP 44840 -> 33435, len 11, checksum
  0x68, 0x62, 0x68, //                               "hbh"
]);

// The same through IPV6_DSTOPTS: a Destination Options header with option 0x3e (action 00: skip).
// Linux skipped it and answered Port Unreachable.
const DSTOPT_SKIP_OPTION = new Uint8Array([
  0x60, 0x0a, 0x24, 0x0f, 0x00, 0x13, 0x3c, 0x40, // len 19, next header Destination Options, hop limit 64
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // source 2001:db8:1::2
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // destination 2001:db8:1::1
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0x11, 0x00, 0x3e, 0x02, 0x00, 0x00, 0x01, 0x00, // DstOpts: next UDP, len 0; option 0x3e (2 octets); PadN(0)
  0xd0, 0x8d, 0x82, 0x9c, 0x00, 0x0b, 0x78, 0xc3, // UDP 53389 -> 33436, len 11, checksum
  0x64, 0x73, 0x74, //                               "dst"
]);

// An MLDv2 report from Linux: the Hop-by-Hop header with Router Alert (MLD) this stack emits too.
const MLD_REPORT = new Uint8Array([
  0x60, 0x00, 0x00, 0x00, 0x00, 0x38, 0x00, 0x01, // len 56, next header Hop-by-Hop, hop limit 1
  0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // source fe80::5054:ff:fe12:3456
  0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,
  0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // destination ff02::16
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16,
  0x3a, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00, // HbH: next ICMPv6, len 0; Router Alert 0 (MLD); PadN(0)
  0x8f, 0x00, 0xb6, 0xc8, 0x00, 0x00, 0x00, 0x02, // MLDv2 report, 2 records
  0x04, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00, // record: change to exclude, ff02::1:ff00:2
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0xff, 0x00, 0x00, 0x02, 0x04, 0x00, 0x00, 0x00, // record: change to exclude, ff02::1:ff12:3456
  0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x01, 0xff, 0x12, 0x34, 0x56,
]);

// A raw IPv6 packet with the unassigned next header 253 (as quoted back by Linux in its Parameter
// Problem code 1, pointer 6: the fixed header's Next Header field).
const UNKNOWN_NEXT_HEADER = new Uint8Array([
  0x60, 0x0d, 0x48, 0xac, 0x00, 0x08, 0xfd, 0x40, // len 8, next header 253, hop limit 64
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // source 2001:db8:1::2
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // destination 2001:db8:1::1
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 8 octets of zeros
]);

// A Fragment header built from RFC 8200 §4.5: next UDP, offset 1448 octets (181 units), M set,
// identification 0xdeadbeef.
const FRAGMENT_HEADER = new Uint8Array([
  0x11, 0x00, 0x05, 0xa9, 0xde, 0xad, 0xbe, 0xef,
]);

/** An IPv6 packet with the addresses of the captures, Next Header `nh` and payload `body`. */
function packetBytes(nh: number, body: number[]): Uint8Array {
  const b = new Uint8Array(40 + body.length);
  b.set(HBH_UNKNOWN_OPTION.subarray(0, 40));
  b[4] = body.length >>> 8;
  b[5] = body.length & 0xff;
  b[6] = nh;
  b.set(body, 40);
  return b;
}

function packetOf(bytes: Uint8Array, len = bytes.length): Ipv6Packet {
  const v = view(bytes);
  return new Ipv6Packet(v.bytes, v.dv, 0, len);
}

/** Starts a walk over a whole packet. */
function walkerOf(bytes: Uint8Array, max?: number): Ipv6ExtWalker {
  const p = packetOf(bytes);
  assert.is(p.check(), WireError.Ok, "fixture packet checks");
  return new Ipv6ExtWalker(max).resetPacket(p);
}

test("extension header view: deconstruct", () => {
  const v = view(HBH_UNKNOWN_OPTION);
  const h = new Ipv6ExtHeader(v.bytes, v.dv, 40, 19);
  assert.is(h.check(), WireError.Ok);
  assert.is(h.nextHeader(), IpProtocol.Udp);
  assert.is(h.hdrExtLen(), 0);
  assert.is(h.headerLen(), 8);
  assert.is(h.dataOffset(), 42);
  assert.is(h.dataLen(), 6);
  for (let n = 0; n < 8; n++) assert.is(h.reset(v.bytes, v.dv, 40, n).check(), WireError.Truncated, "length " + n);
  v.bytes[41] = 1;
  assert.is(h.reset(v.bytes, v.dv, 40, 19).headerLen(), 16);
  assert.is(h.check(), WireError.Ok, "16 octets announced, 19 available");
  assert.is(h.reset(v.bytes, v.dv, 40, 15).check(), WireError.Truncated, "16 octets announced, 15 available");
});

test("extension header view: construct into a 0xa5-filled buffer", () => {
  const v = filled(8);
  const h = new Ipv6ExtHeader(v.bytes, v.dv);
  h.setNextHeader(IpProtocol.Udp);
  h.setHdrExtLen(0);
  v.bytes.set([0x88, 0x02, 0xab, 0xcd, 0x01, 0x00], h.dataOffset());
  assert.equal(v.bytes, HBH_UNKNOWN_OPTION.subarray(40, 48));
  const r = filled(8);
  const rh = new Ipv6ExtHeader(r.bytes, r.dv);
  rh.setNextHeader(IpProtocol.Tcp);
  rh.setHdrExtLen(0);
  rh.setRoutingType(4);
  rh.setSegmentsLeft(0);
  assert.equal([...r.bytes], [6, 0, 4, 0, 0xa5, 0xa5, 0xa5, 0xa5]);
  assert.is(rh.routingType(), 4);
  assert.is(rh.segmentsLeft(), 0);
});

test("option cursor: a real unrecognized option, and the padding after it", () => {
  const v = view(HBH_UNKNOWN_OPTION);
  const cur = new Ipv6OptionCursor().resetHeader(new Ipv6ExtHeader(v.bytes, v.dv, 40, 19));
  assert.ok(cur.next());
  assert.is(cur.type, 0x88);
  assert.is(cur.optionOffset, 42);
  assert.is(cur.dataOffset, 44);
  assert.is(cur.dataLen, 2);
  assert.is(cur.action(), Ipv6OptionAction.DiscardAndReport);
  assert.not.ok(cur.isMutable());
  assert.not.ok(cur.next(), "PadN is consumed, not reported");
  assert.is(cur.type, -1);
  assert.is(cur.error, WireError.Ok);
});

test("option cursor: Pad1, PadN, Router Alert and the four actions", () => {
  const area = [
    0x00, //                   Pad1
    0x01, 0x01, 0x00, //       PadN, 1 octet
    0x05, 0x02, 0x00, 0x01, // Router Alert, RSVP
    0x07, 0x00, //             unknown, action 00
    0x47, 0x01, 0xee, //       unknown, action 01
    0x87, 0x00, //             unknown, action 10
    0xc7, 0x00, //             unknown, action 11
    0x27, 0x00, //             unknown, action 00, mutable
    0x00, 0x00, //             Pad1 x2
  ];
  const v = view(area);
  const cur = new Ipv6OptionCursor().reset(v.bytes, v.dv, 0, area.length);
  const seen: number[][] = [];
  while (cur.next()) seen.push([cur.type, cur.optionOffset, cur.dataLen, cur.action(), cur.isMutable() ? 1 : 0]);
  assert.is(cur.error, WireError.Ok);
  assert.equal(seen, [
    [Ipv6OptionType.RouterAlert, 4, 2, Ipv6OptionAction.Skip, 0],
    [0x07, 8, 0, Ipv6OptionAction.Skip, 0],
    [0x47, 10, 1, Ipv6OptionAction.Discard, 0],
    [0x87, 13, 0, Ipv6OptionAction.DiscardAndReport, 0],
    [0xc7, 15, 0, Ipv6OptionAction.DiscardAndReportUnlessMulticast, 0],
    [0x27, 17, 0, Ipv6OptionAction.Skip, 1],
  ]);
});

test("option cursor: options that run past the area are Truncated", () => {
  const cases: number[][] = [
    [0x05], //                     a type with no length octet
    [0x05, 0x02, 0x00], //         two octets announced, one present
    [0x01, 0x05, 0x00, 0x00], //   PadN overrunning
    [0x00, 0x00, 0x88, 0xff], //   255 octets announced
  ];
  for (const area of cases) {
    const v = view(area);
    const cur = new Ipv6OptionCursor().reset(v.bytes, v.dv, 0, area.length);
    while (cur.next()) { /* skip */ }
    assert.is(cur.error, WireError.Truncated, toHex(new Uint8Array(area)));
  }
});

test("Hop-by-Hop repr: parse a real unrecognized option; the pointer Linux sent", () => {
  const v = view(HBH_UNKNOWN_OPTION);
  const repr = new Ipv6HopByHopRepr();
  assert.is(repr.parse(new Ipv6ExtHeader(v.bytes, v.dv, 40, 19)), WireError.Ok);
  assert.is(repr.nextHeader, IpProtocol.Udp);
  assert.is(repr.routerAlert, -1);
  assert.is(repr.unrecognizedType, 0x88);
  assert.is(repr.unrecognizedOffset - 0, 42, "Parameter Problem pointer (IPv6 header at 0)");
  assert.is(repr.toString(), "IPv6-Opts nxt=UDP unrecognized=0x88");
});

test("Destination Options repr: an unrecognized option with action 00 is skipped", () => {
  const v = view(DSTOPT_SKIP_OPTION);
  const repr = new Ipv6HopByHopRepr();
  assert.is(repr.parse(new Ipv6ExtHeader(v.bytes, v.dv, 40, 19)), WireError.Ok);
  assert.is(repr.nextHeader, IpProtocol.Udp);
  assert.is(repr.unrecognizedType, -1);
});

test("Hop-by-Hop repr: parse a real Router Alert (MLD)", () => {
  const v = view(MLD_REPORT);
  const repr = new Ipv6HopByHopRepr();
  assert.is(repr.parse(new Ipv6ExtHeader(v.bytes, v.dv, 40, 56)), WireError.Ok);
  assert.is(repr.nextHeader, IpProtocol.Icmpv6);
  assert.is(repr.routerAlert, Ipv6RouterAlert.Mld);
  assert.is(repr.unrecognizedType, -1);
  assert.is(repr.toString(), "IPv6-Opts nxt=ICMPv6 router_alert=0");
});

test("Hop-by-Hop repr: emit Router Alert: exact bytes of Linux's MLD header", () => {
  const repr = new Ipv6HopByHopRepr();
  repr.nextHeader = IpProtocol.Icmpv6;
  repr.routerAlert = Ipv6RouterAlert.Mld;
  const v = filled(10);
  repr.emit(new Ipv6ExtHeader(v.bytes, v.dv, 0, 10));
  assert.equal(v.bytes.subarray(0, 8), MLD_REPORT.subarray(40, 48));
  assert.equal([...v.bytes.subarray(8)], [0xa5, 0xa5], "nothing written after the header");
  assert.is(repr.headerLen(), 8);
  assert.is(repr.bufferLen(), 8);
});

test("Hop-by-Hop repr: emit without options is PadN(4), round-trip", () => {
  const repr = new Ipv6HopByHopRepr();
  repr.nextHeader = IpProtocol.Udp;
  const v = filled(8);
  const h = new Ipv6ExtHeader(v.bytes, v.dv, 0, 8);
  repr.emit(h);
  assert.equal([...v.bytes], [0x11, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00]);
  const back = new Ipv6HopByHopRepr();
  back.routerAlert = 7;
  assert.is(back.parse(h), WireError.Ok);
  assert.is(back.nextHeader, IpProtocol.Udp);
  assert.is(back.routerAlert, -1, "parse forgets the previous packet's values");
  repr.routerAlert = 0xfffe;
  repr.emit(h);
  assert.is(back.parse(h), WireError.Ok);
  assert.is(back.routerAlert, 0xfffe);
});

test("Hop-by-Hop repr: a Router Alert of the wrong length is Malformed; overruns are Truncated", () => {
  let v = view([0x11, 0x00, 0x05, 0x03, 0x00, 0x00, 0x00, 0x00]);
  assert.is(new Ipv6HopByHopRepr().parse(new Ipv6ExtHeader(v.bytes, v.dv)), WireError.Malformed);
  v = view([0x11, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x01]);
  assert.is(new Ipv6HopByHopRepr().parse(new Ipv6ExtHeader(v.bytes, v.dv)), WireError.Truncated, "PadN of 1 in 0");
  v = view([0x11, 0x01, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00]);
  assert.is(new Ipv6HopByHopRepr().parse(new Ipv6ExtHeader(v.bytes, v.dv)), WireError.Truncated, "16 octets in 8");
  for (let n = 0; n < 8; n++) {
    const t = view(MLD_REPORT.subarray(40, 40 + n));
    assert.is(new Ipv6HopByHopRepr().parse(new Ipv6ExtHeader(t.bytes, t.dv)), WireError.Truncated, "length " + n);
  }
});

test("walk: real packets", () => {
  let w = walkerOf(HBH_UNKNOWN_OPTION);
  assert.ok(w.atExtensionHeader());
  assert.is(w.walk(), WireError.Ok);
  assert.is(w.nextHeader, IpProtocol.Udp);
  assert.is(w.offset, 48);
  assert.is(w.remaining(), 11);
  assert.is(w.count, 1);
  assert.equal([w.headerType, w.headerOffset, w.headerLen], [IpProtocol.HopByHop, 40, 8]);
  assert.is(w.nextHeaderField, 40);

  w = walkerOf(DSTOPT_SKIP_OPTION);
  assert.is(w.walk(), WireError.Ok);
  assert.equal([w.nextHeader, w.offset, w.remaining(), w.count, w.headerType], [IpProtocol.Udp, 48, 11, 1, IpProtocol.Ipv6Opts]);

  w = walkerOf(MLD_REPORT);
  assert.is(w.walk(), WireError.Ok);
  assert.equal([w.nextHeader, w.offset, w.remaining(), w.count], [IpProtocol.Icmpv6, 48, 48, 1]);

  // No extension header: the walk is empty and points at the fixed header's Next Header field,
  // which is where Linux's code 1 Parameter Problem pointed (6).
  w = walkerOf(UNKNOWN_NEXT_HEADER);
  assert.not.ok(w.atExtensionHeader());
  assert.is(w.walk(), WireError.Ok);
  assert.equal([w.nextHeader, w.offset, w.remaining(), w.count, w.headerType], [253, 40, 8, 0, -1]);
  assert.is(w.nextHeaderField - w.ipOff, 6);
});

test("walk: step by step over Hop-by-Hop, Destination, Routing (segments left 0), atomic Fragment", () => {
  // Built from RFC 8200 §4.3 to §4.6 (tshark decodes every header of it without complaint).
  const body = [
    60, 0, 0x01, 0x04, 0, 0, 0, 0, //                        HbH -> DstOpts, PadN(4)
    43, 1, 0x01, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // DstOpts (16 octets) -> Routing, PadN(12)
    44, 0, 253, 0, 0, 0, 0, 0, //                            Routing type 253 (RFC 4727), segments left 0 -> Fragment
    17, 0, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78, //            atomic Fragment -> UDP, id 0x12345678
    0x12, 0x34, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00, //       UDP header
  ];
  const w = walkerOf(packetBytes(IpProtocol.HopByHop, body));
  const steps: number[][] = [];
  while (w.atExtensionHeader()) {
    assert.is(w.step(), WireError.Ok);
    steps.push([w.headerType, w.headerOffset, w.headerLen, w.nextHeader]);
  }
  assert.equal(steps, [
    [IpProtocol.HopByHop, 40, 8, IpProtocol.Ipv6Opts],
    [IpProtocol.Ipv6Opts, 48, 16, IpProtocol.Ipv6Route],
    [IpProtocol.Ipv6Route, 64, 8, IpProtocol.Ipv6Frag],
    [IpProtocol.Ipv6Frag, 72, 8, IpProtocol.Udp],
  ]);
  assert.is(w.count, 4);
  assert.is(w.offset, 80);
  assert.is(w.remaining(), 8);
  assert.is(w.fragmentOffset, 72);
  assert.is(w.problemCode, -1);
  assert.is(w.step(), WireError.Ok, "stepping at the upper layer does nothing");
  assert.is(w.count, 4);
});

test("walk: a Routing header with segments left is Unsupported, Parameter Problem code 0 at Routing Type", () => {
  const w = walkerOf(packetBytes(IpProtocol.Ipv6Opts, [
    43, 0, 0x01, 0x04, 0, 0, 0, 0, //  DstOpts -> Routing
    17, 0, 0, 1, 0, 0, 0, 0, //         Routing type 0 (deprecated), segments left 1
    0, 0, 0, 0, 0, 0, 0, 0,
  ]));
  assert.is(w.walk(), WireError.Unsupported);
  assert.is(w.problemCode, 0);
  assert.is(w.problemPointer, 50);
});

test("walk: fragments are Unsupported (no reassembly), atomic ones pass", () => {
  for (const [word, expect] of [[0x0001, WireError.Unsupported], [0x05a8, WireError.Unsupported], [0x05a9, WireError.Unsupported], [0x0006, WireError.Ok]]) {
    const w = walkerOf(packetBytes(IpProtocol.Ipv6Frag, [17, 0, word >>> 8, word & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
    assert.is(w.walk(), expect, "offset/flags word 0x" + word.toString(16));
    assert.is(w.fragmentOffset, 40);
    assert.is(w.problemCode, -1);
  }
});

test("walk: Hop-by-Hop anywhere but first is Malformed, code 1 at the Next Header naming it", () => {
  const w = walkerOf(packetBytes(IpProtocol.Ipv6Opts, [
    0, 0, 0x01, 0x04, 0, 0, 0, 0, //   DstOpts -> HopByHop
    17, 0, 0x01, 0x04, 0, 0, 0, 0, //  HbH -> UDP
  ]));
  assert.is(w.walk(), WireError.Malformed);
  assert.is(w.problemCode, 1);
  assert.is(w.problemPointer, 40);
});

test("impossible length: chains that overrun the payload are Truncated", () => {
  const cases: [number, number[]][] = [
    [IpProtocol.HopByHop, []], //                               nothing where a header is announced
    [IpProtocol.HopByHop, [17]], //                             one octet
    [IpProtocol.Ipv6Opts, [17, 0, 1, 4, 0, 0, 0]], //           seven octets
    [IpProtocol.Ipv6Opts, [17, 1, 1, 4, 0, 0, 0, 0]], //        16 announced, 8 present
    [IpProtocol.Ipv6Opts, [17, 255, 1, 4, 0, 0, 0, 0]], //      2048 announced
    [IpProtocol.Ipv6Frag, [17, 0, 0, 0, 0, 0, 0]], //           Fragment of seven octets
    [IpProtocol.Ipv6Route, [60, 0, 0, 0, 0, 0, 0, 0, 17]], //   second header of one octet
  ];
  for (const [nh, body] of cases) {
    const w = walkerOf(packetBytes(nh, body));
    assert.is(w.walk(), WireError.Truncated, toHex(new Uint8Array(body)));
    assert.is(w.problemCode, -1);
  }
});

test("impossible length: every truncated payload of the real packets", () => {
  for (const fixture of [HBH_UNKNOWN_OPTION, DSTOPT_SKIP_OPTION, MLD_REPORT]) {
    const p = packetOf(fixture);
    for (let n = 0; n < 8; n++) {
      const w = new Ipv6ExtWalker().reset(p.bytes, p.dv, 40, n, p.nextHeader());
      assert.is(w.walk(), WireError.Truncated, "payload length " + n);
    }
  }
});

test("the walk measures by Payload Length, not by the buffer", () => {
  const padded = new Uint8Array(MLD_REPORT.length + 20);
  padded.set(MLD_REPORT);
  const w = walkerOf(padded);
  assert.is(w.walk(), WireError.Ok);
  assert.is(w.remaining(), 48);
});

test("a chain of 1000 Destination Options headers ends: Unsupported past the bound", () => {
  const body: number[] = [];
  for (let i = 0; i < 1000; i++) body.push(i === 999 ? 17 : 60, 0, 1, 4, 0, 0, 0, 0);
  body.push(0, 0, 0, 0, 0, 0, 0, 0);
  const bytes = packetBytes(IpProtocol.Ipv6Opts, body);
  const w = walkerOf(bytes);
  assert.is(w.walk(), WireError.Unsupported);
  assert.is(w.count, IPV6_EXT_DEFAULT_MAX_HEADERS);
  assert.is(w.problemCode, -1);
  // With the bound lifted the walk still ends, at the UDP header after 1000 steps.
  const all = walkerOf(bytes, 100000);
  assert.is(all.walk(), WireError.Ok);
  assert.is(all.count, 1000);
  assert.is(all.nextHeader, IpProtocol.Udp);
  assert.is(all.remaining(), 8);
  // The same chain cut short: Truncated, whatever the bound.
  const cut = packetOf(bytes);
  const w2 = new Ipv6ExtWalker(100000).reset(cut.bytes, cut.dv, 40, 4000 + 3, IpProtocol.Ipv6Opts);
  assert.is(w2.walk(), WireError.Truncated);
});

test("a chain of 1000 Hop-by-Hop headers is Malformed at the second", () => {
  const body: number[] = [];
  for (let i = 0; i < 1000; i++) body.push(i === 999 ? 17 : 0, 0, 1, 4, 0, 0, 0, 0);
  const w = walkerOf(packetBytes(IpProtocol.HopByHop, body), 100000);
  assert.is(w.walk(), WireError.Malformed);
  assert.is(w.count, 1);
  assert.is(w.problemCode, 1);
  assert.is(w.problemPointer, 40);
});

test("Fragment header: deconstruct, construct, parse, emit", () => {
  const v = view(FRAGMENT_HEADER);
  const h = new Ipv6FragmentHeader(v.bytes, v.dv);
  assert.is(h.check(), WireError.Ok);
  assert.is(h.nextHeader(), IpProtocol.Udp);
  assert.is(h.fragmentOffset(), 1448);
  assert.ok(h.moreFragments());
  assert.is(h.ident(), 0xdeadbeef | 0);

  const c = filled(8);
  const ch = new Ipv6FragmentHeader(c.bytes, c.dv);
  ch.setNextHeader(IpProtocol.Udp);
  ch.clearReserved();
  ch.setFragmentOffset(1448, true);
  ch.setIdent(0xdeadbeef | 0);
  assert.equal(c.bytes, FRAGMENT_HEADER);

  const repr = new Ipv6FragmentRepr();
  assert.is(repr.parse(h), WireError.Ok);
  assert.equal([repr.nextHeader, repr.fragmentOffset, repr.moreFragments, repr.ident], [17, 1448, true, 0xdeadbeef | 0]);
  assert.not.ok(repr.isAtomic());
  assert.is(repr.toString(), "IPv6-Frag nxt=UDP off=1448 mf id=0xdeadbeef");
  const e = filled(9);
  repr.emit(new Ipv6FragmentHeader(e.bytes, e.dv));
  assert.equal(e.bytes.subarray(0, 8), FRAGMENT_HEADER);
  assert.is(e.bytes[8], 0xa5);
  assert.is(repr.bufferLen(), 8);

  repr.fragmentOffset = 0;
  repr.moreFragments = false;
  repr.emit(new Ipv6FragmentHeader(e.bytes, e.dv));
  const back = new Ipv6FragmentRepr();
  assert.is(back.parse(new Ipv6FragmentHeader(e.bytes, e.dv, 0, 8)), WireError.Ok);
  assert.ok(back.isAtomic());
  for (let n = 0; n < 8; n++) assert.is(back.parse(new Ipv6FragmentHeader(v.bytes, v.dv, 0, n)), WireError.Truncated);
});

test("which next headers are walked", () => {
  assert.equal([0, 43, 44, 60].map(ipv6IsExtensionHeader), [true, true, true, true]);
  assert.equal([6, 17, 50, 51, 58, 59, 135, 253].map(ipv6IsExtensionHeader), [false, false, false, false, false, false, false, false]);
});

test("walk never throws on random payloads", () => {
  const w = new Ipv6ExtWalker(4);
  const hbh = new Ipv6HopByHopRepr();
  let seed = 0x12345678;
  for (let i = 0; i < 1000; i++) {
    const n = i % 64;
    const b = new Uint8Array(40 + n);
    for (let j = 40; j < b.length; j++) {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      b[j] = (seed >>> 24) % 3 === 0 ? [0, 43, 44, 60][(seed >>> 8) & 3] : (seed >>> 16) & 0xff;
    }
    const v = view(b);
    w.reset(v.bytes, v.dv, 40, n, [0, 43, 44, 60][i & 3]);
    while (w.atExtensionHeader()) {
      if (w.step() !== WireError.Ok) break;
      if (w.headerType === 0 || w.headerType === 60) {
        const err = hbh.parse(new Ipv6ExtHeader(v.bytes, v.dv, w.headerOffset, w.headerLen));
        assert.ok(err >= 0 && err <= 4);
      }
    }
    assert.ok(w.offset <= w.end);
  }
});

test.run();
