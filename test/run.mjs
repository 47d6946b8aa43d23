// `npm test`: compiles, runs every suite on Node (uvu), runs the portable core's suites and the
// allocation cases on the XS engine, and ends with one line `N passed, N failed` summed over all.
//
// Layout: test/<mirror of src>/*.test.ts are core suites and run on both engines; test/host/**
// holds tests that need Node (files, child processes, tshark, namespaces) and run on Node only;
// test/alloc/*.alloc.ts register allocation cases that the XS runner measures.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { runXs } from "./support/xs-runner.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// TEST_BUILD_DIR lets several people (or helpers) run filtered suites at once without sharing
// one build directory.
const build = process.env.TEST_BUILD_DIR ? path.resolve(process.env.TEST_BUILD_DIR) : path.join(root, "build");
const only = process.argv[2]; // optional: a substring of test file paths to run
let passed = 0;
let failed = 0;
let skipped = 0;

function finish() {
  console.log(`\n${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  process.exit(failed > 0 ? 1 : 0);
}

function walk(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out.sort();
}

// 1. Type-check the core alone (no Node types: a host API in src/ fails here), then compile
//    everything for Node.
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
fs.rmSync(build, { recursive: true, force: true });
for (const args of [["-p", "tsconfig.json", "--noEmit"], ["-p", "tsconfig.host.json", "--outDir", build]]) {
  const r = spawnSync(process.execPath, [tsc, ...args], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`tsc ${args.join(" ")} failed`);
    failed++;
    // A filtered run (one suite under work) goes on despite type errors elsewhere in the tree.
    if (!only) finish();
  }
}

// 2. Node: every *.test.js under build/test.
const all = walk(path.join(build, "test")).filter((f) => f.endsWith(".test.js"));
const rel = (f) => path.relative(path.join(build, "test"), f);
const selected = all.filter((f) => !only || rel(f).includes(only));
console.log(`# Node ${process.version}: ${selected.length} test files`);
{
  const rels = selected.map((f) => rel(f).replace(/\\/g, "/"));
  const pattern = rels.length ? "^(" + rels.map((r) => r.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|") + ")$" : "^$";
  const r = spawnSync(process.execPath, [path.join(root, "node_modules", "uvu", "bin.js"), path.join(build, "test"), pattern], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(r.stdout);
  const total = +(/Total:\s+(\d+)/.exec(r.stdout)?.[1] ?? NaN);
  const pass = +(/Passed:\s+(\d+)/.exec(r.stdout)?.[1] ?? NaN);
  const skip = +(/Skipped:\s+(\d+)/.exec(r.stdout)?.[1] ?? 0);
  if (Number.isNaN(total) || Number.isNaN(pass)) {
    console.error("uvu printed no totals (exit status " + r.status + ")");
    failed++;
  } else {
    passed += pass;
    skipped += skip;
    failed += total - pass - skip;
    if (r.status !== 0 && total - pass - skip === 0) failed++; // a crash outside a test
    console.log(`# Node: ${pass} passed, ${total - pass - skip} failed, ${skip} skipped`);
  }
}

// 3. XS: the core suites (everything but test/host) and the allocation cases.
{
  const core = selected.filter((f) => !f.includes(`${path.sep}host${path.sep}`));
  const allocFiles = walk(path.join(build, "test", "alloc")).filter((f) => f.endsWith(".alloc.js") && (!only || rel(f).includes(only)));
  console.log(`\n# XS (@agoric/xsnap): ${core.length} test files, ${allocFiles.length} allocation files`);
  let r;
  try {
    r = await runXs(core, allocFiles);
  } catch (e) {
    r = { passed: 0, failed: 1, skipped: 0, alloc: [], failures: [{ suite: "xs", test: "runner", message: String(e && e.message ? e.message : e) }] };
  }
  for (const f of r.failures) {
    console.log(`  FAIL [xs] ${f.suite ? f.suite + " › " : ""}${f.test}: ${f.message}`);
    if (f.details) console.log("    " + f.details.split("\n").join("\n    "));
  }
  for (const a of r.alloc) {
    console.log(
      `  alloc ${a.name}: ${a.iterations} iterations, slot delta ${a.slotDelta}, malloc delta ${a.allocateDelta}, ` +
        `${a.computePerIteration.toFixed(0)} XS operations per iteration`,
    );
  }
  console.log(`# XS: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped;
}

finish();
