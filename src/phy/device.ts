/**
 * The device boundary: what the interface needs from a network device, and nothing more.
 *
 * smoltcp's `Device` hands out *tokens* whose `consume` method takes a closure. Here a closure
 * per frame would be an allocation per frame, so the same idea is spelt with lent buffers and
 * integers instead (see ARCHITECTURE.md, "The device boundary"):
 *
 * - **Receive.** `receive(now)` returns the length of the next received frame, or 0 when there
 *   is none. The frame lies at `rxOffset` in the device's own `rxBytes` (with `rxView`, a
 *   `DataView` over the same memory), and stays there, untouched, until the next call of
 *   `receive`. Calling `receive` again gives the lent frame back, whatever it returns.
 * - **Transmit.** `transmitBegin(now, len)` reserves room for a frame of at most `len` octets
 *   and returns the offset in `txBytes` where it must be written, or -1 when the device has no
 *   room now (the caller tries again on a later poll: -1 is back-pressure, not an error).
 *   `transmitCommit(len)` sends the first `len` octets written there (`1 <= len <=` the
 *   reserved length). A reservation that is not committed is abandoned by the next
 *   `transmitBegin`; at most one reservation exists at a time.
 * - **Replies while a frame is lent.** A reply may be reserved, written and committed while the
 *   received frame is still lent (an ICMP echo reply is built from the request's bytes), and
 *   doing so never disturbs the lent frame. A device whose receive and transmit memory is shared
 *   must therefore never hand out the lent frame's memory for transmission.
 * - **Fixed buffers.** `rxBytes`, `rxView`, `txBytes`, `txView` and `capabilities` are set in
 *   the constructor and never re-pointed, so a wrapper copies the references once and the
 *   interface may cache them. Only `rxOffset` moves. (A device may make `rxBytes` and `txBytes`
 *   the same array; the Loopback does.)
 *
 * Every method above belongs to the packet path: an implementation allocates nothing in them
 * (no objects, arrays, closures, strings or `subarray` views) and throws only for API misuse
 * (`DeviceUsageError`: a commit without a reservation, a length outside the reservation).
 *
 * The time passed to `receive` and `transmitBegin` is the same wrapping int32 `Instant` the
 * interface's `poll` receives (`src/time.ts`); devices that shape traffic (the `FaultInjector`)
 * or stamp frames (the `PcapWriter`) use it, the others ignore it.
 */

import { ChecksumCapabilities } from "../wire/checksum.js";
import { ETHERNET_HEADER_LEN } from "../wire/ethernet.js";
import type { Instant } from "../time.js";

/** What kind of frames a device sends and receives (smoltcp's `Medium`). */
export const enum Medium {
  /**
   * Ethernet II frames, without preamble or frame check sequence; the interface resolves
   * neighbours with ARP and NDISC. Ethernet controllers, Linux `tap` devices.
   */
  Ethernet = 0,
  /**
   * Bare IPv4 or IPv6 packets, no link-layer header and no neighbour discovery (Linux `tun`,
   * PPP). Declared for completeness: the interface does **not** support it yet.
   */
  Ip = 1,
}

/** The largest frame any device here accepts: the largest length a pcap record can hold. */
export const DEVICE_MAX_MTU = 65535;

/** Base class of the errors the phy layer throws; only ever for API misuse, never for input. */
export class DeviceError extends Error {
  /** Set as a field, not assigned: a preloaded (frozen) Error.prototype makes `this.name = ...` throw on XS. */
  override readonly name: string = "DeviceError";
}

/** A size or option given to a device (at construction or through a setter) is out of range. */
export class DeviceConfigError extends DeviceError {
  /** Set as a field, not assigned: a preloaded (frozen) Error.prototype makes `this.name = ...` throw on XS. */
  override readonly name: string = "DeviceConfigError";
}

/**
 * The device was used against its contract: a commit without a reservation, a commit longer
 * than the reservation or shorter than one octet, a reservation longer than the MTU.
 */
export class DeviceUsageError extends DeviceError {
  /** Set as a field, not assigned: a preloaded (frozen) Error.prototype makes `this.name = ...` throw on XS. */
  override readonly name: string = "DeviceUsageError";
}

/** Throws `DeviceConfigError` unless `n` is an integer in `[min, max]`. Init time only. */
export function checkDeviceOption(what: string, n: number, min: number, max: number): void {
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new DeviceConfigError(what + " must be an integer in [" + min + ", " + max + "], got " + n);
  }
}

/**
 * What a device can do (smoltcp's `DeviceCapabilities`). Created once by the device; wrappers
 * share their inner device's record.
 */
export class DeviceCapabilities {
  /** The kind of frames the device carries. */
  readonly medium: Medium;
  /**
   * Maximum transmission unit: the device can neither send nor receive a frame longer than
   * this, in octets.
   *
   * For `Medium.Ethernet` this is the largest Ethernet frame, **including** the 14-octet
   * Ethernet header but **not** the 4-octet frame check sequence: a standard link has an MTU of
   * 1514, and the IP MTU is `maxTransmissionUnit - 14` (see `ipMtu()`). Note that Linux and
   * most other systems call the IP MTU "the MTU" even on Ethernet (1500 there), a common source
   * of confusion. The smallest IP MTU is 576 for IPv4 and 1280 for IPv6.
   *
   * For `Medium.Ip` it is the IP MTU itself.
   */
  readonly maxTransmissionUnit: number;
  /**
   * The largest burst of back-to-back frames, counted in frames, that the device can send or
   * receive without losing some; 0 means no fixed limit (frames are refused with -1 rather than
   * lost). The interface may shrink a TCP window to `maxBurstSize * ipMtu()`.
   */
  readonly maxBurstSize: number;
  /**
   * Which checksums the software computes and verifies, per protocol. The record is mutable: a
   * test or a fuzzer may turn software checksums off before the first poll.
   */
  readonly checksum: ChecksumCapabilities;

  /**
   * Throws `DeviceConfigError` if `maxTransmissionUnit` is not an integer in
   * `[ETHERNET_HEADER_LEN + 1, DEVICE_MAX_MTU]` (`[1, DEVICE_MAX_MTU]` for `Medium.Ip`), or
   * `maxBurstSize` is negative.
   */
  constructor(
    medium: Medium = Medium.Ethernet,
    maxTransmissionUnit = 1514,
    maxBurstSize = 0,
    checksum: ChecksumCapabilities = new ChecksumCapabilities(),
  ) {
    if (medium !== Medium.Ethernet && medium !== Medium.Ip) throw new DeviceConfigError("unknown medium " + medium);
    checkDeviceOption("maxTransmissionUnit", maxTransmissionUnit, medium === Medium.Ethernet ? ETHERNET_HEADER_LEN + 1 : 1, DEVICE_MAX_MTU);
    checkDeviceOption("maxBurstSize", maxBurstSize, 0, 0x7fffffff);
    this.medium = medium;
    this.maxTransmissionUnit = maxTransmissionUnit;
    this.maxBurstSize = maxBurstSize;
    this.checksum = checksum;
  }

  /** The largest IP packet a frame can carry: the MTU less the Ethernet header, if any. */
  ipMtu(): number {
    return this.medium === Medium.Ethernet ? this.maxTransmissionUnit - ETHERNET_HEADER_LEN : this.maxTransmissionUnit;
  }
}

/**
 * A network device: it lends received frames and transmit room, and takes no closures. See the
 * essay at the top of this file for the contract; `src/phy/index.ts` has a complete example.
 */
export interface Device {
  /** What the device can do. Fixed at construction. */
  readonly capabilities: DeviceCapabilities;

  /** Where received frames are lent. Fixed at construction. */
  readonly rxBytes: Uint8Array;
  /** A `DataView` over exactly the memory of `rxBytes` (byte 0 of one is byte 0 of the other). */
  readonly rxView: DataView;
  /** Offset in `rxBytes` of the frame the last `receive` returned (meaningless after a 0). */
  readonly rxOffset: number;

  /**
   * Gives back the frame lent by the previous call, if any, and lends the next received frame:
   * returns its length (it lies at `rxOffset` in `rxBytes`), or 0 when no frame is waiting.
   * The frame stays valid until the next `receive`.
   */
  receive(now: Instant): number;

  /** Where frames to transmit are written. Fixed at construction; may be `rxBytes` itself. */
  readonly txBytes: Uint8Array;
  /** A `DataView` over exactly the memory of `txBytes`. */
  readonly txView: DataView;

  /**
   * Reserves room for a frame of at most `len` octets (`1 <= len <= maxTransmissionUnit`) and
   * returns its offset in `txBytes`, or -1 when there is no room now (try on a later poll).
   * Abandons any reservation not yet committed. Never disturbs the frame lent by `receive`.
   */
  transmitBegin(now: Instant, len: number): number;

  /**
   * Sends the first `len` octets written at the offset `transmitBegin` returned and ends the
   * reservation. `len` must be between 1 and the reserved length.
   */
  transmitCommit(len: number): void;
}

/**
 * Memory a device may take its frame buffers from: a `bytes` array with a `DataView` over the
 * same memory, and a bump allocator returning offsets into it. `storage`'s `Arena` has exactly
 * this shape (the phy layer does not import `storage`, so the type is structural). Frames carved
 * from the arena that also holds the socket rings are copied to and from them with one
 * `copyWithin`.
 */
export interface FrameMemory {
  /** The whole memory, byte offset 0; `reserve` returns offsets into it. */
  readonly bytes: Uint8Array;
  /** A `DataView` over the same memory as `bytes`, starting at the same octet. */
  readonly dv: DataView;
  /** Reserves `len` octets and returns their offset in `bytes`; throws when exhausted. */
  reserve(len: number): number;
}
