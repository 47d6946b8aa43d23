/**
 * `smoltcp-ts server IFACE`: smoltcp's `examples/server.rs`, a host that answers basic requests.
 *
 * The host is 02-00-00-00-00-01, 192.168.69.1/24, fdaa::1/64 and fe80::1/64 (options change
 * them). It answers
 *
 * - pings, IPv4 and IPv6 (the interface itself does);
 * - UDP on port 6969 with "hello\n" to every datagram;
 * - TCP on port 6969: says "hello\n" to every connection and closes it;
 * - TCP on port 6970: echoes each line with its octets reversed. It never takes more from its
 *   receive buffer than its send buffer has room for, so no octet is lost when the peer does not
 *   read; a line longer than the 64-octet buffer is reversed by pieces;
 * - TCP on port 6971: sinks data, with a keep-alive every 1 s and a user timeout of 2 s (64 KiB
 *   buffers);
 * - TCP on port 6972: sources data: octet n of a connection is n mod 256.
 *
 * The sockets other than 6971's have 64-octet buffers, to test resource exhaustion. Each TCP
 * socket listens again when its connection ends. Runs until interrupted.
 */
import { LogLevel, netDebug, netInfo, logEnabled } from "../src/log.js";
import { SocketSet } from "../src/socket/set.js";
import { TcpSocket, TcpState } from "../src/socket/tcp/socket.js";
import { UdpSocket } from "../src/socket/udp.js";
import type { Instant } from "../src/time.js";
import { COMMON_USAGE, openHost, parseCommand, SERVER_HOST, UsageError } from "./common.js";
import { HostLoop, type LoopApp } from "./host-loop.js";

export const SERVER_USAGE = `usage: smoltcp-ts server IFACE [options]
Answers ping, UDP 6969 ("hello"), TCP 6969 ("hello" and close), TCP 6970 (reversed lines),
TCP 6971 (sink; keep-alive 1 s, timeout 2 s) and TCP 6972 (source).
Defaults: --mac 02-00-00-00-00-01 --ipv4 192.168.69.1/24 --ipv6 fdaa::1/64 --ipv6 fe80::1/64
${COMMON_USAGE}`;

const HELLO = new Uint8Array([0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a]); // "hello\n"
const SMALL = 64;
const SINK = 65536;

/** The server's sockets and what it does with them after each poll. */
class Server implements LoopApp {
  readonly udp = new UdpSocket(4, SMALL, 4, 128);
  readonly hello = new TcpSocket(SMALL, SMALL);
  readonly echo = new TcpSocket(SMALL, SMALL);
  readonly sink = new TcpSocket(SINK, SINK);
  readonly source = new TcpSocket(SMALL, SMALL);
  /** Scratch for UDP datagrams, the echo's lines and the sink. */
  private readonly buf = new Uint8Array(SINK);
  /** The source pattern: pattern[i] = i mod 256, twice, so any 256 octets from any phase are one slice. */
  private readonly pattern = new Uint8Array(512);
  /** TCP 6970: the line being read, and its length. */
  private readonly line = new Uint8Array(SMALL);
  private lineLen = 0;
  private sourced = 0;
  private sunk = 0;
  private echoed = 0;
  private readonly wasActive = [false, false, false, false];

  constructor(sockets: SocketSet) {
    for (let i = 0; i < 512; i++) this.pattern[i] = i & 255;
    this.udp.bind(6969);
    for (const s of [this.udp, this.hello, this.echo, this.sink, this.source]) sockets.add(s);
  }

  private listen(s: TcpSocket, port: number, idx: number): void {
    if (s.isActive !== this.wasActive[idx]) {
      this.wasActive[idx] = s.isActive;
      const counts = [0, this.echoed, this.sunk, this.sourced];
      const what = ["", " after echoing ", " after receiving ", " after sending "];
      if (logEnabled(LogLevel.Info)) netInfo(`tcp:${port} ${s.isActive ? "connected from " + s.remoteEndpoint : "disconnected" + (idx > 0 ? what[idx] + counts[idx] + " octets" : "")}`);
      if (s.isActive) {
        if (idx === 1) this.echoed = 0;
        if (idx === 2) this.sunk = 0;
        if (idx === 3) this.sourced = 0;
      }
    }
    if (!s.isOpen) {
      const err = s.takeError();
      if (err !== 0 && logEnabled(LogLevel.Info)) netInfo(`tcp:${port} connection ended with error ${err}`);
      if (s.state === TcpState.TimeWait) return;
      s.listen(port);
      if (port === 6971) {
        s.keepAlive = 1000;
        s.timeout = 2000;
      }
    }
  }

  step(_now: Instant): boolean {
    let acted = false;
    const buf = this.buf;

    // UDP 6969: "hello" to every datagram.
    for (let n; this.udp.canSend() && (n = this.udp.recvSlice(buf, 0, SMALL)) >= 0;) {
      if (logEnabled(LogLevel.Debug)) netDebug(`udp:6969 recv ${n} octets from ${this.udp.lastRecvEndpoint}`);
      this.udp.sendSlice(HELLO, 0, HELLO.length, this.udp.lastRecvEndpoint);
      acted = true;
    }

    // TCP 6969: "hello", then close.
    const h = this.hello;
    this.listen(h, 6969, 0);
    if (h.canSend) {
      h.send(HELLO, 0, HELLO.length);
      h.close();
      acted = true;
    }

    // TCP 6970: reversed lines. The line being read is kept in `line` (at most 64 octets, the
    // size of the send buffer), so the receive window keeps opening while a line is incomplete;
    // a line is sent back only when the send buffer has room for all of it, and nothing more is
    // read meanwhile: no octet is ever dropped. A line longer than 64 octets is reversed by
    // 64-octet pieces, and an unterminated tail once the peer has closed.
    const e = this.echo;
    this.listen(e, 6970, 1);
    if (e.isActive) {
      const line = this.line;
      for (;;) {
        const len = this.lineLen;
        const complete = len > 0 && (line[len - 1] === 0x0a || len === SMALL || (e.state === TcpState.CloseWait && e.recvQueue === 0));
        if (complete) {
          if (!e.maySend || e.sendCapacity - e.sendQueue < len) break; // wait for room
          const body = line[len - 1] === 0x0a ? len - 1 : len;
          for (let i = 0, j = body - 1; i < j; i++, j--) {
            const t = line[i];
            line[i] = line[j];
            line[j] = t;
          }
          e.send(line, 0, len);
          this.echoed += len;
          this.lineLen = 0;
          acted = true;
          continue;
        }
        // Read up to the end of the line (or until the line buffer is full).
        const n = e.peek(line, len, SMALL - len);
        if (n <= 0) break;
        let take = 0;
        while (take < n && line[len + take] !== 0x0a) take++;
        if (take < n) take++; // the newline
        e.recv(line, len, take);
        this.lineLen = len + take;
        acted = true;
      }
      if (e.state === TcpState.CloseWait && e.recvQueue === 0 && this.lineLen === 0) {
        e.close();
        acted = true;
      }
    } else {
      this.lineLen = 0;
    }

    // TCP 6971: sink, keep-alive 1 s, user timeout 2 s.
    const k = this.sink;
    this.listen(k, 6971, 2);
    for (let n; (n = k.recv(buf, 0, SINK)) > 0;) {
      this.sunk += n;
      acted = true;
    }
    if (k.state === TcpState.CloseWait) {
      k.close();
      acted = true;
    }

    // TCP 6972: source n mod 256.
    const s = this.source;
    this.listen(s, 6972, 3);
    if (s.state === TcpState.Established) {
      for (;;) {
        const phase = this.sourced & 255;
        const n = s.send(this.pattern, phase, 256);
        if (n <= 0) break;
        this.sourced += n;
        acted = true;
      }
    } else if (s.state === TcpState.CloseWait) {
      s.close();
      acted = true;
    }
    return acted;
  }

  delay(_now: Instant): number {
    return -1;
  }
}

export async function serverMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv);
  if (values.help) {
    console.log(SERVER_USAGE);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError("unexpected argument " + positionals[1]);
  const host = openHost(positionals[0], values, SERVER_HOST);
  const sockets = new SocketSet(8);
  const app = new Server(sockets);
  const loop = new HostLoop(host.iface, host.device, host.hosted, sockets, app);
  const stop = () => loop.stop();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  if (logEnabled(LogLevel.Info)) netInfo(`server: listening on ${positionals[0]} as ${host.iface.hardwareAddr} ${host.iface.ipv4Addresses().join(" ")} ${host.iface.ipv6Addresses().join(" ")}`);
  loop.start();
  await loop.done;
  host.close();
  return 0;
}
