/** Small helpers for tests: byte buffers with a DataView, seeded streams, hex dumps, hex parsing. */

import { Xorshift32 } from "../../src/phy/rand.js";

export interface ByteView {
  bytes: Uint8Array;
  dv: DataView;
}

/** A fresh copy of `src` (so tests never modify a fixture) with a DataView over it. */
export function view(src: Uint8Array | number[]): ByteView {
  const bytes = new Uint8Array(src.length);
  bytes.set(src);
  return { bytes, dv: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/** A buffer of `len` octets filled with 0xa5, so that octets an emitter forgot to write show. */
export function filled(len: number): ByteView {
  const bytes = new Uint8Array(len).fill(0xa5);
  return { bytes, dv: new DataView(bytes.buffer) };
}

/** `n` octets of the seeded xorshift32 stream of `seed` (the low octet of each number). */
export function seededBytes(n: number, seed: number): Uint8Array {
  const rng = new Xorshift32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.nextInt32() & 0xff;
  return out;
}

/** Parses `"45 00 00 54 ..."` (white space ignored) into bytes. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error("bad hex fixture");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

/** Hex dump, for assertion messages. */
export function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += (i ? " " : "") + b[i].toString(16).padStart(2, "0");
  return s;
}
