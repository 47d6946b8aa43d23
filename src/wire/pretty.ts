/**
 * A tcpdump-style description of any Ethernet frame, one line per layer (smoltcp's
 * `PrettyPrinter`). It is what `examples/tcpdump` and the `Tracer` print:
 *
 * ```text
 * EthernetII src=02-00-00-00-00-01 dst=02-00-00-00-00-02 type=IPv4
 * \ IPv4 src=192.168.69.1 dst=192.168.69.2 proto=TCP ttl=64 len=40
 *  \ TCP src=49500 dst=6969 syn seq=... win=64240 mss=1460 ...
 * ```
 *
 * Each layer is parsed with the wire module's own `parse`, with software checksums *not*
 * enforced so that a frame with a bad checksum is still described; the printer verifies the
 * checksum itself and says `(checksum incorrect)` when it does not match. A layer that does not
 * parse ends the description with the reason (`(truncated)`, `(malformed)`, ...), so the
 * printer never throws, whatever the bytes: a fuzz target feeds it arbitrary frames.
 *
 * Building strings allocates, so this is never on the packet path: it runs only when a host
 * asked for a trace. All views and reprs are created once, in the constructor, and only for the
 * protocols the bundle's features include (the `X ? new View() : null` initialisers let rollup
 * drop the classes of the features left out).
 */

import { WireError, WIRE_ERROR_NAMES } from "./error.js";
import { ChecksumCapabilities, checksumPseudoV4, checksumPseudoV6 } from "./checksum.js";
import { IpProtocol, ipProtocolName } from "./ip.js";
import { EtherType, EthernetFrame, EthernetRepr } from "./ethernet.js";
import { ArpPacket, ArpRepr } from "./arp.js";
import { Ipv4Packet, Ipv4Repr } from "./ipv4.js";
import { Icmpv4Packet, Icmpv4Repr } from "./icmpv4.js";
import { IgmpPacket, IgmpRepr } from "./igmp.js";
import { Ipv6Packet, Ipv6Repr } from "./ipv6.js";
import { Ipv6ExtHeader, Ipv6ExtWalker, Ipv6FragmentHeader, Ipv6FragmentRepr, Ipv6HopByHopRepr } from "./ipv6-ext.js";
import { Icmpv6Packet, Icmpv6Repr, icmpv6IsNdisc, icmpv6MessageName } from "./icmpv6.js";
import { NdiscRepr } from "./ndisc.js";
import { UdpPacket, UdpRepr } from "./udp.js";
import { TcpPacket, TcpRepr } from "./tcp.js";
import { PROTO_IPV4, PROTO_IPV6, SOCKET_TCP, SOCKET_UDP } from "../features.js";

/** Describes frames; create one and call `describe` for each frame. */
export class PrettyPrinter {
  // Views start pointed at an empty buffer; created here, not at module level (XS preload).
  private readonly empty = new Uint8Array(0);
  private readonly emptyDv = new DataView(this.empty.buffer);
  private readonly caps = ChecksumCapabilities.ignored();
  private readonly eth = new EthernetFrame(this.empty, this.emptyDv);
  private readonly ethRepr = new EthernetRepr();
  private readonly arp = (PROTO_IPV4 ? new ArpPacket(this.empty, this.emptyDv) : null) as ArpPacket;
  private readonly arpRepr = (PROTO_IPV4 ? new ArpRepr() : null) as ArpRepr;
  private readonly ipv4 = (PROTO_IPV4 ? new Ipv4Packet(this.empty, this.emptyDv) : null) as Ipv4Packet;
  private readonly ipv4Repr = (PROTO_IPV4 ? new Ipv4Repr() : null) as Ipv4Repr;
  private readonly icmpv4 = (PROTO_IPV4 ? new Icmpv4Packet(this.empty, this.emptyDv) : null) as Icmpv4Packet;
  private readonly icmpv4Repr = (PROTO_IPV4 ? new Icmpv4Repr() : null) as Icmpv4Repr;
  private readonly igmp = (PROTO_IPV4 ? new IgmpPacket(this.empty, this.emptyDv) : null) as IgmpPacket;
  private readonly igmpRepr = (PROTO_IPV4 ? new IgmpRepr() : null) as IgmpRepr;
  private readonly ipv6 = (PROTO_IPV6 ? new Ipv6Packet(this.empty, this.emptyDv) : null) as Ipv6Packet;
  private readonly ipv6Repr = (PROTO_IPV6 ? new Ipv6Repr() : null) as Ipv6Repr;
  private readonly ext = (PROTO_IPV6 ? new Ipv6ExtHeader(this.empty, this.emptyDv) : null) as Ipv6ExtHeader;
  private readonly hbhRepr = (PROTO_IPV6 ? new Ipv6HopByHopRepr() : null) as Ipv6HopByHopRepr;
  private readonly frag = (PROTO_IPV6 ? new Ipv6FragmentHeader(this.empty, this.emptyDv) : null) as Ipv6FragmentHeader;
  private readonly fragRepr = (PROTO_IPV6 ? new Ipv6FragmentRepr() : null) as Ipv6FragmentRepr;
  private readonly walker = (PROTO_IPV6 ? new Ipv6ExtWalker(64) : null) as Ipv6ExtWalker;
  private readonly icmpv6 = (PROTO_IPV6 ? new Icmpv6Packet(this.empty, this.emptyDv) : null) as Icmpv6Packet;
  private readonly icmpv6Repr = (PROTO_IPV6 ? new Icmpv6Repr() : null) as Icmpv6Repr;
  private readonly ndiscRepr = (PROTO_IPV6 ? new NdiscRepr() : null) as NdiscRepr;
  private readonly udp = (SOCKET_UDP ? new UdpPacket(this.empty, this.emptyDv) : null) as UdpPacket;
  private readonly udpRepr = (SOCKET_UDP ? new UdpRepr() : null) as UdpRepr;
  private readonly tcp = (SOCKET_TCP ? new TcpPacket(this.empty, this.emptyDv) : null) as TcpPacket;
  private readonly tcpRepr = (SOCKET_TCP ? new TcpRepr() : null) as TcpRepr;

  /** Describes the Ethernet frame of `len` octets at `off`; lines end with "\n". */
  describe(bytes: Uint8Array, dv: DataView, off: number, len: number): string {
    const frame = this.eth.reset(bytes, dv, off, len);
    const repr = this.ethRepr;
    const err = repr.parse(frame);
    if (err !== WireError.Ok) return "EthernetII (" + WIRE_ERROR_NAMES[err] + ")\n";
    let out = repr.toString() + "\n";
    const p = frame.payloadOffset();
    const n = frame.payloadLen();
    switch (repr.etherType) {
      case EtherType.Arp:
        if (PROTO_IPV4) out += this.describeArp(bytes, dv, p, n, 1);
        break;
      case EtherType.Ipv4:
        if (PROTO_IPV4) out += this.describeIpv4(bytes, dv, p, n, 1);
        break;
      case EtherType.Ipv6:
        if (PROTO_IPV6) out += this.describeIpv6(bytes, dv, p, n, 1);
        break;
    }
    return out;
  }

  /** Describes a frame held in a whole `Uint8Array` (a convenience for tools and tests). */
  describeBytes(frame: Uint8Array): string {
    return this.describe(frame, new DataView(frame.buffer, frame.byteOffset, frame.byteLength), 0, frame.length);
  }

  private describeArp(bytes: Uint8Array, dv: DataView, off: number, len: number, depth: number): string {
    const err = this.arpRepr.parse(this.arp.reset(bytes, dv, off, len));
    return line(depth, err === WireError.Ok ? this.arpRepr.toString() : "ARP (" + WIRE_ERROR_NAMES[err] + ")");
  }

  private describeIpv4(bytes: Uint8Array, dv: DataView, off: number, len: number, depth: number): string {
    const packet = this.ipv4.reset(bytes, dv, off, len);
    const repr = this.ipv4Repr;
    const err = repr.parse(packet, this.caps);
    if (err !== WireError.Ok) return line(depth, "IPv4 (" + WIRE_ERROR_NAMES[err] + ")");
    let out = line(depth, repr.toString() + (packet.verifyChecksum() ? "" : " (checksum incorrect)"));
    if (repr.isFragment() && repr.fragmentOffset !== 0) return out + line(depth + 1, "(fragment, not reassembled)");
    const p = packet.payloadOffset();
    const n = packet.payloadLen();
    const pseudo = checksumPseudoV4(repr.srcAddr, repr.dstAddr, repr.nextHeader, n);
    switch (repr.nextHeader) {
      case IpProtocol.Icmp: {
        const icmp = this.icmpv4.reset(bytes, dv, p, n);
        const e = this.icmpv4Repr.parse(icmp, this.caps);
        if (e !== WireError.Ok) return out + line(depth + 1, "ICMPv4 (" + WIRE_ERROR_NAMES[e] + ")");
        return out + line(depth + 1, this.icmpv4Repr.toString() + (icmp.verifyChecksum() ? "" : " (checksum incorrect)"));
      }
      case IpProtocol.Igmp: {
        const igmp = this.igmp.reset(bytes, dv, p, n);
        const e = this.igmpRepr.parse(igmp, this.caps);
        if (e !== WireError.Ok) return out + line(depth + 1, "IGMP (" + WIRE_ERROR_NAMES[e] + ")");
        return out + line(depth + 1, this.igmpRepr.toString() + (igmp.verifyChecksum() ? "" : " (checksum incorrect)"));
      }
      default:
        out += this.describeTransport(bytes, dv, p, n, repr.nextHeader, pseudo, false, depth + 1);
        return out;
    }
  }

  private describeIpv6(bytes: Uint8Array, dv: DataView, off: number, len: number, depth: number): string {
    const packet = this.ipv6.reset(bytes, dv, off, len);
    const repr = this.ipv6Repr;
    const err = repr.parse(packet);
    if (err !== WireError.Ok) return line(depth, "IPv6 (" + WIRE_ERROR_NAMES[err] + ")");
    let out = line(depth, repr.toString());
    const walker = this.walker.resetPacket(packet);
    while (walker.atExtensionHeader()) {
      const type = walker.nextHeader;
      const count = walker.count;
      const e = walker.step();
      if (walker.count > count) {
        depth++;
        out += line(depth, this.describeExtension(bytes, dv, walker.headerOffset, walker.headerLen, type));
      }
      if (e !== WireError.Ok) {
        return out + line(depth + 1, ipProtocolName(type) + " (" + WIRE_ERROR_NAMES[e] + ")");
      }
    }
    const p = walker.offset;
    const n = walker.remaining();
    const nh = walker.nextHeader;
    const pseudo = checksumPseudoV6(repr.srcAddr, repr.dstAddr, nh, n);
    if (nh === IpProtocol.Icmpv6) {
      const icmp = this.icmpv6.reset(bytes, dv, p, n);
      const e0 = icmp.check();
      if (e0 !== WireError.Ok) return out + line(depth + 1, "ICMPv6 (" + WIRE_ERROR_NAMES[e0] + ")");
      const good = icmp.verifyChecksum(repr.srcAddr, repr.dstAddr) ? "" : " (checksum incorrect)";
      const type = icmp.msgType();
      if (icmpv6IsNdisc(type)) {
        const e = this.ndiscRepr.parse(icmp, repr.srcAddr, repr.dstAddr, this.caps);
        return out + line(depth + 1, (e === WireError.Ok ? this.ndiscRepr.toString() : "NDISC (" + WIRE_ERROR_NAMES[e] + ")") + good);
      }
      const e = this.icmpv6Repr.parse(icmp, repr.srcAddr, repr.dstAddr, this.caps);
      if (e === WireError.Unsupported) return out + line(depth + 1, "ICMPv6 " + icmpv6MessageName(type) + " code=" + icmp.msgCode() + good);
      if (e !== WireError.Ok) return out + line(depth + 1, "ICMPv6 (" + WIRE_ERROR_NAMES[e] + ")");
      return out + line(depth + 1, this.icmpv6Repr.toString() + good);
    }
    if (nh === IpProtocol.Ipv6NoNxt) return out + line(depth + 1, "(no next header)");
    return out + this.describeTransport(bytes, dv, p, n, nh, pseudo, true, depth + 1);
  }

  private describeExtension(bytes: Uint8Array, dv: DataView, off: number, len: number, type: number): string {
    if (type === IpProtocol.Ipv6Frag) {
      const e = this.fragRepr.parse(this.frag.reset(bytes, dv, off, len));
      return e === WireError.Ok ? this.fragRepr.toString() : "IPv6-Frag (" + WIRE_ERROR_NAMES[e] + ")";
    }
    if (type === IpProtocol.HopByHop || type === IpProtocol.Ipv6Opts) {
      const e = this.hbhRepr.parse(this.ext.reset(bytes, dv, off, len));
      const name = type === IpProtocol.HopByHop ? "Hop-by-Hop" : "Destination Options";
      if (e !== WireError.Ok) return name + " (" + WIRE_ERROR_NAMES[e] + ")";
      const text = this.hbhRepr.toString();
      return name + text.slice(text.indexOf(" "));
    }
    return ipProtocolName(type) + " len=" + len;
  }

  private describeTransport(
    bytes: Uint8Array, dv: DataView, off: number, len: number,
    protocol: number, pseudo: number, overIpv6: boolean, depth: number,
  ): string {
    if (SOCKET_UDP && protocol === IpProtocol.Udp) {
      const udp = this.udp.reset(bytes, dv, off, len);
      const e = this.udpRepr.parse(udp, pseudo, overIpv6, this.caps);
      if (e !== WireError.Ok) return line(depth, "UDP (" + WIRE_ERROR_NAMES[e] + ")");
      const good = udp.checksum() === 0 && !overIpv6 ? " (no checksum)" : udp.verifyChecksum(pseudo) ? "" : " (checksum incorrect)";
      return line(depth, this.udpRepr.toString() + good);
    }
    if (SOCKET_TCP && protocol === IpProtocol.Tcp) {
      const tcp = this.tcp.reset(bytes, dv, off, len);
      const e = this.tcpRepr.parse(tcp, pseudo, this.caps);
      if (e !== WireError.Ok) return line(depth, "TCP (" + WIRE_ERROR_NAMES[e] + ")");
      return line(depth, this.tcpRepr.toString() + (tcp.verifyChecksum(pseudo) ? "" : " (checksum incorrect)"));
    }
    return line(depth, ipProtocolName(protocol) + " len=" + len);
  }
}

function line(depth: number, text: string): string {
  return " ".repeat(depth - 1) + "\\ " + text + "\n";
}
