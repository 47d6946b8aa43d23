/**
 * The Internet Control Message Protocol for IPv4 (RFC 792), with the "fragmentation needed"
 * next-hop MTU of RFC 1191 and the later unreachable codes of RFC 1122 and RFC 1812.
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Identifier          |        Sequence Number        |  echo request (8), reply (0)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            unused             |         Next-Hop MTU          |  destination unreachable (3)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                             unused                            |  time exceeded (11)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    Pointer    |                   unused                      |  parameter problem (12)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Data (echo) or Internet Header + 64 bits of Original      |
 * |                     Data Datagram (errors) ...                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * Every message this stack understands has an 8-octet header: type, code, checksum and one
 * 32-bit word whose meaning depends on the type (drawn above, one line per type). The Next-Hop
 * MTU is RFC 1191's use of the low half of the unused word when the code is 4, "fragmentation
 * needed and DF set"; for the other unreachable codes the whole word is unused.
 *
 * Checksum: the one's complement of the one's complement sum of the whole ICMP message, type to
 * the end of the data, with the checksum field taken as zero (RFC 792). There is no
 * pseudo-header. `Icmpv4Repr.parse` verifies it if `checksumRx(caps.icmpv4)` and `emit` fills it
 * if `checksumTx(caps.icmpv4)` (else writes 0). Because the checksum covers the data, the data
 * must be in place, after the 8-octet header, before `emit` runs.
 *
 * Echo. "The data received in the echo message must be returned in the echo reply message."
 * The repr describes the data as an offset and a length inside the view's bytes (`dataOffset`,
 * `dataLen`), never as a copy: a reply is made by copying those octets once into the transmit
 * buffer and emitting the header in front of them.
 *
 * Errors. Destination unreachable, time exceeded and parameter problem carry "Internet Header +
 * 64 bits of Original Data Datagram", which RFC 792 says "is used by the host to match the
 * message to the appropriate process". `parse` reads that quoted header into `quoted`, an
 * `Ipv4Repr` the `Icmpv4Repr` owns, and describes the quoted datagram data that follows it
 * (`quotedDataOffset`, `quotedDataLen`), where the transport ports are. The quote holds only the
 * start of the original datagram, so its header is checked with `checkHeader()` (its total
 * length may exceed what was quoted; smoltcp's `new_checked` refuses such quotes, which are the
 * normal case) and `quoted.payloadLen` is the original payload length as that header says. The
 * quoted data must hold at least the first 8 octets of the original payload (or all of it if it
 * was shorter), else Truncated; octets quoted beyond the original's total length (padding) are
 * left out of `quotedDataLen`. The quoted header's checksum is not verified.
 *
 * Emitting an error: the caller copies the original header and leading data into place as the
 * payload (RFC 1812 §4.3.2.3: as much as fits in 576 octets), sets the repr with
 * `dstUnreachable` / `timeExceeded` / `paramProblem` giving that length, and calls `emit`, which
 * writes the 8-octet header and the checksum over all of it.
 *
 * What is NOT supported: redirect (5), router advertisement and solicitation (9, 10), timestamp
 * (13, 14), information and address mask messages, source quench (4, deprecated by RFC 6633) and
 * any other type parse as Unsupported. Echo messages with a code other than 0 are Malformed;
 * error messages with a code their RFC does not define are Unsupported. Extensions of RFC 4884
 * (a length field and extension objects after the quote) are not interpreted: the octets are
 * part of the quoted data.
 */

import { WireError } from "./error.js";
import { ChecksumCapabilities, checksumData, checksumRx, checksumTx } from "./checksum.js";
import { Ipv4Packet, Ipv4Repr } from "./ipv4.js";
import { IcmpHeaderView } from "./icmp.js";
import { EMPTY_BYTES, EMPTY_DV } from "./view.js";

// Field offsets.
const TYPE = 0;
const CODE = 1;
const CHECKSUM = 2;
const ECHO_IDENT = 4;
const ECHO_SEQNO = 6;
/** The 32-bit word after the checksum ("unused" in errors). */
const REST = 4;
const POINTER = 4;
const NEXT_HOP_MTU = 6;
/** Length of the ICMPv4 header of every message this stack understands. */
export const ICMPV4_HEADER_LEN = 8;

/** ICMPv4 message types (IANA "ICMP Type Numbers"). */
export const enum Icmpv4Message {
  EchoReply = 0,
  DstUnreachable = 3,
  Redirect = 5,
  EchoRequest = 8,
  RouterAdvert = 9,
  RouterSolicit = 10,
  TimeExceeded = 11,
  ParamProblem = 12,
  Timestamp = 13,
  TimestampReply = 14,
}

/** Codes of destination unreachable (RFC 792 0..5, RFC 1122 §3.2.2.1 6..12, RFC 1812 13..15). */
export const enum Icmpv4DstUnreachable {
  NetUnreachable = 0,
  HostUnreachable = 1,
  ProtoUnreachable = 2,
  PortUnreachable = 3,
  /** "Fragmentation needed and DF set"; the Next-Hop MTU field is meaningful (RFC 1191). */
  FragRequired = 4,
  SrcRouteFailed = 5,
  DstNetUnknown = 6,
  DstHostUnknown = 7,
  SrcHostIsolated = 8,
  NetProhibited = 9,
  HostProhibited = 10,
  NetUnreachToS = 11,
  HostUnreachToS = 12,
  CommProhibited = 13,
  HostPrecedenceViolation = 14,
  PrecedenceCutoff = 15,
}

/** Codes of time exceeded (RFC 792). */
export const enum Icmpv4TimeExceeded {
  TtlExpired = 0,
  FragExpired = 1,
}

/** Codes of parameter problem (RFC 792; 1 from RFC 1108; 2 from RFC 1812). */
export const enum Icmpv4ParamProblem {
  /** The pointer indicates the octet where an error was detected. */
  AtPointer = 0,
  MissingOption = 1,
  BadLength = 2,
}

/** A printable name for an ICMPv4 message type and code (traces only). */
export function icmpv4MessageName(type: number, code: number): string {
  switch (type) {
    case Icmpv4Message.EchoReply: return "echo reply";
    case Icmpv4Message.EchoRequest: return "echo request";
    case Icmpv4Message.DstUnreachable: return "destination unreachable (" + icmpv4DstUnreachableName(code) + ")";
    case Icmpv4Message.TimeExceeded:
      return "time exceeded (" + (code === 0 ? "ttl expired" : code === 1 ? "fragment reassembly time exceeded" : "code " + code) + ")";
    case Icmpv4Message.ParamProblem:
      return "parameter problem (" + (code === 0 ? "at pointer" : code === 1 ? "missing option" : code === 2 ? "bad length" : "code " + code) + ")";
    case Icmpv4Message.Redirect: return "redirect";
    case Icmpv4Message.RouterAdvert: return "router advertisement";
    case Icmpv4Message.RouterSolicit: return "router solicitation";
    case Icmpv4Message.Timestamp: return "timestamp";
    case Icmpv4Message.TimestampReply: return "timestamp reply";
    default: return "type " + type + " code " + code;
  }
}

function icmpv4DstUnreachableName(code: number): string {
  switch (code) {
    case 0: return "net unreachable";
    case 1: return "host unreachable";
    case 2: return "protocol unreachable";
    case 3: return "port unreachable";
    case 4: return "fragmentation needed";
    case 5: return "source route failed";
    case 6: return "destination network unknown";
    case 7: return "destination host unknown";
    case 8: return "source host isolated";
    case 9: return "network administratively prohibited";
    case 10: return "host administratively prohibited";
    case 11: return "network unreachable for type of service";
    case 12: return "host unreachable for type of service";
    case 13: return "communication administratively prohibited";
    case 14: return "host precedence violation";
    case 15: return "precedence cutoff in effect";
    default: return "code " + code;
  }
}

/**
 * A view of an ICMPv4 message in a byte buffer. Created once, re-pointed at each message with
 * `reset`. After `check()` has returned `WireError.Ok`, every accessor stays inside the message.
 */
export class Icmpv4Packet extends IcmpHeaderView {
  /** The 32-bit word after the checksum, int32 ("unused" in error messages). */
  restOfHeader(): number {
    return this.dv.getInt32(this.off + REST);
  }

  /** Pointer of a parameter problem message. */
  pointer(): number {
    return this.dv.getUint8(this.off + POINTER);
  }

  /** Next-Hop MTU of a "fragmentation needed" message (RFC 1191). */
  nextHopMtu(): number {
    return this.dv.getUint16(this.off + NEXT_HOP_MTU);
  }

  /** Offset of the data (after the 8-octet header) in `bytes`. */
  dataOffset(): number {
    return this.off + ICMPV4_HEADER_LEN;
  }

  /** Length of the data. */
  dataLen(): number {
    return this.len - ICMPV4_HEADER_LEN;
  }

  /** Whether the checksum over the whole message verifies. */
  verifyChecksum(): boolean {
    return checksumData(this.dv, this.off, this.len) === 0xffff;
  }

  setRestOfHeader(v: number): void {
    this.dv.setInt32(this.off + REST, v);
  }

  setPointer(v: number): void {
    this.dv.setUint8(this.off + POINTER, v);
  }

  setNextHopMtu(v: number): void {
    this.dv.setUint16(this.off + NEXT_HOP_MTU, v);
  }

  /** Computes and writes the checksum over the whole message (`len` octets). */
  fillChecksum(): void {
    const dv = this.dv;
    const off = this.off;
    dv.setUint16(off + CHECKSUM, 0);
    dv.setUint16(off + CHECKSUM, ~checksumData(dv, off, this.len) & 0xffff);
  }
}

/**
 * The high-level meaning of an ICMPv4 message: echo request or reply, destination unreachable,
 * time exceeded or parameter problem. One record for all kinds; the fields a kind does not use
 * are zero after `parse` and ignored by `emit`.
 */
export class Icmpv4Repr {
  /** An `Icmpv4Message`. */
  msgType: number = Icmpv4Message.EchoRequest;
  /** The code (0 for echo; an `Icmpv4DstUnreachable`, `Icmpv4TimeExceeded` or `Icmpv4ParamProblem`). */
  msgCode = 0;
  /** Echo identifier. */
  ident = 0;
  /** Echo sequence number. */
  seqNo = 0;
  /** Parameter problem: the octet of the original header where the error is. */
  pointer = 0;
  /** Destination unreachable, code 4: the next-hop MTU (RFC 1191); 0 if the router gave none. */
  nextHopMtu = 0;
  /**
   * Offset in the parsed view's `bytes` of the data after the 8-octet header: the echo data, or
   * for an error the quoted header and data. Set by `parse`; `emit` does not use it (the data of
   * an emitted message is at the view's offset + 8).
   */
  dataOffset = 0;
  /** Length of that data. `emit` checksums 8 + `dataLen` octets. */
  dataLen = 0;
  /** Errors: the quoted original IPv4 header (owned by this repr; meaningful after parsing an error). */
  readonly quoted = new Ipv4Repr();
  /** Errors: offset in `bytes` of the quoted original datagram data (after the quoted header). */
  quotedDataOffset = 0;
  /** Errors: how many octets of the original datagram data were quoted (at least 8, unless the original was shorter). */
  quotedDataLen = 0;
  /** A view for the quoted header, re-pointed on each parse. */
  private readonly quotedPacket: Ipv4Packet;

  constructor() {
    this.quotedPacket = new Ipv4Packet(EMPTY_BYTES, EMPTY_DV);
  }

  /** Sets this repr to an echo request carrying `dataLen` octets. Returns `this`. */
  echoRequest(ident: number, seqNo: number, dataLen: number): this {
    return this.setKind(Icmpv4Message.EchoRequest, 0, dataLen).setEcho(ident, seqNo);
  }

  /** Sets this repr to an echo reply carrying `dataLen` octets. Returns `this`. */
  echoReply(ident: number, seqNo: number, dataLen: number): this {
    return this.setKind(Icmpv4Message.EchoReply, 0, dataLen).setEcho(ident, seqNo);
  }

  /**
   * Sets this repr to a destination unreachable with `code`, quoting `quotedLen` octets of the
   * original datagram; `nextHopMtu` is written only for code 4. Returns `this`.
   */
  dstUnreachable(code: number, quotedLen: number, nextHopMtu = 0): this {
    this.setKind(Icmpv4Message.DstUnreachable, code, quotedLen);
    this.nextHopMtu = code === Icmpv4DstUnreachable.FragRequired ? nextHopMtu : 0;
    return this;
  }

  /** Sets this repr to a time exceeded with `code`, quoting `quotedLen` octets. Returns `this`. */
  timeExceeded(code: number, quotedLen: number): this {
    return this.setKind(Icmpv4Message.TimeExceeded, code, quotedLen);
  }

  /** Sets this repr to a parameter problem with `code` and `pointer`, quoting `quotedLen` octets. Returns `this`. */
  paramProblem(code: number, pointer: number, quotedLen: number): this {
    this.setKind(Icmpv4Message.ParamProblem, code, quotedLen);
    this.pointer = pointer;
    return this;
  }

  private setKind(type: number, code: number, dataLen: number): this {
    this.msgType = type;
    this.msgCode = code;
    this.ident = 0;
    this.seqNo = 0;
    this.pointer = 0;
    this.nextHopMtu = 0;
    this.dataOffset = 0;
    this.dataLen = dataLen;
    this.quotedDataOffset = 0;
    this.quotedDataLen = 0;
    return this;
  }

  private setEcho(ident: number, seqNo: number): this {
    this.ident = ident;
    this.seqNo = seqNo;
    return this;
  }

  /** Whether this is an error message (destination unreachable, time exceeded, parameter problem). */
  isError(): boolean {
    const t = this.msgType;
    return t === Icmpv4Message.DstUnreachable || t === Icmpv4Message.TimeExceeded || t === Icmpv4Message.ParamProblem;
  }

  /**
   * Fills this repr from a message: checks it, verifies the checksum if
   * `checksumRx(caps.icmpv4)` (else Checksum), and for an error parses the quoted header.
   * Unknown types and codes: Unsupported; echo with a non-zero code: Malformed.
   */
  parse(packet: Icmpv4Packet, caps: ChecksumCapabilities): WireError {
    const err = packet.check();
    if (err !== WireError.Ok) return err;
    if (checksumRx(caps.icmpv4) && !packet.verifyChecksum()) return WireError.Checksum;
    const dv = packet.dv;
    const off = packet.off;
    const type = dv.getUint8(off + TYPE);
    const code = dv.getUint8(off + CODE);
    switch (type) {
      case Icmpv4Message.EchoRequest:
      case Icmpv4Message.EchoReply:
        if (code !== 0) return WireError.Malformed;
        this.setKind(type, 0, packet.len - ICMPV4_HEADER_LEN);
        this.ident = dv.getUint16(off + ECHO_IDENT);
        this.seqNo = dv.getUint16(off + ECHO_SEQNO);
        break;
      case Icmpv4Message.DstUnreachable:
        if (code > Icmpv4DstUnreachable.PrecedenceCutoff) return WireError.Unsupported;
        this.setKind(type, code, packet.len - ICMPV4_HEADER_LEN);
        if (code === Icmpv4DstUnreachable.FragRequired) this.nextHopMtu = dv.getUint16(off + NEXT_HOP_MTU);
        return this.parseQuote(packet);
      case Icmpv4Message.TimeExceeded:
        if (code > Icmpv4TimeExceeded.FragExpired) return WireError.Unsupported;
        this.setKind(type, code, packet.len - ICMPV4_HEADER_LEN);
        return this.parseQuote(packet);
      case Icmpv4Message.ParamProblem:
        if (code > Icmpv4ParamProblem.BadLength) return WireError.Unsupported;
        this.setKind(type, code, packet.len - ICMPV4_HEADER_LEN);
        this.pointer = dv.getUint8(off + POINTER);
        return this.parseQuote(packet);
      default:
        return WireError.Unsupported;
    }
    this.dataOffset = off + ICMPV4_HEADER_LEN;
    return WireError.Ok;
  }

  /** Parses the quoted header and locates the quoted data (see the file comment). */
  private parseQuote(packet: Icmpv4Packet): WireError {
    const dataOffset = packet.off + ICMPV4_HEADER_LEN;
    const dataLen = packet.len - ICMPV4_HEADER_LEN;
    this.dataOffset = dataOffset;
    const q = this.quotedPacket.reset(packet.bytes, packet.dv, dataOffset, dataLen);
    const err = this.quoted.parseQuoted(q);
    if (err !== WireError.Ok) return err;
    const hlen = q.headerLen();
    const original = this.quoted.payloadLen;
    let quotedLen = dataLen - hlen;
    // RFC 792: the header "+ 64 bits of Original Data Datagram", or all of a shorter datagram.
    if (quotedLen < (original < 8 ? original : 8)) return WireError.Truncated;
    if (quotedLen > original) quotedLen = original;
    this.quotedDataOffset = dataOffset + hlen;
    this.quotedDataLen = quotedLen;
    return WireError.Ok;
  }

  /** Length of the ICMP header (8). */
  headerLen(): number {
    return ICMPV4_HEADER_LEN;
  }

  /** Length of the whole message: header and `dataLen`. */
  bufferLen(): number {
    return ICMPV4_HEADER_LEN + this.dataLen;
  }

  /**
   * Writes the 8-octet header into `packet` and, if `checksumTx(caps.icmpv4)`, the checksum over
   * the header and the `dataLen` octets of data already in place after it (else 0). The unused
   * parts of the word after the checksum are written as zero.
   */
  emit(packet: Icmpv4Packet, caps: ChecksumCapabilities): void {
    const dv = packet.dv;
    const off = packet.off;
    const type = this.msgType;
    dv.setUint8(off + TYPE, type);
    dv.setUint8(off + CODE, this.msgCode);
    dv.setUint16(off + CHECKSUM, 0);
    if (type === Icmpv4Message.EchoRequest || type === Icmpv4Message.EchoReply) {
      dv.setUint16(off + ECHO_IDENT, this.ident);
      dv.setUint16(off + ECHO_SEQNO, this.seqNo);
    } else if (type === Icmpv4Message.ParamProblem) {
      dv.setInt32(off + REST, (this.pointer & 0xff) << 24);
    } else if (type === Icmpv4Message.DstUnreachable && this.msgCode === Icmpv4DstUnreachable.FragRequired) {
      dv.setInt32(off + REST, this.nextHopMtu & 0xffff);
    } else {
      dv.setInt32(off + REST, 0);
    }
    if (checksumTx(caps.icmpv4)) {
      dv.setUint16(off + CHECKSUM, ~checksumData(dv, off, ICMPV4_HEADER_LEN + this.dataLen) & 0xffff);
    }
  }

  toString(): string {
    let s = "ICMPv4 " + icmpv4MessageName(this.msgType, this.msgCode);
    const t = this.msgType;
    if (t === Icmpv4Message.EchoRequest || t === Icmpv4Message.EchoReply) {
      return s + " id=" + this.ident + " seq=" + this.seqNo + " len=" + this.dataLen;
    }
    if (t === Icmpv4Message.DstUnreachable && this.msgCode === Icmpv4DstUnreachable.FragRequired) s += " mtu=" + this.nextHopMtu;
    if (t === Icmpv4Message.ParamProblem) s += " pointer=" + this.pointer;
    return s + " len=" + this.dataLen;
  }
}
