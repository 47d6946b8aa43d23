import { allocCase } from "../support/alloc.js";
import { WireError } from "../../src/wire/error.js";
import { ChecksumCapabilities } from "../../src/wire/checksum.js";
import { Ipv6Address } from "../../src/wire/ip.js";
import { EthernetAddress } from "../../src/wire/ethernet.js";
import { Ipv6Packet, Ipv6Repr } from "../../src/wire/ipv6.js";
import { Ipv6ExtHeader, Ipv6ExtWalker, Ipv6FragmentHeader, Ipv6FragmentRepr, Ipv6HopByHopRepr } from "../../src/wire/ipv6-ext.js";
import { Icmpv6Packet, Icmpv6Repr } from "../../src/wire/icmpv6.js";
import { NDISC_NEIGHBOR_SOLICITED, NdiscOptionCursor, NdiscPrefixInfo, NdiscRepr } from "../../src/wire/ndisc.js";

// Fixtures: real Linux packets (see the test/wire suites for their row-by-row description).
const ADDRS = [
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, // 2001:db8:1::2
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // 2001:db8:1::1
];
// IPv6 + ICMPv6 echo request, 2001:db8:1::2 -> 2001:db8:1::1.
const ECHO = new Uint8Array([
  0x60, 0x03, 0x19, 0xc4, 0x00, 0x18, 0x3a, 0x40, ...ADDRS,
  0x80, 0x00, 0x0a, 0xc7, 0x21, 0xab, 0x00, 0x01, 0xfc, 0xcf, 0x06, 0x6b, 0x00, 0x00, 0x00, 0x00,
  0xe8, 0x87, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
]);
// IPv6 + Hop-by-Hop (option 0x88) + Destination Options (added here, PadN) + UDP.
const CHAIN = new Uint8Array([
  0x60, 0x0a, 0xe0, 0x7e, 0x00, 0x23, 0x00, 0x40, ...ADDRS, // len 35, Hop-by-Hop
  0x3c, 0x00, 0x88, 0x02, 0xab, 0xcd, 0x01, 0x00,
  0x2c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
  0x11, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78, // atomic fragment
  0xaf, 0x28, 0x82, 0x9b, 0x00, 0x0b, 0xa2, 0x3a, 0x68, 0x62, 0x68,
]);
// ICMPv6 port unreachable quoting a UDP datagram, 2001:db8:1::1 -> 2001:db8:1::2.
const UNREACHABLE = new Uint8Array([
  0x01, 0x04, 0x91, 0xba, 0x00, 0x00, 0x00, 0x00, 0x60, 0x03, 0xe7, 0xd6, 0x00, 0x10, 0x11, 0x40, ...ADDRS,
  0xb7, 0x0c, 0x82, 0x9a, 0x00, 0x10, 0x5b, 0x98, 0x73, 0x6d, 0x6f, 0x6c, 0x74, 0x63, 0x70, 0x21,
]);
// Neighbor solicitation 2001:db8:1::2 -> ff02::1:ff00:1 for 2001:db8:1::1.
const NS = new Uint8Array([
  0x87, 0x00, 0x97, 0x6a, 0x00, 0x00, 0x00, 0x00, ...ADDRS.slice(16),
  0x01, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
]);
// Router advertisement fe80::5054:ff:feab:cdef -> ff02::1 with source address, MTU and prefix.
const RA = new Uint8Array([
  0x86, 0x00, 0xee, 0xbb, 0x40, 0x40, 0x07, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x01, 0x01, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc,
  0x03, 0x04, 0x40, 0xc0, 0x00, 0x01, 0x51, 0x80, 0x00, 0x00, 0x38, 0x40, 0x00, 0x00, 0x00, 0x00,
  0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

const caps = new ChecksumCapabilities();
const H1 = Ipv6Address.parse("2001:db8:1::2");
const R = Ipv6Address.parse("2001:db8:1::1");
const R_LL = Ipv6Address.parse("fe80::5054:ff:feab:cdef");
const NS_DST = Ipv6Address.parse("ff02::1:ff00:1");
const ALL_NODES = Ipv6Address.parse("ff02::1");
const MAC = EthernetAddress.parse("52-54-00-ab-cd-ef");

function dvOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

{
  const dv = dvOf(ECHO);
  const out = new Uint8Array(ECHO.length);
  out.set(ECHO);
  const outDv = dvOf(out);
  const pkt = new Ipv6Packet(ECHO, dv);
  const outPkt = new Ipv6Packet(out, outDv);
  const repr = new Ipv6Repr();
  allocCase("ipv6 parse+emit", (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      pkt.reset(ECHO, dv, 0, ECHO.length);
      if (repr.parse(pkt) !== WireError.Ok) return -1;
      repr.hopLimit = (repr.hopLimit + i) & 0xff;
      outPkt.reset(out, outDv, 0, out.length);
      repr.emit(outPkt);
      acc = (acc + repr.payloadLen + out[7] + repr.dstAddr.w3) | 0;
    }
    return acc;
  });
}

{
  const dv = dvOf(CHAIN);
  const pkt = new Ipv6Packet(CHAIN, dv);
  const walker = new Ipv6ExtWalker();
  const ext = new Ipv6ExtHeader(CHAIN, dv);
  const opts = new Ipv6HopByHopRepr();
  const fragView = new Ipv6FragmentHeader(CHAIN, dv);
  const frag = new Ipv6FragmentRepr();
  const out = new Uint8Array(8);
  const outExt = new Ipv6ExtHeader(out, dvOf(out));
  allocCase("ipv6 extension header walk + options", (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      pkt.reset(CHAIN, dv, 0, CHAIN.length);
      if (pkt.check() !== WireError.Ok) return -1;
      walker.resetPacket(pkt);
      while (walker.atExtensionHeader()) {
        if (walker.step() !== WireError.Ok) return -2;
        const t = walker.headerType;
        if (t === 0 || t === 60) {
          ext.reset(CHAIN, dv, walker.headerOffset, walker.headerLen);
          if (opts.parse(ext) !== WireError.Ok) return -3;
          acc = (acc + opts.unrecognizedOffset + opts.unrecognizedType) | 0;
        } else if (t === 44) {
          fragView.reset(CHAIN, dv, walker.headerOffset, walker.headerLen);
          if (frag.parse(fragView) !== WireError.Ok) return -4;
          acc = (acc + frag.ident) | 0;
        }
      }
      opts.routerAlert = i & 0xffff;
      opts.emit(outExt);
      acc = (acc + walker.nextHeader + walker.offset + walker.count + out[5]) | 0;
    }
    return acc;
  });
}

{
  const echo = ECHO.subarray(40);
  const dv = dvOf(echo);
  const out = new Uint8Array(echo.length);
  out.set(echo);
  const outDv = dvOf(out);
  const pkt = new Icmpv6Packet(echo, dv);
  const outPkt = new Icmpv6Packet(out, outDv);
  const repr = new Icmpv6Repr();
  allocCase("icmpv6 echo parse+emit", (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      pkt.reset(echo, dv, 0, echo.length);
      if (repr.parse(pkt, H1, R, caps) !== WireError.Ok) return -1;
      repr.msgType = 129;
      outPkt.reset(out, outDv, 0, out.length);
      repr.emit(outPkt, R, H1, caps);
      acc = (acc + repr.ident + repr.dataLen + outPkt.checksum()) | 0;
    }
    return acc;
  });
}

{
  const dv = dvOf(UNREACHABLE);
  const pkt = new Icmpv6Packet(UNREACHABLE, dv);
  const repr = new Icmpv6Repr();
  allocCase("icmpv6 error parse", (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      pkt.reset(UNREACHABLE, dv, 0, UNREACHABLE.length);
      if (repr.parse(pkt, R, H1, caps) !== WireError.Ok) return -1;
      acc = (acc + repr.msgCode + repr.quoted.nextHeader + repr.dataOffset + repr.quoted.srcAddr.w3) | 0;
    }
    return acc;
  });
}

{
  const dv = dvOf(NS);
  const pkt = new Icmpv6Packet(NS, dv);
  const out = new Uint8Array(32);
  const outDv = dvOf(out);
  const outPkt = new Icmpv6Packet(out, outDv);
  const repr = new NdiscRepr();
  allocCase("ndisc NS parse + NA emit", (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      pkt.reset(NS, dv, 0, NS.length);
      if (repr.parse(pkt, H1, NS_DST, caps) !== WireError.Ok) return -1;
      repr.setNeighborAdvert(NDISC_NEIGHBOR_SOLICITED, repr.targetAddr, MAC);
      outPkt.reset(out, outDv, 0, repr.bufferLen());
      repr.emit(outPkt, R, H1, caps);
      acc = (acc + outPkt.checksum() + repr.targetLla.lo) | 0;
    }
    return acc;
  });
}

{
  const dv = dvOf(RA);
  const pkt = new Icmpv6Packet(RA, dv);
  const repr = new NdiscRepr();
  const cursor = new NdiscOptionCursor();
  const info = new NdiscPrefixInfo();
  allocCase("ndisc RA parse + prefix options", (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      pkt.reset(RA, dv, 0, RA.length);
      if (repr.parse(pkt, R_LL, ALL_NODES, caps) !== WireError.Ok) return -1;
      cursor.reset(RA, dv, repr.optionsOffset, repr.optionsLen);
      while (cursor.next()) if (cursor.type === 3) info.read(dv, cursor.optionOffset);
      acc = (acc + repr.routerLifetime + repr.mtu + info.validLifetime + info.prefixLen) | 0;
    }
    return acc;
  });
}
