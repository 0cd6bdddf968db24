/**
 * `npm run bench`: Gatehouse's decide() (through its node adapter) against cors, @fastify/cors
 * and hono/cors on the same requests, in one run. Each library is timed in its own worker
 * process (worker.ts), pinned to one CPU; this process only schedules them, pools the samples,
 * checks the goals and writes the "Engine micro-benchmark" section of docs/benchmarks.md.
 *
 * BENCH_SMOKE=1: one tiny pass, nothing written (CI). BENCH_PASSES=n: passes (default 3).
 * BENCH_GATEHOUSE_FROM=dist|src: which Gatehouse to load (default dist/ when built).
 * BENCH_NO_PIN=1: do not pin workers with taskset.
 * BENCH_ONLY=engine|proxy: run one of the two suites (each still writes its own section).
 */

import { spawn, spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { writeSection } from "./docs.js";
import { evaluateGoals } from "./goals.js";
import { defaultGatehouseSource, type GatehouseSource } from "./libraries/gatehouse.js";
import { GROUPS, type Group } from "./libraries/index.js";
import { type MeasuredRow, parseWorkerReport, type VariantInfo } from "./protocol.js";
import { runProxySuite } from "./proxy/run.js";
import { type RunContext, renderSection } from "./report.js";
import { aggregate, ResultTable } from "./stats.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const WORKER = "bench/worker.ts";
const DOC = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));
const SMOKE = process.env.BENCH_SMOKE === "1";
const NODE_ARGS = ["--expose-gc", "--import", "tsx", WORKER];

/** `taskset -c 1` when it exists and there is a CPU 1: keeps a worker off the scheduler's bounce. */
function pinning(): string[] {
  if (process.env.BENCH_NO_PIN === "1" || process.platform !== "linux") return [];
  if (os.cpus().length < 2) return [];
  const probe = spawnSync("taskset", ["-c", "1", "true"], { stdio: "ignore" });
  return probe.status === 0 ? ["taskset", "-c", "1"] : [];
}

function gatehouseSource(): GatehouseSource {
  const fromEnv = process.env.BENCH_GATEHOUSE_FROM;
  return fromEnv === "dist" || fromEnv === "src" ? fromEnv : defaultGatehouseSource();
}

/** What the benchmark loads from dist/: the engine, and the node adapter. */
const MEASURED = ["index.ts", "adapters/node.ts", "adapters/policy-input.ts"];

/** Measured src/ files edited after dist/ was built: the figures would not be theirs. */
function staleDistFiles(): string[] {
  const core = readdirSync(`${ROOT}src/core`, { recursive: true, encoding: "utf8" });
  return [...MEASURED, ...core.map((file) => `core/${file}`)]
    .filter((file) => file.endsWith(".ts"))
    .filter((file) => {
      const built = `${ROOT}dist/${file.replace(/\.ts$/, ".js")}`;
      try {
        return statSync(`${ROOT}src/${file}`).mtimeMs > statSync(built).mtimeMs;
      } catch {
        return true;
      }
    });
}

interface WorkerOutput {
  readonly variants: readonly VariantInfo[];
  readonly rows: readonly MeasuredRow[];
}

function runWorker(
  pin: readonly string[],
  group: Group,
  pass: number,
  source: GatehouseSource,
): Promise<WorkerOutput> {
  const [command, ...args] = [...pin, process.execPath, ...NODE_ARGS, group, String(pass)];
  return new Promise((resolve, reject) => {
    const child = spawn(command as string, args, {
      cwd: ROOT,
      env: { ...process.env, BENCH_GATEHOUSE_FROM: source },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`the ${group} worker exited with ${code}`));
        return;
      }
      try {
        resolve(parseWorkerReport(out.trim().split("\n").pop() ?? ""));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Rotates the worker order each pass, so that no library always runs first or last. */
function orderFor(pass: number): Group[] {
  const k = pass % GROUPS.length;
  return [...GROUPS.slice(k), ...GROUPS.slice(0, k)];
}

async function main(): Promise<void> {
  const started = performance.now();
  const pin = pinning();
  const source = gatehouseSource();
  const passes = SMOKE ? 1 : Math.max(1, Number(process.env.BENCH_PASSES ?? 3) || 3);

  let sourceNote: string = source === "dist" ? "dist/ (compiled by tsc)" : "src/ through tsx";
  if (source === "dist") {
    const stale = staleDistFiles();
    if (stale.length > 0) {
      sourceNote += `; src/ changed since the build (${stale.join(", ")}): run \`npm run build\` first`;
      process.stderr.write(`bench: warning: dist/ is older than ${stale.join(", ")}\n`);
    }
  }

  const rows: MeasuredRow[] = [];
  const variants = new Map<string, VariantInfo>();
  for (let pass = 0; pass < passes; pass++) {
    for (const group of orderFor(pass)) {
      const t0 = performance.now();
      const output = await runWorker(pin, group, pass, source);
      rows.push(...output.rows);
      for (const v of output.variants) variants.set(v.id, v);
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      process.stderr.write(`bench: pass ${pass + 1}/${passes} ${group} done in ${seconds} s\n`);
    }
  }

  const results = new ResultTable(aggregate(rows));
  const goals = evaluateGoals(results);
  const cpus = os.cpus();
  const context: RunContext = {
    smoke: SMOKE,
    date: new Date().toISOString(),
    cpu: cpus[0]?.model.trim() ?? "unknown CPU",
    cores: cpus.length,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    command: SMOKE ? "BENCH_SMOKE=1 npm run bench" : "npm run bench",
    workerCommand: `node ${NODE_ARGS.join(" ")} <library> <pass>`,
    pinned: pin.length === 0 ? null : pin.join(" "),
    passes,
    gatehouseSource: sourceNote,
    seconds: (performance.now() - started) / 1000,
  };
  const section = renderSection(context, results, [...variants.values()], goals);
  process.stdout.write(`${section}\n`);

  if (SMOKE) {
    process.stdout.write("bench: smoke run, docs/benchmarks.md left as it was\n");
  } else {
    writeSection(DOC, section);
    process.stdout.write(`bench: wrote ${DOC}\n`);
  }
}

const only = process.env.BENCH_ONLY;
(only === "proxy" ? Promise.resolve() : main())
  // The proxy suite (bench/proxy/): whole servers under load, after the engine suite.
  .then(() => (only === "engine" ? undefined : runProxySuite({ smoke: SMOKE })))
  .catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
