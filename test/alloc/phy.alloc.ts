import { allocCase } from "../support/alloc.js";
import { Loopback } from "../../src/phy/loopback.js";
import { FaultInjector } from "../../src/phy/fault-injector.js";
import { PcapMode, PcapWriter, type PcapSink } from "../../src/phy/pcap-writer.js";
import type { Device } from "../../src/phy/device.js";

// Setup, once: devices, a template frame, a sink that does nothing. The clock starts a few
// seconds before the int32 wrap and advances 1 ms per iteration, so long runs cross it.
const T0 = (0x7fffffff - 3000) | 0;

class NullSink implements PcapSink {
  octets = 0;
  write(_bytes: Uint8Array, _off: number, len: number): void {
    this.octets = (this.octets + len) | 0;
  }
}

/**
 * One frame out and whatever comes back in, answering each "request" (EtherType 0x0800) with a
 * 60-octet "reply" (0x0806) written while the request is lent: the work every case repeats.
 */
function trip(dev: Device, now: number, len: number, i: number): number {
  let acc = 0;
  const off = dev.transmitBegin(now, len);
  if (off >= 0) {
    const tx = dev.txView;
    tx.setInt32(off, i);
    tx.setUint16(off + 12, 0x0800);
    dev.txBytes[off + len - 1] = i & 0xff;
    dev.transmitCommit(len);
  }
  for (let n = dev.receive(now); n > 0; n = dev.receive(now)) {
    const rx = dev.rxOffset;
    const type = dev.rxView.getUint16(rx + 12);
    acc = (acc + n + type + dev.rxBytes[rx + n - 1]) | 0;
    if (type !== 0x0800) continue;
    const r = dev.transmitBegin(now, 60);
    if (r >= 0) {
      dev.txBytes.copyWithin(r, rx, rx + 60);
      dev.txView.setUint16(r + 12, 0x0806);
      dev.transmitCommit(60);
    }
  }
  return acc;
}

const loopback = new Loopback(8, 1514);
allocCase("phy: Loopback transmit + receive + reply", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = (acc + trip(loopback, (T0 + i) | 0, 60 + (i & 1023), i)) | 0;
  return acc;
});

const faulty = new FaultInjector(new Loopback(8, 1514), 42);
faulty.dropChance = 10;
faulty.corruptChance = 10;
faulty.sizeLimit = 1000;
faulty.txRateLimit = 50;
faulty.rxRateLimit = 40;
faulty.shapingInterval = 20;
allocCase("phy: FaultInjector over Loopback (drops, corruption, size and rate limits)", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = (acc + trip(faulty, (T0 + i) | 0, 60 + (i & 1023), i)) | 0;
  return (acc + faulty.rxDropped + faulty.txCorrupted + faulty.rxRateLimited) | 0;
});

const sink = new NullSink();
const pcap = new PcapWriter(new Loopback(8, 1514), sink, PcapMode.Both);
allocCase("phy: PcapWriter over Loopback, null sink", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = (acc + trip(pcap, (T0 + i * 997) | 0, 60 + (i & 1023), i)) | 0;
  return (acc + sink.octets) | 0;
});
