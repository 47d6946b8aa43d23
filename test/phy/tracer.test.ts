import { test } from "uvu";
import * as assert from "uvu/assert";
import { DeviceCapabilities, DeviceConfigError, Medium, type Device } from "../../src/phy/device.js";
import { Loopback } from "../../src/phy/loopback.js";
import { FaultInjector } from "../../src/phy/fault-injector.js";
import { Tracer, TraceDirection, TRACE_DIRECTION_NAMES, type TraceWriter } from "../../src/phy/tracer.js";
import { PrettyPrinter } from "../../src/wire/pretty.js";
import { LINUX_ARP_REQUEST, LINUX_ICMPV4_ECHO_REQUEST } from "../fixtures/linux.js";

const T0 = (0x7fffffff - 3000) | 0;

/** A writer that keeps every trace. */
class Collect implements TraceWriter {
  lines: { now: number; direction: TraceDirection; text: string }[] = [];
  trace(now: number, direction: TraceDirection, text: string): void {
    this.lines.push({ now, direction, text });
  }
}

function send(dev: Device, now: number, frame: Uint8Array): void {
  const off = dev.transmitBegin(now, frame.length);
  assert.ok(off >= 0);
  dev.txBytes.set(frame, off);
  dev.transmitCommit(frame.length);
}

test("a Tracer is a Device sharing its inner device's buffers and capabilities", () => {
  const lb = new Loopback();
  const t: Device = new Tracer(lb, new Collect());
  assert.ok(t.rxBytes === lb.rxBytes && t.txBytes === lb.txBytes && t.capabilities === lb.capabilities);
  assert.ok(t.rxView === lb.rxView && t.txView === lb.txView);
});

test("transmitted and received frames are described, with time and direction", () => {
  const w = new Collect();
  const tr = new Tracer(new Loopback(), w);
  const printer = new PrettyPrinter();
  send(tr, T0, LINUX_ARP_REQUEST);
  send(tr, (T0 + 4000) | 0, LINUX_ICMPV4_ECHO_REQUEST);
  assert.is(w.lines.length, 2, "traced at commit");
  assert.is(tr.receive((T0 + 5000) | 0), LINUX_ARP_REQUEST.length);
  assert.equal(Array.from(tr.rxBytes.subarray(tr.rxOffset, tr.rxOffset + LINUX_ARP_REQUEST.length)), Array.from(LINUX_ARP_REQUEST));
  assert.is(tr.receive((T0 + 6000) | 0), LINUX_ICMPV4_ECHO_REQUEST.length);
  assert.is(tr.receive(T0), 0);
  assert.is(w.lines.length, 4, "nothing traced for an empty receive");
  const arp = printer.describeBytes(LINUX_ARP_REQUEST);
  const icmp = printer.describeBytes(LINUX_ICMPV4_ECHO_REQUEST);
  assert.equal(w.lines, [
    { now: T0, direction: TraceDirection.Tx, text: arp },
    { now: (T0 + 4000) | 0, direction: TraceDirection.Tx, text: icmp },
    { now: (T0 + 5000) | 0, direction: TraceDirection.Rx, text: arp },
    { now: (T0 + 6000) | 0, direction: TraceDirection.Rx, text: icmp },
  ]);
  assert.match(arp, /^EthernetII src=02-00-00-00-00-01 dst=ff-ff-ff-ff-ff-ff type=ARP\n\\ ARP/);
  assert.match(icmp, /\n \\ ICMPv4 echo request/i);
  assert.equal(TRACE_DIRECTION_NAMES, ["rx", "tx"]);
});

test("an abandoned reservation, a refused one and a misused commit are not traced", () => {
  const w = new Collect();
  const tr = new Tracer(new Loopback(1, 1514), w);
  const off = tr.transmitBegin(T0, 100);
  tr.txBytes.set(LINUX_ARP_REQUEST, off);
  send(tr, T0, LINUX_ICMPV4_ECHO_REQUEST); // abandons the first reservation
  assert.is(tr.transmitBegin(T0, 100), -1, "the only slot is queued");
  assert.throws(() => tr.transmitCommit(42));
  assert.is(w.lines.length, 1);
  assert.match(w.lines[0].text, "ICMPv4");
});

test("wrapping order: inside the injector the tracer sees the wire, outside it the stack", () => {
  // Inner tracer: FaultInjector(Tracer(Loopback)). Every frame is dropped on receive.
  const wire = new Collect();
  const lb1 = new Loopback();
  const inner = new FaultInjector(new Tracer(lb1, wire), 3);
  for (let k = 0; k < 3; k++) send(lb1, T0, LINUX_ARP_REQUEST);
  inner.dropChance = 100;
  assert.is(inner.receive(T0), 0);
  assert.is(inner.rxDropped, 3);
  assert.is(wire.lines.length, 3, "the tracer saw the frames the injector dropped");
  // And on transmit it sees only what survived.
  for (let k = 0; k < 3; k++) send(inner, T0, LINUX_ARP_REQUEST);
  assert.is(wire.lines.length, 3);

  // Outer tracer: Tracer(FaultInjector(Loopback)).
  const stack = new Collect();
  const lb2 = new Loopback();
  const fi = new FaultInjector(lb2, 3);
  const outer = new Tracer(fi, stack);
  for (let k = 0; k < 3; k++) send(lb2, T0, LINUX_ARP_REQUEST);
  fi.dropChance = 100;
  assert.is(outer.receive(T0), 0);
  assert.is(stack.lines.length, 0, "dropped frames never reach the stack's side");
  for (let k = 0; k < 3; k++) send(outer, T0, LINUX_ARP_REQUEST);
  assert.is(stack.lines.length, 3, "every frame the stack sent is traced, dropped or not");
  assert.is(lb2.queued(), 0);
});

test("only Ethernet devices can be traced", () => {
  const ip: Device = {
    capabilities: new DeviceCapabilities(Medium.Ip, 1500),
    rxBytes: new Uint8Array(0),
    rxView: new DataView(new ArrayBuffer(0)),
    rxOffset: 0,
    txBytes: new Uint8Array(0),
    txView: new DataView(new ArrayBuffer(0)),
    receive: () => 0,
    transmitBegin: () => -1,
    transmitCommit: () => {},
  };
  assert.throws(() => new Tracer(ip, new Collect()), (e: unknown) => e instanceof DeviceConfigError);
});

test.run();
