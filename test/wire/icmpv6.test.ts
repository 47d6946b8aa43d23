import { test } from "uvu";
import * as assert from "uvu/assert";
import { WireError } from "../../src/wire/error.js";
import { Checksum, ChecksumCapabilities } from "../../src/wire/checksum.js";
import { IpProtocol, Ipv6Address } from "../../src/wire/ip.js";
import {
  ICMPV6_ERROR_MAX_QUOTE,
  ICMPV6_HEADER_LEN,
  Icmpv6DstUnreachable,
  Icmpv6Message,
  Icmpv6Packet,
  Icmpv6ParamProblem,
  Icmpv6Repr,
  Icmpv6TimeExceeded,
  icmpv6IsError,
  icmpv6IsMld,
  icmpv6IsNdisc,
} from "../../src/wire/icmpv6.js";
import { filled, toHex, view } from "../support/bytes.js";

// Every fixture is an ICMPv6 message captured from Linux on veth pairs between three network
// namespaces: host 2001:db8:1::2, router 2001:db8:1::1 (which also owns 2001:db8:2::1 on a link
// of MTU 1280), host 2001:db8:2::2. Only the ICMPv6 message is kept; the addresses it was sent
// between are given with each, since the checksum covers them.

const H1 = Ipv6Address.parse("2001:db8:1::2"); // the pinging host
const R = Ipv6Address.parse("2001:db8:1::1"); //  the router
const CAPS = new ChecksumCapabilities();
const IGNORED = ChecksumCapabilities.ignored();

// `ping -6 -s 16 2001:db8:1::1`: H1 -> R.
const ECHO_REQUEST = new Uint8Array([
  0x80, 0x00, 0x0a, 0xc7, 0x21, 0xab, 0x00, 0x01, // echo request, checksum, id 0x21ab, seq 1
  0xfc, 0xcf, 0x06, 0x6b, 0x00, 0x00, 0x00, 0x00, // 16 octets of data (ping's timestamp)
  0xe8, 0x87, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

// The reply: R -> H1.
const ECHO_REPLY = new Uint8Array([
  0x81, 0x00, 0x09, 0xc7, 0x21, 0xab, 0x00, 0x01, // echo reply, checksum, id 0x21ab, seq 1
  0xfc, 0xcf, 0x06, 0x6b, 0x00, 0x00, 0x00, 0x00, // the same data
  0xe8, 0x87, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

// UDP "smoltcp!" to a closed port of R: R -> H1, port unreachable, quoting the whole datagram.
const PORT_UNREACHABLE = new Uint8Array([
  0x01, 0x04, 0x91, 0xba, 0x00, 0x00, 0x00, 0x00, // destination unreachable, code 4 (port), unused
  0x60, 0x03, 0xe7, 0xd6, 0x00, 0x10, 0x11, 0x40, // quoted: IPv6, len 16, UDP, hop limit 64
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // quoted source 2001:db8:1::2
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // quoted destination 2001:db8:1::1
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0xb7, 0x0c, 0x82, 0x9a, 0x00, 0x10, 0x5b, 0x98, // UDP 46860 -> 33434, len 16
  0x73, 0x6d, 0x6f, 0x6c, 0x74, 0x63, 0x70, 0x21, // "smoltcp!"
]);

// `ping -6 -t 1 -s 16 2001:db8:2::2`: R -> H1, hop limit exceeded in transit.
const TIME_EXCEEDED = new Uint8Array([
  0x03, 0x00, 0x63, 0x0b, 0x00, 0x00, 0x00, 0x00, // time exceeded, code 0, unused
  0x60, 0x01, 0xa4, 0x32, 0x00, 0x18, 0x3a, 0x01, // quoted: IPv6, len 24, ICMPv6, hop limit 1
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // quoted source 2001:db8:1::2
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00, // quoted destination 2001:db8:2::2
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x80, 0x00, 0xa6, 0x53, 0x21, 0xb4, 0x00, 0x01, // quoted echo request, id 0x21b4, seq 1
  0xfc, 0xcf, 0x06, 0x6b, 0x00, 0x00, 0x00, 0x00,
  0x4b, 0xf0, 0x0d, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

// A raw packet with next header 253 to R: R -> H1, unrecognized Next Header, pointer 6.
const PARAM_PROBLEM_NEXT_HEADER = new Uint8Array([
  0x04, 0x01, 0x9e, 0x95, 0x00, 0x00, 0x00, 0x06, // parameter problem, code 1, pointer 6
  0x60, 0x0d, 0x48, 0xac, 0x00, 0x08, 0xfd, 0x40, // quoted: IPv6, len 8, next header 253
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // quoted source 2001:db8:1::2
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // quoted destination 2001:db8:1::1
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // the 8 octets of payload
]);

// UDP with a Hop-by-Hop option of type 0x88 to R: R -> H1, unrecognized option, pointer 42.
const PARAM_PROBLEM_OPTION = new Uint8Array([
  0x04, 0x02, 0x19, 0x4f, 0x00, 0x00, 0x00, 0x2a, // parameter problem, code 2, pointer 42
  0x60, 0x0a, 0xe0, 0x7e, 0x00, 0x13, 0x00, 0x40, // quoted: IPv6, len 19, Hop-by-Hop
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // quoted source 2001:db8:1::2
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // quoted destination 2001:db8:1::1
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  0x11, 0x00, 0x88, 0x02, 0xab, 0xcd, 0x01, 0x00, // HbH: UDP next, option 0x88, PadN
  0xaf, 0x28, 0x82, 0x9b, 0x00, 0x0b, 0xa2, 0x3a, // UDP 44840 -> 33435, len 11
  0x68, 0x62, 0x68, //                               "hbh"
]);

/**
 * `ping -6 -M do -s 1300 2001:db8:2::2`: R -> H1, packet too big, MTU 1280. Linux quotes 1232
 * octets, the most RFC 4443 allows. The first 72 octets are below; the rest of the quote is
 * ping's data pattern, octets 0x10, 0x11, ... counting on (checked against the capture).
 */
function packetTooBig(): Uint8Array {
  const head = [
    0x02, 0x00, 0xab, 0xc7, 0x00, 0x00, 0x05, 0x00, // packet too big, code 0, MTU 1280
    0x60, 0x01, 0xa4, 0x32, 0x05, 0x1c, 0x3a, 0x40, // quoted: IPv6, len 1308, ICMPv6, hop limit 64
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // quoted source 2001:db8:1::2
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00, // quoted destination 2001:db8:2::2
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x80, 0x00, 0x93, 0x69, 0x21, 0xb0, 0x00, 0x01, // quoted echo request, id 0x21b0, seq 1
    0xfc, 0xcf, 0x06, 0x6b, 0x00, 0x00, 0x00, 0x00, // timestamp
    0x76, 0x77, 0x0d, 0x00, 0x00, 0x00, 0x00, 0x00,
  ];
  const b = new Uint8Array(1240);
  b.set(head);
  for (let i = head.length; i < b.length; i++) b[i] = (i - head.length + 16) & 0xff;
  return b;
}
const PACKET_TOO_BIG = packetTooBig();

// Built from RFC 4443 §2.1: type 100 ("private experimentation", an error type this stack does
// not know) quoting the datagram of PORT_UNREACHABLE; R -> H1. Checksum computed independently.
const UNKNOWN_ERROR = new Uint8Array([
  0x64, 0x00, 0x2e, 0xbe, 0x00, 0x00, 0x00, 0x00, // type 100, code 0, checksum, 4 octets
  ...PORT_UNREACHABLE.subarray(8),
]);

/** Every real fixture with the addresses it was sent from and to. */
const FIXTURES: [string, Uint8Array, Ipv6Address, Ipv6Address][] = [
  ["echo request", ECHO_REQUEST, H1, R],
  ["echo reply", ECHO_REPLY, R, H1],
  ["port unreachable", PORT_UNREACHABLE, R, H1],
  ["time exceeded", TIME_EXCEEDED, R, H1],
  ["packet too big", PACKET_TOO_BIG, R, H1],
  ["parameter problem 1", PARAM_PROBLEM_NEXT_HEADER, R, H1],
  ["parameter problem 2", PARAM_PROBLEM_OPTION, R, H1],
  ["unknown error type", UNKNOWN_ERROR, R, H1],
];

function packetOf(bytes: Uint8Array, len = bytes.length): Icmpv6Packet {
  const v = view(bytes);
  return new Icmpv6Packet(v.bytes, v.dv, 0, len);
}

test("deconstruct", () => {
  const p = packetOf(ECHO_REQUEST);
  assert.is(p.check(), WireError.Ok);
  assert.is(p.msgType(), Icmpv6Message.EchoRequest);
  assert.is(p.msgCode(), 0);
  assert.is(p.checksum(), 0x0ac7);
  assert.is(p.echoIdent(), 0x21ab);
  assert.is(p.echoSeqNo(), 1);
  assert.is(p.payloadOffset(), 8);
  assert.is(p.payloadLen(), 16);
  assert.ok(p.verifyChecksum(H1, R));
  assert.is(packetOf(PACKET_TOO_BIG).mtu(), 1280);
  assert.is(packetOf(PARAM_PROBLEM_OPTION).pointer(), 42);
});

test("construct into a 0xa5-filled buffer", () => {
  const v = filled(ECHO_REQUEST.length);
  const p = new Icmpv6Packet(v.bytes, v.dv);
  p.setMsgType(Icmpv6Message.EchoRequest);
  p.setMsgCode(0);
  p.setEchoIdent(0x21ab);
  p.setEchoSeqNo(1);
  v.bytes.set(ECHO_REQUEST.subarray(8), p.payloadOffset());
  p.fillChecksum(H1, R);
  assert.equal(v.bytes, ECHO_REQUEST, toHex(v.bytes));

  const e = filled(PARAM_PROBLEM_OPTION.length);
  const q = new Icmpv6Packet(e.bytes, e.dv);
  q.setMsgType(Icmpv6Message.ParamProblem);
  q.setMsgCode(Icmpv6ParamProblem.UnrecognizedOption);
  q.setPointer(42);
  e.bytes.set(PARAM_PROBLEM_OPTION.subarray(8), 8);
  q.fillChecksum(R, H1);
  assert.equal(e.bytes, PARAM_PROBLEM_OPTION);
  q.setMtu(1280);
  assert.is(q.mtu(), 1280);
  q.clearUnused();
  assert.equal([...e.bytes.subarray(4, 8)], [0, 0, 0, 0]);
});

test("parse: echo request and reply", () => {
  const repr = new Icmpv6Repr();
  assert.is(repr.parse(packetOf(ECHO_REQUEST), H1, R, CAPS), WireError.Ok);
  assert.equal([repr.msgType, repr.msgCode, repr.ident, repr.seqNo, repr.dataOffset, repr.dataLen], [128, 0, 0x21ab, 1, 8, 16]);
  assert.not.ok(repr.isError());
  assert.is(repr.toString(), "ICMPv6 echo request id=8619 seq=1 len=16");
  assert.is(repr.parse(packetOf(ECHO_REPLY), R, H1, CAPS), WireError.Ok);
  assert.equal([repr.msgType, repr.ident, repr.seqNo, repr.dataLen], [129, 0x21ab, 1, 16]);
});

test("emit: echo request and reply, exact bytes", () => {
  for (const [fixture, type, src, dst] of [[ECHO_REQUEST, 128, H1, R], [ECHO_REPLY, 129, R, H1]] as const) {
    const v = filled(fixture.length + 4);
    v.bytes.set(fixture.subarray(8), 8); // the data is in place before emit
    const repr = new Icmpv6Repr().setEcho(type, 0x21ab, 1, 16);
    assert.is(repr.bufferLen(), fixture.length);
    repr.emit(new Icmpv6Packet(v.bytes, v.dv), src, dst, CAPS);
    assert.equal(v.bytes.subarray(0, fixture.length), fixture, toHex(v.bytes));
    assert.equal([...v.bytes.subarray(fixture.length)], [0xa5, 0xa5, 0xa5, 0xa5], "nothing written past the message");
  }
});

test("parse: destination unreachable quotes the invoking packet", () => {
  const repr = new Icmpv6Repr();
  assert.is(repr.parse(packetOf(PORT_UNREACHABLE), R, H1, CAPS), WireError.Ok);
  assert.is(repr.msgType, Icmpv6Message.DstUnreachable);
  assert.is(repr.msgCode, Icmpv6DstUnreachable.PortUnreachable);
  assert.ok(repr.isError());
  assert.ok(repr.quoted.srcAddr.equals(H1));
  assert.ok(repr.quoted.dstAddr.equals(R));
  assert.is(repr.quoted.nextHeader, IpProtocol.Udp);
  assert.is(repr.quoted.payloadLen, 16);
  assert.is(repr.quoted.hopLimit, 64);
  assert.is(repr.dataOffset, 8, "the body: the quote, its fixed header first");
  assert.is(repr.dataLen, 56);
  assert.is(repr.quotedDataOffset, 48, "what follows the quoted fixed header");
  assert.is(repr.quotedDataLen, 16);
  assert.is(repr.bufferLen(), PORT_UNREACHABLE.length);
  assert.is(repr.toString(),
    "ICMPv6 destination unreachable (port unreachable) quoting [IPv6 src=2001:db8:1::2 dst=2001:db8:1::1 nxt=UDP hop_limit=64 len=16] +16");
});

test("parse: time exceeded, packet too big (a cut quote), parameter problems, an unknown error type", () => {
  const repr = new Icmpv6Repr();
  assert.is(repr.parse(packetOf(TIME_EXCEEDED), R, H1, CAPS), WireError.Ok);
  assert.equal([repr.msgType, repr.msgCode, repr.quoted.hopLimit, repr.quoted.nextHeader, repr.quotedDataLen, repr.dataLen], [3, Icmpv6TimeExceeded.HopLimitExceeded, 1, 58, 24, 64]);
  assert.is(repr.quoted.dstAddr.toString(), "2001:db8:2::2");

  assert.is(repr.parse(packetOf(PACKET_TOO_BIG), R, H1, CAPS), WireError.Ok);
  assert.equal([repr.msgType, repr.mtu, repr.pointer], [2, 1280, 0]);
  assert.is(repr.quoted.payloadLen, 1308, "the original length, though only part was quoted");
  assert.is(repr.quotedDataLen, 1192);
  assert.is(repr.dataLen, 1232);
  assert.is(repr.bufferLen(), 1240);
  assert.is(PACKET_TOO_BIG.length - ICMPV6_HEADER_LEN, ICMPV6_ERROR_MAX_QUOTE, "Linux quotes exactly the maximum");

  assert.is(repr.parse(packetOf(PARAM_PROBLEM_NEXT_HEADER), R, H1, CAPS), WireError.Ok);
  assert.equal([repr.msgType, repr.msgCode, repr.pointer, repr.mtu, repr.quoted.nextHeader], [4, 1, 6, 0, 253]);
  assert.is(repr.parse(packetOf(PARAM_PROBLEM_OPTION), R, H1, CAPS), WireError.Ok);
  assert.equal([repr.msgCode, repr.pointer, repr.quoted.nextHeader, repr.quotedDataLen], [2, 42, 0, 19]);
  assert.match(repr.toString(), "(unrecognized IPv6 option) pointer=42");

  assert.is(repr.parse(packetOf(UNKNOWN_ERROR), R, H1, CAPS), WireError.Ok, "RFC 4443 §2.4 (a)");
  assert.equal([repr.msgType, repr.quoted.nextHeader, repr.quotedDataOffset, repr.quotedDataLen, repr.dataOffset, repr.dataLen], [100, 17, 48, 16, 8, 56]);
});

test("emit: every error fixture, exact bytes, the quote in place first", () => {
  const cases: [Uint8Array, number, number, number][] = [
    [PORT_UNREACHABLE, Icmpv6Message.DstUnreachable, Icmpv6DstUnreachable.PortUnreachable, 0],
    [TIME_EXCEEDED, Icmpv6Message.TimeExceeded, Icmpv6TimeExceeded.HopLimitExceeded, 0],
    [PACKET_TOO_BIG, Icmpv6Message.PktTooBig, 0, 1280],
    [PARAM_PROBLEM_NEXT_HEADER, Icmpv6Message.ParamProblem, Icmpv6ParamProblem.UnrecognizedNextHeader, 6],
    [PARAM_PROBLEM_OPTION, Icmpv6Message.ParamProblem, Icmpv6ParamProblem.UnrecognizedOption, 42],
    [UNKNOWN_ERROR, 100, 0, 0],
  ];
  for (const [fixture, type, code, param] of cases) {
    const v = filled(fixture.length + 2);
    v.bytes.set(fixture.subarray(8), 8);
    const repr = new Icmpv6Repr().setError(type, code, param, fixture.length - 8);
    assert.is(repr.bufferLen(), fixture.length);
    repr.emit(new Icmpv6Packet(v.bytes, v.dv, 0, v.bytes.length), R, H1, CAPS);
    assert.equal(v.bytes.subarray(0, fixture.length), fixture, "type " + type + ": " + toHex(v.bytes.subarray(0, 16)));
    assert.equal([...v.bytes.subarray(fixture.length)], [0xa5, 0xa5]);
  }
});

test("emit then parse: every variant round-trips", () => {
  const quote = PORT_UNREACHABLE.subarray(8);
  const variants: [number, number, number][] = [];
  for (let c = 0; c <= 6; c++) variants.push([Icmpv6Message.DstUnreachable, c, 0]);
  variants.push([Icmpv6Message.PktTooBig, 0, 1500], [Icmpv6Message.PktTooBig, 0, 0xffffffff | 0]);
  variants.push([Icmpv6Message.TimeExceeded, 0, 0], [Icmpv6Message.TimeExceeded, 1, 0]);
  for (let c = 0; c <= 2; c++) variants.push([Icmpv6Message.ParamProblem, c, 40 + c]);
  const out = new Icmpv6Repr();
  for (const [type, code, param] of variants) {
    const v = filled(8 + quote.length);
    v.bytes.set(quote, 8);
    const p = new Icmpv6Packet(v.bytes, v.dv);
    new Icmpv6Repr().setError(type, code, param, quote.length).emit(p, H1, R, CAPS);
    assert.is(out.parse(p, H1, R, CAPS), WireError.Ok, "type " + type + " code " + code);
    assert.equal([out.msgType, out.msgCode, out.mtu, out.pointer, out.dataLen, out.quotedDataLen],
      [type, code, type === 2 ? param : 0, type === 4 ? param : 0, quote.length, quote.length - 40]);
    assert.ok(out.quoted.dstAddr.equals(R));
  }
  for (const type of [Icmpv6Message.EchoRequest, Icmpv6Message.EchoReply]) {
    for (const dataLen of [0, 1, 7, 56]) {
      const v = filled(8 + dataLen);
      const p = new Icmpv6Packet(v.bytes, v.dv);
      new Icmpv6Repr().setEcho(type, 0xfedc, 0x8001, dataLen).emit(p, H1, R, CAPS);
      assert.is(out.parse(p, H1, R, CAPS), WireError.Ok, "echo data " + dataLen);
      assert.equal([out.msgType, out.msgCode, out.ident, out.seqNo, out.dataOffset, out.dataLen], [type, 0, 0xfedc, 0x8001, 8, dataLen]);
    }
  }
});

test("dispatch: Neighbor Discovery, MLD and unknown informational types are Unsupported", () => {
  // Linux's neighbor solicitation 2001:db8:1::2 -> ff02::1:ff00:1 (see ndisc.test.ts).
  const ns = new Uint8Array([
    0x87, 0x00, 0x97, 0x6a, 0x00, 0x00, 0x00, 0x00, // neighbor solicitation
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, // target 2001:db8:1::1
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x01, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, // source link-layer address
  ]);
  const p = packetOf(ns);
  assert.ok(icmpv6IsNdisc(p.msgType()));
  assert.is(new Icmpv6Repr().parse(p, H1, Ipv6Address.parse("ff02::1:ff00:1"), CAPS), WireError.Unsupported);
  for (const t of [130, 131, 132, 143, 200, 255]) {
    const b = ECHO_REQUEST.slice();
    b[0] = t;
    assert.is(new Icmpv6Repr().parse(packetOf(b), H1, R, IGNORED), WireError.Unsupported, "type " + t);
  }
  assert.equal([1, 4, 127, 128, 255].map(icmpv6IsError), [true, true, true, false, false]);
  assert.equal([132, 133, 137, 138].map(icmpv6IsNdisc), [false, true, true, false]);
  assert.equal([129, 130, 131, 132, 133, 143].map(icmpv6IsMld), [false, true, true, true, false, true]);
});

test("echo with a code other than 0 is Malformed", () => {
  const b = ECHO_REQUEST.slice();
  b[1] = 1;
  assert.is(new Icmpv6Repr().parse(packetOf(b), H1, R, IGNORED), WireError.Malformed);
});

test("checksum: every corrupted octet is detected, and the pseudo-header counts", () => {
  const repr = new Icmpv6Repr();
  for (const [name, fixture, src, dst] of FIXTURES) {
    for (let i = 0; i < Math.min(fixture.length, 80); i++) {
      const b = fixture.slice();
      b[i] ^= 0x01;
      assert.is(repr.parse(packetOf(b), src, dst, CAPS), WireError.Checksum, name + " octet " + i);
    }
    assert.is(repr.parse(packetOf(fixture), src, Ipv6Address.parse("2001:db8:1::3"), CAPS), WireError.Checksum, name + ": wrong destination");
  }
});

test("checksum: capabilities are honoured", () => {
  const bad = ECHO_REQUEST.slice();
  bad[2] ^= 0xff;
  const repr = new Icmpv6Repr();
  const caps = new ChecksumCapabilities();
  for (const [c, verifies] of [[Checksum.Both, true], [Checksum.Rx, true], [Checksum.Tx, false], [Checksum.None, false]] as const) {
    caps.icmpv6 = c;
    assert.is(repr.parse(packetOf(bad), H1, R, caps), verifies ? WireError.Checksum : WireError.Ok, "capability " + c);
  }
  for (const [c, fills] of [[Checksum.Both, true], [Checksum.Rx, false], [Checksum.Tx, true], [Checksum.None, false]] as const) {
    caps.icmpv6 = c;
    const v = filled(24);
    v.bytes.set(ECHO_REQUEST.subarray(8), 8);
    new Icmpv6Repr().setEcho(128, 0x21ab, 1, 16).emit(new Icmpv6Packet(v.bytes, v.dv), H1, R, caps);
    assert.equal([...v.bytes.subarray(2, 4)], fills ? [0x0a, 0xc7] : [0, 0], "capability " + c);
  }
});

test("impossible length: every truncated prefix of every fixture", () => {
  const repr = new Icmpv6Repr();
  for (const [name, fixture, src, dst] of FIXTURES) {
    for (let n = 0; n < fixture.length; n++) {
      const err = repr.parse(packetOf(fixture, n), src, dst, CAPS);
      assert.ok(err !== WireError.Ok, name + " length " + n);
      if (n < 8) assert.is(err, WireError.Truncated, name + " length " + n);
    }
    // Without the checksum, an error message needs the quoted fixed header and no more.
    if (fixture[0] < 128) {
      for (let n = 0; n < 48; n++) assert.is(repr.parse(packetOf(fixture, n), src, dst, IGNORED), WireError.Truncated, name + " ignored length " + n);
      assert.is(repr.parse(packetOf(fixture, 48), src, dst, IGNORED), WireError.Ok, name + " just the quoted header");
      assert.is(repr.quotedDataLen, 0);
      assert.is(repr.dataLen, 40);
    }
  }
});

test("a quoted header of another version is Malformed", () => {
  const b = PORT_UNREACHABLE.slice();
  b[8] = 0x45;
  assert.is(new Icmpv6Repr().parse(packetOf(b), R, H1, IGNORED), WireError.Malformed);
});

test("parse never throws on random bytes", () => {
  const repr = new Icmpv6Repr();
  let seed = 7;
  for (let i = 0; i < 2000; i++) {
    const n = i % 72;
    const b = new Uint8Array(n);
    for (let j = 0; j < n; j++) {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      b[j] = seed >>> 24;
    }
    if (n > 8 && (i & 1) === 0) b[8] = 0x60;
    const err = repr.parse(packetOf(b), H1, R, IGNORED);
    assert.ok(err >= WireError.Ok && err <= WireError.Unsupported);
  }
});

test.run();
