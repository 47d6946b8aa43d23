/**
 * `smoltcp-ts client IFACE ADDRESS PORT`: smoltcp's `examples/client.rs`, a TCP client like
 * `socat - TCP:ADDRESS:PORT`: what comes on stdin goes to the connection, what comes from the
 * connection goes to stdout.
 *
 * The host is 02-00-00-00-00-02, 192.168.69.2/24, fdaa::2/64 and fe80::2/64, with the routers
 * 192.168.69.100 and fe80::100 (options change them). At the end of stdin the client closes its
 * half of the connection and goes on printing until the peer closes its own; when the peer closes
 * first the client closes too. `--buffer N` sets both socket buffers (default 65536).
 * Exit status 0 after an orderly close, 1 if the connection failed or was reset.
 */
import { socketErrorName } from "../src/socket/error.js";
import { SocketSet } from "../src/socket/set.js";
import { TcpSocket, TcpState, TCP_STATE_NAMES } from "../src/socket/tcp/socket.js";
import type { Instant } from "../src/time.js";
import { IpEndpoint } from "../src/wire/ip.js";
import { CLIENT_HOST, COMMON_USAGE, intOption, openHost, parseAddress, parseCommand, UsageError } from "./common.js";
import { HostLoop, type LoopApp } from "./host-loop.js";

export const CLIENT_USAGE = `usage: smoltcp-ts client IFACE ADDRESS PORT [--buffer OCTETS] [options]
Connects to ADDRESS:PORT over TCP: stdin to the connection, the connection to stdout.
Defaults: --buffer 65536 --mac 02-00-00-00-00-02 --ipv4 192.168.69.2/24 --ipv6 fdaa::2/64
          --ipv6 fe80::2/64 --gateway4 192.168.69.100 --gateway6 fe80::100
${COMMON_USAGE}`;

/** Stdin chunks waiting for room in the socket, at most this many octets before stdin pauses. */
const STDIN_HIGH_WATER = 1 << 20;

class Client implements LoopApp {
  readonly socket: TcpSocket;
  private readonly buf: Uint8Array;
  private readonly pending: Buffer[] = [];
  private pendingOff = 0;
  private pendingBytes = 0;
  stdinEnded = false;
  private closed = false;
  private connected = false;
  private stdoutBlocked = false;
  /** 0 ok, 1 failed. */
  status = 0;
  done = false;
  received = 0;
  sent = 0;

  constructor(
    sockets: SocketSet,
    readonly onDone: () => void,
    readonly resume: () => void,
    buffer: number,
  ) {
    this.socket = new TcpSocket(buffer, buffer);
    this.buf = new Uint8Array(buffer);
    sockets.add(this.socket);
  }

  /** Called with each stdin chunk. Returns false when stdin should pause. */
  input(chunk: Buffer): boolean {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    return this.pendingBytes < STDIN_HIGH_WATER;
  }

  stdoutDrained(): void {
    this.stdoutBlocked = false;
  }

  step(_now: Instant): boolean {
    const s = this.socket;
    let acted = false;
    if (!this.connected && s.state === TcpState.Established) {
      this.connected = true;
      process.stderr.write(`connected to ${s.remoteEndpoint} from ${s.localEndpoint}\n`);
    }
    // stdin -> socket
    while (this.pending.length > 0 && s.maySend) {
      const chunk = this.pending[0];
      const n = s.send(chunk, this.pendingOff, chunk.length - this.pendingOff);
      if (n <= 0) break;
      acted = true;
      this.sent += n;
      this.pendingOff += n;
      this.pendingBytes -= n;
      if (this.pendingOff === chunk.length) {
        this.pending.shift();
        this.pendingOff = 0;
        if (this.pendingBytes < STDIN_HIGH_WATER) this.resume();
      }
    }
    if (this.stdinEnded && this.pending.length === 0 && !this.closed && s.state !== TcpState.SynSent && s.state !== TcpState.Closed) {
      s.close();
      this.closed = true;
      acted = true;
    }
    // socket -> stdout
    while (!this.stdoutBlocked) {
      const n = s.recv(this.buf, 0, this.buf.length);
      if (n > 0) {
        this.received += n;
        acted = true;
        if (!process.stdout.write(this.buf.slice(0, n))) this.stdoutBlocked = true; // a copy: buf is reused
        continue;
      }
      if (n < 0 && !this.closed && s.state === TcpState.CloseWait) {
        // The peer closed its half: close ours.
        s.close();
        this.closed = true;
        acted = true;
      }
      break;
    }
    if (!this.done && (s.state === TcpState.Closed || s.state === TcpState.TimeWait)) {
      const err = s.takeError();
      if (err !== 0 || !this.connected) {
        process.stderr.write(`connection ${this.connected ? "lost" : "failed"}: ${err !== 0 ? socketErrorName(err) : TCP_STATE_NAMES[s.state]}\n`);
        this.status = 1;
      }
      this.done = true;
      this.onDone();
    }
    return acted;
  }

  delay(_now: Instant): number {
    return -1;
  }
}

export async function clientMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { buffer: { type: "string" } });
  if (values.help) {
    console.log(CLIENT_USAGE);
    return 0;
  }
  if (positionals.length < 3) throw new UsageError(["IFACE, ADDRESS and PORT are missing", "ADDRESS and PORT are missing", "PORT is missing"][positionals.length]);
  if (positionals.length > 3) throw new UsageError("unexpected argument " + positionals[3]);
  const addr = parseAddress(positionals[1], "ADDRESS");
  const port = Number(positionals[2]);
  if (!/^[0-9]+$/.test(positionals[2]) || port < 1 || port > 65535) throw new UsageError(`PORT must be an integer from 1 to 65535, got ${JSON.stringify(positionals[2])}`);
  const buffer = intOption(values, "buffer", 65536, 64, 1 << 24);
  const host = openHost(positionals[0], values, CLIENT_HOST);
  const sockets = new SocketSet(4);
  let loop: HostLoop | null = null;
  const client = new Client(sockets, () => loop?.stop(), () => {
    process.stdin.resume();
  }, buffer);
  loop = new HostLoop(host.iface, host.device, host.hosted, sockets, client);
  client.socket.connect(host.iface, IpEndpoint.of(addr, port));
  process.stdin.on("data", (chunk: Buffer) => {
    if (!client.input(chunk)) process.stdin.pause();
    loop?.kick();
  });
  process.stdin.on("end", () => {
    client.stdinEnded = true;
    loop?.kick();
  });
  process.stdout.on("drain", () => {
    client.stdoutDrained();
    loop?.kick();
  });
  process.once("SIGINT", () => {
    client.socket.abort();
    loop?.kick();
  });
  loop.start();
  await loop.done;
  process.stdin.destroy();
  host.close();
  return client.status;
}
