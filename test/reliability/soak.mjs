// `npm run soak`: the long form of the reliability suite (test/reliability/). Node only; runs the
// compiled tree (build/, or SOAK_BUILD_DIR).
//
// 1. The fuzzer (test/reliability/tcp-fuzz.ts) for `--fuzz-frames N` frames (10,000,000 by
//    default): poll never throws, counters and TCP invariants checked after every frame.
// 2. `--minutes N` (10 by default) of real time of TCP traffic between two interfaces over the
//    simulated wire (test/support/wire-pair.ts, 2 ms each way), a seeded FaultInjector on the
//    client side (3 % drop, 1 % corruption), simulated clock: six client slots open short
//    connections (1 octet to 8 KiB) one after another, two slots long ones (1 to 2 MiB); the
//    server has a backlog of eight listeners. Each connection starts with its 4-octet id; its
//    length and content follow from the id, and the server checks every octet. A connection
//    that has not finished after 30 simulated minutes is a stuck socket.
// 3. Memory: the Node heap after a full collection, sampled every 30 s of real time; it must stay
//    flat (the last sample within 4 MiB of the first after warm-up).
// 4. XS: `--xs-frames N` fuzzed frames (1,000,000 by default) inside the XS engine, its live slot
//    count read after a full collection every 20,000: it must not move (test/alloc/reliability-
//    fuzz.alloc.ts checks the same per `npm test`, on 20,000 frames).
//
// Prints figures for README and exits 1 on any failure. Needs `--expose-gc`: re-runs itself
// with it when missing.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

if (typeof globalThis.gc !== "function") {
  const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const build = process.env.SOAK_BUILD_DIR ? path.resolve(process.env.SOAK_BUILD_DIR) : path.join(root, "build");
const imp = (p) => import(pathToFileURL(path.join(build, p)).href);

function option(name, def) {
  const i = process.argv.indexOf("--" + name);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a number`);
  return v;
}
const MINUTES = option("minutes", 10);
const FUZZ_FRAMES = option("fuzz-frames", 10000000);
const XS_FRAMES = option("xs-frames", 1000000);

const { TcpFuzzRig, fuzzTcp } = await imp("test/reliability/tcp-fuzz.js");
const { Interface } = await imp("src/iface/interface.js");
const { Config } = await imp("src/config.js");
const { FaultInjector } = await imp("src/phy/fault-injector.js");
const { SocketSet } = await imp("src/socket/set.js");
const { TcpSocket, TCP_STATE_NAMES } = await imp("src/socket/tcp/socket.js");
const { EthernetAddress } = await imp("src/wire/ethernet.js");
const { IpAddress, IpEndpoint, Ipv4Cidr, ipv4Parse } = await imp("src/wire/ip.js");
const { WirePair } = await imp("test/support/wire-pair.js");
const { PayloadStream, SeededRandom } = await imp("examples/loopback-tcp.js");

// TcpState values (a const enum in the source).
const CLOSED = 0, LISTEN = 1, ESTABLISHED = 4, CLOSE_WAIT = 7, TIME_WAIT = 10;
const failures = [];
const fail = (m) => {
  if (failures.length < 20) console.log("FAIL " + m);
  failures.push(m);
};
const heapMiB = () => {
  globalThis.gc();
  return process.memoryUsage().heapUsed / 1048576;
};

// ---- 1. Fuzzing ----------------------------------------------------------------------------------
let fuzzSeconds = 0;
if (FUZZ_FRAMES > 0) {
  const t0 = Date.now();
  const heap0 = heapMiB();
  const rigs = 4;
  let done = 0;
  for (let k = 0; k < rigs; k++) {
    const rig = new TcpFuzzRig(0x50a1 + k);
    const n = Math.ceil(FUZZ_FRAMES / rigs);
    for (let i = 0; i < n; i += 100000) {
      const p = fuzzTcp(rig, Math.min(100000, n - i), 1);
      if (p !== null) fail(`fuzz rig ${k}, after ${i} frames: ${p}`);
    }
    done += n;
  }
  fuzzSeconds = (Date.now() - t0) / 1000;
  console.log(`soak: fuzz ${done} frames, invariants after every frame, ${fuzzSeconds.toFixed(0)} s, heap ${heap0.toFixed(1)} -> ${heapMiB().toFixed(1)} MiB`);
}

// ---- 2. Traffic ----------------------------------------------------------------------------------
const SHORT_SLOTS = 6;
const LONG_SLOTS = 2;
const LISTENERS = 8;
const BUF = 16 * 1024;
const STUCK_MS = 30 * 60 * 1000;
const PORT = 7000;

/** The length of connection `id`: short ones 1..8192 octets, long ones (bit 30) 1..2 MiB. */
function lengthOf(id) {
  let h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (id & 0x40000000) !== 0 ? 1048576 + (h % 1048576) : 1 + (h % 8192);
}

const pair = new WirePair(128, 1514, 2);
const fi = new FaultInjector(pair.b, 0xfee1);
fi.dropChance = 3;
fi.corruptChance = 1;
const server = new Interface(EthernetAddress.parse("02-00-00-00-00-01"), new Config(), new SeededRandom(11));
const client = new Interface(EthernetAddress.parse("02-00-00-00-00-02"), new Config(), new SeededRandom(12));
server.addIpv4Address(new Ipv4Cidr(ipv4Parse("192.168.69.1"), 24));
client.addIpv4Address(new Ipv4Cidr(ipv4Parse("192.168.69.2"), 24));
const serverSockets = new SocketSet(LISTENERS);
const clientSockets = new SocketSet(SHORT_SLOTS + LONG_SLOTS);
const remote = IpEndpoint.of(IpAddress.v4(ipv4Parse("192.168.69.1")), PORT);
const listeners = [];
for (let i = 0; i < LISTENERS; i++) {
  const s = new TcpSocket(BUF, BUF);
  serverSockets.add(s);
  s.listen(PORT, server);
  listeners.push({ s, id: -1, hdr: 0, got: 0, len: 0, stream: null, phase: 0 });
}
const clients = [];
for (let i = 0; i < SHORT_SLOTS + LONG_SLOTS; i++) {
  const s = new TcpSocket(BUF, BUF);
  clientSockets.add(s);
  clients.push({ s, long: i >= SHORT_SLOTS, id: -1, sent: 0, len: 0, stream: null, started: 0, closed: false });
}
const hdr = new Uint8Array(4);
const buf = new Uint8Array(16384);
let nextId = 1;
let now = (0x7fffffff - 5000) | 0;
let simMs = 0;
const stats = { opened: 0, short: 0, long: 0, octets: 0, verified: 0, resets: 0, polls: 0 };

function clientStep(c) {
  const s = c.s;
  let did = false;
  if (c.id < 0 || (s.state === CLOSED && c.closed)) {
    if (s.state !== CLOSED) return false; // TIME-WAIT
    if (c.id >= 0) {
      const err = s.takeError();
      if (err !== 0) fail(`client connection ${c.id} ended with error ${err}`);
    }
    c.id = (nextId++ & 0x3fffffff) | (c.long ? 0x40000000 : 0);
    c.len = lengthOf(c.id);
    c.sent = -4;
    c.stream = new PayloadStream(c.id);
    c.closed = false;
    c.started = simMs;
    s.connect(client, remote);
    stats.opened++;
    return true;
  }
  if (s.state === CLOSED && !c.closed) {
    fail(`client connection ${c.id} closed before it finished (error ${s.takeError()}, ${c.sent} of ${c.len} sent)`);
    c.closed = true;
    return true;
  }
  if (simMs - c.started > STUCK_MS && s.state !== TIME_WAIT) {
    fail(`client connection ${c.id} stuck in ${TCP_STATE_NAMES[s.state]} for ${STUCK_MS} ms (${c.sent} of ${c.len} sent)`);
    s.abort();
    c.closed = true;
    return true;
  }
  if (s.state !== ESTABLISHED && s.state !== CLOSE_WAIT) {
    while (s.recv(buf, 0, buf.length) > 0);
    return false;
  }
  if (c.sent < 0) {
    new DataView(hdr.buffer).setInt32(0, c.id);
    const n = s.send(hdr, 4 + c.sent, -c.sent);
    c.sent += n;
    if (c.sent < 0) return n > 0;
    did = true;
  }
  const st = c.stream;
  while (c.sent < c.len) {
    st.refill();
    let n = st.end - st.pos;
    if (n > c.len - c.sent) n = c.len - c.sent;
    const m = s.send(st.buf, st.pos, n);
    if (m <= 0) break;
    st.pos += m;
    c.sent += m;
    did = true;
  }
  if (c.sent === c.len && !c.closed) {
    s.close();
    c.closed = true;
    did = true;
  }
  return did;
}

function serverStep(l) {
  const s = l.s;
  let did = false;
  // l.phase: 0 listening, 1 receiving, 2 closed by us (LAST-ACK until CLOSED).
  if (s.state === CLOSED) {
    if (l.phase === 1) fail(`server connection ${l.id} ended before its FIN (error ${s.takeError()}, ${l.got} of ${l.len})`);
    s.takeError();
    l.phase = 0;
    l.id = -1;
    s.listen(PORT, server);
    return true;
  }
  if (s.state === LISTEN || s.state === TIME_WAIT || l.phase === 2) return false;
  if (l.phase === 0) {
    l.phase = 1;
    l.hdr = 0;
    l.got = 0;
    l.id = -1;
  }
  for (;;) {
    if (l.hdr < 4) {
      const n = s.recv(hdr, l.hdr, 4 - l.hdr);
      if (n <= 0) break;
      l.hdr += n;
      did = true;
      if (l.hdr === 4) {
        l.id = new DataView(hdr.buffer).getInt32(0);
        l.len = lengthOf(l.id);
        l.stream = new PayloadStream(l.id);
      }
      continue;
    }
    const n = s.recv(buf, 0, buf.length);
    if (n <= 0) break;
    did = true;
    const st = l.stream;
    for (let i = 0; i < n; i++) {
      st.refill();
      if (buf[i] !== st.buf[st.pos++]) {
        fail(`connection ${l.id}: octet ${l.got + i} differs`);
        s.abort();
        l.phase = 2;
        return true;
      }
    }
    l.got += n;
    stats.octets += n;
  }
  if (s.state === CLOSE_WAIT && s.recvQueue === 0) {
    if (l.hdr < 4 || l.got !== l.len) fail(`connection ${l.id}: FIN after ${l.got} of ${l.len} octets`);
    else {
      stats.verified++;
      if ((l.id & 0x40000000) !== 0) stats.long++;
      else stats.short++;
    }
    s.close();
    l.phase = 2;
    did = true;
  }
  return did;
}

const t0 = Date.now();
const end = t0 + MINUTES * 60000;
const heapSamples = [];
let nextSample = t0 + 20000;
let lastReport = t0;
server.poll(now, pair.a, serverSockets);
client.poll(now, fi, clientSockets);
let atInstant = 0;
while (Date.now() < end && failures.length < 20) {
  for (let round = 0; round < 2000; round++) {
    stats.polls++;
    let progress = server.poll(now, pair.a, serverSockets);
    for (const l of listeners) progress = serverStep(l) || progress;
    progress = client.poll(now, fi, clientSockets) || progress;
    for (const c of clients) progress = clientStep(c) || progress;
    if (progress && ++atInstant < 100000) continue;
    if (atInstant >= 100000) fail(`100000 rounds at one instant (${simMs} ms)`);
    atInstant = 0;
    let d = server.pollDelay(now, serverSockets);
    const d2 = client.pollDelay(now, clientSockets);
    if (d2 >= 0 && (d < 0 || d2 < d)) d = d2;
    const d3 = pair.nextArrival(now);
    if (d3 >= 0 && (d < 0 || d3 < d)) d = d3;
    const step = d > 0 ? d : 1;
    now = (now + step) | 0;
    simMs += step;
  }
  const t = Date.now();
  if (t >= nextSample) {
    heapSamples.push(heapMiB());
    nextSample = t + 30000;
  }
  if (t - lastReport >= 60000) {
    lastReport = t;
    console.log(`soak: ${((t - t0) / 60000).toFixed(1)} min: ${stats.verified} connections verified (${stats.short} short, ${stats.long} long), ${(stats.octets / 1048576).toFixed(1)} MiB, ${(simMs / 1000).toFixed(0)} s simulated, heap ${heapSamples.length ? heapSamples[heapSamples.length - 1].toFixed(1) : "-"} MiB`);
  }
}
heapSamples.push(heapMiB());
const states = clients.map((c) => TCP_STATE_NAMES[c.s.state]).join(" ");
const retransmits = clients.reduce((n, c) => n + c.s.retransmits, 0) + listeners.reduce((n, l) => n + l.s.retransmits, 0);
if (heapSamples.length >= 2) {
  const first = heapSamples[0];
  const last = heapSamples[heapSamples.length - 1];
  if (last - first > 4) fail(`heap grew from ${first.toFixed(1)} to ${last.toFixed(1)} MiB`);
}
console.log(
  `soak: ${MINUTES} min real, ${(simMs / 1000).toFixed(0)} s simulated: ${stats.opened} connections opened, ${stats.verified} verified octet by octet ` +
    `(${stats.short} short, ${stats.long} long), ${(stats.octets / 1048576).toFixed(1)} MiB, ${fi.txDropped + fi.rxDropped} frames dropped, ` +
    `${fi.txCorrupted + fi.rxCorrupted} corrupted, ${server.stats.txFrames + client.stats.txFrames} frames sent; heap (MiB, after gc) ` +
    `${heapSamples.map((h) => h.toFixed(1)).join(" ")}; client sockets at the end: ${states}`,
);
// ---- 4. XS ---------------------------------------------------------------------------------------
// The fuzzer's rig inside the XS engine (test/reliability/soak-xs.ts): `--xs-frames N` frames
// (1,000,000 by default) with the application's turn, in chunks of 20,000; after each chunk a full
// collection and the engine's live slot count, which must step exactly as an idle command does
// (each evaluated command leaves one constant record behind): nothing allocated, nothing released.
if (XS_FRAMES > 0) {
  const { bundleTests, startWorker } = await import(pathToFileURL(path.join(root, "test", "support", "xs-runner.mjs")).href);
  const t0 = Date.now();
  const code = await bundleTests([], [path.join(build, "test", "reliability", "soak-xs.js")]);
  let reported = null;
  const worker = startWorker("smoltcp-ts-soak", (m) => {
    reported = m;
  });
  try {
    await worker.evaluate(`globalThis.__report = (obj) => { issueCommand(new TextEncoder().encode(JSON.stringify(obj)).buffer); };`);
    await worker.evaluate(code);
    await worker.evaluate(`__soakXs.start(0x50a1, 20000);`);
    const slots = async (src) => (await worker.evaluate(`gc(); ${src}; gc();`)).meter.currentHeapCount;
    let prev = await slots("");
    const idle = (await slots("")) - prev;
    prev += idle;
    const CHUNK = 20000;
    let bad = 0;
    let done = 0;
    const steps = [];
    while (done < XS_FRAMES) {
      const n = Math.min(CHUNK, XS_FRAMES - done);
      const c = await slots(`__report({ bad: __soakXs.step(${n}), first: __soakXs.firstProblem })`);
      bad += reported.bad;
      if (reported.bad > 0 && failures.length === 0) fail(`XS fuzz: ${reported.first}`);
      steps.push(c - prev - idle);
      prev = c;
      done += n;
    }
    const moved = steps.filter((d) => d !== 0);
    if (moved.length > 0) fail(`XS: the live slot count moved after ${moved.length} of ${steps.length} chunks (${steps.join(" ")})`);
    if (bad > 0) fail(`XS: ${bad} frames broke an invariant`);
    console.log(`soak: XS ${done} fuzzed frames (after 20,000 warm-up), live slots after each ${CHUNK}: ${moved.length === 0 ? "unchanged" : steps.join(" ")}, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    await worker.close();
  }
}

console.log(`soak: ${failures.length === 0 ? "ok" : failures.length + " failures"}`);
process.exit(failures.length === 0 ? 0 : 1);
