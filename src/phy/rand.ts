/**
 * A small seedable pseudo-random generator for simulated faults.
 *
 * Marsaglia's xorshift32 (Marsaglia, "Xorshift RNGs", J. Stat. Softw. 8(14), 2003, shifts
 * 13, 17, 5), the generator smoltcp's `FaultInjector` uses: a period of 2^32 - 1 over the
 * non-zero 32-bit states, three shifts and three exclusive-ors per number, and all of it in
 * int32 arithmetic, so XS keeps the state in an integer slot and never computes a double.
 *
 * It exists so that a test run with a given seed makes the same decisions every time, on Node
 * and on XS alike. It is **not** cryptographic: the whole future of the sequence follows from
 * one output. Never use it for TCP initial sequence numbers, ephemeral ports, DNS identifiers or
 * anything else an attacker must not predict.
 *
 * `below(n)` reduces by a modulo, which favours small results by at most `n / 2^31` (under
 * 0.00005 for `n = 100`): harmless for fault simulation, as smoltcp notes of its own.
 */

/** The state used for seed 0, which xorshift cannot leave (any fixed non-zero value works). */
const ZERO_SEED_STATE = 0x2545f491;

/** A seedable xorshift32 generator. Not cryptographic. */
export class Xorshift32 {
  /** The current state: a non-zero int32. */
  private state: number;

  /**
   * Starts the sequence for `seed` (any number; only its low 32 bits count). Seed 0 would stay 0
   * for ever, so it is mapped to a fixed non-zero state: it still gives a well-mixed, repeatable
   * sequence.
   */
  constructor(seed = 0) {
    this.state = 0;
    this.reseed(seed);
  }

  /** Restarts the sequence as the constructor would for `seed`. */
  reseed(seed: number): void {
    const s = seed | 0;
    this.state = s === 0 ? ZERO_SEED_STATE : s;
  }

  /** The next number: an int32, any value but 0. */
  nextInt32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return x;
  }

  /**
   * A number in `[0, n)`, for `1 <= n <= 2^31 - 1` (a small `n` is the intended use). The top 31
   * bits of the next number, reduced modulo `n`.
   */
  below(n: number): number {
    return (this.nextInt32() >>> 1) % n;
  }

  /**
   * True with a chance of `p` percent (`p` an integer; 0 or less: never, 100 or more: always).
   * Draws exactly one number whatever `p` is, so the sequence does not depend on `p`.
   */
  percent(p: number): boolean {
    return this.below(100) < p;
  }
}
