/**
 * Host-side test helpers: write frames to a classic pcap file and have tshark, an independent
 * dissector, decode them with checksum validation on.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Whether tshark can be run here. */
export function haveTshark(): boolean {
  const r = spawnSync("tshark", ["--version"], { encoding: "utf8" });
  return r.status === 0;
}

/** Writes frames into a classic libpcap file (link type 1, Ethernet), one per record. */
export function writePcap(file: string, frames: Uint8Array[]): void {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0); // magic: microsecond timestamps
  header.writeUInt16LE(2, 4); // version 2.4
  header.writeUInt16LE(4, 6);
  header.writeInt32LE(0, 8); // thiszone
  header.writeUInt32LE(0, 12); // sigfigs
  header.writeUInt32LE(65535, 16); // snaplen
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const parts: Buffer[] = [header];
  frames.forEach((f, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(0, 4);
    rec.writeUInt32LE(f.length, 8);
    rec.writeUInt32LE(f.length, 12);
    parts.push(rec, Buffer.from(f));
  });
  fs.writeFileSync(file, Buffer.concat(parts));
}

/** One dissected frame: every field tshark reported, flattened to `name -> [values]`. */
export interface Dissection {
  fields: Map<string, string[]>;
  /** Field value (first occurrence), or undefined. */
  get(name: string): string | undefined;
  /** Problems tshark flagged: malformed packets and bad checksums. */
  problems: string[];
}

function flatten(node: unknown, out: Map<string, string[]>): void {
  if (node === null || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (typeof v === "string") {
      const list = out.get(k) ?? [];
      list.push(v);
      out.set(k, list);
    } else if (Array.isArray(v)) {
      for (const item of v) {
        if (typeof item === "string") {
          const list = out.get(k) ?? [];
          list.push(item);
          out.set(k, list);
        } else flatten(item, out);
      }
    } else {
      if (k === "_ws.malformed" || k.startsWith("_ws.malformed")) {
        const list = out.get("_ws.malformed") ?? [];
        list.push("malformed");
        out.set("_ws.malformed", list);
      }
      flatten(v, out);
    }
  }
}

/**
 * Dissects `frames` with tshark, checksum validation on for IPv4, TCP and UDP (ICMP, ICMPv6 and
 * IGMP checksums are always validated). Returns one `Dissection` per frame.
 */
export function dissect(frames: Uint8Array[]): Dissection[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smoltcp-tshark-"));
  const file = path.join(dir, "frames.pcap");
  try {
    writePcap(file, frames);
    const r = spawnSync(
      "tshark",
      ["-r", file, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-T", "json", "-x"],
      { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
    );
    if (r.status !== 0) throw new Error("tshark failed: " + r.stderr);
    const packets = JSON.parse(r.stdout) as { _source: { layers: unknown } }[];
    return packets.map((p) => {
      const fields = new Map<string, string[]>();
      flatten(p._source.layers, fields);
      const problems: string[] = [];
      if (fields.has("_ws.malformed")) problems.push("malformed packet");
      for (const [k, v] of fields) {
        if (k.endsWith("checksum.status") && v.includes("0")) problems.push("bad checksum: " + k);
        if (k === "_ws.expert.severity" && v.some((s) => +s >= 0x800000)) problems.push("expert error: " + (fields.get("_ws.expert.message") ?? []).join("; "));
      }
      return { fields, problems, get: (name: string) => fields.get(name)?.[0] };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
