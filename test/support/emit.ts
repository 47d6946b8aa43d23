/**
 * Whole frames produced by our emitters, for the cross-checks against tshark.
 *
 * `reEmit(frame)` parses a frame layer by layer into reprs, then writes a new frame from those
 * reprs alone, into a buffer pre-filled with 0xa5: every header byte of the result was written by
 * an `emit`. Payloads (application data, echo data, the quote of an ICMP error) are copied, as
 * the interface will copy them; headers never are. Portable: runs on Node and in XS.
 *
 * `builtFrames()` adds frames of the kinds the Linux captures lack (ICMP errors of every type,
 * IGMP queries and v1 reports, router advertisements with options, redirects, TCP SACK blocks),
 * built from reprs set by hand.
 */
import { ChecksumCapabilities, checksumPseudoV4, checksumPseudoV6 } from "../../src/wire/checksum.js";
import { WireError } from "../../src/wire/error.js";
import { EtherType, ETHERNET_HEADER_LEN, EthernetAddress, EthernetFrame, EthernetRepr } from "../../src/wire/ethernet.js";
import { IpProtocol, Ipv6Address, ipv4Parse } from "../../src/wire/ip.js";
import { ArpPacket, ArpRepr, ARP_ETHERNET_IPV4_LEN } from "../../src/wire/arp.js";
import { Ipv4Packet, Ipv4Repr } from "../../src/wire/ipv4.js";
import { Icmpv4Packet, Icmpv4Repr } from "../../src/wire/icmpv4.js";
import { IgmpPacket, IgmpRepr } from "../../src/wire/igmp.js";
import { Ipv6Packet, Ipv6Repr } from "../../src/wire/ipv6.js";
import { Ipv6ExtWalker } from "../../src/wire/ipv6-ext.js";
import { Icmpv6Packet, Icmpv6Repr, icmpv6IsNdisc } from "../../src/wire/icmpv6.js";
import { NdiscRepr } from "../../src/wire/ndisc.js";
import { UdpPacket, UdpRepr } from "../../src/wire/udp.js";
import { TcpControl, TcpPacket, TcpRepr } from "../../src/wire/tcp.js";

const CAPS = new ChecksumCapabilities();

function out(len: number): { bytes: Uint8Array; dv: DataView } {
  const bytes = new Uint8Array(len).fill(0xa5);
  return { bytes, dv: new DataView(bytes.buffer) };
}

/** Copies `len` octets from `src` at `from` to `dst` at `to`. */
function copy(dst: Uint8Array, to: number, src: Uint8Array, from: number, len: number): void {
  dst.set(src.subarray(from, from + len), to);
}

/**
 * Parses `frame` and writes it again from the reprs. Returns null for what our reprs cannot
 * describe completely (IPv4 options, IPv6 extension headers other than none, messages we do not
 * parse), with the reason.
 */
export function reEmit(frame: Uint8Array): { bytes: Uint8Array } | { skip: string } {
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const ethRepr = new EthernetRepr();
  if (ethRepr.parse(new EthernetFrame(frame, dv)) !== WireError.Ok) return { skip: "ethernet" };
  const p = ETHERNET_HEADER_LEN;
  const n = frame.length - p;

  if (ethRepr.etherType === EtherType.Arp) {
    const r = new ArpRepr();
    if (r.parse(new ArpPacket(frame, dv, p, n)) !== WireError.Ok) return { skip: "arp" };
    const o = out(p + ARP_ETHERNET_IPV4_LEN);
    ethRepr.emit(new EthernetFrame(o.bytes, o.dv));
    r.emit(new ArpPacket(o.bytes, o.dv, p, ARP_ETHERNET_IPV4_LEN));
    return { bytes: o.bytes };
  }

  if (ethRepr.etherType === EtherType.Ipv4) {
    const ip = new Ipv4Packet(frame, dv, p, n);
    const r = new Ipv4Repr();
    if (r.parse(ip, CAPS) !== WireError.Ok) return { skip: "ipv4" };
    if (ip.headerLen() !== 20) return { skip: "IPv4 options are not emitted" };
    const tp = ip.payloadOffset();
    const tn = ip.payloadLen();
    const o = out(p + 20 + tn);
    ethRepr.emit(new EthernetFrame(o.bytes, o.dv));
    const op = p + 20;
    if (r.nextHeader === IpProtocol.Icmp) {
      const ir = new Icmpv4Repr();
      if (ir.parse(new Icmpv4Packet(frame, dv, tp, tn), CAPS) !== WireError.Ok) return { skip: "icmpv4" };
      copy(o.bytes, op + 8, frame, ir.dataOffset, ir.dataLen);
      ir.emit(new Icmpv4Packet(o.bytes, o.dv, op, 8 + ir.dataLen), CAPS);
    } else if (r.nextHeader === IpProtocol.Igmp) {
      const gr = new IgmpRepr();
      if (gr.parse(new IgmpPacket(frame, dv, tp, tn), CAPS) !== WireError.Ok) return { skip: "igmp" };
      gr.emit(new IgmpPacket(o.bytes, o.dv, op, 8), CAPS);
    } else if (!emitTransport(frame, dv, tp, tn, r.nextHeader, o, op, checksumPseudoV4(r.srcAddr, r.dstAddr, r.nextHeader, tn), false)) {
      return { skip: "transport " + r.nextHeader };
    }
    r.emit(new Ipv4Packet(o.bytes, o.dv, p, 20 + tn), CAPS);
    return { bytes: o.bytes };
  }

  if (ethRepr.etherType === EtherType.Ipv6) {
    const ip = new Ipv6Packet(frame, dv, p, n);
    const r = new Ipv6Repr();
    if (r.parse(ip) !== WireError.Ok) return { skip: "ipv6" };
    const walker = new Ipv6ExtWalker().resetPacket(ip);
    if (walker.walk() !== WireError.Ok) return { skip: "ipv6 extension headers" };
    if (walker.count !== 0) return { skip: "IPv6 extension headers are copied, not emitted" };
    const tn = r.payloadLen;
    const tp = p + 40;
    const o = out(p + 40 + tn);
    ethRepr.emit(new EthernetFrame(o.bytes, o.dv));
    const op = p + 40;
    if (r.nextHeader === IpProtocol.Icmpv6) {
      const icmp = new Icmpv6Packet(frame, dv, tp, tn);
      if (icmp.check() !== WireError.Ok) return { skip: "icmpv6" };
      const oicmp = new Icmpv6Packet(o.bytes, o.dv, op, tn);
      if (icmpv6IsNdisc(icmp.msgType())) {
        const nd = new NdiscRepr();
        if (nd.parse(icmp, r.srcAddr, r.dstAddr, CAPS) !== WireError.Ok) return { skip: "ndisc" };
        if (nd.hasRedirectedHeader) return { skip: "the redirected header option is not emitted" };
        nd.emit(oicmp, r.srcAddr, r.dstAddr, CAPS);
        if (nd.bufferLen() !== tn) return { skip: "ndisc options we do not emit" };
      } else {
        const ir = new Icmpv6Repr();
        if (ir.parse(icmp, r.srcAddr, r.dstAddr, CAPS) !== WireError.Ok) return { skip: "icmpv6 type " + icmp.msgType() };
        copy(o.bytes, op + 8, frame, ir.dataOffset, ir.dataLen);
        ir.emit(oicmp, r.srcAddr, r.dstAddr, CAPS);
      }
    } else if (!emitTransport(frame, dv, tp, tn, r.nextHeader, o, op, checksumPseudoV6(r.srcAddr, r.dstAddr, r.nextHeader, tn), true)) {
      return { skip: "transport " + r.nextHeader };
    }
    r.emit(new Ipv6Packet(o.bytes, o.dv, p, 40 + tn));
    return { bytes: o.bytes };
  }
  return { skip: "ethertype" };
}

function emitTransport(
  frame: Uint8Array, dv: DataView, tp: number, tn: number, protocol: number,
  o: { bytes: Uint8Array; dv: DataView }, op: number, pseudo: number, overIpv6: boolean,
): boolean {
  if (protocol === IpProtocol.Udp) {
    const r = new UdpRepr();
    const udp = new UdpPacket(frame, dv, tp, tn);
    if (r.parse(udp, pseudo, overIpv6, CAPS) !== WireError.Ok) return false;
    copy(o.bytes, op + 8, frame, r.payloadOffset, r.payloadLen);
    r.emit(new UdpPacket(o.bytes, o.dv, op, 8 + r.payloadLen), r.payloadLen, pseudo, CAPS);
    return 8 + r.payloadLen === tn;
  }
  if (protocol === IpProtocol.Tcp) {
    const r = new TcpRepr();
    if (r.parse(new TcpPacket(frame, dv, tp, tn), pseudo, CAPS) !== WireError.Ok) return false;
    const hl = r.headerLen();
    if (hl + r.payloadLen !== tn) return false; // an option layout we do not reproduce
    copy(o.bytes, op + hl, frame, r.payloadOffset, r.payloadLen);
    r.emit(new TcpPacket(o.bytes, o.dv, op, tn), r.payloadLen, pseudo, CAPS);
    return true;
  }
  return false;
}

const MAC_A = EthernetAddress.fromOctets(2, 0, 0, 0, 0, 1);
const MAC_B = EthernetAddress.fromOctets(2, 0, 0, 0, 0, 2);
const V4_A = ipv4Parse("192.168.69.1");
const V4_B = ipv4Parse("192.168.69.2");
const V6_A = Ipv6Address.parse("fdaa::1");
const V6_B = Ipv6Address.parse("fdaa::2");
const V6_LL = Ipv6Address.parse("fe80::1");

function ipv4Frame(protocol: number, payloadLen: number, fill: (bytes: Uint8Array, dv: DataView, off: number, pseudo: number) => void, dst = V4_B, ttl = 64): Uint8Array {
  const o = out(14 + 20 + payloadLen);
  const eth = new EthernetRepr();
  eth.srcAddr.copyFrom(MAC_A);
  eth.dstAddr.copyFrom(MAC_B);
  eth.etherType = EtherType.Ipv4;
  eth.emit(new EthernetFrame(o.bytes, o.dv));
  fill(o.bytes, o.dv, 34, checksumPseudoV4(V4_A, dst, protocol, payloadLen));
  new Ipv4Repr().set(V4_A, dst, protocol, payloadLen, ttl).emit(new Ipv4Packet(o.bytes, o.dv, 14, 20 + payloadLen), CAPS);
  return o.bytes;
}

function ipv6Frame(protocol: number, payloadLen: number, fill: (bytes: Uint8Array, dv: DataView, off: number, src: Ipv6Address, dst: Ipv6Address) => void, src = V6_A, dst = V6_B, hopLimit = 64): Uint8Array {
  const o = out(14 + 40 + payloadLen);
  const eth = new EthernetRepr();
  eth.srcAddr.copyFrom(MAC_A);
  eth.dstAddr.copyFrom(MAC_B);
  eth.etherType = EtherType.Ipv6;
  eth.emit(new EthernetFrame(o.bytes, o.dv));
  fill(o.bytes, o.dv, 54, src, dst);
  new Ipv6Repr().set(src, dst, protocol, payloadLen, hopLimit).emit(new Ipv6Packet(o.bytes, o.dv, 14, 40 + payloadLen));
  return o.bytes;
}

/** A quoted datagram for ICMP errors: an IPv4 header and 8 octets of UDP (ports 40000 -> 6969). */
function quoteV4(bytes: Uint8Array, dv: DataView, off: number): number {
  dv.setUint16(off + 20, 40000);
  dv.setUint16(off + 22, 6969);
  dv.setUint16(off + 24, 8 + 12);
  dv.setUint16(off + 26, 0);
  new Ipv4Repr().set(V4_B, V4_A, IpProtocol.Udp, 8 + 12, 64).emit(new Ipv4Packet(bytes, dv, off, 28), CAPS);
  return 28;
}

function quoteV6(bytes: Uint8Array, dv: DataView, off: number): number {
  const udp = new UdpRepr();
  udp.srcPort = 40000;
  udp.dstPort = 6969;
  udp.emit(new UdpPacket(bytes, dv, off + 40, 8), 0, checksumPseudoV6(V6_B, V6_A, IpProtocol.Udp, 8), CAPS);
  new Ipv6Repr().set(V6_B, V6_A, IpProtocol.Udp, 8, 64).emit(new Ipv6Packet(bytes, dv, off, 48));
  return 48;
}

/** Frames of the kinds the Linux captures lack, each built from reprs; `name` says what it is. */
export function builtFrames(): { name: string; bytes: Uint8Array }[] {
  const frames: { name: string; bytes: Uint8Array }[] = [];
  const icmpv4Error = (name: string, set: (r: Icmpv4Repr, quoteLen: number) => void) => {
    frames.push({
      name,
      bytes: ipv4Frame(IpProtocol.Icmp, 8 + 28, (b, dv, off) => {
        const q = quoteV4(b, dv, off + 8);
        const r = new Icmpv4Repr();
        set(r, q);
        r.emit(new Icmpv4Packet(b, dv, off, 8 + q), CAPS);
      }),
    });
  };
  icmpv4Error("ICMPv4 destination unreachable: port", (r, q) => r.dstUnreachable(3, q));
  icmpv4Error("ICMPv4 destination unreachable: fragmentation needed, MTU 1400", (r, q) => r.dstUnreachable(4, q, 1400));
  icmpv4Error("ICMPv4 time exceeded", (r, q) => r.timeExceeded(0, q));
  icmpv4Error("ICMPv4 parameter problem, pointer 8", (r, q) => r.paramProblem(0, 8, q));
  frames.push({
    name: "ICMPv4 echo request with 32 octets",
    bytes: ipv4Frame(IpProtocol.Icmp, 8 + 32, (b, dv, off) => {
      for (let i = 0; i < 32; i++) b[off + 8 + i] = i;
      new Icmpv4Repr().echoRequest(0x1234, 7, 32).emit(new Icmpv4Packet(b, dv, off, 40), CAPS);
    }),
  });
  const group = ipv4Parse("224.0.0.251");
  frames.push({ name: "IGMPv2 general query", bytes: ipv4Frame(IpProtocol.Igmp, 8, (b, dv, off) => new IgmpRepr().query(0, 100, 2).emit(new IgmpPacket(b, dv, off, 8), CAPS), ipv4Parse("224.0.0.1"), 1) });
  frames.push({ name: "IGMPv2 group-specific query", bytes: ipv4Frame(IpProtocol.Igmp, 8, (b, dv, off) => new IgmpRepr().query(group, 10, 2).emit(new IgmpPacket(b, dv, off, 8), CAPS), group, 1) });
  frames.push({ name: "IGMPv1 query", bytes: ipv4Frame(IpProtocol.Igmp, 8, (b, dv, off) => new IgmpRepr().query(0, 100, 1).emit(new IgmpPacket(b, dv, off, 8), CAPS), ipv4Parse("224.0.0.1"), 1) });
  frames.push({ name: "IGMPv1 report", bytes: ipv4Frame(IpProtocol.Igmp, 8, (b, dv, off) => new IgmpRepr().report(group, 1).emit(new IgmpPacket(b, dv, off, 8), CAPS), group, 1) });
  frames.push({ name: "IGMPv2 leave", bytes: ipv4Frame(IpProtocol.Igmp, 8, (b, dv, off) => new IgmpRepr().leave(group).emit(new IgmpPacket(b, dv, off, 8), CAPS), ipv4Parse("224.0.0.2"), 1) });

  const icmpv6Error = (name: string, type: number, code: number, param: number) => {
    frames.push({
      name,
      bytes: ipv6Frame(IpProtocol.Icmpv6, 8 + 48, (b, dv, off, src, dst) => {
        const q = quoteV6(b, dv, off + 8);
        new Icmpv6Repr().setError(type, code, param, q).emit(new Icmpv6Packet(b, dv, off, 8 + q), src, dst, CAPS);
      }),
    });
  };
  icmpv6Error("ICMPv6 destination unreachable: port", 1, 4, 0);
  icmpv6Error("ICMPv6 packet too big, MTU 1280", 2, 0, 1280);
  icmpv6Error("ICMPv6 time exceeded", 3, 0, 0);
  icmpv6Error("ICMPv6 parameter problem: unrecognized next header, pointer 6", 4, 1, 6);
  frames.push({
    name: "ICMPv6 echo reply with 16 octets",
    bytes: ipv6Frame(IpProtocol.Icmpv6, 24, (b, dv, off, src, dst) => {
      for (let i = 0; i < 16; i++) b[off + 8 + i] = 0x40 + i;
      new Icmpv6Repr().setEcho(129, 0xbeef, 3, 16).emit(new Icmpv6Packet(b, dv, off, 24), src, dst, CAPS);
    }),
  });
  const ndisc = (name: string, set: (r: NdiscRepr) => void, src: Ipv6Address, dst: Ipv6Address) => {
    const r = new NdiscRepr();
    set(r);
    const len = r.bufferLen();
    frames.push({ name, bytes: ipv6Frame(IpProtocol.Icmpv6, len, (b, dv, off, s, d) => r.emit(new Icmpv6Packet(b, dv, off, len), s, d, CAPS), src, dst, 255) });
  };
  const allRouters = Ipv6Address.parse("ff02::2");
  const allNodes = Ipv6Address.parse("ff02::1");
  ndisc("NDISC router solicitation with source link-layer address", (r) => r.setRouterSolicit(MAC_A), V6_LL, allRouters);
  ndisc("NDISC router advertisement with MTU, prefix and source link-layer address", (r) => {
    r.clear(134);
    r.curHopLimit = 64;
    r.routerFlags = 0x40;
    r.routerLifetime = 1800;
    r.reachableTime = 30000;
    r.retransTimer = 1000;
    r.hasSourceLla = true;
    r.sourceLla.copyFrom(MAC_A);
    r.hasMtu = true;
    r.mtu = 1500;
    r.hasPrefixInfo = true;
    r.prefixInfoCount = 1;
    r.prefixInfo.prefixLen = 64;
    r.prefixInfo.flags = 0xc0;
    r.prefixInfo.validLifetime = 86400;
    r.prefixInfo.preferredLifetime = 14400;
    r.prefixInfo.prefix.copyFrom(Ipv6Address.parse("fdaa::"));
  }, V6_LL, allNodes);
  ndisc("NDISC neighbor solicitation", (r) => r.setNeighborSolicit(V6_B, MAC_A), V6_A, V6_B.solicitedNode(new Ipv6Address()));
  ndisc("NDISC neighbor advertisement (router, solicited, override)", (r) => r.setNeighborAdvert(0xe0, V6_B, MAC_B), V6_B, V6_A);

  const tcp = (name: string, v6: boolean, set: (r: TcpRepr) => void, payloadLen: number) => {
    const r = new TcpRepr();
    set(r);
    const hl = r.headerLen();
    const fill = (b: Uint8Array, dv: DataView, off: number, pseudo: number) => {
      for (let i = 0; i < payloadLen; i++) b[off + hl + i] = 0x61 + (i % 26);
      r.emit(new TcpPacket(b, dv, off, hl + payloadLen), payloadLen, pseudo, CAPS);
    };
    frames.push({
      name,
      bytes: v6
        ? ipv6Frame(IpProtocol.Tcp, hl + payloadLen, (b, dv, off, s, d) => fill(b, dv, off, checksumPseudoV6(s, d, IpProtocol.Tcp, hl + payloadLen)))
        : ipv4Frame(IpProtocol.Tcp, hl + payloadLen, fill),
    });
  };
  const syn = (r: TcpRepr) => {
    r.srcPort = 49152;
    r.dstPort = 6969;
    r.control = TcpControl.Syn;
    r.seqNumber = 0xfffffff0 | 0;
    r.windowLen = 64240;
    r.maxSegSize = 1460;
    r.windowScale = 7;
    r.sackPermitted = true;
    r.hasTimestamp = true;
    r.tsVal = 0x80000001 | 0;
    r.tsEcr = 0;
  };
  tcp("TCP SYN with every option, sequence near 2^32", false, syn, 0);
  tcp("TCP SYN over IPv6", true, syn, 0);
  tcp("TCP data with timestamps and three SACK blocks", false, (r) => {
    r.srcPort = 6969;
    r.dstPort = 49152;
    r.control = TcpControl.Psh;
    r.seqNumber = 0x7ffffff0 | 0;
    r.hasAck = true;
    r.ackNumber = 0xfffffff1 | 0;
    r.windowLen = 501;
    r.hasTimestamp = true;
    r.tsVal = 1000;
    r.tsEcr = 0x80000001 | 0;
    r.sackCount = 3;
    r.sackRanges.set([0x10, 0x20, 0x30, 0x40, 0x50, 0x60]);
  }, 100);
  tcp("TCP RST", true, (r) => {
    r.srcPort = 6969;
    r.dstPort = 49152;
    r.control = TcpControl.Rst;
    r.seqNumber = 1;
    r.hasAck = true;
    r.ackNumber = 0x7fffffff;
  }, 0);
  frames.push({
    name: "UDP over IPv6",
    bytes: ipv6Frame(IpProtocol.Udp, 8 + 5, (b, dv, off, s, d) => {
      b.set([0x68, 0x65, 0x6c, 0x6c, 0x6f], off + 8);
      const r = new UdpRepr();
      r.srcPort = 6969;
      r.dstPort = 40000;
      r.emit(new UdpPacket(b, dv, off, 13), 5, checksumPseudoV6(s, d, IpProtocol.Udp, 13), CAPS);
    }),
  });
  return frames;
}
