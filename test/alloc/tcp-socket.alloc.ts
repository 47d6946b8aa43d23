import { allocCase } from "../support/alloc.js";
import { TcpSocket, TcpState } from "../../src/socket/tcp/socket.js";
import { IpAddress, IpEndpoint, IpProtocol, ipv4Parse } from "../../src/wire/ip.js";
import { IpRepr } from "../../src/wire/ip-repr.js";
import { TcpRepr } from "../../src/wire/tcp.js";

// Two TCP sockets joined back to back at the repr level: after the handshake (setup), every
// iteration sends 100 octets from the client, carries the segment to the server, reads it
// there, and carries the server's ACK back.
const A = ipv4Parse("192.168.69.1");
const B = ipv4Parse("192.168.69.2");
const client = new TcpSocket(1024, 1024);
const server = new TcpSocket(1024, 1024);
server.listen(80);
const toServer = new IpRepr().setV4(A, B, IpProtocol.Tcp, 0, 64);
const toClient = new IpRepr().setV4(B, A, IpProtocol.Tcp, 0, 64);
const ip = new IpRepr();
const seg = new TcpRepr();
const reply = new TcpRepr();
const wire = new Uint8Array(2048);
const data = new Uint8Array(100);
const sink = new Uint8Array(1024);
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

client.connect(now, IpEndpoint.of(IpAddress.v4(A), 49500), IpEndpoint.of(IpAddress.v4(B), 80), 0x7ffffff0);
carry(client, server, toServer); // SYN
carry(server, client, toClient); // SYN-ACK
carry(client, server, toServer); // ACK
if (client.state !== TcpState.Established || server.state !== TcpState.Established) throw new Error("no handshake");

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
