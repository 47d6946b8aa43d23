/**
 * Time, as the stack sees it.
 *
 * The stack owns no clock. The host passes the current time into every call that needs it
 * (`poll(now)`, `pollDelay(now)`, `receive(now)`), and everything time-based (retransmission,
 * keep-alive, TIME-WAIT, neighbor expiry, IGMP reports) compares deadlines against that value.
 *
 * An `Instant` is a count of milliseconds held in a signed 32-bit integer that **wraps**:
 * after 2^31 - 1 comes -2^31. A `Duration` is a count of milliseconds, also an int32, and is
 * never negative in practice. Keeping both in int32 lets XS store them in integer slots; any
 * value that leaves the int32 range becomes a double, which the ESP32 computes in software.
 *
 * Because instants wrap, they are never compared with `<`: two instants are ordered by the sign
 * of their difference, `((a - b) | 0) < 0`, exactly as TCP orders sequence numbers (RFC 9293
 * §3.4). The price is that no interval the stack measures or schedules may exceed 2^31 - 1 ms,
 * about 24.8 days; every timer in the stack is far shorter than that.
 *
 * The origin of the clock is the host's business (milliseconds since boot on the ESP32,
 * `Date.now() | 0` or a monotonic counter on Node). The tests run a clock that starts a few
 * seconds before the wrap, so every timer crosses it.
 */

/** A point in time: int32 milliseconds that wrap. */
export type Instant = number;

/** A span of time in milliseconds (int32, non-negative). */
export type Duration = number;

/** Milliseconds in a second, for readability at call sites. */
export const MILLIS_PER_SECOND = 1000;

/** The longest interval the wrapping clock can represent: 2^31 - 1 ms (about 24.8 days). */
export const MAX_DURATION: Duration = 0x7fffffff;

/** Converts any integer count of milliseconds (for example `Date.now()`) to an `Instant`. */
export function instantFromMillis(ms: number): Instant {
  return ms | 0;
}

/** `t + d`, wrapping. */
export function instantAdd(t: Instant, d: Duration): Instant {
  return (t + d) | 0;
}

/** `t - d`, wrapping. */
export function instantSub(t: Instant, d: Duration): Instant {
  return (t - d) | 0;
}

/**
 * `a - b` as a signed duration: positive when `a` is later than `b`. Only meaningful when the
 * two instants are less than 2^31 ms apart.
 */
export function instantDiff(a: Instant, b: Instant): number {
  return (a - b) | 0;
}

/** Whether `a` is strictly earlier than `b`. */
export function instantBefore(a: Instant, b: Instant): boolean {
  return ((a - b) | 0) < 0;
}

/** Whether `a` is strictly later than `b`. */
export function instantAfter(a: Instant, b: Instant): boolean {
  return ((a - b) | 0) > 0;
}

/** Whether the deadline `deadline` has been reached at `now` (`now >= deadline`). */
export function instantReached(now: Instant, deadline: Instant): boolean {
  return ((now - deadline) | 0) >= 0;
}

/** The earlier of two instants. */
export function instantMin(a: Instant, b: Instant): Instant {
  return ((a - b) | 0) <= 0 ? a : b;
}

/** The later of two instants. */
export function instantMax(a: Instant, b: Instant): Instant {
  return ((a - b) | 0) >= 0 ? a : b;
}

/**
 * The time left from `now` until `deadline`, or 0 if it has passed. This is what a host's
 * `pollDelay` turns into a sleep.
 */
export function durationUntil(now: Instant, deadline: Instant): Duration {
  const d = (deadline - now) | 0;
  return d > 0 ? d : 0;
}

/** Clamps `d` into `[min, max]`; used for RTO bounds and back-off. */
export function durationClamp(d: Duration, min: Duration, max: Duration): Duration {
  return d < min ? min : d > max ? max : d;
}

/**
 * Doubles a duration for exponential back-off without leaving the int32 range: the result
 * saturates at `max`.
 */
export function durationDouble(d: Duration, max: Duration): Duration {
  return d >= (max >> 1) ? max : d << 1;
}

/** Formats a duration for traces: `1.250s`, `15ms`. Not for the packet path. */
export function formatDuration(d: Duration): string {
  if (d < 1000) return d + "ms";
  const s = Math.floor(d / 1000);
  const ms = d - s * 1000;
  return s + "." + (ms < 10 ? "00" : ms < 100 ? "0" : "") + ms + "s";
}
