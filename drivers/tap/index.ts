/**
 * Linux hosted devices: a TAP interface and an AF_PACKET raw socket, as `Device`s (smoltcp's
 * `TunTapInterface` and `RawSocket`).
 *
 * Both sit on a small C shim (`tap.c`, Node-API + libuv, built by `npm install` into
 * `drivers/tap/build/Release/smoltcp_tap.node`) that opens the file descriptor, reads and
 * writes one whole frame straight between the kernel and this device's own buffers, and waits
 * for readability in Node's event loop. Every method of the packet path (`receive`,
 * `transmitBegin`, `transmitCommit`, `Readiness.arm`) allocates nothing: the shim is handed the
 * preallocated `Uint8Array`s and an offset, and answers with small integers.
 *
 * - `TapInterface(name)`: opens (or creates, as root) the TAP device `name` with
 *   `IFF_TAP | IFF_NO_PI` on `/dev/net/tun`. The kernel side of the TAP is a network interface
 *   of the host: frames the host sends to it are what we receive, and what we send arrives at
 *   the host. The interface must be up (`ip link set tap0 up`).
 * - `RawSocketDevice(name, options)`: an AF_PACKET socket bound to an existing interface
 *   (`eth0`, one end of a veth pair, `tap0`), optionally promiscuous. It receives every frame
 *   on the link; by default it skips the frames the host itself sends on that interface, so that
 *   a stack on it only sees the frames that come in (`tcpdump` keeps them).
 *
 * Given a `FrameMemory` (an `Arena` from `src/storage`, the one the sockets' rings come from),
 * the receive and transmit buffers are reserved from it, so that a socket copies between a
 * frame and its ring with one `copyWithin` instead of a byte loop (see `src/storage/copy.ts`).
 *
 * Capabilities: Ethernet, MTU 1514 by default (the 14-octet Ethernet header counted, no FCS;
 * see `DeviceCapabilities.maxTransmissionUnit`), checksums computed and verified in software.
 *
 * Frames longer than the MTU are dropped and counted (`rxOversize`); so are frames the kernel
 * refuses or has no room for on transmission (`txBusy`, `txErrors`: TCP retransmits them).
 *
 * Where the shim is missing (not Linux, no compiler at install time), constructing a device
 * throws `TapUnavailableError` ("the TAP shim is not built: <reason>"); `tapShimStatus()` says
 * whether it is there without throwing.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { ChecksumCapabilities } from "../../src/wire/checksum.js";
import { DeviceCapabilities, DeviceConfigError, DeviceUsageError, Medium, type Device, type FrameMemory } from "../../src/phy/device.js";
import type { Instant } from "../../src/time.js";

/** The functions the shim exports (see tap.c). */
interface TapShim {
  openTap(name: string): number;
  openRaw(name: string, promiscuous: boolean): number;
  interfaceMtu(name: string): number;
  read(fd: number, bytes: Uint8Array, off: number, max: number): number;
  readPacket(fd: number, bytes: Uint8Array, off: number, max: number, skipOutgoing: boolean): number;
  write(fd: number, bytes: Uint8Array, off: number, len: number): number;
  close(fd: number): number;
  waiterCreate(fd: number, callback: (readable: boolean) => void): object;
  waiterArm(waiter: object, timeoutMs: number, watchReadable: boolean): number;
  waiterDisarm(waiter: object): number;
  waiterClose(waiter: object): number;
}

/** The shim is not built, or cannot be loaded here. */
export class TapUnavailableError extends Error {
  constructor(reason: string) {
    super("the TAP shim is not built: " + reason);
    this.name = "TapUnavailableError";
  }
}

const EMSGSIZE = 90;

/** Where the package root is: the nearest directory above this file with drivers/tap/binding.gyp. */
function packageRoot(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(path.join(dir, "drivers", "tap", "binding.gyp"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

interface ShimState {
  shim: TapShim | null;
  reason: string;
}

/** Loaded once, on first use (not at module top level: nothing is opened by an import). */
let loaded: ShimState | null = null;

function loadShim(): ShimState {
  if (loaded !== null) return loaded;
  let file = process.env.SMOLTCP_TS_TAP_ADDON ?? "";
  let reason = "";
  if (file === "") {
    const root = packageRoot();
    if (root === null) reason = "drivers/tap not found above " + fileURLToPath(import.meta.url);
    else {
      file = path.join(root, "drivers", "tap", "build", "Release", "smoltcp_tap.node");
      if (!existsSync(file)) {
        const why = path.join(root, "drivers", "tap", "build", "NOT-BUILT.txt");
        reason = existsSync(why)
          ? readFileSync(why, "utf8").trim()
          : process.platform !== "linux"
            ? "it needs Linux (this is " + process.platform + ")"
            : "run `npm install` (or `node drivers/tap/install.mjs`) to build " + path.relative(process.cwd(), file);
        file = "";
      }
    }
  }
  let shim: TapShim | null = null;
  if (file !== "") {
    try {
      shim = createRequire(import.meta.url)(file) as TapShim;
    } catch (e) {
      reason = "cannot load " + file + ": " + (e as Error).message;
    }
  }
  loaded = { shim, reason };
  return loaded;
}

/** Whether the shim is available: `{ ok: true }`, or `{ ok: false, reason }`. */
export function tapShimStatus(): { ok: boolean; reason: string } {
  const s = loadShim();
  return { ok: s.shim !== null, reason: s.reason };
}

function shim(): TapShim {
  const s = loadShim();
  if (s.shim === null) throw new TapUnavailableError(s.reason);
  return s.shim;
}

/** The IP MTU (what `ip link` shows) of a network interface of the host. */
export function interfaceMtu(name: string): number {
  return shim().interfaceMtu(name);
}

/** Largest frame read from the kernel: anything longer than the MTU is detected and dropped. */
const RX_BUFFER = 65536;

/** What TapInterface and RawSocketDevice share: buffers, counters, the packet path. */
abstract class HostDevice implements Device {
  readonly capabilities: DeviceCapabilities;
  readonly rxBytes: Uint8Array;
  readonly rxView: DataView;
  /** Where received frames start in `rxBytes` (0 unless the buffers come from a `FrameMemory`). */
  readonly rxOffset: number;
  readonly txBytes: Uint8Array;
  readonly txView: DataView;
  /** Where the transmit frame starts in `txBytes`. */
  private readonly txOffset: number;
  /** The interface's name. */
  readonly name: string;
  /** The file descriptor (a TAP or an AF_PACKET socket); -1 once closed. */
  fd: number;

  /** Frames received and lent. */
  rxFrames = 0;
  /** Frames received longer than the MTU, dropped. */
  rxOversize = 0;
  /** Read errors (the last errno is `lastErrno`). */
  rxErrors = 0;
  /** Frames sent. */
  txFrames = 0;
  /** Frames the kernel had no room for (EAGAIN, ENOBUFS): dropped. */
  txBusy = 0;
  /** Frames the kernel refused (the last errno is `lastErrno`). */
  txErrors = 0;
  /** The last errno a read or write returned (0: none). */
  lastErrno = 0;

  protected readonly shim: TapShim;
  private readonly mtu: number;
  /** Length of the current transmit reservation, 0: none. */
  private reserved = 0;

  protected constructor(name: string, mtu: number, memory: FrameMemory | null, open: (s: TapShim) => number) {
    const s = shim();
    if (!Number.isInteger(mtu) || mtu < 15 || mtu > RX_BUFFER - 1) throw new DeviceConfigError("mtu must be an integer from 15 to " + (RX_BUFFER - 1) + ": " + mtu);
    this.shim = s;
    this.name = name;
    this.mtu = mtu;
    this.capabilities = new DeviceCapabilities(Medium.Ethernet, mtu, 0, new ChecksumCapabilities());
    if (memory !== null) {
      this.rxOffset = memory.reserve(RX_BUFFER);
      this.txOffset = memory.reserve(mtu);
      this.rxBytes = this.txBytes = memory.bytes;
      this.rxView = this.txView = memory.dv;
    } else {
      const rx = new ArrayBuffer(RX_BUFFER);
      this.rxOffset = 0;
      this.rxBytes = new Uint8Array(rx);
      this.rxView = new DataView(rx);
      const tx = new ArrayBuffer(mtu);
      this.txOffset = 0;
      this.txBytes = new Uint8Array(tx);
      this.txView = new DataView(tx);
    }
    this.fd = open(s);
  }

  /** Reads one frame into `rxBytes` at `rxOffset`: its length, 0 if none, or a negative errno. */
  protected abstract readFrame(): number;

  receive(_now: Instant): number {
    if (this.fd < 0) return 0;
    for (;;) {
      const n = this.readFrame();
      if (n === 0) return 0;
      if (n < 0) {
        if (n === -EMSGSIZE) {
          this.rxOversize++;
          continue;
        }
        this.rxErrors++;
        this.lastErrno = -n;
        return 0;
      }
      if (n > this.mtu) {
        this.rxOversize++;
        continue;
      }
      this.rxFrames++;
      return n;
    }
  }

  transmitBegin(_now: Instant, len: number): number {
    if (!(len >= 1 && len <= this.mtu)) throw new DeviceUsageError("transmitBegin: frame length " + len + " outside 1.." + this.mtu);
    if (this.fd < 0) return -1;
    this.reserved = len;
    return this.txOffset;
  }

  transmitCommit(len: number): void {
    if (!(len >= 1 && len <= this.reserved)) throw new DeviceUsageError("transmitCommit: " + len + " octets, reserved " + this.reserved);
    this.reserved = 0;
    const n = this.shim.write(this.fd, this.txBytes, this.txOffset, len);
    if (n > 0) this.txFrames++;
    else if (n === 0) this.txBusy++;
    else {
      this.txErrors++;
      this.lastErrno = -n;
    }
  }

  /** Closes the file descriptor (a persistent TAP stays; one this process created goes away). */
  close(): void {
    if (this.fd >= 0) this.shim.close(this.fd);
    this.fd = -1;
  }
}

/** A Linux TAP interface (`/dev/net/tun`, `IFF_TAP | IFF_NO_PI`): smoltcp's `TunTapInterface` for Ethernet. */
export class TapInterface extends HostDevice {
  /**
   * Opens the TAP interface `name` (created if it does not exist, which needs CAP_NET_ADMIN; a
   * persistent one made with `ip tuntap add name tap0 mode tap user $USER` does not).
   * `mtu` counts the Ethernet header: 1514 suits a TAP with the kernel's default MTU of 1500.
   * With `memory`, the frame buffers (64 KiB + `mtu` octets) are reserved from it.
   */
  constructor(name: string, mtu = 1514, memory: FrameMemory | null = null) {
    super(name, mtu, memory, (s) => s.openTap(name));
  }

  protected readFrame(): number {
    return this.shim.read(this.fd, this.rxBytes, this.rxOffset, RX_BUFFER);
  }
}

/** Options of `RawSocketDevice`. */
export interface RawSocketOptions {
  /** Receive frames to any MAC address (PACKET_MR_PROMISC). Default false. */
  promiscuous?: boolean;
  /** Also receive the frames the host itself sends on the interface (tcpdump does). Default false. */
  outgoing?: boolean;
  /** The MTU, Ethernet header counted; default: the interface's IP MTU + 14. */
  mtu?: number;
  /** Where the frame buffers (64 KiB + the MTU) come from; default: buffers of the device's own. */
  memory?: FrameMemory;
}

/** An AF_PACKET raw socket bound to a network interface: smoltcp's `RawSocket`. */
export class RawSocketDevice extends HostDevice {
  private readonly skipOutgoing: boolean;

  /** Opens an AF_PACKET socket on the existing interface `name` (needs CAP_NET_RAW). */
  constructor(name: string, options: RawSocketOptions = {}) {
    const mtu = options.mtu ?? shim().interfaceMtu(name) + 14;
    super(name, mtu, options.memory ?? null, (s) => s.openRaw(name, options.promiscuous ?? false));
    this.skipOutgoing = !(options.outgoing ?? false);
  }

  protected readFrame(): number {
    return this.shim.readPacket(this.fd, this.rxBytes, this.rxOffset, RX_BUFFER, this.skipOutgoing);
  }
}

/** What a `Readiness` calls: once per `arm`, when the fd became readable or the time ran out. */
export interface ReadinessHandler {
  ready(readable: boolean): void;
}

/**
 * The readiness wait on a device's file descriptor, in Node's event loop (a libuv `uv_poll_t`
 * and a `uv_timer_t` in the shim, with one callback registered here, once). `arm(ms)` watches
 * the fd (and, with `ms >= 0`, a timer); the first to fire disarms both and calls
 * `handler.ready(readable)` once. While armed the process sleeps; an armed wait keeps Node
 * running, `close()` lets it exit.
 */
export class Readiness {
  private readonly shim: TapShim;
  private readonly waiter: object;
  private closed = false;

  constructor(fd: number, handler: ReadinessHandler) {
    this.shim = shim();
    this.waiter = this.shim.waiterCreate(fd, handler.ready.bind(handler));
  }

  /** Waits for readability and at most `timeoutMs` ms (-1: no limit); `watchReadable` false: the timer only. */
  arm(timeoutMs: number, watchReadable = true): void {
    if (!this.closed) this.shim.waiterArm(this.waiter, timeoutMs, watchReadable);
  }

  /** Stops waiting (the handler is not called). */
  disarm(): void {
    if (!this.closed) this.shim.waiterDisarm(this.waiter);
  }

  /** Releases the libuv handles. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.shim.waiterClose(this.waiter);
  }
}
