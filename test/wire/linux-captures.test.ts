// Real frames sent by the Linux kernel (test/fixtures/linux.ts, captured on a veth pair inside
// throwaway network namespaces by test/fixtures/capture-linux.sh). Each one must parse through
// every layer with checksums verified, and every field that tshark reported at capture time and
// that we also extract must have the same value.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { LINUX_FRAMES } from "../fixtures/linux.js";
import { dissectOurs } from "../support/dissect.js";
import { PrettyPrinter } from "../../src/wire/pretty.js";

// Messages this stack deliberately does not parse (IGMPv3 reports: IGMPv1/v2 only; MLD is
// recognised as ICMPv6 but has no repr yet). Their layers below parse; the message itself says
// Unsupported (WireError 4).
const UNSUPPORTED: Record<string, string> = {
  LINUX_IGMPV3_REPORT: "igmp: 4",
  LINUX_IGMPV3_REPORT_LEAVE: "igmp: 4",
};

test("every capture parses through every layer, checksums verified", () => {
  assert.ok(LINUX_FRAMES.length >= 40, "the fixture set is complete");
  for (const frame of LINUX_FRAMES) {
    const ours = dissectOurs(frame.bytes);
    assert.equal(ours.errors, frame.name in UNSUPPORTED ? [UNSUPPORTED[frame.name]] : [], frame.name);
  }
});

test("our fields equal tshark's on every capture", () => {
  let compared = 0;
  for (const frame of LINUX_FRAMES) {
    const ours = dissectOurs(frame.bytes).fields;
    let here = 0;
    for (const [name, theirs] of Object.entries(frame.fields)) {
      if (!(name in ours)) continue;
      assert.is(ours[name], theirs, `${frame.name} ${name}`);
      here++;
    }
    assert.ok(here >= 4, `${frame.name}: only ${here} fields compared`);
    compared += here;
  }
  assert.ok(compared > 600, "compared " + compared + " fields");
});

test("the top protocol of each capture is the one tshark named", () => {
  for (const frame of LINUX_FRAMES) {
    const ours = dissectOurs(frame.bytes);
    const proto = frame.summary.split(" ")[3].toLowerCase();
    const expected = proto === "icmpv6" ? "icmpv6" : proto === "icmp" ? "icmp" : proto === "igmpv2" || proto === "igmpv3" ? "igmp" : proto;
    assert.is(ours.top, expected === "mld" || expected === "mldv2" ? "icmpv6" : expected, frame.name + ": " + frame.summary);
  }
});

test("the pretty-printer describes every capture without a parse error", () => {
  const printer = new PrettyPrinter();
  for (const frame of LINUX_FRAMES) {
    const text = printer.describeBytes(frame.bytes);
    if (frame.name in UNSUPPORTED) {
      assert.match(text, "(unsupported)", frame.name);
      continue;
    }
    assert.not.match(text, /\((truncated|malformed|bad checksum|unsupported)\)|checksum incorrect/, frame.name + "\n" + text);
    assert.ok(text.split("\n").length >= 3, frame.name + "\n" + text);
  }
});

test("every truncated prefix of every capture is refused by some layer, and nothing throws", () => {
  let prefixes = 0;
  for (const frame of LINUX_FRAMES) {
    // The octets that belong to the packet (a frame may carry Ethernet padding after it).
    const f = frame.fields;
    const meaningful = f["ip.len"] ? 14 + +f["ip.len"].split(",")[0] : f["ipv6.plen"] ? 54 + +f["ipv6.plen"].split(",")[0] : frame.bytes.length;
    for (let n = 0; n < meaningful; n++) {
      const d = dissectOurs(frame.bytes.slice(0, n));
      assert.ok(d.errors.length > 0, frame.name + " cut to " + n + " octets parsed without complaint");
      prefixes++;
    }
  }
  assert.ok(prefixes > 3000, "prefixes " + prefixes);
});

test.run();
