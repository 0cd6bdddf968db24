#!/usr/bin/env node
// Installs the real OpenClaw gateway (npm package `openclaw`, pinned) into .cache/openclaw for
// the end-to-end tests in test/e2e/openclaw, outside Gatehouse's own dependencies, and prints
// JSON on stdout: {"node24": <Node 24 binary>, "openclaw": <the openclaw bin script>,
// "version": <installed version>, "prefix": <install folder>}.
// Idempotent: an install already there with the pinned version is reused.
// Everything other than the final JSON goes to stderr.
//
// OpenClaw needs Node >= 24.16, so npm runs on the Node 24 binary from scripts/node24.mjs (its
// folder first on PATH): npm started by Node 20 resolves `openclaw` to an ancient 0.0.1.
// Install scripts are not run (--ignore-scripts): nothing is downloaded except through npm.
//
//   node scripts/openclaw.mjs                              # the pinned version
//   OPENCLAW_SPEC=2026.9.6 node scripts/openclaw.mjs      # another exact version
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PINNED = "2026.9.6";
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const prefix = join(root, ".cache", "openclaw");
const spec = process.env.OPENCLAW_SPEC || PINNED;

/** @param {string} msg @returns {never} */
function fail(msg) {
  console.error(`openclaw: ${msg}`);
  process.exit(1);
}

if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec)) fail(`OPENCLAW_SPEC=${spec} is not an exact version`);

// Node 24 first (its own script prints only the binary path on stdout).
const n = spawnSync(process.execPath, [join(root, "scripts", "node24.mjs")], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", 2],
});
if (n.status !== 0) fail(`scripts/node24.mjs failed (exit ${n.status})`);
const node24 = n.stdout.trim().split("\n").pop() ?? "";
if (!existsSync(node24)) fail(`scripts/node24.mjs printed ${node24}, which does not exist`);
const env = { ...process.env, PATH: `${dirname(node24)}:${process.env.PATH ?? ""}` };

const pkgDir = join(prefix, "node_modules", "openclaw");

/** @returns {{ version: string, bin: string } | null} */
function installed() {
  try {
    const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
    const rel = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.openclaw;
    if (typeof rel !== "string") return null;
    const bin = join(pkgDir, rel);
    if (!existsSync(bin)) return null;
    return { version: String(pkg.version), bin };
  } catch {
    return null;
  }
}

/** Runs `node24 <bin> --version` (HOME and TMPDIR inside the cache) and returns its output, or null. */
/** @param {string} bin */
function runs(bin) {
  const home = join(prefix, "home");
  mkdirSync(join(home, "tmp"), { recursive: true });
  const r = spawnSync(node24, [bin, "--version"], {
    encoding: "utf8",
    env: { ...env, HOME: home, TMPDIR: join(home, "tmp") },
    timeout: 120_000,
  });
  return r.status === 0 ? r.stdout.trim() : null;
}

let found = installed();
if (found?.version !== spec) {
  if (existsSync(prefix)) {
    console.error(`openclaw: replacing ${found?.version ?? "broken install"} in ${prefix}`);
    rmSync(prefix, { recursive: true, force: true });
  }
  mkdirSync(prefix, { recursive: true });
  // A package.json of its own, so npm never walks up into Gatehouse's.
  writeFileSync(
    join(prefix, "package.json"),
    `${JSON.stringify({ name: "gatehouse-openclaw-cache", private: true }, null, 2)}\n`,
  );
  console.error(`openclaw: npm install openclaw@${spec} into ${prefix} (npm on ${node24})`);
  const r = spawnSync(
    "npm",
    [
      "install",
      "--prefix",
      prefix,
      "--save-exact",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `openclaw@${spec}`,
    ],
    { stdio: ["ignore", 2, 2], env },
  );
  if (r.error) fail(`could not run npm: ${r.error.message}`);
  if (r.status !== 0) fail(`npm install openclaw@${spec} failed (exit ${r.status})`);
  found = installed();
  if (found?.version !== spec) fail(`installed ${found?.version ?? "nothing"}, not ${spec}`);
  console.error(`openclaw: installed ${found.version}`);
} else {
  console.error(`openclaw: using cached ${found.version}`);
}

const reported = runs(found.bin);
if (reported === null) fail(`${found.bin} --version does not run on ${node24}`);
console.error(`openclaw: --version says ${reported}`);

console.log(JSON.stringify({ node24, openclaw: found.bin, version: found.version, prefix }));
