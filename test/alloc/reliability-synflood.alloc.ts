import { allocCase } from "../support/alloc.js";
import { FloodDevice, FloodKind, GATEWAY_IP, GATEWAY_MAC, HostileRig, T0 } from "../support/adversary.js";
import { IpAddress } from "../../src/wire/ip.js";

// Hostile floods as allocation cases (test/reliability/hostile.test.ts has the scenarios): SYNs
// at a full listen backlog, IGMP general queries, IPv6 packets with 64 extension headers. Each
// iteration is one frame and one poll; XS must see no slot allocated (nothing grows).
const rig = new HostileRig(3);
rig.listen(80);
rig.listen(80);
rig.poll();
const syn = new FloodDevice(FloodKind.Syn, 0x5f1);
let t = 0;
const gateway = IpAddress.v4(GATEWAY_IP);
/** The router's own traffic refreshes its neighbor entry now and then (made once: no allocation). */
function refreshGateway(): void {
  rig.iface.neighbors.fill(gateway, GATEWAY_MAC, (T0 + t) | 0);
}
refreshGateway();
for (let i = 0; i < 2000; i++) {
  syn.burst = 1;
  rig.iface.poll((T0 + t++) | 0, syn, rig.sockets);
}

allocCase("SYN flood: one spoofed SYN at a full backlog of two listeners per poll", (n) => {
  for (let i = 0; i < n; i++) {
    syn.burst = 1;
    rig.iface.poll((T0 + t) | 0, syn, rig.sockets);
    t++;
    if ((t & 0x3fff) === 0) refreshGateway();
  }
  return rig.iface.stats.rxSocketFull;
});

const igmpRig = new HostileRig(2);
igmpRig.iface.joinMulticastGroup(0xe0010101 | 0);
igmpRig.iface.joinMulticastGroup(0xe0010102 | 0);
igmpRig.poll();
const igmp = new FloodDevice(FloodKind.IgmpQuery, 1);
const ext = new FloodDevice(FloodKind.Ipv6ExtChain, 1, 80, 64);
let t2 = 0;
for (let i = 0; i < 1000; i++) {
  igmp.burst = 1;
  ext.burst = 1;
  igmpRig.iface.poll((T0 + t2) | 0, igmp, igmpRig.sockets);
  igmpRig.iface.poll((T0 + t2++) | 0, ext, igmpRig.sockets);
}

allocCase("IGMP general query and an IPv6 chain of 64 extension headers, one each per poll", (n) => {
  for (let i = 0; i < n; i++) {
    igmp.burst = 1;
    ext.burst = 1;
    igmpRig.iface.poll((T0 + t2) | 0, igmp, igmpRig.sockets);
    igmpRig.iface.poll((T0 + t2) | 0, ext, igmpRig.sockets);
    t2++;
  }
  return igmpRig.iface.stats.rxFrames;
});
