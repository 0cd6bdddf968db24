/**
 * The proxy suite: whole servers under load. `node --import tsx bench/proxy/run.ts` on its
 * own, or after the engine suite from `npm run bench`. wrk is pinned to CPU 0 (with the
 * upstream), every server to CPU 1; each workload is warmed up, then timed in ROUNDS rounds
 * with the target order rotated each round. CPU per request comes from /proc/<pid>/stat of the
 * server's process tree; a round in which something outside used the server core is retried.
 *
 * BENCH_SMOKE=1: each workload once for ~1 s against Gatehouse and one peer; nothing written.
 * BENCH_PROXY_SECONDS=n: seconds per timed run (default 4). BENCH_PROXY_ROUNDS=n (default 3).
 * BENCH_PROXY_ONLY=id,id: only these workloads (for development; the docs are not written).
 */

import { writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { coreBusySeconds, sampleCores, treeCpuSeconds } from "./cpu.js";
import { autocannonArgs, type LatencyResult, runAutocannon } from "./latency.js";
import { hasBinary, runWrk, wrkArgs, wrkScript } from "./load.js";
import { runMemorySuite } from "./memory/index.js";
import { type Pins, pins } from "./pins.js";
import {
  type LatencySection,
  type ProxyContext,
  renderProxySection,
  type Sample,
  writeProxySection,
} from "./report.js";
import { runStreamsSuite } from "./streams/index.js";
import type { SuiteOptions, SuiteResult } from "./suite.js";
import { killAll, type Running, startNginx, startNode, TARGETS, tempDir } from "./targets.js";
import {
  type Answer,
  PROXY_WORKLOADS,
  type ProxyWorkload,
  SMOKE_PEER,
  STATIC_FILES,
} from "./workloads.js";

const DOC = fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));
const SVG = fileURLToPath(new URL("../../docs/benchmarks-proxy.svg", import.meta.url));

/** Outside load on the server core above this share of the run: the round is run again. */
const OUTSIDE_LIMIT = 0.25;
const MAX_RETRIES = 2;
/** Retries allowed over the whole suite, so that a busy machine cannot stretch it unbounded. */
const RETRY_BUDGET = 4;

function log(message: string): void {
  process.stderr.write(`bench proxy: ${message}\n`);
}

async function answer(url: string, w: ProxyWorkload): Promise<Answer> {
  const r = await request(`${url}${w.request.path}`, {
    method: w.request.method,
    headers: w.request.headers,
    body: w.request.bodyBytes > 0 ? Buffer.alloc(w.request.bodyBytes, "x") : null,
    headersTimeout: 5_000,
    bodyTimeout: 5_000,
  });
  return { status: r.statusCode, headers: r.headers, body: await r.body.text() };
}

async function startTarget(id: string, pin: Pins, upstream: string): Promise<Running> {
  switch (id) {
    case "nginx":
      return startNginx(pin.server, upstream);
    case "direct":
      return startNode("upstream", pin.server, null, "direct");
    case "gatehouse":
    case "gatehouse-before":
    case "floor":
    case "fastify-proxy":
      return startNode(id, pin.server, upstream);
    default:
      return startNode(id, pin.server, null);
  }
}

/** The sub-suites with servers and clients of their own, run after the wrk workloads. */
const SUB_SUITES: readonly (readonly [string, (o: SuiteOptions) => Promise<SuiteResult>])[] = [
  ["streams", runStreamsSuite],
  ["memory", runMemorySuite],
];

/** The fixed request rate for the latency runs: well under every Node door's capacity here. */
const LATENCY_RATE = 2_000;
const LATENCY_CONNECTIONS = 20;

/** autocannon -R against the proxied GET's targets, rounds rotated. */
async function fixedRateLatency(
  w: ProxyWorkload,
  running: ReadonlyMap<string, Running>,
  pin: Pins,
  seconds: number,
  rounds: number,
  smoke: boolean,
): Promise<LatencySection> {
  const results: LatencyResult[] = [];
  const targets = w.targets;
  for (let round = 0; round < rounds; round++) {
    const k = round % targets.length;
    for (const target of [...targets.slice(k), ...targets.slice(0, k)]) {
      const server = running.get(target) as Running;
      results.push(
        await runAutocannon(
          {
            pin: pin.load,
            url: `${server.url}${w.request.path}`,
            rate: smoke ? 500 : LATENCY_RATE,
            connections: LATENCY_CONNECTIONS,
            seconds,
          },
          target,
          round,
        ),
      );
    }
    const line = results
      .filter((r) => r.round === round)
      .map((r) => `${r.target} p50 ${r.p50} p99 ${r.p99} ms`)
      .join(", ");
    log(`latency round ${round + 1}/${rounds}: ${line}`);
  }
  return {
    workload: w,
    rate: smoke ? 500 : LATENCY_RATE,
    connections: LATENCY_CONNECTIONS,
    seconds,
    command: autocannonArgs({
      pin: pin.load,
      url: `http://127.0.0.1:<port>${w.request.path}`,
      rate: smoke ? 500 : LATENCY_RATE,
      connections: LATENCY_CONNECTIONS,
      seconds,
    })
      .join(" ")
      .replace(process.execPath, "node")
      .replace(/\S*node_modules\//, "node_modules/"),
    results,
  };
}

export interface ProxySuiteOptions {
  readonly smoke: boolean;
}

export async function runProxySuite(options: ProxySuiteOptions): Promise<void> {
  const started = performance.now();
  const { smoke } = options;
  const pin = pins();
  if (!hasBinary("wrk")) {
    log("wrk is not installed (apt-get install wrk): proxy suite skipped");
    return;
  }
  const seconds = smoke ? 1 : Math.max(1, Number(process.env.BENCH_PROXY_SECONDS ?? 4) || 4);
  const rounds = smoke ? 1 : Math.max(1, Number(process.env.BENCH_PROXY_ROUNDS ?? 3) || 3);
  const warmSeconds = smoke ? 0 : 2;
  const notes: string[] = [];
  let budget = RETRY_BUDGET;

  const only = process.env.BENCH_PROXY_ONLY?.split(",").filter((id) => id !== "") ?? [];
  const chosen = PROXY_WORKLOADS.filter((w) => only.length === 0 || only.includes(w.id));
  const workloads = chosen.map((w) => {
    let targets = smoke
      ? w.targets.filter((t) => t === "gatehouse" || t === SMOKE_PEER[w.id])
      : w.targets;
    targets = targets.filter((t) => {
      // The earlier build is measured only when one is named.
      if (t === "gatehouse-before" && process.env.BENCH_GATEHOUSE_BEFORE === undefined)
        return false;
      const binary = TARGETS[t]?.binary;
      if (binary === undefined || hasBinary(binary)) return true;
      const note = `${binary} is not installed: ${TARGETS[t]?.label} skipped`;
      if (!notes.includes(note)) {
        notes.push(note);
        log(note);
      }
      return false;
    });
    return { ...w, targets };
  });

  try {
    const staticDir = tempDir("gatehouse-bench-static-");
    for (const f of STATIC_FILES) {
      writeFileSync(join(staticDir, f.name), Buffer.alloc(f.bytes, "/* static */\n"));
    }
    // Inherited by the servers started below (Gatehouse's /static/ route and sirv).
    process.env.BENCH_STATIC_DIR = staticDir;
    const upstream = await startNode("upstream", pin.load, null);

    const samples: Sample[] = [];
    let latency: LatencySection | null = null;
    for (const w of workloads) {
      // Fresh servers for every workload: each target starts from the same state (no JIT or
      // heap carried over from another workload's load), and idle peers of other workloads do
      // not share the server core. Every answer is checked before anything is timed.
      const running = new Map<string, Running>();
      for (const id of w.targets) running.set(id, await startTarget(id, pin, upstream.url));
      for (const t of w.targets) {
        const server = running.get(t) as Running;
        const problem = w.check(await answer(server.url, w), t);
        if (problem !== null) throw new Error(`${t} answers ${w.id} wrongly: ${problem}`);
      }
      log(`${w.id}: started ${w.targets.join(", ")}`);
      const script = wrkScript(w.id, w.request);
      const run = async (target: string, secs: number) => {
        const server = running.get(target) as Running;
        const cores0 = sampleCores();
        const cpu0 = treeCpuSeconds(server.pid);
        const result = await runWrk({
          pin: pin.load,
          url: server.url,
          script,
          seconds: secs,
          connections: w.connections,
        });
        const cpu = treeCpuSeconds(server.pid) - cpu0;
        const busy = pin.server.length > 0 ? coreBusySeconds(cores0, sampleCores(), 1) : cpu;
        return { result, cpu, outside: Math.max(0, busy - cpu) / result.seconds };
      };
      for (const t of w.targets) if (warmSeconds > 0) await run(t, warmSeconds);
      const roundsHere = smoke ? rounds : rounds + (w.extraRounds ?? 0);
      for (let round = 0; round < roundsHere; round++) {
        const k = round % w.targets.length;
        const order = [...w.targets.slice(k), ...w.targets.slice(0, k)];
        for (let retries = 0; ; retries++) {
          const batch: Sample[] = [];
          let disturbed = 0;
          for (const target of order) {
            const { result, cpu, outside } = await run(target, seconds);
            disturbed = Math.max(disturbed, outside);
            batch.push({
              workload: w.id,
              target,
              round,
              rps: result.rps,
              requests: result.requests,
              cpuUsPerRequest: (cpu * 1e6) / Math.max(1, result.requests),
              outside,
              errors: result.non2xx + result.socketErrors,
              retries,
            });
          }
          if (disturbed <= OUTSIDE_LIMIT || retries >= MAX_RETRIES || budget <= 0 || smoke) {
            if (disturbed > OUTSIDE_LIMIT) {
              notes.push(
                `${w.id} round ${round + 1}: outside load ${(disturbed * 100).toFixed(0)}% of the server core after ${retries} retries; kept`,
              );
            }
            samples.push(...batch);
            break;
          }
          budget--;
          log(
            `${w.id} round ${round + 1}: outside load ${(disturbed * 100).toFixed(0)}%, retrying`,
          );
        }
        const line = samples
          .filter((s) => s.workload === w.id && s.round === round)
          .map((s) => `${s.target} ${Math.round(s.rps)}/s ${s.cpuUsPerRequest.toFixed(1)}us`)
          .join(", ");
        log(`${w.id} round ${round + 1}/${roundsHere}: ${line}`);
      }
      // The fixed-rate latency runs use the proxied GET's servers, warm from its rounds.
      if (w.id === "get-json")
        latency = await fixedRateLatency(w, running, pin, seconds, rounds, smoke);
      for (const server of running.values()) server.stop();
    }
    killAll();

    const suites: SuiteResult[] = [];
    for (const [name, suite] of SUB_SUITES) {
      if (only.length > 0 && !only.includes(name)) continue;
      log(`${name}: starting`);
      suites.push(await suite({ smoke }));
    }

    const cpus = os.cpus();
    const context: ProxyContext = {
      smoke,
      date: new Date().toISOString(),
      cpu: cpus[0]?.model.trim() ?? "unknown CPU",
      cores: cpus.length,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      rounds,
      seconds,
      warmSeconds,
      loadPin: pin.load.join(" ") || null,
      serverPin: pin.server.join(" ") || null,
      wrkCommand: wrkArgs({
        pin: pin.load,
        url: "http://127.0.0.1:<port>",
        script: "<workload>.lua",
        seconds,
        connections: 0,
      })
        .join(" ")
        .replace("-c0", `-c<${[...new Set(workloads.map((w) => w.connections))].join("|")}>`),
      notes,
      elapsed: (performance.now() - started) / 1000,
    };
    const workloadsRun = workloads.map((w) => ({ ...w }));
    const section = renderProxySection(context, workloadsRun, samples, latency, suites);
    process.stdout.write(`${section.markdown}\n`);
    if (smoke || only.length > 0)
      process.stdout.write("bench proxy: partial run, docs/benchmarks.md left as it was\n");
    else {
      writeProxySection(DOC, SVG, section);
      process.stdout.write(`bench proxy: wrote ${DOC} and ${SVG}\n`);
    }
  } finally {
    killAll();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  runProxySuite({ smoke: process.env.BENCH_SMOKE === "1" }).catch((error: unknown) => {
    process.stderr.write(
      `bench proxy: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    killAll();
    process.exitCode = 1;
  });
}
