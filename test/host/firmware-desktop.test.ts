// The firmware on the desktop (issue 6, item 5): the real `firmware/main.ts` (its services, the
// ENC28J60 driver and the stack) runs inside the XS engine (an xsnap worker) over the emulated
// chip, with stand-ins for `Timer`, `Time`, `mc/config`, `trace`, `device` and the ECMA-419 SPI
// and Digital classes (test/firmware/desktop-host.ts). The chip's wire is bridged over the
// worker's pipes to a smoltcp-ts interface in this Node process, the peer, and both run on one
// simulated clock that starts 3 s before the int32 wrap (1 ms per exchange, jumping to the next
// deadline when idle).
//
// The peer pings the firmware (ICMPv4 and ICMPv6), sends the UDP 6969 datagram, opens TCP 6969
// (hello and close) and moves 64 KiB of lines through TCP 6970 (reversed), every octet checked.
// Allocation: during the transfer after 16 KiB of warm-up, every exchange starts with a full
// collection, so the slot count the worker reports after it is the live slots plus what the
// exchange allocated; it must be the same for every exchange, busy or idle. A control exchange
// that allocates one array must show more.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ChecksumCapabilities } from "../../src/wire/checksum.js";
import { DeviceCapabilities, Medium, type Device } from "../../src/phy/device.js";
import { Interface } from "../../src/iface/interface.js";
import { SocketSet } from "../../src/socket/set.js";
import { IcmpSocket } from "../../src/socket/icmp.js";
import { UdpSocket } from "../../src/socket/udp.js";
import { TcpSocket, TcpState } from "../../src/socket/tcp/socket.js";
import { EthernetAddress } from "../../src/wire/ethernet.js";
import { IpAddress, IpEndpoint, Ipv4Cidr, Ipv6Address, Ipv6Cidr, ipv4Parse } from "../../src/wire/ip.js";
import { buildFirmwareScript, heapSummary, manifestConfig, xsnapWorker, XsFirmware } from "../support/firmware-xs.js";

const REVERSE_OCTETS = 256 * 1024;
const WARM_UP = 16 * 1024;

/** The peer's end of the bridge: frames from the firmware queue here; frames sent are collected. */
class BridgeDevice implements Device {
  readonly capabilities = new DeviceCapabilities(Medium.Ethernet, 1514, 0, new ChecksumCapabilities());
  readonly rxBytes = new Uint8Array(1536);
  readonly rxView = new DataView(this.rxBytes.buffer);
  readonly rxOffset = 0;
  readonly txBytes = new Uint8Array(1536);
  readonly txView = new DataView(this.txBytes.buffer);
  readonly incoming: Uint8Array[] = [];
  outgoing: Uint8Array[] = [];

  receive(): number {
    const f = this.incoming.shift();
    if (!f) return 0;
    this.rxBytes.set(f, 0);
    return f.length;
  }
  transmitBegin(): number {
    return 0;
  }
  transmitCommit(len: number): void {
    this.outgoing.push(this.txBytes.slice(0, len));
  }
}

/** The Node peer: 02-00-00-00-00-02, 192.168.69.100/24, fdaa::100/64. */
class Peer {
  readonly dev = new BridgeDevice();
  readonly iface = new Interface(EthernetAddress.parse("02-00-00-00-00-02"));
  readonly sockets = new SocketSet(8);
  constructor() {
    this.iface.addIpv4Address(new Ipv4Cidr(ipv4Parse("192.168.69.100"), 24));
    this.iface.addIpv6Address(new Ipv6Cidr(Ipv6Address.parse("fdaa::100"), 64));
  }
}

interface Rig {
  fw: XsFirmware;
  peer: Peer;
  now: number;
  /** Exchanges made, and those that moved frames. */
  exchanges: number;
  /** Recorded exchanges: frames in + out of each, to show busy and idle ones were compared. */
  moved: number[];
}

let script: string | null = null;

async function rig(): Promise<Rig> {
  script ??= await buildFirmwareScript();
  const now = (0x7fffffff - 3000) | 0;
  const fw = await XsFirmware.start(manifestConfig(), now, script);
  return { fw, peer: new Peer(), now, exchanges: 0, moved: [] };
}

/** Runs peer and firmware until `done()` (checked after every exchange) or `limitMs` of simulated time. */
async function run(r: Rig, limitMs: number, done: () => boolean, app: () => void = () => undefined): Promise<boolean> {
  const end = (r.now + limitMs) | 0;
  const p = r.peer;
  while (((r.now - end) | 0) < 0) {
    app();
    p.iface.poll(r.now, p.dev, p.sockets);
    app();
    const out = p.dev.outgoing;
    p.dev.outgoing = [];
    const x = await r.fw.exchange(out, r.now);
    r.exchanges++;
    if (r.fw.recording) r.moved.push(out.length + x.frames.length);
    for (const f of x.frames) p.dev.incoming.push(f);
    p.iface.poll(r.now, p.dev, p.sockets);
    app();
    if (done()) return true;
    let step = 1;
    if (out.length === 0 && x.frames.length === 0 && p.dev.outgoing.length === 0) {
      const dp = p.iface.pollDelay(r.now, p.sockets);
      const candidates = [dp, x.delay].filter((d) => d >= 0);
      step = Math.max(1, Math.min(200, ...candidates));
    }
    r.now = (r.now + step) | 0;
  }
  return done();
}

const skip = xsnapWorker() === null ? "the xsnap worker binary is missing" : null;

if (skip) {
  test.skip(`firmware on the desktop (${skip})`, () => undefined);
} else {
  test("the firmware boots in XS: link up, the chip answers, and what it holds after init is measured", async () => {
    const r = await rig();
    try {
      const rep = await r.fw.report();
      assert.match(rep.log.join(""), /ENC28J60 rev 0x6, 02-00-00-00-00-01, link up/);
      assert.ok(r.fw.boot !== null && r.fw.boot.firmwareSlots > 0);
      assert.is(rep.chip.protocolErrors, 0);
      const h = rep.holdings!;
      console.log(
        `# firmware after init: ${r.fw.boot!.firmwareSlots} XS slots (${r.fw.boot!.after} in use with the engine, the bundle and the chip), ` +
          `${h.bufferOctets} octets in ${h.arrayBuffers} ArrayBuffers, ${h.arrays} arrays with ${h.arrayElements} elements, ${h.objects} objects`,
      );
    } finally {
      await r.fw.close();
    }
  });

  test("ping (ICMPv4, ICMPv6), the UDP 6969 hello and the TCP 6969 hello-and-close, byte for byte", async () => {
    const r = await rig();
    try {
      const p = r.peer;
      const icmp = new IcmpSocket(4, 1024, 4, 1024);
      icmp.bindIdent(0x4242);
      const udp = new UdpSocket(4, 1024, 4, 1024);
      udp.bind(40000);
      const hello = new TcpSocket(1024, 1024);
      for (const s of [icmp, udp, hello]) p.sockets.add(s);
      const buf = new Uint8Array(2048);
      const data = new Uint8Array(56);
      for (let i = 0; i < 56; i++) data[i] = (i * 7) & 255;

      for (const target of ["192.168.69.1", "fdaa::1"]) {
        for (let seq = 0; seq < 3; seq++) {
          data[0] = seq;
          assert.ok(icmp.sendEchoRequest(IpAddress.parse(target), 0x4242, seq, data, 0, 56));
          assert.ok(await run(r, 3000, () => icmp.recvQueue() > 0), `echo reply from ${target} (seq ${seq})`);
          const n = icmp.recvSlice(buf, 0, buf.length);
          // Echo reply: type 0 (ICMPv4) or 129 (ICMPv6), then identifier, sequence, our data.
          assert.is(buf[0], target.includes(":") ? 129 : 0);
          assert.is((buf[4] << 8) | buf[5], 0x4242);
          assert.is((buf[6] << 8) | buf[7], seq);
          assert.is(n, 8 + 56);
          assert.equal(buf.slice(8, n), data);
        }
      }

      for (const target of ["192.168.69.1:6969", "[fdaa::1]:6969"]) {
        const msg = new TextEncoder().encode("abcdefg\n");
        assert.ok(udp.sendSlice(msg, 0, msg.length, IpEndpoint.parse(target)));
        assert.ok(await run(r, 3000, () => udp.recvQueue() > 0), "UDP answer from " + target);
        const n = udp.recvSlice(buf, 0, buf.length);
        assert.is(new TextDecoder().decode(buf.subarray(0, n)), "hello\n");
        assert.is(udp.lastRecvEndpoint.toString(), target);
      }

      hello.connect(p.iface, IpEndpoint.parse("192.168.69.1:6969"));
      let got = "";
      let closed = false;
      const ok = await run(r, 5000, () => closed && hello.state === TcpState.Closed, () => {
        for (let n; (n = hello.recv(buf, 0, buf.length)) !== 0;) {
          if (n < 0) {
            if (!closed) hello.close();
            closed = true;
            break;
          }
          got += new TextDecoder().decode(buf.subarray(0, n));
        }
      });
      assert.is(got, "hello\n");
      assert.ok(ok, "the hello connection ended in state " + hello.state);

      const rep = await r.fw.report();
      assert.is(rep.chip.protocolErrors, 0);
      assert.is(rep.framesWaiting, 0);
      const d = rep.driver!;
      assert.is(Number(d.rxCrcErrors) + Number(d.rxLengthErrors) + Number(d.rxRingResets) + Number(d.rxOverflows) + Number(d.txAborts) + Number(d.txTimeouts), 0, JSON.stringify(d));
      assert.ok(Number(d.interrupts) > 0, "driven by the INT pin");
    } finally {
      await r.fw.close();
    }
  });

  test(`TCP 6970 reverses ${REVERSE_OCTETS} octets of lines, every octet checked; the XS slot count is flat across the transfer`, async () => {
    const r = await rig();
    try {
      const p = r.peer;
      const sock = new TcpSocket(8192, 8192);
      p.sockets.add(sock);
      // Lines of 1 to 63 printable octets and "\n", from a seeded xorshift32.
      let seed = 6970;
      const rnd = () => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return seed >>> 0;
      };
      const sent = new Uint8Array(REVERSE_OCTETS);
      const expect = new Uint8Array(REVERSE_OCTETS);
      for (let at = 0; at < REVERSE_OCTETS;) {
        let k = 1 + (rnd() % 63);
        if (at + k + 1 > REVERSE_OCTETS) k = REVERSE_OCTETS - at - 1;
        for (let i = 0; i < k; i++) sent[at + i] = 0x21 + (rnd() % 94);
        sent[at + k] = 0x0a;
        for (let i = 0; i < k; i++) expect[at + i] = sent[at + k - 1 - i];
        expect[at + k] = 0x0a;
        at += k + 1;
      }
      const back = new Uint8Array(REVERSE_OCTETS);
      let nSent = 0;
      let nBack = 0;
      sock.connect(p.iface, IpEndpoint.parse("192.168.69.1:6970"));
      const app = () => {
        if (sock.canSend && nSent < REVERSE_OCTETS) nSent += sock.send(sent, nSent, REVERSE_OCTETS - nSent);
        for (let n; nBack < REVERSE_OCTETS && (n = sock.recv(back, nBack, REVERSE_OCTETS - nBack)) > 0;) nBack += n;
        if (!r.fw.recording && nBack >= WARM_UP) r.fw.recording = true;
      };
      const ok = await run(r, 120000, () => nBack >= REVERSE_OCTETS, app);
      assert.ok(ok, `${nBack} of ${REVERSE_OCTETS} octets came back (${nSent} sent)`);
      // Idle exchanges, still recorded: nothing to do must cost the same as a busy exchange.
      for (let i = 0; i < 5; i++) {
        await r.fw.exchange([], r.now);
        r.moved.push(0);
        r.now = (r.now + 1) | 0;
      }
      r.fw.recording = false;
      let first = -1;
      for (let i = 0; i < REVERSE_OCTETS; i++) if (back[i] !== expect[i]) { first = i; break; }
      assert.is(first, -1, "first differing octet");

      const counts = r.fw.heapCounts;
      const s = heapSummary(counts);
      const busiest = Math.max(...r.moved);
      console.log(`# 6970: ${REVERSE_OCTETS} octets reversed in ${r.exchanges} exchanges; after ${WARM_UP} octets of warm-up, ${s.exchanges} exchanges (up to ${busiest} frames each, and idle ones) all ended with ${s.min}..${s.max} XS slots in use`);
      assert.ok(s.exchanges >= 20, "recorded exchanges: " + s.exchanges);
      assert.ok(busiest >= 3, "the recorded exchanges include busy ones");
      assert.ok(r.moved.includes(0), "and idle ones");
      assert.is(s.max - s.min, 0, "the slot count moved during the transfer: the firmware allocates on the packet path");

      // The control: an exchange that allocates one array is seen.
      const base = s.min;
      await r.fw.control(true);
      const c = await r.fw.exchange([], r.now, true);
      await r.fw.control(false);
      assert.ok(c.meter.currentHeapCount > base, `the control exchange shows ${c.meter.currentHeapCount - base} more slots`);

      // Close: the peer half-closes, the firmware sends what is left and closes too.
      sock.close();
      assert.ok(await run(r, 30000, () => sock.state === TcpState.Closed || sock.state === TcpState.TimeWait), "closed: " + sock.state);
      const rep = await r.fw.report();
      assert.is(rep.chip.protocolErrors, 0);
      assert.is(rep.framesWaiting, 0);
      assert.is(rep.replyOverflows, 0);
      const d = rep.driver!;
      assert.is(Number(d.rxOverflows) + Number(d.rxRingResets) + Number(d.txAborts) + Number(d.txTimeouts), 0, JSON.stringify(d));
    } finally {
      await r.fw.close();
    }
  });
}

test.run();
