/**
 * Where buffer memory comes from, and the errors of misusing it.
 *
 * An `Arena` is one `ArrayBuffer` with one `Uint8Array` and one `DataView` over all of it. At
 * init time each component that needs bytes (a socket's receive and transmit rings, a packet
 * buffer's payload ring, a device's frame buffers) calls `reserve(len)` and gets back the offset
 * of a fresh region of `len` octets inside `arena.bytes`. Nothing is ever given back: this is a
 * bump allocator for the lifetime of the stack, and `reserve` throws `CapacityError` once the
 * arena is exhausted, so a mis-sized configuration fails loudly at start-up, never later.
 *
 * Why bother: every region carved from the same arena shares one `ArrayBuffer`, so copying from
 * a received frame into a socket ring, or from a ring into a transmit frame, is one
 * `bytes.copyWithin(dst, src, end)` (see `copy.ts`). On XS that is about 80 ns per 1000 octets
 * and allocates nothing, where a byte loop costs about 100 µs and `set(subarray(...))` allocates a
 * view object per call. Components built without an arena create their own small `ArrayBuffer`
 * and copies between them fall back to a (correct, allocation-free, slow on XS) byte loop.
 *
 * An arena must be created at init, never at module top level: XS preload freezes typed arrays
 * created while a module is evaluated.
 */

/** The largest capacity any storage component accepts: 2^30 octets (or records, or ranges). */
export const STORAGE_MAX_CAPACITY = 0x40000000;

/**
 * Base class of the errors the storage layer throws. They are only ever thrown for API misuse
 * (a bad capacity, a commit past the window, an offset outside the buffer), never for a legal
 * call on the data path: "full" and "empty" are answered with counts, -1 or null.
 */
export class StorageError extends Error {
  /** Set as a field, not assigned: a preloaded (frozen) Error.prototype makes `this.name = ...` throw on XS. */
  override readonly name: string = "StorageError";
}

/** A capacity or size given at construction is not a non-negative integer in range, or an arena is exhausted. */
export class CapacityError extends StorageError {
  /** Set as a field, not assigned: a preloaded (frozen) Error.prototype makes `this.name = ...` throw on XS. */
  override readonly name: string = "CapacityError";
}

/**
 * A call asked for octets outside a buffer, or to commit, dequeue or skip more than a ring
 * holds (or has room for). The call changed nothing.
 */
export class BoundsError extends StorageError {
  /** Set as a field, not assigned: a preloaded (frozen) Error.prototype makes `this.name = ...` throw on XS. */
  override readonly name: string = "BoundsError";
}

/** Throws `CapacityError` unless `n` is an integer in `[min, STORAGE_MAX_CAPACITY]`. Init time only. */
export function checkCapacity(what: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min || n > STORAGE_MAX_CAPACITY) {
    throw new CapacityError(what + " must be an integer in [" + min + ", " + STORAGE_MAX_CAPACITY + "], got " + n);
  }
}

/** One `ArrayBuffer` from which buffers are reserved at init time. */
export class Arena {
  /** The whole arena, byte offset 0. Regions returned by `reserve` are offsets into it. */
  readonly bytes: Uint8Array;
  /** A `DataView` over the same memory as `bytes`. */
  readonly dv: DataView;
  /** Total size in octets. */
  readonly size: number;
  /** Octets reserved so far; the next region starts here. */
  used = 0;

  /** Creates an arena of `size` octets (an integer in `[0, 2^30]`). */
  constructor(size: number) {
    checkCapacity("arena size", size, 0);
    const buffer = new ArrayBuffer(size);
    this.bytes = new Uint8Array(buffer);
    this.dv = new DataView(buffer);
    this.size = size;
  }

  /** Octets not yet reserved. */
  remaining(): number {
    return this.size - this.used;
  }

  /**
   * Reserves `len` octets and returns the offset of the region in `bytes`. Throws
   * `CapacityError` when fewer than `len` octets remain (the arena is then unchanged).
   */
  reserve(len: number): number {
    checkCapacity("arena reservation", len, 0);
    if (len > this.size - this.used) {
      throw new CapacityError("arena exhausted: " + len + " octets requested, " + (this.size - this.used) + " of " + this.size + " left");
    }
    const off = this.used;
    this.used = off + len;
    return off;
  }
}
