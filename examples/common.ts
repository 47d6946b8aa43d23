/**
 * What every hosted example shares (smoltcp's `examples/utils.rs`): the options, the device
 * chain, the interface and the logger.
 *
 * Options common to all (`COMMON_OPTIONS`, parsed with Node's `util.parseArgs`):
 *
 * - `--raw`: use an AF_PACKET raw socket on IFACE instead of opening IFACE as a TAP
 *   (`--promiscuous` with it);
 * - `--mac`, `--ipv4 CIDR`, `--ipv6 CIDR` (repeatable; `--no-ipv6` for none), `--gateway4`,
 *   `--gateway6`: the interface's configuration, defaults per example as in smoltcp's README;
 * - `--pcap FILE`: a libpcap capture of every frame as the stack sees it on the wire;
 * - fault injection: `--drop-chance`, `--corrupt-chance` (percent), `--size-limit` (octets),
 *   `--tx-rate-limit`, `--rx-rate-limit` (frames per interval), `--shaping-interval` (ms),
 *   `--seed`;
 * - `--log-level trace|debug|info|off` (default info; `trace` also prints every frame);
 * - `--help`.
 *
 * The device chain, innermost first, as smoltcp builds it: the TAP or raw socket →
 * `PcapWriter` (both directions; it sees the wire) → `Tracer` (with `--log-level trace`) →
 * `FaultInjector`, whose losses therefore still show in the trace and the capture.
 *
 * A bad option or address prints one line and the usage on stderr and exits with status 2
 * (`UsageError`, caught by the CLI).
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { parseArgs } from "node:util";
import { Interface } from "../src/iface/interface.js";
import { LogLevel, setLogger } from "../src/log.js";
import type { Device, FrameMemory } from "../src/phy/device.js";
import { FaultInjector } from "../src/phy/fault-injector.js";
import { PcapMode, PcapWriter, type PcapSink } from "../src/phy/pcap-writer.js";
import { TRACE_DIRECTION_NAMES, Tracer, type TraceDirection, type TraceWriter } from "../src/phy/tracer.js";
import type { Instant } from "../src/time.js";
import { EthernetAddress } from "../src/wire/ethernet.js";
import { IpAddress, Ipv4Cidr, Ipv6Address, Ipv6Cidr, ipv4Parse } from "../src/wire/ip.js";
import { RawSocketDevice, TapInterface } from "../drivers/tap/index.js";
import { CryptoRandom } from "./host-loop.js";

/** A bad command line: the CLI prints the message and the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type OptionSpec = { type: "string" | "boolean"; multiple?: boolean; short?: string; default?: string | boolean };

/** The options every hosted example takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  help: { type: "boolean", short: "h" },
  raw: { type: "boolean" },
  promiscuous: { type: "boolean" },
  mac: { type: "string" },
  ipv4: { type: "string", multiple: true },
  ipv6: { type: "string", multiple: true },
  "no-ipv6": { type: "boolean" },
  gateway4: { type: "string" },
  gateway6: { type: "string" },
  pcap: { type: "string" },
  "drop-chance": { type: "string" },
  "corrupt-chance": { type: "string" },
  "size-limit": { type: "string" },
  "tx-rate-limit": { type: "string" },
  "rx-rate-limit": { type: "string" },
  "shaping-interval": { type: "string" },
  seed: { type: "string" },
  "log-level": { type: "string" },
};

/** The usage lines of the common options. */
export const COMMON_USAGE = `device:    IFACE is a TAP interface (opened with /dev/net/tun), or with --raw any interface
           (AF_PACKET socket; --promiscuous to receive every frame on the link)
addresses: --mac 02-00-00-00-00-0N  --ipv4 CIDR  --ipv6 CIDR (repeatable)  --no-ipv6
           --gateway4 ADDRESS  --gateway6 ADDRESS
capture:   --pcap FILE (every frame, both directions, as seen on the wire)
faults:    --drop-chance PCT  --corrupt-chance PCT  --size-limit OCTETS
           --tx-rate-limit FRAMES  --rx-rate-limit FRAMES  --shaping-interval MS  --seed N
logging:   --log-level trace|debug|info|off (default info; trace prints every frame)
           --help`;

/** Parses `argv` with the common options and `extra`; positionals allowed. Throws UsageError. */
export function parseCommand(argv: string[], extra: Record<string, OptionSpec> = {}) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...extra } as never, allowPositionals: true, strict: true }) as {
      values: Record<string, string | boolean | string[] | undefined>;
      positionals: string[];
    };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** An integer option in [min, max], or `dflt` when absent. Throws UsageError. */
export function intOption(values: Record<string, unknown>, name: string, dflt: number, min: number, max: number): number {
  const v = values[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** A number option (fractions allowed) in [min, max]. Throws UsageError. */
export function numberOption(values: Record<string, unknown>, name: string, dflt: number, min: number, max: number): number {
  const v = values[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** Parses an address, turning a parse error into a UsageError naming `what`. */
export function parseAddress(text: string, what: string): IpAddress {
  try {
    const a = IpAddress.parse(text);
    if (!a.isUnicast()) throw new Error("not a unicast address");
    return a;
  } catch (e) {
    throw new UsageError(`bad ${what} ${JSON.stringify(text)}: ${(e as Error).message}`);
  }
}

function wrapParse<T>(what: string, text: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new UsageError(`bad ${what} ${JSON.stringify(text)}: ${(e as Error).message}`);
  }
}

/** Defaults of one example's interface (smoltcp's README). */
export interface HostDefaults {
  mac: string;
  ipv4: string[];
  ipv6: string[];
  gateway4?: string;
  gateway6?: string;
}

/** The server's: 02-00-00-00-00-01, 192.168.69.1/24, fdaa::1/64 and fe80::1/64. */
export const SERVER_HOST: HostDefaults = { mac: "02-00-00-00-00-01", ipv4: ["192.168.69.1/24"], ipv6: ["fdaa::1/64", "fe80::1/64"] };
/** The client's: 02-00-00-00-00-02, 192.168.69.2/24, fdaa::2/64 and fe80::2/64; routers .100 and fe80::100. */
export const CLIENT_HOST: HostDefaults = {
  mac: "02-00-00-00-00-02",
  ipv4: ["192.168.69.2/24"],
  ipv6: ["fdaa::2/64", "fe80::2/64"],
  gateway4: "192.168.69.100",
  gateway6: "fe80::100",
};
/** httpclient's and ping's: 02-00-00-00-00-02, 192.168.69.1/24, fdaa::1/64 and fe80::1/64; routers .100 and fe80::100. */
export const PROBE_HOST: HostDefaults = {
  mac: "02-00-00-00-00-02",
  ipv4: ["192.168.69.1/24"],
  ipv6: ["fdaa::1/64", "fe80::1/64"],
  gateway4: "192.168.69.100",
  gateway6: "fe80::100",
};

/** Streams a capture to a file as it is written (the writer reuses its buffers). */
class FileSink implements PcapSink {
  constructor(readonly fd: number) {}
  write(bytes: Uint8Array, off: number, len: number): void {
    writeSync(this.fd, bytes, off, len);
  }
}

/** Prints frames to stderr, tcpdump-style, with the time and direction. */
class StderrTraceWriter implements TraceWriter {
  trace(now: Instant, direction: TraceDirection, text: string): void {
    process.stderr.write(`[${(now >>> 0) / 1000}s] ${TRACE_DIRECTION_NAMES[direction]}: ${text}`);
  }
}

/** Everything an example needs: the hosted device, the chain on top of it, the interface. */
export interface Host {
  /** The TAP or raw socket (what the loop waits on). */
  hosted: TapInterface | RawSocketDevice;
  /** The fault injector (outermost). */
  injector: FaultInjector;
  /** The capture, if `--pcap`. */
  pcap: PcapWriter | null;
  /** What `poll` is given. */
  device: Device;
  iface: Interface;
  logLevel: LogLevel;
  /** Flushes and closes the capture, closes the device. */
  close(): void;
}

/** Installs the logger for `--log-level` and returns the level. */
export function setupLogging(values: Record<string, unknown>): LogLevel {
  const name = (values["log-level"] as string | undefined) ?? "info";
  const levels: Record<string, LogLevel> = { trace: LogLevel.Trace, debug: LogLevel.Debug, info: LogLevel.Info, off: LogLevel.Off };
  const level = levels[name];
  if (level === undefined) throw new UsageError(`--log-level must be trace, debug, info or off, got ${JSON.stringify(name)}`);
  const names = ["TRACE", "DEBUG", "INFO"];
  setLogger(level === LogLevel.Off ? null : { level, log: (l, message) => process.stderr.write(`${names[l] ?? l} ${message}\n`) });
  return level;
}

/**
 * Opens IFACE (TAP, or a raw socket with `--raw`) and builds the chain and the interface from
 * the options, with `defaults` for what they leave out. Throws UsageError for a bad value,
 * and the device's own error (`TapUnavailableError`, an errno message) when it cannot open.
 */
export function openHost(ifname: string | undefined, values: Record<string, unknown>, defaults: HostDefaults, rawOptions: { outgoing?: boolean; memory?: FrameMemory } = {}): Host {
  if (!ifname) throw new UsageError("IFACE is missing");
  const logLevel = setupLogging(values);
  // Validate everything before opening anything.
  const mac = wrapParse("--mac", (values.mac as string) ?? defaults.mac, () => EthernetAddress.parse((values.mac as string) ?? defaults.mac));
  if (!mac.isUnicast()) throw new UsageError(`--mac must be a unicast address, got ${mac}`);
  const v4 = ((values.ipv4 as string[] | undefined) ?? defaults.ipv4).map((t) => wrapParse("--ipv4", t, () => Ipv4Cidr.parse(t)));
  const v6 = values["no-ipv6"] ? [] : ((values.ipv6 as string[] | undefined) ?? defaults.ipv6).map((t) => wrapParse("--ipv6", t, () => Ipv6Cidr.parse(t)));
  const gw4Text = (values.gateway4 as string | undefined) ?? defaults.gateway4;
  const gw6Text = (values.gateway6 as string | undefined) ?? defaults.gateway6;
  const gw4 = gw4Text === undefined || gw4Text === "" ? null : wrapParse("--gateway4", gw4Text, () => ipv4Parse(gw4Text));
  const gw6 = gw6Text === undefined || gw6Text === "" || values["no-ipv6"] ? null : wrapParse("--gateway6", gw6Text, () => Ipv6Address.parse(gw6Text));
  const drop = intOption(values, "drop-chance", 0, 0, 100);
  const corrupt = intOption(values, "corrupt-chance", 0, 0, 100);
  const sizeLimit = intOption(values, "size-limit", 0, 0, 65535);
  const txRate = intOption(values, "tx-rate-limit", 0, 0, 0x7fffffff);
  const rxRate = intOption(values, "rx-rate-limit", 0, 0, 0x7fffffff);
  const interval = intOption(values, "shaping-interval", 0, 0, 0x7fffffff);
  const seed = intOption(values, "seed", Math.floor(Math.random() * 0x7fffffff), 0, 0x7fffffff);

  const hosted = values.raw ? new RawSocketDevice(ifname, { promiscuous: values.promiscuous === true, outgoing: rawOptions.outgoing, memory: rawOptions.memory }) : new TapInterface(ifname, 1514, rawOptions.memory ?? null);
  let device: Device = hosted;
  let pcapFd = -1;
  let pcap: PcapWriter | null = null;
  if (typeof values.pcap === "string") {
    pcapFd = openSync(values.pcap, "w");
    pcap = new PcapWriter(device, new FileSink(pcapFd), PcapMode.Both);
    device = pcap;
  }
  if (logLevel === LogLevel.Trace) device = new Tracer(device, new StderrTraceWriter());
  const injector = new FaultInjector(device, seed);
  injector.dropChance = drop;
  injector.corruptChance = corrupt;
  injector.sizeLimit = sizeLimit;
  injector.txRateLimit = txRate;
  injector.rxRateLimit = rxRate;
  if (interval > 0) injector.shapingInterval = interval;

  const iface = new Interface(mac, undefined, new CryptoRandom());
  for (const c of v4) iface.addIpv4Address(c);
  for (const c of v6) iface.addIpv6Address(c);
  if (gw4 !== null) iface.routes.addDefaultIpv4Route(gw4);
  if (gw6 !== null) iface.routes.addDefaultIpv6Route(gw6);
  return {
    hosted,
    injector,
    pcap,
    device: injector,
    iface,
    logLevel,
    close() {
      hosted.close();
      if (pcapFd >= 0) closeSync(pcapFd);
      pcapFd = -1;
    },
  };
}
