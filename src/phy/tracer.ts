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
import { DeviceConfigError, Medium, type Device } from "./device.js";
import { ObservingDevice } from "./observer.js";

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
export class Tracer extends ObservingDevice {
  /** Where descriptions go. */
  readonly writer: TraceWriter;
  private readonly printer = new PrettyPrinter();

  /** Wraps `inner`, an Ethernet device (`DeviceConfigError` otherwise). */
  constructor(inner: Device, writer: TraceWriter) {
    if (inner.capabilities.medium !== Medium.Ethernet) throw new DeviceConfigError("Tracer: only Ethernet devices can be traced");
    super(inner);
    this.writer = writer;
  }

  /** Describes the frame to the writer. */
  protected observe(now: Instant, tx: boolean, off: number, len: number): void {
    const text = tx ? this.printer.describe(this.txBytes, this.txView, off, len) : this.printer.describe(this.rxBytes, this.rxView, off, len);
    this.writer.trace(now, tx ? TraceDirection.Tx : TraceDirection.Rx, text);
  }
}
