/**
 * What ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) messages share: the first 8 octets.
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Identifier (echo)         |   Sequence Number (echo)      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * The second word means something else in each error message (unused, a pointer, an MTU); the
 * protocol views (`Icmpv4Packet`, `Icmpv6Packet`) read it their own way and add the checksum
 * rules (ICMPv6's covers a pseudo-header).
 */
import { WireError } from "./error.js";
import { PacketView } from "./view.js";

const TYPE = 0;
const CODE = 1;
const CHECKSUM = 2;
const ECHO_IDENT = 4;
const ECHO_SEQNO = 6;
/** Length of the header every ICMP message has. */
export const ICMP_HEADER_LEN = 8;

/** A view of the 8-octet header common to ICMPv4 and ICMPv6 messages. */
export class IcmpHeaderView extends PacketView {
  /** Validates the lengths the accessors use: the message holds the 8-octet header. */
  check(): WireError {
    return this.len < ICMP_HEADER_LEN ? WireError.Truncated : WireError.Ok;
  }

  msgType(): number {
    return this.dv.getUint8(this.off + TYPE);
  }

  msgCode(): number {
    return this.dv.getUint8(this.off + CODE);
  }

  checksum(): number {
    return this.dv.getUint16(this.off + CHECKSUM);
  }

  /** Identifier of an echo message. */
  echoIdent(): number {
    return this.dv.getUint16(this.off + ECHO_IDENT);
  }

  /** Sequence number of an echo message. */
  echoSeqNo(): number {
    return this.dv.getUint16(this.off + ECHO_SEQNO);
  }

  setMsgType(v: number): void {
    this.dv.setUint8(this.off + TYPE, v);
  }

  setMsgCode(v: number): void {
    this.dv.setUint8(this.off + CODE, v);
  }

  setChecksum(v: number): void {
    this.dv.setUint16(this.off + CHECKSUM, v);
  }

  setEchoIdent(v: number): void {
    this.dv.setUint16(this.off + ECHO_IDENT, v);
  }

  setEchoSeqNo(v: number): void {
    this.dv.setUint16(this.off + ECHO_SEQNO, v);
  }
}
