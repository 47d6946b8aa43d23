/**
 * `smoltcp-ts httpclient IFACE ADDRESS URL`: smoltcp's `examples/httpclient.rs`. Connects to
 * ADDRESS (an address, not a host name) on the URL's port (80 by default), sends
 * `GET <path> HTTP/1.1` with `Host:` from the URL and `Connection: close`, and copies the whole
 * response (status line, headers, body) to stdout until the server closes.
 *
 * The host is 02-00-00-00-00-02, 192.168.69.1/24, fdaa::1/64 and fe80::1/64, with the routers
 * 192.168.69.100 and fe80::100 (options change them). The socket buffers are 1024 octets, as in
 * smoltcp, "to make packet traces more interesting". Exit status 0 when the server closed in
 * order, 1 otherwise.
 */
import { socketErrorName } from "../src/socket/error.js";
import { SocketSet } from "../src/socket/set.js";
import { TcpSocket, TcpState, TCP_STATE_NAMES } from "../src/socket/tcp/socket.js";
import type { Instant } from "../src/time.js";
import { IpEndpoint } from "../src/wire/ip.js";
import { COMMON_USAGE, openHost, parseAddress, parseCommand, PROBE_HOST, UsageError } from "./common.js";
import { HostLoop, type LoopApp } from "./host-loop.js";

export const HTTPCLIENT_USAGE = `usage: smoltcp-ts httpclient IFACE ADDRESS URL [options]
GETs URL from ADDRESS (not a host name) and prints the response.
Defaults: --mac 02-00-00-00-00-02 --ipv4 192.168.69.1/24 --ipv6 fdaa::1/64 --ipv6 fe80::1/64
          --gateway4 192.168.69.100 --gateway6 fe80::100
${COMMON_USAGE}`;

const BUFFER = 1024;

class HttpClient implements LoopApp {
  readonly socket = new TcpSocket(BUFFER, BUFFER);
  private readonly buf = new Uint8Array(BUFFER);
  private readonly request: Uint8Array;
  private requestSent = 0;
  status = 1;
  done = false;
  private closed = false;

  constructor(sockets: SocketSet, request: string, readonly onDone: () => void) {
    this.request = new TextEncoder().encode(request);
    sockets.add(this.socket);
  }

  step(_now: Instant): boolean {
    const s = this.socket;
    let acted = false;
    if (this.requestSent < this.request.length && s.maySend) {
      const n = s.send(this.request, this.requestSent, this.request.length - this.requestSent);
      if (n > 0) {
        this.requestSent += n;
        acted = true;
      }
    }
    for (;;) {
      const n = s.recv(this.buf, 0, BUFFER);
      if (n > 0) {
        process.stdout.write(this.buf.slice(0, n));
        acted = true;
        continue;
      }
      if (n < 0 && !this.closed && s.state === TcpState.CloseWait) {
        s.close();
        this.closed = true;
        this.status = 0;
        acted = true;
      }
      break;
    }
    if (!this.done && (s.state === TcpState.Closed || s.state === TcpState.TimeWait)) {
      const err = s.takeError();
      if (err !== 0) {
        process.stderr.write(`httpclient: connection ended: ${socketErrorName(err)}\n`);
        this.status = 1;
      } else if (!this.closed) {
        process.stderr.write(`httpclient: connection ended in ${TCP_STATE_NAMES[s.state]}\n`);
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

export async function httpclientMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv);
  if (values.help) {
    console.log(HTTPCLIENT_USAGE);
    return 0;
  }
  if (positionals.length < 3) throw new UsageError(["IFACE, ADDRESS and URL are missing", "ADDRESS and URL are missing", "URL is missing"][positionals.length]);
  if (positionals.length > 3) throw new UsageError("unexpected argument " + positionals[3]);
  const addr = parseAddress(positionals[1], "ADDRESS");
  let url: URL;
  try {
    url = new URL(positionals[2]);
  } catch {
    throw new UsageError(`bad URL ${JSON.stringify(positionals[2])}`);
  }
  if (url.protocol !== "http:") throw new UsageError(`only http: URLs are supported, got ${url.protocol}`);
  const port = url.port === "" ? 80 : Number(url.port);
  const host = openHost(positionals[0], values, PROBE_HOST);
  const sockets = new SocketSet(4);
  let loop: HostLoop | null = null;
  const request = `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`;
  const client = new HttpClient(sockets, request, () => loop?.stop());
  loop = new HostLoop(host.iface, host.device, host.hosted, sockets, client);
  client.socket.connect(host.iface, IpEndpoint.of(addr, port));
  process.once("SIGINT", () => {
    client.socket.abort();
    loop?.kick();
  });
  loop.start();
  await loop.done;
  host.close();
  return client.status;
}
