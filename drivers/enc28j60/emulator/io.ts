/**
 * ECMA-419-shaped stand-ins for `embedded:io/spi` and `embedded:io/digital`, wired to an
 * emulated chip (`chip.ts`). They follow Moddable's ESP32 behaviour where the driver depends on
 * it (research §A.2, §A.3):
 *
 * - SPI: `select` is asserted by the first octet moved and stays asserted across any number of
 *   `write` / `read` / `transfer` calls until `flush(true)`; `read(buffer)` and `transfer(buffer)`
 *   exchange in place (the buffer's octets go out on MOSI); `read(count)` allocates an
 *   `ArrayBuffer` (the driver never uses it); one call moves at most `chip.maxTransfer` octets
 *   (Moddable's ESP32 transaction size, 1024), more throws a `RangeError` here so that a driver
 *   that would fail silently on hardware fails loudly in tests. `hz` is limited to 1..40 MHz as
 *   Moddable does; `mode` other than 0 garbles every octet (the chip speaks mode 0 only).
 * - Digital: an input whose `onReadable` is called, with `this` the instance, for a falling edge
 *   of INT, only from `chip.dispatchInterrupts()` (never inside a method call, as ECMA-419
 *   requires); several edges before delivery collapse into one call, as on the ESP32.
 *
 * Both take the chip in an extra `chip` option (ECMA-419 implementations ignore unknown
 * properties, so a host options object plus `chip` is still a valid options object).
 */

import type { ByteBuffer, Digital, DigitalOptions, Spi, SpiOptions } from "../ecma419.js";
import type { Enc28j60Chip, IntListener } from "./chip.js";

function chipOf(options: { [key: string]: unknown }): Enc28j60Chip {
  const chip = options.chip as Enc28j60Chip | undefined;
  if (!chip || typeof chip.exchange !== "function") throw new TypeError("emulated IO needs a `chip` option");
  return chip;
}

/** A Uint8Array over the octets of any ECMA-419 byte buffer (allocates for non-Uint8Array). */
function octets(buffer: ByteBuffer): Uint8Array {
  if (buffer instanceof Uint8Array) return buffer;
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  if (buffer instanceof DataView) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  throw new TypeError("invalid buffer");
}

/** `embedded:io/spi` over an emulated ENC28J60. */
export class EmulatedSpi implements Spi {
  readonly chip: Enc28j60Chip;
  /** Octets moved, calls made (for tests measuring the SPI cost of an operation). */
  octetsMoved = 0;
  calls = 0;
  private closed = false;

  constructor(options: SpiOptions) {
    if (options === undefined || options === null) throw new TypeError("options required");
    const chip = chipOf(options);
    const hz = options.hz;
    if (typeof hz !== "number" || !(hz >= 1 && hz <= 40_000_000)) throw new RangeError("invalid hz");
    const mode = options.mode ?? 0;
    if (!(mode >= 0 && mode <= 3)) throw new RangeError("invalid mode");
    if (options.select === undefined) throw new Error("the emulated ENC28J60 needs a select pin");
    if ((options.active ?? 0) !== 0) throw new Error("the ENC28J60's CS is active low: active must be 0");
    if (chip.spiOpen) throw new Error("in use");
    chip.spiOpen = true;
    chip.spiHz = hz;
    chip.spiMode = mode;
    this.chip = chip;
  }

  get format(): string {
    return "buffer";
  }

  write(buffer: ByteBuffer): void {
    this.chip.exchangeBlock(this.begin(buffer), false);
  }

  read(what: number | ByteBuffer): ArrayBuffer | undefined {
    if (typeof what === "number") {
      const out = new ArrayBuffer(what);
      this.transfer(new Uint8Array(out));
      return out;
    }
    this.transfer(what);
    return undefined;
  }

  transfer(buffer: ByteBuffer): void {
    this.chip.exchangeBlock(this.begin(buffer), true);
  }

  flush(deselect?: boolean): void {
    this.check();
    if (deselect === true) this.chip.deselect();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.chip.deselect();
    this.chip.spiOpen = false;
  }

  private check(): void {
    if (this.closed) throw new Error("closed");
  }

  private begin(buffer: ByteBuffer): Uint8Array {
    this.check();
    const b = octets(buffer);
    if (b.length > this.chip.maxTransfer) throw new RangeError("SPI transfer of " + b.length + " octets exceeds " + this.chip.maxTransfer);
    this.calls++;
    this.octetsMoved += b.length;
    return b;
  }
}

/** `embedded:io/digital` input on the chip's INT pin. */
export class EmulatedDigital implements Digital, IntListener {
  static readonly Input = 0;
  static readonly InputPullUp = 1;
  static readonly Rising = 1;
  static readonly Falling = 2;

  readonly chip: Enc28j60Chip;
  target: unknown;
  edgePending = false;
  /** Callbacks delivered. */
  deliveries = 0;
  private readonly onReadable: ((this: Digital) => void) | null;
  private readonly edge: number;
  private closed = false;

  constructor(options: DigitalOptions) {
    if (options === undefined || options === null) throw new TypeError("options required");
    const chip = chipOf(options);
    if (options.pin === undefined) throw new RangeError("invalid pin");
    const mode = options.mode;
    if (mode !== 0 && mode !== 1) throw new RangeError("the INT pin must be an input");
    this.onReadable = options.onReadable ?? null;
    this.edge = options.edge ?? 0;
    if (this.onReadable !== null && !(this.edge >= 1 && this.edge <= 3)) throw new RangeError("edge required with onReadable");
    this.target = options.target;
    this.chip = chip;
    chip.addListener(this);
  }

  get format(): string {
    return "number";
  }

  read(): number {
    if (this.closed) throw new Error("closed");
    return this.chip.intLevel;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.chip.removeListener(this);
  }

  /** Called by `chip.dispatchInterrupts()` for a latched falling edge. */
  deliver(): void {
    if (this.closed || this.onReadable === null || (this.edge & EmulatedDigital.Falling) === 0) return;
    this.deliveries++;
    this.onReadable.call(this);
  }
}
