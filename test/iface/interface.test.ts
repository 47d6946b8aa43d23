// The interface, driven over a test device with real frames; each test asserts the exact frames
// it emits (fields checked through our dissector, which the tshark cross-check validates) and
// the counters. The clock starts five seconds before the int32 wrap, so every timer crosses it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Interface } from "../../src/iface/interface.js";
import { Config } from "../../src/config.js";
import { SocketSet } from "../../src/socket/set.js";
import { UdpSocket } from "../../src/socket/udp.js";
import { SocketErrorCode } from "../../src/socket/error.js";
import { EtherType, ETHERNET_BROADCAST, EthernetAddress } from "../../src/wire/ethernet.js";
import { IpAddress, IpEndpoint, IpProtocol, Ipv4Cidr, Ipv6Address, Ipv6Cidr, ipv4Parse } from "../../src/wire/ip.js";
import { ArpOperation } from "../../src/wire/arp.js";
import { TestDevice } from "../support/test-device.js";
import { dissectOurs, type Fields } from "../support/dissect.js";
import * as F from "../support/frames.js";
import { LogLevel, setLogger } from "../../src/log.js";

const T0 = (0x7fffffff - 5000) | 0;
const at = (ms: number) => (T0 + ms) | 0;

const OUR_MAC = EthernetAddress.parse("02-00-00-00-00-01");
const PEER_MAC = EthernetAddress.parse("02-00-00-00-00-02");
const GW_MAC = EthernetAddress.parse("02-00-00-00-00-fe");
const OUR_IP = ipv4Parse("192.168.69.1");
const PEER_IP = ipv4Parse("192.168.69.2");
const GW_IP = ipv4Parse("192.168.69.254");
const FAR_IP = ipv4Parse("10.0.0.9");
const OUR_IP6 = Ipv6Address.parse("fdaa::1");
const OUR_LL6 = Ipv6Address.parse("fe80::1");
const PEER_IP6 = Ipv6Address.parse("fdaa::2");

interface Rig {
  iface: Interface;
  dev: TestDevice;
  sockets: SocketSet;
}

function rig(config = new Config()): Rig {
  const iface = new Interface(OUR_MAC, config);
  iface.addIpv4Address(new Ipv4Cidr(OUR_IP, 24));
  iface.addIpv6Address(new Ipv6Cidr(OUR_IP6, 64));
  iface.addIpv6Address(new Ipv6Cidr(OUR_LL6, 64));
  return { iface, dev: new TestDevice(), sockets: new SocketSet(4) };
}

/** Injects frames, polls once at `t`, returns what was sent, dissected. */
function exchange(r: Rig, t: number, ...frames: Uint8Array[]): Fields[] {
  for (const f of frames) r.dev.inject(f);
  r.iface.poll(at(t), r.dev, r.sockets);
  return r.dev.drain().map((f) => {
    const d = dissectOurs(f);
    assert.equal(d.errors, [], "an emitted frame must parse cleanly");
    return d.fields;
  });
}

function expectFields(f: Fields, want: Fields, what: string): void {
  for (const [k, v] of Object.entries(want)) assert.is(f[k], v, what + ": " + k);
}

const toUs = (type: number, payload: Uint8Array, src = PEER_MAC) => F.ethernet(OUR_MAC, src, type, payload);

function invariant(r: Rig): void {
  const s = r.iface.stats;
  assert.is(s.rxFrames, s.rxProcessed + s.rxDropped(), "every frame is processed or counted as dropped");
}

// ---- Ethernet --------------------------------------------------------------------------------

test("Ethernet: frames for another host and unknown EtherTypes are dropped and counted", () => {
  const r = rig();
  const other = EthernetAddress.parse("02-00-00-00-00-99");
  exchange(r, 0, F.ethernet(other, PEER_MAC, EtherType.Ipv4, F.udpV4(PEER_IP, 1, OUR_IP, 2, F.bytesOf("x"))));
  assert.is(r.iface.stats.rxNotForUs, 1);
  exchange(r, 0, toUs(0x88b5, new Uint8Array(46)));
  assert.is(r.iface.stats.rxUnknownEtherType, 1);
  exchange(r, 0, new Uint8Array(10));
  assert.is(r.iface.stats.rxMalformed, 1);
  invariant(r);
});

// ---- ARP -------------------------------------------------------------------------------------

test("ARP (RFC 826): a request for our address is answered and its sender cached", () => {
  const r = rig();
  const out = exchange(r, 0, F.ethernet(ETHERNET_BROADCAST, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Request, PEER_MAC, PEER_IP, new EthernetAddress(), OUR_IP)));
  assert.is(out.length, 1);
  expectFields(out[0], {
    "eth.dst": "02:00:00:00:00:02", "eth.src": "02:00:00:00:00:01", "arp.opcode": "2",
    "arp.src.hw_mac": "02:00:00:00:00:01", "arp.src.proto_ipv4": "192.168.69.1",
    "arp.dst.hw_mac": "02:00:00:00:00:02", "arp.dst.proto_ipv4": "192.168.69.2",
  }, "ARP reply");
  assert.ok(r.iface.neighbors.lookup(IpAddress.v4(PEER_IP), at(0))?.equals(PEER_MAC), "the requester is in the cache");
  invariant(r);
});

test("ARP: a request for another address is not answered and creates no entry", () => {
  const r = rig();
  const out = exchange(r, 0, F.ethernet(ETHERNET_BROADCAST, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Request, PEER_MAC, PEER_IP, new EthernetAddress(), ipv4Parse("192.168.69.77"))));
  assert.is(out.length, 0);
  assert.is(r.iface.neighbors.lookup(IpAddress.v4(PEER_IP), at(0)), null);
  assert.is(r.iface.stats.rxNotForUs, 1);
});

test("ARP: gratuitous packets refresh existing entries only and never re-point them; unsolicited replies are refused", () => {
  const r = rig();
  const newMac = EthernetAddress.parse("02-00-00-00-00-22");
  // Unknown sender announcing itself: nothing cached.
  exchange(r, 0, F.ethernet(ETHERNET_BROADCAST, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Request, PEER_MAC, PEER_IP, new EthernetAddress(), PEER_IP)));
  assert.is(r.iface.neighbors.lookup(IpAddress.v4(PEER_IP), at(0)), null);
  // An unsolicited reply to us: refused (the cache is not poisoned).
  exchange(r, 0, toUs(EtherType.Arp, F.arp(ArpOperation.Reply, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP)));
  assert.is(r.iface.neighbors.lookup(IpAddress.v4(PEER_IP), at(0)), null);
  assert.is(r.iface.stats.rxRefused, 1);
  // Known sender (after it asked for us): a gratuitous reply naming another MAC does not re-point
  // the live entry (whoever sent it), nor does a request claiming its address.
  exchange(r, 0, F.ethernet(ETHERNET_BROADCAST, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Request, PEER_MAC, PEER_IP, new EthernetAddress(), OUR_IP)));
  exchange(r, 10, F.ethernet(ETHERNET_BROADCAST, newMac, EtherType.Arp, F.arp(ArpOperation.Reply, newMac, PEER_IP, ETHERNET_BROADCAST, PEER_IP)));
  assert.ok(r.iface.neighbors.lookup(IpAddress.v4(PEER_IP), at(10))?.equals(PEER_MAC));
  exchange(r, 20, F.ethernet(ETHERNET_BROADCAST, newMac, EtherType.Arp, F.arp(ArpOperation.Request, newMac, PEER_IP, new EthernetAddress(), OUR_IP)));
  assert.ok(r.iface.neighbors.lookup(IpAddress.v4(PEER_IP), at(20))?.equals(PEER_MAC));
  // Once the entry expires (60 s without a refresh), the new address is learned.
  exchange(r, 61000, F.ethernet(ETHERNET_BROADCAST, newMac, EtherType.Arp, F.arp(ArpOperation.Request, newMac, PEER_IP, new EthernetAddress(), OUR_IP)));
  assert.ok(r.iface.neighbors.lookup(IpAddress.v4(PEER_IP), at(61000))?.equals(newMac));
  invariant(r);
});

test("ARP: resolution for a socket, one request per second, the packet waits in the socket", () => {
  const r = rig();
  const s = new UdpSocket(2, 256, 2, 256);
  s.bind(6969);
  r.sockets.add(s);
  assert.ok(s.sendSlice(F.bytesOf("hello"), 0, 5, IpEndpoint.of(IpAddress.v4(PEER_IP), 7000)));
  let out = exchange(r, 0);
  assert.is(out.length, 1, "one ARP request");
  expectFields(out[0], { "eth.dst": "ff:ff:ff:ff:ff:ff", "arp.opcode": "1", "arp.dst.proto_ipv4": "192.168.69.2", "arp.src.proto_ipv4": "192.168.69.1" }, "request");
  assert.is(s.sendQueue(), 1, "the datagram waits in its socket");
  assert.is(r.iface.pollDelay(at(0), r.sockets), 1000, "nothing to do before the request may be repeated");
  assert.is(exchange(r, 500).length, 0, "no second request within a second");
  out = exchange(r, 1000);
  assert.is(out.length, 1, "a second request after a second");
  assert.is(out[0]["arp.opcode"], "1");
  // The reply arrives: the datagram goes out on the same poll.
  out = exchange(r, 1100, toUs(EtherType.Arp, F.arp(ArpOperation.Reply, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP)));
  assert.is(out.length, 1);
  expectFields(out[0], { "eth.dst": "02:00:00:00:00:02", "ip.dst": "192.168.69.2", "ip.ttl": "64", "udp.srcport": "6969", "udp.dstport": "7000", "udp.length": "13" }, "datagram");
  assert.is(s.sendQueue(), 0);
  invariant(r);
});

test("ARP: the neighbor cache expires after 60 s", () => {
  const r = rig();
  const s = new UdpSocket(2, 256, 2, 256);
  s.bind(6969);
  r.sockets.add(s);
  exchange(r, 0, F.ethernet(ETHERNET_BROADCAST, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Request, PEER_MAC, PEER_IP, new EthernetAddress(), OUR_IP)));
  s.sendSlice(F.bytesOf("a"), 0, 1, IpEndpoint.of(IpAddress.v4(PEER_IP), 7000));
  assert.is(exchange(r, 59000)[0]["udp.dstport"], "7000", "still cached after 59 s");
  s.sendSlice(F.bytesOf("b"), 0, 1, IpEndpoint.of(IpAddress.v4(PEER_IP), 7000));
  const out = exchange(r, 61000);
  assert.is(out[0]["arp.opcode"], "1", "expired after 60 s: asks again");
});

// ---- Routing ---------------------------------------------------------------------------------

test("routing: off-link destinations go through the default gateway; no route is an error the socket reads", () => {
  const r = rig();
  const s = new UdpSocket(2, 256, 2, 256);
  s.bind(6969);
  r.sockets.add(s);
  s.sendSlice(F.bytesOf("far"), 0, 3, IpEndpoint.of(IpAddress.v4(FAR_IP), 53));
  assert.is(exchange(r, 0).length, 0, "no route: nothing sent");
  assert.is(s.takeError(), SocketErrorCode.NoRoute);
  assert.is(s.sendQueue(), 0, "the datagram was dropped");
  assert.is(r.iface.stats.txNoRoute, 1);
  r.iface.routes.addDefaultIpv4Route(GW_IP);
  s.sendSlice(F.bytesOf("far"), 0, 3, IpEndpoint.of(IpAddress.v4(FAR_IP), 53));
  const out = exchange(r, 0);
  assert.is(out[0]["arp.dst.proto_ipv4"], "192.168.69.254", "the gateway is resolved, not the destination");
  const sent = exchange(r, 10, toUs(EtherType.Arp, F.arp(ArpOperation.Reply, GW_MAC, GW_IP, OUR_MAC, OUR_IP), GW_MAC));
  expectFields(sent[0], { "eth.dst": "02:00:00:00:00:fe", "ip.dst": "10.0.0.9", "ip.src": "192.168.69.1" }, "via gateway");
});

test("routing: the longest prefix wins", () => {
  const r = rig();
  r.iface.routes.addDefaultIpv4Route(GW_IP);
  r.iface.routes.add(new Ipv4Cidr(ipv4Parse("10.0.0.0"), 24), IpAddress.v4(PEER_IP));
  const s = new UdpSocket(2, 256, 2, 256);
  s.bind(6969);
  r.sockets.add(s);
  s.sendSlice(F.bytesOf("x"), 0, 1, IpEndpoint.of(IpAddress.v4(FAR_IP), 53));
  assert.is(exchange(r, 0)[0]["arp.dst.proto_ipv4"], "192.168.69.2");
});

// ---- IPv4 ------------------------------------------------------------------------------------

test("IPv4: a bad header checksum is dropped and counted; fragments are dropped and counted", () => {
  const r = rig();
  const good = toUs(EtherType.Ipv4, F.udpV4(PEER_IP, 1000, OUR_IP, 7, F.bytesOf("x")));
  const bad = good.slice();
  bad[14 + 8] ^= 1; // TTL changed, checksum not updated
  exchange(r, 0, bad);
  assert.is(r.iface.stats.rxChecksum, 1);
  const frag = good.slice();
  frag[14 + 6] |= 0x20; // more fragments
  frag[14 + 10] = frag[14 + 11] = 0;
  const dv = new DataView(frag.buffer);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += dv.getUint16(14 + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(14 + 10, ~sum & 0xffff);
  exchange(r, 0, frag);
  assert.is(r.iface.stats.rxFragment, 1);
  invariant(r);
});

test("IPv4: TTL per socket, default 64", () => {
  const r = rig();
  const s = new UdpSocket(2, 256, 2, 256);
  s.bind(6969);
  r.sockets.add(s);
  exchange(r, 0, F.ethernet(ETHERNET_BROADCAST, PEER_MAC, EtherType.Arp, F.arp(ArpOperation.Request, PEER_MAC, PEER_IP, new EthernetAddress(), OUR_IP)));
  s.sendSlice(F.bytesOf("a"), 0, 1, IpEndpoint.of(IpAddress.v4(PEER_IP), 7000));
  assert.is(exchange(r, 1)[0]["ip.ttl"], "64");
  s.hopLimit = 7;
  s.sendSlice(F.bytesOf("a"), 0, 1, IpEndpoint.of(IpAddress.v4(PEER_IP), 7000));
  assert.is(exchange(r, 2)[0]["ip.ttl"], "7");
});

// ---- ICMP ------------------------------------------------------------------------------------

test("ICMPv4: echo requests are answered with the same identifier, sequence and data", () => {
  const r = rig();
  const out = exchange(r, 0, toUs(EtherType.Ipv4, F.icmpv4Echo(PEER_IP, OUR_IP, true, 0x1234, 7, F.bytesOf("ping data"))));
  assert.is(out.length, 1);
  expectFields(out[0], { "eth.dst": "02:00:00:00:00:02", "ip.src": "192.168.69.1", "ip.dst": "192.168.69.2", "icmp.type": "0", "icmp.code": "0", "icmp.ident": "4660", "icmp.seq": "7" }, "echo reply");
  assert.is(F.textOf(r.dev.txBytes, 14 + 20 + 8, 9), "ping data");
  assert.is(r.iface.stats.txEchoReplies, 1);
});

test("ICMPv6: echo requests are answered", () => {
  const r = rig();
  const out = exchange(r, 0, toUs(EtherType.Ipv6, F.icmpv6Echo(PEER_IP6, OUR_IP6, true, 0xbeef, 3, F.bytesOf("abc"))));
  expectFields(out[0], { "ipv6.src": "fdaa::1", "ipv6.dst": "fdaa::2", "icmpv6.type": "129", "icmpv6.echo.identifier": "0xbeef", "icmpv6.echo.sequence_number": "3" }, "echo reply");
});

test("UDP to a closed port: ICMP port unreachable quoting the datagram (IPv4 and IPv6)", () => {
  const r = rig();
  let out = exchange(r, 0, toUs(EtherType.Ipv4, F.udpV4(PEER_IP, 40000, OUR_IP, 9999, F.bytesOf("nobody"))));
  expectFields(out[0], { "ip.dst": "192.168.69.2,192.168.69.1", "icmp.type": "3", "icmp.code": "3", "udp.srcport": "40000", "udp.dstport": "9999" }, "v4 port unreachable");
  out = exchange(r, 0, toUs(EtherType.Ipv6, F.udpV6(PEER_IP6, 40000, OUR_IP6, 9999, F.bytesOf("nobody"))));
  expectFields(out[0], { "icmpv6.type": "1", "icmpv6.code": "4", "ipv6.dst": "fdaa::2,fdaa::1" }, "v6 port unreachable");
  assert.is(r.iface.stats.rxNoSocket, 2);
  assert.is(r.iface.stats.txIcmpErrors, 2);
  invariant(r);
});

test("never an ICMP error about a broadcast, a multicast or an ICMP error", () => {
  const r = rig();
  exchange(r, 0, F.ethernet(ETHERNET_BROADCAST, PEER_MAC, EtherType.Ipv4, F.udpV4(PEER_IP, 40000, -1, 9999, F.bytesOf("b"))));
  exchange(r, 0, F.ethernet(ETHERNET_BROADCAST, PEER_MAC, EtherType.Ipv4, F.udpV4(PEER_IP, 40000, ipv4Parse("192.168.69.255"), 9999, F.bytesOf("b"))));
  // An ICMP error addressed to us about something we never sent: consumed, not answered.
  const err = exchange(r, 0, toUs(EtherType.Ipv4, F.udpV4(PEER_IP, 40000, OUR_IP, 9999, F.bytesOf("x"))));
  const icmpErr = r.dev.txBytes.slice(0, 0);
  void icmpErr;
  assert.is(err.length, 1);
  assert.is(r.iface.stats.txIcmpErrors, 1, "only the unicast datagram was answered");
  invariant(r);
});

test("IPv4: an unknown protocol is answered with protocol unreachable and counted", () => {
  const r = rig();
  const out = exchange(r, 0, toUs(EtherType.Ipv4, F.ipv4(PEER_IP, OUR_IP, 253, new Uint8Array(8))));
  expectFields(out[0], { "icmp.type": "3", "icmp.code": "2" }, "protocol unreachable");
  assert.is(r.iface.stats.rxUnknownProtocol, 1);
});

// ---- IPv6 and NDISC --------------------------------------------------------------------------

test("IPv6: an unknown next header is answered with parameter problem code 1 pointing at it", () => {
  const r = rig();
  const out = exchange(r, 0, toUs(EtherType.Ipv6, F.ipv6(PEER_IP6, OUR_IP6, 253, new Uint8Array(8))));
  expectFields(out[0], { "icmpv6.type": "4", "icmpv6.code": "1" }, "parameter problem");
  // The pointer (offset 6 of the quoted header, its Next Header field), at ICMPv6 octets 4..7.
  assert.is(new DataView(r.dev.txBytes.buffer).getUint32(14 + 40 + 4), 6);
  assert.is(r.iface.stats.rxUnknownProtocol, 1);
});

test("NDISC (RFC 4861 §7.2.4): a solicitation for our address is answered; its sender cached", () => {
  const r = rig();
  const sn = OUR_IP6.solicitedNode(new Ipv6Address());
  const out = exchange(r, 0, F.ethernet(new EthernetAddress().setIpv6Multicast(sn), PEER_MAC, EtherType.Ipv6, F.ndisc(PEER_IP6, sn, (n) => n.setNeighborSolicit(OUR_IP6, PEER_MAC))));
  assert.is(out.length, 1);
  expectFields(out[0], { "eth.dst": "02:00:00:00:00:02", "ipv6.src": "fdaa::1", "ipv6.dst": "fdaa::2", "ipv6.hlim": "255", "icmpv6.type": "136", "icmpv6.nd.na.target_address": "fdaa::1", "icmpv6.nd.na.flag.s": "1", "icmpv6.nd.na.flag.o": "1", "icmpv6.opt.linkaddr": "02:00:00:00:00:01" }, "advertisement");
  assert.ok(r.iface.neighbors.lookup(IpAddress.v6(PEER_IP6), at(0))?.equals(PEER_MAC));
});

test("NDISC: a hop limit other than 255 is refused", () => {
  const r = rig();
  const sn = OUR_IP6.solicitedNode(new Ipv6Address());
  const out = exchange(r, 0, F.ethernet(new EthernetAddress().setIpv6Multicast(sn), PEER_MAC, EtherType.Ipv6, F.ndisc(PEER_IP6, sn, (n) => n.setNeighborSolicit(OUR_IP6, PEER_MAC), 64)));
  assert.is(out.length, 0);
  assert.is(r.iface.stats.rxRefused, 1);
});

test("NDISC: resolution for a socket sends a solicitation to the solicited-node group", () => {
  const r = rig();
  const s = new UdpSocket(2, 256, 2, 256);
  s.bind(6969);
  r.sockets.add(s);
  s.sendSlice(F.bytesOf("hi"), 0, 2, IpEndpoint.of(IpAddress.v6(PEER_IP6), 7000));
  let out = exchange(r, 0);
  expectFields(out[0], { "eth.dst": "33:33:ff:00:00:02", "ipv6.dst": "ff02::1:ff00:2", "ipv6.src": "fdaa::1", "ipv6.hlim": "255", "icmpv6.type": "135", "icmpv6.nd.ns.target_address": "fdaa::2" }, "solicitation");
  const na = F.ndisc(PEER_IP6, OUR_IP6, (n) => n.setNeighborAdvert(0x60, PEER_IP6, PEER_MAC));
  out = exchange(r, 100, toUs(EtherType.Ipv6, na));
  expectFields(out[0], { "eth.dst": "02:00:00:00:00:02", "ipv6.dst": "fdaa::2", "udp.dstport": "7000" }, "datagram");
});

// ---- IGMP ------------------------------------------------------------------------------------

test("IGMP (RFC 2236): join sends a report; a general query is answered per group; leave sends a leave", () => {
  const r = rig();
  const g1 = ipv4Parse("224.0.0.251");
  const g2 = ipv4Parse("239.1.2.3");
  assert.ok(r.iface.joinMulticastGroup(g1));
  assert.ok(r.iface.joinMulticastGroup(g2));
  assert.not.ok(r.iface.joinMulticastGroup(g1), "already joined");
  let out = exchange(r, 0);
  assert.equal(out.map((f) => [f["ip.dst"], f["igmp.type"], f["igmp.maddr"], f["ip.ttl"]]), [["224.0.0.251", "0x16", "224.0.0.251", "1"], ["239.1.2.3", "0x16", "239.1.2.3", "1"]]);
  // A general query with 3 s maximum response time: two reports, spread over it.
  out = exchange(r, 10, F.ethernet(new EthernetAddress().setIpv4Multicast(ipv4Parse("224.0.0.1")), GW_MAC, EtherType.Ipv4, F.igmp(GW_IP, ipv4Parse("224.0.0.1"), (q) => q.query(0, 30, 2))));
  assert.is(out.length, 0, "not at once");
  const d = r.iface.pollDelay(at(10), r.sockets);
  assert.ok(d > 0 && d <= 3000, "a report is scheduled within the maximum response time: " + d);
  out = exchange(r, 10 + 1000);
  assert.is(out.length, 1);
  out = exchange(r, 10 + 2000);
  assert.is(out.length, 1);
  assert.is(exchange(r, 10 + 3000).length, 0, "each group reported once");
  const list = new Int32Array(4);
  assert.is(r.iface.multicastGroups(list), 2, "the groups joined, for a driver's multicast filter");
  assert.equal(Array.from(list.subarray(0, 2)).sort(), [g1, g2].sort());
  assert.ok(r.iface.leaveMulticastGroup(g2));
  assert.is(r.iface.multicastGroups(list), 1);
  assert.is(list[0], g1);
  assert.is(r.iface.multicastGroups(new Int32Array(0)), 1, "the count even when out is too short");
  out = exchange(r, 4000);
  expectFields(out[0], { "ip.dst": "224.0.0.2", "igmp.type": "0x17", "igmp.maddr": "239.1.2.3" }, "leave");
});

test("multicast: frames to a joined group reach a socket; to another group are not for us", () => {
  const r = rig();
  const g = ipv4Parse("239.1.2.3");
  r.iface.joinMulticastGroup(g);
  const s = new UdpSocket(2, 256, 2, 256);
  s.bind(5000);
  r.sockets.add(s);
  exchange(r, 0, F.ethernet(new EthernetAddress().setIpv4Multicast(g), PEER_MAC, EtherType.Ipv4, F.udpV4(PEER_IP, 1, g, 5000, F.bytesOf("m"))));
  assert.is(s.recvQueue(), 1);
  const other = ipv4Parse("239.1.2.4");
  exchange(r, 0, F.ethernet(new EthernetAddress().setIpv4Multicast(other), PEER_MAC, EtherType.Ipv4, F.udpV4(PEER_IP, 1, other, 5000, F.bytesOf("m"))));
  assert.is(s.recvQueue(), 1);
  assert.is(r.iface.stats.rxNotForUs, 1);
  invariant(r);
});

// ---- UDP delivery ----------------------------------------------------------------------------

test("UDP: datagrams reach the bound socket with the sender's endpoint; a full buffer is counted", () => {
  const r = rig();
  const s = new UdpSocket(1, 64, 1, 64);
  s.bind(6969);
  r.sockets.add(s);
  exchange(r, 0, toUs(EtherType.Ipv4, F.udpV4(PEER_IP, 40000, OUR_IP, 6969, F.bytesOf("one"))), toUs(EtherType.Ipv4, F.udpV4(PEER_IP, 40000, OUR_IP, 6969, F.bytesOf("two"))));
  const buf = new Uint8Array(16);
  assert.is(s.recvSlice(buf, 0, 16), 3);
  assert.is(F.textOf(buf, 0, 3), "one");
  assert.is(s.lastRecvEndpoint.toString(), "192.168.69.2:40000");
  assert.is(r.iface.stats.rxSocketFull, 1);
  invariant(r);
});

test("config capacities fail loudly at configuration time", () => {
  const iface = new Interface(OUR_MAC, Config.with({ maxIpv4Addresses: 1, multicastGroups: 1 }));
  iface.addIpv4Address(new Ipv4Cidr(OUR_IP, 24));
  assert.throws(() => iface.addIpv4Address(new Ipv4Cidr(PEER_IP, 24)), /no room/);
  iface.joinMulticastGroup(ipv4Parse("239.0.0.1"));
  assert.throws(() => iface.joinMulticastGroup(ipv4Parse("239.0.0.2")), /no room/);
  assert.throws(() => new Interface(ETHERNET_BROADCAST), /unicast/);
});


test("every drop reason is counted under its own name", () => {
  const r = rig();
  const s = r.iface.stats;
  const udp = new UdpSocket(1, 16, 1, 16);
  udp.bind(6969);
  r.sockets.add(udp);
  // An ARP packet for IEEE 802 hardware (type 6): well formed, not supported.
  const arp802 = F.arp(ArpOperation.Request, PEER_MAC, PEER_IP, new EthernetAddress(), OUR_IP);
  arp802[1] = 6;
  const frag6 = F.ipv6(PEER_IP6, OUR_IP6, IpProtocol.Ipv6Frag, new Uint8Array([17, 0, 0, 8 | 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
  const cases: [string, Uint8Array][] = [
    ["rxMalformed", toUs(EtherType.Ipv4, new Uint8Array([0x45, 0, 0, 10]))],
    ["rxChecksum", (() => { const f = toUs(EtherType.Ipv4, F.udpV4(PEER_IP, 1, OUR_IP, 6969, F.bytesOf("x"))); f[f.length - 1] ^= 1; return f; })()],
    ["rxNotForUs", toUs(EtherType.Ipv4, F.udpV4(PEER_IP, 1, ipv4Parse("192.168.69.77"), 6969, F.bytesOf("x")))],
    ["rxUnknownEtherType", toUs(0x8100, new Uint8Array(46))],
    ["rxUnknownProtocol", toUs(EtherType.Ipv6, F.ipv6(PEER_IP6, OUR_IP6, 253, new Uint8Array(8)))],
    ["rxFragment", toUs(EtherType.Ipv6, frag6)],
    ["rxSocketFull", toUs(EtherType.Ipv4, F.udpV4(PEER_IP, 1, OUR_IP, 6969, new Uint8Array(32)))],
    ["rxNoSocket", toUs(EtherType.Ipv4, F.udpV4(PEER_IP, 1, OUR_IP, 6970, F.bytesOf("x")))],
    ["rxUnsupported", F.ethernet(ETHERNET_BROADCAST, PEER_MAC, EtherType.Arp, arp802)],
    ["rxRefused", toUs(EtherType.Arp, F.arp(ArpOperation.Reply, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP))],
  ];
  for (const [name, frame] of cases) {
    const before = s.snapshot();
    exchange(r, 0, frame);
    const after = s.snapshot();
    const changed = Object.keys(after).filter((k) => k.startsWith("rx") && k !== "rxFrames" && after[k] !== before[k]);
    assert.equal(changed, [name], name);
  }
  invariant(r);
});

test("IPv4 options are accepted and skipped: the datagram reaches its socket", () => {
  const r = rig();
  const s = new UdpSocket(2, 256, 2, 256);
  s.bind(6969);
  r.sockets.add(s);
  const plain = F.udpV4(PEER_IP, 40000, OUR_IP, 6969, F.bytesOf("opts"));
  // Insert 4 octets of options (Router Alert, RFC 2113: 94 04 00 00) after the fixed header.
  const ip = new Uint8Array(plain.length + 4);
  ip.set(plain.subarray(0, 20), 0);
  ip.set([0x94, 0x04, 0x00, 0x00], 20);
  ip.set(plain.subarray(20), 24);
  const dv = new DataView(ip.buffer);
  ip[0] = 0x46; // IHL 6
  dv.setUint16(2, ip.length);
  dv.setUint16(10, 0);
  let sum = 0;
  for (let i = 0; i < 24; i += 2) sum += dv.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(10, ~sum & 0xffff);
  exchange(r, 0, toUs(EtherType.Ipv4, ip));
  const buf = new Uint8Array(16);
  assert.is(s.recvSlice(buf, 0, 16), 4);
  assert.is(F.textOf(buf, 0, 4), "opts");
  invariant(r);
});

test("IPv6: an unrecognized hop-by-hop option whose action says so is answered with parameter problem code 2", () => {
  const r = rig();
  // Hop-by-Hop header: next header 59 (none), length 0, option type 0x80 (action 2: discard and
  // send ICMP), data length 4, then 4 octets of data.
  const hbh = new Uint8Array([59, 0, 0x80, 4, 0, 0, 0, 0]);
  const out = exchange(r, 0, toUs(EtherType.Ipv6, F.ipv6(PEER_IP6, OUR_IP6, IpProtocol.HopByHop, hbh)));
  assert.is(out.length, 1);
  expectFields(out[0], { "icmpv6.type": "4", "icmpv6.code": "2", "ipv6.dst": "fdaa::2,fdaa::1" }, "parameter problem");
  // The pointer is the option type's offset from the start of the IPv6 header: 40 + 2.
  assert.is(new DataView(r.dev.txBytes.buffer).getUint32(14 + 40 + 4), 42);
  // Action 0 (skip): the packet goes on (to No Next Header) and nothing is sent.
  assert.is(exchange(r, 0, toUs(EtherType.Ipv6, F.ipv6(PEER_IP6, OUR_IP6, IpProtocol.HopByHop, new Uint8Array([59, 0, 0x1e, 4, 0, 0, 0, 0])))).length, 0);
  invariant(r);
});

test("no ICMP error answers an ICMP error", () => {
  const r = rig();
  // A port unreachable from the peer, about a datagram we never sent, to a port nobody watches.
  const quote = F.udpV4(OUR_IP, 50000, PEER_IP, 9, F.bytesOf("q"));
  const err = new Uint8Array(8 + quote.length);
  err.set(quote, 8);
  const icmp = F.ipv4(PEER_IP, OUR_IP, IpProtocol.Icmp, (() => {
    const dv = new DataView(err.buffer);
    err[0] = 3; // destination unreachable
    err[1] = 3; // port unreachable
    let sum = 0;
    for (let i = 0; i + 1 < err.length; i += 2) sum += dv.getUint16(i);
    if (err.length & 1) sum += err[err.length - 1] << 8;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    dv.setUint16(2, ~sum & 0xffff);
    return err;
  })());
  const out = exchange(r, 0, toUs(EtherType.Ipv4, icmp));
  assert.is(out.length, 0);
  assert.is(r.iface.stats.txIcmpErrors, 0);
  assert.is(r.iface.stats.rxNoSocket, 1, "nobody wanted it");
  invariant(r);
});

test("logging: a host logger receives drops at debug level, and nothing above its level", () => {
  const lines: string[] = [];
  setLogger({ level: LogLevel.Debug, log: (level, message) => lines.push(level + " " + message) });
  try {
    const r = rig();
    exchange(r, 0, toUs(EtherType.Ipv4, new Uint8Array([0x45, 0, 0, 10])));
    assert.ok(lines.some((l) => l.startsWith(LogLevel.Debug + " iface: dropped a frame")), lines.join("\n"));
    lines.length = 0;
    setLogger({ level: LogLevel.Info, log: (level, message) => lines.push(level + " " + message) });
    exchange(r, 0, toUs(EtherType.Ipv4, new Uint8Array([0x45, 0, 0, 10])));
    assert.equal(lines, [], "debug messages are not passed to an info-level logger");
  } finally {
    setLogger(null);
  }
});

test.run();
