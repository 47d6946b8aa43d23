/**
 * The reliability fuzzer: a structure-aware, coverage-blind fuzzer that drives an `Interface`
 * with TCP listeners, connected TCP sockets (IPv4 and IPv6, passive and active), UDP, ICMP and
 * raw sockets. Shared by the portable test (test/reliability/fuzz.test.ts), the Node test
 * (test/host/reliability-fuzz.test.ts), the soak (test/reliability/soak.mjs) and the XS
 * allocation case (test/alloc/reliability-fuzz.alloc.ts). Not a test file itself. Portable;
 * nothing is allocated per frame.
 *
 * The interface is the Linux captures' 192.168.69.2 side (02-00-00-00-00-02, fdaa::2), so the
 * captured frames are addressed to it; the peer is 192.168.69.1 / fdaa::1 (its neighbor entry
 * lives a simulated day). Each frame `TcpFuzzDevice.receive` hands out is, by a seeded xorshift32:
 *
 * - **a segment for a live connection** (half of the frames): the right 4-tuple of one of three
 *   connections, SEQ near RCV.NXT (exact, inside the window, just outside it, far away), ACK
 *   near SND.UNA / SND.NXT / the highest SND.NXT (or beyond, or behind), any flags (SYN, FIN,
 *   RST, none; ACK mostly on), a window from 0 to 65535, options (MSS, window scale, SACK-
 *   permitted, SACK blocks, timestamps, NOPs, garbage kinds and lengths, a list repeated to
 *   fill 40 octets), 0 to 1,400 octets of data; the checksum right, except now and then. These
 *   reach deep into the socket: acceptability, RFC 5961, the ACK processing, the assembler.
 * - **a mutated capture** (the other half): one of the 45 Linux frames, then bit flips, a
 *   truncation, a length field (IPv4 total length and IHL, IPv6 payload length, TCP data
 *   offset, UDP length) set to 0, a random or the largest value, random octets, or the TCP
 *   option list repeated to fill the header; then, mostly, every checksum recomputed (IPv4
 *   header, TCP / UDP / ICMP / ICMPv6 over the pseudo-header) so that the mutation gets past the
 *   checksum checks.
 *
 * The application between frames: it reads everything each socket received, writes up to 300
 * octets when there is room, sometimes closes, and when a connection ends it listens again (or
 * reconnects), so that there are always connections to hit.
 */
import { Config } from "../../src/config.js";
import { Interface } from "../../src/iface/interface.js";
import { DeviceCapabilities, Medium, type Device } from "../../src/phy/device.js";
import { IcmpSocket } from "../../src/socket/icmp.js";
import { RawSocket } from "../../src/socket/raw.js";
import { SocketSet } from "../../src/socket/set.js";
import { TcpSocket, TcpState } from "../../src/socket/tcp/socket.js";
import { UdpSocket } from "../../src/socket/udp.js";
import { checksumCombine, checksumData, checksumFinish, checksumPseudoV4 } from "../../src/wire/checksum.js";
import { EthernetAddress } from "../../src/wire/ethernet.js";
import { IpAddress, IpEndpoint, IpProtocol, IpVersion, Ipv4Cidr, Ipv6Address, Ipv6Cidr, ipv4Parse } from "../../src/wire/ip.js";
import { LINUX_FRAMES } from "../fixtures/linux.js";
import { SeededSource } from "../support/adversary.js";
import { tcpInvariantProblem } from "../support/invariants.js";

const OUR_MAC = EthernetAddress.parse("02-00-00-00-00-02");
const PEER_MAC_HI = 0x0200;
const PEER_MAC_LO = 0x00000001;
const OUR_IP = ipv4Parse("192.168.69.2");
const PEER_IP = ipv4Parse("192.168.69.1");
const OUR_IP6 = Ipv6Address.parse("fdaa::2");
const PEER_IP6 = Ipv6Address.parse("fdaa::1");

/** A connection the structured generator aims at. */
class Target {
  constructor(
    readonly sock: TcpSocket,
    readonly v6: boolean,
    /** The peer's port and ours. */
    readonly peerPort: number,
    readonly ourPort: number,
    /** Passive (re-listen when it ends) or active (reconnect). */
    readonly passive: boolean,
  ) {}
}

interface SndView {
  una: number;
  nxt: number;
  max: number;
  iss: number;
}
interface RcvView {
  nxt: number;
}

/** The sequence state of a socket (read through a cast; tests only). */
function sndOf(s: TcpSocket): SndView {
  return (s as unknown as { snd: SndView }).snd;
}
function rcvOf(s: TcpSocket): RcvView {
  return (s as unknown as { rcv: RcvView }).rcv;
}

export class TcpFuzzDevice implements Device {
  readonly capabilities = new DeviceCapabilities(Medium.Ethernet, 1514, 0);
  readonly rxBytes = new Uint8Array(1600);
  readonly rxView = new DataView(this.rxBytes.buffer);
  rxOffset = 0;
  readonly txBytes = new Uint8Array(1600);
  readonly txView = new DataView(this.txBytes.buffer);
  received = 0;
  transmitted = 0;
  /** Frames to hand out before `receive` says there are none (per poll). */
  burst = 0;
  /** Frames of each kind handed out: structured segments, mutated captures. */
  structured = 0;
  mutated = 0;
  /** Which frames: 0 both kinds, 1 structured segments only, 2 mutated captures only. */
  mix = 0;
  private x: number;
  private readonly seeds: Uint8Array[];
  targets: Target[] = [];

  constructor(seed: number) {
    this.x = seed | 0 || 1;
    // Frames to us three times as often as the others (as the interface fuzz rig does).
    const toUs = LINUX_FRAMES.filter((f) => f.bytes[5] === 2 && f.bytes[0] === 2).map((f) => f.bytes);
    const others = LINUX_FRAMES.filter((f) => !(f.bytes[5] === 2 && f.bytes[0] === 2)).map((f) => f.bytes);
    this.seeds = [...toUs, ...toUs, ...toUs, ...others];
  }

  /** A non-negative int31. */
  next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x;
    return x >>> 1;
  }

  private below(n: number): number {
    return this.next() % n;
  }

  receive(): number {
    if (this.burst <= 0) return 0;
    this.burst--;
    this.received++;
    this.rxOffset = 0;
    let len: number;
    const coin = this.below(2);
    if (this.targets.length > 0 && (this.mix === 1 || (this.mix === 0 && coin === 0))) {
      this.structured++;
      len = this.structuredSegment(this.targets[this.below(this.targets.length)]);
    } else {
      this.mutated++;
      len = this.mutatedCapture();
    }
    return len > 0 ? len : 1;
  }

  // ---- Structured segments ----------------------------------------------------------------------

  private structuredSegment(t: Target): number {
    const b = this.rxBytes;
    const dv = this.rxView;
    const s = t.sock;
    const snd = sndOf(s);
    const rcv = rcvOf(s);
    // Ethernet.
    dv.setUint16(0, OUR_MAC.hi);
    dv.setInt32(2, OUR_MAC.lo);
    dv.setUint16(6, PEER_MAC_HI);
    dv.setInt32(8, PEER_MAC_LO);
    dv.setUint16(12, t.v6 ? 0x86dd : 0x0800);
    const ipHl = t.v6 ? 40 : 20;
    const tcpOff = 14 + ipHl;
    // TCP header.
    dv.setUint16(tcpOff, t.peerPort);
    dv.setUint16(tcpOff + 2, t.ourPort);
    const wnd = s.rx.window();
    let seq: number;
    switch (this.below(8)) {
      case 0: case 1: case 2: seq = rcv.nxt; break;
      case 3: seq = (rcv.nxt + this.below(wnd + 1)) | 0; break;
      case 4: seq = (rcv.nxt - 1 - this.below(2000)) | 0; break;
      case 5: seq = (rcv.nxt + wnd + this.below(2000)) | 0; break;
      case 6: seq = (rcv.nxt + this.below(64)) | 0; break;
      default: seq = this.next() | 0; break;
    }
    let ack: number;
    switch (this.below(8)) {
      case 0: case 1: ack = snd.una; break;
      case 2: ack = snd.nxt; break;
      case 3: ack = snd.max; break;
      case 4: ack = (snd.una + this.below(((snd.max - snd.una) | 0) + 1)) | 0; break;
      case 5: ack = (snd.max + 1 + this.below(5000)) | 0; break;
      case 6: ack = (snd.una - 1 - this.below(100000)) | 0; break;
      default: ack = (snd.iss + 1) | 0; break;
    }
    dv.setInt32(tcpOff + 4, seq);
    dv.setInt32(tcpOff + 8, ack);
    // Flags: ACK mostly; SYN, FIN, RST sometimes, alone or together; PSH, URG, ECE, CWR at random.
    let flags = this.below(10) < 9 ? 0x10 : 0;
    const c = this.below(20);
    if (c === 0) flags |= 0x02;
    else if (c === 1) flags |= 0x02 | 0x10;
    else if (c === 2 || c === 3) flags |= 0x01;
    else if (c === 4) flags |= 0x04;
    else if (c === 5) flags |= this.below(64);
    if (this.below(4) === 0) flags |= 0x08;
    if (this.below(50) === 0) flags |= 0x20 | 0xc0;
    dv.setUint16(tcpOff + 14, this.below(4) === 0 ? this.below(4) * 0x4000 : this.below(0x10000));
    dv.setUint16(tcpOff + 18, this.below(0x10000));
    // Options.
    const optLen = this.options(tcpOff + 20);
    const hl = 20 + optLen;
    b[tcpOff + 12] = (hl >> 2) << 4;
    b[tcpOff + 13] = flags & 0xff;
    // Data.
    const room = 1514 - tcpOff - hl;
    let n = this.below(4) === 0 ? 0 : this.below(this.below(3) === 0 ? room + 1 : 300);
    if (n > room) n = room;
    const dataAt = tcpOff + hl;
    const fillByte = this.next() & 0xff;
    b.fill(fillByte, dataAt, dataAt + n);
    const tcpLen = hl + n;
    // IP header.
    if (t.v6) {
      dv.setInt32(14, 0x60000000);
      dv.setUint16(18, tcpLen);
      b[20] = IpProtocol.Tcp;
      b[21] = 64;
      writeV6(dv, 22, PEER_IP6);
      writeV6(dv, 38, OUR_IP6);
    } else {
      dv.setUint16(14, 0x4500);
      dv.setUint16(16, 20 + tcpLen);
      dv.setUint32(18, 0x00004000);
      dv.setUint16(22, 0x4006);
      dv.setInt32(26, PEER_IP);
      dv.setInt32(30, OUR_IP);
    }
    const len = tcpOff + tcpLen;
    this.fixChecksums(len);
    if (this.below(64) === 0) b[tcpOff + 16] ^= 1 << this.below(8); // a wrong checksum now and then
    return len;
  }

  /** Writes 0 to 40 octets of TCP options at `at` (4-aligned); returns their length. */
  private options(at: number): number {
    const b = this.rxBytes;
    const dv = this.rxView;
    let n = 0;
    const want = this.below(3) === 0 ? 0 : 4 * (1 + this.below(10));
    while (n + 4 <= want) {
      switch (this.below(9)) {
        case 0: b[at + n] = 2; b[at + n + 1] = 4; dv.setUint16(at + n + 2, this.below(3) === 0 ? this.below(100) : this.below(0x10000)); n += 4; break;
        case 1: b[at + n] = 1; b[at + n + 1] = 3; b[at + n + 2] = 3; b[at + n + 3] = this.below(20); n += 4; break;
        case 2: b[at + n] = 1; b[at + n + 1] = 1; b[at + n + 2] = 4; b[at + n + 3] = 2; n += 4; break;
        case 3: {
          // SACK with 1 to 4 blocks, if they fit.
          const blocks = 1 + this.below(4);
          if (n + 4 + 8 * blocks > want + 4 || n + 4 + 8 * blocks > 40) { b[at + n] = 1; b[at + n + 1] = 1; b[at + n + 2] = 1; b[at + n + 3] = 1; n += 4; break; }
          b[at + n] = 1; b[at + n + 1] = 1; b[at + n + 2] = 5; b[at + n + 3] = 2 + 8 * blocks;
          for (let k = 0; k < 2 * blocks; k++) dv.setInt32(at + n + 4 + 4 * k, this.next() | 0);
          n += 4 + 8 * blocks;
          break;
        }
        case 4:
          if (n + 12 > 40) { n = want; break; }
          b[at + n] = 1; b[at + n + 1] = 1; b[at + n + 2] = 8; b[at + n + 3] = 10;
          dv.setInt32(at + n + 4, this.next() | 0); dv.setInt32(at + n + 8, this.next() | 0);
          n += 12;
          break;
        case 5: // a garbage kind with a random (possibly impossible) length
          b[at + n] = 9 + this.below(240); b[at + n + 1] = this.below(4) === 0 ? 0 : this.below(41); b[at + n + 2] = this.next() & 0xff; b[at + n + 3] = this.next() & 0xff; n += 4; break;
        case 6: b[at + n] = 0; b[at + n + 1] = this.next() & 0xff; b[at + n + 2] = this.next() & 0xff; b[at + n + 3] = 0; n += 4; break; // EOL, then junk
        case 7: // repeat what is there so far until the list is full
          if (n > 0) { while (n + 4 <= 40) { b.copyWithin(at + n, at, at + 4); n += 4; } } else { b[at] = 1; b[at + 1] = 1; b[at + 2] = 1; b[at + 3] = 1; n = 4; }
          break;
        default: b[at + n] = 1; b[at + n + 1] = 1; b[at + n + 2] = 1; b[at + n + 3] = 1; n += 4; break;
      }
    }
    return n > 40 ? 40 : n;
  }

  // ---- Mutated captures ---------------------------------------------------------------------------

  private mutatedCapture(): number {
    const b = this.rxBytes;
    const dv = this.rxView;
    const src = this.seeds[this.below(this.seeds.length)];
    b.set(src);
    let len = src.length;
    const kind = this.below(10);
    if (kind === 1 || kind === 2) {
      for (let k = 1 + this.below(4); k > 0; k--) b[this.below(len)] ^= 1 << this.below(8);
    } else if (kind === 3) {
      len = this.below(len + 1);
    } else if (kind === 4 || kind === 5) {
      len = this.lengthField(len);
    } else if (kind === 6) {
      for (let k = 0; k < 6; k++) b[14 + this.below(len > 14 ? len - 14 : 1)] = this.next() & 0xff;
    } else if (kind === 7) {
      len = this.repeatTcpOptions(len);
    } else if (kind === 8) {
      // Grown: the frame padded with random octets (Ethernet padding, trailing garbage).
      const extra = this.below(200);
      for (let i = 0; i < extra && len < 1514; i++) b[len++] = this.next() & 0xff;
    }
    if (len < 1) len = 1;
    if (kind !== 0 && this.below(4) !== 0) this.fixChecksums(len);
    return len;
  }

  /** 0, `max`, 1 or a random value up to `max` (a method, not a closure: nothing allocated per frame). */
  private extreme(max: number): number {
    const c = this.below(4);
    return c === 0 ? 0 : c === 1 ? max : c === 2 ? 1 : this.below(max + 1);
  }

  /** Sets one length field to 0, 1, a random value or the largest; returns the frame length. */
  private lengthField(len: number): number {
    const dv = this.rxView;
    if (len < 34) return len;
    const type = dv.getUint16(12);
    if (type === 0x0800) {
      const ihl = (this.rxBytes[14] & 15) * 4;
      const which = this.below(4);
      if (which === 0) dv.setUint16(16, this.extreme(0xffff));
      else if (which === 1) this.rxBytes[14] = 0x40 | this.extreme(15);
      else if (this.rxBytes[23] === IpProtocol.Tcp && 14 + ihl + 13 < len) this.rxBytes[14 + ihl + 12] = (this.extreme(15) << 4) | (this.rxBytes[14 + ihl + 12] & 15);
      else if (this.rxBytes[23] === IpProtocol.Udp && 14 + ihl + 6 < len) dv.setUint16(14 + ihl + 4, this.extreme(0xffff));
      else dv.setUint16(16, this.extreme(0xffff));
    } else if (type === 0x86dd && len >= 54) {
      if (this.below(2) === 0) dv.setUint16(18, this.extreme(0xffff));
      else if (this.rxBytes[20] === IpProtocol.Tcp && len >= 54 + 14) this.rxBytes[54 + 12] = (this.extreme(15) << 4) | (this.rxBytes[54 + 12] & 15);
      else if (this.rxBytes[20] === IpProtocol.Udp && len >= 54 + 8) dv.setUint16(54 + 4, this.extreme(0xffff));
      else dv.setUint16(18, this.extreme(0xffff));
    }
    return len;
  }

  /** A TCP segment's option list repeated until the header is 60 octets (the data moves along). */
  private repeatTcpOptions(len: number): number {
    const b = this.rxBytes;
    const dv = this.rxView;
    const type = dv.getUint16(12);
    let tcpOff: number;
    if (type === 0x0800 && b[23] === IpProtocol.Tcp) tcpOff = 14 + (b[14] & 15) * 4;
    else if (type === 0x86dd && b[20] === IpProtocol.Tcp) tcpOff = 54;
    else return len;
    if (tcpOff + 20 > len) return len;
    const hl = (b[tcpOff + 12] >> 4) * 4;
    const opts = hl - 20;
    if (opts <= 0 || tcpOff + hl > len) return len;
    const data = len - tcpOff - hl;
    const grow = 60 - hl;
    if (len + grow > 1514) return len;
    b.copyWithin(tcpOff + 60, tcpOff + hl, len);
    for (let i = hl; i < 60; i++) b[tcpOff + i] = b[tcpOff + 20 + ((i - 20) % opts)];
    b[tcpOff + 12] = (15 << 4) | (b[tcpOff + 12] & 15);
    const newLen = tcpOff + 60 + data;
    if (type === 0x0800) dv.setUint16(16, newLen - 14);
    else dv.setUint16(18, newLen - 54);
    return newLen;
  }

  /** Recomputes the IPv4 header checksum and the TCP / UDP / ICMP / ICMPv6 checksum, as far as the lengths allow. */
  private fixChecksums(len: number): void {
    const dv = this.rxView;
    const b = this.rxBytes;
    const type = dv.getUint16(12);
    if (type === 0x0800) {
      const ihl = (b[14] & 15) * 4;
      if (ihl < 20 || 14 + ihl > len) return;
      dv.setUint16(24, 0);
      dv.setUint16(24, checksumFinish(checksumData(dv, 14, ihl)));
      let total = dv.getUint16(16);
      if (total > len - 14) total = len - 14;
      const l4 = 14 + ihl;
      const l4len = total - ihl;
      if (l4len < 8 || (dv.getUint16(20) & 0x3fff) !== 0 && (dv.getUint16(20) & 0x1fff) !== 0) return;
      const proto = b[23];
      const at = proto === IpProtocol.Tcp ? 16 : proto === IpProtocol.Udp ? 6 : proto === IpProtocol.Icmp || proto === IpProtocol.Igmp ? 2 : -1;
      if (at < 0 || l4len < at + 2) return;
      dv.setUint16(l4 + at, 0);
      let sum = checksumData(dv, l4, l4len);
      if (proto === IpProtocol.Tcp || proto === IpProtocol.Udp) sum = checksumCombine(sum, checksumPseudoV4(dv.getInt32(26), dv.getInt32(30), proto, l4len));
      let ck = checksumFinish(sum);
      if (ck === 0 && proto === IpProtocol.Udp) ck = 0xffff;
      dv.setUint16(l4 + at, ck);
    } else if (type === 0x86dd && len >= 54) {
      let plen = dv.getUint16(18);
      if (plen > len - 54) plen = len - 54;
      const nh = b[20];
      const at = nh === IpProtocol.Tcp ? 16 : nh === IpProtocol.Udp ? 6 : nh === IpProtocol.Icmpv6 ? 2 : -1;
      if (at < 0 || plen < at + 2) return;
      dv.setUint16(54 + at, 0);
      // The IPv6 pseudo-header: both addresses, the length, the next header.
      let sum = checksumData(dv, 22, 32);
      sum = checksumCombine(sum, checksumFold32(plen + nh));
      sum = checksumCombine(sum, checksumData(dv, 54, plen));
      let ck = checksumFinish(sum);
      if (ck === 0 && nh === IpProtocol.Udp) ck = 0xffff;
      dv.setUint16(54 + at, ck);
    }
  }

  transmitBegin(_now: number, len: number): number {
    return len <= this.txBytes.length ? 0 : -1;
  }

  transmitCommit(): void {
    this.transmitted++;
  }
}

function checksumFold32(v: number): number {
  return ((v & 0xffff) + (v >>> 16)) & 0xffff;
}

function writeV6(dv: DataView, at: number, a: Ipv6Address): void {
  dv.setInt32(at, a.w0);
  dv.setInt32(at + 4, a.w1);
  dv.setInt32(at + 8, a.w2);
  dv.setInt32(at + 12, a.w3);
}

/** The interface, its sockets and the fuzz device (see the file comment). */
export class TcpFuzzRig {
  readonly iface: Interface;
  readonly dev: TcpFuzzDevice;
  readonly sockets = new SocketSet(12);
  readonly tcp: TcpSocket[] = [];
  readonly udp: UdpSocket[] = [];
  readonly icmp: IcmpSocket;
  readonly raw: RawSocket;
  readonly sink = new Uint8Array(2048);
  readonly chunk = new Uint8Array(300);
  private readonly peer4 = IpEndpoint.of(IpAddress.v4(PEER_IP), 9000);
  private readonly peer6 = IpEndpoint.of(IpAddress.v6(PEER_IP6), 9000);
  /** Simulated time (int32, wrapping). */
  now: number;
  /** Connections re-opened after they ended. */
  reopened = 0;
  /** Octets the application read and wrote. */
  readOctets = 0;
  writtenOctets = 0;

  constructor(seed: number) {
    const config = new Config();
    config.neighborExpiry = 24 * 3600 * 1000;
    this.iface = new Interface(OUR_MAC, config, new SeededSource(seed ^ 0x1eaf));
    this.iface.addIpv4Address(new Ipv4Cidr(OUR_IP, 24));
    this.iface.addIpv6Address(new Ipv6Cidr(OUR_IP6, 64));
    this.iface.joinMulticastGroup(ipv4Parse("224.0.0.251"));
    this.dev = new TcpFuzzDevice(seed);
    this.now = (0x7fffffff - 5000) | 0;
    const peerMac = EthernetAddress.parse("02-00-00-00-00-01");
    this.iface.neighbors.fill(IpAddress.v4(PEER_IP), peerMac, this.now);
    this.iface.neighbors.fill(IpAddress.v6(PEER_IP6), peerMac, this.now);
    // TCP: two listeners on 8000 (the captures' port) and one on 80; an active connection over
    // IPv4 and one over IPv6 (from our ports 50000 and 50001 to the peer's 9000).
    for (let i = 0; i < 5; i++) {
      const s = new TcpSocket(2048 + 1024 * i, 2048, i === 4 ? 32 : 4);
      s.ackDelay = i === 1 ? 0 : 10;
      this.sockets.add(s);
      this.tcp.push(s);
    }
    this.tcp[0].listen(8000, this.iface);
    this.tcp[1].listen(8000, this.iface);
    this.tcp[2].listen(80, this.iface);
    this.tcp[3].connect(this.iface, this.peer4, 50000);
    this.tcp[4].connect(this.iface, this.peer6, 50001);
    this.dev.targets = [
      new Target(this.tcp[0], false, 40000, 8000, true),
      new Target(this.tcp[1], true, 40001, 8000, true),
      new Target(this.tcp[2], false, 40002, 80, true),
      new Target(this.tcp[3], false, 9000, 50000, false),
      new Target(this.tcp[4], true, 9000, 50001, false),
    ];
    for (const port of [7777, 8000, 6969]) {
      const u = new UdpSocket(4, 2048, 4, 2048);
      u.bind(port);
      this.sockets.add(u);
      this.udp.push(u);
    }
    this.icmp = new IcmpSocket(4, 2048, 4, 2048);
    this.icmp.bindUdp(IpEndpoint.parse("50001"));
    this.sockets.add(this.icmp);
    this.raw = new RawSocket(IpVersion.Ipv4, IpProtocol.Igmp, 4, 2048, 4, 2048);
    this.sockets.add(this.raw);
    for (let i = 0; i < this.chunk.length; i++) this.chunk[i] = (i * 31 + 7) & 0xff;
  }

  /** One poll with `burst` frames, then the application's turn. The clock moves 1 to 16 ms. */
  step(burst: number): void {
    this.stepPacketPath(burst);
    this.application();
  }

  /** One poll with `burst` fuzzed frames, without the application's turn (the packet path alone). */
  stepPacketPath(burst: number): void {
    this.dev.burst = burst;
    this.iface.poll(this.now, this.dev, this.sockets);
    this.now = (this.now + 1 + (this.dev.next() & 15)) | 0;
  }

  private application(): void {
    const sink = this.sink;
    for (let i = 0; i < this.udp.length; i++) while (this.udp[i].recvSlice(sink, 0, sink.length) >= 0);
    while (this.icmp.recvSlice(sink, 0, sink.length) >= 0);
    while (this.raw.recvSlice(sink, 0, sink.length) >= 0);
    const targets = this.dev.targets;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i];
      const s = t.sock;
      for (;;) {
        const n = s.recv(sink, 0, sink.length);
        if (n <= 0) break;
        this.readOctets += n;
      }
      const st = s.state;
      if (s.canSend) {
        const r = this.dev.next();
        this.writtenOctets += s.send(this.chunk, 0, r % this.chunk.length);
        if ((r & 0x3ff) === 0) s.close();
      } else if (st === TcpState.CloseWait) {
        s.close();
      }
      if (st === TcpState.Closed) {
        s.takeError();
        this.reopened++;
        if (t.passive) s.listen(t.ourPort, this.iface);
        else s.connect(this.iface, t.v6 ? this.peer6 : this.peer4, t.ourPort);
      }
    }
  }

  /** The first invariant broken: counters, or a TCP socket's; null when all hold. */
  problem(): string | null {
    const s = this.iface.stats;
    if (s.rxFrames !== s.rxProcessed + s.rxDropped()) return "counters do not add up";
    for (let i = 0; i < this.tcp.length; i++) {
      const p = tcpInvariantProblem(this.tcp[i]);
      if (p !== null) return "tcp socket " + i + " (" + this.tcp[i].state + "): " + p;
    }
    return null;
  }

  /** How many TCP sockets are in each state (index: `TcpState`). */
  states(out: Int32Array): Int32Array {
    out.fill(0);
    for (let i = 0; i < this.tcp.length; i++) out[this.tcp[i].state]++;
    return out;
  }
}

/**
 * Runs `frames` frames through a rig, one per poll, checking the invariants after every frame
 * (`checkEvery` 1) or every `checkEvery` frames. Returns the first problem ("frame N: ...") or null.
 * A throw from `poll` is caught and returned as a problem.
 */
export function fuzzTcp(r: TcpFuzzRig, frames: number, checkEvery = 1): string | null {
  for (let i = 0; i < frames; i++) {
    try {
      r.step(1);
    } catch (e) {
      return "frame " + i + ": poll or the application threw: " + (e instanceof Error ? e.stack ?? e.message : String(e));
    }
    if (i % checkEvery === 0) {
      const p = r.problem();
      if (p !== null) return "frame " + i + ": " + p;
    }
  }
  return null;
}
