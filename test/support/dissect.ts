/**
 * Our own dissection of a frame, expressed with tshark's field names and value formats, so that a
 * test can hold what our parsers say against what tshark (an independent dissector) says about
 * the same bytes. Portable: runs on Node and inside XS.
 *
 * Every value comes from our reprs (not from re-reading bytes here), except where a field has no
 * repr counterpart by design (lengths and checksums, which reprs leave out as consequences); those
 * come from our views' accessors. Where a frame carries the same field twice (an ICMP error
 * quoting an IP header), values are joined with "," outer first, as the fixtures record tshark's.
 */
import { ChecksumCapabilities, checksumPseudoV4, checksumPseudoV6 } from "../../src/wire/checksum.js";
import { WireError } from "../../src/wire/error.js";
import { EtherType, EthernetAddress, EthernetFrame, EthernetRepr } from "../../src/wire/ethernet.js";
import { IpProtocol, ipv4Format } from "../../src/wire/ip.js";
import { ArpPacket, ArpRepr } from "../../src/wire/arp.js";
import { Ipv4Packet, Ipv4Repr } from "../../src/wire/ipv4.js";
import { Icmpv4Packet, Icmpv4Repr } from "../../src/wire/icmpv4.js";
import { IgmpPacket, IgmpRepr } from "../../src/wire/igmp.js";
import { Ipv6Packet, Ipv6Repr } from "../../src/wire/ipv6.js";
import { Ipv6ExtWalker } from "../../src/wire/ipv6-ext.js";
import { Icmpv6Packet, Icmpv6Repr, icmpv6IsNdisc } from "../../src/wire/icmpv6.js";
import { NdiscRepr } from "../../src/wire/ndisc.js";
import { UdpPacket, UdpRepr } from "../../src/wire/udp.js";
import { TcpControl, TcpPacket, TcpRepr } from "../../src/wire/tcp.js";

export type Fields = Record<string, string>;

const hex = (v: number, digits: number) => "0x" + (v >>> 0).toString(16).padStart(digits, "0");
const u32 = (v: number) => String(v >>> 0);
const mac = (a: EthernetAddress) => a.toString().replace(/-/g, ":");

function add(f: Fields, name: string, value: string): void {
  f[name] = name in f ? f[name] + "," + value : value;
}

/**
 * Dissects an Ethernet frame. Returns the fields, and `errors`: every layer that did not parse
 * or whose checksum did not verify (with full checksum capabilities), as "layer: reason".
 */
export function dissectOurs(frame: Uint8Array): { fields: Fields; errors: string[]; top: string } {
  const caps = new ChecksumCapabilities();
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const f: Fields = {};
  const errors: string[] = [];
  let top = "eth";
  const eth = new EthernetFrame(frame, dv);
  const ethRepr = new EthernetRepr();
  let e = ethRepr.parse(eth);
  if (e !== WireError.Ok) return { fields: f, errors: ["eth: " + e], top };
  add(f, "eth.dst", mac(ethRepr.dstAddr));
  add(f, "eth.src", mac(ethRepr.srcAddr));
  add(f, "eth.type", hex(ethRepr.etherType, 4));
  const p = eth.payloadOffset();
  const n = eth.payloadLen();

  if (ethRepr.etherType === EtherType.Arp) {
    top = "arp";
    const arp = new ArpPacket(frame, dv, p, n);
    const r = new ArpRepr();
    e = r.parse(arp);
    if (e !== WireError.Ok) return { fields: f, errors: ["arp: " + e], top };
    add(f, "arp.hw.type", String(arp.hardwareType()));
    add(f, "arp.proto.type", hex(arp.protocolType(), 4));
    add(f, "arp.opcode", String(r.operation));
    add(f, "arp.src.hw_mac", mac(r.sourceHardwareAddr));
    add(f, "arp.src.proto_ipv4", ipv4Format(r.sourceProtocolAddr));
    add(f, "arp.dst.hw_mac", mac(r.targetHardwareAddr));
    add(f, "arp.dst.proto_ipv4", ipv4Format(r.targetProtocolAddr));
    return { fields: f, errors, top };
  }

  if (ethRepr.etherType === EtherType.Ipv4) {
    top = "ip";
    const ip = new Ipv4Packet(frame, dv, p, n);
    const r = new Ipv4Repr();
    e = r.parse(ip, caps);
    if (e !== WireError.Ok) return { fields: f, errors: ["ip: " + e], top };
    addIpv4(f, ip, r);
    const tp = ip.payloadOffset();
    const tn = ip.payloadLen();
    const pseudo = checksumPseudoV4(r.srcAddr, r.dstAddr, r.nextHeader, tn);
    if (r.nextHeader === IpProtocol.Icmp) {
      top = "icmp";
      const icmp = new Icmpv4Packet(frame, dv, tp, tn);
      const ir = new Icmpv4Repr();
      e = ir.parse(icmp, caps);
      if (e !== WireError.Ok) return { fields: f, errors: ["icmp: " + e], top };
      add(f, "icmp.type", String(ir.msgType));
      add(f, "icmp.code", String(ir.msgCode));
      add(f, "icmp.checksum", hex(icmp.checksum(), 4));
      if (ir.isError()) {
        const q = new Ipv4Packet(frame, dv, ir.dataOffset, ir.dataLen);
        addIpv4(f, q, ir.quoted);
        if (ir.quoted.nextHeader === IpProtocol.Udp && ir.quotedDataLen >= 8) {
          add(f, "udp.srcport", String(dv.getUint16(ir.quotedDataOffset)));
          add(f, "udp.dstport", String(dv.getUint16(ir.quotedDataOffset + 2)));
          add(f, "udp.length", String(dv.getUint16(ir.quotedDataOffset + 4)));
          add(f, "udp.checksum", hex(dv.getUint16(ir.quotedDataOffset + 6), 4));
        }
      } else {
        add(f, "icmp.ident", String(ir.ident));
        add(f, "icmp.seq", String(ir.seqNo));
      }
    } else if (r.nextHeader === IpProtocol.Igmp) {
      top = "igmp";
      const igmp = new IgmpPacket(frame, dv, tp, tn);
      const gr = new IgmpRepr();
      e = gr.parse(igmp, caps);
      if (e !== WireError.Ok) return { fields: f, errors: ["igmp: " + e], top };
      add(f, "igmp.version", String(gr.version));
      add(f, "igmp.type", hex(gr.message, 2));
      add(f, "igmp.maddr", ipv4Format(gr.groupAddr));
      add(f, "igmp.checksum", hex(igmp.checksum(), 4));
    } else {
      top = transport(frame, dv, tp, tn, r.nextHeader, pseudo, false, caps, f, errors) || top;
    }
    return { fields: f, errors, top };
  }

  if (ethRepr.etherType === EtherType.Ipv6) {
    top = "ipv6";
    const ip = new Ipv6Packet(frame, dv, p, n);
    const r = new Ipv6Repr();
    e = r.parse(ip);
    if (e !== WireError.Ok) return { fields: f, errors: ["ipv6: " + e], top };
    add(f, "ipv6.tclass", hex(ip.trafficClass() << 20, 8));
    add(f, "ipv6.flow", hex(ip.flowLabel(), 6));
    add(f, "ipv6.plen", String(r.payloadLen));
    add(f, "ipv6.nxt", String(ip.nextHeader()));
    add(f, "ipv6.hlim", String(r.hopLimit));
    add(f, "ipv6.src", r.srcAddr.toString());
    add(f, "ipv6.dst", r.dstAddr.toString());
    const walker = new Ipv6ExtWalker();
    walker.resetPacket(ip);
    while (walker.atExtensionHeader()) {
      const type = walker.nextHeader;
      e = walker.step();
      if (e !== WireError.Ok) return { fields: f, errors: ["ipv6 extension " + type + ": " + e], top };
      if (type === IpProtocol.HopByHop) {
        add(f, "ipv6.hopopts.nxt", String(walker.nextHeader));
        add(f, "ipv6.hopopts.len", String((walker.headerLen >> 3) - 1));
      }
    }
    const tp = walker.offset;
    const tn = walker.remaining();
    const pseudo = checksumPseudoV6(r.srcAddr, r.dstAddr, walker.nextHeader, tn);
    if (walker.nextHeader === IpProtocol.Icmpv6) {
      top = "icmpv6";
      const icmp = new Icmpv6Packet(frame, dv, tp, tn);
      e = icmp.check();
      if (e !== WireError.Ok) return { fields: f, errors: ["icmpv6: " + e], top };
      add(f, "icmpv6.type", String(icmp.msgType()));
      add(f, "icmpv6.code", String(icmp.msgCode()));
      add(f, "icmpv6.checksum", hex(icmp.checksum(), 4));
      if (!icmp.verifyChecksum(r.srcAddr, r.dstAddr)) errors.push("icmpv6: bad checksum");
      if (icmpv6IsNdisc(icmp.msgType())) {
        const nd = new NdiscRepr();
        e = nd.parse(icmp, r.srcAddr, r.dstAddr, caps);
        if (e !== WireError.Ok) return { fields: f, errors: ["ndisc: " + e], top };
        if (nd.msgType === 135) add(f, "icmpv6.nd.ns.target_address", nd.targetAddr.toString());
        if (nd.msgType === 136) {
          add(f, "icmpv6.nd.na.target_address", nd.targetAddr.toString());
          add(f, "icmpv6.nd.na.flag.r", nd.neighborFlags & 0x80 ? "1" : "0");
          add(f, "icmpv6.nd.na.flag.s", nd.neighborFlags & 0x40 ? "1" : "0");
          add(f, "icmpv6.nd.na.flag.o", nd.neighborFlags & 0x20 ? "1" : "0");
        }
        if (nd.hasSourceLla) add(f, "icmpv6.opt.linkaddr", mac(nd.sourceLla));
        if (nd.hasTargetLla) add(f, "icmpv6.opt.linkaddr", mac(nd.targetLla));
      } else {
        const ir = new Icmpv6Repr();
        e = ir.parse(icmp, r.srcAddr, r.dstAddr, caps);
        if (e === WireError.Ok && (ir.msgType === 128 || ir.msgType === 129)) {
          add(f, "icmpv6.echo.identifier", hex(ir.ident, 4));
          add(f, "icmpv6.echo.sequence_number", String(ir.seqNo));
        } else if (e === WireError.Ok && ir.isError()) {
          const q = ir.quoted;
          const qv = new Ipv6Packet(frame, dv, ir.dataOffset, ir.dataLen);
          add(f, "ipv6.tclass", hex(qv.trafficClass() << 20, 8));
          add(f, "ipv6.flow", hex(qv.flowLabel(), 6));
          add(f, "ipv6.plen", String(q.payloadLen));
          add(f, "ipv6.nxt", String(q.nextHeader));
          add(f, "ipv6.hlim", String(q.hopLimit));
          add(f, "ipv6.src", q.srcAddr.toString());
          add(f, "ipv6.dst", q.dstAddr.toString());
        } else if (e !== WireError.Ok && e !== WireError.Unsupported) {
          errors.push("icmpv6: " + e);
        }
      }
    } else {
      top = transport(frame, dv, tp, tn, walker.nextHeader, pseudo, true, caps, f, errors) || top;
    }
    return { fields: f, errors, top };
  }
  return { fields: f, errors, top };
}

function addIpv4(f: Fields, ip: Ipv4Packet, r: Ipv4Repr): void {
  add(f, "ip.version", String(ip.version()));
  add(f, "ip.hdr_len", String(ip.headerLen()));
  add(f, "ip.dsfield", hex((ip.dscp() << 2) | ip.ecn(), 2));
  add(f, "ip.len", String(ip.totalLen()));
  add(f, "ip.id", hex(r.ident, 4));
  add(f, "ip.flags", hex((r.dontFragment ? 2 : 0) | (r.moreFragments ? 1 : 0), 2));
  add(f, "ip.frag_offset", String(r.fragmentOffset));
  add(f, "ip.ttl", String(r.hopLimit));
  add(f, "ip.proto", String(r.nextHeader));
  add(f, "ip.checksum", hex(ip.checksum(), 4));
  add(f, "ip.src", ipv4Format(r.srcAddr));
  add(f, "ip.dst", ipv4Format(r.dstAddr));
}

function transport(
  frame: Uint8Array, dv: DataView, off: number, len: number, protocol: number, pseudo: number,
  overIpv6: boolean, caps: ChecksumCapabilities, f: Fields, errors: string[],
): string {
  if (protocol === IpProtocol.Udp) {
    const udp = new UdpPacket(frame, dv, off, len);
    const r = new UdpRepr();
    const e = r.parse(udp, pseudo, overIpv6, caps);
    if (e !== WireError.Ok) {
      errors.push("udp: " + e);
      return "udp";
    }
    add(f, "udp.srcport", String(r.srcPort));
    add(f, "udp.dstport", String(r.dstPort));
    add(f, "udp.length", String(udp.length()));
    add(f, "udp.checksum", hex(udp.checksum(), 4));
    return "udp";
  }
  if (protocol === IpProtocol.Tcp) {
    const tcp = new TcpPacket(frame, dv, off, len);
    const r = new TcpRepr();
    const e = r.parse(tcp, pseudo, caps);
    if (e !== WireError.Ok) {
      errors.push("tcp: " + e);
      return "tcp";
    }
    add(f, "tcp.srcport", String(r.srcPort));
    add(f, "tcp.dstport", String(r.dstPort));
    add(f, "tcp.seq_raw", u32(r.seqNumber));
    add(f, "tcp.ack_raw", u32(r.hasAck ? r.ackNumber : tcp.ackNumber()));
    add(f, "tcp.hdr_len", String(tcp.headerLen()));
    add(f, "tcp.window_size_value", String(r.windowLen));
    add(f, "tcp.checksum", hex(tcp.checksum(), 4));
    add(f, "tcp.urgent_pointer", String(tcp.urgentAt()));
    add(f, "tcp.len", String(r.payloadLen));
    let flags = 0;
    if (r.control === TcpControl.Syn) flags |= 0x02;
    if (r.control === TcpControl.Fin) flags |= 0x01;
    if (r.control === TcpControl.Rst) flags |= 0x04;
    if (r.control === TcpControl.Psh) flags |= 0x08;
    if (r.hasAck) flags |= 0x10;
    add(f, "tcp.flags", hex(flags, 4));
    if (r.maxSegSize) add(f, "tcp.options.mss_val", String(r.maxSegSize));
    if (r.windowScale >= 0) add(f, "tcp.options.wscale.shift", String(r.windowScale));
    if (r.hasTimestamp) {
      add(f, "tcp.options.timestamp.tsval", u32(r.tsVal));
      add(f, "tcp.options.timestamp.tsecr", u32(r.tsEcr));
    }
    return "tcp";
  }
  return "";
}
