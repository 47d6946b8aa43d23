/**
 * Neighbor Discovery for IPv6 (RFC 4861): the five ICMPv6 messages of types 133 to 137 and the
 * options that follow them.
 *
 * The messages (RFC 4861 §4.1 to §4.5), after the ICMPv6 Type, Code and Checksum:
 *
 * ```text
 * Router Solicitation (133)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Reserved                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Options ...
 *
 * Router Advertisement (134)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Cur Hop Limit |M|O|  Reserved |       Router Lifetime         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Reachable Time                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Retrans Timer                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Options ...
 *
 * Neighbor Solicitation (135)            Neighbor Advertisement (136)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Type | Code |    Checksum     |      | Type | Code |    Checksum     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Reserved            |      |R|S|O|       Reserved         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Target Address (16 octets)   |      |  Target Address (16 octets)   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Options ...                        |   Options ...
 *
 * Redirect (137)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Reserved                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Target Address (16 octets)                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               Destination Address (16 octets)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Options ...
 * ```
 *
 * Options (§4.6) are TLVs whose "Length [is] the length of the option (including the type and
 * length fields) in units of 8 octets. The value 0 is invalid. Nodes MUST silently discard an ND
 * packet that contains an option with length zero." The ones this module reads:
 *
 * ```text
 * Source (1) / Target (2) Link-layer Address     MTU (5)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+             +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |    Length     |             |     Type      |    Length     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+             +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    Link-Layer Address ...                   |           Reserved            |
 *                                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Prefix Information (3)                        |              MTU              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |    Length     | Prefix Length |L|A| Reserved1 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Valid Lifetime                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Preferred Lifetime                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           Reserved2                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Prefix (16 octets)                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Redirected Header (4)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |    Length     |            Reserved           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           Reserved                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IP header + data                        |
 * ```
 *
 * The repr (`NdiscRepr`) is one record for the five messages, with preallocated addresses and a
 * `has...` flag per option. `parse` reads every option (an option of length 0: Malformed; one
 * that runs past the message: Truncated; unknown types skipped, as §4.1 to §4.5 say: "Receivers
 * MUST silently ignore any options they do not recognize and continue processing the message").
 * A recognized option is recorded whichever message carries it; the first of each kind wins. A
 * Router Advertisement often carries several Prefix Information options: the repr keeps the first
 * (`prefixInfo`) and counts them (`prefixInfoCount`); the interface reads the others with an
 * `NdiscOptionCursor` over (`optionsOffset`, `optionsLen`) and `NdiscPrefixInfo.read`.
 * `emit` writes the fixed part and the options whose flags are set, in the order Source
 * Link-layer Address, Target Link-layer Address, MTU, Prefix Information, then the checksum.
 *
 * Validation. RFC 4861 §6.1.1, §6.1.2, §7.1.1, §7.1.2 and §8.1 list what makes a message invalid
 * ("silently discarded"). `parse` checks every item it can see, returning Malformed:
 * - "ICMP Code is 0" (all five);
 * - the ICMP length is at least the fixed part, 8, 16, 24, 24 or 40 octets (else Truncated);
 * - "All included options have a length that is greater than zero";
 * - RS: "If the IP source address is the unspecified address, there is no source link-layer
 *   address option in the message";
 * - RA and Redirect: "IP Source Address is a link-local address";
 * - NS and NA: "Target Address is not a multicast address";
 * - NS: "If the IP source address is the unspecified address, the IP destination address is a
 *   solicited-node multicast address" and "there is no source link-layer address option";
 * - NA: "If the IP Destination Address is a multicast address the Solicited flag is zero";
 * - Redirect: "The ICMP Destination Address field in the redirect message does not contain a
 *   multicast address" and "The ICMP Target Address is either a link-local address (when
 *   redirected to a router) or the same as the ICMP Destination Address (when redirected to the
 *   on-link destination)".
 * Left to the interface, which has the IPv6 header and the state: **"The IP Hop Limit field has a
 * value of 255, i.e., the packet could not possibly have been forwarded by a router"** (compare
 * the parsed `Ipv6Repr.hopLimit` with `NDISC_HOP_LIMIT` before `parse`, and send every ND message
 * with hop limit `NDISC_HOP_LIMIT`), and Redirect's "IP source address of the Redirect is the
 * same as the current first-hop router for the specified ICMP Destination Address". The
 * checksum (RFC 4443 §2.3) is verified when `checksumRx(caps.icmpv6)` and filled when
 * `checksumTx(caps.icmpv6)`.
 *
 * Representation: times are int32 as on the wire. Router Lifetime is in seconds, Reachable Time
 * and Retrans Timer in milliseconds (0: unspecified); Valid and Preferred Lifetimes are in seconds
 * with 0xffffffff, "infinity", read as -1. Flag octets are kept whole (`routerFlags`: M 0x80,
 * O 0x40, and the bits later RFCs gave to the reserved field, which a receiver ignores;
 * `neighborFlags`: R 0x80, S 0x40, O 0x20; `PrefixInfo.flags`: L 0x80, A 0x40).
 *
 * What is NOT supported:
 * - Link-layer addresses other than Ethernet's: a Source or Target Link-layer Address option
 *   whose length is not 1 (RFC 2464 §8) is skipped like an unknown option. Likewise a Prefix
 *   Information option whose length is not 4, and an MTU option whose length is not 1, are skipped.
 * - Redirected Header is located (`redirectedOffset`, `redirectedLen`) but not parsed, and never
 *   emitted: hosts do not send Redirects (§8.2 is for routers).
 * - The options of later RFCs (RDNSS and DNSSL of RFC 8106, Route Information of RFC 4191,
 *   the Nonce of RFC 3971/7527, ...) are skipped as unknown; SEND (RFC 3971) is not supported.
 */

import { WireError } from "./error.js";
import { ChecksumCapabilities, checksumRx, checksumTx } from "./checksum.js";
import { Ipv6Address } from "./ip.js";
import { EthernetAddress } from "./ethernet.js";
import { EMPTY_BYTES, EMPTY_DV } from "./view.js";
import { ICMPV6_HEADER_LEN, Icmpv6Message, icmpv6FillChecksum, icmpv6MessageName, Icmpv6Packet } from "./icmpv6.js";

// Field offsets from the start of the ICMPv6 message.
const TYPE = 0;
const CODE = 1;
const CHECKSUM = 2;
const RESERVED = 4;
const CUR_HOP_LIMIT = 4;
const ROUTER_FLAGS = 5;
const ROUTER_LIFETIME = 6;
const REACHABLE_TIME = 8;
const RETRANS_TIMER = 12;
const NEIGHBOR_FLAGS = 4;
const TARGET_ADDR = 8;
const DEST_ADDR = 24;

/** Length of the fixed part of each message. */
export const NDISC_RS_LEN = ICMPV6_HEADER_LEN;
export const NDISC_RA_LEN = 16;
export const NDISC_NS_LEN = 24;
export const NDISC_NA_LEN = 24;
export const NDISC_REDIRECT_LEN = 40;

/** RFC 4861: every ND message is sent, and must be received, with IPv6 Hop Limit 255. */
export const NDISC_HOP_LIMIT = 255;

/** Router Advertisement flags (in `routerFlags`). */
export const NDISC_ROUTER_MANAGED = 0x80;
export const NDISC_ROUTER_OTHER = 0x40;
/** Neighbor Advertisement flags (in `neighborFlags`). */
export const NDISC_NEIGHBOR_ROUTER = 0x80;
export const NDISC_NEIGHBOR_SOLICITED = 0x40;
export const NDISC_NEIGHBOR_OVERRIDE = 0x20;
/** Prefix Information flags: on-link (L) and autonomous address-configuration (A). */
export const NDISC_PREFIX_ON_LINK = 0x80;
export const NDISC_PREFIX_AUTONOMOUS = 0x40;

/** Option types (RFC 4861 §4.6). */
export const enum NdiscOptionType {
  SourceLinkLayerAddr = 1,
  TargetLinkLayerAddr = 2,
  PrefixInformation = 3,
  RedirectedHeader = 4,
  Mtu = 5,
}

// Option lengths in octets.
const LLA_OPTION_LEN = 8;
const MTU_OPTION_LEN = 8;
const PREFIX_OPTION_LEN = 32;
const REDIRECTED_HEADER_DATA = 8;

/** The length of the fixed part of ND message type `t`, or 0 if `t` is not an ND message. */
export function ndiscHeaderLen(t: number): number {
  switch (t) {
    case Icmpv6Message.RouterSolicit: return NDISC_RS_LEN;
    case Icmpv6Message.RouterAdvert: return NDISC_RA_LEN;
    case Icmpv6Message.NeighborSolicit: return NDISC_NS_LEN;
    case Icmpv6Message.NeighborAdvert: return NDISC_NA_LEN;
    case Icmpv6Message.Redirect: return NDISC_REDIRECT_LEN;
    default: return 0;
  }
}

/**
 * An iterator over ND options, created once and re-pointed with `reset`. `next()` stops on every
 * option (known or not) and describes it in `type`, `optionOffset` and `optionLen` (octets, the
 * type and length fields included).
 */
export class NdiscOptionCursor {
  bytes: Uint8Array;
  dv: DataView;
  private pos = 0;
  private end = 0;
  /** Type of the current option (-1 before the first `next()` and at the end). */
  type = -1;
  /** Offset in `bytes` of the current option's Type field. */
  optionOffset = 0;
  /** Length of the current option in octets (8 times its Length field). */
  optionLen = 0;
  /** Ok at a clean end; Malformed after an option of length 0; Truncated after one that overruns. */
  error: WireError = WireError.Ok;

  constructor() {
    this.bytes = EMPTY_BYTES;
    this.dv = EMPTY_DV;
  }

  /** Points the cursor at `len` octets of options at `off`. */
  reset(bytes: Uint8Array, dv: DataView, off: number, len: number): this {
    this.bytes = bytes;
    this.dv = dv;
    this.pos = off;
    this.end = off + len;
    this.type = -1;
    this.error = WireError.Ok;
    return this;
  }

  /** Moves to the next option. False at the end (`error` Ok) or on a bad length (`error` set). */
  next(): boolean {
    const pos = this.pos;
    const avail = this.end - pos;
    this.type = -1;
    if (avail <= 0) {
      this.error = WireError.Ok;
      return false;
    }
    if (avail < 2) {
      this.error = WireError.Truncated;
      this.pos = this.end;
      return false;
    }
    const n = this.dv.getUint8(pos + 1) << 3;
    if (n === 0) {
      this.error = WireError.Malformed;
      this.pos = this.end;
      return false;
    }
    if (n > avail) {
      this.error = WireError.Truncated;
      this.pos = this.end;
      return false;
    }
    this.type = this.dv.getUint8(pos);
    this.optionOffset = pos;
    this.optionLen = n;
    this.pos = pos + n;
    return true;
  }
}

/** The fields of a Prefix Information option (RFC 4861 §4.6.2). */
export class NdiscPrefixInfo {
  /** Prefix Length, 0..128 (not checked: "The number of leading bits in the Prefix that are valid"). */
  prefixLen = 0;
  /** The flag octet: L 0x80, A 0x40, the rest as received. */
  flags = 0;
  /** Valid Lifetime in seconds, int32; -1 is infinity. */
  validLifetime = 0;
  /** Preferred Lifetime in seconds, int32; -1 is infinity. */
  preferredLifetime = 0;
  /** The prefix (owned). */
  readonly prefix = new Ipv6Address();

  /** Reads the option at `off` (its Type field); the caller has checked its 32 octets. */
  read(dv: DataView, off: number): this {
    this.prefixLen = dv.getUint8(off + 2);
    this.flags = dv.getUint8(off + 3);
    this.validLifetime = dv.getInt32(off + 4);
    this.preferredLifetime = dv.getInt32(off + 8);
    this.prefix.read(dv, off + 16);
    return this;
  }

  /** Writes the whole 32-octet option at `off`, Type and Length included, reserved fields 0. */
  write(dv: DataView, off: number): void {
    dv.setUint8(off, NdiscOptionType.PrefixInformation);
    dv.setUint8(off + 1, PREFIX_OPTION_LEN >>> 3);
    dv.setUint8(off + 2, this.prefixLen);
    dv.setUint8(off + 3, this.flags);
    dv.setInt32(off + 4, this.validLifetime);
    dv.setInt32(off + 8, this.preferredLifetime);
    dv.setInt32(off + 12, 0);
    this.prefix.write(dv, off + 16);
  }

  copyFrom(o: NdiscPrefixInfo): this {
    this.prefixLen = o.prefixLen;
    this.flags = o.flags;
    this.validLifetime = o.validLifetime;
    this.preferredLifetime = o.preferredLifetime;
    this.prefix.copyFrom(o.prefix);
    return this;
  }

  toString(): string {
    return this.prefix + "/" + this.prefixLen + ((this.flags & NDISC_PREFIX_ON_LINK) !== 0 ? " L" : "") +
      ((this.flags & NDISC_PREFIX_AUTONOMOUS) !== 0 ? " A" : "") + " valid=" + lifetimeText(this.validLifetime) +
      " preferred=" + lifetimeText(this.preferredLifetime);
  }
}

function lifetimeText(s: number): string {
  return s === -1 ? "infinity" : String(s >>> 0);
}

/** The meaning of a Neighbor Discovery message. See the module comment. */
export class NdiscRepr {
  /** The message type (133 to 137). */
  msgType = 0;
  /** RA: Cur Hop Limit (0: unspecified). */
  curHopLimit = 0;
  /** RA: the flag octet (`NDISC_ROUTER_MANAGED`, `NDISC_ROUTER_OTHER`, the rest as received). */
  routerFlags = 0;
  /** RA: Router Lifetime in seconds (0: not a default router). */
  routerLifetime = 0;
  /** RA: Reachable Time in milliseconds, int32 (0: unspecified). */
  reachableTime = 0;
  /** RA: Retrans Timer in milliseconds, int32 (0: unspecified). */
  retransTimer = 0;
  /** NA: R, S, O in the top three bits of the octet (`NDISC_NEIGHBOR_*`). */
  neighborFlags = 0;
  /** NS, NA, Redirect: Target Address (owned). */
  readonly targetAddr = new Ipv6Address();
  /** Redirect: Destination Address (owned). */
  readonly destAddr = new Ipv6Address();

  /** Source Link-layer Address option (1). */
  hasSourceLla = false;
  readonly sourceLla = new EthernetAddress();
  /** Target Link-layer Address option (2). */
  hasTargetLla = false;
  readonly targetLla = new EthernetAddress();
  /** MTU option (5): the MTU, int32. */
  hasMtu = false;
  mtu = 0;
  /** Prefix Information option (3): the first one, and how many the message holds. */
  hasPrefixInfo = false;
  prefixInfoCount = 0;
  readonly prefixInfo = new NdiscPrefixInfo();
  /** Redirected Header option (4): offset in `bytes` and length of the IP header + data it holds. */
  hasRedirectedHeader = false;
  redirectedOffset = 0;
  redirectedLen = 0;
  /** Offset in `bytes` and length of all the options (parse only). */
  optionsOffset = 0;
  optionsLen = 0;

  private readonly cursor = new NdiscOptionCursor();

  /** Forgets every option and field but the addresses. Returns `this`. */
  clear(msgType: number): this {
    this.msgType = msgType;
    this.curHopLimit = 0;
    this.routerFlags = 0;
    this.routerLifetime = 0;
    this.reachableTime = 0;
    this.retransTimer = 0;
    this.neighborFlags = 0;
    this.hasSourceLla = false;
    this.hasTargetLla = false;
    this.hasMtu = false;
    this.mtu = 0;
    this.hasPrefixInfo = false;
    this.prefixInfoCount = 0;
    this.hasRedirectedHeader = false;
    this.redirectedOffset = 0;
    this.redirectedLen = 0;
    this.optionsOffset = 0;
    this.optionsLen = 0;
    return this;
  }

  /** Prepares a Router Solicitation, with a Source Link-layer Address option unless `lla` is null. */
  setRouterSolicit(lla: EthernetAddress | null): this {
    this.clear(Icmpv6Message.RouterSolicit);
    if (lla !== null) {
      this.hasSourceLla = true;
      this.sourceLla.copyFrom(lla);
    }
    return this;
  }

  /**
   * Prepares a Neighbor Solicitation for `target`, with a Source Link-layer Address option unless
   * `lla` is null (it must be null for Duplicate Address Detection, RFC 4862 §5.4.2).
   */
  setNeighborSolicit(target: Ipv6Address, lla: EthernetAddress | null): this {
    this.clear(Icmpv6Message.NeighborSolicit);
    this.targetAddr.copyFrom(target);
    if (lla !== null) {
      this.hasSourceLla = true;
      this.sourceLla.copyFrom(lla);
    }
    return this;
  }

  /** Prepares a Neighbor Advertisement, with a Target Link-layer Address option unless `lla` is null. */
  setNeighborAdvert(flags: number, target: Ipv6Address, lla: EthernetAddress | null): this {
    this.clear(Icmpv6Message.NeighborAdvert);
    this.neighborFlags = flags & 0xe0;
    this.targetAddr.copyFrom(target);
    if (lla !== null) {
      this.hasTargetLla = true;
      this.targetLla.copyFrom(lla);
    }
    return this;
  }

  /**
   * Fills this repr from an ICMPv6 message of an ND type: checks lengths, the checksum (if
   * `checksumRx(caps.icmpv6)`), the code, every option, and the rules listed in the module
   * comment. Unsupported if the type is not 133 to 137. The IPv6 hop limit is the caller's.
   */
  parse(packet: Icmpv6Packet, srcAddr: Ipv6Address, dstAddr: Ipv6Address, caps: ChecksumCapabilities): WireError {
    let err = packet.check();
    if (err !== WireError.Ok) return err;
    const dv = packet.dv;
    const off = packet.off;
    const len = packet.len;
    const t = dv.getUint8(off + TYPE);
    const hl = ndiscHeaderLen(t);
    if (hl === 0) return WireError.Unsupported;
    if (len < hl) return WireError.Truncated;
    if (checksumRx(caps.icmpv6) && !packet.verifyChecksum(srcAddr, dstAddr)) return WireError.Checksum;
    if (dv.getUint8(off + CODE) !== 0) return WireError.Malformed;
    this.clear(t);
    switch (t) {
      case Icmpv6Message.RouterAdvert:
        this.curHopLimit = dv.getUint8(off + CUR_HOP_LIMIT);
        this.routerFlags = dv.getUint8(off + ROUTER_FLAGS);
        this.routerLifetime = dv.getUint16(off + ROUTER_LIFETIME);
        this.reachableTime = dv.getInt32(off + REACHABLE_TIME);
        this.retransTimer = dv.getInt32(off + RETRANS_TIMER);
        break;
      case Icmpv6Message.NeighborAdvert:
        this.neighborFlags = dv.getUint8(off + NEIGHBOR_FLAGS) & 0xe0;
        this.targetAddr.read(dv, off + TARGET_ADDR);
        break;
      case Icmpv6Message.NeighborSolicit:
        this.targetAddr.read(dv, off + TARGET_ADDR);
        break;
      case Icmpv6Message.Redirect:
        this.targetAddr.read(dv, off + TARGET_ADDR);
        this.destAddr.read(dv, off + DEST_ADDR);
        break;
    }
    err = this.parseOptions(packet.bytes, dv, off + hl, len - hl);
    if (err !== WireError.Ok) return err;
    return this.validate(srcAddr, dstAddr) ? WireError.Ok : WireError.Malformed;
  }

  private parseOptions(bytes: Uint8Array, dv: DataView, off: number, len: number): WireError {
    this.optionsOffset = off;
    this.optionsLen = len;
    const cur = this.cursor.reset(bytes, dv, off, len);
    while (cur.next()) {
      const o = cur.optionOffset;
      const n = cur.optionLen;
      switch (cur.type) {
        case NdiscOptionType.SourceLinkLayerAddr:
          if (n === LLA_OPTION_LEN && !this.hasSourceLla) {
            this.hasSourceLla = true;
            this.sourceLla.read(dv, o + 2);
          }
          break;
        case NdiscOptionType.TargetLinkLayerAddr:
          if (n === LLA_OPTION_LEN && !this.hasTargetLla) {
            this.hasTargetLla = true;
            this.targetLla.read(dv, o + 2);
          }
          break;
        case NdiscOptionType.PrefixInformation:
          if (n === PREFIX_OPTION_LEN) {
            if (!this.hasPrefixInfo) {
              this.hasPrefixInfo = true;
              this.prefixInfo.read(dv, o);
            }
            this.prefixInfoCount++;
          }
          break;
        case NdiscOptionType.RedirectedHeader:
          if (!this.hasRedirectedHeader) {
            this.hasRedirectedHeader = true;
            this.redirectedOffset = o + REDIRECTED_HEADER_DATA;
            this.redirectedLen = n - REDIRECTED_HEADER_DATA;
          }
          break;
        case NdiscOptionType.Mtu:
          if (n === MTU_OPTION_LEN && !this.hasMtu) {
            this.hasMtu = true;
            this.mtu = dv.getInt32(o + 4);
          }
          break;
      }
    }
    return cur.error;
  }

  /** The validity rules of RFC 4861 that the message and its addresses show (module comment). */
  private validate(src: Ipv6Address, dst: Ipv6Address): boolean {
    switch (this.msgType) {
      case Icmpv6Message.RouterSolicit:
        return !(src.isUnspecified() && this.hasSourceLla);
      case Icmpv6Message.RouterAdvert:
        return src.isLinkLocal();
      case Icmpv6Message.NeighborSolicit:
        if (this.targetAddr.isMulticast()) return false;
        if (src.isUnspecified()) return dst.isSolicitedNodeMulticast() && !this.hasSourceLla;
        return true;
      case Icmpv6Message.NeighborAdvert:
        if (this.targetAddr.isMulticast()) return false;
        return !(dst.isMulticast() && (this.neighborFlags & NDISC_NEIGHBOR_SOLICITED) !== 0);
      default: // Redirect
        if (!src.isLinkLocal() || this.destAddr.isMulticast()) return false;
        return this.targetAddr.isLinkLocal() || this.targetAddr.equals(this.destAddr);
    }
  }

  /** Length of the fixed part of the message. */
  headerLen(): number {
    return ndiscHeaderLen(this.msgType);
  }

  /** Length of the message `emit` writes: the fixed part and the options whose flags are set. */
  bufferLen(): number {
    let n = ndiscHeaderLen(this.msgType);
    if (this.hasSourceLla) n += LLA_OPTION_LEN;
    if (this.hasTargetLla) n += LLA_OPTION_LEN;
    if (this.hasMtu) n += MTU_OPTION_LEN;
    if (this.hasPrefixInfo) n += PREFIX_OPTION_LEN;
    return n;
  }

  /**
   * Writes the whole message (there is no payload) into `packet`: the fixed part with reserved
   * fields 0, the options whose flags are set (not Redirected Header), then the checksum over
   * `bufferLen()` octets if `checksumTx(caps.icmpv6)`, else a checksum of 0. If `msgType` is not
   * an ND type, nothing is written.
   */
  emit(packet: Icmpv6Packet, srcAddr: Ipv6Address, dstAddr: Ipv6Address, caps: ChecksumCapabilities): void {
    const dv = packet.dv;
    const off = packet.off;
    const t = this.msgType;
    if (ndiscHeaderLen(t) === 0) return;
    dv.setUint8(off + TYPE, t);
    dv.setUint8(off + CODE, 0);
    dv.setUint16(off + CHECKSUM, 0);
    switch (t) {
      case Icmpv6Message.RouterAdvert:
        dv.setUint8(off + CUR_HOP_LIMIT, this.curHopLimit);
        dv.setUint8(off + ROUTER_FLAGS, this.routerFlags);
        dv.setUint16(off + ROUTER_LIFETIME, this.routerLifetime);
        dv.setInt32(off + REACHABLE_TIME, this.reachableTime);
        dv.setInt32(off + RETRANS_TIMER, this.retransTimer);
        break;
      case Icmpv6Message.NeighborAdvert:
        dv.setInt32(off + RESERVED, 0);
        dv.setUint8(off + NEIGHBOR_FLAGS, this.neighborFlags & 0xe0);
        this.targetAddr.write(dv, off + TARGET_ADDR);
        break;
      case Icmpv6Message.NeighborSolicit:
        dv.setInt32(off + RESERVED, 0);
        this.targetAddr.write(dv, off + TARGET_ADDR);
        break;
      case Icmpv6Message.Redirect:
        dv.setInt32(off + RESERVED, 0);
        this.targetAddr.write(dv, off + TARGET_ADDR);
        this.destAddr.write(dv, off + DEST_ADDR);
        break;
      default: // Router Solicitation
        dv.setInt32(off + RESERVED, 0);
    }
    let o = off + ndiscHeaderLen(t);
    if (this.hasSourceLla) {
      dv.setUint8(o, NdiscOptionType.SourceLinkLayerAddr);
      dv.setUint8(o + 1, 1);
      this.sourceLla.write(dv, o + 2);
      o += LLA_OPTION_LEN;
    }
    if (this.hasTargetLla) {
      dv.setUint8(o, NdiscOptionType.TargetLinkLayerAddr);
      dv.setUint8(o + 1, 1);
      this.targetLla.write(dv, o + 2);
      o += LLA_OPTION_LEN;
    }
    if (this.hasMtu) {
      dv.setUint8(o, NdiscOptionType.Mtu);
      dv.setUint8(o + 1, 1);
      dv.setUint16(o + 2, 0);
      dv.setInt32(o + 4, this.mtu);
      o += MTU_OPTION_LEN;
    }
    if (this.hasPrefixInfo) {
      this.prefixInfo.write(dv, o);
    }
    if (checksumTx(caps.icmpv6)) icmpv6FillChecksum(dv, off, this.bufferLen(), srcAddr, dstAddr);
  }

  toString(): string {
    const t = this.msgType;
    let s = "NDISC " + icmpv6MessageName(t);
    if (t === Icmpv6Message.RouterAdvert) {
      s += " hop_limit=" + this.curHopLimit + " lifetime=" + this.routerLifetime + "s reachable=" +
        (this.reachableTime >>> 0) + "ms retrans=" + (this.retransTimer >>> 0) + "ms";
      if ((this.routerFlags & NDISC_ROUTER_MANAGED) !== 0) s += " M";
      if ((this.routerFlags & NDISC_ROUTER_OTHER) !== 0) s += " O";
    }
    if (t === Icmpv6Message.NeighborAdvert) {
      if ((this.neighborFlags & NDISC_NEIGHBOR_ROUTER) !== 0) s += " R";
      if ((this.neighborFlags & NDISC_NEIGHBOR_SOLICITED) !== 0) s += " S";
      if ((this.neighborFlags & NDISC_NEIGHBOR_OVERRIDE) !== 0) s += " O";
    }
    if (t === Icmpv6Message.NeighborSolicit || t === Icmpv6Message.NeighborAdvert || t === Icmpv6Message.Redirect) {
      s += " target=" + this.targetAddr;
    }
    if (t === Icmpv6Message.Redirect) s += " dest=" + this.destAddr;
    if (this.hasSourceLla) s += " slla=" + this.sourceLla;
    if (this.hasTargetLla) s += " tlla=" + this.targetLla;
    if (this.hasMtu) s += " mtu=" + (this.mtu >>> 0);
    if (this.hasPrefixInfo) s += " prefix=" + this.prefixInfo;
    if (this.prefixInfoCount > 1) s += " (+" + (this.prefixInfoCount - 1) + " more)";
    if (this.hasRedirectedHeader) s += " redirected=" + this.redirectedLen;
    return s;
  }
}
