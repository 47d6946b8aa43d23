// smoltcp's loopback example for TCP (examples/loopback-tcp.ts, the core of `npm start`): a
// client and a server socket on one interface over the `Loopback`, every transmitted frame
// captured by a `PcapWriter`. tshark, an independent dissector with checksum validation and its
// TCP sequence analysis on, must decode every frame: no malformed packet, no bad checksum, and
// no TCP analysis complaint (retransmission, out-of-order, lost segment, duplicate ACK, zero
// window, window full, ...) unless a fault injection explains it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LoopbackRig, runTcpTransfer, type TcpTransferResult } from "../../examples/loopback-tcp.js";
import { MemorySink } from "../support/udp-loopback.js";
import { haveTshark } from "../support/tshark.js";

/** What tshark said about one frame. */
interface Frame {
  number: number;
  protocol: string;
  malformed: boolean;
  /** `tcp.analysis.flags` was set. */
  analysis: boolean;
  /** Expert messages, with their severity (0x200000 chat, 0x400000 note, 0x600000 warn, 0x800000 error). */
  expert: { message: string; severity: number }[];
}

/** Expert messages that only describe the connection (SYN, FIN), not a problem. */
const CONNECTION_INFO = /^Connection (establish|finish|reset)|connection closing/;
/**
 * The TCP analysis kinds a lost frame explains: the resend itself, the receiver's duplicate
 * ACKs, a gap or a late segment, and a window update (a chat-level note: the reader frees room
 * while a hole keeps the acknowledgment number where it was).
 */
const LOSS_EXPLAINED = /retransmission|Duplicate ACK|Previous segment(s)? not captured|ACKed segment that wasn't captured|Out-Of-Order|window update/i;

function tshark(pcap: Uint8Array): Frame[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smoltcp-loopback-tcp-"));
  const file = path.join(dir, "loopback-tcp.pcap");
  try {
    fs.writeFileSync(file, pcap);
    const out = spawnSync("tshark", [
      "-r", file,
      "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "tcp.analyze_sequence_numbers:TRUE",
      "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|", "-E", "separator=\t",
      "-e", "frame.number", "-e", "_ws.col.Protocol", "-e", "_ws.malformed", "-e", "tcp.analysis.flags",
      "-e", "_ws.expert.message", "-e", "_ws.expert.severity",
    ], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    assert.is(out.status, 0, out.stderr);
    return out.stdout.trim().split("\n").map((line) => {
      const [num, protocol, malformed, flags, messages, severities] = line.split("\t");
      const m = messages ? messages.split("|") : [];
      const s = severities ? severities.split("|").map(Number) : [];
      return { number: +num, protocol, malformed: !!malformed, analysis: !!flags, expert: m.map((message, i) => ({ message, severity: s[i] ?? 0 })) };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function capture(bytes: number, drop: number, seed: number, ipv6 = false): { r: TcpTransferResult; frames: Frame[]; recorded: number } {
  const sink = new MemorySink();
  const rig = new LoopbackRig({ pcap: sink, seed });
  rig.injector.dropChance = drop;
  const r = runTcpTransfer(rig, (0x7fffffff - 3000) | 0, { bytes, ipv6, seed });
  assert.ok(r.ok, r.error);
  return { r, frames: tshark(sink.bytes()), recorded: rig.pcap!.framesRecorded };
}

/** The expert messages of `f` that are TCP analysis complaints. */
function complaints(f: Frame): string[] {
  return f.expert.filter((e) => !CONNECTION_INFO.test(e.message)).map((e) => `frame ${f.number} (${f.protocol}): ${e.message}`);
}

test("loopback TCP capture without faults: every frame decodes, no TCP analysis flag at all", () => {
  assert.ok(haveTshark(), "tshark missing: install the Debian package tshark");
  for (const ipv6 of [false, true]) {
    const { r, frames, recorded } = capture(256 * 1024, 0, 1, ipv6);
    assert.is(frames.length, recorded, "tshark read every recorded frame");
    assert.is(frames.filter((f) => f.protocol === "TCP").length, r.segments, "every TCP segment the tap counted");
    assert.ok(frames.some((f) => f.protocol === (ipv6 ? "ICMPv6" : "ARP")), "the interface resolved its own address");
    assert.is(r.retransmits, 0);
    for (const f of frames) {
      assert.not.ok(f.malformed, `frame ${f.number} malformed`);
      assert.not.ok(f.analysis, `frame ${f.number}: tcp.analysis.flags: ${f.expert.map((e) => e.message).join("; ")}`);
      assert.equal(complaints(f), [], "no expert message but the connection's own");
      for (const e of f.expert) assert.ok(e.severity < 0x600000, `frame ${f.number}: ${e.message}`);
    }
  }
});

test("loopback TCP capture with 5% drop: every frame decodes, only loss-explained TCP analysis flags", () => {
  assert.ok(haveTshark(), "tshark missing: install the Debian package tshark");
  const { r, frames, recorded } = capture(128 * 1024, 5, 7);
  assert.is(frames.length, recorded);
  assert.ok(r.retransmits > 0, "the drops made the client retransmit");
  const all: string[] = [];
  for (const f of frames) {
    assert.not.ok(f.malformed, `frame ${f.number} malformed`);
    const c = complaints(f);
    all.push(...c);
    if (f.analysis) assert.ok(c.length > 0, `frame ${f.number}: tcp.analysis.flags without a message`);
    for (const m of c) assert.match(m, LOSS_EXPLAINED, "only what a lost frame explains");
    for (const e of f.expert) assert.ok(e.severity < 0x800000, `frame ${f.number}: ${e.message} (an error, e.g. a bad checksum)`);
  }
  assert.ok(all.some((m) => /retransmission/i.test(m)), "tshark saw the retransmissions: " + all.slice(0, 5).join("; "));
});

test.run();
