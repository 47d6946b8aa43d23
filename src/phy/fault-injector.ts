/**
 * A device wrapper that makes the network worse on purpose (smoltcp's `FaultInjector`).
 *
 * It sits between the interface and another device and simulates an adverse network or a
 * limited device: random loss, random corruption, a size limit, and rate limits. Every decision
 * comes from a seeded `Xorshift32` (`rand.ts`), so a test with a given seed and configuration
 * sees the same losses every time, on Node and on XS.
 *
 * | setting           | receive                                     | transmit                                  |
 * | ----------------- | ------------------------------------------- | ----------------------------------------- |
 * | `dropChance` %    | the frame is skipped (`rxDropped`)          | the frame is not sent (`txDropped`)       |
 * | `corruptChance` % | one bit of the frame flips (`rxCorrupted`)  | one bit flips before sending (`txCorrupted`) |
 * | `sizeLimit`       | a longer frame is skipped (`rxSizeLimited`) | a longer frame is not sent (`txSizeLimited`) |
 * | `rxRateLimit`     | `receive` returns 0 without taking a frame from the inner device (`rxRateLimited`) | |
 * | `txRateLimit`     |                                             | `transmitBegin` returns -1 (`txRateLimited`) |
 *
 * **Corruption** flips one bit, chosen at random, of one octet chosen at random, as smoltcp
 * does: a single bit flip is the most likely error on a real link and the hardest to detect (it
 * always changes the Internet checksum, but an Ethernet header or a payload that nobody sums may
 * carry it through). Exactly one octet of the frame differs afterwards. Received frames are
 * corrupted in place, in the inner device's `rxBytes` (the frame is lent to us until the next
 * `receive`); transmitted ones in the inner device's `txBytes`, just before the commit.
 *
 * **Rate limits** are token buckets: at most `rxRateLimit` frames delivered and `txRateLimit`
 * frames committed per `shapingInterval` milliseconds (0: no limit). Both buckets are refilled
 * together, to their full size, at the first call at least `shapingInterval` ms after the
 * previous refill (the first call after a change of setting refills at once); times are compared
 * by signed difference, so the wrap of the int32 clock is harmless. An empty bucket never loses
 * a frame: on receive the frame stays queued in the inner device, and on transmit the caller is
 * told to try later, as a device with few buffers would. (smoltcp drops rate-limited frames
 * instead.) `rxRateLimited` and `txRateLimited` therefore count refused *calls*, not frames.
 * A token is spent by each frame delivered (receive) and by each frame committed to us
 * (transmit, even if it is then dropped: it left the device and was lost on the wire).
 *
 * **Receive loop.** A frame dropped on receive is skipped and the next one taken, up to
 * `maxBurstSize` frames of the inner device per call (32 when it has no limit), so that one
 * call of `receive` returns a frame whenever one survives. Every frame taken from the inner
 * device ends in exactly one of `rxDelivered`, `rxDropped`, `rxSizeLimited`; every frame
 * committed to the injector in exactly one of `txSent`, `txDropped`, `txSizeLimited`.
 *
 * **Wrapping order.** The injector plays the wire, so what a `Tracer` or `PcapWriter` records
 * depends on which side of it they sit:
 * - `FaultInjector(Tracer(device))`: the tracer sees the wire side. On receive it traces every
 *   frame the device received, *including* those the injector then drops (as smoltcp's traces
 *   do), uncorrupted; on transmit only the frames that survived, corrupted as sent.
 * - `Tracer(FaultInjector(device))`: the tracer sees the stack's side. On receive only the
 *   frames delivered, corrupted as delivered; on transmit every frame the stack sent, including
 *   those the injector then drops.
 *
 * The buffers, the capabilities (MTU included: `sizeLimit` does not change them) and the lent
 * frame are the inner device's. Nothing is allocated on the packet path.
 */

import { instantDiff, type Instant } from "../time.js";
import { checkDeviceOption, DeviceUsageError, type Device, type DeviceCapabilities } from "./device.js";
import { Xorshift32 } from "./rand.js";

/** Frames a `receive` call may take from an inner device without a burst limit. */
export const FAULT_INJECTOR_RX_ATTEMPTS = 32;

/** Wraps a device and drops, corrupts, truncates and throttles its traffic at random. */
export class FaultInjector implements Device {
  /** The inner device's capabilities. */
  readonly capabilities: DeviceCapabilities;
  /** The inner device's receive memory. */
  readonly rxBytes: Uint8Array;
  /** The inner device's receive view. */
  readonly rxView: DataView;
  /** Offset of the delivered frame in `rxBytes`. */
  rxOffset = 0;
  /** The inner device's transmit memory. */
  readonly txBytes: Uint8Array;
  /** The inner device's transmit view. */
  readonly txView: DataView;

  /** Frames received and handed to the caller (possibly corrupted). */
  rxDelivered = 0;
  /** Received frames skipped at random (`dropChance`). */
  rxDropped = 0;
  /** Received frames that were delivered with a bit flipped (`corruptChance`). */
  rxCorrupted = 0;
  /** Received frames skipped for being longer than `sizeLimit`. */
  rxSizeLimited = 0;
  /** Calls of `receive` that the empty rx bucket answered with 0 (frames stay queued). */
  rxRateLimited = 0;
  /** Frames committed to the inner device (possibly corrupted). */
  txSent = 0;
  /** Committed frames not sent, at random (`dropChance`). */
  txDropped = 0;
  /** Frames sent with a bit flipped (`corruptChance`). */
  txCorrupted = 0;
  /** Committed frames not sent for being longer than `sizeLimit`. */
  txSizeLimited = 0;
  /** Calls of `transmitBegin` that the empty tx bucket answered with -1. */
  txRateLimited = 0;

  /** The wrapped device. */
  readonly inner: Device;
  /** The decisions' source. */
  private readonly rng: Xorshift32;
  /** Frames one `receive` may take from the inner device. */
  private readonly rxAttempts: number;
  /** Offset of the current transmit reservation in `txBytes`, or -1. */
  private txOffset = -1;
  /** Length of the current transmit reservation. */
  private txLen = 0;

  // Settings (see the accessors) and the buckets.
  private dropPct = 0;
  private corruptPct = 0;
  private maxSize = 0;
  private txRate = 0;
  private rxRate = 0;
  private interval = 1000;
  private txBucket = 0;
  private rxBucket = 0;
  /** When the buckets were last refilled. */
  private refilledAt = 0;
  /** Whether `refilledAt` means anything (false until the first refill after a setting). */
  private primed = false;

  /**
   * Wraps `inner`, with every fault off. `seed` (any integer; 0 is fine) fixes the sequence of
   * decisions.
   */
  constructor(inner: Device, seed = 0) {
    this.inner = inner;
    this.capabilities = inner.capabilities;
    this.rxBytes = inner.rxBytes;
    this.rxView = inner.rxView;
    this.txBytes = inner.txBytes;
    this.txView = inner.txView;
    this.rng = new Xorshift32(seed);
    const burst = inner.capabilities.maxBurstSize;
    this.rxAttempts = burst > 0 ? burst : FAULT_INJECTOR_RX_ATTEMPTS;
  }

  /** Chance of dropping a frame, in percent (integer, 0..100), in either direction. */
  get dropChance(): number {
    return this.dropPct;
  }
  set dropChance(pct: number) {
    checkDeviceOption("dropChance", pct, 0, 100);
    this.dropPct = pct;
  }

  /** Chance of flipping one bit of a frame, in percent (integer, 0..100), in either direction. */
  get corruptChance(): number {
    return this.corruptPct;
  }
  set corruptChance(pct: number) {
    checkDeviceOption("corruptChance", pct, 0, 100);
    this.corruptPct = pct;
  }

  /** Longest frame let through, in octets (counting the Ethernet header); 0: no limit. */
  get sizeLimit(): number {
    return this.maxSize;
  }
  set sizeLimit(octets: number) {
    checkDeviceOption("sizeLimit", octets, 0, 0x7fffffff);
    this.maxSize = octets;
  }

  /** Most frames committed per `shapingInterval`; 0: no limit. */
  get txRateLimit(): number {
    return this.txRate;
  }
  set txRateLimit(frames: number) {
    checkDeviceOption("txRateLimit", frames, 0, 0x7fffffff);
    this.txRate = frames;
    this.primed = false;
  }

  /** Most frames delivered per `shapingInterval`; 0: no limit. */
  get rxRateLimit(): number {
    return this.rxRate;
  }
  set rxRateLimit(frames: number) {
    checkDeviceOption("rxRateLimit", frames, 0, 0x7fffffff);
    this.rxRate = frames;
    this.primed = false;
  }

  /** Length of a rate-limiting window in milliseconds (1..2^31 - 1); 1000 by default. */
  get shapingInterval(): number {
    return this.interval;
  }
  set shapingInterval(ms: number) {
    checkDeviceOption("shapingInterval", ms, 1, 0x7fffffff);
    this.interval = ms;
    this.primed = false;
  }

  /** Refills both buckets if a window has passed since the last refill. */
  private refill(now: Instant): void {
    if (!this.primed || instantDiff(now, this.refilledAt) >= this.interval) {
      this.txBucket = this.txRate;
      this.rxBucket = this.rxRate;
      this.refilledAt = now;
      this.primed = true;
    }
  }

  /** Flips one random bit of one random octet of the `len` octets at `off`. */
  private corrupt(bytes: Uint8Array, off: number, len: number): void {
    const rng = this.rng;
    const i = off + rng.below(len);
    bytes[i] ^= 1 << rng.below(8);
  }

  /**
   * Lends the next frame of the inner device that survives the faults: its length (at
   * `rxOffset`), or 0 when none does, none is waiting, or the rx bucket is empty.
   */
  receive(now: Instant): number {
    if (this.rxRate !== 0) {
      this.refill(now);
      if (this.rxBucket === 0) {
        this.rxRateLimited++;
        return 0;
      }
    }
    const inner = this.inner;
    const rng = this.rng;
    for (let attempt = 0; attempt < this.rxAttempts; attempt++) {
      const len = inner.receive(now);
      if (len === 0) return 0;
      const off = inner.rxOffset;
      if (this.maxSize !== 0 && len > this.maxSize) {
        this.rxSizeLimited++;
        continue;
      }
      if (this.dropPct !== 0 && rng.percent(this.dropPct)) {
        this.rxDropped++;
        continue;
      }
      if (this.rxRate !== 0) this.rxBucket--;
      if (this.corruptPct !== 0 && rng.percent(this.corruptPct)) {
        this.corrupt(this.rxBytes, off, len);
        this.rxCorrupted++;
      }
      this.rxOffset = off;
      this.rxDelivered++;
      return len;
    }
    return 0;
  }

  /** Reserves room in the inner device; -1 when it has none or the tx bucket is empty. */
  transmitBegin(now: Instant, len: number): number {
    if (this.txRate !== 0) {
      this.refill(now);
      if (this.txBucket === 0) {
        this.txOffset = -1;
        this.txRateLimited++;
        return -1;
      }
    }
    const off = this.inner.transmitBegin(now, len);
    this.txOffset = off;
    this.txLen = len;
    return off;
  }

  /**
   * Decides the frame's fate: not sent (too long, or dropped at random), or committed to the
   * inner device, possibly with one bit flipped. Throws `DeviceUsageError` without a
   * reservation or if `len` is not in `[1, reserved length]`.
   */
  transmitCommit(len: number): void {
    const off = this.txOffset;
    if (off < 0) throw new DeviceUsageError("transmitCommit without a reservation");
    if (!(len >= 1 && len <= this.txLen)) {
      throw new DeviceUsageError("transmitCommit: length " + len + " outside [1, " + this.txLen + "]");
    }
    this.txOffset = -1;
    if (this.txRate !== 0 && this.txBucket > 0) this.txBucket--;
    if (this.maxSize !== 0 && len > this.maxSize) {
      this.txSizeLimited++;
      return;
    }
    const rng = this.rng;
    if (this.dropPct !== 0 && rng.percent(this.dropPct)) {
      this.txDropped++;
      return;
    }
    if (this.corruptPct !== 0 && rng.percent(this.corruptPct)) {
      this.corrupt(this.txBytes, off, len);
      this.txCorrupted++;
    }
    this.inner.transmitCommit(len);
    this.txSent++;
  }
}
