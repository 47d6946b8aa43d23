/**
 * The storage layer: where socket data waits between the network and the application.
 *
 * Like smoltcp's `storage` module, this folder holds containers and nothing about protocols:
 *
 * - `Arena` (`arena.ts`): one `ArrayBuffer` from which every buffer is reserved at init time,
 *   so that copies between buffers are single `copyWithin` calls; and the typed errors of the
 *   layer (`StorageError`, `CapacityError`, `BoundsError`).
 * - `copyBytes` (`copy.ts`): `memmove` without allocation, fast when both sides share a buffer.
 * - `RingBuffer` (`ring-buffer.ts`): a ring of octets with smoltcp's `RingBuffer<u8>` API:
 *   contiguous windows to read and write in place, copies that handle the wrap, and access to
 *   free space and queued data at an offset, which TCP uses for out-of-order segments and for
 *   retransmission. The TCP socket has two.
 * - `PacketBuffer` (`packet-buffer.ts`): whole packets, each a preallocated metadata record plus
 *   a payload that is never split across the wrap. The UDP, ICMP and raw sockets have two.
 * - `Assembler` (`assembler.ts`): which octets past `RCV.NXT` a TCP socket already holds, as at
 *   most `maxGaps` disjoint ranges.
 *
 * The rules every class here follows:
 * - Everything is sized in the constructor (capacities come from `src/config.ts`). After that,
 *   no call allocates: no objects, arrays, closures, strings or `subarray` views. Data moves as
 *   `(bytes, offset, length)` triples, and offsets handed out are absolute in the backing
 *   `bytes`, which always covers the whole `ArrayBuffer`.
 * - Full and empty are answers, not errors: counts, -1 or `null`. Misuse (a bad capacity,
 *   committing more than there is room for, an offset outside a buffer) throws a `StorageError`
 *   subclass and changes nothing.
 * - Numbers stay int32; capacities are at most 2^30.
 *
 * Not supported: growing a buffer after construction, buffers of elements other than octets
 * (smoltcp's generic `RingBuffer<T>`; metadata records are managed by `PacketBuffer` itself),
 * and `SharedArrayBuffer`-backed storage shared between threads.
 */

export * from "./arena.js";
export * from "./copy.js";
export * from "./ring-buffer.js";
export * from "./packet-buffer.js";
export * from "./assembler.js";
