/**
 * What the three datagram sockets (UDP, ICMP, raw) have in common: `DatagramSocket<M>`.
 *
 * A datagram socket is two `PacketBuffer`s, one each way, and very little else. Whatever the
 * protocol, a received packet is queued whole with a metadata record `M` (who sent it), read
 * back in place (`recv`, `peek`) or copied out (`recvSlice`, `peekSlice`), and a packet to send
 * is queued whole and handed to the interface by the same four-step egress contract
 * (`dispatchPeek` → `dispatchPayload` → `dispatchCommit`, or `dispatchDrop`; see
 * `socket/index.ts`). The hop limit, the last network error, the counters and the queue
 * inspectors are therefore the same code in every socket, and live here, once.
 *
 * What stays in each socket is what differs: how it is bound, which packets it `accepts`, what
 * `process` records of a received packet besides the payload (the sender; nothing for raw),
 * what `dispatchPeek` puts in the `IpRepr`, how `dispatchPayload` finishes the packet (the ICMP
 * checksum), and the misuse checks of sending. Two hooks tie the halves together without a
 * closure or an object per call: `recordSender(meta)`, which `peek` (and so every `recv*` /
 * `peek*`) calls with the record of the packet it returns, so that a socket can copy the
 * sender into its preallocated `lastRecv*` fields; and `logTag()`, the socket's name in log
 * lines and error messages. `queueRecv` does the common part of `process` (the size checks,
 * the counters, the copy into the ring) and hands back the record for the socket to fill.
 *
 * The receive path is allocation-free as before: the records are made once per slot by the
 * `makeMeta` factory given to the constructor, and every copy goes through `copyBytes`. On XS a
 * method found on this prototype costs one more prototype hop than one on the socket's own; the
 * fields, set by this constructor first, are the hot ones (`meta`, the buffers).
 *
 * The hop limit is here for the UDP and ICMP sockets; a raw socket sends the TTL / hop limit its
 * application wrote in the packet header, and ignores it.
 */

import { BoundsError, type Arena } from "../storage/arena.js";
import { PacketBuffer } from "../storage/packet-buffer.js";
import { copyBytes } from "../storage/copy.js";
import type { Instant } from "../time.js";
import { LOG } from "../features.js";
import { LogLevel, logEnabled, netDebug } from "../log.js";
import { SocketErrorCode } from "./error.js";
import { POLL_INGRESS, POLL_NOW, SocketMeta } from "./meta.js";

/**
 * The base of the UDP, ICMP and raw sockets: a receive and a transmit `PacketBuffer` whose
 * records are `M`, the hop limit, the last error, the counters and the methods that only touch
 * those (see the module comment).
 */
export abstract class DatagramSocket<M> {
  /** What the interface keeps about the socket (handle, neighbor wait). */
  readonly meta = new SocketMeta();
  /** Received packets and their records. */
  protected readonly rx: PacketBuffer<M>;
  /** Packets to send and their records. */
  protected readonly tx: PacketBuffer<M>;
  /** Offset in `rxBytes()` of the packet the last `recv()` / `peek()` returned. */
  recvOffset = 0;

  /** Packets refused because the receive queue was full. */
  rxDropped = 0;
  /** Packets refused because they are larger than the whole receive buffer. */
  rxTooLarge = 0;
  /** Packets queued for the application. */
  rxPackets = 0;
  /** Packets handed to the device (`dispatchCommit`). */
  txPackets = 0;
  /** Queued packets dropped by the interface (`dispatchDrop`: no route). */
  txDropped = 0;

  /** TTL / hop limit of sent packets: 0 for the interface's default, else 1..255. */
  protected hop = 0;
  /** The last network error, until `takeError()`. */
  protected error: SocketErrorCode = SocketErrorCode.None;

  /**
   * Makes the receive queue (`rxPackets` packets of `rxPayload` octets in all) and the transmit
   * queue (`txPackets` packets of `txPayload` octets), with one `makeMeta()` record per slot.
   * The payload rings are reserved from `arena` if one is given (then every copy to and from a
   * frame carved from the same arena is a `copyWithin`). Throws `CapacityError` for a bad size.
   */
  protected constructor(rxPackets: number, rxPayload: number, txPackets: number, txPayload: number, makeMeta: () => M, arena?: Arena) {
    this.rx = new PacketBuffer<M>(rxPackets, rxPayload, makeMeta, arena);
    this.tx = new PacketBuffer<M>(txPackets, txPayload, makeMeta, arena);
  }

  /** The socket's name in log lines and error messages ("UdpSocket"...). */
  protected abstract logTag(): string;

  /**
   * Called by `peek` (so by every `recv*` / `peek*`) with the record of the packet it returns,
   * to copy what it says (the sender) into the socket's preallocated `lastRecv*` fields.
   */
  protected abstract recordSender(meta: M): void;

  /**
   * The TTL (IPv4) or hop limit (IPv6) of sent packets, or null for the interface's default
   * (`Config.hopLimit`, 64 unless configured: IANA's recommended TTL, as smoltcp). A socket
   * without one hands the interface `ip.hopLimit = 0`, which the interface replaces with its
   * default, so no packet leaves with TTL 0 (RFC 1122 §3.2.1.7: "A host MUST NOT send a
   * datagram with a Time-to-Live (TTL) value of zero."). A raw socket ignores it: its packets
   * carry their own.
   */
  get hopLimit(): number | null {
    return this.hop === 0 ? null : this.hop;
  }

  /** Sets the hop limit: 1..255, or null or 0 for the default. Throws `RangeError` otherwise. */
  set hopLimit(value: number | null) {
    if (value === null) value = 0;
    if (!Number.isInteger(value) || value < 0 || value > 255) throw new RangeError("hop limit must be an integer from 1 to 255, or null: " + value);
    this.hop = value;
  }

  // --- State -----------------------------------------------------------------------------------

  /** Whether the transmit queue has a free metadata slot (its payload ring may still be short of room). */
  canSend(): boolean {
    return !this.tx.isFull();
  }

  /** Whether a packet is waiting to be received. */
  canRecv(): boolean {
    return !this.rx.isEmpty();
  }

  /** Number of packets waiting to be sent. */
  sendQueue(): number {
    return this.tx.packetCount();
  }

  /** Number of packets waiting to be received. */
  recvQueue(): number {
    return this.rx.packetCount();
  }

  /** Number of packets the transmit queue holds. */
  packetSendCapacity(): number {
    return this.tx.metaCapacity();
  }

  /** Number of packets the receive queue holds. */
  packetRecvCapacity(): number {
    return this.rx.metaCapacity();
  }

  /** Octets of payload the transmit buffer holds in all: no larger packet can be sent. */
  payloadSendCapacity(): number {
    return this.tx.payloadCapacity();
  }

  /** Octets of payload the receive buffer holds in all: no larger packet can be received. */
  payloadRecvCapacity(): number {
    return this.rx.payloadCapacity();
  }

  /** The bytes the packets to send live in (`sendBegin` offsets are absolute in it). */
  txBytes(): Uint8Array {
    return this.tx.bytes;
  }

  /** A `DataView` over the same memory as `txBytes()`. */
  txView(): DataView {
    return this.tx.dv;
  }

  /** The bytes the received packets live in (`recvOffset` is absolute in it). */
  rxBytes(): Uint8Array {
    return this.rx.bytes;
  }

  /** A `DataView` over the same memory as `rxBytes()`, to read a packet's fields in place. */
  rxView(): DataView {
    return this.rx.dv;
  }

  /** Returns the last network error (`NoRoute`, `Malformed`...) and clears it; `None` if there was none. */
  takeError(): SocketErrorCode {
    const e = this.error;
    this.error = SocketErrorCode.None;
    return e;
  }

  // --- Receiving -------------------------------------------------------------------------------

  /**
   * Dequeues the oldest packet and copies `min(length, max)` octets of it to `dst[off...]`; the
   * rest of a longer packet is discarded. Returns the number of octets copied, or -1 when
   * nothing is queued. The sender is in the socket's `lastRecv*` fields. Throws `BoundsError`
   * (dequeueing nothing) if `max` octets at `off` would leave `dst`.
   */
  recvSlice(dst: Uint8Array, off: number, max: number): number {
    const n = this.copyOldest(dst, off, max);
    if (n >= 0) this.rx.dequeue();
    return n;
  }

  /** As `recvSlice`, without dequeueing the packet. */
  peekSlice(dst: Uint8Array, off: number, max: number): number {
    return this.copyOldest(dst, off, max);
  }

  /**
   * Dequeues the oldest packet without copying it: returns its length, or -1 when nothing is
   * queued. The packet is at `recvOffset` in `rxBytes()` and stays there until the next `poll`
   * (which may queue a new packet over it); the sender is in the socket's `lastRecv*` fields.
   */
  recv(): number {
    const len = this.peek();
    if (len >= 0) this.rx.dequeue();
    return len;
  }

  /** As `recv`, without dequeueing: the packet stays first in the queue. */
  peek(): number {
    const rx = this.rx;
    const m = rx.peek();
    if (m === null) return -1;
    this.recordSender(m);
    this.recvOffset = rx.peekOffset();
    return rx.peekLen();
  }

  /** Copies the oldest packet out (see `recvSlice`) and returns the count, or -1 if none. */
  private copyOldest(dst: Uint8Array, off: number, max: number): number {
    if (off < 0 || max < 0 || off + max > dst.length) throw new BoundsError(this.logTag() + ".recvSlice: " + max + " octets at " + off + " of " + dst.length);
    const len = this.peek();
    if (len < 0) return -1;
    const n = len < max ? len : max;
    copyBytes(dst, off, this.rx.bytes, this.recvOffset, n);
    return n;
  }

  // --- The interface side (socket/index.ts) ----------------------------------------------------

  /**
   * The common part of `process`: queues the `len` octets at `off` in `bytes` and returns the
   * packet's record for the socket to fill; or null, counting, when the packet is larger than
   * the whole receive buffer (`rxTooLarge`) or the queue is full (`rxDropped`). The caller has
   * checked that the range lies inside `bytes`.
   */
  protected queueRecv(bytes: Uint8Array, off: number, len: number): M | null {
    const rx = this.rx;
    if (len > rx.payloadCapacity()) {
      this.rxTooLarge++;
      if (LOG && logEnabled(LogLevel.Debug)) netDebug(this.logTag() + ": packet larger than the receive buffer, dropped");
      return null;
    }
    const m = rx.enqueue(len);
    if (m === null) {
      this.rxDropped++;
      if (LOG && logEnabled(LogLevel.Debug)) netDebug(this.logTag() + ": receive queue full, packet dropped");
      return null;
    }
    copyBytes(rx.bytes, rx.enqueuedOffset, bytes, off, len);
    this.rxPackets++;
    return m;
  }

  /**
   * Copies the oldest queued packet to `dst[off...]`, as `dispatchPayload` does; returns its
   * length, or -1 (copying nothing) when none is queued.
   */
  protected copyQueued(dst: Uint8Array, off: number): number {
    const tx = this.tx;
    const len = tx.peekLen();
    if (len > 0) copyBytes(dst, off, tx.bytes, tx.peekOffset(), len);
    return len;
  }

  /** The packet was handed to the device: dequeues it. */
  dispatchCommit(): void {
    if (this.tx.dequeue() !== null) this.txPackets++;
  }

  /** The packet cannot be sent (`code`, usually `NoRoute`): dequeues it and keeps `code` for `takeError()`. */
  dispatchDrop(code: SocketErrorCode): void {
    if (this.tx.dequeue() === null) return;
    this.txDropped++;
    this.error = code;
    if (LOG && logEnabled(LogLevel.Debug)) netDebug(this.logTag() + ": queued packet dropped by the interface");
  }

  /** `POLL_NOW` while a packet waits to be sent, else `POLL_INGRESS`: datagram sockets have no timers. */
  pollDelay(now: Instant): number {
    return this.tx.isEmpty() ? POLL_INGRESS : POLL_NOW;
  }
}
