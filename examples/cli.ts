#!/usr/bin/env node
/**
 * `smoltcp-ts`: one command for smoltcp's examples (package.json `bin`).
 *
 *   smoltcp-ts tcpdump IFACE
 *   smoltcp-ts ping IFACE ADDRESS [--count N] [--interval S] [--timeout S]
 *   smoltcp-ts server IFACE
 *   smoltcp-ts client IFACE ADDRESS PORT
 *   smoltcp-ts httpclient IFACE ADDRESS URL
 *   smoltcp-ts benchmark IFACE reader|writer
 *   smoltcp-ts loopback [options of examples/loopback.ts]
 *
 * Each subcommand takes `--help`. A bad option or address prints one line and the usage and
 * exits with status 2; a device that cannot be opened prints one line and exits 1.
 */
import { UsageError } from "./common.js";

const USAGE = `usage: smoltcp-ts COMMAND [ARGS] [options]   (smoltcp-ts COMMAND --help for details)
commands:
  tcpdump IFACE                       print every frame on IFACE (raw socket)
  ping IFACE ADDRESS                  ICMP echo, IPv4 or IPv6 (--count, --interval, --timeout)
  server IFACE                        answer ping, UDP/TCP 6969, TCP 6970 to 6972
  client IFACE ADDRESS PORT           TCP: stdin to the socket, the socket to stdout
  httpclient IFACE ADDRESS URL        HTTP GET, the response to stdout
  benchmark IFACE reader|writer       TCP throughput against the host's own stack
  loopback                            the in-process loopback example (no root, no device)`;

type Main = (argv: string[]) => Promise<number>;

async function command(name: string): Promise<{ main: Main; usage: string } | null> {
  switch (name) {
    case "server": {
      const m = await import("./server.js");
      return { main: m.serverMain, usage: m.SERVER_USAGE };
    }
    case "ping": {
      const m = await import("./ping.js");
      return { main: m.pingMain, usage: m.PING_USAGE };
    }
    case "client": {
      const m = await import("./client.js");
      return { main: m.clientMain, usage: m.CLIENT_USAGE };
    }
    case "httpclient": {
      const m = await import("./httpclient.js");
      return { main: m.httpclientMain, usage: m.HTTPCLIENT_USAGE };
    }
    case "tcpdump": {
      const m = await import("./tcpdump.js");
      return { main: m.tcpdumpMain, usage: m.TCPDUMP_USAGE };
    }
    case "benchmark": {
      const m = await import("./benchmark.js");
      return { main: m.benchmarkMain, usage: m.BENCHMARK_USAGE };
    }
    default:
      return null;
  }
}

async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === "loopback") {
    // examples/loopback.ts runs when imported and reads process.argv itself.
    process.argv = [process.argv[0], process.argv[1], ...argv.slice(1)];
    await import("./loopback.js");
    return (process.exitCode as number | undefined) ?? 0;
  }
  const c = await command(name);
  if (c === null) {
    console.error(`smoltcp-ts: unknown command ${JSON.stringify(name)}\n${USAGE}`);
    return 2;
  }
  try {
    return await c.main(argv.slice(1));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`smoltcp-ts ${name}: ${e.message}\n${c.usage}`);
      return 2;
    }
    console.error(`smoltcp-ts ${name}: ${(e as Error).message}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`smoltcp-ts: ${(e as Error).stack ?? e}`);
    process.exitCode = 1;
  },
);
