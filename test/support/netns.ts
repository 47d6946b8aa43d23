/**
 * Throwaway Linux network namespaces for the hosted tests (test/host/tap-*.test.ts,
 * test/host/cli-*.test.ts): each test makes its own namespace, creates a TAP (or a veth pair)
 * inside it, runs an example of the CLI inside it and uses the kernel's own tools inside it as
 * the peer, then deletes the namespace, which takes every interface and process in it along.
 *
 * Network safety: nothing here touches the host's own namespace. No route, NAT, masquerading or
 * forwarding is ever configured; the only addresses used are 192.168.69.0/24 and fdaa::/64 (and
 * link-local ones), inside the namespace; no packet can leave it (a new namespace has no
 * interface but its own loopback and what we create in it).
 *
 * Needs root, /dev/net/tun, `ip`, and the TAP shim; `netnsSkipReason()` says what is missing.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { tapShimStatus } from "../../drivers/tap/index.js";

/** The compiled CLI (build dir of this test run). */
export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "examples", "cli.js");

/** The reasons a namespace test may be skipped for; a skip test asserts its reason is one of these. */
export const EXPECTED_SKIP_REASONS = [
  "not root",
  "no /dev/net/tun",
  "no `ip` command (iproute2)",
  "cannot create a network namespace",
  "the TAP shim is not built",
  "tool missing",
];

function have(cmd: string, args: string[] = ["--version"]): boolean {
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  return r.error === undefined;
}

/**
 * Why the namespace tests cannot run here (one of EXPECTED_SKIP_REASONS, with details after a
 * colon), or null when they can. `tools` are commands the caller needs besides `ip`.
 */
export function netnsSkipReason(tools: string[] = []): string | null {
  if (process.platform !== "linux" || typeof process.getuid !== "function" || process.getuid() !== 0) return "not root";
  if (!fs.existsSync("/dev/net/tun")) return "no /dev/net/tun";
  if (!have("ip", ["-V"])) return "no `ip` command (iproute2)";
  const shim = tapShimStatus();
  if (!shim.ok) return "the TAP shim is not built: " + shim.reason;
  for (const t of tools) if (!have(t, t === "ping" ? ["-V"] : t === "socat" ? ["-V"] : ["--version"])) return "tool missing: " + t;
  const probe = "smolt-probe-" + randomBytes(4).toString("hex");
  const r = spawnSync("ip", ["netns", "add", probe], { encoding: "utf8" });
  if (r.status !== 0) return "cannot create a network namespace: " + (r.stderr || "").trim();
  spawnSync("ip", ["netns", "del", probe]);
  return null;
}

/** Prints the skip reason the way every namespace test does. */
export function announceSkip(file: string, reason: string): void {
  console.log(`# ${file}: SKIPPED (${reason}); these tests need root, /dev/net/tun, iproute2 and the TAP shim`);
}

/** A process started inside a namespace, with its output collected. */
export class NsProcess {
  stdout = "";
  stderr = "";
  exitCode: number | null = null;
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding("latin1");
    child.stderr?.setEncoding("utf8");
    child.stdout?.on("data", (d: string) => {
      this.stdout += d;
    });
    child.stderr?.on("data", (d: string) => {
      this.stderr += d;
    });
    this.exited = new Promise((resolve) => {
      child.on("close", (code) => {
        this.exitCode = code;
        resolve(code);
      });
    });
  }

  /** Resolves when `re` matches stdout or stderr; rejects after `ms` or when the process ends first. */
  async waitFor(re: RegExp, ms = 10000): Promise<void> {
    const t0 = Date.now();
    while (!re.test(this.stdout) && !re.test(this.stderr)) {
      if (this.exitCode !== null) throw new Error(`process ended (${this.exitCode}) before ${re}: ${this.stderr}`);
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re}; stderr: ${this.stderr.slice(-2000)}`);
      await sleep(50);
    }
  }

  /** Sends SIGTERM (SIGKILL after 3 s) and waits for the end. */
  async stop(): Promise<number | null> {
    if (this.exitCode !== null) return this.exitCode;
    this.child.kill("SIGTERM");
    const t = setTimeout(() => this.child.kill("SIGKILL"), 3000);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One throwaway namespace. */
export class Netns {
  readonly name = "smolt-" + randomBytes(4).toString("hex");
  readonly dir: string;
  private readonly children: NsProcess[] = [];

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), this.name + "-"));
    this.must("ip", ["netns", "add", this.name], false);
    this.exec("ip", ["link", "set", "lo", "up"]);
  }

  /** Runs a command inside the namespace and waits; throws on a non-zero status unless `check` is false. */
  exec(cmd: string, args: string[], check = true, opts: { input?: string | Buffer; timeout?: number } = {}): SpawnSyncReturns<string> {
    const r = spawnSync("ip", ["netns", "exec", this.name, cmd, ...args], { encoding: "latin1", input: opts.input, timeout: opts.timeout ?? 60000, maxBuffer: 256 * 1024 * 1024 });
    if (check && r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr}`);
    return r;
  }

  private must(cmd: string, args: string[], inside: boolean): void {
    const r = inside ? this.exec(cmd, args, false) : spawnSync(cmd, args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  }

  /** Starts a command inside the namespace, in the background. */
  spawn(cmd: string, args: string[], opts: { cwd?: string; stdin?: "pipe" | "ignore" } = {}): NsProcess {
    const child = spawn("ip", ["netns", "exec", this.name, cmd, ...args], { cwd: opts.cwd, stdio: [opts.stdin ?? "ignore", "pipe", "pipe"] });
    const p = new NsProcess(child);
    this.children.push(p);
    return p;
  }

  /** Starts the CLI inside the namespace. */
  cli(args: string[], opts: { stdin?: "pipe" | "ignore" } = {}): NsProcess {
    return this.spawn(process.execPath, [CLI, ...args], opts);
  }

  /**
   * Creates tap0 inside the namespace as smoltcp's README does for the host side:
   * 192.168.69.100/24, fdaa::100/64, fe80::100/64 (no duplicate address detection, so the
   * addresses are usable at once).
   */
  addTap(name = "tap0"): void {
    this.exec("ip", ["tuntap", "add", "name", name, "mode", "tap"]);
    this.exec("ip", ["link", "set", name, "up"]);
    this.exec("ip", ["addr", "add", "192.168.69.100/24", "dev", name]);
    this.exec("ip", ["-6", "addr", "add", "fdaa::100/64", "dev", name, "nodad"]);
    this.exec("ip", ["-6", "addr", "add", "fe80::100/64", "dev", name, "nodad"]);
  }

  /** A veth pair: `a` with 192.168.69.100/24 (the kernel's end), `b` without address (for a raw socket). */
  addVeth(a = "veth-k", b = "veth-s"): void {
    this.exec("ip", ["link", "add", a, "type", "veth", "peer", "name", b]);
    this.exec("sysctl", ["-q", "-w", `net.ipv6.conf.${a}.disable_ipv6=1`], false);
    this.exec("sysctl", ["-q", "-w", `net.ipv6.conf.${b}.disable_ipv6=1`], false);
    this.exec("ip", ["link", "set", a, "up"]);
    this.exec("ip", ["link", "set", b, "up"]);
    this.exec("ip", ["addr", "add", "192.168.69.100/24", "dev", a]);
  }

  /** A file in this namespace's temporary directory. */
  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** Stops every process started here and deletes the namespace and the temporary directory. */
  async close(keepFiles = false): Promise<void> {
    for (const c of this.children) await c.stop();
    spawnSync("ip", ["netns", "del", this.name]);
    if (!keepFiles) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs `fn` with a fresh namespace and deletes it afterwards, whatever happens. */
export async function withNetns<T>(fn: (ns: Netns) => Promise<T>): Promise<T> {
  const ns = new Netns();
  try {
    return await fn(ns);
  } finally {
    await ns.close();
  }
}

/**
 * The kernel-side TCP and UDP peer, in Python (the kernel's stack does the work; Python only
 * drives the socket and checks every octet):
 *
 *   source HOST PORT N     read N octets, check octet i == i mod 256
 *   sink HOST PORT N       send N octets, half-close, wait for the server's close
 *   reverse HOST PORT N    send N octets of lines (1..63 characters + "\n", seeded), read the
 *                          same number of octets back, check each line came back reversed
 *   hello HOST PORT        connect, read until the server closes
 *   udp HOST PORT          send a datagram, print the answer (retries 10 times, 1 s apart)
 *
 * Optional words after N (TCP modes; without them the socket keeps Linux's defaults):
 *
 *   quick       TCP_NODELAY, and TCP_QUICKACK set again after every recv (Linux leaves quick-ACK
 *               mode by itself), so the kernel acknowledges each segment at once instead of
 *               delaying its ACK by up to 40 ms: a peer configuration, not a change to TCP.
 *   keepalive   sink: keep-alive probes every second after 2 s idle, and a reset after the
 *               half-close ends the run like the server's FIN does. The server's 6971 socket
 *               aborts (RST) when its FIN goes unacknowledged for 2 s; if that RST is lost too,
 *               Linux would wait in FIN-WAIT-2 forever: its next probe draws a new RST.
 *
 * Prints one line: `ok <octets> <seconds>` or `FAIL <why>`.
 */
export const PEER_PY = String.raw`
import random, socket, sys, threading, time
mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
n = int(sys.argv[4]) if len(sys.argv) > 4 else 0
fam = socket.AF_INET6 if ':' in host else socket.AF_INET
t0 = time.time()
def done(msg):
    print(msg); sys.stdout.flush(); sys.exit(0)
if mode == 'udp':
    s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(1)
    for i in range(10):
        s.sendto(b'ping\n', (host, port))
        try:
            d, a = s.recvfrom(1500); done('ok ' + repr(d))
        except socket.timeout:
            pass
    done('FAIL no answer')
flags = sys.argv[5:]
quick = 'quick' in flags
s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(600)
if quick:
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
if 'keepalive' in flags:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 2)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 30)
def recv(k):
    d = s.recv(k)
    if quick: s.setsockopt(socket.IPPROTO_TCP, 12, 1)  # TCP_QUICKACK
    return d
s.connect((host, port))
pattern = bytes(i & 255 for i in range(256)) * 257
if mode == 'source':
    got = 0
    while got < n:
        d = recv(min(1 << 20, n - got))
        if not d: done('FAIL closed after %d octets' % got)
        ph = got & 255
        if d != (pattern[ph:] + pattern * (len(d) // len(pattern) + 1))[:len(d)]:
            for i, b in enumerate(d):
                if b != (got + i) & 255: done('FAIL octet %d is %d' % (got + i, b))
        got += len(d)
    s.close(); done('ok %d %.2f' % (got, time.time() - t0))
elif mode == 'sink':
    buf = pattern * 16; sent = 0
    while sent < n:
        sent += s.send(buf[:min(len(buf), n - sent)])
    s.shutdown(socket.SHUT_WR)
    try:
        while recv(65536): pass
    except ConnectionResetError:
        if 'keepalive' not in flags: raise
        done('ok %d %.2f reset' % (sent, time.time() - t0))
    done('ok %d %.2f' % (sent, time.time() - t0))
elif mode == 'reverse':
    rnd = random.Random(6970); lines = []; total = 0
    while total < n:
        k = min(rnd.randint(1, 63), n - total - 1) if n - total > 1 else 0
        line = bytes(rnd.randint(0x21, 0x7e) for _ in range(k)) + b'\n'
        lines.append(line); total += len(line)
    data = b''.join(lines)
    expect = b''.join(l[:-1][::-1] + b'\n' for l in lines)
    def writer():
        s.sendall(data)
    th = threading.Thread(target=writer); th.start()
    got = bytearray()
    while len(got) < len(expect):
        d = recv(65536)
        if not d: break
        got += d
    th.join()
    s.shutdown(socket.SHUT_WR)
    if bytes(got) != expect:
        i = next((i for i in range(min(len(got), len(expect))) if got[i] != expect[i]), min(len(got), len(expect)))
        done('FAIL %d of %d octets back, first difference at %d' % (len(got), len(expect), i))
    done('ok %d %.2f' % (len(got), time.time() - t0))
elif mode == 'hello':
    got = b''
    while True:
        d = s.recv(1024)
        if not d: break
        got += d
    done('ok ' + repr(got))
done('FAIL unknown mode ' + mode)
`;

/** Writes PEER_PY into the namespace's directory and returns its path. */
export function peerScript(ns: Netns): string {
  const f = ns.file("peer.py");
  fs.writeFileSync(f, PEER_PY);
  return f;
}

/**
 * Decodes a capture with tshark, checksums validated, and returns the number of frames and the
 * problems: malformed frames and expert errors (bad checksums among them).
 */
export function tsharkProblems(file: string): { frames: number; problems: string[] } {
  const r = spawnSync(
    "tshark",
    ["-r", file, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Protocol", "-e", "_ws.expert.severity", "-e", "_ws.malformed", "-e", "_ws.col.Info"],
    { encoding: "utf8", maxBuffer: 1024 * 1024 * 1024 },
  );
  if (r.status !== 0) return { frames: 0, problems: ["tshark failed: " + r.stderr] };
  const lines = r.stdout.split("\n").filter((l) => l !== "");
  const problems: string[] = [];
  for (const l of lines) {
    const [, , severity, malformed] = l.split("\t");
    const worst = Math.max(0, ...(severity || "0").split(",").map(Number));
    if (malformed || worst >= 0x800000) problems.push(l);
  }
  return { frames: lines.length, problems };
}
