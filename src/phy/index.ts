/**
 * Access to networking hardware: the `Device` boundary and the portable devices (smoltcp's
 * `phy` module).
 *
 * A device moves whole frames between the interface and a network, and knows nothing of
 * protocols. The interface asks it for a received frame, and for room to write a frame to send;
 * the device *lends* both from its own buffers, so no frame is ever copied between the device
 * and the interface, and nothing is allocated per frame. The contract is spelt out in
 * `device.ts`; in short:
 *
 * - `receive(now)` → the length of the next received frame (0: none), which lies at `rxOffset`
 *   in `rxBytes` until the next `receive`;
 * - `transmitBegin(now, len)` → the offset in `txBytes` where a frame of at most `len` octets
 *   may be written (-1: no room now, try later); `transmitCommit(len)` sends it;
 * - a reply may be written while a received frame is still lent, without disturbing it;
 * - `capabilities`: the medium, the MTU (for Ethernet, counting the 14-octet header but not the
 *   FCS: 1514 on a standard link), the burst limit and the checksum offloads.
 *
 * The devices here are portable (ECMAScript only) and compose, as smoltcp's middleware does:
 *
 * - `Loopback` (`loopback.ts`): frames sent are received back; a fixed ring of slots. The
 *   device of every test and of the examples that need no peer.
 * - `FaultInjector` (`fault-injector.ts`): wraps a device and drops, corrupts, size-limits and
 *   rate-limits its traffic, reproducibly from a seed (`rand.ts`).
 * - `Tracer` (`tracer.ts`): wraps a device and describes every frame in tcpdump style, through
 *   a `TraceWriter` the host supplies. It builds strings, so it allocates: a debugging aid.
 * - `PcapWriter` (`pcap-writer.ts`): wraps a device and writes a libpcap capture to a
 *   `PcapSink` the host supplies (a file on Node, a socket or a buffer on the ESP32).
 *
 * A chain is built from the inside out, e.g.
 * `new Tracer(new FaultInjector(new Loopback(), 1), writer)`; which side of the injector a
 * tracer or a capture sits on decides whether it sees the wire or the stack (see
 * `fault-injector.ts`, "Wrapping order").
 *
 * The hardware drivers live outside `src/`, since they need a host's API: the ENC28J60 over
 * ECMA-419 SPI in `drivers/enc28j60`, Linux TAP and raw sockets in `drivers/tap`.
 *
 * # Example: a minimal driver
 *
 * A driver for an imaginary Ethernet controller that a host binding exposes as
 * `chip.readFrame(bytes, off, max)` (copies the oldest received frame to `bytes[off...]` and
 * returns its length, or 0) and `chip.sendFrame(bytes, off, len)` (copies a frame to the chip
 * and starts sending it). One receive buffer and one transmit buffer are enough: the frame is
 * lent from the first while a reply is written into the second.
 *
 * ```ts
 * import { ChecksumCapabilities, DeviceCapabilities, DeviceUsageError, Medium } from "smoltcp-ts";
 * import type { Device, Instant } from "smoltcp-ts";
 *
 * interface Chip {
 *   readFrame(bytes: Uint8Array, off: number, max: number): number;
 *   sendFrame(bytes: Uint8Array, off: number, len: number): void;
 * }
 *
 * const MTU = 1514; // Ethernet header included, FCS excluded (the chip adds and strips it)
 *
 * export class ChipDevice implements Device {
 *   readonly capabilities = new DeviceCapabilities(Medium.Ethernet, MTU, 1, new ChecksumCapabilities());
 *   // Buffers are created in the constructor (never at module top level: XS preload freezes them).
 *   readonly rxBytes: Uint8Array;
 *   readonly rxView: DataView;
 *   readonly rxOffset = 0; // the frame always starts at 0 of rxBytes
 *   readonly txBytes: Uint8Array;
 *   readonly txView: DataView;
 *   private reserved = 0; // length of the current reservation, 0: none
 *
 *   constructor(private readonly chip: Chip) {
 *     const buffer = new ArrayBuffer(2 * MTU);
 *     this.rxBytes = new Uint8Array(buffer, 0, MTU);
 *     this.rxView = new DataView(buffer, 0, MTU);
 *     this.txBytes = new Uint8Array(buffer, MTU, MTU);
 *     this.txView = new DataView(buffer, MTU, MTU);
 *   }
 *
 *   receive(_now: Instant): number {
 *     // Overwriting rxBytes gives the previously lent frame back.
 *     return this.chip.readFrame(this.rxBytes, 0, MTU);
 *   }
 *
 *   transmitBegin(_now: Instant, len: number): number {
 *     if (len < 1 || len > MTU) throw new DeviceUsageError("frame length " + len);
 *     this.reserved = len; // one tx buffer: a new reservation abandons the old one
 *     return 0;            // a chip with a busy transmitter would return -1 here
 *   }
 *
 *   transmitCommit(len: number): void {
 *     if (len < 1 || len > this.reserved) throw new DeviceUsageError("commit of " + len);
 *     this.reserved = 0;
 *     this.chip.sendFrame(this.txBytes, 0, len);
 *   }
 * }
 * ```
 *
 * The interface then polls it like any other device, optionally through wrappers:
 * `iface.poll(now, new PcapWriter(new ChipDevice(chip), sink, PcapMode.Both), sockets)`.
 *
 * Not supported: `Medium.Ip` devices in the interface (the type exists, the Tracer refuses
 * them), IEEE 802.15.4, smoltcp's `FuzzInjector`, packet reordering or duplication in the
 * fault injector, and pcapng output.
 */

export * from "./device.js";
export * from "./rand.js";
export * from "./loopback.js";
export * from "./fault-injector.js";
export * from "./observer.js";
export * from "./tracer.js";
export * from "./pcap-writer.js";
