// TCP through the interface: what the interface itself does for TCP (RFC 9293 §3.10.7.1 resets
// for closed ports, the listen backlog, MSS from the device MTU, ICMP errors handed to the
// connection they quote, connect through the interface's context), driven over a test device
// with real frames. The socket's own state machine has its tests in test/socket/tcp/.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Interface } from "../../src/iface/interface.js";
import { SocketSet } from "../../src/socket/set.js";
import { SocketErrorCode } from "../../src/socket/error.js";
import { TcpSocket, TcpState } from "../../src/socket/tcp/socket.js";
import { EPHEMERAL_PORT_FIRST } from "../../src/socket/tcp/ports.js";
import type { RandomSource } from "../../src/socket/tcp/isn.js";
import { EtherType, EthernetAddress, EthernetFrame, EthernetRepr } from "../../src/wire/ethernet.js";
import { IpAddress, IpEndpoint, IpProtocol, Ipv4Cidr, Ipv6Address, Ipv6Cidr, ipv4Parse, ipv4Format } from "../../src/wire/ip.js";
import { Ipv4Packet, Ipv4Repr } from "../../src/wire/ipv4.js";
import { Ipv6Packet, Ipv6Repr } from "../../src/wire/ipv6.js";
import { TcpControl, TcpPacket, TcpRepr } from "../../src/wire/tcp.js";
import { ChecksumCapabilities, checksumPseudoV4, checksumPseudoV6 } from "../../src/wire/checksum.js";
import { ArpOperation } from "../../src/wire/arp.js";
import { TestDevice } from "../support/test-device.js";
import * as F from "../support/frames.js";

const T0 = (0x7fffffff - 5000) | 0;
const at = (ms: number) => (T0 + ms) | 0;

const OUR_MAC = EthernetAddress.parse("02-00-00-00-00-01");
const PEER_MAC = EthernetAddress.parse("02-00-00-00-00-02");
const OUR_IP = ipv4Parse("192.168.69.1");
const PEER_IP = ipv4Parse("192.168.69.2");
const OUR_IP6 = Ipv6Address.parse("fdaa::1");
const PEER_IP6 = Ipv6Address.parse("fdaa::2");
const CAPS = new ChecksumCapabilities();

/** A seeded source, so that ports and ISNs are repeatable in these tests. */
class Counter implements RandomSource {
  private x = 0x12345678;
  nextInt32(): number {
    this.x = (Math.imul(this.x, 1103515245) + 12345) | 0;
    return this.x;
  }
}

interface Rig {
  iface: Interface;
  dev: TestDevice;
  sockets: SocketSet;
}

function rig(mtu = 1514): Rig {
  const iface = new Interface(OUR_MAC, undefined, new Counter());
  iface.addIpv4Address(new Ipv4Cidr(OUR_IP, 24));
  iface.addIpv6Address(new Ipv6Cidr(OUR_IP6, 64));
  return { iface, dev: new TestDevice(mtu), sockets: new SocketSet(6) };
}

/** A TCP segment the interface sent, parsed and checksum-verified. */
interface Seg {
  v6: boolean;
  src: string;
  dst: string;
  macDst: string;
  r: TcpRepr;
  data: Uint8Array;
}

function parseSeg(frame: Uint8Array): Seg {
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const eth = new EthernetRepr();
  const ef = new EthernetFrame(frame, dv, 0, frame.length);
  assert.is(eth.parse(ef), 0, "Ethernet parses");
  const r = new TcpRepr();
  let off: number;
  let len: number;
  let pseudo: number;
  let src: string;
  let dst: string;
  const v6 = eth.etherType === EtherType.Ipv6;
  if (v6) {
    const p = new Ipv6Packet(frame, dv, 14, frame.length - 14);
    const ip = new Ipv6Repr();
    assert.is(ip.parse(p), 0, "IPv6 parses");
    assert.is(ip.nextHeader, IpProtocol.Tcp, "a TCP segment");
    off = p.payloadOffset();
    len = p.payloadLen();
    pseudo = checksumPseudoV6(ip.srcAddr, ip.dstAddr, IpProtocol.Tcp, len);
    src = ip.srcAddr.toString();
    dst = ip.dstAddr.toString();
  } else {
    assert.is(eth.etherType, EtherType.Ipv4, "an IPv4 frame");
    const p = new Ipv4Packet(frame, dv, 14, frame.length - 14);
    const ip = new Ipv4Repr();
    assert.is(ip.parse(p, CAPS), 0, "IPv4 parses, checksum verified");
    assert.is(ip.nextHeader, IpProtocol.Tcp, "a TCP segment");
    off = p.payloadOffset();
    len = p.payloadLen();
    pseudo = checksumPseudoV4(ip.srcAddr, ip.dstAddr, IpProtocol.Tcp, len);
    src = ipv4Format(ip.srcAddr);
    dst = ipv4Format(ip.dstAddr);
  }
  assert.is(r.parse(new TcpPacket(frame, dv, off, len), pseudo, CAPS), 0, "TCP parses, checksum verified");
  return { v6, src, dst, macDst: eth.dstAddr.toString(), r, data: frame.slice(r.payloadOffset, r.payloadOffset + r.payloadLen) };
}

function poll(r: Rig, t: number, ...frames: Uint8Array[]): Uint8Array[] {
  for (const f of frames) r.dev.inject(f);
  r.iface.poll(at(t), r.dev, r.sockets);
  return r.dev.drain();
}

const toUs = (type: number, payload: Uint8Array) => F.ethernet(OUR_MAC, PEER_MAC, type, payload);

interface SegFields {
  sport: number;
  dport: number;
  ctl?: TcpControl;
  seq?: number;
  ack?: number | null;
  win?: number;
  mss?: number;
  ws?: number;
}

function fill(f: SegFields): (r: TcpRepr) => void {
  return (r) => {
    r.srcPort = f.sport;
    r.dstPort = f.dport;
    r.control = f.ctl ?? TcpControl.None;
    r.seqNumber = f.seq ?? 0;
    r.hasAck = f.ack !== undefined && f.ack !== null;
    r.ackNumber = r.hasAck ? (f.ack as number) : 0;
    r.windowLen = f.win ?? 8192;
    r.maxSegSize = f.mss ?? 0;
    r.windowScale = f.ws ?? -1;
  };
}

const seg4 = (f: SegFields, data?: Uint8Array) => toUs(EtherType.Ipv4, F.tcpV4(PEER_IP, OUR_IP, fill(f), data));
const seg6 = (f: SegFields, data?: Uint8Array) => toUs(EtherType.Ipv6, F.tcpV6(PEER_IP6, OUR_IP6, fill(f), data));

function invariant(r: Rig): void {
  const s = r.iface.stats;
  assert.is(s.rxFrames, s.rxProcessed + s.rxDropped(), "every frame is processed or counted as dropped");
}

// ---- RFC 9293 §3.10.7.1: segments to a closed port --------------------------------------------

test("RFC 9293 §3.10.7.1: a SYN to a port nobody listens on is answered <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>", () => {
  const r = rig();
  const out = poll(r, 0, seg4({ sport: 40000, dport: 81, ctl: TcpControl.Syn, seq: -10, mss: 1460 }));
  assert.is(out.length, 1);
  const s = parseSeg(out[0]);
  assert.is(s.src, "192.168.69.1");
  assert.is(s.dst, "192.168.69.2");
  assert.is(s.macDst, PEER_MAC.toString(), "straight back to the frame's sender");
  assert.is(s.r.control, TcpControl.Rst);
  assert.is(s.r.srcPort, 81);
  assert.is(s.r.dstPort, 40000);
  assert.is(s.r.seqNumber, 0);
  assert.ok(s.r.hasAck);
  assert.is(s.r.ackNumber, -9, "the SYN counts one: -10 + 1, across the wrap of the unsigned space");
  assert.is(r.iface.stats.txTcpResets, 1);
  assert.is(r.iface.stats.rxNoSocket, 1);
  invariant(r);
});

test("RFC 9293 §3.10.7.1: an ACK or data to a closed port is answered <SEQ=SEG.ACK><CTL=RST>; a RST gets nothing", () => {
  const r = rig();
  let out = poll(r, 0, seg6({ sport: 40000, dport: 81, seq: 1000, ack: 0x7ffffff0 }, F.bytesOf("hello")));
  assert.is(out.length, 1);
  const s = parseSeg(out[0]);
  assert.ok(s.v6);
  assert.is(s.src, "fdaa::1");
  assert.is(s.r.control, TcpControl.Rst);
  assert.not.ok(s.r.hasAck);
  assert.is(s.r.seqNumber, 0x7ffffff0);
  out = poll(r, 1, seg4({ sport: 40000, dport: 81, ctl: TcpControl.Rst, seq: 5 }));
  assert.is(out.length, 0, "never a RST in answer to a RST");
  assert.is(r.iface.stats.txTcpResets, 1);
  invariant(r);
});

test("RFC 1122 §4.2.3.10: a SYN to a broadcast address is dropped without a reset", () => {
  const r = rig();
  const frame = F.ethernet(EthernetAddress.parse("ff-ff-ff-ff-ff-ff"), PEER_MAC, EtherType.Ipv4,
    F.tcpV4(PEER_IP, ipv4Parse("192.168.69.255"), fill({ sport: 40000, dport: 80, ctl: TcpControl.Syn, seq: 1 })));
  assert.is(poll(r, 0, frame).length, 0);
  assert.is(r.iface.stats.rxRefused, 1);
  invariant(r);
});

test("a segment with a bad checksum is dropped and counted, never answered", () => {
  const r = rig();
  const f = seg4({ sport: 40000, dport: 81, ctl: TcpControl.Syn, seq: 1 });
  f[f.length - 1] ^= 0x40; // the last octet is in the TCP header (no data): breaks the checksum only
  assert.is(poll(r, 0, f).length, 0);
  assert.is(r.iface.stats.rxChecksum, 1);
  invariant(r);
});

// ---- Passive open through the interface ----------------------------------------------------------

for (const v6 of [false, true]) {
  test(`RFC 9293 §3.5: passive open over ${v6 ? "IPv6" : "IPv4"}: SYN-ACK with the MSS the device MTU allows, data delivered and acknowledged`, () => {
    const r = rig();
    const server = new TcpSocket(4096, 4096);
    r.sockets.add(server);
    server.listen(6969);
    const seg = v6 ? seg6 : seg4;
    const isn = 0xfffffff0 | 0;
    // A real peer resolves our address first, which teaches us its own (RFC 826, RFC 4861 §7.2.3).
    const resolve = v6
      ? toUs(EtherType.Ipv6, F.ndisc(PEER_IP6, OUR_IP6, (n) => n.setNeighborSolicit(OUR_IP6, PEER_MAC)))
      : F.ethernet(OUR_MAC, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Request, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP));
    assert.is(poll(r, 0, resolve).length, 1, "our answer");
    let out = poll(r, 0, seg({ sport: 50000, dport: 6969, ctl: TcpControl.Syn, seq: isn, mss: 1460, win: 64240 }));
    assert.is(out.length, 1, "the SYN-ACK goes out in the same poll");
    const synAck = parseSeg(out[0]);
    assert.is(synAck.v6, v6);
    assert.is(synAck.r.control, TcpControl.Syn);
    assert.ok(synAck.r.hasAck);
    assert.is(synAck.r.ackNumber, (isn + 1) | 0);
    assert.is(synAck.r.maxSegSize, v6 ? 1440 : 1460, "MTU 1514 less Ethernet, IP and TCP headers");
    assert.is(synAck.macDst, PEER_MAC.toString(), "to the neighbor the cache learned");
    assert.is(server.state, TcpState.SynReceived);
    const ourIsn = synAck.r.seqNumber;
    out = poll(r, 10, seg({ sport: 50000, dport: 6969, seq: (isn + 1) | 0, ack: (ourIsn + 1) | 0, win: 64240 }));
    assert.is(server.state, TcpState.Established);
    out = poll(r, 20, seg({ sport: 50000, dport: 6969, seq: (isn + 1) | 0, ack: (ourIsn + 1) | 0, win: 64240, ctl: TcpControl.Psh }, F.bytesOf("across the wrap")));
    const buf = new Uint8Array(64);
    const n = server.recv(buf, 0, 64);
    assert.is(F.textOf(buf, 0, n), "across the wrap");
    // The ACK may be delayed (ackDelay); polling later sends it.
    if (out.length === 0) out = poll(r, 500);
    assert.ok(out.length >= 1, "the data is acknowledged");
    const ack = parseSeg(out[out.length - 1]);
    assert.is(ack.r.ackNumber, (isn + 1 + 15) | 0);
    invariant(r);
  });
}

// ---- The listen backlog ----------------------------------------------------------------------------

test("RFC 6528: a listener's connections get unpredictable initial sequence numbers from the interface", () => {
  const r = rig();
  const isns: number[] = [];
  poll(r, 0, F.ethernet(OUR_MAC, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Request, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP)));
  for (let i = 0; i < 4; i++) {
    const s = new TcpSocket(256, 256);
    const h = r.sockets.add(s);
    s.listen(7000);
    const out = poll(r, 1 + i, seg4({ sport: 50100 + i, dport: 7000, ctl: TcpControl.Syn, seq: 1 }));
    assert.is(out.length, 1);
    isns.push(parseSeg(out[0]).r.seqNumber);
    r.sockets.remove(h);
  }
  assert.is(new Set(isns).size, 4, "no two alike: " + isns);
  for (const x of isns) assert.is.not(x, 0, "not the socket's test default");
  const d1 = (isns[1] - isns[0]) | 0;
  const d2 = (isns[2] - isns[1]) | 0;
  assert.is.not(d1, d2, "no constant difference");
});

test("listen backlog: each SYN goes to a free listener; with none free the SYN is dropped, not reset", () => {
  const r = rig();
  const a = new TcpSocket(1024, 1024);
  const b = new TcpSocket(1024, 1024);
  r.sockets.add(a);
  r.sockets.add(b);
  a.listen(6969);
  b.listen(6969);
  poll(r, 0, F.ethernet(OUR_MAC, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Request, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP)));
  let out = poll(r, 0, seg4({ sport: 50001, dport: 6969, ctl: TcpControl.Syn, seq: 100 }));
  assert.is(out.length, 1);
  assert.is(a.state, TcpState.SynReceived);
  assert.is(b.state, TcpState.Listen);
  const isnA = parseSeg(out[0]).r.seqNumber;
  out = poll(r, 1, seg4({ sport: 50002, dport: 6969, ctl: TcpControl.Syn, seq: 200 }));
  assert.is(out.length, 1);
  assert.is(b.state, TcpState.SynReceived);
  assert.is(b.remote.port, 50002);
  out = poll(r, 2, seg4({ sport: 50003, dport: 6969, ctl: TcpControl.Syn, seq: 300 }));
  assert.is(out.length, 0, "the backlog is full: the third SYN is dropped silently");
  assert.is(r.iface.stats.rxSocketFull, 1);
  assert.is(r.iface.stats.txTcpResets, 0);
  // The first connection completes on its own socket even though it is no longer listening.
  poll(r, 3, seg4({ sport: 50001, dport: 6969, seq: 101, ack: (isnA + 1) | 0 }));
  assert.is(a.state, TcpState.Established);
  assert.is(b.state, TcpState.SynReceived);
  // A stray ACK for a connection nobody has is reset even while the backlog is full.
  out = poll(r, 4, seg4({ sport: 50009, dport: 6969, seq: 1, ack: 77 }));
  assert.is(out.length, 1);
  assert.is(parseSeg(out[0]).r.control, TcpControl.Rst);
  invariant(r);
});

test("RFC 9293 §3.8.6.3 / RFC 5681 §4.2: in-order segments received in one poll get one ACK at its end; out-of-order ones a duplicate ACK each, at once", () => {
  const r = rig();
  const server = new TcpSocket(65535, 1024);
  r.sockets.add(server);
  server.listen(6969);
  poll(r, 0, F.ethernet(OUR_MAC, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Request, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP)));
  const synAck = parseSeg(poll(r, 0, seg4({ sport: 50001, dport: 6969, ctl: TcpControl.Syn, seq: 100, mss: 1460 }))[0]).r;
  const ack = (synAck.seqNumber + 1) | 0;
  assert.is(poll(r, 1, seg4({ sport: 50001, dport: 6969, seq: 101, ack })).length, 0);
  assert.is(server.state, TcpState.Established);
  const data = (i: number) => seg4({ sport: 50001, dport: 6969, seq: 101 + 1460 * i, ack }, new Uint8Array(1460).fill(i));
  // Six full-sized segments in one batch: SHLD-19 is met by one ACK for all of them, sent after
  // the batch at the same instant (not one after every second segment).
  let out = poll(r, 2, data(0), data(1), data(2), data(3), data(4), data(5)).map(parseSeg);
  assert.is(out.length, 1, "one ACK for the batch");
  assert.is(out[0].r.ackNumber, 101 + 1460 * 6);
  // Segment 6 is lost: 7 and 8 arrive out of order, each answered at once with a duplicate ACK
  // (a fast retransmit needs to count them), then 6 fills the gap and is acknowledged at once.
  out = poll(r, 3, data(7), data(8)).map(parseSeg);
  assert.equal(out.map((o) => o.r.ackNumber), [101 + 1460 * 6, 101 + 1460 * 6], "a duplicate ACK per out-of-order segment");
  out = poll(r, 4, data(6)).map(parseSeg);
  assert.equal(out.map((o) => o.r.ackNumber), [101 + 1460 * 9], "the gap filled: everything acknowledged");
  assert.is(server.recvQueue, 1460 * 9);
  invariant(r);
});

// ---- Active open through the interface's context ---------------------------------------------------

test("connect(iface, remote): an ephemeral port from the IANA range, the source address chosen, ARP first, then the SYN", () => {
  const r = rig();
  const c = new TcpSocket(2048, 2048);
  r.sockets.add(c);
  poll(r, 0); // the interface learns the time and the device
  c.connect(r.iface, IpEndpoint.of(IpAddress.v4(PEER_IP), 80));
  assert.is(c.state, TcpState.SynSent);
  assert.ok(c.local.port >= EPHEMERAL_PORT_FIRST && c.local.port <= 65535, "port " + c.local.port);
  assert.is(c.local.addr.toString(), "192.168.69.1");
  let out = poll(r, 1);
  assert.is(out.length, 1, "first an ARP request for the peer");
  const arpDv = new DataView(out[0].buffer);
  assert.is(arpDv.getUint16(12), EtherType.Arp);
  out = poll(r, 2, F.ethernet(OUR_MAC, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Reply, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP)));
  assert.is(out.length, 1, "the SYN once the peer's address is known");
  const syn = parseSeg(out[0]);
  assert.is(syn.r.control, TcpControl.Syn);
  assert.not.ok(syn.r.hasAck);
  assert.is(syn.r.dstPort, 80);
  assert.is(syn.r.srcPort, c.local.port);
  assert.is(syn.r.maxSegSize, 1460);
  out = poll(r, 3, seg4({ sport: 80, dport: c.local.port, ctl: TcpControl.Syn, seq: 5000, ack: (syn.r.seqNumber + 1) | 0, mss: 1460 }));
  assert.is(c.state, TcpState.Established);
  assert.is(out.length, 1, "the handshake's last ACK");
  assert.is(parseSeg(out[0]).r.ackNumber, 5001);
  invariant(r);
});

test("a retransmission held back for an unresolved neighbor leaves as soon as the neighbor answers, not at the next RTO", () => {
  const r = rig();
  const c = new TcpSocket(2048, 2048);
  r.sockets.add(c);
  poll(r, 0);
  c.connect(r.iface, IpEndpoint.of(IpAddress.v4(PEER_IP), 80));
  poll(r, 1); // ARP request
  const arpReply = F.ethernet(OUR_MAC, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Reply, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP));
  const syn = parseSeg(poll(r, 2, arpReply)[0]);
  poll(r, 3, seg4({ sport: 80, dport: c.local.port, ctl: TcpControl.Syn, seq: 5000, ack: (syn.r.seqNumber + 1) | 0, mss: 1460 }));
  assert.is(c.state, TcpState.Established);
  const data = new Uint8Array(100).fill(0x61);
  assert.is(c.send(data, 0, 100), 100);
  let out = poll(r, 10);
  assert.is(out.length, 1, "the data segment");
  const first = parseSeg(out[0]);
  assert.is(first.data.length, 100);
  // The segment is lost and the neighbor entry is gone when the RTO (200 ms: a 1 ms handshake) fires.
  r.iface.neighbors.flush();
  let t = 11;
  out = [];
  while (out.length === 0 && t < 5000) out = poll(r, (t += 10));
  assert.is(out.length, 1, "the due retransmission asks for the neighbor first");
  assert.is(new DataView(out[0].buffer).getUint16(12), EtherType.Arp, "an ARP request");
  const askedAt = t;
  out = poll(r, askedAt + 1, arpReply);
  assert.is(out.length, 1, "the retransmission leaves with the ARP reply's poll");
  const again = parseSeg(out[0]);
  assert.is(again.r.seqNumber, first.r.seqNumber, "the same data again");
  assert.is(again.data.length, 100);
  assert.is(again.macDst, PEER_MAC.toString());
  invariant(r);
});

test("connect: two connections get different ephemeral ports and unrelated initial sequence numbers", () => {
  const r = rig();
  const c1 = new TcpSocket(256, 256);
  const c2 = new TcpSocket(256, 256);
  r.sockets.add(c1);
  r.sockets.add(c2);
  poll(r, 0);
  const remote = IpEndpoint.of(IpAddress.v4(PEER_IP), 80);
  c1.connect(r.iface, remote);
  c2.connect(r.iface, remote);
  assert.is.not(c1.local.port, c2.local.port);
  poll(r, 1); // one ARP request for both
  const out = poll(r, 2, F.ethernet(OUR_MAC, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Reply, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP)));
  const syns = out.map(parseSeg).filter((s) => s.r.control === TcpControl.Syn);
  assert.is(syns.length, 2);
  const d = (syns[0].r.seqNumber - syns[1].r.seqNumber) | 0;
  assert.ok(Math.abs(d) > 1000000, "the ISNs are far apart: " + d);
});

test("connect over IPv6 with no IPv6 address configured is refused as unaddressable", () => {
  const iface = new Interface(OUR_MAC, undefined, new Counter());
  iface.addIpv4Address(new Ipv4Cidr(OUR_IP, 24));
  const c = new TcpSocket(256, 256);
  try {
    c.connect(iface, IpEndpoint.of(IpAddress.v6(PEER_IP6), 80));
    assert.unreachable("connect must throw");
  } catch (e) {
    assert.is((e as { code: number }).code, SocketErrorCode.Unaddressable);
  }
});

// ---- ICMP errors reach the connection they quote ----------------------------------------------------

/** Opens a connection to PEER_IP:80 and returns the socket and its SYN (ARP already answered). */
function synSent(r: Rig): { c: TcpSocket; syn: Seg; synBytes: Uint8Array } {
  const c = new TcpSocket(8192, 8192);
  r.sockets.add(c);
  poll(r, 0, F.ethernet(OUR_MAC, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Request, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP)));
  c.connect(r.iface, IpEndpoint.of(IpAddress.v4(PEER_IP), 80));
  const out = poll(r, 1);
  assert.is(out.length, 1);
  return { c, syn: parseSeg(out[0]), synBytes: out[0].slice(14) };
}

test("RFC 1122 §4.2.3.9 / RFC 5927: port unreachable quoting our SYN ends the attempt with Unreachable", () => {
  const r = rig();
  const { c, synBytes } = synSent(r);
  const icmp = toUs(EtherType.Ipv4, F.icmpv4Unreachable(PEER_IP, OUR_IP, 3, synBytes.slice(0, 28)));
  poll(r, 2, icmp);
  assert.is(c.state, TcpState.Closed);
  assert.is(c.takeError(), SocketErrorCode.Unreachable);
  invariant(r);
});

test("RFC 5927 §4.1: an ICMP error quoting a sequence number not in flight is ignored", () => {
  const r = rig();
  const { c, synBytes } = synSent(r);
  const forged = synBytes.slice(0, 28);
  forged[24] ^= 0x55; // the quoted sequence number
  poll(r, 2, toUs(EtherType.Ipv4, F.icmpv4Unreachable(PEER_IP, OUR_IP, 3, forged)));
  assert.is(c.state, TcpState.SynSent, "a blind attacker cannot end the connection");
  assert.is(c.takeError(), SocketErrorCode.None);
  // Quoting another port pair reaches no socket at all.
  const other = synBytes.slice(0, 28);
  other[20] ^= 0x01;
  poll(r, 3, toUs(EtherType.Ipv4, F.icmpv4Unreachable(PEER_IP, OUR_IP, 3, other)));
  assert.is(c.state, TcpState.SynSent);
  invariant(r);
});

test("RFC 1191: fragmentation needed lowers the segment size of the connection it quotes", () => {
  const r = rig();
  const { c, syn } = synSent(r);
  let out = poll(r, 2, seg4({ sport: 80, dport: c.local.port, ctl: TcpControl.Syn, seq: 7000, ack: (syn.r.seqNumber + 1) | 0, mss: 1460, win: 65535 }));
  assert.is(c.state, TcpState.Established);
  const data = new Uint8Array(4000).map((_, i) => i & 0xff);
  c.send(data, 0, data.length);
  out = poll(r, 3);
  const first = out.map(parseSeg).filter((s) => s.r.payloadLen > 0);
  assert.ok(first.length >= 1);
  assert.is(first[0].r.payloadLen, 1460, "full-sized segments first");
  // A router on the path says 1000 octets fit: quote our first data segment.
  const quoted = out[out.findIndex((f) => parseSeg(f).r.payloadLen > 0)].slice(14, 14 + 28);
  poll(r, 4, toUs(EtherType.Ipv4, F.icmpv4Unreachable(ipv4Parse("192.168.69.254"), OUR_IP, 4, quoted, 1000)));
  assert.is(c.state, TcpState.Established, "packet too big is not fatal");
  // Whatever is sent from now on (retransmissions included) fits 1000 octets of IP.
  out = poll(r, 5000);
  const later = out.map(parseSeg).filter((s) => s.r.payloadLen > 0);
  assert.ok(later.length >= 1, "the data is sent again");
  for (const s of later) assert.ok(s.r.payloadLen <= 1000 - 40, "payload " + s.r.payloadLen);
  invariant(r);
});

test("RFC 8201: ICMPv6 packet too big lowers the segment size, never below 1280 less the headers", () => {
  const r = rig();
  const c = new TcpSocket(8192, 8192);
  r.sockets.add(c);
  // The peer's solicitation teaches us its link-layer address.
  poll(r, 0);
  c.connect(r.iface, IpEndpoint.of(IpAddress.v6(PEER_IP6), 80));
  let out = poll(r, 1);
  // NDISC first (no entry): answer with an advertisement.
  const ns = out.length;
  assert.ok(ns >= 1);
  out = poll(r, 2, toUs(EtherType.Ipv6, F.ndisc(PEER_IP6, OUR_IP6, (n) => n.setNeighborAdvert(0x60, PEER_IP6, PEER_MAC))));
  const syn = out.map(parseSeg).find((s) => s.r.control === TcpControl.Syn);
  assert.ok(syn, "the SYN after the advertisement");
  assert.is(syn!.r.maxSegSize, 1440);
  poll(r, 3, seg6({ sport: 80, dport: c.local.port, ctl: TcpControl.Syn, seq: 9, ack: (syn!.r.seqNumber + 1) | 0, mss: 1440, win: 65535 }));
  assert.is(c.state, TcpState.Established);
  const data = new Uint8Array(3000).fill(7);
  c.send(data, 0, data.length);
  out = poll(r, 4);
  const dataFrame = out.find((f) => parseSeg(f).r.payloadLen > 0)!;
  assert.is(parseSeg(dataFrame).r.payloadLen, 1440);
  poll(r, 5, toUs(EtherType.Ipv6, F.icmpv6Error(Ipv6Address.parse("fdaa::fe"), OUR_IP6, 2, 0, 1000, dataFrame.slice(14, 14 + 48))));
  out = poll(r, 5000);
  const later = out.map(parseSeg).filter((s) => s.r.payloadLen > 0);
  assert.ok(later.length >= 1);
  for (const s of later) assert.ok(s.r.payloadLen <= 1220, "a 1000-octet MTU is below IPv6's minimum: 1280 - 60 = 1220, got " + s.r.payloadLen);
  invariant(r);
});

// ---- Egress ---------------------------------------------------------------------------------------

test("many segments in flight: one poll sends as much as the peer's window allows, each at most the MSS", () => {
  const r = rig();
  const { c, syn } = synSent(r);
  poll(r, 2, seg4({ sport: 80, dport: c.local.port, ctl: TcpControl.Syn, seq: 1, ack: (syn.r.seqNumber + 1) | 0, mss: 1000, win: 5000 }));
  const data = new Uint8Array(8000).fill(1);
  assert.is(c.send(data, 0, data.length), 8000);
  const out = poll(r, 3).map(parseSeg).filter((s) => s.r.payloadLen > 0);
  assert.is(out.length, 5, "5000 octets of window in 1000-octet segments");
  let seq = (syn.r.seqNumber + 1) | 0;
  for (const s of out) {
    assert.is(s.r.payloadLen, 1000);
    assert.is(s.r.seqNumber, seq);
    seq = (seq + 1000) | 0;
  }
  invariant(r);
});

test("a device with no room stops egress; the segments go out on a later poll", () => {
  const r = rig();
  const { c, syn } = synSent(r);
  poll(r, 2, seg4({ sport: 80, dport: c.local.port, ctl: TcpControl.Syn, seq: 1, ack: (syn.r.seqNumber + 1) | 0, mss: 1000, win: 5000 }));
  c.send(new Uint8Array(3000), 0, 3000);
  r.dev.txBudget = 1;
  let out = poll(r, 3).map(parseSeg).filter((s) => s.r.payloadLen > 0);
  assert.is(out.length, 1);
  r.dev.txBudget = -1;
  out = poll(r, 4).map(parseSeg).filter((s) => s.r.payloadLen > 0);
  assert.is(out.length, 2, "the rest, in order");
  assert.is(out[0].r.seqNumber, (syn.r.seqNumber + 1 + 1000) | 0);
  assert.ok(r.iface.stats.txDeviceFull >= 1);
});

test.run();
