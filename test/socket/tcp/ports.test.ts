// Ephemeral port selection: RFC 6335 §6's Dynamic range, RFC 6056 §3.3.1's Algorithm 1 behind a
// few independent random draws.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  EPHEMERAL_PORT_COUNT,
  EPHEMERAL_PORT_FIRST,
  EPHEMERAL_PORT_LAST,
  EphemeralPorts,
  type PortUsage,
  RANDOM_ATTEMPTS,
} from "../../../src/socket/tcp/ports.js";
import type { RandomSource } from "../../../src/socket/tcp/isn.js";
import { Xorshift32 } from "../../../src/phy/rand.js";

/** A port table: a flag per port, and a count of the questions asked. */
class Ports implements PortUsage {
  readonly used = new Uint8Array(65536);
  asked = 0;
  portInUse(port: number): boolean {
    this.asked++;
    return this.used[port] !== 0;
  }
  useAll(): this {
    this.used.fill(1, EPHEMERAL_PORT_FIRST);
    return this;
  }
}

/** A random source that replays a script, then repeats its last value. */
class Scripted implements RandomSource {
  private i = 0;
  constructor(private readonly values: number[]) {}
  nextInt32(): number {
    const v = this.values[Math.min(this.i, this.values.length - 1)];
    this.i++;
    return v | 0;
  }
}

test("the range is IANA's Dynamic Ports, 49152..65535 (RFC 6335 §6)", () => {
  assert.is(EPHEMERAL_PORT_FIRST, 49152);
  assert.is(EPHEMERAL_PORT_LAST, 65535);
  assert.is(EPHEMERAL_PORT_COUNT, 16384);
});

test("every pick lies in the range", () => {
  const ports = new EphemeralPorts(new Xorshift32(7));
  const free = new Ports();
  let min = 65536;
  let max = -1;
  for (let i = 0; i < 20000; i++) {
    const p = ports.pick(free);
    if (p < min) min = p;
    if (p > max) max = p;
  }
  assert.ok(min >= 49152 && max <= 65535, `${min}..${max}`);
  assert.ok(min < 49152 + 50 && max > 65535 - 50, "both ends are reached");
});

test("the extremes of the random word map to the ends of the range", () => {
  assert.is(new EphemeralPorts(new Scripted([0])).pick(new Ports()), 49152);
  assert.is(new EphemeralPorts(new Scripted([-1])).pick(new Ports()), 65535);
  assert.is(new EphemeralPorts(new Scripted([0x7fffc000 | 0])).pick(new Ports()), 49152, "only the low 14 bits count");
});

test("never returns a port in use (90% of the range taken)", () => {
  const table = new Ports();
  const r = new Xorshift32(99);
  for (let p = EPHEMERAL_PORT_FIRST; p <= EPHEMERAL_PORT_LAST; p++) if (r.below(10) !== 0) table.used[p] = 1;
  const ports = new EphemeralPorts(new Xorshift32(5));
  for (let i = 0; i < 5000; i++) {
    const p = ports.pick(table);
    if (p < 0 || table.used[p] !== 0) assert.unreachable("picked " + p);
  }
});

test("allocating until exhaustion: every port once, then -1", () => {
  const table = new Ports();
  const ports = new EphemeralPorts(new Xorshift32(11));
  for (let i = 0; i < EPHEMERAL_PORT_COUNT; i++) {
    const p = ports.pick(table);
    if (p < EPHEMERAL_PORT_FIRST || p > EPHEMERAL_PORT_LAST || table.used[p] !== 0) assert.unreachable("pick " + i + ": " + p);
    table.used[p] = 1;
  }
  table.asked = 0;
  assert.is(ports.pick(table), -1);
  assert.is(table.asked, RANDOM_ATTEMPTS + EPHEMERAL_PORT_COUNT, "random draws, then every port once");
});

test("all in use from the start: -1", () => {
  assert.is(new EphemeralPorts(new Xorshift32(3)).pick(new Ports().useAll()), -1);
});

test("one free port is found by the linear walk, wrapping past 65535", () => {
  const table = new Ports().useAll();
  table.used[49153] = 0;
  // Every random candidate is 65535 (in use); the walk starts there and wraps to 49152, 49153.
  const ports = new EphemeralPorts(new Scripted([-1]));
  table.asked = 0;
  assert.is(ports.pick(table), 49153);
  assert.is(table.asked, RANDOM_ATTEMPTS + 3);
});

test("a free random candidate is taken at once", () => {
  const table = new Ports();
  table.used[49152 + 5] = 1;
  const ports = new EphemeralPorts(new Scripted([5, 5, 9]));
  assert.is(ports.pick(table), 49152 + 9, "the third draw");
  assert.is(table.asked, 3);
});

test("deterministic for a seeded source", () => {
  const a = new EphemeralPorts(new Xorshift32(1234));
  const b = new EphemeralPorts(new Xorshift32(1234));
  const c = new EphemeralPorts(new Xorshift32(1235));
  const table = new Ports();
  const sa: number[] = [];
  const sb: number[] = [];
  const sc: number[] = [];
  for (let i = 0; i < 100; i++) {
    sa.push(a.pick(table));
    sb.push(b.pick(table));
    sc.push(c.pick(table));
  }
  assert.equal(sa, sb);
  assert.not.equal(sa, sc);
});

/**
 * Pearson's chi-square statistic of `counts` against a uniform expectation. With 64 classes (63
 * degrees of freedom) the 0.1% critical value is about 103.4 and the mean is 63.
 */
function chiSquare(counts: number[], total: number): number {
  const expected = total / counts.length;
  let x = 0;
  for (const c of counts) x += ((c - expected) * (c - expected)) / expected;
  return x;
}

test("picks are spread uniformly over the range (chi-square, 64 classes)", () => {
  const ports = new EphemeralPorts(new Xorshift32(2024));
  const free = new Ports();
  const counts = new Array<number>(64).fill(0);
  const n = 64 * 1000;
  for (let i = 0; i < n; i++) counts[(ports.pick(free) - EPHEMERAL_PORT_FIRST) >> 8]++;
  const x = chiSquare(counts, n);
  assert.ok(x < 103.4, "chi-square " + x.toFixed(1));
});

test("with half the range in use, picks are spread uniformly over the free ports", () => {
  // Every other block of 128 ports is used: a run-length pattern that would bias a pure linear
  // walk towards the free port right after each used run.
  const table = new Ports();
  for (let p = EPHEMERAL_PORT_FIRST; p <= EPHEMERAL_PORT_LAST; p++) if (((p - EPHEMERAL_PORT_FIRST) & 128) !== 0) table.used[p] = 1;
  const ports = new EphemeralPorts(new Xorshift32(77));
  const counts = new Array<number>(64).fill(0);
  const n = 64 * 1000;
  for (let i = 0; i < n; i++) {
    const p = ports.pick(table);
    if (table.used[p] !== 0) assert.unreachable("picked a used port " + p);
    // Free ports, numbered 0..8191, in 64 classes of 128.
    const free = ((p - EPHEMERAL_PORT_FIRST) >> 8) * 128 + ((p - EPHEMERAL_PORT_FIRST) & 127);
    counts[free >> 7]++;
  }
  const x = chiSquare(counts, n);
  assert.ok(x < 103.4, "chi-square " + x.toFixed(1));
});

test.run();
