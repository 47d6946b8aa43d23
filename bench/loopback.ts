/**
 * `node build/bench/loopback.js [--bytes N] [--runs R] [--warmup N] [--gc-bytes N]`: the Node side
 * of the loopback benchmark (bench/loopback-rig.ts), run by bench/run.mjs in its own process.
 *
 * 1. Warm-up (JIT): one rig moves `--warmup` octets (default 64 MiB).
 * 2. Throughput: `--runs` runs (default 3), each a fresh rig (interface, sockets, handshake
 *    included, as smoltcp's figure includes them) moving `--bytes` octets (default 1 GiB).
 * 3. Allocation after init: on a connected rig warmed up with 16 MiB, a `PerformanceObserver`
 *    collects V8's 'gc' entries while `--gc-bytes` octets (default 1 GiB) move; young (scavenge,
 *    minor mark-sweep) and old (mark-compact, incremental marking) collections are counted apart,
 *    with `heapUsed` before and after. Run with `--expose-gc` (as bench/run.mjs does), a full
 *    collection first clears the throughput runs' rigs, so that only the stack is measured.
 * Prints one JSON object on stdout.
 */
import { PerformanceObserver, constants, performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { BENCH_MSS, LoopbackBench } from "./loopback-rig.js";

const { values } = parseArgs({
  options: {
    bytes: { type: "string" },
    runs: { type: "string" },
    warmup: { type: "string" },
    "gc-bytes": { type: "string" },
    "skip-gc": { type: "boolean" },
  },
});
const MiB = 1024 * 1024;
const bytes = Number(values.bytes ?? 1024 * MiB);
const runs = Number(values.runs ?? 3);
const warmup = Number(values.warmup ?? 64 * MiB);
const gcBytes = Number(values["gc-bytes"] ?? bytes);

interface Run {
  seconds: number;
  gbps: number;
  usPerSegment: number;
  /** Process CPU time (user + system) per segment: steadier than the wall clock when other work shares the cores. */
  cpuUsPerSegment: number;
  segments: number;
  frames: number;
  idleJumps: number;
  polls: number;
}

function oneRun(n: number): Run {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const rig = new LoopbackBench();
  rig.connect();
  const frames0 = rig.framesSent();
  rig.transfer(n);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const segments = Math.ceil(n / BENCH_MSS);
  return {
    seconds,
    cpuUsPerSegment: (cpu.user + cpu.system) / segments,
    gbps: (n * 8) / seconds / 1e9,
    usPerSegment: (seconds * 1e6) / segments,
    segments,
    frames: rig.framesSent() - frames0,
    idleJumps: rig.idleJumps,
    polls: rig.polls,
  };
}

async function gcRun(n: number) {
  const rig = new LoopbackBench();
  rig.connect();
  rig.transfer(16 * MiB);
  const kinds = { minor: 0, major: 0, incremental: 0, weakcb: 0, other: 0 };
  const entries: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
      entries.push(kind);
    }
  });
  // The rigs of the throughput runs are garbage now: collect them (with --expose-gc) so that a
  // collection they cause is not counted against the stack. Then let the warm-up's own
  // collections (if any) be reported before we start counting.
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 50));
  obs.observe({ entryTypes: ["gc"] });
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  rig.transfer(n);
  const seconds = (performance.now() - t0) / 1000;
  const heap1 = process.memoryUsage().heapUsed;
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  for (const k of entries) {
    if (k === constants.NODE_PERFORMANCE_GC_MINOR) kinds.minor++;
    else if (k === constants.NODE_PERFORMANCE_GC_MAJOR) kinds.major++;
    else if (k === constants.NODE_PERFORMANCE_GC_INCREMENTAL) kinds.incremental++;
    else if (k === constants.NODE_PERFORMANCE_GC_WEAKCB) kinds.weakcb++;
    else kinds.other++;
  }
  return {
    bytes: n,
    segments: Math.ceil(n / BENCH_MSS),
    seconds,
    young: kinds.minor,
    old: kinds.major + kinds.incremental,
    other: kinds.weakcb + kinds.other,
    heapUsedDelta: heap1 - heap0,
  };
}

async function main(): Promise<void> {
  oneRun(warmup);
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) results.push(oneRun(bytes));
  const gc = values["skip-gc"] ? null : await gcRun(gcBytes);
  console.log(JSON.stringify({ bytes, mss: BENCH_MSS, runs: results, gc }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
