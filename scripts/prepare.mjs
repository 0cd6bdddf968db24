#!/usr/bin/env node
// `prepare`: npm runs it after `npm install` in a clone (and before `npm pack`). A clone with its
// devDependencies gets dist/ built, so `npm start` and `npx gatehouse` work; an install without
// them (`npm install --omit=dev`) has no TypeScript to build with, so this says so and succeeds.
// `npm pack` and `npm publish` build in `prepack`, which fails loudly without TypeScript.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const command = process.env.npm_command;
if (command === "pack" || command === "publish") process.exit(0);

try {
  createRequire(import.meta.url).resolve("typescript/package.json");
} catch {
  console.error("prepare: TypeScript is not installed (--omit=dev?): dist/ is not built");
  process.exit(0);
}
const npm = process.env.npm_execpath;
const result =
  npm === undefined
    ? spawnSync("npm", ["run", "build"], { stdio: "inherit" })
    : spawnSync(process.execPath, [npm, "run", "build"], { stdio: "inherit" });
process.exit(result.status ?? 1);
