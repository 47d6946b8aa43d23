import { allocCase } from "../support/alloc.js";
import { WireError } from "../../src/wire/error.js";
import { ChecksumCapabilities, checksumPseudoV4, checksumPseudoV6 } from "../../src/wire/checksum.js";
import { IpProtocol, Ipv6Address } from "../../src/wire/ip.js";
import { UdpPacket, UdpRepr } from "../../src/wire/udp.js";
import { TcpControl, TcpPacket, TcpRepr } from "../../src/wire/tcp.js";

const caps = new ChecksumCapabilities();
const SRC4 = 0x0a000001; // 10.0.0.1
const DST4 = 0x0a000002; // 10.0.0.2
const SRC6 = new Ipv6Address(0xfd000000 | 0, 0, 0, 1);
const DST6 = new Ipv6Address(0xfd000000 | 0, 0, 0, 2);

// A DNS query over IPv4 (test/wire/udp.test.ts, DNS_QUERY).
const dns = new Uint8Array([
  0xc2, 0xd9, 0x00, 0x35, 0x00, 0x25, 0x5e, 0x3c, 0xfa, 0xe8, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d,
  0x00, 0x00, 0x01, 0x00, 0x01,
]);
const dnsDv = new DataView(dns.buffer);
const udpOut = new Uint8Array(dns.length);
const udpOutDv = new DataView(udpOut.buffer);
udpOut.set(dns);
const udpIn = new UdpPacket(dns, dnsDv);
const udpTx = new UdpPacket(udpOut, udpOutDv);
const udpRepr = new UdpRepr();

allocCase("udp parse+emit", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    udpIn.reset(dns, dnsDv, 0, dns.length);
    const pseudo = checksumPseudoV4(SRC4, DST4, IpProtocol.Udp, dns.length);
    if (udpRepr.parse(udpIn, pseudo, false, caps) !== WireError.Ok) return -1;
    udpTx.reset(udpOut, udpOutDv, 0, udpOut.length);
    udpRepr.emit(udpTx, udpRepr.payloadLen, pseudo, caps);
    acc = (acc + udpRepr.dstPort + udpTx.checksum()) | 0;
  }
  return acc;
});

// A Linux SYN with MSS, SACK-Permitted, Timestamps and Window Scale (test/wire/tcp.test.ts, SYN_V4).
const syn = new Uint8Array([
  0xe4, 0x40, 0x1f, 0x90, 0x2d, 0x49, 0xe3, 0x75, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
  0x8a, 0xa7, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0xf8, 0x4c, 0xa1, 0x85,
  0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
]);
const synDv = new DataView(syn.buffer);
const synOut = new Uint8Array(syn.length);
const synOutDv = new DataView(synOut.buffer);
const synIn = new TcpPacket(syn, synDv);
const synTx = new TcpPacket(synOut, synOutDv);
const synRepr = new TcpRepr();

allocCase("tcp SYN with every option parse+emit", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    synIn.reset(syn, synDv, 0, syn.length);
    const pseudo = checksumPseudoV4(SRC4, DST4, IpProtocol.Tcp, syn.length);
    if (synRepr.parse(synIn, pseudo, caps) !== WireError.Ok) return -1;
    synTx.reset(synOut, synOutDv, 0, synOut.length);
    synRepr.emit(synTx, 0, pseudo, caps);
    acc = (acc + synRepr.maxSegSize + synRepr.windowScale + synRepr.segmentLen() + synTx.checksum()) | 0;
  }
  return acc;
});

// A data segment over IPv6 with Timestamps and three SACK blocks around the 2^32 wrap, and 536
// octets of data; emitted once here, then parsed and re-emitted in the loop.
const DATA_LEN = 536;
const seg = new TcpRepr();
seg.srcPort = 8080;
seg.dstPort = 40000;
seg.control = TcpControl.Psh;
seg.seqNumber = 0xfffffff0 | 0;
seg.hasAck = true;
seg.ackNumber = 0x7ffffff0;
seg.windowLen = 512;
seg.hasTimestamp = true;
seg.tsVal = 0x7fffffff;
seg.tsEcr = 0x80000000 | 0;
seg.sackCount = 3;
seg.sackRanges.set([485, 535, 285, 335, 85, 135]);
const dataLen = seg.bufferLen(DATA_LEN);
const data = new Uint8Array(dataLen);
const dataDv = new DataView(data.buffer);
for (let i = 0; i < DATA_LEN; i++) data[seg.headerLen() + i] = i & 0xff;
seg.emit(new TcpPacket(data, dataDv), DATA_LEN, checksumPseudoV6(SRC6, DST6, IpProtocol.Tcp, dataLen), caps);
const dataOut = new Uint8Array(dataLen);
const dataOutDv = new DataView(dataOut.buffer);
dataOut.set(data);
const dataIn = new TcpPacket(data, dataDv);
const dataTx = new TcpPacket(dataOut, dataOutDv);
const dataRepr = new TcpRepr();

allocCase("tcp data with timestamps and SACK parse+emit", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    dataIn.reset(data, dataDv, 0, dataLen);
    const pseudo = checksumPseudoV6(SRC6, DST6, IpProtocol.Tcp, dataLen);
    if (dataRepr.parse(dataIn, pseudo, caps) !== WireError.Ok) return -1;
    dataTx.reset(dataOut, dataOutDv, 0, dataLen);
    dataRepr.emit(dataTx, dataRepr.payloadLen, pseudo, caps);
    acc = (acc + dataRepr.sackRanges[5] + dataRepr.tsEcr + dataRepr.payloadLen + dataTx.checksum()) | 0;
  }
  return acc;
});
