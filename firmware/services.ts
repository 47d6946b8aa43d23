/**
 * The services of smoltcp's `server` example, portable (no host API, no allocation after
 * construction), as the hosted `examples/server.ts` offers them:
 *
 * - pings, IPv4 and IPv6 (the interface answers them itself);
 * - UDP 6969: "hello\n" to every datagram;
 * - TCP 6969: "hello\n" to every connection, then close;
 * - TCP 6970: each line echoed with its octets reversed (never reading more than the send
 *   buffer has room for; a line longer than the buffer goes back in pieces). Its buffers are
 *   `echoBuffer` octets (the hosted server's 64 make Linux's sender-side silly-window
 *   avoidance pace a transfer at about 1 KB/s; the firmware takes 4 KiB by default);
 * - TCP 6971: sink, keep-alive 1 s, user timeout 2 s. Its buffers are `sinkBuffer` octets
 *   (the hosted server's are 64 KiB). It also keeps a checksum of what it received (see
 *   `sinkSum`), so a test or xsbug can check the octets, not only their count;
 * - TCP 6972: source, octet n of a connection is n mod 256. Its send buffer is `sourceBuffer`
 *   octets (the hosted server's 64 send one 64-octet segment per round trip; the firmware
 *   takes 4 KiB by default: with less than two full segments in flight Linux delays its ACKs).
 *
 * `step()` runs after every poll; each TCP socket listens again when its connection ends, and
 * the sink's and the source's counters start again from 0 for each connection (as the hosted
 * server's do). What the last connection moved stays in `lastSunk`, `lastSinkSum` and
 * `lastSourced`. Nothing is traced per connection: a string would be an allocation.
 */
import { SocketSet, TcpSocket, TcpState, UdpSocket } from "../src/index.js";

const HELLO = new Uint8Array([0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a]); // "hello\n": read-only, safe to preload
const SMALL = 64;

export class ServerServices {
  readonly udp: UdpSocket;
  readonly hello: TcpSocket;
  readonly echo: TcpSocket;
  readonly sink: TcpSocket;
  readonly source: TcpSocket;
  /** Octets received by the sink and sent by the source in the current connection. */
  sunk = 0;
  sourced = 0;
  /**
   * Checksum of the octets the sink received in the current connection: `h = (h * 31 + octet)
   * mod 2^32` from 0, as an int32 (the same as Java's `String.hashCode` over octets).
   */
  sinkSum = 0;
  /** The previous connection's `sunk`, `sinkSum` and `sourced` (kept when the socket listens again). */
  lastSunk = 0;
  lastSinkSum = 0;
  lastSourced = 0;
  /** Connections of the sink and of the source that have ended. */
  sinkConnections = 0;
  sourceConnections = 0;
  private readonly buf: Uint8Array;
  private readonly pattern = new Uint8Array(512);
  /** Whether the sink and the source have listened once (the first `listen` ends no connection). */
  private sinkListened = false;
  private sourceListened = false;

  /**
   * `echoBuffer`: the 6970 socket's buffers; `sinkBuffer`: the 6971 socket's; `sourceBuffer`:
   * the 6972 socket's send buffer (the others have 64 octets, as the hosted server).
   */
  constructor(sockets: SocketSet, echoBuffer = SMALL, sinkBuffer = 8192, sourceBuffer = SMALL) {
    this.udp = new UdpSocket(4, SMALL, 4, 128);
    this.hello = new TcpSocket(SMALL, SMALL);
    this.echo = new TcpSocket(echoBuffer, echoBuffer);
    this.sink = new TcpSocket(sinkBuffer, sinkBuffer);
    this.source = new TcpSocket(SMALL, sourceBuffer);
    let scratch = sinkBuffer > echoBuffer ? sinkBuffer : echoBuffer;
    if (scratch < SMALL) scratch = SMALL;
    this.buf = new Uint8Array(scratch);
    for (let i = 0; i < 512; i++) this.pattern[i] = i & 255;
    this.udp.bind(6969);
    sockets.add(this.udp);
    sockets.add(this.hello);
    sockets.add(this.echo);
    sockets.add(this.sink);
    sockets.add(this.source);
  }

  /** Listens again on `port` once the socket's connection has ended; returns whether it did. */
  private relisten(s: TcpSocket, port: number): boolean {
    if (s.isOpen || s.state === TcpState.TimeWait) return false;
    s.takeError();
    s.listen(port);
    if (port === 6971) {
      s.keepAlive = 1000;
      s.timeout = 2000;
    }
    return true;
  }

  /** Serves every socket once; returns whether anything was done (poll again at once). */
  step(): boolean {
    let acted = false;
    const buf = this.buf;
    const u = this.udp;
    while (u.canSend() && u.recvSlice(buf, 0, SMALL) >= 0) {
      u.sendSlice(HELLO, 0, HELLO.length, u.lastRecvEndpoint);
      acted = true;
    }

    const h = this.hello;
    this.relisten(h, 6969);
    if (h.canSend) {
      h.send(HELLO, 0, HELLO.length);
      h.close();
      acted = true;
    }

    const e = this.echo;
    this.relisten(e, 6970);
    if (e.maySend) {
      const room = e.sendCapacity - e.sendQueue;
      const avail = e.recvQueue;
      const want = room < avail ? room : avail;
      if (want > 0) {
        const n = e.peek(buf, 0, want);
        let end = n;
        while (end > 0 && buf[end - 1] !== 0x0a) end--;
        if (end === 0 && ((n === e.recvCapacity && room === e.sendCapacity) || (e.state === TcpState.CloseWait && n === avail))) end = n;
        if (end > 0) {
          e.recv(buf, 0, end);
          let start = 0;
          for (let i = 0; i <= end; i++) {
            if (i === end || buf[i] === 0x0a) {
              for (let a = start, b = i - 1; a < b; a++, b--) {
                const t = buf[a];
                buf[a] = buf[b];
                buf[b] = t;
              }
              start = i + 1;
            }
          }
          e.send(buf, 0, end);
          acted = true;
        }
      }
      if (e.state === TcpState.CloseWait && e.recvQueue === 0) {
        e.close();
        acted = true;
      }
    }

    const k = this.sink;
    if (this.relisten(k, 6971) && this.sinkListened) {
      this.lastSunk = this.sunk;
      this.lastSinkSum = this.sinkSum;
      this.sinkConnections++;
      this.sunk = 0;
      this.sinkSum = 0;
    }
    this.sinkListened = true;
    for (let n; (n = k.recv(buf, 0, buf.length)) > 0;) {
      let h = this.sinkSum;
      for (let i = 0; i < n; i++) h = (h * 31 + buf[i]) | 0;
      this.sinkSum = h;
      this.sunk += n;
      acted = true;
    }
    if (k.state === TcpState.CloseWait) {
      k.close();
      acted = true;
    }

    const s = this.source;
    if (this.relisten(s, 6972) && this.sourceListened) {
      this.lastSourced = this.sourced;
      this.sourceConnections++;
      this.sourced = 0;
    }
    this.sourceListened = true;
    if (s.state === TcpState.Established) {
      for (;;) {
        const n = s.send(this.pattern, this.sourced & 255, 256);
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
}
