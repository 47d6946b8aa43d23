// The ENC28J60 hash table pointer (datasheet §8.2.5): bits 28:23 of the MAC's CRC register after
// the six destination octets. Checked against an independent, table-free reflected CRC-32 (the
// zlib / Ethernet FCS form, itself checked on the standard "123456789" vector): the chip's
// MSB-first register is that CRC before its final complement, bit-reversed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as R from "../../../drivers/enc28j60/registers.js";

/** The reflected CRC-32 (poly 0xEDB88320, preset ~0, final complement), as zlib computes it. */
function crc32(bytes: number[]): number {
  let c = -1;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function bitReverse32(x: number): number {
  let r = 0;
  for (let i = 0; i < 32; i++) r = (r << 1) | ((x >>> i) & 1);
  return r >>> 0;
}

test("the reference CRC-32 gives the standard check value", () => {
  assert.is(crc32(Array.from("123456789", (ch) => ch.charCodeAt(0))), 0xcbf43926);
});

test("hashTableIndex: bits 28:23 of the MSB-first register, the bit-reversed CRC before complement", () => {
  const macs = [
    [0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb], // mDNS 224.0.0.251
    [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01], // all systems
    [0x33, 0x33, 0x00, 0x00, 0x00, 0x01], // IPv6 all nodes
    [0x33, 0x33, 0xff, 0x00, 0x00, 0x01], // solicited-node of ::1
    [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    [0x02, 0x00, 0x00, 0x00, 0x00, 0x01],
  ];
  let x = 0x1234567;
  for (let i = 0; i < 50; i++) {
    const m: number[] = [];
    for (let j = 0; j < 6; j++) {
      x = (Math.imul(x, 1103515245) + 12345) | 0;
      m.push((x >>> 16) & 0xff);
    }
    macs.push(m);
  }
  const seen = new Set<number>();
  for (const m of macs) {
    const register = bitReverse32(~crc32(m) >>> 0);
    const want = (register >>> 23) & 0x3f;
    const got = R.hashTableIndex(new Uint8Array(m), 0);
    assert.is(got, want, m.map((b) => b.toString(16)).join("-"));
    seen.add(got);
  }
  assert.ok(seen.size > 20, "the pointers spread over the table: " + seen.size);
});

test("hashTableIndex reads the address at the offset given", () => {
  const b = new Uint8Array([9, 9, 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]);
  assert.is(R.hashTableIndex(b, 2), R.hashTableIndex(new Uint8Array([0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]), 0));
});

test.run();
