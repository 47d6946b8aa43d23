// `npm install` runs this (package.json "install"): it builds the Linux TAP / AF_PACKET shim
// (drivers/tap/tap.c) with node-gyp, and never fails the install. Where the shim cannot be
// built (not Linux, no C compiler, no Node headers) it prints one line and exits 0; the hosted
// devices then throw "the TAP shim is not built: <reason>" when used, and everything else works.
//
// node-gyp: the copy npm runs lifecycle scripts with (npm_config_node_gyp), else one on PATH.
// Node's headers: those installed next to the running node (<prefix>/include/node), so that no
// download is needed; node-gyp downloads them only when they are missing there.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const reasonFile = path.join(here, "build", "NOT-BUILT.txt");

function skip(reason) {
  try {
    fs.mkdirSync(path.dirname(reasonFile), { recursive: true });
    fs.writeFileSync(reasonFile, reason + "\n");
  } catch {
    // the reason is also printed; nothing else to do
  }
  console.log(`smoltcp-ts: the TAP shim (drivers/tap) is not built: ${reason}; the Linux TAP and raw-socket devices are unavailable, everything else works`);
  process.exit(0);
}

if (process.env.SMOLTCP_TS_SKIP_TAP) skip("SMOLTCP_TS_SKIP_TAP is set");
if (process.platform !== "linux") skip(`it needs Linux (this is ${process.platform})`);

let gyp = process.env.npm_config_node_gyp;
const args = [];
let command;
if (gyp && fs.existsSync(gyp)) {
  command = process.execPath;
  args.push(gyp);
} else {
  const npmGyp = path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
  if (fs.existsSync(npmGyp)) {
    command = process.execPath;
    args.push(npmGyp);
  } else {
    command = "node-gyp";
  }
}
args.push("rebuild");
const prefix = path.resolve(path.dirname(process.execPath), "..");
if (fs.existsSync(path.join(prefix, "include", "node", "node_api.h")) && fs.existsSync(path.join(prefix, "include", "node", "common.gypi"))) {
  args.push(`--nodedir=${prefix}`);
}

fs.rmSync(reasonFile, { force: true });
const r = spawnSync(command, args, { cwd: here, encoding: "utf8" });
if (r.error) skip(`could not run node-gyp (${r.error.message})`);
if (r.status !== 0) {
  const log = (r.stderr || "") + (r.stdout || "");
  const line =
    /not found: (make|cc|gcc|g\+\+|python3?)/i.exec(log)?.[0] ??
    /gyp ERR! stack Error: (.*)/.exec(log)?.[1] ??
    /error: (.*)/.exec(log)?.[1] ??
    `node-gyp exited with status ${r.status}`;
  try {
    fs.mkdirSync(path.join(here, "build"), { recursive: true });
    fs.writeFileSync(path.join(here, "build", "node-gyp.log"), log);
  } catch {
    // ignore
  }
  skip(`${line.trim()} (full log: drivers/tap/build/node-gyp.log)`);
}
console.log("smoltcp-ts: built the TAP shim: drivers/tap/build/Release/smoltcp_tap.node");
