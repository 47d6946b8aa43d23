/**
 * `IpRepr`: the version-neutral meaning of an IP header, smoltcp's `IpRepr`.
 *
 * The interface parses an IPv4 or IPv6 header into its own repr, then describes it to sockets
 * with one `IpRepr`, so a socket handles both versions with one code path: source and
 * destination addresses, the upper-layer protocol, the payload length and the hop limit.
 * Sockets also fill one in to say where a packet they want to send goes (`dispatch`), and the
 * interface completes it (source address selection) and emits the real header.
 *
 * Preallocated and overwritten in place; nothing here allocates.
 */

import { IpAddress, IpVersion, type Ipv6Address } from "./ip.js";
import { checksumPseudoV4, checksumPseudoV6 } from "./checksum.js";

export class IpRepr {
  /** 4 or 6 (the versions of `srcAddr` and `dstAddr` agree). */
  version: IpVersion = IpVersion.Unspecified;
  readonly srcAddr = new IpAddress();
  readonly dstAddr = new IpAddress();
  /** The upper-layer protocol (IpProtocol), after any IPv6 extension headers. */
  nextHeader = 0;
  /** Length of the upper-layer packet (after any IPv6 extension headers). */
  payloadLen = 0;
  /** TTL or hop limit. */
  hopLimit = 64;

  setV4(src: number, dst: number, nextHeader: number, payloadLen: number, hopLimit: number): this {
    this.version = IpVersion.Ipv4;
    this.srcAddr.setV4(src);
    this.dstAddr.setV4(dst);
    this.nextHeader = nextHeader;
    this.payloadLen = payloadLen;
    this.hopLimit = hopLimit;
    return this;
  }

  setV6(src: Ipv6Address, dst: Ipv6Address, nextHeader: number, payloadLen: number, hopLimit: number): this {
    this.version = IpVersion.Ipv6;
    this.srcAddr.setV6(src);
    this.dstAddr.setV6(dst);
    this.nextHeader = nextHeader;
    this.payloadLen = payloadLen;
    this.hopLimit = hopLimit;
    return this;
  }

  copyFrom(o: IpRepr): this {
    this.version = o.version;
    this.srcAddr.copyFrom(o.srcAddr);
    this.dstAddr.copyFrom(o.dstAddr);
    this.nextHeader = o.nextHeader;
    this.payloadLen = o.payloadLen;
    this.hopLimit = o.hopLimit;
    return this;
  }

  /** The folded pseudo-header sum for the upper layer's checksum (protocol `nextHeader`, length `payloadLen`). */
  pseudoSum(): number {
    return this.version === IpVersion.Ipv6
      ? checksumPseudoV6(this.srcAddr.v6, this.dstAddr.v6, this.nextHeader, this.payloadLen)
      : checksumPseudoV4(this.srcAddr.v4, this.dstAddr.v4, this.nextHeader, this.payloadLen);
  }

  /** Length of the IP header the interface emits for this repr (no options, no extension headers). */
  headerLen(): number {
    return this.version === IpVersion.Ipv6 ? 40 : 20;
  }

  toString(): string {
    return "IPv" + this.version + " src=" + this.srcAddr + " dst=" + this.dstAddr + " proto=" + this.nextHeader + " len=" + this.payloadLen + " hop_limit=" + this.hopLimit;
  }
}
