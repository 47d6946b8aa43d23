/**
 * The Address Resolution Protocol (RFC 826) for IPv4 over Ethernet.
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Hardware type (ar$hrd)    |     Protocol type (ar$pro)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  HLN (ar$hln) |  PLN (ar$pln) |       Operation (ar$op)       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Sender hardware address (ar$sha), octets 0-3         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       ar$sha, octets 4-5      | Sender protocol addr (ar$spa) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       ar$spa, octets 2-3      | Target hardware addr (ar$tha) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Target hardware address (ar$tha), octets 2-5         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                Target protocol address (ar$tpa)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * RFC 826 lets the two address lengths vary with the hardware and protocol (`ar$hln`,
 * `ar$pln`), so the addresses sit at offsets computed from them. This stack speaks ARP for one
 * pairing only, Ethernet (`ar$hrd` = 1, `ar$hln` = 6) and IPv4 (`ar$pro` = 0x0800, `ar$pln` = 4),
 * for which the packet is the 28 octets drawn above. The view's address accessors use those
 * fixed offsets, and `check()` requires the 28 octets as well as the 8 + 2 * (hln + pln) the
 * length fields announce, so that no accessor can leave the packet whatever the lengths say.
 *
 * `ArpRepr.parse` returns Unsupported for any other hardware type, protocol type or address
 * lengths, and for operations other than request (1) and reply (2) (RFC 826 knows only these;
 * RARP's 3 and 4 and InARP's 8 and 9 are **not** supported). The Ethernet frame's padding after
 * the 28 octets is ignored.
 *
 * What to do with a packet (update the table when the sender is known, answer requests for one
 * of our addresses, gratuitous ARP) is the interface's business, not this file's.
 */

import { WireError } from "./error.js";
import { EthernetAddress, EtherType } from "./ethernet.js";
import { ipv4Format } from "./ip.js";
import { PacketView } from "./view.js";

// Field offsets.
const HTYPE = 0;
const PTYPE = 2;
const HLEN = 4;
const PLEN = 5;
const OPER = 6;
// Address offsets for Ethernet/IPv4 (hln 6, pln 4).
const SHA = 8;
const SPA = 14;
const THA = 18;
const TPA = 24;
/** Length of the fixed part (hardware type to operation). */
const FIXED_LEN = 8;
/** Length of an ARP packet for Ethernet and IPv4. */
export const ARP_ETHERNET_IPV4_LEN = 28;

/** The hardware type `ar$hrd` (IANA "Hardware Types"). */
export const enum ArpHardware {
  Ethernet = 1,
}

/** The operation `ar$op`. */
export const enum ArpOperation {
  Request = 1,
  Reply = 2,
}

/** A printable name for an ARP operation (traces only). */
export function arpOperationName(op: number): string {
  switch (op) {
    case ArpOperation.Request: return "request";
    case ArpOperation.Reply: return "reply";
    default: return "op " + op;
  }
}

/**
 * A view of an ARP packet in a byte buffer. Created once, re-pointed at each packet with
 * `reset`. After `check()` has returned `WireError.Ok`, every accessor stays inside the packet.
 */
export class ArpPacket extends PacketView {
  /**
   * Validates the lengths the accessors use: the fixed part, the addresses the length fields
   * announce, and the 28 octets of the Ethernet/IPv4 layout the address accessors read.
   */
  check(): WireError {
    const len = this.len;
    if (len < FIXED_LEN) return WireError.Truncated;
    const dv = this.dv;
    const off = this.off;
    if (len < FIXED_LEN + 2 * (dv.getUint8(off + HLEN) + dv.getUint8(off + PLEN))) return WireError.Truncated;
    return len < ARP_ETHERNET_IPV4_LEN ? WireError.Truncated : WireError.Ok;
  }

  /** `ar$hrd` */
  hardwareType(): number {
    return this.dv.getUint16(this.off + HTYPE);
  }

  /** `ar$pro`, an EtherType. */
  protocolType(): number {
    return this.dv.getUint16(this.off + PTYPE);
  }

  /** `ar$hln` */
  hardwareLen(): number {
    return this.dv.getUint8(this.off + HLEN);
  }

  /** `ar$pln` */
  protocolLen(): number {
    return this.dv.getUint8(this.off + PLEN);
  }

  /** `ar$op` */
  operation(): number {
    return this.dv.getUint16(this.off + OPER);
  }

  /** Reads `ar$sha` (Ethernet layout) into `out`. */
  sourceHardwareAddr(out: EthernetAddress): EthernetAddress {
    return out.read(this.dv, this.off + SHA);
  }

  /** `ar$spa` (IPv4 layout), int32. */
  sourceProtocolAddr(): number {
    return this.dv.getInt32(this.off + SPA);
  }

  /** Reads `ar$tha` (Ethernet layout) into `out`. */
  targetHardwareAddr(out: EthernetAddress): EthernetAddress {
    return out.read(this.dv, this.off + THA);
  }

  /** `ar$tpa` (IPv4 layout), int32. */
  targetProtocolAddr(): number {
    return this.dv.getInt32(this.off + TPA);
  }

  setHardwareType(v: number): void {
    this.dv.setUint16(this.off + HTYPE, v);
  }

  setProtocolType(v: number): void {
    this.dv.setUint16(this.off + PTYPE, v);
  }

  setHardwareLen(v: number): void {
    this.dv.setUint8(this.off + HLEN, v);
  }

  setProtocolLen(v: number): void {
    this.dv.setUint8(this.off + PLEN, v);
  }

  setOperation(v: number): void {
    this.dv.setUint16(this.off + OPER, v);
  }

  setSourceHardwareAddr(a: EthernetAddress): void {
    a.write(this.dv, this.off + SHA);
  }

  setSourceProtocolAddr(a: number): void {
    this.dv.setInt32(this.off + SPA, a);
  }

  setTargetHardwareAddr(a: EthernetAddress): void {
    a.write(this.dv, this.off + THA);
  }

  setTargetProtocolAddr(a: number): void {
    this.dv.setInt32(this.off + TPA, a);
  }
}

/** The high-level meaning of an Ethernet/IPv4 ARP packet. */
export class ArpRepr {
  /** `ArpOperation.Request` or `ArpOperation.Reply`. */
  operation: number = ArpOperation.Request;
  /** Sender hardware address (owned by this repr; overwritten in place). */
  readonly sourceHardwareAddr = new EthernetAddress();
  /** Sender protocol address, int32. */
  sourceProtocolAddr = 0;
  /** Target hardware address (owned by this repr; overwritten in place). */
  readonly targetHardwareAddr = new EthernetAddress();
  /** Target protocol address, int32. */
  targetProtocolAddr = 0;

  /**
   * Fills this repr from a packet; checks it first. Unsupported unless the packet is
   * Ethernet/IPv4 with operation request or reply.
   */
  parse(packet: ArpPacket): WireError {
    const err = packet.check();
    if (err !== WireError.Ok) return err;
    const dv = packet.dv;
    const off = packet.off;
    if (dv.getUint16(off + HTYPE) !== ArpHardware.Ethernet || dv.getUint16(off + PTYPE) !== EtherType.Ipv4 ||
      dv.getUint8(off + HLEN) !== 6 || dv.getUint8(off + PLEN) !== 4) {
      return WireError.Unsupported;
    }
    const op = dv.getUint16(off + OPER);
    if (op !== ArpOperation.Request && op !== ArpOperation.Reply) return WireError.Unsupported;
    this.operation = op;
    this.sourceHardwareAddr.read(dv, off + SHA);
    this.sourceProtocolAddr = dv.getInt32(off + SPA);
    this.targetHardwareAddr.read(dv, off + THA);
    this.targetProtocolAddr = dv.getInt32(off + TPA);
    return WireError.Ok;
  }

  /** Length of the packet this repr emits (28). */
  headerLen(): number {
    return ARP_ETHERNET_IPV4_LEN;
  }

  /** Length of the packet this repr emits (28): ARP has no payload. */
  bufferLen(): number {
    return ARP_ETHERNET_IPV4_LEN;
  }

  /** Writes the 28 octets into `packet`. */
  emit(packet: ArpPacket): void {
    const dv = packet.dv;
    const off = packet.off;
    dv.setUint16(off + HTYPE, ArpHardware.Ethernet);
    dv.setUint16(off + PTYPE, EtherType.Ipv4);
    dv.setUint8(off + HLEN, 6);
    dv.setUint8(off + PLEN, 4);
    dv.setUint16(off + OPER, this.operation);
    this.sourceHardwareAddr.write(dv, off + SHA);
    dv.setInt32(off + SPA, this.sourceProtocolAddr);
    this.targetHardwareAddr.write(dv, off + THA);
    dv.setInt32(off + TPA, this.targetProtocolAddr);
  }

  toString(): string {
    return "ARP " + arpOperationName(this.operation) + " src=" + this.sourceHardwareAddr + "/" +
      ipv4Format(this.sourceProtocolAddr) + " tgt=" + this.targetHardwareAddr + "/" + ipv4Format(this.targetProtocolAddr);
  }
}
