// The tcpdump-style pretty-printer: what it prints for known frames, and that it never throws,
// whatever the bytes (it is also a fuzz target for every parser it calls).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PrettyPrinter } from "../../src/wire/pretty.js";
import { LINUX_FRAMES, LINUX_ARP_REQUEST, LINUX_TCPV4_SYN, LINUX_ICMPV6_PORT_UNREACHABLE, LINUX_MLDV2_REPORT } from "../fixtures/linux.js";

const printer = new PrettyPrinter();

test("ARP request", () => {
  assert.is(
    printer.describeBytes(LINUX_ARP_REQUEST),
    "EthernetII src=02-00-00-00-00-01 dst=ff-ff-ff-ff-ff-ff type=ARP\n" +
      "\\ ARP request src=02-00-00-00-00-01/192.168.69.1 tgt=00-00-00-00-00-00/192.168.69.2\n",
  );
});

test("TCP SYN: one line per layer, options shown", () => {
  const lines = printer.describeBytes(LINUX_TCPV4_SYN).split("\n");
  assert.is(lines.length, 4);
  assert.is(lines[0], "EthernetII src=02-00-00-00-00-01 dst=02-00-00-00-00-02 type=IPv4");
  assert.match(lines[1], /^\\ IPv4 src=192\.168\.69\.1 dst=192\.168\.69\.2 proto=TCP/);
  assert.match(lines[2], /^ \\ TCP src=40000 dst=8000 syn seq=\d+ win=64240 .*mss=1460/);
  assert.match(lines[2], "ws=10");
  assert.is(lines[3], "");
});

test("ICMPv6 error quoting a packet", () => {
  const text = printer.describeBytes(LINUX_ICMPV6_PORT_UNREACHABLE);
  assert.match(text, "\\ IPv6 src=fdaa::2 dst=fdaa::1");
  assert.match(text, /\\ ICMPv6 destination unreachable \(port unreachable\) quoting \[IPv6 src=fdaa::1 dst=fdaa::2 nxt=UDP/);
});

test("hop-by-hop header with router alert, then MLD", () => {
  const text = printer.describeBytes(LINUX_MLDV2_REPORT);
  assert.match(text, /\\ Hop-by-Hop.*router_alert=0/i);
  assert.match(text, /ICMPv6 .*(MLD|multicast listener)/i);
});

test("a bad checksum is said, not hidden", () => {
  const bad = LINUX_TCPV4_SYN.slice();
  bad[bad.length - 1] ^= 1;
  assert.match(printer.describeBytes(bad), /TCP .* \(checksum incorrect\)/);
  const badIp = LINUX_TCPV4_SYN.slice();
  badIp[14 + 8] ^= 1; // TTL
  assert.match(printer.describeBytes(badIp), /IPv4 .* \(checksum incorrect\)/);
});

test("truncated and empty frames", () => {
  assert.is(printer.describeBytes(new Uint8Array(0)), "EthernetII (truncated)\n");
  assert.match(printer.describeBytes(LINUX_TCPV4_SYN.slice(0, 14 + 10)), "IPv4 (truncated)");
  assert.match(printer.describeBytes(LINUX_TCPV4_SYN.slice(0, 14 + 20 + 10)), /IPv4 \(truncated\)|TCP \(truncated\)/);
});

/** xorshift32, so that the fuzz cases are the same on every run and on both engines. */
function rng(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

test("fuzz: 20,000 mutated captures (bit flips, truncations, extreme lengths) never throw", () => {
  const next = rng(0x5eed);
  const buf = new Uint8Array(1600);
  const dv = new DataView(buf.buffer);
  let described = 0;
  for (let i = 0; i < 20000; i++) {
    const src = LINUX_FRAMES[next() % LINUX_FRAMES.length].bytes;
    buf.set(src);
    let len = src.length;
    const kind = next() % 4;
    if (kind === 0) {
      for (let k = 1 + (next() % 4); k > 0; k--) buf[next() % len] ^= 1 << (next() % 8);
    } else if (kind === 1) {
      len = next() % (len + 1);
    } else if (kind === 2) {
      // A length or offset field set to an extreme value.
      const at = 14 + (next() % Math.max(1, len - 15));
      dv.setUint16(at, next() % 2 ? 0xffff : 0);
    } else {
      for (let k = 0; k < 8; k++) buf[14 + (next() % Math.max(1, len - 14))] = next() & 0xff;
    }
    const text = printer.describe(buf, dv, 0, len);
    assert.type(text, "string");
    described++;
  }
  assert.is(described, 20000);
});

test("fuzz: 2,000 frames of random bytes never throw", () => {
  const next = rng(42);
  const buf = new Uint8Array(1514);
  const dv = new DataView(buf.buffer);
  for (let i = 0; i < 2000; i++) {
    const len = next() % 1515;
    for (let k = 0; k < len; k++) buf[k] = next() & 0xff;
    // Steer some frames to the IP parsers.
    if (i % 2) dv.setUint16(12, i % 4 === 1 ? 0x0800 : 0x86dd);
    assert.type(printer.describe(buf, dv, 0, len), "string");
  }
});

test.run();
