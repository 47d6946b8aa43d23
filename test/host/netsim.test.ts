// smoltcp's netsim: 10 MiB TCP transfers between two interfaces over a simulated wire, both
// ways, with seeded loss, corruption and rate limits (test/support/netsim.ts has the rig). Node
// only: a 10 MiB case is too slow for the XS engine; test/iface/netsim-small.test.ts runs the
// same path on both engines with 64 KiB.
//
// Every case must deliver every octet intact (the receiver checks the stream octet by octet and
// the FNV-1a hashes of what was sent and received must match) and close cleanly on both sides.
//
// The table of results (simulated ms to completion, segments, retransmissions seen on the wire,
// frames dropped and corrupted) is a snapshot: it is compared exactly with the committed file
// test/host/netsim.snapshot.txt, so any change in the stack's behaviour on these runs shows up
// as a diff. After an intended change, regenerate the file and review the diff:
//
//     UPDATE_SNAPSHOTS=1 node test/run.mjs host/netsim
//
// Set-up of the table: socket buffers of 64 KiB each way (`NETSIM_BUFFER`, smoltcp's netsim
// goes up to 32 KiB), a wire of 128 frames each way with 10 ms latency each way (a 20 ms round
// trip), MTU 1514, faults on the client's side only (every frame passes exactly one injector).
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { formatRow, runNetsim, TABLE_HEADER, type NetsimCase } from "../support/netsim.js";

const MIB10 = 10 * 1024 * 1024;
const SEED = 0x5eed;

/** The table's rows: name and case. */
const CASES: [string, NetsimCase][] = [];
for (const direction of ["upload", "download"] as const) {
  for (const drop of [0, 1, 5, 15]) {
    CASES.push([`${direction} drop ${drop}%`, {
      bytes: MIB10, direction, seed: SEED,
      clientFaults: drop ? { seed: SEED + drop, dropPct: drop } : undefined,
    }]);
  }
  // About 28 % of the frames lost (a corrupted frame fails a checksum and is dropped). Today this
  // takes about five simulated hours: under sustained loss the socket's RTO climbs to its 60 s
  // maximum and stays there (every window loses a segment, so Karn's rule never lets a fresh
  // sample undo the back-off). Hence a bound of a simulated day for this case alone.
  CASES.push([`${direction} drop 15% corrupt 15%`, {
    bytes: MIB10, direction, seed: SEED, limitMs: 24 * 3600 * 1000,
    clientFaults: { seed: SEED + 1515, dropPct: 15, corruptPct: 15 },
  }]);
  // smoltcp's examples take --tx-rate-limit, --rx-rate-limit and --shaping-interval: here 16
  // frames each way per 10 ms window on the client (1,600 frames/s, about 2.3 MB/s of data), a
  // bottleneck below the 3.2 MB/s that a 64 KiB window per 20 ms round trip allows.
  CASES.push([`${direction} rate 16/10ms each way`, {
    bytes: MIB10, direction, seed: SEED,
    clientFaults: { seed: SEED + 16, txRateLimit: 16, rxRateLimit: 16, shapingInterval: 10 },
  }]);
}

/** The snapshot file in the source tree (the compiled test runs from the build directory). */
function snapshotPath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, "test", "host", "netsim.snapshot.txt");
    if (fs.existsSync(path.join(dir, "package.json"))) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve("test", "host", "netsim.snapshot.txt");
}

const rows: string[] = [];

for (const [name, c] of CASES) {
  test(`netsim: ${name}, 10 MiB, data intact, both sides closed`, () => {
    const r = runNetsim(c);
    rows.push(formatRow(name, r));
    const detail = `${name}: ${r.error} (sent ${r.sent}, received ${r.received}, client ${r.clientState}, server ${r.serverState}, ${r.segments} segments, ${r.retransmits} retransmissions, ${r.rounds} rounds)`;
    assert.ok(r.ok, detail);
    assert.is(r.received, MIB10);
    assert.is(r.receivedHash, r.sentHash, "FNV-1a of the stream received == of the stream sent");
    assert.is(r.firstMismatch, -1);
    assert.is(r.clientState, "CLOSED");
    assert.is(r.serverState, "CLOSED");
    assert.is(r.clientError, 0, "no reset, no time-out on the client");
    assert.is(r.serverError, 0, "no reset, no time-out on the server");
    assert.ok(r.ms >= 0 && r.closedMs >= r.ms);
    // The faults did what the case asked for, so the table measures what it says.
    if (c.clientFaults?.dropPct) assert.ok(r.dropped > 0 && r.retransmits > 0, "frames were dropped and resent");
    else assert.is(r.dropped, 0);
    if (c.clientFaults?.corruptPct) assert.ok(r.corrupted > 0);
    if (c.clientFaults?.txRateLimit) {
      assert.ok(r.rateLimited > 0, "the token buckets held frames back");
      // 16 frames per 10 ms carry at most 16 * 1460 octets: the bound the transfer cannot beat.
      assert.ok(r.ms >= Math.floor(MIB10 / (16 * 1460)) * 10, `${r.ms} ms`);
    }
  });
}

test("netsim: the table matches test/host/netsim.snapshot.txt (UPDATE_SNAPSHOTS=1 rewrites it)", () => {
  assert.is(rows.length, CASES.length, "every case ran");
  const table = [TABLE_HEADER, ...rows].join("\n") + "\n";
  const file = snapshotPath();
  if (process.env.UPDATE_SNAPSHOTS === "1") {
    fs.writeFileSync(file, table);
    console.log("netsim: wrote " + file + "\n" + table);
    return;
  }
  assert.ok(fs.existsSync(file), `no snapshot at ${file}: run with UPDATE_SNAPSHOTS=1 to create it`);
  assert.fixture(table, fs.readFileSync(file, "utf8"));
});

test.run();
