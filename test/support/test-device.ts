/**
 * A device for interface tests (gVisor's `link/channel`): the test injects frames to be
 * received and collects the frames the interface transmits. Portable: runs on Node and XS.
 */
import { DeviceCapabilities, Medium, type Device } from "../../src/phy/device.js";
import { ChecksumCapabilities } from "../../src/wire/checksum.js";

export class TestDevice implements Device {
  readonly capabilities: DeviceCapabilities;
  readonly rxBytes = new Uint8Array(2048);
  readonly rxView = new DataView(this.rxBytes.buffer);
  rxOffset = 0;
  readonly txBytes = new Uint8Array(2048);
  readonly txView = new DataView(this.txBytes.buffer);
  /** Frames waiting to be received. */
  readonly incoming: Uint8Array[] = [];
  /** Frames the interface sent, oldest first. */
  readonly sent: Uint8Array[] = [];
  /** When > 0, transmitBegin refuses after this many more frames. */
  txBudget = -1;
  private reserved = 0;

  constructor(mtu = 1514, checksum = new ChecksumCapabilities()) {
    this.capabilities = new DeviceCapabilities(Medium.Ethernet, mtu, 0, checksum);
  }

  /** Queues a frame for the interface to receive. */
  inject(frame: Uint8Array): void {
    this.incoming.push(frame);
  }

  receive(): number {
    const f = this.incoming.shift();
    if (!f) return 0;
    this.rxBytes.fill(0xa5);
    this.rxBytes.set(f, 0);
    this.rxOffset = 0;
    return f.length;
  }

  transmitBegin(_now: number, len: number): number {
    if (this.txBudget === 0) return -1;
    if (len > this.txBytes.length) throw new Error("frame too large for the test device");
    this.reserved = len;
    this.txBytes.fill(0xa5, 0, len);
    return 0;
  }

  transmitCommit(len: number): void {
    if (len > this.reserved) throw new Error("commit beyond the reservation");
    this.sent.push(this.txBytes.slice(0, len));
    this.reserved = 0;
    if (this.txBudget > 0) this.txBudget--;
  }

  /** Takes and returns every frame sent so far. */
  drain(): Uint8Array[] {
    return this.sent.splice(0);
  }
}
