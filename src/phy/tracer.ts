/**
 * A device wrapper that describes every frame it passes (smoltcp's `Tracer`).
 *
 * Each received frame is described when `receive` lends it, and each transmitted frame when it
 * is committed (just before the inner device sends it, while its bytes are certainly still in
 * the buffer). The description is the tcpdump-style text of the `PrettyPrinter`
 * (`src/wire/pretty.ts`), one line per layer, handed to a `TraceWriter` with the time and the
 * direction. The writer is a handler object, not a closure: the host decides where the text
 * goes (the console, a log file, a test's array).
 *
 * Tracing builds strings, so it allocates on every frame: it is a debugging aid, outside the
 * stack's no-allocation contract by nature. Leave the Tracer out of a device chain that must
 * not allocate. Its own state (the printer and its views) is built once, in the constructor.
 *
 * Where the Tracer sits in a chain decides what it sees; see `fault-injector.ts` ("Wrapping
 * order"). Only `Medium.Ethernet` devices can be traced: the pretty-printer starts at the
 * Ethernet header.
 */

import type { Instant } from "../time.js";
import { PrettyPrinter } from "../wire/pretty.js";
import { DeviceConfigError, Medium, type Device, type DeviceCapabilities } from "./device.js";

/** Which way a frame went. */
export const enum TraceDirection {
  /** Received from the network. */
  Rx = 0,
  /** Transmitted to the network. */
  Tx = 1,
}

/** Printable names of `TraceDirection`, indexed by value: `"rx"`, `"tx"`. */
export const TRACE_DIRECTION_NAMES: readonly string[] = Object.freeze(["rx", "tx"]);

/** Where a Tracer sends its descriptions. */
export interface TraceWriter {
  /**
   * Called once per frame with the time given to the device, the direction (a
   * `TraceDirection`) and the printer's description (one line per layer, each ending in "\n").
   */
  trace(now: Instant, direction: TraceDirection, text: string): void;
}

/** Wraps a device and describes every frame received and transmitted through it. */
export class Tracer implements Device {
  /** The inner device's capabilities. */
  readonly capabilities: DeviceCapabilities;
  /** The inner device's receive memory. */
  readonly rxBytes: Uint8Array;
  /** The inner device's receive view. */
  readonly rxView: DataView;
  /** Offset of the lent frame in `rxBytes`. */
  rxOffset = 0;
  /** The inner device's transmit memory. */
  readonly txBytes: Uint8Array;
  /** The inner device's transmit view. */
  readonly txView: DataView;

  /** The wrapped device. */
  readonly inner: Device;
  /** Where descriptions go. */
  readonly writer: TraceWriter;
  private readonly printer = new PrettyPrinter();
  /** Offset of the current transmit reservation, or -1. */
  private txOffset = -1;
  /** Length of the current transmit reservation. */
  private txLen = 0;
  /** Time of the current transmit reservation (the commit has no time of its own). */
  private txNow = 0;

  /** Wraps `inner`, an Ethernet device (`DeviceConfigError` otherwise). */
  constructor(inner: Device, writer: TraceWriter) {
    if (inner.capabilities.medium !== Medium.Ethernet) throw new DeviceConfigError("Tracer: only Ethernet devices can be traced");
    this.inner = inner;
    this.writer = writer;
    this.capabilities = inner.capabilities;
    this.rxBytes = inner.rxBytes;
    this.rxView = inner.rxView;
    this.txBytes = inner.txBytes;
    this.txView = inner.txView;
  }

  /** Lends the inner device's next frame, describing it first. */
  receive(now: Instant): number {
    const inner = this.inner;
    const len = inner.receive(now);
    if (len === 0) return 0;
    const off = inner.rxOffset;
    this.rxOffset = off;
    this.writer.trace(now, TraceDirection.Rx, this.printer.describe(this.rxBytes, this.rxView, off, len));
    return len;
  }

  /** Reserves room in the inner device. */
  transmitBegin(now: Instant, len: number): number {
    const off = this.inner.transmitBegin(now, len);
    this.txOffset = off;
    this.txLen = len;
    this.txNow = now;
    return off;
  }

  /**
   * Describes the frame, then commits it to the inner device. A misused commit (no
   * reservation, a bad length) is not described; the inner device throws for it.
   */
  transmitCommit(len: number): void {
    const off = this.txOffset;
    if (off >= 0 && len >= 1 && len <= this.txLen) {
      this.writer.trace(this.txNow, TraceDirection.Tx, this.printer.describe(this.txBytes, this.txView, off, len));
    }
    this.inner.transmitCommit(len);
    this.txOffset = -1;
  }
}
