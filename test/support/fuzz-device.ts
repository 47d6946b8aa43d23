/**
 * A device that receives an endless stream of mutated frames (structure-aware fuzzing) and
 * swallows whatever is transmitted. It allocates nothing per frame, so it also drives the XS
 * allocation check of the whole receive path. Portable.
 *
 * Each received frame is one of the seed frames (real captures) copied into `rxBytes`, then,
 * chosen by a seeded xorshift32: left intact; bit-flipped in 1 to 4 places; truncated; a 16-bit
 * field set to 0 or 0xffff; random octets written over it; or entirely random bytes. Checksums
 * (the IPv4 header's) are recomputed afterwards for half of the mutated IPv4 frames, so that mutations reach the code
 * behind the checksum checks.
 */
import { DeviceCapabilities, Medium, type Device } from "../../src/phy/device.js";
import { checksumData, checksumFinish } from "../../src/wire/checksum.js";

export class FuzzDevice implements Device {
  readonly capabilities = new DeviceCapabilities(Medium.Ethernet, 1514, 0);
  readonly rxBytes = new Uint8Array(1600);
  readonly rxView = new DataView(this.rxBytes.buffer);
  rxOffset = 0;
  readonly txBytes = new Uint8Array(1600);
  readonly txView = new DataView(this.txBytes.buffer);
  /** Frames handed out by `receive`. */
  received = 0;
  /** Frames the interface transmitted. */
  transmitted = 0;
  /** Frames to hand out before `receive` says there are none (per poll). */
  burst = 0;
  private state: number;
  private readonly seeds: readonly Uint8Array[];

  constructor(seeds: readonly Uint8Array[], seed: number) {
    this.seeds = seeds;
    this.state = seed | 0 || 1;
  }

  private next(): number {
    let s = this.state;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.state = s;
    return s >>> 1; // non-negative int31
  }

  receive(): number {
    if (this.burst <= 0) return 0;
    this.burst--;
    this.received++;
    const b = this.rxBytes;
    const src = this.seeds[this.next() % this.seeds.length];
    b.set(src);
    let len = src.length;
    const kind = this.next() % 8;
    if (kind === 1 || kind === 2) {
      for (let k = 1 + (this.next() % 4); k > 0; k--) b[this.next() % len] ^= 1 << (this.next() % 8);
    } else if (kind === 3) {
      len = this.next() % (len + 1);
    } else if (kind === 4 && len > 16) {
      const at = 14 + (this.next() % (len - 15));
      this.rxView.setUint16(at, this.next() % 2 ? 0xffff : 0);
    } else if (kind === 5) {
      for (let k = 0; k < 8; k++) b[this.next() % len] = this.next() & 0xff;
    } else if (kind === 6) {
      len = this.next() % 1515;
      for (let i = 0; i < len; i++) b[i] = this.next() & 0xff;
      // Point half of them at our MAC so they get past the first check.
      if (len >= 6 && this.next() % 2) {
        const mac = this.seeds[0];
        for (let i = 0; i < 6; i++) b[i] = mac[i];
      }
    }
    if (len === 0) len = 1; // receive() returning 0 means "no frame": keep every frame at least one octet
    if (kind !== 0 && kind !== 6 && len >= 34 && this.next() % 2) this.fixChecksums(len);
    this.rxOffset = 0;
    return len;
  }

  /** Recomputes the IPv4 header checksum of a mutated frame, so the mutation goes deeper. */
  private fixChecksums(len: number): void {
    const dv = this.rxView;
    if (dv.getUint16(12) !== 0x0800) return;
    const ihl = (dv.getUint8(14) & 0x0f) * 4;
    if (ihl < 20 || 14 + ihl > len) return;
    dv.setUint16(14 + 10, 0);
    dv.setUint16(14 + 10, checksumFinish(checksumData(dv, 14, ihl)));
  }

  transmitBegin(_now: number, len: number): number {
    return len <= this.txBytes.length ? 0 : -1;
  }

  transmitCommit(): void {
    this.transmitted++;
  }
}
