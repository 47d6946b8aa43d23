// RFC 6528 initial sequence numbers and HalfSipHash-2-4 (checked against the reference vectors).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { halfSipHash24, ISN_TICKS_PER_MS, IsnGenerator } from "../../../src/socket/tcp/isn.js";
import { Xorshift32 } from "../../../src/phy/rand.js";
import { IpAddress, IpEndpoint, Ipv6Address, ipv4Parse } from "../../../src/wire/ip.js";

// The reference implementation's `vectors_hsip32` (github.com/veorq/SipHash, vectors.h):
// HalfSipHash-2-4, 32-bit tag, key 00 01 .. 07, message 00 01 .. (n-1) for n = 0..63. Each tag is
// written here as its four octets read little-endian (vector 0 is a9 35 9f 5b).
const VECTORS_HSIP32 = [
  0x5b9f35a9, 0xb85a4727, 0x03a662fa, 0x04e7fe8a, 0x89466e2a, 0x69b6fac5, 0x23fc6358, 0xc563cf8b,
  0x8f84b8d0, 0x79e706f8, 0x3479b094, 0x50300808, 0x2f87f057, 0xff63e677, 0x7cf8ffd6, 0x972bfe74,
  0x84acb5d9, 0x5b6474c4, 0x9b8d5b46, 0x87e3ef7b, 0x45104de3, 0xb3623f61, 0xfe67f370, 0xbdb8ade6,
  0x630c4027, 0x75787826, 0x5f7b564f, 0x69e6b03a, 0x004064b0, 0xb40f67ff, 0x8b339e50, 0x1a9f585d,
  0x1221e7fe, 0x59327533, 0x8c4f436a, 0x29b728fe, 0xecc65ce7, 0x548d7e69, 0x0f8b6863, 0xb4620b65,
  0x4018bcb6, 0x0545075d, 0x2efd4224, 0x3a86b77b, 0x48d50577, 0xb10852d7, 0xc899d4b6, 0x2e209208,
  0xe32ce169, 0xe580b58d, 0xc6649736, 0x04026e01, 0xd4f3853b, 0xbe66dbfe, 0x3a2a691e, 0xc08489c6,
  0x40b9c5a5, 0x8ce8e99b, 0x4081bc7d, 0xc58e077c, 0x736ce7d4, 0xb9cb8f42, 0x7a9983bd, 0x744aea59,
];
const REF_K0 = 0x03020100;
const REF_K1 = 0x07060504;

// A clock a few seconds before the int32 wrap.
const T0 = (0x7fffffff - 3000) | 0;

const KEY = [0x0badc0de, 0x12345678 | 0, 0x9abcdef0 | 0, 0x0f1e2d3c];
const gen = new IsnGenerator(KEY[0], KEY[1], KEY[2], KEY[3]);

const LOCAL4 = IpEndpoint.of(IpAddress.v4(ipv4Parse("192.168.69.1")), 49500);
const REMOTE4 = IpEndpoint.of(IpAddress.v4(ipv4Parse("192.168.69.2")), 80);
const LOCAL6 = IpEndpoint.of(IpAddress.v6(Ipv6Address.parse("fdaa::1")), 49500);
const REMOTE6 = IpEndpoint.of(IpAddress.v6(Ipv6Address.parse("fdaa::2")), 80);

/** F computed independently: HalfSipHash-2-4 over the documented message, built octet by octet. */
function expectedOffset(key: number[], words: number[]): number {
  const all = [key[2], key[3], ...words];
  const dv = new DataView(new ArrayBuffer(all.length * 4));
  all.forEach((w, i) => dv.setInt32(i * 4, w, true));
  return halfSipHash24(key[0], key[1], dv, 0, all.length * 4);
}

test("halfSipHash24 matches the 64 reference vectors (every tail length 0..3)", () => {
  const bytes = new Uint8Array(64 + 3);
  for (let i = 0; i < 64; i++) bytes[3 + i] = i;
  const dv = new DataView(bytes.buffer);
  for (let n = 0; n < 64; n++) {
    // At offset 3, so the word reads are unaligned as well.
    assert.is(halfSipHash24(REF_K0, REF_K1, dv, 3, n), VECTORS_HSIP32[n] | 0, "length " + n);
  }
});

test("halfSipHash24 returns an int32 and ignores octets outside [off, off + len)", () => {
  const bytes = new Uint8Array(16).fill(0xa5);
  for (let i = 0; i < 8; i++) bytes[4 + i] = i;
  const dv = new DataView(bytes.buffer);
  const h = halfSipHash24(REF_K0, REF_K1, dv, 4, 8);
  assert.is(h, VECTORS_HSIP32[8] | 0);
  assert.is(h | 0, h);
});

test("F is HalfSipHash-2-4 over key2, key3 and the IPv4 4-tuple (12 octets)", () => {
  const words = [LOCAL4.addr.v4, REMOTE4.addr.v4, (49500 << 16) | 80];
  assert.is(gen.offset(LOCAL4, REMOTE4), expectedOffset(KEY, words));
});

test("F is HalfSipHash-2-4 over key2, key3 and the IPv6 4-tuple (36 octets)", () => {
  const l = LOCAL6.addr.v6;
  const r = REMOTE6.addr.v6;
  const words = [l.w0, l.w1, l.w2, l.w3, r.w0, r.w1, r.w2, r.w3, (49500 << 16) | 80];
  assert.is(gen.offset(LOCAL6, REMOTE6), expectedOffset(KEY, words));
});

test("ISN = M + F with M = now × 250 (RFC 6528's 4 µs clock), int32", () => {
  const f = gen.offset(LOCAL4, REMOTE4);
  for (const now of [0, 1, T0, 0x7fffffff, -0x80000000, -1, 1000]) {
    const isn = gen.generate(now, LOCAL4, REMOTE4);
    assert.is(isn, (Math.imul(now, 250) + f) | 0, "now " + now);
    assert.is(isn | 0, isn);
  }
  assert.is(ISN_TICKS_PER_MS, 250);
});

test("the clock component advances by 250 per millisecond, across the int32 wrap of now", () => {
  let prev = gen.generate(T0, LOCAL6, REMOTE6);
  for (let ms = 1; ms <= 6000; ms++) {
    const now = (T0 + ms) | 0;
    const isn = gen.generate(now, LOCAL6, REMOTE6);
    if (((isn - prev) | 0) !== 250) assert.unreachable("step at " + now + ": " + ((isn - prev) | 0));
    prev = isn;
  }
  assert.is((gen.generate((T0 + 1000) | 0, LOCAL4, REMOTE4) - gen.generate(T0, LOCAL4, REMOTE4)) | 0, 250000);
});

test("deterministic for a fixed key", () => {
  const again = new IsnGenerator(KEY[0], KEY[1], KEY[2], KEY[3]);
  assert.is(again.generate(T0, LOCAL4, REMOTE4), gen.generate(T0, LOCAL4, REMOTE4));
  assert.is(again.generate(T0, LOCAL6, REMOTE6), gen.generate(T0, LOCAL6, REMOTE6));
  assert.is(gen.generate(T0, LOCAL4, REMOTE4), gen.generate(T0, LOCAL4, REMOTE4), "no hidden state");
  // Interleaving IPv6 and IPv4 leaves no trace in the scratch buffer.
  const v4 = gen.generate(T0, LOCAL4, REMOTE4);
  gen.generate(T0, LOCAL6, REMOTE6);
  assert.is(gen.generate(T0, LOCAL4, REMOTE4), v4);
});

test("every key word changes every ISN", () => {
  const base4 = gen.generate(T0, LOCAL4, REMOTE4);
  const base6 = gen.generate(T0, LOCAL6, REMOTE6);
  for (let k = 0; k < 4; k++) {
    for (const bit of [0, 17, 31]) {
      const key = KEY.slice();
      key[k] ^= 1 << bit;
      const other = new IsnGenerator(key[0], key[1], key[2], key[3]);
      assert.is.not(other.generate(T0, LOCAL4, REMOTE4), base4, "IPv4, key word " + k + " bit " + bit);
      assert.is.not(other.generate(T0, LOCAL6, REMOTE6), base6, "IPv6, key word " + k + " bit " + bit);
    }
  }
});

test("fromRandom draws the four key words from the host's source", () => {
  const a = IsnGenerator.fromRandom(new Xorshift32(42));
  const r = new Xorshift32(42);
  const b = new IsnGenerator(r.nextInt32(), r.nextInt32(), r.nextInt32(), r.nextInt32());
  assert.is(a.generate(T0, LOCAL4, REMOTE4), b.generate(T0, LOCAL4, REMOTE4));
  const c = IsnGenerator.fromRandom(new Xorshift32(43));
  assert.is.not(c.generate(T0, LOCAL4, REMOTE4), a.generate(T0, LOCAL4, REMOTE4));
});

test("each part of the 4-tuple matters; the direction matters", () => {
  const base = gen.generate(T0, LOCAL4, REMOTE4);
  const e = new IpEndpoint();
  assert.is.not(gen.generate(T0, e.copyFrom(LOCAL4).set(LOCAL4.addr, 49501), REMOTE4), base, "local port");
  assert.is.not(gen.generate(T0, LOCAL4, e.copyFrom(REMOTE4).set(REMOTE4.addr, 81)), base, "remote port");
  assert.is.not(gen.generate(T0, e.copyFrom(LOCAL4).set(IpAddress.v4(ipv4Parse("192.168.69.3")), 49500), REMOTE4), base, "local address");
  assert.is.not(gen.generate(T0, LOCAL4, e.copyFrom(REMOTE4).set(IpAddress.v4(ipv4Parse("192.168.69.3")), 80)), base, "remote address");
  assert.is.not(gen.generate(T0, REMOTE4, LOCAL4), base, "swapped");
  const base6 = gen.generate(T0, LOCAL6, REMOTE6);
  const far = IpAddress.v6(Ipv6Address.parse("fdaa::2"));
  far.v6.w0 ^= 1; // a change in the first word only
  assert.is.not(gen.generate(T0, LOCAL6, e.set(far, 80)), base6, "remote address, first word");
  assert.is.not(gen.generate(T0, REMOTE6, LOCAL6), base6, "swapped (IPv6)");
});

/** ISNs at one instant for `n` 4-tuples that differ in the remote port and address. */
function isnsFor(n: number, v6: boolean): number[] {
  const local = v6 ? LOCAL6 : LOCAL4;
  const remote = new IpEndpoint().copyFrom(v6 ? REMOTE6 : REMOTE4);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    remote.port = 1024 + (i % 5000);
    if (v6) remote.addr.v6.w3 = 2 + Math.floor(i / 5000);
    else remote.addr.v4 = (ipv4Parse("192.168.69.2") + Math.floor(i / 5000)) | 0;
    out.push(gen.generate(T0, local, remote));
  }
  return out;
}

for (const v6 of [false, true]) {
  const name = v6 ? "IPv6" : "IPv4";
  test(`${name}: 10,000 4-tuples at one instant give no duplicate ISN and no constant difference`, () => {
    const isns = isnsFor(10000, v6);
    assert.is(new Set(isns).size, 10000, "distinct");
    // Neighbouring 4-tuples (ports one apart) must not map to ISNs a fixed step apart, as a
    // counter or a linear function would.
    const steps = new Set<number>();
    for (let i = 1; i < isns.length; i++) steps.add((isns[i] - isns[i - 1]) | 0);
    assert.ok(steps.size > 9990, "distinct differences: " + steps.size);
    // And the bits are balanced: each of the 32 bits is set in 50% ± 3% of the ISNs.
    for (let bit = 0; bit < 32; bit++) {
      let ones = 0;
      for (const v of isns) ones += (v >>> bit) & 1;
      assert.ok(ones > 4700 && ones < 5300, `bit ${bit} set ${ones} times`);
    }
  });
}

test("IPv4 and IPv6 ISNs differ for the same ports", () => {
  const mapped = IpEndpoint.of(IpAddress.v6(new Ipv6Address(0, 0, 0xffff, LOCAL4.addr.v4)), 49500);
  const mappedRemote = IpEndpoint.of(IpAddress.v6(new Ipv6Address(0, 0, 0xffff, REMOTE4.addr.v4)), 80);
  assert.is.not(gen.generate(T0, mapped, mappedRemote), gen.generate(T0, LOCAL4, REMOTE4));
});

test.run();
