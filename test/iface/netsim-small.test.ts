// smoltcp's netsim, small: 64 KiB TCP transfers between two interfaces over a simulated wire
// (test/support/netsim.ts), both ways, without loss and with 5 % of the frames dropped, over
// IPv4 and IPv6. Portable: the XS engine runs the same path as the 10 MiB table of
// test/host/netsim.test.ts (Node only). Times are simulated, so the figures asserted here are
// the same on both engines.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runNetsim, WIRE_ROUND_TRIP_MS, type NetsimCase } from "../support/netsim.js";
import { WirePair } from "../support/wire-pair.js";

const KIB64 = 64 * 1024;

test("wire pair: a frame sent on one end arrives on the other after the latency, in order; a full queue pushes back", () => {
  const w = new WirePair(3, 1514, 5);
  const t0 = (0x7fffffff - 2) | 0; // across the wrap
  for (let k = 0; k < 2; k++) {
    const off = w.a.transmitBegin(t0, 60);
    assert.ok(off >= 0);
    w.a.txBytes.fill(0x10 + k, off, off + 60);
    w.a.transmitCommit(60 - k);
  }
  assert.is(w.a.transmitBegin(t0, 60) >= 0, true, "a third slot is free");
  assert.is(w.b.receive(t0), 0, "nothing before the latency");
  assert.is(w.a.receive(t0), 0, "nothing comes back on the sender's end");
  assert.is(w.nextArrival(t0), 5);
  const t5 = (t0 + 5) | 0;
  assert.is(w.b.receive(t5), 60);
  assert.is(w.b.rxBytes[w.b.rxOffset], 0x10);
  // The lent slot is kept: with one queued and one lent, a 3-slot queue has room for one more.
  assert.ok(w.a.transmitBegin(t5, 60) >= 0);
  w.a.transmitCommit(60);
  assert.is(w.a.transmitBegin(t5, 60), -1, "full: back-pressure, nothing lost");
  assert.is(w.aToB.refused, 1);
  assert.is(w.b.receive(t5), 59);
  assert.is(w.b.rxBytes[w.b.rxOffset], 0x11);
  assert.is(w.b.receive(t5), 0, "the third frame was sent at t5: it arrives at t10");
  assert.is(w.nextArrival(t5), 5);
  assert.is(w.b.receive((t5 + 5) | 0), 60);
  assert.is(w.inFlight(), 0);
  assert.is(w.nextArrival(t5), -1);
});

for (const ipv6 of [false, true]) {
  for (const direction of ["upload", "download"] as const) {
    for (const drop of [0, 5]) {
      const name = `${direction} ${KIB64} octets over ${ipv6 ? "IPv6" : "IPv4"}, ${drop}% drop`;
      test(`netsim: ${name}: every octet arrives intact, both sides close`, () => {
        const c: NetsimCase = {
          bytes: KIB64, direction, ipv6, seed: 7, buffer: 16384, wireSlots: 32,
          clientFaults: drop ? { seed: 11 + (ipv6 ? 100 : 0) + (direction === "upload" ? 0 : 1), dropPct: drop } : undefined,
        };
        const r = runNetsim(c);
        assert.ok(r.ok, `${name}: ${r.error} (sent ${r.sent}, received ${r.received}, client ${r.clientState}, server ${r.serverState})`);
        assert.is(r.received, KIB64);
        assert.is(r.receivedHash, r.sentHash);
        assert.is(r.clientState, "CLOSED");
        assert.is(r.serverState, "CLOSED");
    assert.is(r.clientError, 0, "no reset, no time-out on the client");
    assert.is(r.serverError, 0, "no reset, no time-out on the server");
        // Enough segments to carry the data at the largest MSS (1460 over IPv4, 1440 over IPv6).
        assert.ok(r.segments >= Math.ceil(KIB64 / (ipv6 ? 1440 : 1460)), `${r.segments} segments`);
        if (drop === 0) {
          assert.is(r.retransmits, 0, "no loss, no retransmission");
          assert.is(r.dropped, 0);
          // Handshake, ARP/NDISC, a 16 KiB window per round trip: a few round trips, no timeout.
          assert.ok(r.ms >= WIRE_ROUND_TRIP_MS && r.ms < 1000, `${r.ms} ms`);
        } else {
          assert.ok(r.dropped > 0, "the injector dropped frames");
          assert.ok(r.retransmits > 0, "and they were sent again");
        }
      });
    }
  }
}

test("netsim: the same case and seeds give the same run", () => {
  const c: NetsimCase = { bytes: 20000, direction: "upload", seed: 3, buffer: 8192, wireSlots: 16, clientFaults: { seed: 5, dropPct: 10 } };
  const a = runNetsim(c);
  const b = runNetsim(c);
  assert.ok(a.ok, a.error);
  assert.equal([a.ms, a.segments, a.retransmits, a.dropped, a.rounds], [b.ms, b.segments, b.retransmits, b.dropped, b.rounds]);
});

test("netsim: a corrupted stream is caught (the check is not blind)", () => {
  // Flip one octet of the payload source on the receiver's side only: the stream check must see it.
  const c: NetsimCase = { bytes: 4096, direction: "upload", seed: 9, buffer: 8192, wireSlots: 16 };
  const r = runNetsim(c, undefined, 1000);
  assert.not.ok(r.ok);
  assert.is(r.firstMismatch, 1000);
  assert.match(r.error, "data corrupted at offset 1000");
});

test.run();
