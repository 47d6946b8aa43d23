/**
 * The XS part of `npm run soak` (test/reliability/soak.mjs): the reliability fuzzer's rig inside
 * the XS engine, driven in chunks by the soak, which reads the engine's live slot count after a
 * full collection between chunks (it must not move). Not a test file; compiled with the rest
 * and bundled by the soak.
 */
import { TcpFuzzRig } from "./tcp-fuzz.js";

interface SoakXs {
  /** Builds the rig and runs `warm` frames (every rare path taken once before counting). */
  start(seed: number, warm: number): void;
  /** Runs `frames` fuzzed frames with the application's turn; returns the invariant failures seen. */
  step(frames: number): number;
  /** The first invariant failure, or null. */
  firstProblem: string | null;
  /** Frames received by the interface so far. */
  frames(): number;
}

let rig: TcpFuzzRig | null = null;
const soak: SoakXs = {
  firstProblem: null,
  start(seed: number, warm: number): void {
    rig = new TcpFuzzRig(seed);
    for (let i = 0; i < warm; i++) rig.step(1);
  },
  step(frames: number): number {
    const r = rig as TcpFuzzRig;
    let bad = 0;
    for (let i = 0; i < frames; i++) {
      r.step(1);
      const p = r.problem();
      if (p !== null) {
        bad++;
        if (soak.firstProblem === null) soak.firstProblem = p;
      }
    }
    return bad;
  },
  frames(): number {
    return rig === null ? 0 : rig.iface.stats.rxFrames;
  },
};
(globalThis as unknown as { __soakXs: SoakXs }).__soakXs = soak;
