// Allocation cases of the ICMP socket's packet path: sending (sendEchoRequest, sendSlice,
// sendBegin) through the interface's dispatch sequence (peek, payload with the checksum,
// commit or drop), and receiving (accepts, process, recv, recvSlice, peek) of echo replies and
// UDP port unreachables, over IPv4 and IPv6. Setup happens once, here; the loops only work.

import { allocCase } from "../support/alloc.js";
import { Arena } from "../../src/storage/arena.js";
import { copyBytes } from "../../src/storage/copy.js";
import { IcmpSocket } from "../../src/socket/icmp.js";
import { SocketErrorCode } from "../../src/socket/error.js";
import { ChecksumCapabilities } from "../../src/wire/checksum.js";
import { IpAddress, IpEndpoint, IpProtocol, Ipv6Address, ipv4Parse } from "../../src/wire/ip.js";
import { IpRepr } from "../../src/wire/ip-repr.js";
import {
  LINUX_ICMPV4_ECHO_REPLY,
  LINUX_ICMPV4_PORT_UNREACHABLE,
  LINUX_ICMPV6_ECHO_REPLY,
  LINUX_ICMPV6_PORT_UNREACHABLE,
} from "../fixtures/linux.js";

const A1 = ipv4Parse("192.168.69.1");
const A2 = ipv4Parse("192.168.69.2");
const F1 = Ipv6Address.parse("fdaa::1");
const F2 = Ipv6Address.parse("fdaa::2");
const REMOTE_V4 = IpAddress.v4(A2);
const REMOTE_V6 = IpAddress.v6(F2);
const SOURCE_V4 = IpAddress.v4(A1);
const SOURCE_V6 = IpAddress.v6(F1);
const CAPS = new ChecksumCapabilities();

// One arena for the "received frames", a "transmit frame" and every socket ring, so that the
// copies are copyWithin, as on the device.
const arena = new Arena(8192);
function place(frame: Uint8Array): number {
  const off = arena.reserve(frame.length);
  copyBytes(arena.bytes, off, frame, 0, frame.length);
  return off;
}
const replyV4 = place(LINUX_ICMPV4_ECHO_REPLY) + 34;
const replyV6 = place(LINUX_ICMPV6_ECHO_REPLY) + 54;
const unreachV4 = place(LINUX_ICMPV4_PORT_UNREACHABLE) + 34;
const unreachV6 = place(LINUX_ICMPV6_PORT_UNREACHABLE) + 54;
const txFrame = arena.reserve(200);
const data = arena.reserve(56);
for (let i = 0; i < 56; i++) arena.bytes[data + i] = i;
const out = new Uint8Array(100);

const pingV4 = new IcmpSocket(2, 200, 2, 200, arena);
pingV4.bindIdent(0x3f28);
const pingV6 = new IcmpSocket(2, 200, 2, 200, arena);
pingV6.bindIdent(0x3f2a);
const udpV4 = new IcmpSocket(2, 200, 2, 200, arena);
udpV4.bindUdp(IpEndpoint.of(SOURCE_V4, 50002));
const udpV6 = new IcmpSocket(2, 200, 2, 200, arena);
udpV6.bindUdp(IpEndpoint.of(null, 50062));

const txIp = new IpRepr();
const rxIpV4 = new IpRepr().setV4(A2, A1, IpProtocol.Icmp, 64, 64);
const rxIpV6 = new IpRepr().setV6(F2, F1, IpProtocol.Icmpv6, 64, 64);

/** The interface's egress sequence for one message of `s`; returns its length. */
function egress(s: IcmpSocket, src: IpAddress): number {
  const n = s.dispatchPeek(0, txIp);
  if (n < 0) return 0;
  txIp.srcAddr.copyFrom(src);
  s.dispatchPayload(arena.bytes, txFrame, txIp, CAPS);
  s.dispatchCommit();
  return n;
}

allocCase("icmp socket: ping over IPv4 (sendEchoRequest, dispatch with checksum, accept+process+recv the reply)", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    pingV4.sendEchoRequest(REMOTE_V4, 0x3f28, i, arena.bytes, data, 56);
    acc = (acc + egress(pingV4, SOURCE_V4) + arena.bytes[txFrame + 3]) | 0;
    if (pingV4.accepts(rxIpV4, arena.bytes, replyV4, 64)) pingV4.process(i, rxIpV4, arena.bytes, replyV4, 64);
    const len = pingV4.recv();
    acc = (acc + len + pingV4.rxView().getUint16(pingV4.recvOffset + 6) + pingV4.lastRecvAddr.v4) | 0;
  }
  return acc;
});

allocCase("icmp socket: ping over IPv6 (pseudo-header checksum, peek, recvSlice)", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    pingV6.sendEchoRequest(REMOTE_V6, 0x3f2a, i, arena.bytes, data, 56);
    acc = (acc + egress(pingV6, SOURCE_V6) + arena.bytes[txFrame + 2]) | 0;
    if (pingV6.accepts(rxIpV6, arena.bytes, replyV6, 64)) pingV6.process(i, rxIpV6, arena.bytes, replyV6, 64);
    acc = (acc + pingV6.peek() + pingV6.peekSlice(out, 0, 20)) | 0;
    acc = (acc + pingV6.recvSlice(out, 0, 100) + out[7] + pingV6.lastRecvAddr.v6.w3) | 0;
  }
  return acc;
});

allocCase("icmp socket: UDP-bound sockets take port unreachables (IPv4 and IPv6), and refuse echo replies", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    if (udpV4.accepts(rxIpV4, arena.bytes, unreachV4, 56)) udpV4.process(i, rxIpV4, arena.bytes, unreachV4, 56);
    if (udpV6.accepts(rxIpV6, arena.bytes, unreachV6, 76)) udpV6.process(i, rxIpV6, arena.bytes, unreachV6, 76);
    if (!udpV4.accepts(rxIpV4, arena.bytes, replyV4, 64)) acc = (acc + 1) | 0;
    if (!pingV4.accepts(rxIpV4, arena.bytes, unreachV4, 56)) acc = (acc + 1) | 0;
    acc = (acc + udpV4.recvSlice(out, 0, 60) + udpV6.recv() + udpV6.recvOffset) | 0;
  }
  return acc;
});

allocCase("icmp socket: sendSlice, sendBegin, full queue, dispatchDrop and takeError", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    pingV4.sendSlice(arena.bytes, replyV4, 64, REMOTE_V4);
    const at = pingV4.sendBegin(24, REMOTE_V6);
    if (at >= 0) copyBytes(pingV4.txBytes(), at, arena.bytes, replyV6, 24);
    if (!pingV4.sendSlice(arena.bytes, replyV4, 8, REMOTE_V4)) acc = (acc + 1) | 0; // full
    acc = (acc + pingV4.pollDelay(i) + pingV4.sendQueue()) | 0;
    acc = (acc + egress(pingV4, SOURCE_V4)) | 0;
    pingV4.dispatchPeek(i, txIp);
    pingV4.dispatchDrop(SocketErrorCode.NoRoute);
    acc = (acc + pingV4.takeError() + pingV4.pollDelay(i)) | 0;
  }
  return acc;
});

// A scratch message in the arena, mutated in place (xorshift32, no closures) and offered to
// every socket: the refusals and acceptances of arbitrary bytes allocate nothing either.
const scratch = arena.reserve(120);
let seed = 0x2545f491;
allocCase("icmp socket: accepts/process/recv over mutated port unreachables and echo replies", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const v6 = (i & 1) === 1;
    const src = (i & 2) === 0 ? (v6 ? unreachV6 : unreachV4) : v6 ? replyV6 : replyV4;
    const len = v6 ? 76 : 64;
    copyBytes(arena.bytes, scratch, arena.bytes, src, len);
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    arena.bytes[scratch + ((seed >>> 8) & 63)] = seed & 0xff;
    const ip = v6 ? rxIpV6 : rxIpV4;
    const m = len - ((seed >>> 20) & 15);
    if (udpV4.accepts(ip, arena.bytes, scratch, m) && udpV4.process(i, ip, arena.bytes, scratch, m)) acc = (acc + udpV4.recv()) | 0;
    if (udpV6.accepts(ip, arena.bytes, scratch, m) && udpV6.process(i, ip, arena.bytes, scratch, m)) acc = (acc + udpV6.recv()) | 0;
    if (pingV4.accepts(ip, arena.bytes, scratch, m) && pingV4.process(i, ip, arena.bytes, scratch, m)) acc = (acc + pingV4.recv()) | 0;
    if (pingV6.accepts(ip, arena.bytes, scratch, m) && pingV6.process(i, ip, arena.bytes, scratch, m)) acc = (acc + pingV6.recv()) | 0;
  }
  return acc;
});
