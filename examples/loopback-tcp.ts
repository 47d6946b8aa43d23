/**
 * smoltcp's loopback example, for TCP: the reusable part of `npm start` (examples/loopback.ts),
 * also run by test/host/loopback-tcp.test.ts (which checks its capture with tshark).
 *
 * One interface (02-00-00-00-00-01, 127.0.0.1/8 and fdaa::1/64) over the in-process `Loopback`
 * device; a server TCP socket listens on port 1234 and a client socket on the same interface
 * connects to the interface's own address, sends `bytes` octets of a pseudo-random stream and
 * closes; the server reads everything (checking the stream and hashing it), closes after the
 * client's FIN, and the connection ends in TIME-WAIT on the client and CLOSED on the server,
 * then CLOSED on both. On the way the interface resolves its own address with ARP (or NDISC)
 * as it would any neighbor.
 *
 * The device chain, innermost first: `Loopback` → `FaultInjector` (faults off unless asked) →
 * `PcapWriter` (transmitted frames, when a sink is given) → `TcpTap` (counts segments and
 * retransmissions on the wire, shows frames to a printer). The capture and the tap sit outside
 * the injector, so they see every frame the stack sent, including those the injector then loses.
 *
 * This module is **portable** (it imports `src/` only, no Node API): test/support/netsim.ts
 * uses its `TcpTap`, `PayloadStream` and `fnv1a` on the XS engine too. The clock is simulated:
 * it jumps to the interface's `pollDelay` when nothing is left to do at the current instant.
 */
import { Interface } from "../src/iface/interface.js";
import type { Device } from "../src/phy/device.js";
import { FaultInjector } from "../src/phy/fault-injector.js";
import { Loopback } from "../src/phy/loopback.js";
import { ObservingDevice } from "../src/phy/observer.js";
import { PcapMode, PcapWriter, type PcapSink } from "../src/phy/pcap-writer.js";
import { Xorshift32 } from "../src/phy/rand.js";
import { SocketSet } from "../src/socket/set.js";
import { TcpSocket, TcpState, TCP_STATE_NAMES } from "../src/socket/tcp/socket.js";
import type { RandomSource } from "../src/socket/tcp/isn.js";
import { instantDiff, type Instant } from "../src/time.js";
import { EthernetAddress } from "../src/wire/ethernet.js";
import { IpEndpoint, Ipv4Cidr, Ipv6Address, Ipv6Cidr, ipv4Parse } from "../src/wire/ip.js";

// ---- Helpers shared with test/support/netsim.ts --------------------------------------------

/** FNV-1a 32-bit: the offset basis, and the hash of `len` octets at `off` continued from `h`. */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export function fnv1a(h: number, bytes: Uint8Array, off: number, len: number): number {
  for (let i = off, end = off + len; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h;
}

/** A hash as 8 hex digits. */
export function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/** A pseudo-random octet stream from a seed (xorshift32), produced 4 KiB at a time into `buf`. */
export class PayloadStream {
  readonly buf = new Uint8Array(4096);
  private readonly dv = new DataView(this.buf.buffer);
  private readonly rng: Xorshift32;
  /** Next unread octet in `buf`, and the end of what was produced. */
  pos = 0;
  end = 0;

  constructor(seed: number) {
    this.rng = new Xorshift32(seed ^ 0x5eed);
  }

  /** Makes sure at least one octet is available at `pos`. */
  refill(): void {
    if (this.pos < this.end) return;
    const rng = this.rng;
    for (let i = 0; i < 4096; i += 4) this.dv.setInt32(i, rng.nextInt32());
    this.pos = 0;
    this.end = 4096;
  }
}

/** Receives what `TcpTap` shows: each transmitted frame (a printer decides what to print). */
export interface FrameWriter {
  frame(now: Instant, bytes: Uint8Array, dv: DataView, off: number, len: number): void;
}

/**
 * Offset of the TCP header in an Ethernet frame carrying IPv4 (any header length) or IPv6 (no
 * extension header) and TCP, or -1 for any other frame.
 */
export function tcpHeaderOffset(b: Uint8Array, dv: DataView, off: number, len: number): number {
  if (len < 14 + 20 + 20) return -1;
  const type = dv.getUint16(off + 12);
  if (type === 0x0800) return b[off + 14 + 9] === 6 ? off + 14 + (b[off + 14] & 15) * 4 : -1;
  if (type === 0x86dd) return b[off + 14 + 6] === 6 && len >= 14 + 40 + 20 ? off + 14 + 40 : -1;
  return -1;
}

/** The TCP flags octet of a frame (FIN 1, SYN 2, RST 4, PSH 8, ACK 16), or -1 if it carries no TCP. */
export function tcpFlags(b: Uint8Array, dv: DataView, off: number, len: number): number {
  const t = tcpHeaderOffset(b, dv, off, len);
  return t < 0 ? -1 : b[t + 13];
}

/** At most this many TCP flows (one per source port) are told apart by `TcpTap`. */
const TAP_FLOWS = 4;

/**
 * Counts the TCP segments a stack transmits and, on the wire's terms (as tshark does), the
 * retransmissions: a segment whose data (or SYN / FIN) starts before the highest sequence number
 * its flow sent so far. Flows are told apart by source port (a loopback carries both ends of a
 * connection; a stack in a simulation one). Pure ACKs and RSTs are never retransmissions.
 * Optionally shows every transmitted frame to a `FrameWriter`. Allocates nothing per frame.
 */
export class TcpTap extends ObservingDevice {
  segments = 0;
  /** Segments carrying data (or SYN / FIN). */
  dataSegments = 0;
  retransmits = 0;
  writer: FrameWriter | null = null;
  private readonly ports = new Int32Array(TAP_FLOWS).fill(-1);
  private readonly highest = new Int32Array(TAP_FLOWS);

  protected observe(now: Instant, tx: boolean, off: number, len: number): void {
    if (!tx) return;
    if (this.writer !== null) this.writer.frame(now, this.txBytes, this.txView, off, len);
    const dv = this.txView;
    const b = this.txBytes;
    const tcpOff = tcpHeaderOffset(b, dv, off, len);
    if (tcpOff < 0) return;
    // The end of the IP payload: IPv4 total length, or IPv6 payload length after its header.
    const ipEnd = dv.getUint16(off + 12) === 0x0800 ? off + 14 + dv.getUint16(off + 14 + 2) : tcpOff + dv.getUint16(off + 14 + 4);
    this.segments++;
    const flags = b[tcpOff + 13];
    const segLen = ipEnd - tcpOff - (b[tcpOff + 12] >> 4) * 4 + (flags & 1) + ((flags >> 1) & 1);
    if (segLen <= 0 || (flags & 4) !== 0) return;
    this.dataSegments++;
    const port = dv.getUint16(tcpOff);
    const seq = dv.getInt32(tcpOff + 4);
    const end = (seq + segLen) | 0;
    let i = 0;
    while (i < TAP_FLOWS && this.ports[i] !== port && this.ports[i] !== -1) i++;
    if (i === TAP_FLOWS) return; // more flows than the table: not counted
    if (this.ports[i] === -1 || (flags & 2) !== 0) {
      this.ports[i] = port; // a new flow, or a new connection from a reused port
      this.highest[i] = end;
    } else if (((seq - this.highest[i]) | 0) < 0) {
      this.retransmits++;
      if (((end - this.highest[i]) | 0) > 0) this.highest[i] = end;
    } else {
      this.highest[i] = end;
    }
  }
}

/** A deterministic source for ISNs and ephemeral ports, so that a run (and its capture) replays. */
export class SeededRandom implements RandomSource {
  private readonly rng: Xorshift32;
  constructor(seed: number) {
    this.rng = new Xorshift32(seed);
  }
  nextInt32(): number {
    return this.rng.nextInt32();
  }
}

// ---- The rig ---------------------------------------------------------------------------------

export interface LoopbackRigOptions {
  /** Loopback slots (default 32). */
  slots?: number;
  /** Where the capture of every transmitted frame goes (none by default). */
  pcap?: PcapSink | null;
  /** Seed of the fault injector's decisions and of the ISN / port source (default 1). */
  seed?: number;
  /** A random source for ISNs and ports instead of the seeded one (a host that faces a real network passes a cryptographic one). */
  random?: RandomSource;
}

/** One interface over a Loopback, with its device chain and a socket set of 4 slots. */
export class LoopbackRig {
  readonly iface: Interface;
  readonly loopback: Loopback;
  readonly injector: FaultInjector;
  readonly pcap: PcapWriter | null;
  readonly tap: TcpTap;
  /** The outermost device: what `poll` is given. */
  readonly device: Device;
  readonly sockets = new SocketSet(4);

  constructor(o: LoopbackRigOptions = {}) {
    const seed = o.seed ?? 1;
    this.loopback = new Loopback(o.slots ?? 32, 1514);
    this.injector = new FaultInjector(this.loopback, seed);
    this.pcap = o.pcap ? new PcapWriter(this.injector, o.pcap, PcapMode.Tx) : null;
    this.tap = new TcpTap(this.pcap ?? this.injector);
    this.device = this.tap;
    this.iface = new Interface(EthernetAddress.parse("02-00-00-00-00-01"), undefined, o.random ?? new SeededRandom(seed));
    this.iface.addIpv4Address(new Ipv4Cidr(ipv4Parse("127.0.0.1"), 8));
    this.iface.addIpv6Address(new Ipv6Cidr(Ipv6Address.parse("fdaa::1"), 64));
  }
}

// ---- The transfer ----------------------------------------------------------------------------

export interface TcpTransferOptions {
  /** Octets the client sends (default 1 MiB). */
  bytes?: number;
  /** Connect to fdaa::1 instead of 127.0.0.1. */
  ipv6?: boolean;
  /** The server's port (default 1234). */
  port?: number;
  /** Socket buffers: receive and transmit (defaults 64 KiB and 16 KiB: see below). */
  rxBuffer?: number;
  txBuffer?: number;
  /** Seed of the payload stream (default 1). */
  seed?: number;
  /** Give up when the simulated clock passed this many ms (default 10 minutes). */
  limitMs?: number;
}

export interface TcpTransferResult {
  ok: boolean;
  /** What went wrong (empty when ok). */
  error: string;
  sent: number;
  received: number;
  sentHash: number;
  receivedHash: number;
  /** TCP segments on the wire (both sockets), and retransmissions among them. */
  segments: number;
  retransmits: number;
  /** Frames the interface transmitted (ARP or NDISC included) and received. */
  framesSent: number;
  framesReceived: number;
  /** Simulated ms from the connect until both sockets were CLOSED (TIME-WAIT's 10 s included), and until the data was all in. */
  simulatedMs: number;
  dataMs: number;
  /** The clock at the end (to go on from). */
  now: Instant;
  clientState: string;
  serverState: string;
  /** The sockets' last network errors (`SocketErrorCode`, 0: none). */
  clientError: number;
  serverError: number;
}

/**
 * Runs one transfer on `rig` from `now`: adds a server and a client socket to its set (two free
 * slots needed), transfers, waits until both are CLOSED, and removes them again.
 *
 * Buffers: the server receives into 64 KiB, the client sends from 16 KiB. A sender never has more
 * in flight than its transmit ring holds, and the reader empties its ring after every poll, so
 * the advertised window never fills: a capture of a run without faults shows no "window full".
 */
export function runTcpTransfer(rig: LoopbackRig, now: Instant, o: TcpTransferOptions = {}): TcpTransferResult {
  const total = o.bytes ?? 1024 * 1024;
  const port = o.port ?? 1234;
  const limit = o.limitMs ?? 600000;
  const { iface, device, sockets } = rig;
  const server = new TcpSocket(o.rxBuffer ?? 65536, o.txBuffer ?? 16384);
  const client = new TcpSocket(o.rxBuffer ?? 65536, o.txBuffer ?? 16384);
  const hs = sockets.add(server);
  const hc = sockets.add(client);
  const tx = new PayloadStream(o.seed ?? 1);
  const expect = new PayloadStream(o.seed ?? 1);
  const buf = new Uint8Array(16384);
  const segments0 = rig.tap.segments;
  const retransmits0 = rig.tap.retransmits;
  const sent0 = iface.stats.txFrames;
  const rcvd0 = iface.stats.rxFrames;
  const t0 = now;
  let sent = 0;
  let received = 0;
  let sentHash = FNV_OFFSET;
  let receivedHash = FNV_OFFSET;
  let clientClosed = false;
  let serverClosed = false;
  let error = "";
  let dataMs = -1;
  let atInstant = 0;

  server.listen(port, iface); // the interface gives the accepted connection an RFC 6528 ISN
  iface.poll(now, device, sockets);
  client.connect(iface, IpEndpoint.parse(o.ipv6 ? `[fdaa::1]:${port}` : `127.0.0.1:${port}`));

  for (;;) {
    const elapsed = instantDiff(now, t0);
    if (elapsed > limit) {
      error = `no completion after ${limit} ms simulated`;
      break;
    }
    let progress = iface.poll(now, device, sockets);
    // The client: write the stream, then close.
    const cs = client.state;
    if (cs === TcpState.Established || cs === TcpState.CloseWait) {
      while (sent < total) {
        tx.refill();
        const want = Math.min(tx.end - tx.pos, total - sent);
        const n = client.send(tx.buf, tx.pos, want);
        if (n <= 0) break;
        sentHash = fnv1a(sentHash, tx.buf, tx.pos, n);
        tx.pos += n;
        sent += n;
        progress = true;
      }
      if (sent === total && !clientClosed) {
        client.close();
        clientClosed = true;
        progress = true;
      }
    }
    // The server: read and check everything, close after the client's FIN.
    for (let n; (n = server.recv(buf, 0, buf.length)) > 0;) {
      receivedHash = fnv1a(receivedHash, buf, 0, n);
      for (let i = 0; i < n && error === ""; i++) {
        expect.refill();
        if (buf[i] !== expect.buf[expect.pos++]) error = `octet ${received + i} differs from the stream`;
      }
      received += n;
      progress = true;
    }
    if (error !== "") break;
    if (!serverClosed && server.state === TcpState.CloseWait) {
      server.close();
      serverClosed = true;
      progress = true;
    }
    if (dataMs < 0 && received === total && serverClosed) dataMs = elapsed;
    const done = clientClosed && serverClosed;
    if (done && client.state === TcpState.Closed && server.state === TcpState.Closed) break;
    if ((client.state === TcpState.Closed && !clientClosed) || (server.state === TcpState.Closed && !serverClosed)) {
      error = `connection lost: client ${TCP_STATE_NAMES[client.state]}, server ${TCP_STATE_NAMES[server.state]}`;
      break;
    }
    if (progress) {
      if (++atInstant > 100000) {
        error = `stuck at ${elapsed} ms`;
        break;
      }
      continue;
    }
    atInstant = 0;
    const d = iface.pollDelay(now, sockets);
    if (d < 0) {
      error = `idle at ${elapsed} ms with the transfer unfinished`;
      break;
    }
    now = (now + (d > 0 ? d : 1)) | 0;
  }

  const clientError = client.takeError();
  const serverError = server.takeError();
  if (error === "" && (clientError !== 0 || serverError !== 0)) error = `socket error: client ${clientError}, server ${serverError}`;
  const result: TcpTransferResult = {
    ok: error === "" && received === total && sentHash === receivedHash,
    error: error === "" && (received !== total || sentHash !== receivedHash) ? `received ${received} of ${total} octets, hash ${hex(receivedHash)} (sent ${hex(sentHash)})` : error,
    sent,
    received,
    sentHash,
    receivedHash,
    segments: rig.tap.segments - segments0,
    retransmits: rig.tap.retransmits - retransmits0,
    framesSent: iface.stats.txFrames - sent0,
    framesReceived: iface.stats.rxFrames - rcvd0,
    simulatedMs: instantDiff(now, t0),
    dataMs,
    now,
    clientState: TCP_STATE_NAMES[client.state],
    serverState: TCP_STATE_NAMES[server.state],
    clientError,
    serverError,
  };
  sockets.remove(hc);
  sockets.remove(hs);
  return result;
}
