// End to end: two emulated ENC28J60s joined back to back by their wire, each driven by the
// driver under a smoltcp-ts Interface, the interfaces polled from the chips' INT callbacks (as
// the firmware does) plus a clock loop for timers. Pings and UDP datagrams over IPv4 and IPv6;
// IPv6 neighbor discovery needs the solicited-node groups in the multicast hash filter.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Enc28j60 } from "../../../drivers/enc28j60/index.js";
import { Enc28j60Chip } from "../../../drivers/enc28j60/emulator/index.js";
import { Interface } from "../../../src/iface/interface.js";
import { SocketSet } from "../../../src/socket/set.js";
import { UdpSocket } from "../../../src/socket/udp.js";
import { IcmpSocket } from "../../../src/socket/icmp.js";
import { EthernetAddress } from "../../../src/wire/ethernet.js";
import { IpAddress, IpEndpoint, Ipv4Cidr, Ipv6Address, Ipv6Cidr, ipv4Parse } from "../../../src/wire/ip.js";
import { driverOptions, MAC_A, MAC_B } from "./rig.js";

interface Station {
  chip: Enc28j60Chip;
  driver: Enc28j60;
  iface: Interface;
  sockets: SocketSet;
  udp: UdpSocket;
  icmp: IcmpSocket;
}

class Clock {
  now = (0x7fffffff - 2000) | 0;
}

function station(chip: Enc28j60Chip, mac: string, v4: string, v6: string, clock: Clock, hash: boolean): Station {
  const iface = new Interface(EthernetAddress.parse(mac));
  iface.addIpv4Address(new Ipv4Cidr(ipv4Parse(v4), 24));
  const v6addr = Ipv6Address.parse(v6);
  iface.addIpv6Address(new Ipv6Cidr(v6addr, 64));
  const sockets = new SocketSet(4);
  const udp = new UdpSocket(4, 2048, 4, 2048);
  udp.bind(6969);
  const icmp = new IcmpSocket(4, 1024, 4, 1024);
  icmp.bindIdent(0x1234);
  sockets.add(udp);
  sockets.add(icmp);
  const s = { chip, iface, sockets, udp, icmp } as Station;
  s.driver = new Enc28j60({
    ...driverOptions(chip, { mac }),
    onInterrupt() {
      iface.poll(clock.now, this, sockets);
    },
  });
  if (hash) s.driver.setMulticastGroups([], [v6addr]);
  return s;
}

/** Runs the two stations until `done()` or `ms` of simulated time. */
function run(a: Station, b: Station, clock: Clock, ms: number, done: () => boolean): void {
  const end = (clock.now + ms) | 0;
  while (((clock.now - end) | 0) < 0 && !done()) {
    a.iface.poll(clock.now, a.driver, a.sockets);
    b.iface.poll(clock.now, b.driver, b.sockets);
    for (let i = 0; i < 10 && a.chip.dispatchInterrupts() + b.chip.dispatchInterrupts() > 0; i++);
    const d = Math.min(a.iface.pollDelay(clock.now, a.sockets), b.iface.pollDelay(clock.now, b.sockets));
    clock.now = (clock.now + Math.max(1, Math.min(d < 0 ? 10 : d, 10))) | 0;
  }
}

function pair(hash = true) {
  const chipA = new Enc28j60Chip();
  const chipB = new Enc28j60Chip();
  chipA.attach(chipB);
  const clock = new Clock();
  const a = station(chipA, MAC_A, "192.168.69.1", "fd00::1", clock, hash);
  const b = station(chipB, MAC_B, "192.168.69.2", "fd00::2", clock, hash);
  return { a, b, clock };
}

for (const v6 of [false, true]) {
  test(`back to back over ${v6 ? "IPv6" : "IPv4"}: 10 pings answered, 20 UDP datagrams each way`, () => {
    const { a, b, clock } = pair();
    const peerB = IpAddress.parse(v6 ? "fd00::2" : "192.168.69.2");
    const data = new Uint8Array(56);
    let replies = 0;
    const buf = new Uint8Array(2048);
    for (let seq = 0; seq < 10; seq++) {
      data[0] = seq;
      assert.ok(a.icmp.sendEchoRequest(peerB, 0x1234, seq, data, 0, 56));
      run(a, b, clock, 2000, () => a.icmp.recvQueue() > 0);
      if (a.icmp.recvSlice(buf, 0, 2048) >= 0) replies++;
    }
    assert.is(replies, 10);
    const toB = IpEndpoint.parse(v6 ? "[fd00::2]:6969" : "192.168.69.2:6969");
    const toA = IpEndpoint.parse(v6 ? "[fd00::1]:6969" : "192.168.69.1:6969");
    let atB = 0;
    let atA = 0;
    for (let i = 0; i < 20; i++) {
      buf.fill(i, 0, 1000);
      assert.ok(a.udp.sendSlice(buf, 0, 1000, toB));
      assert.ok(b.udp.sendSlice(buf, 0, 100 + i, toA));
      run(a, b, clock, 1000, () => b.udp.recvQueue() > 0 && a.udp.recvQueue() > 0);
      const n = b.udp.recvSlice(buf, 0, 2048);
      if (n === 1000 && buf[999] === i) atB++;
      if (a.udp.recvSlice(buf, 0, 2048) === 100 + i) atA++;
    }
    assert.is(atB, 20);
    assert.is(atA, 20);
    for (const s of [a, b]) {
      const st = s.driver.stats;
      assert.is(st.rxCrcErrors + st.rxLengthErrors + st.rxRingResets + st.rxOverflows + st.txAborts + st.txTimeouts, 0);
      assert.ok(st.interrupts > 0, "driven by INT");
      assert.is(s.chip.protocolErrors, 0);
    }
  });
}

test("back to back over IPv6 without the solicited-node groups in the hash filter: neighbor discovery fails", () => {
  const { a, b, clock } = pair(false);
  const data = new Uint8Array(8);
  assert.ok(a.icmp.sendEchoRequest(IpAddress.parse("fd00::2"), 0x1234, 1, data, 0, 8));
  run(a, b, clock, 3000, () => a.icmp.recvQueue() > 0);
  assert.is(a.icmp.recvQueue(), 0);
  assert.ok(b.chip.framesFiltered > 0, "the neighbor solicitation was filtered by the chip");
});

test.run();
