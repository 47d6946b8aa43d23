/**
 * `npm start`: smoltcp's loopback example. No root, no hardware, no network.
 *
 * One interface (02-00-00-00-00-01, 127.0.0.1/8 and fdaa::1/64) over the in-process `Loopback`
 * device, and two exchanges on it:
 *
 * 1. **UDP**: a client socket sends datagrams to a server socket over IPv4 and then IPv6; on
 *    the way the interface resolves its own address with ARP and neighbor discovery, as it
 *    would any neighbor. Every frame is printed tcpdump-style.
 * 2. **TCP** (what smoltcp's loopback example does): a server socket listens on port 1234, a
 *    client socket connects to the interface's own address, sends `--bytes` octets of a
 *    pseudo-random stream and closes; the server reads and checks everything and closes too.
 *    The frames that open and close the connection are printed (every frame with --verbose).
 *    The reusable part is examples/loopback-tcp.ts.
 *
 * The clock is simulated: it jumps to the interface's next deadline whenever nothing is left to
 * do at the current instant (the client's 10 s TIME-WAIT passes at once). A summary line ends
 * each part; the TCP line is the last one printed.
 *
 * Options: --pcap FILE (every transmitted frame of the run to a pcap file), --count N (UDP
 * datagrams per IP version, default 4), --bytes N (TCP octets, default 1 MiB), --ipv6 (TCP over
 * fdaa::1), --drop PCT and --seed N (drop that percentage of the TCP part's frames, on the way
 * out and again on the way in, seeded), --quiet (summary lines only), --verbose (every frame),
 * --help.
 */
import { parseArgs } from "node:util";
import { closeSync, openSync, writeSync } from "node:fs";
import { performance } from "node:perf_hooks";
import type { PcapSink } from "../src/phy/pcap-writer.js";
import { UdpSocket } from "../src/socket/udp.js";
import { IpEndpoint } from "../src/wire/ip.js";
import { PrettyPrinter } from "../src/wire/pretty.js";
import type { Instant } from "../src/time.js";
import { LoopbackRig, runTcpTransfer, tcpFlags, type FrameWriter } from "./loopback-tcp.js";

const USAGE = "usage: npm start -- [--pcap FILE] [--count N] [--bytes N] [--ipv6] [--drop PCT] [--seed N] [--quiet | --verbose]";

function parse() {
  return parseArgs({
    options: {
      pcap: { type: "string" },
      count: { type: "string", default: "4" },
      bytes: { type: "string", default: String(1024 * 1024) },
      ipv6: { type: "boolean", default: false },
      drop: { type: "string", default: "0" },
      seed: { type: "string", default: "1" },
      quiet: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
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
function intOption(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}
const count = intOption("count", args.count!, 1, 10000);
const bytes = intOption("bytes", args.bytes!, 0, 0x40000000);
const drop = intOption("drop", args.drop!, 0, 50);
const seed = intOption("seed", args.seed!, 0, 0x7fffffff);

/** Streams the capture to a file as it is written (the writer reuses its buffers). */
class FileSink implements PcapSink {
  constructor(readonly fd: number) {}
  write(bytes: Uint8Array, off: number, len: number): void {
    writeSync(this.fd, bytes, off, len);
  }
}

/** Prints frames tcpdump-style: all of them, or (TCP part) only those that open or close a connection. */
class Printer implements FrameWriter {
  private readonly pretty = new PrettyPrinter();
  all = true;
  hidden = 0;
  frame(_now: Instant, b: Uint8Array, dv: DataView, off: number, len: number): void {
    if (args.quiet) return;
    // SYN, FIN or RST: the segments that change the connection's state.
    if (this.all || args.verbose || (tcpFlags(b, dv, off, len) & 0x07) !== 0) process.stdout.write(this.pretty.describe(b, dv, off, len));
    else this.hidden++;
  }
}

const fd = args.pcap ? openSync(args.pcap, "w") : -1;
const rig = new LoopbackRig({ slots: 32, seed, pcap: fd >= 0 ? new FileSink(fd) : null });
const printer = new Printer();
rig.tap.writer = printer;
const { iface, device, sockets } = rig;

// ---- 1. UDP --------------------------------------------------------------------------------
const server = new UdpSocket(4, 2048, 4, 2048);
server.bind(1234);
const client = new UdpSocket(4, 2048, 4, 2048);
client.bind(65000);
const hs = sockets.add(server);
const hc = sockets.add(client);

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
sockets.remove(hc);
sockets.remove(hs);
const udpFrames = iface.stats.txFrames;
const udpOk = received === 2 * count && iface.stats.rxDropped() === 0;
console.log(
  `loopback: UDP ${received} of ${2 * count} datagrams received (${octets} octets), ` +
    `${udpFrames} frames sent, ${iface.stats.rxFrames} received, ${iface.stats.rxDropped()} dropped, ${now} ms simulated`,
);

// ---- 2. TCP --------------------------------------------------------------------------------
printer.all = false;
rig.injector.dropChance = drop;
const t0 = performance.now();
const r = runTcpTransfer(rig, now, { bytes, ipv6: args.ipv6, seed });
const realMs = performance.now() - t0;
if (fd >= 0) closeSync(fd);
if (!args.quiet) {
  if (printer.hidden > 0) console.log(`(${printer.hidden} frames carrying data or ACKs not shown; --verbose shows them)`);
  if (args.pcap) console.log(`wrote ${args.pcap} (${rig.pcap!.framesRecorded} frames)`);
  if (!r.ok) console.log(`loopback: TCP failed: ${r.error} (client ${r.clientState}, server ${r.serverState})`);
}
console.log(
  `loopback: TCP ${r.received} of ${bytes} octets received ${r.ok ? "intact" : "NOT intact"} over ${args.ipv6 ? "IPv6" : "IPv4"}, ` +
    `${r.segments} segments, ${r.retransmits} retransmitted, ${r.framesSent} frames, ` +
    `${r.dataMs} ms simulated (${r.simulatedMs} ms until both CLOSED), ${realMs.toFixed(0)} ms real`,
);
process.exitCode = udpOk && r.ok ? 0 : 1;
