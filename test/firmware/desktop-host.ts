/**
 * The desktop stand-in for the ESP32 board the firmware runs on, inside the XS engine (xsnap):
 * what `firmware/main.ts` imports as `embedded:io/spi`, `embedded:io/digital`, `timer`, `time`
 * and `mc/config`, plus the `trace` and `device` globals. The firmware bundle for the desktop
 * (`test/support/firmware-xs.ts`) maps those specifiers to the exports of this module.
 *
 * - **SPI, Digital**: the emulator's ECMA-419 classes (`drivers/enc28j60/emulator/io.ts`) on the
 *   board's one emulated ENC28J60, which the firmware's options cannot name (a host would not
 *   accept a `chip` option): the subclasses add it.
 * - **Timer, Time**: a list of timers on the harness's clock, with the semantics of Moddable's
 *   MCU timer loop (modTimer.c): the timers due when a turn starts fire in creation order; a
 *   repeating timer's trigger moves by its interval *before* its callback runs (so a
 *   `Timer.schedule` inside the callback wins); a one-shot timer is removed after its callback.
 *   `Time.ticks` is the harness's clock (int32 ms). `Timer.delay` moves the clock and the chip.
 * - **The wire**: the chip is `connect`ed to the board, which packs every frame the chip sends
 *   into the reply of the current exchange; frames from the harness are put on the chip's wire
 *   only when its receive ring has room (the emulated wire waits for the firmware, so the
 *   harness's pace never overflows the ring: a lossless, flow-controlled link). An exchange
 *   marked *burst* instead puts all its frames on the wire back to back before the firmware
 *   runs at all (no INT edge delivered, no timer fired in between), as a real wire does while
 *   the CPU is busy elsewhere: what does not fit in the ring is dropped by the chip (RXERIF,
 *   counted in `chip.framesOverflowed` and here in `burstDropped`).
 *
 * One exchange = one `handleCommand(ArrayBuffer)` from Node (xsnap's `?` command):
 *
 * ```text
 *  request:  int32 now | int32 flags | (uint16 length, frame octets)*      flags bit 0: gc() first,
 *                                                                          bit 1: burst
 *  reply:    int32 delay | int32 flags | (uint16 length, frame octets)*    delay: ms until the next
 *                                                                          timer, -1: none
 * ```
 *
 * (little-endian). An exchange allocates the same things every time (the request's ArrayBuffer,
 * made by xsnap, and one `Uint8Array` over it), whatever it carries: with `gc()` at its start,
 * the XS slot count reported after it is constant unless the firmware allocated.
 */
import { EmulatedDigital, EmulatedSpi, Enc28j60Chip, type WirePeer } from "../../drivers/enc28j60/emulator/index.js";
import type { DigitalOptions, SpiOptions } from "../../drivers/enc28j60/ecma419.js";

/** Largest reply (frames sent in one exchange). More is dropped and counted. */
const REPLY_MAX = 512 * 1024;
/** Octets copied per frame sent (the largest frame, rounded up): the reply keeps this much spare. */
const COPY_WINDOW = 1536;

/** ES2024's resizable ArrayBuffer (this project's lib is ES2022; XS has it). */
interface ResizableBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
}
type ResizableBufferConstructor = new (byteLength: number, options: { maxByteLength: number }) => ResizableBuffer;

/** One `Timer` of the stand-in. */
export class DesktopTimer {
  constructor(
    public callback: ((t: DesktopTimer) => void) | null,
    /** Clock value at which it fires. */
    public triggerTime: number,
    /** Repeat interval; 0: one-shot. */
    public repeat: number,
    /** False: unscheduled (it stays known, but does not fire). */
    public scheduled: boolean,
  ) {}
  /** Set when the turn that fires it starts. */
  firing = false;
}

/** The board: clock, chip, timers, log and the wire to Node. */
export class DesktopBoard implements WirePeer {
  /** The harness's clock, int32 ms (Time.ticks). */
  now = 0;
  readonly chip = new Enc28j60Chip();
  readonly timers: DesktopTimer[] = [];
  /** `trace` output. */
  readonly log: string[] = [];
  /** The reply under construction (resizable: xsnap sends its current length). */
  readonly reply: ResizableBuffer = new (ArrayBuffer as unknown as ResizableBufferConstructor)(REPLY_MAX, { maxByteLength: REPLY_MAX });
  private readonly replyBytes = new Uint8Array(this.reply, 0, REPLY_MAX);
  private readonly replyView = new DataView(this.reply, 0, REPLY_MAX);
  private replyLen = 8;
  private srcBytes: Uint8Array | null = null;
  private srcOff = -1;
  private srcWindow: Uint8Array | null = null;
  /** Frames the harness gave that the firmware has not taken (the ring was full). */
  framesWaiting = 0;
  /** Frames the chip sent that did not fit in the reply. */
  replyOverflows = 0;
  /** Frames of burst exchanges that the chip dropped because its receive ring was full (not those its filters refused). */
  burstDropped = 0;
  /** Exchanges served, frames each way, timer callbacks run, INT edges delivered. */
  exchanges = 0;
  framesIn = 0;
  framesOut = 0;
  timerCalls = 0;
  interruptCalls = 0;
  /** A test switch: allocate one object per exchange (the allocation detector's control). */
  allocateOnPurpose = false;
  private kept: object | null = null;

  constructor() {
    this.chip.connect(this);
  }

  /** WirePeer: a frame the chip put on the wire goes into the reply. */
  injectFrame(bytes: Uint8Array, off: number, len: number): boolean {
    const at = this.replyLen;
    if (at + 2 + COPY_WINDOW > REPLY_MAX) {
      this.replyOverflows++;
      return false;
    }
    this.replyView.setUint16(at, len, true);
    // Copy a fixed 1536-octet window (made once per source: the chip always sends from its
    // transmit scratch), so no view is made per frame; what lies past `len` is overwritten by
    // the next frame or cut off by the final resize.
    if (bytes !== this.srcBytes || off !== this.srcOff) {
      this.srcBytes = bytes;
      this.srcOff = off;
      this.srcWindow = bytes.subarray(off, Math.min(bytes.length, off + COPY_WINDOW));
    }
    const w = this.srcWindow;
    if (w !== null && w.length >= len) this.replyBytes.set(w, at + 2);
    else this.replyBytes.set(bytes.subarray(off, off + len), at + 2);
    this.replyLen = at + 2 + len;
    this.framesOut++;
    return true;
  }

  /** Fires the timers due now (Moddable's modTimersExecute); returns how many ran. */
  runTimers(): number {
    const now = this.now;
    const list = this.timers;
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const t = list[i];
      t.firing = t.scheduled && t.callback !== null && ((t.triggerTime - now) | 0) <= 0;
    }
    for (let i = 0; i < list.length; i++) {
      const t = list[i];
      if (!t.firing) continue;
      t.firing = false;
      t.triggerTime = (t.triggerTime + t.repeat) | 0;
      const cb = t.callback;
      if (cb === null) continue;
      n++;
      this.timerCalls++;
      cb.call(globalThis, t);
      if (t.repeat === 0) timerClear(t);
    }
    return n;
  }

  /** Milliseconds until the next timer fires (0: due), -1: no timer scheduled. */
  nextTimer(): number {
    let best = -1;
    const list = this.timers;
    for (let i = 0; i < list.length; i++) {
      const t = list[i];
      if (!t.scheduled || t.callback === null) continue;
      let d = (t.triggerTime - this.now) | 0;
      if (d < 0) d = 0;
      if (best < 0 || d < best) best = d;
    }
    return best;
  }

  /** Turns of the event loop until nothing is left to do now: INT edges, then due timers. */
  runEvents(): number {
    let total = 0;
    for (let round = 0; round < 1000; round++) {
      const edges = this.chip.dispatchInterrupts();
      this.interruptCalls += edges;
      const timers = this.runTimers();
      if (edges + timers === 0) break;
      total += edges + timers;
    }
    return total;
  }

  /** Whether the chip's receive ring can take a frame of `len` octets now. */
  private roomFor(len: number): boolean {
    return this.chip.packetCount() < 255 && ((6 + len + 4 + 1) & ~1) <= this.chip.freeSpace();
  }

  /** One exchange with Node (see the module comment). */
  exchange(request: ArrayBuffer): ArrayBuffer {
    const bytes = new Uint8Array(request);
    const n = bytes.length;
    const flags = n >= 8 ? bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24) : 0;
    if ((flags & 1) !== 0) gcNow();
    if (this.allocateOnPurpose) this.kept = [this.exchanges];
    this.exchanges++;
    if (n >= 4) this.now = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24);
    this.reply.resize(REPLY_MAX);
    this.replyLen = 8;
    this.runEvents();
    const burst = (flags & 2) !== 0;
    let off = 8;
    while (off + 2 <= n) {
      const len = bytes[off] | (bytes[off + 1] << 8);
      off += 2;
      if (off + len > n) break;
      if (burst) {
        // Back to back on the wire, the firmware not running: the chip stores, filters or drops each.
        const overflowed = this.chip.framesOverflowed;
        if (this.chip.injectFrame(bytes, off, len)) this.framesIn++;
        else if (this.chip.framesOverflowed !== overflowed) this.burstDropped++;
        off += len;
        continue;
      }
      // The emulated wire waits for the firmware: a frame goes on the wire when the ring has room.
      for (let tries = 0; !this.roomFor(len) && tries < 100; tries++) {
        if (this.runEvents() === 0) break;
      }
      if (this.roomFor(len)) {
        this.chip.injectFrame(bytes, off, len);
        this.framesIn++;
      } else {
        this.framesWaiting++;
      }
      off += len;
      this.runEvents();
    }
    this.runEvents();
    const v = this.replyView;
    v.setInt32(0, this.nextTimer(), true);
    v.setInt32(4, 0, true);
    this.reply.resize(this.replyLen);
    return this.reply;
  }

  /** Forgets what `allocateOnPurpose` kept. */
  release(): void {
    this.kept = null;
  }
}

function gcNow(): void {
  const g = globalThis as unknown as { gc?: () => void };
  if (typeof g.gc === "function") g.gc();
}

/** The one board of this XS machine. */
export const board = new DesktopBoard();

/** `embedded:io/spi` on the board: ECMA-419 options, the board's chip added. */
export class SPI extends EmulatedSpi {
  constructor(options: SpiOptions) {
    super({ ...options, chip: board.chip });
  }
}

/** `embedded:io/digital` on the board (only the chip's INT pin exists). */
export class Digital extends EmulatedDigital {
  constructor(options: DigitalOptions) {
    super({ ...options, chip: board.chip });
  }
}

function timerClear(t: DesktopTimer | null | undefined): void {
  if (t === null || t === undefined) return;
  t.callback = null;
  t.scheduled = false;
  const list = board.timers;
  const i = list.indexOf(t);
  if (i >= 0) list.splice(i, 1);
}

/** `timer` on the board's clock. */
export const Timer = {
  set(callback: (t: DesktopTimer) => void, ms = 0, repeat = 0): DesktopTimer {
    const t = new DesktopTimer(callback, (board.now + ms) | 0, repeat, true);
    board.timers.push(t);
    return t;
  },
  repeat(callback: (t: DesktopTimer) => void, ms: number): DesktopTimer {
    return Timer.set(callback, ms, ms);
  },
  /** Moddable: `schedule(t)` unschedules; `schedule(t, ms, repeat = 0)` moves the trigger to now + ms. */
  schedule(t: DesktopTimer, ms?: number, repeat = 0): void {
    if (ms === undefined) {
      t.scheduled = false;
      return;
    }
    t.triggerTime = (board.now + ms) | 0;
    t.repeat = repeat;
    t.scheduled = true;
  },
  clear: timerClear,
  /** Busy-waits on the device; here the clock (and the chip's) moves on. */
  delay(ms: number): void {
    board.now = (board.now + ms) | 0;
    board.chip.advance(ms);
  },
};

/** `time`: the board's clock. */
export const Time = {
  get ticks(): number {
    return board.now;
  },
};

/** `mc/config`: filled by the harness before `main()` runs (the manifest's `config`). */
export const config: Record<string, unknown> = {};

/** Installs the `trace` and `device` globals (Moddable's host provider shape, research §A.4). */
export function installGlobals(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  g.trace = (...parts: unknown[]): void => {
    board.log.push(parts.join(""));
  };
  g.device = Object.freeze({
    io: Object.freeze({ SPI, Digital }),
    SPI: Object.freeze({ default: Object.freeze({ io: SPI, port: 2, clock: 0, in: 35, out: 26 }) }),
    pin: Object.freeze({}),
  });
}
