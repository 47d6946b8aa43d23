/// <reference path="../../firmware/host.d.ts" />
/**
 * The entry of the firmware's desktop bundle (built by `test/support/firmware-xs.ts`, run in
 * xsnap): the real `firmware/main.ts`, its host specifiers mapped to `desktop-host.ts`, plus
 * the few globals the Node harness calls with `evaluate`:
 *
 * - `handleCommand(request)`: one exchange (frames in, frames out; see desktop-host.ts);
 * - `__fw.configure(json)`: the manifest's `config` for this run, before `boot`;
 * - `__fw.boot(now)`: calls the firmware's `main()` at clock `now`, as Moddable does at start;
 * - `__fw.report()`: counters, the trace log and what the firmware holds, as JSON;
 * - `__fw.control(on)`: makes every exchange allocate one object (the detector's control).
 */
import main, { type Firmware } from "../../firmware/main.js";
import { Enc28j60Chip, EmulatedDigital, EmulatedSpi } from "../../drivers/enc28j60/emulator/index.js";
import { board, config, installGlobals } from "./desktop-host.js";

let firmware: Firmware | null = null;

/** Octets held in ArrayBuffers and array elements reachable from the firmware (the chip excluded). */
function holdings(root: object): { arrayBuffers: number; bufferOctets: number; arrays: number; arrayElements: number; objects: number } {
  const seen = new Set<object>();
  const buffers = new Set<ArrayBuffer>();
  let arrays = 0;
  let arrayElements = 0;
  const stack: object[] = [root];
  while (stack.length > 0) {
    const o = stack.pop() as object;
    if (seen.has(o)) continue;
    seen.add(o);
    if (o instanceof Enc28j60Chip || o instanceof EmulatedSpi || o instanceof EmulatedDigital) continue;
    if (ArrayBuffer.isView(o)) {
      buffers.add(o.buffer as ArrayBuffer);
      continue;
    }
    if (o instanceof ArrayBuffer) {
      buffers.add(o);
      continue;
    }
    if (Array.isArray(o)) {
      arrays++;
      arrayElements += o.length;
    }
    if (typeof o === "function") continue;
    for (const k of Object.getOwnPropertyNames(o)) {
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (d === undefined || !("value" in d)) continue;
      const v = d.value as unknown;
      if (v !== null && (typeof v === "object" || typeof v === "function")) stack.push(v as object);
    }
  }
  let octets = 0;
  for (const b of buffers) octets += b.byteLength;
  return { arrayBuffers: buffers.size, bufferOctets: octets, arrays, arrayElements, objects: seen.size };
}

const api = {
  configure(json: string): void {
    const values = JSON.parse(json) as Record<string, unknown>;
    for (const k of Object.keys(values)) config[k] = values[k];
  },
  boot(now: number): void {
    board.now = now | 0;
    firmware = main();
  },
  control(on: boolean): void {
    board.allocateOnPurpose = on;
    if (!on) board.release();
  },
  report(): string {
    const f = firmware;
    const d = f?.device;
    const chip = board.chip;
    return JSON.stringify({
      log: board.log,
      exchanges: board.exchanges,
      framesIn: board.framesIn,
      framesOut: board.framesOut,
      framesWaiting: board.framesWaiting,
      replyOverflows: board.replyOverflows,
      burstDropped: board.burstDropped,
      timerCalls: board.timerCalls,
      interruptCalls: board.interruptCalls,
      turns: f?.turns ?? 0,
      driver: d ? { ...d.stats, linkUp: d.linkUp, revision: d.revision } : null,
      chip: {
        instructions: chip.instructions,
        protocolErrors: chip.protocolErrors,
        framesReceived: chip.framesReceived,
        framesFiltered: chip.framesFiltered,
        framesOverflowed: chip.framesOverflowed,
        framesTransmitted: chip.framesTransmitted,
        framesAborted: chip.framesAborted,
        corruptions: chip.corruptions,
      },
      services: f
        ? (({ sunk, sinkSum, lastSunk, lastSinkSum, sinkConnections, sourced, lastSourced, sourceConnections }) => ({ sunk, sinkSum, lastSunk, lastSinkSum, sinkConnections, sourced, lastSourced, sourceConnections }))(f.services)
        : null,
      iface: f ? { rxFrames: f.iface.stats.rxFrames, rxProcessed: f.iface.stats.rxProcessed } : null,
      holdings: f ? holdings(f) : null,
    });
  },
};

installGlobals();
const g = globalThis as unknown as Record<string, unknown>;
g.__fw = api;
g.handleCommand = (request: ArrayBuffer): ArrayBuffer => board.exchange(request);
