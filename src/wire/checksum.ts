/**
 * The Internet checksum (RFC 1071), and the pseudo-headers of IPv4 (RFC 768, RFC 9293 §3.1) and
 * IPv6 (RFC 8200 §8.1).
 *
 * The checksum is the 16-bit one's complement of the one's complement sum of the data taken as
 * big-endian 16-bit words (an odd final byte is padded with a zero byte). The functions here
 * return the *sum*, folded to 16 bits but not complemented; a writer stores `~sum & 0xffff`, and
 * a reader verifies that the sum over the whole header, checksum field included, is `0xffff`.
 *
 * This is the hottest loop of the stack. It reads 32 octets per round as eight 32-bit words
 * with `DataView.getInt32` (on XS a `DataView` read beats assembling bytes, see STYLE.md) and
 * adds their 16-bit halves into two int32 sums: the high halves (`w >>> 16`) and the low halves
 * (`w & 0xffff`), which is the same one's complement sum as adding the 16-bit words one by one
 * (the carries are folded at the end). Every value stays an int32, so XS never turns to doubles
 * (which the ESP32 does in software). Each sum gets at most 8 * 0xffff per round, so both are
 * folded once per 64 KiB (2^30 at most), long before 2^31; the `| 0` after each round says so to
 * V8, which then adds without overflow checks. Measured per 1482 octets (xsnap compute units;
 * Node, best of several runs on a loaded 2-core VM): one `getUint16` per word 14,900 / 550 ns;
 * two words per round 11,000 / 450 ns; eight words per round with `| 0` 8,700 / 330 ns.
 *
 * Whether a protocol's checksum is computed in software at all is a device capability
 * (`Checksum` below): a chip that fills or verifies checksums itself, or a fuzzer that wants to
 * reach deep code, turns the software checksum off per protocol and per direction.
 */

import type { Ipv6Address } from "./ip.js";

/** Which directions of a protocol's checksum the software computes (smoltcp's `Checksum`). */
export const enum Checksum {
  /** Verify on receive and compute on transmit. The default. */
  Both = 0,
  /** Verify on receive only (the device fills the checksum on transmit). */
  Rx = 1,
  /** Compute on transmit only (the device has verified it on receive). */
  Tx = 2,
  /** Neither (the device does both, or checks are deliberately off). */
  None = 3,
}

/** Whether the software must verify received checksums under capability `c`. */
export function checksumRx(c: Checksum): boolean {
  return c === Checksum.Both || c === Checksum.Rx;
}

/** Whether the software must fill transmitted checksums under capability `c`. */
export function checksumTx(c: Checksum): boolean {
  return c === Checksum.Both || c === Checksum.Tx;
}

/**
 * Per-protocol checksum capabilities of a device. A plain record, created once by the device and
 * shared; the default is `Both` everywhere.
 */
export class ChecksumCapabilities {
  ipv4: Checksum = Checksum.Both;
  udp: Checksum = Checksum.Both;
  tcp: Checksum = Checksum.Both;
  icmpv4: Checksum = Checksum.Both;
  icmpv6: Checksum = Checksum.Both;
  igmp: Checksum = Checksum.Both;

  /** Capabilities with every software checksum turned off (fuzzing, full hardware offload). */
  static ignored(): ChecksumCapabilities {
    const c = new ChecksumCapabilities();
    c.ipv4 = c.udp = c.tcp = c.icmpv4 = c.icmpv6 = c.igmp = Checksum.None;
    return c;
  }
}

/** Folds a non-negative int32 sum of 16-bit words to 16 bits with end-around carry. */
export function checksumFold(sum: number): number {
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * The one's complement sum of `len` bytes at `off` in `dv`, folded to 16 bits (0..0xffff), not
 * complemented. An odd final byte counts as the high byte of a word whose low byte is zero.
 *
 * Sums of separate regions may be combined with `checksumCombine` only if every region but the
 * last has an even length (the word alignment must continue).
 */
export function checksumData(dv: DataView, off: number, len: number): number {
  let sum = 0;
  const end = off + len;
  // Rounds of 32 octets, in chunks of at most 64 KiB so that neither half-sum reaches 2^31.
  const end32 = off + (len & ~31);
  while (off < end32) {
    const chunkEnd = end32 - off > 65536 ? off + 65536 : end32;
    let hi = 0;
    let lo = 0;
    for (; off < chunkEnd; off += 32) {
      const a = dv.getInt32(off);
      const b = dv.getInt32(off + 4);
      const c = dv.getInt32(off + 8);
      const d = dv.getInt32(off + 12);
      const e = dv.getInt32(off + 16);
      const f = dv.getInt32(off + 20);
      const g = dv.getInt32(off + 24);
      const h = dv.getInt32(off + 28);
      hi = (hi + (a >>> 16) + (b >>> 16) + (c >>> 16) + (d >>> 16) + (e >>> 16) + (f >>> 16) + (g >>> 16) + (h >>> 16)) | 0;
      lo = (lo + (a & 0xffff) + (b & 0xffff) + (c & 0xffff) + (d & 0xffff) + (e & 0xffff) + (f & 0xffff) + (g & 0xffff) + (h & 0xffff)) | 0;
    }
    sum = checksumFold(sum + checksumFold(hi) + checksumFold(lo));
  }
  // The last 0..31 octets: whole 32-bit words, 16-bit words, then an odd octet as the high half
  // of a word.
  for (; off + 3 < end; off += 4) {
    const w = dv.getInt32(off);
    sum += (w >>> 16) + (w & 0xffff);
  }
  for (; off + 1 < end; off += 2) sum += dv.getUint16(off);
  if (off < end) sum += dv.getUint8(off) << 8;
  return checksumFold(sum);
}

/** The one's complement sum of two folded partial sums. */
export function checksumCombine(a: number, b: number): number {
  return checksumFold(a + b);
}

/** The final checksum field value for a folded sum: its one's complement. */
export function checksumFinish(sum: number): number {
  return ~sum & 0xffff;
}

/**
 * The sum of the IPv4 pseudo-header: source and destination addresses (int32), a zero byte, the
 * protocol number and the upper-layer length.
 */
export function checksumPseudoV4(src: number, dst: number, protocol: number, length: number): number {
  let sum = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff);
  sum += protocol + (length & 0xffff);
  return checksumFold(sum);
}

/**
 * The sum of the IPv6 pseudo-header (RFC 8200 §8.1): source and destination addresses, the 32-bit
 * upper-layer packet length, three zero bytes and the next header value.
 */
export function checksumPseudoV6(src: Ipv6Address, dst: Ipv6Address, nextHeader: number, length: number): number {
  let sum = 0;
  let w = src.w0; sum += (w >>> 16) + (w & 0xffff);
  w = src.w1; sum += (w >>> 16) + (w & 0xffff);
  w = src.w2; sum += (w >>> 16) + (w & 0xffff);
  w = src.w3; sum += (w >>> 16) + (w & 0xffff);
  w = dst.w0; sum += (w >>> 16) + (w & 0xffff);
  w = dst.w1; sum += (w >>> 16) + (w & 0xffff);
  w = dst.w2; sum += (w >>> 16) + (w & 0xffff);
  w = dst.w3; sum += (w >>> 16) + (w & 0xffff);
  sum += (length >>> 16) + (length & 0xffff) + nextHeader;
  return checksumFold(sum);
}
