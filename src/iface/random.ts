/**
 * The random source an `Interface` uses when the host gives none.
 *
 * TCP needs unpredictable numbers in two places: the secret key of the RFC 6528 initial sequence
 * numbers and the ephemeral ports of RFC 6056. Both must come from a source an off-path attacker
 * cannot predict, and the portable core has no such source of its own: the host supplies one
 * (`new Interface(mac, config, random)`): Node's `crypto.randomFillSync`, the ESP32's hardware
 * RNG. When it does not, this fallback draws from `Math.random()`, the only randomness
 * ECMAScript guarantees. Engines seed it unpredictably, but its generator (xorshift128+ in V8) is
 * not cryptographic: enough for a test bench, not for a device on a hostile network.
 */

import type { RandomSource } from "../socket/tcp/isn.js";

/** `Math.random()` as a `RandomSource`: 32 uniformly random bits per call (two draws of 16). */
export class MathRandomSource implements RandomSource {
  nextInt32(): number {
    const hi = Math.floor(Math.random() * 0x10000);
    const lo = Math.floor(Math.random() * 0x10000);
    return (hi << 16) | lo;
  }
}
