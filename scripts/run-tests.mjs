#!/usr/bin/env node
// Test runner: Node 20's `node --test` does not expand globs, so this finds every
// `*.test.ts` under test/ (recursively, sorted) and hands them to Node's test runner
// with tsx loaded.
//
//   node scripts/run-tests.mjs                      # every test file
//   node scripts/run-tests.mjs adapters             # only files whose path contains "adapters"
//   node scripts/run-tests.mjs core origin          # several filters: a file matching any runs
//   node scripts/run-tests.mjs --test-concurrency=1 # args starting with "--" go to node
//
// Flags are forwarded as-is, so give their values with "=" (`--test-name-pattern=foo`).
// Finding no test file is an error: a run that tests nothing must not pass.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const testDir = join(root, "test");

/** @param {string} dir @returns {string[]} */
function findTests(dir) {
  /** @type {string[]} */
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === "ENOENT") return out;
    throw err;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === "node_modules") continue;
      out.push(...findTests(full));
    } else if (entry.isFile() && entry.name.endsWith(".test.ts")) {
      out.push(full);
    }
  }
  return out;
}

const args = process.argv.slice(2);
const nodeFlags = args.filter((a) => a.startsWith("--"));
const filters = args.filter((a) => !a.startsWith("--"));

const all = findTests(testDir)
  .map((f) => relative(root, f).split(sep).join("/"))
  .sort();
const files = filters.length > 0 ? all.filter((f) => filters.some((s) => f.includes(s))) : all;

if (files.length === 0) {
  const why =
    all.length === 0
      ? "no *.test.ts files under test/"
      : `no test file matches ${filters.map((s) => JSON.stringify(s)).join(" or ")}`;
  console.error(`run-tests: ${why}; refusing to pass a run that tests nothing`);
  process.exit(1);
}

console.log(`run-tests: ${files.length} file(s) on Node ${process.version}`);

const child = spawn(
  process.execPath,
  // --test-force-exit: once every test has finished, exit even if a handle is still open
  // (say, a browser that never finished closing), instead of holding CI until its time limit.
  [
    "--import",
    "tsx",
    "--test",
    "--test-force-exit",
    "--test-reporter=spec",
    ...nodeFlags,
    ...files,
  ],
  { cwd: root, stdio: "inherit" },
);

for (const sig of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
  process.on(sig, () => child.kill(sig));
}

child.on("error", (err) => {
  console.error(`run-tests: could not start ${process.execPath}: ${err.message}`);
  process.exit(1);
});

child.on("exit", (code, signal) => {
  if (signal) {
    console.error(`run-tests: test process killed by ${signal}`);
    process.exit(1);
  }
  process.exit(code ?? 1);
});
