/**
 * The route table: which router a packet for a destination off the link goes to (smoltcp's
 * `iface::route::Routes`).
 *
 * A route is a CIDR block, the address of the router that reaches it ("via"), and optionally an
 * instant after which the route no longer applies (a route learned from a router advertisement
 * has a lifetime; a configured one has none). The default route of a version is the block of
 * prefix length 0 (`0.0.0.0/0`, `::/0`). Deciding whether a destination is on the link at all is
 * the interface's job: it checks its own CIDRs first and asks the route table only for the others,
 * and the table answers with the longest-prefix match (RFC 1812 §5.2.4.3) among the unexpired
 * routes of the destination's version.
 *
 * The table is a fixed array of `config.routes` entries created by the constructor. Changing it
 * (`add`, `addDefaultIpv4Route`, `remove`, ...) is configuration: it may throw a `RouteError`
 * (a full table, a gateway of the wrong version), and never on the packet path. `lookup`, on the
 * packet path, compares integers only (each route keeps its network address and netmask as
 * int32 words, precomputed) and creates nothing; it writes the router's address into a caller's
 * `IpAddress`.
 *
 * Adding a route for a block the table already holds (same network, same prefix length) replaces
 * that route, like `ip route replace`, so two routes never tie. A route stays valid up to and
 * including its expiry instant, as in smoltcp (`now > expires_at` is expired); expired routes are
 * ignored and freed by the lookup that meets them, or by `expire(now)`, which the interface calls
 * from `poll` so that the wrapping clock never has to order instants 24.8 days apart.
 *
 * Not supported: metrics and several routes for one block, on-link routes without a router
 * (the interface's own CIDRs are its on-link routes), source-specific routes, the preferred
 * lifetime of smoltcp's `Route`.
 */

import type { Config } from "../config.js";
import { LOG } from "../features.js";
import { LogLevel, logEnabled, netTrace } from "../log.js";
import type { Instant } from "../time.js";
import { IpAddress, IpVersion, ipv4Format, Ipv4Cidr, Ipv6Address, Ipv6Cidr } from "../wire/ip.js";

/** Why a change to the route table was refused. */
export const enum RouteErrorCode {
  /** Every entry holds a route (smoltcp's `RouteTableFull`). */
  TableFull = 1,
  /** The router's address is not of the block's IP version. */
  VersionMismatch = 2,
  /** The router's address is not a unicast address (unspecified, multicast, broadcast). */
  InvalidGateway = 3,
  /** The block's prefix length is not an integer within its version's range. */
  InvalidCidr = 4,
}

const NAMES: readonly string[] = Object.freeze(["none", "route table full", "IP version mismatch", "invalid gateway", "invalid CIDR"]);

/** The printable name of a code. */
export function routeErrorName(code: number): string {
  return NAMES[code] ?? "error " + code;
}

/** Thrown when a change to the route table is refused; `code` says why. A `RangeError`. */
export class RouteError extends RangeError {
  /** Set as a field, not assigned: a preloaded (frozen) Error.prototype makes `this.name = ...` throw on XS. */
  override readonly name: string = "RouteError";
  /** Why. */
  readonly code: RouteErrorCode;
  constructor(code: RouteErrorCode, detail = "") {
    super(routeErrorName(code) + (detail ? ": " + detail : ""));
    this.code = code;
  }
}

/** The netmask of the word that holds bits `32 * word .. 32 * word + 31` of a prefix. */
function wordMask(prefixLen: number, word: number): number {
  const bits = prefixLen - 32 * word;
  return bits <= 0 ? 0 : bits >= 32 ? -1 : (-1 << (32 - bits)) | 0;
}

/**
 * One route. The block is kept flat: its network address (host bits cleared) and netmask as
 * int32 words (IPv4 in word 0 only), so that a lookup masks and compares fields of the entry.
 */
class RouteEntry {
  /** The IP version of the block; `IpVersion.Unspecified` (0) marks a free entry. */
  version: IpVersion = IpVersion.Unspecified;
  /** The prefix length, 0..32 or 0..128; 0 is a default route. */
  prefixLen = 0;
  /** The network address, word 0 (the whole IPv4 address). */
  n0 = 0;
  n1 = 0;
  n2 = 0;
  n3 = 0;
  /** The netmask, word 0 (the whole IPv4 netmask). */
  m0 = 0;
  m1 = 0;
  m2 = 0;
  m3 = 0;
  /** Whether the route has an expiry; false: it lasts until removed. */
  expires = false;
  /** The last instant at which the route applies (when `expires`). */
  expiresAt: Instant = 0;
  /** The router that reaches the block (owned; overwritten in place). */
  readonly via = new IpAddress();

  /** Sets the block from a version, network words and a prefix length. */
  setBlock(version: IpVersion, prefixLen: number, w0: number, w1: number, w2: number, w3: number): void {
    this.version = version;
    this.prefixLen = prefixLen;
    this.m0 = wordMask(prefixLen, 0);
    this.m1 = wordMask(prefixLen, 1);
    this.m2 = wordMask(prefixLen, 2);
    this.m3 = wordMask(prefixLen, 3);
    this.n0 = w0 & this.m0;
    this.n1 = w1 & this.m1;
    this.n2 = w2 & this.m2;
    this.n3 = w3 & this.m3;
  }

  /** Whether this entry holds the block given by a version, network words and a prefix length. */
  isBlock(version: IpVersion, prefixLen: number, w0: number, w1: number, w2: number, w3: number): boolean {
    return this.version === version && this.prefixLen === prefixLen && this.n0 === (w0 & this.m0) &&
      this.n1 === (w1 & this.m1) && this.n2 === (w2 & this.m2) && this.n3 === (w3 & this.m3);
  }

  /** `0.0.0.0/0 via 192.168.69.100`, for traces and `Routes.toString`. */
  toString(): string {
    const net = this.version === IpVersion.Ipv4 ? ipv4Format(this.n0) : new Ipv6Address(this.n0, this.n1, this.n2, this.n3).toString();
    return net + "/" + this.prefixLen + " via " + this.via.toString() + (this.expires ? " expires " + this.expiresAt : "");
  }
}

/** The route table of an interface. Sized once from a `Config`; `lookup` creates nothing. */
export class Routes {
  /** Number of entries (`config.routes`); default routes count. */
  readonly capacity: number;
  private readonly entries: RouteEntry[];

  /** Creates `config.routes` entries (0 is allowed: a table that only ever refuses). */
  constructor(config: Config) {
    const n = config.routes;
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new RangeError("routes must be an integer from 0 to 65535: " + n);
    this.capacity = n;
    this.entries = [];
    for (let i = 0; i < n; i++) this.entries.push(new RouteEntry());
  }

  /**
   * Makes `gateway` (an int32 IPv4 address) the IPv4 default router, replacing the previous one.
   * Returns the previous default gateway, or null if there was none. Throws `RouteError` when
   * the gateway is not unicast or the table is full.
   */
  addDefaultIpv4Route(gateway: number): number | null {
    const via = IpAddress.v4(gateway);
    const i = this.indexOf(IpVersion.Ipv4, 0, 0, 0, 0, 0);
    const old = i >= 0 ? this.entries[i].via.v4 : null;
    this.put(IpVersion.Ipv4, 0, 0, 0, 0, 0, via, false, 0);
    return old;
  }

  /**
   * Makes `gateway` (copied) the IPv6 default router, replacing the previous one. Returns the
   * previous default gateway (a new object), or null. Throws `RouteError` when the gateway is not
   * unicast or the table is full.
   */
  addDefaultIpv6Route(gateway: Ipv6Address): Ipv6Address | null {
    const via = IpAddress.v6(gateway);
    const i = this.indexOf(IpVersion.Ipv6, 0, 0, 0, 0, 0);
    const old = i >= 0 ? new Ipv6Address().copyFrom(this.entries[i].via.v6) : null;
    this.put(IpVersion.Ipv6, 0, 0, 0, 0, 0, via, false, 0);
    return old;
  }

  /**
   * Adds a route to `cidr` through the router `via` (copied), lasting until removed or, when
   * `expiresAt` is given, until that instant (inclusive). A route for the same block (same
   * network, same prefix length) is replaced; the result says whether one was. Throws
   * `RouteError`: `VersionMismatch` when `via` is not of the block's version, `InvalidGateway`
   * when it is not unicast, `InvalidCidr` for a bad prefix length, `TableFull` when no entry is
   * free.
   */
  add(cidr: Ipv4Cidr | Ipv6Cidr, via: IpAddress, expiresAt?: Instant): boolean {
    const expires = expiresAt !== undefined;
    const at = expires ? expiresAt | 0 : 0;
    if (cidr instanceof Ipv4Cidr) {
      return this.put(IpVersion.Ipv4, cidr.prefixLen, cidr.address, 0, 0, 0, via, expires, at);
    }
    const a = cidr.address;
    return this.put(IpVersion.Ipv6, cidr.prefixLen, a.w0, a.w1, a.w2, a.w3, via, expires, at);
  }

  /** Removes the route to `cidr` (same network, same prefix length); returns whether there was one. */
  remove(cidr: Ipv4Cidr | Ipv6Cidr): boolean {
    let i: number;
    if (cidr instanceof Ipv4Cidr) {
      i = this.indexOf(IpVersion.Ipv4, cidr.prefixLen, cidr.address, 0, 0, 0);
    } else {
      const a = cidr.address;
      i = this.indexOf(IpVersion.Ipv6, cidr.prefixLen, a.w0, a.w1, a.w2, a.w3);
    }
    if (i < 0) return false;
    this.entries[i].version = IpVersion.Unspecified;
    return true;
  }

  /** Removes the IPv4 default route; returns its gateway, or null if there was none. */
  removeDefaultIpv4Route(): number | null {
    const i = this.indexOf(IpVersion.Ipv4, 0, 0, 0, 0, 0);
    if (i < 0) return null;
    this.entries[i].version = IpVersion.Unspecified;
    return this.entries[i].via.v4;
  }

  /** Removes the IPv6 default route; returns its gateway (a new object), or null if there was none. */
  removeDefaultIpv6Route(): Ipv6Address | null {
    const i = this.indexOf(IpVersion.Ipv6, 0, 0, 0, 0, 0);
    if (i < 0) return null;
    this.entries[i].version = IpVersion.Unspecified;
    return new Ipv6Address().copyFrom(this.entries[i].via.v6);
  }

  /** Removes every route. */
  clear(): void {
    for (let i = 0; i < this.entries.length; i++) this.entries[i].version = IpVersion.Unspecified;
  }

  /**
   * The router for `dst`: writes into `out` the `via` of the longest-prefix match among the
   * unexpired routes of `dst`'s version (a default route matches with prefix length 0) and
   * returns true; returns false, leaving `out` alone, when no route matches. Expired routes met on
   * the way are freed. Creates nothing.
   */
  lookup(dst: IpAddress, now: Instant, out: IpAddress): boolean {
    const version = dst.version;
    if (version !== IpVersion.Ipv4 && version !== IpVersion.Ipv6) return false;
    const entries = this.entries;
    let a0: number;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    if (version === IpVersion.Ipv4) {
      a0 = dst.v4;
    } else {
      const a = dst.v6;
      a0 = a.w0;
      a1 = a.w1;
      a2 = a.w2;
      a3 = a.w3;
    }
    let best = -1;
    let bestLen = -1;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.version !== version) continue;
      if (e.expires && ((now - e.expiresAt) | 0) > 0) {
        if (LOG && logEnabled(LogLevel.Trace)) netTrace("route: expired " + e.toString());
        e.version = IpVersion.Unspecified;
        continue;
      }
      if (e.prefixLen > bestLen && (a0 & e.m0) === e.n0 && (a1 & e.m1) === e.n1 && (a2 & e.m2) === e.n2 && (a3 & e.m3) === e.n3) {
        best = i;
        bestLen = e.prefixLen;
      }
    }
    if (best < 0) return false;
    out.copyFrom(entries[best].via);
    return true;
  }

  /** Frees every route whose expiry has passed at `now`. */
  expire(now: Instant): void {
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.version !== IpVersion.Unspecified && e.expires && ((now - e.expiresAt) | 0) > 0) e.version = IpVersion.Unspecified;
    }
  }

  /** The number of routes held, default routes included (expired routes count until freed). */
  count(): number {
    let n = 0;
    for (let i = 0; i < this.entries.length; i++) if (this.entries[i].version !== IpVersion.Unspecified) n++;
    return n;
  }

  /** The routes, one `block via router` per line (traces and tests only). */
  toString(): string {
    let s = "";
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.version !== IpVersion.Unspecified) s += (s ? "\n" : "") + e.toString();
    }
    return s;
  }

  /** The index of the route to the given block, or -1. */
  private indexOf(version: IpVersion, prefixLen: number, w0: number, w1: number, w2: number, w3: number): number {
    for (let i = 0; i < this.entries.length; i++) {
      if (this.entries[i].isBlock(version, prefixLen, w0, w1, w2, w3)) return i;
    }
    return -1;
  }

  /** Validates, then adds or replaces the route; returns whether it replaced one. */
  private put(version: IpVersion, prefixLen: number, w0: number, w1: number, w2: number, w3: number,
    via: IpAddress, expires: boolean, expiresAt: Instant): boolean {
    const maxLen = version === IpVersion.Ipv4 ? 32 : 128;
    if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > maxLen) {
      throw new RouteError(RouteErrorCode.InvalidCidr, "prefix length " + prefixLen);
    }
    if (via.version !== version) {
      throw new RouteError(RouteErrorCode.VersionMismatch, "an IPv" + version + " block via " + (via.version === IpVersion.Unspecified ? "no address" : "an IPv" + via.version + " router"));
    }
    if (!via.isUnicast()) throw new RouteError(RouteErrorCode.InvalidGateway, via.toString());
    let i = this.indexOf(version, prefixLen, w0, w1, w2, w3);
    const replaced = i >= 0;
    if (!replaced) {
      for (let j = 0; j < this.entries.length && i < 0; j++) if (this.entries[j].version === IpVersion.Unspecified) i = j;
      if (i < 0) throw new RouteError(RouteErrorCode.TableFull, this.capacity + " entries in use");
    }
    const e = this.entries[i];
    e.setBlock(version, prefixLen, w0, w1, w2, w3);
    e.via.copyFrom(via);
    e.expires = expires;
    e.expiresAt = expiresAt;
    if (LOG && logEnabled(LogLevel.Trace)) netTrace("route: " + (replaced ? "replaced " : "added ") + e.toString());
    return replaced;
  }
}
