import { test } from "uvu";
import * as assert from "uvu/assert";
import { WireError } from "../../src/wire/error.js";
import { Checksum, ChecksumCapabilities } from "../../src/wire/checksum.js";
import { IpProtocol, ipv4Parse } from "../../src/wire/ip.js";
import {
  Icmpv4DstUnreachable,
  Icmpv4Message,
  Icmpv4Packet,
  Icmpv4ParamProblem,
  Icmpv4Repr,
  Icmpv4TimeExceeded,
} from "../../src/wire/icmpv4.js";
import { filled, toHex, view } from "../support/bytes.js";
import { Ipv4Packet } from "../../src/wire/ipv4.js";
import { LINUX_FRAMES, LINUX_ICMPV4_ECHO_REPLY, LINUX_ICMPV4_ECHO_REQUEST, LINUX_ICMPV4_PORT_UNREACHABLE } from "../fixtures/linux.js";

// smoltcp's wire/icmpv4.rs ECHO_PACKET_BYTES.
const ECHO_BYTES = new Uint8Array([
  0x08, 0x00, 0x8e, 0xfe, // echo request, code 0, checksum 0x8efe
  0x12, 0x34, 0xab, 0xcd, // identifier 0x1234, sequence number 0xabcd
  0xaa, 0x00, 0x00, 0xff, // data
]);

// A Linux ping: 56 octets of data, a timestamp then 0x10..0x37 (checked with tshark).
const PING_BYTES = new Uint8Array([
  0x08, 0x00, 0x75, 0xb5, // echo request, checksum 0x75b5
  0x0b, 0x1d, 0x00, 0x01, // identifier 0x0b1d, sequence number 1
  0x5f, 0x5e, 0x10, 0x60, 0x00, 0x00, 0x00, 0x00, // struct timeval, seconds
  0x3a, 0x9b, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, // microseconds
  0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, // pattern
  0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
  0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
  0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
  0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
]);

// Port unreachable for a 60-octet DNS query, quoting only the header and 8 octets, as RFC 792
// asks: the quoted total length (60) exceeds the quote (checked with tshark).
const PORT_UNREACHABLE_BYTES = new Uint8Array([
  0x03, 0x03, 0x08, 0xed, // destination unreachable, port unreachable, checksum 0x08ed
  0x00, 0x00, 0x00, 0x00, // unused
  0x45, 0x00, 0x00, 0x3c, // quoted header: IHL 5, total length 60
  0x4d, 0x2b, 0x40, 0x00, //   identification 0x4d2b, DF
  0x40, 0x11, 0xe1, 0xcf, //   TTL 64, UDP, checksum 0xe1cf
  0xc0, 0xa8, 0x45, 0x64, //   192.168.69.100
  0xc0, 0xa8, 0x45, 0x01, //   192.168.69.1
  0xc3, 0x5b, 0x00, 0x35, // quoted data: UDP source port 50011, destination port 53
  0x00, 0x28, 0x30, 0x57, //   length 40, checksum 0x3057
]);

// Fragmentation needed, next-hop MTU 1400 (RFC 1191), for a 1500-octet TCP segment (checked with tshark).
const FRAG_NEEDED_BYTES = new Uint8Array([
  0x03, 0x04, 0xc6, 0x87, // destination unreachable, fragmentation needed, checksum 0xc687
  0x00, 0x00, 0x05, 0x78, // unused, next-hop MTU 1400
  0x45, 0x00, 0x05, 0xdc, // quoted header: total length 1500
  0x00, 0x00, 0x40, 0x00, //   identification 0, DF
  0x40, 0x06, 0xf9, 0x34, //   TTL 64, TCP, checksum 0xf934
  0xc0, 0xa8, 0x45, 0x64, //   192.168.69.100
  0x5d, 0xb8, 0xd8, 0x22, //   93.184.216.34
  0xd4, 0x31, 0x00, 0x50, // quoted data: TCP source port 54321, destination port 80
  0x1f, 0x2e, 0x3d, 0x4c, //   sequence number
]);

// Time exceeded in transit for a traceroute probe (TTL 1), quoting the whole 60-octet datagram
// (checked with tshark).
const TIME_EXCEEDED_BYTES = new Uint8Array([
  0x0b, 0x00, 0x0b, 0x56, // time exceeded, TTL expired in transit, checksum 0x0b56
  0x00, 0x00, 0x00, 0x00, // unused
  0x45, 0x00, 0x00, 0x3c, // quoted header: total length 60
  0x12, 0x34, 0x00, 0x00, //   identification 0x1234
  0x01, 0x11, 0x91, 0x61, //   TTL 1, UDP, checksum 0x9161
  0xc0, 0xa8, 0x45, 0x64, //   192.168.69.100
  0x08, 0x08, 0x08, 0x08, //   8.8.8.8
  0xa1, 0xb2, 0x82, 0x9a, // quoted data: UDP 41394 -> 33434
  0x00, 0x28, 0xd0, 0x2f, //   length 40, checksum 0xd02f
  0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, //   probe payload
  0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
  0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57,
  0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
]);

// Parameter problem, pointer 20, at an unknown option of a header with IHL 6 (checked with tshark).
const PARAM_PROBLEM_BYTES = new Uint8Array([
  0x0c, 0x00, 0xca, 0xa4, // parameter problem, code 0 (pointer), checksum 0xcaa4
  0x14, 0x00, 0x00, 0x00, // pointer 20, unused
  0x46, 0x00, 0x00, 0x24, // quoted header: IHL 6, total length 36
  0x01, 0x01, 0x40, 0x00, //   identification 0x0101, DF
  0x40, 0x11, 0x92, 0xd9, //   TTL 64, UDP, checksum 0x92d9
  0xc0, 0xa8, 0x45, 0x64, //   192.168.69.100
  0xc0, 0xa8, 0x45, 0x01, //   192.168.69.1
  0x88, 0x04, 0x12, 0x34, //   option 0x88 (stream id), length 4
  0x13, 0x88, 0x00, 0x07, // quoted data: UDP 5000 -> 7 (echo)
  0x00, 0x0c, 0x01, 0xc0, //   length 12, checksum 0x01c0
]);

const ERRORS = [PORT_UNREACHABLE_BYTES, FRAG_NEEDED_BYTES, TIME_EXCEEDED_BYTES, PARAM_PROBLEM_BYTES];
const ALL = [ECHO_BYTES, PING_BYTES, ...ERRORS];
const CAPS = new ChecksumCapabilities();
const IGNORED = ChecksumCapabilities.ignored();

function caps(c: Checksum): ChecksumCapabilities {
  const k = new ChecksumCapabilities();
  k.icmpv4 = c;
  return k;
}

function packetOf(bytes: Uint8Array | number[], len?: number): Icmpv4Packet {
  const v = view(bytes);
  return new Icmpv4Packet(v.bytes, v.dv, 0, len ?? v.bytes.length);
}

function parse(bytes: Uint8Array | number[], c = CAPS): { err: WireError; repr: Icmpv4Repr; packet: Icmpv4Packet } {
  const repr = new Icmpv4Repr();
  const packet = packetOf(bytes);
  return { err: repr.parse(packet, c), repr, packet };
}

/** Emits `repr` into a 0xa5-filled buffer after copying `data` into place, as a caller does. */
function emitWith(repr: Icmpv4Repr, data: Uint8Array, c = CAPS): Uint8Array {
  const b = filled(repr.bufferLen());
  b.bytes.set(data, 8);
  repr.emit(new Icmpv4Packet(b.bytes, b.dv), c);
  return b.bytes;
}

/** A copy of `bytes` with the checksum refilled after `mutate`. */
function mutated(bytes: Uint8Array, mutate: (p: Icmpv4Packet) => void): Uint8Array {
  const p = packetOf(bytes);
  mutate(p);
  p.fillChecksum();
  return p.bytes;
}

test("deconstruct: echo", () => {
  const p = packetOf(ECHO_BYTES);
  assert.is(p.check(), WireError.Ok);
  assert.is(p.msgType(), Icmpv4Message.EchoRequest);
  assert.is(p.msgCode(), 0);
  assert.is(p.checksum(), 0x8efe);
  assert.is(p.echoIdent(), 0x1234);
  assert.is(p.echoSeqNo(), 0xabcd);
  assert.is(p.dataOffset(), 8);
  assert.is(p.dataLen(), 4);
  assert.is(toHex(p.bytes.subarray(p.dataOffset(), p.dataOffset() + p.dataLen())), "aa 00 00 ff");
  assert.is(p.verifyChecksum(), true);
});

test("deconstruct: errors", () => {
  const u = packetOf(FRAG_NEEDED_BYTES);
  assert.is(u.check(), WireError.Ok);
  assert.is(u.msgType(), Icmpv4Message.DstUnreachable);
  assert.is(u.msgCode(), Icmpv4DstUnreachable.FragRequired);
  assert.is(u.checksum(), 0xc687);
  assert.is(u.nextHopMtu(), 1400);
  assert.is(u.restOfHeader(), 1400);
  assert.is(u.dataOffset(), 8);
  assert.is(u.dataLen(), 28);
  assert.is(u.verifyChecksum(), true);
  const pp = packetOf(PARAM_PROBLEM_BYTES);
  assert.is(pp.msgType(), Icmpv4Message.ParamProblem);
  assert.is(pp.pointer(), 20);
  assert.is(pp.restOfHeader(), 0x14000000);
  assert.is(pp.verifyChecksum(), true);
  const te = packetOf(TIME_EXCEEDED_BYTES);
  assert.is(te.msgType(), Icmpv4Message.TimeExceeded);
  assert.is(te.msgCode(), Icmpv4TimeExceeded.TtlExpired);
  assert.is(te.restOfHeader(), 0);
  assert.is(te.dataLen(), 60);
  assert.is(te.verifyChecksum(), true);
});

test("construct into a 0xa5-filled buffer", () => {
  const b = filled(12);
  const p = new Icmpv4Packet(b.bytes, b.dv);
  p.setMsgType(Icmpv4Message.EchoRequest);
  p.setMsgCode(0);
  p.setEchoIdent(0x1234);
  p.setEchoSeqNo(0xabcd);
  b.bytes.set([0xaa, 0x00, 0x00, 0xff], p.dataOffset());
  p.fillChecksum();
  assert.is(toHex(b.bytes), toHex(ECHO_BYTES));

  const c = filled(FRAG_NEEDED_BYTES.length);
  const q = new Icmpv4Packet(c.bytes, c.dv);
  q.setMsgType(Icmpv4Message.DstUnreachable);
  q.setMsgCode(Icmpv4DstUnreachable.FragRequired);
  q.setRestOfHeader(0);
  q.setNextHopMtu(1400);
  c.bytes.set(FRAG_NEEDED_BYTES.subarray(8), q.dataOffset());
  q.fillChecksum();
  assert.is(toHex(c.bytes), toHex(FRAG_NEEDED_BYTES));

  const d = filled(PARAM_PROBLEM_BYTES.length);
  const r = new Icmpv4Packet(d.bytes, d.dv);
  r.setMsgType(Icmpv4Message.ParamProblem);
  r.setMsgCode(0);
  r.setRestOfHeader(0);
  r.setPointer(20);
  d.bytes.set(PARAM_PROBLEM_BYTES.subarray(8), 8);
  r.setChecksum(0xcaa4);
  assert.is(toHex(d.bytes), toHex(PARAM_PROBLEM_BYTES));
});

test("parse: echo", () => {
  const { err, repr } = parse(ECHO_BYTES);
  assert.is(err, WireError.Ok);
  assert.is(repr.msgType, Icmpv4Message.EchoRequest);
  assert.is(repr.msgCode, 0);
  assert.is(repr.ident, 0x1234);
  assert.is(repr.seqNo, 0xabcd);
  assert.is(repr.dataOffset, 8);
  assert.is(repr.dataLen, 4);
  assert.is(repr.isError(), false);
  assert.is(repr.toString(), "ICMPv4 echo request id=4660 seq=43981 len=4");

  const ping = parse(PING_BYTES);
  assert.is(ping.err, WireError.Ok);
  assert.is(ping.repr.ident, 0x0b1d);
  assert.is(ping.repr.seqNo, 1);
  assert.is(ping.repr.dataLen, 56);
  assert.is(ping.repr.bufferLen(), 64);
});

test("parse: echo data offset is absolute in the view's bytes", () => {
  const big = filled(100);
  big.bytes.set(PING_BYTES, 34);
  const r = new Icmpv4Repr();
  assert.is(r.parse(new Icmpv4Packet(big.bytes, big.dv, 34, PING_BYTES.length), CAPS), WireError.Ok);
  assert.is(r.dataOffset, 42);
  assert.is(r.dataLen, 56);
  assert.is(big.bytes[r.dataOffset + 16], 0x10);
});

test("parse: port unreachable quoting 8 octets of a longer datagram", () => {
  const { err, repr, packet } = parse(PORT_UNREACHABLE_BYTES);
  assert.is(err, WireError.Ok);
  assert.is(repr.msgType, Icmpv4Message.DstUnreachable);
  assert.is(repr.msgCode, Icmpv4DstUnreachable.PortUnreachable);
  assert.is(repr.isError(), true);
  assert.is(repr.nextHopMtu, 0);
  assert.is(repr.dataOffset, 8);
  assert.is(repr.dataLen, 28);
  assert.is(repr.quoted.srcAddr, ipv4Parse("192.168.69.100"));
  assert.is(repr.quoted.dstAddr, ipv4Parse("192.168.69.1"));
  assert.is(repr.quoted.nextHeader, IpProtocol.Udp);
  assert.is(repr.quoted.payloadLen, 40, "as the quoted header says");
  assert.is(repr.quoted.hopLimit, 64);
  assert.is(repr.quotedDataOffset, 28);
  assert.is(repr.quotedDataLen, 8);
  // The quoted ports, where a socket looks for them.
  assert.is(packet.dv.getUint16(repr.quotedDataOffset), 50011);
  assert.is(packet.dv.getUint16(repr.quotedDataOffset + 2), 53);
  assert.is(repr.toString(), "ICMPv4 destination unreachable (port unreachable) len=28");
});

test("parse: fragmentation needed carries the next-hop MTU (RFC 1191)", () => {
  const { err, repr } = parse(FRAG_NEEDED_BYTES);
  assert.is(err, WireError.Ok);
  assert.is(repr.msgCode, Icmpv4DstUnreachable.FragRequired);
  assert.is(repr.nextHopMtu, 1400);
  assert.is(repr.quoted.payloadLen, 1480);
  assert.is(repr.quoted.nextHeader, IpProtocol.Tcp);
  assert.is(repr.quoted.dontFragment, true);
  assert.is(repr.quoted.dstAddr, ipv4Parse("93.184.216.34"));
  assert.is(repr.quotedDataLen, 8);
  assert.is(repr.toString(), "ICMPv4 destination unreachable (fragmentation needed) mtu=1400 len=28");
  // Other codes: the low half of the word is unused and not read.
  const other = mutated(FRAG_NEEDED_BYTES, (p) => p.setMsgCode(Icmpv4DstUnreachable.HostUnreachable));
  const o = parse(other);
  assert.is(o.err, WireError.Ok);
  assert.is(o.repr.nextHopMtu, 0);
});

test("parse: every destination unreachable code", () => {
  for (let code = 0; code <= 15; code++) {
    const { err, repr } = parse(mutated(PORT_UNREACHABLE_BYTES, (p) => p.setMsgCode(code)));
    assert.is(err, WireError.Ok, "code " + code);
    assert.is(repr.msgCode, code);
    assert.is(repr.quotedDataLen, 8);
  }
  assert.is(parse(mutated(PORT_UNREACHABLE_BYTES, (p) => p.setMsgCode(16))).err, WireError.Unsupported);
  assert.is(parse(mutated(PORT_UNREACHABLE_BYTES, (p) => p.setMsgCode(255))).err, WireError.Unsupported);
});

test("parse: time exceeded quoting the whole datagram", () => {
  const { err, repr } = parse(TIME_EXCEEDED_BYTES);
  assert.is(err, WireError.Ok);
  assert.is(repr.msgType, Icmpv4Message.TimeExceeded);
  assert.is(repr.msgCode, Icmpv4TimeExceeded.TtlExpired);
  assert.is(repr.quoted.hopLimit, 1);
  assert.is(repr.quoted.ident, 0x1234);
  assert.is(repr.quoted.dstAddr, ipv4Parse("8.8.8.8"));
  assert.is(repr.quoted.payloadLen, 40);
  assert.is(repr.quotedDataOffset, 28);
  assert.is(repr.quotedDataLen, 40);
  assert.is(repr.toString(), "ICMPv4 time exceeded (ttl expired) len=60");
  const frag = parse(mutated(TIME_EXCEEDED_BYTES, (p) => p.setMsgCode(Icmpv4TimeExceeded.FragExpired)));
  assert.is(frag.err, WireError.Ok);
  assert.is(frag.repr.msgCode, 1);
  assert.is(parse(mutated(TIME_EXCEEDED_BYTES, (p) => p.setMsgCode(2))).err, WireError.Unsupported);
});

test("parse: parameter problem with a quoted header carrying options", () => {
  const { err, repr } = parse(PARAM_PROBLEM_BYTES);
  assert.is(err, WireError.Ok);
  assert.is(repr.msgType, Icmpv4Message.ParamProblem);
  assert.is(repr.msgCode, Icmpv4ParamProblem.AtPointer);
  assert.is(repr.pointer, 20);
  assert.is(repr.quoted.payloadLen, 12);
  assert.is(repr.quotedDataOffset, 8 + 24, "after the quoted options");
  assert.is(repr.quotedDataLen, 8);
  assert.is(repr.toString(), "ICMPv4 parameter problem (at pointer) pointer=20 len=32");
  for (const code of [1, 2]) {
    const r = parse(mutated(PARAM_PROBLEM_BYTES, (p) => p.setMsgCode(code)));
    assert.is(r.err, WireError.Ok);
    assert.is(r.repr.msgCode, code);
  }
  assert.is(parse(mutated(PARAM_PROBLEM_BYTES, (p) => p.setMsgCode(3))).err, WireError.Unsupported);
});

test("parse: unknown types are unsupported, echo codes other than 0 malformed", () => {
  for (const type of [1, 2, 4, 5, 6, 9, 10, 13, 14, 15, 16, 17, 18, 30, 40, 42, 43, 255]) {
    assert.is(parse(mutated(ECHO_BYTES, (p) => p.setMsgType(type))).err, WireError.Unsupported, "type " + type);
  }
  assert.is(parse(mutated(ECHO_BYTES, (p) => p.setMsgCode(1))).err, WireError.Malformed);
  const reply = mutated(ECHO_BYTES, (p) => p.setMsgType(Icmpv4Message.EchoReply));
  assert.is(parse(reply).err, WireError.Ok);
  assert.is(parse(mutated(reply, (p) => p.setMsgCode(255))).err, WireError.Malformed);
});

test("parse: the quoted header", () => {
  // Quoted IHL below 5, or a quoted version other than 4: Malformed.
  assert.is(parse(mutated(PORT_UNREACHABLE_BYTES, (p) => p.bytes[8] = 0x44)).err, WireError.Malformed);
  assert.is(parse(mutated(PORT_UNREACHABLE_BYTES, (p) => p.bytes[8] = 0x65)).err, WireError.Malformed);
  // Quoted total length below the quoted header: Malformed.
  assert.is(parse(mutated(PORT_UNREACHABLE_BYTES, (p) => p.dv.setUint16(10, 19))).err, WireError.Malformed);
  // Quoted IHL larger than the quote: Truncated.
  assert.is(parse(mutated(PORT_UNREACHABLE_BYTES, (p) => p.bytes[8] = 0x4f)).err, WireError.Truncated);
  // A quoted header with a bad checksum still parses (routers and NATs rewrite it).
  const stale = parse(mutated(PORT_UNREACHABLE_BYTES, (p) => p.bytes[16] = 3));
  assert.is(stale.err, WireError.Ok);
  assert.is(stale.repr.quoted.hopLimit, 3);
  // An original datagram with 4 octets of payload: all 4 quoted is enough.
  const short = mutated(PORT_UNREACHABLE_BYTES.slice(0, 32), (p) => p.dv.setUint16(10, 24));
  const s = parse(short);
  assert.is(s.err, WireError.Ok);
  assert.is(s.repr.quoted.payloadLen, 4);
  assert.is(s.repr.quotedDataLen, 4);
  // Fewer than 4 of them: Truncated.
  assert.is(parse(mutated(PORT_UNREACHABLE_BYTES.slice(0, 31), (p) => p.dv.setUint16(10, 24))).err, WireError.Truncated);
  // Octets quoted beyond the original's total length are not quoted data.
  const padded = new Uint8Array(PORT_UNREACHABLE_BYTES.length + 6);
  padded.set(PORT_UNREACHABLE_BYTES);
  const pad = parse(mutated(padded, (p) => p.dv.setUint16(10, 26)));
  assert.is(pad.err, WireError.Ok);
  assert.is(pad.repr.quoted.payloadLen, 6);
  assert.is(pad.repr.quotedDataLen, 6);
  assert.is(pad.repr.dataLen, 34);
  // A quote with no original data at all, of an original that had none: fine.
  const empty = parse(mutated(PORT_UNREACHABLE_BYTES.slice(0, 28), (p) => p.dv.setUint16(10, 20)));
  assert.is(empty.err, WireError.Ok);
  assert.is(empty.repr.quotedDataLen, 0);
});

test("emit: echo", () => {
  const r = new Icmpv4Repr().echoRequest(0x1234, 0xabcd, 4);
  assert.is(r.headerLen(), 8);
  assert.is(r.bufferLen(), 12);
  assert.is(toHex(emitWith(r, ECHO_BYTES.subarray(8))), toHex(ECHO_BYTES));
  const ping = new Icmpv4Repr().echoRequest(0x0b1d, 1, 56);
  assert.is(toHex(emitWith(ping, PING_BYTES.subarray(8))), toHex(PING_BYTES));
  // emit writes the header only.
  const b = filled(12);
  r.emit(new Icmpv4Packet(b.bytes, b.dv), caps(Checksum.None));
  assert.is(toHex(b.bytes), "08 00 00 00 12 34 ab cd a5 a5 a5 a5");
});

test("emit: echo reply to a ping", () => {
  const req = parse(PING_BYTES);
  const reply = new Icmpv4Repr().echoReply(req.repr.ident, req.repr.seqNo, req.repr.dataLen);
  const b = filled(reply.bufferLen());
  b.bytes.set(req.packet.bytes.subarray(req.repr.dataOffset, req.repr.dataOffset + req.repr.dataLen), 8);
  reply.emit(new Icmpv4Packet(b.bytes, b.dv), CAPS);
  assert.is(toHex(b.bytes.subarray(0, 8)), "00 00 7d b5 0b 1d 00 01");
  assert.is(toHex(b.bytes.subarray(8)), toHex(PING_BYTES.subarray(8)));
  assert.is(reply.toString(), "ICMPv4 echo reply id=2845 seq=1 len=56");
});

test("emit: errors", () => {
  assert.is(toHex(emitWith(new Icmpv4Repr().dstUnreachable(Icmpv4DstUnreachable.PortUnreachable, 28), PORT_UNREACHABLE_BYTES.subarray(8))),
    toHex(PORT_UNREACHABLE_BYTES));
  assert.is(toHex(emitWith(new Icmpv4Repr().dstUnreachable(Icmpv4DstUnreachable.FragRequired, 28, 1400), FRAG_NEEDED_BYTES.subarray(8))),
    toHex(FRAG_NEEDED_BYTES));
  assert.is(toHex(emitWith(new Icmpv4Repr().timeExceeded(Icmpv4TimeExceeded.TtlExpired, 60), TIME_EXCEEDED_BYTES.subarray(8))),
    toHex(TIME_EXCEEDED_BYTES));
  assert.is(toHex(emitWith(new Icmpv4Repr().paramProblem(Icmpv4ParamProblem.AtPointer, 20, 32), PARAM_PROBLEM_BYTES.subarray(8))),
    toHex(PARAM_PROBLEM_BYTES));
  // The MTU is written for code 4 only; the pointer for parameter problems only.
  const r = new Icmpv4Repr().dstUnreachable(Icmpv4DstUnreachable.PortUnreachable, 28, 1400);
  assert.is(r.nextHopMtu, 0);
  r.nextHopMtu = 1400;
  r.pointer = 20;
  assert.is(toHex(emitWith(r, PORT_UNREACHABLE_BYTES.subarray(8)).subarray(0, 8)), "03 03 08 ed 00 00 00 00");
});

test("emit then parse round-trip, every variant", () => {
  for (const fixture of ALL) {
    const first = parse(fixture);
    assert.is(first.err, WireError.Ok, toHex(fixture));
    const out = emitWith(first.repr, fixture.subarray(8));
    assert.is(toHex(out), toHex(fixture));
    const second = parse(out);
    assert.is(second.err, WireError.Ok);
    assert.equal(second.repr, first.repr);
  }
  const reprs = [
    new Icmpv4Repr().echoRequest(0, 0, 0),
    new Icmpv4Repr().echoReply(0xffff, 0xffff, 3),
    new Icmpv4Repr().dstUnreachable(Icmpv4DstUnreachable.FragRequired, 28, 0xffff),
    new Icmpv4Repr().dstUnreachable(Icmpv4DstUnreachable.PrecedenceCutoff, 28),
    new Icmpv4Repr().timeExceeded(Icmpv4TimeExceeded.FragExpired, 28),
    new Icmpv4Repr().paramProblem(Icmpv4ParamProblem.BadLength, 255, 28),
  ];
  for (const r of reprs) {
    const data = r.isError() ? PORT_UNREACHABLE_BYTES.subarray(8) : new Uint8Array([1, 2, 3]).subarray(0, r.dataLen);
    const out = emitWith(r, data);
    const back = parse(out);
    assert.is(back.err, WireError.Ok, r.toString());
    for (const k of ["msgType", "msgCode", "ident", "seqNo", "pointer", "nextHopMtu", "dataLen"] as const) {
      assert.is(back.repr[k], r[k], r.toString() + " " + k);
    }
  }
});

test("impossible length: every truncated prefix of every fixture", () => {
  for (const fixture of ALL) {
    for (let n = 0; n < fixture.length; n++) {
      const p = packetOf(fixture.slice(0, n));
      const err = new Icmpv4Repr().parse(p, CAPS);
      assert.is.not(err, WireError.Ok, toHex(fixture) + " length " + n);
      if (n < 8) assert.is(p.check(), WireError.Truncated, "length " + n);
    }
  }
  // Without checksums, errors need the quoted header and 8 octets of data.
  for (const fixture of ERRORS) {
    const hlen = (fixture[8] & 0x0f) * 4;
    for (let n = 0; n < 8 + hlen + 8; n++) {
      const err = new Icmpv4Repr().parse(packetOf(fixture.slice(0, n)), IGNORED);
      assert.is(err, WireError.Truncated, toHex(fixture) + " length " + n);
    }
    for (let n = 8 + hlen + 8; n <= fixture.length; n++) {
      const r = new Icmpv4Repr();
      assert.is(r.parse(packetOf(fixture.slice(0, n)), IGNORED), WireError.Ok, "length " + n);
      assert.is(r.quotedDataLen, n - 8 - hlen);
    }
  }
  // Without checksums, an echo needs only its header.
  const r = new Icmpv4Repr();
  assert.is(r.parse(packetOf(PING_BYTES.slice(0, 8)), IGNORED), WireError.Ok);
  assert.is(r.dataLen, 0);
});

test("checksum: every corrupted octet is detected", () => {
  for (const fixture of [ECHO_BYTES, PING_BYTES, PORT_UNREACHABLE_BYTES, PARAM_PROBLEM_BYTES]) {
    for (let i = 0; i < fixture.length; i++) {
      const v = view(fixture);
      v.bytes[i] ^= 0x10;
      const p = new Icmpv4Packet(v.bytes, v.dv);
      assert.is(p.verifyChecksum(), false, "octet " + i);
      assert.is(new Icmpv4Repr().parse(p, CAPS), WireError.Checksum, "octet " + i);
    }
  }
});

test("checksum: capabilities", () => {
  const bad = view(PORT_UNREACHABLE_BYTES);
  bad.bytes[30] ^= 0xff; // a quoted port changed, checksum stale
  const p = new Icmpv4Packet(bad.bytes, bad.dv);
  assert.is(new Icmpv4Repr().parse(p, caps(Checksum.Both)), WireError.Checksum);
  assert.is(new Icmpv4Repr().parse(p, caps(Checksum.Rx)), WireError.Checksum);
  assert.is(new Icmpv4Repr().parse(p, caps(Checksum.Tx)), WireError.Ok);
  assert.is(new Icmpv4Repr().parse(p, caps(Checksum.None)), WireError.Ok);
  // Another protocol's capability does not matter.
  const k = ChecksumCapabilities.ignored();
  k.icmpv4 = Checksum.Both;
  assert.is(new Icmpv4Repr().parse(p, k), WireError.Checksum);

  const r = new Icmpv4Repr().echoRequest(0x1234, 0xabcd, 4);
  for (const [c, filledIn] of [[Checksum.Both, true], [Checksum.Tx, true], [Checksum.Rx, false], [Checksum.None, false]] as const) {
    const out = emitWith(r, ECHO_BYTES.subarray(8), caps(c));
    assert.is((out[2] << 8) | out[3], filledIn ? 0x8efe : 0, "capability " + c);
  }
});

test("checksum: zero, 0xffff and odd lengths", () => {
  // Echo request, ident 0, seq 0xf7ff, no data: the other words sum to 0xffff, so the checksum is 0.
  const zero = emitWith(new Icmpv4Repr().echoRequest(0, 0xf7ff, 0), new Uint8Array(0));
  assert.is(toHex(zero), "08 00 00 00 00 00 f7 ff");
  assert.is(parse(zero).err, WireError.Ok);
  // The other form of zero verifies too.
  const negZero = zero.slice();
  negZero[2] = 0xff;
  negZero[3] = 0xff;
  assert.is(parse(negZero).err, WireError.Ok);
  // Echo reply, all zero: the sum is 0, so the checksum is 0xffff.
  const ones = emitWith(new Icmpv4Repr().echoReply(0, 0, 0), new Uint8Array(0));
  assert.is(toHex(ones), "00 00 ff ff 00 00 00 00");
  assert.is(parse(ones).err, WireError.Ok);
  // An all-zero message, checksum 0 included, does not verify.
  assert.is(parse(new Uint8Array(8)).err, WireError.Checksum);
  // Odd length: the last octet is the high half of a word (hand-computed 0xeef6).
  const odd = emitWith(new Icmpv4Repr().echoRequest(1, 2, 5), new Uint8Array([1, 2, 3, 4, 5]));
  assert.is(toHex(odd), "08 00 ee f6 00 01 00 02 01 02 03 04 05");
  const o = parse(odd);
  assert.is(o.err, WireError.Ok);
  assert.is(o.repr.dataLen, 5);
});

/** The ICMP message inside a captured Ethernet/IPv4 frame, as a view over a copy. */
function linuxIcmp(frame: Uint8Array): Icmpv4Packet {
  const v = view(frame);
  const ip = new Ipv4Packet(v.bytes, v.dv, 14, v.bytes.length - 14);
  return new Icmpv4Packet(v.bytes, v.dv, ip.payloadOffset(), ip.payloadLen());
}

test("real Linux frames: echo request answered with Linux's own echo reply", () => {
  const req = linuxIcmp(LINUX_ICMPV4_ECHO_REQUEST);
  const r = new Icmpv4Repr();
  assert.is(r.parse(req, CAPS), WireError.Ok);
  assert.is(r.msgType, Icmpv4Message.EchoRequest);
  assert.is(r.dataLen, 56);
  const reply = new Icmpv4Repr().echoReply(r.ident, r.seqNo, r.dataLen);
  const out = emitWith(reply, req.bytes.subarray(r.dataOffset, r.dataOffset + r.dataLen));
  const linux = linuxIcmp(LINUX_ICMPV4_ECHO_REPLY);
  assert.is(toHex(out), toHex(linux.bytes.subarray(linux.off, linux.off + linux.len)));
  const back = new Icmpv4Repr();
  assert.is(back.parse(linux, CAPS), WireError.Ok);
  assert.is(back.msgType, Icmpv4Message.EchoReply);
  assert.is(back.ident, r.ident);
  assert.is(back.seqNo, r.seqNo);
});

test("real Linux frames: port unreachable quoting the whole datagram, fields as tshark reads them", () => {
  const frame = LINUX_FRAMES.find((x) => x.bytes === LINUX_ICMPV4_PORT_UNREACHABLE);
  assert.ok(frame);
  const f = frame!.fields;
  const second = (k: string) => f[k].split(",")[1];
  const p = linuxIcmp(LINUX_ICMPV4_PORT_UNREACHABLE);
  const r = new Icmpv4Repr();
  assert.is(r.parse(p, CAPS), WireError.Ok);
  assert.is(r.msgType, +f["icmp.type"]);
  assert.is(r.msgCode, +f["icmp.code"]);
  assert.is(p.checksum(), parseInt(f["icmp.checksum"], 16));
  assert.is(r.quoted.srcAddr, ipv4Parse(second("ip.src")));
  assert.is(r.quoted.dstAddr, ipv4Parse(second("ip.dst")));
  assert.is(r.quoted.nextHeader, +second("ip.proto"));
  assert.is(r.quoted.hopLimit, +second("ip.ttl"));
  assert.is(r.quoted.ident, parseInt(second("ip.id"), 16));
  assert.is(r.quoted.payloadLen, +second("ip.len") - +second("ip.hdr_len"));
  assert.is(r.quotedDataLen, r.quoted.payloadLen, "Linux quotes all of a short datagram");
  assert.is(p.dv.getUint16(r.quotedDataOffset), +f["udp.srcport"]);
  assert.is(p.dv.getUint16(r.quotedDataOffset + 2), +f["udp.dstport"]);
  // Re-emitting with the quote in place gives Linux's bytes.
  const out = emitWith(new Icmpv4Repr().dstUnreachable(r.msgCode, r.dataLen), p.bytes.subarray(r.dataOffset, r.dataOffset + r.dataLen));
  assert.is(toHex(out), toHex(p.bytes.subarray(p.off, p.off + p.len)));
});

test.run();
