import { test } from "uvu";
import * as assert from "uvu/assert";
import { Config } from "../../src/config.js";
import { RouteError, RouteErrorCode, Routes, routeErrorName } from "../../src/iface/route.js";
import { IpAddress, Ipv4Cidr, Ipv6Address, Ipv6Cidr, ipv4Parse } from "../../src/wire/ip.js";

// The clock starts 5 seconds before the int32 wrap, so route lifetimes cross it.
const START = (0x7fffffff - 5000) | 0;

function at(ms: number): number {
  return (START + ms) | 0;
}

function ip(text: string): IpAddress {
  return IpAddress.parse(text);
}

function routes(n = 4): Routes {
  return new Routes(Config.with({ routes: n }));
}

/** The router `r` chooses for `dst` at `now`, as text, or "none". */
function via(r: Routes, dst: string, now = START): string {
  const out = new IpAddress();
  return r.lookup(ip(dst), now, out) ? out.toString() : "none";
}

/** A predicate for `assert.throws`: a RouteError with `code`. */
function routeError(code: RouteErrorCode) {
  return (e: unknown) => e instanceof RouteError && e instanceof RangeError && e.code === code && e.name === "RouteError";
}

test("construction: capacity from the config; an empty table routes nothing", () => {
  const r = routes();
  assert.is(r.capacity, 4);
  assert.is(r.count(), 0);
  assert.is(routes(0).capacity, 0);
  assert.is(new Routes(new Config()).capacity, new Config().routes);
  const out = ip("1.2.3.4");
  assert.is(r.lookup(ip("10.0.0.1"), START, out), false);
  assert.is(out.toString(), "1.2.3.4", "out untouched on a miss");
  assert.is(r.lookup(new IpAddress(), START, out), false, "no version, no route");
  const bad = new Config();
  bad.routes = -1;
  assert.throws(() => new Routes(bad), (e: unknown) => e instanceof RangeError && /routes/.test((e as Error).message));
});

test("IPv4 default route: added, replaced (previous gateway returned), removed", () => {
  const r = routes();
  assert.is(r.addDefaultIpv4Route(ipv4Parse("192.168.69.100")), null);
  assert.is(r.count(), 1);
  assert.is(via(r, "8.8.8.8"), "192.168.69.100");
  assert.is(via(r, "255.255.255.254"), "192.168.69.100");
  assert.is(via(r, "0.0.0.1"), "192.168.69.100");
  assert.is(via(r, "2001:db8::1"), "none", "an IPv4 default does not route IPv6");
  assert.is(r.addDefaultIpv4Route(ipv4Parse("192.168.69.1")), ipv4Parse("192.168.69.100"));
  assert.is(r.count(), 1, "replaced, not added");
  assert.is(via(r, "8.8.8.8"), "192.168.69.1");
  assert.is(r.removeDefaultIpv4Route(), ipv4Parse("192.168.69.1"));
  assert.is(r.removeDefaultIpv4Route(), null);
  assert.is(r.count(), 0);
  assert.is(via(r, "8.8.8.8"), "none");
});

test("IPv6 default route: added, replaced (previous gateway returned), removed", () => {
  const r = routes();
  const g1 = Ipv6Address.parse("fe80::1");
  const g2 = Ipv6Address.parse("fe80::2");
  assert.is(r.addDefaultIpv6Route(g1), null);
  g1.set(0, 0, 0, 9); // copied: changing it changes nothing
  assert.is(via(r, "2001:db8::1"), "fe80::1");
  assert.is(via(r, "8.8.8.8"), "none", "an IPv6 default does not route IPv4");
  const old = r.addDefaultIpv6Route(g2);
  assert.ok(old !== null && old.equals(Ipv6Address.parse("fe80::1")));
  assert.is(r.count(), 1);
  assert.is(via(r, "2001:db8::1"), "fe80::2");
  // The IPv4 default lives beside it; removing one leaves the other.
  r.addDefaultIpv4Route(ipv4Parse("10.0.0.1"));
  assert.is(r.count(), 2);
  const removed = r.removeDefaultIpv6Route();
  assert.ok(removed !== null && removed.equals(g2));
  assert.is(r.removeDefaultIpv6Route(), null);
  assert.is(via(r, "2001:db8::1"), "none");
  assert.is(via(r, "8.8.8.8"), "10.0.0.1");
});

test("IPv4 longest-prefix match, whatever the order the routes were added in", () => {
  for (const order of [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]]) {
    const r = routes();
    const add: (() => void)[] = [
      () => r.addDefaultIpv4Route(ipv4Parse("192.168.1.1")),
      () => r.add(Ipv4Cidr.parse("10.0.0.0/8"), ip("192.168.1.8")),
      () => r.add(Ipv4Cidr.parse("10.1.0.0/16"), ip("192.168.1.16")),
      () => r.add(Ipv4Cidr.parse("10.1.2.0/24"), ip("192.168.1.24")),
    ];
    for (const k of order) add[k]();
    const o = order.join(",");
    assert.is(via(r, "10.1.2.3"), "192.168.1.24", o);
    assert.is(via(r, "10.1.2.255"), "192.168.1.24", o);
    assert.is(via(r, "10.1.3.3"), "192.168.1.16", o);
    assert.is(via(r, "10.1.255.255"), "192.168.1.16", o);
    assert.is(via(r, "10.2.0.0"), "192.168.1.8", o);
    assert.is(via(r, "10.0.0.0"), "192.168.1.8", o);
    assert.is(via(r, "11.0.0.1"), "192.168.1.1", o);
    assert.is(via(r, "9.255.255.255"), "192.168.1.1", o);
  }
});

test("IPv4 prefixes over the sign bit, host routes, unaligned prefixes", () => {
  const r = routes();
  r.add(Ipv4Cidr.parse("192.168.0.0/16"), ip("10.0.0.16"));
  r.add(Ipv4Cidr.parse("192.168.5.7/32"), ip("10.0.0.32"));
  r.add(Ipv4Cidr.parse("172.16.0.0/12"), ip("10.0.0.12"));
  r.add(Ipv4Cidr.parse("128.0.0.0/1"), ip("10.0.0.1"));
  assert.is(via(r, "192.168.255.255"), "10.0.0.16");
  assert.is(via(r, "192.168.5.7"), "10.0.0.32");
  assert.is(via(r, "192.168.5.8"), "10.0.0.16");
  assert.is(via(r, "192.169.0.0"), "10.0.0.1");
  assert.is(via(r, "172.31.255.255"), "10.0.0.12");
  assert.is(via(r, "172.32.0.0"), "10.0.0.1");
  assert.is(via(r, "172.15.255.255"), "10.0.0.1");
  assert.is(via(r, "255.255.255.255"), "10.0.0.1");
  assert.is(via(r, "127.255.255.255"), "none", "outside 128.0.0.0/1 and no default");
});

test("IPv6 longest-prefix match, with prefixes inside every word", () => {
  const r = routes(8);
  r.addDefaultIpv6Route(Ipv6Address.parse("fe80::1"));
  r.add(Ipv6Cidr.parse("2001:db8::/32"), ip("fe80::32"));
  r.add(Ipv6Cidr.parse("2001:db8:8000::/33"), ip("fe80::33"));
  r.add(Ipv6Cidr.parse("2001:db8:1::/48"), ip("fe80::48"));
  r.add(Ipv6Cidr.parse("2001:db8:1:0:8000::/65"), ip("fe80::65"));
  r.add(Ipv6Cidr.parse("2001:db8:1:0:0:0:8000:0/97"), ip("fe80::97"));
  r.add(Ipv6Cidr.parse("2001:db8:1::1/128"), ip("fe80::128"));
  assert.is(via(r, "2001:db8:1::1"), "fe80::128");
  assert.is(via(r, "2001:db8:1::2"), "fe80::48");
  assert.is(via(r, "2001:db8:1::8000:2"), "fe80::97");
  assert.is(via(r, "2001:db8:1::7fff:ffff"), "fe80::48");
  assert.is(via(r, "2001:db8:1:0:8000::1"), "fe80::65");
  assert.is(via(r, "2001:db8:1:0:7fff:ffff:ffff:ffff"), "fe80::48");
  assert.is(via(r, "2001:db8:8000::1"), "fe80::33");
  assert.is(via(r, "2001:db8:7fff::1"), "fe80::32");
  assert.is(via(r, "2001:db9::1"), "fe80::1");
  assert.is(via(r, "::c0a8:101"), "fe80::1");
  assert.is(via(r, "192.168.1.1"), "none", "no cross-talk to IPv4");
});

test("no cross-talk: an IPv4 route never matches IPv6 and the other way round", () => {
  const r = routes();
  r.add(Ipv4Cidr.parse("192.168.1.1/32"), ip("10.0.0.1"));
  r.add(Ipv6Cidr.parse("::/96"), ip("fe80::1"));
  assert.is(via(r, "::c0a8:101"), "fe80::1");
  assert.is(via(r, "192.168.1.1"), "10.0.0.1");
  r.remove(Ipv6Cidr.parse("::/96"));
  assert.is(via(r, "::c0a8:101"), "none", "an IPv6 address whose last word is a routed IPv4 address");
  r.remove(Ipv4Cidr.parse("192.168.1.1/32"));
  r.add(Ipv6Cidr.parse("c0a8:101::/32"), ip("fe80::1"));
  assert.is(via(r, "192.168.1.1"), "none", "an IPv4 address equal to an IPv6 route's first word");
});

test("add replaces the route to the same block (host bits ignored) and says so", () => {
  const r = routes(2);
  assert.is(r.add(Ipv4Cidr.parse("10.1.2.0/24"), ip("192.168.1.1")), false);
  assert.is(r.add(Ipv4Cidr.parse("10.1.2.77/24"), ip("192.168.1.2")), true);
  assert.is(r.count(), 1);
  assert.is(via(r, "10.1.2.3"), "192.168.1.2");
  assert.is(r.add(Ipv4Cidr.parse("10.1.2.0/25"), ip("192.168.1.3")), false, "another prefix length is another block");
  assert.is(r.count(), 2);
  // The table is full, yet replacing works.
  assert.is(r.add(Ipv4Cidr.parse("10.1.2.0/25"), ip("192.168.1.4")), true);
  assert.is(via(r, "10.1.2.3"), "192.168.1.4");
  assert.throws(() => r.add(Ipv6Cidr.parse("fdaa::5/64"), ip("fe80::1")), routeError(RouteErrorCode.TableFull), "an IPv6 block needs its own entry");
});

test("expiry: a route applies up to its expiry instant, across the wrap, then is freed", () => {
  const r = routes();
  r.addDefaultIpv4Route(ipv4Parse("192.168.1.1"));
  r.add(Ipv4Cidr.parse("10.0.0.0/8"), ip("192.168.1.8"), at(3000)); // before the wrap
  r.add(Ipv4Cidr.parse("10.1.0.0/16"), ip("192.168.1.16"), at(8000)); // after the wrap
  assert.ok(at(3000) > 0 && at(8000) < 0);
  assert.is(r.count(), 3);
  assert.is(via(r, "10.2.0.1", at(3000)), "192.168.1.8", "valid at its expiry instant (smoltcp)");
  assert.is(via(r, "10.1.0.1", at(3000)), "192.168.1.16");
  assert.is(via(r, "10.2.0.1", at(3001)), "192.168.1.1", "expired: the default applies");
  assert.is(r.count(), 2, "the lookup freed it");
  assert.is(via(r, "10.1.0.1", at(5001)), "192.168.1.16", "past the wrap, still valid");
  assert.is(via(r, "10.1.0.1", at(8000)), "192.168.1.16");
  assert.is(via(r, "10.1.0.1", at(8001)), "192.168.1.1");
  assert.is(r.count(), 1);
  // The default route never expires.
  assert.is(via(r, "10.1.0.1", (START + 0x7fffff00) | 0), "192.168.1.1");
});

test("expire(now) frees expired routes without a lookup; adding again renews", () => {
  const r = routes();
  r.add(Ipv6Cidr.parse("2001:db8::/32"), ip("fe80::1"), at(1000));
  r.add(Ipv6Cidr.parse("2001:db9::/32"), ip("fe80::2"), at(9000));
  r.add(Ipv4Cidr.parse("10.0.0.0/8"), ip("192.168.1.1"));
  r.expire(at(1000));
  assert.is(r.count(), 3);
  r.expire(at(1001));
  assert.is(r.count(), 2);
  assert.is(r.toString(), "2001:db9::/32 via fe80::2 expires " + at(9000) + "\n10.0.0.0/8 via 192.168.1.1");
  assert.is(r.add(Ipv6Cidr.parse("2001:db9::/32"), ip("fe80::2"), at(20000)), true);
  r.expire(at(9001));
  assert.is(via(r, "2001:db9::1", at(9001)), "fe80::2");
  // Added again without an expiry: it lasts.
  r.add(Ipv6Cidr.parse("2001:db9::/32"), ip("fe80::2"));
  assert.is(via(r, "2001:db9::1", at(30000)), "fe80::2");
});

test("a full table throws RouteError(TableFull) and is left as it was", () => {
  const r = routes(2);
  r.addDefaultIpv4Route(ipv4Parse("192.168.1.1"));
  r.add(Ipv4Cidr.parse("10.0.0.0/8"), ip("192.168.1.8"));
  assert.throws(() => r.add(Ipv4Cidr.parse("172.16.0.0/12"), ip("192.168.1.12")), routeError(RouteErrorCode.TableFull));
  assert.throws(() => r.addDefaultIpv6Route(Ipv6Address.parse("fe80::1")), routeError(RouteErrorCode.TableFull));
  assert.throws(() => r.add(Ipv4Cidr.parse("172.16.0.0/12"), ip("192.168.1.12")), /route table full: 2 entries in use/);
  assert.is(r.count(), 2);
  assert.is(via(r, "172.16.0.1"), "192.168.1.1");
  assert.is(via(r, "10.0.0.1"), "192.168.1.8");
  // Replacing the default in a full table works; so does adding after a removal.
  assert.is(r.addDefaultIpv4Route(ipv4Parse("192.168.1.2")), ipv4Parse("192.168.1.1"));
  assert.ok(r.remove(Ipv4Cidr.parse("10.0.0.0/8")));
  r.add(Ipv4Cidr.parse("172.16.0.0/12"), ip("192.168.1.12"));
  assert.is(via(r, "172.16.0.1"), "192.168.1.12");
  // A table of no entries refuses everything.
  assert.throws(() => routes(0).addDefaultIpv4Route(ipv4Parse("192.168.1.1")), routeError(RouteErrorCode.TableFull));
});

test("version mismatch, bad gateways and bad prefix lengths throw RouteError", () => {
  const r = routes();
  assert.throws(() => r.add(Ipv4Cidr.parse("10.0.0.0/8"), ip("fe80::1")), routeError(RouteErrorCode.VersionMismatch));
  assert.throws(() => r.add(Ipv6Cidr.parse("2001:db8::/32"), ip("10.0.0.1")), routeError(RouteErrorCode.VersionMismatch));
  assert.throws(() => r.add(Ipv4Cidr.parse("10.0.0.0/8"), new IpAddress()), routeError(RouteErrorCode.VersionMismatch));
  assert.throws(() => r.add(Ipv4Cidr.parse("10.0.0.0/8"), ip("fe80::1")), /IP version mismatch: an IPv4 block via an IPv6 router/);
  assert.throws(() => r.add(Ipv4Cidr.parse("10.0.0.0/8"), ip("0.0.0.0")), routeError(RouteErrorCode.InvalidGateway));
  assert.throws(() => r.add(Ipv4Cidr.parse("10.0.0.0/8"), ip("224.0.0.1")), routeError(RouteErrorCode.InvalidGateway));
  assert.throws(() => r.add(Ipv4Cidr.parse("10.0.0.0/8"), ip("255.255.255.255")), routeError(RouteErrorCode.InvalidGateway));
  assert.throws(() => r.add(Ipv6Cidr.parse("::/0"), ip("ff02::2")), routeError(RouteErrorCode.InvalidGateway));
  assert.throws(() => r.addDefaultIpv4Route(0), routeError(RouteErrorCode.InvalidGateway));
  assert.throws(() => r.addDefaultIpv6Route(Ipv6Address.parse("::")), routeError(RouteErrorCode.InvalidGateway));
  const cidr = Ipv4Cidr.parse("10.0.0.0/8");
  cidr.prefixLen = 33;
  assert.throws(() => r.add(cidr, ip("10.0.0.1")), routeError(RouteErrorCode.InvalidCidr));
  const cidr6 = Ipv6Cidr.parse("2001:db8::/32");
  cidr6.prefixLen = 129;
  assert.throws(() => r.add(cidr6, ip("fe80::1")), routeError(RouteErrorCode.InvalidCidr));
  assert.is(r.count(), 0, "nothing was added");
  assert.is(routeErrorName(RouteErrorCode.TableFull), "route table full");
  assert.is(routeErrorName(99), "error 99");
});

test("remove and clear", () => {
  const r = routes();
  r.addDefaultIpv4Route(ipv4Parse("192.168.1.1"));
  r.addDefaultIpv6Route(Ipv6Address.parse("fe80::1"));
  r.add(Ipv4Cidr.parse("10.0.0.0/8"), ip("192.168.1.8"));
  r.add(Ipv6Cidr.parse("2001:db8::/32"), ip("fe80::32"));
  assert.is(r.remove(Ipv4Cidr.parse("10.0.0.0/16")), false, "another prefix length");
  assert.is(r.remove(Ipv4Cidr.parse("11.0.0.0/8")), false, "another network");
  assert.is(r.remove(Ipv6Cidr.parse("2001:db8::/32")), true);
  assert.is(r.remove(Ipv6Cidr.parse("2001:db8::/32")), false, "already gone");
  assert.is(via(r, "2001:db8::1"), "fe80::1");
  assert.is(r.remove(Ipv4Cidr.parse("10.255.0.1/8")), true, "host bits ignored");
  assert.is(via(r, "10.0.0.1"), "192.168.1.1");
  assert.is(r.remove(Ipv4Cidr.parse("0.0.0.0/0")), true, "the default is a /0 route");
  assert.is(r.removeDefaultIpv4Route(), null);
  assert.is(r.count(), 1);
  r.clear();
  assert.is(r.count(), 0);
  assert.is(via(r, "2001:db8::1"), "none");
  assert.is(r.toString(), "");
});

test("lookup writes the router's address into out, whatever out held", () => {
  const r = routes();
  r.addDefaultIpv6Route(Ipv6Address.parse("fe80::1"));
  r.addDefaultIpv4Route(ipv4Parse("192.168.1.1"));
  const out = ip("fe80::99");
  assert.ok(r.lookup(ip("8.8.8.8"), START, out));
  assert.ok(out.equals(ip("192.168.1.1")));
  assert.ok(r.lookup(ip("2001:db8::1"), START, out));
  assert.ok(out.equals(ip("fe80::1")));
});

test.run();
