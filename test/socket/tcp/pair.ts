// Two TCP sockets run against each other at the repr level, with a simulated link between them:
// a fixed one-way delay, optional random drops and reorders (a seeded Xorshift32, so every run
// is the same on Node and XS), and a hook to drop chosen segments. Time advances from event to
// event (a delivery, or a socket's `pollDelay`). Not a test file; *.test.ts files import it.
import { TcpSocket } from "../../../src/socket/tcp/socket.js";
import { Xorshift32 } from "../../../src/phy/rand.js";
import { IpAddress, IpEndpoint, IpProtocol, ipv4Parse } from "../../../src/wire/ip.js";
import { IpRepr } from "../../../src/wire/ip-repr.js";
import { TcpRepr } from "../../../src/wire/tcp.js";

export const ADDR_A = ipv4Parse("10.0.0.1");
export const ADDR_B = ipv4Parse("10.0.0.2");
export const PORT_A = 40000;
export const PORT_B = 80;

/** One segment on the simulated wire. */
export interface Wire {
  /** 0: from A to B; 1: from B to A. */
  dir: number;
  tcp: TcpRepr;
  data: Uint8Array;
  at: number;
  /** Order of sending, to keep deliveries at the same instant in order. */
  n: number;
}

export function cloneRepr(t: TcpRepr): TcpRepr {
  const c = new TcpRepr();
  c.srcPort = t.srcPort;
  c.dstPort = t.dstPort;
  c.control = t.control;
  c.seqNumber = t.seqNumber;
  c.ackNumber = t.ackNumber;
  c.hasAck = t.hasAck;
  c.windowLen = t.windowLen;
  c.windowScale = t.windowScale;
  c.maxSegSize = t.maxSegSize;
  c.sackPermitted = t.sackPermitted;
  c.sackCount = t.sackCount;
  c.hasTimestamp = t.hasTimestamp;
  c.tsVal = t.tsVal;
  c.tsEcr = t.tsEcr;
  c.payloadOffset = 0;
  c.payloadLen = t.payloadLen;
  return c;
}

export interface PairOptions {
  /** One-way delay in ms. */
  delay?: number;
  /** Chance in percent that a segment is lost. */
  dropPct?: number;
  /** Chance in percent that a segment is held back `reorderDelay` ms longer (so later ones overtake it). */
  reorderPct?: number;
  reorderDelay?: number;
  seed?: number;
}

export class Pair {
  readonly a: TcpSocket;
  readonly b: TcpSocket;
  now: number;
  readonly wire: Wire[] = [];
  /** Segments sent each way (index = dir), dropped, reordered. */
  readonly sent = [0, 0];
  dropped = 0;
  reordered = 0;
  /** Every segment sent, in order, when `log` is on. */
  readonly trace: Wire[] = [];
  log = false;
  /** Return true to drop this segment (called before the random drop). */
  dropHook: ((w: Wire) => boolean) | null = null;
  private readonly rng: Xorshift32;
  private readonly delay: number;
  private readonly dropPct: number;
  private readonly reorderPct: number;
  private readonly reorderDelay: number;
  private serial = 0;
  private readonly ipAB = new IpRepr().setV4(ADDR_A, ADDR_B, IpProtocol.Tcp, 0, 64);
  private readonly ipBA = new IpRepr().setV4(ADDR_B, ADDR_A, IpProtocol.Tcp, 0, 64);
  private readonly reply = new TcpRepr();

  constructor(a: TcpSocket, b: TcpSocket, now: number, o: PairOptions = {}) {
    this.a = a;
    this.b = b;
    this.now = now | 0;
    this.delay = o.delay ?? 5;
    this.dropPct = o.dropPct ?? 0;
    this.reorderPct = o.reorderPct ?? 0;
    this.reorderDelay = o.reorderDelay ?? 3;
    this.rng = new Xorshift32(o.seed ?? 1);
  }

  /** B listens, A connects, with the given ISNs. */
  open(isnA: number, isnB: number): void {
    this.b.listenIsn = isnB;
    this.b.listen(PORT_B);
    this.a.connectWith(this.now, IpEndpoint.of(IpAddress.v4(ADDR_A), PORT_A), IpEndpoint.of(IpAddress.v4(ADDR_B), PORT_B), isnA);
  }

  private put(dir: number, tcp: TcpRepr, data: Uint8Array, extra = 0): void {
    const w: Wire = { dir, tcp: cloneRepr(tcp), data, at: (this.now + this.delay + extra) | 0, n: this.serial++ };
    this.sent[dir]++;
    if (this.log) this.trace.push(w);
    if (this.dropHook !== null && this.dropHook(w)) {
      this.dropped++;
      return;
    }
    if (this.dropPct > 0 && this.rng.below(100) < this.dropPct) {
      this.dropped++;
      return;
    }
    if (this.reorderPct > 0 && this.rng.below(100) < this.reorderPct) {
      this.reordered++;
      w.at = (w.at + this.reorderDelay) | 0;
    }
    this.wire.push(w);
  }

  /** Lets a socket send everything it has now. */
  private egress(dir: number): void {
    const s = dir === 0 ? this.a : this.b;
    const ip = new IpRepr();
    const tcp = new TcpRepr();
    for (let i = 0; ; i++) {
      if (i > 100000) throw new Error("dispatch does not terminate");
      const n = s.dispatch(this.now, ip, tcp);
      if (n < 0) return;
      const data = new Uint8Array(n);
      s.dispatchPayload(data, 0);
      s.dispatchCommit(this.now);
      this.put(dir, tcp, data);
    }
  }

  /** Delivers every segment due by now, oldest first. */
  private deliver(): void {
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.wire.length; i++) {
        const w = this.wire[i];
        if (((w.at - this.now) | 0) > 0) continue;
        if (best < 0 || ((w.at - this.wire[best].at) | 0) < 0 || (w.at === this.wire[best].at && w.n < this.wire[best].n)) best = i;
      }
      if (best < 0) return;
      const w = this.wire.splice(best, 1)[0];
      const to = w.dir === 0 ? this.b : this.a;
      const ip = w.dir === 0 ? this.ipAB : this.ipBA;
      w.tcp.payloadLen = w.data.length;
      if (!to.accepts(ip, w.tcp)) continue; // (the interface would answer with a RST; not needed here)
      if (to.process(this.now, ip, w.tcp, w.data, 0, w.data.length, this.reply)) this.put(1 - w.dir, this.reply, new Uint8Array(0));
    }
  }

  /** One round at the current time: deliveries, then both sockets send. */
  step(): void {
    this.deliver();
    this.egress(0);
    this.egress(1);
  }

  /** Ms until the next event (-1: none). */
  nextEvent(): number {
    let d = -1;
    const consider = (x: number): void => {
      if (x >= 0 && (d < 0 || x < d)) d = x;
    };
    consider(this.a.pollDelay(this.now));
    consider(this.b.pollDelay(this.now));
    for (const w of this.wire) consider(Math.max(0, (w.at - this.now) | 0));
    return d;
  }

  /**
   * Runs until `done()` (checked after every step; `app` runs before each step, for reading and
   * writing), or until nothing is left to happen, or `maxMs` of simulated time. Returns whether
   * `done()` became true.
   */
  run(done: () => boolean, maxMs = 600000, app: (() => void) | null = null): boolean {
    const end = (this.now + maxMs) | 0;
    for (let guard = 0; guard < 10000000; guard++) {
      if (app !== null) app();
      this.step();
      if (done()) return true;
      if (app !== null) {
        app();
        this.step();
        if (done()) return true;
      }
      const d = this.nextEvent();
      if (d < 0) return false;
      if (d === 0) {
        // Something is ready now: it must be sent by the next step, or the socket spins.
        this.step();
        if (this.nextEvent() === 0 && this.wire.every((w) => w.at !== this.now)) throw new Error("pollDelay says 0 but nothing is sent");
        continue;
      }
      this.now = (this.now + d) | 0;
      if (((this.now - end) | 0) > 0) return false;
    }
    throw new Error("run did not end");
  }

  /** Advances the clock by `ms`, running every event in between. */
  advance(ms: number): void {
    const end = (this.now + ms) | 0;
    this.step();
    for (;;) {
      const d = this.nextEvent();
      if (d < 0 || ((this.now + d - end) | 0) > 0) break;
      this.now = (this.now + (d > 0 ? d : 0)) | 0;
      this.step();
      if (d === 0 && this.nextEvent() === 0 && this.wire.every((w) => w.at !== this.now)) throw new Error("pollDelay says 0 but nothing is sent");
    }
    this.now = end;
    this.step();
  }
}
