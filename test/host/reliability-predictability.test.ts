// 10,000 connections through an Interface whose random source is Node's crypto: the RFC 6528
// ISNs and RFC 6056 ephemeral ports show no usable pattern (test/reliability/predictability.ts).
// Every socket stays open, so the interface must give each a port no other uses: ports are all
// different by construction, and random within 49152..65535.
//
// ISN collisions: 10,000 random 32-bit values contain an equal pair with a probability of about
// n^2 / 2^33 = 1.2 %; two pairs, about 0.007 %. So at most one pair is tolerated.
// Thresholds: chi-square over 16 buckets (15 degrees of freedom) below 60 (p < 1e-7); a bit's
// share of ones over 10,000 samples has a standard deviation of 0.005, and 0.03 is 6 of them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { randomFillSync } from "node:crypto";
import type { RandomSource } from "../../src/socket/tcp/isn.js";
import { buckets, chiSquare, equalPairs, maxRepeatedDifference, openConnections, worstBitBias } from "../reliability/predictability.js";

class CryptoSource implements RandomSource {
  private readonly buf = new Int32Array(1024);
  private at = 1024;
  nextInt32(): number {
    if (this.at === this.buf.length) {
      randomFillSync(this.buf);
      this.at = 0;
    }
    return this.buf[this.at++];
  }
}

const N = 10000;

test(`${N} connections open at once (crypto source): ISNs and ports show no pattern`, () => {
  const { isns, ports } = openConnections(N, new CryptoSource(), true);
  assert.ok(equalPairs(isns) <= 1, "equal ISN pairs: " + equalPairs(isns));
  assert.is(equalPairs(ports), 0, "every open connection has its own port");
  assert.ok(maxRepeatedDifference(isns) <= 2, "an ISN difference repeats " + maxRepeatedDifference(isns) + " times");
  assert.ok(chiSquare(Int32Array.from(isns, (x) => x >>> 28), 16) < 60);
  assert.ok(chiSquare(buckets(isns, (x, p) => ((x - p) | 0) >>> 28), 16) < 60);
  assert.ok(chiSquare(Int32Array.from(isns, (x) => x & 15), 16) < 60);
  assert.ok(worstBitBias(isns, 32) < 0.03, "ISN bit bias " + worstBitBias(isns, 32));
  for (const p of ports) assert.ok(p >= 49152 && p <= 65535, "port " + p);
  // With 10,000 of 16,384 ports taken the later choices are constrained, so test the first half.
  const first = ports.slice(0, N / 2);
  assert.ok(chiSquare(Int32Array.from(first, (p) => p & 15), 16) < 60, "ports' low bits");
  assert.ok(chiSquare(Int32Array.from(first, (p) => (p >> 10) & 15), 16) < 60, "ports' high bits");
  assert.ok(chiSquare(buckets(first, (x, p) => (x - p) & 15), 16) < 60, "port differences");
  assert.ok(worstBitBias(Int32Array.from(first, (p) => p - 49152), 14) < 0.03 * Math.SQRT2, "port bit bias");
  assert.ok(maxRepeatedDifference(first) < 20, "a port difference repeats " + maxRepeatedDifference(first) + " times");
});

test.run();
