/**
 * A loopback device: every frame transmitted is received back, in order (smoltcp's `Loopback`).
 *
 * It is the device of every test and example that needs no real peer: an interface polled over
 * a Loopback talks to itself, and two sockets of one interface can hold a TCP connection.
 *
 * Unlike smoltcp's, which queues a freshly allocated `Vec` per frame, this one is a fixed ring
 * of `slots` slots of `mtu` octets each, carved from one buffer when the device is built:
 *
 * ```text
 *  rxBytes === txBytes
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 * | lent   | queued | queued | queued | free   | free   | free   | free   |
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 *   ^ lent   ^ head                     ^ tail: the next reservation
 * ```
 *
 * `transmitBegin` reserves the tail slot, `transmitCommit` queues it; `receive` gives the lent
 * slot back to the free pool and lends the head slot. The lent slot sits just behind the head,
 * so the tail reaches it only when every other slot is queued: `transmitBegin` then returns -1
 * (and counts `framesRefused`) rather than overwrite the frame the caller is still reading. A
 * reply written while a frame is lent therefore never disturbs it. Nothing is lost: a full ring
 * refuses frames, so `maxBurstSize` is 0 (no limit).
 *
 * Given a `FrameMemory` (an `Arena` from `src/storage`), the slots are reserved from it and
 * `rxBytes` is the whole arena, so frames are copied to and from socket rings with
 * `copyWithin`; otherwise the device creates its own buffer.
 */

import type { Instant } from "../time.js";
import { ChecksumCapabilities } from "../wire/checksum.js";
import {
  checkDeviceOption,
  DEVICE_MAX_MTU,
  DeviceCapabilities,
  DeviceUsageError,
  Medium,
  type Device,
  type FrameMemory,
} from "./device.js";
import { ETHERNET_HEADER_LEN } from "../wire/ethernet.js";

/** The most slots a Loopback accepts. */
export const LOOPBACK_MAX_SLOTS = 4096;

/** A device that receives what it transmits, from a fixed ring of frame slots. */
export class Loopback implements Device {
  /** Ethernet, the MTU given, no burst limit, software checksums both ways. */
  readonly capabilities: DeviceCapabilities;
  /** The memory of the slots (the whole `FrameMemory`, if one was given). */
  readonly rxBytes: Uint8Array;
  /** A `DataView` over `rxBytes`. */
  readonly rxView: DataView;
  /** Offset of the lent frame in `rxBytes`. */
  rxOffset = 0;
  /** The same array as `rxBytes`: frames are transmitted into the slots they are received from. */
  readonly txBytes: Uint8Array;
  /** The same view as `rxView`. */
  readonly txView: DataView;

  /** Frames committed by `transmitCommit`. */
  framesSent = 0;
  /** Frames lent by `receive`. */
  framesReceived = 0;
  /** Calls of `transmitBegin` that returned -1 because every slot was queued or lent. */
  framesRefused = 0;

  /** Number of slots. */
  readonly slots: number;
  /** Octets per slot: the MTU. */
  private readonly mtu: number;
  /** Offset of slot 0 in `rxBytes`. */
  private readonly base: number;
  /** Length of the frame queued in each slot. */
  private readonly lengths: Int32Array;
  /** Index of the oldest queued slot. */
  private head = 0;
  /** Number of queued slots (head, head + 1, ... modulo `slots`). */
  private count = 0;
  /** Index of the slot lent by `receive`, or -1. */
  private lent = -1;
  /** Index of the slot reserved by `transmitBegin`, or -1. */
  private reserved = -1;
  /** Length reserved by `transmitBegin`. */
  private reservedLen = 0;

  /**
   * Builds a ring of `slots` (1..4096) slots of `mtu` octets (15..65535, counting the Ethernet
   * header), taken from `memory` if given. Throws `DeviceConfigError` for a size out of range.
   */
  constructor(slots = 8, mtu = 1514, memory: FrameMemory | null = null) {
    checkDeviceOption("Loopback slots", slots, 1, LOOPBACK_MAX_SLOTS);
    checkDeviceOption("Loopback mtu", mtu, ETHERNET_HEADER_LEN + 1, DEVICE_MAX_MTU);
    this.capabilities = new DeviceCapabilities(Medium.Ethernet, mtu, 0, new ChecksumCapabilities());
    this.slots = slots;
    this.mtu = mtu;
    this.lengths = new Int32Array(slots);
    if (memory !== null) {
      this.base = memory.reserve(slots * mtu);
      this.rxBytes = memory.bytes;
      this.rxView = memory.dv;
    } else {
      const buffer = new ArrayBuffer(slots * mtu);
      this.base = 0;
      this.rxBytes = new Uint8Array(buffer);
      this.rxView = new DataView(buffer);
    }
    this.txBytes = this.rxBytes;
    this.txView = this.rxView;
  }

  /** Number of frames transmitted and not yet received. */
  queued(): number {
    return this.count;
  }

  /** Gives back the lent slot and lends the oldest queued frame; 0 when the ring is empty. */
  receive(_now: Instant): number {
    if (this.count === 0) {
      this.lent = -1;
      return 0;
    }
    const slot = this.head;
    this.head = slot + 1 === this.slots ? 0 : slot + 1;
    this.count--;
    this.lent = slot;
    this.rxOffset = this.base + slot * this.mtu;
    this.framesReceived++;
    return this.lengths[slot];
  }

  /**
   * Reserves the tail slot for a frame of at most `len` octets; -1 when every other slot is
   * queued or lent. Throws `DeviceUsageError` if `len` is not in `[1, mtu]`.
   */
  transmitBegin(_now: Instant, len: number): number {
    if (!(len >= 1 && len <= this.mtu)) throw new DeviceUsageError("transmitBegin: length " + len + " outside [1, " + this.mtu + "]");
    const used = this.count + (this.lent >= 0 ? 1 : 0);
    if (used >= this.slots) {
      this.reserved = -1;
      this.framesRefused++;
      return -1;
    }
    let slot = this.head + this.count;
    if (slot >= this.slots) slot -= this.slots;
    this.reserved = slot;
    this.reservedLen = len;
    return this.base + slot * this.mtu;
  }

  /**
   * Queues the reserved slot holding a frame of `len` octets. Throws `DeviceUsageError` without
   * a reservation or if `len` is not in `[1, reserved length]`.
   */
  transmitCommit(len: number): void {
    const slot = this.reserved;
    if (slot < 0) throw new DeviceUsageError("transmitCommit without a reservation");
    if (!(len >= 1 && len <= this.reservedLen)) {
      throw new DeviceUsageError("transmitCommit: length " + len + " outside [1, " + this.reservedLen + "]");
    }
    this.lengths[slot] = len;
    this.count++;
    this.reserved = -1;
    this.framesSent++;
  }
}
