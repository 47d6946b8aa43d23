/**
 * Transmission Control Protocol segments (RFC 9293 §3.1), with the options of RFC 9293 §3.2
 * (End of Option List, No-Operation, Maximum Segment Size), RFC 7323 (Window Scale, Timestamps)
 * and RFC 2018 (SACK-Permitted, SACK).
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |     |N|C|E|U|A|P|R|S|F|                               |
 * | Offset|Rsrvd|S|W|C|R|C|S|S|Y|I|            Window             |
 * |       |     | |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           [Options]                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               :
 * :                             Data                              :
 * :                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * (NS, the last bit of RFC 9293's four reserved bits, is the ECN nonce of RFC 3540, now
 * historic; the view reads and writes it like smoltcp, nothing else uses it.)
 *
 * **Numbers.** Sequence and acknowledgment numbers and timestamps are read with `getInt32` and
 * kept as int32: every int32 is a valid sequence number, and the socket compares them by signed
 * difference (`((a - b) | 0) < 0`). This is why "no acknowledgment" is a separate boolean
 * (`hasAck`), not a reserved value.
 *
 * **Lengths.** "Data Offset: The number of 32-bit words in the TCP header. This indicates where the
 * data begins." `check()` requires the fixed 20-octet header (`Truncated`), a Data Offset of at
 * least 5 (`Malformed`) and a buffer holding the whole header with its options (`Truncated`). The
 * data is everything after the header: TCP has no length field, the view's `len` (the IP payload
 * length) is the segment length.
 *
 * **Checksum.** "The checksum field is the 16-bit ones' complement of the ones' complement sum of
 * all 16-bit words in the header and text." It also covers a pseudo-header of IP addresses; the
 * caller passes its folded sum, from `checksumPseudoV4(src, dst, IpProtocol.Tcp, len)` or
 * `checksumPseudoV6(...)`, where `len` is the view's `len` on receive and
 * `bufferLen(payloadLen)` on transmit. So this file is the same for IPv4 and IPv6. The device's
 * `ChecksumCapabilities.tcp` can turn software verification or filling off (the field is then
 * accepted as is, or written 0 for the device to fill, as smoltcp does).
 *
 * **Control flags.** As in smoltcp, the repr folds SYN, FIN, RST and PSH into one `control`
 * value (`TcpControl`), because a segment carries at most one of SYN, FIN and RST: more than one
 * is `Malformed`. PSH is kept only on a segment with none of them (`TcpControl.Psh`); PSH on a
 * SYN, FIN or RST is dropped on parse and never emitted. Nothing is lost: PSH only asks the
 * receiver to deliver promptly (RFC 9293 §3.9.1.2), and this stack always does.
 * ACK is the boolean `hasAck`. URG and the Urgent Pointer are parsed by the view and ignored by
 * the repr, which is what RFC 9293 asks of applications that do not use urgent data ("new
 * applications SHOULD NOT employ the TCP urgent mechanism", RFC 9293 §3.8.5); note that Linux
 * instead removes the byte at the urgent pointer from the stream. ECE and CWR (RFC 3168) are
 * readable on the view and otherwise ignored; `emit` never sets them.
 *
 * **Options** (RFC 9293 §3.2). "An option may begin on any octet boundary." Kind 0 (End of
 * Option List) ends the list; kind 1 (No-Operation) is a single octet; every other kind has a
 * length octet that counts the kind and length octets. Parsing follows smoltcp:
 * - an option whose length octet is missing, is below 2, or runs past the header is
 *   `Malformed` ("TCP implementations MUST be prepared to handle an illegal option length (e.g.,
 *   zero)", RFC 9293 §3.2: the segment is dropped);
 * - a known option with the wrong length (MSS not 4, Window Scale not 3, SACK-Permitted not 2,
 *   Timestamps not 10, SACK not 2 + 8n with n >= 1) is `Malformed`;
 * - unknown kinds are skipped by their length ("A TCP implementation MUST ignore without error
 *   any TCP Option it does not implement, assuming that the option has a length field");
 * - a Window Scale shift above 14 is stored as 14 (RFC 7323 §2.3: "If a Window Scale option is
 *   received with a shift.cnt value larger than 14, the TCP SHOULD log the error but MUST use 14
 *   instead of the specified value");
 * - SACK: "the 40 bytes available for TCP options can specify a maximum of 4 blocks" (RFC 2018
 *   §3); only the **first three** are kept (the first block is the most recent one, RFC 2018 §4),
 *   like smoltcp: three fit beside a Timestamps option, and a fourth block costs memory on every
 *   segment to describe a case Linux produces only without timestamps;
 * - an MSS option with the value 0 reads as absent (`maxSegSize` uses 0 for "absent");
 * - options are accepted on any segment ("A TCP implementation MUST be able to receive a TCP
 *   Option in any segment", RFC 9293 §3.2); deciding that MSS or
 *   Window Scale on a non-SYN means nothing is the socket's business. A repeated option
 *   overwrites the earlier one.
 *
 * **Emitted options** come in one fixed, 32-bit aligned layout, the one Linux uses
 * (`tcp_options_write`), so that no padding is ever needed and a repr parsed from a Linux
 * segment re-emits the same bytes:
 *
 * ```text
 * MSS            02 04 mss mss                    SYN only, if maxSegSize != 0
 * Timestamps     01 01 08 0a tsval tsecr          if hasTimestamp; on a SYN with
 *            or  04 02 08 0a tsval tsecr          sackPermitted, SACK-Permitted replaces the NOPs
 * SACK-Permitted 01 01 04 02                      SYN only, if sackPermitted and no timestamps
 * Window Scale   01 03 03 shift                   SYN only, if windowScale >= 0
 * SACK           01 01 05 len left right ...      not on a SYN, only with ACK, if sackCount > 0
 * ```
 *
 * A SYN therefore carries at most 20 octets of options and any other segment at most 12 + 28 =
 * 40, the maximum. MSS, Window Scale and SACK-Permitted are emitted only on a SYN, as RFC 9293
 * (MSS "MUST NOT be sent in other segments", §3.2), RFC 7323 §2.2 and RFC 2018 §2 require:
 * the repr may keep the values of the connection without repeating them. The MSS value itself is
 * the socket's to choose (RFC 6691: the MTU less the fixed IP and TCP headers only).
 *
 * **Not supported**: urgent data (the pointer is never acted on, and emitted as 0); ECN (RFC
 * 3168); TCP-AO and MD5 signatures (RFC 5925, RFC 2385: skipped as unknown options); a fourth
 * SACK block; TCP Fast Open cookies (RFC 7413: skipped); Multipath TCP (RFC 8684: skipped).
 */

import { WireError } from "./error.js";
import { checksumCombine, checksumData, checksumRx, checksumTx } from "./checksum.js";
import type { ChecksumCapabilities } from "./checksum.js";
import { PacketView } from "./view.js";

// Field offsets.
const SRC_PORT = 0;
const DST_PORT = 2;
const SEQ_NUM = 4;
const ACK_NUM = 8;
const FLAGS = 12; // data offset (4 bits), reserved (3 bits), NS and the eight control bits
const WIN_SIZE = 14;
const CHECKSUM = 16;
const URGENT = 18;
/** Length of the TCP header without options. */
export const TCP_HEADER_LEN = 20;
/** Length of the longest TCP header: a Data Offset of 15 words. */
export const TCP_MAX_HEADER_LEN = 60;

// Control bits, in the 16-bit word at FLAGS.
const FLG_FIN = 0x001;
const FLG_SYN = 0x002;
const FLG_RST = 0x004;
const FLG_PSH = 0x008;
const FLG_ACK = 0x010;
const FLG_URG = 0x020;
const FLG_ECE = 0x040;
const FLG_CWR = 0x080;
const FLG_NS = 0x100;

/** Option kinds (IANA "TCP Option Kind Numbers"). */
export const enum TcpOptionKind {
  EndOfList = 0,
  NoOperation = 1,
  MaxSegmentSize = 2,
  WindowScale = 3,
  SackPermitted = 4,
  SackRange = 5,
  Timestamps = 8,
}

/** The largest Window Scale shift (RFC 7323 §2.3). */
export const TCP_MAX_WINDOW_SCALE = 14;

/** SACK blocks a repr holds (RFC 2018 allows up to 4 on the wire; see the file comment). */
export const TCP_MAX_SACK_BLOCKS = 3;

/**
 * The control flags of a segment, as smoltcp's `TcpControl`: at most one of SYN, FIN and RST, or
 * PSH alone, or nothing. ACK is separate (`TcpRepr.hasAck`).
 */
export const enum TcpControl {
  None = 0,
  Psh = 1,
  Syn = 2,
  Fin = 3,
  Rst = 4,
}

/** A printable name for a `TcpControl` (traces only). */
export function tcpControlName(c: number): string {
  switch (c) {
    case TcpControl.None: return "none";
    case TcpControl.Psh: return "psh";
    case TcpControl.Syn: return "syn";
    case TcpControl.Fin: return "fin";
    case TcpControl.Rst: return "rst";
    default: return "?";
  }
}

/** Computes and writes the checksum of `len` octets at `off` (header and data). */
function fillChecksumAt(dv: DataView, off: number, len: number, pseudoSum: number): void {
  dv.setUint16(off + CHECKSUM, 0);
  dv.setUint16(off + CHECKSUM, ~checksumCombine(pseudoSum, checksumData(dv, off, len)) & 0xffff);
}

/** An unsigned decimal rendering of an int32 sequence number (traces only). */
function u32(n: number): string {
  return "" + (n >>> 0);
}

/**
 * A view of a TCP segment in a byte buffer. Created once, re-pointed at each segment with
 * `reset`. After `check()` has returned `WireError.Ok`, every accessor stays inside the segment.
 */
export class TcpPacket extends PacketView {
  /**
   * Validates the lengths the accessors use: the fixed header (else `Truncated`), a Data Offset
   * of at least 5 words (else `Malformed`), and the whole header with its options (else
   * `Truncated`).
   */
  check(): WireError {
    if (this.len < TCP_HEADER_LEN) return WireError.Truncated;
    const headerLen = (this.dv.getUint8(this.off + FLAGS) >>> 4) << 2;
    if (headerLen < TCP_HEADER_LEN) return WireError.Malformed;
    if (headerLen > this.len) return WireError.Truncated;
    return WireError.Ok;
  }

  srcPort(): number {
    return this.dv.getUint16(this.off + SRC_PORT);
  }

  dstPort(): number {
    return this.dv.getUint16(this.off + DST_PORT);
  }

  /** The Sequence Number, int32. */
  seqNumber(): number {
    return this.dv.getInt32(this.off + SEQ_NUM);
  }

  /** The Acknowledgment Number field, int32 (meaningful only if `ack()`). */
  ackNumber(): number {
    return this.dv.getInt32(this.off + ACK_NUM);
  }

  /** The header length in octets: Data Offset × 4. */
  headerLen(): number {
    return (this.dv.getUint8(this.off + FLAGS) >>> 4) << 2;
  }

  /** The twelve bits after the Data Offset: reserved bits, NS and the control bits. */
  flags(): number {
    return this.dv.getUint16(this.off + FLAGS) & 0x0fff;
  }

  fin(): boolean {
    return (this.dv.getUint16(this.off + FLAGS) & FLG_FIN) !== 0;
  }

  syn(): boolean {
    return (this.dv.getUint16(this.off + FLAGS) & FLG_SYN) !== 0;
  }

  rst(): boolean {
    return (this.dv.getUint16(this.off + FLAGS) & FLG_RST) !== 0;
  }

  psh(): boolean {
    return (this.dv.getUint16(this.off + FLAGS) & FLG_PSH) !== 0;
  }

  ack(): boolean {
    return (this.dv.getUint16(this.off + FLAGS) & FLG_ACK) !== 0;
  }

  urg(): boolean {
    return (this.dv.getUint16(this.off + FLAGS) & FLG_URG) !== 0;
  }

  ece(): boolean {
    return (this.dv.getUint16(this.off + FLAGS) & FLG_ECE) !== 0;
  }

  cwr(): boolean {
    return (this.dv.getUint16(this.off + FLAGS) & FLG_CWR) !== 0;
  }

  ns(): boolean {
    return (this.dv.getUint16(this.off + FLAGS) & FLG_NS) !== 0;
  }

  /** The Window field, unscaled. */
  windowLen(): number {
    return this.dv.getUint16(this.off + WIN_SIZE);
  }

  checksum(): number {
    return this.dv.getUint16(this.off + CHECKSUM);
  }

  /** The Urgent Pointer field (meaningful only if `urg()`; the repr ignores it). */
  urgentAt(): number {
    return this.dv.getUint16(this.off + URGENT);
  }

  /** Offset of the options in `bytes`. */
  optionsOffset(): number {
    return this.off + TCP_HEADER_LEN;
  }

  /** Length of the options area, padding included. */
  optionsLen(): number {
    return ((this.dv.getUint8(this.off + FLAGS) >>> 4) << 2) - TCP_HEADER_LEN;
  }

  /** Offset of the data in `bytes`. */
  payloadOffset(): number {
    return this.off + ((this.dv.getUint8(this.off + FLAGS) >>> 4) << 2);
  }

  /** Length of the data. */
  payloadLen(): number {
    return this.len - ((this.dv.getUint8(this.off + FLAGS) >>> 4) << 2);
  }

  /** The sequence space the segment occupies: data octets plus one for SYN and one for FIN. */
  segmentLen(): number {
    const f = this.dv.getUint16(this.off + FLAGS);
    return this.payloadLen() + (f & FLG_SYN ? 1 : 0) + (f & FLG_FIN ? 1 : 0);
  }

  setSrcPort(v: number): void {
    this.dv.setUint16(this.off + SRC_PORT, v);
  }

  setDstPort(v: number): void {
    this.dv.setUint16(this.off + DST_PORT, v);
  }

  setSeqNumber(v: number): void {
    this.dv.setInt32(this.off + SEQ_NUM, v);
  }

  setAckNumber(v: number): void {
    this.dv.setInt32(this.off + ACK_NUM, v);
  }

  /** Sets the Data Offset from a header length in octets (a multiple of 4, 20..60). */
  setHeaderLen(octets: number): void {
    const dv = this.dv;
    const at = this.off + FLAGS;
    dv.setUint8(at, (dv.getUint8(at) & 0x0f) | ((octets >>> 2) << 4));
  }

  /** Clears the reserved bits, NS and every control bit; keeps the Data Offset. */
  clearFlags(): void {
    const dv = this.dv;
    const at = this.off + FLAGS;
    dv.setUint16(at, dv.getUint16(at) & 0xf000);
  }

  setFin(v: boolean): void {
    this.setFlag(FLG_FIN, v);
  }

  setSyn(v: boolean): void {
    this.setFlag(FLG_SYN, v);
  }

  setRst(v: boolean): void {
    this.setFlag(FLG_RST, v);
  }

  setPsh(v: boolean): void {
    this.setFlag(FLG_PSH, v);
  }

  setAck(v: boolean): void {
    this.setFlag(FLG_ACK, v);
  }

  setUrg(v: boolean): void {
    this.setFlag(FLG_URG, v);
  }

  setEce(v: boolean): void {
    this.setFlag(FLG_ECE, v);
  }

  setCwr(v: boolean): void {
    this.setFlag(FLG_CWR, v);
  }

  setNs(v: boolean): void {
    this.setFlag(FLG_NS, v);
  }

  private setFlag(bit: number, v: boolean): void {
    const dv = this.dv;
    const at = this.off + FLAGS;
    const raw = dv.getUint16(at);
    dv.setUint16(at, v ? raw | bit : raw & ~bit);
  }

  setWindowLen(v: number): void {
    this.dv.setUint16(this.off + WIN_SIZE, v);
  }

  setChecksum(v: number): void {
    this.dv.setUint16(this.off + CHECKSUM, v);
  }

  setUrgentAt(v: number): void {
    this.dv.setUint16(this.off + URGENT, v);
  }

  /** Whether the checksum verifies over the `len` octets; `pseudoSum` is for a length of `len`. */
  verifyChecksum(pseudoSum: number): boolean {
    return checksumCombine(pseudoSum, checksumData(this.dv, this.off, this.len)) === 0xffff;
  }

  /** Computes and writes the checksum over the `len` octets; `pseudoSum` is for a length of `len`. */
  fillChecksum(pseudoSum: number): void {
    fillChecksumAt(this.dv, this.off, this.len, pseudoSum);
  }
}

/**
 * The high-level meaning of a TCP header: what the socket needs, as smoltcp's `TcpRepr`, with
 * the options flattened into fields that each have an "absent" value. A preallocated record:
 * `parse` overwrites every field, `emit` reads them.
 */
export class TcpRepr {
  srcPort = 0;
  dstPort = 0;
  /** SYN, FIN, RST, PSH alone, or none (see the file comment). */
  control: TcpControl = TcpControl.None;
  /** The Sequence Number, int32. */
  seqNumber = 0;
  /** The Acknowledgment Number, int32; meaningful only if `hasAck`. */
  ackNumber = 0;
  /** The ACK control bit. */
  hasAck = false;
  /** The Window field as sent, unscaled (0..0xffff). */
  windowLen = 0;
  /** Window Scale shift (0..14), or -1 if the option is absent. */
  windowScale = -1;
  /** Maximum Segment Size, or 0 if the option is absent. */
  maxSegSize = 0;
  /** The SACK-Permitted option is present. */
  sackPermitted = false;
  /**
   * SACK blocks as (left edge, right edge) pairs of int32 sequence numbers: block `i` is
   * `sackRanges[2 * i]` .. `sackRanges[2 * i + 1]`. Only the first `sackCount` pairs are
   * meaningful; the rest hold stale values.
   */
  readonly sackRanges = new Int32Array(2 * TCP_MAX_SACK_BLOCKS);
  /** Number of SACK blocks, 0..3. */
  sackCount = 0;
  /** The Timestamps option is present. */
  hasTimestamp = false;
  /** TSval, int32 (meaningful only if `hasTimestamp`). */
  tsVal = 0;
  /** TSecr, int32 (meaningful only if `hasTimestamp`). */
  tsEcr = 0;
  /** Offset of the data in the parsed view's `bytes` (set by `parse`). */
  payloadOffset = 0;
  /**
   * Length of the data: set by `parse`; a socket building a segment sets it too, for
   * `segmentLen()`. `emit` takes the length as an argument.
   */
  payloadLen = 0;

  /**
   * Fills this repr from a segment. In order: `check()`; a zero source or destination port is
   * `Malformed` (as smoltcp); if `checksumRx(caps.tcp)`, the checksum must verify (`Checksum`;
   * `pseudoSum` is for a length of `packet.len`); more than one of SYN, FIN, RST is `Malformed`;
   * then the options (see the file comment). Never throws. After a non-Ok return the fields
   * hold no meaning (some may have been overwritten).
   */
  parse(packet: TcpPacket, pseudoSum: number, caps: ChecksumCapabilities): WireError {
    const err = packet.check();
    if (err !== WireError.Ok) return err;
    const dv = packet.dv;
    const off = packet.off;
    const srcPort = dv.getUint16(off + SRC_PORT);
    const dstPort = dv.getUint16(off + DST_PORT);
    if (srcPort === 0 || dstPort === 0) return WireError.Malformed;
    if (checksumRx(caps.tcp) && !packet.verifyChecksum(pseudoSum)) return WireError.Checksum;

    const flags = dv.getUint16(off + FLAGS);
    let control: TcpControl;
    switch (flags & (FLG_SYN | FLG_FIN | FLG_RST)) {
      case 0: control = flags & FLG_PSH ? TcpControl.Psh : TcpControl.None; break;
      case FLG_SYN: control = TcpControl.Syn; break;
      case FLG_FIN: control = TcpControl.Fin; break;
      case FLG_RST: control = TcpControl.Rst; break;
      default: return WireError.Malformed;
    }
    const headerLen = (flags >>> 12) << 2;

    this.windowScale = -1;
    this.maxSegSize = 0;
    this.sackPermitted = false;
    this.sackCount = 0;
    this.hasTimestamp = false;
    this.tsVal = 0;
    this.tsEcr = 0;
    // Most segments carry no option, or only the timestamps laid out as RFC 7323 Appendix A
    // recommends (NOP, NOP, kind 8, length 10: what every segment of a connection with
    // timestamps carries, ours and Linux's): read those directly and skip the walk (a call and
    // a loop cost on XS, which has no JIT).
    if (headerLen === TCP_HEADER_LEN + 12 && dv.getInt32(off + TCP_HEADER_LEN) === 0x0101080a) {
      this.hasTimestamp = true;
      this.tsVal = dv.getInt32(off + TCP_HEADER_LEN + 4);
      this.tsEcr = dv.getInt32(off + TCP_HEADER_LEN + 8);
    } else if (headerLen > TCP_HEADER_LEN) {
      const optErr = this.parseOptions(dv, off + TCP_HEADER_LEN, off + headerLen);
      if (optErr !== WireError.Ok) return optErr;
    }

    this.srcPort = srcPort;
    this.dstPort = dstPort;
    this.control = control;
    this.seqNumber = dv.getInt32(off + SEQ_NUM);
    this.hasAck = (flags & FLG_ACK) !== 0;
    this.ackNumber = this.hasAck ? dv.getInt32(off + ACK_NUM) : 0;
    this.windowLen = dv.getUint16(off + WIN_SIZE);
    this.payloadOffset = off + headerLen;
    this.payloadLen = packet.len - headerLen;
    return WireError.Ok;
  }

  /** Reads the options between `p` and `end` into this repr. */
  private parseOptions(dv: DataView, p: number, end: number): WireError {
    while (p < end) {
      const kind = dv.getUint8(p);
      if (kind === TcpOptionKind.EndOfList) break;
      if (kind === TcpOptionKind.NoOperation) {
        p++;
        continue;
      }
      if (p + 1 >= end) return WireError.Malformed; // no room for the length octet
      const len = dv.getUint8(p + 1);
      if (len < 2 || p + len > end) return WireError.Malformed;
      switch (kind) {
        case TcpOptionKind.MaxSegmentSize:
          if (len !== 4) return WireError.Malformed;
          this.maxSegSize = dv.getUint16(p + 2);
          break;
        case TcpOptionKind.WindowScale: {
          if (len !== 3) return WireError.Malformed;
          const shift = dv.getUint8(p + 2);
          this.windowScale = shift > TCP_MAX_WINDOW_SCALE ? TCP_MAX_WINDOW_SCALE : shift;
          break;
        }
        case TcpOptionKind.SackPermitted:
          if (len !== 2) return WireError.Malformed;
          this.sackPermitted = true;
          break;
        case TcpOptionKind.SackRange: {
          if (len < 10 || ((len - 2) & 7) !== 0) return WireError.Malformed;
          let n = (len - 2) >>> 3;
          if (n > TCP_MAX_SACK_BLOCKS) n = TCP_MAX_SACK_BLOCKS;
          const r = this.sackRanges;
          for (let i = 0; i < n; i++) {
            r[2 * i] = dv.getInt32(p + 2 + 8 * i);
            r[2 * i + 1] = dv.getInt32(p + 6 + 8 * i);
          }
          this.sackCount = n;
          break;
        }
        case TcpOptionKind.Timestamps:
          if (len !== 10) return WireError.Malformed;
          this.hasTimestamp = true;
          this.tsVal = dv.getInt32(p + 2);
          this.tsEcr = dv.getInt32(p + 6);
          break;
        default:
          // Unknown: skipped by its length.
          break;
      }
      p += len;
    }
    return WireError.Ok;
  }

  /**
   * Makes this repr the start of an answer to `to`: the ports swapped, no control bit, no ACK,
   * sequence and window 0, no options, no data. The caller sets what the answer says (a RST, an
   * ACK). Returns `this`.
   */
  replyTo(to: TcpRepr): this {
    this.srcPort = to.dstPort;
    this.dstPort = to.srcPort;
    this.control = TcpControl.None;
    this.seqNumber = 0;
    this.ackNumber = 0;
    this.hasAck = false;
    this.windowLen = 0;
    this.windowScale = -1;
    this.maxSegSize = 0;
    this.sackPermitted = false;
    this.sackCount = 0;
    this.hasTimestamp = false;
    this.tsVal = 0;
    this.tsEcr = 0;
    this.payloadOffset = 0;
    this.payloadLen = 0;
    return this;
  }

  /**
   * Makes this repr the reset RFC 9293 §3.10.7.1 sends in answer to `to` when no connection
   * takes it: "If the ACK bit is off, sequence number zero is used,
   * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; if the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>."
   * Returns `this`.
   */
  resetFor(to: TcpRepr): this {
    this.replyTo(to);
    this.control = TcpControl.Rst;
    if (to.hasAck) {
      this.seqNumber = to.ackNumber;
    } else {
      this.hasAck = true;
      this.ackNumber = (to.seqNumber + to.segmentLen()) | 0;
    }
    return this;
  }

  /** Number of SACK blocks `emit` writes: none on a SYN or without ACK, at most three. */
  private sackBlocksToEmit(): number {
    if (this.control === TcpControl.Syn || !this.hasAck) return 0;
    const n = this.sackCount;
    return n <= 0 ? 0 : n > TCP_MAX_SACK_BLOCKS ? TCP_MAX_SACK_BLOCKS : n;
  }

  /** Length of the header this repr emits, options included (a multiple of 4, at most 60). */
  headerLen(): number {
    let len = TCP_HEADER_LEN;
    if (this.control === TcpControl.Syn) {
      if (this.maxSegSize !== 0) len += 4;
      if (this.sackPermitted && !this.hasTimestamp) len += 4;
      if (this.windowScale >= 0) len += 4;
    }
    if (this.hasTimestamp) len += 12;
    const n = this.sackBlocksToEmit();
    if (n > 0) len += 4 + 8 * n;
    return len;
  }

  /** Length of a segment carrying `payloadLen` octets. */
  bufferLen(payloadLen: number): number {
    return this.headerLen() + payloadLen;
  }

  /** The sequence space of the segment: `payloadLen` plus one for SYN and one for FIN (smoltcp's `segment_len`). */
  segmentLen(): number {
    const c = this.control;
    return this.payloadLen + (c === TcpControl.Syn || c === TcpControl.Fin ? 1 : 0);
  }

  /**
   * Writes the header and options (see the file comment for the layout) into `packet`, whose
   * data (`payloadLen` octets) is already in place after `headerLen()` octets. Reserved bits,
   * URG, ECE, CWR and the Urgent Pointer are written as 0. `pseudoSum` is for a length of
   * `bufferLen(payloadLen)`. The checksum is computed if `checksumTx(caps.tcp)`, else left 0 for
   * the device.
   */
  emit(packet: TcpPacket, payloadLen: number, pseudoSum: number, caps: ChecksumCapabilities): void {
    const dv = packet.dv;
    const off = packet.off;
    const headerLen = this.headerLen();
    const syn = this.control === TcpControl.Syn;
    let flags = (headerLen >>> 2) << 12;
    switch (this.control) {
      case TcpControl.Psh: flags |= FLG_PSH; break;
      case TcpControl.Syn: flags |= FLG_SYN; break;
      case TcpControl.Fin: flags |= FLG_FIN; break;
      case TcpControl.Rst: flags |= FLG_RST; break;
      default: break;
    }
    if (this.hasAck) flags |= FLG_ACK;
    dv.setUint16(off + SRC_PORT, this.srcPort);
    dv.setUint16(off + DST_PORT, this.dstPort);
    dv.setInt32(off + SEQ_NUM, this.seqNumber);
    dv.setInt32(off + ACK_NUM, this.hasAck ? this.ackNumber : 0);
    dv.setUint16(off + FLAGS, flags);
    dv.setUint16(off + WIN_SIZE, this.windowLen);
    dv.setUint16(off + CHECKSUM, 0);
    dv.setUint16(off + URGENT, 0);

    let p = off + TCP_HEADER_LEN;
    if (syn && this.maxSegSize !== 0) {
      dv.setInt32(p, 0x02040000 | (this.maxSegSize & 0xffff));
      p += 4;
    }
    if (this.hasTimestamp) {
      dv.setInt32(p, syn && this.sackPermitted ? 0x0402080a : 0x0101080a);
      dv.setInt32(p + 4, this.tsVal);
      dv.setInt32(p + 8, this.tsEcr);
      p += 12;
    } else if (syn && this.sackPermitted) {
      dv.setInt32(p, 0x01010402);
      p += 4;
    }
    if (syn && this.windowScale >= 0) {
      dv.setInt32(p, 0x01030300 | (this.windowScale & 0xff));
      p += 4;
    }
    const n = this.sackBlocksToEmit();
    if (n > 0) {
      dv.setInt32(p, 0x01010500 | (2 + 8 * n));
      p += 4;
      const r = this.sackRanges;
      for (let i = 0; i < 2 * n; i++, p += 4) dv.setInt32(p, r[i]);
    }
    if (checksumTx(caps.tcp)) fillChecksumAt(dv, off, headerLen + payloadLen, pseudoSum);
  }

  /**
   * Formats like smoltcp's `Display` for `TcpRepr`, with the options smoltcp leaves out:
   * `TCP src=58432 dst=8080 syn seq=759817077 win=64240 len=0 mss=1460 ws=10 sackOK ts=4165771653/0`.
   */
  toString(): string {
    let s = "TCP src=" + this.srcPort + " dst=" + this.dstPort;
    if (this.control !== TcpControl.None) s += " " + tcpControlName(this.control);
    s += " seq=" + u32(this.seqNumber);
    if (this.hasAck) s += " ack=" + u32(this.ackNumber);
    s += " win=" + this.windowLen + " len=" + this.payloadLen;
    if (this.maxSegSize !== 0) s += " mss=" + this.maxSegSize;
    if (this.windowScale >= 0) s += " ws=" + this.windowScale;
    if (this.sackPermitted) s += " sackOK";
    if (this.hasTimestamp) s += " ts=" + u32(this.tsVal) + "/" + u32(this.tsEcr);
    for (let i = 0; i < this.sackCount; i++) {
      s += (i === 0 ? " sack=" : ",") + u32(this.sackRanges[2 * i]) + "-" + u32(this.sackRanges[2 * i + 1]);
    }
    return s;
  }
}
