import { allocCase } from "../support/alloc.js";
import { TcpSocket, TcpState } from "../../src/socket/tcp/socket.js";
import { IpAddress, IpEndpoint, IpProtocol, ipv4Parse } from "../../src/wire/ip.js";
import { IpRepr } from "../../src/wire/ip-repr.js";
import { TcpRepr } from "../../src/wire/tcp.js";

// Two TCP sockets joined back to back at the repr level. After the handshake (setup), each
// iteration is a steady-state exchange with everything the socket does on a busy connection:
// the client sends three 100-octet segments; the first is "lost" (held back), so the server
// takes the second and third out of order through the assembler and answers each with a
// duplicate ACK at once; the client's retransmission timer then expires and it sends from
// SND.UNA again (go-back-N, back-off, Karn); the server reassembles, reads everything, and its
// ACK (with a window update) frees the client's ring. The RTO is pinned to its floor first so
// each iteration advances the clock by a fixed step.
const A = ipv4Parse("192.168.69.1");
const B = ipv4Parse("192.168.69.2");
const client = new TcpSocket(4096, 4096);
const server = new TcpSocket(4096, 4096);
// Both sockets negotiate RFC 7323 timestamps (on by default), so every segment carries the
// 12-octet option too (TS.Recent, PAWS, RTTM on the path): a link MSS of 112 makes the
// segments 100 octets.
client.linkMss = 112;
server.linkMss = 112;
client.ackDelay = 0;
server.ackDelay = 0;
server.listen(80);
const toServer = new IpRepr().setV4(A, B, IpProtocol.Tcp, 0, 64);
const toClient = new IpRepr().setV4(B, A, IpProtocol.Tcp, 0, 64);
const ip = new IpRepr();
const seg = new TcpRepr();
const held = new TcpRepr();
const reply = new TcpRepr();
const wire = new Uint8Array(2048);
const heldBytes = new Uint8Array(2048);
const data = new Uint8Array(300);
const sink = new Uint8Array(4096);
let now = 0;

/** Carries one segment from `from` to `to`; returns its payload length, -1 when none. */
function carry(from: TcpSocket, to: TcpSocket, ipTo: IpRepr): number {
  const n = from.dispatch(now, ip, seg);
  if (n < 0) return -1;
  from.dispatchPayload(wire, 0);
  from.dispatchCommit(now);
  seg.payloadLen = n;
  if (to.accepts(ipTo, seg)) to.process(now, ipTo, seg, wire, 0, n, reply);
  return n;
}

/** Takes one segment from `from` without delivering it (a loss). */
function lose(from: TcpSocket): number {
  const n = from.dispatch(now, ip, held);
  if (n < 0) return -1;
  from.dispatchPayload(heldBytes, 0);
  from.dispatchCommit(now);
  return n;
}

client.connectWith(now, IpEndpoint.of(IpAddress.v4(A), 49500), IpEndpoint.of(IpAddress.v4(B), 80), 0x7ffffff0);
carry(client, server, toServer); // SYN
carry(server, client, toClient); // SYN-ACK
carry(client, server, toServer); // ACK
if (client.state !== TcpState.Established || server.state !== TcpState.Established) throw new Error("no handshake");

/** One round: a loss, two out-of-order segments, duplicate ACKs, a retransmission, the ACK. */
function round(): number {
  client.send(data, 0, 300);
  lose(client); // octets 0..99 lost
  carry(client, server, toServer); // 100..199: out of order
  carry(server, client, toClient); // duplicate ACK
  carry(client, server, toServer); // 200..299: out of order
  carry(server, client, toClient); // duplicate ACK
  now = (now + client.rtt.rto) | 0; // the RTO expires
  carry(client, server, toServer); // 0..99 again: fills the gap
  let moved = server.recv(sink, 0, 4096);
  while (carry(server, client, toClient) >= 0);
  while (carry(client, server, toServer) >= 0); // any go-back-N resend is a duplicate
  while (carry(server, client, toClient) >= 0);
  moved += server.recv(sink, 0, 4096);
  // A clean exchange so an RTT sample brings the RTO back to its floor.
  client.send(data, 0, 100);
  now = (now + 1) | 0;
  carry(client, server, toServer);
  moved += server.recv(sink, 0, 4096);
  while (carry(server, client, toClient) >= 0);
  return moved;
}
for (let i = 0; i < 20; i++) round(); // warm up
if (client.sendQueue !== 0 || client.state !== TcpState.Established || client.retransmits === 0 || server.rxOutOfOrder === 0) {
  throw new Error("the warm-up did not run as planned: queue " + client.sendQueue + ", retransmits " + client.retransmits);
}

allocCase("tcp socket: data with a loss, out-of-order segments, duplicate ACKs, an RTO retransmission", (n) => {
  let moved = 0;
  for (let i = 0; i < n; i++) moved += round();
  return moved;
}, 20000);

allocCase("tcp socket: 100-octet segment and its ACK, back to back", (n) => {
  let moved = 0;
  for (let i = 0; i < n; i++) {
    now = (now + 1) | 0;
    client.send(data, 0, 100);
    carry(client, server, toServer);
    moved += server.recv(sink, 0, 1024);
    carry(server, client, toClient);
  }
  return moved;
});

allocCase("tcp socket: a 100-octet segment and its ACK after 61 s idle", (n) => {
  let moved = 0;
  for (let i = 0; i < n; i++) {
    now = (now + 61000) | 0;
    client.send(data, 0, 100);
    carry(client, server, toServer);
    moved += server.recv(sink, 0, 1024);
    carry(server, client, toClient);
  }
  return moved;
}, 1000);
