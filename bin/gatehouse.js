#!/usr/bin/env node
// The installed entry point: everything lives in the compiled CLI.
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/main.js", import.meta.url);
// Only a clone can lack dist/ (the package ships it): say how to build it.
if (!existsSync(entry)) {
  console.error(
    "gatehouse: dist/ is not built. In a clone, run `npm install` (with devDependencies) or `npm run build`.",
  );
  process.exit(1);
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
