/**
 * Copying octets without allocating.
 *
 * The obvious `dst.set(src.subarray(a, b), off)` creates a view object on every call, which the
 * packet path may not do. `copyBytes` takes `(buffer, offset, length)` pairs instead and picks
 * the cheapest allocation-free way:
 *
 * 1. **Same `ArrayBuffer`, source inside the destination's view** (the normal case when rings
 *    and frame buffers are carved from one `Arena`): `dst.copyWithin(...)`. It is one native
 *    call, handles overlapping ranges like `memmove`, and costs about 80 ns per 1000 octets on
 *    XS.
 * 2. **Different buffers, the whole of `src`**: `dst.set(src, dstOff)`, also one native call.
 *    (Never with a shared buffer: the specification makes `set` clone the source first then.)
 * 3. **Anything else**: a byte loop, copying backwards when the ranges overlap in one buffer.
 *    Correct and allocation-free, but on XS, which has no JIT, about 350 times slower than
 *    `copyWithin` (some 100 µs per 1000 octets). Build the buffers from one arena to avoid it.
 *
 * `copyView` is the next best thing when the two sides are different buffers and the caller
 * holds a `DataView` over each (a ring over its own buffer, a device's frame buffer): it moves
 * eight octets per round as two 32-bit words. Measured per 1482-octet segment: on XS (xsnap,
 * desktop) 10,700 compute units and 35 µs against 35,600 and 115 µs for the byte loop; on Node
 * 0.44 against 1.0 ns per octet.
 */

import { BoundsError } from "./arena.js";

/**
 * Copies `len` octets from `src[srcOff...]` to `dst[dstOff...]`, like `memmove`: overlapping
 * ranges of one buffer are handled. Allocates nothing. Throws `BoundsError` if either range
 * leaves its array or `len` is negative (nothing is copied then).
 */
export function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, len: number): void {
  if (len <= 0 || dstOff < 0 || srcOff < 0 || dstOff + len > dst.length || srcOff + len > src.length) {
    if (len === 0 && dstOff >= 0 && srcOff >= 0 && dstOff <= dst.length && srcOff <= src.length) return;
    throw new BoundsError("copyBytes: " + len + " octets from " + srcOff + " of " + src.length + " to " + dstOff + " of " + dst.length);
  }
  // One array (an arena's `bytes`, which its rings and frames share): nothing else to work out.
  // Reading `buffer` and `byteOffset` costs as much as the copy itself on V8 (65 against 140 ns
  // per 1482 octets).
  if (dst === src) {
    dst.copyWithin(dstOff, srcOff, srcOff + len);
    return;
  }
  let srcAbs = 0;
  let dstAbs = 0;
  const sameBuffer = dst.buffer === src.buffer;
  if (sameBuffer) {
    const dstBase = dst.byteOffset;
    srcAbs = src.byteOffset + srcOff;
    const rel = srcAbs - dstBase;
    if (rel >= 0 && rel + len <= dst.length) {
      dst.copyWithin(dstOff, rel, rel + len);
      return;
    }
    dstAbs = dstBase + dstOff;
  } else if (srcOff === 0 && len === src.length) {
    dst.set(src, dstOff);
    return;
  }
  if (sameBuffer && dstAbs > srcAbs) {
    // The destination starts inside (or after) the source: copy backwards so no source octet is
    // overwritten before it is read.
    for (let i = len - 1; i >= 0; i--) dst[dstOff + i] = src[srcOff + i];
  } else {
    for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i];
  }
}

/**
 * Copies `len` octets from `src` at `srcOff` to `dst` at `dstOff`, two 32-bit words per round,
 * for two **different** buffers (no overlap handling: the caller checks that the views do not
 * share memory, and that both ranges are inside them; an out-of-range word throws a
 * `RangeError` from the `DataView` after the words before it were copied). Allocates nothing.
 * The words are read and written little-endian, so the octets keep their order on any host.
 */
export function copyView(dst: DataView, dstOff: number, src: DataView, srcOff: number, len: number): void {
  let i = srcOff;
  let j = dstOff;
  const end8 = srcOff + (len & ~7);
  const end = srcOff + len;
  for (; i < end8; i += 8, j += 8) {
    dst.setInt32(j, src.getInt32(i, true), true);
    dst.setInt32(j + 4, src.getInt32(i + 4, true), true);
  }
  for (; i < end; i++, j++) dst.setUint8(j, src.getUint8(i));
}
