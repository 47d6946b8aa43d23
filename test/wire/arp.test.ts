import { test } from "uvu";
import * as assert from "uvu/assert";
import { WireError } from "../../src/wire/error.js";
import { EthernetAddress, EtherType } from "../../src/wire/ethernet.js";
import { ipv4Parse } from "../../src/wire/ip.js";
import { ARP_ETHERNET_IPV4_LEN, ArpHardware, ArpOperation, ArpPacket, ArpRepr } from "../../src/wire/arp.js";
import { filled, toHex, view } from "../support/bytes.js";
import { LINUX_ARP_REPLY, LINUX_ARP_REQUEST } from "../fixtures/linux.js";

// smoltcp's wire/arp.rs PACKET_BYTES: a request with distinct octets in every address.
const PACKET_BYTES = new Uint8Array([
  0x00, 0x01, //                         hardware type: Ethernet
  0x08, 0x00, //                         protocol type: IPv4
  0x06, //                               hardware address length
  0x04, //                               protocol address length
  0x00, 0x01, //                         operation: request
  0x11, 0x12, 0x13, 0x14, 0x15, 0x16, // sender hardware address
  0x21, 0x22, 0x23, 0x24, //             sender protocol address
  0x31, 0x32, 0x33, 0x34, 0x35, 0x36, // target hardware address
  0x41, 0x42, 0x43, 0x44, //             target protocol address
]);

// "Who has 192.168.69.1? Tell 192.168.69.100" from 02-00-00-00-00-02 (checked with tshark).
const REQUEST_BYTES = new Uint8Array([
  0x00, 0x01, 0x08, 0x00, 0x06, 0x04, //  Ethernet, IPv4, 6, 4
  0x00, 0x01, //                         request
  0x02, 0x00, 0x00, 0x00, 0x00, 0x02, // sender 02-00-00-00-00-02
  0xc0, 0xa8, 0x45, 0x64, //             192.168.69.100
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // target hardware address unknown
  0xc0, 0xa8, 0x45, 0x01, //             192.168.69.1
]);

// "192.168.69.1 is at 02-00-00-00-00-01", the reply (checked with tshark).
const REPLY_BYTES = new Uint8Array([
  0x00, 0x01, 0x08, 0x00, 0x06, 0x04, //  Ethernet, IPv4, 6, 4
  0x00, 0x02, //                         reply
  0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // sender 02-00-00-00-00-01
  0xc0, 0xa8, 0x45, 0x01, //             192.168.69.1
  0x02, 0x00, 0x00, 0x00, 0x00, 0x02, // target 02-00-00-00-00-02
  0xc0, 0xa8, 0x45, 0x64, //             192.168.69.100
]);

function packetOf(bytes: Uint8Array | number[], len?: number): ArpPacket {
  const v = view(bytes);
  return new ArpPacket(v.bytes, v.dv, 0, len ?? v.bytes.length);
}

function reprOf(op: number, sha: string, spa: string, tha: string, tpa: string): ArpRepr {
  const r = new ArpRepr();
  r.operation = op;
  r.sourceHardwareAddr.copyFrom(EthernetAddress.parse(sha));
  r.sourceProtocolAddr = ipv4Parse(spa);
  r.targetHardwareAddr.copyFrom(EthernetAddress.parse(tha));
  r.targetProtocolAddr = ipv4Parse(tpa);
  return r;
}

test("deconstruct", () => {
  const p = packetOf(PACKET_BYTES);
  assert.is(p.check(), WireError.Ok);
  assert.is(p.hardwareType(), ArpHardware.Ethernet);
  assert.is(p.protocolType(), EtherType.Ipv4);
  assert.is(p.hardwareLen(), 6);
  assert.is(p.protocolLen(), 4);
  assert.is(p.operation(), ArpOperation.Request);
  assert.is(p.sourceHardwareAddr(new EthernetAddress()).toString(), "11-12-13-14-15-16");
  assert.is(p.sourceProtocolAddr(), ipv4Parse("33.34.35.36"));
  assert.is(p.targetHardwareAddr(new EthernetAddress()).toString(), "31-32-33-34-35-36");
  assert.is(p.targetProtocolAddr(), ipv4Parse("65.66.67.68"));
});

test("construct into a 0xa5-filled buffer", () => {
  const b = filled(28);
  const p = new ArpPacket(b.bytes, b.dv);
  p.setHardwareType(ArpHardware.Ethernet);
  p.setProtocolType(EtherType.Ipv4);
  p.setHardwareLen(6);
  p.setProtocolLen(4);
  p.setOperation(ArpOperation.Request);
  p.setSourceHardwareAddr(EthernetAddress.fromOctets(0x11, 0x12, 0x13, 0x14, 0x15, 0x16));
  p.setSourceProtocolAddr(ipv4Parse("33.34.35.36"));
  p.setTargetHardwareAddr(EthernetAddress.fromOctets(0x31, 0x32, 0x33, 0x34, 0x35, 0x36));
  p.setTargetProtocolAddr(ipv4Parse("65.66.67.68"));
  assert.is(toHex(b.bytes), toHex(PACKET_BYTES));
});

test("parse", () => {
  const r = new ArpRepr();
  assert.is(r.parse(packetOf(PACKET_BYTES)), WireError.Ok);
  assert.is(r.operation, ArpOperation.Request);
  assert.is(r.sourceHardwareAddr.toString(), "11-12-13-14-15-16");
  assert.is(r.sourceProtocolAddr, ipv4Parse("33.34.35.36"));
  assert.is(r.targetHardwareAddr.toString(), "31-32-33-34-35-36");
  assert.is(r.targetProtocolAddr, ipv4Parse("65.66.67.68"));

  assert.is(r.parse(packetOf(REQUEST_BYTES)), WireError.Ok);
  assert.equal(r, reprOf(ArpOperation.Request, "02-00-00-00-00-02", "192.168.69.100", "00-00-00-00-00-00", "192.168.69.1"));
  assert.is(r.toString(), "ARP request src=02-00-00-00-00-02/192.168.69.100 tgt=00-00-00-00-00-00/192.168.69.1");

  assert.is(r.parse(packetOf(REPLY_BYTES)), WireError.Ok);
  assert.equal(r, reprOf(ArpOperation.Reply, "02-00-00-00-00-01", "192.168.69.1", "02-00-00-00-00-02", "192.168.69.100"));
  assert.is(r.toString(), "ARP reply src=02-00-00-00-00-01/192.168.69.1 tgt=02-00-00-00-00-02/192.168.69.100");
});

test("parse: Ethernet padding after the 28 octets is ignored", () => {
  const padded = new Uint8Array(46);
  padded.set(REPLY_BYTES);
  const r = new ArpRepr();
  assert.is(r.parse(packetOf(padded)), WireError.Ok);
  assert.is(r.targetProtocolAddr, ipv4Parse("192.168.69.100"));
});

test("parse: other hardware, protocols, lengths and operations are unsupported", () => {
  const mutations: [string, number, number][] = [
    ["hardware type 6 (IEEE 802)", 1, 6],
    ["protocol type 0x8600", 2, 0x86],
    ["hardware length 8", 4, 8],
    ["protocol length 16", 5, 16],
    ["protocol length 3", 5, 3],
    ["operation 0", 7, 0],
    ["operation 3 (RARP request)", 7, 3],
    ["operation 4 (RARP reply)", 7, 4],
    ["operation 8 (InARP request)", 7, 8],
  ];
  for (const [name, at, value] of mutations) {
    const padded = new Uint8Array(60);
    padded.set(REQUEST_BYTES);
    padded[at] = value;
    assert.is(new ArpRepr().parse(packetOf(padded)), WireError.Unsupported, name);
  }
  // operation 0x0101: the high octet counts too.
  const v = view(REQUEST_BYTES);
  v.bytes[6] = 1;
  assert.is(new ArpRepr().parse(packetOf(v.bytes)), WireError.Unsupported);
});

test("emit", () => {
  const b = filled(ARP_ETHERNET_IPV4_LEN + 2);
  const r = reprOf(ArpOperation.Request, "11-12-13-14-15-16", "33.34.35.36", "31-32-33-34-35-36", "65.66.67.68");
  assert.is(r.headerLen(), 28);
  assert.is(r.bufferLen(), 28);
  r.emit(new ArpPacket(b.bytes, b.dv, 0, 28));
  assert.is(toHex(b.bytes.subarray(0, 28)), toHex(PACKET_BYTES));
  assert.is(toHex(b.bytes.subarray(28)), "a5 a5", "nothing written past the packet");

  const c = filled(28);
  reprOf(ArpOperation.Reply, "02-00-00-00-00-01", "192.168.69.1", "02-00-00-00-00-02", "192.168.69.100")
    .emit(new ArpPacket(c.bytes, c.dv));
  assert.is(toHex(c.bytes), toHex(REPLY_BYTES));
});

test("emit then parse round-trip", () => {
  for (const fixture of [PACKET_BYTES, REQUEST_BYTES, REPLY_BYTES]) {
    const first = new ArpRepr();
    assert.is(first.parse(packetOf(fixture)), WireError.Ok);
    const b = filled(28);
    first.emit(new ArpPacket(b.bytes, b.dv));
    assert.is(toHex(b.bytes), toHex(fixture));
    const second = new ArpRepr();
    assert.is(second.parse(new ArpPacket(b.bytes, b.dv)), WireError.Ok);
    assert.equal(second, first);
  }
  // Broadcast and all-ones values survive (int32 addresses, 0xffff hardware halves).
  const r = reprOf(ArpOperation.Reply, "ff-ff-ff-ff-ff-ff", "255.255.255.255", "00-00-00-00-00-00", "0.0.0.0");
  const b = filled(28);
  r.emit(new ArpPacket(b.bytes, b.dv));
  const back = new ArpRepr();
  assert.is(back.parse(new ArpPacket(b.bytes, b.dv)), WireError.Ok);
  assert.equal(back, r);
  assert.is(back.sourceProtocolAddr, -1);
  assert.ok(back.sourceHardwareAddr.isBroadcast());
});

test("impossible length: every truncated prefix", () => {
  for (const fixture of [PACKET_BYTES, REQUEST_BYTES, REPLY_BYTES]) {
    for (let n = 0; n < 28; n++) {
      const p = packetOf(fixture.slice(0, n));
      assert.is(p.check(), WireError.Truncated, "length " + n);
      assert.is(new ArpRepr().parse(p), WireError.Truncated, "length " + n);
    }
  }
});

test("impossible length: length fields larger than the packet", () => {
  // hln 255, pln 255 announce 8 + 2 * 510 octets.
  const padded = new Uint8Array(60);
  padded.set(REQUEST_BYTES);
  padded[4] = 255;
  padded[5] = 255;
  assert.is(packetOf(padded).check(), WireError.Truncated);
  assert.is(new ArpRepr().parse(packetOf(padded)), WireError.Truncated);
  // hln 0, pln 0 announce 8 octets, but the accessors read 28: still Truncated below 28.
  const tiny = new Uint8Array([0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0]);
  assert.is(packetOf(tiny).check(), WireError.Truncated);
  // With room for 28 octets, hln 0 is merely unsupported.
  const room = new Uint8Array(28);
  room.set(tiny);
  assert.is(packetOf(room).check(), WireError.Ok);
  assert.is(new ArpRepr().parse(packetOf(room)), WireError.Unsupported);
  // hln 6, pln 4 in a 27-octet view inside a larger buffer: the view's length is what counts.
  const v = view(PACKET_BYTES);
  assert.is(new ArpRepr().parse(new ArpPacket(v.bytes, v.dv, 0, 27)), WireError.Truncated);
});

test("real Linux frames: request and reply parse and re-emit byte for byte", () => {
  const req = view(LINUX_ARP_REQUEST);
  const r = new ArpRepr();
  assert.is(r.parse(new ArpPacket(req.bytes, req.dv, 14, req.bytes.length - 14)), WireError.Ok);
  assert.is(r.toString(), "ARP request src=02-00-00-00-00-01/192.168.69.1 tgt=00-00-00-00-00-00/192.168.69.2");
  const b = filled(28);
  r.emit(new ArpPacket(b.bytes, b.dv));
  assert.is(toHex(b.bytes), toHex(LINUX_ARP_REQUEST.subarray(14)));
  // Answer it as 192.168.69.2 (02-00-00-00-00-02) would: Linux's own reply is the expected result.
  const reply = new ArpRepr();
  reply.operation = ArpOperation.Reply;
  reply.sourceHardwareAddr.copyFrom(EthernetAddress.parse("02-00-00-00-00-02"));
  reply.sourceProtocolAddr = r.targetProtocolAddr;
  reply.targetHardwareAddr.copyFrom(r.sourceHardwareAddr);
  reply.targetProtocolAddr = r.sourceProtocolAddr;
  reply.emit(new ArpPacket(b.bytes, b.dv));
  assert.is(toHex(b.bytes), toHex(LINUX_ARP_REPLY.subarray(14)));
  const rep = view(LINUX_ARP_REPLY);
  const parsed = new ArpRepr();
  assert.is(parsed.parse(new ArpPacket(rep.bytes, rep.dv, 14, rep.bytes.length - 14)), WireError.Ok);
  assert.equal(parsed, reply);
});

test.run();
