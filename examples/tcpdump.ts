/**
 * `smoltcp-ts tcpdump IFACE`: smoltcp's `examples/tcpdump.rs`, a tiny tcpdump. Opens an
 * AF_PACKET raw socket on IFACE (any interface: eth0, a veth, tap0; needs root or CAP_NET_RAW)
 * and prints every frame on the link, both directions, tcpdump-style with this stack's
 * pretty-printer, one line per layer, `(checksum incorrect)` where a checksum is wrong. (On
 * interfaces with checksum offload, frames the host sends show incorrect checksums: the kernel
 * leaves them to the hardware.)
 *
 * There is no interface and nothing is ever sent. `--count N` stops after N frames,
 * `--promiscuous` asks for every frame on the link; `--pcap` writes the frames as well, and the
 * fault-injection options apply to what is received (a dropped frame is not printed).
 */
import { PrettyPrinter } from "../src/wire/pretty.js";
import { Readiness, type ReadinessHandler } from "../drivers/tap/index.js";
import type { Device } from "../src/phy/device.js";
import { COMMON_USAGE, intOption, openHost, parseCommand, SERVER_HOST, UsageError, type Host } from "./common.js";
import { hostNow } from "./host-loop.js";

export const TCPDUMP_USAGE = `usage: smoltcp-ts tcpdump IFACE [--count N] [--promiscuous] [options]
Prints every frame on IFACE (an AF_PACKET raw socket; --raw is implied). Interface options are ignored.
${COMMON_USAGE}`;

class Dumper implements ReadinessHandler {
  private readonly printer = new PrettyPrinter();
  readiness: Readiness | null = null;
  frames = 0;
  constructor(
    readonly device: Device,
    readonly count: number,
    readonly onDone: () => void,
  ) {}

  ready(_readable: boolean): void {
    const d = this.device;
    for (let len; (len = d.receive(hostNow())) > 0;) {
      process.stdout.write(this.printer.describe(d.rxBytes, d.rxView, d.rxOffset, len));
      this.frames++;
      if (this.count > 0 && this.frames >= this.count) {
        this.onDone();
        return;
      }
    }
    this.readiness?.arm(-1);
  }
}

export async function tcpdumpMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { count: { type: "string" } });
  if (values.help) {
    console.log(TCPDUMP_USAGE);
    return 0;
  }
  if (positionals.length < 1) throw new UsageError("IFACE is missing");
  if (positionals.length > 1) throw new UsageError("unexpected argument " + positionals[1]);
  const count = intOption(values, "count", 0, 0, 0x7fffffff);
  values.raw = true;
  const host: Host = openHost(positionals[0], values, SERVER_HOST, { outgoing: true });
  let resolve: () => void = () => {};
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const dumper = new Dumper(host.device, count, () => resolve());
  const readiness = new Readiness(host.hosted.fd, dumper);
  dumper.readiness = readiness;
  const stop = () => resolve();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.stderr.write(`tcpdump: listening on ${positionals[0]}\n`);
  readiness.arm(-1);
  await done;
  readiness.close();
  host.close();
  process.stderr.write(`tcpdump: ${dumper.frames} frames\n`);
  return 0;
}
