/**
 * Test rig for the ENC28J60 driver: an emulated chip, the driver over it, and frame builders.
 * Portable (Node and XS).
 */
import { Enc28j60, WORKAROUNDS_ALL, type Enc28j60Options } from "../../../drivers/enc28j60/index.js";
import { EmulatedDigital, EmulatedSpi, Enc28j60Chip, type ChipOptions } from "../../../drivers/enc28j60/emulator/index.js";
import { EthernetAddress } from "../../../src/wire/ethernet.js";

export const MAC_A = "02-00-00-00-00-0a";
export const MAC_B = "02-00-00-00-00-0b";

export interface RigOptions {
  chip?: ChipOptions;
  /** An existing chip (e.g. one already attached to a peer). */
  useChip?: Enc28j60Chip;
  mac?: string;
  workarounds?: number;
  fullDuplex?: boolean;
  promiscuous?: boolean;
  interrupt?: boolean;
  onInterrupt?: (this: Enc28j60) => void;
  onLinkChange?: (this: Enc28j60, up: boolean) => void;
}

export interface Rig {
  chip: Enc28j60Chip;
  driver: Enc28j60;
}

/** The SPI options a host would give (board pins plus select and clock) with the emulated chip. */
export function spiOptions(chip: Enc28j60Chip, hz = 8_000_000) {
  return { io: EmulatedSpi, chip, clock: 14, in: 12, out: 13, port: 1, select: 5, hz };
}

export function driverOptions(chip: Enc28j60Chip, o: RigOptions = {}): Enc28j60Options {
  return {
    spi: spiOptions(chip),
    interrupt: o.interrupt === false ? null : { io: EmulatedDigital, chip, pin: 33 },
    macAddress: EthernetAddress.parse(o.mac ?? MAC_A),
    delay: (ms: number) => chip.advance(ms),
    fullDuplex: o.fullDuplex,
    promiscuous: o.promiscuous,
    onInterrupt: o.onInterrupt,
    onLinkChange: o.onLinkChange,
    workarounds: o.workarounds ?? WORKAROUNDS_ALL,
  };
}

export function makeRig(o: RigOptions = {}): Rig {
  const chip = o.useChip ?? new Enc28j60Chip(o.chip);
  const driver = new Enc28j60(driverOptions(chip, o));
  return { chip, driver };
}

function macOctets(text: string): number[] {
  return text.split(/[-:]/).map((s) => parseInt(s, 16));
}

/**
 * An Ethernet II frame of `len` octets (≥ 14) to `dst` from `src` with EtherType `type`; the
 * payload counts up from `seed`.
 */
export function frame(dst: string, src: string, len: number, seed = 0, type = 0x88b5): Uint8Array {
  const f = new Uint8Array(len);
  f.set(macOctets(dst), 0);
  f.set(macOctets(src), 6);
  f[12] = type >> 8;
  f[13] = type & 0xff;
  for (let i = 14; i < len; i++) f[i] = (seed + i) & 0xff;
  return f;
}

/** Copies the frame the driver lends. */
export function received(driver: Enc28j60, len: number): Uint8Array {
  return driver.rxBytes.slice(driver.rxOffset, driver.rxOffset + len);
}

/** Sends `f` through the driver; returns whether `transmitBegin` gave room. */
export function send(driver: Enc28j60, now: number, f: Uint8Array): boolean {
  const off = driver.transmitBegin(now, f.length);
  if (off < 0) return false;
  driver.txBytes.set(f, off);
  driver.transmitCommit(f.length);
  return true;
}

/** Takes every frame the chip put on its (unattached) wire. */
export function wireFrames(chip: Enc28j60Chip): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let n = chip.takeTransmitted(); n > 0; n = chip.takeTransmitted()) out.push(chip.wireBytes.slice(chip.wireOffset, chip.wireOffset + n));
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
