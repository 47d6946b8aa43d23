/**
 * Frames for interface tests, built with our emitters (which the tshark cross-check validates).
 * Every function returns a fresh Uint8Array holding one Ethernet frame. Portable.
 */
import { ChecksumCapabilities, checksumPseudoV4, checksumPseudoV6 } from "../../src/wire/checksum.js";
import { EtherType, EthernetAddress, EthernetFrame, EthernetRepr } from "../../src/wire/ethernet.js";
import { IpProtocol, Ipv6Address } from "../../src/wire/ip.js";
import { ArpPacket, ArpRepr } from "../../src/wire/arp.js";
import { Ipv4Packet, Ipv4Repr } from "../../src/wire/ipv4.js";
import { Icmpv4Packet, Icmpv4Repr } from "../../src/wire/icmpv4.js";
import { IgmpPacket, IgmpRepr } from "../../src/wire/igmp.js";
import { Ipv6Packet, Ipv6Repr } from "../../src/wire/ipv6.js";
import { Icmpv6Packet, Icmpv6Repr } from "../../src/wire/icmpv6.js";
import { NdiscRepr } from "../../src/wire/ndisc.js";
import { UdpPacket, UdpRepr } from "../../src/wire/udp.js";
import { TcpPacket, TcpRepr } from "../../src/wire/tcp.js";

const CAPS = new ChecksumCapabilities();

export function ethernet(dst: EthernetAddress, src: EthernetAddress, type: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(14 + payload.length);
  const dv = new DataView(b.buffer);
  const e = new EthernetRepr();
  e.dstAddr.copyFrom(dst);
  e.srcAddr.copyFrom(src);
  e.etherType = type;
  e.emit(new EthernetFrame(b, dv));
  b.set(payload, 14);
  return b;
}

export function arp(op: number, sha: EthernetAddress, spa: number, tha: EthernetAddress, tpa: number): Uint8Array {
  const b = new Uint8Array(28);
  const r = new ArpRepr();
  r.operation = op;
  r.sourceHardwareAddr.copyFrom(sha);
  r.sourceProtocolAddr = spa;
  r.targetHardwareAddr.copyFrom(tha);
  r.targetProtocolAddr = tpa;
  r.emit(new ArpPacket(b, new DataView(b.buffer)));
  return b;
}

/** An IPv4 packet around `payload` (whose checksum, if any, the caller computed). */
export function ipv4(src: number, dst: number, protocol: number, payload: Uint8Array, ttl = 64): Uint8Array {
  const b = new Uint8Array(20 + payload.length);
  b.set(payload, 20);
  new Ipv4Repr().set(src, dst, protocol, payload.length, ttl).emit(new Ipv4Packet(b, new DataView(b.buffer)), CAPS);
  return b;
}

export function ipv6(src: Ipv6Address, dst: Ipv6Address, nextHeader: number, payload: Uint8Array, hopLimit = 64): Uint8Array {
  const b = new Uint8Array(40 + payload.length);
  b.set(payload, 40);
  new Ipv6Repr().set(src, dst, nextHeader, payload.length, hopLimit).emit(new Ipv6Packet(b, new DataView(b.buffer)));
  return b;
}

export function udp(pseudo: (len: number) => number, sport: number, dport: number, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + data.length);
  b.set(data, 8);
  const r = new UdpRepr();
  r.srcPort = sport;
  r.dstPort = dport;
  r.emit(new UdpPacket(b, new DataView(b.buffer)), data.length, pseudo(8 + data.length), CAPS);
  return b;
}

export function udpV4(src: number, sport: number, dst: number, dport: number, data: Uint8Array, ttl = 64): Uint8Array {
  return ipv4(src, dst, IpProtocol.Udp, udp((n) => checksumPseudoV4(src, dst, IpProtocol.Udp, n), sport, dport, data), ttl);
}

export function udpV6(src: Ipv6Address, sport: number, dst: Ipv6Address, dport: number, data: Uint8Array, hopLimit = 64): Uint8Array {
  return ipv6(src, dst, IpProtocol.Udp, udp((n) => checksumPseudoV6(src, dst, IpProtocol.Udp, n), sport, dport, data), hopLimit);
}

/** A TCP segment (header from `fill`, then `data`) with its checksum for the pseudo-header `pseudo`. */
export function tcp(pseudo: (len: number) => number, fill: (r: TcpRepr) => void, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const r = new TcpRepr();
  fill(r);
  r.payloadLen = data.length;
  const hl = r.headerLen();
  const b = new Uint8Array(hl + data.length);
  b.set(data, hl);
  r.emit(new TcpPacket(b, new DataView(b.buffer)), data.length, pseudo(hl + data.length), CAPS);
  return b;
}

export function tcpV4(src: number, dst: number, fill: (r: TcpRepr) => void, data?: Uint8Array, ttl = 64): Uint8Array {
  return ipv4(src, dst, IpProtocol.Tcp, tcp((n) => checksumPseudoV4(src, dst, IpProtocol.Tcp, n), fill, data), ttl);
}

export function tcpV6(src: Ipv6Address, dst: Ipv6Address, fill: (r: TcpRepr) => void, data?: Uint8Array, hopLimit = 64): Uint8Array {
  return ipv6(src, dst, IpProtocol.Tcp, tcp((n) => checksumPseudoV6(src, dst, IpProtocol.Tcp, n), fill, data), hopLimit);
}

export function icmpv4Echo(src: number, dst: number, request: boolean, ident: number, seq: number, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + data.length);
  b.set(data, 8);
  const r = new Icmpv4Repr();
  if (request) r.echoRequest(ident, seq, data.length);
  else r.echoReply(ident, seq, data.length);
  r.emit(new Icmpv4Packet(b, new DataView(b.buffer)), CAPS);
  return ipv4(src, dst, IpProtocol.Icmp, b);
}

export function icmpv6Echo(src: Ipv6Address, dst: Ipv6Address, request: boolean, ident: number, seq: number, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + data.length);
  b.set(data, 8);
  new Icmpv6Repr().setEcho(request ? 128 : 129, ident, seq, data.length).emit(new Icmpv6Packet(b, new DataView(b.buffer)), src, dst, CAPS);
  return ipv6(src, dst, IpProtocol.Icmpv6, b);
}

/** An ICMPv4 destination unreachable (`code`; `mtu` for code 4) quoting `quote` (an IP packet's first octets). */
export function icmpv4Unreachable(src: number, dst: number, code: number, quote: Uint8Array, mtu = 0): Uint8Array {
  const b = new Uint8Array(8 + quote.length);
  b.set(quote, 8);
  new Icmpv4Repr().dstUnreachable(code, quote.length, mtu).emit(new Icmpv4Packet(b, new DataView(b.buffer)), CAPS);
  return ipv4(src, dst, IpProtocol.Icmp, b);
}

/** An ICMPv6 error (`type`, `code`, `param`: the MTU of packet too big) quoting `quote`. */
export function icmpv6Error(src: Ipv6Address, dst: Ipv6Address, type: number, code: number, param: number, quote: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + quote.length);
  b.set(quote, 8);
  new Icmpv6Repr().setError(type, code, param, quote.length).emit(new Icmpv6Packet(b, new DataView(b.buffer)), src, dst, CAPS);
  return ipv6(src, dst, IpProtocol.Icmpv6, b);
}

export function igmp(src: number, dst: number, build: (r: IgmpRepr) => void): Uint8Array {
  const b = new Uint8Array(8);
  const r = new IgmpRepr();
  build(r);
  r.emit(new IgmpPacket(b, new DataView(b.buffer)), CAPS);
  return ipv4(src, dst, IpProtocol.Igmp, b, 1);
}

export function ndisc(src: Ipv6Address, dst: Ipv6Address, build: (r: NdiscRepr) => void, hopLimit = 255): Uint8Array {
  const r = new NdiscRepr();
  build(r);
  const b = new Uint8Array(r.bufferLen());
  r.emit(new Icmpv6Packet(b, new DataView(b.buffer)), src, dst, CAPS);
  return ipv6(src, dst, IpProtocol.Icmpv6, b, hopLimit);
}

export function bytesOf(text: string): Uint8Array {
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
  return b;
}

export function textOf(b: Uint8Array, off = 0, len = b.length - off): string {
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(b[off + i]);
  return s;
}

export { EtherType };
