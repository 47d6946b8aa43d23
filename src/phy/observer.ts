/**
 * The mechanics every observing wrapper shares (`Tracer`, `PcapWriter`): a device that passes
 * frames through to an inner device unchanged and shows each one, once, to `observe`.
 *
 * It lends the inner device's buffers and capabilities as its own (they are fixed at
 * construction, so the references are copied once). A received frame is observed when `receive`
 * lends it; a transmitted frame when it is committed, with the time of its reservation (a commit
 * has no time of its own), just before the inner device sends it. A misused commit (no
 * reservation, a length outside it) is not observed; the inner device throws for it.
 */
import type { Instant } from "../time.js";
import type { Device, DeviceCapabilities } from "./device.js";

export abstract class ObservingDevice implements Device {
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
  /** Offset of the current transmit reservation, or -1. */
  private txOffset = -1;
  /** Length of the current transmit reservation. */
  private txLen = 0;
  /** Time of the current transmit reservation. */
  private txNow = 0;

  constructor(inner: Device) {
    this.inner = inner;
    this.capabilities = inner.capabilities;
    this.rxBytes = inner.rxBytes;
    this.rxView = inner.rxView;
    this.txBytes = inner.txBytes;
    this.txView = inner.txView;
  }

  /** Shows one frame: `tx` says its direction; it lies at `off` in `rxBytes` or `txBytes`. */
  protected abstract observe(now: Instant, tx: boolean, off: number, len: number): void;

  /** Lends the inner device's next frame, observing it first. */
  receive(now: Instant): number {
    const inner = this.inner;
    const len = inner.receive(now);
    if (len === 0) return 0;
    const off = inner.rxOffset;
    this.rxOffset = off;
    this.observe(now, false, off, len);
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

  /** Observes the frame, then commits it to the inner device. */
  transmitCommit(len: number): void {
    const off = this.txOffset;
    if (off >= 0 && len >= 1 && len <= this.txLen) this.observe(this.txNow, true, off, len);
    this.inner.transmitCommit(len);
    this.txOffset = -1;
  }
}
