// smoltcp's loopback example, for UDP: one interface over the `Loopback` device, a client and a
// server socket exchanging datagrams through it (ARP resolving the interface's own address on
// the way), everything captured by a `PcapWriter`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runUdpLoopback } from "../support/udp-loopback.js";

for (const v6 of [false, true]) {
  test(`loopback: 20 UDP datagrams from a client to a server socket over ${v6 ? "IPv6" : "IPv4"}`, () => {
    const r = runUdpLoopback(v6);
    assert.equal(r.received, Array.from({ length: 20 }, (_, i) => "datagram " + i));
    assert.match(r.trace, v6 ? "NDISC neighbor solicitation" : "ARP request", "the interface resolved its own address");
    assert.not.match(r.trace, /\((truncated|malformed|unsupported)\)|checksum incorrect/);
    assert.is(r.frames, 20 + 2, "one request, one answer, then the datagrams");
  });
}

test.run();
