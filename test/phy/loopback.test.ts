import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  DeviceCapabilities,
  DeviceConfigError,
  DeviceUsageError,
  Medium,
  type Device,
} from "../../src/phy/device.js";
import { Loopback } from "../../src/phy/loopback.js";
import { Checksum, ChecksumCapabilities } from "../../src/wire/checksum.js";
import { Arena } from "../../src/storage/arena.js";

// A clock a few seconds before the int32 wrap: the Loopback ignores time, but every device test
// runs on this clock so that a device that compared instants with `<` would show it.
const T0 = (0x7fffffff - 3000) | 0;

/** Sends a frame of `len` octets, octet i = (tag + i) & 0xff; returns the offset used or -1. */
function send(dev: Device, now: number, len: number, tag: number): number {
  const off = dev.transmitBegin(now, len);
  if (off < 0) return off;
  for (let i = 0; i < len; i++) dev.txBytes[off + i] = (tag + i) & 0xff;
  dev.transmitCommit(len);
  return off;
}

/** Whether the frame of `len` octets at `off` in `bytes` is the one `send` wrote with `tag`. */
function holds(bytes: Uint8Array, off: number, len: number, tag: number): boolean {
  for (let i = 0; i < len; i++) if (bytes[off + i] !== ((tag + i) & 0xff)) return false;
  return true;
}

test("capabilities: Ethernet MTU counts the header, not the FCS", () => {
  const dev: Device = new Loopback();
  const caps = dev.capabilities;
  assert.is(caps.medium, Medium.Ethernet);
  assert.is(caps.maxTransmissionUnit, 1514);
  assert.is(caps.ipMtu(), 1500);
  assert.is(caps.maxBurstSize, 0, "a full ring refuses frames instead of losing them");
  assert.is(caps.checksum.tcp, Checksum.Both);
  assert.is(new DeviceCapabilities(Medium.Ip, 1500).ipMtu(), 1500);
  assert.is(new DeviceCapabilities().maxTransmissionUnit, 1514);
  assert.throws(() => new DeviceCapabilities(Medium.Ethernet, 14), (e: unknown) => e instanceof DeviceConfigError);
  assert.throws(() => new DeviceCapabilities(Medium.Ethernet, 65536), (e: unknown) => e instanceof DeviceConfigError);
  assert.throws(() => new DeviceCapabilities(Medium.Ethernet, 1514, -1), (e: unknown) => e instanceof DeviceConfigError);
  assert.throws(() => new DeviceCapabilities(2 as Medium, 1514), (e: unknown) => e instanceof DeviceConfigError);
  const custom = new ChecksumCapabilities();
  custom.udp = Checksum.None;
  assert.is(new DeviceCapabilities(Medium.Ethernet, 1514, 1, custom).checksum.udp, Checksum.None);
});

test("buffers: one array for rx and tx, a view over the same memory", () => {
  const lb = new Loopback(4, 100);
  assert.ok(lb.rxBytes === lb.txBytes);
  assert.ok(lb.rxView === lb.txView);
  assert.is(lb.rxBytes.length, 400);
  assert.ok(lb.rxView.buffer === lb.rxBytes.buffer);
  assert.is(lb.rxView.byteOffset, lb.rxBytes.byteOffset);
});

test("frames come back in the order they were sent", () => {
  const lb = new Loopback(8, 200);
  assert.is(lb.receive(T0), 0, "empty at first");
  for (let k = 0; k < 5; k++) assert.ok(send(lb, T0, 60 + k, k * 7) >= 0);
  assert.is(lb.queued(), 5);
  for (let k = 0; k < 5; k++) {
    const len = lb.receive(T0 + k);
    assert.is(len, 60 + k);
    assert.ok(holds(lb.rxBytes, lb.rxOffset, len, k * 7), "frame " + k);
  }
  assert.is(lb.receive(T0), 0);
  assert.is(lb.framesSent, 5);
  assert.is(lb.framesReceived, 5);
  assert.is(lb.framesRefused, 0);
});

test("order is kept across many trips round the ring", () => {
  const lb = new Loopback(3, 64);
  let sent = 0;
  let received = 0;
  for (let round = 0; round < 500; round++) {
    // Send one or two, receive one: the queue fills up, then refusals pace the sender.
    const burst = (round % 3) + 1;
    for (let b = 0; b < burst; b++) {
      if (send(lb, T0 + round, 20 + (sent % 40), sent) >= 0) sent++;
    }
    const len = lb.receive(T0 + round);
    if (len > 0) {
      assert.is(len, 20 + (received % 40));
      assert.ok(holds(lb.rxBytes, lb.rxOffset, len, received), "frame " + received);
      received++;
    }
  }
  for (let len = lb.receive(T0); len > 0; len = lb.receive(T0)) {
    assert.ok(holds(lb.rxBytes, lb.rxOffset, len, received), "frame " + received);
    received++;
  }
  assert.is(received, sent);
  assert.ok(lb.framesRefused > 0, "the ring filled up at some point");
  assert.is(lb.framesSent, sent);
});

test("slot exhaustion: -1 when every slot is queued or lent", () => {
  const lb = new Loopback(4, 100);
  for (let k = 0; k < 4; k++) assert.ok(send(lb, T0, 50, k) >= 0);
  assert.is(lb.transmitBegin(T0, 50), -1, "four queued");
  assert.is(lb.framesRefused, 1);
  assert.is(lb.receive(T0), 50);
  assert.is(lb.transmitBegin(T0, 50), -1, "three queued and one lent");
  assert.is(lb.receive(T0), 50);
  assert.ok(lb.transmitBegin(T0, 50) >= 0, "the first lent slot came back");
  assert.is(lb.framesRefused, 2);
});

test("the lent frame is never handed out for transmission", () => {
  const lb = new Loopback(2, 100);
  send(lb, T0, 80, 0x10);
  assert.is(lb.receive(T0), 80);
  const lentOff = lb.rxOffset;
  const off = lb.transmitBegin(T0, 100);
  assert.ok(off >= 0);
  assert.is.not(off, lentOff);
  lb.txBytes.fill(0xee, off, off + 100);
  lb.transmitCommit(100);
  assert.is(lb.transmitBegin(T0, 10), -1, "one queued, one lent, no third slot");
  assert.ok(holds(lb.rxBytes, lentOff, 80, 0x10), "the lent frame is intact");
});

test("a reply written while the request is lent leaves the request intact", () => {
  const lb = new Loopback(4, 128);
  send(lb, T0, 64, 0x40);
  const len = lb.receive(T0);
  const req = lb.rxOffset;
  // Build the reply from the request's bytes, as an echo reply is.
  const off = lb.transmitBegin(T0, len);
  for (let i = 0; i < len; i++) lb.txBytes[off + i] = lb.rxBytes[req + len - 1 - i];
  lb.transmitCommit(len);
  assert.ok(holds(lb.rxBytes, req, len, 0x40), "request unchanged after the reply");
  assert.is(lb.receive(T0), len);
  for (let i = 0; i < len; i++) assert.is(lb.rxBytes[lb.rxOffset + i], (0x40 + len - 1 - i) & 0xff);
});

test("an uncommitted reservation is abandoned by the next transmitBegin", () => {
  const lb = new Loopback(2, 100);
  const a = lb.transmitBegin(T0, 100);
  lb.txBytes.fill(0x11, a, a + 100);
  const b = lb.transmitBegin(T0, 30);
  assert.is(b, a, "the same slot is reserved again");
  lb.txBytes.fill(0x22, b, b + 30);
  lb.transmitCommit(30);
  assert.is(lb.queued(), 1);
  assert.is(lb.receive(T0), 30);
  assert.is(lb.rxBytes[lb.rxOffset], 0x22);
  assert.is(lb.framesSent, 1);
});

test("a shorter commit than the reservation sends only what was committed", () => {
  const lb = new Loopback();
  lb.transmitBegin(T0, 1514);
  lb.transmitCommit(42);
  assert.is(lb.receive(T0), 42);
});

test("misuse throws DeviceUsageError and changes nothing", () => {
  const lb = new Loopback(2, 100);
  const usage = (e: unknown) => e instanceof DeviceUsageError;
  assert.throws(() => lb.transmitCommit(10), usage, "no reservation");
  assert.throws(() => lb.transmitBegin(T0, 101), usage, "longer than the MTU");
  assert.throws(() => lb.transmitBegin(T0, 0), usage, "empty frame");
  lb.transmitBegin(T0, 50);
  assert.throws(() => lb.transmitCommit(51), usage, "longer than reserved");
  assert.throws(() => lb.transmitCommit(0), usage, "empty commit");
  lb.transmitCommit(50);
  assert.throws(() => lb.transmitCommit(50), usage, "the reservation ended with the commit");
  assert.is(lb.queued(), 1);
  // A refused reservation is no reservation.
  send(lb, T0, 10, 0);
  assert.is(lb.transmitBegin(T0, 10), -1);
  assert.throws(() => lb.transmitCommit(10), usage, "after -1");
});

test("bad sizes throw DeviceConfigError", () => {
  const config = (e: unknown) => e instanceof DeviceConfigError;
  assert.throws(() => new Loopback(0), config);
  assert.throws(() => new Loopback(1.5), config);
  assert.throws(() => new Loopback(5000), config);
  assert.throws(() => new Loopback(8, 14), config);
  assert.throws(() => new Loopback(8, 65536), config);
  assert.throws(() => new Loopback(8, 1514.5), config);
  assert.is(new Loopback(1, 15).capabilities.maxTransmissionUnit, 15);
});

test("slots carved from an arena: rxBytes is the whole arena, offsets are absolute", () => {
  const arena = new Arena(1000);
  const before = arena.reserve(100);
  const lb = new Loopback(3, 200, arena);
  assert.is(before, 0);
  assert.is(arena.used, 700);
  assert.ok(lb.rxBytes === arena.bytes);
  assert.ok(lb.rxView === arena.dv);
  const off = send(lb, T0, 150, 3);
  assert.is(off, 100);
  assert.is(lb.receive(T0), 150);
  assert.is(lb.rxOffset, 100);
  assert.ok(holds(arena.bytes, 100, 150, 3));
  // The slots never touch memory outside their reservation.
  for (let k = 0; k < 7; k++) send(lb, T0, 200, 0x80 + k), lb.receive(T0);
  for (let i = 0; i < 100; i++) assert.is(arena.bytes[i], 0);
  for (let i = 700; i < 1000; i++) assert.is(arena.bytes[i], 0);
  assert.throws(() => new Loopback(2, 200, arena), /exhausted/);
});

test.run();
