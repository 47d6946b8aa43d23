/**
 * Initial sequence numbers (RFC 6528) and the keyed hash they need (HalfSipHash-2-4).
 *
 * RFC 9293 §3.4.1 requires that "A TCP implementation MUST use the above type of 'clock' for
 * clock-driven selection of initial sequence numbers (MUST-8), and SHOULD generate its initial
 * sequence numbers with the expression: ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey) where M is the 4 microsecond timer, and F() is a pseudorandom function (PRF) of the
 * connection's identifying parameters ("localip, localport, remoteip, remoteport") and a secret
 * key ("secretkey") (SHLD-1)." That is RFC 6528's algorithm, whose §3 adds: "F() MUST NOT be
 * computable from the outside, or an attacker could still guess at sequence numbers from the ISN
 * used for some other connection." The clock keeps successive incarnations of one 4-tuple moving
 * forward through sequence space; the keyed hash gives every 4-tuple its own, unguessable offset,
 * which is what defeats off-path blind injection (RFC 6528 §1, RFC 5961).
 *
 * **M.** The stack's clock counts milliseconds (`Instant`, src/time.ts), so M = now × 250: the
 * value a 4 µs tick would have, advancing 250 per millisecond. `Math.imul` keeps it int32 and
 * wraps modulo 2^32 like the wire value; it wraps every 2^32 × 4 µs, about 4.77 hours, as RFC
 * 793's clock did. The granularity is coarser (250 at a time rather than 1), which does not matter:
 * the clock only has to move ISNs forward faster than a connection consumes sequence space.
 *
 * **F.** HalfSipHash-2-4 with a 32-bit output (Aumasson and Bernstein's SipHash reduced to 32-bit
 * words, reference code at github.com/veorq/SipHash, `halfsiphash.c`): add, rotate and
 * exclusive-or on four 32-bit words, which XS does in integer slots with `(a + b) | 0`, `<<`,
 * `>>>` (a rotation's right shift is below 2^16, so it never leaves int32) and `^`. Nothing here
 * needs a double or a `BigInt`. `halfSipHash24` is the general function, checked against the
 * reference test vectors (`vectors_hsip32`, key 00..07, messages 00..n-1).
 *
 * **The key.** HalfSipHash's own key is 64 bits; RFC 6528 §3 says "Key lengths of 128 bits should
 * be adequate." So the generator holds 128 secret bits: `key0`, `key1` are the HalfSipHash key and
 * `key2`, `key3` are hashed as the first two message words, ahead of the 4-tuple. After those two
 * words the 128-bit internal state depends on all 128 key bits. This is a deliberate construction
 * of ours, not a published mode: it costs two compression rounds and raises the work of a
 * brute-force key search well beyond 2^64. The key comes from a `RandomSource` the host supplies
 * (Node: `crypto.randomInt` or `getRandomValues`; XS on the ESP32: the hardware RNG,
 * `esp_random()`). Never pass the fault injector's `Xorshift32` (src/phy/rand.ts) in production.
 * The key is fixed for the generator's lifetime; there is no rekeying, since a new key would move
 * every 4-tuple's ISN to an arbitrary point at once, the jump the clock exists to prevent.
 *
 * **The message.** The words, in order: `key2`, `key3`, then for IPv4 the local address, the
 * remote address and `localPort << 16 | remotePort` (three words, 12 octets of tuple); for IPv6
 * the four words of the local address, the four of the remote address and the ports word (nine
 * words, 36 octets). Each int32 word is laid out little-endian in the message, which is how the
 * reference code reads its input, so `F` equals `halfSipHash24(key0, key1, ...)` over those
 * octets, and the tests check exactly that. The two versions' messages differ in length, which
 * HalfSipHash folds into its last block, so they never collide by construction.
 *
 * **Allocation.** The generator owns one 44-octet buffer and its `DataView`, made in the
 * constructor; `generate` writes the words there and hashes them, allocating nothing.
 */

import type { Instant } from "../../time.js";
import { IpVersion, type IpEndpoint } from "../../wire/ip.js";

/**
 * A source of random 32-bit words that the host implements. For ISN keys and ephemeral ports it
 * must be unpredictable to others: Node's `crypto`, the ESP32's hardware RNG.
 */
export interface RandomSource {
  /** The next random number: any int32, every bit uniformly random. */
  nextInt32(): number;
}

/** HalfSipHash's initial state words v2 and v3 ("lyge", "tedb": the reference's constants). */
const HSIP_V2 = 0x6c796765;
const HSIP_V3 = 0x74656462;

/** Ticks of RFC 6528's 4 µs clock per millisecond. */
export const ISN_TICKS_PER_MS = 250;

/** Message words in the longest message: the two key words and an IPv6 4-tuple. */
const MAX_MESSAGE_WORDS = 2 + 9;

/**
 * HalfSipHash-2-4 with a 32-bit output over `len` octets at `off` in `dv`, keyed by `k0`, `k1`
 * (the reference's key octets 0..3 and 4..7, read little-endian). Returns the tag as an int32:
 * the reference's four output octets read little-endian. Allocates nothing.
 */
export function halfSipHash24(k0: number, k1: number, dv: DataView, off: number, len: number): number {
  let v0 = k0 | 0;
  let v1 = k1 | 0;
  let v2 = HSIP_V2 ^ k0;
  let v3 = HSIP_V3 ^ k1;
  const end = off + len - (len & 3);
  // The last block: the length's low octet on top, the 0..3 tail octets below.
  let b = (len & 0xff) << 24;
  const tail = len & 3;
  if (tail === 3) b |= dv.getUint8(end + 2) << 16;
  if (tail >= 2) b |= dv.getUint8(end + 1) << 8;
  if (tail >= 1) b |= dv.getUint8(end);
  // Compression: one word per block, then the last block; c = 2 rounds each. Finalization:
  // v2 ^= 0xff, then d = 4 rounds. Written as one loop so the round appears once.
  let p = off;
  for (;;) {
    const final = p > end;
    const m = p < end ? dv.getInt32(p, true) : final ? 0 : b;
    const rounds = final ? 4 : 2;
    if (final) v2 ^= 0xff;
    else v3 ^= m;
    for (let r = 0; r < rounds; r++) {
      v0 = (v0 + v1) | 0;
      v1 = (v1 << 5) | (v1 >>> 27);
      v1 ^= v0;
      v0 = (v0 << 16) | (v0 >>> 16);
      v2 = (v2 + v3) | 0;
      v3 = (v3 << 8) | (v3 >>> 24);
      v3 ^= v2;
      v0 = (v0 + v3) | 0;
      v3 = (v3 << 7) | (v3 >>> 25);
      v3 ^= v0;
      v2 = (v2 + v1) | 0;
      v1 = (v1 << 13) | (v1 >>> 19);
      v1 ^= v2;
      v2 = (v2 << 16) | (v2 >>> 16);
    }
    if (final) break;
    v0 ^= m;
    p += 4;
  }
  return v1 ^ v3;
}

/**
 * RFC 6528 initial sequence numbers for one host: `ISN = M + F(4-tuple, secret)`. Create one at
 * start-up with a key from a real random source and keep it for the life of the stack.
 */
export class IsnGenerator {
  /** The HalfSipHash key (int32 words). */
  private readonly k0: number;
  private readonly k1: number;
  /** The secret prefix words hashed ahead of the 4-tuple. */
  private readonly k2: number;
  private readonly k3: number;
  /** The message scratch buffer: the key prefix and the longest (IPv6) 4-tuple. */
  private readonly message: DataView;

  /** A generator with the 128-bit secret `key0..key3` (any int32 values). */
  constructor(key0: number, key1: number, key2: number, key3: number) {
    this.k0 = key0 | 0;
    this.k1 = key1 | 0;
    this.k2 = key2 | 0;
    this.k3 = key3 | 0;
    this.message = new DataView(new ArrayBuffer(MAX_MESSAGE_WORDS * 4));
    this.message.setInt32(0, this.k2, true);
    this.message.setInt32(4, this.k3, true);
  }

  /** A generator whose key is four words drawn from `random` (which must be unpredictable). */
  static fromRandom(random: RandomSource): IsnGenerator {
    return new IsnGenerator(random.nextInt32(), random.nextInt32(), random.nextInt32(), random.nextInt32());
  }

  /**
   * The keyed hash F of a 4-tuple, without the clock: an int32. Both endpoints must have the same
   * IP version (4 or 6); an endpoint without an address hashes as IPv4 0.0.0.0. Allocates
   * nothing.
   */
  offset(local: IpEndpoint, remote: IpEndpoint): number {
    const dv = this.message;
    const ports = ((local.port & 0xffff) << 16) | (remote.port & 0xffff);
    const la = local.addr;
    const ra = remote.addr;
    if (la.version === IpVersion.Ipv6) {
      const l = la.v6;
      const r = ra.v6;
      dv.setInt32(8, l.w0, true);
      dv.setInt32(12, l.w1, true);
      dv.setInt32(16, l.w2, true);
      dv.setInt32(20, l.w3, true);
      dv.setInt32(24, r.w0, true);
      dv.setInt32(28, r.w1, true);
      dv.setInt32(32, r.w2, true);
      dv.setInt32(36, r.w3, true);
      dv.setInt32(40, ports, true);
      return halfSipHash24(this.k0, this.k1, dv, 0, 44);
    }
    dv.setInt32(8, la.v4, true);
    dv.setInt32(12, ra.v4, true);
    dv.setInt32(16, ports, true);
    return halfSipHash24(this.k0, this.k1, dv, 0, 20);
  }

  /** The initial send sequence number for a connection from `local` to `remote` at `now` (int32). */
  generate(now: Instant, local: IpEndpoint, remote: IpEndpoint): number {
    return (Math.imul(now, ISN_TICKS_PER_MS) + this.offset(local, remote)) | 0;
  }
}
