// Runs the portable core's test suites inside the real XS engine.
//
// `@agoric/xsnap` builds Moddable's XS engine at install time and ships a worker binary that a
// Node process drives over netstring pipes: `evaluate(code)` runs a script to idle and returns,
// with every reply, the worker's meters (`compute`, the deterministic count of XS operations;
// `currentHeapCount`, the number of 16-byte slots in use; `allocate`, bytes the engine obtained
// from malloc).
//
// What this module does:
// 1. bundles, with rollup, an entry that imports the compiled core test files (build/test/...)
//    into one classic script, resolving `uvu` and `uvu/assert` to test/support/xs-uvu.mjs;
// 2. evaluates it in a fresh worker and runs the suites there, collecting each failure through
//    `issueCommand`;
// 3. runs the allocation cases (files under build/test/alloc/) the way an allocation counter
//    must be read: each case is run after a full `gc()`, with 0 iterations, with N, and with 0
//    again; the slot count must step by the same amount into the N run as out of it (each
//    evaluated command leaves the same constant number of slots behind). A loop that allocated
//    even one slot per iteration would leave up to N more slots (or trigger collections that
//    leave a different count), so equality is the proof that nothing was allocated.

import { rollup } from "rollup";
import { startXsnap } from "./xsnap.mjs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const shim = path.join(here, "xs-uvu.mjs");

/** Bundles the given compiled test files (absolute paths) into one XS-ready script. */
export async function bundleTests(files, allocFiles = []) {
  const entryId = "\0xs-test-entry";
  const entry =
    `import { runAll } from ${JSON.stringify(shim)};\n` +
    files.map((f) => `import ${JSON.stringify(f)};\n`).join("") +
    allocFiles.map((f) => `import ${JSON.stringify(f)};\n`).join("") +
    `globalThis.__uvuRunAll = runAll;\n`;
  const bundle = await rollup({
    input: entryId,
    onwarn(w, warn) {
      if (w.code === "CIRCULAR_DEPENDENCY" || w.code === "THIS_IS_UNDEFINED") return;
      warn(w);
    },
    plugins: [
      {
        name: "xs-test-entry",
        resolveId(id) {
          if (id === entryId) return id;
          if (id === "uvu" || id === "uvu/assert") return shim;
          return null;
        },
        load(id) {
          return id === entryId ? entry : null;
        },
      },
    ],
  });
  const { output } = await bundle.generate({ format: "iife", name: "__xsTests", inlineDynamicImports: true });
  await bundle.close();
  return output[0].code;
}

/** Starts an XS worker; `onMessage(obj)` receives what the script sends with `issueCommand`. */
export function startWorker(name, onMessage) {
  const decoder = new TextDecoder();
  return startXsnap({
    name,
    onCommand(bytes) {
      try {
        onMessage(JSON.parse(decoder.decode(bytes)));
      } catch (e) {
        onMessage({ kind: "fail", suite: "xs-runner", test: "message", message: String(e) });
      }
      return new Uint8Array(0);
    },
  });
}

// Installed in the worker before anything else: `print`-free reporting through issueCommand.
const PRELUDE = `
globalThis.__report = (obj) => { issueCommand(new TextEncoder().encode(JSON.stringify(obj)).buffer); };
`;

/**
 * Runs the suites of `files` (compiled test files) and the allocation cases of `allocFiles` in XS.
 * Returns `{ passed, failed, skipped, failures: [...], alloc: [...] }`.
 */
export async function runXs(files, allocFiles, { iterations = 100000, log = console.log } = {}) {
  const code = await bundleTests(files, allocFiles);
  const failures = [];
  let totals = null;
  let lastValue = null;
  const worker = startWorker("smoltcp-ts-tests", (m) => {
    if (m.kind === "fail") failures.push(m);
    else if (m.kind === "totals") totals = m;
    else if (m.kind === "log") log(m.text);
    else if (m.kind === "value") lastValue = m.value;
  });
  const result = { passed: 0, failed: 0, skipped: 0, failures, alloc: [] };
  try {
    await worker.evaluate(PRELUDE);
    await worker.evaluate(code);
    await worker.evaluate(
      `__uvuRunAll(__report).then((t) => __report({ kind: "totals", ...t }), (e) => __report({ kind: "fail", suite: "xs", test: "runAll", message: String(e) }));`,
    );
    if (!totals) {
      failures.push({ suite: "xs", test: "run", message: "the XS run reported no totals" });
      totals = { passed: 0, failed: 1, skipped: 0 };
    }
    result.passed = totals.passed;
    result.failed = totals.failed;
    result.skipped = totals.skipped;

    // Allocation cases.
    await worker.evaluate(`__report({ kind: "value", value: Object.keys(globalThis.__allocCases || {}) })`);
    const names = lastValue || [];
    await worker.evaluate(`__report({ kind: "value", value: globalThis.__allocIterations || {} })`);
    const counts = lastValue || {};
    // The control case: a loop that allocates one array per iteration must be seen, or the
    // detector is blind and every "no allocation" result above it means nothing.
    await worker.evaluate(
      `(globalThis.__allocCases ||= {})["control: allocates one array per iteration"] = (n) => { let a = null; for (let i = 0; i < n; i++) a = [i]; return a ? a[0] : 0; };`,
    );
    names.push("control: allocates one array per iteration");
    for (const name of names) {
      const q = JSON.stringify(name);
      const run = async (n) => {
        const r = await worker.evaluate(`gc(); globalThis.__allocResult = globalThis.__allocCases[${q}](${n});`);
        return r.meter;
      };
      const n = counts[name] || iterations;
      try {
        // Warm up: first runs may create lazily built engine structures.
        await run(Math.min(1000, n));
        await run(0);
        const base = await run(0);
        const loaded = await run(n);
        const base2 = await run(0);
        await worker.evaluate(`__report({ kind: "value", value: globalThis.__allocResult })`);
        const value = lastValue;
        // Each evaluated command itself leaves a constant number of slots behind (the worker keeps
        // its script record), so compare the step into the loaded run with the step out of it.
        const slots = loaded.currentHeapCount - base.currentHeapCount - (base2.currentHeapCount - loaded.currentHeapCount);
        const entry = {
          name,
          iterations: n,
          slotDelta: slots,
          baselineDrift: base2.currentHeapCount - base.currentHeapCount,
          allocateDelta: loaded.allocate - base.allocate,
          computePerIteration: (loaded.compute - base.compute) / n,
          value,
        };
        result.alloc.push(entry);
        const isControl = name.startsWith("control:");
        if (isControl) {
          entry.control = true;
          if (slots === 0 && entry.allocateDelta === 0) {
            result.failed++;
            failures.push({ suite: "xs allocation", test: name, message: "the control case allocated but the detector saw nothing" });
          } else {
            result.passed++;
          }
        } else if (slots !== 0 || entry.allocateDelta !== 0) {
          result.failed++;
          failures.push({
            suite: "xs allocation",
            test: name,
            message: `${n} iterations left ${slots} more slots in use and ${entry.allocateDelta} more bytes from malloc than 0 iterations`,
          });
        } else {
          result.passed++;
        }
      } catch (e) {
        result.failed++;
        failures.push({ suite: "xs allocation", test: name, message: String(e && e.message) });
      }
    }
  } catch (e) {
    result.failed++;
    failures.push({ suite: "xs", test: "worker", message: String(e && e.stack ? e.stack : e) });
  } finally {
    await worker.close();
  }
  return result;
}
