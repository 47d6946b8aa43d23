/**
 * The neighbor cache: which Ethernet address an IP address on the link has (smoltcp's
 * `iface::neighbor::Cache`), for ARP (RFC 826) and IPv6 neighbor discovery (RFC 4861) together.
 *
 * The interface fills the cache from what it hears (ARP requests and replies aimed at it,
 * neighbor solicitations and advertisements) and looks it up before it sends a packet to a
 * neighbor. The cache is a fixed array of `config.neighborCacheEntries` entries created by the
 * constructor; filling, refreshing, looking up and expiring rewrite them in place and create
 * nothing. A lookup compares integers only: one int32 for an IPv4 address, four for an IPv6
 * address, and the IP version first, so an IPv6 address whose last word equals an IPv4 address
 * never matches it.
 *
 * **Lifetime.** An entry lives `config.neighborExpiry` ms (60 s, as smoltcp) from its last fill.
 * Expiry is lazy, as in smoltcp: an expired entry is a miss, and whoever meets it first (a
 * lookup, a fill, `count`, `expire`) frees it; there is no timer to schedule, so the cache adds
 * nothing to `pollDelay`. Because instants wrap (src/time.ts), an entry counts as live only while
 * its expiry lies in `(now, now + neighborExpiry]`; a deadline outside that window can only be
 * the remains of an entry nobody has touched for weeks, and is treated as expired rather than
 * compared in the wrong direction. The interface calls `expire(now)` from `poll` so that no entry
 * outlives its welcome even on a link that has gone quiet.
 *
 * **Replacement.** When the cache is full, a fill replaces the entry that expires first, as
 * smoltcp does; since every entry lives the same time from its last fill, that is the entry
 * refreshed least recently.
 *
 * **Update without create.** RFC 826's merge flag: a host that receives an ARP packet updates the
 * sender's entry *if it already has one*, and adds a new entry only when the packet is aimed at
 * it. `update` is the first half (gratuitous ARP, unsolicited neighbor advertisements, RFC 4861
 * §7.2.5), `fill` the second. Deciding which applies is the interface's job.
 *
 * **Requests.** While an address is unresolved the interface sends at most one ARP request or
 * neighbor solicitation per `config.neighborRequestInterval` ms (1 s, smoltcp's `SILENT_TIME`)
 * for it. smoltcp keeps a single deadline for the whole cache; this cache remembers when the last
 * request went out per address, in a second fixed table of the same size, so that one dead
 * neighbor does not delay the resolution of another. `requestPermitted` answers and, when it
 * answers yes, records the time. The same record tells the interface whether a reply was asked
 * for (`wasRequested`): a request stays outstanding until a fill for its address answers it, for
 * at most the entry lifetime (or the interval, if longer), so that an unsolicited ARP reply or
 * neighbor advertisement cannot plant an entry for an address this host never asked about.
 *
 * Not supported: static (permanent) entries, RFC 4861's reachability states (INCOMPLETE, STALE,
 * DELAY, PROBE) and unicast probes, a queue of packets waiting for resolution (the sockets keep
 * their data and retry on a later poll, as in smoltcp), media other than Ethernet.
 */

import type { Config } from "../config.js";
import { LOG } from "../features.js";
import { LogLevel, logEnabled, netTrace } from "../log.js";
import type { Duration, Instant } from "../time.js";
import { EthernetAddress } from "../wire/ethernet.js";
import { IpVersion, ipv4Format, Ipv6Address, type IpAddress } from "../wire/ip.js";

/** A protocol address kept flat, as its version and four int32 words. */
interface AddressWords {
  /** The IP version; `IpVersion.Unspecified` (0) marks a free entry. */
  version: IpVersion;
  /** The IPv4 address (int32), or the first word of the IPv6 address. */
  w0: number;
  /** Words 1..3 of the IPv6 address; 0 for IPv4. */
  w1: number;
  w2: number;
  w3: number;
}

/**
 * One entry of the cache. The protocol address is kept flat so that a lookup reads fields of the
 * entry and nothing deeper.
 */
class NeighborEntry implements AddressWords {
  /** The IP version of the protocol address; `IpVersion.Unspecified` (0) marks a free entry. */
  version: IpVersion = IpVersion.Unspecified;
  /** The IPv4 address (int32), or the first word of the IPv6 address. */
  w0 = 0;
  /** Words 1..3 of the IPv6 address; 0 for IPv4. */
  w1 = 0;
  w2 = 0;
  w3 = 0;
  /** When the entry stops being valid: its last fill plus the entry lifetime. */
  expiresAt: Instant = 0;
  /** The neighbor's link-layer address; overwritten in place. */
  readonly hardwareAddr = new EthernetAddress();
}

/** One slot of the request table: an address and when the last request for it went out. */
class RequestSlot implements AddressWords {
  /** The IP version of the address; `IpVersion.Unspecified` (0) marks a free slot. */
  version: IpVersion = IpVersion.Unspecified;
  /** The IPv4 address (int32), or the first word of the IPv6 address. */
  w0 = 0;
  /** Words 1..3 of the IPv6 address; 0 for IPv4. */
  w1 = 0;
  w2 = 0;
  w3 = 0;
  /** When the last request for the address was permitted. */
  sentAt: Instant = 0;
}

/** Whether `e` holds `addr` (the caller checks liveness). */
function holds(e: AddressWords, addr: IpAddress): boolean {
  if (e.version !== addr.version) return false;
  if (addr.version === IpVersion.Ipv4) return e.w0 === addr.v4;
  const a = addr.v6;
  return e.w0 === a.w0 && e.w1 === a.w1 && e.w2 === a.w2 && e.w3 === a.w3;
}

/** Writes `addr` into `e` (version and words). */
function store(e: AddressWords, addr: IpAddress): void {
  e.version = addr.version;
  if (addr.version === IpVersion.Ipv4) {
    e.w0 = addr.v4;
    e.w1 = 0;
    e.w2 = 0;
    e.w3 = 0;
  } else {
    const a = addr.v6;
    e.w0 = a.w0;
    e.w1 = a.w1;
    e.w2 = a.w2;
    e.w3 = a.w3;
  }
}

/** Whether `deadline` lies in `(now, now + window]`: set at most `window` ms ago and not reached. */
function pending(deadline: Instant, now: Instant, window: Duration): boolean {
  const d = (deadline - now) | 0;
  return d > 0 && d <= window;
}

/** Whether `t` lies in `(now - window, now]`: less than `window` ms ago. */
function recent(t: Instant, now: Instant, window: Duration): boolean {
  const d = (now - t) | 0;
  return d >= 0 && d < window;
}

/** Whether `addr` is an address the cache can hold (IPv4 or IPv6). */
function storable(addr: IpAddress): boolean {
  return addr.version === IpVersion.Ipv4 || addr.version === IpVersion.Ipv6;
}

/** A printable protocol address of an entry (traces only). */
function entryAddrText(e: AddressWords): string {
  if (e.version === IpVersion.Ipv4) return ipv4Format(e.w0);
  return new Ipv6Address(e.w0, e.w1, e.w2, e.w3).toString();
}

/**
 * The neighbor cache of an interface, with the per-address request rate limit. Sized once from
 * a `Config`; nothing is created after construction.
 */
export class NeighborCache {
  /** Number of cache entries (`config.neighborCacheEntries`), also the size of the request table. */
  readonly capacity: number;
  /** How long an entry lives from its last fill, in ms (`config.neighborExpiry`). */
  readonly entryLifetime: Duration;
  /** The least time between two requests for one address, in ms (`config.neighborRequestInterval`). */
  readonly requestInterval: Duration;
  /**
   * How long a request stays outstanding (`wasRequested`) unless a fill answers it: the entry
   * lifetime, or the request interval if that is longer.
   */
  readonly requestLifetime: Duration;
  private readonly entries: NeighborEntry[];
  private readonly requests: RequestSlot[];

  /**
   * Creates the cache and the request table, `config.neighborCacheEntries` entries each.
   * Throws `RangeError` for fewer than one entry, a lifetime outside 1 ms .. 2^31 - 1 ms or an
   * interval above 2^31 - 1 ms.
   */
  constructor(config: Config) {
    const n = config.neighborCacheEntries;
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new RangeError("neighborCacheEntries must be an integer from 1 to 65535: " + n);
    const life = config.neighborExpiry;
    if (!Number.isInteger(life) || life < 1 || life > 0x7fffffff) throw new RangeError("neighborExpiry must be an integer from 1 to 2147483647 ms: " + life);
    const interval = config.neighborRequestInterval;
    if (!Number.isInteger(interval) || interval < 0 || interval > 0x7fffffff) throw new RangeError("neighborRequestInterval must be an integer from 0 to 2147483647 ms: " + interval);
    this.capacity = n;
    this.entryLifetime = life;
    this.requestInterval = interval;
    this.requestLifetime = interval > life ? interval : life;
    this.entries = [];
    this.requests = [];
    for (let i = 0; i < n; i++) {
      this.entries.push(new NeighborEntry());
      this.requests.push(new RequestSlot());
    }
  }

  /**
   * Records that `protocolAddr` is at `hardwareAddr` (both copied), valid for `entryLifetime` ms
   * from `now`: refreshes the entry of that address if there is one, else takes a free entry,
   * else replaces the entry that expires first. An outstanding request for the address is
   * answered (forgotten). An address that is neither IPv4 nor IPv6 is ignored. The interface fills
   * only from packets aimed at it, with unicast addresses.
   */
  fill(protocolAddr: IpAddress, hardwareAddr: EthernetAddress, now: Instant): void {
    if (!storable(protocolAddr)) return;
    const entries = this.entries;
    const life = this.entryLifetime;
    let match = -1;
    let free = -1;
    let first = -1;
    let firstExpiry = 0;
    // One pass: find the address, a free entry and the entry that expires first, freeing expired
    // entries on the way.
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.version === IpVersion.Unspecified) {
        if (free < 0) free = i;
        continue;
      }
      if (!pending(e.expiresAt, now, life)) {
        e.version = IpVersion.Unspecified;
        if (free < 0) free = i;
        continue;
      }
      if (holds(e, protocolAddr)) {
        match = i;
        break;
      }
      if (first < 0 || ((e.expiresAt - firstExpiry) | 0) < 0) {
        first = i;
        firstExpiry = e.expiresAt;
      }
    }
    let slot = match;
    if (slot < 0) slot = free;
    if (slot < 0) {
      slot = first;
      if (LOG && logEnabled(LogLevel.Trace)) {
        netTrace("neighbor: evicted " + entryAddrText(entries[slot]) + " => " + entries[slot].hardwareAddr.toString());
      }
    }
    const e = entries[slot];
    if (LOG && logEnabled(LogLevel.Trace)) {
      if (match < 0) netTrace("neighbor: filled " + protocolAddr.toString() + " => " + hardwareAddr.toString());
      else if (!e.hardwareAddr.equals(hardwareAddr)) netTrace("neighbor: replaced " + protocolAddr.toString() + " => " + hardwareAddr.toString() + " (was " + e.hardwareAddr.toString() + ")");
    }
    if (match < 0) store(e, protocolAddr);
    e.hardwareAddr.copyFrom(hardwareAddr);
    e.expiresAt = (now + life) | 0;
    const r = this.findRequest(protocolAddr);
    if (r >= 0) this.requests[r].version = IpVersion.Unspecified;
  }

  /**
   * Refreshes the entry of `protocolAddr`, if the cache holds a live one, with `hardwareAddr`
   * (copied) and a new lifetime; creates nothing. Returns whether there was such an entry. This is
   * RFC 826's merge flag, for gratuitous ARP and unsolicited neighbor advertisements.
   */
  update(protocolAddr: IpAddress, hardwareAddr: EthernetAddress, now: Instant): boolean {
    const i = this.find(protocolAddr, now);
    if (i < 0) return false;
    const e = this.entries[i];
    // A live entry is never re-pointed by a packet nobody asked for (cache poisoning): only the
    // same link-layer address refreshes it. A host that really moved is learned again once the
    // entry expires, or from the answer to our own request (`fill`).
    if (!e.hardwareAddr.equals(hardwareAddr)) return false;
    e.expiresAt = (now + this.entryLifetime) | 0;
    return true;
  }

  /**
   * Learns `protocolAddr` at `hardwareAddr` from a packet addressed to us (an ARP request, a
   * neighbor solicitation): fills a free entry or refreshes a matching one, but never re-points
   * a live entry that holds another link-layer address. Returns false when it refused.
   */
  learn(protocolAddr: IpAddress, hardwareAddr: EthernetAddress, now: Instant): boolean {
    const i = this.find(protocolAddr, now);
    if (i >= 0 && !this.entries[i].hardwareAddr.equals(hardwareAddr)) return false;
    this.fill(protocolAddr, hardwareAddr, now);
    return true;
  }

  /**
   * The link-layer address of `protocolAddr`, or null when the cache holds no live entry for it
   * (an expired entry is a miss, and is freed). The result is the cache's own object: read or
   * copy it before the next `fill`, `update` or `flush`, which may overwrite or reuse it; never
   * write into it.
   */
  lookup(protocolAddr: IpAddress, now: Instant): EthernetAddress | null {
    const i = this.find(protocolAddr, now);
    return i < 0 ? null : this.entries[i].hardwareAddr;
  }

  /** Whether the cache holds a live entry for `protocolAddr`. */
  has(protocolAddr: IpAddress, now: Instant): boolean {
    return this.find(protocolAddr, now) >= 0;
  }

  /**
   * Whether the interface may send an ARP request or a neighbor solicitation for `protocolAddr`
   * now: false while the previous one is less than `requestInterval` ms old. When it answers true
   * it records `now` as the time of the request, in the address's slot, a free slot, or else the
   * slot of the oldest request. An address that is neither IPv4 nor IPv6 is refused.
   */
  requestPermitted(protocolAddr: IpAddress, now: Instant): boolean {
    if (!storable(protocolAddr)) return false;
    const slots = this.requests;
    const keep = this.requestLifetime;
    let match = -1;
    let free = -1;
    let oldest = -1;
    let oldestAt = 0;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (s.version === IpVersion.Unspecified) {
        if (free < 0) free = i;
        continue;
      }
      if (!recent(s.sentAt, now, keep)) {
        s.version = IpVersion.Unspecified;
        if (free < 0) free = i;
        continue;
      }
      if (holds(s, protocolAddr)) {
        match = i;
        break;
      }
      if (oldest < 0 || ((s.sentAt - oldestAt) | 0) < 0) {
        oldest = i;
        oldestAt = s.sentAt;
      }
    }
    if (match >= 0) {
      const s = slots[match];
      if (((now - s.sentAt) | 0) < this.requestInterval) return false;
      s.sentAt = now;
      return true;
    }
    const s = slots[free >= 0 ? free : oldest];
    store(s, protocolAddr);
    s.sentAt = now;
    return true;
  }

  /**
   * Whether a request for `protocolAddr` is outstanding: one was permitted less than
   * `requestLifetime` ms ago and no fill has answered it since (nor has its slot gone to another
   * address). The interface accepts an ARP reply or a solicited neighbor advertisement for an
   * address it holds no entry for only when this is true.
   */
  wasRequested(protocolAddr: IpAddress, now: Instant): boolean {
    const i = this.findRequest(protocolAddr);
    if (i < 0) return false;
    const s = this.requests[i];
    if (recent(s.sentAt, now, this.requestLifetime)) return true;
    s.version = IpVersion.Unspecified;
    return false;
  }

  /** Forgets every entry (and every outstanding request), as smoltcp's `flush`. */
  flush(): void {
    for (let i = 0; i < this.entries.length; i++) {
      this.entries[i].version = IpVersion.Unspecified;
      this.requests[i].version = IpVersion.Unspecified;
    }
  }

  /**
   * Frees every expired entry and every request older than `requestLifetime`. Lookups do this
   * lazily; the interface calls it from `poll` so that an entry nobody asks for again is still
   * freed well within the 24.8 days the wrapping clock can order.
   */
  expire(now: Instant): void {
    const life = this.entryLifetime;
    const keep = this.requestLifetime;
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.version !== IpVersion.Unspecified && !pending(e.expiresAt, now, life)) e.version = IpVersion.Unspecified;
      const s = this.requests[i];
      if (s.version !== IpVersion.Unspecified && !recent(s.sentAt, now, keep)) s.version = IpVersion.Unspecified;
    }
  }

  /** The number of live entries at `now` (expired ones are freed on the way). */
  count(now: Instant): number {
    this.expire(now);
    let n = 0;
    for (let i = 0; i < this.entries.length; i++) if (this.entries[i].version !== IpVersion.Unspecified) n++;
    return n;
  }

  /** The live entries, one `address => hardware address` per line (traces and tests only). */
  toString(): string {
    let s = "";
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.version === IpVersion.Unspecified) continue;
      s += (s ? "\n" : "") + entryAddrText(e) + " => " + e.hardwareAddr.toString();
    }
    return s;
  }

  /** The index of the live entry for `addr`, or -1; an expired entry for it is freed. */
  private find(addr: IpAddress, now: Instant): number {
    const entries = this.entries;
    const version = addr.version;
    if (version === IpVersion.Ipv4) {
      const a = addr.v4;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (e.version === IpVersion.Ipv4 && e.w0 === a) return this.live(e, i, now);
      }
    } else if (version === IpVersion.Ipv6) {
      const a = addr.v6;
      const w0 = a.w0;
      const w1 = a.w1;
      const w2 = a.w2;
      const w3 = a.w3;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (e.version === IpVersion.Ipv6 && e.w3 === w3 && e.w0 === w0 && e.w1 === w1 && e.w2 === w2) return this.live(e, i, now);
      }
    }
    return -1;
  }

  /** The index of the request slot holding `addr` (in any state), or -1. */
  private findRequest(addr: IpAddress): number {
    if (!storable(addr)) return -1;
    const slots = this.requests;
    for (let i = 0; i < slots.length; i++) if (holds(slots[i], addr)) return i;
    return -1;
  }

  /** `i` if entry `e` (index `i`) is live at `now`; else frees it and returns -1. */
  private live(e: NeighborEntry, i: number, now: Instant): number {
    if (pending(e.expiresAt, now, this.entryLifetime)) return i;
    if (LOG && logEnabled(LogLevel.Trace)) netTrace("neighbor: expired " + entryAddrText(e));
    e.version = IpVersion.Unspecified;
    return -1;
  }
}
