/**
 * Moddable's preload, emulated on the desktop XS engine, for `test/host/xs-preload.test.ts`.
 *
 * What the Moddable linker (xsl) does to a preloaded module (research §C.5 and xsl's
 * `fxFreezeBuiltIns`): it runs the module body at build time; the objects it made go to flash;
 * instances of `ArrayBuffer`, the typed arrays, `DataView`, `Map`, `Set`, `WeakMap`, `WeakSet`
 * made then become immutable (writes throw); every built-in prototype (Object, Function,
 * Error and the other errors, Array, the typed arrays, Map, ...) and every function, class
 * constructors included, are frozen. The emulation, in one xsnap worker:
 *
 * 1. `PRELOAD_BEGIN`: the global constructors of those built-ins are replaced by subclasses that
 *    remember every instance made while "preloading" (so objects held only in a module's
 *    closure are caught too, not only what its exports reach);
 * 2. the module's script runs (its exports end up in a global);
 * 3. `preloadEnd(global)`: the constructors are restored; the remembered `Map`/`Set`/`WeakMap`/
 *    `WeakSet` instances throw a `TypeError` on any mutation from then on; the content of every
 *    remembered buffer is copied aside; the built-in prototypes are frozen as xsl does, and
 *    everything reachable from the exports is frozen deeply with xsnap's `harden`
 *    (functions, prototypes, static properties, the objects they reach);
 * 4. the application runs on the frozen module;
 * 5. `preloadCheck()` lists the remembered buffers whose content changed (a preloaded typed
 *    array or DataView cannot be written on the device: such a write throws there).
 *
 * Typed-array element writes cannot be trapped from JavaScript, hence the after-the-fact
 * comparison in step 5; everything else throws where the device would.
 */

/** Installs the instrumented constructors; evaluate before the module's script. */
export const PRELOAD_BEGIN = String.raw`
(function () {
  "use strict";
  const state = globalThis.__preloadState = {
    preloading: true,
    originals: {},
    collections: new WeakSet(),
    buffers: [],
    counts: { Map: 0, Set: 0, WeakMap: 0, WeakSet: 0, buffers: 0, emptyBuffers: 0 },
  };
  const OriginalWeakSet = WeakSet;
  state.collections = new OriginalWeakSet();
  const mutators = { Map: ["set", "delete", "clear"], Set: ["add", "delete", "clear"], WeakMap: ["set", "delete"], WeakSet: ["add", "delete"] };
  for (const name of Object.keys(mutators)) {
    const Base = globalThis[name];
    state.originals[name] = Base;
    const Preloaded = class extends Base {
      constructor(...args) {
        super(...args);
        if (state.preloading) {
          state.collections.add(this);
          state.counts[name]++;
        }
      }
    };
    for (const m of mutators[name]) {
      const method = Base.prototype[m];
      Object.defineProperty(Preloaded.prototype, m, {
        value: function (...args) {
          if (!state.preloading && state.collections.has(this)) throw new TypeError("preloaded " + name + " is read-only (" + m + ")");
          return method.apply(this, args);
        },
        writable: true,
        configurable: true,
      });
    }
    Object.defineProperty(Preloaded, "name", { value: name });
    globalThis[name] = Preloaded;
  }
  const buffers = ["ArrayBuffer", "DataView", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"];
  for (const name of buffers) {
    const Base = globalThis[name];
    if (typeof Base !== "function") continue;
    state.originals[name] = Base;
    const Preloaded = class extends Base {
      constructor(...args) {
        super(...args);
        if (state.preloading) {
          state.buffers.push(this);
          // A zero-length buffer or view has nothing to write: harmless in flash, counted apart.
          if (this.byteLength === 0) state.counts.emptyBuffers++;
          else state.counts.buffers++;
        }
      }
    };
    Object.defineProperty(Preloaded, "name", { value: name });
    globalThis[name] = Preloaded;
  }
})();
`;

/** Ends the preload phase; `exportsGlobal` names the global holding the module's exports. */
export function preloadEnd(exportsGlobal: string): string {
  return String.raw`
(function () {
  "use strict";
  const state = globalThis.__preloadState;
  state.preloading = false;
  for (const name of Object.keys(state.originals)) globalThis[name] = state.originals[name];
  const U8 = Uint8Array;
  state.snapshots = state.buffers.map((b) => {
    const bytes = b instanceof ArrayBuffer ? new U8(b) : new U8(b.buffer, b.byteOffset, b.byteLength);
    return { bytes, copy: bytes.slice() };
  });
  // xsl's fxFreezeBuiltIns: the namespace objects and every built-in prototype.
  const protos = [Object, Function, Array, ArrayBuffer, DataView, Date, Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
    Map, Set, WeakMap, WeakSet, Promise, RegExp, String, Number, Boolean, Symbol, BigInt, Int8Array, Uint8Array, Uint8ClampedArray,
    Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array,
    Object.getPrototypeOf(Uint8Array)];
  if (typeof AggregateError === "function") protos.push(AggregateError);
  if (typeof WeakRef === "function") protos.push(WeakRef);
  if (typeof FinalizationRegistry === "function") protos.push(FinalizationRegistry);
  for (const C of protos) if (C && C.prototype) Object.freeze(C.prototype);
  for (const o of [Math, JSON, Reflect, Atomics]) if (o) Object.freeze(o);
  for (const p of [Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())),
    Object.getPrototypeOf(new Map()[Symbol.iterator]()), Object.getPrototypeOf(new Set()[Symbol.iterator]()), Object.getPrototypeOf(""[Symbol.iterator]()),
    Object.getPrototypeOf(function* () {}), Object.getPrototypeOf(async function () {}), Array.prototype[Symbol.unscopables]]) Object.freeze(p);
  // Everything the exports reach: functions, prototypes, statics, objects.
  const ns = globalThis[${JSON.stringify(exportsGlobal)}];
  harden(ns);
  let frozen = 0;
  const seen = new WeakSet();
  const stack = [ns];
  while (stack.length) {
    const o = stack.pop();
    if (seen.has(o)) continue;
    seen.add(o);
    if (Object.isFrozen(o)) frozen++;
    for (const k of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, k);
      for (const v of [d.value, d.get, d.set]) if (v !== null && (typeof v === "object" || typeof v === "function")) stack.push(v);
    }
    const p = Object.getPrototypeOf(o);
    if (p) stack.push(p);
  }
  return JSON.stringify({ counts: state.counts, frozen, exports: Object.keys(ns).length });
})();
`;
}

/** Lists the preloaded buffers written after the preload (JSON: `{ written: [...] }`). */
export const PRELOAD_CHECK = String.raw`
(function () {
  "use strict";
  const state = globalThis.__preloadState;
  const written = [];
  state.snapshots.forEach((s, i) => {
    for (let j = 0; j < s.bytes.length; j++) {
      if (s.bytes[j] !== s.copy[j]) {
        written.push({ index: i, kind: Object.prototype.toString.call(state.buffers[i]), length: s.bytes.length, at: j });
        break;
      }
    }
  });
  return JSON.stringify({ written });
})();
`;
