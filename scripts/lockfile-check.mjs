#!/usr/bin/env node
// Compares the committed package-lock.json with the one `npm install` left behind.
//
//   node scripts/lockfile-check.mjs COMMITTED INSTALLED
//
// Exit 0 when they are the same, or when the only difference is optional packages built for
// other platforms (an `os`/`cpu` that excludes this machine) that the registry has started
// listing since the lockfile was written: npm records every platform's optional binary it can
// see (biome, esbuild), so a registry that adds one rewrites the file without changing a single
// package this machine installs. Anything else (a version, an integrity hash, a new or missing
// package that this platform would install) is drift: exit 1 with the entries that differ.
import { readFileSync } from "node:fs";

const [committedPath, installedPath] = process.argv.slice(2);
if (!committedPath || !installedPath) {
  console.error("usage: lockfile-check.mjs COMMITTED INSTALLED");
  process.exit(2);
}

/** @param {string} path */
function packagesOf(path) {
  const lock = JSON.parse(readFileSync(path, "utf8"));
  return /** @type {Record<string, Record<string, unknown>>} */ (lock.packages ?? {});
}

/** npm's own rule: a list excludes this platform when it names others but not this one. */
function excludes(list, value) {
  if (!Array.isArray(list) || list.length === 0) return false;
  const allowed = list.filter((v) => !String(v).startsWith("!"));
  if (list.includes(`!${value}`)) return true;
  return allowed.length > 0 && !allowed.includes(value);
}

/** An optional package that npm would never install on this machine. */
function foreignOptional(entry) {
  if (entry.optional !== true) return false;
  return excludes(entry.os, process.platform) || excludes(entry.cpu, process.arch);
}

const committed = packagesOf(committedPath);
const installed = packagesOf(installedPath);
const drift = [];
let ignored = 0;
for (const name of new Set([...Object.keys(committed), ...Object.keys(installed)])) {
  const before = committed[name];
  const after = installed[name];
  if (JSON.stringify(before) === JSON.stringify(after)) continue;
  const only = before ?? after;
  if ((!before || !after) && only && foreignOptional(only)) {
    ignored++;
    continue;
  }
  drift.push(`${before ? (after ? "changed" : "removed") : "added"}: ${name || "(root)"}`);
}

if (drift.length > 0) {
  console.error("package-lock.json drifted from package.json:");
  for (const line of drift) console.error(`  ${line}`);
  console.error("run npm install and commit package-lock.json");
  process.exit(1);
}
if (ignored > 0) {
  console.log(
    `package-lock.json: ${ignored} optional package(s) for other platforms differ (registry listing); nothing this machine installs changed`,
  );
}
