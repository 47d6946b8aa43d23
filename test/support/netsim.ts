/**
 * A seeded network simulation (smoltcp's `tests/netsim.rs`): two interfaces joined by a
 * `WirePair`, a TCP transfer of a given size between them, a simulated clock. Portable (Node and
 * XS): the 10 MB table runs on Node (test/host/netsim.test.ts), a small version on both engines
 * (test/iface/netsim-small.test.ts).
 *
 * ```text
 *  server: Interface 02-00-00-00-00-01          client: Interface 02-00-00-00-00-02
 *          192.168.69.1/24, fdaa::1/64                  192.168.69.2/24, fdaa::2/64
 *          TcpSocket listening on 1234                  TcpSocket, connect(iface, server:1234)
 *            TcpTap (counts segments)                     TcpTap
 *            [FaultInjector]                              [FaultInjector]
 *            WirePair end a  ◄──── latency each way ────► WirePair end b
 * ```
 *
 * - **Faults.** Each side's device may be wrapped in a seeded `FaultInjector` (drop, corrupt,
 *   token-bucket rate limits). The tables put one on the client side only, so that every frame
 *   on the wire passes exactly one injector once (the client's transmit side, or its receive
 *   side): "5 % drop" then means each frame, either way, is lost with a chance of 5 %.
 * - **Clock.** Never the wall clock. It starts 5 s before the int32 wrap (as the other tests) and
 *   moves only when neither interface has anything to do at the current instant: then to the
 *   earliest of both interfaces' `pollDelay` and the next frame arrival on the wire, and by 1 ms
 *   when something is due but cannot progress (a full wire, an empty token bucket).
 * - **Data.** The sender writes a pseudo-random stream (xorshift32 from the case's seed); the
 *   receiver checks every octet against the same stream (first mismatch offset) and both keep an
 *   FNV-1a 32-bit hash of what they sent / received.
 * - **Close.** The sender closes after its last octet; the receiver reads to the FIN and closes
 *   too. The transfer is complete when every octet arrived and both sockets are CLOSED or in
 *   TIME-WAIT; the run then goes on until both are CLOSED (TIME-WAIT lasts 10 s).
 * - **Bounds.** A case fails, rather than hangs, when the simulated clock passes `limitMs` (one
 *   hour by default), when both interfaces are idle with the transfer unfinished, or when one
 *   instant needs more than `MAX_POLLS_PER_INSTANT` rounds.
 *
 * Nothing here allocates per frame, but the rig itself is built per case (it is test support).
 */
import { Config } from "../../src/config.js";
import { Interface } from "../../src/iface/interface.js";
import type { Device } from "../../src/phy/device.js";
import { FaultInjector } from "../../src/phy/fault-injector.js";
import { SocketSet } from "../../src/socket/set.js";
import { TcpSocket, TcpState, TCP_STATE_NAMES } from "../../src/socket/tcp/socket.js";
import { instantDiff } from "../../src/time.js";
import { EthernetAddress } from "../../src/wire/ethernet.js";
import { IpAddress, IpEndpoint, Ipv4Cidr, Ipv6Address, Ipv6Cidr, ipv4Parse } from "../../src/wire/ip.js";
import { WirePair } from "./wire-pair.js";
// The stream, its hash and the wire-level segment counter are the loopback example's (a
// portable module), so that both count and check alike.
import { FNV_OFFSET, fnv1a, hex, PayloadStream, SeededRandom, TcpTap } from "../../examples/loopback-tcp.js";

export { FNV_OFFSET, fnv1a, hex, PayloadStream };

export const SERVER_MAC = "02-00-00-00-00-01";
export const CLIENT_MAC = "02-00-00-00-00-02";
export const SERVER_IP = "192.168.69.1";
export const CLIENT_IP = "192.168.69.2";
export const SERVER_IP6 = "fdaa::1";
export const CLIENT_IP6 = "fdaa::2";
export const SERVER_PORT = 1234;

/** Socket buffers of the tables: 64 KiB receive and 64 KiB transmit (smoltcp's netsim table spans 128 octets to 32 KiB). */
export const NETSIM_BUFFER = 64 * 1024;
/** The default one-way latency of the wire, and the round trip it makes. */
export const WIRE_LATENCY_MS = 10;
export const WIRE_ROUND_TRIP_MS = 2 * WIRE_LATENCY_MS;
/** The clock's start: 5 s before the int32 wrap, so every run crosses it. */
export const NETSIM_T0 = (0x7fffffff - 5000) | 0;
/** Rounds of polling at one instant before the run is declared stuck. */
export const MAX_POLLS_PER_INSTANT = 100000;

/** What a `FaultInjector` on one side does (percentages; rates in frames per interval). */
export interface Faults {
  seed: number;
  dropPct?: number;
  corruptPct?: number;
  txRateLimit?: number;
  rxRateLimit?: number;
  shapingInterval?: number;
}

export interface NetsimCase {
  /** Octets to transfer. */
  bytes: number;
  /** "upload": the client sends to the server; "download": the server sends to the client. */
  direction: "upload" | "download";
  /** Seed of the payload stream and of the ISN / port source. */
  seed: number;
  /** Faults on the client's device, on the server's device (none when absent). */
  clientFaults?: Faults;
  serverFaults?: Faults;
  /** One-way latency of the wire in ms (default 10: a 20 ms round trip). */
  latency?: number;
  /** Frame slots per wire direction (default 128). */
  wireSlots?: number;
  /** Receive and transmit buffer of each socket (default `NETSIM_BUFFER`). */
  buffer?: number;
  /** Over IPv6 (fdaa::/64) instead of IPv4. */
  ipv6?: boolean;
  /** Fail when the simulated clock passes this many ms (default one hour). */
  limitMs?: number;
  /** The interfaces' configuration (default `new Config()`). */
  config?: Config;
}

export interface NetsimResult {
  /** Whether every octet arrived intact, in order, and both sides closed cleanly. */
  ok: boolean;
  /** What went wrong (empty when `ok`). */
  error: string;
  /** Simulated ms from the first poll to completion (all data received, both sides closed or in TIME-WAIT); -1 if never. */
  ms: number;
  /** Simulated ms until both sockets were CLOSED. */
  closedMs: number;
  sent: number;
  received: number;
  sentHash: number;
  receivedHash: number;
  /** Offset of the first octet that differed from the stream, -1 if none. */
  firstMismatch: number;
  /** TCP segments the two stacks transmitted (before any fault), both directions. */
  segments: number;
  /** Of those, segments that carried data already sent (or a FIN again): retransmissions seen on the wire. */
  retransmits: number;
  /** What the sockets count: RTO retransmissions and fast retransmissions, both sockets. */
  rtoRetransmits: number;
  fastRetransmits: number;
  /** Frames both interfaces transmitted (ARP included). */
  frames: number;
  /** Frames the injectors dropped and corrupted (both directions, both sides). */
  dropped: number;
  corrupted: number;
  /** Calls the injectors' token buckets refused (rate limits). */
  rateLimited: number;
  /** The sockets' last network errors (`SocketErrorCode`, 0: none): a clean close leaves none. */
  clientError: number;
  serverError: number;
  /** The sockets' states at the end (names). */
  clientState: string;
  serverState: string;
  /** Rounds of the simulation loop. */
  rounds: number;
}

function wrap(dev: Device, f: Faults | undefined): { device: Device; injector: FaultInjector | null } {
  if (!f) return { device: dev, injector: null };
  const fi = new FaultInjector(dev, f.seed);
  if (f.dropPct) fi.dropChance = f.dropPct;
  if (f.corruptPct) fi.corruptChance = f.corruptPct;
  if (f.shapingInterval) fi.shapingInterval = f.shapingInterval;
  if (f.txRateLimit) fi.txRateLimit = f.txRateLimit;
  if (f.rxRateLimit) fi.rxRateLimit = f.rxRateLimit;
  return { device: fi, injector: fi };
}

/** The two interfaces, their devices and sockets, built for one case. */
export class NetsimRig {
  readonly pair: WirePair;
  readonly server: Interface;
  readonly client: Interface;
  readonly serverDevice: TcpTap;
  readonly clientDevice: TcpTap;
  readonly serverInjector: FaultInjector | null;
  readonly clientInjector: FaultInjector | null;
  readonly serverSockets = new SocketSet(2);
  readonly clientSockets = new SocketSet(2);
  readonly serverSocket: TcpSocket;
  readonly clientSocket: TcpSocket;
  readonly remote: IpEndpoint;

  constructor(c: NetsimCase) {
    this.pair = new WirePair(c.wireSlots ?? 128, 1514, c.latency ?? WIRE_LATENCY_MS);
    const s = wrap(this.pair.a, c.serverFaults);
    const k = wrap(this.pair.b, c.clientFaults);
    this.serverInjector = s.injector;
    this.clientInjector = k.injector;
    this.serverDevice = new TcpTap(s.device);
    this.clientDevice = new TcpTap(k.device);
    this.server = new Interface(EthernetAddress.parse(SERVER_MAC), c.config ?? new Config(), new SeededRandom(c.seed * 2 + 1));
    this.client = new Interface(EthernetAddress.parse(CLIENT_MAC), c.config ?? new Config(), new SeededRandom(c.seed * 2 + 2));
    this.server.addIpv4Address(new Ipv4Cidr(ipv4Parse(SERVER_IP), 24));
    this.server.addIpv6Address(new Ipv6Cidr(Ipv6Address.parse(SERVER_IP6), 64));
    this.client.addIpv4Address(new Ipv4Cidr(ipv4Parse(CLIENT_IP), 24));
    this.client.addIpv6Address(new Ipv6Cidr(Ipv6Address.parse(CLIENT_IP6), 64));
    const buffer = c.buffer ?? NETSIM_BUFFER;
    this.serverSocket = new TcpSocket(buffer, buffer);
    this.clientSocket = new TcpSocket(buffer, buffer);
    this.serverSockets.add(this.serverSocket);
    this.clientSockets.add(this.clientSocket);
    this.remote = IpEndpoint.of(IpAddress.parse(c.ipv6 ? SERVER_IP6 : SERVER_IP), SERVER_PORT);
  }
}

const DONE_STATES = (s: TcpState) => s === TcpState.Closed || s === TcpState.TimeWait;

/** The sending application: writes the stream until `total` octets, then closes. */
class Sender {
  readonly stream: PayloadStream;
  sent = 0;
  hash = FNV_OFFSET;
  closed = false;
  constructor(seed: number, readonly total: number) {
    this.stream = new PayloadStream(seed);
  }
  /** Returns whether it did anything. */
  step(sock: TcpSocket): boolean {
    const st = sock.state;
    if (st !== TcpState.Established && st !== TcpState.CloseWait) return false;
    let did = false;
    const s = this.stream;
    while (this.sent < this.total) {
      s.refill();
      let n = s.end - s.pos;
      if (n > this.total - this.sent) n = this.total - this.sent;
      const m = sock.send(s.buf, s.pos, n);
      if (m <= 0) break;
      this.hash = fnv1a(this.hash, s.buf, s.pos, m);
      s.pos += m;
      this.sent += m;
      did = true;
    }
    if (this.sent === this.total && !this.closed) {
      sock.close();
      this.closed = true;
      did = true;
    }
    return did;
  }
}

/** The receiving application: reads and checks everything, closes after the peer's FIN. */
class Receiver {
  readonly expected: PayloadStream;
  readonly buf = new Uint8Array(16384);
  received = 0;
  hash = FNV_OFFSET;
  firstMismatch = -1;
  closed = false;
  /** Test hook: the octet expected at this offset is flipped, so the check must fail there. */
  private readonly tamperAt: number;
  constructor(seed: number, tamperAt: number) {
    this.expected = new PayloadStream(seed);
    this.tamperAt = tamperAt;
  }
  step(sock: TcpSocket): boolean {
    let did = false;
    const buf = this.buf;
    const e = this.expected;
    for (;;) {
      const n = sock.recv(buf, 0, buf.length);
      if (n <= 0) break;
      did = true;
      this.hash = fnv1a(this.hash, buf, 0, n);
      if (this.firstMismatch < 0) {
        for (let i = 0; i < n; i++) {
          e.refill();
          const want = this.received + i === this.tamperAt ? e.buf[e.pos++] ^ 0xff : e.buf[e.pos++];
          if (buf[i] !== want) {
            this.firstMismatch = this.received + i;
            break;
          }
        }
      }
      this.received += n;
    }
    if (!this.closed && sock.state === TcpState.CloseWait) {
      sock.close();
      this.closed = true;
      did = true;
    }
    return did;
  }
}

/**
 * Runs one case to completion (or failure) and reports. Never throws for a stack misbehaviour.
 * `tamperAt` (tests of this rig only) makes the receiver expect a different octet there.
 */
export function runNetsim(c: NetsimCase, rig: NetsimRig = new NetsimRig(c), tamperAt = -1): NetsimResult {
  const limit = c.limitMs ?? 3600 * 1000;
  const upload = c.direction === "upload";
  const sender = new Sender(c.seed, c.bytes);
  const receiver = new Receiver(c.seed, tamperAt);
  const { server, client, serverSocket, clientSocket, pair } = rig;
  const sendSock = upload ? clientSocket : serverSocket;
  const recvSock = upload ? serverSocket : clientSocket;
  let now = NETSIM_T0;
  let error = "";
  let ms = -1;
  let closedMs = -1;
  let rounds = 0;
  let atInstant = 0;

  serverSocket.listen(SERVER_PORT, server); // the interface gives accepted connections RFC 6528 ISNs
  server.poll(now, rig.serverDevice, rig.serverSockets); // so that connect's context has a time
  client.poll(now, rig.clientDevice, rig.clientSockets);
  clientSocket.connect(client, rig.remote);

  for (;;) {
    rounds++;
    const elapsed = instantDiff(now, NETSIM_T0);
    if (elapsed > limit) {
      error = `stalled: ${limit} ms simulated without completion`;
      break;
    }
    let progress = server.poll(now, rig.serverDevice, rig.serverSockets);
    progress = (upload ? receiver.step(serverSocket) : sender.step(serverSocket)) || progress;
    progress = client.poll(now, rig.clientDevice, rig.clientSockets) || progress;
    progress = (upload ? sender.step(clientSocket) : receiver.step(clientSocket)) || progress;

    if (receiver.firstMismatch >= 0) {
      error = `data corrupted at offset ${receiver.firstMismatch}`;
      break;
    }
    if (receiver.closed && receiver.received !== c.bytes) {
      error = `FIN after ${receiver.received} of ${c.bytes} octets`;
      break;
    }
    // A socket that went CLOSED before the transfer finished was reset or timed out.
    if ((sendSock.state === TcpState.Closed && !sender.closed) || (recvSock.state === TcpState.Closed && !receiver.closed)) {
      error = `connection lost: ${upload ? "client" : "server"} ${TCP_STATE_NAMES[sendSock.state]}, ${upload ? "server" : "client"} ${TCP_STATE_NAMES[recvSock.state]}`;
      break;
    }
    if (ms < 0 && receiver.received === c.bytes && receiver.closed && DONE_STATES(sendSock.state) && DONE_STATES(recvSock.state)) {
      ms = elapsed;
    }
    if (ms >= 0 && sendSock.state === TcpState.Closed && recvSock.state === TcpState.Closed) {
      closedMs = elapsed;
      break;
    }

    if (progress) {
      if (++atInstant > MAX_POLLS_PER_INSTANT) {
        error = `stuck: ${MAX_POLLS_PER_INSTANT} rounds at ${elapsed} ms`;
        break;
      }
      continue;
    }
    atInstant = 0;
    let d = server.pollDelay(now, rig.serverSockets);
    const d2 = client.pollDelay(now, rig.clientSockets);
    if (d2 >= 0 && (d < 0 || d2 < d)) d = d2;
    const d3 = pair.nextArrival(now);
    if (d3 >= 0 && (d < 0 || d3 < d)) d = d3;
    if (d < 0) {
      error = `idle at ${elapsed} ms with the transfer unfinished (nothing to send, no timer, nothing on the wire)`;
      break;
    }
    now = (now + (d > 0 ? d : 1)) | 0;
  }

  const ci = rig.clientInjector;
  const si = rig.serverInjector;
  const ok = error === "" && sender.hash === receiver.hash && receiver.received === c.bytes && sender.sent === c.bytes;
  if (error === "" && !ok) error = `hash mismatch: sent ${hex(sender.hash)}, received ${hex(receiver.hash)}`;
  return {
    ok,
    error,
    ms,
    closedMs,
    sent: sender.sent,
    received: receiver.received,
    sentHash: sender.hash,
    receivedHash: receiver.hash,
    firstMismatch: receiver.firstMismatch,
    segments: rig.serverDevice.segments + rig.clientDevice.segments,
    retransmits: rig.serverDevice.retransmits + rig.clientDevice.retransmits,
    rtoRetransmits: serverSocket.retransmits + clientSocket.retransmits,
    fastRetransmits: serverSocket.fastRetransmits + clientSocket.fastRetransmits,
    frames: server.stats.txFrames + client.stats.txFrames,
    dropped: (ci ? ci.rxDropped + ci.txDropped : 0) + (si ? si.rxDropped + si.txDropped : 0),
    corrupted: (ci ? ci.rxCorrupted + ci.txCorrupted : 0) + (si ? si.rxCorrupted + si.txCorrupted : 0),
    rateLimited: (ci ? ci.rxRateLimited + ci.txRateLimited : 0) + (si ? si.rxRateLimited + si.txRateLimited : 0),
    clientError: clientSocket.takeError(),
    serverError: serverSocket.takeError(),
    clientState: TCP_STATE_NAMES[clientSocket.state],
    serverState: TCP_STATE_NAMES[serverSocket.state],
    rounds,
  };
}

/** One line of a table: the case's name, then the result's figures, in fixed columns. */
export function formatRow(name: string, r: NetsimResult): string {
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  return name.padEnd(34) + pad(r.ok ? r.ms : "FAIL", 9) + pad(r.segments, 9) + pad(r.retransmits, 8) + pad(r.rtoRetransmits, 7) + pad(r.fastRetransmits, 6) + pad(r.dropped, 8) + pad(r.corrupted, 8) + "  " + hex(r.receivedHash);
}

/**
 * The table's columns: simulated ms to completion; TCP segments sent by both stacks; of those,
 * retransmissions seen on the wire; RTO expiries and fast retransmits the sockets counted;
 * frames the injectors dropped and corrupted; the FNV-1a hash of the stream received.
 */
export const TABLE_HEADER = "case".padEnd(34) + "ms".padStart(9) + "segments".padStart(9) + "retx".padStart(8) + "rto".padStart(7) + "fast".padStart(6) + "dropped".padStart(8) + "corrupt".padStart(8) + "  fnv1a";
