import { test } from "uvu";
import * as assert from "uvu/assert";
import { DeviceConfigError, DeviceUsageError, type Device } from "../../src/phy/device.js";
import { Loopback } from "../../src/phy/loopback.js";
import { FaultInjector, FAULT_INJECTOR_RX_ATTEMPTS } from "../../src/phy/fault-injector.js";

// The test clock starts 3 s before the int32 wrap, so the rate-limit windows cross it.
const T0 = (0x7fffffff - 3000) | 0;
const at = (ms: number) => (T0 + ms) | 0;

/** Sends a frame of `len` octets, octet i = (tag + i) & 0xff; returns the offset or -1. */
function send(dev: Device, now: number, len: number, tag: number): number {
  const off = dev.transmitBegin(now, len);
  if (off < 0) return off;
  for (let i = 0; i < len; i++) dev.txBytes[off + i] = (tag + i) & 0xff;
  dev.transmitCommit(len);
  return off;
}

/** How many octets of the frame at `off` differ from what `send` wrote with `tag`, and how. */
function damage(bytes: Uint8Array, off: number, len: number, tag: number): { octets: number; bits: number } {
  let octets = 0;
  let bits = 0;
  for (let i = 0; i < len; i++) {
    let x = bytes[off + i] ^ ((tag + i) & 0xff);
    if (x !== 0) octets++;
    for (; x !== 0; x &= x - 1) bits++;
  }
  return { octets, bits };
}

/** Pushes `n` frames straight into the loopback and reads them all through the injector. */
function receiveThrough(fi: FaultInjector, lb: Loopback, n: number, len: (k: number) => number): number[] {
  const tags: number[] = [];
  for (let k = 0; k < n; k++) {
    assert.ok(send(lb, T0, len(k), k) >= 0);
    for (let got = fi.receive(T0); got > 0; got = fi.receive(T0)) tags.push(fi.rxBytes[fi.rxOffset]);
  }
  return tags;
}

test("a FaultInjector is a Device sharing its inner device's buffers and capabilities", () => {
  const lb = new Loopback(4, 200);
  const fi: Device = new FaultInjector(lb, 1);
  assert.ok(fi.rxBytes === lb.rxBytes && fi.txBytes === lb.txBytes);
  assert.ok(fi.rxView === lb.rxView && fi.txView === lb.txView);
  assert.ok(fi.capabilities === lb.capabilities);
});

test("with every fault off, frames pass unchanged both ways", () => {
  const lb = new Loopback(8, 300);
  const fi = new FaultInjector(lb, 7);
  for (let k = 0; k < 100; k++) {
    assert.ok(send(fi, at(k), 100 + k, k) >= 0);
    const len = fi.receive(at(k));
    assert.is(len, 100 + k);
    assert.is(damage(fi.rxBytes, fi.rxOffset, len, k).octets, 0);
  }
  assert.is(fi.txSent, 100);
  assert.is(fi.rxDelivered, 100);
  assert.is(fi.txDropped + fi.rxDropped + fi.txCorrupted + fi.rxCorrupted, 0);
});

test("the same seed makes the same decisions; another seed, others", () => {
  const run = (seed: number): string => {
    const lb = new Loopback(8, 200);
    const fi = new FaultInjector(lb, seed);
    fi.dropChance = 30;
    fi.corruptChance = 30;
    let pattern = "";
    for (let k = 0; k < 200; k++) {
      send(fi, T0, 64, k);
      const len = fi.receive(T0);
      pattern += len === 0 ? "-" : damage(fi.rxBytes, fi.rxOffset, len, k).octets ? "x" : "o";
    }
    return pattern;
  };
  const a = run(42);
  assert.is(run(42), a);
  assert.is.not(run(43), a);
  assert.ok(a.includes("-") && a.includes("x") && a.includes("o"), a);
});

test("receive: drop rate over 10,000 frames", () => {
  const lb = new Loopback(8, 100);
  const fi = new FaultInjector(lb, 1234);
  fi.dropChance = 15;
  const got = receiveThrough(fi, lb, 10000, () => 60);
  assert.ok(fi.rxDropped > 1350 && fi.rxDropped < 1650, "15% dropped gave " + fi.rxDropped);
  assert.is(got.length, fi.rxDelivered);
  assert.is(fi.rxDelivered + fi.rxDropped, 10000);
  assert.is(lb.framesReceived, 10000);
});

test("transmit: drop rate over 10,000 frames; dropped frames never reach the inner device", () => {
  const lb = new Loopback(8, 100);
  const fi = new FaultInjector(lb, 99);
  fi.dropChance = 40;
  for (let k = 0; k < 10000; k++) {
    assert.ok(send(fi, T0, 60, k) >= 0);
    while (lb.receive(T0) > 0);
  }
  assert.ok(fi.txDropped > 3800 && fi.txDropped < 4200, "40% dropped gave " + fi.txDropped);
  assert.is(fi.txSent + fi.txDropped, 10000);
  assert.is(lb.framesSent, fi.txSent);
});

test("corruption: rate over 10,000 frames, and exactly one bit of one octet differs", () => {
  const lb = new Loopback(8, 200);
  const fi = new FaultInjector(lb, 777);
  fi.corruptChance = 10;
  let corrupted = 0;
  for (let k = 0; k < 10000; k++) {
    send(lb, T0, 20 + (k % 150), k);
    const len = fi.receive(T0);
    assert.is(len, 20 + (k % 150));
    const d = damage(fi.rxBytes, fi.rxOffset, len, k);
    if (d.octets !== 0) {
      assert.is(d.octets, 1, "frame " + k);
      assert.is(d.bits, 1, "frame " + k);
      corrupted++;
    }
  }
  assert.is(corrupted, fi.rxCorrupted);
  assert.ok(corrupted > 900 && corrupted < 1100, "10% corrupted gave " + corrupted);
  // Transmit side, every frame: the corrupted frame is what the inner device sends.
  fi.corruptChance = 100;
  const positions = new Set<number>();
  for (let k = 0; k < 500; k++) {
    send(fi, T0, 64, k);
    const len = lb.receive(T0);
    const d = damage(lb.rxBytes, lb.rxOffset, len, k);
    assert.is(d.octets, 1);
    assert.is(d.bits, 1);
    for (let i = 0; i < len; i++) if (lb.rxBytes[lb.rxOffset + i] !== ((k + i) & 0xff)) positions.add(i);
  }
  assert.is(fi.txCorrupted, 500);
  assert.ok(positions.size > 55, "the flipped octet moves around: " + positions.size + " of 64 positions");
});

test("size limit: longer frames are dropped both ways and counted", () => {
  const lb = new Loopback(8, 1514);
  const fi = new FaultInjector(lb, 3);
  fi.sizeLimit = 500;
  const got = receiveThrough(fi, lb, 100, (k) => (k % 2 ? 501 : 500));
  assert.is(got.length, 50);
  assert.is(fi.rxSizeLimited, 50);
  for (let k = 0; k < 10; k++) send(fi, T0, k % 2 ? 1000 : 100, k);
  assert.is(fi.txSizeLimited, 5);
  assert.is(fi.txSent, 5);
  assert.is(lb.queued(), 5);
  fi.sizeLimit = 0;
  send(fi, T0, 1514, 0);
  assert.is(fi.txSent, 6, "0 means no limit");
});

test("receive rate limit: a token bucket per interval, across the int32 wrap", () => {
  const lb = new Loopback(32, 100);
  const fi = new FaultInjector(lb, 5);
  fi.rxRateLimit = 3;
  fi.shapingInterval = 1000;
  for (let k = 0; k < 20; k++) send(lb, T0, 60, k);
  const take = (now: number): number[] => {
    const tags: number[] = [];
    for (let len = fi.receive(now); len > 0; len = fi.receive(now)) tags.push(fi.rxBytes[fi.rxOffset]);
    return tags;
  };
  assert.equal(take(at(0)), [0, 1, 2]);
  assert.is(lb.queued(), 17, "the empty bucket leaves frames queued in the inner device");
  assert.equal(take(at(999)), [], "the window has not ended");
  assert.equal(take(at(1000)), [3, 4, 5]);
  assert.equal(take(at(2500)), [6, 7, 8]);
  // 2^31 - 1 is at(3000): the next window opens on the other side of the wrap.
  assert.ok(at(3500) < 0, "the clock has wrapped");
  assert.equal(take(at(3499)), []);
  assert.equal(take(at(3500)), [9, 10, 11]);
  assert.equal(take(at(10000)), [12, 13, 14]);
  assert.is(fi.rxDelivered, 15);
  assert.ok(fi.rxRateLimited >= 6);
  fi.rxRateLimit = 0;
  assert.is(take(at(10001)).length, 5, "0 means no limit");
});

test("transmit rate limit: transmitBegin returns -1 when the bucket is empty", () => {
  const lb = new Loopback(32, 100);
  const fi = new FaultInjector(lb, 5);
  fi.txRateLimit = 2;
  fi.shapingInterval = 500;
  let sent = 0;
  for (let t = 0; t < 5000; t += 100) {
    for (let k = 0; k < 5; k++) if (send(fi, at(t), 60, k) >= 0) sent++;
    while (lb.receive(at(t)) > 0);
  }
  // Windows open at 0, 500, 1000, ... 4500 on a 100 ms grid: ten windows of two frames.
  assert.is(sent, 20);
  assert.is(fi.txSent, 20);
  assert.is(fi.txRateLimited, 5 * 50 - 20);
  assert.is(lb.framesRefused, 0, "the inner device was never asked");
});

test("a frame dropped on transmit still spends a token", () => {
  const lb = new Loopback(8, 100);
  const fi = new FaultInjector(lb, 11);
  fi.txRateLimit = 4;
  fi.dropChance = 100;
  for (let k = 0; k < 4; k++) assert.ok(send(fi, T0, 60, k) >= 0);
  assert.is(fi.transmitBegin(T0, 60), -1);
  assert.is(fi.txDropped, 4);
  assert.is(lb.queued(), 0);
});

test("a receive call skips dropped frames, up to the inner device's burst", () => {
  const lb = new Loopback(64, 100);
  const fi = new FaultInjector(lb, 8);
  fi.dropChance = 100;
  for (let k = 0; k < 40; k++) send(lb, T0, 60, k);
  assert.is(fi.receive(T0), 0);
  assert.is(fi.rxDropped, FAULT_INJECTOR_RX_ATTEMPTS);
  assert.is(lb.queued(), 40 - FAULT_INJECTOR_RX_ATTEMPTS);
  fi.dropChance = 50;
  let delivered = 0;
  for (let len = fi.receive(T0); len > 0; len = fi.receive(T0)) delivered++;
  assert.is(lb.queued(), 0);
  assert.is(delivered + fi.rxDropped, 40);
});

test("counters add up: every frame is delivered or counted, in a mixed run", () => {
  const lb = new Loopback(8, 1514);
  const fi = new FaultInjector(lb, 0);
  fi.dropChance = 20;
  fi.corruptChance = 10;
  fi.sizeLimit = 1200;
  // One frame offered per ms, 10 per window: both buckets run dry, and the receive side falls
  // behind until the loopback's 8 slots are full and it refuses frames too.
  fi.txRateLimit = 8;
  fi.rxRateLimit = 3;
  fi.shapingInterval = 10;
  let offered = 0;
  let committed = 0;
  let delivered = 0;
  for (let t = 0; t < 10000; t++) {
    const now = at(t);
    const len = 60 + ((t * 37) % 1400);
    offered++;
    if (send(fi, now, len, t) >= 0) committed++;
    for (let n = fi.receive(now); n > 0; n = fi.receive(now)) delivered++;
  }
  for (let t = 10000; lb.queued() > 0; t += 10) for (let n = fi.receive(at(t)); n > 0; n = fi.receive(at(t))) delivered++;
  assert.is(committed, fi.txSent + fi.txDropped + fi.txSizeLimited);
  assert.is(offered - committed, lb.framesRefused + fi.txRateLimited);
  assert.is(lb.framesSent, fi.txSent);
  assert.is(lb.framesReceived, fi.rxDelivered + fi.rxDropped + fi.rxSizeLimited);
  assert.is(delivered, fi.rxDelivered);
  assert.is(lb.framesSent, lb.framesReceived, "nothing left in the inner device");
  assert.ok(fi.txDropped > 0 && fi.rxDropped > 0 && fi.txSizeLimited > 0 && fi.rxCorrupted > 0 && fi.txCorrupted > 0);
  assert.ok(fi.txRateLimited > 0 && fi.rxRateLimited > 0 && lb.framesRefused > 0);
  // Frames over the limit never reach the wire, so none is received too long.
  assert.is(fi.rxSizeLimited, 0);
});

test("settings are validated; misuse throws", () => {
  const fi = new FaultInjector(new Loopback(2, 100), 1);
  const config = (e: unknown) => e instanceof DeviceConfigError;
  assert.throws(() => (fi.dropChance = 101), config);
  assert.throws(() => (fi.dropChance = -1), config);
  assert.throws(() => (fi.corruptChance = 2.5), config);
  assert.throws(() => (fi.sizeLimit = -1), config);
  assert.throws(() => (fi.txRateLimit = -1), config);
  assert.throws(() => (fi.rxRateLimit = 0.5), config);
  assert.throws(() => (fi.shapingInterval = 0), config);
  fi.dropChance = 100;
  fi.corruptChance = 0;
  fi.shapingInterval = 250;
  assert.is(fi.dropChance, 100);
  assert.is(fi.shapingInterval, 250);
  const usage = (e: unknown) => e instanceof DeviceUsageError;
  assert.throws(() => fi.transmitCommit(10), usage, "no reservation");
  fi.transmitBegin(T0, 50);
  assert.throws(() => fi.transmitCommit(51), usage, "longer than reserved");
  fi.transmitCommit(50);
  assert.throws(() => fi.transmitCommit(50), usage, "the reservation ended");
});

test.run();
