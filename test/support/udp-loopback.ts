/**
 * smoltcp's loopback example for UDP: one interface over the `Loopback` device, a client and a
 * server socket exchanging datagrams through it, every frame captured by a `PcapWriter` into
 * memory. Portable (used by a core test and by the tshark host test).
 */
import { Interface } from "../../src/iface/interface.js";
import { Loopback } from "../../src/phy/loopback.js";
import { PcapMode, PcapWriter, type PcapSink } from "../../src/phy/pcap-writer.js";
import { SocketSet } from "../../src/socket/set.js";
import { UdpSocket } from "../../src/socket/udp.js";
import { EthernetAddress } from "../../src/wire/ethernet.js";
import { IpEndpoint, Ipv4Cidr, Ipv6Address, Ipv6Cidr, ipv4Parse } from "../../src/wire/ip.js";
import { PrettyPrinter } from "../../src/wire/pretty.js";

export class MemorySink implements PcapSink {
  chunks: Uint8Array[] = [];
  write(bytes: Uint8Array, off: number, len: number): void {
    this.chunks.push(bytes.slice(off, off + len));
  }
  bytes(): Uint8Array {
    const n = this.chunks.reduce((a, c) => a + c.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

export function runUdpLoopback(ipv6: boolean, datagrams = 20): { received: string[]; pcap: Uint8Array; frames: number; trace: string } {
  const sink = new MemorySink();
  const device = new PcapWriter(new Loopback(8, 1514), sink, PcapMode.Tx);
  const iface = new Interface(EthernetAddress.parse("02-00-00-00-00-01"));
  iface.addIpv4Address(new Ipv4Cidr(ipv4Parse("127.0.0.1"), 8));
  iface.addIpv6Address(new Ipv6Cidr(Ipv6Address.parse("fdaa::1"), 64));
  const sockets = new SocketSet(4);
  const server = new UdpSocket(4, 1024, 4, 1024);
  server.bind(1234);
  const client = new UdpSocket(4, 1024, 4, 1024);
  client.bind(65000);
  sockets.add(server);
  sockets.add(client);
  const dst = IpEndpoint.parse(ipv6 ? "[fdaa::1]:1234" : "127.0.0.1:1234");
  const received: string[] = [];
  const buf = new Uint8Array(64);
  let sent = 0;
  let t = (0x7fffffff - 500) | 0;
  for (let step = 0; step < 200 && received.length < datagrams; step++) {
    if (sent < datagrams && client.canSend()) {
      const msg = "datagram " + sent;
      for (let i = 0; i < msg.length; i++) buf[i] = msg.charCodeAt(i);
      if (client.sendSlice(buf, 0, msg.length, dst)) sent++;
    }
    iface.poll(t, device, sockets);
    for (let n; (n = server.recvSlice(buf, 0, 64)) >= 0;) {
      let s = "";
      for (let i = 0; i < n; i++) s += String.fromCharCode(buf[i]);
      received.push(s);
    }
    const d = iface.pollDelay(t, sockets);
    t = (t + (d > 0 ? d : 1)) | 0;
  }
  const pcap = sink.bytes();
  // Describe the capture (records after the 24-octet global header).
  const printer = new PrettyPrinter();
  const dv = new DataView(pcap.buffer);
  let trace = "";
  let frames = 0;
  for (let o = 24; o + 16 <= pcap.length;) {
    const len = dv.getUint32(o + 8, true);
    trace += printer.describe(pcap, dv, o + 16, len);
    o += 16 + len;
    frames++;
  }
  return { received, pcap, frames, trace };
}

