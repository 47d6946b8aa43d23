/**
 * `npm start`: smoltcp's loopback example. No root, no hardware, no network.
 *
 * One interface (02-00-00-00-00-01, 127.0.0.1/8 and fdaa::1/64) over the in-process `Loopback`
 * device; a server and a client UDP socket on it. The client sends datagrams to the server over
 * IPv4 and then IPv6; on the way the interface resolves its own address with ARP and neighbor
 * discovery, as it would any neighbor. Every frame is printed tcpdump-style, and a summary line
 * ends the run. TCP joins when the TCP socket lands.
 *
 * Options: --pcap FILE (write every frame to a pcap file), --count N (datagrams per IP
 * version, default 4), --quiet (summary only), --help.
 */
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import { Interface } from "../src/iface/interface.js";
import { Loopback } from "../src/phy/loopback.js";
import { Tracer, TraceDirection, type TraceWriter } from "../src/phy/tracer.js";
import { PcapMode, PcapWriter, type PcapSink } from "../src/phy/pcap-writer.js";
import type { Device } from "../src/phy/device.js";
import { SocketSet } from "../src/socket/set.js";
import { UdpSocket } from "../src/socket/udp.js";
import { EthernetAddress } from "../src/wire/ethernet.js";
import { IpEndpoint, Ipv4Cidr, Ipv6Address, Ipv6Cidr, ipv4Parse } from "../src/wire/ip.js";

const USAGE = "usage: npm start -- [--pcap FILE] [--count N] [--quiet]";

function parse() {
  return parseArgs({
    options: {
      pcap: { type: "string" },
      count: { type: "string", default: "4" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  }).values;
}
let args: ReturnType<typeof parse>;
try {
  args = parse();
} catch (e) {
  console.error((e as Error).message + "\n" + USAGE);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const count = Number(args.count);
if (!Number.isInteger(count) || count < 1 || count > 10000) {
  console.error("--count must be an integer from 1 to 10000\n" + USAGE);
  process.exit(2);
}

class MemorySink implements PcapSink {
  readonly chunks: Buffer[] = [];
  write(bytes: Uint8Array, off: number, len: number): void {
    this.chunks.push(Buffer.from(bytes.subarray(off, off + len)));
  }
}

class Printer implements TraceWriter {
  trace(_now: number, direction: TraceDirection, text: string): void {
    if (!args.quiet && direction === TraceDirection.Tx) process.stdout.write(text);
  }
}

// Loopback: every transmitted frame comes back, so tracing transmissions shows each frame once.
let device: Device = new Loopback(8, 1514);
const sink = args.pcap ? new MemorySink() : null;
if (sink) device = new PcapWriter(device, sink, PcapMode.Tx);
device = new Tracer(device, new Printer());

const iface = new Interface(EthernetAddress.parse("02-00-00-00-00-01"));
iface.addIpv4Address(new Ipv4Cidr(ipv4Parse("127.0.0.1"), 8));
iface.addIpv6Address(new Ipv6Cidr(Ipv6Address.parse("fdaa::1"), 64));

const sockets = new SocketSet(4);
const server = new UdpSocket(4, 2048, 4, 2048);
server.bind(1234);
const client = new UdpSocket(4, 2048, 4, 2048);
client.bind(65000);
sockets.add(server);
sockets.add(client);

const buf = new Uint8Array(256);
let now = 0;
let received = 0;
let octets = 0;
for (const target of ["127.0.0.1:1234", "[fdaa::1]:1234"]) {
  const dst = IpEndpoint.parse(target);
  let sent = 0;
  let got = 0;
  for (let step = 0; step < 10 * count + 100 && got < count; step++) {
    if (sent < count && client.canSend()) {
      const msg = "hello " + sent + " over " + target;
      for (let i = 0; i < msg.length; i++) buf[i] = msg.charCodeAt(i);
      if (client.sendSlice(buf, 0, msg.length, dst)) sent++;
    }
    // A poll that moved frames may have left more in the loopback: poll again at once;
    // otherwise sleep (here: advance the clock) until the interface's next deadline.
    const busy = iface.poll(now, device, sockets);
    for (let n; (n = server.recvSlice(buf, 0, buf.length)) >= 0;) {
      got++;
      octets += n;
    }
    const delay = busy ? 0 : iface.pollDelay(now, sockets);
    now = (now + (delay > 0 ? delay : 0)) | 0;
  }
  received += got;
}

if (sink) {
  const header = sink.chunks.length;
  writeFileSync(args.pcap!, Buffer.concat(sink.chunks));
  if (!args.quiet) console.log(`wrote ${args.pcap} (${header} chunks)`);
}
const s = iface.stats;
console.log(
  `loopback: ${received} of ${2 * count} datagrams received (${octets} octets), ` +
    `${s.txFrames} frames sent, ${s.rxFrames} received, ${s.rxDropped()} dropped, ${now} ms simulated`,
);
process.exitCode = received === 2 * count && s.rxDropped() === 0 ? 0 : 1;
