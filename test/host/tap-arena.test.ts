// TapInterface with its frame buffers reserved from an Arena (the sockets' rings come from the
// same one, so frames and rings are copied with copyWithin), inside a throwaway network
// namespace with the Linux kernel as the peer: ping answered, UDP datagrams echoed with every
// octet checked by the kernel side. Root and /dev/net/tun needed (skipped with a message
// otherwise).
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { announceSkip, EXPECTED_SKIP_REASONS, netnsSkipReason, withNetns } from "../support/netns.js";

const skip = netnsSkipReason(["ping", "python3"]);
const build = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

// The stack: 192.168.69.1 on tap0, UDP echo on 7, buffers from one arena. It checks that the
// device really lives in the arena (non-zero frame offsets in the arena's array) and prints
// its counters when stdin closes.
const STACK = `
import { Arena } from "${build}/src/storage/arena.js";
import { Interface } from "${build}/src/iface/interface.js";
import { SocketSet } from "${build}/src/socket/set.js";
import { UdpSocket } from "${build}/src/socket/udp.js";
import { EthernetAddress } from "${build}/src/wire/ethernet.js";
import { Ipv4Cidr, ipv4Parse } from "${build}/src/wire/ip.js";
import { TapInterface } from "${build}/drivers/tap/index.js";
import { HostLoop, hostNow, CryptoRandom } from "${build}/examples/host-loop.js";

const arena = new Arena(256 * 1024);
arena.reserve(100); // so that nothing starts at 0 by accident
const udp = new UdpSocket(8, 16384, 8, 16384, arena);
const device = new TapInterface("tap0", 1514, arena);
if (device.rxBytes !== arena.bytes || device.txBytes !== arena.bytes || device.rxOffset === 0) throw new Error("the device is not in the arena");
const iface = new Interface(EthernetAddress.parse("02-00-00-00-00-01"), undefined, new CryptoRandom());
iface.addIpv4Address(new Ipv4Cidr(ipv4Parse("192.168.69.1"), 24));
const sockets = new SocketSet(2);
sockets.add(udp);
udp.bind(7);
let echoed = 0;
const app = {
  step(now) {
    let acted = false;
    for (let n; (n = udp.recv()) >= 0;) {
      if (udp.sendSlice(udp.rxBytes(), udp.recvOffset, n, udp.lastRecvEndpoint)) echoed++;
      acted = true;
    }
    return acted;
  },
  delay() { return -1; },
};
const loop = new HostLoop(iface, device, device, sockets, app);
loop.start();
console.log("listening");
process.stdin.on("data", () => {});
process.stdin.on("end", () => {
  console.log("echoed " + echoed + " rx " + device.rxFrames + " tx " + device.txFrames);
  loop.stop();
  device.close();
});
`;

const PEER = String.raw`
import socket, sys, os
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
ok = 0
for i in range(20):
    data = os.urandom(1000 + i * 20)
    for attempt in range(3):
        s.sendto(data, ("192.168.69.1", 7))
        try:
            back, _ = s.recvfrom(4096)
        except socket.timeout:
            continue
        if back != data: print("mismatch", i); sys.exit(1)
        ok += 1; break
print("ok %d" % ok)
`;

if (skip !== null) {
  announceSkip("tap-arena", skip);
  test("tap-arena: skipped for an expected reason", () => {
    assert.ok(EXPECTED_SKIP_REASONS.some((r) => skip.startsWith(r)), skip);
  });
} else {
  test("a TapInterface in an Arena answers ping and echoes UDP datagrams octet for octet", async () => {
    await withNetns(async (ns) => {
      ns.addTap();
      const stack = ns.file("stack.mjs");
      fs.writeFileSync(stack, STACK);
      const peer = ns.file("peer.py");
      fs.writeFileSync(peer, PEER);
      const p = ns.spawn(process.execPath, [stack], { stdin: "pipe" });
      await p.waitFor(/listening/);
      const ping = ns.exec("ping", ["-c", "3", "-i", "0.2", "-s", "1200", "-W", "2", "192.168.69.1"], false);
      assert.match(ping.stdout, /3 packets transmitted, 3 received/, ping.stdout + ping.stderr);
      const r = ns.exec("python3", [peer], false, { timeout: 60000 });
      assert.is(r.stdout.trim(), "ok 20", r.stdout + r.stderr);
      p.child.stdin?.end();
      await p.waitFor(/echoed \d+/);
      const m = /echoed (\d+) rx (\d+) tx (\d+)/.exec(p.stdout);
      assert.ok(m !== null && Number(m[1]) >= 20 && Number(m[3]) >= 23, p.stdout + p.stderr);
      await p.stop();
    });
  });
}

test.run();
