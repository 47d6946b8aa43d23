// Stack to stack under faults (test/support/netsim.ts): 10 MiB each way between two interfaces
// over the simulated wire (10 ms each way, 64 KiB socket buffers), with a seeded FaultInjector on
// the client's device that drops 15 % of the frames, corrupts 15 % (one bit flipped: the
// checksum catches it, so the frame is lost too; about 28 % of the frames are lost in all) and
// shapes both directions with a token bucket of 4 frames per 50 ms (80 frames/s each way).
// Every octet must arrive intact (the receiver checks the stream octet by octet and the FNV-1a
// hashes of what was sent and received must match), both sides close, and the run ends within a
// bound derived from the RTO schedule:
//
//   bound = frames × 50 ms / 4          every frame the stacks sent had to wait for a token
//         + rtoExpiries × RTO_MAX       each retransmission timeout waited at most 60 s
//                                       (RFC 6298 back-off is capped at RTO_MAX_DEFAULT)
//         + 63 s + 10 s                 the SYN retries (1 + 2 + 4 + 8 + 16 + 32 s) and TIME-WAIT
//
// Everything else the stack does (fast retransmit, ACKs, window updates) happens at the pace of
// the tokens. `frames` and `rtoExpiries` are what the run counted. runNetsim itself fails a run
// that goes idle with the transfer unfinished (a stall) or that passes a simulated day.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runNetsim } from "../support/netsim.js";
import { RTO_MAX_DEFAULT } from "../../src/socket/tcp/rtt.js";

const MIB10 = 10 * 1024 * 1024;

for (const direction of ["upload", "download"] as const) {
  test(`10 MiB ${direction} under 15 % drop, 15 % corruption and 4 frames / 50 ms shaping: intact, no stall, within the RTO bound`, () => {
    const r = runNetsim({
      bytes: MIB10, direction, seed: 0x5eed, limitMs: 24 * 3600 * 1000,
      clientFaults: { seed: 0xfa17, dropPct: 15, corruptPct: 15, txRateLimit: 4, rxRateLimit: 4, shapingInterval: 50 },
    });
    assert.ok(r.ok, `${r.error} (received ${r.received}, client ${r.clientState}, server ${r.serverState})`);
    assert.is(r.received, MIB10);
    assert.is(r.receivedHash, r.sentHash, "FNV-1a of the stream received == of the stream sent");
    assert.is(r.firstMismatch, -1);
    assert.ok(r.dropped > 1000 && r.corrupted > 1000 && r.rateLimited > 1000, `faults happened: ${r.dropped} dropped, ${r.corrupted} corrupted, ${r.rateLimited} rate-limited`);
    const bound = (r.frames * 50) / 4 + r.rtoRetransmits * RTO_MAX_DEFAULT + 63000 + 10000;
    console.log(`# faults ${direction}: ${r.ms} ms simulated (bound ${Math.round(bound)} ms), ${r.frames} frames, ${r.rtoRetransmits} RTO expiries, ${r.fastRetransmits} fast retransmits, ${r.dropped} dropped, ${r.corrupted} corrupted`);
    assert.ok(r.ms <= bound, `${r.ms} ms > bound ${bound} ms`);
  });
}

test.run();
