/**
 * `smoltcp-ts ping IFACE ADDRESS`: smoltcp's `examples/ping.rs`, a minimal ping over an ICMP
 * socket, IPv4 or IPv6 by the address given.
 *
 * The host is 02-00-00-00-00-02, 192.168.69.1/24, fdaa::1/64 and fe80::1/64, with the routers
 * 192.168.69.100 and fe80::100 (options change them). It sends `--count` echo requests (default
 * 4) every `--interval` seconds (default 1) with 56 octets of data (the send time first), prints
 * a line for each reply, waits at most `--timeout` seconds (default 5) after the last request,
 * and ends with ping's summary. Exit status 0 if any reply came, 1 otherwise.
 *
 * The first request is not lost to address resolution: it waits in the socket until the
 * neighbor answers (smoltcp's documentation warns that it drops it).
 */
import { IcmpSocket } from "../src/socket/icmp.js";
import { SocketSet } from "../src/socket/set.js";
import { instantDiff, type Instant } from "../src/time.js";
import { IpVersion, type IpAddress } from "../src/wire/ip.js";
import { COMMON_USAGE, numberOption, intOption, openHost, parseAddress, parseCommand, PROBE_HOST, UsageError } from "./common.js";
import { HostLoop, hostNow, type LoopApp } from "./host-loop.js";

export const PING_USAGE = `usage: smoltcp-ts ping IFACE ADDRESS [--count N] [--interval SECONDS] [--timeout SECONDS] [options]
Sends ICMP echo requests to ADDRESS (IPv4 or IPv6) and prints the replies.
Defaults: --count 4 --interval 1 --timeout 5
          --mac 02-00-00-00-00-02 --ipv4 192.168.69.1/24 --ipv6 fdaa::1/64 --ipv6 fe80::1/64
          --gateway4 192.168.69.100 --gateway6 fe80::100
${COMMON_USAGE}`;

const DATA_LEN = 56;

class Pinger implements LoopApp {
  readonly socket = new IcmpSocket(8, 1024, 8, 1024);
  private readonly data = new Uint8Array(DATA_LEN);
  private readonly dataView = new DataView(this.data.buffer);
  private readonly buf = new Uint8Array(1024);
  private readonly bufView = new DataView(this.buf.buffer);
  private readonly ident = (Math.random() * 0x10000) & 0xffff;
  private readonly v6: boolean;
  sent = 0;
  received = 0;
  private nextSend: Instant;
  private lastSend: Instant = 0;
  private readonly rtts: number[] = [];
  private readonly seen: Uint8Array;
  finished = false;

  constructor(
    sockets: SocketSet,
    readonly remote: IpAddress,
    readonly count: number,
    readonly intervalMs: number,
    readonly timeoutMs: number,
    readonly onDone: () => void,
  ) {
    this.v6 = remote.version === IpVersion.Ipv6;
    this.socket.bindIdent(this.ident);
    sockets.add(this.socket);
    this.nextSend = hostNow();
    this.seen = new Uint8Array(count);
    for (let i = 4; i < DATA_LEN; i++) this.data[i] = i;
  }

  step(now: Instant): boolean {
    let acted = false;
    if (this.sent < this.count && instantDiff(now, this.nextSend) >= 0 && this.socket.canSend()) {
      this.dataView.setInt32(0, now);
      this.socket.sendEchoRequest(this.remote, this.ident, this.sent, this.data, 0, DATA_LEN);
      this.sent++;
      this.lastSend = now;
      this.nextSend = (now + this.intervalMs) | 0;
      acted = true;
    }
    for (let n; (n = this.socket.recvSlice(this.buf, 0, this.buf.length)) >= 0;) {
      const dv = this.bufView;
      if (n < 8 + 4) continue;
      const type = dv.getUint8(0);
      if (type !== (this.v6 ? 129 : 0) || dv.getUint16(4) !== this.ident) continue;
      const seq = dv.getUint16(6);
      if (seq >= this.count || this.seen[seq]) continue;
      this.seen[seq] = 1;
      const rtt = instantDiff(now, dv.getInt32(8));
      this.rtts.push(rtt);
      this.received++;
      console.log(`${n} bytes from ${this.socket.lastRecvAddr}: icmp_seq=${seq}, time=${rtt} ms`);
      acted = true;
    }
    if (!this.finished && this.sent === this.count && (this.received === this.count || instantDiff(now, this.lastSend) >= this.timeoutMs)) {
      this.finished = true;
      this.summary();
      this.onDone();
    }
    return acted;
  }

  delay(now: Instant): number {
    if (this.finished) return -1;
    if (this.sent < this.count) {
      const d = instantDiff(this.nextSend, now);
      return d > 0 ? d : 0;
    }
    const d = this.timeoutMs - instantDiff(now, this.lastSend);
    return d > 0 ? d : 0;
  }

  summary(): void {
    const loss = this.sent === 0 ? 0 : (100 * (this.sent - this.received)) / this.sent;
    console.log(`--- ${this.remote} ping statistics ---`);
    console.log(`${this.sent} packets transmitted, ${this.received} received, ${loss.toFixed(0)}% packet loss`);
    if (this.rtts.length > 0) {
      const min = Math.min(...this.rtts);
      const max = Math.max(...this.rtts);
      const avg = this.rtts.reduce((a, b) => a + b, 0) / this.rtts.length;
      console.log(`rtt min/avg/max = ${min}/${avg.toFixed(3)}/${max} ms`);
    }
  }
}

export async function pingMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { count: { type: "string" }, interval: { type: "string" }, timeout: { type: "string" } });
  if (values.help) {
    console.log(PING_USAGE);
    return 0;
  }
  if (positionals.length < 2) throw new UsageError(positionals.length === 0 ? "IFACE and ADDRESS are missing" : "ADDRESS is missing");
  if (positionals.length > 2) throw new UsageError("unexpected argument " + positionals[2]);
  const remote = parseAddress(positionals[1], "ADDRESS");
  const count = intOption(values, "count", 4, 1, 65535);
  const interval = Math.round(numberOption(values, "interval", 1, 0.001, 3600) * 1000);
  const timeout = Math.round(numberOption(values, "timeout", 5, 0.001, 3600) * 1000);
  const host = openHost(positionals[0], values, PROBE_HOST);
  const sockets = new SocketSet(4);
  let loop: HostLoop | null = null;
  const pinger = new Pinger(sockets, remote, count, interval, timeout, () => loop?.stop());
  loop = new HostLoop(host.iface, host.device, host.hosted, sockets, pinger);
  const stop = () => {
    if (!pinger.finished) {
      pinger.finished = true;
      pinger.summary();
    }
    loop?.stop();
  };
  process.once("SIGINT", stop);
  console.log(`PING ${remote} with ${DATA_LEN} data bytes`);
  loop.start();
  await loop.done;
  process.removeListener("SIGINT", stop);
  host.close();
  return pinger.received > 0 ? 0 : 1;
}
