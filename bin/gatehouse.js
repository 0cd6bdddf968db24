#!/usr/bin/env node
// The installed entry point: everything lives in the compiled CLI (dist/, which the package
// ships). A clone that has not run `npm run build` has no dist/: there the sources run through
// tsx, a devDependency, so `npx gatehouse` and `npm start` work right after `npm install`.
import { existsSync } from "node:fs";

let entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  const source = new URL("../src/cli/main.ts", import.meta.url);
  let ready = false;
  if (existsSync(source)) {
    try {
      const { register } = await import("tsx/esm/api");
      register();
      ready = true;
    } catch {
      // tsx is not installed (npm install --omit=dev): fall through to the message.
    }
  }
  if (!ready) {
    console.error(
      "gatehouse: dist/ is not built. In a clone, run `npm install` (with devDependencies) and `npm run build`.",
    );
    process.exit(1);
  }
  entry = source;
}
const { main } = await import(entry.href);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
