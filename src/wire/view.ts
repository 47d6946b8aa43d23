/**
 * The part every packet view shares: where the packet is.
 *
 * A view wraps a `Uint8Array` and a `DataView` over the same memory, plus the offset and length
 * of one packet inside them. It is created once (at init, pointed at an empty buffer or at the
 * device's frame buffer) and re-pointed at each packet with `reset`, so the packet path never
 * creates one. Each protocol's view (`Ipv4Packet`, `UdpPacket`, ...) extends this class with its
 * `check()` and its field accessors; the length `len` is the room available from `off`, which
 * may exceed the packet's own length (link padding, the rest of a frame).
 */
export class PacketView {
  /** The memory holding the packet. */
  bytes: Uint8Array;
  /** A `DataView` over exactly the memory of `bytes`. */
  dv: DataView;
  /** Offset of the packet's first octet in `bytes`. */
  off: number;
  /** Octets available from `off`. */
  len: number;

  constructor(bytes: Uint8Array, dv: DataView, off = 0, len = bytes.length) {
    this.bytes = bytes;
    this.dv = dv;
    this.off = off;
    this.len = len;
  }

  /** Points the view at `len` octets at `off`. `dv` must cover the same memory as `bytes`. */
  reset(bytes: Uint8Array, dv: DataView, off: number, len: number): this {
    this.bytes = bytes;
    this.dv = dv;
    this.off = off;
    this.len = len;
    return this;
  }
}

/**
 * An empty buffer and its `DataView`, for views that have no packet yet. Shared and kept alive
 * by this module: a view built with its own empty buffer would release it at its first `reset`,
 * and the packet path would free memory it did not allocate (XS counts that as a change too).
 */
export const EMPTY_BYTES = new Uint8Array(0);
export const EMPTY_DV = new DataView(EMPTY_BYTES.buffer);
