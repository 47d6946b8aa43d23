// The receive side alone (src/socket/tcp/recv.ts): our window scale (RFC 7323 §2), the window
// field's rounding, receiver SWS avoidance (RFC 9293 §3.8.6.2.2), segment text in and out of
// order with the out-of-order FIN (§3.10.7.4, seventh and eighth checks), and the delayed-ACK
// decision (§3.8.6.3, RFC 5681 §4.2). RCV.NXT starts just below the int32 wrap.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Received, TcpReceiver } from "../../../src/socket/tcp/recv.js";
import { AckDelayState } from "../../../src/socket/tcp/timer.js";

const IRS = (0x7fffffff - 10) | 0;
const N = (IRS + 1) | 0; // RCV.NXT after the SYN
const T0 = 1000;
const DATA = new Uint8Array(256);
const SINK = new Uint8Array(256);
const at = (k: number) => (N + k) | 0;

function receiver(capacity: number, gaps = 4, scaled = false): TcpReceiver {
  const rcv = new TcpReceiver(capacity, gaps);
  rcv.acceptSyn(IRS, scaled);
  return rcv;
}

test("RFC 7323 §2: our shift is the smallest that covers the ring, and only if both SYNs carry it", () => {
  assert.is(new TcpReceiver(64, 4).ourShift(), 0);
  assert.is(new TcpReceiver(0xffff, 4).ourShift(), 0);
  assert.is(new TcpReceiver(0x10000, 4).ourShift(), 1);
  assert.is(new TcpReceiver(0x1ffff, 4).ourShift(), 1);
  assert.is(new TcpReceiver(0x20000, 4).ourShift(), 2);
  assert.is(receiver(0x20000, 4, true).shift, 2);
  assert.is(receiver(0x20000, 4, false).shift, 0, "the peer's SYN had no Window Scale");
  assert.is(receiver(64).nxt, N, "RCV.NXT = IRS + 1, across the wrap");
});

test("the window field: rounded down by the shift, at most 0xffff, never scaled in a SYN", () => {
  const scaled = receiver(0x20000, 4, true);
  assert.is(scaled.receive(T0, N, DATA, 0, 3, false), 0);
  assert.is(scaled.windowMax(), 0x20000 - 3);
  assert.is(scaled.windowField(1460), (0x20000 - 3) >> 2, "131069 octets say 32767, not 32768");
  assert.is(scaled.synWindow(), 0xffff, "a SYN's window is not scaled: at most 0xffff");
  const unscaled = receiver(0x10000);
  assert.is(unscaled.windowMax(), 0xffff, "without a shift the field caps the window");
  assert.is(unscaled.windowField(1460), 0xffff);
  assert.is(receiver(64).windowField(1460), 64);
});

test("§3.8.6.2.2 receiver SWS avoidance: the right edge stays until the window can grow by min(MSS, half the buffer)", () => {
  const rcv = receiver(64);
  assert.is(rcv.advMss(100), 64, "our MSS: no more than the buffer");
  assert.is(rcv.swsThreshold(100), 32, "half the buffer");
  assert.is(rcv.swsThreshold(10), 10, "or the MSS");
  rcv.onSent(64, true, false); // we advertised 64: the right edge is RCV.NXT + 64
  assert.is(rcv.advRight, at(64));
  assert.is(rcv.receive(T0, N, DATA, 0, 40, false), 0);
  assert.is(rcv.windowField(100), 24, "the window shrinks as data arrives; the edge does not move");
  rcv.rx.dequeueSlice(SINK, 0, 10);
  assert.is(rcv.windowField(100), 24, "10 octets read: less than 32, the edge stays");
  assert.not.ok(rcv.windowUpdateDue(24, 100));
  assert.is(rcv.windowField(10), 34, "with a 10-octet MSS, 10 octets are enough");
  rcv.rx.dequeueSlice(SINK, 0, 30);
  assert.is(rcv.windowField(100), 64, "40 octets read: the whole buffer again");
  assert.ok(rcv.windowUpdateDue(64, 100), "and worth a window update");
  assert.not.ok(rcv.windowUpdateDue(24, 100), "but not one that says the old window");
  rcv.onSent(64, true, false);
  assert.is(rcv.advRight, at(104));
  assert.not.ok(rcv.windowUpdateDue(64, 100), "nothing new to say");
});

test("§3.10.7.4: text out of order through the assembler, and a FIN that waits for the data before it", () => {
  const rcv = receiver(64);
  assert.is(rcv.receive(T0, at(4), DATA, 0, 4, false), Received.OutOfOrder);
  assert.is(rcv.nxt, N);
  assert.is(rcv.assembler.toString(), "[4, 8)");
  assert.is(rcv.delayedAck.state, AckDelayState.Immediate, "RFC 5681 §4.2: an out-of-order segment is acknowledged at once");
  assert.is(rcv.receive(T0, at(8), DATA, 0, 2, true), Received.OutOfOrder, "data and FIN, still ahead of a gap");
  assert.ok(rcv.finValid);
  assert.is(rcv.finSeq, at(10));
  assert.is(rcv.assembler.toString(), "[4, 10)");
  assert.is(rcv.receive(T0, N, DATA, 0, 4, false), Received.Fin, "the gap fills: all ten octets, then the FIN");
  assert.equal([rcv.nxt, rcv.rx.len(), rcv.finValid], [at(11), 10, false]);
  assert.ok(rcv.assembler.isEmpty());
  assert.ok(rcv.ackPending);
});

test("a segment the assembler has no range for is dropped and answered at once", () => {
  const rcv = receiver(64, 1);
  assert.is(rcv.receive(T0, at(2), DATA, 0, 2, false), Received.OutOfOrder);
  rcv.onSent(rcv.windowField(100), true, false);
  assert.is(rcv.receive(T0, at(6), DATA, 0, 2, false), Received.AssemblerFull);
  assert.is(rcv.assembler.toString(), "[2, 4)", "unchanged");
  assert.equal([rcv.nxt, rcv.rx.len()], [N, 0]);
  assert.ok(rcv.ackPending);
  assert.is(rcv.delayedAck.state, AckDelayState.Immediate);
});

test("§3.8.6.3 delayed ACKs: every second full-sized segment at once, duplicates at once", () => {
  const rcv = receiver(256);
  rcv.receive(T0, N, DATA, 0, 20, false);
  assert.ok(rcv.ackPending);
  assert.is(rcv.delayedAck.state, AckDelayState.Waiting, "one segment: the ACK may wait");
  assert.not.ok(rcv.delayedAck.mayAck(T0 + 9));
  assert.ok(rcv.delayedAck.mayAck(T0 + 10));
  rcv.receive(T0 + 1, at(20), DATA, 0, 20, false);
  assert.is(rcv.delayedAck.state, AckDelayState.Immediate, "SHLD-19: the second full-sized segment");
  rcv.onSent(rcv.windowField(100), true, false);
  assert.equal([rcv.ackPending, rcv.unacked, rcv.delayedAck.state], [false, 0, AckDelayState.Idle]);
  assert.is(rcv.receive(T0 + 2, N, DATA, 0, 20, false), 0);
  assert.is(rcv.rx.len(), 40, "duplicate data is not queued twice");
  assert.is(rcv.delayedAck.state, AckDelayState.Immediate, "but answered at once");
  rcv.reset();
  assert.equal([rcv.nxt, rcv.rx.len(), rcv.ackPending, rcv.advValid, rcv.delayedAck.state], [0, 0, false, false, AckDelayState.Idle]);
});

test.run();
