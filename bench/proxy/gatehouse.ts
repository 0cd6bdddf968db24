/**
 * Starts Gatehouse in a bench server process the way `npm start` runs it: `createDoor()`
 * from dist/ (BENCH_GATEHOUSE_FROM=src, or nothing built: src/ through tsx), with the config
 * given as YAML and read by the real loader, so every default a user gets applies.
 *
 * `root` runs another checkout's dist/ instead (the `gatehouse-before` target: an earlier
 * commit, built, measured side by side with this one in the same run). Builds from before the
 * door's rename expose it as `gateway/server.js` `createGateway`.
 */

import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

const ROOT = new URL("../../", import.meta.url);

function gatehouseModule(path: string): string {
  const fromSrc =
    process.env.BENCH_GATEHOUSE_FROM === "src" || !existsSync(new URL("dist/index.js", ROOT));
  return new URL(fromSrc ? `src/${path}.ts` : `dist/${path}.js`, ROOT).href;
}

type ConfigModule = typeof import("../../src/door/config/index.js");
type DoorConfig = Parameters<typeof import("../../src/door/server.js").createDoor>[0];
type StartDoor = (config: DoorConfig) => { listen(): Promise<{ port: number }> };

/** Loads `yaml` (as if from the file `file`), listens, and returns the port. */
export async function startGatehouse(yaml: string, file: string, root?: string): Promise<number> {
  let config: ConfigModule;
  let create: StartDoor;
  if (root === undefined) {
    config = await import(gatehouseModule("door/config/index"));
    create = (await import(gatehouseModule("door/server"))).createDoor;
  } else {
    const dist = pathToFileURL(`${root.replace(/\/$/, "")}/dist/`);
    const folder = existsSync(new URL("door/server.js", dist)) ? "door" : "gateway";
    config = await import(new URL(`${folder}/config/index.js`, dist).href);
    const server = (await import(new URL(`${folder}/server.js`, dist).href)) as Record<
      string,
      unknown
    >;
    create = (server.createDoor ?? server.createGateway) as StartDoor;
  }
  const checked = config.checkConfigText(yaml, { file });
  if (!checked.ok) {
    throw new Error(`${file}: ${checked.problems.map((p) => `${p.path}: ${p.why}`).join("; ")}`);
  }
  const address = await create(checked.config).listen();
  return address.port;
}
