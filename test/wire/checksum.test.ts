import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  Checksum,
  ChecksumCapabilities,
  checksumCombine,
  checksumData,
  checksumFinish,
  checksumFold,
  checksumPseudoV4,
  checksumPseudoV6,
  checksumRx,
  checksumTx,
} from "../../src/wire/checksum.js";
import { IpProtocol, Ipv6Address, ipv4Parse } from "../../src/wire/ip.js";
import { view } from "../support/bytes.js";

function sum(bytes: Uint8Array | number[], off = 0, len?: number): number {
  const v = view(bytes);
  return checksumData(v.dv, off, len ?? v.bytes.length - off);
}

/** A slow, obviously right reference: words added as doubles, then folded. */
function reference(bytes: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i += 2) s += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0);
  while (s > 0xffff) s = (s % 65536) + Math.floor(s / 65536);
  return s;
}

/** Deterministic pseudo-random bytes (a 32-bit LCG). */
function noise(len: number, seed: number): Uint8Array {
  const out = new Uint8Array(len);
  let x = seed | 0;
  for (let i = 0; i < len; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) | 0;
    out[i] = x >>> 24;
  }
  return out;
}

test("RFC 1071 §3: the numerical example", () => {
  // "00 01 f2 03 f4 f5 f6 f7": the sum is ddf2, whatever the byte order of the machine.
  const data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
  assert.is(sum(data), 0xddf2);
  assert.is(checksumFinish(sum(data)), 0x220d);
  // RFC 1071 §2(B): the sum may be computed in any order and split at any even boundary.
  assert.is(checksumCombine(sum(data, 0, 4), sum(data, 4, 4)), 0xddf2);
  assert.is(checksumCombine(sum(data, 0, 2), sum(data, 2, 6)), 0xddf2);
  // With the checksum appended, the receiver's sum is all ones.
  assert.is(sum([...data, 0x22, 0x0d]), 0xffff);
});

test("odd lengths: the last octet is the high half of a padded word", () => {
  assert.is(sum([]), 0);
  assert.is(sum([0xab]), 0xab00);
  assert.is(sum([0x00, 0x01, 0xf2]), 0xf201);
  assert.is(sum([0xff, 0xff, 0xff]), 0xff00, "0xffff + 0xff00 = 0x1feff, folded 0xff00");
  assert.is(sum([0x01, 0x02, 0x03, 0x04, 0x05]), 0x0906);
  // Odd length at an odd offset inside a larger buffer.
  const big = new Uint8Array([0xee, 0x01, 0x02, 0x03, 0x04, 0x05, 0xee]);
  assert.is(sum(big, 1, 5), 0x0906);
  assert.is(sum(big, 1, 0), 0);
});

test("a DataView that starts inside its ArrayBuffer", () => {
  const backing = new Uint8Array(64).fill(0x77);
  backing.set([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7], 21);
  const dv = new DataView(backing.buffer, 20, 10);
  assert.is(checksumData(dv, 1, 8), 0xddf2);
});

test("agrees with a reference sum over lengths and chunk boundaries", () => {
  // The loop folds every 32768 words: cover lengths around that and around 65536 octets.
  for (const len of [1, 2, 3, 19, 20, 21, 255, 256, 1499, 1500, 65535, 65536, 65537, 65538, 131073, 200001]) {
    const data = noise(len, len);
    assert.is(sum(data), reference(data), "length " + len);
  }
  // All ones everywhere: every word is 0xffff, the sum stays 0xffff.
  const ones = new Uint8Array(140000).fill(0xff);
  assert.is(sum(ones), 0xffff);
  // From an odd offset: 69999 words of 0xffff and a last octet 0xff padded to 0xff00.
  assert.is(sum(ones, 1, 139999), 0xff00);
  assert.is(reference(ones.subarray(1)), 0xff00);
  assert.is(sum(new Uint8Array(100000)), 0, "all zeros");
});

test("every length 0..80 from every offset 0..3: the 32-octet rounds and each tail", () => {
  const data = noise(84, 7);
  for (let off = 0; off < 4; off++) {
    for (let len = 0; len <= 80; len++) {
      assert.is(sum(data, off, len), reference(data.slice(off, off + len)), "offset " + off + ", length " + len);
    }
  }
});

test("fold, combine and finish", () => {
  assert.is(checksumFold(0), 0);
  assert.is(checksumFold(0xffff), 0xffff);
  assert.is(checksumFold(0x10000), 0x0001);
  assert.is(checksumFold(0x1fffe), 0xffff);
  assert.is(checksumFold(0x1ffff), 0x0001);
  assert.is(checksumFold(0x7fffffff), 0x7fff);
  assert.is(checksumFold(0x2fffd), 0xffff, "0xfffd + 2");
  assert.is(checksumCombine(0xffff, 0x0001), 0x0001);
  assert.is(checksumCombine(0xffff, 0xffff), 0xffff);
  assert.is(checksumCombine(0x8000, 0x8000), 0x0001);
  assert.is(checksumCombine(0, 0), 0);
  assert.is(checksumFinish(0xffff), 0x0000);
  assert.is(checksumFinish(0x0000), 0xffff);
  assert.is(checksumFinish(0xddf2), 0x220d);
  // Split a random buffer at every even boundary: the combined sums equal the whole.
  const data = noise(37, 7);
  for (let cut = 0; cut <= 36; cut += 2) {
    assert.is(checksumCombine(sum(data, 0, cut), sum(data, cut, 37 - cut)), sum(data), "cut " + cut);
  }
});

test("IPv4 pseudo-header (RFC 768), hand-computed", () => {
  // c0a8 + 4501 + c0a8 + 4564 + 0011 + 0008 = 0x20bce, folded 0x0bd0.
  assert.is(checksumPseudoV4(ipv4Parse("192.168.69.1"), ipv4Parse("192.168.69.100"), IpProtocol.Udp, 8), 0x0bd0);
  // All ones: five words of 0xffff are 0xffff (negative zero), plus 0x00ff.
  assert.is(checksumPseudoV4(-1, -1, 0xff, 0xffff), 0x00ff);
  assert.is(checksumPseudoV4(0, 0, 0, 0), 0);
  // The same words summed as data.
  const words = new Uint8Array([192, 168, 69, 1, 192, 168, 69, 100, 0, 17, 0, 8]);
  assert.is(checksumPseudoV4(ipv4Parse("192.168.69.1"), ipv4Parse("192.168.69.100"), 17, 8), sum(words));
  // A complete UDP datagram (the traceroute probe of the ICMPv4 fixtures), checksum 0xd02f.
  const udp = new Uint8Array([
    0xa1, 0xb2, 0x82, 0x9a, 0x00, 0x28, 0xd0, 0x2f,
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
    0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
  ]);
  const pseudo = checksumPseudoV4(ipv4Parse("192.168.69.100"), ipv4Parse("8.8.8.8"), IpProtocol.Udp, udp.length);
  assert.is(checksumCombine(pseudo, sum(udp)), 0xffff);
  udp[9] ^= 1;
  assert.is.not(checksumCombine(pseudo, sum(udp)), 0xffff);
});

test("IPv6 pseudo-header (RFC 8200 §8.1), hand-computed", () => {
  const src = Ipv6Address.parse("fe80::1");
  const dst = Ipv6Address.parse("ff02::1");
  // fe80 + 1 + ff02 + 1 + 0020 + 003a = 0x1fdde, folded 0xfddf.
  assert.is(checksumPseudoV6(src, dst, IpProtocol.Icmpv6, 32), 0xfddf);
  // A 32-bit (jumbogram) length counts both halves: 0x0001 + 0x2345.
  assert.is(checksumPseudoV6(src, dst, IpProtocol.Icmpv6, 0x12345), 0x2106);
  const ones = new Ipv6Address(-1, -1, -1, -1);
  assert.is(checksumPseudoV6(ones, ones, 0, 0), 0xffff);
  assert.is(checksumPseudoV6(new Ipv6Address(), new Ipv6Address(), 0, 0), 0);
  // An ICMPv6 echo request fe80::1 -> ff02::1 (checked with tshark), checksum 0xab37.
  const icmp = new Uint8Array([0x80, 0x00, 0xab, 0x37, 0x12, 0x34, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64]);
  const pseudo = checksumPseudoV6(src, dst, IpProtocol.Icmpv6, icmp.length);
  assert.is(checksumCombine(pseudo, sum(icmp)), 0xffff);
  // Source and destination are not interchangeable with other words: change one address.
  assert.is.not(checksumCombine(checksumPseudoV6(src, Ipv6Address.parse("ff02::2"), 58, 12), sum(icmp)), 0xffff);
});

test("capabilities", () => {
  assert.is(checksumRx(Checksum.Both), true);
  assert.is(checksumTx(Checksum.Both), true);
  assert.is(checksumRx(Checksum.Rx), true);
  assert.is(checksumTx(Checksum.Rx), false);
  assert.is(checksumRx(Checksum.Tx), false);
  assert.is(checksumTx(Checksum.Tx), true);
  assert.is(checksumRx(Checksum.None), false);
  assert.is(checksumTx(Checksum.None), false);
  const d = new ChecksumCapabilities();
  for (const k of ["ipv4", "udp", "tcp", "icmpv4", "icmpv6", "igmp"] as const) {
    assert.is(d[k], Checksum.Both, k + " defaults to Both");
  }
  const a = ChecksumCapabilities.ignored();
  const b = ChecksumCapabilities.ignored();
  for (const k of ["ipv4", "udp", "tcp", "icmpv4", "icmpv6", "igmp"] as const) {
    assert.is(a[k], Checksum.None, k + " ignored");
  }
  a.udp = Checksum.Both;
  assert.is(b.udp, Checksum.None, "each call returns a fresh record");
});

test.run();
