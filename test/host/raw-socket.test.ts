// `smoltcp-ts server --raw` on an AF_PACKET raw socket (`RawSocketDevice`), with the Linux kernel
// as the peer: two throwaway network namespaces joined by a veth pair. The server's namespace
// holds `veth-s`, which has no kernel address at all (IPv6 disabled on it), so the kernel there
// neither answers ARP for 192.168.69.1 nor sends anything of its own: every frame on the link is
// the stack's or the peer's. The peer's namespace holds `veth-k` with 192.168.69.100/24 and
// fdaa::100/64, and runs ping, socat and the python peer. Every octet is checked; the capture
// decodes cleanly in tshark. Root, /dev/net/tun (for the common skip test), iproute2 and
// ethtool needed (skipped with a message otherwise). About 20 s.
//
// Offloads. A veth hands frames to AF_PACKET as the sending kernel built them: with checksum
// offload the TCP and UDP checksums are only partial (CHECKSUM_PARTIAL; the raw socket would need
// PACKET_AUXDATA's TP_STATUS_CSUMNOTREADY to know), and with TSO/GSO/GRO a "frame" may exceed the
// MTU. The stack checks every checksum and drops such frames, so the test turns checksumming and
// segmentation offloads off on both ends (`ethtool -K DEV tx off rx off tso off gso off gro
// off`), as one must on any interface a raw-socket stack shares with the kernel.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { announceSkip, EXPECTED_SKIP_REASONS, netnsSkipReason, peerScript, tsharkProblems, withNetns, type Netns } from "../support/netns.js";

const MB = 1024 * 1024;
const skip = netnsSkipReason(["ping", "socat", "python3", "tshark", "ethtool"]);

function peer(ns: Netns, script: string, args: string[], timeout = 120000): string {
  const r = ns.exec("python3", [script, ...args], false, { timeout });
  const out = (r.stdout || "").trim();
  assert.ok(out.startsWith("ok"), `peer ${args.join(" ")}: ${out} ${r.stderr || ""} ${r.signal ?? ""}`);
  return out;
}

/**
 * Joins two namespaces by a veth pair created directly inside them (nothing appears in the
 * host's namespace): `veth-k` in `kernel` with the peer's addresses, `veth-s` in `stack` with
 * none; offloads off on both ends.
 */
function joinByVeth(kernel: Netns, stack: Netns): void {
  const r = spawnSync("ip", ["link", "add", "veth-k", "netns", kernel.name, "type", "veth", "peer", "name", "veth-s", "netns", stack.name], { encoding: "utf8" });
  if (r.status !== 0) throw new Error("ip link add veth: " + r.stderr);
  stack.exec("sysctl", ["-q", "-w", "net.ipv6.conf.veth-s.disable_ipv6=1"]);
  kernel.exec("ip", ["link", "set", "veth-k", "up"]);
  stack.exec("ip", ["link", "set", "veth-s", "up"]);
  kernel.exec("ip", ["addr", "add", "192.168.69.100/24", "dev", "veth-k"]);
  kernel.exec("ip", ["-6", "addr", "add", "fdaa::100/64", "dev", "veth-k", "nodad"]);
  for (const [ns, dev] of [[kernel, "veth-k"], [stack, "veth-s"]] as const) {
    ns.exec("ethtool", ["-K", dev, "tx", "off", "rx", "off", "tso", "off", "gso", "off", "gro", "off"]);
    const k = ns.exec("ethtool", ["-k", dev]).stdout;
    for (const f of ["rx-checksumming", "tx-checksumming", "tcp-segmentation-offload", "generic-segmentation-offload", "generic-receive-offload"]) {
      assert.match(k, new RegExp(`^${f}: off`, "m"), `${dev}: ${f} still on`);
    }
  }
}

if (skip !== null) {
  announceSkip("raw-socket", skip);
  test("raw-socket: skipped for an expected reason", () => {
    assert.ok(EXPECTED_SKIP_REASONS.some((r) => skip.startsWith(r)), skip);
  });
} else {
  test("server --raw on a veth (no kernel address): ping, UDP 6969, TCP 6969, 6970, 6971 and 6972 with every octet checked; the capture decodes cleanly", async () => {
    await withNetns(async (kernel) => {
      await withNetns(async (stack) => {
        joinByVeth(kernel, stack);
        const pcap = stack.file("raw.pcap");
        const server = stack.cli(["server", "veth-s", "--raw", "--pcap", pcap]);
        await server.waitFor(/listening on veth-s/, 30000);
        const script = peerScript(kernel);

        const p4 = kernel.exec("ping", ["-c", "3", "-i", "0.2", "-W", "2", "192.168.69.1"], false);
        assert.match(p4.stdout, /3 packets transmitted, 3 received/, p4.stdout + p4.stderr);
        const p6 = kernel.exec("ping", ["-6", "-c", "3", "-i", "0.2", "-W", "2", "fdaa::1"], false);
        assert.match(p6.stdout, /3 packets transmitted, 3 received/, p6.stdout + p6.stderr);
        const udp = kernel.exec("socat", ["-T", "2", "-", "UDP4:192.168.69.1:6969"], false, { input: "abcdefg\n", timeout: 10000 });
        assert.is(udp.stdout, "hello\n", "UDP 6969: " + udp.stderr);
        assert.match(peer(kernel, script, ["hello", "192.168.69.1", "6969"]), /hello\\n/);

        const rev = peer(kernel, script, ["reverse", "192.168.69.1", "6970", String(10 * 1000), "quick"]);
        const src = peer(kernel, script, ["source", "192.168.69.1", "6972", String(MB), "quick"]);
        const sink = peer(kernel, script, ["sink", "192.168.69.1", "6971", String(10 * MB)]);
        await server.waitFor(new RegExp(`tcp:6971 disconnected after receiving ${10 * MB} octets`));
        peer(kernel, script, ["source", "fdaa::1", "6972", String(100 * 1000), "quick"]);
        console.log(`# raw socket: 6970 ${rev}; 6972 ${src}; 6971 ${sink}`);

        await server.stop();
        const t = tsharkProblems(pcap);
        assert.ok(t.frames > 10000, "frames in the capture: " + t.frames);
        assert.equal(t.problems, [], t.problems.slice(0, 5).join("\n"));
      });
    });
  });
}

test.run();
