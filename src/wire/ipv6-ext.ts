/**
 * IPv6 extension headers (RFC 8200 §4): the walk from the fixed header to the upper-layer
 * protocol, the options of Hop-by-Hop and Destination Options headers, and the Fragment header.
 *
 * "In IPv6, optional internet-layer information is encoded in separate headers that may be placed
 * between the IPv6 header and the upper-layer header in a packet. [...] Each extension header is
 * identified by the Next Header field of the preceding header." Three of the four headers a host
 * meets share one shape, an 8-octet multiple announced by Hdr Ext Len:
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |  Hdr Ext Len  |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                                                               |
 * .           Options (Hop-by-Hop, type 0; Destination, 60)       .
 * .      or Routing Type, Segments Left and data (Routing, 43)    .
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * "Hdr Ext Len: 8-bit unsigned integer. Length of the [...] header in 8-octet units, not including
 * the first 8 octets." The Fragment header (44) is the exception, a fixed 8 octets whose second
 * octet is reserved:
 *
 * ```text
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Identification                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * The walk (`Ipv6ExtWalker`). Starting from the fixed header's Next Header, the walker steps over
 * Hop-by-Hop, Routing, Fragment and Destination Options headers and stops at the first value that
 * is not one of them: the upper-layer protocol, or No Next Header (59). It reports that protocol
 * (`nextHeader`), where it starts (`offset`) and how many octets remain (`remaining()`), the
 * number of headers walked, and, at each step, the header just stepped over, so the interface can
 * read a Hop-by-Hop header's options before going on. Errors are `WireError` codes; where
 * RFC 8200 wants an ICMPv6 Parameter Problem in answer, the walker also says which code and
 * pointer (`problemCode`, `problemPointer`, the pointer counted from the start of the IPv6
 * header as RFC 4443 §3.4 wants it):
 * - a header that does not fit in the payload: Truncated (no ICMPv6 answer);
 * - RFC 8200 §4.1: "IPv6 nodes must accept and attempt to process extension headers in any order
 *   and occurring any number of times in the same packet, except for the Hop-by-Hop Options
 *   header, which is restricted to appear immediately after an IPv6 header only." A Hop-by-Hop
 *   header elsewhere: Malformed, code 1 pointing at the Next Header field that named it (what
 *   Linux answers);
 * - RFC 8200 §4.4: "If Segments Left is non-zero, the node must discard the packet and send an
 *   ICMP Parameter Problem, Code 0, message to the packet's Source Address, pointing to the
 *   unrecognized Routing Type." This host recognizes no Routing Type (type 0 is deprecated by
 *   RFC 5095), so such a header gives Unsupported, code 0, pointing at its Routing Type; with
 *   Segments Left 0 the header is ignored, as §4.4 says;
 * - a Fragment header that starts or continues a fragmented packet (offset or M non-zero):
 *   Unsupported, no ICMPv6 answer, `fragmentOffset` set. Reassembly is not supported. An
 *   *atomic* fragment (offset 0 and M 0) is walked through: RFC 6946 §4 says such a packet
 *   "MUST [be processed] in isolation from any other packets/fragments";
 * - **more than `maxHeaders` extension headers: Unsupported.** RFC 8200 sets no limit, but a
 *   hostile chain of thousands of 8-octet headers would otherwise cost a loop per header on a
 *   small CPU; the bound (8 by default, more than the six of RFC 8200 §4.1's recommended order)
 *   makes every walk end after a fixed amount of work. (The walk ends anyway: each step moves at
 *   least 8 octets forward.)
 * An upper-layer protocol the stack does not know is not the walker's business: it stops there,
 * and `nextHeaderField` tells the interface where to point its code 1 Parameter Problem (RFC 8200
 * §4: "the ICMP Pointer field containing the offset of the unrecognized value within the original
 * packet").
 *
 * Options (`Ipv6OptionCursor`, `Ipv6HopByHopRepr`). RFC 8200 §4.2: options are TLVs,
 *
 * ```text
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
 * |  Option Type  |  Opt Data Len |  Option Data
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
 * ```
 *
 * except Pad1 (type 0), a single octet; PadN (type 1) is a TLV of zeros. The cursor consumes both
 * and reports every other option with its type, offset and data. "The Option Type identifiers are
 * internally encoded such that their highest-order 2 bits specify the action that must be taken if
 * the processing IPv6 node does not recognize the Option Type": 00 skip, 01 discard, 10 discard and
 * send Parameter Problem code 2 pointing at the option type, 11 the same "only if the packet's
 * Destination Address was not a multicast address" (`Ipv6OptionAction`). The one option this
 * stack recognizes is Router Alert (RFC 2711, type 5, two octets of value; MLD uses value 0).
 * `Ipv6HopByHopRepr.parse` records it and the first unrecognized option whose action is not
 * "skip"; acting on the action is the interface's.
 *
 * What is NOT supported:
 * - Reassembly (above), and the Authentication Header, ESP, Mobility, HIP and Shim6 headers: the
 *   walker stops at them as at any upper-layer protocol.
 * - Routing headers with Segments Left > 0 (above); no Routing Type is interpreted.
 * - Jumbo Payload (RFC 2675, option 0xc2) is not recognized: it is an unrecognized option with
 *   action 11 (see also `ipv6.ts`).
 * - PadN contents and option alignment are not checked (RFC 8200 does not ask a receiver to).
 * - Emitting: only a Hop-by-Hop (or Destination Options) header of 8 octets with an optional
 *   Router Alert, padded with PadN, and a Fragment header. Nothing else is ever sent.
 */

import { WireError } from "./error.js";
import { ipProtocolName } from "./ip.js";
import { IPV6_HEADER_LEN, IPV6_NEXT_HEADER_FIELD, type Ipv6Packet } from "./ipv6.js";
import { EMPTY_BYTES, EMPTY_DV, PacketView } from "./view.js";

// Generic extension header field offsets.
const NEXT_HEADER = 0;
const HDR_EXT_LEN = 1;
const ROUTING_TYPE = 2;
const SEGMENTS_LEFT = 3;
/** The smallest extension header (Hdr Ext Len 0), and the Fragment header's fixed length. */
export const IPV6_EXT_HEADER_MIN_LEN = 8;

// Fragment header field offsets.
const FRAG_OFFSET_FLAGS = 2;
const FRAG_IDENT = 4;
/** Length of the Fragment header. */
export const IPV6_FRAGMENT_HEADER_LEN = 8;

/** The number of extension headers a walk steps over before it gives up (Unsupported). */
export const IPV6_EXT_DEFAULT_MAX_HEADERS = 8;

/** Option types (IANA "Destination Options and Hop-by-Hop Options"). */
export const enum Ipv6OptionType {
  Pad1 = 0,
  PadN = 1,
  /** RFC 2711. */
  RouterAlert = 5,
  /** RFC 2675 (not supported). */
  Jumbo = 0xc2,
}

/** RFC 8200 §4.2: what a node does with an option it does not recognize (the type's top two bits). */
export const enum Ipv6OptionAction {
  /** 00: skip over this option and continue processing the header. */
  Skip = 0,
  /** 01: discard the packet. */
  Discard = 1,
  /** 10: discard, and send Parameter Problem code 2 pointing at the option type. */
  DiscardAndReport = 2,
  /** 11: discard, and send Parameter Problem code 2 unless the destination was multicast. */
  DiscardAndReportUnlessMulticast = 3,
}

/** Router Alert values (RFC 2711 §2.1). */
export const enum Ipv6RouterAlert {
  /** "Datagram contains a Multicast Listener Discovery message". */
  Mld = 0,
  Rsvp = 1,
  ActiveNetworks = 2,
}

/** Whether `nh` names an extension header the walker steps over (0, 43, 44, 60). */
export function ipv6IsExtensionHeader(nh: number): boolean {
  return nh === 0 || nh === 43 || nh === 44 || nh === 60;
}

/** A printable name for an option type (traces only). */
export function ipv6OptionName(t: number): string {
  switch (t) {
    case Ipv6OptionType.Pad1: return "Pad1";
    case Ipv6OptionType.PadN: return "PadN";
    case Ipv6OptionType.RouterAlert: return "RouterAlert";
    case Ipv6OptionType.Jumbo: return "Jumbo";
    default: return "0x" + (t & 0xff).toString(16).padStart(2, "0");
  }
}

/**
 * A view of a Hop-by-Hop, Routing or Destination Options header (the shape with Hdr Ext Len).
 * Created once, re-pointed with `reset`. After `check()` has returned `WireError.Ok`, every
 * accessor stays inside the header.
 */
export class Ipv6ExtHeader extends PacketView {
  /** Validates the lengths the accessors use: two octets, then `headerLen()` octets. */
  check(): WireError {
    if (this.len < 2) return WireError.Truncated;
    if (this.len < this.headerLen()) return WireError.Truncated;
    return WireError.Ok;
  }

  nextHeader(): number {
    return this.dv.getUint8(this.off + NEXT_HEADER);
  }

  /** Hdr Ext Len: the length in 8-octet units, not counting the first 8 octets. */
  hdrExtLen(): number {
    return this.dv.getUint8(this.off + HDR_EXT_LEN);
  }

  /** Length of the header in octets: `(hdrExtLen + 1) * 8`. */
  headerLen(): number {
    return (this.dv.getUint8(this.off + HDR_EXT_LEN) + 1) << 3;
  }

  /** Offset in `bytes` of the options (or of the Routing Type) after the two fixed octets. */
  dataOffset(): number {
    return this.off + 2;
  }

  /** Length of the options (or routing data) after the two fixed octets. */
  dataLen(): number {
    return this.headerLen() - 2;
  }

  /** Routing Type (Routing header only). */
  routingType(): number {
    return this.dv.getUint8(this.off + ROUTING_TYPE);
  }

  /** Segments Left (Routing header only). */
  segmentsLeft(): number {
    return this.dv.getUint8(this.off + SEGMENTS_LEFT);
  }

  setNextHeader(nh: number): void {
    this.dv.setUint8(this.off + NEXT_HEADER, nh);
  }

  setHdrExtLen(n: number): void {
    this.dv.setUint8(this.off + HDR_EXT_LEN, n);
  }

  setRoutingType(t: number): void {
    this.dv.setUint8(this.off + ROUTING_TYPE, t);
  }

  setSegmentsLeft(n: number): void {
    this.dv.setUint8(this.off + SEGMENTS_LEFT, n);
  }
}

/**
 * An iterator over the options of a Hop-by-Hop or Destination Options header, created once and
 * re-pointed with `reset`. Pad1 and PadN are consumed silently; `next()` stops on every other
 * option and describes it in `type`, `optionOffset`, `dataOffset` and `dataLen`:
 *
 * ```ts
 * cursor.resetHeader(header);
 * while (cursor.next()) { if (cursor.type === Ipv6OptionType.RouterAlert) ... }
 * if (cursor.error !== WireError.Ok) drop();
 * ```
 */
export class Ipv6OptionCursor {
  bytes: Uint8Array;
  dv: DataView;
  /** Offset of the next option to read. */
  private pos = 0;
  /** End of the options area. */
  private end = 0;
  /** Type of the current option (-1 before the first `next()` and at the end). */
  type = -1;
  /** Offset in `bytes` of the current option's type octet (what a Parameter Problem points at). */
  optionOffset = 0;
  /** Offset in `bytes` of the current option's data. */
  dataOffset = 0;
  /** Length of the current option's data. */
  dataLen = 0;
  /** `WireError.Ok`, or Truncated once an option's length runs past the end of the area. */
  error: WireError = WireError.Ok;

  constructor() {
    this.bytes = EMPTY_BYTES;
    this.dv = EMPTY_DV;
  }

  /** Points the cursor at an options area of `len` octets at `off`. */
  reset(bytes: Uint8Array, dv: DataView, off: number, len: number): this {
    this.bytes = bytes;
    this.dv = dv;
    this.pos = off;
    this.end = off + len;
    this.type = -1;
    this.error = WireError.Ok;
    return this;
  }

  /** Points the cursor at the options of a checked Hop-by-Hop or Destination Options header. */
  resetHeader(header: Ipv6ExtHeader): this {
    return this.reset(header.bytes, header.dv, header.off + 2, header.headerLen() - 2);
  }

  /**
   * Moves to the next option other than padding. Returns false at the end of the area (`error`
   * Ok) or when an option runs past it (`error` Truncated).
   */
  next(): boolean {
    const dv = this.dv;
    const end = this.end;
    let pos = this.pos;
    while (pos < end) {
      const t = dv.getUint8(pos);
      // RFC 8200 §4.2: "the format of the Pad1 option is a special case -- it does not have
      // length and value fields."
      if (t === Ipv6OptionType.Pad1) {
        pos++;
        continue;
      }
      if (end - pos < 2) break;
      const n = dv.getUint8(pos + 1);
      if (end - pos - 2 < n) break;
      if (t === Ipv6OptionType.PadN) {
        pos += 2 + n;
        continue;
      }
      this.type = t;
      this.optionOffset = pos;
      this.dataOffset = pos + 2;
      this.dataLen = n;
      this.pos = pos + 2 + n;
      return true;
    }
    this.type = -1;
    this.pos = end;
    this.error = pos < end ? WireError.Truncated : WireError.Ok;
    return false;
  }

  /** RFC 8200 §4.2: the action for the current option if it is not recognized. */
  action(): Ipv6OptionAction {
    return (this.type >>> 6) & 3;
  }

  /** RFC 8200 §4.2: the third-highest bit, "Option Data may change en route". */
  isMutable(): boolean {
    return (this.type & 0x20) !== 0;
  }
}

/**
 * The meaning of a Hop-by-Hop Options header (Destination Options headers have the same format
 * and parse the same way): its Next Header, the Router Alert value if present, and the first
 * unrecognized option that the packet must not survive.
 */
export class Ipv6HopByHopRepr {
  nextHeader = 0;
  /** The Router Alert value (RFC 2711), or -1 when the header has none. */
  routerAlert = -1;
  /**
   * Type of the first unrecognized option whose action (`type >>> 6`) is not Skip, or -1. The
   * interface discards the packet and, by the action, answers Parameter Problem code 2.
   */
  unrecognizedType = -1;
  /** Offset in `bytes` of that option's type octet (pointer = this minus the IPv6 header's offset). */
  unrecognizedOffset = 0;
  private readonly cursor = new Ipv6OptionCursor();

  /**
   * Fills this repr from a header: checks it, reads every option (Truncated if one overruns the
   * header; Malformed if a Router Alert's data is not two octets, RFC 2711 §2.1 "Length = 2").
   */
  parse(header: Ipv6ExtHeader): WireError {
    const err = header.check();
    if (err !== WireError.Ok) return err;
    const dv = header.dv;
    const cur = this.cursor.resetHeader(header);
    this.nextHeader = header.nextHeader();
    this.routerAlert = -1;
    this.unrecognizedType = -1;
    this.unrecognizedOffset = 0;
    while (cur.next()) {
      if (cur.type === Ipv6OptionType.RouterAlert) {
        if (cur.dataLen !== 2) return WireError.Malformed;
        this.routerAlert = dv.getUint16(cur.dataOffset);
      } else if (this.unrecognizedType < 0 && cur.action() !== Ipv6OptionAction.Skip) {
        this.unrecognizedType = cur.type;
        this.unrecognizedOffset = cur.optionOffset;
      }
    }
    return cur.error;
  }

  /** Length of the header `emit` writes: always 8 octets. */
  headerLen(): number {
    return IPV6_EXT_HEADER_MIN_LEN;
  }

  /** Same as `headerLen()`: the header has no payload of its own. */
  bufferLen(): number {
    return IPV6_EXT_HEADER_MIN_LEN;
  }

  /**
   * Writes an 8-octet header: Next Header, Hdr Ext Len 0, then either Router Alert and a PadN of
   * two octets (`3a 00 05 02 00 00 01 00` is Linux's MLD header) or a PadN of six octets.
   */
  emit(header: Ipv6ExtHeader): void {
    const dv = header.dv;
    const off = header.off;
    dv.setUint8(off + NEXT_HEADER, this.nextHeader);
    dv.setUint8(off + HDR_EXT_LEN, 0);
    if (this.routerAlert >= 0) {
      dv.setUint8(off + 2, Ipv6OptionType.RouterAlert);
      dv.setUint8(off + 3, 2);
      dv.setUint16(off + 4, this.routerAlert);
      dv.setUint8(off + 6, Ipv6OptionType.PadN);
      dv.setUint8(off + 7, 0);
    } else {
      dv.setUint8(off + 2, Ipv6OptionType.PadN);
      dv.setUint8(off + 3, 4);
      dv.setInt32(off + 4, 0);
    }
  }

  toString(): string {
    let s = "IPv6-Opts nxt=" + ipProtocolName(this.nextHeader);
    if (this.routerAlert >= 0) s += " router_alert=" + this.routerAlert;
    if (this.unrecognizedType >= 0) s += " unrecognized=" + ipv6OptionName(this.unrecognizedType);
    return s;
  }
}

/** A view of a Fragment header. After `check()` has returned Ok, accessors stay inside it. */
export class Ipv6FragmentHeader extends PacketView {
  /** Validates the lengths the accessors use: 8 octets. */
  check(): WireError {
    return this.len < IPV6_FRAGMENT_HEADER_LEN ? WireError.Truncated : WireError.Ok;
  }

  nextHeader(): number {
    return this.dv.getUint8(this.off + NEXT_HEADER);
  }

  /** Fragment Offset in octets (the field counts 8-octet units). */
  fragmentOffset(): number {
    return this.dv.getUint16(this.off + FRAG_OFFSET_FLAGS) & 0xfff8;
  }

  /** The M flag: "1 = more fragments; 0 = last fragment". */
  moreFragments(): boolean {
    return (this.dv.getUint8(this.off + FRAG_OFFSET_FLAGS + 1) & 1) !== 0;
  }

  /** Identification, int32. */
  ident(): number {
    return this.dv.getInt32(this.off + FRAG_IDENT);
  }

  setNextHeader(nh: number): void {
    this.dv.setUint8(this.off + NEXT_HEADER, nh);
  }

  /** Sets the Reserved octet to 0 (RFC 8200 §4.5: "Initialized to zero for transmission"). */
  clearReserved(): void {
    this.dv.setUint8(this.off + 1, 0);
  }

  /** Sets Fragment Offset (in octets, a multiple of 8) and M; the two reserved bits become 0. */
  setFragmentOffset(offset: number, more: boolean): void {
    this.dv.setUint16(this.off + FRAG_OFFSET_FLAGS, (offset & 0xfff8) | (more ? 1 : 0));
  }

  setIdent(id: number): void {
    this.dv.setInt32(this.off + FRAG_IDENT, id);
  }
}

/** The meaning of a Fragment header. Reassembly is not supported: this is for reporting. */
export class Ipv6FragmentRepr {
  nextHeader = 0;
  /** Fragment Offset in octets. */
  fragmentOffset = 0;
  moreFragments = false;
  /** Identification, int32. */
  ident = 0;

  /** Fills this repr from a header (Truncated if shorter than 8 octets). */
  parse(header: Ipv6FragmentHeader): WireError {
    const err = header.check();
    if (err !== WireError.Ok) return err;
    this.nextHeader = header.nextHeader();
    this.fragmentOffset = header.fragmentOffset();
    this.moreFragments = header.moreFragments();
    this.ident = header.ident();
    return WireError.Ok;
  }

  /** Whether this is an atomic fragment (offset 0, M clear, RFC 6946): the packet is whole. */
  isAtomic(): boolean {
    return this.fragmentOffset === 0 && !this.moreFragments;
  }

  headerLen(): number {
    return IPV6_FRAGMENT_HEADER_LEN;
  }

  bufferLen(): number {
    return IPV6_FRAGMENT_HEADER_LEN;
  }

  /** Writes the 8-octet header; reserved fields are 0. */
  emit(header: Ipv6FragmentHeader): void {
    header.setNextHeader(this.nextHeader);
    header.clearReserved();
    header.setFragmentOffset(this.fragmentOffset, this.moreFragments);
    header.setIdent(this.ident);
  }

  toString(): string {
    return "IPv6-Frag nxt=" + ipProtocolName(this.nextHeader) + " off=" + this.fragmentOffset +
      (this.moreFragments ? " mf" : "") + " id=0x" + (this.ident >>> 0).toString(16);
  }
}

/**
 * The walk over a packet's extension headers (see the module comment). Created once; `reset` at
 * each packet, then either `walk()` to the upper layer, or `step()` one header at a time to look
 * at each (`headerType`, `headerOffset`, `headerLen`) before going on:
 *
 * ```ts
 * walker.resetPacket(ipv6Packet);
 * while (walker.atExtensionHeader()) {
 *   if (walker.step() !== WireError.Ok) return drop(walker.problemCode, walker.problemPointer);
 *   if (walker.headerType === IpProtocol.HopByHop) { ...options at walker.headerOffset... }
 * }
 * dispatch(walker.nextHeader, walker.offset, walker.remaining());
 * ```
 */
export class Ipv6ExtWalker {
  bytes: Uint8Array;
  dv: DataView;
  /** The most extension headers one walk steps over; one more gives Unsupported. */
  maxHeaders: number;
  /**
   * The Next Header value of what starts at `offset`: an extension header type while
   * `atExtensionHeader()`, then the upper-layer protocol (or 59, No Next Header).
   */
  nextHeader = 0;
  /** Offset in `bytes` of the field holding `nextHeader` (a code 1 Parameter Problem points there). */
  nextHeaderField = 0;
  /** Offset in `bytes` of the next header to process; after the walk, of the upper-layer header. */
  offset = 0;
  /** End of the packet's payload in `bytes`. */
  end = 0;
  /** Offset in `bytes` of the IPv6 fixed header (pointers are counted from there). */
  ipOff = 0;
  /** Number of extension headers stepped over. */
  count = 0;
  /** The header stepped over last: its type (-1: none yet), offset in `bytes` and length. */
  headerType = -1;
  headerOffset = 0;
  headerLen = 0;
  /** Offset in `bytes` of the Fragment header if one was met, else -1. */
  fragmentOffset = -1;
  /**
   * After a failed step: the ICMPv6 Parameter Problem code the interface should answer with
   * (0 erroneous header field, 1 unrecognized Next Header), or -1 for none.
   */
  problemCode = -1;
  /** The Parameter Problem pointer: an offset from the start of the IPv6 header. */
  problemPointer = 0;

  constructor(maxHeaders = IPV6_EXT_DEFAULT_MAX_HEADERS) {
    this.bytes = EMPTY_BYTES;
    this.dv = EMPTY_DV;
    this.maxHeaders = maxHeaders;
  }

  /**
   * Starts a walk over `len` octets at `off` (the payload, right after a 40-octet fixed header
   * whose Next Header field held `nextHeader`).
   */
  reset(bytes: Uint8Array, dv: DataView, off: number, len: number, nextHeader: number): this {
    this.bytes = bytes;
    this.dv = dv;
    this.ipOff = off - IPV6_HEADER_LEN;
    this.nextHeader = nextHeader;
    this.nextHeaderField = this.ipOff + IPV6_NEXT_HEADER_FIELD;
    this.offset = off;
    this.end = off + len;
    this.count = 0;
    this.headerType = -1;
    this.headerOffset = 0;
    this.headerLen = 0;
    this.fragmentOffset = -1;
    this.problemCode = -1;
    this.problemPointer = 0;
    return this;
  }

  /** Starts a walk over the payload of a checked packet (its Payload Length, not the buffer). */
  resetPacket(packet: Ipv6Packet): this {
    return this.reset(packet.bytes, packet.dv, packet.off + IPV6_HEADER_LEN, packet.payloadLen(), packet.nextHeader());
  }

  /** Whether `nextHeader` is still an extension header to step over. */
  atExtensionHeader(): boolean {
    return ipv6IsExtensionHeader(this.nextHeader);
  }

  /** Octets from `offset` to the end of the payload. */
  remaining(): number {
    return this.end - this.offset;
  }

  /** Steps over one extension header (nothing if `nextHeader` is not one). See the module comment. */
  step(): WireError {
    const nh = this.nextHeader;
    if (!ipv6IsExtensionHeader(nh)) return WireError.Ok;
    if (this.count >= this.maxHeaders) return WireError.Unsupported;
    const dv = this.dv;
    const off = this.offset;
    const avail = this.end - off;
    if (nh === 0 && this.count !== 0) {
      this.problemCode = 1;
      this.problemPointer = this.nextHeaderField - this.ipOff;
      return WireError.Malformed;
    }
    let hl = IPV6_FRAGMENT_HEADER_LEN;
    if (nh === 44) {
      if (avail < IPV6_FRAGMENT_HEADER_LEN) return WireError.Truncated;
    } else {
      if (avail < 2) return WireError.Truncated;
      hl = (dv.getUint8(off + HDR_EXT_LEN) + 1) << 3;
      if (avail < hl) return WireError.Truncated;
    }
    this.count++;
    this.headerType = nh;
    this.headerOffset = off;
    this.headerLen = hl;
    this.nextHeader = dv.getUint8(off + NEXT_HEADER);
    this.nextHeaderField = off + NEXT_HEADER;
    this.offset = off + hl;
    if (nh === 43 && dv.getUint8(off + SEGMENTS_LEFT) !== 0) {
      this.problemCode = 0;
      this.problemPointer = off + ROUTING_TYPE - this.ipOff;
      return WireError.Unsupported;
    }
    if (nh === 44) {
      this.fragmentOffset = off;
      // Offset (13 bits) and M; the two reserved bits are ignored.
      if ((dv.getUint16(off + FRAG_OFFSET_FLAGS) & 0xfff9) !== 0) return WireError.Unsupported;
    }
    return WireError.Ok;
  }

  /** Steps over every extension header; Ok when `nextHeader` is the upper-layer protocol. */
  walk(): WireError {
    while (ipv6IsExtensionHeader(this.nextHeader)) {
      const err = this.step();
      if (err !== WireError.Ok) return err;
    }
    return WireError.Ok;
  }
}
