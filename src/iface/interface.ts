/**
 * The network interface: where frames become socket data and socket data becomes frames.
 *
 * An `Interface` owns the configuration of one link (its hardware address, its IPv4 and IPv6
 * addresses, its routes and multicast groups), the neighbor cache, and the counters. Everything
 * happens inside `poll(now, device, sockets)`:
 *
 * 1. **Ingress.** Each frame the device lends is parsed layer by layer (Ethernet, ARP / IPv4 /
 *    IPv6 and its extension headers, ICMP / ICMPv6 / NDISC / IGMP / UDP) into preallocated
 *    reprs, checked against our addresses, and offered to the sockets. The interface answers
 *    what it must by itself: ARP requests for our addresses, neighbor solicitations, echo
 *    requests, UDP datagrams to closed ports (ICMP port unreachable), IPv6 packets with an
 *    unknown next header or an option that demands it (ICMPv6 parameter problem), IGMP queries.
 *    Replies are written straight into the device's transmit buffer while the received frame is
 *    still lent. Every frame is counted once: processed, or dropped under one reason
 *    (`InterfaceStats`).
 * 2. **Egress.** Each socket in the set, in slot order, is asked for packets. For each, the
 *    interface chooses a source address if the socket left it open, finds the next hop
 *    (on-link, else the longest-prefix route, else the default gateway; none is an error the
 *    socket can read), resolves its link-layer address (neighbor cache; on a miss one ARP request
 *    or neighbor solicitation per second, the packet waiting in its socket), and emits the
 *    headers around the payload the socket copies once into the transmit buffer.
 * 3. **Timers.** IGMP reports due, and the sockets' own timers, are what `pollDelay` reports.
 *
 * Nothing is allocated after construction: views, reprs and scratch addresses are fields.
 *
 * **DoS warning** (as smoltcp's): one `poll` handles at most `maxIngressPerPoll` frames, so a
 * flood cannot keep it from returning; the host calls `poll` again when the device has more.
 *
 * Not supported: Medium::Ip devices, IPv4 and IPv6 fragmentation and reassembly, IP forwarding,
 * DHCP and SLAAC (addresses are configured), MLD (IPv6 multicast groups other than all-nodes and
 * our solicited-node groups), IGMPv3, router and redirect processing.
 */

import { LOG, PROTO_IPV4, PROTO_IPV6, SOCKET_ICMP, SOCKET_RAW, SOCKET_TCP, SOCKET_UDP } from "../features.js";
import { LogLevel, logEnabled, netDebug, netTrace } from "../log.js";
import { Config } from "../config.js";
import { type Instant, instantReached, durationUntil, instantAdd } from "../time.js";
import { WireError } from "../wire/error.js";
import { ChecksumCapabilities, checksumRx } from "../wire/checksum.js";
import { EtherType, ETHERNET_BROADCAST, ETHERNET_HEADER_LEN, EthernetAddress, EthernetFrame, EthernetRepr } from "../wire/ethernet.js";
import {
  IpAddress, IpEndpoint, IpProtocol, IpVersion, Ipv4Cidr, Ipv6Address, Ipv6Cidr,
  IPV4_MULTICAST_ALL_ROUTERS, IPV4_MULTICAST_ALL_SYSTEMS, ipv4IsMulticast, ipv4IsUnicast, ipv4Format,
} from "../wire/ip.js";
import { IpRepr } from "../wire/ip-repr.js";
import { ArpOperation, ArpPacket, ArpRepr, ARP_ETHERNET_IPV4_LEN } from "../wire/arp.js";
import { Ipv4Packet, Ipv4Repr, IPV4_HEADER_LEN } from "../wire/ipv4.js";
import { Icmpv4Message, Icmpv4Packet, Icmpv4Repr } from "../wire/icmpv4.js";
import { IgmpMessage, IgmpPacket, IgmpRepr } from "../wire/igmp.js";
import { Ipv6Packet, Ipv6Repr } from "../wire/ipv6.js";
import { Ipv6ExtHeader, Ipv6ExtWalker, Ipv6HopByHopRepr } from "../wire/ipv6-ext.js";
import { Icmpv6Message, Icmpv6Packet, Icmpv6Repr, icmpv6IsMld, icmpv6IsNdisc } from "../wire/icmpv6.js";
import { NdiscRepr } from "../wire/ndisc.js";
import { UdpPacket, UdpRepr, UDP_HEADER_LEN } from "../wire/udp.js";
import { TcpControl, TcpPacket, TcpRepr, TCP_HEADER_LEN } from "../wire/tcp.js";
import type { Device } from "../phy/device.js";
import { SocketKind, type Socket, type SocketSet } from "../socket/set.js";
import { SocketErrorCode } from "../socket/error.js";
import { POLL_INGRESS, type SocketMeta } from "../socket/meta.js";
import type { UdpSocket } from "../socket/udp.js";
import type { IcmpSocket } from "../socket/icmp.js";
import type { RawSocket } from "../socket/raw.js";
import { TcpState, type TcpSocket } from "../socket/tcp/socket.js";
import { TcpIcmpError, type TcpContext } from "../socket/tcp/context.js";
import { IsnGenerator, type RandomSource } from "../socket/tcp/isn.js";
import { EphemeralPorts, type PortUsage } from "../socket/tcp/ports.js";
import { MathRandomSource } from "./random.js";
import { copyBytes } from "../storage/copy.js";
import { NeighborCache } from "./neighbor.js";
import { Routes } from "./route.js";
import { InterfaceStats, RxDrop } from "./stats.js";

/** Most frames one `poll` takes from the device (see the DoS warning above). */
export const MAX_INGRESS_PER_POLL = 64;

/** ICMPv4 errors quote at most this much, so that they fit the minimum IPv4 MTU (RFC 1812 §4.3.2.3). */
const ICMPV4_ERROR_MAX_LEN = 576 - IPV4_HEADER_LEN;
/** ICMPv6 errors fit the minimum IPv6 MTU (RFC 4443 §2.4 (c)). */
const ICMPV6_ERROR_MAX_LEN = 1280 - 40;

/** What the datagram sockets have in common for the last step of egress. */
interface DatagramSocket extends Socket {
  dispatchCommit(): void;
  dispatchDrop(code: SocketErrorCode): void;
}

/** What `resolve` found: the link-layer destination is in `txMac`, the socket waits, or no route. */
const enum Resolve {
  Ok = 0,
  Waiting = 1,
  NoRoute = 2,
}

/** IGMP report schedule kinds. */
const enum IgmpPending {
  None = 0,
  /** Answering a general query: one group per `igmpInterval`, from `igmpNextIndex`. */
  General = 1,
  /** Answering a group-specific query for `igmpGroup`. */
  Specific = 2,
}

/** Segments one TCP socket may send in one `poll` (the device usually fills first). */
export const MAX_TCP_SEGMENTS_PER_POLL = 64;

/**
 * The smallest TCP payload an ICMP "packet too big" may lower a connection to: a path MTU of
 * 576 (IPv4, RFC 791's minimum reassembly size) or 1280 (IPv6, RFC 8200 §5) less the headers.
 */
const TCP_MIN_PATH_MSS_V4 = 576 - 40;
const TCP_MIN_PATH_MSS_V6 = 1280 - 60;

export class Interface implements TcpContext, PortUsage {
  /** The configuration the tables were sized from. */
  readonly config: Config;
  /** Our MAC address. */
  readonly hardwareAddr = new EthernetAddress();
  /** Counters (see `InterfaceStats`). */
  readonly stats = new InterfaceStats();
  /** The neighbor cache (ARP and NDISC). */
  readonly neighbors: NeighborCache;
  /** The route table. */
  readonly routes: Routes;
  /** Default TTL / hop limit of packets that sockets leave unset and of our own replies. */
  hopLimit: number;
  /** Frames handled per poll at most. */
  maxIngressPerPoll = MAX_INGRESS_PER_POLL;
  /** Answer ICMP echo requests (ping). */
  answerEchoRequests = true;

  // Addresses, fixed capacity.
  private readonly ipv4Cidrs: Ipv4Cidr[] = [];
  private readonly ipv6Cidrs: Ipv6Cidr[] = [];
  /** IPv4 multicast groups joined (int32), `groupCount` used. */
  private readonly groups: Int32Array;
  private groupCount = 0;
  /** Groups whose unsolicited report (join) or leave message is still to be sent: bit 1 join, bit 2 leave. */
  private readonly groupPending: Int32Array;
  private readonly leaveAddrs: Int32Array;
  private leaveCount = 0;
  private igmpPending: IgmpPending = IgmpPending.None;
  private igmpVersion = 2;
  private igmpTimeout: Instant = 0;
  private igmpInterval = 0;
  private igmpNextIndex = 0;
  private igmpGroup = 0;

  // Scratch, allocated once; only for the protocols the bundle's features include (the
  // `X ? new View() : null` initialisers let rollup drop the classes of the features left out).
  private readonly empty = new Uint8Array(0);
  private readonly emptyDv = new DataView(this.empty.buffer);
  private readonly eth = new EthernetFrame(this.empty, this.emptyDv);
  private readonly ethRepr = new EthernetRepr();
  private readonly txEth = new EthernetRepr();
  private readonly txMac = new EthernetAddress();
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
  private readonly walker = (PROTO_IPV6 ? new Ipv6ExtWalker() : null) as Ipv6ExtWalker;
  private readonly extHeader = (PROTO_IPV6 ? new Ipv6ExtHeader(this.empty, this.emptyDv) : null) as Ipv6ExtHeader;
  private readonly hbhRepr = (PROTO_IPV6 ? new Ipv6HopByHopRepr() : null) as Ipv6HopByHopRepr;
  private readonly icmpv6 = (PROTO_IPV6 ? new Icmpv6Packet(this.empty, this.emptyDv) : null) as Icmpv6Packet;
  private readonly icmpv6Repr = (PROTO_IPV6 ? new Icmpv6Repr() : null) as Icmpv6Repr;
  private readonly ndiscRepr = (PROTO_IPV6 ? new NdiscRepr() : null) as NdiscRepr;
  private readonly udp = (SOCKET_UDP ? new UdpPacket(this.empty, this.emptyDv) : null) as UdpPacket;
  private readonly udpRepr = (SOCKET_UDP ? new UdpRepr() : null) as UdpRepr;
  /** The IP header of the packet being received. */
  private readonly rxIp = new IpRepr();
  /** The IP header of the packet being sent. */
  private readonly txIp = new IpRepr();
  private readonly txUdp = (SOCKET_UDP ? new UdpRepr() : null) as UdpRepr;
  private readonly tcp = (SOCKET_TCP ? new TcpPacket(this.empty, this.emptyDv) : null) as TcpPacket;
  private readonly tcpRepr = (SOCKET_TCP ? new TcpRepr() : null) as TcpRepr;
  /** The segment a TCP socket sends, and the one it answers a received segment with. */
  private readonly txTcp = (SOCKET_TCP ? new TcpRepr() : null) as TcpRepr;
  private readonly tcpReply = (SOCKET_TCP ? new TcpRepr() : null) as TcpRepr;
  /** RFC 6528 initial sequence numbers, keyed once from the random source. */
  private readonly isn: IsnGenerator;
  /** RFC 6056 ephemeral ports, drawn from the random source. */
  private readonly ephemeralPorts: EphemeralPorts;
  /** The `now` of the last `poll` (the time of a `connect` between polls). */
  private lastNow: Instant = 0;
  /** The IP MTU of the device of the last `poll` (1500 before the first). */
  private lastIpMtu = 1500;
  /** The socket set of the last `poll`, for choosing a free ephemeral port (null before the first). */
  private lastSockets: SocketSet | null = null;
  private readonly hop = new IpAddress();
  private readonly scratchAddr = new IpAddress();
  private readonly scratchV6 = new Ipv6Address();

  /**
   * An interface with MAC address `hardwareAddr`, tables sized by `config`, and `random` for TCP's
   * initial sequence numbers and ephemeral ports: pass a cryptographic source (Node's `crypto`,
   * the ESP32's hardware RNG). Without one the interface falls back to `Math.random()`, which is
   * not unpredictable enough for a hostile network (see `MathRandomSource`).
   */
  constructor(hardwareAddr: EthernetAddress, config: Config = new Config(), random: RandomSource = new MathRandomSource()) {
    if (!hardwareAddr.isUnicast()) throw new RangeError("the interface's hardware address must be unicast: " + hardwareAddr);
    this.config = config;
    this.hardwareAddr.copyFrom(hardwareAddr);
    this.neighbors = new NeighborCache(config);
    this.routes = new Routes(config);
    this.hopLimit = config.hopLimit;
    this.groups = new Int32Array(config.multicastGroups);
    this.groupPending = new Int32Array(config.multicastGroups);
    this.leaveAddrs = new Int32Array(config.multicastGroups);
    this.isn = (SOCKET_TCP ? IsnGenerator.fromRandom(random) : null) as IsnGenerator;
    this.ephemeralPorts = (SOCKET_TCP ? new EphemeralPorts(random) : null) as EphemeralPorts;
  }

  // ---------------------------------------------------------------------------------------------
  // Configuration
  // ---------------------------------------------------------------------------------------------

  /** Adds an IPv4 address (with its prefix). Throws when `config.maxIpv4Addresses` are in use. */
  addIpv4Address(cidr: Ipv4Cidr): void {
    if (!ipv4IsUnicast(cidr.address)) throw new RangeError("an interface address must be unicast: " + cidr);
    if (this.ipv4Cidrs.length >= this.config.maxIpv4Addresses) throw new RangeError("no room for another IPv4 address (config.maxIpv4Addresses = " + this.config.maxIpv4Addresses + ")");
    this.ipv4Cidrs.push(new Ipv4Cidr(cidr.address, cidr.prefixLen));
  }

  /** Adds an IPv6 address (with its prefix). Throws when `config.maxIpv6Addresses` are in use. */
  addIpv6Address(cidr: Ipv6Cidr): void {
    if (!cidr.address.isUnicast()) throw new RangeError("an interface address must be unicast: " + cidr);
    if (this.ipv6Cidrs.length >= this.config.maxIpv6Addresses) throw new RangeError("no room for another IPv6 address (config.maxIpv6Addresses = " + this.config.maxIpv6Addresses + ")");
    this.ipv6Cidrs.push(new Ipv6Cidr(cidr.address, cidr.prefixLen));
  }

  /** Removes every address. */
  clearAddresses(): void {
    this.ipv4Cidrs.length = 0;
    this.ipv6Cidrs.length = 0;
  }

  /** The configured IPv4 addresses (copies). */
  ipv4Addresses(): Ipv4Cidr[] {
    return this.ipv4Cidrs.map((c) => new Ipv4Cidr(c.address, c.prefixLen));
  }

  /** The configured IPv6 addresses (copies). */
  ipv6Addresses(): Ipv6Cidr[] {
    return this.ipv6Cidrs.map((c) => new Ipv6Cidr(c.address, c.prefixLen));
  }

  /** Whether `addr` is one of our unicast addresses. */
  hasIpAddress(addr: IpAddress): boolean {
    return addr.version === IpVersion.Ipv4 ? this.hasIpv4(addr.v4) : addr.version === IpVersion.Ipv6 ? this.hasIpv6(addr.v6) : false;
  }

  /**
   * Joins an IPv4 multicast group: frames to it are accepted and an IGMPv2 report is sent on the
   * next poll. Returns false if already joined. Throws when `config.multicastGroups` are joined.
   */
  joinMulticastGroup(group: number): boolean {
    if (!ipv4IsMulticast(group)) throw new RangeError("not a multicast group: " + ipv4Format(group));
    if (this.groupIndex(group) >= 0) return false;
    if (this.groupCount >= this.groups.length) throw new RangeError("no room for another multicast group (config.multicastGroups = " + this.groups.length + ")");
    this.groups[this.groupCount] = group;
    this.groupPending[this.groupCount] = group === IPV4_MULTICAST_ALL_SYSTEMS ? 0 : 1;
    this.groupCount++;
    return true;
  }

  /** Leaves a group; an IGMPv2 leave is sent on the next poll. Returns false if not joined. */
  leaveMulticastGroup(group: number): boolean {
    const i = this.groupIndex(group);
    if (i < 0) return false;
    this.groupCount--;
    this.groups[i] = this.groups[this.groupCount];
    this.groupPending[i] = this.groupPending[this.groupCount];
    if (group !== IPV4_MULTICAST_ALL_SYSTEMS && this.leaveCount < this.leaveAddrs.length) this.leaveAddrs[this.leaveCount++] = group;
    return true;
  }

  /**
   * Copies the IPv4 groups joined (int32 addresses, 224.0.0.1 not included) into `out` and
   * returns how many there are (at most `out.length` are copied). A driver with a multicast
   * filter, such as the ENC28J60's hash table, is kept in step with this after a join or leave.
   */
  multicastGroups(out: Int32Array): number {
    let n = 0;
    for (let i = 0; i < this.groupCount; i++) {
      if (this.groups[i] === IPV4_MULTICAST_ALL_SYSTEMS) continue;
      if (n < out.length) out[n] = this.groups[i];
      n++;
    }
    return n;
  }

  /** Whether the interface has joined `group`. */
  hasMulticastGroup(group: number): boolean {
    return group === IPV4_MULTICAST_ALL_SYSTEMS || this.groupIndex(group) >= 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Polling
  // ---------------------------------------------------------------------------------------------

  /**
   * Receives and processes what the device has (at most `maxIngressPerPoll` frames), then lets
   * every socket send what it can. Returns whether anything was received or sent. Never throws
   * because of what arrived on the wire.
   */
  poll(now: Instant, device: Device, sockets: SocketSet): boolean {
    let changed = false;
    this.lastNow = now;
    this.lastIpMtu = device.capabilities.ipMtu();
    this.lastSockets = sockets;
    // Free stale entries, so none lingers until the wrapping clock makes it look fresh again.
    this.neighbors.expire(now);
    this.routes.expire(now);
    for (let i = 0; i < this.maxIngressPerPoll; i++) {
      const len = device.receive(now);
      if (len === 0) break;
      changed = true;
      const drop = this.processEthernet(now, device, sockets, device.rxBytes, device.rxView, device.rxOffset, len);
      this.stats.count(drop);
      if (LOG && drop !== RxDrop.None && logEnabled(LogLevel.Debug)) netDebug("iface: dropped a frame: reason " + drop);
    }
    const txBefore = this.stats.txFrames;
    this.egress(now, device, sockets);
    // Anything transmitted counts, neighbor requests included: on a loopback the answer is
    // already waiting in the device.
    return changed || this.stats.txFrames !== txBefore;
  }

  /**
   * Milliseconds until `poll` must run again (0: now), or -1 when only a received frame can
   * give it work. Calling `poll` earlier is harmless; later delays timers.
   */
  pollDelay(now: Instant, sockets: SocketSet): number {
    let best = POLL_INGRESS;
    if (PROTO_IPV4) {
      if (this.leaveCount > 0) return 0;
      for (let i = 0; i < this.groupCount; i++) if (this.groupPending[i] !== 0) return 0;
      if (this.igmpPending !== IgmpPending.None) best = durationUntil(now, this.igmpTimeout);
    }
    const slots = sockets.slots;
    for (let i = 0; i < sockets.capacity; i++) {
      const s = slots[i];
      if (s === null) continue;
      const d = s.meta.pollDelay(now, this.socketPollDelay(now, s.kind, s), s.meta.waiting && this.neighbors.has(s.meta.neighbor, now));
      if (d >= 0 && (best < 0 || d < best)) best = d;
      if (best === 0) return 0;
    }
    return best;
  }

  /** The instant `poll` should run next: `now + pollDelay`, or `now + 2^30` ms when idle. */
  pollAt(now: Instant, sockets: SocketSet): Instant {
    const d = this.pollDelay(now, sockets);
    return instantAdd(now, d < 0 ? 0x40000000 : d);
  }

  private socketPollDelay(now: Instant, kind: SocketKind, s: unknown): number {
    if (SOCKET_UDP && kind === SocketKind.Udp) return (s as UdpSocket).pollDelay(now);
    if (SOCKET_ICMP && kind === SocketKind.Icmp) return (s as IcmpSocket).pollDelay(now);
    if (SOCKET_RAW && kind === SocketKind.Raw) return (s as RawSocket).pollDelay(now);
    if (SOCKET_TCP && kind === SocketKind.Tcp) return (s as TcpSocket).pollDelay(now);
    return POLL_INGRESS;
  }

  // ---------------------------------------------------------------------------------------------
  // Ingress
  // ---------------------------------------------------------------------------------------------

  private processEthernet(now: Instant, device: Device, sockets: SocketSet, bytes: Uint8Array, dv: DataView, off: number, len: number): RxDrop {
    const frame = this.eth.reset(bytes, dv, off, len);
    const eth = this.ethRepr;
    if (eth.parse(frame) !== WireError.Ok) return RxDrop.Malformed;
    const dst = eth.dstAddr;
    if (!dst.equals(this.hardwareAddr) && !dst.isBroadcast() && !(dst.isMulticast() && this.acceptsMulticastMac(dst))) return RxDrop.NotForUs;
    const p = frame.payloadOffset();
    const n = frame.payloadLen();
    switch (eth.etherType) {
      case EtherType.Arp:
        return PROTO_IPV4 ? this.processArp(now, device, bytes, dv, p, n) : RxDrop.UnknownEtherType;
      case EtherType.Ipv4:
        return PROTO_IPV4 ? this.processIpv4(now, device, sockets, bytes, dv, p, n) : RxDrop.UnknownEtherType;
      case EtherType.Ipv6:
        return PROTO_IPV6 ? this.processIpv6(now, device, sockets, bytes, dv, p, n) : RxDrop.UnknownEtherType;
      default:
        return RxDrop.UnknownEtherType;
    }
  }

  /** Whether a multicast MAC address belongs to a group we listen to. */
  private acceptsMulticastMac(mac: EthernetAddress): boolean {
    if (PROTO_IPV4 && mac.hi === 0x0100 && (mac.lo >>> 23) === (0x5e000000 >>> 23)) {
      const low = mac.lo & 0x007fffff;
      if (low === (IPV4_MULTICAST_ALL_SYSTEMS & 0x007fffff)) return true;
      for (let i = 0; i < this.groupCount; i++) if ((this.groups[i] & 0x007fffff) === low) return true;
      return false;
    }
    if (PROTO_IPV6 && mac.hi === 0x3333) {
      if (mac.lo === 1) return true; // ff02::1, all nodes
      for (let i = 0; i < this.ipv6Cidrs.length; i++) {
        // The solicited-node group ff02::1:ffXX:XXXX maps to 33-33-ff-XX-XX-XX.
        if (mac.lo === ((0xff000000 | (this.ipv6Cidrs[i].address.w3 & 0x00ffffff)) | 0)) return true;
      }
    }
    return false;
  }

  // ---- ARP ------------------------------------------------------------------------------------

  private processArp(now: Instant, device: Device, bytes: Uint8Array, dv: DataView, off: number, len: number): RxDrop {
    const r = this.arpRepr;
    const err = r.parse(this.arp.reset(bytes, dv, off, len));
    if (err !== WireError.Ok) return err === WireError.Unsupported ? RxDrop.Unsupported : RxDrop.Malformed;
    // ARP has no checksum: a sender hardware address that is not the frame's Ethernet source is
    // damaged or forged, and learning it would point the entry elsewhere for its whole lifetime
    // (a live entry is never re-pointed). Dropped, as switches' ARP inspection does (src-mac).
    if (!r.sourceHardwareAddr.equals(this.ethRepr.srcAddr)) return RxDrop.Refused;
    const sender = this.scratchAddr.setV4(r.sourceProtocolAddr);
    // RFC 826 "merge": a sender we already know is refreshed whatever the packet says (only when
    // it names the same hardware address: a live entry is never re-pointed, see `update`).
    const known = ipv4IsUnicast(r.sourceProtocolAddr) && r.sourceHardwareAddr.isUnicast() && this.neighbors.update(sender, r.sourceHardwareAddr, now);
    if (!this.hasIpv4(r.targetProtocolAddr)) return known ? RxDrop.None : RxDrop.NotForUs;
    if (!ipv4IsUnicast(r.sourceProtocolAddr) || !r.sourceHardwareAddr.isUnicast()) return RxDrop.Refused;
    if (r.operation === ArpOperation.Request) {
      // "If the target is us, add the sender to the table" (RFC 826), unless a live entry
      // holds another address for it (no re-pointing by a request), then answer.
      this.neighbors.learn(sender, r.sourceHardwareAddr, now);
      this.sendArpReply(now, device, r);
      return RxDrop.None;
    }
    // A reply: accepted only for an address we asked about, so nobody can plant an entry.
    if (known || this.neighbors.wasRequested(sender, now)) {
      this.neighbors.fill(sender, r.sourceHardwareAddr, now);
      if (LOG && logEnabled(LogLevel.Trace)) netTrace("iface: neighbor " + ipv4Format(r.sourceProtocolAddr) + " is at " + r.sourceHardwareAddr);
      return RxDrop.None;
    }
    return RxDrop.Refused;
  }

  private sendArpReply(now: Instant, device: Device, req: ArpRepr): void {
    const total = ETHERNET_HEADER_LEN + ARP_ETHERNET_IPV4_LEN;
    const off = this.begin(now, device, total);
    if (off < 0) return;
    // Reuse the request's repr as the reply: swap the roles.
    const targetIp = req.targetProtocolAddr;
    req.operation = ArpOperation.Reply;
    req.targetHardwareAddr.copyFrom(req.sourceHardwareAddr);
    req.targetProtocolAddr = req.sourceProtocolAddr;
    req.sourceHardwareAddr.copyFrom(this.hardwareAddr);
    req.sourceProtocolAddr = targetIp;
    this.writeEthernet(device, off, req.targetHardwareAddr, EtherType.Arp);
    req.emit(this.arp.reset(device.txBytes, device.txView, off + ETHERNET_HEADER_LEN, ARP_ETHERNET_IPV4_LEN));
    this.commit(device, total);
  }

  private sendArpRequest(now: Instant, device: Device, target: number, src: number): void {
    const total = ETHERNET_HEADER_LEN + ARP_ETHERNET_IPV4_LEN;
    const off = this.begin(now, device, total);
    if (off < 0) return;
    const r = this.arpRepr;
    r.operation = ArpOperation.Request;
    r.sourceHardwareAddr.copyFrom(this.hardwareAddr);
    r.sourceProtocolAddr = src;
    r.targetHardwareAddr.set(0, 0);
    r.targetProtocolAddr = target;
    this.writeEthernet(device, off, ETHERNET_BROADCAST, EtherType.Arp);
    r.emit(this.arp.reset(device.txBytes, device.txView, off + ETHERNET_HEADER_LEN, ARP_ETHERNET_IPV4_LEN));
    this.commit(device, total);
    this.stats.txNeighborRequests++;
  }

  // ---- IPv4 -----------------------------------------------------------------------------------

  private processIpv4(now: Instant, device: Device, sockets: SocketSet, bytes: Uint8Array, dv: DataView, off: number, len: number): RxDrop {
    const packet = this.ipv4.reset(bytes, dv, off, len);
    const r = this.ipv4Repr;
    const err = r.parse(packet, device.capabilities.checksum);
    if (err !== WireError.Ok) return err === WireError.Checksum ? RxDrop.Checksum : RxDrop.Malformed;
    const dst = r.dstAddr;
    const forUs = this.hasIpv4(dst) || dst === -1 || this.isDirectedBroadcast(dst) || (ipv4IsMulticast(dst) && this.hasMulticastGroup(dst));
    if (!forUs) return RxDrop.NotForUs;
    if (r.isFragment()) return RxDrop.Fragment;
    const p = packet.payloadOffset();
    const n = packet.payloadLen();
    const ip = this.rxIp.setV4(r.srcAddr, dst, r.nextHeader, n, r.hopLimit);
    const raw = SOCKET_RAW && this.deliverRaw(now, sockets, ip, bytes, off, packet.totalLen());
    switch (r.nextHeader) {
      case IpProtocol.Icmp:
        return this.processIcmpv4(now, device, sockets, ip, bytes, dv, p, n, raw);
      case IpProtocol.Igmp:
        return this.processIgmp(now, bytes, dv, p, n, device.capabilities.checksum);
      case IpProtocol.Udp:
        if (SOCKET_UDP) return this.processUdp(now, device, sockets, ip, bytes, dv, p, n, off, raw);
        break;
      case IpProtocol.Tcp:
        if (SOCKET_TCP) return this.processTcp(now, device, sockets, ip, bytes, dv, p, n, raw);
        break;
    }
    if (raw) return RxDrop.None;
    // RFC 1122 §3.2.2.1: a host SHOULD generate Destination Unreachable messages with code 2
    // (Protocol Unreachable) when the designated transport protocol is not supported.
    if (this.mayAnswerWithError(ip)) this.sendIcmpv4Error(now, device, Icmpv4Message.DstUnreachable, 2, 0, bytes, off, packet.totalLen());
    return RxDrop.UnknownProtocol;
  }

  private processIcmpv4(now: Instant, device: Device, sockets: SocketSet, ip: IpRepr, bytes: Uint8Array, dv: DataView, off: number, len: number, raw: boolean): RxDrop {
    const r = this.icmpv4Repr;
    const err = r.parse(this.icmpv4.reset(bytes, dv, off, len), device.capabilities.checksum);
    if (err !== WireError.Ok) return err === WireError.Checksum ? RxDrop.Checksum : err === WireError.Unsupported ? (raw ? RxDrop.None : RxDrop.Unsupported) : RxDrop.Malformed;
    let handled = raw;
    this.icmpSocketFull = false;
    if (SOCKET_ICMP) handled = this.deliverIcmp(now, sockets, ip, bytes, off, len) || handled;
    if (SOCKET_TCP && r.msgType === Icmpv4Message.DstUnreachable && r.quoted.nextHeader === IpProtocol.Tcp) {
      // RFC 1191: code 4 (fragmentation needed) carries the next-hop MTU; 0 from an old router.
      const frag = r.msgCode === 4;
      const mss = frag ? (r.nextHopMtu > 0 ? r.nextHopMtu - 40 : TCP_MIN_PATH_MSS_V4) : 0;
      const q = this.rxQuoted.setV4(r.quoted.srcAddr, r.quoted.dstAddr, IpProtocol.Tcp, 0, 0);
      handled = this.deliverTcpIcmpError(now, sockets, q, frag ? TcpIcmpError.PacketTooBig : TcpIcmpError.Unreachable, bytes, r.quotedDataOffset, r.quotedDataLen, mss, TCP_MIN_PATH_MSS_V4) || handled;
    }
    if (r.msgType === Icmpv4Message.EchoRequest) {
      if (!this.answerEchoRequests || !this.hasIpv4(ip.dstAddr.v4)) return handled ? RxDrop.None : RxDrop.Refused;
      this.sendEchoReplyV4(now, device, ip, r, bytes);
      return RxDrop.None;
    }
    return handled ? RxDrop.None : this.icmpSocketFull ? RxDrop.SocketFull : RxDrop.NoSocket;
  }

  private sendEchoReplyV4(now: Instant, device: Device, ip: IpRepr, req: Icmpv4Repr, rxBytes: Uint8Array): void {
    const icmpLen = 8 + req.dataLen;
    const total = ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + icmpLen;
    const off = this.begin(now, device, total);
    if (off < 0) return;
    const icmpOff = off + ETHERNET_HEADER_LEN + IPV4_HEADER_LEN;
    copyBytes(device.txBytes, icmpOff + 8, rxBytes, req.dataOffset, req.dataLen);
    req.msgType = Icmpv4Message.EchoReply;
    req.emit(this.icmpv4.reset(device.txBytes, device.txView, icmpOff, icmpLen), device.capabilities.checksum);
    const tx = this.txIp.setV4(ip.dstAddr.v4, ip.srcAddr.v4, IpProtocol.Icmp, icmpLen, this.hopLimit);
    this.writeIp(device, off, tx);
    this.writeEthernet(device, off, this.ethRepr.srcAddr, EtherType.Ipv4);
    this.commit(device, total);
    this.stats.txEchoReplies++;
  }

  /**
   * Sends an ICMPv4 error about the packet of `len` octets at `off` in `rxBytes` (its IP header
   * first), back to the frame's sender.
   */
  private sendIcmpv4Error(now: Instant, device: Device, type: number, code: number, param: number, rxBytes: Uint8Array, off: number, len: number): void {
    const quote = len < ICMPV4_ERROR_MAX_LEN - 8 ? len : ICMPV4_ERROR_MAX_LEN - 8;
    const icmpLen = 8 + quote;
    const total = ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + icmpLen;
    const txOff = this.begin(now, device, total);
    if (txOff < 0) return;
    const icmpOff = txOff + ETHERNET_HEADER_LEN + IPV4_HEADER_LEN;
    copyBytes(device.txBytes, icmpOff + 8, rxBytes, off, quote);
    const r = this.icmpv4Repr;
    if (type === Icmpv4Message.DstUnreachable) r.dstUnreachable(code, quote, param);
    else if (type === Icmpv4Message.ParamProblem) r.paramProblem(code, param, quote);
    else r.timeExceeded(code, quote);
    r.emit(this.icmpv4.reset(device.txBytes, device.txView, icmpOff, icmpLen), device.capabilities.checksum);
    const rx = this.rxIp;
    const tx = this.txIp.setV4(rx.dstAddr.v4, rx.srcAddr.v4, IpProtocol.Icmp, icmpLen, this.hopLimit);
    if (!this.hasIpv4(tx.srcAddr.v4)) tx.srcAddr.setV4(this.selectIpv4Source(rx.srcAddr.v4));
    this.writeIp(device, txOff, tx);
    this.writeEthernet(device, txOff, this.ethRepr.srcAddr, EtherType.Ipv4);
    this.commit(device, total);
    this.stats.txIcmpErrors++;
  }

  /**
   * RFC 1122 §3.2.2 / RFC 4443 §2.4 (e): never an ICMP error about an ICMP error, nor about a
   * packet to a broadcast or multicast address, nor from a source that is not a unicast address.
   */
  private mayAnswerWithError(ip: IpRepr): boolean {
    if (!ip.srcAddr.isUnicast() || !ip.dstAddr.isUnicast()) return false;
    if (ip.version === IpVersion.Ipv4 && this.isDirectedBroadcast(ip.dstAddr.v4)) return false;
    return true;
  }

  // ---- IGMP -----------------------------------------------------------------------------------

  private processIgmp(now: Instant, bytes: Uint8Array, dv: DataView, off: number, len: number, caps: ChecksumCapabilities): RxDrop {
    const r = this.igmpRepr;
    const err = r.parse(this.igmp.reset(bytes, dv, off, len), caps);
    if (err !== WireError.Ok) return err === WireError.Checksum ? RxDrop.Checksum : err === WireError.Unsupported ? RxDrop.Unsupported : RxDrop.Malformed;
    if (r.message === IgmpMessage.MembershipQuery) {
      // Max response time is in tenths of a second (RFC 2236 §2.2).
      const maxResp = r.maxRespTime * 100;
      if (r.groupAddr === 0) {
        if (this.groupCount === 0) return RxDrop.None;
        // RFC 2236 §3: answer each group after a delay within the maximum response time; the
        // reports are spread evenly over it, one group per interval.
        this.igmpPending = IgmpPending.General;
        this.igmpVersion = r.version;
        this.igmpNextIndex = 0;
        this.igmpInterval = (maxResp / (this.groupCount + 1)) | 0;
        this.igmpTimeout = instantAdd(now, this.igmpInterval);
        return RxDrop.None;
      }
      if (!this.hasMulticastGroup(r.groupAddr)) return RxDrop.NotForUs;
      this.igmpPending = IgmpPending.Specific;
      this.igmpVersion = r.version;
      this.igmpGroup = r.groupAddr;
      this.igmpTimeout = instantAdd(now, (maxResp / 4) | 0);
      return RxDrop.None;
    }
    // Another member's report (RFC 2236 §3: it suppresses ours) or a leave (for routers).
    if (this.igmpPending === IgmpPending.Specific && r.groupAddr === this.igmpGroup && r.message !== IgmpMessage.LeaveGroup) {
      this.igmpPending = IgmpPending.None;
    }
    return RxDrop.None;
  }

  /** Sends the IGMP messages that are due. Returns whether one was sent; false also when the device was full. */
  private egressIgmp(now: Instant, device: Device): boolean {
    let sent = false;
    while (this.leaveCount > 0) {
      const group = this.leaveAddrs[this.leaveCount - 1];
      if (!this.sendIgmp(now, device, IgmpMessage.LeaveGroup, group, IPV4_MULTICAST_ALL_ROUTERS, 2)) return sent;
      this.leaveCount--;
      sent = true;
    }
    for (let i = 0; i < this.groupCount; i++) {
      if (this.groupPending[i] === 0) continue;
      if (!this.sendIgmp(now, device, IgmpMessage.MembershipReportV2, this.groups[i], this.groups[i], 2)) return sent;
      this.groupPending[i] = 0;
      sent = true;
    }
    if (this.igmpPending !== IgmpPending.None && instantReached(now, this.igmpTimeout)) {
      if (this.igmpPending === IgmpPending.Specific) {
        const v1 = this.igmpVersion === 1;
        if (!this.sendIgmp(now, device, v1 ? IgmpMessage.MembershipReportV1 : IgmpMessage.MembershipReportV2, this.igmpGroup, this.igmpGroup, this.igmpVersion)) return sent;
        this.igmpPending = IgmpPending.None;
        return true;
      }
      while (this.igmpNextIndex < this.groupCount && this.groups[this.igmpNextIndex] === IPV4_MULTICAST_ALL_SYSTEMS) this.igmpNextIndex++;
      if (this.igmpNextIndex >= this.groupCount) {
        this.igmpPending = IgmpPending.None;
        return sent;
      }
      const g = this.groups[this.igmpNextIndex];
      const v1 = this.igmpVersion === 1;
      if (!this.sendIgmp(now, device, v1 ? IgmpMessage.MembershipReportV1 : IgmpMessage.MembershipReportV2, g, g, this.igmpVersion)) return sent;
      this.igmpNextIndex++;
      this.igmpTimeout = instantAdd(now, this.igmpInterval);
      if (this.igmpNextIndex >= this.groupCount) this.igmpPending = IgmpPending.None;
      sent = true;
    }
    return sent;
  }

  private sendIgmp(now: Instant, device: Device, message: number, group: number, dst: number, version: number): boolean {
    if (this.ipv4Cidrs.length === 0) return true; // no source address yet: nothing to say
    const total = ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + 8;
    const off = this.begin(now, device, total);
    if (off < 0) return false;
    const r = this.igmpRepr;
    if (message === IgmpMessage.LeaveGroup) r.leave(group);
    else r.report(group, version === 1 ? 1 : 2);
    r.emit(this.igmp.reset(device.txBytes, device.txView, off + ETHERNET_HEADER_LEN + IPV4_HEADER_LEN, 8), device.capabilities.checksum);
    // RFC 2236 §2: IGMP messages are sent with a TTL of 1.
    this.writeIp(device, off, this.txIp.setV4(this.ipv4Cidrs[0].address, dst, IpProtocol.Igmp, 8, 1));
    this.writeEthernet(device, off, this.txMac.setIpv4Multicast(dst), EtherType.Ipv4);
    this.commit(device, total);
    this.stats.txIgmp++;
    return true;
  }

  // ---- IPv6 -----------------------------------------------------------------------------------

  private processIpv6(now: Instant, device: Device, sockets: SocketSet, bytes: Uint8Array, dv: DataView, off: number, len: number): RxDrop {
    const packet = this.ipv6.reset(bytes, dv, off, len);
    const r = this.ipv6Repr;
    const err = r.parse(packet);
    if (err !== WireError.Ok) return err === WireError.Unsupported ? RxDrop.Unsupported : RxDrop.Malformed;
    const dst = r.dstAddr;
    const forUs = this.hasIpv6(dst) || (dst.isMulticast() && this.hasIpv6Group(dst));
    if (!forUs) return RxDrop.NotForUs;
    const totalLen = 40 + r.payloadLen;
    const walker = this.walker.resetPacket(packet);
    while (walker.atExtensionHeader()) {
      const type = walker.nextHeader;
      const e = walker.step();
      if (e !== WireError.Ok) {
        if (walker.fragmentOffset >= 0) return RxDrop.Fragment;
        if (walker.problemCode >= 0) {
          this.rxIp.setV6(r.srcAddr, dst, walker.nextHeader, 0, r.hopLimit);
          if (this.mayAnswerWithError(this.rxIp)) this.sendIcmpv6Error(now, device, Icmpv6Message.ParamProblem, walker.problemCode, walker.problemPointer, bytes, off, totalLen);
          return walker.problemCode === 1 ? RxDrop.UnknownProtocol : RxDrop.Unsupported;
        }
        return e === WireError.Unsupported ? RxDrop.Unsupported : RxDrop.Malformed;
      }
      if (type === IpProtocol.HopByHop || type === IpProtocol.Ipv6Opts) {
        const h = this.hbhRepr;
        if (h.parse(this.extHeader.reset(bytes, dv, walker.headerOffset, walker.headerLen)) !== WireError.Ok) return RxDrop.Malformed;
        if (h.unrecognizedType >= 0) {
          // RFC 8200 §4.2: the two high-order bits of an unrecognized option's type say what to do.
          const action = h.unrecognizedType >>> 6;
          this.rxIp.setV6(r.srcAddr, dst, walker.nextHeader, 0, r.hopLimit);
          if (action === 2 || (action === 3 && !dst.isMulticast())) {
            if (r.srcAddr.isUnicast()) this.sendIcmpv6Error(now, device, Icmpv6Message.ParamProblem, 2, h.unrecognizedOffset - off, bytes, off, totalLen);
          }
          return RxDrop.Unsupported;
        }
      }
    }
    const p = walker.offset;
    const n = walker.remaining();
    const ip = this.rxIp.setV6(r.srcAddr, dst, walker.nextHeader, n, r.hopLimit);
    const raw = SOCKET_RAW && this.deliverRaw(now, sockets, ip, bytes, off, totalLen);
    switch (walker.nextHeader) {
      case IpProtocol.Icmpv6:
        return this.processIcmpv6(now, device, sockets, ip, bytes, dv, p, n, raw);
      case IpProtocol.Udp:
        if (SOCKET_UDP) return this.processUdp(now, device, sockets, ip, bytes, dv, p, n, off, raw);
        break;
      case IpProtocol.Tcp:
        if (SOCKET_TCP) return this.processTcp(now, device, sockets, ip, bytes, dv, p, n, raw);
        break;
      case IpProtocol.Ipv6NoNxt:
        return RxDrop.None;
    }
    if (raw) return RxDrop.None;
    // RFC 8200 §4: an unrecognized Next Header is answered with Parameter Problem code 1,
    // pointing at the field that holds it.
    if (this.mayAnswerWithError(ip)) this.sendIcmpv6Error(now, device, Icmpv6Message.ParamProblem, 1, walker.nextHeaderField - off, bytes, off, totalLen);
    return RxDrop.UnknownProtocol;
  }

  private processIcmpv6(now: Instant, device: Device, sockets: SocketSet, ip: IpRepr, bytes: Uint8Array, dv: DataView, off: number, len: number, raw: boolean): RxDrop {
    const packet = this.icmpv6.reset(bytes, dv, off, len);
    if (packet.check() !== WireError.Ok) return RxDrop.Malformed;
    const caps = device.capabilities.checksum;
    if (checksumRx(caps.icmpv6) && !packet.verifyChecksum(ip.srcAddr.v6, ip.dstAddr.v6)) return RxDrop.Checksum;
    const type = packet.msgType();
    if (icmpv6IsNdisc(type)) return this.processNdisc(now, device, ip, packet, raw);
    if (icmpv6IsMld(type)) return raw ? RxDrop.None : RxDrop.Unsupported;
    const r = this.icmpv6Repr;
    const err = r.parse(packet, ip.srcAddr.v6, ip.dstAddr.v6, this.noChecksums);
    if (err !== WireError.Ok) return err === WireError.Unsupported ? (raw ? RxDrop.None : RxDrop.Unsupported) : RxDrop.Malformed;
    let handled = raw;
    this.icmpSocketFull = false;
    if (SOCKET_ICMP) handled = this.deliverIcmp(now, sockets, ip, bytes, off, len) || handled;
    if (SOCKET_TCP && (r.msgType === Icmpv6Message.DstUnreachable || r.msgType === Icmpv6Message.PktTooBig) && r.quoted.nextHeader === IpProtocol.Tcp) {
      const big = r.msgType === Icmpv6Message.PktTooBig;
      const q = this.rxQuoted.setV6(r.quoted.srcAddr, r.quoted.dstAddr, IpProtocol.Tcp, 0, 0);
      handled = this.deliverTcpIcmpError(now, sockets, q, big ? TcpIcmpError.PacketTooBig : TcpIcmpError.Unreachable, bytes, r.quotedDataOffset, r.quotedDataLen, big ? r.mtu - 60 : 0, TCP_MIN_PATH_MSS_V6) || handled;
    }
    if (r.msgType === Icmpv6Message.EchoRequest) {
      if (!this.answerEchoRequests) return handled ? RxDrop.None : RxDrop.Refused;
      this.sendEchoReplyV6(now, device, ip, r, bytes);
      return RxDrop.None;
    }
    return handled ? RxDrop.None : this.icmpSocketFull ? RxDrop.SocketFull : RxDrop.NoSocket;
  }

  private readonly noChecksums = ChecksumCapabilities.ignored();

  private sendEchoReplyV6(now: Instant, device: Device, ip: IpRepr, req: Icmpv6Repr, rxBytes: Uint8Array): void {
    const icmpLen = 8 + req.dataLen;
    const total = ETHERNET_HEADER_LEN + 40 + icmpLen;
    const off = this.begin(now, device, total);
    if (off < 0) return;
    const tx = this.txIp.setV6(ip.dstAddr.v6, ip.srcAddr.v6, IpProtocol.Icmpv6, icmpLen, this.hopLimit);
    // A request to a multicast group is answered from one of our unicast addresses.
    if (!this.hasIpv6(tx.srcAddr.v6)) this.selectIpv6Source(ip.srcAddr.v6, tx.srcAddr.v6);
    const icmpOff = off + ETHERNET_HEADER_LEN + 40;
    copyBytes(device.txBytes, icmpOff + 8, rxBytes, req.dataOffset, req.dataLen);
    req.setEcho(Icmpv6Message.EchoReply, req.ident, req.seqNo, req.dataLen);
    req.emit(this.icmpv6.reset(device.txBytes, device.txView, icmpOff, icmpLen), tx.srcAddr.v6, tx.dstAddr.v6, device.capabilities.checksum);
    this.writeIp(device, off, tx);
    this.writeEthernet(device, off, this.ethRepr.srcAddr, EtherType.Ipv6);
    this.commit(device, total);
    this.stats.txEchoReplies++;
  }

  /** Sends an ICMPv6 error quoting the packet of `len` octets at `off` in `rxBytes`. */
  private sendIcmpv6Error(now: Instant, device: Device, type: number, code: number, param: number, rxBytes: Uint8Array, off: number, len: number): void {
    const quote = len < ICMPV6_ERROR_MAX_LEN - 8 ? len : ICMPV6_ERROR_MAX_LEN - 8;
    const icmpLen = 8 + quote;
    const total = ETHERNET_HEADER_LEN + 40 + icmpLen;
    const txOff = this.begin(now, device, total);
    if (txOff < 0) return;
    const rx = this.rxIp;
    const tx = this.txIp.setV6(rx.dstAddr.v6, rx.srcAddr.v6, IpProtocol.Icmpv6, icmpLen, this.hopLimit);
    if (!this.hasIpv6(tx.srcAddr.v6)) this.selectIpv6Source(rx.srcAddr.v6, tx.srcAddr.v6);
    const icmpOff = txOff + ETHERNET_HEADER_LEN + 40;
    copyBytes(device.txBytes, icmpOff + 8, rxBytes, off, quote);
    this.icmpv6Repr.setError(type, code, param, quote).emit(this.icmpv6.reset(device.txBytes, device.txView, icmpOff, icmpLen), tx.srcAddr.v6, tx.dstAddr.v6, device.capabilities.checksum);
    this.writeIp(device, txOff, tx);
    this.writeEthernet(device, txOff, this.ethRepr.srcAddr, EtherType.Ipv6);
    this.commit(device, total);
    this.stats.txIcmpErrors++;
  }

  // ---- NDISC ----------------------------------------------------------------------------------

  private processNdisc(now: Instant, device: Device, ip: IpRepr, packet: Icmpv6Packet, raw: boolean): RxDrop {
    // RFC 4861 §7.1.1: "The IP Hop Limit field has a value of 255", so the packet cannot have
    // been forwarded by a router.
    if (ip.hopLimit !== 255) return RxDrop.Refused;
    const r = this.ndiscRepr;
    const err = r.parse(packet, ip.srcAddr.v6, ip.dstAddr.v6, this.noChecksums);
    if (err !== WireError.Ok) return err === WireError.Unsupported ? RxDrop.Unsupported : RxDrop.Malformed;
    const src = this.scratchAddr.setV6(ip.srcAddr.v6);
    switch (r.msgType) {
      case Icmpv6Message.NeighborSolicit: {
        if (!this.hasIpv6(r.targetAddr)) return RxDrop.NotForUs;
        const dad = ip.srcAddr.v6.isUnspecified();
        if (!dad && r.hasSourceLla) this.neighbors.learn(src, r.sourceLla, now);
        this.sendNeighborAdvert(now, device, r.targetAddr, ip.srcAddr.v6, dad ? null : r.hasSourceLla ? r.sourceLla : this.ethRepr.srcAddr);
        return RxDrop.None;
      }
      case Icmpv6Message.NeighborAdvert: {
        if (!r.hasTargetLla) return RxDrop.None;
        const target = this.scratchAddr.setV6(r.targetAddr);
        // Solicited advertisements answer a solicitation of ours; anything else only refreshes
        // an entry we have (RFC 4861 §7.2.5), so the cache cannot be planted.
        if (this.neighbors.update(target, r.targetLla, now)) return RxDrop.None;
        if ((r.neighborFlags & 0x40) !== 0 && this.neighbors.wasRequested(target, now)) {
          this.neighbors.fill(target, r.targetLla, now);
          return RxDrop.None;
        }
        return RxDrop.Refused;
      }
      default:
        // Router solicitations, advertisements and redirects: this host configures its addresses
        // and routes itself (no SLAAC, no redirects).
        return raw ? RxDrop.None : RxDrop.Unsupported;
    }
  }

  /** Answers a neighbor solicitation for `target` from `to` (unspecified: DAD, answer all nodes). */
  private sendNeighborAdvert(now: Instant, device: Device, target: Ipv6Address, to: Ipv6Address, toMac: EthernetAddress | null): void {
    const r = this.ndiscRepr;
    const dad = to.isUnspecified();
    // RFC 4861 §7.2.4: Solicited set unless answering DAD; Override set; our link-layer address.
    r.setNeighborAdvert(dad ? 0x20 : 0x60, target, this.hardwareAddr);
    const len = r.bufferLen();
    const total = ETHERNET_HEADER_LEN + 40 + len;
    const off = this.begin(now, device, total);
    if (off < 0) return;
    const dst = dad ? this.scratchV6.set(0xff020000 | 0, 0, 0, 1) : this.scratchV6.copyFrom(to);
    const tx = this.txIp.setV6(target, dst, IpProtocol.Icmpv6, len, 255);
    r.emit(this.icmpv6.reset(device.txBytes, device.txView, off + ETHERNET_HEADER_LEN + 40, len), tx.srcAddr.v6, tx.dstAddr.v6, device.capabilities.checksum);
    this.writeIp(device, off, tx);
    this.writeEthernet(device, off, toMac === null ? this.txMac.setIpv6Multicast(dst) : toMac, EtherType.Ipv6);
    this.commit(device, total);
  }

  private sendNeighborSolicit(now: Instant, device: Device, target: Ipv6Address): void {
    const r = this.ndiscRepr;
    r.setNeighborSolicit(target, this.hardwareAddr);
    const len = r.bufferLen();
    const total = ETHERNET_HEADER_LEN + 40 + len;
    const off = this.begin(now, device, total);
    if (off < 0) return;
    const dst = target.solicitedNode(this.scratchV6);
    const tx = this.txIp.setV6(target, dst, IpProtocol.Icmpv6, len, 255);
    this.selectIpv6Source(target, tx.srcAddr.v6);
    r.emit(this.icmpv6.reset(device.txBytes, device.txView, off + ETHERNET_HEADER_LEN + 40, len), tx.srcAddr.v6, tx.dstAddr.v6, device.capabilities.checksum);
    this.writeIp(device, off, tx);
    this.writeEthernet(device, off, this.txMac.setIpv6Multicast(dst), EtherType.Ipv6);
    this.commit(device, total);
    this.stats.txNeighborRequests++;
  }

  // ---- UDP ------------------------------------------------------------------------------------

  private processUdp(now: Instant, device: Device, sockets: SocketSet, ip: IpRepr, bytes: Uint8Array, dv: DataView, off: number, len: number, ipOff: number, raw: boolean): RxDrop {
    const packet = this.udp.reset(bytes, dv, off, len);
    const r = this.udpRepr;
    const err = r.parse(packet, ip.pseudoSum(), ip.version === IpVersion.Ipv6, device.capabilities.checksum);
    if (err !== WireError.Ok) return err === WireError.Checksum ? RxDrop.Checksum : RxDrop.Malformed;
    const slots = sockets.slots;
    for (let i = 0; i < sockets.capacity; i++) {
      const s = slots[i];
      if (s === null || s.kind !== SocketKind.Udp) continue;
      const u = s as UdpSocket;
      if (!u.accepts(ip, r)) continue;
      return u.process(now, ip, r, bytes, r.payloadOffset, r.payloadLen) ? RxDrop.None : RxDrop.SocketFull;
    }
    if (raw) return RxDrop.None;
    // No socket: RFC 1122 §4.1.3.1 "If a datagram arrives addressed to a UDP port for which there
    // is no pending LISTEN call, UDP SHOULD send an ICMP Port Unreachable message."
    if (this.mayAnswerWithError(ip)) {
      const ipLen = off - ipOff + len;
      if (ip.version === IpVersion.Ipv4) this.sendIcmpv4Error(now, device, Icmpv4Message.DstUnreachable, 3, 0, bytes, ipOff, ipLen);
      else this.sendIcmpv6Error(now, device, Icmpv6Message.DstUnreachable, 4, 0, bytes, ipOff, ipLen);
    }
    return RxDrop.NoSocket;
  }

  // ---- Sockets that take copies ---------------------------------------------------------------

  private deliverRaw(now: Instant, sockets: SocketSet, ip: IpRepr, bytes: Uint8Array, off: number, len: number): boolean {
    let handled = false;
    const slots = sockets.slots;
    for (let i = 0; i < sockets.capacity; i++) {
      const s = slots[i];
      if (s === null || s.kind !== SocketKind.Raw) continue;
      const raw = s as RawSocket;
      if (!raw.accepts(ip)) continue;
      raw.process(now, ip, bytes, off, len);
      handled = true;
    }
    return handled;
  }

  private deliverIcmp(now: Instant, sockets: SocketSet, ip: IpRepr, bytes: Uint8Array, off: number, len: number): boolean {
    let handled = false;
    const slots = sockets.slots;
    for (let i = 0; i < sockets.capacity; i++) {
      const s = slots[i];
      if (s === null || s.kind !== SocketKind.Icmp) continue;
      const icmp = s as IcmpSocket;
      if (!icmp.accepts(ip, bytes, off, len)) continue;
      if (icmp.process(now, ip, bytes, off, len)) handled = true;
      else this.icmpSocketFull = true;
    }
    return handled;
  }

  /** Set by `deliverIcmp` when a socket that wanted the message had no room for it. */
  private icmpSocketFull = false;

  // ---- TCP ------------------------------------------------------------------------------------

  /**
   * Offers a segment to the TCP sockets: first to the connection with its exact 4-tuple, then to
   * the first socket listening on its port (several listening sockets form a backlog; one that
   * left LISTEN takes no new SYN). A segment nobody takes is answered with a RST (RFC 9293
   * §3.10.7.1), except a SYN to a port whose listeners are all busy, which is dropped so the
   * client tries again (the backlog is full; nothing grows).
   */
  private processTcp(now: Instant, device: Device, sockets: SocketSet, ip: IpRepr, bytes: Uint8Array, dv: DataView, off: number, len: number, raw: boolean): RxDrop {
    const packet = this.tcp.reset(bytes, dv, off, len);
    const r = this.tcpRepr;
    const err = r.parse(packet, ip.pseudoSum(), device.capabilities.checksum);
    if (err !== WireError.Ok) return err === WireError.Checksum ? RxDrop.Checksum : RxDrop.Malformed;
    // RFC 1122 §4.2.3.10: a segment to a broadcast or multicast address is silently discarded.
    if (!ip.dstAddr.isUnicast() || !ip.srcAddr.isUnicast() || (ip.version === IpVersion.Ipv4 && this.isDirectedBroadcast(ip.dstAddr.v4))) {
      return raw ? RxDrop.None : RxDrop.Refused;
    }
    const mss = this.linkMss(device.capabilities.ipMtu(), ip.version);
    const slots = sockets.slots;
    let target: TcpSocket | null = null;
    let busyListener = false;
    for (let i = 0; i < sockets.capacity; i++) {
      const s = slots[i];
      if (s === null || s.kind !== SocketKind.Tcp) continue;
      const t = s as TcpSocket;
      if (t.state === TcpState.Listen || !t.accepts(ip, r)) continue;
      target = t;
      break;
    }
    if (target === null) {
      for (let i = 0; i < sockets.capacity; i++) {
        const s = slots[i];
        if (s === null || s.kind !== SocketKind.Tcp) continue;
        const t = s as TcpSocket;
        if (t.state !== TcpState.Listen) {
          // A socket that took a connection on this port: its listener is busy (see below).
          if (t.state !== TcpState.Closed && t.local.port === r.dstPort) busyListener = true;
          continue;
        }
        if (!t.accepts(ip, r)) continue;
        target = t;
        break;
      }
    }
    const reply = this.tcpReply;
    if (target !== null) {
      target.linkMss = mss;
      // A listener opened without a context still draws RFC 6528 initial sequence numbers from
      // this interface, never the fixed `listenIsn` that socket-level tests use.
      if (target.context === null && target.isnGenerator === null) target.context = this;
      if (target.process(now, ip, r, bytes, r.payloadOffset, r.payloadLen, reply)) this.sendTcpReply(now, device, ip, reply);
      // An urgent ACK (RFC 5681 §4.2: an out-of-order or duplicate segment is answered with an
      // immediate duplicate ACK) goes out now, not after the rest of this poll's frames:
      // otherwise the duplicate ACKs of one batch would merge into one and fast retransmit never
      // fire. Whatever data the socket may send now leaves with it. Everything else, the ACK of
      // every second full-sized segment (RFC 9293 §3.8.6.3) and the data an ACK lets out
      // included, leaves in `egress` at the end of this poll, at the same instant: one ACK then
      // covers the whole batch (as smoltcp's `poll`), which halves the frames of a bulk transfer.
      if (target.ackUrgent) this.egressTcp(now, device, target);
      return RxDrop.None;
    }
    if (raw) return RxDrop.None;
    if (r.control === TcpControl.Rst) return RxDrop.NoSocket;
    // The backlog is full: every socket that listened on this port holds a connection. The SYN
    // is dropped, not reset, so the client tries again. (Any socket using the port counts, so an
    // active connection that happens to use a port nobody listens on also makes its SYNs drop;
    // the client then times out instead of being refused.)
    if (busyListener && r.control === TcpControl.Syn && !r.hasAck) return RxDrop.SocketFull;
    // RFC 9293 §3.10.7.1: nothing listens here.
    reply.resetFor(r);
    this.sendTcpReply(now, device, ip, reply);
    this.stats.txTcpResets++;
    return RxDrop.NoSocket;
  }

  /** Sends `reply` (no data) back to the sender of the segment whose IP header is `ip`, to the frame's source MAC. */
  private sendTcpReply(now: Instant, device: Device, ip: IpRepr, reply: TcpRepr): void {
    const tcpLen = reply.headerLen();
    const ipHl = ip.version === IpVersion.Ipv4 ? IPV4_HEADER_LEN : 40;
    const total = ETHERNET_HEADER_LEN + ipHl + tcpLen;
    const off = this.begin(now, device, total);
    if (off < 0) return;
    const tx = this.txIp;
    tx.version = ip.version;
    tx.srcAddr.copyFrom(ip.dstAddr);
    tx.dstAddr.copyFrom(ip.srcAddr);
    tx.nextHeader = IpProtocol.Tcp;
    tx.payloadLen = tcpLen;
    tx.hopLimit = this.hopLimit;
    reply.emit(this.tcp.reset(device.txBytes, device.txView, off + ETHERNET_HEADER_LEN + ipHl, tcpLen), 0, tx.pseudoSum(), device.capabilities.checksum);
    this.writeIp(device, off, tx);
    this.writeEthernet(device, off, this.ethRepr.srcAddr, ip.version === IpVersion.Ipv6 ? EtherType.Ipv6 : EtherType.Ipv4);
    this.commit(device, total);
  }

  /**
   * Hands an ICMP error that quotes a TCP segment (`q`: the quoted IP header, our segment's; the
   * quoted TCP header's first 8 octets at `off`) to the connection that sent it. The socket
   * accepts it only when the quoted sequence number is one it has in flight (RFC 5927 §4.1).
   */
  private deliverTcpIcmpError(now: Instant, sockets: SocketSet, q: IpRepr, kind: TcpIcmpError, bytes: Uint8Array, off: number, len: number, mss: number, minMss: number): boolean {
    if (len < 8) return false; // RFC 792 quotes at least 8 octets: the ports and the sequence number
    // The socket's view: the quoted segment went from us (q.src) to the peer (q.dst), so look up
    // the connection as if a segment had come back from the peer.
    const ip = this.rxIcmpTcpIp;
    ip.version = q.version;
    ip.srcAddr.copyFrom(q.dstAddr);
    ip.dstAddr.copyFrom(q.srcAddr);
    const t4 = this.icmpTcp;
    t4.srcPort = (bytes[off + 2] << 8) | bytes[off + 3];
    t4.dstPort = (bytes[off] << 8) | bytes[off + 1];
    const seq = (bytes[off + 4] << 24) | (bytes[off + 5] << 16) | (bytes[off + 6] << 8) | bytes[off + 7];
    if (mss < minMss) mss = minMss;
    const slots = sockets.slots;
    for (let i = 0; i < sockets.capacity; i++) {
      const s = slots[i];
      if (s === null || s.kind !== SocketKind.Tcp) continue;
      const t = s as TcpSocket;
      if (t.state === TcpState.Listen || !t.accepts(ip, t4)) continue;
      return t.icmpError(now, kind, seq, mss);
    }
    return false;
  }

  /** The quoted IP header of an ICMP error, and the reversed 4-tuple used to find its socket. */
  private readonly rxQuoted = new IpRepr();
  private readonly rxIcmpTcpIp = new IpRepr();
  private readonly icmpTcp = (SOCKET_TCP ? new TcpRepr() : null) as TcpRepr;

  /** The largest TCP payload in one packet of `ipMtu` octets with an IP header of `version`. */
  private linkMss(ipMtu: number, version: IpVersion): number {
    return ipMtu - (version === IpVersion.Ipv4 ? IPV4_HEADER_LEN : 40) - TCP_HEADER_LEN;
  }

  // ---- TcpContext: what `TcpSocket.connect` asks of the interface ---------------------------

  tcpNow(): Instant {
    return this.lastNow;
  }

  tcpSourceAddress(remote: IpAddress, out: IpAddress): boolean {
    if (remote.version === IpVersion.Ipv4) {
      if (!PROTO_IPV4 || this.ipv4Cidrs.length === 0) return false;
      out.setV4(this.selectIpv4Source(remote.v4));
      return true;
    }
    if (remote.version !== IpVersion.Ipv6 || !PROTO_IPV6 || this.ipv6Cidrs.length === 0) return false;
    out.version = IpVersion.Ipv6;
    this.selectIpv6Source(remote.v6, out.v6);
    return true;
  }

  tcpEphemeralPort(): number {
    return this.ephemeralPorts.pick(this);
  }

  tcpInitialSeq(now: Instant, local: IpEndpoint, remote: IpEndpoint): number {
    return this.isn.generate(now, local, remote);
  }

  tcpLinkMss(remote: IpAddress): number {
    return this.linkMss(this.lastIpMtu, remote.version);
  }

  /** PortUsage: whether a TCP socket of the last polled set uses `port` locally. */
  portInUse(port: number): boolean {
    const set = this.lastSockets;
    if (set === null) return false;
    const slots = set.slots;
    for (let i = 0; i < set.capacity; i++) {
      const s = slots[i];
      if (s !== null && s.kind === SocketKind.Tcp && (s as TcpSocket).local.port === port && (s as TcpSocket).state !== TcpState.Closed) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Egress
  // ---------------------------------------------------------------------------------------------

  /** Sends the IGMP messages that are due, then what each socket has, until the device is full. */
  private egress(now: Instant, device: Device, sockets: SocketSet): void {
    if (PROTO_IPV4) this.egressIgmp(now, device);
    const slots = sockets.slots;
    for (let i = 0; i < sockets.capacity; i++) {
      const s = slots[i];
      if (s === null) continue;
      const kind = s.kind;
      if ((SOCKET_UDP && kind === SocketKind.Udp) || (SOCKET_ICMP && kind === SocketKind.Icmp) || (SOCKET_RAW && kind === SocketKind.Raw)) {
        if (this.egressDatagram(now, device, kind, s) < 0) return; // the device is full: try again on the next poll
      } else if (SOCKET_TCP && kind === SocketKind.Tcp) {
        if (this.egressTcp(now, device, s as TcpSocket) < 0) return;
      }
    }
  }

  /**
   * Completes `txIp` for a socket's packet (source address) and resolves its next hop into
   * `txMac`. On `Waiting` the socket's meta records the wait; on `NoRoute` nothing is recorded.
   */
  private route(now: Instant, device: Device, meta: SocketMeta): Resolve {
    const ip = this.txIp;
    if (ip.srcAddr.isUnspecified()) {
      if (ip.version === IpVersion.Ipv4) {
        if (this.ipv4Cidrs.length === 0) return Resolve.NoRoute;
        ip.srcAddr.setV4(this.selectIpv4Source(ip.dstAddr.v4));
      } else {
        if (this.ipv6Cidrs.length === 0) return Resolve.NoRoute;
        ip.srcAddr.version = IpVersion.Ipv6;
        this.selectIpv6Source(ip.dstAddr.v6, ip.srcAddr.v6);
      }
    }
    return this.resolve(now, device, ip.dstAddr, ip.srcAddr, meta);
  }

  private resolve(now: Instant, device: Device, dst: IpAddress, src: IpAddress, meta: SocketMeta): Resolve {
    if (dst.version === IpVersion.Ipv4) {
      const a = dst.v4;
      if (a === -1 || this.isDirectedBroadcast(a)) {
        this.txMac.copyFrom(ETHERNET_BROADCAST);
        return Resolve.Ok;
      }
      if (ipv4IsMulticast(a)) {
        this.txMac.setIpv4Multicast(a);
        return Resolve.Ok;
      }
    } else if (dst.version === IpVersion.Ipv6 && dst.v6.isMulticast()) {
      this.txMac.setIpv6Multicast(dst.v6);
      return Resolve.Ok;
    }
    const hop = this.hop;
    if (this.isOnLink(dst)) hop.copyFrom(dst);
    else if (!this.routes.lookup(dst, now, hop)) return Resolve.NoRoute;
    const mac = this.neighbors.lookup(hop, now);
    if (mac !== null) {
      this.txMac.copyFrom(mac);
      return Resolve.Ok;
    }
    if (this.neighbors.requestPermitted(hop, now)) {
      if (hop.version === IpVersion.Ipv4) this.sendArpRequest(now, device, hop.v4, src.v4);
      else this.sendNeighborSolicit(now, device, hop.v6);
    }
    meta.neighborMissing(now, hop, this.config.neighborRequestInterval);
    this.stats.txNeighborMissing++;
    return Resolve.Waiting;
  }

  /**
   * Sends what a datagram socket (UDP, ICMP, raw) has queued. Returns 1 if something was sent,
   * 0 if not, -1 if the device is full. The steps that differ by kind are the `switch`es: what
   * the socket describes (`dispatchPeek`), how its packet is routed (a raw socket's packet
   * carries its own source address), and what goes between the IP header and the payload.
   */
  private egressDatagram(now: Instant, device: Device, kind: SocketKind, s: Socket): number {
    let sent = 0;
    const meta = s.meta;
    const ip = this.txIp;
    for (;;) {
      if (!meta.egressPermitted(now, meta.waiting && this.neighbors.has(meta.neighbor, now))) return sent;
      let n = -1;
      if (SOCKET_UDP && kind === SocketKind.Udp) n = (s as UdpSocket).dispatchPeek(now, ip, this.txUdp);
      else if (SOCKET_ICMP && kind === SocketKind.Icmp) n = (s as IcmpSocket).dispatchPeek(now, ip);
      else if (SOCKET_RAW && kind === SocketKind.Raw) n = (s as RawSocket).dispatchPeek(now, ip);
      if (n < 0) return sent;
      if (ip.hopLimit <= 0) ip.hopLimit = this.hopLimit;
      const raw = kind === SocketKind.Raw;
      const res = raw ? this.resolve(now, device, ip.dstAddr, ip.srcAddr, meta) : this.route(now, device, meta);
      if (res === Resolve.Waiting) return sent;
      const d = s as DatagramSocket;
      if (res === Resolve.NoRoute) {
        d.dispatchDrop(SocketErrorCode.NoRoute);
        this.stats.txNoRoute++;
        continue;
      }
      // A raw socket's packet is a whole IP packet; the others get an IP header from us, and a
      // UDP socket's payload a UDP header.
      const ipHl = raw ? 0 : ip.headerLen();
      const udpHl = SOCKET_UDP && kind === SocketKind.Udp ? UDP_HEADER_LEN : 0;
      const total = ETHERNET_HEADER_LEN + ipHl + udpHl + n;
      const off = this.begin(now, device, total);
      if (off < 0) return -1;
      const at = off + ETHERNET_HEADER_LEN + ipHl;
      if (SOCKET_UDP && kind === SocketKind.Udp) {
        (s as UdpSocket).dispatchPayload(device.txBytes, at + UDP_HEADER_LEN);
        ip.nextHeader = IpProtocol.Udp;
        ip.payloadLen = UDP_HEADER_LEN + n;
        this.txUdp.emit(this.udp.reset(device.txBytes, device.txView, at, UDP_HEADER_LEN + n), n, ip.pseudoSum(), device.capabilities.checksum);
      } else if (SOCKET_ICMP && kind === SocketKind.Icmp) {
        ip.payloadLen = n;
        (s as IcmpSocket).dispatchPayload(device.txBytes, at, ip, device.capabilities.checksum);
      } else if (SOCKET_RAW && raw) {
        (s as RawSocket).dispatchPayload(device.txBytes, at);
      }
      if (!raw) this.writeIp(device, off, ip);
      this.writeEthernet(device, off, this.txMac, ip.version === IpVersion.Ipv6 ? EtherType.Ipv6 : EtherType.Ipv4);
      this.commit(device, total);
      d.dispatchCommit();
      sent = 1;
    }
  }

  /**
   * Sends what a TCP socket has to send, at most `MAX_TCP_SEGMENTS_PER_POLL` segments. Returns 1
   * if something was sent, 0 if not, -1 if the device is full. The socket copies its data once,
   * from its transmit ring into the frame, after the header room.
   */
  private egressTcp(now: Instant, device: Device, t: TcpSocket): number {
    let sent = 0;
    const meta = t.meta;
    const ip = this.txIp;
    const tcp = this.txTcp;
    const mss = this.linkMss(device.capabilities.ipMtu(), t.remote.addr.version);
    // The neighbor it waited for has answered: a retransmission held back leaves now.
    if (meta.waiting && this.neighbors.has(meta.neighbor, now)) t.neighborResolved(now);
    for (let i = 0; i < MAX_TCP_SEGMENTS_PER_POLL; i++) {
      if (!meta.egressPermitted(now, meta.waiting && this.neighbors.has(meta.neighbor, now))) return sent;
      t.linkMss = mss;
      const n = t.dispatch(now, ip, tcp);
      if (n < 0) return sent;
      if (ip.hopLimit <= 0) ip.hopLimit = this.hopLimit;
      const res = this.route(now, device, meta);
      if (res === Resolve.Waiting) {
        t.dispatchWaiting(now);
        return sent;
      }
      if (res === Resolve.NoRoute) {
        t.dispatchNoRoute(now);
        this.stats.txNoRoute++;
        return sent;
      }
      const ipHl = ip.headerLen();
      const tcpHl = tcp.headerLen();
      const total = ETHERNET_HEADER_LEN + ipHl + tcpHl + n;
      const off = this.begin(now, device, total);
      if (off < 0) return -1;
      const at = off + ETHERNET_HEADER_LEN + ipHl;
      t.dispatchPayload(device.txBytes, at + tcpHl);
      ip.nextHeader = IpProtocol.Tcp;
      ip.payloadLen = tcpHl + n;
      tcp.emit(this.tcp.reset(device.txBytes, device.txView, at, tcpHl + n), n, ip.pseudoSum(), device.capabilities.checksum);
      this.writeIp(device, off, ip);
      this.writeEthernet(device, off, this.txMac, ip.version === IpVersion.Ipv6 ? EtherType.Ipv6 : EtherType.Ipv4);
      this.commit(device, total);
      t.dispatchCommit(now);
      sent = 1;
    }
    return sent;
  }

  // ---------------------------------------------------------------------------------------------
  // Headers and addresses
  // ---------------------------------------------------------------------------------------------

  /** Writes the IP header of `ip` after the Ethernet header of the frame at `off`. */
  private writeIp(device: Device, off: number, ip: IpRepr): void {
    const at = off + ETHERNET_HEADER_LEN;
    if (ip.version === IpVersion.Ipv4) {
      const r = this.ipv4Repr;
      r.set(ip.srcAddr.v4, ip.dstAddr.v4, ip.nextHeader, ip.payloadLen, ip.hopLimit);
      r.emit(this.ipv4.reset(device.txBytes, device.txView, at, IPV4_HEADER_LEN + ip.payloadLen), device.capabilities.checksum);
    } else {
      const r = this.ipv6Repr;
      r.set(ip.srcAddr.v6, ip.dstAddr.v6, ip.nextHeader, ip.payloadLen, ip.hopLimit);
      r.emit(this.ipv6.reset(device.txBytes, device.txView, at, 40 + ip.payloadLen));
    }
  }

  private writeEthernet(device: Device, off: number, dst: EthernetAddress, etherType: number): void {
    const e = this.txEth;
    e.srcAddr.copyFrom(this.hardwareAddr);
    e.dstAddr.copyFrom(dst);
    e.etherType = etherType;
    e.emit(this.eth.reset(device.txBytes, device.txView, off, ETHERNET_HEADER_LEN));
  }

  /** Reserves a transmit frame of `total` octets; -1 (counted) when the device has no room now. */
  private begin(now: Instant, device: Device, total: number): number {
    const off = device.transmitBegin(now, total);
    if (off < 0) this.stats.txDeviceFull++;
    return off;
  }

  private commit(device: Device, total: number): void {
    device.transmitCommit(total);
    this.stats.txFrames++;
  }

  private hasIpv4(a: number): boolean {
    const c = this.ipv4Cidrs;
    for (let i = 0; i < c.length; i++) if (c[i].address === a) return true;
    return false;
  }

  private hasIpv6(a: Ipv6Address): boolean {
    const c = this.ipv6Cidrs;
    for (let i = 0; i < c.length; i++) if (c[i].address.equals(a)) return true;
    return false;
  }

  /** ff02::1, and the solicited-node groups of our addresses. */
  private hasIpv6Group(a: Ipv6Address): boolean {
    if (a.w0 === (0xff020000 | 0) && a.w1 === 0 && a.w2 === 0 && a.w3 === 1) return true;
    if (!a.isSolicitedNodeMulticast()) return false;
    const c = this.ipv6Cidrs;
    for (let i = 0; i < c.length; i++) if ((c[i].address.w3 & 0x00ffffff) === (a.w3 & 0x00ffffff)) return true;
    return false;
  }

  private isDirectedBroadcast(a: number): boolean {
    const c = this.ipv4Cidrs;
    for (let i = 0; i < c.length; i++) if (c[i].prefixLen < 31 && c[i].broadcast() === a) return true;
    return false;
  }

  private isOnLink(dst: IpAddress): boolean {
    if (dst.version === IpVersion.Ipv4) {
      const c = this.ipv4Cidrs;
      for (let i = 0; i < c.length; i++) if (c[i].contains(dst.v4)) return true;
      return false;
    }
    if (dst.v6.isLinkLocal()) return true;
    const c = this.ipv6Cidrs;
    for (let i = 0; i < c.length; i++) if (c[i].contains(dst.v6)) return true;
    return false;
  }

  /** The IPv4 source for `dst`: the address whose network contains it, else the first. */
  private selectIpv4Source(dst: number): number {
    const c = this.ipv4Cidrs;
    for (let i = 0; i < c.length; i++) if (c[i].contains(dst)) return c[i].address;
    return c.length > 0 ? c[0].address : 0;
  }

  /**
   * The IPv6 source for `dst` (RFC 6724, simplified): an address in the same prefix, else one of
   * the same scope (link-local for link-local and link-scope multicast destinations, global
   * otherwise), else the first.
   */
  private selectIpv6Source(dst: Ipv6Address, out: Ipv6Address): void {
    const c = this.ipv6Cidrs;
    for (let i = 0; i < c.length; i++) if (!dst.isMulticast() && c[i].contains(dst)) { out.copyFrom(c[i].address); return; }
    const wantLinkLocal = dst.isLinkLocal() || dst.isLinkLocalMulticast();
    for (let i = 0; i < c.length; i++) if (c[i].address.isLinkLocal() === wantLinkLocal) { out.copyFrom(c[i].address); return; }
    if (c.length > 0) out.copyFrom(c[0].address);
    else out.set(0, 0, 0, 0);
  }

  private groupIndex(group: number): number {
    for (let i = 0; i < this.groupCount; i++) if (this.groups[i] === group) return i;
    return -1;
  }
}
