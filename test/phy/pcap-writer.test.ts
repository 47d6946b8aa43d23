import { test } from "uvu";
import * as assert from "uvu/assert";
import { DeviceCapabilities, DeviceConfigError, Medium, type Device } from "../../src/phy/device.js";
import { Loopback } from "../../src/phy/loopback.js";
import { PcapMode, PcapWriter, type PcapSink } from "../../src/phy/pcap-writer.js";
import { LINUX_ARP_REPLY, LINUX_ARP_REQUEST } from "../fixtures/linux.js";
import { toHex } from "../support/bytes.js";

const T0 = (0x7fffffff - 3000) | 0;

/** A sink that copies everything into one growing array, and remembers each call. */
class Collect implements PcapSink {
  out: number[] = [];
  calls: { bytes: Uint8Array; off: number; len: number }[] = [];
  write(bytes: Uint8Array, off: number, len: number): void {
    this.calls.push({ bytes, off, len });
    for (let i = 0; i < len; i++) this.out.push(bytes[off + i]);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

function send(dev: Device, now: number, frame: Uint8Array): void {
  const off = dev.transmitBegin(now, frame.length);
  assert.ok(off >= 0);
  dev.txBytes.set(frame, off);
  dev.transmitCommit(frame.length);
}

/** Little-endian octets of a 32-bit value. */
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

// The global header, written out by hand from the format's description (little-endian).
const GLOBAL_HEADER = [
  0xd4, 0xc3, 0xb2, 0xa1, // magic 0xa1b2c3d4: microsecond timestamps, little-endian file
  0x02, 0x00, 0x04, 0x00, // version 2.4
  0x00, 0x00, 0x00, 0x00, // thiszone: UTC
  0x00, 0x00, 0x00, 0x00, // sigfigs
  0xff, 0xff, 0x00, 0x00, // snaplen 65535
  0x01, 0x00, 0x00, 0x00, // network: LINKTYPE_ETHERNET
];

test("the global header is written once, by the constructor", () => {
  const sink = new Collect();
  const pw: Device = new PcapWriter(new Loopback(), sink, PcapMode.Both);
  assert.equal(Array.from(sink.bytes()), GLOBAL_HEADER);
  assert.is(sink.calls.length, 1);
  assert.is(pw.receive(T0), 0);
  assert.is(sink.calls.length, 1, "an empty receive records nothing");
});

test("records: header and frame octets, byte by byte", () => {
  const sink = new Collect();
  const lb = new Loopback();
  const pw = new PcapWriter(lb, sink, PcapMode.Both);
  send(pw, 1234567, LINUX_ARP_REQUEST); // 1234.567 s
  assert.is(pw.receive(1234999), LINUX_ARP_REQUEST.length);
  send(pw, 5, LINUX_ARP_REPLY);
  const expected = [
    ...GLOBAL_HEADER,
    // record 1: tx at 1234567 ms
    0xd2, 0x04, 0x00, 0x00, // ts_sec 1234
    0xd8, 0xa6, 0x08, 0x00, // ts_usec 567000
    0x2a, 0x00, 0x00, 0x00, // incl_len 42
    0x2a, 0x00, 0x00, 0x00, // orig_len 42
    ...LINUX_ARP_REQUEST,
    // record 2: rx at 1234999 ms
    0xd2, 0x04, 0x00, 0x00, // ts_sec 1234
    0x58, 0x3e, 0x0f, 0x00, // ts_usec 999000
    0x2a, 0x00, 0x00, 0x00,
    0x2a, 0x00, 0x00, 0x00,
    ...LINUX_ARP_REQUEST,
    // record 3: tx at 5 ms
    0x00, 0x00, 0x00, 0x00, // ts_sec 0
    0x88, 0x13, 0x00, 0x00, // ts_usec 5000
    0x2a, 0x00, 0x00, 0x00,
    0x2a, 0x00, 0x00, 0x00,
    ...LINUX_ARP_REPLY,
  ];
  assert.is(toHex(sink.bytes()), toHex(Uint8Array.from(expected)));
  assert.is(pw.framesRecorded, 3);
});

test("frame octets go to the sink straight from the device's buffer", () => {
  const sink = new Collect();
  const lb = new Loopback(4, 100);
  const pw = new PcapWriter(lb, sink, PcapMode.Both);
  const off = pw.transmitBegin(T0, 60);
  pw.txBytes.fill(7, off, off + 60);
  pw.transmitCommit(60);
  let last = sink.calls[sink.calls.length - 1];
  assert.ok(last.bytes === lb.txBytes && last.off === off && last.len === 60);
  assert.is(sink.calls[sink.calls.length - 2].len, 16, "the record header comes first");
  const header = sink.calls[sink.calls.length - 2].bytes;
  assert.is(pw.receive(T0), 60);
  last = sink.calls[sink.calls.length - 1];
  assert.ok(last.bytes === lb.rxBytes && last.off === pw.rxOffset && last.len === 60);
  assert.ok(sink.calls[sink.calls.length - 2].bytes === header, "one record-header buffer, reused");
});

test("timestamps: the int32 clock read as unsigned milliseconds, continuous across the wrap", () => {
  const stamp = (now: number): [number, number] => {
    const sink = new Collect();
    const lb = new Loopback(2, 100);
    const pw = new PcapWriter(lb, sink, PcapMode.Tx);
    send(pw, now, LINUX_ARP_REQUEST);
    const dv = new DataView(sink.bytes().buffer);
    return [dv.getUint32(24, true), dv.getUint32(28, true)];
  };
  assert.equal(stamp(0), [0, 0]);
  assert.equal(stamp(999), [0, 999000]);
  assert.equal(stamp(1000), [1, 0]);
  assert.equal(stamp(0x7fffffff), [2147483, 647000]);
  assert.equal(stamp(-0x80000000), [2147483, 648000], "one ms after 2^31 - 1");
  assert.equal(stamp(-1), [4294967, 295000], "2^32 - 1 ms");
  assert.equal(stamp(T0), [2147480, 647000]);
  assert.equal(stamp((T0 + 4000) | 0), [2147484, 647000]);
  // Every millisecond of a stretch across the wrap maps to an increasing time.
  let prev = -1;
  for (let t = -5000; t < 5000; t += 7) {
    const [s, us] = stamp((0x7fffffff + t) | 0);
    const ms = s * 1000 + us / 1000;
    assert.is(ms, 0x7fffffff + t);
    assert.ok(ms > prev);
    prev = ms;
  }
});

test("modes: Rx records only received frames, Tx only transmitted ones", () => {
  for (const [mode, rx, tx] of [[PcapMode.Rx, 1, 0], [PcapMode.Tx, 0, 1], [PcapMode.Both, 1, 1]] as const) {
    const sink = new Collect();
    const pw = new PcapWriter(new Loopback(), sink, mode);
    send(pw, T0, LINUX_ARP_REQUEST);
    assert.is(sink.out.length, 24 + tx * (16 + 42), "mode " + mode + " after tx");
    pw.receive(T0);
    assert.is(sink.out.length, 24 + (tx + rx) * (16 + 42), "mode " + mode + " after rx");
    assert.is(pw.framesRecorded, tx + rx);
  }
  assert.throws(() => new PcapWriter(new Loopback(), new Collect(), 0 as PcapMode), (e: unknown) => e instanceof DeviceConfigError);
  assert.throws(() => new PcapWriter(new Loopback(), new Collect(), 4 as PcapMode), (e: unknown) => e instanceof DeviceConfigError);
});

test("an abandoned or misused reservation is not recorded", () => {
  const sink = new Collect();
  const pw = new PcapWriter(new Loopback(1, 200), sink, PcapMode.Both);
  pw.transmitBegin(T0, 100);
  send(pw, T0, LINUX_ARP_REPLY);
  assert.is(pw.transmitBegin(T0, 100), -1);
  assert.throws(() => pw.transmitCommit(42));
  assert.is(pw.framesRecorded, 1);
  assert.is(sink.out.length, 24 + 16 + 42);
});

test("an IP-medium device gets link type 101 (raw IP)", () => {
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
  const sink = new Collect();
  new PcapWriter(ip, sink);
  assert.equal(Array.from(sink.bytes().subarray(20, 24)), le32(101));
});

test.run();
