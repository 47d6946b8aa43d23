import { allocCase } from "../support/alloc.js";
import { Config } from "../../src/config.js";
import { NeighborCache } from "../../src/iface/neighbor.js";
import { Routes } from "../../src/iface/route.js";
import { EthernetAddress } from "../../src/wire/ethernet.js";
import { IpAddress, Ipv4Cidr, Ipv6Address, Ipv6Cidr } from "../../src/wire/ip.js";

// Setup, once: a full-size cache and route table, the addresses the loops rewrite in place. The
// clock starts a few seconds before the int32 wrap and advances 1 ms per iteration (or faster),
// so long runs cross it and entries expire and are refilled.
const T0 = (0x7fffffff - 3000) | 0;
const config = Config.with({ neighborCacheEntries: 8, routes: 6 });
const cache = new NeighborCache(config);
const small = new NeighborCache(Config.with({ neighborCacheEntries: 4 }));
const hw = EthernetAddress.fromOctets(0x02, 0, 0, 0, 0, 1);
const v4 = IpAddress.parse("192.168.69.2");
const v6 = IpAddress.parse("fe80::2");
const probe = new IpAddress();
const gateway = IpAddress.parse("192.168.69.1");
const gateway6 = IpAddress.parse("fe80::1");
for (let i = 0; i < 4; i++) {
  probe.setV4((0xc0a84500 | (10 + i)) | 0);
  cache.fill(probe, hw, T0);
}

const routes = new Routes(config);
routes.addDefaultIpv4Route(gateway.v4);
routes.addDefaultIpv6Route(Ipv6Address.parse("fe80::1"));
routes.add(Ipv4Cidr.parse("10.0.0.0/8"), IpAddress.parse("192.168.69.8"));
routes.add(Ipv4Cidr.parse("10.1.0.0/16"), IpAddress.parse("192.168.69.16"));
routes.add(Ipv6Cidr.parse("2001:db8::/32"), IpAddress.parse("fe80::32"));
routes.add(Ipv6Cidr.parse("2001:db8:1::/48"), IpAddress.parse("fe80::48"));
const dst4 = IpAddress.parse("10.1.2.3");
const dst6 = IpAddress.parse("2001:db8:1::1");
const out = new IpAddress();
const expiring = new Routes(Config.with({ routes: 2 }));
const expiringBlock = Ipv4Cidr.parse("10.0.0.0/8");

allocCase("iface: neighbor lookup hit and miss, IPv4 and IPv6", (n) => {
  let acc = 0;
  cache.fill(v4, hw, T0);
  cache.fill(v6, hw, T0);
  for (let i = 0; i < n; i++) {
    // Stay within the lifetime: the clock runs over 50 s and back.
    const now = (T0 + (i & 0xffff) % 50000) | 0;
    const a = cache.lookup(v4, now);
    if (a !== null) acc = (acc + a.lo) | 0;
    const b = cache.lookup(v6, now);
    if (b !== null) acc = (acc + b.hi) | 0;
    probe.setV4((0x0a000000 + (i & 0xff)) | 0);
    if (!cache.has(probe, now)) acc = (acc + 1) | 0;
  }
  return acc;
});

allocCase("iface: neighbor fill (refresh, eviction, expiry across the wrap) and update", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    // 16 addresses through 4 entries: every fill of a new address evicts; the clock jumps 7 s per
    // iteration so entries also expire, and the deadlines wrap.
    const now = (T0 + i * 7) | 0;
    probe.setV4((0x0a000000 + (i & 15)) | 0);
    hw.set(0x0200, i);
    small.fill(probe, hw, now);
    if (small.update(probe, hw, now)) acc = (acc + 1) | 0;
    probe.v6.set(0xfe800000 | 0, 0, 0, i & 7);
    probe.version = 6;
    if (small.update(probe, hw, now)) acc = (acc + 2) | 0;
    if ((i & 3) === 0) small.fill(probe, hw, now);
    small.expire(now);
    acc = (acc + small.count(now)) | 0;
  }
  return acc;
});

allocCase("iface: neighbor request rate limit and outstanding requests", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const now = (T0 + i * 100) | 0;
    probe.setV4((0x0a000000 + (i % 11)) | 0);
    if (cache.requestPermitted(probe, now)) acc = (acc + 1) | 0;
    if (cache.requestPermitted(v6, now)) acc = (acc + 3) | 0;
    if (cache.wasRequested(probe, now)) acc = (acc + 5) | 0;
    if ((i & 15) === 0) cache.fill(probe, hw, now); // answers the request
  }
  return acc;
});

allocCase("iface: route lookup (longest prefix, both versions) and expiry", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const now = (T0 + i) | 0;
    if (routes.lookup(dst4, now, out)) acc = (acc + out.v4) | 0;
    if (routes.lookup(dst6, now, out)) acc = (acc + out.v6.w3) | 0;
    probe.setV4((0x0b000000 + i) | 0);
    if (routes.lookup(probe, now, out)) acc = (acc + out.v4) | 0;
    if (routes.lookup(gateway6, now, out)) acc = (acc + out.v6.w3) | 0;
    // An expiring route, freed by the lookup that meets it; re-added outside the loop only.
    if (expiring.lookup(dst4, now, out)) acc = (acc + 1) | 0;
    expiring.expire(now);
    acc = (acc + expiring.count()) | 0;
  }
  return acc;
});

// Keep the expiring table non-trivial at the start of every run.
expiring.add(expiringBlock, gateway, (T0 + 50) | 0);
