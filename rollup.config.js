// Bundles of the portable core (src/).
//
// - dist/node/index.js: the full core as one ES module for Node and bundlers.
// - dist/xs/smoltcp-<set>.js: ES modules for XS, one per feature set. Each is built from a
//   generated entry that re-exports only the modules of its features, with src/features.ts
//   rewritten so that `if (PROTO_IPV6)` and the like become dead code that rollup removes.
//
// `featureBundle(features)` is exported so that tests can build any subset in memory.

import typescript from "@rollup/plugin-typescript";

/** Every feature; the full bundle has all of them. */
export const ALL_FEATURES = ["proto-ipv4", "proto-ipv6", "socket-tcp", "socket-udp", "socket-raw", "socket-icmp", "log"];

/** The bundles written by `npm run build`, named after their feature sets. */
export const FEATURE_SETS = {
  full: ALL_FEATURES,
  "ipv4-tcp": ["proto-ipv4", "socket-tcp", "log"],
  "ipv4-udp": ["proto-ipv4", "socket-udp", "log"],
  "ipv6-tcp": ["proto-ipv6", "socket-tcp", "log"],
};

// Which public modules each feature brings in. Modules with no feature are always present.
const MODULES = [
  ["./src/time.ts", []],
  ["./src/features.ts", []],
  ["./src/wire/error.ts", []],
  ["./src/wire/view.ts", []],
  ["./src/wire/checksum.ts", []],
  ["./src/wire/ip.ts", []],
  ["./src/wire/ethernet.ts", []],
  ["./src/wire/arp.ts", ["proto-ipv4"]],
  ["./src/wire/ipv4.ts", ["proto-ipv4"]],
  ["./src/wire/icmpv4.ts", ["proto-ipv4"]],
  ["./src/wire/igmp.ts", ["proto-ipv4"]],
  ["./src/wire/ipv6.ts", ["proto-ipv6"]],
  ["./src/wire/ipv6-ext.ts", ["proto-ipv6"]],
  ["./src/wire/icmpv6.ts", ["proto-ipv6"]],
  ["./src/wire/ndisc.ts", ["proto-ipv6"]],
  ["./src/wire/udp.ts", ["socket-udp"]],
  ["./src/wire/tcp.ts", ["socket-tcp"]],
  ["./src/wire/pretty.ts", []],
  ["./src/storage/index.ts", []],
  ["./src/wire/ip-repr.ts", []],
  ["./src/config.ts", []],
  ["./src/log.ts", []],
  ["./src/phy/index.ts", []],
  ["./src/socket/error.ts", []],
  ["./src/socket/meta.ts", []],
  ["./src/socket/set.ts", []],
  ["./src/socket/udp.ts", ["socket-udp"]],
  ["./src/socket/icmp.ts", ["socket-icmp"]],
  ["./src/socket/raw.ts", ["socket-raw"]],
  ["./src/socket/tcp/seq.ts", ["socket-tcp"]],
  ["./src/socket/tcp/isn.ts", ["socket-tcp"]],
  ["./src/socket/tcp/ports.ts", ["socket-tcp"]],
  ["./src/socket/tcp/rtt.ts", ["socket-tcp"]],
  ["./src/socket/tcp/timer.ts", ["socket-tcp"]],
  ["./src/socket/tcp/context.ts", ["socket-tcp"]],
  ["./src/socket/tcp/send.ts", ["socket-tcp"]],
  ["./src/socket/tcp/recv.ts", ["socket-tcp"]],
  ["./src/socket/tcp/socket.ts", ["socket-tcp"]],
  ["./src/iface/index.ts", []],
];

const SWITCHES = {
  PROTO_IPV4: "proto-ipv4",
  PROTO_IPV6: "proto-ipv6",
  SOCKET_TCP: "socket-tcp",
  SOCKET_UDP: "socket-udp",
  SOCKET_RAW: "socket-raw",
  SOCKET_ICMP: "socket-icmp",
  LOG: "log",
  VERBOSE: "verbose",
};

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

const root = dirname(fileURLToPath(import.meta.url));
const ENTRY = "\0smoltcp-entry";

/** A rollup plugin: the generated entry, and src/features.ts rewritten for `features`. */
function features(list) {
  const on = new Set(list);
  const featuresFile = resolve(root, "src/features.ts");
  return {
    name: "smoltcp-features",
    resolveId(id) {
      return id === ENTRY ? ENTRY : null;
    },
    load(id) {
      if (id !== ENTRY) return null;
      const lines = [];
      for (const [file, needs] of MODULES) {
        if (!existsSync(resolve(root, file))) continue;
        if (needs.length && !needs.some((f) => on.has(f))) continue;
        lines.push(`export * from ${JSON.stringify(resolve(root, file))};`);
      }
      return lines.join("\n") + "\n";
    },
    // Runs after the TypeScript plugin, on the compiled JavaScript of src/features.ts.
    transform(code, id) {
      if (resolve(id) !== featuresFile) return null;
      let out = code;
      for (const [name, feature] of Object.entries(SWITCHES)) {
        out = out.replace(new RegExp(`(export const ${name} = )(true|false)`), `$1${on.has(feature)}`);
      }
      return { code: out, map: null };
    },
  };
}

/** Rollup input options for a bundle of the core with the given features. */
export function featureBundle(list) {
  return {
    input: ENTRY,
    treeshake: { moduleSideEffects: false },
    plugins: [
      typescript({ tsconfig: resolve(root, "tsconfig.json"), declaration: false, declarationDir: undefined, outDir: undefined, noEmitOnError: true }),
      features(list),
    ],
  };
}

export default [
  { ...featureBundle(ALL_FEATURES), output: { file: "dist/node/index.js", format: "es", sourcemap: true } },
  ...Object.entries(FEATURE_SETS).map(([name, list]) => ({
    ...featureBundle(list),
    output: { file: `dist/xs/smoltcp-${name}.js`, format: "es" },
  })),
];
