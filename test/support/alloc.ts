/**
 * Allocation cases: loops over the packet path whose allocation the XS runner measures.
 *
 * A case is a function `(iterations) => number` that repeats one packet-path operation (parse a
 * fixture, emit a repr, ...) `iterations` times and returns a number derived from the work (so
 * that the loop does something observable). Setup (views, reprs, buffers) happens when the case
 * is registered, never inside the loop. The XS runner (test/support/xs-runner.mjs) runs each case
 * with 0 and with 100,000 iterations (or the count the case gives) after a full collection and requires the engine's slot count
 * and malloc total to be the same after both.
 */
export type AllocCase = (iterations: number) => number;

export function allocCase(name: string, fn: AllocCase, iterations = 100000): void {
  const g = globalThis as unknown as { __allocCases?: Record<string, AllocCase>; __allocIterations?: Record<string, number> };
  if (!g.__allocCases) g.__allocCases = {};
  if (!g.__allocIterations) g.__allocIterations = {};
  if (g.__allocCases[name]) throw new Error("duplicate allocation case: " + name);
  g.__allocCases[name] = fn;
  g.__allocIterations[name] = iterations;
}

/** The registered cases (for the Node-side sanity run). */
export function allocCases(): Record<string, AllocCase> {
  const g = globalThis as unknown as { __allocCases?: Record<string, AllocCase> };
  return g.__allocCases ?? {};
}
