/**
 * Predictability of initial sequence numbers (RFC 6528) and ephemeral ports (RFC 6056): the
 * figures both the portable test (test/reliability/predictability.test.ts) and the Node test
 * (test/host/reliability-predictability.test.ts) check. Not a test file itself. Portable.
 *
 * Connections are opened through an `Interface` with `TcpSocket.connect` (no local port: the
 * interface picks one), to one remote endpoint, one simulated millisecond apart; the ISN is read
 * from the SYN's state (SND.UNA before the SYN is acknowledged is the ISS).
 */
import { Interface } from "../../src/iface/interface.js";
import { SocketSet } from "../../src/socket/set.js";
import type { RandomSource } from "../../src/socket/tcp/isn.js";
import { TcpSocket } from "../../src/socket/tcp/socket.js";
import { EthernetAddress } from "../../src/wire/ethernet.js";
import { IpAddress, IpEndpoint, Ipv4Cidr, ipv4Parse } from "../../src/wire/ip.js";
import { FloodDevice, FloodKind, T0 } from "../support/adversary.js";

export interface Opened {
  isns: Int32Array;
  ports: Int32Array;
}

/**
 * Opens `n` connections. `keepOpen`: every socket stays open (in SYN-SENT), so the interface
 * must choose a port no other socket uses; otherwise one socket is aborted and reused.
 */
export function openConnections(n: number, random: RandomSource | undefined, keepOpen: boolean): Opened {
  const iface = new Interface(EthernetAddress.parse("02-00-00-00-00-01"), undefined, random);
  iface.addIpv4Address(new Ipv4Cidr(ipv4Parse("192.168.69.1"), 24));
  const idle = new FloodDevice(FloodKind.IgmpQuery, 1); // receives nothing (burst 0), swallows what is sent
  const sockets = new SocketSet(keepOpen ? n : 1);
  const remote = IpEndpoint.of(IpAddress.v4(ipv4Parse("192.168.69.2")), 443);
  const isns = new Int32Array(n);
  const ports = new Int32Array(n);
  let reused: TcpSocket | null = null;
  for (let i = 0; i < n; i++) {
    let s: TcpSocket;
    if (keepOpen || reused === null) {
      s = new TcpSocket(16, 16);
      // Nobody answers ARP here: a SYN-SENT socket waiting for its neighbor gives up after its
      // SYN retries (about 6 s); the test keeps all 10,000 open for the 10 s it runs.
      s.synRetries = 1000;
      sockets.add(s);
      reused = s;
    } else {
      s = reused;
      s.abort();
    }
    iface.poll((T0 + i) | 0, idle, sockets); // the clock: one ms per connection
    s.connect(iface, remote);
    isns[i] = (s as unknown as { snd: { iss: number } }).snd.iss;
    ports[i] = s.local.port;
  }
  return { isns, ports };
}

/** Pairs of equal values. */
export function equalPairs(v: Int32Array): number {
  const sorted = Int32Array.from(v).sort();
  let pairs = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) pairs++;
  return pairs;
}

/** How often the most common difference between consecutive values occurs. */
export function maxRepeatedDifference(v: Int32Array): number {
  const d = new Int32Array(v.length - 1);
  for (let i = 1; i < v.length; i++) d[i - 1] = (v[i] - v[i - 1]) | 0;
  d.sort();
  let best = 1;
  let run = 1;
  for (let i = 1; i < d.length; i++) {
    run = d[i] === d[i - 1] ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}

/** Pearson's chi-square of `values` (already reduced to 0..k-1) against a uniform distribution over k buckets. */
export function chiSquare(values: ArrayLike<number>, k: number): number {
  const counts = new Float64Array(k);
  for (let i = 0; i < values.length; i++) counts[values[i]]++;
  const e = values.length / k;
  let x = 0;
  for (let i = 0; i < k; i++) x += ((counts[i] - e) * (counts[i] - e)) / e;
  return x;
}

/** The largest deviation from 1/2 of the share of ones, over the low `bits` bits of `v`. */
export function worstBitBias(v: Int32Array, bits: number): number {
  let worst = 0;
  for (let b = 0; b < bits; b++) {
    let ones = 0;
    for (let i = 0; i < v.length; i++) if ((v[i] >>> b) & 1) ones++;
    const bias = Math.abs(ones / v.length - 0.5);
    if (bias > worst) worst = bias;
  }
  return worst;
}

/** `f(v[i], v[i-1])` for consecutive values, reduced to 0..k-1 for a chi-square. */
export function buckets(v: Int32Array, f: (x: number, prev: number) => number): Int32Array {
  const out = new Int32Array(v.length - 1);
  for (let i = 1; i < v.length; i++) out[i - 1] = f(v[i], v[i - 1]);
  return out;
}
