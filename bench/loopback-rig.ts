/**
 * The in-process TCP loopback benchmark, set up like smoltcp's `examples/loopback_benchmark.rs`
 * (see ../../shared/research/perf-baseline.md): one interface over a `Loopback` of 1536-octet
 * Ethernet frames (a 1482-octet TCP payload per segment), a server and a client socket with
 * 64 KiB rings each way, and an application that never touches the payload: the client commits
 * its transmit ring in place (`sendWindowLen` + `sendCommit`, whatever octets the ring holds) and
 * the server drains its receive ring in place (`recvWindowLen` + `recvCommit`). The loopback's
 * slots and the four rings come from one `Arena`, as an application should build them: every
 * copy between a frame and a ring is then one `copyWithin`.
 *
 * This module is **portable** (it imports `src/` only, no Node API): bench/run.mjs bundles it
 * for the XS engine too, where the same loop gives the compute meter per segment and the
 * allocation per segment.
 *
 * The clock is simulated: it stands still while the stack makes progress and jumps to the
 * interface's `pollDelay` when nothing is left to do at the current instant (a delayed ACK),
 * so that a run replays exactly and takes no sleeping. `idleJumps` counts those jumps (a
 * transfer that is limited by the stack, not by a timer, has almost none).
 */
import { Interface } from "../src/iface/interface.js";
import { Loopback } from "../src/phy/loopback.js";
import { Arena } from "../src/storage/arena.js";
import { Xorshift32 } from "../src/phy/rand.js";
import { SocketSet } from "../src/socket/set.js";
import { TcpSocket, TcpState } from "../src/socket/tcp/socket.js";
import type { RandomSource } from "../src/socket/tcp/isn.js";
import { UdpSocket } from "../src/socket/udp.js";
import type { Instant } from "../src/time.js";
import { EthernetAddress } from "../src/wire/ethernet.js";
import { IpEndpoint, Ipv4Cidr, ipv4Parse } from "../src/wire/ip.js";

/** The Ethernet frame size of smoltcp's benchmark (its FaultInjector's size limit): 1482-octet segments. */
export const BENCH_MTU = 1536;
/** The TCP payload of a full segment at `BENCH_MTU`: 1536 - 14 - 20 - 20. */
export const BENCH_MSS = BENCH_MTU - 14 - 20 - 20;
/** Socket buffers, each way, as smoltcp's benchmark. */
export const BENCH_BUFFER = 65536;

class SeededRandom implements RandomSource {
  private readonly rng: Xorshift32;
  constructor(seed: number) {
    this.rng = new Xorshift32(seed);
  }
  nextInt32(): number {
    return this.rng.nextInt32();
  }
}

/** One interface, its loopback device and the two connected sockets. */
export class LoopbackBench {
  readonly device: Loopback;
  readonly iface: Interface;
  readonly sockets = new SocketSet(2);
  readonly server: TcpSocket;
  readonly client: TcpSocket;
  now: Instant = (0x7fffffff - 100000) | 0;
  /** Octets the client committed and the server drained, since construction. */
  sent = 0;
  received = 0;
  /** Times the clock had to jump to a deadline (nothing to do at the current instant). */
  idleJumps = 0;
  /** Calls of `poll`. */
  polls = 0;

  /**
   * `slots` loopback slots (64 KiB of segments in flight need 45 of 1536 octets, plus their
   * ACKs), `buffer` octets per ring, `mtu` counting the Ethernet header.
   */
  constructor(mtu = BENCH_MTU, buffer = BENCH_BUFFER, slots = 64) {
    const arena = new Arena(slots * mtu + 4 * buffer);
    this.device = new Loopback(slots, mtu, arena);
    this.iface = new Interface(EthernetAddress.parse("02-00-00-00-00-01"), undefined, new SeededRandom(0x5eed));
    this.iface.addIpv4Address(new Ipv4Cidr(ipv4Parse("127.0.0.1"), 8));
    this.server = new TcpSocket(buffer, buffer, 4, arena);
    this.client = new TcpSocket(buffer, buffer, 4, arena);
    this.sockets.add(this.server);
    this.sockets.add(this.client);
  }

  /** Listens, connects (ARP for our own address on the way) and polls until both ends are established. */
  connect(): void {
    this.server.listen(1234, this.iface);
    this.iface.poll(this.now, this.device, this.sockets);
    this.client.connect(this.iface, IpEndpoint.parse("127.0.0.1:1234"));
    for (let i = 0; i < 1000; i++) {
      if (this.client.state === TcpState.Established && this.server.state === TcpState.Established) return;
      if (!this.iface.poll(this.now, this.device, this.sockets)) this.advance();
    }
    throw new Error("loopback bench: no handshake (client " + this.client.state + ", server " + this.server.state + ")");
  }

  /** Moves the clock to the next deadline (at least 1 ms). */
  private advance(): void {
    const d = this.iface.pollDelay(this.now, this.sockets);
    if (d < 0) throw new Error("loopback bench: idle with nothing scheduled");
    this.now = (this.now + (d > 0 ? d : 1)) | 0;
    this.idleJumps++;
  }

  /**
   * Transfers `bytes` more octets from the client to the server (the server has drained them all
   * when this returns); returns the octets moved. Allocates nothing.
   */
  transfer(bytes: number): number {
    const { iface, device, sockets, server, client } = this;
    const sentGoal = this.sent + bytes;
    const recvGoal = this.received + bytes;
    let sent = this.sent;
    let received = this.received;
    let stuck = 0;
    while (received < recvGoal) {
      let progress = iface.poll(this.now, device, sockets);
      this.polls++;
      // The server: drain whatever arrived, in place.
      for (let n = server.recvWindowLen(); n > 0; n = server.recvWindowLen()) {
        server.recvCommit(n);
        received += n;
        progress = true;
      }
      // The client: fill the ring in place, without writing the octets.
      while (sent < sentGoal) {
        let n = client.sendWindowLen();
        if (n === 0) break;
        if (n > sentGoal - sent) n = sentGoal - sent;
        client.sendCommit(n);
        sent += n;
        progress = true;
      }
      if (progress) {
        stuck = 0;
        continue;
      }
      if (++stuck > 1000) throw new Error("loopback bench: stuck after " + received + " octets");
      this.advance();
    }
    this.sent = sent;
    this.received = received;
    return bytes;
  }

  /** Frames the interface transmitted so far (data segments, ACKs, the handshake, ARP). */
  framesSent(): number {
    return this.iface.stats.txFrames;
  }
}

/**
 * The footprint rig of the issue: an interface with 4 TCP sockets of 2 KiB rings each way and
 * 2 UDP sockets (4 packets / 1 KiB each way), as an ESP32 application might hold them. Returns
 * the octets of ring and packet memory it asked for (what XS keeps in chunks, not slots).
 */
export class FootprintRig {
  readonly iface: Interface;
  readonly sockets = new SocketSet(8);
  readonly device: Loopback;
  readonly bufferOctets: number;

  constructor() {
    this.device = new Loopback(4, 1514);
    this.iface = new Interface(EthernetAddress.parse("02-00-00-00-00-01"), undefined, new SeededRandom(1));
    this.iface.addIpv4Address(new Ipv4Cidr(ipv4Parse("192.168.69.1"), 24));
    for (let i = 0; i < 4; i++) {
      const t = new TcpSocket(2048, 2048);
      this.sockets.add(t);
      t.listen(80 + i, this.iface);
    }
    for (let i = 0; i < 2; i++) {
      const u = new UdpSocket(4, 1024, 4, 1024);
      this.sockets.add(u);
      u.bind(5000 + i);
    }
    this.iface.poll(0, this.device, this.sockets);
    this.bufferOctets = 4 * (2048 + 2048) + 2 * (1024 + 1024) + 4 * 1514;
  }
}
