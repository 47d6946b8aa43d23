// Whole transfers between two sockets over a simulated link (pair.ts): the bytes must arrive
// intact and in order whatever the link does, and the sequence space must wrap cleanly
// (RFC 9293 §3.4: "all arithmetic dealing with sequence numbers must be performed modulo 2^32").
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TcpSocket, TcpState } from "../../../src/socket/tcp/socket.js";
import { Pair, type PairOptions } from "./pair.js";
import { T0, stateName } from "./peer.js";

/** The test stream: octet `i` is a function of `i` that repeats only every 2^16 + 1 octets or so. */
function streamByte(i: number): number {
  return (i * 31 + (i >>> 8) * 7 + (i >>> 16)) & 0xff;
}

interface Result {
  pair: Pair;
  received: number;
  errors: number;
}

/**
 * A sends `total` octets to B, B reads them and checks every octet; then both close. Returns the
 * pair for further checks.
 */
function transfer(total: number, isnA: number, isnB: number, o: PairOptions, sizes: { rx?: number; tx?: number; gaps?: number; mss?: number } = {}): Result {
  const a = new TcpSocket(sizes.rx ?? 8192, sizes.tx ?? 8192, sizes.gaps ?? 4);
  const b = new TcpSocket(sizes.rx ?? 8192, sizes.tx ?? 8192, sizes.gaps ?? 4);
  a.linkMss = sizes.mss ?? 1460;
  b.linkMss = sizes.mss ?? 1460;
  const pair = new Pair(a, b, T0, o);
  pair.open(isnA, isnB);
  const chunk = new Uint8Array(3000);
  const sink = new Uint8Array(5000);
  let queued = 0;
  let received = 0;
  let errors = 0;
  let closed = false;
  const app = (): void => {
    if (a.state === TcpState.Established && queued < total) {
      const n = Math.min(chunk.length, total - queued);
      for (let i = 0; i < n; i++) chunk[i] = streamByte(queued + i);
      queued += a.send(chunk, 0, n);
    }
    if (queued === total && !closed && a.state === TcpState.Established) {
      a.close();
      closed = true;
    }
    for (;;) {
      const n = b.recv(sink, 0, sink.length);
      if (n <= 0) break;
      for (let i = 0; i < n; i++) if (sink[i] !== streamByte(received + i)) errors++;
      received += n;
    }
    if (b.state === TcpState.CloseWait) b.close();
  };
  const ok = pair.run(() => received === total && (a.state === TcpState.TimeWait || a.state === TcpState.Closed) && b.state === TcpState.Closed, 3600000, app);
  assert.ok(ok, "transfer ended: received " + received + " of " + total + ", states " + stateName(a.state) + " / " + stateName(b.state));
  return { pair, received, errors };
}

test("1 MB through 5% loss and 5% reordering arrives intact (seeded Xorshift32)", () => {
  const total = 1 << 20;
  const r = transfer(total, 0x7ffff000, -5000, { dropPct: 5, reorderPct: 5, seed: 0x1234567, delay: 2 });
  assert.is(r.received, total);
  assert.is(r.errors, 0);
  assert.ok(r.pair.dropped > 30, "the link dropped segments: " + r.pair.dropped);
  assert.ok(r.pair.reordered > 30, "the link reordered segments: " + r.pair.reordered);
  assert.ok(r.pair.a.retransmits + r.pair.a.fastRetransmits > 0, "the sender retransmitted");
  assert.ok(r.pair.b.rxOutOfOrder > 0, "the receiver reassembled out-of-order segments");
  assert.is(r.pair.a.takeError(), 0);
  assert.is(r.pair.b.takeError(), 0);
  const g = globalThis as { console?: { log(s: string): void } };
  if (g.console) g.console.log(`  1 MB: ${r.pair.sent[0]} + ${r.pair.sent[1]} segments, ${r.pair.dropped} dropped, ${r.pair.reordered} reordered, ${r.pair.a.retransmits} RTO + ${r.pair.a.fastRetransmits} fast retransmissions, ${r.pair.b.rxOutOfOrder} out of order, ${((r.pair.now - T0) | 0)} ms`);
});

test("64 kB through 20% loss with 32 assembler gaps", () => {
  const total = 65536;
  const r = transfer(total, 12345, 67890, { dropPct: 20, reorderPct: 10, seed: 99, delay: 1 }, { gaps: 32 });
  assert.is(r.received, total);
  assert.is(r.errors, 0);
});

for (const [isnA, isnB, label] of [
  [-20000, 0x7fffb000, "across 2^32 (A) and 2^31 (B)"],
  [0x7fffb000, -20000, "across 2^31 (A) and 2^32 (B)"],
  [-1, -1, "ISN 2^32 - 1 both ways"],
  [0x7fffffff, 0x7fffffff, "ISN 2^31 - 1 both ways"],
] as const) {
  test(`RFC 9293 §3.4: 100 kB ${label}, with loss`, () => {
    const total = 100000;
    const r = transfer(total, isnA, isnB, { dropPct: 3, reorderPct: 3, seed: isnA ^ isnB, delay: 3 });
    assert.is(r.received, total);
    assert.is(r.errors, 0);
  });
}

test("a clean link: no retransmission, no duplicate, and window scaling with a 256 kB buffer", () => {
  const total = 1 << 20;
  const r = transfer(total, 1, 2, { delay: 10 }, { rx: 262144, tx: 262144 });
  assert.is(r.errors, 0);
  assert.is(r.pair.a.retransmits, 0);
  assert.is(r.pair.a.fastRetransmits, 0);
  assert.is(r.pair.dropped, 0);
});

test.run();
