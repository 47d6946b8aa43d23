/**
 * Logging, supplied by the host and free when switched off.
 *
 * The stack never prints. The host installs a `Logger` (console on Node, `trace` on XS) with
 * `setLogger`; the core calls `netTrace` for normal events (state changes, buffer levels),
 * `netDebug` for exceptional ones (a malformed packet, a drop) and, with the separate `VERBOSE`
 * switch, per-octet detail. Every call site is written
 *
 * ```ts
 * if (LOG && logEnabled(LogLevel.Debug)) netDebug("udp: datagram dropped, " + len + " octets");
 * ```
 *
 * so that when a bundle sets `LOG` to false (src/features.ts), rollup removes the call and the
 * string with it: no log call and no string construction remain on the packet path. With `LOG`
 * on but no logger installed (the default), `logEnabled` is one comparison and no string is
 * built: a concatenation costs slots on XS (an address's `toString` alone took 48), so every
 * call site tests `logEnabled` first, even for a constant message.
 *
 * Where the logger lives: module top level must hold nothing mutable (XS preload freezes a
 * preloaded module's bindings and objects), so the installed logger is kept on the global object
 * under one well-known key, which stays writable at run time on every engine.
 */

/** Levels, most verbose first. */
export const enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Off = 3,
}

/** What the host supplies. `level` is the most verbose level it wants. */
export interface Logger {
  level: LogLevel;
  log(level: LogLevel, message: string): void;
}

const KEY = "__smoltcpTsLogger";

interface LogHolder {
  __smoltcpTsLogger?: Logger | null;
}

function current(): Logger | null {
  return (globalThis as unknown as LogHolder)[KEY] ?? null;
}

/** Installs a logger, or removes it with null. Call at start-up, before polling. */
export function setLogger(logger: Logger | null): void {
  (globalThis as unknown as LogHolder)[KEY] = logger;
}

/** Whether a message at `level` would be written. */
export function logEnabled(level: LogLevel): boolean {
  const l = current();
  return l !== null && level >= l.level;
}

/** A normal event. */
export function netTrace(message: string): void {
  const l = current();
  if (l !== null && l.level <= LogLevel.Trace) l.log(LogLevel.Trace, message);
}

/** An exceptional event: a malformed packet, a drop. */
export function netDebug(message: string): void {
  const l = current();
  if (l !== null && l.level <= LogLevel.Debug) l.log(LogLevel.Debug, message);
}

/** An event worth telling a user about. */
export function netInfo(message: string): void {
  const l = current();
  if (l !== null && l.level <= LogLevel.Info) l.log(LogLevel.Info, message);
}
