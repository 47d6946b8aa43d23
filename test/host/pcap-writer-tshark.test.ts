// The PcapWriter's output, read by an independent reader: real Linux frames go through a
// Loopback wrapped in a PcapWriter (every frame recorded on transmit and again on receive), the
// capture is written to a file, and tshark must read every record back with the right length,
// time and protocol, and flag nothing as malformed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Loopback } from "../../src/phy/loopback.js";
import { PcapMode, PcapWriter, type PcapSink } from "../../src/phy/pcap-writer.js";
import { LINUX_FRAMES } from "../fixtures/linux.js";
import { haveTshark } from "../support/tshark.js";

// The clock starts 3 s before the int32 wrap and steps 150 ms per frame, so the capture's
// timestamps cross it.
const T0 = (0x7fffffff - 3000) | 0;
const STEP = 150;

/** Copies every write (the writer reuses its buffers) for one `fs.writeFileSync`. */
class FileSink implements PcapSink {
  parts: Buffer[] = [];
  write(bytes: Uint8Array, off: number, len: number): void {
    this.parts.push(Buffer.from(bytes.slice(off, off + len)));
  }
}

const skipReason = haveTshark() ? null : "tshark is not installed: the PcapWriter capture was not checked by tshark";
if (skipReason) console.log("# SKIP " + skipReason);

if (skipReason) {
  test("tshark check skipped", () => {
    assert.is(skipReason, "tshark is not installed: the PcapWriter capture was not checked by tshark");
  });
} else {
  test("tshark reads every record of a PcapWriter capture", () => {
    const sink = new FileSink();
    const mtu = Math.max(1514, ...LINUX_FRAMES.map((f) => f.bytes.length));
    const pw = new PcapWriter(new Loopback(4, mtu), sink, PcapMode.Both);
    const times: number[] = [];
    LINUX_FRAMES.forEach((frame, k) => {
      const now = (T0 + k * STEP) | 0;
      const off = pw.transmitBegin(now, frame.bytes.length);
      assert.ok(off >= 0);
      pw.txBytes.set(frame.bytes, off);
      pw.transmitCommit(frame.bytes.length);
      assert.is(pw.receive(now), frame.bytes.length);
      times.push(now >>> 0, now >>> 0);
    });
    assert.ok(((T0 + (LINUX_FRAMES.length - 1) * STEP) | 0) < 0, "the clock crossed the wrap");

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smoltcp-pcap-"));
    const file = path.join(dir, "phy.pcap");
    try {
      fs.writeFileSync(file, Buffer.concat(sink.parts));
      const r = spawnSync(
        "tshark",
        ["-r", file, "-T", "fields", "-E", "separator=/t", "-e", "frame.len", "-e", "_ws.col.Protocol", "-e", "frame.time_epoch", "-e", "_ws.malformed"],
        { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      );
      assert.is(r.status, 0, "tshark failed: " + r.stderr);
      const rows = r.stdout.trimEnd().split("\n").map((line) => line.split("\t"));
      assert.is(rows.length, 2 * LINUX_FRAMES.length, "one record per frame and direction");
      rows.forEach(([len, proto, epoch, malformed], i) => {
        const frame = LINUX_FRAMES[i >> 1];
        const where = frame.name + (i & 1 ? " (rx)" : " (tx)");
        assert.is(+len, frame.bytes.length, where);
        assert.is(proto, frame.summary.split(" ")[3], where);
        assert.is(Math.round(+epoch * 1000), times[i], where + ": time " + epoch);
        assert.is(malformed ?? "", "", where + " is malformed");
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
