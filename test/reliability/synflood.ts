/**
 * The SYN flood scenario, shared by the portable test (test/reliability/hostile.test.ts, 5,000
 * SYNs), the Node test (test/host/reliability-synflood.test.ts, 100,000) and the XS allocation
 * case (test/alloc/reliability-synflood.alloc.ts). Not a test file itself.
 *
 * A listen backlog of two sockets on port 80 and a free socket slot; the attacker sends SYNs,
 * ten per simulated millisecond, each from a new source address, port and sequence number
 * (`FloodDevice`). Then the flood stops, the clock moves on by `quietMs`, and a legitimate client
 * (the peer, 192.168.69.2) connects with real frames.
 */
import { TcpSocket, TcpState, TCP_STATE_NAMES } from "../../src/socket/tcp/socket.js";
import { TcpControl } from "../../src/wire/tcp.js";
import { IpAddress } from "../../src/wire/ip.js";
import { FloodDevice, FloodKind, GATEWAY_IP, GATEWAY_MAC, HostileRig, seg4, tcpSegments, T0 } from "../support/adversary.js";
import { tcpInvariantsOf } from "../support/invariants.js";

export interface SynFloodResult {
  /** The listeners' states after the flood. */
  statesAfterFlood: string[];
  /** Frames the interface sent during the flood, by kind. */
  txSynAck: number;
  txArp: number;
  txRst: number;
  txOther: number;
  /** SYNs dropped because the backlog was full. */
  droppedFull: number;
  /** The counters added up after every poll. */
  countersAddUp: boolean;
  /** The first socket invariant broken (null: none). */
  invariant: string | null;
  /** Neighbor cache entries in use at the end of the flood, and its capacity. */
  neighbors: number;
  neighborCapacity: number;
  /** Simulated ms the flood lasted. */
  floodMs: number;
  /** The listeners' states when the legitimate client connects. */
  statesBeforeClient: string[];
  /** The legitimate client got a SYN-ACK and the connection was established. */
  clientConnected: boolean;
}

/**
 * `count` SYNs; `sourceMode` as `FloodDevice.sourceMode` (0: off-link sources through a gateway
 * that answers ARP; 1: spoofed on-link sources nobody answers ARP for). `quietMs` after the flood.
 */
export function runSynFlood(count: number, sourceMode: number, quietMs: number): SynFloodResult {
  const rig = new HostileRig(3);
  const listeners: TcpSocket[] = [rig.listen(80), rig.listen(80)];
  const fd = new FloodDevice(FloodKind.Syn, 0x5f100d + sourceMode);
  fd.sourceMode = sourceMode;
  // The gateway answers ARP (fills the cache) before the flood, as a live router does.
  rig.poll();
  rig.iface.neighbors.fill(IpAddress.v4(GATEWAY_IP), GATEWAY_MAC, rig.t);
  const stats = rig.iface.stats;
  let countersAddUp = true;
  let invariant: string | null = null;
  const perMs = 10;
  let t = 0;
  for (let sent = 0; sent < count; sent += perMs) {
    fd.burst = perMs < count - sent ? perMs : count - sent;
    rig.iface.poll((T0 + t) | 0, fd, rig.sockets);
    if (stats.rxFrames !== stats.rxProcessed + stats.rxDropped()) countersAddUp = false;
    if (invariant === null) invariant = tcpInvariantsOf(listeners);
    t++;
    // The gateway entry is refreshed by the router's own traffic now and then.
    if ((t & 0x3fff) === 0) rig.iface.neighbors.fill(IpAddress.v4(GATEWAY_IP), GATEWAY_MAC, (T0 + t) | 0);
  }
  const res: SynFloodResult = {
    statesAfterFlood: listeners.map((l) => TCP_STATE_NAMES[l.state]),
    txSynAck: fd.txSynAck,
    txArp: fd.txArp,
    txRst: fd.txRst,
    txOther: fd.txTcpOther + fd.txIcmp + fd.txIgmp + fd.txOther,
    droppedFull: stats.rxSocketFull,
    countersAddUp,
    invariant,
    neighbors: rig.iface.neighbors.count((T0 + t) | 0),
    neighborCapacity: rig.iface.config.neighborCacheEntries,
    floodMs: t,
    statesBeforeClient: [],
    clientConnected: false,
  };
  // The flood is over: time passes (timers run, polled at every deadline), then the client.
  rig.now = t;
  rig.advance(quietMs);
  res.statesBeforeClient = listeners.map((l) => TCP_STATE_NAMES[l.state]);
  const synAck = tcpSegments(rig.poll(seg4({ sport: 45678, dport: 80, ctl: TcpControl.Syn, seq: 1000, mss: 1460 })));
  const sa = synAck.find((s) => s.control === TcpControl.Syn && s.hasAck && s.ackNumber === 1001);
  if (sa !== undefined) {
    rig.poll(seg4({ sport: 45678, dport: 80, seq: 1001, ack: (sa.seqNumber + 1) | 0 }));
    res.clientConnected = listeners.some((l) => l.state === TcpState.Established && l.remote.port === 45678);
  }
  return res;
}
