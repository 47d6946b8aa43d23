/**
 * The hosted event loop (ARCHITECTURE.md, "Hosts"): poll the interface, then sleep in Node's
 * event loop until the device's file descriptor is readable or `iface.pollDelay` expires, then
 * poll again. Between polls the application reads and writes its sockets (`LoopApp.step`).
 *
 * One `Readiness` (a libuv poll handle and timer in the TAP shim) with one handler, armed again
 * after every round: nothing is allocated per wake-up or per frame. A round polls until neither
 * the interface nor the application has anything left to do at that instant (at most 64 times
 * in a row, then it yields to the event loop with a zero timeout, so that Node's own I/O, stdin
 * say, is never starved).
 *
 * A fault injector that rate-limits reception leaves frames waiting in the kernel: the fd stays
 * readable while the stack may not take them yet. A wake-up for readability that moved nothing
 * is therefore followed by a short timer-only wait (`RATE_LIMIT_WAIT_MS`) instead of a busy loop.
 */
import { randomFillSync } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Interface } from "../src/iface/interface.js";
import type { Device } from "../src/phy/device.js";
import type { SocketSet } from "../src/socket/set.js";
import type { RandomSource } from "../src/socket/tcp/isn.js";
import type { Instant } from "../src/time.js";
import { Readiness, type ReadinessHandler } from "../drivers/tap/index.js";

/** Rounds of polling in a row before the loop yields to Node's event loop. */
const MAX_ROUNDS = 64;
/** The wait after a readable wake-up that moved nothing (frames held back by a rate limit). */
const RATE_LIMIT_WAIT_MS = 5;

/** The stack's clock: int32 milliseconds since the process started (wraps after 24.8 days). */
export function hostNow(): Instant {
  return Math.floor(performance.now()) | 0;
}

/** Node's `crypto` as the interface's `RandomSource`, drawn 64 words at a time. */
export class CryptoRandom implements RandomSource {
  private readonly words = new Int32Array(64);
  private next = 64;
  nextInt32(): number {
    if (this.next === 64) {
      randomFillSync(this.words);
      this.next = 0;
    }
    return this.words[this.next++];
  }
}

/** The application's part of a loop. */
export interface LoopApp {
  /** Reads and writes sockets after a poll; returns true when it did something that may need another poll now. */
  step(now: Instant): boolean;
  /** Milliseconds until the application wants `step` again whatever happens (-1: no wish). */
  delay(now: Instant): number;
}

/** Something with a file descriptor to wait on: a `TapInterface` or a `RawSocketDevice`. */
export interface WaitableDevice {
  readonly fd: number;
}

export class HostLoop implements ReadinessHandler {
  /** Rounds run (wake-ups). */
  wakeups = 0;
  /** Polls run. */
  polls = 0;
  private readonly readiness: Readiness;
  private stopped = false;
  private kickPending = false;
  private resolveDone: (() => void) | null = null;
  /** Resolves when `stop` is called. */
  readonly done: Promise<void>;
  private readonly onKick = (): void => {
    this.kickPending = false;
    if (!this.stopped) this.run(false);
  };

  /**
   * `device` is what `poll` is given (the outermost wrapper); `waitable` the hosted device at
   * the bottom of that chain, whose fd the loop waits on.
   */
  constructor(
    readonly iface: Interface,
    readonly device: Device,
    waitable: WaitableDevice,
    readonly sockets: SocketSet,
    readonly app: LoopApp,
  ) {
    this.readiness = new Readiness(waitable.fd, this);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** Runs the first round at once. */
  start(): void {
    this.kick();
  }

  /** Runs a round soon (after something outside the stack happened: stdin data, a timer). */
  kick(): void {
    if (this.kickPending || this.stopped) return;
    this.kickPending = true;
    this.readiness.disarm();
    setImmediate(this.onKick);
  }

  /** Ends the loop: no more polls, the wait's handles are released, `done` resolves. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.readiness.close();
    this.resolveDone?.();
  }

  /** The readiness callback. */
  ready(readable: boolean): void {
    if (!this.stopped) this.run(readable);
  }

  private run(readable: boolean): void {
    this.wakeups++;
    const { iface, device, sockets, app } = this;
    let now = hostNow();
    let moved = false;
    for (let rounds = 0; ; rounds++) {
      if (rounds === MAX_ROUNDS) {
        this.readiness.arm(0, false);
        return;
      }
      this.polls++;
      const polled = iface.poll(now, device, sockets);
      const acted = app.step(now);
      if (this.stopped) return;
      if (!polled && !acted) break;
      moved = true;
      now = hostNow();
    }
    let d = iface.pollDelay(now, sockets);
    const a = app.delay(now);
    if (a >= 0 && (d < 0 || a < d)) d = a;
    if (readable && !moved) {
      // Readable, yet nothing came in: frames held back by a rate limit. Look again shortly.
      this.readiness.arm(d < 0 || d > RATE_LIMIT_WAIT_MS ? RATE_LIMIT_WAIT_MS : d, false);
    } else {
      this.readiness.arm(d, true);
    }
  }
}
