/**
 * Ephemeral local ports, chosen at random (RFC 6056, RFC 6335).
 *
 * A connection the application opens without naming a local port gets one from the stack. RFC
 * 6335 §6 divides the port space into System Ports (0-1023), User Ports (1024-49151) and "the
 * Dynamic Ports, also known as the Private or Ephemeral Ports, from 49152-65535 (never assigned)".
 * This module picks from that last range: 16,384 ports, a power of two, so a random 32-bit word
 * reduces to a candidate with a mask and no bias.
 *
 * Why at random: RFC 6056 §1 explains that an off-path attacker who can guess the 4-tuple of a
 * connection can inject segments or reset it; a predictable port (the classic "last port + 1")
 * removes 16 bits of what the attacker must guess. The algorithm is RFC 6056 §3.3.1's
 * "Algorithm 1: Simple Port Randomization Algorithm": start at a random port of the range and, if
 * it is in use, walk on through the range, wrapping, until a free port is found or every port has
 * been tried. Its weakness, which RFC 6056 notes, is that a run of used ports makes the free port
 * right after it more likely; so we first try a few independent random candidates
 * (`RANDOM_ATTEMPTS`) and fall back to the linear walk only when they all hit used ports, which
 * keeps the choice uniform over free ports in practice and still bounded (16,384 probes) when the
 * range is nearly full. -1 means every port is in use.
 *
 * The check "is this port in use?" belongs to the socket set, which the caller passes as an object
 * with a method (`PortUsage`), as lwIP passes a context, rather than a closure made per call: the
 * packet path allocates nothing. Whether a port is "in use" is the caller's policy: RFC 6056 §2.2
 * only needs the resulting 4-tuple to be unique, but like most stacks the caller may treat any
 * port bound by any TCP socket as taken.
 *
 * The random words come from the host's `RandomSource` (src/socket/tcp/isn.ts), which must be
 * unpredictable to others for the randomization to protect anything.
 */

import type { RandomSource } from "./isn.js";

/** The first port of the IANA Dynamic (ephemeral) range, RFC 6335 §6. */
export const EPHEMERAL_PORT_FIRST = 49152;

/** The last port of the IANA Dynamic range. */
export const EPHEMERAL_PORT_LAST = 65535;

/** How many ports the range holds: 16,384 = 2^14. */
export const EPHEMERAL_PORT_COUNT = EPHEMERAL_PORT_LAST - EPHEMERAL_PORT_FIRST + 1;

/** Independent random candidates tried before the linear walk. */
export const RANDOM_ATTEMPTS = 8;

/** What the caller knows about ports: whether one is taken. */
export interface PortUsage {
  /** Whether `port` (49152..65535) is already used and must not be returned. */
  portInUse(port: number): boolean;
}

/** Picks ephemeral ports at random from 49152..65535. */
export class EphemeralPorts {
  /** The host's random source. */
  private readonly random: RandomSource;

  constructor(random: RandomSource) {
    this.random = random;
  }

  /**
   * A port of 49152..65535 for which `usage.portInUse` is false, or -1 when all 16,384 are in use.
   * Draws `RANDOM_ATTEMPTS` random candidates, then walks the range from one more random start.
   * Allocates nothing.
   */
  pick(usage: PortUsage): number {
    const mask = EPHEMERAL_PORT_COUNT - 1;
    for (let i = 0; i < RANDOM_ATTEMPTS; i++) {
      const port = EPHEMERAL_PORT_FIRST + (this.random.nextInt32() & mask);
      if (!usage.portInUse(port)) return port;
    }
    // RFC 6056 Algorithm 1: from a random offset, every port once, wrapping.
    let offset = this.random.nextInt32() & mask;
    for (let count = EPHEMERAL_PORT_COUNT; count > 0; count--) {
      const port = EPHEMERAL_PORT_FIRST + offset;
      if (!usage.portInUse(port)) return port;
      offset = (offset + 1) & mask;
    }
    return -1;
  }
}
