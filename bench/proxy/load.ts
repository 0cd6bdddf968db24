/**
 * Load generators, pinned to their own core: wrk (Debian's build) for throughput. Each run is
 * bounded by wrk's own duration and a hard kill a few seconds after it.
 */

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { track } from "./targets.js";

export function hasBinary(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

export interface WrkRequest {
  readonly method: "GET" | "POST" | "OPTIONS";
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Body size in bytes (filled with 'x'), 0 for none. */
  readonly bodyBytes: number;
}

export interface WrkResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly non2xx: number;
  readonly socketErrors: number;
}

let scriptDir: string | null = null;

/** A wrk Lua script that sends `request` on every call. */
export function wrkScript(id: string, request: WrkRequest): string {
  scriptDir ??= mkdtempSync(join(tmpdir(), "gatehouse-bench-wrk-"));
  const headers = Object.entries(request.headers)
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join("\n");
  const body = request.bodyBytes > 0 ? `wrk.body = string.rep("x", ${request.bodyBytes})` : "";
  const file = join(scriptDir, `${id}.lua`);
  writeFileSync(
    file,
    `wrk.method = ${JSON.stringify(request.method)}\nwrk.path = ${JSON.stringify(request.path)}\n${headers}\n${body}\n`,
  );
  return file;
}

export function parseWrk(output: string): WrkResult {
  const done = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(output);
  if (done === null) throw new Error(`could not read wrk's output:\n${output}`);
  const unit = { us: 1e-6, ms: 1e-3, s: 1, m: 60 }[done[3] as "s"];
  const requests = Number(done[1]);
  const seconds = Number(done[2]) * unit;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  const socketErrors = errors === null ? 0 : errors.slice(1).reduce((a, b) => a + Number(b), 0);
  return { requests, seconds, rps: requests / seconds, non2xx, socketErrors };
}

export interface WrkOptions {
  readonly pin: readonly string[];
  readonly url: string;
  readonly script: string;
  readonly seconds: number;
  readonly connections: number;
}

export function wrkArgs(o: WrkOptions): string[] {
  return [
    ...o.pin,
    "wrk",
    "-t1",
    `-c${o.connections}`,
    `-d${o.seconds}s`,
    "--timeout",
    "5s",
    "-s",
    o.script,
    o.url,
  ];
}

/**
 * Runs a load generator (`argv`, pinned by its prefix) to completion, tracked so that killAll()
 * ends it, and killed if it outlives `limitSeconds`. Resolves with stdout and stderr; rejects
 * on a non-zero exit with what it printed.
 */
export function runBounded(
  argv: readonly string[],
  limitSeconds: number,
): Promise<{ stdout: string; stderr: string }> {
  const [command, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(command as string, args, {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const untrack = track(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    const guard = setTimeout(() => child.kill("SIGKILL"), limitSeconds * 1000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(guard);
      untrack();
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${command} exited with ${code}: ${stdout}${stderr}`));
    });
  });
}

export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  const { stdout, stderr } = await runBounded(wrkArgs(o), o.seconds + 10);
  return parseWrk(stdout + stderr);
}
