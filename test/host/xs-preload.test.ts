// The XS bundles survive Moddable's preload (issue 6, item 1). Each bundle of `npm run build`
// (dist/xs/smoltcp-<set>.js; built in memory from rollup.config.js when missing or older than
// src/) is loaded into the real XS engine under an emulation of the preload
// (test/support/firmware-preload.ts): built-ins made while the module body runs become
// immutable, the built-in prototypes are frozen as Moddable's linker freezes them, and
// everything the exports reach is frozen deeply. Only then does an application create an
// Interface over a Loopback with sockets and run a UDP and a TCP exchange, checked octet by
// octet. Three deliberately bad modules (a top-level Map written later, a top-level typed array
// written later, a property assigned to an exported function) must fail under the same harness.
// The ENC28J60 driver module of the firmware (firmware/dist/enc28j60.js, importing the core as
// "smoltcp") is preloaded with the full bundle, as the manifests do, then drives two emulated
// chips back to back (a ping and 64 KiB of TCP).
// The sizes of the bundles and of the firmware's modules (raw, without comments, gzip) are
// printed for the README.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { PRELOAD_BEGIN, PRELOAD_CHECK, preloadEnd } from "../support/firmware-preload.js";
import { xsnapWorker, XsWorker } from "../support/firmware-xs.js";

const root = process.cwd();

interface RollupConfigModule {
  featureBundle(features: string[]): object;
  FEATURE_SETS: Record<string, string[]>;
}

function newestSource(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** The ES module text of a bundle: dist/xs if fresh, else built in memory. */
async function bundleCode(set: string): Promise<{ code: string; from: string }> {
  const file = path.join(root, "dist", "xs", `smoltcp-${set}.js`);
  if (fs.existsSync(file) && fs.statSync(file).mtimeMs >= newestSource(path.join(root, "src"))) return { code: fs.readFileSync(file, "utf8"), from: path.relative(root, file) };
  const cfg = (await import(pathToFileURL(path.join(root, "rollup.config.js")).href)) as RollupConfigModule;
  const { rollup } = (await import("rollup")) as typeof import("rollup");
  const bundle = await rollup({ ...(cfg.featureBundle(cfg.FEATURE_SETS[set]) as object), onwarn() {} });
  const { output } = await bundle.generate({ format: "es" });
  await bundle.close();
  return { code: output[0].code, from: `in memory (dist/xs/smoltcp-${set}.js missing or older than src/)` };
}

/** An ES module's text as a classic script that puts its exports in the global `name`. */
async function asScript(moduleCode: string, name: string): Promise<string> {
  const { rollup } = (await import("rollup")) as typeof import("rollup");
  const id = "\0module";
  const bundle = await rollup({
    input: id,
    treeshake: false,
    onwarn() {},
    plugins: [{ name: "module", resolveId: (x: string) => (x === id ? id : null), load: (x: string) => (x === id ? moduleCode : null) }],
  });
  const { output } = await bundle.generate({ format: "iife", name });
  await bundle.close();
  return output[0].code;
}

/** An ES module importing "smoltcp" as a classic script: the import is the global `__smoltcp`, the exports go to `name`. */
async function asScriptOnSmoltcp(moduleCode: string, name: string): Promise<string> {
  const { rollup } = (await import("rollup")) as typeof import("rollup");
  const id = "\0module";
  const bundle = await rollup({
    input: id,
    treeshake: false,
    external: ["smoltcp"],
    onwarn() {},
    plugins: [{ name: "module", resolveId: (x: string) => (x === id ? id : null), load: (x: string) => (x === id ? moduleCode : null) }],
  });
  const { output } = await bundle.generate({ format: "iife", name, globals: { smoltcp: "__smoltcp" } });
  await bundle.close();
  return output[0].code;
}

/**
 * A firmware module as mcconfig gets it (`firmware/rollup.config.mjs`'s outputs,
 * firmware/dist/enc28j60.js and main.js, importing the core as "smoltcp"), built in memory.
 */
async function firmwareModule(which: "enc28j60" | "main"): Promise<string> {
  const { rollup } = (await import("rollup")) as typeof import("rollup");
  const cfg = (await import(pathToFileURL(path.join(root, "firmware", "rollup.config.mjs")).href)) as { default: { input: string; plugins: unknown[] }[] };
  const c = cfg.default[which === "enc28j60" ? 0 : 1];
  const bundle = await rollup({ input: c.input, plugins: c.plugins as never, onwarn() {} });
  const { output } = await bundle.generate({ format: "es" });
  await bundle.close();
  return output[0].code;
}

/** The chip emulator (test code, never preloaded) as a script putting its exports in `__emu`. */
async function emulatorScript(): Promise<string> {
  const { rollup } = (await import("rollup")) as typeof import("rollup");
  const entry = fileURLToPath(new URL("../../drivers/enc28j60/emulator/index.js", import.meta.url));
  const bundle = await rollup({ input: entry, onwarn() {} });
  const { output } = await bundle.generate({ format: "iife", name: "__emu" });
  await bundle.close();
  return output[0].code;
}

/** Evaluates `expr` (a JSON string expression) and parses its value. */
async function json(w: XsWorker, expr: string): Promise<Record<string, unknown>> {
  const { reply } = await w.evaluate(`globalThis.__out = ${expr}; new TextEncoder().encode(globalThis.__out).buffer`);
  return JSON.parse(reply.toString("utf8")) as Record<string, unknown>;
}

/** Loads `script` (exports in global `name`) under the preload emulation; returns the worker and what the preload saw. */
async function preload(script: string, name: string): Promise<{ w: XsWorker; seen: Record<string, unknown> }> {
  const w = new XsWorker("smoltcp-preload");
  try {
    await w.evaluate(PRELOAD_BEGIN);
    await w.evaluate(script);
    const seen = await json(w, preloadEnd(name).trim().replace(/;$/, ""));
    return { w, seen };
  } catch (e) {
    await w.close();
    throw e;
  }
}

/**
 * The application, run after the preload: an Interface over a Loopback, UDP datagrams between
 * two sockets over each IP version the bundle has, a TCP connection moving 64 KiB and closing.
 */
const APP = String.raw`(function () {
  "use strict";
  const S = globalThis.__smoltcp;
  const out = { udp: [], tcp: [], steps: 0 };
  const lb = new S.Loopback(32, 1514);
  const iface = new S.Interface(S.EthernetAddress.parse("02-00-00-00-00-01"), new S.Config());
  const hosts = [];
  if (S.PROTO_IPV4) { iface.addIpv4Address(new S.Ipv4Cidr(S.ipv4Parse("127.0.0.1"), 8)); hosts.push("127.0.0.1"); }
  if (S.PROTO_IPV6) { iface.addIpv6Address(new S.Ipv6Cidr(S.Ipv6Address.parse("fdaa::1"), 64)); hosts.push("[fdaa::1]"); }
  const sockets = new S.SocketSet(8);
  let now = (0x7fffffff - 2000) | 0;
  const run = (ms, done, app) => {
    for (let t = 0; t < ms; t++) {
      if (app) app();
      iface.poll(now, lb, sockets);
      if (app) app();
      out.steps++;
      if (done()) return true;
      now = (now + 1) | 0;
    }
    return done();
  };
  const buf = new Uint8Array(4096);
  if (typeof S.UdpSocket === "function") {
    const a = new S.UdpSocket(4, 2048, 4, 2048);
    const b = new S.UdpSocket(4, 2048, 4, 2048);
    a.bind(7000);
    b.bind(7001);
    sockets.add(a);
    sockets.add(b);
    const msg = new Uint8Array(300);
    for (let i = 0; i < 300; i++) msg[i] = (i * 13) & 255;
    for (const h of hosts) {
      a.sendSlice(msg, 0, 300, S.IpEndpoint.parse(h + ":7001"));
      run(2000, () => b.recvQueue() > 0);
      const n = b.recvSlice(buf, 0, buf.length);
      let same = n === 300;
      for (let i = 0; same && i < 300; i++) same = buf[i] === msg[i];
      out.udp.push(h + (same ? " ok" : " FAIL " + n));
    }
  }
  if (typeof S.TcpSocket === "function") {
    const N = 65536;
    const data = new Uint8Array(N);
    for (let i = 0; i < N; i++) data[i] = (i * 7 + (i >> 8)) & 255;
    const got = new Uint8Array(N);
    for (const h of hosts) {
      const server = new S.TcpSocket(8192, 8192);
      const client = new S.TcpSocket(8192, 8192);
      sockets.add(server);
      sockets.add(client);
      server.listen(1234);
      client.connect(iface, S.IpEndpoint.parse(h + ":1234"));
      let sent = 0, recvd = 0, closed = false;
      const ok = run(60000, () => recvd === N && closed && !client.isOpen, () => {
        if (sent < N && client.canSend) sent += client.send(data, sent, N - sent);
        if (sent === N && client.maySend && !closed) { client.close(); closed = true; }
        for (let n; (n = server.recv(got, recvd, N - recvd)) > 0;) recvd += n;
        if (server.isActive && server.recvQueue === 0 && !server.mayRecv && server.maySend) server.close();
      });
      let same = recvd === N;
      for (let i = 0; same && i < N; i++) same = got[i] === data[i];
      out.tcp.push(h + (ok && same ? " ok" : " FAIL sent " + sent + " received " + recvd + " same " + same));
      run(20000, () => !server.isOpen);
    }
  }
  return JSON.stringify(out);
})()`;

/**
 * After the stack and the driver were preloaded: two emulated chips joined by their wire, a
 * driver and an interface on each (polled from the INT callback, as the firmware does), a ping
 * and a TCP connection moving 64 KiB, checked octet by octet.
 */
const DRIVER_APP = String.raw`(function () {
  "use strict";
  const S = globalThis.__smoltcp, Enc28j60 = globalThis.__enc28j60.Enc28j60, M = globalThis.__emu;
  let now = (0x7fffffff - 2000) | 0;
  const chipA = new M.Enc28j60Chip(), chipB = new M.Enc28j60Chip();
  chipA.attach(chipB);
  const station = (chip, mac, v4) => {
    const iface = new S.Interface(S.EthernetAddress.parse(mac));
    iface.addIpv4Address(new S.Ipv4Cidr(S.ipv4Parse(v4), 24));
    const sockets = new S.SocketSet(4);
    const driver = new Enc28j60({
      spi: { io: M.EmulatedSpi, chip, clock: 14, in: 12, out: 13, port: 1, select: 5, hz: 8000000 },
      interrupt: { io: M.EmulatedDigital, chip, pin: 33 },
      macAddress: S.EthernetAddress.parse(mac),
      delay: (ms) => chip.advance(ms),
      onInterrupt() { iface.poll(now, this, sockets); },
    });
    return { chip, iface, sockets, driver };
  };
  const a = station(chipA, "02-00-00-00-00-0a", "192.168.69.1");
  const b = station(chipB, "02-00-00-00-00-0b", "192.168.69.2");
  const run = (ms, done, app) => {
    const end = (now + ms) | 0;
    while (((now - end) | 0) < 0) {
      if (app) app();
      a.iface.poll(now, a.driver, a.sockets);
      b.iface.poll(now, b.driver, b.sockets);
      for (let i = 0; i < 10 && chipA.dispatchInterrupts() + chipB.dispatchInterrupts() > 0; i++);
      if (app) app();
      if (done()) return true;
      now = (now + 1) | 0;
    }
    return done();
  };
  const out = {};
  const icmp = new S.IcmpSocket(4, 1024, 4, 1024);
  icmp.bindIdent(0x1234);
  a.sockets.add(icmp);
  const data = new Uint8Array(56);
  for (let i = 0; i < 56; i++) data[i] = i;
  icmp.sendEchoRequest(S.IpAddress.parse("192.168.69.2"), 0x1234, 1, data, 0, 56);
  const buf = new Uint8Array(1024);
  out.ping = run(3000, () => icmp.recvQueue() > 0) && icmp.recvSlice(buf, 0, 1024) === 64 && buf[0] === 0 ? "ok" : "FAIL";
  const N = 65536;
  const sent = new Uint8Array(N), got = new Uint8Array(N);
  for (let i = 0; i < N; i++) sent[i] = (i * 7 + (i >> 8)) & 255;
  const server = new S.TcpSocket(8192, 8192), client = new S.TcpSocket(8192, 8192);
  b.sockets.add(server);
  a.sockets.add(client);
  server.listen(6970);
  client.connect(a.iface, S.IpEndpoint.parse("192.168.69.2:6970"));
  let nSent = 0, nGot = 0;
  const ok = run(60000, () => nGot === N, () => {
    if (nSent < N && client.canSend) nSent += client.send(sent, nSent, N - nSent);
    for (let n; (n = server.recv(got, nGot, N - nGot)) > 0;) nGot += n;
  });
  let same = ok;
  for (let i = 0; same && i < N; i++) same = got[i] === sent[i];
  out.tcp = same ? "ok" : "FAIL " + nGot;
  out.interrupts = a.driver.stats.interrupts + b.driver.stats.interrupts;
  out.frames = a.driver.stats.rxFrames + b.driver.stats.rxFrames;
  return JSON.stringify(out);
})()`;

/** API misuse must throw the stack's own error class after the preload (not a TypeError). */
const ERRORS = String.raw`(function () {
  "use strict";
  const S = globalThis.__smoltcp;
  const out = [];
  const probe = (what, fn, cls) => {
    try { fn(); out.push(what + ": no error"); }
    catch (e) { out.push(what + ": " + (e instanceof S[cls] ? "ok" : String(e))); }
  };
  const sock = () => (S.UdpSocket ? new S.UdpSocket(1, 64, 1, 64) : new S.TcpSocket(64, 64));
  probe("SocketSet.add beyond capacity", () => { const s = new S.SocketSet(1); s.add(sock()); s.add(sock()); }, "SocketError");
  probe("EthernetAddress.parse(\"nonsense\")", () => S.EthernetAddress.parse("nonsense"), "AddressParseError");
  probe("Loopback.transmitCommit without a reservation", () => new S.Loopback(4, 1514).transmitCommit(10), "DeviceUsageError");
  return JSON.stringify(out);
})()`;

const SETS = ["full", "ipv4-tcp", "ipv4-udp", "ipv6-tcp"];
const skip = xsnapWorker() === null ? "the xsnap worker binary is missing" : null;

if (skip) {
  test.skip(`XS preload (${skip})`, () => undefined);
} else {
  for (const set of SETS) {
    test(`smoltcp-${set} survives preload: top level frozen, then an Interface, a Loopback and sockets exchange UDP and TCP`, async () => {
      const { code, from } = await bundleCode(set);
      assert.not.match(code, /^(let|var) /m, "a module-level let/var: a mutable binding after preload");
      const { w, seen } = await preload(await asScript(code, "__smoltcp"), "__smoltcp");
      try {
        const counts = seen.counts as Record<string, number>;
        assert.is(counts.Map + counts.Set + counts.WeakMap + counts.WeakSet + counts.buffers, 0, "built-ins made at module top level: " + JSON.stringify(counts));
        const out = await json(w, APP);
        const udp = out.udp as string[];
        const tcp = out.tcp as string[];
        for (const line of [...udp, ...tcp]) assert.match(line, / ok$/, line);
        if (set !== "ipv4-tcp" && set !== "ipv6-tcp") assert.ok(udp.length >= 1, "UDP ran");
        if (set !== "ipv4-udp") assert.ok(tcp.length >= 1, "TCP ran");
        const check = await json(w, PRELOAD_CHECK.trim().replace(/;$/, ""));
        assert.equal(check.written, [], "preloaded buffers written");
        const gz = gzipSync(code, { level: 9 }).length;
        const ts = (await import("typescript")).default;
        const bare = ts.transpileModule(code, { compilerOptions: { removeComments: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } }).outputText;
        console.log(
          `# smoltcp-${set} (${from}): ${seen.exports} exports, ${seen.frozen} objects frozen; UDP ${udp.join(", ") || "-"}; TCP ${tcp.join(", ") || "-"}; ` +
            `${Buffer.byteLength(code)} octets, ${Buffer.byteLength(bare)} without comments, gzip ${gz} / ${gzipSync(bare, { level: 9 }).length}`,
        );
      } finally {
        await w.close();
      }
    });
  }

  test("after preload, the stack's errors are thrown as themselves (Error.prototype is frozen: `this.name = ...` would throw)", async () => {
    const { code } = await bundleCode("full");
    const { w } = await preload(await asScript(code, "__smoltcp"), "__smoltcp");
    try {
      const { reply } = await w.evaluate(`new TextEncoder().encode(${ERRORS}).buffer`);
      const lines = JSON.parse(reply.toString("utf8")) as string[];
      for (const l of lines) assert.match(l, /: ok$/, l);
    } finally {
      await w.close();
    }
  });

  test("the ENC28J60 driver module survives preload with the stack (as the manifests preload both): two emulated chips back to back carry a ping and 64 KiB of TCP", async () => {
    const core = await bundleCode("full");
    const driver = await firmwareModule("enc28j60");
    assert.match(driver, /from ["']smoltcp["']/, "the driver imports the core as \"smoltcp\"");
    assert.not.match(driver, /^(let|var) /m, "a module-level let/var: a mutable binding after preload");
    const w = new XsWorker("smoltcp-preload");
    try {
      await w.evaluate(PRELOAD_BEGIN);
      await w.evaluate(await asScript(core.code, "__smoltcp"));
      await w.evaluate(await asScriptOnSmoltcp(driver, "__enc28j60"));
      await w.evaluate(`globalThis.__preloaded = { smoltcp: globalThis.__smoltcp, enc28j60: globalThis.__enc28j60 };`);
      const seen = await json(w, preloadEnd("__preloaded").trim().replace(/;$/, ""));
      const counts = seen.counts as Record<string, number>;
      assert.is(counts.Map + counts.Set + counts.WeakMap + counts.WeakSet + counts.buffers, 0, "built-ins made at module top level: " + JSON.stringify(counts));
      await w.evaluate(await emulatorScript());
      const out = await json(w, DRIVER_APP);
      const sizes: string[] = [];
      const ts = (await import("typescript")).default;
      for (const [name, code] of [["enc28j60", driver], ["main", await firmwareModule("main")]]) {
        const bare = ts.transpileModule(code, { compilerOptions: { removeComments: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } }).outputText;
        sizes.push(`${name}: ${Buffer.byteLength(code)} octets, ${Buffer.byteLength(bare)} without comments, gzip ${gzipSync(bare, { level: 9 }).length}`);
      }
      console.log(`# enc28j60 under preload: ${JSON.stringify(out)}; ${sizes.join("; ")}`);
      assert.is(out.ping, "ok");
      assert.is(out.tcp, "ok");
      assert.ok((out.interrupts as number) > 0, "driven by the INT pin");
      const check = await json(w, PRELOAD_CHECK.trim().replace(/;$/, ""));
      assert.equal(check.written, [], "preloaded buffers written");
    } finally {
      await w.close();
    }
  });

  const BAD: [string, string, string][] = [
    ["a top-level Map written later", `const cache = new Map(); export function remember(k, v) { cache.set(k, v); return cache.size; }`, `__bad.remember(1, 2)`],
    ["a top-level typed array written later", `const scratch = new Uint8Array(16); export function fill(v) { scratch[0] = v; return scratch[0]; }`, `__bad.fill(7)`],
    ["a property assigned to an exported function", `export function counter() { counter.calls = (counter.calls || 0) + 1; return counter.calls; }`, `__bad.counter()`],
  ];
  for (const [what, module, call] of BAD) {
    test(`a module with ${what} fails under the same harness`, async () => {
      const { w } = await preload(await asScript(module, "__bad"), "__bad");
      try {
        let threw = "";
        try {
          await w.evaluate(`"use strict"; ${call};`);
        } catch (e) {
          threw = String((e as Error).message);
        }
        const check = await json(w, PRELOAD_CHECK.trim().replace(/;$/, ""));
        const written = check.written as unknown[];
        assert.ok(threw !== "" || written.length > 0, `${what}: neither threw nor was the write seen`);
        console.log(`# bad module (${what}): ${threw || "preloaded buffer written: " + JSON.stringify(written)}`);
      } finally {
        await w.close();
      }
    });
  }
}

test.run();
