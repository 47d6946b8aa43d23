import { allocCase } from "../support/alloc.js";
import { Arena } from "../../src/storage/arena.js";
import { IpAddress, IpEndpoint, IpProtocol, IpVersion, Ipv6Address } from "../../src/wire/ip.js";
import { IpRepr } from "../../src/wire/ip-repr.js";
import { UdpRepr } from "../../src/wire/udp.js";
import { SocketErrorCode } from "../../src/socket/error.js";
import { UdpSocket } from "../../src/socket/udp.js";
import { RawSocket } from "../../src/socket/raw.js";

// Setup, once: an arena holding a "frame" region and every socket ring, so that the copies are
// copyWithin; sockets, reprs and endpoints.
const arena = new Arena(8192);
const frameOff = arena.reserve(256);
for (let i = 0; i < 256; i++) arena.bytes[frameOff + i] = i;
const frame = arena.bytes;

const LOCAL4 = 0xc0a84501 | 0; // 192.168.69.1
const REMOTE4 = 0xc0a84502 | 0;
const GROUP4 = 0xe00000fb | 0; // 224.0.0.251
const LOCAL6 = new Ipv6Address(0xfdaa0000 | 0, 0, 0, 1);
const REMOTE6 = new Ipv6Address(0xfdaa0000 | 0, 0, 0, 2);
const remote4 = IpEndpoint.of(IpAddress.v4(REMOTE4), 49500);
const remote6 = IpEndpoint.of(IpAddress.v6(REMOTE6), 49500);

const udp = new UdpSocket(4, 256, 4, 256, arena);
udp.bind(53);
const udpFull = new UdpSocket(1, 16, 1, 16, arena);
udpFull.bind(54);
const txIp = new IpRepr();
const txUdp = new UdpRepr();
const rxIp4 = new IpRepr().setV4(REMOTE4, LOCAL4, IpProtocol.Udp, 8 + 40, 64);
const rxIp6 = new IpRepr().setV6(REMOTE6, LOCAL6, IpProtocol.Udp, 8 + 40, 64);
const rxMcast = new IpRepr().setV4(REMOTE4, GROUP4, IpProtocol.Udp, 8 + 40, 64);
const rxUdp = new UdpRepr();
rxUdp.srcPort = 49500;
rxUdp.dstPort = 53;
const out = new Uint8Array(64);

allocCase("udp socket: sendSlice + dispatchPeek/Payload/Commit (IPv4 and IPv6)", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    udp.sendSlice(frame, frameOff + (i & 15), 20 + (i & 7), (i & 1) === 0 ? remote4 : remote6);
    udp.sendSlice(frame, frameOff, 33, remote4);
    for (let k = 0; k < 2; k++) {
      const len = udp.dispatchPeek(i, txIp, txUdp);
      if (len < 0) return -1;
      udp.dispatchPayload(frame, frameOff + 128);
      udp.dispatchCommit();
      acc = (acc + len + txUdp.dstPort + txIp.payloadLen + frame[frameOff + 128]) | 0;
    }
    acc = (acc + udp.pollDelay(i)) | 0;
  }
  return acc;
});

allocCase("udp socket: accepts + process, recvSlice / recv / peek (IPv4, IPv6, multicast)", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const ip = (i & 3) === 0 ? rxIp6 : (i & 3) === 1 ? rxMcast : rxIp4;
    if (!udp.accepts(ip, rxUdp)) return -1;
    udp.process(i, ip, rxUdp, frame, frameOff + (i & 31), 40);
    udp.process(i, rxIp4, rxUdp, frame, frameOff, 17 + (i & 7));
    udp.process(i, rxIp4, rxUdp, frame, frameOff, 5);
    acc = (acc + udp.peek() + udp.recvOffset) | 0;
    acc = (acc + udp.recvSlice(out, 0, 30) + udp.lastRecvEndpoint.port + udp.lastRecvLocalAddr.version) | 0;
    acc = (acc + udp.recv() + udp.rxBytes()[udp.recvOffset]) | 0;
    acc = (acc + udp.peekSlice(out, 0, 8) + udp.recvSlice(out, 8, 8)) | 0;
  }
  return acc;
});

allocCase("udp socket: full queues (false / -1), sendBegin, dispatchDrop + takeError", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const at = udpFull.sendBegin(10, remote4);
    if (at >= 0) udpFull.txBytes()[at] = i & 0xff;
    if (udpFull.sendBegin(10, remote4) === -1) acc = (acc + 1) | 0;
    if (!udpFull.sendSlice(frame, frameOff, 4, remote4)) acc = (acc + 1) | 0;
    if (udpFull.dispatchPeek(i, txIp, txUdp) >= 0) udpFull.dispatchDrop(SocketErrorCode.NoRoute);
    acc = (acc + udpFull.takeError()) | 0;
    udpFull.process(i, rxIp4, rxUdp, frame, frameOff, 8);
    if (!udpFull.process(i, rxIp4, rxUdp, frame, frameOff, 8)) acc = (acc + 1) | 0;
    if (!udpFull.process(i, rxIp4, rxUdp, frame, frameOff, 40)) acc = (acc + 1) | 0; // too large
    acc = (acc + udpFull.recv()) | 0;
  }
  return acc;
});

// Raw sockets: a valid IPv4 packet (checksum left 0 for the socket to fill), a valid IPv6
// packet, and a malformed one (TTL 0) in the frame region.
const PACKET4 = [0x45, 0x00, 0x00, 0x18, 0x00, 0x00, 0x40, 0x00, 0x40, 0x3f, 0x00, 0x00,
  0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0xaa, 0x00, 0x00, 0xff];
const PACKET6 = [0x60, 0x00, 0x00, 0x00, 0x00, 0x04, 0x3f, 0x40,
  0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
  0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0xaa, 0x00, 0x00, 0xff];
const p4Off = arena.reserve(24);
const bad4Off = arena.reserve(24);
const p6Off = arena.reserve(44);
for (let i = 0; i < 24; i++) frame[p4Off + i] = frame[bad4Off + i] = PACKET4[i];
frame[bad4Off + 8] = 0;
for (let i = 0; i < 44; i++) frame[p6Off + i] = PACKET6[i];
const raw4 = new RawSocket(IpVersion.Ipv4, 63, 4, 200, 4, 200, arena);
const raw6 = new RawSocket(IpVersion.Ipv6, 63, 4, 200, 4, 200, arena);
const rawIp = new IpRepr();
const rawRx4 = new IpRepr().setV4(0x0a000001, 0x0a000002, 63, 4, 64);
const rawRx6 = new IpRepr().setV6(LOCAL6, REMOTE6, 63, 4, 64);

allocCase("raw socket: send + dispatch (IPv4 checksum filled, IPv6), a malformed packet dropped", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    raw4.sendSlice(frame, bad4Off, 24);
    raw4.sendSlice(frame, p4Off, 24);
    const len = raw4.dispatchPeek(i, rawIp);
    if (len !== 24) return -1;
    raw4.dispatchPayload(frame, frameOff + 128);
    raw4.dispatchCommit();
    acc = (acc + len + rawIp.hopLimit + frame[frameOff + 138] + raw4.takeError()) | 0;
    const at = raw6.sendBegin(44);
    if (at >= 0) raw6.txBytes().copyWithin(at, p6Off, p6Off + 44);
    const len6 = raw6.dispatchPeek(i, rawIp);
    raw6.dispatchPayload(frame, frameOff + 128);
    if ((i & 1) === 0) raw6.dispatchCommit();
    else raw6.dispatchDrop(SocketErrorCode.NoRoute);
    acc = (acc + len6 + rawIp.dstAddr.v6.w3 + raw6.takeError() + raw6.pollDelay(i)) | 0;
  }
  return acc;
});

allocCase("raw socket: accepts + process, recvSlice / recv / peek", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    if (raw4.accepts(rawRx4)) raw4.process(i, rawRx4, frame, p4Off, 24);
    if (raw6.accepts(rawRx6)) raw6.process(i, rawRx6, frame, p6Off, 44);
    raw4.process(i, rawRx4, frame, p4Off, 24);
    acc = (acc + raw4.peek() + raw4.recvSlice(out, 0, 20) + raw4.recv() + raw4.recvOffset) | 0;
    acc = (acc + raw6.peekSlice(out, 0, 44) + raw6.recv() + raw6.rxBytes()[raw6.recvOffset]) | 0;
  }
  return acc;
});
