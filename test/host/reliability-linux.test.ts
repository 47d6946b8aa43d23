// Stack to Linux under faults: the CLI on a TAP inside a throwaway namespace, the Linux kernel
// the peer (Python drives its sockets and checks or hashes every octet). Root and /dev/net/tun
// needed (skipped with a message otherwise).
//
// 1. Bulk, both ways at once: `smoltcp-ts client` (256 KiB socket buffers) connects to a Python
//    listener in the namespace; the test writes a seeded stream into the client's stdin and
//    hashes its stdout, Python sends its own seeded stream and hashes what it receives; SHA-256
//    compared both ways. Once under 15 % drop + 15 % corruption, once under token-bucket shaping
//    of 4 frames per 50 ms each way (80 frames/s). 10 MiB each way with SMOLTCP_TS_LONG_TESTS=1,
//    256 KiB by default (SMOLTCP_TS_BULK=N sets another size). No stall: the two directions
//    together may not go longer than a bound without a new octet arriving, and each run must
//    end within a bound; both follow from the RTO schedules and the fault rates (`bounds`). For
//    the loss run the kernel's RTO is capped at 2 s in the namespace (see `bounds`).
//    Measured (10 MiB each way, 2 cores shared with other work): loss 831 s (bound 3,505 s),
//    longest silence 12.9 s (bound 162 s); shaping 120.5 s (bound 392 s), longest silence 0.3 s
//    (bound 5 s). The file takes about 2 minutes by default, 17 with SMOLTCP_TS_LONG_TESTS=1.
// 2. The server's example ports under all three faults at once, small (64-octet buffers): 4 KiB
//    from the source port 6972 (checked octet by octet by the peer) and 512 octets of lines
//    reversed on 6970 (both directions checked). (The long form used to source 128 KiB there:
//    over five minutes at 64 octets a segment, the peer timed out.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { seededBytes } from "../support/bytes.js";
import { announceSkip, EXPECTED_SKIP_REASONS, netnsSkipReason, peerScript, sleep, withNetns, type Netns } from "../support/netns.js";

const LONG = process.env.SMOLTCP_TS_LONG_TESTS === "1";
const BULK = Number(process.env.SMOLTCP_TS_BULK ?? (LONG ? 10 * 1024 * 1024 : 256 * 1024));
// The server's ports move octets 64 at a time: volume is the bulk runs' job.
const SOURCE = 4096;
const REVERSE = 512;
const skip = netnsSkipReason(["python3"]);
/** The kernel peer's largest RTO in the loss test (net.ipv4.tcp_rto_max_ms, Linux 6.15 and later; at least 1000). */
const LINUX_RTO_MAX_MS = 2000;
/**
 * The stack's socket buffers in the loss run. The receive assembler keeps 4 gaps (smoltcp's
 * default): a 256 KiB window at 28 % loss has dozens of holes, the segments past the fourth are
 * dropped and the kernel sends most of them again (5 octets sent per octet acknowledged, 1 MiB
 * took minutes); a 16 KiB window has about three holes.
 */
const LOSS_BUFFER = 16384;
/** Linux's TCP_RTO_MAX, where net.ipv4.tcp_rto_max_ms does not exist. */
const LINUX_DEFAULT_RTO_MAX_MS = 120000;

/**
 * The kernel's end of the bulk test: listens on 192.168.69.100:PORT, accepts one connection,
 * sends N octets of `random.Random(SEED)` while it receives, half-closes when done, reads until
 * the stack closes, and closes once the stack has acknowledged everything. Every second it prints `p <received> <sent>` to stderr (the test's stall
 * check); at the end `ok <received> <sha256 received> <sha256 sent> <seconds>` or `FAIL <why>`.
 */
const DUPLEX_PY = String.raw`
import fcntl, hashlib, random, socket, struct, sys, termios, threading, time
host, port, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((host, port)); ls.listen(1); ls.settimeout(60)
print('listening', flush=True)
c, _ = ls.accept(); c.settimeout(600)
# Linux aborts a connection whose oldest retransmission is older than 15 backed-off RTOs would
# take: 27 s with the loss test's 2 s cap, which a long transfer at 28 % loss spends in recovery
# (TcpExtTCPAbortOnTimeout after a minute of 10 MiB). The user timeout replaces that rule.
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, 3600 * 1000)
t0 = time.time(); st = {'sent': 0, 'got': 0, 'err': None}
sh = hashlib.sha256()
def writer():
    try:
        rnd = random.Random(seed); left = n
        while left > 0:
            d = rnd.randbytes(min(65536, left)); sh.update(d); c.sendall(d); left -= len(d); st['sent'] += len(d)
        c.shutdown(socket.SHUT_WR)
    except Exception as e:
        st['err'] = 'send: ' + repr(e)
def ticker():
    while True:
        time.sleep(1); print('p %d %d' % (st['got'], st['sent']), file=sys.stderr, flush=True)
threading.Thread(target=ticker, daemon=True).start()
th = threading.Thread(target=writer); th.start()
rh = hashlib.sha256()
try:
    while True:
        d = c.recv(1 << 20)
        if not d: break
        rh.update(d); st['got'] += len(d)
except Exception as e:
    st['err'] = 'recv: ' + repr(e)
th.join()
# Close only once the stack has acknowledged everything (our FIN included): the kernel gives up
# on an orphaned socket after a few retransmissions and would leave the stack waiting for ever.
deadline = time.time() + 600
while not st['err'] and struct.unpack('I', fcntl.ioctl(c, termios.TIOCOUTQ, b'\0\0\0\0'))[0] > 0:
    if time.time() > deadline: st['err'] = 'unacknowledged data after 600 s'
    time.sleep(0.05)
c.close()
if st['err']: print('FAIL %s after %d received, %d sent' % (st['err'], st['got'], st['sent']), flush=True)
else: print('ok %d %s %s %.2f' % (st['got'], rh.hexdigest(), sh.hexdigest(), time.time() - t0), flush=True)
`;

/** `n` octets of a seeded xorshift32 stream (the stack's side of the bulk test). */
function stream(n: number, seed: number): Buffer {
  const b = seededBytes(n, seed);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

/**
 * What a fault setting does to the time a bulk run may take, and the bounds derived from it.
 *
 * Loss (15 % drop, then 15 % of the rest corrupted, on the stack's device): a frame is lost with
 * L = 1 - 0.85 × 0.85 = 0.2775, so a retransmission fails (it or the ACK it draws is lost) with
 * q = 1 - (1 - L)² = 0.478. A loss that nothing else repairs costs a chain of retransmission
 * timeouts (RFC 6298 (5.5)): the k-th waits B × 2^(k-1), capped, and is reached with
 * probability q^(k-1). B is the RTO before back-off: RTO_MIN (200 ms, both stacks) on this link
 * (a round trip well under 10 ms); the caps are our RTO_MAX (60 s) and, for the kernel,
 * net.ipv4.tcp_rto_max_ms, set to 2 s in the namespace: with Linux's default of 120 s and the
 * back-off kept while every ACK covers retransmitted data (RFC 6298 §5.5, which Linux follows),
 * one unlucky chain left the kernel silent for two minutes at a time and 1 MiB took over ten.
 * - stall bound: the longest chain that has a chance of at most 1 in 1,000 (q^10), on the
 *   slower side;
 * - run bound: every segment of the longer direction lost once (L) and each loss repaired only
 *   after an expected chain, one after the other (pessimistic: losses overlap in a window and
 *   most are repaired by fast retransmit), plus one stall.
 *
 * Shaping (4 frames per 50 ms each way, frames delayed, never lost): every direction carries at
 * most its data segments and one ACK per segment of the other direction, at 12.5 ms a frame;
 * the run bound is twice that plus 30 s (the handshake, closing, a busy machine). Nothing is
 * lost, so a silence is a token wait (50 ms) or a delayed ACK (at most 200 ms from Linux),
 * unless a queue overflows and one side waits a timeout before back-off (at most 1 s, RFC 6298
 * (2.1)'s initial RTO): the stall bound is two of those plus 3 s of scheduling slack.
 */
interface FaultModel {
  loss: number;
  tokenMs: number;
}
const LOSS_MODEL: FaultModel = { loss: 1 - 0.85 * 0.85, tokenMs: 0 };
const SHAPING_MODEL: FaultModel = { loss: 0, tokenMs: 50 / 4 };
const MSS = 1448;
const RTO_MIN = 200;
const RTO_INITIAL_MS = 1000;
const OUR_RTO_MAX = 60000;

/** The waits of a chain of `k` RTO expiries from `base`, each capped at `cap`. */
function chainMs(base: number, cap: number, k: number): number {
  let t = 0;
  for (let i = 0; i < k; i++) t += Math.min(base * 2 ** i, cap);
  return t;
}

/** The expected wait of a chain that goes on with probability `q` after each expiry. */
function expectedChainMs(base: number, cap: number, q: number): number {
  let t = 0;
  for (let i = 0; i < 64; i++) t += q ** i * Math.min(base * 2 ** i, cap);
  return t;
}

function bounds(m: FaultModel, linuxRtoMax = LINUX_DEFAULT_RTO_MAX_MS): { stallMs: number; runMs: number } {
  const segments = Math.ceil(BULK / MSS);
  if (m.loss > 0) {
    const q = 1 - (1 - m.loss) * (1 - m.loss);
    const k = Math.ceil(Math.log(1e-3) / Math.log(q));
    const stallMs = Math.max(chainMs(RTO_MIN, OUR_RTO_MAX, k), chainMs(RTO_MIN, linuxRtoMax, k));
    const perLoss = Math.max(expectedChainMs(RTO_MIN, OUR_RTO_MAX, q), expectedChainMs(RTO_MIN, linuxRtoMax, q));
    return { stallMs: Math.round(stallMs), runMs: Math.round(segments * m.loss * perLoss + stallMs) };
  }
  return { stallMs: 2 * RTO_INITIAL_MS + 3000, runMs: Math.round(2 * (2 * segments * m.tokenMs) + 30000) };
}

interface BulkResult {
  seconds: number;
  /** The longest time either direction went without a new octet arriving, in ms. */
  longestStallMs: number;
  peer: string;
  clientStatus: number | null;
  clientStderr: string;
}

/**
 * One bulk run: BULK octets each way between `smoltcp-ts client` (with `faults`) and the kernel,
 * both directions at once. Fails the test on a hash mismatch, a stall longer than `stallMs`, or a
 * run longer than `runMs`.
 */
async function bulk(ns: Netns, port: number, buffer: number, faults: string[], stallMs: number, runMs: number): Promise<BulkResult> {
  const script = ns.file("duplex.py");
  fs.writeFileSync(script, DUPLEX_PY);
  const py = ns.spawn("python3", [script, "192.168.69.100", String(port), String(BULK), "7"]);
  await py.waitFor(/listening/);
  const up = stream(BULK, 0x5eed + port);
  const cli = ns.cli(["client", "tap0", "192.168.69.100", String(port), "--buffer", String(buffer), ...faults], { stdin: "pipe" });
  const t0 = Date.now();
  // The client's stdin, with back-pressure.
  const stdin = cli.child.stdin!;
  stdin.on("error", () => {}); // the client may exit first on failure: its exit status says why
  void (async () => {
    for (let off = 0; off < up.length; off += 65536) {
      if (!stdin.write(up.subarray(off, off + 65536))) await new Promise((r) => stdin.once("drain", r));
    }
    stdin.end();
  })();
  // Progress of both directions, sampled every 100 ms: octets the client printed (the kernel's
  // stream arriving at the stack) and octets Python reports received (the stack's stream).
  let down = 0;
  let upGot = 0;
  let lastChange = t0;
  let longest = 0;
  let failure = "";
  while (py.exitCode === null || cli.exitCode === null) {
    await sleep(100);
    const now = Date.now();
    const m = /p (\d+) \d+$/.exec(py.stderr.trimEnd());
    const u = m ? Number(m[1]) : upGot;
    const d = cli.stdout.length;
    if (u !== upGot || d !== down || (u >= BULK && d >= BULK)) {
      upGot = u;
      down = d;
      lastChange = now;
    }
    if (now - lastChange > longest) longest = now - lastChange;
    if (now - lastChange > stallMs) {
      failure = `stalled: nothing arrived for ${now - lastChange} ms (bound ${stallMs} ms) at ${down} octets down, ${upGot} up`;
      break;
    }
    if (now - t0 > runMs) {
      failure = `not finished within the bound of ${runMs} ms (${down} octets down, ${upGot} up)`;
      break;
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  if (failure) {
    await cli.stop();
    await py.stop();
    assert.unreachable(`${failure}; client: ${cli.stderr.slice(-500)}; peer: ${py.stdout} ${py.stderr.slice(-200)}`);
  }
  const out = py.stdout.trim().split("\n").pop() ?? "";
  assert.ok(out.startsWith("ok"), `peer: ${out}; client (${cli.exitCode}): ${cli.stderr.slice(-500)}`);
  const [, got, gotHash, sentHash] = out.split(" ");
  assert.is(cli.exitCode, 0, `client exit status; stderr: ${cli.stderr.slice(-500)}`);
  assert.is(Number(got), BULK, "octets the kernel received");
  assert.is(gotHash, sha256(up), "SHA-256 of what the kernel received == of what the stack was given");
  const downBytes = Buffer.from(cli.stdout, "latin1");
  assert.is(downBytes.length, BULK, "octets the stack received");
  assert.is(sha256(downBytes), sentHash, "SHA-256 of what the stack received == of what the kernel sent");
  return { seconds, longestStallMs: longest, peer: out, clientStatus: cli.exitCode, clientStderr: cli.stderr };
}

function peer(ns: Netns, script: string, args: string[], timeout = 300000): string {
  const r = ns.exec("python3", [script, ...args], false, { timeout });
  const out = (r.stdout || "").trim();
  assert.ok(out.startsWith("ok"), `peer ${args.join(" ")}: ${out} ${r.stderr || ""} ${r.signal ?? ""}`);
  return out;
}

if (skip !== null) {
  announceSkip("reliability-linux", skip);
  test("reliability-linux: skipped for an expected reason", () => {
    assert.ok(EXPECTED_SKIP_REASONS.some((r) => skip.startsWith(r)), skip);
  });
} else {
  test(`stack to Linux, ${BULK} octets each way at once under 15 % drop and 15 % corruption: SHA-256 equal both ways, no stall, within the bound`, async () => {
    await withNetns(async (ns) => {
      ns.addTap();
      // The kernel's retransmission back-off capped at 2 s instead of 120 s (Linux 6.15 and later;
      // the peer script sets TCP_USER_TIMEOUT to match, see `bounds`).
      const capped = ns.exec("sysctl", ["-q", "-w", "net.ipv4.tcp_rto_max_ms=" + LINUX_RTO_MAX_MS], false).status === 0;
      const b = bounds(LOSS_MODEL, capped ? LINUX_RTO_MAX_MS : LINUX_DEFAULT_RTO_MAX_MS);
      const r = await bulk(ns, 7001, Number(process.env.SMOLTCP_TS_LOSS_BUFFER ?? LOSS_BUFFER), ["--drop-chance", "15", "--corrupt-chance", "15", "--seed", "11"], b.stallMs, b.runMs);
      console.log(`# stack-to-Linux bulk, 15 % drop + 15 % corruption: ${BULK} octets each way in ${r.seconds.toFixed(1)} s (bound ${(b.runMs / 1000).toFixed(0)} s), longest stall ${r.longestStallMs} ms (bound ${b.stallMs} ms); ${r.peer}`);
    });
  });

  test(`stack to Linux, ${BULK} octets each way at once under token-bucket shaping (4 frames / 50 ms each way): SHA-256 equal both ways, no stall, within the bound`, async () => {
    await withNetns(async (ns) => {
      ns.addTap();
      const b = bounds(SHAPING_MODEL);
      const r = await bulk(ns, 7002, 262144, ["--tx-rate-limit", "4", "--rx-rate-limit", "4", "--shaping-interval", "50", "--seed", "12"], b.stallMs, b.runMs);
      console.log(`# stack-to-Linux bulk, shaping 4 / 50 ms: ${BULK} octets each way in ${r.seconds.toFixed(1)} s (bound ${(b.runMs / 1000).toFixed(0)} s), longest stall ${r.longestStallMs} ms (bound ${b.stallMs} ms); ${r.peer}`);
    });
  });

  test(`stack to Linux under 15 % drop, 15 % corruption, 4 frames / 50 ms: the server's ports, ${SOURCE} octets sourced, ${REVERSE} reversed, every octet intact`, async () => {
    await withNetns(async (ns) => {
      ns.addTap();
      const server = ns.cli(["server", "tap0", "--drop-chance", "15", "--corrupt-chance", "15", "--tx-rate-limit", "4", "--rx-rate-limit", "4", "--shaping-interval", "50", "--seed", "8"]);
      await server.waitFor(/listening on tap0/);
      const script = peerScript(ns);
      const src = peer(ns, script, ["source", "192.168.69.1", "6972", String(SOURCE)]);
      assert.match(src, new RegExp(`^ok ${SOURCE} `));
      const rev = peer(ns, script, ["reverse", "192.168.69.1", "6970", String(REVERSE)]);
      assert.match(rev, new RegExp(`^ok ${REVERSE} `));
      console.log(`# stack-to-Linux under faults, the server's ports: 6972 ${src}; 6970 ${rev}`);
      await server.stop();
    });
  });
}

test.run();
