// The CLI's command line: --help, and a bad option or address printing one line and the usage
// and exiting 2. Needs no root, no device and no shim (arguments are checked before anything
// is opened).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { CLI } from "../support/netns.js";

function run(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 20000 });
}

test("--help of every command exits 0 with its usage", () => {
  for (const c of ["server", "client", "ping", "httpclient", "tcpdump", "benchmark"]) {
    const r = run([c, "--help"]);
    assert.is(r.status, 0, c + ": " + r.stderr);
    assert.match(r.stdout, new RegExp(`^usage: smoltcp-ts ${c} `));
    assert.match(r.stdout, /--drop-chance PCT/);
  }
  assert.is(run(["--help"]).status, 0);
});

test("a bad option, value or address: one line, the usage, exit status 2", () => {
  const cases: [string[], RegExp][] = [
    [["server", "tap0", "--bogus"], /^smoltcp-ts server: Unknown option '--bogus'/],
    [["server", "tap0", "--drop-chance", "101"], /^smoltcp-ts server: --drop-chance must be an integer from 0 to 100/],
    [["server", "tap0", "--log-level", "loud"], /^smoltcp-ts server: --log-level must be/],
    [["server", "tap0", "--ipv4", "192.168.69.1"], /^smoltcp-ts server: bad --ipv4/],
    [["server", "tap0", "--mac", "ff-ff-ff-ff-ff-ff"], /^smoltcp-ts server: --mac must be a unicast address/],
    [["ping", "tap0", "192.168.69"], /^smoltcp-ts ping: bad ADDRESS "192.168.69"/],
    [["ping", "tap0", "fdaa::1::2"], /^smoltcp-ts ping: bad ADDRESS/],
    [["ping", "tap0"], /^smoltcp-ts ping: ADDRESS is missing/],
    [["client", "tap0", "192.168.69.100", "70000"], /^smoltcp-ts client: PORT must be an integer from 1 to 65535/],
    [["httpclient", "tap0", "192.168.69.100", "ftp://x/"], /^smoltcp-ts httpclient: only http: URLs/],
    [["benchmark", "tap0", "sideways"], /^smoltcp-ts benchmark: the mode must be reader or writer/],
    [["frobnicate"], /^smoltcp-ts: unknown command "frobnicate"/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    assert.is(r.status, 2, args.join(" ") + ": " + r.stderr);
    const lines = r.stderr.split("\n");
    assert.match(lines[0], re, args.join(" ") + ": " + lines[0]);
    assert.match(lines[1], /^usage: smoltcp-ts/, args.join(" "));
  }
});

test("loopback runs the in-process example", () => {
  const r = run(["loopback", "--quiet", "--bytes", "10000"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /loopback: TCP 10000 of 10000 octets received intact/);
});

test.run();
