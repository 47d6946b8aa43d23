// A minimal driver for the XS worker binary that `@agoric/xsnap` builds at install time.
//
// The package's own JavaScript API needs the SES lockdown in the calling process (it imports
// `@endo/errors`), which would freeze the intrinsics of our test runner. The protocol is small,
// so we speak it directly. The worker reads netstrings (`<length>:<bytes>,`) on fd 3 and writes
// netstrings on fd 4:
//   to the worker:   `e<code>`   evaluate a script and run its jobs to idle
//                    `?<bytes>`  deliver a command to the script's `handleCommand`
//                    `/<bytes>`  the answer to a query the script made with `issueCommand`
//                    `q`         quit
//   from the worker: `.<meter JSON>\x01<reply>`  done; meters: compute, allocate, currentHeapCount
//                    `!<message>`                an exception escaped
//                    `?<bytes>`                  the script called `issueCommand(bytes)`

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** Path of the XS worker binary, or null when `@agoric/xsnap` did not build it. */
export function xsnapWorkerPath() {
  let pkg;
  try {
    pkg = path.dirname(require.resolve("@agoric/xsnap/package.json"));
  } catch {
    return null;
  }
  const platform = { linux: "lin", darwin: "mac" }[process.platform];
  if (!platform) return null;
  const bin = path.join(pkg, "xsnap-native", "xsnap", "build", "bin", platform, "release", "xsnap-worker");
  return fs.existsSync(bin) ? bin : null;
}

/**
 * Starts a worker. `onCommand(bytes: Uint8Array): Uint8Array | undefined` answers the script's
 * `issueCommand` calls. Returns `{ evaluate(code), close() }`; `evaluate` resolves with
 * `{ reply: Uint8Array, meter: { compute, allocate, currentHeapCount } }`.
 */
export function startXsnap({ name = "smoltcp-ts", onCommand = () => undefined } = {}) {
  const bin = xsnapWorkerPath();
  if (!bin) throw new Error("the XS worker binary of @agoric/xsnap is missing (did its install step run? see package.json allowScripts)");
  const child = spawn(bin, [name], { stdio: ["ignore", "inherit", "inherit", "pipe", "pipe"] });
  const toWorker = child.stdio[3];
  const fromWorker = child.stdio[4];
  let pending = null; // { resolve, reject }
  let exited = null;
  let buf = Buffer.alloc(0);

  child.on("exit", (code, signal) => {
    exited = `XS worker exited (code ${code}, signal ${signal})`;
    if (pending) pending.reject(new Error(exited));
    pending = null;
  });

  function send(bytes) {
    toWorker.write(Buffer.concat([Buffer.from(`${bytes.length}:`), bytes, Buffer.from(",")]));
  }

  function onMessage(msg) {
    const kind = msg[0];
    if (kind === 0x3f /* ? */) {
      let answer;
      try {
        answer = onCommand(msg.subarray(1));
      } catch (e) {
        answer = undefined;
      }
      send(Buffer.concat([Buffer.from("/"), Buffer.from(answer ?? new Uint8Array(0))]));
      return;
    }
    const p = pending;
    pending = null;
    if (!p) return;
    if (kind === 0x2e /* . */) {
      const sep = msg.indexOf(1, 1);
      const meter = sep >= 0 ? JSON.parse(msg.subarray(1, sep).toString("utf8")) : {};
      p.resolve({ reply: new Uint8Array(msg.subarray(sep >= 0 ? sep + 1 : 1)), meter });
    } else if (kind === 0x21 /* ! */) {
      p.reject(new Error("XS: " + msg.subarray(1).toString("utf8")));
    } else {
      p.reject(new Error("XS worker protocol error: " + msg.subarray(0, 40).toString("utf8")));
    }
  }

  fromWorker.on("data", (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      const colon = buf.indexOf(0x3a);
      if (colon < 0) return;
      const len = +buf.subarray(0, colon).toString("ascii");
      if (buf.length < colon + 1 + len + 1) return;
      const msg = buf.subarray(colon + 1, colon + 1 + len);
      buf = buf.subarray(colon + 1 + len + 1);
      onMessage(Buffer.from(msg));
    }
  });

  let chain = Promise.resolve();
  function evaluate(code) {
    const run = () =>
      new Promise((resolve, reject) => {
        if (exited) return reject(new Error(exited));
        pending = { resolve, reject };
        send(Buffer.concat([Buffer.from("e"), Buffer.from(code, "utf8")]));
      });
    const p = chain.then(run);
    chain = p.catch(() => undefined);
    return p;
  }

  async function close() {
    await chain;
    if (exited) return;
    const done = new Promise((r) => child.once("exit", r));
    send(Buffer.from("q"));
    toWorker.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
    await done;
    clearTimeout(timer);
  }

  return { evaluate, close };
}
