import { test } from "uvu";
import * as assert from "uvu/assert";
import { Config } from "../../src/config.js";
import { NeighborCache } from "../../src/iface/neighbor.js";
import { EthernetAddress } from "../../src/wire/ethernet.js";
import { IpAddress, Ipv6Address } from "../../src/wire/ip.js";

// The clock starts 5 seconds before the int32 wrap, so the 1 s request interval and the 60 s
// entry lifetime both cross it.
const START = (0x7fffffff - 5000) | 0;
const LIFETIME = 60000;

/** `t + ms`, wrapping, as the host's clock would. */
function at(ms: number): number {
  return (START + ms) | 0;
}

function ip(text: string): IpAddress {
  return IpAddress.parse(text);
}

function mac(last: number): EthernetAddress {
  return EthernetAddress.fromOctets(0x02, 0, 0, 0, 0, last);
}

function cache(fields: Partial<Config> = {}): NeighborCache {
  return new NeighborCache(Config.with(fields));
}

/** The hardware address the cache holds for `addr` as text, or "miss". */
function look(c: NeighborCache, addr: IpAddress, now: number): string {
  const hw = c.lookup(addr, now);
  return hw === null ? "miss" : hw.toString();
}

test("construction: sizes from the config, bad sizes refused", () => {
  const c = cache();
  assert.is(c.capacity, 8);
  assert.is(c.entryLifetime, LIFETIME);
  assert.is(c.requestInterval, 1000);
  assert.is(c.count(START), 0);
  assert.is(cache({ neighborCacheEntries: 3 }).capacity, 3);
  assert.throws(() => cache({ neighborCacheEntries: 0 }), (e: unknown) => e instanceof RangeError && /neighborCacheEntries/.test((e as Error).message));
  assert.throws(() => cache({ neighborExpiry: 0 }), (e: unknown) => e instanceof RangeError && /neighborExpiry/.test((e as Error).message));
  const bad = new Config();
  bad.neighborRequestInterval = 0x80000000;
  assert.throws(() => new NeighborCache(bad), (e: unknown) => e instanceof RangeError && /neighborRequestInterval/.test((e as Error).message));
});

test("fill then lookup; the cache copies what it is given and lends its own object", () => {
  const c = cache();
  const addr = ip("192.168.69.2");
  const hw = mac(2);
  c.fill(addr, hw, START);
  assert.is(look(c, addr, START), "02-00-00-00-00-02");
  assert.ok(c.has(addr, START));
  assert.not.ok(c.has(ip("192.168.69.3"), START));
  // The arguments were copied: changing them afterwards changes nothing.
  hw.set(0x0200, 0x99);
  addr.setV4(0x0a000001);
  assert.is(look(c, ip("192.168.69.2"), START), "02-00-00-00-00-02");
  assert.is(look(c, addr, START), "miss");
  // The lookup returns the entry's own object, the same each time.
  const a = c.lookup(ip("192.168.69.2"), START);
  const b = c.lookup(ip("192.168.69.2"), START);
  assert.ok(a !== null && a === b);
  assert.is(c.count(START), 1);
});

test("expiry: live until fill + 60 s, across the wrap; an expired entry is a miss and is freed", () => {
  const c = cache();
  const addr = ip("10.0.0.1");
  c.fill(addr, mac(1), START);
  assert.ok(at(LIFETIME) < 0, "the deadline is past the wrap");
  assert.is(look(c, addr, at(4999)), "02-00-00-00-00-01", "just before the wrap");
  assert.is(look(c, addr, at(5001)), "02-00-00-00-00-01", "just after the wrap");
  assert.is(look(c, addr, at(LIFETIME - 1)), "02-00-00-00-00-01");
  assert.is(c.count(at(LIFETIME - 1)), 1);
  // smoltcp: found while `timestamp < expires_at`.
  assert.is(look(c, addr, at(LIFETIME)), "miss");
  assert.is(c.count(at(LIFETIME)), 0, "freed");
  // Freed, not just hidden: going back in time does not revive it.
  assert.is(look(c, addr, at(LIFETIME - 1)), "miss");
});

test("refresh: a second fill renews the lifetime and replaces the address, without a second entry", () => {
  const c = cache();
  const addr = ip("10.0.0.1");
  c.fill(addr, mac(1), START);
  c.fill(addr, mac(7), at(30000));
  assert.is(c.count(at(30000)), 1);
  assert.is(look(c, addr, at(LIFETIME + 1000)), "02-00-00-00-00-07", "alive past the first deadline");
  assert.is(look(c, addr, at(30000 + LIFETIME - 1)), "02-00-00-00-00-07");
  assert.is(look(c, addr, at(30000 + LIFETIME)), "miss");
});

test("has and count expire lazily as lookup does", () => {
  const c = cache();
  c.fill(ip("10.0.0.1"), mac(1), START);
  c.fill(ip("10.0.0.2"), mac(2), at(10000));
  assert.is(c.count(at(LIFETIME - 1)), 2);
  assert.is(c.count(at(LIFETIME)), 1);
  assert.not.ok(c.has(ip("10.0.0.1"), at(LIFETIME)));
  assert.ok(c.has(ip("10.0.0.2"), at(LIFETIME)));
  assert.not.ok(c.has(ip("10.0.0.2"), at(10000 + LIFETIME)));
  assert.is(c.count(at(10000 + LIFETIME)), 0);
});

test("expire(now) frees every expired entry", () => {
  const c = cache();
  c.fill(ip("10.0.0.1"), mac(1), START);
  c.fill(ip("fe80::1"), mac(2), at(20000));
  c.expire(at(LIFETIME + 5));
  assert.is(c.toString(), "fe80::1 => 02-00-00-00-00-02");
  c.expire(at(20000 + LIFETIME));
  assert.is(c.toString(), "");
});

test("an entry untouched for weeks is not revived by the wrapping clock", () => {
  const c = cache();
  const addr = ip("10.0.0.1");
  c.fill(addr, mac(1), START);
  // 2^32 - 30 s later the signed difference to the deadline is +90 s: "in the future" to a
  // naive comparison, but more than a lifetime ahead, which no fill can produce.
  const later = (START - 30000) | 0;
  assert.is(look(c, addr, later), "miss");
  assert.is(c.count(later), 0);
});

test("eviction when full: the entry that expires first goes, ordered across the wrap", () => {
  const c = cache({ neighborCacheEntries: 4 });
  // Fills 1 s apart so that the deadlines straddle the wrap: the first two are positive int32,
  // the last two negative. Comparing them with `<` would evict the wrong one.
  const W = (0x7fffffff - LIFETIME - 1500) | 0;
  const t = (ms: number) => (W + ms) | 0;
  const a = ip("10.0.0.1");
  const b = ip("10.0.0.2");
  const d = ip("10.0.0.3");
  const e = ip("10.0.0.4");
  c.fill(a, mac(1), t(0));
  c.fill(b, mac(2), t(1000));
  c.fill(d, mac(3), t(2000));
  c.fill(e, mac(4), t(3000));
  assert.ok(t(LIFETIME) > 0 && t(2000 + LIFETIME) < 0, "deadlines on both sides of the wrap");
  assert.is(c.count(t(3000)), 4);
  // Refresh a: b now expires first.
  c.fill(a, mac(1), t(4000));
  c.fill(ip("10.0.0.5"), mac(5), t(5000));
  assert.is(c.count(t(5000)), 4);
  assert.is(look(c, b, t(5000)), "miss", "b evicted");
  assert.is(look(c, a, t(5000)), "02-00-00-00-00-01");
  assert.is(look(c, d, t(5000)), "02-00-00-00-00-03");
  assert.is(look(c, e, t(5000)), "02-00-00-00-00-04");
  // Next: d (filled at 2000), then e (3000).
  c.fill(ip("10.0.0.6"), mac(6), t(6000));
  assert.is(look(c, d, t(6000)), "miss", "d evicted");
  assert.is(look(c, e, t(6000)), "02-00-00-00-00-04");
  c.fill(ip("10.0.0.7"), mac(7), t(7000));
  assert.is(look(c, e, t(7000)), "miss", "e evicted");
  assert.is(look(c, a, t(7000)), "02-00-00-00-00-01", "the refreshed entry stays");
  assert.is(c.count(t(7000)), 4);
});

test("a full cache takes a free or expired entry before evicting a live one", () => {
  const c = cache({ neighborCacheEntries: 2 });
  c.fill(ip("10.0.0.1"), mac(1), START);
  c.fill(ip("10.0.0.2"), mac(2), at(50000));
  // At START + 60 s the first has expired; the newcomer takes its entry and the second stays.
  c.fill(ip("10.0.0.3"), mac(3), at(LIFETIME));
  assert.is(look(c, ip("10.0.0.2"), at(LIFETIME)), "02-00-00-00-00-02");
  assert.is(look(c, ip("10.0.0.3"), at(LIFETIME)), "02-00-00-00-00-03");
  assert.is(c.count(at(LIFETIME)), 2);
  // A freed entry is reused before eviction too.
  c.flush();
  c.fill(ip("10.0.0.4"), mac(4), START);
  c.fill(ip("10.0.0.5"), mac(5), START);
  assert.is(c.count(START), 2);
});

test("update refreshes an existing entry only, and only with the same address (RFC 826 merge flag, no re-pointing)", () => {
  const c = cache();
  const addr = ip("10.0.0.9");
  // A gratuitous reply for an address the cache does not hold creates nothing.
  assert.is(c.update(addr, mac(9), START), false);
  assert.is(c.count(START), 0);
  assert.is(look(c, addr, START), "miss");
  c.fill(addr, mac(1), START);
  assert.is(c.update(addr, mac(9), at(40000)), false, "another hardware address: refused");
  assert.is(look(c, addr, at(40000)), "02-00-00-00-00-01", "not re-pointed");
  assert.is(c.learn(addr, mac(9), at(40000)), false, "learn refuses to re-point too");
  assert.is(c.update(addr, mac(1), at(40000)), true, "the same address refreshes");
  assert.is(look(c, addr, at(LIFETIME + 10000)), "02-00-00-00-00-01", "lifetime renewed");
  assert.is(c.count(at(LIFETIME + 10000)), 1);
  // An expired entry is not updated back to life.
  assert.is(c.update(addr, mac(1), at(40000 + LIFETIME)), false);
  // learn fills a free entry.
  assert.is(c.learn(addr, mac(9), at(40000 + LIFETIME)), true);
  assert.is(look(c, addr, at(40000 + LIFETIME)), "02-00-00-00-00-09");
  c.flush();
  assert.is(look(c, addr, at(40000 + LIFETIME)), "miss");
  assert.is(c.count(at(40000 + LIFETIME)), 0);
  // Nor does update of an unknown IPv6 address create one.
  assert.is(c.update(ip("fe80::9"), mac(9), START), false);
  assert.is(c.count(START), 0);
});

test("IPv4 and IPv6 entries side by side, no cross-talk", () => {
  const c = cache();
  const v4 = ip("192.168.1.1");
  const v6 = ip("::c0a8:101"); // last word equals the IPv4 address
  const mapped = ip("::ffff:192.168.1.1");
  assert.is(v6.v6.w3, v4.v4);
  c.fill(v4, mac(4), START);
  assert.is(look(c, v6, START), "miss", "an IPv6 address with the IPv4 address as last word");
  assert.is(look(c, mapped, START), "miss", "the IPv4-mapped address");
  assert.is(c.update(v6, mac(9), START), false);
  c.fill(v6, mac(6), START);
  assert.is(c.count(START), 2);
  assert.is(look(c, v4, START), "02-00-00-00-00-04");
  assert.is(look(c, v6, START), "02-00-00-00-00-06");
  // An IPv4 address equal to an IPv6 entry's first word does not match either.
  const first = ip("fe80::1");
  c.fill(first, mac(8), START);
  assert.is(look(c, IpAddress.v4(first.v6.w0), START), "miss");
  // Each IPv6 word counts.
  const base = Ipv6Address.parse("2001:db8:1:2:3:4:5:6");
  c.fill(IpAddress.v6(base), mac(1), START);
  for (const text of ["2001:db8:1:2:3:4:5:7", "2001:db8:1:2:3:5:5:6", "2001:db8:1:3:3:4:5:6", "2001:db9:1:2:3:4:5:6"]) {
    assert.is(look(c, ip(text), START), "miss", text);
  }
  assert.is(look(c, ip("2001:db8:1:2:3:4:5:6"), START), "02-00-00-00-00-01");
});

test("an address of no version is never stored, found or requested", () => {
  const c = cache();
  const none = new IpAddress();
  c.fill(none, mac(1), START);
  assert.is(c.count(START), 0);
  assert.is(c.lookup(none, START), null);
  assert.is(c.update(none, mac(1), START), false);
  assert.is(c.requestPermitted(none, START), false);
});

test("flush forgets every entry and every outstanding request", () => {
  const c = cache();
  c.fill(ip("10.0.0.1"), mac(1), START);
  c.fill(ip("fe80::1"), mac(2), START);
  assert.ok(c.requestPermitted(ip("10.0.0.2"), START));
  c.flush();
  assert.is(c.count(START), 0);
  assert.is(look(c, ip("10.0.0.1"), START), "miss");
  assert.is(look(c, ip("fe80::1"), START), "miss");
  assert.ok(c.requestPermitted(ip("10.0.0.2"), START), "the deadline was forgotten");
});

test("request rate limit: one request per second per address, across the wrap", () => {
  const c = cache();
  const a = ip("10.0.0.1");
  const t = 4500; // the deadline lies past the wrap
  assert.ok(c.requestPermitted(a, at(t)));
  assert.not.ok(c.requestPermitted(a, at(t)), "same instant");
  assert.not.ok(c.requestPermitted(a, at(t + 999)), "after 999 ms");
  assert.ok(at(t + 1000) < 0);
  assert.ok(c.requestPermitted(a, at(t + 1000)), "after 1 s");
  assert.not.ok(c.requestPermitted(a, at(t + 1500)), "the new deadline holds");
  assert.ok(c.requestPermitted(a, at(t + 2000)));
});

test("request rate limit is independent per address and per version", () => {
  const c = cache();
  const a = ip("10.0.0.1");
  const b = ip("10.0.0.2");
  const a6 = IpAddress.v6(new Ipv6Address(0, 0, 0, a.v4));
  assert.ok(c.requestPermitted(a, START));
  assert.ok(c.requestPermitted(b, at(500)), "another address is not held back");
  assert.ok(c.requestPermitted(a6, at(500)), "nor an IPv6 address with the same last word");
  assert.not.ok(c.requestPermitted(a, at(500)));
  assert.not.ok(c.requestPermitted(b, at(1000)));
  assert.ok(c.requestPermitted(a, at(1000)));
  assert.not.ok(c.requestPermitted(a6, at(1499)));
  assert.ok(c.requestPermitted(b, at(1500)));
  assert.ok(c.requestPermitted(a6, at(1500)));
});

test("request rate limit: a full table reuses the slot whose deadline comes first", () => {
  const c = cache({ neighborCacheEntries: 2 });
  const a = ip("10.0.0.1");
  const b = ip("10.0.0.2");
  const d = ip("10.0.0.3");
  assert.ok(c.requestPermitted(a, at(4800)));
  assert.ok(c.requestPermitted(b, at(4900)));
  // Full: d takes a's slot (deadline first), so a is no longer held back, and takes b's slot.
  assert.ok(c.requestPermitted(d, at(5000)));
  assert.ok(c.requestPermitted(a, at(5100)), "a's deadline was dropped with its slot");
  assert.not.ok(c.requestPermitted(d, at(5200)), "d keeps its slot");
  assert.ok(c.requestPermitted(b, at(5300)), "b's slot went to a");
  assert.not.ok(c.requestPermitted(a, at(5400)), "b took d's slot, not a's");
  assert.ok(c.requestPermitted(d, at(5400)));
});

test("request rate limit: an old request gives its slot up; an interval of 0 never limits", () => {
  const c = cache({ neighborCacheEntries: 1 });
  assert.ok(c.requestPermitted(ip("10.0.0.1"), START));
  assert.ok(c.requestPermitted(ip("10.0.0.2"), at(1000)));
  assert.not.ok(c.requestPermitted(ip("10.0.0.2"), at(1999)));
  // A request from weeks ago (the signed difference wraps) does not hold an address back.
  assert.ok(c.requestPermitted(ip("10.0.0.2"), (at(1000) - 0x7fffffff) | 0));
  const free = cache({ neighborRequestInterval: 0 });
  assert.ok(free.requestPermitted(ip("10.0.0.1"), START));
  assert.ok(free.requestPermitted(ip("10.0.0.1"), START));
});

test("wasRequested: a request is outstanding until a fill answers it, at most the entry lifetime", () => {
  const c = cache();
  const a = ip("10.0.0.1");
  const a6 = IpAddress.v6(new Ipv6Address(0, 0, 0, a.v4));
  assert.is(c.requestLifetime, LIFETIME);
  assert.not.ok(c.wasRequested(a, START), "never asked");
  assert.ok(c.requestPermitted(a, START));
  assert.ok(c.wasRequested(a, START));
  assert.ok(c.wasRequested(a, at(LIFETIME - 1)), "a slow answer, across the wrap");
  assert.not.ok(c.wasRequested(a6, at(100)), "not for the IPv6 address with the same last word");
  assert.not.ok(c.wasRequested(a, at(LIFETIME)), "no longer outstanding");
  assert.ok(c.requestPermitted(a, at(LIFETIME)));
  // The answer: a fill forgets the request, and the next request is permitted at once.
  c.fill(a, mac(1), at(LIFETIME + 100));
  assert.not.ok(c.wasRequested(a, at(LIFETIME + 100)), "answered");
  assert.is(look(c, a, at(LIFETIME + 100)), "02-00-00-00-00-01");
  assert.ok(c.requestPermitted(a, at(LIFETIME + 200)), "no longer rate limited");
  // A later request refreshes the time it stays outstanding.
  assert.ok(c.requestPermitted(a6, START));
  assert.ok(c.requestPermitted(a6, at(30000)));
  assert.ok(c.wasRequested(a6, at(30000 + LIFETIME - 1)));
  assert.not.ok(c.wasRequested(a6, at(30000 + LIFETIME)));
  // An update (gratuitous packet) of an existing entry does not answer a request; flush forgets it.
  assert.ok(c.requestPermitted(ip("10.0.0.5"), START));
  c.flush();
  assert.not.ok(c.wasRequested(ip("10.0.0.5"), START));
  assert.not.ok(c.wasRequested(new IpAddress(), START));
});

test("wasRequested: a request whose slot went to another address is forgotten", () => {
  const c = cache({ neighborCacheEntries: 2 });
  assert.ok(c.requestPermitted(ip("10.0.0.1"), START));
  assert.ok(c.requestPermitted(ip("10.0.0.2"), at(10)));
  assert.ok(c.requestPermitted(ip("10.0.0.3"), at(20)));
  assert.not.ok(c.wasRequested(ip("10.0.0.1"), at(30)), "the oldest request lost its slot");
  assert.ok(c.wasRequested(ip("10.0.0.2"), at(30)));
  assert.ok(c.wasRequested(ip("10.0.0.3"), at(30)));
  c.expire(at(10 + LIFETIME));
  assert.not.ok(c.wasRequested(ip("10.0.0.2"), at(20)), "expire freed it");
  assert.ok(c.wasRequested(ip("10.0.0.3"), at(20)));
});

test("requestLifetime is the longer of the entry lifetime and the request interval", () => {
  assert.is(cache({ neighborRequestInterval: 0 }).requestLifetime, LIFETIME);
  const c = cache({ neighborExpiry: 500, neighborRequestInterval: 2000 });
  assert.is(c.requestLifetime, 2000);
  assert.ok(c.requestPermitted(ip("10.0.0.1"), START));
  assert.not.ok(c.requestPermitted(ip("10.0.0.1"), at(1999)), "held back for the whole interval");
  assert.ok(c.requestPermitted(ip("10.0.0.1"), at(2000)));
});

test("toString lists live entries", () => {
  const c = cache();
  c.fill(ip("10.0.0.1"), mac(1), START);
  c.fill(ip("fdaa::1"), mac(2), START);
  assert.is(c.toString(), "10.0.0.1 => 02-00-00-00-00-01\nfdaa::1 => 02-00-00-00-00-02");
});

test.run();
