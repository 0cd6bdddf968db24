#!/usr/bin/env node
// Installs a Node 24 binary from the npm registry (package node-linux-<arch>, which ships
// `bin/node`) into .cache/node24 and prints the absolute path of that binary on stdout.
// Idempotent: an install already there with the right major is reused.
// Everything other than the final path goes to stderr, so `$(node scripts/node24.mjs)` works.
//
//   node scripts/node24.mjs               # latest 24.x
//   NODE24_SPEC=24.21.0 node scripts/node24.mjs   # a pinned version (must be 24.x)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const MAJOR = 24;
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const prefix = join(root, ".cache", `node${MAJOR}`);
const spec = process.env.NODE24_SPEC || String(MAJOR);

if (process.platform !== "linux") fail(`only linux is supported, not ${process.platform}`);
const archs = { x64: "x64", arm64: "arm64" };
const arch = archs[/** @type {keyof typeof archs} */ (process.arch)];
if (!arch) fail(`no node-linux package for arch ${process.arch}`);
if (!spec.startsWith(`${MAJOR}`) || /^\d/.test(spec.slice(String(MAJOR).length))) {
  fail(`NODE24_SPEC=${spec} is not a ${MAJOR}.x version`);
}

const pkg = `node-linux-${arch}`;
const bin = join(prefix, "node_modules", pkg, "bin", "node");

/** @param {string} msg @returns {never} */
function fail(msg) {
  console.error(`node24: ${msg}`);
  process.exit(1);
}

/** @returns {string | null} the version the binary reports, if it runs */
function versionOf() {
  if (!existsSync(bin)) return null;
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** @param {string | null} v */
function fits(v) {
  if (!v?.startsWith(`v${MAJOR}.`)) return false;
  // A pinned full version must match exactly; a bare major or range accepts any 24.x.
  return /^\d+\.\d+\.\d+$/.test(spec) ? v === `v${spec}` : true;
}

let version = versionOf();
if (!fits(version)) {
  if (existsSync(prefix)) {
    console.error(`node24: replacing ${version ?? "broken install"} in ${prefix}`);
    rmSync(prefix, { recursive: true, force: true });
  }
  mkdirSync(prefix, { recursive: true });
  console.error(`node24: npm install ${pkg}@${spec} into ${prefix}`);
  const r = spawnSync(
    "npm",
    [
      "install",
      "--prefix",
      prefix,
      "--no-save",
      "--no-package-lock",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `${pkg}@${spec}`,
    ],
    { stdio: ["ignore", 2, 2] },
  );
  if (r.error) fail(`could not run npm: ${r.error.message}`);
  if (r.status !== 0) fail(`npm install ${pkg}@${spec} failed (exit ${r.status})`);
  version = versionOf();
  if (!fits(version)) fail(`installed ${bin} reports ${version ?? "nothing"}, not ${spec}`);
  console.error(`node24: installed ${version}`);
} else {
  console.error(`node24: using cached ${version}`);
}

console.log(bin);
