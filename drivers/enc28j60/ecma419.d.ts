/**
 * The few ECMA-419 (3rd edition) shapes the ENC28J60 driver uses, written for this project
 * from the specification's text (§9 IO class pattern, "Serial Peripheral Interface", "Digital"):
 * no host typings are copied. Only what the driver calls is declared.
 *
 * A host passes *options objects* whose `io` property is the IO class to construct, as the
 * specification's host provider does (`{...device.SPI.default, io: device.io.SPI}`); the driver
 * constructs the instance itself. The emulator in `./emulator/` supplies classes of the same
 * shape, so the driver never imports a host module.
 */

/** A byte buffer as ECMA-419 accepts it (the driver passes only `Uint8Array`s). */
export type ByteBuffer = ArrayBuffer | Uint8Array | DataView;

/** An `embedded:io/spi` instance. Every method is synchronous on Moddable's ESP32 port. */
export interface Spi {
  /** Writes every octet of `buffer`, discarding what comes in. */
  write(buffer: ByteBuffer): void;
  /** Full duplex in place: sends `buffer`'s octets and replaces them with those read. */
  read(buffer: ByteBuffer): unknown;
  /** Same exchange as `read(buffer)`. */
  transfer(buffer: ByteBuffer): void;
  /** Completes pending output; with `true`, drives `select` inactive (the end of a transaction). */
  flush(deselect?: boolean): void;
  /** Releases the bus configuration and the pins. */
  close(): void;
}

/** Options of `embedded:io/spi` (plus any property a host or the emulator adds). */
export interface SpiOptions {
  /** The IO class to construct (the host provider's `io`). */
  io: new (options: SpiOptions) => Spi;
  /** Chip-select pin: required by this driver (one instruction = one select frame). */
  select?: number;
  /** Bus clock in Hz. */
  hz?: number;
  /** CPOL/CPHA: the ENC28J60 speaks mode 0 only. */
  mode?: number;
  /** Level of `select` while active: 0 for the ENC28J60. */
  active?: number;
  clock?: number;
  in?: number;
  out?: number;
  port?: number;
  [other: string]: unknown;
}

/** An `embedded:io/digital` input instance. */
export interface Digital {
  /** 0 or 1. */
  read(): number;
  close(): void;
  /** The `target` option, stored on the instance (ECMA-419 §9.2). */
  target?: unknown;
}

/** Options of `embedded:io/digital`. */
export interface DigitalOptions {
  io: new (options: DigitalOptions) => Digital;
  /** GPIO number (or a host's pin specifier). */
  pin: unknown;
  /** `Input` 0, `InputPullUp` 1, ... (Moddable's constants). */
  mode?: number;
  /** `Rising` 1, `Falling` 2. */
  edge?: number;
  /** Called with `this` = the instance, never inside a public method. */
  onReadable?: (this: Digital) => void;
  target?: unknown;
  [other: string]: unknown;
}
