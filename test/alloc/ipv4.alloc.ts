import { allocCase } from "../support/alloc.js";
import { WireError } from "../../src/wire/error.js";
import { ChecksumCapabilities } from "../../src/wire/checksum.js";
import { ArpPacket, ArpRepr } from "../../src/wire/arp.js";
import { Ipv4Packet, Ipv4Repr } from "../../src/wire/ipv4.js";
import { Icmpv4Packet, Icmpv4Repr } from "../../src/wire/icmpv4.js";
import { IgmpPacket, IgmpRepr } from "../../src/wire/igmp.js";

// The IPv4 family's packet path: parse a fixture, emit a reply, repeatedly. Everything below is
// set up once; the loops must not allocate.

function buffer(bytes: number[]): { bytes: Uint8Array; dv: DataView } {
  const b = new Uint8Array(bytes);
  return { bytes: b, dv: new DataView(b.buffer) };
}

const caps = new ChecksumCapabilities();

// ARP request "who has 192.168.69.1? tell 192.168.69.100", answered with a reply.
const arpIn = buffer([
  0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
  0xc0, 0xa8, 0x45, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xa8, 0x45, 0x01,
]);
const arpOut = buffer(new Array(28).fill(0));
const arpPacket = new ArpPacket(arpIn.bytes, arpIn.dv);
const arpOutPacket = new ArpPacket(arpOut.bytes, arpOut.dv);
const arpRepr = new ArpRepr();

allocCase("arp parse+emit", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    arpPacket.reset(arpIn.bytes, arpIn.dv, 0, 28);
    if (arpRepr.parse(arpPacket) !== WireError.Ok) return -1;
    // Turn the request into its reply in place.
    arpRepr.targetHardwareAddr.copyFrom(arpRepr.sourceHardwareAddr);
    const spa = arpRepr.sourceProtocolAddr;
    arpRepr.sourceProtocolAddr = arpRepr.targetProtocolAddr;
    arpRepr.targetProtocolAddr = spa;
    arpRepr.operation = 2;
    arpOutPacket.reset(arpOut.bytes, arpOut.dv, 0, 28);
    arpRepr.emit(arpOutPacket);
    acc = (acc + arpOut.bytes[7] + arpRepr.targetProtocolAddr) | 0;
  }
  return acc;
});

// An IPv4 header with the Router Alert option and an 8-octet IGMP payload.
const ipIn = buffer([
  0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0xfd, 0x0f,
  0xc0, 0xa8, 0x45, 0x64, 0xe0, 0x00, 0x00, 0xfb, 0x94, 0x04, 0x00, 0x00,
  0x16, 0x00, 0x09, 0x04, 0xe0, 0x00, 0x00, 0xfb,
]);
const ipOut = buffer(new Array(40).fill(0));
const ipPacket = new Ipv4Packet(ipIn.bytes, ipIn.dv);
const ipOutPacket = new Ipv4Packet(ipOut.bytes, ipOut.dv);
const ipRepr = new Ipv4Repr();

allocCase("ipv4 parse+emit", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    ipPacket.reset(ipIn.bytes, ipIn.dv, 0, ipIn.bytes.length);
    if (ipRepr.parse(ipPacket, caps) !== WireError.Ok) return -1;
    acc = (acc + ipPacket.payloadOffset() + (ipRepr.isFragment() ? 1 : 0)) | 0;
    ipOutPacket.reset(ipOut.bytes, ipOut.dv, 0, ipOut.bytes.length);
    ipRepr.emit(ipOutPacket, caps);
    acc = (acc + ipOutPacket.checksum()) | 0;
  }
  return acc;
});

// An echo request with 16 octets of data, answered with an echo reply.
const echoIn = buffer([
  0x08, 0x00, 0x00, 0x00, 0x0b, 0x1d, 0x00, 0x01,
  0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
]);
new Icmpv4Packet(echoIn.bytes, echoIn.dv).fillChecksum();
const echoOut = buffer(new Array(24).fill(0));
const echoPacket = new Icmpv4Packet(echoIn.bytes, echoIn.dv);
const echoOutPacket = new Icmpv4Packet(echoOut.bytes, echoOut.dv);
const echoRepr = new Icmpv4Repr();
/** The echo data, as a long-lived subarray created once (the copy into the reply uses it). */
const echoData = echoIn.bytes.subarray(8);
const replyRepr = new Icmpv4Repr();

allocCase("icmpv4 echo parse+emit", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    echoPacket.reset(echoIn.bytes, echoIn.dv, 0, echoIn.bytes.length);
    if (echoRepr.parse(echoPacket, caps) !== WireError.Ok) return -1;
    echoOut.bytes.set(echoData, 8);
    replyRepr.echoReply(echoRepr.ident, echoRepr.seqNo, echoRepr.dataLen);
    echoOutPacket.reset(echoOut.bytes, echoOut.dv, 0, replyRepr.bufferLen());
    replyRepr.emit(echoOutPacket, caps);
    acc = (acc + echoOutPacket.checksum() + echoRepr.dataOffset) | 0;
  }
  return acc;
});

// Port unreachable quoting a 60-octet UDP datagram's header and first 8 octets.
const errIn = buffer([
  0x03, 0x03, 0x08, 0xed, 0x00, 0x00, 0x00, 0x00,
  0x45, 0x00, 0x00, 0x3c, 0x4d, 0x2b, 0x40, 0x00, 0x40, 0x11, 0xe1, 0xcf,
  0xc0, 0xa8, 0x45, 0x64, 0xc0, 0xa8, 0x45, 0x01,
  0xc3, 0x5b, 0x00, 0x35, 0x00, 0x28, 0x30, 0x57,
]);
const errOut = buffer(new Array(36).fill(0));
const errPacket = new Icmpv4Packet(errIn.bytes, errIn.dv);
const errOutPacket = new Icmpv4Packet(errOut.bytes, errOut.dv);
const errRepr = new Icmpv4Repr();

allocCase("icmpv4 error parse+emit", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    errPacket.reset(errIn.bytes, errIn.dv, 0, errIn.bytes.length);
    if (errRepr.parse(errPacket, caps) !== WireError.Ok) return -1;
    acc = (acc + errRepr.quoted.payloadLen + errIn.dv.getUint16(errRepr.quotedDataOffset + 2)) | 0;
    errOut.bytes.set(errIn.bytes, 0);
    errRepr.dstUnreachable(errRepr.msgCode, errRepr.dataLen);
    errOutPacket.reset(errOut.bytes, errOut.dv, 0, errRepr.bufferLen());
    errRepr.emit(errOutPacket, caps);
    acc = (acc + errOutPacket.checksum()) | 0;
  }
  return acc;
});

// A general IGMPv2 query, answered with a version 2 report.
const igmpIn = buffer([0x11, 0x64, 0xee, 0x9b, 0x00, 0x00, 0x00, 0x00]);
const igmpOut = buffer(new Array(8).fill(0));
const igmpPacket = new IgmpPacket(igmpIn.bytes, igmpIn.dv);
const igmpOutPacket = new IgmpPacket(igmpOut.bytes, igmpOut.dv);
const igmpRepr = new IgmpRepr();
const group = 0xe00000fb | 0;

allocCase("igmp parse+emit", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    igmpPacket.reset(igmpIn.bytes, igmpIn.dv, 0, 8);
    if (igmpRepr.parse(igmpPacket, caps) !== WireError.Ok) return -1;
    acc = (acc + igmpRepr.maxRespTime + igmpRepr.version) | 0;
    igmpRepr.report(group, 2);
    igmpOutPacket.reset(igmpOut.bytes, igmpOut.dv, 0, 8);
    igmpRepr.emit(igmpOutPacket, caps);
    acc = (acc + igmpOutPacket.checksum()) | 0;
  }
  return acc;
});
