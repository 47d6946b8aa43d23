/**
 * Errors of the socket API: typed errors for misuse, integer codes for what the network did.
 *
 * Misuse of the API (binding twice, sending to an unspecified address, a datagram larger than
 * the buffer could ever hold) throws a `SocketError` whose `code` says which, as smoltcp's
 * `BindError`, `SendError` and `RecvError` enums do. Conditions that are part of normal
 * operation never throw: a full send buffer makes `send*` return false, an empty receive buffer
 * makes `recv*` return -1. What happened on the network after a packet was accepted (no route,
 * the neighbor never answered, an ICMP error) is recorded as a `SocketErrorCode` the
 * application reads with `takeError()`.
 */

export const enum SocketErrorCode {
  None = 0,
  /** bind: the socket is already bound (or open). */
  InvalidState = 1,
  /** bind/send: the endpoint or address is unspecified or of the wrong kind. */
  Unaddressable = 2,
  /** send: the datagram is larger than the send buffer could ever hold. */
  TooLarge = 3,
  /** recv/send on a socket that is not bound. */
  NotBound = 4,
  /** A queued packet had no route to its destination and was dropped. */
  NoRoute = 5,
  /** The socket set has no free slot (SocketSet.add). */
  SetFull = 6,
  /** A handle that names no socket, or a socket of another kind. */
  BadHandle = 7,
  /** A packet the application built could not be parsed (raw sockets). */
  Malformed = 8,
  /** The address is not one of the interface's own. */
  AddressNotAvailable = 9,
  /** TCP: the peer answered our SYN with a RST (nothing listens there). */
  ConnectionRefused = 10,
  /** TCP: the peer reset the established connection. */
  ConnectionReset = 11,
  /** TCP: the user timeout expired (data or a SYN stayed unacknowledged that long, or keep-alives went unanswered). */
  TimedOut = 12,
  /** TCP: an ICMP destination-unreachable error quoting our SYN ended the connection attempt. */
  Unreachable = 13,
  /** TCP: no ephemeral port is free. */
  NoPortAvailable = 14,
}

const NAMES: readonly string[] = Object.freeze([
  "none", "invalid state", "unaddressable", "too large", "not bound", "no route", "socket set full",
  "bad handle", "malformed", "address not available", "connection refused", "connection reset", "timed out",
  "destination unreachable", "no port available",
]);

/** The printable name of a code. */
export function socketErrorName(code: number): string {
  return NAMES[code] ?? "error " + code;
}

/** Thrown on API misuse; `code` says which. */
export class SocketError extends Error {
  /** Set as a field, not assigned: a preloaded (frozen) Error.prototype makes `this.name = ...` throw on XS. */
  override readonly name: string = "SocketError";
  readonly code: SocketErrorCode;
  constructor(code: SocketErrorCode, detail = "") {
    super(socketErrorName(code) + (detail ? ": " + detail : ""));
    this.code = code;
  }
}
