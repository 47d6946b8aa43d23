// Feature selection at bundle time (smoltcp's Cargo features): a bundle built without IPv6 or
// without TCP must not contain their code. Each check looks for a class that only the dropped
// part defines.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.resolve(process.cwd());

interface RollupConfigModule {
  featureBundle(features: string[]): object;
  ALL_FEATURES: string[];
  FEATURE_SETS: Record<string, string[]>;
}

async function build(features: string[]): Promise<string> {
  const cfg = (await import(pathToFileURL(path.join(root, "rollup.config.js")).href)) as RollupConfigModule;
  const { rollup } = (await import("rollup")) as typeof import("rollup");
  const bundle = await rollup({ ...(cfg.featureBundle(features) as object), onwarn() {} });
  const { output } = await bundle.generate({ format: "es" });
  await bundle.close();
  return output[0].code;
}

const has = (code: string, cls: string) => new RegExp(`\\bclass ${cls}\\b`).test(code);

test("the full bundle carries every protocol", async () => {
  const code = await build(["proto-ipv4", "proto-ipv6", "socket-tcp", "socket-udp", "socket-raw", "socket-icmp", "log"]);
  for (const cls of ["EthernetFrame", "ArpPacket", "Ipv4Packet", "Icmpv4Packet", "IgmpPacket", "Ipv6Packet", "Icmpv6Packet", "NdiscRepr", "UdpPacket", "TcpPacket", "TcpSocket", "IsnGenerator", "EphemeralPorts", "RttEstimator", "RingBuffer", "Assembler"]) {
    assert.ok(has(code, cls), "full bundle lacks " + cls);
  }
  assert.match(code, "const PROTO_IPV6 = true");
});

test("a bundle without IPv6 drops the IPv6 code", async () => {
  const code = await build(["proto-ipv4", "socket-tcp", "socket-udp"]);
  for (const cls of ["Ipv6Packet", "Icmpv6Packet", "NdiscRepr"]) assert.not.ok(has(code, cls), "IPv4-only bundle still has " + cls);
  for (const cls of ["Ipv4Packet", "TcpPacket", "UdpPacket"]) assert.ok(has(code, cls), "IPv4-only bundle lacks " + cls);
  assert.match(code, "const PROTO_IPV6 = false");
});

test("a bundle without TCP drops the TCP code", async () => {
  const code = await build(["proto-ipv4", "socket-udp"]);
  assert.not.ok(has(code, "TcpPacket"), "UDP-only bundle still has TcpPacket");
  assert.not.ok(has(code, "TcpRepr"), "UDP-only bundle still has TcpRepr");
  for (const cls of ["TcpSocket", "IsnGenerator", "EphemeralPorts", "RttEstimator", "TcpTimer"]) assert.not.ok(has(code, cls), "UDP-only bundle still has " + cls);
  assert.ok(has(code, "UdpPacket"));
  assert.match(code, "const SOCKET_TCP = false");
});

test("a bundle without IPv4 drops ARP, IPv4, ICMPv4 and IGMP", async () => {
  const code = await build(["proto-ipv6", "socket-tcp"]);
  for (const cls of ["ArpPacket", "Ipv4Packet", "Icmpv4Packet", "IgmpPacket"]) assert.not.ok(has(code, cls), "IPv6-only bundle still has " + cls);
  assert.ok(has(code, "Ipv6Packet"));
});

test("a bundle without logging keeps no log call and no log string", async () => {
  const withLog = await build(["proto-ipv4", "proto-ipv6", "socket-udp", "socket-icmp", "socket-raw", "log"]);
  const without = await build(["proto-ipv4", "proto-ipv6", "socket-udp", "socket-icmp", "socket-raw"]);
  // Messages that only log calls on the packet path carry.
  for (const text of ["iface: dropped a frame", ": receive queue full, packet dropped"]) {
    assert.match(withLog, text, "the logging bundle has " + text);
    assert.not.match(without, text, "the bundle without logging still has " + text);
  }
  // The log functions themselves stay (the logging API exports them); no call to them does.
  const code = without.replace(/\/\*[\s\S]*?\*\//g, ""); // doc comments quote the call pattern
  assert.not.match(code, /(?<!function )\bnet(Debug|Trace|Info)\(/, "no log call remains");
});

test.run();
