/**
 * Ethernet II frames (IEEE 802.3 clause 3.2.6 with an EtherType, RFC 894) and MAC addresses.
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Destination address (6 octets)               |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                    Source address (6 octets)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           EtherType           |    Payload ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * The preamble, the frame check sequence and the padding to 60 octets belong to the device (an
 * ENC28J60 adds and strips them), so a frame here starts at the destination address and ends
 * with the payload. 802.3 length fields (EtherType < 0x0600) and 802.1Q tags are **not**
 * supported: such frames parse, and the interface drops them as an unknown EtherType.
 */

import { WireError } from "./error.js";
import { AddressParseError } from "./error.js";
import type { Ipv6Address } from "./ip.js";
import { PacketView } from "./view.js";

// Field offsets.
const DESTINATION = 0;
const SOURCE = 6;
const ETHERTYPE = 12;
/** Length of the Ethernet II header. */
export const ETHERNET_HEADER_LEN = 14;

/** Length of a MAC address in octets. */
export const ETHERNET_ADDRESS_LEN = 6;

/** EtherType values (IEEE "EtherType" registry). */
export const enum EtherType {
  Ipv4 = 0x0800,
  Arp = 0x0806,
  Ipv6 = 0x86dd,
}

/** A printable name for an EtherType (traces only). */
export function etherTypeName(t: number): string {
  switch (t) {
    case EtherType.Ipv4: return "IPv4";
    case EtherType.Arp: return "ARP";
    case EtherType.Ipv6: return "IPv6";
    default: return "0x" + t.toString(16).padStart(4, "0");
  }
}

/**
 * A 48-bit MAC address held as two integers: `hi`, the first two octets (0..0xffff), and `lo`,
 * the last four as an int32. Mutable on purpose: owners overwrite it in place.
 */
export class EthernetAddress {
  hi: number;
  lo: number;

  constructor(hi = 0, lo = 0) {
    this.hi = hi & 0xffff;
    this.lo = lo | 0;
  }

  /** Builds an address from six octets. */
  static fromOctets(a: number, b: number, c: number, d: number, e: number, f: number): EthernetAddress {
    return new EthernetAddress(((a & 0xff) << 8) | (b & 0xff), ((c & 0xff) << 24) | ((d & 0xff) << 16) | ((e & 0xff) << 8) | (f & 0xff));
  }

  /** Parses `"02-00-00-00-00-01"` or `"02:00:00:00:00:01"` (one separator used throughout). */
  static parse(text: string): EthernetAddress {
    if (!/^[0-9a-fA-F]{2}([-:])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(text)) {
      throw new AddressParseError("Ethernet address", text);
    }
    const o = text.split(/[-:]/).map((s) => parseInt(s, 16));
    return EthernetAddress.fromOctets(o[0], o[1], o[2], o[3], o[4], o[5]);
  }

  set(hi: number, lo: number): this {
    this.hi = hi & 0xffff;
    this.lo = lo | 0;
    return this;
  }

  copyFrom(other: EthernetAddress): this {
    this.hi = other.hi;
    this.lo = other.lo;
    return this;
  }

  /** Reads six octets at `off`. */
  read(dv: DataView, off: number): this {
    this.hi = dv.getUint16(off);
    this.lo = dv.getInt32(off + 2);
    return this;
  }

  /** Writes six octets at `off`. */
  write(dv: DataView, off: number): void {
    dv.setUint16(off, this.hi);
    dv.setInt32(off + 2, this.lo);
  }

  equals(other: EthernetAddress): boolean {
    return this.hi === other.hi && this.lo === other.lo;
  }

  /** Whether the six octets at `off` equal this address. */
  equalsAt(dv: DataView, off: number): boolean {
    return dv.getUint16(off) === this.hi && dv.getInt32(off + 2) === this.lo;
  }

  /** Octet `i` (0..5). */
  octet(i: number): number {
    return i < 2 ? (this.hi >>> (8 - 8 * i)) & 0xff : (this.lo >>> (24 - 8 * (i - 2))) & 0xff;
  }

  /** ff-ff-ff-ff-ff-ff */
  isBroadcast(): boolean {
    return this.hi === 0xffff && this.lo === -1;
  }

  /** The group bit (least significant bit of the first octet) is set; broadcast included. */
  isMulticast(): boolean {
    return (this.hi & 0x0100) !== 0;
  }

  /** An individual address: the group bit is clear. */
  isUnicast(): boolean {
    return (this.hi & 0x0100) === 0;
  }

  /** The locally administered bit (second least significant bit of the first octet) is set. */
  isLocal(): boolean {
    return (this.hi & 0x0200) !== 0;
  }

  /**
   * Sets this address to the one an IPv4 multicast group maps to (RFC 1112 §6.4):
   * 01-00-5e followed by the low 23 bits of the group address.
   */
  setIpv4Multicast(group: number): this {
    this.hi = 0x0100;
    this.lo = (0x5e000000 | (group & 0x007fffff)) | 0;
    return this;
  }

  /**
   * Sets this address to the one an IPv6 multicast address maps to (RFC 2464 §7):
   * 33-33 followed by the low 32 bits of the address.
   */
  setIpv6Multicast(group: Ipv6Address): this {
    this.hi = 0x3333;
    this.lo = group.w3;
    return this;
  }

  /** Formats as `02-00-00-00-00-01`, the notation smoltcp's examples use. */
  toString(): string {
    let s = "";
    for (let i = 0; i < 6; i++) {
      if (i > 0) s += "-";
      s += this.octet(i).toString(16).padStart(2, "0");
    }
    return s;
  }
}

/** ff-ff-ff-ff-ff-ff (frozen: copy from it, never into it). */
export const ETHERNET_BROADCAST: Readonly<EthernetAddress> = Object.freeze(new EthernetAddress(0xffff, -1));

/**
 * A view of an Ethernet II frame in a byte buffer. Created once, re-pointed at each frame with
 * `reset`. After `check()` has returned `WireError.Ok`, every accessor stays inside the frame.
 */
export class EthernetFrame extends PacketView {
  /** Validates the lengths the accessors use: the frame holds at least a header. */
  check(): WireError {
    return this.len < ETHERNET_HEADER_LEN ? WireError.Truncated : WireError.Ok;
  }

  /** Reads the destination address into `out`. */
  dstAddr(out: EthernetAddress): EthernetAddress {
    return out.read(this.dv, this.off + DESTINATION);
  }

  /** Reads the source address into `out`. */
  srcAddr(out: EthernetAddress): EthernetAddress {
    return out.read(this.dv, this.off + SOURCE);
  }

  etherType(): number {
    return this.dv.getUint16(this.off + ETHERTYPE);
  }

  setDstAddr(a: EthernetAddress): void {
    a.write(this.dv, this.off + DESTINATION);
  }

  setSrcAddr(a: EthernetAddress): void {
    a.write(this.dv, this.off + SOURCE);
  }

  setEtherType(t: number): void {
    this.dv.setUint16(this.off + ETHERTYPE, t);
  }

  /** Offset of the payload in `bytes`. */
  payloadOffset(): number {
    return this.off + ETHERNET_HEADER_LEN;
  }

  /** Length of the payload. */
  payloadLen(): number {
    return this.len - ETHERNET_HEADER_LEN;
  }
}

/** The high-level meaning of an Ethernet II header: addresses and EtherType. */
export class EthernetRepr {
  readonly srcAddr = new EthernetAddress();
  readonly dstAddr = new EthernetAddress();
  etherType = 0;

  /** Fills this repr from a frame; checks it first. */
  parse(frame: EthernetFrame): WireError {
    const err = frame.check();
    if (err !== WireError.Ok) return err;
    const dv = frame.dv;
    const off = frame.off;
    this.dstAddr.read(dv, off + DESTINATION);
    this.srcAddr.read(dv, off + SOURCE);
    this.etherType = dv.getUint16(off + ETHERTYPE);
    return WireError.Ok;
  }

  /** Length of the header this repr emits. */
  headerLen(): number {
    return ETHERNET_HEADER_LEN;
  }

  /** Length of a frame carrying `payloadLen` octets. */
  bufferLen(payloadLen: number): number {
    return ETHERNET_HEADER_LEN + payloadLen;
  }

  /** Writes the header into `frame`, which must have room for `headerLen()` octets. */
  emit(frame: EthernetFrame): void {
    const dv = frame.dv;
    const off = frame.off;
    this.dstAddr.write(dv, off + DESTINATION);
    this.srcAddr.write(dv, off + SOURCE);
    dv.setUint16(off + ETHERTYPE, this.etherType);
  }

  toString(): string {
    return "EthernetII src=" + this.srcAddr + " dst=" + this.dstAddr + " type=" + etherTypeName(this.etherType);
  }
}
