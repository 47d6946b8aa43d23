/**
 * `TcpContext`: what a TCP socket needs from the interface when the application opens a
 * connection (smoltcp's `iface.context()` argument to `connect`).
 *
 * The socket layer may not import the interface (ARCHITECTURE.md: the direction is strictly
 * downward), so the interface implements this small interface instead. `connect(ctx, remote,
 * local?)` uses it to choose what the application left open: the source address (the one the
 * interface would choose for `remote`), a random ephemeral port from the IANA range (RFC 6335,
 * RFC 6056) not used by another TCP socket, the RFC 6528 initial sequence number (a keyed hash of
 * the 4-tuple plus a clock), and the largest segment the link carries towards `remote`.
 *
 * The interface remembers the `now` of its last `poll` for `tcpNow()`: the core has no clock of
 * its own, and a `connect` between polls happens "at" the last poll.
 */

import type { Instant } from "../../time.js";
import type { IpAddress, IpEndpoint } from "../../wire/ip.js";

export interface TcpContext {
  /** The time of the interface's last `poll` (0 before the first). */
  tcpNow(): Instant;
  /** Fills `out` with the source address the interface uses towards `remote`; false when it has none of that version. */
  tcpSourceAddress(remote: IpAddress, out: IpAddress): boolean;
  /** A random ephemeral port (49152..65535) no TCP socket uses; 0 when none is free. */
  tcpEphemeralPort(): number;
  /** The RFC 6528 initial sequence number for the connection `local` → `remote` at `now`. */
  tcpInitialSeq(now: Instant, local: IpEndpoint, remote: IpEndpoint): number;
  /** The largest TCP payload one frame carries towards `remote`: the device MTU less the IP and TCP headers. */
  tcpLinkMss(remote: IpAddress): number;
}

/** What an ICMP error quoting one of our segments said (`TcpSocket.icmpError`). */
export const enum TcpIcmpError {
  /** Destination, protocol or port unreachable, or administratively prohibited (a hard error in SYN-SENT, RFC 1122 §4.2.3.9 / RFC 5461). */
  Unreachable = 1,
  /** ICMPv4 "fragmentation needed" (RFC 1191) or ICMPv6 "packet too big" (RFC 8201): the path carries smaller segments. */
  PacketTooBig = 2,
}
