/**
 * Named counters of an interface (gVisor's `tcpip.Stats`, lwIP's `stats`).
 *
 * Every received frame ends in exactly one place: it is *processed* (delivered to a socket,
 * answered, or consumed by the interface itself) or *dropped* under exactly one reason. So
 * `rxFrames === rxProcessed + rxDropped()` always holds, which the fuzz test checks after every
 * frame. Transmit counters say what the interface sent and why it could not send.
 */

/** Why a received frame was not processed. Integer codes, counted in `InterfaceStats`. */
export const enum RxDrop {
  /** Not a drop: the frame was processed. */
  None = 0,
  /** A header did not parse (truncated, impossible length, bad version, bad option). */
  Malformed = 1,
  /** A checksum did not verify. */
  Checksum = 2,
  /** Addressed to another host (link-layer or IP destination not ours, group not joined). */
  NotForUs = 3,
  /** An EtherType the interface does not handle (802.3 length frames, VLAN tags, ...). */
  UnknownEtherType = 4,
  /** An IP protocol (or IPv6 next header) nothing handles. */
  UnknownProtocol = 5,
  /** An IPv4 or IPv6 fragment: reassembly is not supported. */
  Fragment = 6,
  /** The socket that accepted it had a full receive buffer. */
  SocketFull = 7,
  /** No socket for it (a UDP port unreachable is answered when allowed). */
  NoSocket = 8,
  /** Well formed but not supported (an ARP operation, an ICMP type, an IGMPv3 report, ...). */
  Unsupported = 9,
  /** Valid but refused by a protocol rule (NDISC hop limit not 255, a source that may not send). */
  Refused = 10,
}

export class InterfaceStats {
  /** Frames received from the device. */
  rxFrames = 0;
  /** Frames delivered, answered or consumed. */
  rxProcessed = 0;
  rxMalformed = 0;
  rxChecksum = 0;
  rxNotForUs = 0;
  rxUnknownEtherType = 0;
  rxUnknownProtocol = 0;
  rxFragment = 0;
  rxSocketFull = 0;
  rxNoSocket = 0;
  rxUnsupported = 0;
  rxRefused = 0;

  /** Frames handed to the device. */
  txFrames = 0;
  /** A frame could not be sent because the device had no room (tried again on a later poll). */
  txDeviceFull = 0;
  /** Packets dropped because no route leads to their destination. */
  txNoRoute = 0;
  /** ARP requests and neighbor solicitations sent. */
  txNeighborRequests = 0;
  /** Echo replies sent (ICMPv4 and ICMPv6). */
  txEchoReplies = 0;
  /** ICMP and ICMPv6 error messages sent. */
  txIcmpErrors = 0;
  /** IGMP reports and leave messages sent. */
  txIgmp = 0;
  /** Packets waiting in a socket for a neighbor to resolve (counted once per request). */
  txNeighborMissing = 0;
  /** TCP resets sent for segments no socket took (RFC 9293 §3.10.7.1). */
  txTcpResets = 0;

  /** Sum of every drop counter. */
  rxDropped(): number {
    return this.rxMalformed + this.rxChecksum + this.rxNotForUs + this.rxUnknownEtherType + this.rxUnknownProtocol +
      this.rxFragment + this.rxSocketFull + this.rxNoSocket + this.rxUnsupported + this.rxRefused;
  }

  /** Counts one received frame's fate. */
  count(drop: RxDrop): void {
    this.rxFrames++;
    switch (drop) {
      case RxDrop.None: this.rxProcessed++; break;
      case RxDrop.Malformed: this.rxMalformed++; break;
      case RxDrop.Checksum: this.rxChecksum++; break;
      case RxDrop.NotForUs: this.rxNotForUs++; break;
      case RxDrop.UnknownEtherType: this.rxUnknownEtherType++; break;
      case RxDrop.UnknownProtocol: this.rxUnknownProtocol++; break;
      case RxDrop.Fragment: this.rxFragment++; break;
      case RxDrop.SocketFull: this.rxSocketFull++; break;
      case RxDrop.NoSocket: this.rxNoSocket++; break;
      case RxDrop.Unsupported: this.rxUnsupported++; break;
      default: this.rxRefused++; break;
    }
  }

  /** Every counter, by name (tests and tools; allocates). */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of Object.keys(this)) out[k] = (this as unknown as Record<string, number>)[k];
    return out;
  }
}

/** Printable names of `RxDrop` (traces only). */
export const RX_DROP_NAMES: readonly string[] = Object.freeze([
  "processed", "malformed", "bad checksum", "not for us", "unknown ethertype", "unknown protocol",
  "fragment", "socket buffer full", "no socket", "unsupported", "refused",
]);
