// Cross-check against an independent dissector. Frames emitted by our code (every Linux capture
// parsed and written again from our reprs, plus frames of the other kinds built from reprs) are
// written to a pcap file and decoded by tshark with checksum validation on. tshark must flag no
// malformed packet and no bad checksum, and every field it reports that we also extract must
// equal our value.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { LINUX_FRAMES } from "../fixtures/linux.js";
import { dissectOurs } from "../support/dissect.js";
import { builtFrames, reEmit } from "../support/emit.js";
import { dissect, haveTshark } from "../support/tshark.js";

const tshark = haveTshark();
if (!tshark) console.log("# tshark is not installed: the tshark cross-check cannot run (.ci/run installs it)");

test("tshark is available (.ci/run installs it)", () => {
  assert.ok(tshark, "tshark missing: install the Debian package tshark");
});

interface Case {
  name: string;
  bytes: Uint8Array;
  /** For re-emitted captures: what tshark said about the original capture. */
  original?: Readonly<Record<string, string>>;
}

const cases: Case[] = [];
const skipped: string[] = [];
for (const f of LINUX_FRAMES) {
  const r = reEmit(f.bytes);
  if ("bytes" in r) cases.push({ name: f.name + " (re-emitted)", bytes: r.bytes, original: f.fields });
  else skipped.push(f.name + ": " + r.skip);
}
for (const b of builtFrames()) cases.push(b);

test("most captures can be re-emitted from reprs alone", () => {
  // What cannot: IPv4 options (IGMP router alert), IPv6 extension headers (MLD), IGMPv3/MLD bodies.
  assert.ok(cases.length - builtFrames().length >= 35, "re-emitted " + (cases.length - builtFrames().length) + "; skipped: " + skipped.join("; "));
  for (const s of skipped) assert.match(s, /options|extension|igmp|icmpv6 type 1(3[0-2]|43)/, s);
});

test("tshark decodes every emitted frame with no malformed packet and no bad checksum", () => {
  if (!tshark) return assert.unreachable("tshark missing");
  const decoded = dissect(cases.map((c) => c.bytes));
  assert.is(decoded.length, cases.length);
  cases.forEach((c, i) => assert.equal(decoded[i].problems, [], c.name));
});

test("the fields tshark reports equal ours", () => {
  if (!tshark) return assert.unreachable("tshark missing");
  const decoded = dissect(cases.map((c) => c.bytes));
  let compared = 0;
  cases.forEach((c, i) => {
    const ours = dissectOurs(c.bytes);
    assert.equal(ours.errors, [], c.name);
    let here = 0;
    for (const [name, value] of Object.entries(ours.fields)) {
      const theirs = decoded[i].fields.get(name);
      if (!theirs) continue;
      assert.is(theirs.join(","), value, c.name + " " + name);
      here++;
    }
    assert.ok(here >= 6, c.name + ": only " + here + " fields compared");
    compared += here;
  });
  assert.ok(compared > 800, "compared " + compared);
});

test("a re-emitted capture means what the original meant", () => {
  if (!tshark) return assert.unreachable("tshark missing");
  // Fields that may legitimately differ: emitted IPv4 identification is 0 and TTL/flags come
  // from the repr, and checksums follow from those.
  const semantic = /^(eth\.(src|dst|type)|ip\.(src|dst|proto|ttl|len)|ipv6\.(src|dst|nxt|hlim|plen)|arp\.|icmp\.(type|code|ident|seq)|icmpv6\.(type|code|echo|nd\.|opt\.linkaddr)|igmp\.(type|maddr|max_resp)|udp\.(srcport|dstport|length)|tcp\.(srcport|dstport|seq_raw|ack_raw|flags|window_size_value|len|options\.(mss_val|wscale\.shift|timestamp\.)))/;
  const withOriginal = cases.filter((c) => c.original);
  const decoded = dissect(withOriginal.map((c) => c.bytes));
  withOriginal.forEach((c, i) => {
    for (const [name, value] of Object.entries(c.original!)) {
      if (!semantic.test(name)) continue;
      assert.is(decoded[i].get(name) === undefined ? undefined : decoded[i].fields.get(name)!.join(","), value, c.name + " " + name);
    }
  });
});

test("tshark flags a frame whose checksum we broke (the check can fail)", () => {
  if (!tshark) return assert.unreachable("tshark missing");
  const bad = builtFrames()[0].bytes.slice();
  bad[bad.length - 1] ^= 0x55;
  const [d] = dissect([bad]);
  assert.ok(d.problems.some((p) => p.includes("checksum")), "problems: " + d.problems.join("; "));
});

test.run();
