// The pcap that smoltcp's loopback example writes (here for UDP) decodes cleanly in tshark.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runUdpLoopback } from "../support/udp-loopback.js";
import { haveTshark } from "../support/tshark.js";

test("the loopback capture decodes in tshark: no malformed packet, no bad checksum", () => {
  assert.ok(haveTshark(), "tshark missing: install the Debian package tshark");
  for (const v6 of [false, true]) {
    const r = runUdpLoopback(v6);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smoltcp-loopback-"));
    const file = path.join(dir, "loopback.pcap");
    fs.writeFileSync(file, r.pcap);
    const out = spawnSync("tshark", ["-r", file, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-T", "fields", "-e", "_ws.col.Protocol", "-e", "_ws.expert.severity", "-e", "_ws.malformed"], { encoding: "utf8" });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.is(out.status, 0, out.stderr);
    const lines = out.stdout.trim().split("\n");
    assert.is(lines.length, r.frames);
    const protocols = lines.map((l) => l.split("\t")[0]);
    assert.is(protocols.filter((p) => p === "UDP").length, 20, protocols.join(","));
    assert.ok(protocols.includes(v6 ? "ICMPv6" : "ARP"));
    for (const l of lines) {
      const [, severity, malformed] = l.split("\t");
      assert.not.ok(malformed, "malformed: " + l);
      assert.ok(!severity || +severity < 0x800000, "expert error: " + l);
    }
  }
});

test.run();
