/**
 * Starts Gatehouse in a bench server process the way `npm start` runs it: `createDoor()`
 * from dist/ (BENCH_GATEHOUSE_FROM=src, or nothing built: src/ through tsx), with the config
 * given as YAML and read by the real loader, so every default a user gets applies.
 */

import { existsSync } from "node:fs";

const ROOT = new URL("../../", import.meta.url);

function gatehouseModule(path: string): string {
  const fromSrc =
    process.env.BENCH_GATEHOUSE_FROM === "src" || !existsSync(new URL("dist/index.js", ROOT));
  return new URL(fromSrc ? `src/${path}.ts` : `dist/${path}.js`, ROOT).href;
}

/** Loads `yaml` (as if from the file `file`), listens, and returns the port. */
export async function startGatehouse(yaml: string, file: string): Promise<number> {
  const config: typeof import("../../src/door/config/index.js") = await import(
    gatehouseModule("door/config/index")
  );
  const server: typeof import("../../src/door/server.js") = await import(
    gatehouseModule("door/server")
  );
  const checked = config.checkConfigText(yaml, { file });
  if (!checked.ok) {
    throw new Error(`${file}: ${checked.problems.map((p) => `${p.path}: ${p.why}`).join("; ")}`);
  }
  const address = await server.createDoor(checked.config).listen();
  return address.port;
}
