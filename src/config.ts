/**
 * Every capacity of the stack, in one place (lwIP's `opt.h`, smoltcp's README "Configuration").
 *
 * Nothing in the stack grows: tables, caches and buffers are sized when they are constructed,
 * from a `Config` (these defaults, overridden field by field by the application). A full table
 * fails loudly where it is filled at configuration time (`add` throws), and on the packet path
 * the newcomer is refused and counted, never accommodated. The defaults suit an ESP32 with
 * about 160 KiB of JavaScript heap: a handful of sockets, small caches.
 */
export class Config {
  /** IPv4 addresses an interface can hold (smoltcp's IFACE_MAX_ADDR_COUNT is 2 for both versions). */
  maxIpv4Addresses = 2;
  /** IPv6 addresses an interface can hold (a link-local address and one or two global ones). */
  maxIpv6Addresses = 3;
  /**
   * Entries of the neighbor cache (ARP and NDISC together). 8 is smoltcp's default: a small
   * device talks to a gateway and a few peers on its link. When full, the entry used least
   * recently is replaced.
   */
  neighborCacheEntries = 8;
  /** How long a neighbor entry lives without being refreshed, in ms (smoltcp: 60 s). */
  neighborExpiry = 60000;
  /**
   * The least time between two ARP requests or neighbor solicitations for one address, in ms
   * (smoltcp: 1 s), so that a socket waiting for an unreachable neighbor does not flood the link.
   */
  neighborRequestInterval = 1000;
  /** Entries of the route table (default gateways count as routes). */
  routes = 4;
  /** IPv4 multicast groups an interface can join (IGMP). */
  multicastGroups = 4;
  /** Number of socket slots in a `SocketSet` made without an explicit count. */
  sockets = 8;
  /**
   * Separate out-of-order ranges a TCP receive buffer keeps (the assembler's gaps). 4 is
   * smoltcp's default and plenty on a LAN; 32 suits long fat paths with many losses.
   */
  assemblerGaps = 4;
  /** Default TTL / hop limit of packets the stack originates. */
  hopLimit = 64;

  /** A configuration with the defaults, then the given fields. */
  static with(fields: Partial<Config>): Config {
    const c = new Config();
    for (const k of Object.keys(fields) as (keyof Config)[]) {
      const v = fields[k];
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new RangeError("config " + k + " must be a non-negative integer: " + v);
      (c as unknown as Record<string, number>)[k] = v;
    }
    return c;
  }
}
