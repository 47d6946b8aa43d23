/**
 * The UDP socket (smoltcp's `udp::Socket`): a bound port, a queue of datagrams received and a
 * queue of datagrams to send.
 *
 * UDP keeps no state between datagrams, so neither does the socket: it is a port number, an
 * optional local address, and two `PacketBuffer`s whose metadata records say where each datagram
 * came from or goes to. RFC 768 asks of the user interface only that it "should allow the
 * creation of new receive ports, receive operations on the receive ports that return the data
 * octets and an indication of source port and source address, and an operation that allows a
 * datagram to be sent, specifying the data, source and destination ports and addresses to be
 * sent." That is this class.
 *
 * ## Binding
 * `bind(port)` or `bind(endpoint)`. Port 0 is refused (`SocketError(Unaddressable)`): there is
 * no ephemeral-port allocation here, the application picks its ports, as in smoltcp. A second
 * `bind` without `close()` is `InvalidState`. An endpoint with an address narrows the socket:
 * only datagrams sent *to that address* are accepted, and it is the source address of every
 * datagram the socket sends. An unspecified address (`0.0.0.0`, `::`) means "any", of either
 * version, like a bare port.
 *
 * ## Which datagrams a socket accepts (`accepts`)
 * The destination port must be the bound port. If the socket is bound to an address, the
 * destination address must equal it; so a socket bound to a multicast group address receives
 * that group only, and one bound to a unicast address receives no broadcast or multicast, as a
 * BSD socket bound to an address does. (smoltcp differs here: its address-bound sockets also
 * take every broadcast and multicast datagram to the port.) A socket bound to a port alone
 * takes any destination the interface delivered, unicast, broadcast or multicast: the
 * interface, not the socket, knows which addresses are its own and which groups it has joined.
 * The destination address of every received datagram is kept with it (`lastRecvLocalAddr`),
 * so such a socket can tell a multicast datagram from a unicast one (smoltcp #904).
 *
 * ## Sending
 * `sendSlice(bytes, off, len, remote)` copies a datagram into the transmit queue;
 * `sendBegin(len, remote)` queues a datagram of `len` octets and returns where in `txBytes()` the
 * application writes its payload (in place, no second copy). Either returns "full now"
 * (`false`, -1) when the queue has no room yet, and throws for what can never work: an unbound
 * socket (`NotBound`), a remote endpoint without an address or port or of the other IP version
 * than the bound address (`Unaddressable`), a datagram larger than the transmit buffer or than
 * an IP packet can carry (`TooLarge`). A packet queued by `sendBegin` is sent as it stands at the
 * next `poll`: write the payload before polling again.
 *
 * The interface sends a queued datagram with the sequence `dispatchPeek` → `dispatchPayload` →
 * `dispatchCommit` (or `dispatchDrop` when there is no route; see `socket/index.ts`). Until
 * `dispatchCommit` the datagram stays first in the queue, so a datagram whose next hop is not
 * yet resolved waits in the socket, not in the interface. The IP source address handed to the
 * interface is the bound address when it is unicast; otherwise it is left unspecified for the
 * interface to choose, since "when a host sends any datagram, the IP source address MUST be one
 * of its own IP addresses (but not a broadcast or multicast address)" (RFC 1122 §3.2.1.3).
 *
 * ## Receiving
 * `recvSlice(dst, off, max)` copies the oldest datagram out and dequeues it; a datagram longer
 * than `max` is cut to `max` octets and the rest is discarded (as smoltcp, and as BSD `recv`
 * without `MSG_TRUNC`). `recv()` dequeues without copying: the payload stays readable at
 * `recvOffset` in `rxBytes()` until the next `poll`. `peek()` / `peekSlice()` look without
 * dequeueing. All return -1 when nothing is queued. The sender is left in `lastRecvEndpoint`
 * and the local (destination) address in `lastRecvLocalAddr`: preallocated records, overwritten
 * by each call, so the receive path creates nothing.
 *
 * ## Hop limit
 * `hopLimit` is null for the interface's default (`Config.hopLimit`, 64 unless configured: IANA's
 * recommended TTL, as smoltcp) or 1..255. Setting 0 or null restores the default. A socket
 * without one hands the interface `ip.hopLimit = 0`, which the interface replaces with its
 * default, so no datagram leaves with TTL 0: RFC 1122 §3.2.1.7, "A host MUST NOT send a
 * datagram with a Time-to-Live (TTL) value of zero."
 *
 * ## Errors and counters
 * What the network did is told by `takeError()` (today: `NoRoute`, when the interface dropped a
 * queued datagram) and by the counters `rxDropped` (receive queue full), `rxTooLarge` (a
 * datagram larger than the whole receive buffer), `txDropped` (no route). `process` never
 * throws: it returns false and counts.
 *
 * **Not supported**: ephemeral ports; `connect` (a default remote endpoint, and filtering on the
 * remote end); per-datagram source address or hop limit; ICMP errors delivered to the socket
 * (an ICMP socket bound to the UDP port receives them, as in smoltcp); IPv4-mapped IPv6
 * addresses as a bridge between the versions; UDP-Lite; jumbograms.
 */

import { IpAddress, IpEndpoint, IpProtocol, IpVersion, IPV6_UNSPECIFIED } from "../wire/ip.js";
import type { IpRepr } from "../wire/ip-repr.js";
import type { UdpRepr } from "../wire/udp.js";
import { BoundsError, type Arena } from "../storage/arena.js";
import { copyBytes } from "../storage/copy.js";
import type { Instant } from "../time.js";
import { SocketError, SocketErrorCode } from "./error.js";
import { DatagramSocket } from "./datagram.js";
import { SocketKind, type Socket } from "./set.js";

/** Length of the UDP header, which the interface puts before the payload. */
const UDP_HEADER = 8;
/** The largest payload an IPv4 datagram can carry: 65535 - 20 (IPv4 header) - 8 (UDP header). */
const MAX_PAYLOAD_V4 = 65507;
/** The largest payload the UDP Length field allows (IPv6 without jumbograms): 65535 - 8. */
const MAX_PAYLOAD_V6 = 65527;

/**
 * What a UDP socket keeps with each queued datagram: the remote endpoint (the sender of a
 * received datagram, the destination of one to send) and, for received datagrams, the local
 * address it was sent to. Made once per metadata slot, overwritten in place.
 */
export class UdpPacketMeta {
  /** The remote address and port. */
  readonly remote = new IpEndpoint();
  /** The destination address of a received datagram (one of ours, a broadcast or a group). */
  readonly localAddr = new IpAddress();
}

/** The metadata factory both packet buffers use (called once per slot, at construction). */
function makeUdpPacketMeta(): UdpPacketMeta {
  return new UdpPacketMeta();
}

/** A UDP socket: a bound port (and optional address) with a receive and a transmit queue. */
export class UdpSocket extends DatagramSocket<UdpPacketMeta> implements Socket {
  /** The socket kind, for the interface's dispatch. */
  readonly kind = SocketKind.Udp;
  /** The sender of the datagram the last `recv*` / `peek*` returned. Overwritten by each call. */
  readonly lastRecvEndpoint = new IpEndpoint();
  /** The destination address of the datagram the last `recv*` / `peek*` returned. */
  readonly lastRecvLocalAddr = new IpAddress();
  /** The bound endpoint; port 0 when unbound, an address of no version when bound to a port. */
  private readonly local = new IpEndpoint();

  /**
   * Creates an unbound socket whose receive queue holds `rxPackets` datagrams of `rxPayload`
   * octets in all, and whose transmit queue holds `txPackets` datagrams of `txPayload` octets.
   * The payload rings are reserved from `arena` if one is given (then every copy to and from a
   * frame carved from the same arena is a `copyWithin`).
   */
  constructor(rxPackets: number, rxPayload: number, txPackets: number, txPayload: number, arena?: Arena) {
    super(rxPackets, rxPayload, txPackets, txPayload, makeUdpPacketMeta, arena);
  }

  // --- Binding ---------------------------------------------------------------------------------

  /**
   * Binds the socket to a port (a number) or an endpoint (its address, if specified, then
   * filters what is received and is the source of what is sent; it is copied). Throws
   * `SocketError(Unaddressable)` for port 0 (or not a port number), `InvalidState` if the
   * socket is already bound.
   */
  bind(endpoint: IpEndpoint | number): void {
    const port = typeof endpoint === "number" ? endpoint : endpoint.port;
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new SocketError(SocketErrorCode.Unaddressable, "UDP port " + port);
    }
    if (this.local.port !== 0) throw new SocketError(SocketErrorCode.InvalidState, "already bound to " + this.local);
    if (typeof endpoint === "number" || endpoint.addr.isUnspecified()) this.local.addr.clear();
    else this.local.addr.copyFrom(endpoint.addr);
    this.local.port = port;
  }

  /** Unbinds the socket and drops every queued datagram, both ways (as smoltcp's `close`). */
  close(): void {
    this.local.addr.clear();
    this.local.port = 0;
    this.rx.clear();
    this.tx.clear();
  }

  /** Whether the socket is bound. */
  isOpen(): boolean {
    return this.local.port !== 0;
  }

  /** The bound endpoint (port 0 if unbound). The socket's own record: read it, never modify it. */
  endpoint(): Readonly<IpEndpoint> {
    return this.local;
  }

  // --- Sending ---------------------------------------------------------------------------------

  /**
   * Queues a datagram of `len` octets, copied from `bytes[off...]`, for `remote` (copied).
   * Returns false, queueing nothing, when the transmit queue has no room now. Throws
   * `SocketError` `NotBound`, `Unaddressable` or `TooLarge` (see the module comment), and
   * `BoundsError` if the range leaves `bytes`.
   */
  sendSlice(bytes: Uint8Array, off: number, len: number, remote: IpEndpoint): boolean {
    if (off < 0 || len < 0 || off + len > bytes.length) throw new BoundsError("UdpSocket.sendSlice: " + len + " octets at " + off + " of " + bytes.length);
    const at = this.sendBegin(len, remote);
    if (at < 0) return false;
    copyBytes(this.tx.bytes, at, bytes, off, len);
    return true;
  }

  /**
   * Queues a datagram of `len` octets for `remote` (copied) and returns the offset in
   * `txBytes()` where the application writes its payload, before the next `poll`; or -1,
   * queueing nothing, when the transmit queue has no room now. Throws as `sendSlice`.
   */
  sendBegin(len: number, remote: IpEndpoint): number {
    this.checkSend(len, remote);
    const tx = this.tx;
    const m = tx.enqueue(len);
    if (m === null) return -1;
    m.remote.copyFrom(remote);
    return tx.enqueuedOffset;
  }

  /** The misuse checks of `sendBegin`; throws. */
  private checkSend(len: number, remote: IpEndpoint): void {
    if (this.local.port === 0) throw new SocketError(SocketErrorCode.NotBound);
    const addr = remote.addr;
    if (remote.port <= 0 || remote.port > 65535 || addr.isUnspecified()) {
      throw new SocketError(SocketErrorCode.Unaddressable, "remote endpoint " + remote);
    }
    const bound = this.local.addr.version;
    if (bound !== IpVersion.Unspecified && bound !== addr.version) {
      throw new SocketError(SocketErrorCode.Unaddressable, "remote " + remote + " for a socket bound to " + this.local);
    }
    const max = addr.version === IpVersion.Ipv4 ? MAX_PAYLOAD_V4 : MAX_PAYLOAD_V6;
    if (!Number.isInteger(len) || len < 0 || len > max || len > this.tx.payloadCapacity()) {
      throw new SocketError(SocketErrorCode.TooLarge, len + " octets, the send buffer holds " + this.tx.payloadCapacity());
    }
  }

  // --- Receiving -------------------------------------------------------------------------------

  /** Records the sender and the destination address of the datagram `peek` returns. */
  protected override recordSender(m: UdpPacketMeta): void {
    this.lastRecvEndpoint.copyFrom(m.remote);
    this.lastRecvLocalAddr.copyFrom(m.localAddr);
  }

  /** "UdpSocket", for log lines and error messages. */
  protected override logTag(): string {
    return "UdpSocket";
  }

  // --- The interface side (socket/index.ts) ----------------------------------------------------

  /**
   * Whether this socket wants the datagram `ip`/`udp` describes: the destination port is the
   * bound port, and the destination address is the bound address if there is one.
   */
  accepts(ip: IpRepr, udp: UdpRepr): boolean {
    const local = this.local;
    if (local.port === 0 || udp.dstPort !== local.port) return false;
    return local.addr.version === IpVersion.Unspecified || local.addr.equals(ip.dstAddr);
  }

  /**
   * Queues the payload of an accepted datagram: `len` octets at `off` in `bytes`, from
   * `ip.srcAddr`:`udp.srcPort` to `ip.dstAddr`. Returns false, and counts, when the receive
   * queue is full (`rxDropped`) or the datagram is larger than the whole receive buffer
   * (`rxTooLarge`), or when the range leaves `bytes`. Never throws.
   */
  process(now: Instant, ip: IpRepr, udp: UdpRepr, bytes: Uint8Array, off: number, len: number): boolean {
    if (off < 0 || len < 0 || off + len > bytes.length) return false;
    const m = this.queueRecv(bytes, off, len);
    if (m === null) return false;
    m.remote.addr.copyFrom(ip.srcAddr);
    m.remote.port = udp.srcPort;
    m.localAddr.copyFrom(ip.dstAddr);
    return true;
  }

  /**
   * Describes the oldest queued datagram without dequeueing it: returns its payload length, or
   * -1 when none is queued. Fills `ip` (version and destination from the remote endpoint;
   * source: the bound address if unicast, else the unspecified address of that version for the
   * interface to choose; `nextHeader` UDP; `payloadLen` the UDP length; `hopLimit`, 0 for the
   * interface's default) and `udp`
   * (ports; `payloadLen`; `payloadOffset`, the payload's offset in `txBytes()`). Calling it
   * again before `dispatchCommit` / `dispatchDrop` describes the same datagram.
   */
  dispatchPeek(now: Instant, ip: IpRepr, udp: UdpRepr): number {
    const tx = this.tx;
    const m = tx.peek();
    if (m === null) return -1;
    const len = tx.peekLen();
    const remote = m.remote.addr;
    const bound = this.local.addr;
    ip.version = remote.version;
    if (bound.version === remote.version && bound.isUnicast()) ip.srcAddr.copyFrom(bound);
    else if (remote.version === IpVersion.Ipv4) ip.srcAddr.setV4(0);
    else ip.srcAddr.setV6(IPV6_UNSPECIFIED);
    ip.dstAddr.copyFrom(remote);
    ip.nextHeader = IpProtocol.Udp;
    ip.payloadLen = UDP_HEADER + len;
    // 0: the interface's default (`Config.hopLimit`).
    ip.hopLimit = this.hop;
    udp.srcPort = this.local.port;
    udp.dstPort = m.remote.port;
    udp.payloadOffset = tx.peekOffset();
    udp.payloadLen = len;
    return len;
  }

  /** Copies the payload of the datagram `dispatchPeek` described to `dst[off...]`. */
  dispatchPayload(dst: Uint8Array, off: number): void {
    this.copyQueued(dst, off);
  }
}
