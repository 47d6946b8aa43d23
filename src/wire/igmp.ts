/**
 * The Internet Group Management Protocol, version 2 (RFC 2236), with the version 1 messages a
 * version 2 host must understand (RFC 1112 appendix I, RFC 2236 §4).
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      Type     | Max Resp Time |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Group Address                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * Types: 0x11 Membership Query, 0x16 Version 2 Membership Report, 0x17 Leave Group, and 0x12
 * Version 1 Membership Report (RFC 1112's version 1 and type 2, read as one octet).
 *
 * Max Resp Time (RFC 2236 §2.2) "is meaningful only in Membership Query messages, and specifies
 * the maximum allowed time before sending a responding report in units of 1/10 second. In all
 * other messages, it is set to zero by the sender and ignored by receivers." The repr keeps it in
 * tenths of a second, read linearly as IGMPv2 does (0..255, up to 25.5 s).
 *
 * Query versions (RFC 2236 §4): an IGMPv1 router's query is a query whose Max Resp Time is 0
 * (RFC 1112 called the octet "unused"), and "The IGMPv1 router will send General Queries with the
 * Max Response Time set to 0. This MUST be interpreted as a value of 100 (10 seconds)." So
 * `parse` reports such a query as `version` 1 with `maxRespTime` 100, and `emit` writes 0 for a
 * version 1 query whatever `maxRespTime` holds. A version 2 query carries 1..255: `emit` clamps to
 * that range, since 0 would turn it into a version 1 query. Reports say their version by their
 * type; a Leave Group is version 2.
 *
 * Checksum (RFC 2236 §2.3): "the 16-bit one's complement of the one's complement sum of the whole
 * IGMP message (the entire IP payload)". `parse` verifies it over the whole view if
 * `checksumRx(caps.igmp)` (RFC 2236 §2.5: a longer message is checksummed whole, and "an IGMPv2
 * implementation MUST ignore anything past the first 8 octets"); `emit` writes an 8-octet
 * message and fills the checksum over those 8 octets if `checksumTx(caps.igmp)` (else writes 0).
 *
 * Group address (RFC 2236 §2.4): 0 in a General Query, the group in a Group-Specific Query,
 * Report or Leave. `parse` returns Malformed for a query whose group is neither 0 nor multicast
 * and for a report or leave whose group is not multicast (smoltcp accepts 0 in reports; a report
 * for no group means nothing).
 *
 * What is NOT supported: IGMPv3 (RFC 3376). RFC 3376 §7.1 tells a version 3 query (12 octets or
 * more) from a version 2 one by its length; this stack, like any IGMPv2 host, reads the first 8
 * octets and parses it as a version 2 (or, with Max Resp Code 0, version 1) query. The Max Resp
 * Code is read linearly, not with IGMPv3's exponential encoding of values >= 128 (smoltcp decodes
 * that encoding; an IGMPv2 host does not). Version 3 reports (0x22), the DVMRP / mtrace types and
 * any other type parse as Unsupported. The timers, the state machine of RFC 2236 §3, and the
 * Router Alert option of the IP header are the interface's business.
 */

import { WireError } from "./error.js";
import { ChecksumCapabilities, checksumData, checksumRx, checksumTx } from "./checksum.js";
import { ipv4Format, ipv4IsMulticast } from "./ip.js";
import { PacketView } from "./view.js";

// Field offsets.
const TYPE = 0;
const MAX_RESP_TIME = 1;
const CHECKSUM = 2;
const GROUP_ADDRESS = 4;
/** Length of an IGMPv1/v2 message. */
export const IGMP_HEADER_LEN = 8;

/** IGMP message types. */
export const enum IgmpMessage {
  MembershipQuery = 0x11,
  MembershipReportV1 = 0x12,
  MembershipReportV2 = 0x16,
  LeaveGroup = 0x17,
}

/** The version a message belongs to. */
export const enum IgmpVersion {
  Version1 = 1,
  Version2 = 2,
}

/** RFC 2236 §4: the Max Response Time an IGMPv1 query (which carries 0) stands for, in tenths of a second. */
export const IGMP_V1_MAX_RESP_TIME = 100;

/** A printable name for an IGMP message type (traces only). */
export function igmpMessageName(t: number): string {
  switch (t) {
    case IgmpMessage.MembershipQuery: return "membership query";
    case IgmpMessage.MembershipReportV1: return "version 1 membership report";
    case IgmpMessage.MembershipReportV2: return "version 2 membership report";
    case IgmpMessage.LeaveGroup: return "leave group";
    default: return "type 0x" + (t & 0xff).toString(16).padStart(2, "0");
  }
}

/**
 * A view of an IGMP message in a byte buffer. Created once, re-pointed at each message with
 * `reset`. After `check()` has returned `WireError.Ok`, every accessor stays inside the message.
 */
export class IgmpPacket extends PacketView {
  /** Validates the lengths the accessors use: the message holds 8 octets. */
  check(): WireError {
    return this.len < IGMP_HEADER_LEN ? WireError.Truncated : WireError.Ok;
  }

  msgType(): number {
    return this.dv.getUint8(this.off + TYPE);
  }

  /** The raw Max Resp Time octet, in tenths of a second (0 in an IGMPv1 query). */
  maxRespTime(): number {
    return this.dv.getUint8(this.off + MAX_RESP_TIME);
  }

  checksum(): number {
    return this.dv.getUint16(this.off + CHECKSUM);
  }

  /** The group address, int32. */
  groupAddr(): number {
    return this.dv.getInt32(this.off + GROUP_ADDRESS);
  }

  /** Whether the checksum over the whole message (`len` octets) verifies. */
  verifyChecksum(): boolean {
    return checksumData(this.dv, this.off, this.len) === 0xffff;
  }

  setMsgType(v: number): void {
    this.dv.setUint8(this.off + TYPE, v);
  }

  setMaxRespTime(v: number): void {
    this.dv.setUint8(this.off + MAX_RESP_TIME, v);
  }

  setChecksum(v: number): void {
    this.dv.setUint16(this.off + CHECKSUM, v);
  }

  setGroupAddr(a: number): void {
    this.dv.setInt32(this.off + GROUP_ADDRESS, a);
  }

  /** Computes and writes the checksum over the whole message (`len` octets). */
  fillChecksum(): void {
    const dv = this.dv;
    const off = this.off;
    dv.setUint16(off + CHECKSUM, 0);
    dv.setUint16(off + CHECKSUM, ~checksumData(dv, off, this.len) & 0xffff);
  }
}

/** The high-level meaning of an IGMPv1/v2 message. */
export class IgmpRepr {
  /** An `IgmpMessage`. */
  message: number = IgmpMessage.MembershipQuery;
  /** The group address, int32 (0 in a General Query). */
  groupAddr = 0;
  /** Queries: the maximum response time in tenths of a second (100 for an IGMPv1 query); 0 otherwise. */
  maxRespTime = 0;
  /** An `IgmpVersion`: 1 for an IGMPv1 query or a version 1 report, else 2. */
  version: number = IgmpVersion.Version2;

  /** Sets this repr to a membership query. Returns `this`. */
  query(groupAddr: number, maxRespTime: number, version: number): this {
    this.message = IgmpMessage.MembershipQuery;
    this.groupAddr = groupAddr | 0;
    this.maxRespTime = version === IgmpVersion.Version1 ? IGMP_V1_MAX_RESP_TIME : maxRespTime;
    this.version = version;
    return this;
  }

  /** Sets this repr to a membership report of `version` 1 or 2. Returns `this`. */
  report(groupAddr: number, version: number): this {
    this.message = version === IgmpVersion.Version1 ? IgmpMessage.MembershipReportV1 : IgmpMessage.MembershipReportV2;
    this.groupAddr = groupAddr | 0;
    this.maxRespTime = 0;
    this.version = version === IgmpVersion.Version1 ? IgmpVersion.Version1 : IgmpVersion.Version2;
    return this;
  }

  /** Sets this repr to a leave group. Returns `this`. */
  leave(groupAddr: number): this {
    this.message = IgmpMessage.LeaveGroup;
    this.groupAddr = groupAddr | 0;
    this.maxRespTime = 0;
    this.version = IgmpVersion.Version2;
    return this;
  }

  /**
   * Fills this repr from a message: checks it, verifies the checksum if `checksumRx(caps.igmp)`
   * (else Checksum), and infers the version. Unknown types: Unsupported; a group address that
   * does not fit the type: Malformed.
   */
  parse(packet: IgmpPacket, caps: ChecksumCapabilities): WireError {
    const err = packet.check();
    if (err !== WireError.Ok) return err;
    if (checksumRx(caps.igmp) && !packet.verifyChecksum()) return WireError.Checksum;
    const dv = packet.dv;
    const off = packet.off;
    const type = dv.getUint8(off + TYPE);
    const group = dv.getInt32(off + GROUP_ADDRESS);
    switch (type) {
      case IgmpMessage.MembershipQuery: {
        if (group !== 0 && !ipv4IsMulticast(group)) return WireError.Malformed;
        const t = dv.getUint8(off + MAX_RESP_TIME);
        this.version = t === 0 ? IgmpVersion.Version1 : IgmpVersion.Version2;
        this.maxRespTime = t === 0 ? IGMP_V1_MAX_RESP_TIME : t;
        break;
      }
      case IgmpMessage.MembershipReportV1:
      case IgmpMessage.MembershipReportV2:
      case IgmpMessage.LeaveGroup:
        if (!ipv4IsMulticast(group)) return WireError.Malformed;
        this.version = type === IgmpMessage.MembershipReportV1 ? IgmpVersion.Version1 : IgmpVersion.Version2;
        this.maxRespTime = 0;
        break;
      default:
        return WireError.Unsupported;
    }
    this.message = type;
    this.groupAddr = group;
    return WireError.Ok;
  }

  /** Length of the message this repr emits (8). */
  headerLen(): number {
    return IGMP_HEADER_LEN;
  }

  /** Length of the message this repr emits (8): IGMPv2 has no payload. */
  bufferLen(): number {
    return IGMP_HEADER_LEN;
  }

  /** Writes the 8-octet message into `packet` and, if `checksumTx(caps.igmp)`, its checksum (else 0). */
  emit(packet: IgmpPacket, caps: ChecksumCapabilities): void {
    const dv = packet.dv;
    const off = packet.off;
    let t = 0;
    if (this.message === IgmpMessage.MembershipQuery && this.version !== IgmpVersion.Version1) {
      t = this.maxRespTime;
      t = t < 1 ? 1 : t > 255 ? 255 : t;
    }
    dv.setUint8(off + TYPE, this.message);
    dv.setUint8(off + MAX_RESP_TIME, t);
    dv.setUint16(off + CHECKSUM, 0);
    dv.setInt32(off + GROUP_ADDRESS, this.groupAddr);
    if (checksumTx(caps.igmp)) {
      dv.setUint16(off + CHECKSUM, ~checksumData(dv, off, IGMP_HEADER_LEN) & 0xffff);
    }
  }

  toString(): string {
    let s = "IGMPv" + this.version + " " + igmpMessageName(this.message) + " group=" + ipv4Format(this.groupAddr);
    if (this.message === IgmpMessage.MembershipQuery) s += " max_resp_time=" + this.maxRespTime / 10 + "s";
    return s;
  }
}
