// A small stand-in for `uvu` and `uvu/assert` inside the XS engine.
//
// The XS runner (test/support/xs-runner.mjs) bundles the compiled core test files with rollup and
// resolves their `uvu` and `uvu/assert` imports to this file, so the very same test files run on
// Node (under the real uvu) and on XS. It implements the parts of uvu's API the suites use:
// `test(name, fn)`, `suite(name)`, `.run()`, `.skip`, `.only`, `.before/.after(.each)`, and the
// assertions of `uvu/assert` with uvu's semantics (`equal` is a deep equality that also compares
// typed arrays element by element).
//
// Nothing here runs on the packet path; it may allocate freely.

const queue = [];

class Assertion extends Error {
  constructor(opts) {
    super(opts.message);
    this.name = "Assertion";
    this.code = "ERR_ASSERTION";
    this.details = opts.details || false;
    this.generated = !!opts.generated;
    this.operator = opts.operator;
    this.expects = opts.expects;
    this.actual = opts.actual;
  }
}

function show(v) {
  try {
    if (ArrayBuffer.isView(v)) return v.constructor.name + "[" + Array.prototype.join.call(v, ",") + "]";
    if (typeof v === "string") return JSON.stringify(v);
    if (typeof v === "bigint") return v + "n";
    if (typeof v === "object" && v !== null) return JSON.stringify(v);
    return String(v);
  } catch {
    return String(v);
  }
}

function dequal(a, b) {
  if (a === b) return true;
  if (a !== a && b !== b) return true; // NaN
  if (a && b && typeof a === "object" && typeof b === "object") {
    if (a.constructor !== b.constructor) return false;
    if (ArrayBuffer.isView(a)) {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (!dequal(a[i], b[i])) return false;
      return true;
    }
    if (Array.isArray(a)) {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (!dequal(a[i], b[i])) return false;
      return true;
    }
    if (a instanceof Map) {
      if (a.size !== b.size) return false;
      for (const [k, v] of a) if (!b.has(k) || !dequal(v, b.get(k))) return false;
      return true;
    }
    if (a instanceof Set) {
      if (a.size !== b.size) return false;
      for (const k of a) if (!b.has(k)) return false;
      return true;
    }
    if (a instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof RegExp) return a.toString() === b.toString();
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !dequal(a[k], b[k])) return false;
    return true;
  }
  return false;
}

function assert(bool, actual, expects, operator, detailer, backup, msg) {
  if (bool) return;
  const message = msg || backup;
  if (msg instanceof Error) throw msg;
  const details = detailer ? detailer(actual, expects) : "";
  throw new Assertion({ actual, expects, operator, message, details, generated: !msg });
}

const diff = (a, e) => "actual:   " + show(a) + "\nexpected: " + show(e);

export function ok(val, msg) {
  assert(!!val, false, true, "ok", false, "Expected value to be truthy", msg);
}
export function is(val, exp, msg) {
  assert(Object.is(val, exp), val, exp, "is", diff, "Expected values to be strictly equal:", msg);
}
export function equal(val, exp, msg) {
  assert(dequal(val, exp), val, exp, "equal", diff, "Expected values to be deeply equal:", msg);
}
export function unreachable(msg) {
  assert(false, true, false, "unreachable", false, "Expected not to be reached!", msg);
}
export function type(val, exp, msg) {
  const tmp = typeof val;
  assert(tmp === exp, tmp, exp, "type", false, `Expected "${tmp}" to be "${exp}"`, msg);
}
export function instance(val, exp, msg) {
  const name = "`" + (exp.name || exp.constructor.name) + "`";
  assert(val instanceof exp, val, exp, "instance", false, `Expected value to be an instance of ${name}`, msg);
}
export function match(val, exp, msg) {
  if (typeof exp === "string") {
    assert(val.includes(exp), val, exp, "match", false, `Expected value to include "${exp}" substring`, msg);
  } else {
    assert(exp.test(val), val, exp, "match", false, `Expected value to match \`${String(exp)}\` pattern`, msg);
  }
}
export function snapshot(val, exp, msg) {
  assert(val === exp, val, exp, "snapshot", diff, "Expected value to match snapshot:", msg);
}
export function fixture(val, exp, msg) {
  assert(val === exp, val, exp, "fixture", diff, "Expected value to match fixture:", msg);
}
export function throws(blk, exp, msg) {
  if (!msg && typeof exp === "string") {
    msg = exp;
    exp = null;
  }
  try {
    blk();
    assert(false, false, true, "throws", false, "Expected function to throw", msg);
  } catch (err) {
    if (err instanceof Assertion) throw err;
    if (typeof exp === "function") {
      assert(exp(err), false, true, "throws", false, "Expected function to throw matching exception", msg);
    } else if (exp instanceof RegExp) {
      assert(exp.test(err.message), false, true, "throws", false, `Expected function to throw exception matching \`${String(exp)}\` pattern`, msg);
    }
  }
}
export function not(val, msg) {
  assert(!val, true, false, "not", false, "Expected value to be falsey", msg);
}
not.ok = not;
is.not = function (val, exp, msg) {
  assert(!Object.is(val, exp), val, exp, "is.not", false, "Expected values not to be strictly equal", msg);
};
not.equal = function (val, exp, msg) {
  assert(!dequal(val, exp), val, exp, "not.equal", false, "Expected values not to be deeply equal", msg);
};
not.type = function (val, exp, msg) {
  const tmp = typeof val;
  assert(tmp !== exp, tmp, exp, "not.type", false, `Expected "${tmp}" not to be "${exp}"`, msg);
};
not.instance = function (val, exp, msg) {
  assert(!(val instanceof exp), val, exp, "not.instance", false, "Expected value not to be an instance", msg);
};
not.snapshot = function (val, exp, msg) {
  assert(val !== exp, val, exp, "not.snapshot", false, "Expected value not to match snapshot", msg);
};
not.fixture = function (val, exp, msg) {
  assert(val !== exp, val, exp, "not.fixture", false, "Expected value not to match fixture", msg);
};
not.match = function (val, exp, msg) {
  const hit = typeof exp === "string" ? val.includes(exp) : exp.test(val);
  assert(!hit, val, exp, "not.match", false, "Expected value not to match", msg);
};
not.throws = function (blk, exp, msg) {
  try {
    blk();
  } catch (err) {
    assert(false, true, false, "not.throws", false, "Expected function not to throw: " + err, msg);
  }
};
export { Assertion };

// ---- test registration -------------------------------------------------------------------

function setup(name) {
  const ctx = { name, tests: [], only: [], before: [], after: [], bEach: [], aEach: [], skipped: 0 };
  const it = (title, fn) => ctx.tests.push({ name: title, handler: fn });
  it.only = (title, fn) => ctx.only.push({ name: title, handler: fn });
  it.skip = () => { ctx.skipped++; };
  it.before = (fn) => ctx.before.push(fn);
  it.after = (fn) => ctx.after.push(fn);
  it.before.each = (fn) => ctx.bEach.push(fn);
  it.after.each = (fn) => ctx.aEach.push(fn);
  // The default `test` context is shared by every file of the bundle, so `.run()` queues a
  // snapshot of what was registered so far and empties the context for the next file.
  it.run = () => {
    queue.push({
      ...ctx,
      tests: ctx.tests.splice(0),
      only: ctx.only.splice(0),
      before: ctx.before.splice(0),
      after: ctx.after.splice(0),
      bEach: ctx.bEach.splice(0),
      aEach: ctx.aEach.splice(0),
    });
    ctx.skipped = 0;
  };
  return it;
}

export const test = setup("");
export function suite(name = "") {
  return setup(name);
}

/**
 * Runs every suite that called `.run()`, in order. Reports through `report(obj)` and resolves
 * with the totals. The runner calls it as `globalThis.__uvuRunAll`.
 */
export async function runAll(report) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const ctx of queue) {
    const list = ctx.only.length ? ctx.only : ctx.tests;
    skipped += ctx.skipped;
    const state = {};
    try {
      for (const h of ctx.before) await h(state);
    } catch (e) {
      failed += list.length;
      report({ kind: "fail", suite: ctx.name, test: "(before hook)", message: String(e && e.message), details: String((e && e.details) || "") });
      continue;
    }
    for (const t of list) {
      try {
        for (const h of ctx.bEach) await h(state);
        await t.handler(state);
        for (const h of ctx.aEach) await h(state);
        passed++;
      } catch (e) {
        failed++;
        report({
          kind: "fail",
          suite: ctx.name,
          test: t.name,
          message: String(e && e.message),
          details: String((e && e.details) || (e && e.stack) || ""),
        });
      }
    }
    for (const h of ctx.after) {
      try { await h(state); } catch { /* reported through the tests */ }
    }
  }
  queue.length = 0;
  return { passed, failed, skipped };
}
