/**
 * Internet Protocol version 4 headers (RFC 791, with the host requirements of RFC 1122 §3.2.1).
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |   DSCP    |ECN|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options                    |    Padding    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * The second octet was the Type of Service of RFC 791; RFC 2474 and RFC 3168 split it into the
 * Differentiated Services Code Point (six bits) and Explicit Congestion Notification (two bits).
 * Flags are, from the most significant bit: reserved ("must be zero"), DF ("Don't Fragment"),
 * MF ("More Fragments"). The fragment offset "is measured in units of 8 octets (64 bits)"; the
 * view's accessors take and return it in octets, as smoltcp's do.
 *
 * Lengths. "Internet Header Length is the length of the internet header in 32 bit words [...]
 * Note that the minimum value for a correct header is 5", and "Total Length is the length of the
 * datagram, measured in octets, including internet header and data". `check()` therefore
 * requires, in this order: 20 octets of buffer (else Truncated), IHL >= 5 (else Malformed), a
 * buffer of IHL * 4 octets (Truncated), a total length of at least IHL * 4 (Malformed), and a
 * buffer of at least the total length (Truncated). The buffer may be longer than the total length:
 * an Ethernet frame pads a short datagram to 60 octets, so the payload is measured by the total
 * length, never by the buffer. `checkHeader()` stops before the last test; it is what a quoted
 * header inside an ICMP error needs, since the quote holds only the start of the datagram.
 *
 * Checksum. "The checksum field is the 16 bit one's complement of the one's complement sum of all
 * 16 bit words in the header. For purposes of computing the checksum, the value of the checksum
 * field is zero." RFC 1122 §3.2.1.2: "A host MUST verify the IP header checksum on every received
 * datagram and silently discard every datagram that has a bad checksum"; `Ipv4Repr.parse` does
 * so unless the device's `ChecksumCapabilities.ipv4` says the hardware has done it. RFC 1122
 * §3.2.1.1: "A datagram whose version number is not 4 MUST be silently discarded": `parse`
 * returns Malformed for it.
 *
 * What the repr keeps. Besides addresses, protocol, payload length and TTL (named `nextHeader`
 * and `hopLimit`, as smoltcp names them, so that IPv4 and IPv6 reprs read alike), `Ipv4Repr`
 * keeps `ident` and `dontFragment`, which `emit` writes, and the two fragment facts
 * `moreFragments` and `fragmentOffset`, which only `parse` fills: this stack neither fragments nor
 * reassembles, so `parse` accepts a fragment (it is a well-formed datagram) and reports it, and
 * the interface counts and drops it (`isFragment()`). `emit` always writes MF = 0 and offset 0.
 *
 * Deliberate choices and what is NOT supported:
 * - **Fragmentation and reassembly are not supported** (RFC 1122 §3.3.2 asks a host to
 *   reassemble; smoltcp too does without it unless built with `proto-ipv4-fragmentation`).
 * - `emit` sets DF, as smoltcp does (its `Ipv4Repr::emit` calls `set_dont_frag(true)`): a stack
 *   that cannot fragment lets the path tell it, with ICMP "fragmentation needed" (RFC 1191),
 *   that a datagram is too big. `dontFragment = false` clears it. Identification is 0 unless
 *   `ident` says otherwise: RFC 6864 §4.1 lets the ID of an atomic datagram (DF = 1, MF = 0,
 *   offset 0) take any value.
 * - **Options are accepted and skipped**: the header length covers them (and the checksum), the
 *   payload starts after them, and none is interpreted. RFC 1122 §3.2.1.8 asks IP to pass
 *   received options to the transport layer and a host to be the final destination of a source
 *   route; this stack does neither, nor record route or timestamp. `emit` writes no options
 *   (IHL 5). DSCP and ECN are read but not interpreted; `emit` writes 0 for both.
 * - The reserved flag bit is ignored on receive and written as 0.
 * - TTL is not checked on receive (a host does not forward).
 * - `emit` wraps a total length above 65535 modulo 2^16: the caller keeps
 *   `payloadLen <= 65515`.
 */

import { WireError } from "./error.js";
import { ChecksumCapabilities, checksumData, checksumRx, checksumTx } from "./checksum.js";
import { ipProtocolName, ipv4Format } from "./ip.js";
import { PacketView } from "./view.js";

// Field offsets.
const VER_IHL = 0;
const DSCP_ECN = 1;
const LENGTH = 2;
const IDENT = 4;
const FLG_OFF = 6;
const TTL = 8;
const PROTOCOL = 9;
const CHECKSUM = 10;
const SRC_ADDR = 12;
const DST_ADDR = 16;
/** Length of an IPv4 header without options (IHL 5). */
export const IPV4_HEADER_LEN = 20;

/**
 * RFC 791: "Every internet destination must be able to receive a datagram of 576 octets either in
 * one piece or in fragments to be reassembled." The size an ICMP error may not exceed (RFC 1812
 * §4.3.2.3) and the smallest MTU a host may assume.
 */
export const IPV4_MIN_MTU = 576;

/** The TTL this stack uses when nothing else is configured (RFC 1700 / IANA default). */
export const IPV4_DEFAULT_TTL = 64;

// Flag bits of the flags/fragment offset word.
const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;
const OFFSET_MASK = 0x1fff;

/**
 * A view of an IPv4 datagram in a byte buffer. Created once, re-pointed at each datagram with
 * `reset`. After `check()` has returned `WireError.Ok`, every accessor stays inside the datagram.
 */
export class Ipv4Packet extends PacketView {
  /**
   * Validates the header's own lengths: 20 octets, IHL >= 5, the whole header (options included)
   * in the buffer, and a total length that covers the header. It does not require the buffer to
   * hold `totalLen()` octets (see `check`).
   */
  checkHeader(): WireError {
    const len = this.len;
    if (len < IPV4_HEADER_LEN) return WireError.Truncated;
    const hlen = (this.dv.getUint8(this.off + VER_IHL) & 0x0f) << 2;
    if (hlen < IPV4_HEADER_LEN) return WireError.Malformed;
    if (len < hlen) return WireError.Truncated;
    if (this.dv.getUint16(this.off + LENGTH) < hlen) return WireError.Malformed;
    return WireError.Ok;
  }

  /** Validates every length the accessors use, and that the buffer holds `totalLen()` octets. */
  check(): WireError {
    const err = this.checkHeader();
    if (err !== WireError.Ok) return err;
    return this.len < this.dv.getUint16(this.off + LENGTH) ? WireError.Truncated : WireError.Ok;
  }

  /** The version field (4 for IPv4). */
  version(): number {
    return this.dv.getUint8(this.off + VER_IHL) >>> 4;
  }

  /** The header length in octets (IHL * 4). */
  headerLen(): number {
    return (this.dv.getUint8(this.off + VER_IHL) & 0x0f) << 2;
  }

  /** The Differentiated Services Code Point (RFC 2474), six bits. */
  dscp(): number {
    return this.dv.getUint8(this.off + DSCP_ECN) >>> 2;
  }

  /** The Explicit Congestion Notification field (RFC 3168), two bits. */
  ecn(): number {
    return this.dv.getUint8(this.off + DSCP_ECN) & 0x03;
  }

  /** Total length of the datagram, header included, in octets. */
  totalLen(): number {
    return this.dv.getUint16(this.off + LENGTH);
  }

  /** The Identification field. */
  ident(): number {
    return this.dv.getUint16(this.off + IDENT);
  }

  /** The DF ("Don't Fragment") flag. */
  dontFrag(): boolean {
    return (this.dv.getUint16(this.off + FLG_OFF) & FLAG_DF) !== 0;
  }

  /** The MF ("More Fragments") flag. */
  moreFrags(): boolean {
    return (this.dv.getUint16(this.off + FLG_OFF) & FLAG_MF) !== 0;
  }

  /** The fragment offset, in octets (the field times 8). */
  fragOffset(): number {
    return (this.dv.getUint16(this.off + FLG_OFF) & OFFSET_MASK) << 3;
  }

  /** Time to Live. */
  ttl(): number {
    return this.dv.getUint8(this.off + TTL);
  }

  /** The Protocol field (an `IpProtocol`). */
  protocol(): number {
    return this.dv.getUint8(this.off + PROTOCOL);
  }

  /** The Header Checksum field. */
  checksum(): number {
    return this.dv.getUint16(this.off + CHECKSUM);
  }

  /** The source address, int32. */
  srcAddr(): number {
    return this.dv.getInt32(this.off + SRC_ADDR);
  }

  /** The destination address, int32. */
  dstAddr(): number {
    return this.dv.getInt32(this.off + DST_ADDR);
  }

  /** Whether the header checksum verifies (options included). */
  verifyChecksum(): boolean {
    return checksumData(this.dv, this.off, this.headerLen()) === 0xffff;
  }

  /** Offset of the payload (after any options) in `bytes`. */
  payloadOffset(): number {
    return this.off + this.headerLen();
  }

  /** Length of the payload as the total length says (not the buffer: it may hold padding). */
  payloadLen(): number {
    return this.totalLen() - this.headerLen();
  }

  setVersion(v: number): void {
    const dv = this.dv;
    const o = this.off + VER_IHL;
    dv.setUint8(o, (dv.getUint8(o) & 0x0f) | ((v & 0x0f) << 4));
  }

  /** Sets IHL from a header length in octets (a multiple of 4, 20..60). */
  setHeaderLen(octets: number): void {
    const dv = this.dv;
    const o = this.off + VER_IHL;
    dv.setUint8(o, (dv.getUint8(o) & 0xf0) | ((octets >>> 2) & 0x0f));
  }

  setDscp(v: number): void {
    const dv = this.dv;
    const o = this.off + DSCP_ECN;
    dv.setUint8(o, (dv.getUint8(o) & 0x03) | ((v & 0x3f) << 2));
  }

  setEcn(v: number): void {
    const dv = this.dv;
    const o = this.off + DSCP_ECN;
    dv.setUint8(o, (dv.getUint8(o) & 0xfc) | (v & 0x03));
  }

  setTotalLen(v: number): void {
    this.dv.setUint16(this.off + LENGTH, v);
  }

  setIdent(v: number): void {
    this.dv.setUint16(this.off + IDENT, v);
  }

  /** Clears the three flag bits, keeping the fragment offset. */
  clearFlags(): void {
    const dv = this.dv;
    const o = this.off + FLG_OFF;
    dv.setUint16(o, dv.getUint16(o) & OFFSET_MASK);
  }

  setDontFrag(v: boolean): void {
    const dv = this.dv;
    const o = this.off + FLG_OFF;
    const w = dv.getUint16(o);
    dv.setUint16(o, v ? w | FLAG_DF : w & ~FLAG_DF);
  }

  setMoreFrags(v: boolean): void {
    const dv = this.dv;
    const o = this.off + FLG_OFF;
    const w = dv.getUint16(o);
    dv.setUint16(o, v ? w | FLAG_MF : w & ~FLAG_MF);
  }

  /** Sets the fragment offset from a value in octets (a multiple of 8), keeping the flags. */
  setFragOffset(octets: number): void {
    const dv = this.dv;
    const o = this.off + FLG_OFF;
    dv.setUint16(o, (dv.getUint16(o) & ~OFFSET_MASK) | ((octets >>> 3) & OFFSET_MASK));
  }

  setTtl(v: number): void {
    this.dv.setUint8(this.off + TTL, v);
  }

  setProtocol(v: number): void {
    this.dv.setUint8(this.off + PROTOCOL, v);
  }

  setChecksum(v: number): void {
    this.dv.setUint16(this.off + CHECKSUM, v);
  }

  setSrcAddr(a: number): void {
    this.dv.setInt32(this.off + SRC_ADDR, a);
  }

  setDstAddr(a: number): void {
    this.dv.setInt32(this.off + DST_ADDR, a);
  }

  /** Computes and writes the header checksum over `headerLen()` octets. */
  fillChecksum(): void {
    const dv = this.dv;
    const off = this.off;
    dv.setUint16(off + CHECKSUM, 0);
    dv.setUint16(off + CHECKSUM, ~checksumData(dv, off, this.headerLen()) & 0xffff);
  }
}

/** The high-level meaning of an IPv4 header. */
export class Ipv4Repr {
  /** Source address, int32. */
  srcAddr = 0;
  /** Destination address, int32. */
  dstAddr = 0;
  /** The Protocol field (an `IpProtocol`). */
  nextHeader = 0;
  /** Length of the payload (total length minus header length). */
  payloadLen = 0;
  /** Time to Live. */
  hopLimit = IPV4_DEFAULT_TTL;
  /** Identification: `parse` reads it, `emit` writes it (0 unless set). */
  ident = 0;
  /** DF: `parse` reads it, `emit` writes it (true by default, as smoltcp emits). */
  dontFragment = true;
  /** MF, as parsed. `emit` ignores it: this stack never sends fragments. */
  moreFragments = false;
  /** Fragment offset in octets, as parsed. `emit` ignores it. */
  fragmentOffset = 0;

  /**
   * Sets every field for an outgoing datagram: the given ones, identification 0, DF set, not a
   * fragment. Returns `this`.
   */
  set(srcAddr: number, dstAddr: number, nextHeader: number, payloadLen: number, hopLimit: number): this {
    this.srcAddr = srcAddr | 0;
    this.dstAddr = dstAddr | 0;
    this.nextHeader = nextHeader;
    this.payloadLen = payloadLen;
    this.hopLimit = hopLimit;
    this.ident = 0;
    this.dontFragment = true;
    this.moreFragments = false;
    this.fragmentOffset = 0;
    return this;
  }

  /** Copies another repr into this one. */
  copyFrom(o: Ipv4Repr): this {
    this.srcAddr = o.srcAddr;
    this.dstAddr = o.dstAddr;
    this.nextHeader = o.nextHeader;
    this.payloadLen = o.payloadLen;
    this.hopLimit = o.hopLimit;
    this.ident = o.ident;
    this.dontFragment = o.dontFragment;
    this.moreFragments = o.moreFragments;
    this.fragmentOffset = o.fragmentOffset;
    return this;
  }

  /**
   * Fills this repr from a datagram: checks it, requires version 4 (else Malformed) and, if
   * `checksumRx(caps.ipv4)`, a valid header checksum (else Checksum). Fragments parse: see
   * `isFragment()`.
   */
  parse(packet: Ipv4Packet, caps: ChecksumCapabilities): WireError {
    const err = packet.check();
    if (err !== WireError.Ok) return err;
    if (packet.version() !== 4) return WireError.Malformed;
    if (checksumRx(caps.ipv4) && !packet.verifyChecksum()) return WireError.Checksum;
    this.fill(packet);
    return WireError.Ok;
  }

  /**
   * Fills this repr from the IPv4 header quoted in an ICMP error (RFC 792: "Internet Header + 64
   * bits of Original Data Datagram"). The quote holds the header and only the start of the
   * datagram, so the buffer need not hold the total length (`checkHeader()`, not `check()`), and
   * `payloadLen` is the original payload's length as its header says, not what was quoted. The
   * checksum is not verified: a router quotes the header as it received it, and hosts do not
   * check it (a NAT may have rewritten it). Version 4 is required (else Malformed).
   */
  parseQuoted(packet: Ipv4Packet): WireError {
    const err = packet.checkHeader();
    if (err !== WireError.Ok) return err;
    if (packet.version() !== 4) return WireError.Malformed;
    this.fill(packet);
    return WireError.Ok;
  }

  private fill(packet: Ipv4Packet): void {
    const dv = packet.dv;
    const off = packet.off;
    const flags = dv.getUint16(off + FLG_OFF);
    this.srcAddr = dv.getInt32(off + SRC_ADDR);
    this.dstAddr = dv.getInt32(off + DST_ADDR);
    this.nextHeader = dv.getUint8(off + PROTOCOL);
    this.payloadLen = dv.getUint16(off + LENGTH) - ((dv.getUint8(off + VER_IHL) & 0x0f) << 2);
    this.hopLimit = dv.getUint8(off + TTL);
    this.ident = dv.getUint16(off + IDENT);
    this.dontFragment = (flags & FLAG_DF) !== 0;
    this.moreFragments = (flags & FLAG_MF) !== 0;
    this.fragmentOffset = (flags & OFFSET_MASK) << 3;
  }

  /** Whether the parsed datagram is a fragment (MF set or a non-zero offset). */
  isFragment(): boolean {
    return this.moreFragments || this.fragmentOffset !== 0;
  }

  /** Length of the header this repr emits (no options). */
  headerLen(): number {
    return IPV4_HEADER_LEN;
  }

  /** Length of the datagram this repr describes: header and `payloadLen`. */
  bufferLen(): number {
    return IPV4_HEADER_LEN + this.payloadLen;
  }

  /**
   * Writes a 20-octet header into `packet` (IHL 5, DSCP and ECN 0, MF 0, offset 0) and, if
   * `checksumTx(caps.ipv4)`, its checksum; otherwise the checksum field is 0 (smoltcp does the
   * same, so that hardware that fills it finds a known value).
   */
  emit(packet: Ipv4Packet, caps: ChecksumCapabilities): void {
    const dv = packet.dv;
    const off = packet.off;
    dv.setUint8(off + VER_IHL, 0x45);
    dv.setUint8(off + DSCP_ECN, 0);
    dv.setUint16(off + LENGTH, IPV4_HEADER_LEN + this.payloadLen);
    dv.setUint16(off + IDENT, this.ident);
    dv.setUint16(off + FLG_OFF, this.dontFragment ? FLAG_DF : 0);
    dv.setUint8(off + TTL, this.hopLimit);
    dv.setUint8(off + PROTOCOL, this.nextHeader);
    dv.setUint16(off + CHECKSUM, 0);
    dv.setInt32(off + SRC_ADDR, this.srcAddr);
    dv.setInt32(off + DST_ADDR, this.dstAddr);
    if (checksumTx(caps.ipv4)) {
      dv.setUint16(off + CHECKSUM, ~checksumData(dv, off, IPV4_HEADER_LEN) & 0xffff);
    }
  }

  toString(): string {
    let s = "IPv4 src=" + ipv4Format(this.srcAddr) + " dst=" + ipv4Format(this.dstAddr) +
      " proto=" + ipProtocolName(this.nextHeader) + " ttl=" + this.hopLimit + " len=" + this.payloadLen;
    if (this.dontFragment) s += " df";
    if (this.isFragment()) {
      s += " id=" + this.ident + " off=" + this.fragmentOffset;
      if (this.moreFragments) s += " mf";
    }
    return s;
  }
}
