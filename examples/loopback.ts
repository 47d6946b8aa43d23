/**
 * `npm start`: the loopback demonstration. No root, no hardware, no network.
 *
 * Today it exercises what the stack has: the wire layer. It writes a conversation between two
 * hosts (02-00-00-00-00-01 / 192.168.69.1 / fdaa::1 and 02-00-00-00-00-02 / 192.168.69.2 /
 * fdaa::2) frame by frame with the emitters (ARP, ICMP echo, NDISC, UDP, a TCP handshake over
 * IPv4 and IPv6) into an in-memory ring of frames, reads every frame back with the parsers
 * (checksums verified), prints it tcpdump-style, and ends with a summary line. When the
 * interface and the sockets land, this becomes smoltcp's loopback example: a client and a server
 * socket exchanging data over the `Loopback` device.
 */
import { ChecksumCapabilities, checksumPseudoV4, checksumPseudoV6 } from "../src/wire/checksum.js";
import { WireError } from "../src/wire/error.js";
import { EtherType, ETHERNET_BROADCAST, EthernetAddress, EthernetFrame, EthernetRepr } from "../src/wire/ethernet.js";
import { IpProtocol, Ipv6Address, ipv4Parse } from "../src/wire/ip.js";
import { ArpOperation, ArpPacket, ArpRepr } from "../src/wire/arp.js";
import { Ipv4Packet, Ipv4Repr } from "../src/wire/ipv4.js";
import { Icmpv4Packet, Icmpv4Repr } from "../src/wire/icmpv4.js";
import { Ipv6Packet, Ipv6Repr } from "../src/wire/ipv6.js";
import { Icmpv6Packet } from "../src/wire/icmpv6.js";
import { NdiscRepr } from "../src/wire/ndisc.js";
import { UdpPacket, UdpRepr } from "../src/wire/udp.js";
import { TcpControl, TcpPacket, TcpRepr } from "../src/wire/tcp.js";
import { PrettyPrinter } from "../src/wire/pretty.js";

const caps = new ChecksumCapabilities();
const macA = EthernetAddress.parse("02-00-00-00-00-01");
const macB = EthernetAddress.parse("02-00-00-00-00-02");
const ipA = ipv4Parse("192.168.69.1");
const ipB = ipv4Parse("192.168.69.2");
const ip6A = Ipv6Address.parse("fdaa::1");
const ip6B = Ipv6Address.parse("fdaa::2");

// The "wire": a ring of frame slots in one buffer.
const SLOTS = 16;
const MTU = 1514;
const ring = new Uint8Array(SLOTS * MTU);
const ringDv = new DataView(ring.buffer);
const lengths = new Int32Array(SLOTS);
let head = 0;
let count = 0;

function slot(): number {
  if (count === SLOTS) throw new Error("loopback ring full");
  return ((head + count) % SLOTS) * MTU;
}

const eth = new EthernetRepr();
function frame(src: EthernetAddress, dst: EthernetAddress, type: number, payloadLen: number, write: (off: number) => void): void {
  const off = slot();
  eth.srcAddr.copyFrom(src);
  eth.dstAddr.copyFrom(dst);
  eth.etherType = type;
  eth.emit(new EthernetFrame(ring, ringDv, off, 14 + payloadLen));
  write(off + 14);
  lengths[(head + count) % SLOTS] = 14 + payloadLen;
  count++;
}

function ipv4(src: number, dst: number, protocol: number, len: number, write: (off: number, pseudo: number) => void) {
  return (off: number) => {
    write(off + 20, checksumPseudoV4(src, dst, protocol, len));
    new Ipv4Repr().set(src, dst, protocol, len, 64).emit(new Ipv4Packet(ring, ringDv, off, 20 + len), caps);
  };
}

function ipv6(src: Ipv6Address, dst: Ipv6Address, protocol: number, len: number, hopLimit: number, write: (off: number) => void) {
  return (off: number) => {
    write(off + 40);
    new Ipv6Repr().set(src, dst, protocol, len, hopLimit).emit(new Ipv6Packet(ring, ringDv, off, 40 + len));
  };
}

function tcp(fromA: boolean, v6: boolean, control: number, seq: number, ack: number | null, payload: string) {
  const r = new TcpRepr();
  r.srcPort = fromA ? 49500 : 6969;
  r.dstPort = fromA ? 6969 : 49500;
  r.control = control;
  r.seqNumber = seq | 0;
  r.hasAck = ack !== null;
  r.ackNumber = (ack ?? 0) | 0;
  r.windowLen = 65535;
  if (control === TcpControl.Syn) {
    r.maxSegSize = v6 ? 1440 : 1460;
    r.windowScale = 0;
    r.sackPermitted = true;
  }
  const len = r.headerLen() + payload.length;
  const body = (off: number, pseudo: number) => {
    for (let i = 0; i < payload.length; i++) ring[off + r.headerLen() + i] = payload.charCodeAt(i);
    r.emit(new TcpPacket(ring, ringDv, off, len), payload.length, pseudo, caps);
  };
  const [sm, dm] = fromA ? [macA, macB] : [macB, macA];
  if (v6) {
    const [s, d] = fromA ? [ip6A, ip6B] : [ip6B, ip6A];
    frame(sm, dm, EtherType.Ipv6, 40 + len, ipv6(s, d, IpProtocol.Tcp, len, 64, (off) => body(off, checksumPseudoV6(s, d, IpProtocol.Tcp, len))));
  } else {
    const [s, d] = fromA ? [ipA, ipB] : [ipB, ipA];
    frame(sm, dm, EtherType.Ipv4, 20 + len, ipv4(s, d, IpProtocol.Tcp, len, body));
  }
}

// The conversation.
const arp = new ArpRepr();
arp.operation = ArpOperation.Request;
arp.sourceHardwareAddr.copyFrom(macA);
arp.sourceProtocolAddr = ipA;
arp.targetProtocolAddr = ipB;
frame(macA, ETHERNET_BROADCAST, EtherType.Arp, 28, (off) => arp.emit(new ArpPacket(ring, ringDv, off, 28)));
arp.operation = ArpOperation.Reply;
arp.sourceHardwareAddr.copyFrom(macB);
arp.sourceProtocolAddr = ipB;
arp.targetHardwareAddr.copyFrom(macA);
arp.targetProtocolAddr = ipA;
frame(macB, macA, EtherType.Arp, 28, (off) => arp.emit(new ArpPacket(ring, ringDv, off, 28)));

for (const reply of [false, true]) {
  const [s, d, sm, dm] = reply ? [ipB, ipA, macB, macA] : [ipA, ipB, macA, macB];
  frame(sm, dm, EtherType.Ipv4, 20 + 8 + 16, ipv4(s, d, IpProtocol.Icmp, 24, (off) => {
    for (let i = 0; i < 16; i++) ring[off + 8 + i] = i;
    const r = new Icmpv4Repr();
    if (reply) r.echoReply(0x1234, 1, 16); else r.echoRequest(0x1234, 1, 16);
    r.emit(new Icmpv4Packet(ring, ringDv, off, 24), caps);
  }));
}

const ns = new NdiscRepr().setNeighborSolicit(ip6B, macA);
const nsDst = ip6B.solicitedNode(new Ipv6Address());
const nsDstMac = new EthernetAddress().setIpv6Multicast(nsDst);
frame(macA, nsDstMac, EtherType.Ipv6, 40 + ns.bufferLen(), ipv6(ip6A, nsDst, IpProtocol.Icmpv6, ns.bufferLen(), 255, (off) => ns.emit(new Icmpv6Packet(ring, ringDv, off, ns.bufferLen()), ip6A, nsDst, caps)));
const na = new NdiscRepr().setNeighborAdvert(0x60, ip6B, macB);
frame(macB, macA, EtherType.Ipv6, 40 + na.bufferLen(), ipv6(ip6B, ip6A, IpProtocol.Icmpv6, na.bufferLen(), 255, (off) => na.emit(new Icmpv6Packet(ring, ringDv, off, na.bufferLen()), ip6B, ip6A, caps)));

const hello = "hello";
frame(macA, macB, EtherType.Ipv4, 20 + 8 + hello.length, ipv4(ipA, ipB, IpProtocol.Udp, 8 + hello.length, (off, pseudo) => {
  for (let i = 0; i < hello.length; i++) ring[off + 8 + i] = hello.charCodeAt(i);
  const u = new UdpRepr();
  u.srcPort = 49500;
  u.dstPort = 6969;
  u.emit(new UdpPacket(ring, ringDv, off, 8 + hello.length), hello.length, pseudo, caps);
}));

for (const v6 of [false, true]) {
  tcp(true, v6, TcpControl.Syn, 1000, null, "");
  tcp(false, v6, TcpControl.Syn, 5000, 1001, "");
  tcp(true, v6, TcpControl.None, 1001, 5001, "");
  tcp(true, v6, TcpControl.Psh, 1001, 5001, "hello, smoltcp-ts");
}

// Read everything back.
const printer = new PrettyPrinter();
const ethIn = new EthernetRepr();
let frames = 0;
let octets = 0;
let bad = 0;
while (count > 0) {
  const off = head * MTU;
  const len = lengths[head];
  head = (head + 1) % SLOTS;
  count--;
  const text = printer.describe(ring, ringDv, off, len);
  if (ethIn.parse(new EthernetFrame(ring, ringDv, off, len)) !== WireError.Ok || /\((truncated|malformed|bad checksum|unsupported)\)|checksum incorrect/.test(text)) bad++;
  process.stdout.write(text);
  frames++;
  octets += len;
}
console.log(`loopback: ${frames} frames, ${octets} octets, ${bad} with errors`);
process.exitCode = bad === 0 ? 0 : 1;
