/**
 * `node firmware-tap-bridge.js TAP`: the firmware booted in XS (see firmware-xs.ts) with the
 * emulated chip's wire bridged to the Linux TAP interface `TAP`, on the real clock. Started by
 * `test/host/firmware-tap.test.ts` inside a throwaway network namespace (`ip netns exec`), so
 * the TAP it opens is the namespace's and nothing reaches the host's network.
 *
 * The loop: wait until the TAP is readable or the firmware's next timer is due (the TAP
 * driver's `Readiness`), read every frame the kernel sent, hand them to the firmware in one
 * exchange, write what it sent back to the TAP, and wait again.
 *
 * stdin, one command a line: `measure on` (from now on every exchange starts with a full
 * collection and its slot count is recorded), `measure off`, `report` (prints `report <JSON>`;
 * it evaluates code in XS, which leaves a slot behind: never between `measure on` and `off`),
 * `hold` (the firmware stops running, as if its CPU were busy elsewhere: frames from the TAP are
 * kept here; prints `holding`), `held` (prints `held <frames> <IPv4 echo requests among them>`), `burst` (puts every kept frame
 * on the chip's wire back to back, before the firmware runs again, so what does not fit in the
 * receive ring is dropped by the chip, then runs as before; prints `burst <JSON>`).
 * Prints `ready ...` once the firmware has booted. Ends on SIGTERM or when stdin closes.
 */
import * as readline from "node:readline";
import { Readiness, TapInterface } from "../../drivers/tap/index.js";
import { heapSummary, manifestConfig, XsFirmware } from "./firmware-xs.js";

const name = process.argv[2] ?? "tap0";
/** The firmware's clock starts 10 s before the int32 wrap, so the run crosses it. */
const START = (0x7fffffff - 10000) | 0;
const t0 = performance.now();
const clock = (): number => (START + Math.floor(performance.now() - t0)) | 0;

const tap = new TapInterface(name);
// The manifest's own configuration: 02-00-00-00-00-01, 192.168.69.1/24, fdaa::1/64, buffers.
const fw = await XsFirmware.start(manifestConfig(), clock());

let stopping = false;
let busy = false;
let again = false;
let exchanges = 0;
let framesIn = 0;
let framesOut = 0;
let txDropped = 0;
/** Frames moved by each recorded exchange. */
const moved: number[] = [];
/** While holding: the frames read from the TAP, not yet given to the firmware. */
let holding = false;
const held: Buffer[] = [];

/** Writes the frames the firmware sent to the TAP. */
function toTap(now: number, out: Buffer[]): void {
  for (const f of out) {
    const off = tap.transmitBegin(now, f.length);
    if (off < 0) {
      txDropped++;
      continue;
    }
    tap.txBytes.set(f, off);
    tap.transmitCommit(f.length);
    framesOut++;
  }
}

async function turn(): Promise<void> {
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  let delay = -1;
  try {
    do {
      again = false;
      const now = clock();
      const frames: Buffer[] = [];
      for (let n; frames.length < 256 && (n = tap.receive(now)) > 0;) frames.push(Buffer.from(tap.rxBytes.subarray(0, n)));
      if (holding) {
        for (const f of frames) held.push(f);
        delay = 50;
        continue;
      }
      const x = await fw.exchange(frames, clock());
      exchanges++;
      framesIn += frames.length;
      if (fw.recording) moved.push(frames.length + x.frames.length);
      toTap(now, x.frames);
      delay = x.delay;
      if (frames.length === 256) again = true;
    } while (again && !stopping);
  } finally {
    busy = false;
  }
  if (!stopping) readiness.arm(delay < 0 || delay > 1000 ? 1000 : delay);
}

const readiness = new Readiness(tap.fd, {
  ready(): void {
    turn().catch((e) => {
      console.error("bridge: " + (e instanceof Error ? e.stack : String(e)));
      void stop(1);
    });
  },
});

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  readiness.close();
  await fw.close();
  tap.close();
  process.exit(code);
}

process.on("SIGTERM", () => void stop(0));
const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const cmd = line.trim();
  if (cmd === "measure on") {
    fw.heapCounts.length = 0;
    moved.length = 0;
    fw.recording = true;
    console.log("measuring");
  } else if (cmd === "measure off") {
    fw.recording = false;
    console.log("measured");
  } else if (cmd === "hold") {
    holding = true;
    console.log("holding");
  } else if (cmd === "held") {
    let echoes = 0;
    for (const f of held) if (f.length > 34 && f[12] === 0x08 && f[13] === 0x00 && f[23] === 1 && f[14 + (f[14] & 15) * 4] === 8) echoes++;
    console.log(`held ${held.length} ${echoes}`);
  } else if (cmd === "burst") {
    const frames = held.splice(0, held.length);
    const sizes = frames.map((f) => f.length);
    holding = false;
    void fw
      .exchange(frames, clock(), false, true)
      .then((x) => {
        exchanges++;
        framesIn += frames.length;
        toTap(clock(), x.frames);
        console.log("burst " + JSON.stringify({ frames: frames.length, sizes, sent: x.frames.length }));
        readiness.arm(0);
      })
      .catch((e) => {
        console.error("bridge: " + (e instanceof Error ? e.stack : String(e)));
        void stop(1);
      });
  } else if (cmd === "report") {
    void fw.report().then((rep) => {
      const { log, holdings, ...rest } = rep;
      console.log("report " + JSON.stringify({ ...rest, log, holdings, boot: fw.boot, heap: heapSummary(fw.heapCounts), busiest: moved.length ? Math.max(...moved) : 0, idle: moved.filter((m) => m === 0).length, bridge: { exchanges, framesIn, framesOut, txDropped } }));
    });
  }
});
rl.on("close", () => void stop(0));

console.log(`ready on ${name}: firmware booted in XS, ${fw.boot?.firmwareSlots} slots after init`);
readiness.arm(0);
