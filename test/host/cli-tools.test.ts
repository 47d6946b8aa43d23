// The CLI's other examples against the Linux kernel, each in its own network namespace: `client`
// against `socat tcp4-listen`, `httpclient` against `python3 -m http.server`, `ping` against the
// kernel (IPv4 and IPv6), `tcpdump` on a veth, `benchmark reader` and `writer`; every capture
// they write decodes in tshark with no malformed frame and no bad checksum. Root and
// /dev/net/tun needed (skipped with a message otherwise). The benchmark moves 100 MB each way
// (about a second each here); SMOLTCP_TS_BENCH_SIZE overrides it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { announceSkip, EXPECTED_SKIP_REASONS, netnsSkipReason, sleep, tsharkProblems, withNetns } from "../support/netns.js";

const skip = netnsSkipReason(["ping", "socat", "python3", "tshark"]);
const BENCH_SIZE = Number(process.env.SMOLTCP_TS_BENCH_SIZE ?? 100 * 1000 * 1000);

function clean(file: string, minFrames: number): void {
  const t = tsharkProblems(file);
  assert.ok(t.frames >= minFrames, `${file}: ${t.frames} frames`);
  assert.equal(t.problems, [], t.problems.slice(0, 5).join("\n"));
}

if (skip !== null) {
  announceSkip("cli-tools", skip);
  test("cli-tools: skipped for an expected reason", () => {
    assert.ok(EXPECTED_SKIP_REASONS.some((r) => skip.startsWith(r)), skip);
  });
} else {
  test("client: stdin to a socat listener, the listener's answer to stdout", async () => {
    await withNetns(async (ns) => {
      ns.addTap();
      const input = randomBytes(200 * 1000);
      const inFile = ns.file("in.bin");
      const outFile = ns.file("out.bin");
      fs.writeFileSync(inFile, input);
      const pcap = ns.file("client.pcap");
      // The listener writes what it receives to a file and sends back a greeting.
      const listener = ns.spawn("socat", ["-T", "10", "TCP4-LISTEN:1234,reuseaddr", `SYSTEM:cat > ${outFile}; printf from-the-kernel`]);
      await sleep(300);
      const client = ns.cli(["client", "tap0", "192.168.69.100", "1234", "--pcap", pcap], { stdin: "pipe" });
      client.child.stdin!.end(input);
      const code = await client.exited;
      assert.is(code, 0, client.stderr);
      await listener.exited;
      assert.ok(Buffer.compare(fs.readFileSync(outFile), input) === 0, "the listener received something else");
      assert.is(client.stdout, "from-the-kernel");
      assert.match(client.stderr, /connected to 192\.168\.69\.100:1234 from 192\.168\.69\.2:/);
      clean(pcap, 100);
    });
  });

  test("httpclient: GET from python3 -m http.server, body compared", async () => {
    await withNetns(async (ns) => {
      ns.addTap();
      const www = ns.file("www");
      fs.mkdirSync(www);
      const body = randomBytes(50 * 1000);
      fs.writeFileSync(`${www}/file.bin`, body);
      const server = ns.spawn("python3", ["-m", "http.server", "8000", "--bind", "192.168.69.100", "--directory", www]);
      await server.waitFor(/Serving HTTP/, 10000).catch(() => sleep(1000));
      for (const [addr, host] of [["192.168.69.100", "192.168.69.100"], ["fdaa::100", "[fdaa::100]"]]) {
        if (addr.includes(":")) {
          // python's http.server binds one address; serve IPv6 too for the second round.
          const s6 = ns.spawn("python3", ["-m", "http.server", "8001", "--bind", "fdaa::100", "--directory", www]);
          await s6.waitFor(/Serving HTTP/, 10000).catch(() => sleep(1000));
        }
        const port = addr.includes(":") ? 8001 : 8000;
        const pcap = ns.file(`http-${port}.pcap`);
        const r = ns.exec(process.execPath, [(await import("../support/netns.js")).CLI, "httpclient", "tap0", addr, `http://${host}:${port}/file.bin`, "--pcap", pcap], false, { timeout: 30000 });
        assert.is(r.status, 0, r.stderr);
        const out = Buffer.from(r.stdout, "latin1");
        const split = out.indexOf("\r\n\r\n");
        assert.ok(split > 0, "no header end in " + out.subarray(0, 200).toString());
        assert.match(out.subarray(0, split).toString(), /^HTTP\/1\.[01] 200/);
        assert.ok(Buffer.compare(out.subarray(split + 4), body) === 0, `body differs (${out.length - split - 4} octets)`);
        clean(pcap, 50);
      }
    });
  });

  test("ping: the kernel answers over IPv4 and IPv6", async () => {
    await withNetns(async (ns) => {
      ns.addTap();
      const { CLI } = await import("../support/netns.js");
      for (const addr of ["192.168.69.100", "fdaa::100"]) {
        const pcap = ns.file(`ping-${addr.length}.pcap`);
        const r = ns.exec(process.execPath, [CLI, "ping", "tap0", addr, "--count", "3", "--interval", "0.2", "--timeout", "2", "--pcap", pcap], false, { timeout: 20000 });
        assert.is(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /3 packets transmitted, 3 received, 0% packet loss/);
        assert.match(r.stdout, new RegExp(`64 bytes from ${addr.replace(/\./g, "\\.")}: icmp_seq=2`));
        clean(pcap, 6);
      }
    });
  });

  test("tcpdump: prints the frames the kernel sends on a veth", async () => {
    await withNetns(async (ns) => {
      ns.addVeth();
      const pcap = ns.file("tcpdump.pcap");
      const dump = ns.cli(["tcpdump", "veth-s", "--count", "3", "--pcap", pcap]);
      await dump.waitFor(/listening on veth-s/);
      // ARP requests for an absent neighbor: the kernel sends them out of veth-k.
      ns.exec("ping", ["-c", "3", "-i", "0.3", "-W", "1", "192.168.69.7"], false);
      const code = await dump.exited;
      assert.is(code, 0, dump.stderr);
      assert.match(dump.stdout, /ARP request src=[0-9a-f-]+\/192\.168\.69\.100 tgt=00-00-00-00-00-00\/192\.168\.69\.7/);
      assert.match(dump.stderr, /tcpdump: 3 frames/);
      clean(pcap, 3);
    });
  });

  test(`benchmark reader and writer move ${BENCH_SIZE} octets and print the throughput`, async () => {
    await withNetns(async (ns) => {
      ns.addTap();
      const { CLI } = await import("../support/netns.js");
      for (const mode of ["reader", "writer"]) {
        const r = ns.exec(process.execPath, [CLI, "benchmark", "tap0", mode, "--size", String(BENCH_SIZE)], false, { timeout: 120000 });
        assert.is(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, new RegExp(`throughput: [0-9.]+ Gbps .*${BENCH_SIZE} octets`));
        console.log(`# benchmark ${mode}: ${r.stdout.trim()}`);
      }
    });
  });
}

test.run();
