// The reliability fuzzer (test/reliability/tcp-fuzz.ts): structured TCP segments for live
// connections and mutated Linux captures, checksums recomputed, into an interface with TCP
// listeners, connected TCP sockets (IPv4, IPv6, passive, active), UDP, ICMP and raw sockets.
// `poll` never throws, and after every frame the counters add up and every TCP socket's
// invariants hold (test/support/invariants.ts). 50,000 frames here, on both engines;
// test/host/reliability-fuzz.test.ts runs 150,000 more on Node (200,000 in all for `npm test`),
// `npm run soak` 10,000,000, and test/alloc/reliability-fuzz.alloc.ts has XS count the
// allocations (memory flat: zero slots per frame).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TcpFuzzRig, fuzzTcp } from "./tcp-fuzz.js";

test("50,000 fuzzed frames at TCP listeners, connections, UDP, ICMP and raw sockets: no exception, invariants after every frame", () => {
  const r = new TcpFuzzRig(0xc0ffee);
  const p = fuzzTcp(r, 50000, 1);
  assert.is(p, null, String(p));
  const s = r.iface.stats;
  assert.is(s.rxFrames, 50000);
  // The frames reach deep: connections were opened again and again, data moved both ways.
  assert.ok(r.reopened > 50, "connections re-opened: " + r.reopened);
  assert.ok(r.readOctets > 10000, "octets read: " + r.readOctets);
  let ooo = 0;
  let challenges = 0;
  for (const t of r.tcp) {
    ooo += t.rxOutOfOrder;
    challenges += t.challengeAcks;
  }
  assert.ok(ooo > 50, "out-of-order segments kept: " + ooo);
  assert.ok(challenges > 100, "challenge ACKs: " + challenges);
  assert.ok(s.txTcpResets > 100 && s.txEchoReplies > 100 && s.txIcmpErrors > 100, JSON.stringify(s.snapshot()));
});

test.run();
