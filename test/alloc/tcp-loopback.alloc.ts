import { allocCase } from "../support/alloc.js";
import { Interface } from "../../src/iface/interface.js";
import { Loopback } from "../../src/phy/loopback.js";
import { Xorshift32 } from "../../src/phy/rand.js";
import { SocketSet } from "../../src/socket/set.js";
import { TcpSocket, TcpState } from "../../src/socket/tcp/socket.js";
import type { RandomSource } from "../../src/socket/tcp/isn.js";
import { EthernetAddress } from "../../src/wire/ethernet.js";
import { IpEndpoint, Ipv4Cidr, ipv4Parse } from "../../src/wire/ip.js";
import { NetsimRig } from "../support/netsim.js";
import { Config } from "../../src/config.js";

// smoltcp's loopback example as an allocation case: a client and a server TCP socket on one
// interface over a `Loopback`. Setup (once): the handshake (with ARP for the interface's own
// address) and a warm-up of 64 chunks. Each iteration: the client queues one 1024-octet chunk,
// the interface is polled (the clock jumping to `pollDelay` when idle, for a delayed ACK) until
// the server has read the chunk and its ACK has emptied the client's transmit ring. The XS
// runner runs it with 1024 iterations: 1 MiB through the whole stack (both sockets, the
// interface's ingress and egress, the device), and requires zero slots.

class Seeded implements RandomSource {
  private readonly rng = new Xorshift32(0x10095);
  nextInt32(): number {
    return this.rng.nextInt32();
  }
}

const CHUNK = 1024;
const device = new Loopback(16, 1514);
const iface = new Interface(EthernetAddress.parse("02-00-00-00-00-01"), undefined, new Seeded());
iface.addIpv4Address(new Ipv4Cidr(ipv4Parse("127.0.0.1"), 8));
const sockets = new SocketSet(2);
const server = new TcpSocket(8192, 8192);
const client = new TcpSocket(8192, 8192);
sockets.add(server);
sockets.add(client);
server.listen(1234, iface);
const chunk = new Uint8Array(CHUNK);
for (let i = 0; i < CHUNK; i++) chunk[i] = (i * 7 + 3) & 0xff;
const sink = new Uint8Array(CHUNK * 2);
let now = (0x7fffffff - 5000) | 0;

/** Polls until the server read `want` octets and the client's ring is empty; returns octets read (-1: stuck). */
function pump(want: number): number {
  let got = 0;
  for (let round = 0; round < 200; round++) {
    const busy = iface.poll(now, device, sockets);
    const n = server.recv(sink, got, sink.length - got); // -1 before the connection exists
    if (n > 0) got += n;
    if (got >= want && client.sendQueue === 0 && !busy) return got;
    if (!busy) {
      const d = iface.pollDelay(now, sockets);
      now = (now + (d > 0 ? d : 1)) | 0;
    }
  }
  return -1;
}

iface.poll(now, device, sockets);
client.connect(iface, IpEndpoint.parse("127.0.0.1:1234"));
if (pump(0) < 0 || client.state !== TcpState.Established || server.state !== TcpState.Established) {
  throw new Error("tcp-loopback alloc case: no handshake (client " + client.state + ", server " + server.state + ")");
}
for (let i = 0; i < 64; i++) {
  client.send(chunk, 0, CHUNK);
  if (pump(CHUNK) !== CHUNK) throw new Error("tcp-loopback alloc case: warm-up chunk " + i + " did not arrive");
}

allocCase("tcp over loopback: client sends 1024 octets, server reads them, the ACK returns", (n) => {
  let moved = 0;
  for (let i = 0; i < n; i++) {
    if (client.send(chunk, 0, CHUNK) !== CHUNK) throw new Error("tcp-loopback alloc case: the transmit ring is full");
    const got = pump(CHUNK);
    if (got !== CHUNK || sink[CHUNK - 1] !== chunk[CHUNK - 1]) throw new Error("tcp-loopback alloc case: chunk " + i + " did not arrive");
    moved += got;
  }
  return moved;
}, 1024);

// The same over the netsim rig (test/support/netsim.ts): two interfaces joined by the wire pair
// (10 ms each way), the client's side behind a FaultInjector dropping 5 % of the frames, so that
// retransmission on the RTO, fast retransmit, out-of-order reassembly and duplicate ACKs are on
// the measured path too. Each iteration: 1024 octets from the client, polled (the clock jumping
// to the next deadline or frame arrival) until the server has read them, the client's ring is
// empty and the wire idle. The neighbor entries live a simulated day here, so that the ARP
// refresh is measured on its own, by the last case.
const dayConfig = new Config();
dayConfig.neighborExpiry = 24 * 3600 * 1000;
const sim = new NetsimRig({ bytes: 0, direction: "upload", seed: 0x5eed, config: dayConfig, clientFaults: { seed: 0x10ad, dropPct: 5 } });
// The default configuration: entries expire after 60 s, and an ARP exchange refreshes them.
const simArp = new NetsimRig({ bytes: 0, direction: "upload", seed: 0x5eed });
let simNow = (0x7fffffff - 5000) | 0;

/** Polls both sides until the server read `want` octets, the client's ring is empty and the wire idle; -1: stuck. */
function simPump(r: NetsimRig, want: number): number {
  let got = 0;
  for (let round = 0; round < 5000; round++) {
    let busy = r.server.poll(simNow, r.serverDevice, r.serverSockets);
    const n = r.serverSocket.recv(sink, got, sink.length - got);
    if (n > 0) got += n;
    busy = r.client.poll(simNow, r.clientDevice, r.clientSockets) || busy;
    if (got >= want && r.clientSocket.sendQueue === 0 && !busy && r.pair.inFlight() === 0) return got;
    if (!busy) {
      let d = r.server.pollDelay(simNow, r.serverSockets);
      const d2 = r.client.pollDelay(simNow, r.clientSockets);
      if (d2 >= 0 && (d < 0 || d2 < d)) d = d2;
      const d3 = r.pair.nextArrival(simNow);
      if (d3 >= 0 && (d < 0 || d3 < d)) d = d3;
      simNow = (simNow + (d > 0 ? d : 1)) | 0;
    }
  }
  return -1;
}

/** Connects the rig's client to its server and moves 64 chunks. */
function simSetup(r: NetsimRig, what: string): void {
  r.serverSocket.listen(1234, r.server);
  r.client.poll(simNow, r.clientDevice, r.clientSockets);
  r.clientSocket.connect(r.client, r.remote);
  if (simPump(r, 0) < 0 || r.clientSocket.state !== TcpState.Established) throw new Error(what + ": no handshake");
  for (let i = 0; i < 64; i++) {
    r.clientSocket.send(chunk, 0, CHUNK);
    if (simPump(r, CHUNK) !== CHUNK) throw new Error(what + ": warm-up chunk " + i + " did not arrive");
  }
}

/** One chunk from the client to the server, until acknowledged. */
function simChunk(r: NetsimRig, what: string, i: number): number {
  if (r.clientSocket.send(chunk, 0, CHUNK) !== CHUNK) throw new Error(what + ": the transmit ring is full");
  const got = simPump(r, CHUNK);
  if (got !== CHUNK || sink[CHUNK - 1] !== chunk[CHUNK - 1]) throw new Error(what + ": chunk " + i + " did not arrive");
  return got;
}

simSetup(sim, "tcp wire-pair alloc case");
simSetup(simArp, "tcp ARP-refresh alloc case");

allocCase("tcp over the wire pair with 5% drop: 1024 octets client to server, until acknowledged", (n) => {
  let moved = 0;
  for (let i = 0; i < n; i++) moved += simChunk(sim, "tcp wire-pair alloc case", i);
  return moved;
}, 1024);

// Each iteration lets 61 s pass (the connection idle: no keep-alive), so that both interfaces'
// neighbor entries have expired when the next chunk is sent: ARP request, ARP reply, then the
// segment and its ACK. The interface's packet path includes that exchange.
allocCase("tcp over the wire pair: a chunk after 61 s idle, so an ARP refresh comes first", (n) => {
  let moved = 0;
  for (let i = 0; i < n; i++) {
    simNow = (simNow + 61000) | 0;
    moved += simChunk(simArp, "tcp ARP-refresh alloc case", i);
  }
  return moved;
}, 16);
