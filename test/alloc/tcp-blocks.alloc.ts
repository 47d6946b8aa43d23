import { allocCase } from "../support/alloc.js";
import { IsnGenerator } from "../../src/socket/tcp/isn.js";
import { EphemeralPorts, type PortUsage } from "../../src/socket/tcp/ports.js";
import { segmentAcceptable, seqAdd, seqInWindow, seqMax, seqSub } from "../../src/socket/tcp/seq.js";
import { Xorshift32 } from "../../src/phy/rand.js";
import { IpAddress, IpEndpoint, Ipv6Address } from "../../src/wire/ip.js";

// Setup, once: a generator, the endpoints it hashes, a port table and a seeded random source.
const isn = new IsnGenerator(0x0badc0de, 0x12345678, 0x9abcdef0 | 0, 0x0f1e2d3c);
const local4 = IpEndpoint.of(IpAddress.v4(0x0a000001), 49500);
const remote4 = IpEndpoint.of(IpAddress.v4(0x0a000002), 80);
const local6 = IpEndpoint.of(IpAddress.v6(new Ipv6Address(0xfdaa0000 | 0, 0, 0, 1)), 49500);
const remote6 = IpEndpoint.of(IpAddress.v6(new Ipv6Address(0xfdaa0000 | 0, 0, 0, 2)), 80);
const T0 = (0x7fffffff - 3000) | 0;

class PortTable implements PortUsage {
  readonly used = new Uint8Array(65536);
  portInUse(port: number): boolean {
    return this.used[port] !== 0;
  }
}
const table = new PortTable();
// Three quarters of the range in use, so the random draws miss and the linear walk runs too.
for (let p = 49152; p < 65536; p++) if ((p & 3) !== 0) table.used[p] = 1;
const full = new PortTable();
full.used.fill(1, 49152);
const ports = new EphemeralPorts(new Xorshift32(17));

allocCase("tcp: ISN generation, IPv4", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    remote4.port = 1024 + (i & 0x3fff);
    acc = (acc + isn.generate((T0 + i) | 0, local4, remote4)) | 0;
  }
  return acc;
});

allocCase("tcp: ISN generation, IPv6", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    remote6.port = 1024 + (i & 0x3fff);
    acc = (acc + isn.generate((T0 + i) | 0, local6, remote6)) | 0;
  }
  return acc;
});

allocCase("tcp: ephemeral port pick (3/4 in use)", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = (acc + ports.pick(table)) | 0;
  return acc;
});

allocCase(
  "tcp: ephemeral port pick, range exhausted (-1)",
  (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc = (acc + ports.pick(full)) | 0;
    return acc;
  },
  20,
);

allocCase("tcp: sequence arithmetic and segment acceptability across the wrap", (n) => {
  let acc = 0;
  let rcvNxt = -1000;
  for (let i = 0; i < n; i++) {
    rcvNxt = seqAdd(rcvNxt, 7);
    const seg = seqAdd(rcvNxt, (i & 31) - 16);
    if (segmentAcceptable(seg, i & 15, rcvNxt, i & 63)) acc = (acc + 1) | 0;
    if (seqInWindow(seg, rcvNxt, 100)) acc = (acc + seqSub(seg, rcvNxt)) | 0;
    acc = (acc + seqMax(seg, rcvNxt)) | 0;
  }
  return acc;
});
