// The firmware on the real engine, answering the Linux kernel (issue 6, "What it must show"):
// `firmware/main.ts` booted in XS over the emulated ENC28J60 (test/support/firmware-xs.ts),
// the chip's wire bridged through a Node process to a TAP inside a throwaway network namespace
// (test/support/firmware-tap-bridge.ts, started with `ip netns exec`). The kernel, inside the
// namespace (192.168.69.100/24, fdaa::100/64 on tap0), pings the firmware (IPv4 and IPv6),
// sends the UDP 6969 datagram (socat), opens TCP 6969 (socat) and pushes 1 MiB of lines through
// TCP 6970, which must come back reversed, every octet checked (test/support/netns.ts's peer).
// During the 1 MiB transfer every exchange starts with a full collection and the XS slot count
// after it is recorded: it must not move. Then the kernel sends 1 MiB into the TCP 6971 sink
// (the firmware's count and checksum of the octets are compared) and reads 1 MiB from the TCP
// 6972 source (every octet checked), the slot count again flat. Last, RX overflow end to end:
// the bridge stops running the firmware while the kernel sends 12 large echo requests, then puts
// them on the chip's wire in one burst; the chip's ring takes 6, drops the rest (RXERIF), the
// driver counts the overflow, the stored ones are answered, and ping and TCP work afterwards.
//
// Network safety: the namespace is new and has only its loopback and the TAP; no route, NAT or
// forwarding is configured; it is deleted in a `finally`. Needs root and /dev/net/tun (skipped
// with a message otherwise).
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { announceSkip, EXPECTED_SKIP_REASONS, netnsSkipReason, peerScript, sleep, withNetns, type Netns, type NsProcess } from "../support/netns.js";
import { xsnapWorker, type FirmwareReport } from "../support/firmware-xs.js";

const MIB = 1024 * 1024;
const BRIDGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "support", "firmware-tap-bridge.js");
let skip = netnsSkipReason(["ping", "socat", "python3"]);
if (skip === null && xsnapWorker() === null) skip = "tool missing: the xsnap worker binary of @agoric/xsnap";

function peer(ns: Netns, script: string, args: string[], timeout = 120000): string {
  const r = ns.exec("python3", [script, ...args], false, { timeout });
  const out = (r.stdout || "").trim();
  assert.ok(out.startsWith("ok"), `peer ${args.join(" ")}: ${out} ${r.stderr || ""} ${r.signal ?? ""}`);
  return out;
}

/** Sends a command to the bridge and waits for the line that answers it. */
async function command(bridge: NsProcess, cmd: string, answer: RegExp): Promise<string> {
  const before = bridge.stdout.length;
  bridge.child.stdin!.write(cmd + "\n");
  for (let i = 0; i < 400; i++) {
    const tail = bridge.stdout.slice(before);
    const m = answer.exec(tail);
    if (m) return m[0];
    await sleep(25);
  }
  throw new Error(`no answer to ${cmd}; stderr: ${bridge.stderr.slice(-2000)}`);
}

/** Echo requests sent while the firmware does not run (the ring holds 6 of their frames). */
const PINGS = 12;

/** The sink's checksum of `n` octets of the pattern octet i = i mod 256 (firmware/services.ts). */
function patternSum(n: number): number {
  let h = 0;
  for (let i = 0; i < n; i++) h = (h * 31 + (i & 255)) | 0;
  return h;
}

/**
 * `sink.py HOST PORT N`: sends N octets, octet i = i mod 256 (all of them: `sendall`), half-closes
 * and waits for the server's close. Prints `ok N seconds`.
 */
const SINK_PY = String.raw`
import socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t0 = time.time()
s = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET, socket.SOCK_STREAM); s.settimeout(300)
s.connect((host, port))
s.sendall((bytes(i & 255 for i in range(256)) * (n // 256 + 1))[:n])
s.shutdown(socket.SHUT_WR)
while s.recv(65536): pass
print('ok %d %.2f' % (n, time.time() - t0))
`;

function sinkScript(ns: Netns): string {
  const f = ns.file("sink.py");
  fs.writeFileSync(f, SINK_PY);
  return f;
}

/** What the bridge's `report` prints: the firmware's report, the slot counts measured, the bridge's counters. */
interface BridgeReport extends Omit<FirmwareReport, "driver" | "services"> {
  driver: Record<string, number>;
  services: NonNullable<FirmwareReport["services"]>;
  heap: { exchanges: number; min: number; max: number };
  busiest: number;
  idle: number;
  bridge: Record<string, number>;
}

async function report(bridge: NsProcess): Promise<BridgeReport> {
  const line = await command(bridge, "report", /report .*\n/);
  return JSON.parse(line.slice("report ".length)) as BridgeReport;
}

/** A namespace with tap0, the bridge (the firmware booted in XS) on it, and the kernel's peer script. */
async function withBridge(fn: (ns: Netns, bridge: NsProcess, script: string) => Promise<void>): Promise<void> {
  await withNetns(async (ns) => {
    ns.addTap();
    const bridge = ns.spawn(process.execPath, [BRIDGE, "tap0"], { stdin: "pipe" });
    await bridge.waitFor(/ready on tap0/, 30000);
    try {
      await fn(ns, bridge, peerScript(ns));
    } finally {
      bridge.child.stdin!.end();
      await bridge.stop();
    }
  });
}

if (skip !== null) {
  announceSkip("firmware-tap", skip);
  test("firmware-tap: skipped for an expected reason", () => {
    assert.ok(EXPECTED_SKIP_REASONS.some((r) => skip!.startsWith(r)), skip!);
  });
} else {
  test("the firmware in XS answers the kernel through a TAP: ping, UDP 6969, TCP 6969, 1 MiB reversed on TCP 6970; slot count flat", async () => {
    await withBridge(async (ns, bridge, script) => {
      const p4 = ns.exec("ping", ["-c", "3", "-i", "0.2", "-W", "2", "192.168.69.1"], false);
      assert.match(p4.stdout, /3 packets transmitted, 3 received/, p4.stdout + p4.stderr);
      const p6 = ns.exec("ping", ["-6", "-c", "3", "-i", "0.2", "-W", "2", "fdaa::1"], false);
      assert.match(p6.stdout, /3 packets transmitted, 3 received/, p6.stdout + p6.stderr);

      const udp = ns.exec("socat", ["-T", "2", "-", "UDP4:192.168.69.1:6969"], false, { input: "abcdefg\n", timeout: 10000 });
      assert.is(udp.stdout, "hello\n", "UDP 6969: " + udp.stderr);
      assert.match(peer(ns, script, ["udp", "fdaa::1", "6969"]), /hello/);

      const hello = ns.exec("socat", ["-T", "5", "-", "TCP4:192.168.69.1:6969"], false, { input: "", timeout: 10000 });
      assert.is(hello.stdout, "hello\n", "TCP 6969: " + hello.stderr);

      const rev = ns.exec("socat", ["-t", "2", "-T", "5", "-", "TCP4:192.168.69.1:6970"], false, { input: "abcdefg\nhello world\n", timeout: 10000 });
      assert.is(rev.stdout, "gfedcba\ndlrow olleh\n", "TCP 6970: " + rev.stderr);

      // Warm-up, then the measured 1 MiB.
      peer(ns, script, ["reverse", "192.168.69.1", "6970", String(64 * 1024)]);
      await command(bridge, "measure on", /measuring/);
      const big = peer(ns, script, ["reverse", "192.168.69.1", "6970", String(MIB)], 300000);
      assert.match(big, new RegExp(`^ok ${MIB} `));
      // A little more than a second of idle time: the backup-poll timer's exchanges are measured too.
      await sleep(1500);
      await command(bridge, "measure off", /measured/);
      const rep = await report(bridge);
      console.log(
        `# firmware-tap: 1 MiB reversed (${big}); ${rep.heap.exchanges} exchanges measured (up to ${rep.busiest} frames each, ${rep.idle} idle), ` +
          `XS slots ${rep.heap.min}..${rep.heap.max}; driver ${JSON.stringify(rep.driver)}; bridge ${JSON.stringify(rep.bridge)}`,
      );
      assert.ok(rep.heap.exchanges >= 100, "measured exchanges: " + rep.heap.exchanges);
      assert.ok(rep.idle >= 1, "idle exchanges measured too");
      assert.is(rep.heap.max - rep.heap.min, 0, "the XS slot count moved during the 1 MiB transfer");
      assert.is(rep.chip.protocolErrors, 0);
      assert.is(rep.framesWaiting, 0);
      assert.is(rep.replyOverflows, 0);
      assert.is(rep.driver.rxOverflows + rep.driver.rxRingResets + rep.driver.txAborts + rep.driver.txTimeouts, 0);
    });
  });

  test("TCP 6971 sinks 1 MiB from the kernel (the firmware's count and checksum) and TCP 6972 sources 1 MiB (every octet checked by the kernel's peer); slot count flat", async () => {
    await withBridge(async (ns, bridge, script) => {
      // Warm-up: one connection of each.
      peer(ns, sinkScript(ns), ["192.168.69.1", "6971", String(64 * 1024)]);
      peer(ns, script, ["source", "192.168.69.1", "6972", String(64 * 1024)]);
      let rep = await report(bridge);
      assert.is(rep.services.lastSunk, 64 * 1024);
      assert.is(rep.services.lastSinkSum, patternSum(64 * 1024));

      await command(bridge, "measure on", /measuring/);
      const sink = peer(ns, sinkScript(ns), ["192.168.69.1", "6971", String(MIB)], 300000);
      const source = peer(ns, script, ["source", "192.168.69.1", "6972", String(MIB)], 300000);
      await sleep(1500);
      await command(bridge, "measure off", /measured/);
      rep = await report(bridge);
      console.log(
        `# firmware-tap: sink 1 MiB (${sink}), the firmware counted ${rep.services.lastSunk} octets, checksum ${rep.services.lastSinkSum}; source 1 MiB (${source}); ` +
          `${rep.heap.exchanges} exchanges measured (up to ${rep.busiest} frames each, ${rep.idle} idle), XS slots ${rep.heap.min}..${rep.heap.max}; driver ${JSON.stringify(rep.driver)}`,
      );
      assert.match(sink, new RegExp(`^ok ${MIB} `));
      assert.match(source, new RegExp(`^ok ${MIB} `));
      assert.is(rep.services.sinkConnections, 2);
      assert.is(rep.services.lastSunk, MIB, "octets the firmware's sink received");
      assert.is(rep.services.lastSinkSum, patternSum(MIB), "their checksum");
      assert.ok(rep.services.sourceConnections >= 1);
      assert.ok(rep.heap.exchanges >= 100, "measured exchanges: " + rep.heap.exchanges);
      assert.ok(rep.idle >= 1, "idle exchanges measured too");
      assert.is(rep.heap.max - rep.heap.min, 0, "the XS slot count moved during the sink and source transfers");
      assert.is(rep.chip.protocolErrors, 0);
      assert.is(rep.framesWaiting, 0);
      assert.is(rep.driver.rxOverflows + rep.driver.rxRingResets + rep.driver.txAborts + rep.driver.txTimeouts, 0);
    });
  });

  test("RX overflow end to end: pings pile up while the firmware does not run, the burst overflows the chip's ring; counted, recovered, then TCP and ping intact", async () => {
    await withBridge(async (ns, bridge, script) => {
      const p0 = ns.exec("ping", ["-c", "1", "-W", "2", "192.168.69.1"], false);
      assert.match(p0.stdout, /1 received/, p0.stdout + p0.stderr);
      // The firmware stops running; the kernel sends 12 echo requests of 1042-octet frames.
      await command(bridge, "hold", /holding/);
      const ping = ns.spawn("ping", ["-c", String(PINGS), "-s", "1000", "-i", "0.05", "-W", "5", "192.168.69.1"]);
      let echoes = 0;
      for (let i = 0; i < 100 && echoes < PINGS; i++) {
        await sleep(50);
        echoes = +(await command(bridge, "held", /held \d+ \d+\n/)).trim().split(" ")[2];
      }
      assert.is(echoes, PINGS, "echo requests kept while the firmware did not run");
      const burst = JSON.parse((await command(bridge, "burst", /burst .*\n/)).slice(6)) as { frames: number; sizes: number[]; sent: number };
      await ping.exited;
      const m = /(\d+) packets transmitted, (\d+) received/.exec(ping.stdout);
      assert.ok(m !== null, ping.stdout + ping.stderr);
      const received = +m![2];
      const rep = await report(bridge);
      console.log(
        `# firmware-tap overflow: ${burst.frames} frames (${burst.sizes.join(",")} octets) in one burst, ${rep.burstDropped} dropped by the chip ` +
          `(framesOverflowed ${rep.chip.framesOverflowed}); ${received} of ${PINGS} pings answered; driver rxOverflows ${rep.driver.rxOverflows}, rxRingResets ${rep.driver.rxRingResets}`,
      );
      assert.is(+m![1], PINGS);
      assert.ok(rep.burstDropped >= 1, "the ring overflowed");
      assert.is(rep.chip.framesOverflowed, rep.burstDropped);
      assert.ok(rep.driver.rxOverflows >= 1, "the driver counted the overflow (RXERIF)");
      assert.is(rep.driver.rxRingResets, 0, "the ring stayed consistent");
      // Every stored echo request was answered, none of the dropped ones (some of the dropped
      // frames may have been other frames the kernel sent meanwhile).
      const extra = burst.frames - PINGS;
      assert.ok(received >= PINGS - rep.burstDropped && received <= PINGS - rep.burstDropped + extra, `${received} answered, ${rep.burstDropped} dropped, ${extra} other frames`);

      // Recovered: ping, then TCP both ways with every octet checked.
      const p4 = ns.exec("ping", ["-c", "3", "-i", "0.2", "-W", "2", "192.168.69.1"], false);
      assert.match(p4.stdout, /3 packets transmitted, 3 received/, p4.stdout + p4.stderr);
      const rev = peer(ns, script, ["reverse", "192.168.69.1", "6970", String(256 * 1024)], 300000);
      assert.match(rev, new RegExp(`^ok ${256 * 1024} `));
      const sink = peer(ns, sinkScript(ns), ["192.168.69.1", "6971", String(256 * 1024)], 300000);
      assert.match(sink, new RegExp(`^ok ${256 * 1024} `));
      const after = await report(bridge);
      assert.is(after.services.lastSunk, 256 * 1024);
      assert.is(after.services.lastSinkSum, patternSum(256 * 1024));
      const p6 = ns.exec("ping", ["-6", "-c", "3", "-i", "0.2", "-W", "2", "fdaa::1"], false);
      assert.match(p6.stdout, /3 packets transmitted, 3 received/, p6.stdout + p6.stderr);
      assert.is(after.chip.protocolErrors, 0);
      assert.is(after.driver.rxRingResets, 0);
      assert.is(after.chip.framesOverflowed, rep.chip.framesOverflowed, "no overflow after the burst");
    });
  });
}

test.run();
