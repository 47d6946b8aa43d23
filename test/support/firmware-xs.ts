/**
 * The firmware on the desktop, Node side: builds the XS script of `firmware/main.ts` with its
 * Moddable host specifiers mapped to the stand-ins of `test/firmware/desktop-host.ts`, runs it in
 * an `xsnap-worker` (the real XS engine built by `@agoric/xsnap`), and exchanges Ethernet frames
 * with it over the worker's netstring pipes.
 *
 * The worker protocol is the one `test/support/xsnap.mjs` describes; this module speaks it
 * itself because it also needs the `?` command (a binary request to the script's
 * `handleCommand`, whose `ArrayBuffer` result is the reply), which that runner does not expose:
 *
 *   `e<code>`   evaluate; reply `.<meters>\x01<result if ArrayBuffer>` or `!<error>`
 *   `?<bytes>`  handleCommand(bytes); reply as above
 *
 * Every reply carries the worker's meters; `currentHeapCount` is the number of XS slots in use.
 * An exchange asked to `gc()` first therefore reports the live slots plus whatever the
 * exchange allocated: constant from one exchange to the next unless the firmware allocates.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The compiled entry (build dir of this run): <build>/test/firmware/desktop-entry.js. */
const ENTRY = path.resolve(here, "..", "firmware", "desktop-entry.js");
const HOST = path.resolve(here, "..", "firmware", "desktop-host.js");

/** Host specifier → the desktop stand-in's export. */
const STAND_INS: Record<string, string> = {
  "embedded:io/spi": "SPI",
  "embedded:io/digital": "Digital",
  timer: "Timer",
  time: "Time",
  "mc/config": "config",
};

export interface Meter {
  currentHeapCount: number;
  compute: number;
  allocate: number;
}

/** Path of the xsnap worker binary, or null. */
export function xsnapWorker(): string | null {
  let pkg: string;
  try {
    pkg = path.dirname(createRequire(import.meta.url).resolve("@agoric/xsnap/package.json"));
  } catch {
    return null;
  }
  const platform = ({ linux: "lin", darwin: "mac" } as Record<string, string>)[process.platform];
  if (!platform) return null;
  const bin = path.join(pkg, "xsnap-native", "xsnap", "build", "bin", platform, "release", "xsnap-worker");
  return fs.existsSync(bin) ? bin : null;
}

/** Bundles the firmware for XS (one classic script). */
export async function buildFirmwareScript(): Promise<string> {
  const { rollup } = (await import("rollup")) as typeof import("rollup");
  const bundle = await rollup({
    input: ENTRY,
    onwarn(w, warn) {
      if (w.code === "CIRCULAR_DEPENDENCY" || w.code === "THIS_IS_UNDEFINED") return;
      warn(w);
    },
    plugins: [
      {
        name: "moddable-stand-ins",
        resolveId(id: string) {
          return id in STAND_INS ? "\0standin:" + id : null;
        },
        load(id: string) {
          if (!id.startsWith("\0standin:")) return null;
          const name = STAND_INS[id.slice("\0standin:".length)];
          return `export { ${name} as default } from ${JSON.stringify(HOST)};\n`;
        },
      },
    ],
  });
  const { output } = await bundle.generate({ format: "iife", name: "__firmwareBundle", inlineDynamicImports: true });
  await bundle.close();
  return output[0].code;
}

interface Pending {
  resolve: (r: { reply: Buffer; meter: Meter }) => void;
  reject: (e: Error) => void;
}

/** A minimal xsnap-worker driver with `e` (evaluate) and `?` (handleCommand). */
export class XsWorker {
  private readonly child: ChildProcess;
  private pending: Pending | null = null;
  private exited: string | null = null;
  private buf: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  private chain: Promise<unknown> = Promise.resolve();

  constructor(name = "smoltcp-firmware") {
    const bin = xsnapWorker();
    if (!bin) throw new Error("the XS worker binary of @agoric/xsnap is missing (did its install step run?)");
    this.child = spawn(bin, [name], { stdio: ["ignore", "inherit", "inherit", "pipe", "pipe"] });
    this.child.on("exit", (code, signal) => {
      this.exited = `XS worker exited (code ${code}, signal ${signal})`;
      const p = this.pending;
      this.pending = null;
      if (p) p.reject(new Error(this.exited));
    });
    const from = this.child.stdio[4] as NodeJS.ReadableStream;
    from.on("data", (chunk: Buffer) => this.onData(chunk));
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const colon = this.buf.indexOf(0x3a);
      if (colon < 0) return;
      const len = +this.buf.subarray(0, colon).toString("ascii");
      if (this.buf.length < colon + 1 + len + 1) return;
      const msg = Buffer.from(this.buf.subarray(colon + 1, colon + 1 + len));
      this.buf = this.buf.subarray(colon + 1 + len + 1);
      this.onMessage(msg);
    }
  }

  private onMessage(msg: Buffer): void {
    if (msg[0] === 0x3f /* ? */) {
      // The script called issueCommand: this harness answers nothing.
      this.send(Buffer.from("/"));
      return;
    }
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    if (msg[0] === 0x2e /* . */) {
      const sep = msg.indexOf(1, 1);
      const meter = JSON.parse(msg.subarray(1, sep).toString("utf8")) as Meter;
      p.resolve({ reply: msg.subarray(sep + 1), meter });
    } else if (msg[0] === 0x21 /* ! */) {
      p.reject(new Error("XS: " + msg.subarray(1).toString("utf8")));
    } else {
      p.reject(new Error("XS worker protocol error: " + msg.subarray(0, 40).toString("utf8")));
    }
  }

  private send(bytes: Buffer): void {
    const to = this.child.stdio[3] as NodeJS.WritableStream;
    to.write(Buffer.concat([Buffer.from(`${bytes.length}:`), bytes, Buffer.from(",")]));
  }

  private request(kind: string, body: Buffer): Promise<{ reply: Buffer; meter: Meter }> {
    const run = () =>
      new Promise<{ reply: Buffer; meter: Meter }>((resolve, reject) => {
        if (this.exited) return reject(new Error(this.exited));
        this.pending = { resolve, reject };
        this.send(Buffer.concat([Buffer.from(kind), body]));
      });
    const p = this.chain.then(run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  evaluate(code: string): Promise<{ reply: Buffer; meter: Meter }> {
    return this.request("e", Buffer.from(code, "utf8"));
  }

  command(bytes: Buffer): Promise<{ reply: Buffer; meter: Meter }> {
    return this.request("?", bytes);
  }

  async close(): Promise<void> {
    await this.chain;
    if (this.exited) return;
    const done = new Promise((r) => this.child.once("exit", r));
    this.send(Buffer.from("q"));
    (this.child.stdio[3] as NodeJS.WritableStream).end();
    const t = setTimeout(() => this.child.kill("SIGKILL"), 2000);
    await done;
    clearTimeout(t);
  }
}

/** What `report()` returns (see test/firmware/desktop-entry.ts). */
export interface FirmwareReport {
  log: string[];
  exchanges: number;
  framesIn: number;
  framesOut: number;
  framesWaiting: number;
  replyOverflows: number;
  /** Frames of burst exchanges the chip dropped (ring full). */
  burstDropped: number;
  timerCalls: number;
  interruptCalls: number;
  turns: number;
  driver: Record<string, number | boolean> | null;
  chip: Record<string, number>;
  /** firmware/services.ts's counters (current and last connection of the sink and the source). */
  services: { sunk: number; sinkSum: number; lastSunk: number; lastSinkSum: number; sinkConnections: number; sourced: number; lastSourced: number; sourceConnections: number } | null;
  iface: { rxFrames: number; rxProcessed: number } | null;
  holdings: { arrayBuffers: number; bufferOctets: number; arrays: number; arrayElements: number; objects: number } | null;
}

/** What booting measured: slots the firmware holds after init (after a full collection). */
export interface BootFigures {
  /** Slots in use before `main()` (the engine, the bundle's code and the emulated chip). */
  before: number;
  /** Slots in use after `main()` and a collection. */
  after: number;
  /** Slots each evaluated command leaves behind (xsnap keeps its script record). */
  residue: number;
  /** after − before − residue: what the firmware made at init (its objects, sockets, driver). */
  firmwareSlots: number;
}

/** The result of one exchange. */
export interface ExchangeResult {
  frames: Buffer[];
  /** ms until the firmware's next timer, -1: none. */
  delay: number;
  meter: Meter;
}

/**
 * The firmware booted in XS. `exchange(frames, now, gc)` puts frames on the chip's wire at clock
 * `now`, runs the firmware's event loop until it is idle, and returns what it sent. With `gc`
 * the worker collects first, so `meter.currentHeapCount` is live slots + what the exchange made.
 */
export class XsFirmware {
  readonly worker: XsWorker;
  boot: BootFigures | null = null;
  /** Slot counts of the exchanges made with `gc` while `recording`. */
  readonly heapCounts: number[] = [];
  recording = false;

  private constructor(worker: XsWorker) {
    this.worker = worker;
  }

  /** Builds, loads and boots the firmware with the manifest `config` values given. */
  static async start(config: Record<string, unknown>, now: number, script?: string): Promise<XsFirmware> {
    const code = script ?? (await buildFirmwareScript());
    const fw = new XsFirmware(new XsWorker());
    try {
      await fw.worker.evaluate(code);
      await fw.worker.evaluate(`__fw.configure(${JSON.stringify(JSON.stringify(config))})`);
      const a = await fw.worker.evaluate("gc()");
      const b = await fw.worker.evaluate("gc()");
      const residue = b.meter.currentHeapCount - a.meter.currentHeapCount;
      const booted = await fw.worker.evaluate(`__fw.boot(${now | 0}); gc()`);
      const before = b.meter.currentHeapCount;
      const after = booted.meter.currentHeapCount;
      fw.boot = { before, after, residue, firmwareSlots: after - before - residue };
    } catch (e) {
      await fw.worker.close();
      throw e;
    }
    return fw;
  }

  /**
   * With `burst`, the frames go on the chip's wire back to back before the firmware runs (what
   * the ring cannot hold is dropped by the chip); otherwise each waits for room in the ring.
   */
  async exchange(frames: Uint8Array[], now: number, gc = this.recording, burst = false): Promise<ExchangeResult> {
    let size = 8;
    for (const f of frames) size += 2 + f.length;
    const req = Buffer.alloc(size);
    req.writeInt32LE(now | 0, 0);
    req.writeInt32LE((gc ? 1 : 0) | (burst ? 2 : 0), 4);
    let off = 8;
    for (const f of frames) {
      req.writeUInt16LE(f.length, off);
      req.set(f, off + 2);
      off += 2 + f.length;
    }
    const { reply, meter } = await this.worker.command(req);
    if (gc && this.recording) this.heapCounts.push(meter.currentHeapCount);
    const delay = reply.readInt32LE(0);
    const out: Buffer[] = [];
    for (let at = 8; at + 2 <= reply.length;) {
      const len = reply.readUInt16LE(at);
      out.push(Buffer.from(reply.subarray(at + 2, at + 2 + len)));
      at += 2 + len;
    }
    return { frames: out, delay, meter };
  }

  async report(): Promise<FirmwareReport> {
    const { reply } = await this.worker.evaluate(`new TextEncoder().encode(__fw.report()).buffer`);
    return JSON.parse(reply.toString("utf8")) as FirmwareReport;
  }

  /** The allocation control: every exchange allocates one object while on. */
  async control(on: boolean): Promise<void> {
    await this.worker.evaluate(`__fw.control(${on})`);
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}

/**
 * The `config` of firmware/manifest.json (what `mc/config` holds on the device), read from the
 * repository (the tests run from its root), with `overrides` on top.
 */
export function manifestConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const manifest = JSON.parse(fs.readFileSync(path.join(process.cwd(), "firmware", "manifest.json"), "utf8")) as { config?: Record<string, unknown> };
  return { ...(manifest.config ?? {}), ...overrides };
}

/** Summary of recorded heap counts: min, max, how many. */
export function heapSummary(counts: number[]): { exchanges: number; min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const c of counts) {
    if (c < min) min = c;
    if (c > max) max = c;
  }
  return { exchanges: counts.length, min, max };
}
