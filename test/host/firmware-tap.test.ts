// The firmware on the real engine, answering the Linux kernel (issue 6, "What it must show"):
// `firmware/main.ts` booted in XS over the emulated ENC28J60 (test/support/firmware-xs.ts),
// the chip's wire bridged through a Node process to a TAP inside a throwaway network namespace
// (test/support/firmware-tap-bridge.ts, started with `ip netns exec`). The kernel, inside the
// namespace (192.168.69.100/24, fdaa::100/64 on tap0), pings the firmware (IPv4 and IPv6),
// sends the UDP 6969 datagram (socat), opens TCP 6969 (socat) and pushes 1 MiB of lines through
// TCP 6970, which must come back reversed, every octet checked (test/support/netns.ts's peer).
// During the 1 MiB transfer every exchange starts with a full collection and the XS slot count
// after it is recorded: it must not move.
//
// Network safety: the namespace is new and has only its loopback and the TAP; no route, NAT or
// forwarding is configured; it is deleted in a `finally`. Needs root and /dev/net/tun (skipped
// with a message otherwise).
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { announceSkip, EXPECTED_SKIP_REASONS, netnsSkipReason, peerScript, sleep, withNetns, type Netns, type NsProcess } from "../support/netns.js";
import { xsnapWorker } from "../support/firmware-xs.js";

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

if (skip !== null) {
  announceSkip("firmware-tap", skip);
  test("firmware-tap: skipped for an expected reason", () => {
    assert.ok(EXPECTED_SKIP_REASONS.some((r) => skip!.startsWith(r)), skip!);
  });
} else {
  test("the firmware in XS answers the kernel through a TAP: ping, UDP 6969, TCP 6969, 1 MiB reversed on TCP 6970; slot count flat", async () => {
    await withNetns(async (ns) => {
      ns.addTap();
      const bridge = ns.spawn(process.execPath, [BRIDGE, "tap0"], { stdin: "pipe" });
      await bridge.waitFor(/ready on tap0/, 30000);
      const script = peerScript(ns);

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
      const line = await command(bridge, "report", /report .*\n/);
      const rep = JSON.parse(line.slice("report ".length));
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
      bridge.child.stdin!.end();
      await bridge.stop();
    });
  });
}

test.run();
