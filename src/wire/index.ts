/**
 * The wire layer: packet formats, and nothing else.
 *
 * Each protocol lives in one file of the same shape (smoltcp's `wire/` layout):
 *
 * 1. the RFC's header diagram and the field offsets, with the header length derived from them;
 * 2. a **view** class (`Ipv4Packet`, `UdpPacket`, ...): a `Uint8Array` and a `DataView` over the
 *    same memory, plus the offset and length of the packet inside them. A view is created once and
 *    re-pointed at each packet with `reset(bytes, dv, off, len)`; it holds no other state. Getters
 *    and setters are named after the RFC's fields;
 * 3. a **repr** class (`Ipv4Repr`, `UdpRepr`, ...): a preallocated record of what the header
 *    *means* (addresses, ports, flags), without the fields that are consequences (lengths,
 *    checksums). `parse(view, ...)` fills it in and returns a `WireError` code; `emit(view, ...)`
 *    writes a header from it; `headerLen()` / `bufferLen(payloadLen)` give sizes;
 * 4. `toString()` on the repr, used by the tcpdump-style pretty-printer (`pretty.ts`).
 *
 * The contract, as smoltcp states it:
 * - `check()` validates every length the accessors rely on. Once it has returned
 *   `WireError.Ok`, no accessor reads or writes outside the packet.
 * - `parse` calls `check()` itself and never throws, whatever the bytes.
 * - `emit` never throws on a buffer of at least `bufferLen()` octets. It writes only the header:
 *   payloads are copied into place by the layer above *before* the headers around them are
 *   emitted, so a transport checksum can be computed over the finished segment.
 * - **Never call `check()` on a buffer you are about to emit into.** A reused transmit buffer
 *   holds the length fields of an earlier packet, so the check would pass or fail depending on
 *   history.
 *
 * Numbers stay in int32 (see `src/time.ts` and STYLE.md): IPv4 addresses are int32, IPv6
 * addresses are four int32 words, sequence numbers are int32 compared by signed difference.
 * Nothing in this folder allocates on the packet path or imports anything outside it.
 */

export * from "./error.js";
export * from "./view.js";
export * from "./checksum.js";
export * from "./ip.js";
export * from "./ip-repr.js";
export * from "./ethernet.js";
export * from "./arp.js";
export * from "./ipv4.js";
export * from "./icmp.js";
export * from "./icmpv4.js";
export * from "./igmp.js";
export * from "./ipv6.js";
export * from "./ipv6-ext.js";
export * from "./icmpv6.js";
export * from "./ndisc.js";
export * from "./udp.js";
export * from "./tcp.js";
export * from "./pretty.js";
