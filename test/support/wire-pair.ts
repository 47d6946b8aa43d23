/**
 * A simulated cable: two `Device`s joined back to back (smoltcp's netsim `QueueDevice` pair).
 * A frame sent on one end is received on the other, after an optional fixed latency. Portable
 * (Node and XS): used by the netsim tests and allocation cases.
 *
 * Each direction is a `WireQueue`: a fixed ring of `slots` frame slots of `mtu` octets in one
 * buffer made at construction, with the length and the send time of each queued frame in
 * `Int32Array`s. Nothing is allocated per frame. The sending end writes straight into the slot
 * (`txBytes` of end A is the memory of the A→B queue, which is `rxBytes` of end B), so a frame
 * is never copied.
 *
 * ```text
 *  end A                    A→B queue (A's txBytes, B's rxBytes)            end B
 *  transmit ──────────► [ lent | queued | queued | free | ... ] ──────────► receive
 *  receive  ◄────────── [ lent | queued | free   | free | ... ] ◄────────── transmit
 *                           B→A queue (B's txBytes, A's rxBytes)
 * ```
 *
 * - **Latency.** A frame committed with `transmitBegin(now, ...)` becomes receivable at
 *   `now + latency` (0: at once). The queue is FIFO and the latency constant, so frames arrive
 *   in the order sent. `nextArrival(now)` says when the oldest queued frame may be received, for
 *   a simulated clock to jump there.
 * - **Back-pressure.** As in `Loopback`, the slot lent to the receiving end is kept out of use,
 *   so a full queue makes `transmitBegin` answer -1 (`refused` counts it) and nothing is lost:
 *   loss is the `FaultInjector`'s job.
 * - Medium Ethernet, MTU 1514 by default (counting the Ethernet header), no burst limit,
 *   software checksums both ways.
 */
import { checkDeviceOption, DeviceCapabilities, DeviceUsageError, Medium, type Device } from "../../src/phy/device.js";
import { ChecksumCapabilities } from "../../src/wire/checksum.js";
import { instantDiff, type Instant } from "../../src/time.js";

/** One direction of the cable: a FIFO ring of frame slots. */
export class WireQueue {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly slots: number;
  readonly mtu: number;
  /** Fixed one-way latency in ms. */
  latency: number;
  /** Frames committed, frames lent to the receiver, `transmitBegin` calls refused (queue full). */
  sent = 0;
  received = 0;
  refused = 0;
  private readonly lengths: Int32Array;
  private readonly sentAt: Int32Array;
  private head = 0;
  private count = 0;
  /** Slot lent to the receiving end, or -1. */
  lent = -1;
  /** Slot reserved by the sending end, or -1. */
  private reserved = -1;
  private reservedLen = 0;
  private reservedAt = 0;

  constructor(slots: number, mtu: number, latency: number) {
    checkDeviceOption("WireQueue slots", slots, 1, 4096);
    checkDeviceOption("WireQueue mtu", mtu, 15, 65535);
    checkDeviceOption("WireQueue latency", latency, 0, 0x3fffffff);
    this.slots = slots;
    this.mtu = mtu;
    this.latency = latency;
    const buffer = new ArrayBuffer(slots * mtu);
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.lengths = new Int32Array(slots);
    this.sentAt = new Int32Array(slots);
  }

  /** Frames queued (sent and not yet received, arrived or not). */
  queued(): number {
    return this.count;
  }

  /** Ms until the oldest queued frame may be received (0: now), -1 when the queue is empty. */
  nextArrival(now: Instant): number {
    if (this.count === 0) return -1;
    const d = instantDiff((this.sentAt[this.head] + this.latency) | 0, now);
    return d > 0 ? d : 0;
  }

  /** Gives back the lent slot and lends the oldest frame that has arrived: its offset, or -1. */
  take(now: Instant): number {
    this.lent = -1;
    if (this.count === 0) return -1;
    const slot = this.head;
    if (this.latency !== 0 && instantDiff((this.sentAt[slot] + this.latency) | 0, now) > 0) return -1;
    this.head = slot + 1 === this.slots ? 0 : slot + 1;
    this.count--;
    this.lent = slot;
    this.received++;
    return slot * this.mtu;
  }

  /** Length of the lent frame. */
  lentLength(): number {
    return this.lent < 0 ? 0 : this.lengths[this.lent];
  }

  /** Reserves the tail slot: its offset, or -1 when every other slot is queued or lent. */
  begin(now: Instant, len: number): number {
    if (!(len >= 1 && len <= this.mtu)) throw new DeviceUsageError("transmitBegin: length " + len + " outside [1, " + this.mtu + "]");
    if (this.count + (this.lent >= 0 ? 1 : 0) >= this.slots) {
      this.reserved = -1;
      this.refused++;
      return -1;
    }
    let slot = this.head + this.count;
    if (slot >= this.slots) slot -= this.slots;
    this.reserved = slot;
    this.reservedLen = len;
    this.reservedAt = now;
    return slot * this.mtu;
  }

  /** Queues the reserved slot with a frame of `len` octets. */
  commit(len: number): void {
    const slot = this.reserved;
    if (slot < 0) throw new DeviceUsageError("transmitCommit without a reservation");
    if (!(len >= 1 && len <= this.reservedLen)) throw new DeviceUsageError("transmitCommit: length " + len + " outside [1, " + this.reservedLen + "]");
    this.lengths[slot] = len;
    this.sentAt[slot] = this.reservedAt;
    this.count++;
    this.reserved = -1;
    this.sent++;
  }
}

/** One end of the cable: transmits into `out`, receives from `in`. */
export class WireEnd implements Device {
  readonly capabilities: DeviceCapabilities;
  readonly rxBytes: Uint8Array;
  readonly rxView: DataView;
  rxOffset = 0;
  readonly txBytes: Uint8Array;
  readonly txView: DataView;
  /** The queue this end receives from. */
  readonly input: WireQueue;
  /** The queue this end transmits into. */
  readonly output: WireQueue;

  constructor(input: WireQueue, output: WireQueue) {
    this.input = input;
    this.output = output;
    this.capabilities = new DeviceCapabilities(Medium.Ethernet, output.mtu, 0, new ChecksumCapabilities());
    this.rxBytes = input.bytes;
    this.rxView = input.view;
    this.txBytes = output.bytes;
    this.txView = output.view;
  }

  receive(now: Instant): number {
    const off = this.input.take(now);
    if (off < 0) return 0;
    this.rxOffset = off;
    return this.input.lentLength();
  }

  transmitBegin(now: Instant, len: number): number {
    return this.output.begin(now, len);
  }

  transmitCommit(len: number): void {
    this.output.commit(len);
  }
}

/** Two devices joined back to back: `a` transmits to `b` and `b` to `a`. */
export class WirePair {
  readonly aToB: WireQueue;
  readonly bToA: WireQueue;
  readonly a: WireEnd;
  readonly b: WireEnd;

  /** `slots` frames per direction, `mtu` octets per frame (Ethernet header included), `latency` ms one way. */
  constructor(slots = 64, mtu = 1514, latency = 0) {
    this.aToB = new WireQueue(slots, mtu, latency);
    this.bToA = new WireQueue(slots, mtu, latency);
    this.a = new WireEnd(this.bToA, this.aToB);
    this.b = new WireEnd(this.aToB, this.bToA);
  }

  /** Ms until a queued frame may be received on either end (0: now), -1 when both are empty. */
  nextArrival(now: Instant): number {
    const x = this.aToB.nextArrival(now);
    const y = this.bToA.nextArrival(now);
    if (x < 0) return y;
    if (y < 0) return x;
    return x < y ? x : y;
  }

  /** Frames on the wire in both directions. */
  inFlight(): number {
    return this.aToB.queued() + this.bToA.queued();
  }
}
