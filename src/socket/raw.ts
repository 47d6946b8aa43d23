/**
 * The raw IP socket (smoltcp's `raw::Socket`): whole IP packets of one version and one protocol,
 * in both directions, for protocols the stack does not implement (OSPF, VRRP, a DHCP client
 * that builds its own headers, a test harness).
 *
 * A raw socket is made for an IP version (4 or 6) and a protocol number (0..255) and is open
 * from the start: there is nothing to bind.
 *
 * ## Receiving
 * The interface offers every packet whose version and upper-layer protocol (after any IPv6
 * extension headers, `IpRepr.nextHeader`) match (`accepts`), and `process` queues a copy of the
 * **whole IP packet, header included**, as smoltcp does. Unlike smoltcp, which re-emits a
 * header from the parsed repr, the copy is the packet as it arrived, options and extension
 * headers included; octets after the length the header states (Ethernet padding) are left out.
 * Whether the interface also hands the packet to its own protocol handling is the interface's
 * business. A packet larger than the whole receive buffer is refused (`rxTooLarge`), one that
 * finds the queue full is refused (`rxDropped`); `process` never throws.
 *
 * The application reads with `recvSlice` (copy, truncating as the UDP socket does), `recv`
 * (in place at `recvOffset` in `rxBytes()`, valid until the next `poll`) or `peek` /
 * `peekSlice` (without dequeueing); -1 means nothing is queued.
 *
 * ## Sending
 * The application builds the whole IP packet, header included, and queues it with `sendSlice`
 * or writes it in place after `sendBegin` (before the next `poll`). A full queue answers
 * `false` / -1; a packet larger than the transmit buffer (or than 65535 octets) throws
 * `SocketError(TooLarge)`.
 *
 * The packet is checked when the interface asks for it (`dispatchPeek`), not when it is queued,
 * because a packet written in place after `sendBegin` only exists then. It must be a well-formed
 * packet of the socket's version and protocol, with nothing after it:
 * - IPv4: a header that passes `Ipv4Packet.check()` (IHL of at least 5, the header and the
 *   Total Length inside the packet), Version 4, Protocol equal to the socket's, Total Length
 *   equal to the queued length, and a TTL other than 0 (RFC 1122 §3.2.1.7: "A host MUST NOT
 *   send a datagram with a Time-to-Live (TTL) value of zero.");
 * - IPv6: the 40-octet fixed header, Version 6, Next Header equal to the socket's protocol,
 *   40 + Payload Length equal to the queued length, and a hop limit other than 0 (by analogy).
 * A packet that fails is dropped, counted in `txMalformed`, and `takeError()` reports
 * `Malformed`; `dispatchPeek` then goes on to the next queued packet.
 *
 * **The IPv4 header checksum is the socket's job**: `dispatchPeek` computes it and writes it
 * into the queued header (options included), whatever the application left there, and always
 * in software, whatever the device's checksum capabilities, because the interface sends the
 * packet as it stands and only prepends the Ethernet header. Linux does the same for raw
 * sockets with `IP_HDRINCL` (raw(7): "IP Header checksum: Always filled in"); a device that
 * computes IPv4 checksums itself writes the same value again. Every other field, the source
 * address included, is sent as the application wrote it: an unspecified source (a DHCP client
 * sending from 0.0.0.0) stays unspecified, and the interface must not choose one for a raw
 * packet. Checksums inside the payload (UDP, TCP, ICMP) are the application's.
 *
 * `dispatchPeek` fills the `IpRepr` from the queued header (the interface needs the destination
 * to route it); `dispatchPayload` copies the whole packet; `dispatchCommit` / `dispatchDrop`
 * dequeue it, as for the UDP socket (see `socket/index.ts`).
 *
 * **Not supported**: a socket for every protocol (smoltcp's unfiltered raw socket, #1067);
 * sending IPv6 packets with extension headers (the fixed header's Next Header must be the
 * socket's protocol); filling in any header field other than the IPv4 checksum (Linux also
 * fills Total Length, Identification and a zero source address); fragments are neither
 * refused nor reassembled on receive (the interface drops them first).
 */

import { IpVersion } from "../wire/ip.js";
import type { IpRepr } from "../wire/ip-repr.js";
import { WireError } from "../wire/error.js";
import { Ipv4Packet } from "../wire/ipv4.js";
import { Ipv6Packet } from "../wire/ipv6.js";
import { BoundsError, type Arena } from "../storage/arena.js";
import { copyBytes } from "../storage/copy.js";
import type { Instant } from "../time.js";
import { LOG, PROTO_IPV4, PROTO_IPV6 } from "../features.js";
import { LogLevel, logEnabled, netDebug } from "../log.js";
import { SocketError, SocketErrorCode } from "./error.js";
import { DatagramSocket } from "./datagram.js";
import { SocketKind, type Socket } from "./set.js";

/** The largest IP packet without jumbograms: the 16-bit length fields. */
const MAX_PACKET = 65535;

/**
 * The record a raw socket's packet buffers keep per packet. A raw packet carries everything in
 * its own header, so there is nothing in it; it exists because `PacketBuffer` hands one out.
 */
export class RawPacketMeta {}

/** The metadata factory of both packet buffers (called once per slot, at construction). */
function makeRawPacketMeta(): RawPacketMeta {
  return new RawPacketMeta();
}

/** A raw IP socket for one IP version and one protocol. */
export class RawSocket extends DatagramSocket<RawPacketMeta> implements Socket {
  /** The socket kind, for the interface's dispatch. */
  readonly kind = SocketKind.Raw;
  /** The IP version of the packets this socket receives and sends. */
  readonly ipVersion: IpVersion;
  /** The protocol number (IPv4 Protocol, IPv6 upper-layer Next Header) of its packets. */
  readonly protocol: number;
  /** Queued packets dropped because they are not a valid packet of this socket (see the module comment). */
  txMalformed = 0;
  /** A view re-pointed at each queued IPv4 packet (null in a build without IPv4). */
  private readonly v4: Ipv4Packet | null;
  /** A view re-pointed at each queued IPv6 packet (null in a build without IPv6). */
  private readonly v6: Ipv6Packet | null;

  /**
   * Creates a socket for `ipVersion` packets of protocol `protocol`, whose receive queue holds
   * `rxPackets` packets of `rxPayload` octets in all (headers included) and whose transmit queue
   * holds `txPackets` packets of `txPayload` octets. The rings are reserved from `arena` if one
   * is given. Throws `RangeError` for a version other than 4 or 6 (or one left out of the
   * build) or a protocol outside 0..255.
   */
  constructor(ipVersion: IpVersion, protocol: number, rxPackets: number, rxPayload: number, txPackets: number, txPayload: number, arena?: Arena) {
    const versionOk = (PROTO_IPV4 && ipVersion === IpVersion.Ipv4) || (PROTO_IPV6 && ipVersion === IpVersion.Ipv6);
    if (!versionOk) throw new RangeError("raw socket IP version must be 4 or 6 (and in this build): " + ipVersion);
    if (!Number.isInteger(protocol) || protocol < 0 || protocol > 255) throw new RangeError("raw socket protocol must be an integer from 0 to 255: " + protocol);
    super(rxPackets, rxPayload, txPackets, txPayload, makeRawPacketMeta, arena);
    this.ipVersion = ipVersion;
    this.protocol = protocol;
    const tx = this.tx;
    this.v4 = PROTO_IPV4 ? new Ipv4Packet(tx.bytes, tx.dv, 0, 0) : null;
    this.v6 = PROTO_IPV6 ? new Ipv6Packet(tx.bytes, tx.dv, 0, 0) : null;
  }

  // --- Sending ---------------------------------------------------------------------------------

  /**
   * Queues the whole IP packet of `len` octets at `bytes[off...]` (copied). Returns false,
   * queueing nothing, when the transmit queue has no room now. Throws `SocketError(TooLarge)`
   * for a packet larger than the transmit buffer or 65535 octets, `BoundsError` if the range
   * leaves `bytes`. The packet is checked when it is sent (see the module comment).
   */
  sendSlice(bytes: Uint8Array, off: number, len: number): boolean {
    if (off < 0 || len < 0 || off + len > bytes.length) throw new BoundsError("RawSocket.sendSlice: " + len + " octets at " + off + " of " + bytes.length);
    const at = this.sendBegin(len);
    if (at < 0) return false;
    copyBytes(this.tx.bytes, at, bytes, off, len);
    return true;
  }

  /**
   * Queues a packet of `len` octets and returns the offset in `txBytes()` where the application
   * writes it, header first, before the next `poll`; or -1, queueing nothing, when the transmit
   * queue has no room now. Throws as `sendSlice`.
   */
  sendBegin(len: number): number {
    const tx = this.tx;
    if (!Number.isInteger(len) || len < 0 || len > MAX_PACKET || len > tx.payloadCapacity()) {
      throw new SocketError(SocketErrorCode.TooLarge, len + " octets, the send buffer holds " + tx.payloadCapacity());
    }
    if (tx.enqueue(len) === null) return -1;
    return tx.enqueuedOffset;
  }

  // --- Receiving -------------------------------------------------------------------------------

  /** A raw packet carries its sender in its own header: nothing to record. */
  protected override recordSender(m: RawPacketMeta): void {}

  /** "RawSocket", for log lines and error messages. */
  protected override logTag(): string {
    return "RawSocket";
  }

  // --- The interface side (socket/index.ts) ----------------------------------------------------

  /** Whether this socket wants the packet: same IP version, same upper-layer protocol. */
  accepts(ip: IpRepr): boolean {
    return ip.version === this.ipVersion && ip.nextHeader === this.protocol;
  }

  /**
   * Queues a copy of the whole IP packet in `len` octets at `off` in `bytes`, header included.
   * If the header states a shorter length than `len` (link-layer padding), only that much is
   * kept. Returns false, and counts, when the packet is larger than the whole receive buffer
   * (`rxTooLarge`) or the queue is full (`rxDropped`), or when the range leaves `bytes`. Never
   * throws.
   */
  process(now: Instant, ip: IpRepr, bytes: Uint8Array, off: number, len: number): boolean {
    if (off < 0 || len < 0 || off + len > bytes.length) return false;
    // The length the header states (Total Length, or 40 + Payload Length), when it is shorter.
    if (ip.version === IpVersion.Ipv4) {
      if (len >= 20) {
        const total = (bytes[off + 2] << 8) | bytes[off + 3];
        if (total >= 20 && total < len) len = total;
      }
    } else if (len >= 40) {
      const total = 40 + ((bytes[off + 4] << 8) | bytes[off + 5]);
      if (total < len) len = total;
    }
    return this.queueRecv(bytes, off, len) !== null;
  }

  /**
   * Checks the oldest queued packet, fills in its IPv4 header checksum, and returns its whole
   * length, with `ip` filled from its header (version, addresses, protocol, payload length,
   * hop limit); or -1 when nothing valid is queued. Packets that fail the checks are dropped on
   * the way (`txMalformed`, `takeError()` = `Malformed`). Nothing valid is dequeued: calling it
   * again before `dispatchCommit` / `dispatchDrop` describes the same packet.
   */
  dispatchPeek(now: Instant, ip: IpRepr): number {
    const tx = this.tx;
    for (;;) {
      const len = tx.peekLen();
      if (len < 0) return -1;
      const off = tx.peekOffset();
      const ok = this.ipVersion === IpVersion.Ipv4 ? this.prepareV4(off, len, ip) : this.prepareV6(off, len, ip);
      if (ok) return len;
      tx.dequeue();
      this.txMalformed++;
      this.error = SocketErrorCode.Malformed;
      if (LOG && logEnabled(LogLevel.Debug)) netDebug("raw: malformed outgoing packet dropped");
    }
  }

  /** Checks the IPv4 packet at `off`, fills its checksum and describes it in `ip`. */
  private prepareV4(off: number, len: number, ip: IpRepr): boolean {
    const p = this.v4;
    if (!PROTO_IPV4 || p === null) return false;
    const tx = this.tx;
    p.reset(tx.bytes, tx.dv, off, len);
    if (p.check() !== WireError.Ok || p.version() !== 4) return false;
    if (p.protocol() !== this.protocol || p.totalLen() !== len || p.ttl() === 0) return false;
    p.fillChecksum();
    ip.setV4(p.srcAddr(), p.dstAddr(), this.protocol, p.payloadLen(), p.ttl());
    return true;
  }

  /** Checks the IPv6 packet at `off` and describes it in `ip`. */
  private prepareV6(off: number, len: number, ip: IpRepr): boolean {
    const p = this.v6;
    if (!PROTO_IPV6 || p === null) return false;
    const tx = this.tx;
    p.reset(tx.bytes, tx.dv, off, len);
    if (p.check() !== WireError.Ok || p.version() !== 6) return false;
    if (p.nextHeader() !== this.protocol || p.totalLen() !== len || p.hopLimit() === 0) return false;
    ip.version = IpVersion.Ipv6;
    ip.srcAddr.version = IpVersion.Ipv6;
    p.srcAddr(ip.srcAddr.v6);
    ip.dstAddr.version = IpVersion.Ipv6;
    p.dstAddr(ip.dstAddr.v6);
    ip.nextHeader = this.protocol;
    ip.payloadLen = p.payloadLen();
    ip.hopLimit = p.hopLimit();
    return true;
  }

  /** Copies the whole packet `dispatchPeek` described (header included) to `dst[off...]`. */
  dispatchPayload(dst: Uint8Array, off: number): void {
    this.copyQueued(dst, off);
  }

}
