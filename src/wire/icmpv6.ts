/**
 * Internet Control Message Protocol for IPv6 (RFC 4443): echo, and the four error messages.
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Unused (1, 3) / MTU (2) / Pointer (4) /                      |
 * |  Identifier and Sequence Number (128, 129)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Error messages: as much of the invoking packet as possible   |
 * |  (its IPv6 header first); echo: data                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * Every message this module parses has the 8-octet header above, so `check()` requires 8 octets
 * (smoltcp requires 4 for unknown types; nothing here reads an unknown type's body, and a
 * shorter message is Truncated).
 *
 * Checksum. RFC 4443 §2.3: "The checksum is the 16-bit one's complement of the one's complement
 * sum of the entire ICMPv6 message, starting with the ICMPv6 message type field, and prepended
 * with a 'pseudo-header' of IPv6 header fields, as specified in [IPv6, Section 8.1]. The Next
 * Header value used in the pseudo-header is 58." `parse` and `emit` therefore take the source and
 * destination addresses, and the view's length must be exactly the ICMPv6 message (the upper-layer
 * length of RFC 8200 §8.1, what the extension header walk leaves). `parse` verifies the checksum
 * if `checksumRx(caps.icmpv6)`; `emit` fills it if `checksumTx(caps.icmpv6)` and writes 0
 * otherwise, over `bufferLen()` octets whose payload is already in place.
 *
 * Messages and their repr (`Icmpv6Repr`):
 * - Echo Request (128) and Echo Reply (129), RFC 4443 §4: `ident`, `seqNo`, and the data as
 *   (`dataOffset`, `dataLen`). Code must be 0 (Malformed otherwise, as smoltcp).
 * - Destination Unreachable (1; codes 0-6 of §3.1, from no route to reject route), Packet Too Big
 *   (2; `mtu`), Time Exceeded (3; codes 0 hop limit, 1 reassembly), Parameter Problem (4; codes
 *   0-2 of §3.4, and `pointer`, "the octet offset within the invoking packet where the error was
 *   detected"). Codes are kept as received, so a code from a later RFC (Destination Unreachable
 *   code 7 of RFC 6554, Parameter Problem 3 of RFC 7112) passes through: RFC 4443 §3.2 even says
 *   a Packet Too Big's code is "ignored by the receiver".
 * - RFC 4443 §2.4 (a): "If an ICMPv6 error message of unknown type is received at a host, it MUST
 *   be passed to the upper-layer process that originated the packet that caused the error". So
 *   every type below 128 parses as an error: `quoted` and the data, nothing else.
 * - §2.4 (b): "If an ICMPv6 informational message of unknown type is received, it MUST be
 *   silently discarded": `parse` returns Unsupported for any informational type but echo.
 *
 * Quoted packets. An error message carries "as much of invoking packet as possible without the
 * ICMPv6 packet exceeding the minimum IPv6 MTU", so the quote is often cut short. `parse` reads
 * the quoted fixed header into the preallocated `quoted` (`Ipv6Repr.parseQuoted`: its 40 octets
 * must be there and say version 6, else Truncated or Malformed; the original payload need not be)
 * and describes the quote two ways, as `Icmpv4Repr` does: (`dataOffset`, `dataLen`) is the whole
 * message body, the quoted fixed header included; (`quotedDataOffset`, `quotedDataLen`) is what
 * follows that header: the extension headers and the start of the upper-layer header, from which
 * the interface finds the socket.
 * On emit, the invoking packet, header included, is the error's payload: the interface copies
 * it in place (at most `ICMPV6_ERROR_MAX_QUOTE` octets) before `emit`, which writes the 8-octet
 * header only and never rewrites the quote from `quoted` (so the quoted Traffic Class and Flow
 * Label stay what they were). For an error `dataLen` counts the whole quote, header included,
 * both on parse and on emit (`setError` takes the whole quote's length).
 *
 * Neighbor Discovery and MLD. Types 133-137 are Neighbor Discovery (`ndisc.ts`), types 130-132 and
 * 143 are MLD; `Icmpv6Repr.parse` returns Unsupported for them (after the checksum). The caller
 * dispatches on the type first, with the view alone:
 *
 * ```ts
 * if (icmp.check() !== WireError.Ok) return drop();
 * const t = icmp.msgType();
 * if (icmpv6IsNdisc(t)) err = ndisc.parse(icmp, src, dst, caps);
 * else err = icmpv6.parse(icmp, src, dst, caps);
 * ```
 *
 * What is NOT supported: the rate limiting and "don't answer an error with an error" rules of
 * RFC 4443 §2.4 (e), (f) are the interface's; no other informational message (Node Information,
 * Router Renumbering, ...) is parsed.
 */

import { WireError } from "./error.js";
import { ChecksumCapabilities, checksumCombine, checksumData, checksumPseudoV6, checksumRx, checksumTx } from "./checksum.js";
import type { Ipv6Address } from "./ip.js";
import { IPV6_HEADER_LEN, IPV6_MIN_MTU, Ipv6Packet, Ipv6Repr } from "./ipv6.js";
import { IcmpHeaderView } from "./icmp.js";
import { EMPTY_BYTES, EMPTY_DV } from "./view.js";

// Field offsets.
const TYPE = 0;
const CODE = 1;
const CHECKSUM = 2;
const WORD = 4;
const ECHO_IDENT = 4;
const ECHO_SEQNO = 6;
/** Length of the ICMPv6 header of the messages of RFC 4443 (type, code, checksum, one word). */
export const ICMPV6_HEADER_LEN = 8;

/** The most octets of an invoking packet an error may quote (RFC 4443 §2.4 (c)): 1232. */
export const ICMPV6_ERROR_MAX_QUOTE = IPV6_MIN_MTU - IPV6_HEADER_LEN - ICMPV6_HEADER_LEN;

/** The IPv6 Next Header value of ICMPv6, used in the pseudo-header. */
const NEXT_HEADER_ICMPV6 = 58;

/** ICMPv6 message types (IANA "ICMPv6 Parameters"). */
export const enum Icmpv6Message {
  DstUnreachable = 1,
  PktTooBig = 2,
  TimeExceeded = 3,
  ParamProblem = 4,
  EchoRequest = 128,
  EchoReply = 129,
  MldQuery = 130,
  MldReport = 131,
  MldDone = 132,
  RouterSolicit = 133,
  RouterAdvert = 134,
  NeighborSolicit = 135,
  NeighborAdvert = 136,
  Redirect = 137,
  Mldv2Report = 143,
}

/** Destination Unreachable codes (RFC 4443 §3.1). */
export const enum Icmpv6DstUnreachable {
  NoRoute = 0,
  AdminProhibit = 1,
  BeyondScope = 2,
  AddrUnreachable = 3,
  PortUnreachable = 4,
  FailedPolicy = 5,
  RejectRoute = 6,
}

/** Time Exceeded codes (RFC 4443 §3.3). */
export const enum Icmpv6TimeExceeded {
  HopLimitExceeded = 0,
  FragReassemblyExceeded = 1,
}

/** Parameter Problem codes (RFC 4443 §3.4). */
export const enum Icmpv6ParamProblem {
  ErroneousHeaderField = 0,
  UnrecognizedNextHeader = 1,
  UnrecognizedOption = 2,
}

/** RFC 4443 §2.1: "error messages are identified as such by a zero in the high-order bit". */
export function icmpv6IsError(t: number): boolean {
  return (t & 0x80) === 0;
}

/** Types 133-137: Neighbor Discovery (RFC 4861), parsed by `NdiscRepr`. */
export function icmpv6IsNdisc(t: number): boolean {
  return t >= 133 && t <= 137;
}

/** Types 130-132 and 143: Multicast Listener Discovery (RFC 2710, RFC 3810). */
export function icmpv6IsMld(t: number): boolean {
  return (t >= 130 && t <= 132) || t === 143;
}

/** A printable name for a message type (traces only). */
export function icmpv6MessageName(t: number): string {
  switch (t) {
    case Icmpv6Message.DstUnreachable: return "destination unreachable";
    case Icmpv6Message.PktTooBig: return "packet too big";
    case Icmpv6Message.TimeExceeded: return "time exceeded";
    case Icmpv6Message.ParamProblem: return "parameter problem";
    case Icmpv6Message.EchoRequest: return "echo request";
    case Icmpv6Message.EchoReply: return "echo reply";
    case Icmpv6Message.MldQuery: return "multicast listener query";
    case Icmpv6Message.MldReport: return "multicast listener report";
    case Icmpv6Message.MldDone: return "multicast listener done";
    case Icmpv6Message.RouterSolicit: return "router solicitation";
    case Icmpv6Message.RouterAdvert: return "router advertisement";
    case Icmpv6Message.NeighborSolicit: return "neighbor solicitation";
    case Icmpv6Message.NeighborAdvert: return "neighbor advertisement";
    case Icmpv6Message.Redirect: return "redirect";
    case Icmpv6Message.Mldv2Report: return "multicast listener report v2";
    default: return "type " + t;
  }
}

/** A printable name for an error message's code (traces only). */
export function icmpv6CodeName(t: number, code: number): string {
  if (t === Icmpv6Message.DstUnreachable) {
    switch (code) {
      case Icmpv6DstUnreachable.NoRoute: return "no route to destination";
      case Icmpv6DstUnreachable.AdminProhibit: return "administratively prohibited";
      case Icmpv6DstUnreachable.BeyondScope: return "beyond scope of source address";
      case Icmpv6DstUnreachable.AddrUnreachable: return "address unreachable";
      case Icmpv6DstUnreachable.PortUnreachable: return "port unreachable";
      case Icmpv6DstUnreachable.FailedPolicy: return "source address failed ingress/egress policy";
      case Icmpv6DstUnreachable.RejectRoute: return "reject route to destination";
    }
  } else if (t === Icmpv6Message.TimeExceeded) {
    switch (code) {
      case Icmpv6TimeExceeded.HopLimitExceeded: return "hop limit exceeded in transit";
      case Icmpv6TimeExceeded.FragReassemblyExceeded: return "fragment reassembly time exceeded";
    }
  } else if (t === Icmpv6Message.ParamProblem) {
    switch (code) {
      case Icmpv6ParamProblem.ErroneousHeaderField: return "erroneous header field";
      case Icmpv6ParamProblem.UnrecognizedNextHeader: return "unrecognized next header";
      case Icmpv6ParamProblem.UnrecognizedOption: return "unrecognized IPv6 option";
    }
  }
  return "code " + code;
}

/** Whether the ICMPv6 message of `len` octets at `off` has a valid checksum for these addresses. */
export function icmpv6VerifyChecksum(dv: DataView, off: number, len: number, src: Ipv6Address, dst: Ipv6Address): boolean {
  return checksumCombine(checksumPseudoV6(src, dst, NEXT_HEADER_ICMPV6, len), checksumData(dv, off, len)) === 0xffff;
}

/** Computes and writes the checksum of the ICMPv6 message of `len` octets at `off`. */
export function icmpv6FillChecksum(dv: DataView, off: number, len: number, src: Ipv6Address, dst: Ipv6Address): void {
  dv.setUint16(off + CHECKSUM, 0);
  const sum = checksumCombine(checksumPseudoV6(src, dst, NEXT_HEADER_ICMPV6, len), checksumData(dv, off, len));
  dv.setUint16(off + CHECKSUM, ~sum & 0xffff);
}

/**
 * A view of an ICMPv6 message in a byte buffer; `len` is the whole message. Created once,
 * re-pointed with `reset`. After `check()` has returned `WireError.Ok`, every accessor of the
 * 8-octet header stays inside the message.
 */
export class Icmpv6Packet extends IcmpHeaderView {
  /** MTU (Packet Too Big), int32. */
  mtu(): number {
    return this.dv.getInt32(this.off + WORD);
  }

  /** Pointer (Parameter Problem), int32. */
  pointer(): number {
    return this.dv.getInt32(this.off + WORD);
  }

  /** Offset in `bytes` of the message body after the 8-octet header. */
  payloadOffset(): number {
    return this.off + ICMPV6_HEADER_LEN;
  }

  /** Length of the message body after the 8-octet header. */
  payloadLen(): number {
    return this.len - ICMPV6_HEADER_LEN;
  }

  /** Whether the checksum verifies over the whole message with this pseudo-header. */
  verifyChecksum(src: Ipv6Address, dst: Ipv6Address): boolean {
    return icmpv6VerifyChecksum(this.dv, this.off, this.len, src, dst);
  }

  setMtu(mtu: number): void {
    this.dv.setInt32(this.off + WORD, mtu);
  }

  setPointer(p: number): void {
    this.dv.setInt32(this.off + WORD, p);
  }

  /** Sets the Unused word of Destination Unreachable and Time Exceeded to 0. */
  clearUnused(): void {
    this.dv.setInt32(this.off + WORD, 0);
  }

  /** Computes and writes the checksum over the whole message (`len` octets). */
  fillChecksum(src: Ipv6Address, dst: Ipv6Address): void {
    icmpv6FillChecksum(this.dv, this.off, this.len, src, dst);
  }
}

/**
 * The meaning of an ICMPv6 echo or error message (not Neighbor Discovery or MLD; see the module
 * comment). One record for every variant: fields a variant does not use are 0.
 */
export class Icmpv6Repr {
  /** The message type (`Icmpv6Message`). */
  msgType = 0;
  /** The code, as received (error messages keep unknown codes). */
  msgCode = 0;
  /** Echo Identifier. */
  ident = 0;
  /** Echo Sequence Number. */
  seqNo = 0;
  /** Packet Too Big MTU, int32. */
  mtu = 0;
  /** Parameter Problem pointer, int32. */
  pointer = 0;
  /** Error messages: the fixed header of the invoking packet (filled by `parse` only). */
  readonly quoted = new Ipv6Repr();
  /**
   * Offset in `bytes` of the message body: the echo data, or, for an error, the whole quote (the
   * invoking packet's fixed header first). Filled by `parse`; `emit` does not need it (the data is
   * in place).
   */
  dataOffset = 0;
  /** Length of the body. `emit` checksums 8 + `dataLen` octets. */
  dataLen = 0;
  /** Errors: offset in `bytes` of the quoted octets after the quoted fixed header. */
  quotedDataOffset = 0;
  /** Errors: length of the quoted octets after the quoted fixed header (0 for echo). */
  quotedDataLen = 0;
  private readonly inner: Ipv6Packet;

  constructor() {
    this.inner = new Ipv6Packet(EMPTY_BYTES, EMPTY_DV);
  }

  /** Prepares an Echo Request or Reply carrying `dataLen` octets. Returns `this`. */
  setEcho(msgType: number, ident: number, seqNo: number, dataLen: number): this {
    this.msgType = msgType;
    this.msgCode = 0;
    this.ident = ident;
    this.seqNo = seqNo;
    this.mtu = 0;
    this.pointer = 0;
    this.dataOffset = 0;
    this.dataLen = dataLen;
    this.quotedDataOffset = 0;
    this.quotedDataLen = 0;
    return this;
  }

  /**
   * Prepares an error message quoting `quoteLen` octets of the invoking packet (header included,
   * at most `ICMPV6_ERROR_MAX_QUOTE`). `param` is the MTU of Packet Too Big or the pointer of
   * Parameter Problem, ignored otherwise. Returns `this`.
   */
  setError(msgType: number, msgCode: number, param: number, quoteLen: number): this {
    this.msgType = msgType;
    this.msgCode = msgCode;
    this.ident = 0;
    this.seqNo = 0;
    this.mtu = msgType === Icmpv6Message.PktTooBig ? param | 0 : 0;
    this.pointer = msgType === Icmpv6Message.ParamProblem ? param | 0 : 0;
    this.dataOffset = 0;
    this.dataLen = quoteLen;
    this.quotedDataOffset = 0;
    this.quotedDataLen = quoteLen - IPV6_HEADER_LEN;
    return this;
  }

  /**
   * Fills this repr from a message: checks it (Truncated), verifies the checksum if
   * `checksumRx(caps.icmpv6)` (Checksum), then by type: errors need a quoted fixed header
   * (Truncated, Malformed), echo needs code 0 (Malformed), and any other type is Unsupported.
   */
  parse(packet: Icmpv6Packet, srcAddr: Ipv6Address, dstAddr: Ipv6Address, caps: ChecksumCapabilities): WireError {
    const err = packet.check();
    if (err !== WireError.Ok) return err;
    if (checksumRx(caps.icmpv6) && !packet.verifyChecksum(srcAddr, dstAddr)) return WireError.Checksum;
    const dv = packet.dv;
    const off = packet.off;
    const len = packet.len;
    const t = dv.getUint8(off + TYPE);
    const code = dv.getUint8(off + CODE);
    this.msgType = t;
    this.msgCode = code;
    this.ident = 0;
    this.seqNo = 0;
    this.mtu = 0;
    this.pointer = 0;
    if ((t & 0x80) === 0) {
      const inner = this.inner.reset(packet.bytes, dv, off + ICMPV6_HEADER_LEN, len - ICMPV6_HEADER_LEN);
      const qerr = this.quoted.parseQuoted(inner);
      if (qerr !== WireError.Ok) return qerr;
      if (t === Icmpv6Message.PktTooBig) this.mtu = dv.getInt32(off + WORD);
      else if (t === Icmpv6Message.ParamProblem) this.pointer = dv.getInt32(off + WORD);
      this.dataOffset = off + ICMPV6_HEADER_LEN;
      this.dataLen = len - ICMPV6_HEADER_LEN;
      this.quotedDataOffset = off + ICMPV6_HEADER_LEN + IPV6_HEADER_LEN;
      this.quotedDataLen = len - ICMPV6_HEADER_LEN - IPV6_HEADER_LEN;
      return WireError.Ok;
    }
    if (t === Icmpv6Message.EchoRequest || t === Icmpv6Message.EchoReply) {
      if (code !== 0) return WireError.Malformed;
      this.ident = dv.getUint16(off + ECHO_IDENT);
      this.seqNo = dv.getUint16(off + ECHO_SEQNO);
      this.dataOffset = off + ICMPV6_HEADER_LEN;
      this.dataLen = len - ICMPV6_HEADER_LEN;
      this.quotedDataOffset = 0;
      this.quotedDataLen = 0;
      return WireError.Ok;
    }
    return WireError.Unsupported;
  }

  /** Whether this is an error message (type below 128). */
  isError(): boolean {
    return (this.msgType & 0x80) === 0;
  }

  /** Length of the header `emit` writes. */
  headerLen(): number {
    return ICMPV6_HEADER_LEN;
  }

  /** Length of the whole message: the header, then the echo data or the whole quote. */
  bufferLen(): number {
    return ICMPV6_HEADER_LEN + this.dataLen;
  }

  /**
   * Writes the 8-octet header into `packet`, whose payload (echo data, or the quoted invoking
   * packet) is already in place, then the checksum over `bufferLen()` octets if
   * `checksumTx(caps.icmpv6)`, else a checksum of 0.
   */
  emit(packet: Icmpv6Packet, srcAddr: Ipv6Address, dstAddr: Ipv6Address, caps: ChecksumCapabilities): void {
    const dv = packet.dv;
    const off = packet.off;
    const t = this.msgType;
    dv.setUint8(off + TYPE, t);
    dv.setUint8(off + CODE, this.msgCode);
    dv.setUint16(off + CHECKSUM, 0);
    if (t === Icmpv6Message.EchoRequest || t === Icmpv6Message.EchoReply) {
      dv.setUint16(off + ECHO_IDENT, this.ident);
      dv.setUint16(off + ECHO_SEQNO, this.seqNo);
    } else if (t === Icmpv6Message.PktTooBig) {
      dv.setInt32(off + WORD, this.mtu);
    } else if (t === Icmpv6Message.ParamProblem) {
      dv.setInt32(off + WORD, this.pointer);
    } else {
      dv.setInt32(off + WORD, 0);
    }
    if (checksumTx(caps.icmpv6)) icmpv6FillChecksum(dv, off, this.bufferLen(), srcAddr, dstAddr);
  }

  toString(): string {
    const t = this.msgType;
    let s = "ICMPv6 " + icmpv6MessageName(t);
    if (t === Icmpv6Message.EchoRequest || t === Icmpv6Message.EchoReply) {
      return s + " id=" + this.ident + " seq=" + this.seqNo + " len=" + this.dataLen;
    }
    if ((t & 0x80) === 0) {
      if (t !== Icmpv6Message.PktTooBig) s += " (" + icmpv6CodeName(t, this.msgCode) + ")";
      if (t === Icmpv6Message.PktTooBig) s += " mtu=" + (this.mtu >>> 0);
      if (t === Icmpv6Message.ParamProblem) s += " pointer=" + (this.pointer >>> 0);
      return s + " quoting [" + this.quoted + "] +" + this.quotedDataLen;
    }
    return s + " code=" + this.msgCode;
  }
}
