// `npm run bench`: the benchmarks of issue 7, side by side with their references. Writes
// bench/results.md (the tables) and bench/results.json.
//
//   node bench/run.mjs [--quick | --long] [--only loopback,tap,xs,footprint] [--runs N] [--out DIR] [--no-build]
//   BENCH_MODE=quick|long  the same as --quick / --long
//
// Default: 3 runs of each figure (medians), 1 GiB loopback, 1 GB over the TAP, 10,000 segments
// on XS; about 3 to 4 minutes on 2 cores. --quick: 128 MiB / 200 MB / 2,000 segments, about a
// minute. --long: 5 runs, 4 GiB loopback.
//
// Every comparison is a ratio measured in the same run (the kernel over veth) or the fixed
// smoltcp reference of ../shared/research/perf-baseline.md, measured on this kind of machine.
// It compiles the project first (tsc -p tsconfig.host.json, into BENCH_BUILD_DIR or build/;
// --no-build skips that and uses what is there).
// The TAP part needs root (it creates throwaway network namespaces, no route or forwarding to
// the real network, addresses 192.168.69.0/24 inside them only) and is skipped otherwise.

import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { performance } from "node:perf_hooks";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
// BENCH_BUILD_DIR: where `tsc -p tsconfig.host.json` compiled the project (default build/), so that
// several people can benchmark their own trees' builds at once.
const build = process.env.BENCH_BUILD_DIR ? path.resolve(process.env.BENCH_BUILD_DIR) : path.join(root, "build");

// ---- Options -----------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.findIndex((a) => a === name || a.startsWith(name + "="));
  if (i < 0) return undefined;
  return argv[i].includes("=") ? argv[i].slice(argv[i].indexOf("=") + 1) : argv[i + 1];
};
const mode = flag("--quick") ? "quick" : flag("--long") ? "long" : process.env.BENCH_MODE || "default";
const only = new Set((option("--only") ?? "loopback,tap,xs,footprint").split(","));
const MiB = 1024 * 1024;
const P = {
  quick: { runs: 3, loopBytes: 128 * MiB, tapBytes: 200e6, vethBytes: 1e9, xsSegments: 2000 },
  default: { runs: 3, loopBytes: 1024 * MiB, tapBytes: 1e9, vethBytes: 1e9, xsSegments: 10000 },
  long: { runs: 5, loopBytes: 4096 * MiB, tapBytes: 1e9, vethBytes: 4e9, xsSegments: 10000 },
}[mode];
if (!P) throw new Error("unknown mode " + mode);
if (option("--runs")) P.runs = Number(option("--runs"));

const REF = {
  smoltcpLoopbackGbps: 18.6,
  smoltcpTapReaderGbps: 2.64,
  smoltcpTapWriterGbps: 5.06,
  kernelVethGbps: 19.5,
  source: "../shared/research/perf-baseline.md (smoltcp 0.13.1 HEAD 5393f88, release; iperf3 over veth)",
};
const MSS = 1482;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d));
const log = (...a) => console.error("bench:", ...a);

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
    source: sourceVersion(),
  };
}

/** The commit measured, "+ changes" when the tree differs from it (the figures are for the tree). */
function sourceVersion() {
  const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" });
  if (head.status !== 0) return "unknown";
  // `git diff --quiet` (exit status 1: differences) reads only; `git status` may rewrite the index.
  const diff = spawnSync("git", ["diff", "--quiet", "HEAD", "--", "src", "bench", "drivers", "examples"], { cwd: root });
  return head.stdout.trim() + (diff.status === 1 ? " + changes" : "");
}

// ---- 1 and 3a. Loopback on Node (child process: bench/loopback.ts) ------------------------------

function runNode(args) {
  // --expose-gc: loopback.js collects the earlier runs' rigs before it starts counting collections.
  const r = spawnSync(process.execPath, ["--expose-gc", path.join(build, "bench", "loopback.js"), ...args], { encoding: "utf8", maxBuffer: 64 * MiB });
  if (r.status !== 0) throw new Error("loopback bench failed: " + r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

function loopbackNode() {
  log(`loopback on Node: ${P.runs} runs of ${P.loopBytes / MiB} MiB, then the GC count over ${P.loopBytes / MiB} MiB`);
  const out = runNode(["--bytes", String(P.loopBytes), "--runs", String(P.runs), "--gc-bytes", String(P.loopBytes)]);
  const gbps = median(out.runs.map((r) => r.gbps));
  const us = median(out.runs.map((r) => r.usPerSegment));
  return {
    bytes: P.loopBytes,
    runs: out.runs,
    gbps,
    usPerSegment: us,
    cpuUsPerSegment: median(out.runs.map((r) => r.cpuUsPerSegment)),
    framesPerRun: out.runs[0].frames,
    dataSegmentsPerRun: out.runs[0].segments,
    ratioToSmoltcp: gbps / REF.smoltcpLoopbackGbps,
    gc: out.gc,
  };
}

// ---- 2. TAP against the kernel, and the kernel over veth ---------------------------------------

const VETH_PY = String.raw`
import socket, sys, time
mode, host, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if mode == 'recv':
    ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port)); ls.listen(1); print('listening', flush=True)
    s, _ = ls.accept(); buf = bytearray(1 << 20); mv = memoryview(buf); got = 0
    t0 = time.perf_counter()
    while True:
        k = s.recv_into(mv)
        if k == 0: break
        got += k
    dt = time.perf_counter() - t0
    print('ok %d %.6f' % (got, dt), flush=True)
else:
    s = socket.create_connection((host, port)); buf = memoryview(bytearray(1 << 20)); sent = 0
    while sent < n:
        k = min(len(buf), n - sent); s.sendall(buf[:k]); sent += k
    s.close(); print('sent %d' % sent, flush=True)
`;

async function tapAndVeth() {
  let netns;
  try {
    netns = await import(pathToFileURL(path.join(build, "test", "support", "netns.js")).href);
  } catch (e) {
    return { skipped: "cannot load build/test/support/netns.js: " + e.message };
  }
  const reason = netns.netnsSkipReason(["python3"]);
  if (reason) return { skipped: reason };
  const result = { bytes: P.tapBytes, reader: [], writer: [], veth: [], vethBytes: P.vethBytes };

  // The kernel's own TCP over a veth pair between two namespaces (MTU 1500, offloads on).
  log(`kernel TCP over veth: ${P.runs} runs of ${P.vethBytes / 1e9} GB`);
  const a = new netns.Netns();
  const b = new netns.Netns();
  try {
    const va = "smbva" + a.name.slice(-4);
    const vb = "smbvb" + a.name.slice(-4);
    spawnSync("ip", ["link", "add", va, "type", "veth", "peer", "name", vb]);
    spawnSync("ip", ["link", "set", va, "netns", a.name]);
    spawnSync("ip", ["link", "set", vb, "netns", b.name]);
    a.exec("ip", ["addr", "add", "192.168.69.100/24", "dev", va]);
    b.exec("ip", ["addr", "add", "192.168.69.101/24", "dev", vb]);
    a.exec("ip", ["link", "set", va, "up"]);
    b.exec("ip", ["link", "set", vb, "up"]);
    const py = b.file("veth.py");
    fs.writeFileSync(py, VETH_PY);
    for (let i = 0; i < P.runs; i++) {
      const rx = b.spawn("python3", [py, "recv", "192.168.69.101", "5201", "0"]);
      await rx.waitFor(/listening/);
      const tx = a.spawn("python3", [py, "send", "192.168.69.101", "5201", String(P.vethBytes)]);
      await rx.waitFor(/ok \d+/, 120000);
      await tx.exited;
      const m = /ok (\d+) ([\d.]+)/.exec(rx.stdout);
      result.veth.push((Number(m[1]) * 8) / Number(m[2]) / 1e9);
    }
  } catch (e) {
    result.vethError = String(e.message ?? e);
  } finally {
    await a.close();
    await b.close();
  }

  // smoltcp's benchmark example: the stack on tap0 at 192.168.69.1, the kernel at .100.
  log(`TAP benchmark reader and writer: ${P.runs} runs each of ${P.tapBytes / 1e9} GB`);
  const ns = new netns.Netns();
  try {
    ns.addTap("tap0");
    for (const m of ["reader", "writer"]) {
      for (let i = 0; i < P.runs; i++) {
        const t0 = performance.now();
        const p = ns.cli(["benchmark", "tap0", m, "--size", String(P.tapBytes)]);
        const timer = setTimeout(() => p.stop(), 180000);
        await p.exited;
        clearTimeout(timer);
        const mm = /throughput: ([\d.]+) Gbps/.exec(p.stdout);
        if (!mm) throw new Error(`benchmark ${m} failed (${p.exitCode}): ${p.stderr.slice(-500)}`);
        result[m].push({ gbps: Number(mm[1]), line: p.stdout.trim(), wallSeconds: (performance.now() - t0) / 1000 });
      }
    }
  } catch (e) {
    result.tapError = String(e.message ?? e);
  } finally {
    await ns.close();
  }
  result.vethGbps = median(result.veth);
  result.readerGbps = median(result.reader.map((r) => r.gbps));
  result.writerGbps = median(result.writer.map((r) => r.gbps));
  return result;
}

// ---- 3b, 4 and 5b. The XS engine ---------------------------------------------------------------

async function bundleRig() {
  const { rollup } = await import("rollup");
  const bundle = await rollup({
    input: path.join(build, "bench", "loopback-rig.js"),
    onwarn(w, warn) {
      if (w.code === "CIRCULAR_DEPENDENCY" || w.code === "THIS_IS_UNDEFINED") return;
      warn(w);
    },
  });
  const { output } = await bundle.generate({ format: "iife", name: "__bench" });
  await bundle.close();
  return output[0].code;
}

async function xs() {
  const { startXsnap, xsnapWorkerPath } = await import(pathToFileURL(path.join(root, "test", "support", "xsnap.mjs")).href);
  if (!xsnapWorkerPath()) return { skipped: "the XS worker of @agoric/xsnap is not built" };
  const code = await bundleRig();
  let value = null;
  const dec = new TextDecoder();
  const worker = startXsnap({
    name: "smoltcp-ts-bench",
    onCommand(bytes) {
      value = JSON.parse(dec.decode(bytes));
      return new Uint8Array(0);
    },
  });
  const ev = async (js) => (await worker.evaluate(js)).meter;
  const get = async (expr) => {
    await worker.evaluate(`issueCommand(new TextEncoder().encode(JSON.stringify(${expr})).buffer);`);
    return value;
  };
  const seg = P.xsSegments;
  const out = { segments: seg };
  try {
    await ev(code);
    // Footprint first, on a fresh heap: slots and malloc'd bytes for the ESP32-sized rig.
    await ev(`gc();`);
    const f0 = await ev(`gc();`);
    const f1 = await ev(`globalThis.F = new __bench.FootprintRig(); gc();`);
    const f2 = await ev(`gc();`);
    out.footprint = {
      slots: f2.currentHeapCount - f0.currentHeapCount,
      slotBytes: (f2.currentHeapCount - f0.currentHeapCount) * 16,
      bufferOctets: await get(`F.bufferOctets`),
      mallocDelta: f1.allocate - f0.allocate,
      computeToInit: f1.compute,
    };

    // Two connected loopback rigs, warmed up: A as smoltcp's benchmark (delayed ACKs: an ACK for
    // every second full-sized segment), B acknowledging every segment (ackDelay 0).
    await ev(`globalThis.A = new __bench.LoopbackBench(); A.connect(); A.transfer(2000 * ${MSS});`);
    await ev(`globalThis.B = new __bench.LoopbackBench(); B.server.ackDelay = 0; B.connect(); B.transfer(2000 * ${MSS});`);
    // Allocation, read as the test runner does: after a full collection, 0 segments, N, 0 again.
    const run = (rig, n) => ev(`gc(); ${rig}.transfer(${n} * ${MSS});`);
    await run("A", 0);
    const base = await run("A", 0);
    const frames0 = await get(`A.framesSent()`);
    const t0 = performance.now();
    const loaded = await run("A", seg);
    const seconds = (performance.now() - t0) / 1000;
    const framesA = (await get(`A.framesSent()`)) - frames0;
    const base2 = await run("A", 0);
    out.alloc = {
      slotDelta: loaded.currentHeapCount - base.currentHeapCount - (base2.currentHeapCount - loaded.currentHeapCount),
      mallocDelta: loaded.allocate - base.allocate,
    };
    out.alloc.slotsPerSegment = out.alloc.slotDelta / seg;
    out.alloc.bytesPerSegment = (out.alloc.slotDelta * 16 + out.alloc.mallocDelta) / seg;
    // Compute and time: the loaded run, then more timed runs for a median.
    const computeA = loaded.compute - base.compute;
    const times = [seconds];
    for (let i = 1; i < P.runs; i++) {
      const t = performance.now();
      await ev(`${"A"}.transfer(${seg} * ${MSS});`);
      times.push((performance.now() - t) / 1000);
    }
    const b0 = await run("B", 0);
    const framesB0 = await get(`B.framesSent()`);
    const bl = await run("B", seg);
    const framesB = (await get(`B.framesSent()`)) - framesB0;
    const computeB = bl.compute - b0.compute;
    const acksA = framesA - seg;
    const acksB = framesB - seg;
    const perAck = acksB > acksA ? (computeB - computeA) / (acksB - acksA) : NaN;
    const xsSeconds = median(times);
    out.compute = {
      perSegmentAcked: computeA / seg,
      perPureAck: perAck,
      perSegmentNoAck: (computeA - acksA * perAck) / seg,
      framesA,
      acksA,
      framesB,
      acksB,
    };
    out.throughput = {
      seconds: times,
      gbps: (seg * MSS * 8) / xsSeconds / 1e9,
      usPerSegment: (xsSeconds * 1e6) / seg,
      nsPerComputeUnit: (xsSeconds * 1e9) / computeA,
    };
  } catch (e) {
    out.error = String(e.stack ?? e);
  } finally {
    await worker.close();
  }
  return out;
}

// ---- 5a. Bundle sizes ---------------------------------------------------------------------------

async function bundles() {
  const cfg = await import(pathToFileURL(path.join(root, "rollup.config.js")).href);
  const { rollup } = await import("rollup");
  const typescript = (await import("@rollup/plugin-typescript")).default;
  const out = [];
  for (const [name, list] of Object.entries(cfg.FEATURE_SETS)) {
    const row = { name, features: list.join(", ") };
    for (const strip of [false, true]) {
      const opts = cfg.featureBundle(list);
      if (strip) {
        // The same bundle compiled with TypeScript's removeComments: not a minifier (none is
        // installed, and we add none), but it shows how much of the raw size is documentation.
        opts.plugins[0] = typescript({ tsconfig: path.join(root, "tsconfig.json"), declaration: false, declarationDir: undefined, outDir: undefined, noEmitOnError: true, removeComments: true });
      }
      const bundle = await rollup({ ...opts, onwarn() {} });
      const { output } = await bundle.generate({ format: "es" });
      await bundle.close();
      const code = Buffer.from(output[0].code);
      if (strip) {
        row.noComments = code.length;
        row.noCommentsGzip = gzipSync(code, { level: 9 }).length;
      } else {
        row.raw = code.length;
        row.gzip = gzipSync(code, { level: 9 }).length;
      }
    }
    out.push(row);
  }
  return out;
}

// ---- Report ---------------------------------------------------------------------------------------

function report(r) {
  const L = [];
  const m = r.machine;
  L.push(`# Benchmark results`);
  L.push(``);
  L.push(`Measured ${m.date.slice(0, 10)} with \`${r.command}\` (${r.mode} mode, medians of ${r.runs} runs, ${f(r.seconds, 0)} s in all) of the tree at ${m.source ?? "unknown"} on ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.kernel}, Node ${m.node}. References: ${REF.source}.`);
  L.push(``);
  const lb = r.loopback;
  if (lb) {
    L.push(`## 1. In-process TCP loopback on Node (as smoltcp's loopback_benchmark)`);
    L.push(``);
    L.push(`One process and thread, ${lb.bytes / MiB} MiB per run, 1536-octet frames (1482-octet segments), 64 KiB rings, payload never touched (in-place window API), handshake included.`);
    L.push(``);
    L.push(`| stack | Gbit/s | µs per segment | runs (Gbit/s) | frames per run | ratio |`);
    L.push(`| --- | --- | --- | --- | --- | --- |`);
    L.push(`| smoltcp-ts on Node ${m.node} | **${f(lb.gbps)}** | ${f(lb.usPerSegment, 3)} (CPU ${f(lb.cpuUsPerSegment, 3)}) | ${lb.runs.map((x) => f(x.gbps)).join(", ")} | ${lb.framesPerRun} (${lb.dataSegmentsPerRun} data) | ${f(lb.ratioToSmoltcp * 100, 1)} % of smoltcp |`);
    L.push(`| smoltcp (Rust, reference) | ${REF.smoltcpLoopbackGbps} | ${f((MSS * 8) / (REF.smoltcpLoopbackGbps * 1e3), 3)} | perf-baseline.md | ~1 ACK per 22 segments | 1 |`);
    L.push(``);
  }
  const t = r.tap;
  if (t) {
    L.push(`## 2. TAP against the Linux kernel (\`benchmark tap0 reader|writer\`, in a throwaway namespace)`);
    L.push(``);
    if (t.skipped) L.push(`Skipped: ${t.skipped}.`);
    else {
      L.push(`${t.bytes / 1e9} GB per run. The kernel reference is its own TCP over a veth pair between two namespaces (MTU 1500, offloads on, a Python sender and receiver), measured in this run (${t.vethBytes / 1e9} GB per run).`);
      L.push(``);
      L.push(`| test | Gbit/s | runs | vs kernel veth (this run) | vs smoltcp |`);
      L.push(`| --- | --- | --- | --- | --- |`);
      L.push(`| smoltcp-ts **reader** (we send, the kernel reads) | **${f(t.readerGbps, 3)}** | ${t.reader.map((x) => f(x.gbps, 3)).join(", ")} | ${f((t.readerGbps / t.vethGbps) * 100, 1)} % | ${f((t.readerGbps / REF.smoltcpTapReaderGbps) * 100, 1)} % of ${REF.smoltcpTapReaderGbps} |`);
      L.push(`| smoltcp-ts **writer** (the kernel writes, we receive) | **${f(t.writerGbps, 3)}** | ${t.writer.map((x) => f(x.gbps, 3)).join(", ")} | ${f((t.writerGbps / t.vethGbps) * 100, 1)} % | ${f((t.writerGbps / REF.smoltcpTapWriterGbps) * 100, 1)} % of ${REF.smoltcpTapWriterGbps} |`);
      L.push(`| Linux kernel TCP over veth (reference) | ${f(t.vethGbps, 2)} | ${t.veth.map((x) => f(x, 2)).join(", ")} | 1 | (iperf3 in perf-baseline: ${REF.kernelVethGbps}) |`);
      if (t.tapError) L.push(`\nTAP error: ${t.tapError}`);
      if (t.vethError) L.push(`\nveth error: ${t.vethError}`);
    }
    L.push(``);
  }
  L.push(`## 3. Allocation after init`);
  L.push(``);
  L.push(`| engine | measured over | young GCs | old GCs | heap delta | per segment |`);
  L.push(`| --- | --- | --- | --- | --- | --- |`);
  if (lb?.gc) L.push(`| Node (V8), PerformanceObserver 'gc' | ${lb.gc.bytes / MiB} MiB, ${lb.gc.segments} segments after a 16 MiB warm-up | **${lb.gc.young}** | **${lb.gc.old}** | heapUsed ${lb.gc.heapUsedDelta >= 0 ? "+" : ""}${lb.gc.heapUsedDelta} B | ${f(lb.gc.heapUsedDelta / lb.gc.segments, 4)} B |`);
  const x = r.xs;
  if (x?.alloc) L.push(`| XS (xsnap), slots after gc() | ${x.segments} segments after 2,000 of warm-up | – | – | ${x.alloc.slotDelta} slots, malloc +${x.alloc.mallocDelta} B | **${f(x.alloc.bytesPerSegment, 3)} B** (${f(x.alloc.slotsPerSegment, 4)} slots) |`);
  if (x?.skipped || x?.error) L.push(`\nXS: ${x.skipped ?? x.error}`);
  L.push(``);
  if (x?.compute) {
    const c = x.compute;
    const tp = x.throughput;
    const factor = r.esp32.factor;
    L.push(`## 4. Cost per packet on XS`);
    L.push(``);
    L.push(`The xsnap compute meter (deterministic count of XS operations) on the loopback rig, both ends on one interface, so a segment is paid for once as sender and once as receiver. Per pure ACK: from a second rig that acknowledges every segment (ackDelay 0), (compute B − compute A) / (ACKs B − ACKs A).`);
    L.push(``);
    L.push(`| figure | value |`);
    L.push(`| --- | --- |`);
    L.push(`| compute per 1482-octet segment, sent, received and acknowledged (${c.acksA} ACKs for ${x.segments} segments) | **${f(c.perSegmentAcked, 0)}** |`);
    L.push(`| compute per segment without its share of ACKs | ${f(c.perSegmentNoAck, 0)} |`);
    L.push(`| compute per pure ACK, emitted and processed | **${f(c.perPureAck, 0)}** |`);
    L.push(`| XS on this desktop, loopback throughput | **${f(tp.gbps * 1000, 1)} Mbit/s**, ${f(tp.usPerSegment, 1)} µs per segment (runs: ${tp.seconds.map((s) => f((x.segments * MSS * 8) / s / 1e6, 1)).join(", ")} Mbit/s) |`);
    L.push(`| desktop ns per compute unit | ${f(tp.nsPerComputeUnit, 2)} |`);
    L.push(`| one side of a connection (half a segment + its share of ACKs), XS here | ${f(r.esp32.usPerSegmentOneSide / factor, 1)} µs per segment |`);
    L.push(`| ESP32 at 240 MHz, estimate at ×10 / **×${factor}** the time of XS here (see below) | ${f(r.esp32.usPerSegmentOneSide / 2, 0)} / **${f(r.esp32.usPerSegmentOneSide, 0)} µs** per segment per side → ~${f(r.esp32.mbpsOneSide * 2, 1)} / **${f(r.esp32.mbpsOneSide, 1)} Mbit/s** |`);
    L.push(`| ENC28J60 at 10 Mbit/s: one full frame on the wire every | ${f(r.esp32.wireUsPerFrame, 0)} µs → at ×${factor} **${r.esp32.keepsUp ? "the stack keeps up" : "the stack does NOT keep up"}** (${f(r.esp32.budgetShare * 100, 0)} % of the frame time); it keeps up while the ESP32 is at most **×${f(r.esp32.breakEvenFactor, 1)}** slower than XS here |`);
    L.push(``);
    L.push(r.esp32.why);
    L.push(``);
  }
  L.push(`## 5. Footprint`);
  L.push(``);
  if (r.bundles) {
    L.push(`No minifier is installed and none was added: sizes are rollup's ES module output as \`npm run build\` writes it (comments kept), the same compiled with TypeScript's \`removeComments\`, and both gzipped (level 9).`);
    L.push(``);
    L.push(`| bundle | features | raw | gzip | without comments | gzip |`);
    L.push(`| --- | --- | --- | --- | --- | --- |`);
    for (const b of r.bundles) L.push(`| smoltcp-${b.name}.js | ${b.features} | ${(b.raw / 1024).toFixed(0)} KiB | ${(b.gzip / 1024).toFixed(0)} KiB | ${(b.noComments / 1024).toFixed(0)} KiB | ${(b.noCommentsGzip / 1024).toFixed(0)} KiB |`);
    L.push(``);
  }
  if (x?.footprint) {
    const fp = x.footprint;
    L.push(`XS heap after initialising an interface (IPv4, a 4-slot loopback of 1514-octet frames) with 4 TCP sockets of 2 KiB rings each way (listening) and 2 UDP sockets (4 packets, 1 KiB each way), measured by xsnap after \`gc()\` (full bundle with every feature): **${fp.slots} slots (${fp.slotBytes} B)**; chunks: the rings, packet buffers and frames it asked for are ${fp.bufferOctets} B (xsnap reports no chunk count; its malloc meter grew by ${fp.mallocDelta} B, which is allocation granularity, not use).`);
    L.push(``);
  }
  if (r.profile) {
    L.push(`## 6. Profile (\`node --cpu-prof\`, loopback, ${r.profile.bytes / MiB} MiB), self time`);
    L.push(``);
    L.push(`| share | function |`);
    L.push(`| --- | --- |`);
    for (const p of r.profile.top) L.push(`| ${f(p.share * 100, 1)} % | ${p.name} |`);
    L.push(``);
  }
  return L.join("\n");
}

// ---- Profile -------------------------------------------------------------------------------------

function profile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smolt-prof-"));
  const bytes = mode === "quick" ? 128 * MiB : 256 * MiB;
  try {
    const r = spawnSync(process.execPath, ["--cpu-prof", "--cpu-prof-dir", dir, path.join(build, "bench", "loopback.js"), "--bytes", String(bytes), "--runs", "1", "--warmup", String(16 * MiB), "--skip-gc"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    const file = fs.readdirSync(dir).find((n) => n.endsWith(".cpuprofile"));
    const p = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    const dt = new Map();
    for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) || 0) + (p.timeDeltas[i] || 0));
    const self = new Map();
    let total = 0;
    for (const n of p.nodes) {
      const t = dt.get(n.id) || 0;
      total += t;
      const cf = n.callFrame;
      const file = cf.url.replace(/^.*\/build\//, "");
      const key = `${cf.functionName || "(anonymous)"} (${file || "native"}${file ? ":" + (cf.lineNumber + 1) : ""})`;
      self.set(key, (self.get(key) || 0) + t);
    }
    const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([name, t]) => ({ name, share: t / total }));
    return { bytes, top };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- Main --------------------------------------------------------------------------------------

async function main() {
  const t0 = performance.now();
  // Compile the tree as it is now into the build directory, so that every figure (the XS bundle
  // included) measures the current source, never a stale build someone else left there.
  if (!flag("--no-build")) {
    log(`compiling into ${path.relative(root, build)}/`);
    const tsc = spawnSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.host.json", "--outDir", build], { cwd: root, encoding: "utf8" });
    // Type errors (a file someone is editing) do not stop tsc from writing the JavaScript: say so and go on.
    if (tsc.status !== 0) log("tsc -p tsconfig.host.json reported errors (the output was written all the same):\n" + (tsc.stdout + tsc.stderr).trim());
  }
  if (!fs.existsSync(path.join(build, "bench", "loopback.js"))) throw new Error(path.relative(root, build) + "/bench/loopback.js is missing");
  const r = { command: "npm run bench" + (mode === "default" ? "" : ` -- --${mode}`), mode, runs: P.runs, machine: machine(), references: REF };
  if (only.has("loopback")) {
    r.loopback = loopbackNode();
    log(`loopback ${f(r.loopback.gbps)} Gbit/s; profiling`);
    r.profile = profile();
  }
  if (only.has("xs")) {
    log(`XS: ${P.xsSegments} segments`);
    r.xs = await xs();
    if (r.xs.throughput) {
      // The ESP32 estimate. XS on the desktop runs at ~tp.nsPerComputeUnit per compute unit; an
      // ESP32 (Xtensa LX6, 240 MHz, in-order, 2-way, no double FPU, code and data from flash and
      // PSRAM caches) runs the same interpreter 20x slower: the clock alone is 3.7 GHz / 240 MHz
      // ≈ 15x, and the anchors measured "about an order of magnitude" for simple loops.
      const factor = 20;
      const c = r.xs.compute;
      // One side of a connection on the device: half of a segment's cost here (sender + receiver), plus an ACK's share.
      const perSideUnits = c.perSegmentNoAck / 2 + (c.perPureAck / 2) * (c.acksA / r.xs.segments);
      const us = (perSideUnits * r.xs.throughput.nsPerComputeUnit * factor) / 1000;
      const wireUs = ((1536 + 8 + 12) * 8) / 10; // preamble + SFD, interframe gap, at 10 Mbit/s
      r.esp32 = {
        factor,
        usPerSegmentOneSide: us,
        mbpsOneSide: (MSS * 8) / us,
        wireUsPerFrame: wireUs,
        budgetShare: us / wireUs,
        keepsUp: us < wireUs,
        breakEvenFactor: (wireUs * factor) / us,
        why: `ESP32 assumption: ×${factor} the time of XS on this desktop. The clock ratio alone is about 15 (3.7 GHz boost against 240 MHz), the Xtensa LX6 is in-order and runs XS from flash through a small cache, and research/aesthetics-anchors.md estimates "about an order of magnitude" for simple loops; ×${factor} leans to the slow side. One side of a connection costs about half of the loopback figure (the loopback pays for the sender and the receiver). The SPI transfer of each frame (1536 octets at 8–20 MHz: 0.6–1.5 ms) is on top of this on the device, and it, not the stack, is the ENC28J60's limit when the stack's share stays well below the frame time.`,
      };
    }
  }
  if (only.has("footprint")) {
    log("bundle sizes");
    r.bundles = await bundles();
  }
  if (only.has("tap")) r.tap = await tapAndVeth();
  r.seconds = (performance.now() - t0) / 1000;
  const md = report(r);
  // --out DIR: write the results elsewhere (a partial or trial run must not replace bench/results.md).
  const outDir = option("--out") ? path.resolve(option("--out")) : here;
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "results.json"), JSON.stringify(r, null, 2) + "\n");
  fs.writeFileSync(path.join(outDir, "results.md"), md + "\n");
  console.log(md);
  log(`done in ${f(r.seconds, 0)} s; wrote ${path.relative(root, outDir) || "."}/results.md and results.json`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
