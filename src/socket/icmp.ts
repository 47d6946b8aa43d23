/**
 * The ICMP socket: smoltcp's `icmp::Socket`, for ICMPv4 (RFC 792) and ICMPv6 (RFC 4443).
 *
 * An ICMP socket sends and receives **whole ICMP messages**, header included, as smoltcp's does:
 * the application writes the type, the code, the identifier and sequence number (or whatever the
 * type's second word holds) and the data, and reads back exactly the message that arrived. Its
 * main use is ping; its second is learning that a UDP datagram bounced. Each queued message has
 * one remote address, kept in a preallocated `IpAddress` record of a `PacketBuffer`; the
 * version of that address says whether the message is ICMPv4 or ICMPv6.
 *
 * ## Binding (smoltcp's `icmp::Endpoint`)
 *
 * A socket receives nothing until it is bound, one of two ways, once (`close()` unbinds):
 *
 * - `bindIdent(ident)`: echo messages whose Identifier is `ident`. RFC 792: "The identifier and
 *   sequence number may be used by the echo sender to aid in matching the replies with the echo
 *   requests. For example, the identifier might be used like a port in TCP or UDP to identify a
 *   session". As smoltcp does (and still does today), the socket accepts both Echo Reply and
 *   **Echo Request** with that identifier, of either version. The interface answers echo
 *   requests itself whatever the sockets do (smoltcp PR #78), so a socket that sees a request is
 *   only an observer; but a ping of one of the host's own addresses delivers the request *and*
 *   the reply to the pinging socket, so a ping application checks the type it reads back.
 * - `bindUdp(endpoint)`: the ICMP errors about UDP datagrams sent from `endpoint`. RFC 1122
 *   §4.1.3.3: "UDP MUST pass to the application layer all ICMP error messages that it receives
 *   from the IP layer." The socket accepts an error whose quoted packet is UDP, whose quoted
 *   source address is `endpoint.addr` (any, if that is unspecified) and whose quoted UDP source
 *   port is `endpoint.port`. The errors are Destination Unreachable, Time Exceeded and Parameter
 *   Problem for ICMPv4 (the error types `Icmpv4Repr.parse` accepts) and every ICMPv6 error type:
 *   Packet Too Big, and unknown error types too, as RFC 4443 §2.4 (a) asks ("If an ICMPv6 error
 *   message of unknown type is received at a host, it MUST be passed to the upper-layer process
 *   that originated the packet that caused the error, where this is identifiable").
 *
 * Deviations from smoltcp, on purpose: smoltcp accepts Destination Unreachable and Time Exceeded
 * only, and compares the bound address with the error's IP destination; this socket compares it
 * with the quoted source address, the address the datagram really left from (the two agree
 * unless a router misbehaves). smoltcp parses the quoted UDP header with the receive checksum
 * capabilities; this socket reads only the source port, since the quote is usually cut short.
 * It requires the quote to hold the whole 8-octet UDP header (RFC 792 promises "64 bits of
 * Original Data Datagram"), and refuses an ICMPv4 quote of a fragment other than the first,
 * which carries no UDP header.
 *
 * ## Messages, both ways
 *
 * Sending: `sendSlice` copies a message, `sendBegin` reserves room for one to be written in place
 * (in `txBytes()`, before the next `poll`), `sendEchoRequest` writes an Echo Request in place.
 * A message must hold at least the 8-octet header that every ICMPv4 and ICMPv6 message this stack
 * knows has (`SocketError(Malformed)` otherwise); its type is not checked, so any ICMP message
 * can be sent (smoltcp parses the message at dispatch and drops what its repr does not know).
 * The socket need not be bound to send, as in smoltcp. A full buffer answers false or -1; a
 * message larger than the buffer could ever hold, or than an IP packet can carry, throws
 * `SocketError(TooLarge)`; an unspecified remote, or one of a version left out of the bundle,
 * throws `SocketError(Unaddressable)`.
 *
 * **The checksum is filled at dispatch.** The application leaves the Checksum field alone (it is
 * overwritten). For ICMPv6 it covers a pseudo-header with the source address (RFC 4443 §2.3),
 * which the interface chooses only after the socket has said where the message goes. So the
 * interface calls `dispatchPayload(dst, off, ip, caps)` with `ip` completed (source chosen), and
 * the socket computes the checksum over the message in its own ring, where it is contiguous,
 * if `checksumTx(caps.icmpv4)` / `checksumTx(caps.icmpv6)` (else it writes 0 for the device to
 * fill), then copies the message out. RFC 792: "The checksum is the 16-bit ones's complement of
 * the one's complement sum of the ICMP message starting with the ICMP Type. For computing the
 * checksum, the checksum field should be zero."
 *
 * Receiving: `recv` hands out the oldest message in place (`recvOffset` in `rxBytes()`, valid
 * until the next `poll`), `recvSlice` copies it (cut to the room given, as smoltcp's
 * `recv_slice` does; the rest of the message is lost), `peek` / `peekSlice` look without
 * dequeueing. The sender is left in `lastRecvAddr`. A queued message is the received octets
 * verbatim, the received checksum included (smoltcp re-emits its repr, so its copy carries a
 * fresh checksum; here the interface has verified the received one if its capabilities say so).
 *
 * ## The interface side (see `src/socket/index.ts`)
 *
 * - `accepts(ip, bytes, off, len)`: whether the socket wants the `len`-octet ICMP message at
 *   `off` in `bytes`, which arrived in `ip`. The interface has parsed it (into `Icmpv4Repr` or
 *   `Icmpv6Repr`) without error before; the socket reads the few fields it matches on (type,
 *   identifier, the quoted header and UDP source port) from the bytes, checking every length it
 *   relies on, so it never reads outside the message whatever it is given. The interface offers
 *   every message to every ICMP socket, and still handles it itself (answers echo requests).
 * - `process(now, ip, bytes, off, len)`: queues the message verbatim and the sender
 *   `ip.srcAddr`; false when the receive buffer is full (or could never hold it). Never throws.
 * - `dispatchPeek(now, ip)`: -1, or the length of the oldest queued message with `ip` filled:
 *   destination from the record, source the unspecified address of that version (the interface
 *   chooses), next header ICMP or ICMPv6, payload length, hop limit (0: the interface's
 *   default).
 * - `dispatchPayload(dst, off, ip, caps)` (checksum, then copy), then `dispatchCommit()`; or
 *   `dispatchDrop(code)`, which `takeError()` reports.
 * - `pollDelay(now)`: `POLL_NOW` when a message waits, else `POLL_INGRESS`.
 *
 * Nothing here allocates after construction: the records, `lastRecvAddr` and the bound endpoint
 * are made once and overwritten in place, and every copy goes through `copyBytes`.
 *
 * What is NOT supported: binding to a TCP port (smoltcp added it in 2025), ICMPv4 errors of types
 * `Icmpv4Repr` does not parse (source quench, redirect), quoted IPv6 packets with extension
 * headers before the UDP header, matching on the quoted destination, more than one binding per
 * socket, and any rate limiting of what the application sends.
 */

import { BoundsError, type Arena } from "../storage/arena.js";
import { copyBytes } from "../storage/copy.js";
import { type ChecksumCapabilities, checksumData, checksumTx } from "../wire/checksum.js";
import { IpAddress, IpEndpoint, IpProtocol, IpVersion, IPV6_UNSPECIFIED } from "../wire/ip.js";
import type { IpRepr } from "../wire/ip-repr.js";
import { Icmpv4Message } from "../wire/icmpv4.js";
import { Icmpv6Message, icmpv6FillChecksum } from "../wire/icmpv6.js";
import type { Instant } from "../time.js";
import { PROTO_IPV4, PROTO_IPV6 } from "../features.js";
import { SocketError, SocketErrorCode } from "./error.js";
import { DatagramSocket } from "./datagram.js";
import { SocketKind, type Socket } from "./set.js";
import { ICMP_HEADER_LEN } from "../wire/icmp.js";

// ICMP_HEADER_LEN (src/wire/icmp.ts): the least a message sent through the socket may hold.
export { ICMP_HEADER_LEN };

// Field offsets in an ICMPv4 or ICMPv6 message (the same in both).
const TYPE = 0;
const CHECKSUM = 2;
const ECHO_IDENT = 4;
const ECHO_SEQNO = 6;

// What `accepts` reads of a quoted packet.
/** Offsets in a quoted IPv4 header: version and IHL, flags and fragment offset, protocol, source. */
const V4_VER_IHL = 0;
const V4_FRAGMENT = 6;
const V4_PROTOCOL = 9;
const V4_SRC_ADDR = 12;
/** Offsets in a quoted IPv6 fixed header: version, next header, source. */
const V6_VERSION = 0;
const V6_NEXT_HEADER = 6;
const V6_SRC_ADDR = 8;
/** Length of the IPv6 fixed header and of the smallest IPv4 header. */
const V6_HEADER_LEN = 40;
const V4_MIN_HEADER_LEN = 20;
/** Length of a UDP header: the quote must hold all of it. Its first field is the Source Port. */
const UDP_HEADER_LEN = 8;

/** The largest ICMP message an IPv4 packet carries: 65535 - 20. */
const MAX_MESSAGE_V4 = 65515;
/** The largest ICMP message an IPv6 packet carries without jumbograms (the Payload Length). */
const MAX_MESSAGE_V6 = 65535;

/** How a socket is bound (smoltcp's `icmp::Endpoint`). */
export const enum IcmpBinding {
  /** Not bound: receives nothing (smoltcp's `Endpoint::Unspecified`). */
  None = 0,
  /** Bound to an echo identifier (`Endpoint::Ident`). */
  Ident = 1,
  /** Bound to a local UDP endpoint, for the ICMP errors about it (`Endpoint::Udp`). */
  Udp = 2,
}

/** Makes one metadata record: the remote address of a queued message. Called at construction only. */
function makeAddress(): IpAddress {
  return new IpAddress();
}

/** The big-endian int32 at `i` in `b` (an IPv4 address, or a word of an IPv6 one). */
function readInt32(b: Uint8Array, i: number): number {
  return (b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3];
}

/** An ICMP socket (see the module comment). */
export class IcmpSocket extends DatagramSocket<IpAddress> implements Socket {
  /** `SocketKind.Icmp`, for the interface's dispatch. */
  readonly kind = SocketKind.Icmp;
  /** The sender of the message the last `recv*` / `peek*` returned. Overwritten by each call. */
  readonly lastRecvAddr = new IpAddress();
  /** How the socket is bound. */
  private binding: IcmpBinding = IcmpBinding.None;
  /** The echo identifier, when bound with `bindIdent`. */
  private ident = 0;
  /** The local UDP endpoint, when bound with `bindUdp` (owned; overwritten in place). */
  private readonly udp = new IpEndpoint();

  /**
   * Creates an unbound socket whose receive queue holds `rxPackets` messages of `rxPayload`
   * octets in all, and whose transmit queue holds `txPackets` messages of `txPayload` octets.
   * The payload rings are reserved from `arena` if one is given (then every copy to and from a
   * frame carved from the same arena is a `copyWithin`). Throws `CapacityError` for a bad size.
   * The records of both queues are the remote addresses of the messages.
   */
  constructor(rxPackets: number, rxPayload: number, txPackets: number, txPayload: number, arena?: Arena) {
    super(rxPackets, rxPayload, txPackets, txPayload, makeAddress, arena);
  }

  // --- Binding ---------------------------------------------------------------------------------

  /**
   * Binds the socket to the echo identifier `ident`, 0..65535 (0 is an identifier like any
   * other; RFC 4443 §4.1 says of it "May be zero"). Throws `SocketError(Unaddressable)` for any
   * other value and `SocketError(InvalidState)` if the socket is already bound.
   */
  bindIdent(ident: number): void {
    if (!Number.isInteger(ident) || ident < 0 || ident > 0xffff) {
      throw new SocketError(SocketErrorCode.Unaddressable, "echo identifier " + ident);
    }
    if (this.binding !== IcmpBinding.None) throw new SocketError(SocketErrorCode.InvalidState, "the ICMP socket is already bound");
    this.binding = IcmpBinding.Ident;
    this.ident = ident;
  }

  /**
   * Binds the socket to the ICMP errors about UDP datagrams sent from `endpoint` (copied): its
   * port must be 1..65535; its address may be unspecified, for any of the host's. Throws
   * `SocketError(Unaddressable)` for port 0 (smoltcp: the endpoint is not specified) or a
   * number that is no port, `SocketError(InvalidState)` if the socket is already bound.
   */
  bindUdp(endpoint: IpEndpoint): void {
    const port = endpoint.port;
    if (!Number.isInteger(port) || port <= 0 || port > 0xffff) throw new SocketError(SocketErrorCode.Unaddressable, "UDP port " + port);
    if (this.binding !== IcmpBinding.None) throw new SocketError(SocketErrorCode.InvalidState, "the ICMP socket is already bound");
    this.binding = IcmpBinding.Udp;
    this.udp.copyFrom(endpoint);
  }

  /** How the socket is bound (`IcmpBinding.None` when it is not). */
  bindingKind(): IcmpBinding {
    return this.binding;
  }

  /** The bound echo identifier (meaningful when `bindingKind()` is `Ident`). */
  boundIdent(): number {
    return this.ident;
  }

  /** The bound UDP endpoint (port 0 unless `bindingKind()` is `Udp`). The socket's own record: never modify it. */
  boundUdp(): Readonly<IpEndpoint> {
    return this.udp;
  }

  /** Whether the socket is bound (smoltcp's `is_open`). */
  isOpen(): boolean {
    return this.binding !== IcmpBinding.None;
  }

  /** Unbinds the socket and drops every queued message, both ways. It may be bound again. */
  close(): void {
    this.binding = IcmpBinding.None;
    this.ident = 0;
    this.udp.addr.clear();
    this.udp.port = 0;
    this.rx.clear();
    this.tx.clear();
  }

  // --- Sending ---------------------------------------------------------------------------------

  /**
   * Queues a copy of the `len`-octet ICMP message at `off` in `bytes` for `remote` (copied);
   * ICMPv4 or ICMPv6 by the version of `remote`. Returns false, queueing nothing, when the
   * transmit queue has no room now. Throws as `sendBegin` does, and `BoundsError` if the range
   * leaves `bytes`.
   */
  sendSlice(bytes: Uint8Array, off: number, len: number, remote: IpAddress): boolean {
    if (off < 0 || len < 0 || off + len > bytes.length) throw new BoundsError("IcmpSocket.sendSlice: " + len + " octets at " + off + " of " + bytes.length);
    const at = this.sendBegin(len, remote);
    if (at < 0) return false;
    copyBytes(this.tx.bytes, at, bytes, off, len);
    return true;
  }

  /**
   * Queues a message of `len` octets for `remote` (copied) and returns the offset in
   * `txBytes()` where the application writes the whole message (the Checksum field excepted)
   * before the next `poll`; or -1, queueing nothing, when the transmit queue has no room now.
   * Throws `SocketError` `Unaddressable` (remote unspecified, or of a version left out of the
   * bundle), `Malformed` (`len` not an integer of at least 8) or `TooLarge` (more than
   * `payloadSendCapacity()` or than an IP packet carries).
   */
  sendBegin(len: number, remote: IpAddress): number {
    this.checkSend(len, remote);
    const tx = this.tx;
    const rec = tx.enqueue(len);
    if (rec === null) return -1;
    rec.copyFrom(remote);
    return tx.enqueuedOffset;
  }

  /**
   * Queues an Echo Request (ICMPv4 type 8, or ICMPv6 type 128 when `remote` is IPv6) with
   * identifier `ident`, sequence number `seqNo` (both taken modulo 65536) and the `dataLen`
   * octets at `dataOff` in `data`, written in place. Returns false when the transmit queue has
   * no room now. Throws as `sendSlice` does. RFC 792: "The data received in the echo message must
   * be returned in the echo reply message", so the data is where a ping keeps what it needs to
   * match the reply (a timestamp, say).
   */
  sendEchoRequest(remote: IpAddress, ident: number, seqNo: number, data: Uint8Array, dataOff: number, dataLen: number): boolean {
    if (dataOff < 0 || dataLen < 0 || dataOff + dataLen > data.length) {
      throw new BoundsError("IcmpSocket.sendEchoRequest: " + dataLen + " octets at " + dataOff + " of " + data.length);
    }
    const at = this.sendBegin(ICMP_HEADER_LEN + dataLen, remote);
    if (at < 0) return false;
    const dv = this.tx.dv;
    dv.setUint8(at + TYPE, remote.version === IpVersion.Ipv6 ? Icmpv6Message.EchoRequest : Icmpv4Message.EchoRequest);
    dv.setUint8(at + TYPE + 1, 0);
    dv.setUint16(at + CHECKSUM, 0);
    dv.setUint16(at + ECHO_IDENT, ident & 0xffff);
    dv.setUint16(at + ECHO_SEQNO, seqNo & 0xffff);
    copyBytes(this.tx.bytes, at + ICMP_HEADER_LEN, data, dataOff, dataLen);
    return true;
  }

  /** The misuse checks of `sendBegin`; throws. */
  private checkSend(len: number, remote: IpAddress): void {
    const v = remote.version;
    if (remote.isUnspecified() || (v === IpVersion.Ipv4 && !PROTO_IPV4) || (v === IpVersion.Ipv6 && !PROTO_IPV6)) {
      throw new SocketError(SocketErrorCode.Unaddressable, "ICMP remote address " + remote);
    }
    if (!Number.isInteger(len) || len < ICMP_HEADER_LEN) {
      throw new SocketError(SocketErrorCode.Malformed, "an ICMP message holds at least " + ICMP_HEADER_LEN + " octets: " + len);
    }
    const max = v === IpVersion.Ipv4 ? MAX_MESSAGE_V4 : MAX_MESSAGE_V6;
    if (len > max || len > this.tx.payloadCapacity()) {
      throw new SocketError(SocketErrorCode.TooLarge, len + " octets, the send buffer holds " + this.tx.payloadCapacity());
    }
  }

  // --- Receiving -------------------------------------------------------------------------------

  /** Records the sender of the message `peek` returns in `lastRecvAddr`. */
  protected override recordSender(rec: IpAddress): void {
    this.lastRecvAddr.copyFrom(rec);
  }

  /** "IcmpSocket", for log lines and error messages. */
  protected override logTag(): string {
    return "IcmpSocket";
  }

  // --- The interface side (socket/index.ts) ----------------------------------------------------

  /**
   * Whether this socket wants the `len`-octet ICMP message at `off` in `bytes` (ICMPv4 when
   * `ip.version` is 4, ICMPv6 when 6; the interface has parsed it without error). Bound to an
   * identifier: an Echo Request or Reply with that identifier. Bound to a UDP endpoint: an error
   * quoting a UDP datagram from that endpoint, with its whole UDP header (see the module
   * comment). Reads nothing outside the message; no side effects.
   */
  accepts(ip: IpRepr, bytes: Uint8Array, off: number, len: number): boolean {
    const binding = this.binding;
    if (binding === IcmpBinding.None || off < 0 || len < ICMP_HEADER_LEN || off + len > bytes.length) return false;
    const type = bytes[off + TYPE];
    const version = ip.version;
    if (binding === IcmpBinding.Ident) {
      if (version === IpVersion.Ipv4) {
        if (!PROTO_IPV4 || (type !== Icmpv4Message.EchoRequest && type !== Icmpv4Message.EchoReply)) return false;
      } else if (version === IpVersion.Ipv6) {
        if (!PROTO_IPV6 || (type !== Icmpv6Message.EchoRequest && type !== Icmpv6Message.EchoReply)) return false;
      } else {
        return false;
      }
      return ((bytes[off + ECHO_IDENT] << 8) | bytes[off + ECHO_IDENT + 1]) === this.ident;
    }
    // Bound to a UDP endpoint: an error message, whose body starts with the quoted IP header.
    const bound = this.udp.addr;
    const anyAddr = bound.isUnspecified();
    const q = off + ICMP_HEADER_LEN;
    let udpAt = 0;
    if (version === IpVersion.Ipv4) {
      if (!PROTO_IPV4) return false;
      if (type !== Icmpv4Message.DstUnreachable && type !== Icmpv4Message.TimeExceeded && type !== Icmpv4Message.ParamProblem) return false;
      if (len < ICMP_HEADER_LEN + V4_MIN_HEADER_LEN + UDP_HEADER_LEN) return false;
      const verIhl = bytes[q + V4_VER_IHL];
      const ihl = (verIhl & 0x0f) << 2;
      if ((verIhl >> 4) !== 4 || ihl < V4_MIN_HEADER_LEN || len < ICMP_HEADER_LEN + ihl + UDP_HEADER_LEN) return false;
      if (bytes[q + V4_PROTOCOL] !== IpProtocol.Udp) return false;
      // Only the first fragment (offset 0) carries the UDP header.
      if ((((bytes[q + V4_FRAGMENT] & 0x1f) << 8) | bytes[q + V4_FRAGMENT + 1]) !== 0) return false;
      if (!anyAddr && (bound.version !== IpVersion.Ipv4 || readInt32(bytes, q + V4_SRC_ADDR) !== bound.v4)) return false;
      udpAt = q + ihl;
    } else if (version === IpVersion.Ipv6) {
      if (!PROTO_IPV6) return false;
      // RFC 4443 §2.1: "error messages are identified as such by a zero in the high-order bit".
      if ((type & 0x80) !== 0) return false;
      if (len < ICMP_HEADER_LEN + V6_HEADER_LEN + UDP_HEADER_LEN) return false;
      if ((bytes[q + V6_VERSION] >> 4) !== 6 || bytes[q + V6_NEXT_HEADER] !== IpProtocol.Udp) return false;
      if (!anyAddr) {
        if (bound.version !== IpVersion.Ipv6) return false;
        const a = bound.v6;
        const s = q + V6_SRC_ADDR;
        if (readInt32(bytes, s) !== a.w0 || readInt32(bytes, s + 4) !== a.w1 || readInt32(bytes, s + 8) !== a.w2 || readInt32(bytes, s + 12) !== a.w3) return false;
      }
      udpAt = q + V6_HEADER_LEN;
    } else {
      return false;
    }
    return ((bytes[udpAt] << 8) | bytes[udpAt + 1]) === this.udp.port;
  }

  /**
   * Queues the `len`-octet ICMP message at `off` in `bytes`, verbatim, with its sender
   * `ip.srcAddr`. Returns false, and counts, when the receive queue is full (`rxDropped`) or the
   * message is larger than the whole receive buffer (`rxTooLarge`), or when the range leaves
   * `bytes`. Never throws.
   */
  process(now: Instant, ip: IpRepr, bytes: Uint8Array, off: number, len: number): boolean {
    if (off < 0 || len < 0 || off + len > bytes.length) return false;
    const rec = this.queueRecv(bytes, off, len);
    if (rec === null) return false;
    rec.copyFrom(ip.srcAddr);
    return true;
  }

  /**
   * Describes the oldest queued message without dequeueing it: returns its length, or -1 when
   * none is queued. Fills `ip`: version and destination from the record, the unspecified source
   * address of that version (the interface chooses one), `nextHeader` ICMP or ICMPv6,
   * `payloadLen` the message length, `hopLimit` (0 for the interface's default). Calling it
   * again before `dispatchCommit` / `dispatchDrop` describes the same message.
   */
  dispatchPeek(now: Instant, ip: IpRepr): number {
    const tx = this.tx;
    const rec = tx.peek();
    if (rec === null) return -1;
    const len = tx.peekLen();
    if (rec.version === IpVersion.Ipv6) ip.setV6(IPV6_UNSPECIFIED, rec.v6, IpProtocol.Icmpv6, len, this.hop);
    else ip.setV4(0, rec.v4, IpProtocol.Icmp, len, this.hop);
    return len;
  }

  /**
   * Fills in the Checksum of the message `dispatchPeek` described and copies the message to
   * `dst[off...]`; returns its length, or -1 (copying nothing) when none is queued. `ip` is the
   * repr `dispatchPeek` filled, completed by the interface: its source address must be chosen,
   * since the ICMPv6 checksum covers it. The checksum is computed (RFC 792; RFC 4443 §2.3 with
   * the pseudo-header of `ip.srcAddr`, `ip.dstAddr`) if `checksumTx(caps.icmpv4)` or
   * `checksumTx(caps.icmpv6)` says the software fills it, else the field is 0 for the device. It
   * is written into the queued copy first (a later attempt writes it again).
   */
  dispatchPayload(dst: Uint8Array, off: number, ip: IpRepr, caps: ChecksumCapabilities): number {
    const tx = this.tx;
    const len = tx.peekLen();
    if (len < 0) return -1;
    const at = tx.peekOffset();
    const dv = tx.dv;
    dv.setUint16(at + CHECKSUM, 0);
    if (ip.version === IpVersion.Ipv6) {
      if (PROTO_IPV6 && checksumTx(caps.icmpv6)) icmpv6FillChecksum(dv, at, len, ip.srcAddr.v6, ip.dstAddr.v6);
    } else if (checksumTx(caps.icmpv4)) {
      dv.setUint16(at + CHECKSUM, ~checksumData(dv, at, len) & 0xffff);
    }
    return this.copyQueued(dst, off);
  }
}
