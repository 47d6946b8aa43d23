/**
 * User Datagram Protocol (RFC 768), over IPv4 and IPv6 (RFC 8200 §8.1).
 *
 * ```text
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |     Source      |   Destination   |
 * |      Port       |      Port       |
 * +--------+--------+--------+--------+
 * |                 |                 |
 * |     Length      |    Checksum     |
 * +--------+--------+--------+--------+
 * |
 * |          data octets ...
 * +---------------- ...
 * ```
 *
 * A UDP header is four 16-bit fields and nothing else, so this file is mostly about two lengths
 * and one checksum.
 *
 * **Lengths.** "Length is the length in octets of this user datagram including this header and
 * the data. (This means the minimum value of the length is eight.)" The view is given the bytes
 * the IP layer delivered (its payload length). `check()` requires a whole header, a Length field
 * of at least 8, and a buffer at least as long as the field says. Octets after the datagram (a
 * sender that padded the IP packet) are allowed and ignored: the payload length comes from the
 * Length field, as in smoltcp and Linux.
 *
 * **Checksum.** "Checksum is the 16-bit one's complement of the one's complement sum of a pseudo
 * header of information from the IP header, the UDP header, and the data, padded with zero octets
 * at the end (if necessary) to make a multiple of two octets." The repr does not know IP
 * addresses: the caller passes the folded pseudo-header sum, from
 * `checksumPseudoV4(src, dst, IpProtocol.Udp, len)` or `checksumPseudoV6(...)`, where `len` is the
 * UDP length as the IP layer sees it: the view's `len` on receive, `bufferLen(payloadLen)` on
 * transmit. RFC 768 and RFC 8200 §8.1 both put the UDP Length field in the pseudo-header, so
 * when the field is shorter than the view (trailing octets), the sum is corrected to the field's
 * value here rather than asking the caller to read the field first.
 *
 * - "An all zero transmitted checksum value means that the transmitter generated no checksum."
 *   Over IPv4 a zero checksum is accepted unverified. Over IPv6 it is refused with
 *   `WireError.Checksum`: "IPv6 receivers must discard UDP packets containing a zero checksum"
 *   (RFC 8200 §8.1).
 * - "If the computed checksum is zero, it is transmitted as all ones (the equivalent in one's
 *   complement arithmetic)": `emit` and `fillChecksum` send 0xffff for a computed zero.
 * - When the device's capability (`ChecksumCapabilities.udp`) says the software does not verify
 *   (`Tx`, `None`), `parse` accepts any checksum, a zero one over IPv6 included (the device
 *   has done, or deliberately skipped, that check). When the software does not fill, `emit` writes
 *   0 and leaves the field to the device (as smoltcp).
 *
 * **Ports.** A zero destination port is refused as `Malformed` (smoltcp does the same: nothing
 * can listen there). A zero source port is legal ("If not used, a value of zero is inserted")
 * and accepted.
 *
 * **Not supported**: IPv6 jumbograms (RFC 2675, a Length field of 0 is `Malformed`); UDP-Lite
 * (RFC 3828); the zero-checksum exemption for tunnels over IPv6 (RFC 6935/6936).
 */

import { WireError } from "./error.js";
import { checksumCombine, checksumData, checksumFold, checksumRx, checksumTx } from "./checksum.js";
import type { ChecksumCapabilities } from "./checksum.js";
import { PacketView } from "./view.js";

// Field offsets.
const SRC_PORT = 0;
const DST_PORT = 2;
const LENGTH = 4;
const CHECKSUM = 6;
/** Length of the UDP header. */
export const UDP_HEADER_LEN = 8;

/**
 * Re-bases a pseudo-header sum computed with the length `from` onto the length `to`: subtracts
 * `from` (adds its one's complement, in the two 16-bit halves `checksumPseudoV6` adds) and adds
 * `to`. Called only when a received datagram is shorter than its IP payload.
 */
function rebasePseudo(pseudoSum: number, from: number, to: number): number {
  return checksumFold(pseudoSum + (~(from >>> 16) & 0xffff) + (~from & 0xffff) + (to >>> 16) + (to & 0xffff));
}

/** The checksum field value for `len` octets at `off` whose checksum field reads 0. */
function computeChecksum(dv: DataView, off: number, len: number, pseudoSum: number): number {
  const c = ~checksumCombine(pseudoSum, checksumData(dv, off, len)) & 0xffff;
  // RFC 768: "If the computed checksum is zero, it is transmitted as all ones."
  return c === 0 ? 0xffff : c;
}

/**
 * A view of a UDP datagram in a byte buffer. Created once, re-pointed at each datagram with
 * `reset`. After `check()` has returned `WireError.Ok`, every accessor stays inside the datagram.
 */
export class UdpPacket extends PacketView {
  /**
   * Validates the lengths the accessors use: a whole header (else `Truncated`), a Length field of
   * at least 8 (else `Malformed`) and no more than the buffer holds (else `Truncated`).
   */
  check(): WireError {
    if (this.len < UDP_HEADER_LEN) return WireError.Truncated;
    const length = this.dv.getUint16(this.off + LENGTH);
    if (length < UDP_HEADER_LEN) return WireError.Malformed;
    if (length > this.len) return WireError.Truncated;
    return WireError.Ok;
  }

  srcPort(): number {
    return this.dv.getUint16(this.off + SRC_PORT);
  }

  dstPort(): number {
    return this.dv.getUint16(this.off + DST_PORT);
  }

  /** The Length field: header plus data, in octets. */
  length(): number {
    return this.dv.getUint16(this.off + LENGTH);
  }

  checksum(): number {
    return this.dv.getUint16(this.off + CHECKSUM);
  }

  setSrcPort(v: number): void {
    this.dv.setUint16(this.off + SRC_PORT, v);
  }

  setDstPort(v: number): void {
    this.dv.setUint16(this.off + DST_PORT, v);
  }

  setLength(v: number): void {
    this.dv.setUint16(this.off + LENGTH, v);
  }

  setChecksum(v: number): void {
    this.dv.setUint16(this.off + CHECKSUM, v);
  }

  /** Offset of the data in `bytes`. */
  payloadOffset(): number {
    return this.off + UDP_HEADER_LEN;
  }

  /** Length of the data, from the Length field (trailing octets of the view excluded). */
  payloadLen(): number {
    return this.dv.getUint16(this.off + LENGTH) - UDP_HEADER_LEN;
  }

  /**
   * Whether the checksum verifies. `pseudoSum` is the pseudo-header sum for a length of `len`
   * (see the file comment). The arithmetic only: a zero field, which means "no checksum", does
   * not verify unless the sum happens to; `UdpRepr.parse` applies the rules about it.
   */
  verifyChecksum(pseudoSum: number): boolean {
    const length = this.dv.getUint16(this.off + LENGTH);
    if (length !== this.len) pseudoSum = rebasePseudo(pseudoSum, this.len, length);
    return checksumCombine(pseudoSum, checksumData(this.dv, this.off, length)) === 0xffff;
  }

  /**
   * Computes and writes the checksum over the Length field's octets; `pseudoSum` as for
   * `verifyChecksum`. A computed zero is written as 0xffff (RFC 768).
   */
  fillChecksum(pseudoSum: number): void {
    const dv = this.dv;
    const off = this.off;
    const length = dv.getUint16(off + LENGTH);
    if (length !== this.len) pseudoSum = rebasePseudo(pseudoSum, this.len, length);
    dv.setUint16(off + CHECKSUM, 0);
    dv.setUint16(off + CHECKSUM, computeChecksum(dv, off, length, pseudoSum));
  }
}

/**
 * The high-level meaning of a UDP header: the ports. Like smoltcp's `UdpRepr`, no length and no
 * checksum (consequences, not data); `parse` also records where the data lies in the view's
 * bytes, so the socket layer can copy it without going back to the view.
 */
export class UdpRepr {
  srcPort = 0;
  dstPort = 0;
  /** Offset of the data in the parsed view's `bytes` (set by `parse`). */
  payloadOffset = 0;
  /** Length of the data (set by `parse`; `emit` takes the length as an argument). */
  payloadLen = 0;

  /**
   * Fills this repr from a datagram. In order: `check()`; a zero destination port is
   * `Malformed`; then, if `checksumRx(caps.udp)`, the checksum: a zero field is accepted over
   * IPv4 and refused over IPv6 (`Checksum`), any other must verify (`Checksum`). `pseudoSum` is
   * the pseudo-header sum for a length of `packet.len`. Never throws; after a non-Ok return the
   * repr is unchanged.
   */
  parse(packet: UdpPacket, pseudoSum: number, overIpv6: boolean, caps: ChecksumCapabilities): WireError {
    const err = packet.check();
    if (err !== WireError.Ok) return err;
    const dv = packet.dv;
    const off = packet.off;
    const dstPort = dv.getUint16(off + DST_PORT);
    // smoltcp: "Destination port cannot be omitted (but source port can be)."
    if (dstPort === 0) return WireError.Malformed;
    if (checksumRx(caps.udp)) {
      if (dv.getUint16(off + CHECKSUM) === 0) {
        // RFC 768: zero means no checksum; RFC 8200 §8.1: not allowed over IPv6.
        if (overIpv6) return WireError.Checksum;
      } else if (!packet.verifyChecksum(pseudoSum)) {
        return WireError.Checksum;
      }
    }
    this.srcPort = dv.getUint16(off + SRC_PORT);
    this.dstPort = dstPort;
    this.payloadOffset = off + UDP_HEADER_LEN;
    this.payloadLen = dv.getUint16(off + LENGTH) - UDP_HEADER_LEN;
    return WireError.Ok;
  }

  /** Length of the header this repr emits. */
  headerLen(): number {
    return UDP_HEADER_LEN;
  }

  /** Length of a datagram carrying `payloadLen` octets. */
  bufferLen(payloadLen: number): number {
    return UDP_HEADER_LEN + payloadLen;
  }

  /**
   * Writes the header into `packet`, whose data (`payloadLen` octets) is already in place after
   * it. `pseudoSum` is the pseudo-header sum for a length of `bufferLen(payloadLen)`. The
   * checksum is computed if `checksumTx(caps.udp)`, else left 0 for the device.
   */
  emit(packet: UdpPacket, payloadLen: number, pseudoSum: number, caps: ChecksumCapabilities): void {
    const dv = packet.dv;
    const off = packet.off;
    const length = UDP_HEADER_LEN + payloadLen;
    dv.setUint16(off + SRC_PORT, this.srcPort);
    dv.setUint16(off + DST_PORT, this.dstPort);
    dv.setUint16(off + LENGTH, length);
    dv.setUint16(off + CHECKSUM, 0);
    if (checksumTx(caps.udp)) dv.setUint16(off + CHECKSUM, computeChecksum(dv, off, length, pseudoSum));
  }

  toString(): string {
    return "UDP src=" + this.srcPort + " dst=" + this.dstPort + " len=" + this.payloadLen;
  }
}
