import { test } from "uvu";
import * as assert from "uvu/assert";
import { WireError } from "../../src/wire/error.js";
import { Checksum, ChecksumCapabilities, checksumPseudoV4, checksumPseudoV6 } from "../../src/wire/checksum.js";
import { IpProtocol, Ipv6Address, ipv4Parse } from "../../src/wire/ip.js";
import {
  TCP_HEADER_LEN,
  TCP_MAX_HEADER_LEN,
  TcpControl,
  TcpPacket,
  TcpRepr,
  tcpControlName,
} from "../../src/wire/tcp.js";
import { filled, toHex, view } from "../support/bytes.js";

// Fixtures. Unless a comment says otherwise, these are real segments sent by Linux 6.x over a
// veth pair with transmit checksum offload off (so the checksums on the wire are final),
// captured with tcpdump; tshark reports every checksum "correct". The SACK segments are Linux's
// answers to out-of-order data sent by a test client whose initial sequence numbers sit just
// below 2^32 and 2^31, so their sequence numbers wrap.

// 10.0.0.1:58432 -> 10.0.0.2:8080, an active open.
const SYN_V4 = new Uint8Array([
  0xe4, 0x40, 0x1f, 0x90, //             source port 58432, destination port 8080
  0x2d, 0x49, 0xe3, 0x75, //             sequence number 759817077
  0x00, 0x00, 0x00, 0x00, //             acknowledgment number (no ACK)
  0xa0, 0x02, 0xfa, 0xf0, //             data offset 10 (40 octets), SYN; window 64240
  0x8a, 0xa7, 0x00, 0x00, //             checksum, urgent pointer
  0x02, 0x04, 0x05, 0xb4, //             MSS 1460
  0x04, 0x02, 0x08, 0x0a, //             SACK-Permitted; Timestamps, length 10
  0xf8, 0x4c, 0xa1, 0x85, //             TSval 4165771653
  0x00, 0x00, 0x00, 0x00, //             TSecr 0
  0x01, 0x03, 0x03, 0x0a, //             NOP; Window Scale 10
]);

// 10.0.0.2:8080 -> 10.0.0.1:58432, the passive side's answer.
const SYNACK_V4 = new Uint8Array([
  0x1f, 0x90, 0xe4, 0x40, //             ports 8080 -> 58432
  0x0e, 0x40, 0xca, 0x2b, //             sequence number 239127083
  0x2d, 0x49, 0xe3, 0x76, //             acknowledgment number 759817078
  0xa0, 0x12, 0xfe, 0x88, //             data offset 10, SYN ACK; window 65160
  0xd2, 0xf4, 0x00, 0x00, //             checksum, urgent pointer
  0x02, 0x04, 0x05, 0xb4, //             MSS 1460
  0x04, 0x02, 0x08, 0x0a, //             SACK-Permitted; Timestamps
  0x04, 0xac, 0xd6, 0xf1, //             TSval 78436081
  0xf8, 0x4c, 0xa1, 0x85, //             TSecr 4165771653
  0x01, 0x03, 0x03, 0x0a, //             NOP; Window Scale 10
]);

// 10.0.0.1 -> 10.0.0.2, the first data segment: an HTTP request.
const DATA_V4 = new Uint8Array([
  0xe4, 0x40, 0x1f, 0x90, //             ports 58432 -> 8080
  0x2d, 0x49, 0xe3, 0x76, //             sequence number 759817078
  0x0e, 0x40, 0xca, 0x2c, //             acknowledgment number 239127084
  0x80, 0x18, 0x00, 0x3f, //             data offset 8 (32 octets), PSH ACK; window 63 (scaled)
  0x21, 0x54, 0x00, 0x00, //             checksum, urgent pointer
  0x01, 0x01, 0x08, 0x0a, //             NOP NOP; Timestamps
  0xf8, 0x4c, 0xa1, 0x85, //             TSval
  0x04, 0xac, 0xd6, 0xf1, //             TSecr
  0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e, 0x30, // "GET / HTTP/1.0"
  0x0d, 0x0a, 0x0d, 0x0a, //             CR LF CR LF
]);

// 10.0.0.1 -> 10.0.0.2, the active close.
const FIN_V4 = new Uint8Array([
  0xe4, 0x40, 0x1f, 0x90, //             ports 58432 -> 8080
  0x2d, 0x49, 0xe3, 0x88, //             sequence number 759817096
  0x0e, 0x40, 0xca, 0x43, //             acknowledgment number 239127107
  0x80, 0x11, 0x00, 0x3f, //             data offset 8, FIN ACK; window 63
  0xff, 0x7d, 0x00, 0x00, //             checksum, urgent pointer
  0x01, 0x01, 0x08, 0x0a, //             NOP NOP; Timestamps
  0xf8, 0x4c, 0xa1, 0xea, //             TSval
  0x04, 0xac, 0xd6, 0xf2, //             TSecr
]);

// 10.0.0.2:9999 -> 10.0.0.1:54674, Linux refusing a SYN to a closed port (RFC 9293 §3.10.7.1).
const RST_V4 = new Uint8Array([
  0x27, 0x0f, 0xd5, 0x92, //             ports 9999 -> 54674
  0x00, 0x00, 0x00, 0x00, //             sequence number 0
  0xb7, 0x5b, 0x6b, 0xb4, //             acknowledgment number 3076221876 (above 2^31)
  0x50, 0x14, 0x00, 0x00, //             data offset 5, RST ACK; window 0
  0x7c, 0x1c, 0x00, 0x00, //             checksum, urgent pointer
]);

// 10.0.0.2:8080 -> 10.0.0.3:40000, a duplicate ACK with Timestamps and three SACK blocks, the
// most recent first (RFC 2018 §4); the acknowledgment number is 2^32 - 15, the blocks wrapped.
const SACK3_V4 = new Uint8Array([
  0x1f, 0x90, 0x9c, 0x40, //             ports 8080 -> 40000
  0x5f, 0xa5, 0x2c, 0xa9, //             sequence number 1604660393
  0xff, 0xff, 0xff, 0xf1, //             acknowledgment number 4294967281
  0xf0, 0x10, 0x00, 0x40, //             data offset 15 (60 octets), ACK; window 64
  0xd3, 0x08, 0x00, 0x00, //             checksum, urgent pointer
  0x01, 0x01, 0x08, 0x0a, //             NOP NOP; Timestamps
  0x3d, 0x6f, 0x88, 0x6d, //             TSval 1030719597
  0x01, 0x02, 0x03, 0x05, //             TSecr 16909061
  0x01, 0x01, 0x05, 0x1a, //             NOP NOP; SACK, length 26: three blocks
  0x00, 0x00, 0x01, 0xe5, 0x00, 0x00, 0x02, 0x17, // 485..535
  0x00, 0x00, 0x01, 0x1d, 0x00, 0x00, 0x01, 0x4f, // 285..335
  0x00, 0x00, 0x00, 0x55, 0x00, 0x00, 0x00, 0x87, // 85..135
]);

// 10.0.0.2:8080 -> 10.0.0.3:40001, without timestamps Linux sends four SACK blocks (RFC 2018 §3).
const SACK4_V4 = new Uint8Array([
  0x1f, 0x90, 0x9c, 0x41, //             ports 8080 -> 40001
  0x03, 0x86, 0xba, 0xc7, //             sequence number 59161287
  0x7f, 0xff, 0xff, 0xf1, //             acknowledgment number 2147483633 (2^31 - 15)
  0xe0, 0x10, 0x00, 0x3f, //             data offset 14 (56 octets), ACK; window 63
  0xfe, 0x64, 0x00, 0x00, //             checksum, urgent pointer
  0x01, 0x01, 0x05, 0x22, //             NOP NOP; SACK, length 34: four blocks
  0x80, 0x00, 0x02, 0xad, 0x80, 0x00, 0x02, 0xdf, // 2147484333..2147484383
  0x80, 0x00, 0x01, 0xe5, 0x80, 0x00, 0x02, 0x17, // 2147484133..2147484183
  0x80, 0x00, 0x01, 0x1d, 0x80, 0x00, 0x01, 0x4f, // 2147483933..2147483983
  0x80, 0x00, 0x00, 0x55, 0x80, 0x00, 0x00, 0x87, // 2147483733..2147483783
]);

// SACK4_V4 as this stack re-emits it: the first three blocks only. Built from the fixture;
// tshark: checksum correct, "TCP SACK Count: 3".
const SACK4_AS_3 = new Uint8Array([
  0x1f, 0x90, 0x9c, 0x41, //             ports 8080 -> 40001
  0x03, 0x86, 0xba, 0xc7, //             sequence number
  0x7f, 0xff, 0xff, 0xf1, //             acknowledgment number
  0xc0, 0x10, 0x00, 0x3f, //             data offset 12 (48 octets), ACK; window 63
  0x1f, 0x52, 0x00, 0x00, //             checksum, urgent pointer
  0x01, 0x01, 0x05, 0x1a, //             NOP NOP; SACK, length 26
  0x80, 0x00, 0x02, 0xad, 0x80, 0x00, 0x02, 0xdf,
  0x80, 0x00, 0x01, 0xe5, 0x80, 0x00, 0x02, 0x17,
  0x80, 0x00, 0x01, 0x1d, 0x80, 0x00, 0x01, 0x4f,
]);

// 192.168.69.1:49152 -> 192.168.69.100:80, built from the RFC diagrams: a SYN as a small
// device would send it, sequence number 2^32 - 16, MSS 1460, SACK-Permitted, Window Scale 0, no
// timestamps. tshark: checksum correct.
const SYN_NO_TS = new Uint8Array([
  0xc0, 0x00, 0x00, 0x50, //             ports 49152 -> 80
  0xff, 0xff, 0xff, 0xf0, //             sequence number 4294967280
  0x00, 0x00, 0x00, 0x00, //             acknowledgment number (no ACK)
  0x80, 0x02, 0x04, 0x00, //             data offset 8, SYN; window 1024
  0x9f, 0x20, 0x00, 0x00, //             checksum, urgent pointer
  0x02, 0x04, 0x05, 0xb4, //             MSS 1460
  0x01, 0x01, 0x04, 0x02, //             NOP NOP; SACK-Permitted
  0x01, 0x03, 0x03, 0x00, //             NOP; Window Scale 0
]);

// fd00::1:51324 -> fd00::2:8080, an active open over IPv6 (MSS 1440 = 1500 - 40 - 20).
const SYN_V6 = new Uint8Array([
  0xc8, 0x7c, 0x1f, 0x90, //             ports 51324 -> 8080
  0x4f, 0x26, 0x6f, 0x4b, //             sequence number 1327918923
  0x00, 0x00, 0x00, 0x00, //             acknowledgment number (no ACK)
  0xa0, 0x02, 0xfd, 0x20, //             data offset 10, SYN; window 64800
  0x35, 0x73, 0x00, 0x00, //             checksum, urgent pointer
  0x02, 0x04, 0x05, 0xa0, //             MSS 1440
  0x04, 0x02, 0x08, 0x0a, //             SACK-Permitted; Timestamps
  0xff, 0x3c, 0x75, 0xbd, //             TSval 4282152381
  0x00, 0x00, 0x00, 0x00, //             TSecr 0
  0x01, 0x03, 0x03, 0x0a, //             NOP; Window Scale 10
]);

// fd00::1 -> fd00::2, the first data segment over IPv6.
const DATA_V6 = new Uint8Array([
  0xc8, 0x7c, 0x1f, 0x90, //             ports 51324 -> 8080
  0x4f, 0x26, 0x6f, 0x4c, //             sequence number 1327918924
  0x95, 0x44, 0x3e, 0xb4, //             acknowledgment number 2504277684 (above 2^31)
  0x80, 0x18, 0x00, 0x40, //             data offset 8, PSH ACK; window 64
  0xa4, 0x83, 0x00, 0x00, //             checksum, urgent pointer
  0x01, 0x01, 0x08, 0x0a, //             NOP NOP; Timestamps
  0xff, 0x3c, 0x75, 0xbd, //             TSval
  0x02, 0x2e, 0x07, 0x9b, //             TSecr
  0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e, 0x30, // "GET / HTTP/1.0"
  0x0d, 0x0a, 0x0d, 0x0a, //             CR LF CR LF
]);

const A1 = ipv4Parse("10.0.0.1");
const A2 = ipv4Parse("10.0.0.2");
const A3 = ipv4Parse("10.0.0.3");
const V6_1 = Ipv6Address.parse("fd00::1");
const V6_2 = Ipv6Address.parse("fd00::2");
const p4 = (src: number, dst: number, len: number) => checksumPseudoV4(src, dst, IpProtocol.Tcp, len);
const p6 = (src: Ipv6Address, dst: Ipv6Address, len: number) => checksumPseudoV6(src, dst, IpProtocol.Tcp, len);

interface Fixture {
  name: string;
  bytes: Uint8Array;
  pseudo: number;
}
const FIXTURES: Fixture[] = [
  { name: "SYN_V4", bytes: SYN_V4, pseudo: p4(A1, A2, 40) },
  { name: "SYNACK_V4", bytes: SYNACK_V4, pseudo: p4(A2, A1, 40) },
  { name: "DATA_V4", bytes: DATA_V4, pseudo: p4(A1, A2, 50) },
  { name: "FIN_V4", bytes: FIN_V4, pseudo: p4(A1, A2, 32) },
  { name: "RST_V4", bytes: RST_V4, pseudo: p4(A2, A1, 20) },
  { name: "SACK3_V4", bytes: SACK3_V4, pseudo: p4(A2, A3, 60) },
  { name: "SACK4_V4", bytes: SACK4_V4, pseudo: p4(A2, A3, 56) },
  { name: "SYN_NO_TS", bytes: SYN_NO_TS, pseudo: p4(ipv4Parse("192.168.69.1"), ipv4Parse("192.168.69.100"), 32) },
  { name: "SYN_V6", bytes: SYN_V6, pseudo: p6(V6_1, V6_2, 40) },
  { name: "DATA_V6", bytes: DATA_V6, pseudo: p6(V6_1, V6_2, 50) },
];
// Fixtures a parse -> emit reproduces octet for octet (SACK4_V4 loses its fourth block).
const REPRODUCIBLE = FIXTURES.filter((f) => f.name !== "SACK4_V4");

const BOTH = new ChecksumCapabilities();
function caps(c: Checksum): ChecksumCapabilities {
  const k = new ChecksumCapabilities();
  k.tcp = c;
  return k;
}

function packetOf(src: Uint8Array, len = src.length): TcpPacket {
  const v = view(src);
  return new TcpPacket(v.bytes, v.dv, 0, len);
}

function parsed(f: Fixture): TcpRepr {
  const r = new TcpRepr();
  const err = r.parse(packetOf(f.bytes), f.pseudo, BOTH);
  if (err !== WireError.Ok) throw new Error(f.name + " does not parse: " + err);
  return r;
}

/** Emits `repr` with `payload` into a 0xa5-filled buffer one octet longer than the segment. */
function emitted(repr: TcpRepr, payload: Uint8Array, pseudo: number, c = BOTH): Uint8Array {
  const len = repr.bufferLen(payload.length);
  const b = filled(len + 1);
  b.bytes.set(payload, repr.headerLen());
  repr.emit(new TcpPacket(b.bytes, b.dv, 0, len), payload.length, pseudo, c);
  assert.is(b.bytes[len], 0xa5, "emit stays inside bufferLen()");
  return b.bytes.subarray(0, len);
}

test("deconstruct: SYN", () => {
  const p = packetOf(SYN_V4);
  assert.is(p.check(), WireError.Ok);
  assert.is(p.srcPort(), 58432);
  assert.is(p.dstPort(), 8080);
  assert.is(p.seqNumber(), 759817077);
  assert.is(p.ackNumber(), 0);
  assert.is(p.headerLen(), 40);
  assert.is(p.flags(), 0x002);
  assert.ok(p.syn());
  assert.not.ok(p.ack() || p.fin() || p.rst() || p.psh() || p.urg() || p.ece() || p.cwr() || p.ns());
  assert.is(p.windowLen(), 64240);
  assert.is(p.checksum(), 0x8aa7);
  assert.is(p.urgentAt(), 0);
  assert.is(p.optionsOffset(), 20);
  assert.is(p.optionsLen(), 20);
  assert.is(p.payloadOffset(), 40);
  assert.is(p.payloadLen(), 0);
  assert.is(p.segmentLen(), 1);
  assert.ok(p.verifyChecksum(p4(A1, A2, 40)));
});

test("deconstruct: data, FIN, RST and int32 numbers", () => {
  const d = packetOf(DATA_V4);
  assert.is(d.check(), WireError.Ok);
  assert.ok(d.psh() && d.ack());
  assert.not.ok(d.syn() || d.fin() || d.rst());
  assert.is(d.ackNumber(), 239127084);
  assert.is(d.headerLen(), 32);
  assert.is(d.optionsLen(), 12);
  assert.is(d.payloadOffset(), 32);
  assert.is(d.payloadLen(), 18);
  assert.is(d.segmentLen(), 18);
  const f = packetOf(FIN_V4);
  assert.ok(f.fin() && f.ack());
  assert.is(f.segmentLen(), 1);
  const r = packetOf(RST_V4);
  assert.ok(r.rst() && r.ack());
  assert.is(r.headerLen(), 20);
  assert.is(r.optionsLen(), 0);
  assert.is(r.segmentLen(), 0);
  // Numbers at or above 2^31 read as negative int32, never as doubles.
  assert.is(r.ackNumber(), 0xb75b6bb4 | 0);
  assert.ok(r.ackNumber() < 0);
  assert.is(packetOf(SACK3_V4).ackNumber(), -15);
  assert.is(packetOf(SYN_NO_TS).seqNumber(), -16);
  for (const fx of FIXTURES) assert.ok(packetOf(fx.bytes).verifyChecksum(fx.pseudo), fx.name);
});

test("deconstruct at an offset", () => {
  const b = filled(DATA_V6.length + 9);
  b.bytes.set(DATA_V6, 9);
  const p = new TcpPacket(b.bytes, b.dv, 9, DATA_V6.length);
  assert.is(p.check(), WireError.Ok);
  assert.is(p.dstPort(), 8080);
  assert.is(p.optionsOffset(), 29);
  assert.is(p.payloadOffset(), 41);
  assert.is(p.payloadLen(), 18);
  assert.ok(p.verifyChecksum(p6(V6_1, V6_2, 50)));
});

test("construct into a 0xa5-filled buffer", () => {
  // SYN_V4 over IPv4, field by field.
  const b = filled(40);
  const p = new TcpPacket(b.bytes, b.dv);
  p.setSrcPort(58432);
  p.setDstPort(8080);
  p.setSeqNumber(759817077);
  p.setAckNumber(0);
  p.setHeaderLen(40);
  p.clearFlags();
  p.setSyn(true);
  p.setWindowLen(64240);
  p.setUrgentAt(0);
  b.bytes.set(SYN_V4.subarray(20, 40), p.optionsOffset());
  p.fillChecksum(p4(A1, A2, 40));
  assert.equal(b.bytes, SYN_V4);

  // DATA_V6 over IPv6, with a flag set and cleared again.
  const c = filled(50);
  const q = new TcpPacket(c.bytes, c.dv);
  q.setSrcPort(51324);
  q.setDstPort(8080);
  q.setSeqNumber(1327918924);
  q.setAckNumber(0x95443eb4 | 0);
  q.setHeaderLen(32);
  q.clearFlags();
  q.setPsh(true);
  q.setAck(true);
  q.setUrg(true);
  q.setUrg(false);
  q.setWindowLen(64);
  q.setUrgentAt(0);
  c.bytes.set(DATA_V6.subarray(20), 20);
  q.fillChecksum(p6(V6_1, V6_2, 50));
  assert.equal(c.bytes, DATA_V6);

  // RST_V4.
  const d = filled(20);
  const r = new TcpPacket(d.bytes, d.dv);
  r.setSrcPort(9999);
  r.setDstPort(54674);
  r.setSeqNumber(0);
  r.setAckNumber(0xb75b6bb4 | 0);
  r.setHeaderLen(20);
  r.clearFlags();
  r.setRst(true);
  r.setAck(true);
  r.setWindowLen(0);
  r.setUrgentAt(0);
  r.fillChecksum(p4(A2, A1, 20));
  assert.equal(d.bytes, RST_V4);
});

test("construct: every flag setter sets its own bit", () => {
  const b = filled(20);
  const p = new TcpPacket(b.bytes, b.dv);
  p.setHeaderLen(20);
  p.clearFlags();
  assert.is(p.flags(), 0);
  assert.is(p.headerLen(), 20, "clearFlags keeps the data offset");
  const setters: [(v: boolean) => void, () => boolean, number][] = [
    [(v) => p.setFin(v), () => p.fin(), 0x001],
    [(v) => p.setSyn(v), () => p.syn(), 0x002],
    [(v) => p.setRst(v), () => p.rst(), 0x004],
    [(v) => p.setPsh(v), () => p.psh(), 0x008],
    [(v) => p.setAck(v), () => p.ack(), 0x010],
    [(v) => p.setUrg(v), () => p.urg(), 0x020],
    [(v) => p.setEce(v), () => p.ece(), 0x040],
    [(v) => p.setCwr(v), () => p.cwr(), 0x080],
    [(v) => p.setNs(v), () => p.ns(), 0x100],
  ];
  for (const [set, get, bit] of setters) {
    set(true);
    assert.ok(get(), "bit " + bit);
    assert.is(p.flags(), bit, "bit " + bit);
    set(false);
    assert.not.ok(get(), "bit " + bit);
    assert.is(p.flags(), 0);
  }
  p.setHeaderLen(60);
  assert.is(b.bytes[12], 0xf0);
  assert.is(p.headerLen(), 60);
});

test("parse: SYN with every option", () => {
  const r = parsed(FIXTURES[0]);
  assert.is(r.srcPort, 58432);
  assert.is(r.dstPort, 8080);
  assert.is(r.control, TcpControl.Syn);
  assert.is(r.seqNumber, 759817077);
  assert.is(r.hasAck, false);
  assert.is(r.ackNumber, 0);
  assert.is(r.windowLen, 64240);
  assert.is(r.maxSegSize, 1460);
  assert.is(r.windowScale, 10);
  assert.is(r.sackPermitted, true);
  assert.is(r.hasTimestamp, true);
  assert.is(r.tsVal, 0xf84ca185 | 0);
  assert.is(r.tsEcr, 0);
  assert.is(r.sackCount, 0);
  assert.is(r.payloadOffset, 40);
  assert.is(r.payloadLen, 0);
  assert.is(r.segmentLen(), 1);
  assert.is(r.toString(), "TCP src=58432 dst=8080 syn seq=759817077 win=64240 len=0 mss=1460 ws=10 sackOK ts=4165771653/0");
});

test("parse: SYN-ACK, data, FIN, RST", () => {
  const sa = parsed(FIXTURES[1]);
  assert.is(sa.control, TcpControl.Syn);
  assert.is(sa.hasAck, true);
  assert.is(sa.ackNumber, 759817078);
  assert.is(sa.tsEcr, 0xf84ca185 | 0);
  assert.is(sa.toString(), "TCP src=8080 dst=58432 syn seq=239127083 ack=759817078 win=65160 len=0 mss=1460 ws=10 sackOK ts=78436081/4165771653");

  const d = parsed(FIXTURES[2]);
  assert.is(d.control, TcpControl.Psh);
  assert.is(d.hasAck, true);
  assert.is(d.ackNumber, 239127084);
  assert.is(d.windowLen, 63);
  assert.is(d.maxSegSize, 0);
  assert.is(d.windowScale, -1);
  assert.is(d.sackPermitted, false);
  assert.is(d.hasTimestamp, true);
  assert.is(d.tsVal, 0xf84ca185 | 0);
  assert.is(d.tsEcr, 78436081);
  assert.is(d.payloadOffset, 32);
  assert.is(d.payloadLen, 18);
  assert.is(d.segmentLen(), 18);
  assert.is(d.toString(), "TCP src=58432 dst=8080 psh seq=759817078 ack=239127084 win=63 len=18 ts=4165771653/78436081");

  const f = parsed(FIXTURES[3]);
  assert.is(f.control, TcpControl.Fin);
  assert.is(f.hasAck, true);
  assert.is(f.payloadLen, 0);
  assert.is(f.segmentLen(), 1);

  const r = parsed(FIXTURES[4]);
  assert.is(r.control, TcpControl.Rst);
  assert.is(r.hasAck, true);
  assert.is(r.ackNumber, 0xb75b6bb4 | 0);
  assert.is(r.windowLen, 0);
  assert.is(r.hasTimestamp, false);
  assert.is(r.toString(), "TCP src=9999 dst=54674 rst seq=0 ack=3076221876 win=0 len=0");
});

test("parse: SACK blocks (three kept of four; wrapped numbers stay int32)", () => {
  const s3 = parsed(FIXTURES[5]);
  assert.is(s3.control, TcpControl.None);
  assert.is(s3.ackNumber, -15);
  assert.is(s3.sackCount, 3);
  assert.equal(Array.from(s3.sackRanges), [485, 535, 285, 335, 85, 135]);
  assert.is(s3.hasTimestamp, true);
  assert.is(s3.toString(), "TCP src=8080 dst=40000 seq=1604660393 ack=4294967281 win=64 len=0 ts=1030719597/16909061 sack=485-535,285-335,85-135");
  const s4 = parsed(FIXTURES[6]);
  assert.is(s4.sackCount, 3);
  assert.equal(Array.from(s4.sackRanges), [0x800002ad | 0, 0x800002df | 0, 0x800001e5 | 0, 0x80000217 | 0, 0x8000011d | 0, 0x8000014f | 0]);
  assert.is(s4.hasTimestamp, false);
  // A later parse without SACK clears the count.
  assert.is(s4.parse(packetOf(DATA_V4), p4(A1, A2, 50), BOTH), WireError.Ok);
  assert.is(s4.sackCount, 0);
});

test("parse: IPv6 fixtures", () => {
  const s = parsed(FIXTURES[8]);
  assert.is(s.control, TcpControl.Syn);
  assert.is(s.maxSegSize, 1440);
  assert.is(s.windowScale, 10);
  const d = parsed(FIXTURES[9]);
  assert.is(d.ackNumber, 0x95443eb4 | 0);
  assert.is(d.payloadLen, 18);
});

test("emit: every fixture reproduced octet for octet", () => {
  for (const f of REPRODUCIBLE) {
    const r = parsed(f);
    assert.is(r.headerLen(), packetOf(f.bytes).headerLen(), f.name);
    const out = emitted(r, f.bytes.subarray(r.payloadOffset), f.pseudo);
    assert.equal(out, f.bytes, f.name + ": " + toHex(out));
  }
  // Four SACK blocks come back as three.
  const s4 = parsed(FIXTURES[6]);
  assert.equal(emitted(s4, new Uint8Array(0), p4(A2, A3, 48)), SACK4_AS_3);
});

test("emit: a repr built from scratch", () => {
  const r = new TcpRepr();
  r.srcPort = 49152;
  r.dstPort = 80;
  r.control = TcpControl.Syn;
  r.seqNumber = 0xfffffff0 | 0;
  r.windowLen = 1024;
  r.maxSegSize = 1460;
  r.sackPermitted = true;
  r.windowScale = 0;
  assert.is(r.headerLen(), 32);
  assert.is(r.bufferLen(0), 32);
  assert.equal(emitted(r, new Uint8Array(0), FIXTURES[7].pseudo), SYN_NO_TS);
});

test("emit: option layout and header length per combination", () => {
  const r = new TcpRepr();
  r.control = TcpControl.Syn;
  r.srcPort = 1;
  r.dstPort = 2;
  assert.is(r.headerLen(), 20, "bare SYN");
  r.maxSegSize = 536;
  assert.is(r.headerLen(), 24);
  r.windowScale = 14;
  assert.is(r.headerLen(), 28);
  r.sackPermitted = true;
  assert.is(r.headerLen(), 32);
  r.hasTimestamp = true;
  assert.is(r.headerLen(), 40, "SACK-Permitted shares the timestamps' word");
  const opts = emitted(r, new Uint8Array(0), 0).subarray(20);
  assert.equal(Array.from(opts), [2, 4, 2, 24, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 14]);
  // SYN-only options vanish from other segments; SACK blocks need an ACK and no SYN.
  r.sackCount = 3;
  r.sackRanges.set([1, 2, 3, 4, 5, 6]);
  assert.is(r.headerLen(), 40, "no SACK blocks on a SYN");
  r.hasAck = true;
  assert.is(r.headerLen(), 40, "no SACK blocks on a SYN-ACK");
  r.control = TcpControl.None;
  assert.is(r.headerLen(), 20 + 12 + 28, "timestamps and three blocks fill the 40 octets");
  assert.is(r.headerLen(), TCP_MAX_HEADER_LEN);
  r.hasAck = false;
  assert.is(r.headerLen(), 32, "no SACK blocks without ACK");
  r.hasAck = true;
  r.hasTimestamp = false;
  r.sackCount = 1;
  assert.is(r.headerLen(), 32);
  const one = emitted(r, new Uint8Array(0), 0).subarray(20);
  assert.equal(Array.from(one), [1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2]);
  r.sackCount = 0;
  assert.is(r.headerLen(), TCP_HEADER_LEN);
  r.control = TcpControl.Syn;
  r.maxSegSize = 0;
  r.windowScale = -1;
  assert.is(r.headerLen(), 24, "SACK-Permitted alone takes a word");
  assert.equal(Array.from(emitted(r, new Uint8Array(0), 0).subarray(20)), [1, 1, 4, 2]);
});

test("emit -> parse round trips: every control, option combination and wrap", () => {
  const seqs = [0, 1, 0x7ffffff0 | 0, 0x7fffffff, 0x80000000 | 0, 0xfffffff0 | 0, -1];
  const controls = [TcpControl.None, TcpControl.Psh, TcpControl.Syn, TcpControl.Fin, TcpControl.Rst];
  const r = new TcpRepr();
  const back = new TcpRepr();
  let n = 0;
  for (const control of controls) {
    for (const hasAck of [false, true]) {
      for (let combo = 0; combo < 64; combo++) {
        const seq = seqs[n % seqs.length];
        const v6 = (n & 1) === 1;
        n++;
        r.srcPort = 1 + combo;
        r.dstPort = 0xffff - combo;
        r.control = control;
        r.seqNumber = seq;
        r.hasAck = hasAck;
        r.ackNumber = hasAck ? (seq + 0x7fffffff) | 0 : 0;
        r.windowLen = (combo * 1031) & 0xffff;
        r.maxSegSize = combo & 1 ? 1460 : 0;
        r.windowScale = combo & 2 ? (combo & 4 ? 14 : 0) : -1;
        r.sackPermitted = (combo & 8) !== 0;
        r.hasTimestamp = (combo & 16) !== 0;
        r.tsVal = (seq ^ 0x5a5a5a5a) | 0;
        r.tsEcr = (seq - 1) | 0;
        r.sackCount = combo & 32 ? 1 + (combo % 3) : 0;
        for (let i = 0; i < 6; i++) r.sackRanges[i] = (seq + 100 * i) | 0;
        const payload = new Uint8Array(combo % 4);
        for (let i = 0; i < payload.length; i++) payload[i] = 0x30 + i;
        r.payloadLen = payload.length;
        const len = r.bufferLen(payload.length);
        const pseudo = v6 ? p6(V6_1, V6_2, len) : p4(A1, A2, len);
        const out = emitted(r, payload, pseudo);
        const what = `${tcpControlName(control)} ack=${hasAck} combo=${combo} seq=${seq}`;
        assert.is(back.parse(packetOf(out), pseudo, BOTH), WireError.Ok, what);
        const syn = control === TcpControl.Syn;
        const sacks = !syn && hasAck ? r.sackCount : 0;
        assert.is(back.srcPort, r.srcPort, what);
        assert.is(back.dstPort, r.dstPort, what);
        assert.is(back.control, control, what);
        assert.is(back.seqNumber, seq, what);
        assert.is(back.hasAck, hasAck, what);
        assert.is(back.ackNumber, r.ackNumber, what);
        assert.is(back.windowLen, r.windowLen, what);
        assert.is(back.maxSegSize, syn ? r.maxSegSize : 0, what);
        assert.is(back.windowScale, syn ? r.windowScale : -1, what);
        assert.is(back.sackPermitted, syn && r.sackPermitted, what);
        assert.is(back.hasTimestamp, r.hasTimestamp, what);
        assert.is(back.tsVal, r.hasTimestamp ? r.tsVal : 0, what);
        assert.is(back.tsEcr, r.hasTimestamp ? r.tsEcr : 0, what);
        assert.is(back.sackCount, sacks, what);
        for (let i = 0; i < 2 * sacks; i++) assert.is(back.sackRanges[i], r.sackRanges[i], what);
        assert.is(back.payloadOffset, r.headerLen(), what);
        assert.is(back.payloadLen, payload.length, what);
        assert.is(back.segmentLen(), r.segmentLen(), what);
      }
    }
  }
});

test("segment length: SYN and FIN count one each (smoltcp's segment_len)", () => {
  const r = new TcpRepr();
  r.payloadLen = 5;
  const want: [TcpControl, number][] = [
    [TcpControl.None, 5],
    [TcpControl.Psh, 5],
    [TcpControl.Syn, 6],
    [TcpControl.Fin, 6],
    [TcpControl.Rst, 5],
  ];
  for (const [c, len] of want) {
    r.control = c;
    assert.is(r.segmentLen(), len, tcpControlName(c));
  }
});

test("control flags: combinations", () => {
  const r = new TcpRepr();
  const cases: [number, WireError, TcpControl][] = [
    [0x000, WireError.Ok, TcpControl.None],
    [0x008, WireError.Ok, TcpControl.Psh], //   PSH
    [0x00a, WireError.Ok, TcpControl.Syn], //   SYN PSH: PSH dropped
    [0x019, WireError.Ok, TcpControl.Fin], //   FIN PSH ACK (Linux closes this way)
    [0x00c, WireError.Ok, TcpControl.Rst], //   RST PSH
    [0x003, WireError.Malformed, TcpControl.None], // SYN FIN
    [0x006, WireError.Malformed, TcpControl.None], // SYN RST
    [0x005, WireError.Malformed, TcpControl.None], // FIN RST
    [0x007, WireError.Malformed, TcpControl.None], // SYN FIN RST
    [0x1e0, WireError.Ok, TcpControl.None], //  NS CWR ECE URG: ignored
  ];
  for (const [flags, err, control] of cases) {
    const b = view(RST_V4);
    b.dv.setUint16(12, 0x5000 | flags);
    const p = new TcpPacket(b.bytes, b.dv);
    p.fillChecksum(p4(A2, A1, 20));
    assert.is(r.parse(p, p4(A2, A1, 20), BOTH), err, "flags 0x" + flags.toString(16));
    if (err === WireError.Ok) {
      assert.is(r.control, control, "flags 0x" + flags.toString(16));
      assert.is(r.hasAck, (flags & 0x10) !== 0);
    }
  }
});

test("the acknowledgment number means nothing without ACK, and is emitted as 0", () => {
  // RFC 9293 §3.1: "If the ACK control bit is set, this field contains the value of the next
  // sequence number the sender of the segment is expecting to receive."
  const b = view(SYN_V4);
  const p = new TcpPacket(b.bytes, b.dv);
  p.setAckNumber(0x12345678);
  p.fillChecksum(p4(A1, A2, 40));
  const r = new TcpRepr();
  assert.is(r.parse(p, p4(A1, A2, 40), BOTH), WireError.Ok);
  assert.is(r.hasAck, false);
  assert.is(r.ackNumber, 0);
  r.ackNumber = 0x12345678;
  assert.equal(emitted(r, new Uint8Array(0), p4(A1, A2, 40)), SYN_V4);
});

test("URG, the urgent pointer, ECE, CWR and NS are read and not re-emitted", () => {
  const b = view(DATA_V4);
  const p = new TcpPacket(b.bytes, b.dv);
  p.setUrg(true);
  p.setEce(true);
  p.setCwr(true);
  p.setNs(true);
  p.setUrgentAt(3);
  p.fillChecksum(p4(A1, A2, 50));
  assert.ok(p.urg() && p.ece() && p.cwr() && p.ns());
  assert.is(p.urgentAt(), 3);
  const r = new TcpRepr();
  assert.is(r.parse(p, p4(A1, A2, 50), BOTH), WireError.Ok);
  assert.is(r.control, TcpControl.Psh);
  assert.is(r.payloadLen, 18, "no octet is removed at the urgent pointer");
  assert.equal(emitted(r, DATA_V4.subarray(32), p4(A1, A2, 50)), DATA_V4);
});

test("ports: zero source or destination is malformed", () => {
  const r = new TcpRepr();
  for (const at of [0, 2]) {
    const b = view(RST_V4);
    b.dv.setUint16(at, 0);
    const p = new TcpPacket(b.bytes, b.dv);
    p.fillChecksum(p4(A2, A1, 20));
    assert.is(r.parse(p, p4(A2, A1, 20), BOTH), WireError.Malformed, "port at " + at);
  }
});

test("impossible length: every truncated prefix of every fixture", () => {
  const r = new TcpRepr();
  for (const f of FIXTURES) {
    const headerLen = packetOf(f.bytes).headerLen();
    for (let n = 0; n < f.bytes.length; n++) {
      const p = packetOf(f.bytes.subarray(0, n));
      const err = r.parse(p, p4(A1, A2, n), BOTH);
      // Cut inside the header: Truncated. Cut inside the data: the checksum no longer verifies.
      assert.is(err, n < headerLen ? WireError.Truncated : WireError.Checksum, f.name + " cut to " + n);
      // And without software checksums, a cut in the data is a shorter, valid segment.
      const err2 = r.parse(p, 0, caps(Checksum.None));
      assert.is(err2, n < headerLen ? WireError.Truncated : WireError.Ok, f.name + " cut to " + n);
    }
  }
});

test("impossible length: data offset below 5 or beyond the buffer", () => {
  const r = new TcpRepr();
  for (let words = 0; words < 5; words++) {
    const b = view(RST_V4);
    b.bytes[12] = (words << 4) | (b.bytes[12] & 0x0f);
    const p = new TcpPacket(b.bytes, b.dv);
    assert.is(p.check(), WireError.Malformed, "data offset " + words);
    assert.is(r.parse(p, p4(A2, A1, 20), BOTH), WireError.Malformed, "data offset " + words);
  }
  for (let words = 6; words < 16; words++) {
    const b = view(RST_V4);
    b.bytes[12] = (words << 4) | (b.bytes[12] & 0x0f);
    const p = new TcpPacket(b.bytes, b.dv);
    assert.is(p.check(), WireError.Truncated, "data offset " + words);
    assert.is(r.parse(p, p4(A2, A1, 20), BOTH), WireError.Truncated, "data offset " + words);
  }
});

/** A non-SYN ACK segment 10.0.0.1 -> 10.0.0.2 with the given option octets and a valid checksum. */
function withOptions(opts: number[], flags = 0x010): { p: TcpPacket; pseudo: number } {
  const len = TCP_HEADER_LEN + opts.length;
  const b = filled(len);
  const p = new TcpPacket(b.bytes, b.dv);
  p.setSrcPort(1000);
  p.setDstPort(2000);
  p.setSeqNumber(1);
  p.setAckNumber(2);
  p.setHeaderLen(len);
  p.clearFlags();
  b.dv.setUint16(12, b.dv.getUint16(12) | flags);
  p.setWindowLen(100);
  p.setUrgentAt(0);
  b.bytes.set(opts, TCP_HEADER_LEN);
  const pseudo = p4(A1, A2, len);
  p.fillChecksum(pseudo);
  return { p, pseudo };
}

test("options: illegal lengths are malformed (RFC 9293 §3.2)", () => {
  const r = new TcpRepr();
  const bad: [string, number[]][] = [
    ["length 0", [30, 0, 1, 1]],
    ["length 1", [30, 1, 1, 1]],
    ["MSS length 0", [2, 0, 0, 0]],
    ["overruns the header", [1, 1, 30, 3]],
    ["overruns by many", [2, 4, 5, 180, 8, 40, 0, 0]],
    ["no room for the length octet", [1, 1, 1, 2]],
    ["MSS length 3", [2, 3, 5, 0]],
    ["MSS length 5", [2, 5, 5, 180, 0, 1, 1, 1]],
    ["Window Scale length 2", [3, 2, 1, 1]],
    ["Window Scale length 4", [3, 4, 7, 0]],
    ["SACK-Permitted length 3", [4, 3, 0, 1]],
    ["Timestamps length 9", [8, 9, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1]],
    ["Timestamps length 11", [8, 11, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1]],
    ["SACK length 2 (no block)", [5, 2, 1, 1]],
    ["SACK length 9", [5, 9, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1]],
    ["SACK length 11", [5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1]],
  ];
  for (const [what, opts] of bad) {
    const { p, pseudo } = withOptions(opts);
    assert.is(r.parse(p, pseudo, BOTH), WireError.Malformed, what);
  }
});

test("options: unknown skipped, NOP, End of Option List, window scale clamp, MSS 0", () => {
  const r = new TcpRepr();
  // Unknown kinds 30 (length 4) and 254 (length 2) are skipped, MSS after them is read.
  let s = withOptions([30, 4, 0xaa, 0xbb, 254, 2, 2, 4, 0x05, 0xb4, 1, 1], 0x002);
  assert.is(r.parse(s.p, s.pseudo, BOTH), WireError.Ok);
  assert.is(r.maxSegSize, 1460);
  // After End of Option List nothing is read, not even an illegal option.
  s = withOptions([1, 0, 2, 1, 2, 4, 0x05, 0xb4]);
  assert.is(r.parse(s.p, s.pseudo, BOTH), WireError.Ok);
  assert.is(r.maxSegSize, 0);
  // RFC 7323 §2.3: a shift above 14 is used as 14.
  for (const [shift, want] of [[14, 14], [15, 14], [255, 14], [0, 0]]) {
    s = withOptions([1, 3, 3, shift], 0x002);
    assert.is(r.parse(s.p, s.pseudo, BOTH), WireError.Ok);
    assert.is(r.windowScale, want, "shift " + shift);
  }
  // An MSS of 0 reads as absent.
  s = withOptions([2, 4, 0, 0], 0x002);
  assert.is(r.parse(s.p, s.pseudo, BOTH), WireError.Ok);
  assert.is(r.maxSegSize, 0);
  // Options on a non-SYN are parsed all the same (RFC 9293 §3.2); the socket judges them.
  s = withOptions([2, 4, 2, 0x18, 1, 3, 3, 2]);
  assert.is(r.parse(s.p, s.pseudo, BOTH), WireError.Ok);
  assert.is(r.maxSegSize, 536);
  assert.is(r.windowScale, 2);
  // A parse resets options that the new segment lacks.
  s = withOptions([]);
  assert.is(r.parse(s.p, s.pseudo, BOTH), WireError.Ok);
  assert.is(r.maxSegSize, 0);
  assert.is(r.windowScale, -1);
  assert.is(r.hasTimestamp, false);
});

test("checksum: a corrupted octet is detected over IPv4 and IPv6", () => {
  const r = new TcpRepr();
  for (const f of [FIXTURES[2], FIXTURES[9]]) {
    for (let i = 0; i < f.bytes.length; i++) {
      if (i === 12) continue; // the data offset: a length change, tested above
      const b = view(f.bytes);
      b.bytes[i] ^= 0x20;
      const p = new TcpPacket(b.bytes, b.dv);
      assert.not.ok(p.verifyChecksum(f.pseudo), f.name + " octet " + i);
      assert.is(r.parse(p, f.pseudo, BOTH), WireError.Checksum, f.name + " octet " + i);
    }
  }
  // The same octets under the other version's pseudo-header, or another address.
  assert.is(r.parse(packetOf(DATA_V6), p4(A1, A2, 50), BOTH), WireError.Checksum);
  assert.is(r.parse(packetOf(DATA_V4), p6(V6_1, V6_2, 50), BOTH), WireError.Checksum);
  assert.is(r.parse(packetOf(DATA_V4), p4(A1, A3, 50), BOTH), WireError.Checksum);
  assert.is(r.parse(packetOf(DATA_V4), checksumPseudoV4(A1, A2, IpProtocol.Udp, 50), BOTH), WireError.Checksum);
});

test("checksum capabilities: Both, Rx, Tx, None", () => {
  const r = new TcpRepr();
  const bad = view(DATA_V4);
  bad.bytes[40] ^= 0x01;
  const rx: [Checksum, WireError][] = [
    [Checksum.Both, WireError.Checksum],
    [Checksum.Rx, WireError.Checksum],
    [Checksum.Tx, WireError.Ok],
    [Checksum.None, WireError.Ok],
  ];
  for (const [c, want] of rx) {
    assert.is(r.parse(new TcpPacket(bad.bytes, bad.dv), p4(A1, A2, 50), caps(c)), want, "rx under " + c);
  }
  const good = parsed(FIXTURES[2]);
  const tx: [Checksum, number][] = [
    [Checksum.Both, 0x2154],
    [Checksum.Rx, 0],
    [Checksum.Tx, 0x2154],
    [Checksum.None, 0],
  ];
  for (const [c, want] of tx) {
    const out = emitted(good, DATA_V4.subarray(32), p4(A1, A2, 50), caps(c));
    assert.is((out[16] << 8) | out[17], want, "tx under " + c);
  }
});

test("replyTo / resetFor: RFC 9293 §3.10.7.1 resets for a segment nobody takes", () => {
  const syn = new TcpRepr();
  syn.srcPort = 40000;
  syn.dstPort = 81;
  syn.control = TcpControl.Syn;
  syn.seqNumber = -1; // 0xffffffff: the answer's ACK wraps to 0 (SYN counts one)
  syn.maxSegSize = 1460;
  syn.windowScale = 7;
  syn.payloadLen = 0;
  const r = new TcpRepr();
  r.maxSegSize = 999;
  r.hasTimestamp = true;
  r.payloadLen = 5;
  r.resetFor(syn);
  assert.is(r.srcPort, 81);
  assert.is(r.dstPort, 40000);
  assert.is(r.control, TcpControl.Rst);
  assert.is(r.seqNumber, 0);
  assert.ok(r.hasAck);
  assert.is(r.ackNumber, 0);
  assert.is(r.maxSegSize, 0, "no options on a reset");
  assert.is(r.windowScale, -1);
  assert.not.ok(r.hasTimestamp);
  assert.is(r.payloadLen, 0);
  assert.is(r.headerLen(), 20);

  const data = new TcpRepr();
  data.srcPort = 5;
  data.dstPort = 6;
  data.control = TcpControl.Fin;
  data.hasAck = true;
  data.ackNumber = 0x7fffffff;
  data.seqNumber = 100;
  data.payloadLen = 10;
  r.resetFor(data);
  assert.is(r.seqNumber, 0x7fffffff, "SEQ = SEG.ACK");
  assert.not.ok(r.hasAck);
  r.resetFor(Object.assign(new TcpRepr(), { srcPort: 5, dstPort: 6, control: TcpControl.Fin, seqNumber: 100, payloadLen: 10 }));
  assert.is(r.ackNumber, 111, "SEG.SEQ + data + FIN");
});

test.run();
