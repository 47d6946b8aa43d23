/**
 * Internet Protocol version 6 fixed headers (RFC 8200 §3).
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                                                               +
 * |                                                               |
 * +                         Source Address                        +
 * |                                                               |
 * +                                                               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                                                               +
 * |                                                               |
 * +                      Destination Address                      +
 * |                                                               |
 * +                                                               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * The fixed header is 40 octets and has no checksum: RFC 8200 §8.1 moves that duty to the upper
 * layer, whose checksum covers a pseudo-header with both addresses (`checksumPseudoV6`).
 *
 * Lengths. "Payload Length: 16-bit unsigned integer. Length of the IPv6 payload, i.e., the rest of
 * the packet following this IPv6 header, in octets. (Note that any extension headers [...] present
 * are considered part of the payload, i.e., included in the length count.)" `check()` requires 40
 * octets of buffer and then a buffer of at least `40 + payload length` octets (else Truncated).
 * The buffer may be longer: Ethernet pads a short frame to 60 octets, so the packet is measured
 * by the Payload Length field (`totalLen()`), never by the buffer. `checkHeader()` stops before
 * the second test; it is what the invoking packet quoted in an ICMPv6 error needs, since that
 * quote is cut to fit the minimum MTU (RFC 4443 §2.4 (c)).
 *
 * Version. `Ipv6Repr.parse` returns Malformed unless the Version field is 6. (RFC 8200 does not
 * spell out the receiver's duty; a packet of another version carried under EtherType 0x86dd is
 * not an IPv6 packet, and every stack drops it.)
 *
 * What the repr keeps: addresses, next header, payload length and hop limit, as smoltcp's
 * `Ipv6Repr` does. Traffic Class and Flow Label are read by the view but not kept: `emit` writes
 * 0 for both. RFC 6437 §3 allows a source that does not label flows to send Flow Label 0, and no
 * DSCP or ECN is interpreted.
 *
 * Deliberate choices and what is NOT supported:
 * - **Jumbograms (RFC 2675) are not supported.** A jumbogram has Payload Length 0 and a
 *   Hop-by-Hop header carrying the Jumbo Payload option; `Ipv6Repr.parse` returns Unsupported for
 *   Payload Length 0 with Next Header 0 (Hop-by-Hop), the one combination a jumbogram has, since
 *   any other Hop-by-Hop header would not fit in an empty payload.
 * - Extension headers are walked by `ipv6-ext.ts`, not here: `nextHeader` is the value of the
 *   fixed header's field, which may name an extension header.
 * - The hop limit is not checked on receive (a host does not forward); RFC 4861 §7.1.1's
 *   hop limit 255 rule for Neighbor Discovery is the interface's (see `ndisc.ts`).
 * - `emit` writes a Payload Length modulo 2^16: the caller keeps `payloadLen <= 65535`.
 */

import { WireError } from "./error.js";
import { ipProtocolName, Ipv6Address } from "./ip.js";
import { PacketView } from "./view.js";

// Field offsets.
const VER_TC_FLOW = 0;
const PAYLOAD_LEN = 4;
const NEXT_HEADER = 6;
const HOP_LIMIT = 7;
const SRC_ADDR = 8;
const DST_ADDR = 24;
/** Length of the IPv6 fixed header. */
export const IPV6_HEADER_LEN = 40;

/**
 * RFC 8200 §5: "IPv6 requires that every link in the Internet have an MTU of 1280 octets or
 * greater." The size an ICMPv6 error may not exceed (RFC 4443 §2.4 (c)).
 */
export const IPV6_MIN_MTU = 1280;

/** The hop limit this stack uses when nothing else is configured (the IANA default, 64). */
export const IPV6_DEFAULT_HOP_LIMIT = 64;

/** Offset of the Next Header field in the fixed header (the ICMPv6 Parameter Problem pointer for it). */
export const IPV6_NEXT_HEADER_FIELD = NEXT_HEADER;

/**
 * A view of an IPv6 packet in a byte buffer. Created once, re-pointed at each packet with
 * `reset`. After `check()` (or `checkHeader()` for the fixed header alone) has returned
 * `WireError.Ok`, every accessor stays inside the packet.
 */
export class Ipv6Packet extends PacketView {
  /** Validates the fixed header only: the buffer holds 40 octets. */
  checkHeader(): WireError {
    return this.len < IPV6_HEADER_LEN ? WireError.Truncated : WireError.Ok;
  }

  /** Validates every length the accessors use: the fixed header, and `totalLen()` octets of buffer. */
  check(): WireError {
    if (this.len < IPV6_HEADER_LEN) return WireError.Truncated;
    if (this.len < IPV6_HEADER_LEN + this.dv.getUint16(this.off + PAYLOAD_LEN)) return WireError.Truncated;
    return WireError.Ok;
  }

  version(): number {
    return this.dv.getUint8(this.off + VER_TC_FLOW) >>> 4;
  }

  /** Traffic Class: DSCP (six bits) and ECN (two bits), RFC 8200 §7. */
  trafficClass(): number {
    return (this.dv.getUint16(this.off + VER_TC_FLOW) >>> 4) & 0xff;
  }

  /** Flow Label, 20 bits (RFC 6437). */
  flowLabel(): number {
    return this.dv.getInt32(this.off + VER_TC_FLOW) & 0xfffff;
  }

  /** The Payload Length field: octets after the fixed header, extension headers included. */
  payloadLen(): number {
    return this.dv.getUint16(this.off + PAYLOAD_LEN);
  }

  nextHeader(): number {
    return this.dv.getUint8(this.off + NEXT_HEADER);
  }

  hopLimit(): number {
    return this.dv.getUint8(this.off + HOP_LIMIT);
  }

  /** Reads the source address into `out`. */
  srcAddr(out: Ipv6Address): Ipv6Address {
    return out.read(this.dv, this.off + SRC_ADDR);
  }

  /** Reads the destination address into `out`. */
  dstAddr(out: Ipv6Address): Ipv6Address {
    return out.read(this.dv, this.off + DST_ADDR);
  }

  /** Length of the fixed header (always 40; extension headers belong to the payload). */
  headerLen(): number {
    return IPV6_HEADER_LEN;
  }

  /** Length of the packet as its header says: 40 plus the Payload Length field. */
  totalLen(): number {
    return IPV6_HEADER_LEN + this.dv.getUint16(this.off + PAYLOAD_LEN);
  }

  /** Offset of the payload (the first extension header or the upper-layer header) in `bytes`. */
  payloadOffset(): number {
    return this.off + IPV6_HEADER_LEN;
  }

  setVersion(v: number): void {
    const dv = this.dv;
    const off = this.off + VER_TC_FLOW;
    dv.setUint8(off, (dv.getUint8(off) & 0x0f) | ((v & 0x0f) << 4));
  }

  setTrafficClass(tc: number): void {
    const dv = this.dv;
    const off = this.off + VER_TC_FLOW;
    dv.setUint16(off, (dv.getUint16(off) & 0xf00f) | ((tc & 0xff) << 4));
  }

  setFlowLabel(label: number): void {
    const dv = this.dv;
    const off = this.off + VER_TC_FLOW;
    dv.setInt32(off, (dv.getInt32(off) & ~0xfffff) | (label & 0xfffff));
  }

  setPayloadLen(len: number): void {
    this.dv.setUint16(this.off + PAYLOAD_LEN, len);
  }

  setNextHeader(nh: number): void {
    this.dv.setUint8(this.off + NEXT_HEADER, nh);
  }

  setHopLimit(h: number): void {
    this.dv.setUint8(this.off + HOP_LIMIT, h);
  }

  setSrcAddr(a: Ipv6Address): void {
    a.write(this.dv, this.off + SRC_ADDR);
  }

  setDstAddr(a: Ipv6Address): void {
    a.write(this.dv, this.off + DST_ADDR);
  }
}

/** The high-level meaning of an IPv6 fixed header. */
export class Ipv6Repr {
  /** Source address (owned: overwritten in place). */
  readonly srcAddr = new Ipv6Address();
  /** Destination address (owned: overwritten in place). */
  readonly dstAddr = new Ipv6Address();
  /** The fixed header's Next Header field: an extension header or an upper-layer `IpProtocol`. */
  nextHeader = 0;
  /** The Payload Length field: extension headers and upper-layer data. */
  payloadLen = 0;
  /** Hop Limit. */
  hopLimit = IPV6_DEFAULT_HOP_LIMIT;

  /** Sets every field for an outgoing packet (addresses are copied). Returns `this`. */
  set(srcAddr: Ipv6Address, dstAddr: Ipv6Address, nextHeader: number, payloadLen: number, hopLimit: number): this {
    this.srcAddr.copyFrom(srcAddr);
    this.dstAddr.copyFrom(dstAddr);
    this.nextHeader = nextHeader;
    this.payloadLen = payloadLen;
    this.hopLimit = hopLimit;
    return this;
  }

  /** Copies another repr into this one. */
  copyFrom(o: Ipv6Repr): this {
    return this.set(o.srcAddr, o.dstAddr, o.nextHeader, o.payloadLen, o.hopLimit);
  }

  /**
   * Fills this repr from a packet: checks it (the buffer must hold `totalLen()` octets), requires
   * version 6 (else Malformed), and refuses jumbograms (Unsupported).
   */
  parse(packet: Ipv6Packet): WireError {
    const err = packet.check();
    if (err !== WireError.Ok) return err;
    if (packet.version() !== 6) return WireError.Malformed;
    // RFC 2675 §3: "The Payload Length field in the IPv6 header must be set to zero in every
    // packet that carries the Jumbo Payload option."
    if (packet.payloadLen() === 0 && packet.nextHeader() === 0) return WireError.Unsupported;
    this.fill(packet);
    return WireError.Ok;
  }

  /**
   * Fills this repr from the invoking packet quoted in an ICMPv6 error (RFC 4443: "As much of
   * invoking packet as possible without the ICMPv6 packet exceeding the minimum IPv6 MTU"). The
   * quote may be cut short, so only the fixed header must be present (`checkHeader()`), and
   * `payloadLen` is what the original header says, not what was quoted. Version 6 is required
   * (else Malformed).
   */
  parseQuoted(packet: Ipv6Packet): WireError {
    const err = packet.checkHeader();
    if (err !== WireError.Ok) return err;
    if (packet.version() !== 6) return WireError.Malformed;
    this.fill(packet);
    return WireError.Ok;
  }

  private fill(packet: Ipv6Packet): void {
    const dv = packet.dv;
    const off = packet.off;
    this.srcAddr.read(dv, off + SRC_ADDR);
    this.dstAddr.read(dv, off + DST_ADDR);
    this.nextHeader = dv.getUint8(off + NEXT_HEADER);
    this.payloadLen = dv.getUint16(off + PAYLOAD_LEN);
    this.hopLimit = dv.getUint8(off + HOP_LIMIT);
  }

  /** Length of the header this repr emits (the fixed header). */
  headerLen(): number {
    return IPV6_HEADER_LEN;
  }

  /** Length of the packet this repr describes: fixed header and `payloadLen`. */
  bufferLen(): number {
    return IPV6_HEADER_LEN + this.payloadLen;
  }

  /**
   * Writes the 40-octet fixed header into `packet`: version 6, Traffic Class 0, Flow Label 0,
   * and the fields of this repr.
   */
  emit(packet: Ipv6Packet): void {
    const dv = packet.dv;
    const off = packet.off;
    dv.setInt32(off + VER_TC_FLOW, 0x60000000);
    dv.setUint16(off + PAYLOAD_LEN, this.payloadLen);
    dv.setUint8(off + NEXT_HEADER, this.nextHeader);
    dv.setUint8(off + HOP_LIMIT, this.hopLimit);
    this.srcAddr.write(dv, off + SRC_ADDR);
    this.dstAddr.write(dv, off + DST_ADDR);
  }

  toString(): string {
    return "IPv6 src=" + this.srcAddr + " dst=" + this.dstAddr + " nxt=" + ipProtocolName(this.nextHeader) +
      " hop_limit=" + this.hopLimit + " len=" + this.payloadLen;
  }
}
