import { test } from "uvu";
import * as assert from "uvu/assert";
import { BoundsError, CapacityError } from "../../src/storage/arena.js";
import { ASSEMBLER_DEFAULT_MAX_GAPS, Assembler } from "../../src/storage/assembler.js";

/** A xorshift32 generator: the same sequence on every engine. `next(n)` is in `[0, n)`. */
function prng(seed: number): (n: number) => number {
  let s = seed | 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

/** An assembler holding the given ranges, added in order. */
function withRanges(maxGaps: number, ...ranges: Array<[number, number]>): Assembler {
  const a = new Assembler(maxGaps);
  for (const [s, e] of ranges) assert.ok(a.add(s, e - s), "setup add " + s + ".." + e);
  return a;
}

test("construction and the default", () => {
  const a = new Assembler();
  assert.is(a.maxGaps, ASSEMBLER_DEFAULT_MAX_GAPS);
  assert.is(ASSEMBLER_DEFAULT_MAX_GAPS, 4);
  assert.ok(a.isEmpty());
  assert.is(a.rangeCount(), 0);
  assert.is(a.toString(), "[]");
  assert.is(new Assembler(32).maxGaps, 32);
  for (const bad of [0, -1, 2.5, NaN]) {
    assert.throws(() => new Assembler(bad), (e: unknown) => e instanceof CapacityError, "maxGaps " + bad);
  }
});

test("add into an empty assembler: front, middle; size 0 is a no-op", () => {
  const a = new Assembler(4);
  assert.ok(a.add(4, 0));
  assert.ok(a.isEmpty());
  assert.ok(a.add(4, 4));
  assert.is(a.toString(), "[4, 8)");
  assert.not.ok(a.isEmpty());
  assert.is(a.rangeCount(), 1);
  assert.is(a.rangeStart(0), 4);
  assert.is(a.rangeEnd(0), 8);
  assert.is(a.peekFront(), 0);
  assert.is(a.removeFront(), 0, "data does not start at the front");
  const b = new Assembler(4);
  assert.ok(b.add(0, 5));
  assert.is(b.peekFront(), 5);
  assert.is(b.toString(), "[0, 5)");
});

test("merges: before, after, adjacent, overlapping, contained, containing, bridging", () => {
  const cases: Array<[string, Array<[number, number]>, [number, number], string]> = [
    ["separate before", [[10, 20]], [2, 5], "[2, 5) [10, 20)"],
    ["separate after", [[10, 20]], [25, 30], "[10, 20) [25, 30)"],
    ["adjacent before", [[10, 20]], [5, 10], "[5, 20)"],
    ["adjacent after", [[10, 20]], [20, 24], "[10, 24)"],
    ["overlapping the start", [[10, 20]], [6, 12], "[6, 20)"],
    ["overlapping the end", [[10, 20]], [18, 26], "[10, 26)"],
    ["contained", [[10, 20]], [12, 15], "[10, 20)"],
    ["equal", [[10, 20]], [10, 20], "[10, 20)"],
    ["containing", [[10, 20]], [8, 22], "[8, 22)"],
    ["bridging two ranges exactly", [[10, 20], [30, 40]], [20, 30], "[10, 40)"],
    ["bridging two ranges with overlap", [[10, 20], [30, 40]], [15, 35], "[10, 40)"],
    ["swallowing three ranges", [[10, 12], [14, 16], [18, 20], [30, 40]], [9, 21], "[9, 21) [30, 40)"],
    ["into the gap, touching neither", [[10, 20], [30, 40]], [22, 28], "[10, 20) [22, 28) [30, 40)"],
    ["touching the left one only", [[10, 20], [30, 40]], [20, 25], "[10, 25) [30, 40)"],
    ["touching the right one only", [[10, 20], [30, 40]], [25, 30], "[10, 20) [25, 40)"],
    ["a gap of one octet stays", [[10, 20]], [21, 22], "[10, 20) [21, 22)"],
  ];
  for (const [name, ranges, [s, e], expected] of cases) {
    const a = withRanges(8, ...ranges);
    assert.ok(a.add(s, e - s), name);
    assert.is(a.toString(), expected, name);
  }
});

test("the gap limit: a fifth separate range is refused, the state intact; filling a gap frees a slot", () => {
  const a = withRanges(4, [2, 3], [6, 7], [10, 11], [14, 15]);
  const four = "[2, 3) [6, 7) [10, 11) [14, 15)";
  assert.is(a.rangeCount(), 4);
  assert.not.ok(a.add(17, 1), "after the last range");
  assert.not.ok(a.add(0, 1), "before the first range");
  assert.not.ok(a.add(8, 1), "between two ranges, touching neither");
  assert.is(a.toString(), four, "refusals changed nothing");
  assert.is(a.rangeCount(), 4);
  assert.ok(a.add(7, 1), "adjacent: merges, needs no slot");
  assert.is(a.toString(), "[2, 3) [6, 8) [10, 11) [14, 15)");
  assert.ok(a.add(12, 2), "adjacent to the next range: merges");
  assert.is(a.toString(), "[2, 3) [6, 8) [10, 11) [12, 15)");
  assert.not.ok(a.add(20, 2));
  assert.is(a.toString(), "[2, 3) [6, 8) [10, 11) [12, 15)", "refusal changed nothing");
  // Filling the gap between [2, 3) and [6, 8) merges them: three ranges, one slot free.
  assert.ok(a.add(3, 3));
  assert.is(a.toString(), "[2, 8) [10, 11) [12, 15)");
  assert.is(a.rangeCount(), 3);
  assert.ok(a.add(20, 2));
  assert.is(a.toString(), "[2, 8) [10, 11) [12, 15) [20, 22)");
  assert.not.ok(a.add(30, 1));
  // A segment covering everything collapses all four into one.
  assert.ok(a.add(0, 100));
  assert.is(a.toString(), "[0, 100)");
});

test("32 ranges", () => {
  const a = new Assembler(32);
  for (let i = 0; i < 32; i++) assert.ok(a.add(2 + 3 * i, 1), "range " + i);
  assert.is(a.rangeCount(), 32);
  assert.not.ok(a.add(200, 1));
  assert.not.ok(a.add(0, 1));
  for (let i = 0; i < 32; i++) {
    assert.is(a.rangeStart(i), 2 + 3 * i);
    assert.is(a.rangeEnd(i), 3 + 3 * i);
  }
  assert.ok(a.add(0, 200));
  assert.is(a.toString(), "[0, 200)");
});

test("removeFront: the contiguous run at 0 goes, the rest shifts down", () => {
  const a = withRanges(4, [0, 4], [6, 8], [10, 16]);
  assert.is(a.peekFront(), 4);
  assert.is(a.removeFront(), 4);
  assert.is(a.toString(), "[2, 4) [6, 12)");
  assert.is(a.peekFront(), 0);
  assert.is(a.removeFront(), 0);
  assert.is(a.toString(), "[2, 4) [6, 12)", "nothing at the front: nothing moves");
  assert.ok(a.add(0, 2));
  assert.is(a.removeFront(), 4);
  assert.is(a.toString(), "[2, 8)");
  assert.ok(a.add(0, 3));
  assert.is(a.removeFront(), 8);
  assert.ok(a.isEmpty());
  assert.is(a.removeFront(), 0);
  assert.is(a.peekFront(), 0);
});

test("addThenRemoveFront: in-order data at the front is never refused", () => {
  const a = withRanges(2, [4, 6], [8, 10]);
  // add(0, 2) alone would need a third range.
  assert.not.ok(a.add(0, 2));
  assert.is(a.addThenRemoveFront(0, 2), 2);
  assert.is(a.toString(), "[2, 4) [6, 8)");
  assert.is(a.addThenRemoveFront(0, 2), 4, "adjacent to the first range: both come out");
  assert.is(a.toString(), "[2, 4)");
  assert.is(a.addThenRemoveFront(5, 1), 0);
  assert.is(a.toString(), "[2, 4) [5, 6)");
  assert.is(a.addThenRemoveFront(7, 1), -1, "a refused out-of-order segment");
  assert.is(a.toString(), "[2, 4) [5, 6)");
  assert.is(a.addThenRemoveFront(0, 0), 0);
  assert.is(a.addThenRemoveFront(0, 10), 10);
  assert.ok(a.isEmpty());
});

test("misuse is a typed error and changes nothing", () => {
  const a = withRanges(4, [2, 4]);
  assert.throws(() => a.add(-1, 2), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => a.add(0, -1), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => a.add(0x7fffffff, 1), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => a.rangeStart(1), (e: unknown) => e instanceof BoundsError);
  assert.throws(() => a.rangeEnd(-1), (e: unknown) => e instanceof BoundsError);
  assert.is(a.toString(), "[2, 4)");
  assert.ok(a.add(0x7ffffffe, 1), "the largest legal end");
  a.clear();
  assert.ok(a.isEmpty());
  assert.is(a.toString(), "[]");
});

/**
 * Random segments against a model that is an array of booleans (octet held or not), with a
 * front that moves when `removeFront` takes data. After each step the assembler's ranges must be
 * exactly the runs of the model; a refusal must happen exactly when the runs would outnumber
 * `maxGaps`, and must leave the ranges unchanged.
 */
function randomRun(maxGaps: number, window: number, seed: number, steps: number): void {
  const rnd = prng(seed);
  const a = new Assembler(maxGaps);
  let held: boolean[] = new Array(window).fill(false);
  const runs = (m: boolean[]): string => {
    let s = "";
    for (let i = 0; i < m.length; i++) {
      if (m[i] && (i === 0 || !m[i - 1])) {
        let j = i;
        while (j < m.length && m[j]) j++;
        s += (s ? " " : "") + "[" + i + ", " + j + ")";
      }
    }
    return s || "[]";
  };
  const runCount = (m: boolean[]): number => (runs(m) === "[]" ? 0 : runs(m).split(" [").length);
  for (let step = 0; step < steps; step++) {
    const at = "gaps " + maxGaps + " seed " + seed + " step " + step;
    const op = rnd(4);
    if (op < 3) {
      const off = rnd(window);
      const size = rnd(Math.min(8, window - off) + 1);
      const next = held.slice();
      for (let i = off; i < off + size; i++) next[i] = true;
      const before = a.toString();
      const needs = runCount(next);
      if (op === 2) {
        // Model of addThenRemoveFront: refused only if the merged state needs too many ranges
        // and the segment is not at offset 0; otherwise the run at the front comes out.
        const refused = needs > maxGaps && off !== 0;
        let n = 0;
        while (n < window && next[n]) n++;
        const got = a.addThenRemoveFront(off, size);
        assert.is(got, refused ? -1 : n, at + ": addThenRemoveFront " + off + "+" + size + " on " + before);
        if (refused) assert.is(a.toString(), before, at);
        else held = next.slice(n).concat(new Array(n).fill(false));
      } else {
        const ok = a.add(off, size);
        assert.is(ok, needs <= maxGaps, at + ": add " + off + "+" + size + " on " + before);
        if (ok) held = next;
        else assert.is(a.toString(), before, at);
      }
    } else {
      let n = 0;
      while (n < window && held[n]) n++;
      assert.is(a.peekFront(), n, at);
      assert.is(a.removeFront(), n, at);
      held = held.slice(n).concat(new Array(n).fill(false));
    }
    assert.is(a.toString(), runs(held), at);
    assert.is(a.rangeCount(), runCount(held), at);
    assert.is(a.isEmpty(), runCount(held) === 0, at);
  }
}

test("random segments against a reference model", () => {
  randomRun(4, 48, 11, 3000);
  randomRun(1, 16, 12, 2000);
  randomRun(2, 24, 13, 2000);
  randomRun(32, 200, 14, 3000);
});

test.run();
