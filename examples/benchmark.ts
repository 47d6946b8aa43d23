/**
 * `smoltcp-ts benchmark IFACE reader|writer`: smoltcp's `examples/benchmark.rs`, TCP throughput
 * between this stack and the host's own stack, over the TAP.
 *
 * The stack is 02-00-00-00-00-01, 192.168.69.1/24 (options change it) and listens on port 1234
 * (it writes: the host is the *reader*) and 1235 (it reads: the host is the *writer*). The other
 * end is a Node `net` socket in a worker thread of the same process (smoltcp's benchmark uses a
 * thread too), that is the Linux kernel's TCP reached through the TAP (so the TAP needs an
 * address in 192.168.69.0/24 on the host side, 192.168.69.100 in the README's set-up). `--size N` octets (default 100 MiB) go one way; the stack's sockets have
 * 64 KiB buffers from one `Arena` with the TAP's frame buffers (copies are `copyWithin`s), and
 * neither side copies the payload (the stack commits its ring in place).
 * Prints `throughput: X Gbps` (and Mbps) over the time from the connect to the last octet.
 */
import * as net from "node:net";
import { performance } from "node:perf_hooks";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { Arena } from "../src/storage/arena.js";
import { SocketSet } from "../src/socket/set.js";
import { TcpSocket, TcpState } from "../src/socket/tcp/socket.js";
import type { Instant } from "../src/time.js";
import { COMMON_USAGE, intOption, openHost, parseCommand, SERVER_HOST, UsageError } from "./common.js";
import { HostLoop, type LoopApp } from "./host-loop.js";

export const BENCHMARK_USAGE = `usage: smoltcp-ts benchmark IFACE reader|writer [--size OCTETS] [--peer ADDRESS] [options]
TCP throughput between this stack and the host's kernel over IFACE (a TAP with an address
in 192.168.69.0/24 on the host side). reader: the host reads what the stack writes (port 1234);
writer: the host writes what the stack reads (port 1235).
Defaults: --size 104857600 --peer 192.168.69.1 (the stack's address, for the host to connect to)
          --mac 02-00-00-00-00-01 --ipv4 192.168.69.1/24 --ipv6 fdaa::1/64
${COMMON_USAGE}`;

const BUFFER = 65536;

/** Rings and frame buffers in one arena: copies between them are `copyWithin`s. */
const arena = new Arena(4 * BUFFER + 65536 + 1514);

class Bench implements LoopApp {
  readonly source = new TcpSocket(BUFFER, BUFFER, 4, arena);
  readonly sink = new TcpSocket(BUFFER, BUFFER, 4, arena);
  sent = 0;
  sunk = 0;
  private sourceClosed = false;

  constructor(
    sockets: SocketSet,
    readonly size: number,
  ) {
    sockets.add(this.source);
    sockets.add(this.sink);
    this.source.listen(1234);
    this.sink.listen(1235);
  }

  step(_now: Instant): boolean {
    let acted = false;
    const s = this.source;
    if (s.maySend && this.sent < this.size) {
      for (;;) {
        let n = s.sendWindowLen();
        if (n === 0) break;
        if (n > this.size - this.sent) n = this.size - this.sent;
        s.sendCommit(n); // whatever the ring holds: the benchmark measures transport, not content
        this.sent += n;
        acted = true;
        if (this.sent === this.size) break;
      }
    }
    if (this.sent === this.size && !this.sourceClosed && s.maySend) {
      s.close();
      this.sourceClosed = true;
      acted = true;
    }
    const k = this.sink;
    for (let n; (n = k.recvWindowLen()) > 0;) {
      k.recvCommit(n);
      this.sunk += n;
      acted = true;
    }
    if (k.state === TcpState.CloseWait) {
      k.close();
      acted = true;
    }
    return acted;
  }

  delay(_now: Instant): number {
    return -1;
  }
}

export async function benchmarkMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { size: { type: "string" }, peer: { type: "string" } });
  if (values.help) {
    console.log(BENCHMARK_USAGE);
    return 0;
  }
  if (positionals.length < 2) throw new UsageError(positionals.length === 0 ? "IFACE and reader|writer are missing" : "reader|writer is missing");
  if (positionals.length > 2) throw new UsageError("unexpected argument " + positionals[2]);
  const mode = positionals[1];
  if (mode !== "reader" && mode !== "writer") throw new UsageError(`the mode must be reader or writer, got ${JSON.stringify(mode)}`);
  const size = intOption(values, "size", 100 * 1024 * 1024, 1, 0x7fffffff);
  const peer = (values.peer as string | undefined) ?? "192.168.69.1";
  if (net.isIP(peer) === 0) throw new UsageError(`bad --peer ${JSON.stringify(peer)}`);
  const host = openHost(positionals[0], values, { ...SERVER_HOST, ipv6: ["fdaa::1/64"] }, { memory: arena });
  const sockets = new SocketSet(4);
  const bench = new Bench(sockets, size);
  const loop = new HostLoop(host.iface, host.device, host.hosted, sockets, bench);
  loop.start();

  // The kernel's side runs in a worker thread (smoltcp's benchmark uses a thread too), so that
  // on a multi-core host it does not take turns with the stack's loop.
  const t0 = performance.now();
  const result = await new Promise<{ ok: boolean; error: string }>((resolve) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { benchmarkClient: true, peer, mode, size } });
    w.on("message", (m: { ok: boolean; error: string }) => {
      // A writer's connection closes once the stack has read everything and closed its end.
      if (mode === "writer" && m.ok && bench.sunk !== size) resolve({ ok: false, error: `the stack read ${bench.sunk} of ${size} octets` });
      else resolve(m);
    });
    w.on("error", (e) => resolve({ ok: false, error: e.message }));
  });
  const seconds = (performance.now() - t0) / 1000;
  loop.stop();
  host.close();
  if (!result.ok) {
    console.error(`benchmark: ${result.error}`);
    return 1;
  }
  const bps = (size * 8) / seconds;
  console.log(`throughput: ${(bps / 1e9).toFixed(3)} Gbps (${(bps / 1e6).toFixed(1)} Mbps, ${size} octets in ${seconds.toFixed(2)} s, ${loop.wakeups} wake-ups, ${loop.polls} polls)`);
  return 0;
}

/** The kernel's side, in a worker thread: connects and reads (reader) or writes (writer) `size` octets. */
function client(peer: string, mode: string, size: number): void {
  let octets = 0;
  const done = (ok: boolean, error: string) => parentPort?.postMessage({ ok, error, octets });
  const conn = net.connect({ host: peer, port: mode === "reader" ? 1234 : 1235 });
  conn.on("error", (e) => done(false, e.message));
  if (mode === "reader") {
    conn.on("data", (d: Buffer) => {
      octets += d.length;
    });
    conn.on("end", () => {
      conn.end();
      done(octets === size, octets === size ? "" : `received ${octets} of ${size} octets`);
    });
  } else {
    const chunk = Buffer.alloc(BUFFER);
    const write = () => {
      while (octets < size) {
        const n = Math.min(chunk.length, size - octets);
        octets += n;
        if (!conn.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return;
      }
      conn.end();
    };
    conn.on("connect", write);
    conn.on("drain", write);
    conn.on("close", () => done(true, ""));
  }
}

if (!isMainThread && (workerData as { benchmarkClient?: boolean } | null)?.benchmarkClient) {
  const d = workerData as { peer: string; mode: string; size: number };
  client(d.peer, d.mode, d.size);
}
