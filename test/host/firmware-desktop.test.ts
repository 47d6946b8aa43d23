// The firmware on the desktop (issue 6, item 5): the real `firmware/main.ts` (its services, the
// ENC28J60 driver and the stack) runs inside the XS engine (an xsnap worker) over the emulated
// chip, with stand-ins for `Timer`, `Time`, `mc/config`, `trace`, `device` and the ECMA-419 SPI
// and Digital classes (test/firmware/desktop-host.ts). The chip's wire is bridged over the
// worker's pipes to a smoltcp-ts interface in this Node process, the peer, and both run on one
// simulated clock that starts 3 s before the int32 wrap (1 ms per exchange, jumping to the next
// deadline when idle).
//
// The peer pings the firmware (ICMPv4 and ICMPv6), sends the UDP 6969 datagram, opens TCP 6969
// (hello and close), moves 256 KiB of lines through TCP 6970 (reversed), 256 KiB into the TCP
// 6971 sink (the firmware's count and checksum compared) and out of the TCP 6972 source (every
// octet n mod 256), every octet checked. The sink's keep-alives and user timeout are timed with
// the cable cut.
// RX overflow: a burst of echo requests is put on the chip's wire while the firmware does not
// run; the ring takes 6, the chip drops the rest (RXERIF), the driver counts it, and exactly the
// stored ones are answered; TCP both ways and ping work afterwards.
// Allocation: during each transfer after 16 KiB of warm-up, every exchange starts with a full
// collection, so the slot count the worker reports after it is the live slots plus what the
// exchange allocated; it must be the same for every exchange, busy or idle. A control exchange
// that allocates one array must show more. The first test compares what the firmware holds
// after init with the manifest's `creation`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "node:fs";
import * as path from "node:path";
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
const SINK_OCTETS = 256 * 1024;
const SOURCE_OCTETS = 256 * 1024;
/** Echo requests in the overflow burst (the ring holds 6 of them). */
const BURST = 12;

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
      // The manifest's `creation` (README, "Memory") is chosen from these figures: the slot heap
      // and the chunk heap must hold what the firmware makes at init, with room left for Moddable.
      const manifest = JSON.parse(fs.readFileSync(path.join(process.cwd(), "firmware", "manifest.json"), "utf8")) as { platforms: { esp32: { creation: { heap: { initial: number }; chunk: { initial: number } } } } };
      const creation = manifest.platforms.esp32.creation;
      const slots = r.fw.boot!.firmwareSlots;
      console.log(
        `# firmware after init: ${slots} XS slots (${r.fw.boot!.after} in use with the engine, the bundle and the chip), ` +
          `${h.bufferOctets} octets in ${h.arrayBuffers} ArrayBuffers, ${h.arrays} arrays with ${h.arrayElements} elements, ${h.objects} objects; ` +
          `creation: heap ${creation.heap.initial} slots, chunk ${creation.chunk.initial} octets`,
      );
      // The rule (README): at least 1,024 slots and 16 KiB of chunk left for Moddable's own
      // objects (timer, IO instances, module records, traces); an array element takes 16 octets.
      assert.ok(slots + 1024 <= creation.heap.initial, `${slots} slots at init leave less than 1,024 of heap.initial (${creation.heap.initial}) to Moddable`);
      const chunk = h.bufferOctets + 16 * h.arrayElements;
      assert.ok(chunk + 16384 <= creation.chunk.initial, `${chunk} octets of buffers and array elements leave less than 16 KiB of chunk.initial (${creation.chunk.initial})`);
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

  /** The sink's checksum of `n` octets of the pattern octet i = i mod 256 (firmware/services.ts). */
  const patternSum = (n: number): number => {
    let h = 0;
    for (let i = 0; i < n; i++) h = (h * 31 + (i & 255)) | 0;
    return h;
  };

  /**
   * A peer connection that sends `n` octets of the pattern to `port` and half-closes (sink), or
   * reads `n` octets from it checking each and then closes (source). Returns the check, and with
   * `warmUp` >= 0 the XS slot counts of the exchanges from `warmUp` octets on to the end of the
   * connection (recorded afresh: `report()` must not run meanwhile, as every evaluation leaves a
   * slot behind in xsnap).
   */
  async function transfer(r: Rig, port: number, mode: "sink" | "source", n: number, warmUp: number): Promise<{ moved: number; bad: number; heap: { exchanges: number; min: number; max: number } }> {
    const p = r.peer;
    const sock = new TcpSocket(8192, 8192);
    const handle = p.sockets.add(sock);
    const pattern = new Uint8Array(512);
    for (let i = 0; i < 512; i++) pattern[i] = i & 255;
    const buf = new Uint8Array(8192);
    let moved = 0;
    let bad = 0;
    let closed = false;
    sock.connect(p.iface, IpEndpoint.parse("192.168.69.1:" + port));
    const app = () => {
      if (mode === "sink") {
        while (sock.canSend && moved < n) {
          const k = sock.send(pattern, moved & 255, Math.min(256, n - moved));
          if (k <= 0) break;
          moved += k;
        }
        if (moved === n && !closed) {
          sock.close();
          closed = true;
        }
        for (let k; (k = sock.recv(buf, 0, buf.length)) > 0;) bad += k; // the sink never answers
      } else {
        for (let k; moved < n && (k = sock.recv(buf, 0, Math.min(buf.length, n - moved))) > 0;) {
          for (let i = 0; i < k; i++) if (buf[i] !== ((moved + i) & 255)) bad++;
          moved += k;
        }
        if (moved === n && !closed) {
          sock.close();
          closed = true;
        }
        // After the n octets, what the source still sends is read and discarded, so its FIN can come.
        if (moved === n) while (sock.recv(buf, 0, buf.length) > 0);
      }
      if (!r.fw.recording && moved >= warmUp && warmUp >= 0) {
        r.fw.heapCounts.length = 0;
        r.fw.recording = true;
      }
    };
    const ok = await run(r, 120000, () => closed && (sock.state === TcpState.Closed || sock.state === TcpState.TimeWait), app);
    assert.ok(ok, `${mode} on ${port}: ${moved} of ${n} octets, state ${sock.state}`);
    // A few idle exchanges, still recorded: the firmware's side of the close is done in them.
    await run(r, 200, () => false);
    r.fw.recording = false;
    p.sockets.remove(handle);
    return { moved, bad, heap: heapSummary(r.fw.heapCounts) };
  }

  /** Runs idle exchanges (still recorded) until the firmware's counters show `done`. */
  async function settle(r: Rig, done: (rep: Awaited<ReturnType<XsFirmware["report"]>>) => boolean): Promise<Awaited<ReturnType<XsFirmware["report"]>>> {
    for (let i = 0; i < 50; i++) {
      const rep = await r.fw.report();
      if (done(rep)) return rep;
      await run(r, 20, () => false);
    }
    return r.fw.report();
  }

  test(`TCP 6971 sinks and TCP 6972 sources ${SINK_OCTETS} octets each, checked on both sides; the XS slot count is flat across each`, async () => {
    const r = await rig();
    try {
      const sink = await transfer(r, 6971, "sink", SINK_OCTETS, WARM_UP);
      assert.is(sink.moved, SINK_OCTETS);
      assert.is(sink.bad, 0, "the sink sent octets back");
      // The firmware counted and summed what it received: every octet, in order.
      let rep = await settle(r, (x) => x.services!.sinkConnections >= 1);
      assert.is(rep.services!.sinkConnections, 1);
      assert.is(rep.services!.lastSunk, SINK_OCTETS);
      assert.is(rep.services!.lastSinkSum, patternSum(SINK_OCTETS));

      const source = await transfer(r, 6972, "source", SOURCE_OCTETS, WARM_UP);
      assert.is(source.moved, SOURCE_OCTETS);
      assert.is(source.bad, 0, "octets of the source that were not n mod 256");
      rep = await settle(r, (x) => x.services!.sourceConnections >= 1);
      assert.is(rep.services!.sourceConnections, 1);
      assert.ok(rep.services!.lastSourced >= SOURCE_OCTETS, "the firmware sourced " + rep.services!.lastSourced);
      // A second source connection starts again at octet 0 (its own n mod 256), as the hosted server's.
      const again = await transfer(r, 6972, "source", 1000, -1);
      assert.is(again.bad, 0, "the second source connection's octets");

      console.log(
        `# 6971/6972: ${SINK_OCTETS} octets sunk (checksum ${rep.services!.lastSinkSum}), ${SOURCE_OCTETS} + 1000 sourced; after ${WARM_UP} octets of warm-up, ` +
          `sink: ${sink.heap.exchanges} exchanges ended with ${sink.heap.min}..${sink.heap.max} XS slots, source: ${source.heap.exchanges} with ${source.heap.min}..${source.heap.max} (each up to the close, and idle ones)`,
      );
      for (const [what, h] of [["sink", sink.heap], ["source", source.heap]] as const) {
        assert.ok(h.exchanges >= 20, `${what}: recorded exchanges: ${h.exchanges}`);
        assert.is(h.max - h.min, 0, `the slot count moved during the ${what} transfer`);
      }
      rep = await r.fw.report();
      assert.is(rep.chip.protocolErrors, 0);
      assert.is(rep.framesWaiting, 0);
      const d = rep.driver!;
      assert.is(Number(d.rxOverflows) + Number(d.rxRingResets) + Number(d.txAborts) + Number(d.txTimeouts), 0, JSON.stringify(d));
    } finally {
      await r.fw.close();
    }
  });

  // The sink's keep-alive (1 s) and user timeout (2 s) are those of the hosted server, with this
  // stack's TCP semantics (src/socket/tcp/timer.ts): the user timeout runs while data is
  // unacknowledged (RFC 5482) and while keep-alive probes go unanswered (as Linux's
  // TCP_USER_TIMEOUT, which then replaces the 9-probe rule), so a dead peer of an idle sink is
  // given up 2 s after the first unanswered keep-alive, about 3 s after it fell silent.
  test("TCP 6971: keep-alives every second while the peer is silent, the connection given up 2 s after the first unanswered one (the user timeout); the sink listens again", async () => {
    const r = await rig();
    try {
      const p = r.peer;
      const sock = new TcpSocket(4096, 4096);
      const handle = p.sockets.add(sock);
      sock.connect(p.iface, IpEndpoint.parse("192.168.69.1:6971"));
      assert.ok(await run(r, 3000, () => sock.state === TcpState.Established), "connected: " + sock.state);
      const hi = new TextEncoder().encode("some octets\n");
      sock.send(hi, 0, hi.length);
      assert.ok(await run(r, 3000, () => sock.sendQueue === 0), "sent and acknowledged");
      // The cable is cut: the firmware's frames are lost and the peer says nothing for 15 s.
      const cutAt = r.now;
      const sent: number[] = [];
      const flags: number[] = [];
      while (((r.now - cutAt) | 0) < 15000) {
        const x = await r.fw.exchange([], r.now);
        for (const f of x.frames) {
          sent.push((r.now - cutAt) | 0);
          flags.push(f.length >= 14 + 20 + 14 && f[12] === 0x08 && f[13] === 0x00 && f[23] === 6 ? f[14 + (f[14] & 15) * 4 + 13] : -1);
        }
        r.now = (r.now + (x.delay >= 1 && x.delay < 100 ? x.delay : 10)) | 0;
      }
      console.log(`# 6971 cut: the firmware sent frames at ${sent.join(", ")} ms (TCP flags ${flags.map((f) => "0x" + f.toString(16)).join(", ")})`);
      // Two keep-alives (ACK, no data), one a second from the first second on, then the RST the
      // user timeout sends 2 s after the first of them; nothing after it.
      assert.is(sent.length, 3, "keep-alives and the reset");
      for (let i = 0; i < 2; i++) {
        assert.is(flags[i], 0x10, "keep-alive " + i + " is a bare ACK");
        assert.ok(sent[i] >= 990 * (i + 1) && sent[i] <= 1010 * (i + 1) + 20, `keep-alive ${i} at ${sent[i]} ms`);
      }
      assert.is(flags[2] & 0x04, 0x04, "the connection ends with a RST");
      assert.ok(sent[2] - sent[0] >= 2000 && sent[2] - sent[0] <= 2020, `the reset at ${sent[2]} ms, 2 s after the first keep-alive`);
      const rep = await r.fw.report();
      assert.is(rep.services!.sinkConnections, 1, "the user timeout ended the connection");
      assert.is(rep.services!.lastSunk, hi.length);
      let sum = 0;
      for (const b of hi) sum = (sum * 31 + b) | 0;
      assert.is(rep.services!.lastSinkSum, sum);
      // Our end never heard the reset (the cable was cut): it gives up; a new connection is served.
      sock.abort();
      p.sockets.remove(handle);
      const next = await transfer(r, 6971, "sink", 4096, -1);
      assert.is(next.moved, 4096);
      const after = await settle(r, (x) => x.services!.sinkConnections >= 2);
      assert.is(after.services!.lastSunk, 4096);
      assert.is(after.services!.lastSinkSum, patternSum(4096));
    } finally {
      await r.fw.close();
    }
  });

  test("RX overflow: a burst of pings fills the ring while the firmware is not polling; the driver counts it and recovers, then TCP and ping are intact", async () => {
    const r = await rig();
    try {
      const p = r.peer;
      const icmp = new IcmpSocket(32, 32 * 1100, 32, 32 * 1100);
      icmp.bindIdent(0x0b0b);
      p.sockets.add(icmp);
      const data = new Uint8Array(1000);
      for (let i = 0; i < data.length; i++) data[i] = (i * 13) & 255;
      const buf = new Uint8Array(1100);
      // One ping first: the neighbors are resolved both ways.
      assert.ok(icmp.sendEchoRequest(IpAddress.parse("192.168.69.1"), 0x0b0b, 100, data, 0, 64));
      assert.ok(await run(r, 3000, () => icmp.recvQueue() > 0), "first echo reply");
      icmp.recvSlice(buf, 0, buf.length);
      // BURST echo requests of 1042-octet frames, all handed over in one burst exchange: the ring
      // (0x0000..0x19FF, 6,656 octets, 1,052 per stored frame) takes 6 of them.
      for (let seq = 0; seq < BURST; seq++) assert.ok(icmp.sendEchoRequest(IpAddress.parse("192.168.69.1"), 0x0b0b, seq, data, 0, data.length));
      p.iface.poll(r.now, p.dev, p.sockets);
      const burst = p.dev.outgoing;
      p.dev.outgoing = [];
      assert.is(burst.length, BURST, "the peer sent the burst in one poll");
      const x = await r.fw.exchange(burst, r.now, false, true);
      for (const f of x.frames) p.dev.incoming.push(f);
      assert.ok(await run(r, 3000, () => false) === false);
      const seqs: number[] = [];
      while (icmp.recvQueue() > 0) {
        const n = icmp.recvSlice(buf, 0, buf.length);
        assert.is(n, 8 + data.length);
        assert.equal(buf.slice(8, n), data);
        seqs.push((buf[6] << 8) | buf[7]);
      }
      const rep = await r.fw.report();
      const d = rep.driver!;
      console.log(`# overflow: ${BURST} frames in a burst, ${rep.burstDropped} dropped by the chip (framesOverflowed ${rep.chip.framesOverflowed}), replies to ${seqs.join(",")}; driver rxOverflows ${d.rxOverflows}, rxRingResets ${d.rxRingResets}`);
      assert.is(rep.burstDropped, BURST - 6, "frames the full ring refused");
      assert.is(rep.chip.framesOverflowed, BURST - 6);
      assert.ok(Number(d.rxOverflows) >= 1, "the driver counted the overflow");
      assert.is(Number(d.rxRingResets), 0, "the ring stayed consistent");
      assert.equal(seqs, [0, 1, 2, 3, 4, 5], "exactly the stored frames were answered, in order");

      // Recovered: a TCP transfer each way, every octet checked, and pings.
      const sink = await transfer(r, 6971, "sink", 64 * 1024, -1);
      assert.is(sink.moved, 64 * 1024);
      const srep = await settle(r, (y) => y.services!.sinkConnections >= 1);
      assert.is(srep.services!.lastSunk, 64 * 1024);
      assert.is(srep.services!.lastSinkSum, patternSum(64 * 1024));
      const source = await transfer(r, 6972, "source", 64 * 1024, -1);
      assert.is(source.bad, 0);
      for (let seq = 200; seq < 203; seq++) {
        assert.ok(icmp.sendEchoRequest(IpAddress.parse("192.168.69.1"), 0x0b0b, seq, data, 0, data.length));
        assert.ok(await run(r, 3000, () => icmp.recvQueue() > 0), "echo reply " + seq);
        const n = icmp.recvSlice(buf, 0, buf.length);
        assert.is((buf[6] << 8) | buf[7], seq);
        assert.equal(buf.slice(8, n), data);
      }
      const end = await r.fw.report();
      assert.is(end.chip.protocolErrors, 0);
      assert.is(Number(end.driver!.rxRingResets), 0);
      assert.is(end.chip.framesOverflowed, BURST - 6, "no overflow after the burst");
    } finally {
      await r.fw.close();
    }
  });
}

test.run();
