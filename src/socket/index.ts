/**
 * Sockets: network endpoints and their buffers.
 *
 * As in smoltcp, buffering is explicit: the application decides how big every buffer is and
 * creates each socket with its buffers at start-up (optionally carved from one `Arena`), then
 * adds it to a `SocketSet`. Nothing grows afterwards. The application reads and writes socket
 * buffers between calls to `Interface.poll`; the interface moves packets between the buffers and
 * the device inside `poll`.
 *
 * A socket is a state machine that speaks reprs, never header bytes: the interface parses a
 * packet into an `IpRepr` and the transport repr, and offers it to the sockets; on egress it asks
 * each socket for a packet, completes the IP header, resolves the next hop and emits the frame.
 *
 * ## The contract between the interface and a datagram socket (UDP, ICMP, raw)
 *
 * The three share the queues, counters and the receive and commit/drop halves of this contract
 * through their base class `DatagramSocket` (`datagram.ts`).
 *
 * Ingress (inside `poll`, for each received packet):
 * - `accepts(ip, repr...)`: whether this socket wants the packet (bound port or identifier,
 *   address, version, protocol). Cheap, no side effects.
 * - `process(now, ip, repr..., bytes, off, len)`: queue the payload (`len` octets at `off` in
 *   `bytes`) and where it came from. Returns false when the receive buffer is full (the
 *   interface counts the drop).
 *
 * Egress (inside `poll`, for each socket whose `meta.egressPermitted`):
 * - `dispatchPeek(now, ip, repr...)`: -1 when nothing is queued; otherwise the payload length of
 *   the oldest queued packet, with `ip` filled in (destination, the bound source address or an
 *   unspecified one the interface chooses, `nextHeader`, `hopLimit`) and the transport repr.
 *   Nothing is dequeued yet.
 * - `dispatchPayload(dst, off)`: copy that payload to `dst` at `off` (the transmit buffer, right
 *   after where the transport header will go).
 * - `dispatchCommit()`: the frame was handed to the device: dequeue the packet.
 * - `dispatchDrop(code)`: the packet cannot be sent (no route): dequeue it and remember `code`
 *   for `takeError()`.
 * If the next hop is not resolved, the interface calls none of the last three; the packet stays
 * queued and `meta` records the wait (see `SocketMeta`).
 *
 * Timing: `pollDelay(now)` returns 0 (`POLL_NOW`) when the socket has something to send, a
 * positive number of milliseconds when a timer of its own is due, or -1 (`POLL_INGRESS`) when it
 * only waits for packets.
 *
 * Errors: misuse throws `SocketError` with a `SocketErrorCode`; a full buffer is a `false` or
 * `-1` return, never an exception; what happened on the network is read with `takeError()`.
 *
 * ## The TCP socket
 * `TcpSocket` (`tcp/socket.ts`) keeps a connection, not datagrams, so its egress contract
 * differs: `dispatch` → `dispatchPayload` → `dispatchCommit` may run many times in one poll
 * (one segment each, until `dispatch` returns -1), `dispatchNoRoute` replaces `dispatchDrop`,
 * and `process` may fill a reply segment (RST, challenge ACK) for the interface to send at once.
 * Its building blocks live beside it, split by concern as in gVisor: the send side (`send.ts`,
 * `TcpSender`) and the receive side (`recv.ts`, `TcpReceiver`), which the socket creates and
 * drives itself and does not export from here, sequence arithmetic (`seq.ts`), RFC 6528 ISNs
 * (`isn.ts`), RFC 6056 ephemeral ports (`ports.ts`), the RFC 6298 RTO (`rtt.ts`), its timers
 * (`timer.ts`) and what it asks of the interface (`context.ts`).
 */

export * from "./error.js";
export * from "./meta.js";
export * from "./set.js";
export * from "./datagram.js";
export * from "./udp.js";
export * from "./icmp.js";
export * from "./raw.js";
export * from "./tcp/seq.js";
export * from "./tcp/isn.js";
export * from "./tcp/ports.js";
export * from "./tcp/rtt.js";
export * from "./tcp/timer.js";
export * from "./tcp/context.js";
export * from "./tcp/socket.js";
