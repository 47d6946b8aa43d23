/**
 * Scripted adversaries (mirage-tcpip style) for the reliability suite (test/reliability/): a peer
 * that writes raw frames at an `Interface` over a test device and reads back what the interface
 * sends. Portable (Node and XS).
 *
 * ```text
 *  us:       Interface 02-00-00-00-00-01, 192.168.69.1/24, fdaa::1/64, gateway 192.168.69.254
 *  peer:     02-00-00-00-00-02, 192.168.69.2 / fdaa::2   (the legitimate peer; answers ARP)
 *  attacker: 02-00-00-00-00-66                           (writes whatever it likes)
 *  gateway:  02-00-00-00-00-fe, 192.168.69.254            (off-link sources go through it)
 * ```
 *
 * - `HostileRig`: the interface over a `TestDevice` (allocating; for scenario tests). `poll`
 *   injects frames, polls at the rig's simulated clock and returns what was sent; the peer
 *   answers ARP requests for its own address, as a live host would. `establish` opens a
 *   connection to a listening socket with raw frames and returns the sequence numbers.
 * - `FloodDevice`: a device that receives an endless stream of frames made from one template
 *   (a SYN from a new source address, port and sequence number each time; or the same IGMP
 *   query; or one IPv6 packet with a long extension-header chain), checksums recomputed, and
 *   counts what the interface transmits by kind. Nothing is allocated per frame, so it also
 *   drives the XS allocation cases (test/alloc/reliability-*.alloc.ts).
 */
import { Config } from "../../src/config.js";
import { Interface } from "../../src/iface/interface.js";
import { DeviceCapabilities, Medium, type Device } from "../../src/phy/device.js";
import { SocketSet } from "../../src/socket/set.js";
import type { RandomSource } from "../../src/socket/tcp/isn.js";
import { TcpSocket } from "../../src/socket/tcp/socket.js";
import { ArpOperation } from "../../src/wire/arp.js";
import { ChecksumCapabilities, checksumData, checksumFinish, checksumPseudoV4, checksumPseudoV6, checksumCombine } from "../../src/wire/checksum.js";
import { EtherType, EthernetAddress, EthernetFrame, EthernetRepr } from "../../src/wire/ethernet.js";
import { IpAddress, IpProtocol, Ipv4Cidr, Ipv6Address, Ipv6Cidr, ipv4Parse } from "../../src/wire/ip.js";
import { Ipv4Packet, Ipv4Repr } from "../../src/wire/ipv4.js";
import { Ipv6Packet, Ipv6Repr } from "../../src/wire/ipv6.js";
import { TcpControl, TcpPacket, TcpRepr } from "../../src/wire/tcp.js";
import { ArpPacket, ArpRepr } from "../../src/wire/arp.js";
import { TestDevice } from "./test-device.js";
import * as F from "./frames.js";

export const T0 = (0x7fffffff - 5000) | 0;
export const OUR_MAC = EthernetAddress.parse("02-00-00-00-00-01");
export const PEER_MAC = EthernetAddress.parse("02-00-00-00-00-02");
export const ATTACKER_MAC = EthernetAddress.parse("02-00-00-00-00-66");
export const GATEWAY_MAC = EthernetAddress.parse("02-00-00-00-00-fe");
export const OUR_IP = ipv4Parse("192.168.69.1");
export const PEER_IP = ipv4Parse("192.168.69.2");
export const GATEWAY_IP = ipv4Parse("192.168.69.254");
export const OUR_IP6 = Ipv6Address.parse("fdaa::1");
export const PEER_IP6 = Ipv6Address.parse("fdaa::2");
const CAPS = new ChecksumCapabilities();

/** A seeded, repeatable random source for the interface (xorshift32; tests only). */
export class SeededSource implements RandomSource {
  private x: number;
  constructor(seed: number) {
    this.x = seed | 0 || 1;
  }
  nextInt32(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x;
    return x;
  }
}

/** What a test says about a segment from the peer. */
export interface SegFields {
  sport: number;
  dport: number;
  ctl?: TcpControl;
  seq?: number;
  ack?: number | null;
  win?: number;
  mss?: number;
  ws?: number;
}

export function fillSeg(f: SegFields): (r: TcpRepr) => void {
  return (r) => {
    r.srcPort = f.sport;
    r.dstPort = f.dport;
    r.control = f.ctl ?? TcpControl.None;
    r.seqNumber = (f.seq ?? 0) | 0;
    r.hasAck = f.ack !== undefined && f.ack !== null;
    r.ackNumber = r.hasAck ? (f.ack as number) | 0 : 0;
    r.windowLen = f.win ?? 8192;
    r.maxSegSize = f.mss ?? 0;
    r.windowScale = f.ws ?? -1;
  };
}

/** A TCP segment from `src` (default: the peer) to us, in an Ethernet frame from `mac`. */
export function seg4(f: SegFields, data?: Uint8Array, src = PEER_IP, mac = PEER_MAC): Uint8Array {
  return F.ethernet(OUR_MAC, mac, EtherType.Ipv4, F.tcpV4(src, OUR_IP, fillSeg(f), data));
}

export function seg6(f: SegFields, data?: Uint8Array, src = PEER_IP6, mac = PEER_MAC): Uint8Array {
  return F.ethernet(OUR_MAC, mac, EtherType.Ipv6, F.tcpV6(src, OUR_IP6, fillSeg(f), data));
}

/** A frame the interface sent, decoded far enough for the tests. */
export interface Sent {
  etherType: number;
  macDst: string;
  /** ARP: the operation and target protocol address (int32); 0 otherwise. */
  arpOp: number;
  arpTarget: number;
  /** IP protocol / next header (-1 for ARP). */
  proto: number;
  /** TCP (null when not TCP). */
  tcp: TcpRepr | null;
  data: Uint8Array;
  /** ICMP type (-1 when not ICMP). */
  icmpType: number;
}

/** Decodes a frame the interface sent (checksums verified for TCP). */
export function decode(frame: Uint8Array): Sent {
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const eth = new EthernetRepr();
  eth.parse(new EthernetFrame(frame, dv, 0, frame.length));
  const out: Sent = { etherType: eth.etherType, macDst: eth.dstAddr.toString(), arpOp: 0, arpTarget: 0, proto: -1, tcp: null, data: new Uint8Array(0), icmpType: -1 };
  if (eth.etherType === EtherType.Arp) {
    const a = new ArpRepr();
    if (a.parse(new ArpPacket(frame, dv, 14, frame.length - 14)) === 0) {
      out.arpOp = a.operation;
      out.arpTarget = a.targetProtocolAddr;
    }
    return out;
  }
  let off = 0;
  let len = 0;
  let pseudo = 0;
  if (eth.etherType === EtherType.Ipv4) {
    const p = new Ipv4Packet(frame, dv, 14, frame.length - 14);
    const ip = new Ipv4Repr();
    if (ip.parse(p, CAPS) !== 0) return out;
    out.proto = ip.nextHeader;
    off = p.payloadOffset();
    len = p.payloadLen();
    pseudo = checksumPseudoV4(ip.srcAddr, ip.dstAddr, IpProtocol.Tcp, len);
    if (ip.nextHeader === IpProtocol.Icmp) out.icmpType = frame[off];
  } else if (eth.etherType === EtherType.Ipv6) {
    const p = new Ipv6Packet(frame, dv, 14, frame.length - 14);
    const ip = new Ipv6Repr();
    if (ip.parse(p) !== 0) return out;
    out.proto = ip.nextHeader;
    off = p.payloadOffset();
    len = p.payloadLen();
    pseudo = checksumPseudoV6(ip.srcAddr, ip.dstAddr, IpProtocol.Tcp, len);
    if (ip.nextHeader === IpProtocol.Icmpv6) out.icmpType = frame[off];
  }
  if (out.proto === IpProtocol.Tcp) {
    const r = new TcpRepr();
    if (r.parse(new TcpPacket(frame, dv, off, len), pseudo, CAPS) === 0) {
      out.tcp = r;
      out.data = frame.slice(r.payloadOffset, r.payloadOffset + r.payloadLen);
    }
  }
  return out;
}

/** The TCP segments among `frames`. */
export function tcpSegments(frames: Uint8Array[]): TcpRepr[] {
  const out: TcpRepr[] = [];
  for (const f of frames) {
    const d = decode(f);
    if (d.tcp) out.push(d.tcp);
  }
  return out;
}

/** The TCP segments among `frames`, with their payloads. */
export function tcpSegmentsWithData(frames: Uint8Array[]): { tcp: TcpRepr; data: Uint8Array; macDst: string }[] {
  const out: { tcp: TcpRepr; data: Uint8Array; macDst: string }[] = [];
  for (const f of frames) {
    const d = decode(f);
    if (d.tcp) out.push({ tcp: d.tcp, data: d.data, macDst: d.macDst });
  }
  return out;
}

/** A connection opened by `establish`: the sequence numbers both sides start from. */
export interface Conn {
  sock: TcpSocket;
  sport: number;
  dport: number;
  /** Our ISS + 1: SND.UNA after the handshake. */
  ourSeq: number;
  /** The peer's next sequence number (its ISS + 1). */
  peerSeq: number;
}

/** The interface under attack over a `TestDevice`, with a simulated clock (see the file comment). */
export class HostileRig {
  readonly iface: Interface;
  readonly dev: TestDevice;
  readonly sockets: SocketSet;
  /** Simulated ms since `T0`. */
  now = 0;
  /** Whether the peer answers ARP requests for its address (a live host does). */
  peerAnswersArp = true;
  /** Every frame sent since the rig was made (the last `poll`'s are also returned). */
  readonly log: Uint8Array[] = [];

  constructor(sockets = 8, config: Config = new Config(), seed = 0x5eed) {
    this.iface = new Interface(OUR_MAC, config, new SeededSource(seed));
    this.iface.addIpv4Address(new Ipv4Cidr(OUR_IP, 24));
    this.iface.addIpv6Address(new Ipv6Cidr(OUR_IP6, 64));
    this.iface.routes.addDefaultIpv4Route(GATEWAY_IP);
    this.dev = new TestDevice();
    this.sockets = new SocketSet(sockets);
  }

  get t(): number {
    return (T0 + this.now) | 0;
  }

  /** Injects `frames`, polls at the current time, answers ARP for the peer; returns what was sent. */
  poll(...frames: Uint8Array[]): Uint8Array[] {
    for (const f of frames) this.dev.inject(f);
    const out: Uint8Array[] = [];
    for (let round = 0; round < 8; round++) {
      this.iface.poll(this.t, this.dev, this.sockets);
      const sent = this.dev.drain();
      let answered = false;
      for (const f of sent) {
        this.log.push(f);
        out.push(f);
        const d = decode(f);
        if (d.etherType === EtherType.Arp && d.arpOp === ArpOperation.Request) {
          if (this.peerAnswersArp && d.arpTarget === PEER_IP) {
            this.dev.inject(F.ethernet(OUR_MAC, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Reply, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP)));
            answered = true;
          } else if (d.arpTarget === GATEWAY_IP) {
            this.dev.inject(F.ethernet(OUR_MAC, GATEWAY_MAC, EtherType.Arp, F.arp(ArpOperation.Reply, GATEWAY_MAC, GATEWAY_IP, OUR_MAC, OUR_IP)));
            answered = true;
          }
        }
      }
      if (!answered) break;
    }
    return out;
  }

  /** Moves the clock by `ms`, polling at every deadline `pollDelay` gives on the way; returns what was sent. */
  advance(ms: number): Uint8Array[] {
    const end = this.now + ms;
    const out: Uint8Array[] = [];
    for (let guard = 0; guard < 1000000; guard++) {
      out.push(...this.poll());
      const d = this.iface.pollDelay(this.t, this.sockets);
      if (d < 0 || this.now + (d > 0 ? d : 1) > end) break;
      this.now += d > 0 ? d : 1;
    }
    this.now = end;
    out.push(...this.poll());
    return out;
  }

  /** A listening socket on `port`, added to the set. */
  listen(port: number, rx = 4096, tx = 4096, gaps = 4): TcpSocket {
    const s = new TcpSocket(rx, tx, gaps);
    this.sockets.add(s);
    s.listen(port, this.iface);
    return s;
  }

  /**
   * Opens a connection from the peer (port `sport`, ISS `peerIss`) to `sock` listening on
   * `dport`: SYN, our SYN-ACK, the peer's ACK. The peer offers window `win` and MSS 1460.
   */
  establish(sock: TcpSocket, dport: number, sport = 40000, peerIss = 0x1000, win = 65535): Conn {
    const synAck = tcpSegments(this.poll(seg4({ sport, dport, ctl: TcpControl.Syn, seq: peerIss, win, mss: 1460 })));
    if (synAck.length !== 1 || synAck[0].control !== TcpControl.Syn || !synAck[0].hasAck) throw new Error("establish: no SYN-ACK (" + synAck.length + " segments)");
    const ourSeq = (synAck[0].seqNumber + 1) | 0;
    const peerSeq = (peerIss + 1) | 0;
    this.poll(seg4({ sport, dport, seq: peerSeq, ack: ourSeq, win }));
    return { sock, sport, dport, ourSeq, peerSeq };
  }
}

export const enum FloodKind {
  /** SYNs to `floodPort`, each from a new source (see `sourceMode`), port and sequence number. */
  Syn = 0,
  /** The same IGMPv2 general query (max response time 10 s) from the router 192.168.69.254. */
  IgmpQuery = 1,
  /** An IPv6 UDP datagram to fdaa::1 port 7 behind `extHeaders` empty Destination Options headers. */
  Ipv6ExtChain = 2,
}

/**
 * Receives an endless stream of frames made from one template (see the file comment). Counts
 * what the interface transmits: SYN-ACKs, RSTs, other TCP, ARP requests, ICMP, IGMP, and the
 * rest. Allocates nothing after construction.
 */
export class FloodDevice implements Device {
  readonly capabilities = new DeviceCapabilities(Medium.Ethernet, 1514, 0);
  readonly rxBytes = new Uint8Array(1600);
  readonly rxView = new DataView(this.rxBytes.buffer);
  rxOffset = 0;
  readonly txBytes = new Uint8Array(1600);
  readonly txView = new DataView(this.txBytes.buffer);
  /** Frames to hand out before `receive` says there are none (per poll). */
  burst = 0;
  received = 0;
  transmitted = 0;
  txSynAck = 0;
  txRst = 0;
  txTcpOther = 0;
  txArp = 0;
  txIcmp = 0;
  txIgmp = 0;
  txOther = 0;
  /** SYN sources: 0 off-link (10.x.y.z, through the gateway), 1 on-link spoofed (192.168.69.100-199, nobody answers ARP), 2 alternate. */
  sourceMode = 0;
  private readonly template: Uint8Array;
  private readonly kind: FloodKind;
  private x: number;

  constructor(kind: FloodKind, seed: number, floodPort = 80, extHeaders = 64) {
    this.kind = kind;
    this.x = seed | 0 || 1;
    if (kind === FloodKind.Syn) {
      this.template = seg4({ sport: 1, dport: floodPort, ctl: TcpControl.Syn, seq: 0, win: 65535, mss: 1460 }, undefined, ipv4Parse("10.0.0.1"), ATTACKER_MAC);
    } else if (kind === FloodKind.IgmpQuery) {
      this.template = F.ethernet(EthernetAddress.parse("01-00-5e-00-00-01"), GATEWAY_MAC, EtherType.Ipv4, F.igmp(GATEWAY_IP, ipv4Parse("224.0.0.1"), (r) => r.query(0, 100, 2)));
    } else {
      this.template = ipv6ExtChainFrame(extHeaders);
    }
  }

  private next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x;
    return x;
  }

  receive(): number {
    if (this.burst <= 0) return 0;
    this.burst--;
    this.received++;
    const b = this.rxBytes;
    b.set(this.template);
    const len = this.template.length;
    if (this.kind === FloodKind.Syn) {
      const dv = this.rxView;
      const r = this.next();
      const onLink = this.sourceMode === 1 || (this.sourceMode === 2 && (r & 1) === 0);
      const src = onLink ? ((OUR_IP & ~0xff) | (100 + ((r >>> 8) & 0xffff) % 100)) : ((10 << 24) | (r & 0xffffff));
      dv.setInt32(14 + 12, src);
      dv.setUint16(14 + 10, 0);
      dv.setUint16(14 + 10, checksumFinish(checksumData(dv, 14, 20)));
      dv.setUint16(34, 1024 + ((this.next() >>> 1) % 64000));
      dv.setInt32(34 + 4, this.next());
      const tcpLen = len - 34;
      dv.setUint16(34 + 16, 0);
      dv.setUint16(34 + 16, checksumFinish(checksumCombine(checksumPseudoV4(src, OUR_IP, IpProtocol.Tcp, tcpLen), checksumData(dv, 34, tcpLen))));
    }
    this.rxOffset = 0;
    return len;
  }

  transmitBegin(_now: number, len: number): number {
    return len <= this.txBytes.length ? 0 : -1;
  }

  transmitCommit(): void {
    this.transmitted++;
    const b = this.txBytes;
    const type = (b[12] << 8) | b[13];
    if (type === EtherType.Arp) this.txArp++;
    else if (type === EtherType.Ipv4) {
      const proto = b[14 + 9];
      const ihl = (b[14] & 15) * 4;
      if (proto === IpProtocol.Tcp) {
        const flags = b[14 + ihl + 13];
        if ((flags & 0x12) === 0x12) this.txSynAck++;
        else if ((flags & 0x04) !== 0) this.txRst++;
        else this.txTcpOther++;
      } else if (proto === IpProtocol.Icmp) this.txIcmp++;
      else if (proto === IpProtocol.Igmp) this.txIgmp++;
      else this.txOther++;
    } else if (type === EtherType.Ipv6 && b[14 + 6] === IpProtocol.Icmpv6) this.txIcmp++;
    else this.txOther++;
  }
}

/**
 * An IPv6 UDP datagram (to fdaa::1 port 7, 4 octets of data) behind `n` empty Destination
 * Options headers (8 octets each: next header, length 0, a PadN of 4... here Pad1 x 6).
 */
export function ipv6ExtChainFrame(n: number, firstHopByHop = false): Uint8Array {
  const udpLen = 8 + 4;
  const payload = new Uint8Array(8 * n + udpLen);
  for (let i = 0; i < n; i++) {
    const at = 8 * i;
    payload[at] = i === n - 1 ? IpProtocol.Udp : IpProtocol.Ipv6Opts;
    payload[at + 1] = 0; // 8 octets
    payload[at + 2] = 1; // PadN
    payload[at + 3] = 4; // of 4 octets
  }
  const u = F.udp((len) => checksumPseudoV6(PEER_IP6, OUR_IP6, IpProtocol.Udp, len), 40000, 7, new Uint8Array([1, 2, 3, 4]));
  payload.set(u, 8 * n);
  const ip = F.ipv6(PEER_IP6, OUR_IP6, n > 0 ? (firstHopByHop ? IpProtocol.HopByHop : IpProtocol.Ipv6Opts) : IpProtocol.Udp, payload);
  return F.ethernet(OUR_MAC, PEER_MAC, EtherType.Ipv6, ip);
}

export { IpAddress };
