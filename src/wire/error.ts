/**
 * Errors of the wire layer.
 *
 * On the packet path a parse or check returns a small integer: `WireError.Ok` (0) when the bytes
 * are acceptable, or the reason they are not. Nothing is thrown and nothing is allocated, so the
 * interface can drop a bad frame in one line and count it under the reason.
 *
 * Text parsing of addresses (an API for configuration, never on the packet path) throws
 * `AddressParseError`, a typed error the application can catch.
 */

/** Why a packet was refused. Integers, so they cost nothing to return and switch on. */
export const enum WireError {
  /** The bytes are acceptable. */
  Ok = 0,
  /** The buffer is shorter than a header, or than a length field says the packet is. */
  Truncated = 1,
  /** A field holds a value the protocol forbids (a length below the header size, a bad version). */
  Malformed = 2,
  /** The checksum does not verify. */
  Checksum = 3,
  /** Well formed, but something this stack does not implement (an unknown hardware type). */
  Unsupported = 4,
}

/** Printable names of `WireError`, indexed by code; for traces and tests only. */
export const WIRE_ERROR_NAMES: readonly string[] = Object.freeze([
  "ok",
  "truncated",
  "malformed",
  "bad checksum",
  "unsupported",
]);

/** Thrown by the text parsers of addresses and CIDRs when the text is not a valid one. */
export class AddressParseError extends Error {
  /** Set as a field, not assigned: a preloaded (frozen) Error.prototype makes `this.name = ...` throw on XS. */
  override readonly name: string = "AddressParseError";
  constructor(what: string, text: string) {
    super("invalid " + what + ": " + JSON.stringify(text));
  }
}
