// RFC 6528 initial sequence numbers and RFC 6056 ephemeral ports show no usable pattern:
// 2,000 connections through an Interface with the default random source (`MathRandomSource`),
// on both engines. test/host/reliability-predictability.test.ts opens 10,000 with Node's crypto.
//
// Thresholds: a chi-square over 16 buckets has 15 degrees of freedom; 60 is exceeded by chance
// with a probability below 1e-7. A bit's share of ones over 2,000 samples has a standard
// deviation of 0.011; 0.06 is 5.4 of them (below 1e-6 over 32 bits).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buckets, chiSquare, equalPairs, maxRepeatedDifference, openConnections, worstBitBias } from "./predictability.js";

const N = 2000;

test(`${N} connections (default random source): ISNs all different, no repeated difference, uniform high bits and differences, unbiased bits`, () => {
  const { isns, ports } = openConnections(N, undefined, false);
  assert.is(equalPairs(isns), 0, "equal ISNs");
  assert.ok(maxRepeatedDifference(isns) <= 2, "a difference between consecutive ISNs repeats " + maxRepeatedDifference(isns) + " times");
  const hi = Int32Array.from(isns, (x) => x >>> 28);
  assert.ok(chiSquare(hi, 16) < 60, "top 4 bits of the ISNs: chi2 " + chiSquare(hi, 16));
  const diff = buckets(isns, (x, p) => ((x - p) | 0) >>> 28);
  assert.ok(chiSquare(diff, 16) < 60, "top 4 bits of the differences: chi2 " + chiSquare(diff, 16));
  assert.ok(worstBitBias(isns, 32) < 0.06, "bit bias " + worstBitBias(isns, 32));
  for (const p of ports) assert.ok(p >= 49152 && p <= 65535, "port " + p);
  const lo = Int32Array.from(ports, (p) => p & 15);
  assert.ok(chiSquare(lo, 16) < 60, "low bits of the ports: chi2 " + chiSquare(lo, 16));
  const pd = buckets(ports, (x, p) => (x - p) & 15);
  assert.ok(chiSquare(pd, 16) < 60, "port differences: chi2 " + chiSquare(pd, 16));
  assert.ok(maxRepeatedDifference(ports) < 20, "a port difference repeats " + maxRepeatedDifference(ports) + " times");
});

test.run();
