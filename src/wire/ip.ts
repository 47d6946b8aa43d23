/**
 * IP protocol numbers, IPv4 and IPv6 addresses, and CIDR blocks.
 *
 * Representation, chosen for XS:
 * - An **IPv4 address** is a plain number: the 32 bits in network order held as a signed int32
 *   (`192.168.69.1` is `0xc0a84501 | 0`, a negative number). Comparing, masking and copying cost
 *   nothing and allocate nothing. Read it from a packet with `dv.getInt32(off)`.
 * - An **IPv6 address** is an `Ipv6Address` object holding four int32 words `w0..w3` in network
 *   order. Objects are created at init (inside reprs, sockets, caches) and then overwritten in
 *   place with `read`/`copyFrom`; the packet path never creates one.
 * - A **CIDR** is an address and a prefix length (`Ipv4Cidr`, `Ipv6Cidr`).
 *
 * Text parsing and formatting are for configuration and traces, not for the packet path; parse
 * functions throw `AddressParseError` on bad text.
 */

import { AddressParseError } from "./error.js";

/** IP protocol numbers and IPv6 next-header values (IANA "Assigned Internet Protocol Numbers"). */
export const enum IpProtocol {
  HopByHop = 0,
  Icmp = 1,
  Igmp = 2,
  Tcp = 6,
  Udp = 17,
  Ipv6Route = 43,
  Ipv6Frag = 44,
  Esp = 50,
  Ah = 51,
  Icmpv6 = 58,
  Ipv6NoNxt = 59,
  Ipv6Opts = 60,
}

/** A printable name for an IP protocol number (traces only). */
export function ipProtocolName(p: number): string {
  switch (p) {
    case IpProtocol.HopByHop: return "Hop-by-Hop";
    case IpProtocol.Icmp: return "ICMP";
    case IpProtocol.Igmp: return "IGMP";
    case IpProtocol.Tcp: return "TCP";
    case IpProtocol.Udp: return "UDP";
    case IpProtocol.Ipv6Route: return "IPv6-Route";
    case IpProtocol.Ipv6Frag: return "IPv6-Frag";
    case IpProtocol.Esp: return "ESP";
    case IpProtocol.Ah: return "AH";
    case IpProtocol.Icmpv6: return "ICMPv6";
    case IpProtocol.Ipv6NoNxt: return "IPv6-NoNxt";
    case IpProtocol.Ipv6Opts: return "IPv6-Opts";
    default: return "0x" + (p & 0xff).toString(16).padStart(2, "0");
  }
}

// ---------------------------------------------------------------------------------------------
// IPv4 addresses: int32 numbers
// ---------------------------------------------------------------------------------------------

/** Length of an IPv4 address in octets. */
export const IPV4_ADDRESS_LEN = 4;

/** 0.0.0.0 */
export const IPV4_UNSPECIFIED = 0;
/** 255.255.255.255 as int32. */
export const IPV4_BROADCAST = -1;
/** 224.0.0.1, the all-systems multicast group (RFC 1112). */
export const IPV4_MULTICAST_ALL_SYSTEMS = 0xe0000001 | 0;
/** 224.0.0.2, the all-routers multicast group (IGMPv2 leave messages go there, RFC 2236). */
export const IPV4_MULTICAST_ALL_ROUTERS = 0xe0000002 | 0;

/** Builds an IPv4 address from its four octets. */
export function ipv4FromOctets(a: number, b: number, c: number, d: number): number {
  return ((a & 0xff) << 24) | ((b & 0xff) << 16) | ((c & 0xff) << 8) | (d & 0xff);
}

/** Parses dotted-quad text (`"192.168.69.1"`): exactly four decimal octets, no leading zeros. */
export function ipv4Parse(text: string): number {
  const parts = text.split(".");
  if (parts.length !== 4) throw new AddressParseError("IPv4 address", text);
  let addr = 0;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) throw new AddressParseError("IPv4 address", text);
    const v = +p;
    if (v > 255) throw new AddressParseError("IPv4 address", text);
    addr = (addr << 8) | v;
  }
  return addr | 0;
}

/** Formats an IPv4 address as dotted-quad text. */
export function ipv4Format(a: number): string {
  return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
}

/** 0.0.0.0 */
export function ipv4IsUnspecified(a: number): boolean {
  return a === 0;
}

/** 255.255.255.255 (the limited broadcast address). */
export function ipv4IsBroadcast(a: number): boolean {
  return a === -1;
}

/** 224.0.0.0/4 (RFC 5771). */
export function ipv4IsMulticast(a: number): boolean {
  return (a & 0xf0000000) === (0xe0000000 | 0);
}

/** 169.254.0.0/16 (RFC 3927). */
export function ipv4IsLinkLocal(a: number): boolean {
  return (a & 0xffff0000) === (0xa9fe0000 | 0);
}

/** 127.0.0.0/8 */
export function ipv4IsLoopback(a: number): boolean {
  return (a >>> 24) === 127;
}

/** Neither unspecified, broadcast nor multicast: an address one host can have. */
export function ipv4IsUnicast(a: number): boolean {
  return a !== 0 && a !== -1 && !ipv4IsMulticast(a);
}

/** The netmask of a prefix length 0..32, as int32 (`24` gives 255.255.255.0). */
export function ipv4Netmask(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (-1 << (32 - prefixLen)) | 0;
}

/** An IPv4 CIDR block: an address (of a host or of the network) and a prefix length. */
export class Ipv4Cidr {
  /** The address, int32 in network order. */
  address: number;
  /** The prefix length, 0..32. */
  prefixLen: number;

  constructor(address: number, prefixLen: number) {
    if (!(prefixLen >= 0 && prefixLen <= 32) || (prefixLen | 0) !== prefixLen) {
      throw new RangeError("IPv4 prefix length must be an integer from 0 to 32: " + prefixLen);
    }
    this.address = address | 0;
    this.prefixLen = prefixLen;
  }

  /** Parses `"192.168.69.1/24"`. */
  static parse(text: string): Ipv4Cidr {
    const slash = text.indexOf("/");
    if (slash < 0) throw new AddressParseError("IPv4 CIDR", text);
    const len = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]?)$/.test(len) || +len > 32) throw new AddressParseError("IPv4 CIDR", text);
    return new Ipv4Cidr(ipv4Parse(text.slice(0, slash)), +len);
  }

  /** The netmask, int32. */
  netmask(): number {
    return ipv4Netmask(this.prefixLen);
  }

  /** The network address (host bits cleared). */
  network(): number {
    return this.address & ipv4Netmask(this.prefixLen);
  }

  /** The directed broadcast address of the block, or 0 for /31 and /32 which have none. */
  broadcast(): number {
    if (this.prefixLen >= 31) return 0;
    return this.address | ~ipv4Netmask(this.prefixLen);
  }

  /** Whether `addr` lies inside the block. */
  contains(addr: number): boolean {
    const mask = ipv4Netmask(this.prefixLen);
    return (addr & mask) === (this.address & mask);
  }

  /** Whether the block `other` lies entirely inside this one. */
  containsCidr(other: Ipv4Cidr): boolean {
    return other.prefixLen >= this.prefixLen && this.contains(other.address);
  }

  toString(): string {
    return ipv4Format(this.address) + "/" + this.prefixLen;
  }
}

// ---------------------------------------------------------------------------------------------
// IPv6 addresses: four int32 words
// ---------------------------------------------------------------------------------------------

/** Length of an IPv6 address in octets. */
export const IPV6_ADDRESS_LEN = 16;

/**
 * An IPv6 address as four int32 words in network order (`w0` holds the first four octets).
 * Mutable on purpose: reprs and caches own one each and overwrite it in place.
 */
export class Ipv6Address {
  w0: number;
  w1: number;
  w2: number;
  w3: number;

  constructor(w0 = 0, w1 = 0, w2 = 0, w3 = 0) {
    this.w0 = w0 | 0;
    this.w1 = w1 | 0;
    this.w2 = w2 | 0;
    this.w3 = w3 | 0;
  }

  /** Builds an address from its eight 16-bit groups. */
  static fromSegments(a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number): Ipv6Address {
    return new Ipv6Address(((a & 0xffff) << 16) | (b & 0xffff), ((c & 0xffff) << 16) | (d & 0xffff),
      ((e & 0xffff) << 16) | (f & 0xffff), ((g & 0xffff) << 16) | (h & 0xffff));
  }

  /**
   * Parses RFC 4291 §2.2 text: eight groups of up to four hex digits, one `::` for a run of
   * zero groups, and an optional dotted-quad IPv4 tail (`::ffff:192.0.2.1`). No zone index.
   */
  static parse(text: string): Ipv6Address {
    const out = new Ipv6Address();
    if (!ipv6ParseInto(text, out)) throw new AddressParseError("IPv6 address", text);
    return out;
  }

  /** Sets the four words. */
  set(w0: number, w1: number, w2: number, w3: number): this {
    this.w0 = w0 | 0;
    this.w1 = w1 | 0;
    this.w2 = w2 | 0;
    this.w3 = w3 | 0;
    return this;
  }

  /** Copies another address into this one. */
  copyFrom(other: Ipv6Address): this {
    this.w0 = other.w0;
    this.w1 = other.w1;
    this.w2 = other.w2;
    this.w3 = other.w3;
    return this;
  }

  /** Reads 16 octets at `off`. */
  read(dv: DataView, off: number): this {
    this.w0 = dv.getInt32(off);
    this.w1 = dv.getInt32(off + 4);
    this.w2 = dv.getInt32(off + 8);
    this.w3 = dv.getInt32(off + 12);
    return this;
  }

  /** Writes 16 octets at `off`. */
  write(dv: DataView, off: number): void {
    dv.setInt32(off, this.w0);
    dv.setInt32(off + 4, this.w1);
    dv.setInt32(off + 8, this.w2);
    dv.setInt32(off + 12, this.w3);
  }

  /** Whether the 16 octets at `off` equal this address. */
  equalsAt(dv: DataView, off: number): boolean {
    return dv.getInt32(off) === this.w0 && dv.getInt32(off + 4) === this.w1 &&
      dv.getInt32(off + 8) === this.w2 && dv.getInt32(off + 12) === this.w3;
  }

  equals(other: Ipv6Address): boolean {
    return this.w0 === other.w0 && this.w1 === other.w1 && this.w2 === other.w2 && this.w3 === other.w3;
  }

  /** Octet `i` (0..15). */
  octet(i: number): number {
    const w = i < 4 ? this.w0 : i < 8 ? this.w1 : i < 12 ? this.w2 : this.w3;
    return (w >>> (24 - 8 * (i & 3))) & 0xff;
  }

  /** 16-bit group `i` (0..7). */
  segment(i: number): number {
    const w = i < 2 ? this.w0 : i < 4 ? this.w1 : i < 6 ? this.w2 : this.w3;
    return (i & 1) === 0 ? (w >>> 16) & 0xffff : w & 0xffff;
  }

  /** `::` */
  isUnspecified(): boolean {
    return (this.w0 | this.w1 | this.w2 | this.w3) === 0;
  }

  /** `::1` */
  isLoopback(): boolean {
    return (this.w0 | this.w1 | this.w2) === 0 && this.w3 === 1;
  }

  /** `ff00::/8` */
  isMulticast(): boolean {
    return (this.w0 >>> 24) === 0xff;
  }

  /** `fe80::/10`, link-local unicast (RFC 4291 §2.5.6). */
  isLinkLocal(): boolean {
    return (this.w0 >>> 22) === (0xfe80 >>> 6);
  }

  /** `ff02::/16`, link-local scope multicast. */
  isLinkLocalMulticast(): boolean {
    return (this.w0 >>> 16) === 0xff02;
  }

  /** `::ffff:0:0/96`, an IPv4-mapped address (RFC 4291 §2.5.5.2). */
  isIpv4Mapped(): boolean {
    return this.w0 === 0 && this.w1 === 0 && this.w2 === 0xffff;
  }

  /** Neither unspecified nor multicast. */
  isUnicast(): boolean {
    return !this.isUnspecified() && !this.isMulticast();
  }

  /** `ff02::1:ff00:0/104`, a solicited-node multicast address (RFC 4291 §2.7.1). */
  isSolicitedNodeMulticast(): boolean {
    return this.w0 === (0xff020000 | 0) && this.w1 === 0 && this.w2 === 1 && (this.w3 >>> 24) === 0xff;
  }

  /**
   * Writes into `out` the solicited-node multicast address of this (unicast) address:
   * `ff02::1:ff` followed by the low 24 bits of this address (RFC 4291 §2.7.1).
   */
  solicitedNode(out: Ipv6Address): Ipv6Address {
    return out.set(0xff020000 | 0, 0, 1, (0xff000000 | (this.w3 & 0x00ffffff)) | 0);
  }

  /** The multicast scope (RFC 4291 §2.7), the low four bits of the second octet; -1 if unicast. */
  multicastScope(): number {
    return this.isMulticast() ? (this.w0 >>> 16) & 0x0f : -1;
  }

  /** Formats per RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
  toString(): string {
    // IPv4-mapped addresses keep their dotted tail, as RFC 5952 §5 recommends.
    if (this.isIpv4Mapped()) return "::ffff:" + ipv4Format(this.w3);
    let bestStart = -1;
    let bestLen = 0;
    for (let i = 0; i < 8;) {
      if (this.segment(i) !== 0) { i++; continue; }
      let j = i;
      while (j < 8 && this.segment(j) === 0) j++;
      if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
      i = j;
    }
    if (bestLen < 2) bestStart = -1;
    let s = "";
    for (let i = 0; i < 8; i++) {
      if (i === bestStart) {
        s += "::";
        i += bestLen - 1;
        continue;
      }
      if (s.length > 0 && !s.endsWith(":")) s += ":";
      s += this.segment(i).toString(16);
    }
    return s;
  }
}

/** Parses IPv6 text into `out`; false if the text is not an address. */
function ipv6ParseInto(text: string, out: Ipv6Address): boolean {
  if (text.length < 2 || text.length > 45) return false;
  const segs = [0, 0, 0, 0, 0, 0, 0, 0];
  const dbl = text.indexOf("::");
  if (dbl >= 0 && text.indexOf("::", dbl + 1) >= 0) return false;
  const head = dbl >= 0 ? text.slice(0, dbl) : text;
  const tail = dbl >= 0 ? text.slice(dbl + 2) : "";
  const headParts = head === "" ? [] : head.split(":");
  const tailParts = tail === "" ? [] : tail.split(":");
  // An IPv4 dotted tail counts as two groups.
  const parts = dbl >= 0 ? tailParts : headParts;
  let v4 = -1;
  let v4Tail = 0;
  if (parts.length > 0 && parts[parts.length - 1].indexOf(".") >= 0) {
    try {
      v4 = ipv4Parse(parts[parts.length - 1]);
    } catch {
      return false;
    }
    parts.pop();
    v4Tail = 2;
  }
  const groups = headParts.length + (dbl >= 0 ? tailParts.length : 0) + v4Tail;
  if (dbl < 0 && groups !== 8) return false;
  if (dbl >= 0 && groups > 7) return false;
  const hex = /^[0-9a-fA-F]{1,4}$/;
  let k = 0;
  for (let i = 0; i < headParts.length; i++) {
    if (!hex.test(headParts[i])) return false;
    segs[k++] = parseInt(headParts[i], 16);
  }
  if (dbl >= 0) {
    k = 8 - tailParts.length - v4Tail;
    for (let i = 0; i < tailParts.length; i++) {
      if (!hex.test(tailParts[i])) return false;
      segs[k++] = parseInt(tailParts[i], 16);
    }
  }
  if (v4Tail) {
    segs[6] = (v4 >>> 16) & 0xffff;
    segs[7] = v4 & 0xffff;
  }
  out.set((segs[0] << 16) | segs[1], (segs[2] << 16) | segs[3], (segs[4] << 16) | segs[5], (segs[6] << 16) | segs[7]);
  return true;
}

/** `::` (frozen: copy from it, never into it). */
export const IPV6_UNSPECIFIED: Readonly<Ipv6Address> = Object.freeze(new Ipv6Address(0, 0, 0, 0));
/** `::1` */
export const IPV6_LOOPBACK: Readonly<Ipv6Address> = Object.freeze(new Ipv6Address(0, 0, 0, 1));
/** `ff02::1`, all nodes on the link. */
export const IPV6_LINK_LOCAL_ALL_NODES: Readonly<Ipv6Address> = Object.freeze(new Ipv6Address(0xff020000 | 0, 0, 0, 1));
/** `ff02::2`, all routers on the link. */
export const IPV6_LINK_LOCAL_ALL_ROUTERS: Readonly<Ipv6Address> = Object.freeze(new Ipv6Address(0xff020000 | 0, 0, 0, 2));

/** An IPv6 CIDR block. */
export class Ipv6Cidr {
  /** The address (owned by this object). */
  readonly address: Ipv6Address;
  /** The prefix length, 0..128. */
  prefixLen: number;

  constructor(address: Ipv6Address, prefixLen: number) {
    if (!(prefixLen >= 0 && prefixLen <= 128) || (prefixLen | 0) !== prefixLen) {
      throw new RangeError("IPv6 prefix length must be an integer from 0 to 128: " + prefixLen);
    }
    this.address = new Ipv6Address().copyFrom(address);
    this.prefixLen = prefixLen;
  }

  /** Parses `"fdaa::1/64"`. */
  static parse(text: string): Ipv6Cidr {
    const slash = text.indexOf("/");
    if (slash < 0) throw new AddressParseError("IPv6 CIDR", text);
    const len = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(len) || +len > 128) throw new AddressParseError("IPv6 CIDR", text);
    return new Ipv6Cidr(Ipv6Address.parse(text.slice(0, slash)), +len);
  }

  /** Whether `addr` lies inside the block. */
  contains(addr: Ipv6Address): boolean {
    const p = this.prefixLen;
    const a = this.address;
    return prefixMatch(a.w0, addr.w0, p) && prefixMatch(a.w1, addr.w1, p - 32) &&
      prefixMatch(a.w2, addr.w2, p - 64) && prefixMatch(a.w3, addr.w3, p - 96);
  }

  /** Whether the block `other` lies entirely inside this one. */
  containsCidr(other: Ipv6Cidr): boolean {
    return other.prefixLen >= this.prefixLen && this.contains(other.address);
  }

  /** Writes the network address (host bits cleared) into `out`. */
  network(out: Ipv6Address): Ipv6Address {
    const p = this.prefixLen;
    const a = this.address;
    return out.set(a.w0 & wordMask(p), a.w1 & wordMask(p - 32), a.w2 & wordMask(p - 64), a.w3 & wordMask(p - 96));
  }

  toString(): string {
    return this.address.toString() + "/" + this.prefixLen;
  }
}

/** The mask of the first `bits` bits of a 32-bit word (bits may be out of 0..32). */
function wordMask(bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? -1 : (-1 << (32 - bits)) | 0;
}

function prefixMatch(a: number, b: number, bits: number): boolean {
  const m = wordMask(bits);
  return (a & m) === (b & m);
}

// ---------------------------------------------------------------------------------------------
// Version-neutral addresses and endpoints (what sockets and the interface speak)
// ---------------------------------------------------------------------------------------------

/** IP versions; 0 means "no address" (an unspecified endpoint of either version). */
export const enum IpVersion {
  Unspecified = 0,
  Ipv4 = 4,
  Ipv6 = 6,
}

/**
 * An address of either version, smoltcp's `IpAddress`. Mutable and preallocated: sockets own
 * one per endpoint and overwrite it in place. `version` says which of `v4` (int32) or `v6` holds
 * the address; `Unspecified` means none (a socket bound to any address).
 */
export class IpAddress {
  version: IpVersion = IpVersion.Unspecified;
  /** The IPv4 address (int32) when `version` is 4. */
  v4 = 0;
  /** The IPv6 address when `version` is 6 (owned; overwritten in place). */
  readonly v6 = new Ipv6Address();

  /** Parses an IPv4 (dotted quad) or IPv6 address. */
  static parse(text: string): IpAddress {
    const a = new IpAddress();
    if (text.indexOf(":") >= 0) a.setV6(Ipv6Address.parse(text));
    else a.setV4(ipv4Parse(text));
    return a;
  }

  /** An IPv4 address. */
  static v4(addr: number): IpAddress {
    return new IpAddress().setV4(addr);
  }

  /** An IPv6 address (copied). */
  static v6(addr: Ipv6Address): IpAddress {
    return new IpAddress().setV6(addr);
  }

  setV4(addr: number): this {
    this.version = IpVersion.Ipv4;
    this.v4 = addr | 0;
    return this;
  }

  setV6(addr: Ipv6Address): this {
    this.version = IpVersion.Ipv6;
    this.v6.copyFrom(addr);
    return this;
  }

  /** Makes this the unspecified address of no version. */
  clear(): this {
    this.version = IpVersion.Unspecified;
    this.v4 = 0;
    this.v6.set(0, 0, 0, 0);
    return this;
  }

  copyFrom(o: IpAddress): this {
    this.version = o.version;
    this.v4 = o.v4;
    this.v6.copyFrom(o.v6);
    return this;
  }

  equals(o: IpAddress): boolean {
    if (this.version !== o.version) return false;
    if (this.version === IpVersion.Ipv4) return this.v4 === o.v4;
    if (this.version === IpVersion.Ipv6) return this.v6.equals(o.v6);
    return true;
  }

  /** No address, or the unspecified address of its version (0.0.0.0, ::). */
  isUnspecified(): boolean {
    if (this.version === IpVersion.Ipv4) return this.v4 === 0;
    if (this.version === IpVersion.Ipv6) return this.v6.isUnspecified();
    return true;
  }

  isMulticast(): boolean {
    if (this.version === IpVersion.Ipv4) return ipv4IsMulticast(this.v4);
    if (this.version === IpVersion.Ipv6) return this.v6.isMulticast();
    return false;
  }

  /** 255.255.255.255 (IPv6 has no broadcast). */
  isBroadcast(): boolean {
    return this.version === IpVersion.Ipv4 && this.v4 === -1;
  }

  /** An address one host can have: specified, not multicast, not broadcast. */
  isUnicast(): boolean {
    return !this.isUnspecified() && !this.isMulticast() && !this.isBroadcast();
  }

  toString(): string {
    if (this.version === IpVersion.Ipv4) return ipv4Format(this.v4);
    if (this.version === IpVersion.Ipv6) return this.v6.toString();
    return "*";
  }
}

/** An address and a port (smoltcp's `IpEndpoint`); port 0 and an unspecified address mean "any". */
export class IpEndpoint {
  readonly addr = new IpAddress();
  port = 0;

  /** Parses `"192.168.69.1:6969"`, `"[fdaa::1]:6969"`, or a bare port `"6969"` (any address). */
  static parse(text: string): IpEndpoint {
    const e = new IpEndpoint();
    let host = "";
    let port = text;
    if (text.startsWith("[")) {
      const close = text.indexOf("]:");
      if (close < 0) throw new AddressParseError("endpoint", text);
      host = text.slice(1, close);
      port = text.slice(close + 2);
    } else if (text.indexOf(":") >= 0) {
      const colon = text.lastIndexOf(":");
      host = text.slice(0, colon);
      port = text.slice(colon + 1);
      if (host.indexOf(":") >= 0) throw new AddressParseError("endpoint (put IPv6 addresses in brackets)", text);
    }
    if (!/^(0|[1-9][0-9]{0,4})$/.test(port) || +port > 65535) throw new AddressParseError("endpoint", text);
    if (host !== "") e.addr.copyFrom(IpAddress.parse(host));
    e.port = +port;
    return e;
  }

  /** An endpoint with `addr` (copied, may be null for any) and `port`. */
  static of(addr: IpAddress | null, port: number): IpEndpoint {
    const e = new IpEndpoint();
    if (addr) e.addr.copyFrom(addr);
    e.port = port;
    return e;
  }

  set(addr: IpAddress, port: number): this {
    this.addr.copyFrom(addr);
    this.port = port;
    return this;
  }

  copyFrom(o: IpEndpoint): this {
    this.addr.copyFrom(o.addr);
    this.port = o.port;
    return this;
  }

  equals(o: IpEndpoint): boolean {
    return this.port === o.port && this.addr.equals(o.addr);
  }

  /** Whether an address or a port is set. */
  isSpecified(): boolean {
    return this.port !== 0 || !this.addr.isUnspecified();
  }

  toString(): string {
    if (this.addr.version === IpVersion.Ipv6) return "[" + this.addr + "]:" + this.port;
    return this.addr + ":" + this.port;
  }
}
