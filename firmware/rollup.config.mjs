// Bundles for the Moddable build (`npx rollup -c firmware/rollup.config.mjs`, after `npm run build`
// has written dist/xs/smoltcp-full.js):
// - firmware/dist/enc28j60.js: the driver as an ES module importing the core from "smoltcp";
// - firmware/dist/main.js: the application, importing "smoltcp", "enc28j60" and the host
//   modules (embedded:io/spi, embedded:io/digital, timer, time, mc/config).
// The manifests list these files; mcconfig compiles them with xsc and preloads the driver.
import typescript from "@rollup/plugin-typescript";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = path.join(root, "src") + path.sep;
const driver = path.join(root, "drivers", "enc28j60") + path.sep;
const HOST = /^(embedded:|timer$|time$|mc\/config$)/;

/** Maps imports of the core to "smoltcp" and (for the app) of the driver to "enc28j60". */
function externals(mapDriver) {
  return {
    name: "smoltcp-externals",
    resolveId(id, importer) {
      if (HOST.test(id)) return { id, external: true };
      if (!importer || !id.startsWith(".")) return null;
      const abs = path.resolve(path.dirname(importer), id).replace(/\.js$/, ".ts");
      if (abs.startsWith(src)) return { id: "smoltcp", external: true };
      if (mapDriver && abs.startsWith(driver)) return { id: "enc28j60", external: true };
      return null;
    },
  };
}

const ts = () => typescript({ tsconfig: path.join(root, "firmware", "tsconfig.json"), noEmitOnError: false, compilerOptions: { noEmit: false, outDir: path.join(root, "firmware", "dist") } });

export default [
  { input: path.join(driver, "index.ts"), plugins: [externals(false), ts()], output: { file: path.join(root, "firmware", "dist", "enc28j60.js"), format: "es", sourcemap: true } },
  { input: path.join(root, "firmware", "main.ts"), plugins: [externals(true), ts()], output: { file: path.join(root, "firmware", "dist", "main.js"), format: "es", sourcemap: true } },
];
