/**
 * The fuzz rig: an interface with every kind of datagram socket bound, fed by a `FuzzDevice`
 * with mutations of the Linux captures. The interface is the capture's 192.168.69.2 side
 * (02-00-00-00-00-02, fdaa::2), so that half of the seeds are addressed to it. Portable.
 */
import { Interface } from "../../src/iface/interface.js";
import { SocketSet } from "../../src/socket/set.js";
import { UdpSocket } from "../../src/socket/udp.js";
import { IcmpSocket } from "../../src/socket/icmp.js";
import { RawSocket } from "../../src/socket/raw.js";
import { EthernetAddress } from "../../src/wire/ethernet.js";
import { IpEndpoint, IpProtocol, IpVersion, Ipv4Cidr, Ipv6Address, Ipv6Cidr, ipv4Parse } from "../../src/wire/ip.js";
import { LINUX_FRAMES } from "../fixtures/linux.js";
import { FuzzDevice } from "./fuzz-device.js";

export interface FuzzRig {
  iface: Interface;
  dev: FuzzDevice;
  sockets: SocketSet;
  udp: UdpSocket[];
  icmp: IcmpSocket;
  raw: RawSocket;
  sink: Uint8Array;
}

export function fuzzRig(seed: number): FuzzRig {
  // Seeds: frames addressed to 02-00-00-00-00-02 first (index 0 gives the fuzz device our MAC).
  const toUs = LINUX_FRAMES.filter((f) => f.bytes[5] === 2 && f.bytes[0] === 2).map((f) => f.bytes);
  const others = LINUX_FRAMES.filter((f) => !(f.bytes[5] === 2 && f.bytes[0] === 2)).map((f) => f.bytes);
  // Frames for us three times as often as the others, so that most mutations reach past the
  // address checks.
  const dev = new FuzzDevice([...toUs, ...toUs, ...toUs, ...others], seed);
  const iface = new Interface(EthernetAddress.parse("02-00-00-00-00-02"));
  iface.addIpv4Address(new Ipv4Cidr(ipv4Parse("192.168.69.2"), 24));
  iface.addIpv6Address(new Ipv6Cidr(Ipv6Address.parse("fdaa::2"), 64));
  iface.joinMulticastGroup(ipv4Parse("224.0.0.251"));
  const sockets = new SocketSet(8);
  const udp: UdpSocket[] = [];
  for (const port of [7777, 8000, 6969]) {
    const s = new UdpSocket(4, 2048, 4, 2048);
    s.bind(port);
    sockets.add(s);
    udp.push(s);
  }
  const icmp = new IcmpSocket(4, 2048, 4, 2048);
  icmp.bindUdp(IpEndpoint.parse("50001"));
  sockets.add(icmp);
  const raw = new RawSocket(IpVersion.Ipv4, IpProtocol.Igmp, 4, 2048, 4, 2048);
  sockets.add(raw);
  return { iface, dev, sockets, udp, icmp, raw, sink: new Uint8Array(2048) };
}

/** Feeds `frames` frames, `burst` per poll, emptying the sockets' receive buffers as an application would. */
export function runFuzz(r: FuzzRig, frames: number, burst: number, startTime: number): number {
  let t = startTime | 0;
  let delivered = 0;
  for (let done = 0; done < frames; done += burst) {
    r.dev.burst = burst;
    r.iface.poll(t, r.dev, r.sockets);
    t = (t + 7) | 0;
    for (let i = 0; i < r.udp.length; i++) while (r.udp[i].recvSlice(r.sink, 0, 2048) >= 0) delivered++;
    while (r.icmp.recvSlice(r.sink, 0, 2048) >= 0) delivered++;
    while (r.raw.recvSlice(r.sink, 0, 2048) >= 0) delivered++;
  }
  return delivered;
}
