/**
 * The memory sub-suite of the proxy benchmark: RSS of Gatehouse and of the node:http + undici
 * floor holding N idle SSE streams and N idle WebSockets, and whether it grows while they idle.
 *
 * Per round, four fresh servers (each target x each kind) are started pinned to the server core.
 * One after the other, each is warmed up, GC'd (baseline), given N connections (checked, and
 * counted at the upstream), GC'd again ("open"); then all four idle together for the hold with
 * their RSS read every few seconds, get a last GC ("end") and have their connections closed.
 *
 *   node --import tsx bench/proxy/memory/index.ts     (prints the markdown)
 *
 * BENCH_SMOKE=1: 100 connections, one round, a 4 s hold. BENCH_MEMORY_CONNECTIONS,
 * BENCH_MEMORY_ROUNDS and BENCH_MEMORY_HOLD (seconds) override the full run's 1,000 / 3 / 20.
 * BENCH_MEMORY_DEBUG=1 logs every settle reading.
 */

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { processTree, treeRssKiB } from "../cpu.js";
import { pins } from "../pins.js";
import { HOST, ORIGIN } from "../streams/protocol.js";
import type { SuiteOptions, SuiteResult } from "../suite.js";
import { killAll } from "../targets.js";
import { type Browser, type Connections, type Kind, openConnections } from "./clients.js";
import { type Memory, type MemServer, startServer } from "./procs.js";
import {
  type PhaseResult,
  type RunInfo,
  renderMemory,
  TARGET_IDS,
  type TargetId,
} from "./report.js";

const KINDS: readonly Kind[] = ["sse", "ws"];
/** The upstream's heartbeat period on each SSE stream. */
const HEARTBEAT_MS = 5_000;
/**
 * Flags of both measured servers. An idle V8 heap ends with its young generation at the 1 MiB
 * minimum, but after a burst V8 keeps it grown (up to 2 x 16 MiB) until a timer-driven check
 * finds the allocation rate low, which gc() does not hasten: readings then swing by 10-30 MiB
 * with timing. Capping it at the minimum gives the idle state at once; nothing else changes.
 */
const NODE_FLAGS = ["--max-semi-space-size=1"];

/**
 * How long a server is left alone after a burst (warm-up, opening) before its RSS is read: freed
 * pages go back to the system on timers, seconds after the burst. So: no GC for `firstGcMs`,
 * then one every second; from `minMs`, done when two readings 1 s apart agree within STABLE_KIB.
 */
interface SettlePlan {
  readonly firstGcMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}
const SETTLE: SettlePlan = { firstGcMs: 6_000, minMs: 7_000, maxMs: 14_000 };
/** The smoke run only shows that everything works. */
const SETTLE_SMOKE: SettlePlan = { firstGcMs: 500, minMs: 1_500, maxMs: 3_000 };
const STABLE_KIB = 256;
const COUNT_TIMEOUT_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function log(message: string): void {
  process.stderr.write(`bench memory: ${message}\n`);
}

function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

function fdLimit(): number {
  const out = spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).stdout.trim();
  return out === "unlimited" ? Number.POSITIVE_INFINITY : Number(out) || 1024;
}

type Counts = { sse: Record<string, number>; ws: Record<string, number> };

async function upstreamCounts(upstream: string): Promise<Counts> {
  const r = await request(`${upstream}/_count`, { headersTimeout: 5_000, bodyTimeout: 5_000 });
  return (await r.body.json()) as Counts;
}

/** Waits until the upstream holds exactly `want` connections of `kind` tagged `tag`. */
async function waitCount(
  upstream: string,
  kind: Kind,
  tag: string,
  want: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + COUNT_TIMEOUT_MS;
  for (;;) {
    const seen = (await upstreamCounts(upstream))[kind][tag] ?? 0;
    if (seen === want) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: the upstream holds ${seen} ${kind} connections, expected ${want} (after ${COUNT_TIMEOUT_MS / 1000} s)`,
      );
    }
    await sleep(100);
  }
}

/** Runs the functions given to it one at a time, in call order. */
function serial(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn);
    tail = run.catch(() => {});
    return run;
  };
}

interface Settled {
  readonly memory: Memory;
  readonly converged: boolean;
}

/** Waits for the server to settle after a burst that ended at `since` (see SettlePlan). */
async function settleAfter(server: MemServer, since: number, plan: SettlePlan): Promise<Settled> {
  await sleep(since + plan.firstGcMs - performance.now());
  let previous: Memory | null = null;
  for (;;) {
    const memory = await server.settle();
    const age = performance.now() - since;
    if (process.env.BENCH_MEMORY_DEBUG === "1")
      log(
        `  ${server.kind} ${server.pid} +${(age / 1000).toFixed(1)} s: rss ${(memory.rssKiB / 1024).toFixed(1)} heapTotal ${(memory.usage.heapTotal / 2 ** 20).toFixed(1)}`,
      );
    if (
      age >= plan.minMs &&
      previous !== null &&
      Math.abs(memory.rssKiB - previous.rssKiB) <= STABLE_KIB
    )
      return { memory, converged: true };
    if (age >= plan.maxMs) return { memory, converged: false };
    previous = memory;
    await sleep(1_000);
  }
}

interface Phase {
  readonly target: TargetId;
  readonly kind: Kind;
  readonly tag: string;
  server: MemServer | null;
  conns: Connections | null;
  baseline: Memory | null;
  rightAfterKiB: number;
  open: Memory | null;
  /** The last reading of the hold (after GC). */
  end: Memory | null;
  /** Highest RSS read without GC during the hold. */
  peakKiB: number;
  t0: number;
  /** Readings after GC: "open", then one per hold tick. */
  readonly samples: { t: number; rssKiB: number }[];
}

/** Least-squares slope of rss over t, KiB/s. */
function slope(samples: readonly { t: number; rssKiB: number }[]): number {
  if (samples.length < 2) return Number.NaN;
  const mt = samples.reduce((a, s) => a + s.t, 0) / samples.length;
  const mr = samples.reduce((a, s) => a + s.rssKiB, 0) / samples.length;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.t - mt) * (s.rssKiB - mr);
    den += (s.t - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export async function runMemorySuite(options: SuiteOptions): Promise<SuiteResult> {
  const started = performance.now();
  const { smoke } = options;
  const pin = pins();
  const n = smoke ? 100 : envInt("BENCH_MEMORY_CONNECTIONS", 1_000);
  const rounds = smoke ? 1 : envInt("BENCH_MEMORY_ROUNDS", 3);
  const holdS = smoke ? 4 : envInt("BENCH_MEMORY_HOLD", 20);
  const sampleS = smoke ? 2 : 5;
  const warm = Math.max(10, Math.round(n / 20));
  const plan = smoke ? SETTLE_SMOKE : SETTLE;
  const notes: string[] = [];

  // The browser on the door's own origin: Origin = publicOrigin, Host = its host (in `hosts`).
  // (Gatehouse runs with the streams suite's config: publicOrigin ORIGIN, so HOST is served.)
  const browser: Browser = { origin: ORIGIN, host: HOST };

  // This process holds every client socket of a round: 4 servers x (n + warm-up).
  const fds = fdLimit();
  const needFds = 4 * (n + warm) + 256;
  if (fds < needFds) {
    throw new Error(
      `ulimit -n is ${fds}; the memory suite needs about ${needFds} descriptors for ${n} connections per server (raise it with ulimit -n ${needFds})`,
    );
  }

  const results: PhaseResult[] = [];
  let treeSize = 0;
  const live = new Set<MemServer>();
  try {
    const upstream = await startServer("upstream", pin.load, null, {
      env: { MEMORY_HEARTBEAT_MS: String(HEARTBEAT_MS) },
    });
    live.add(upstream);
    const upstreamUrl = `http://127.0.0.1:${upstream.port}`;

    for (let round = 0; round < rounds; round++) {
      const order: readonly TargetId[] = round % 2 === 0 ? TARGET_IDS : [...TARGET_IDS].reverse();
      const phases: Phase[] = KINDS.flatMap((kind) =>
        order.map((target) => ({
          target,
          kind,
          tag: `${target}-${kind}-r${round}`,
          server: null,
          conns: null,
          baseline: null,
          rightAfterKiB: 0,
          open: null,
          end: null,
          peakKiB: 0,
          t0: 0,
          samples: [],
        })),
      );
      try {
        await Promise.all(
          phases.map(async (p) => {
            p.server = await startServer(p.target, pin.server, upstreamUrl, {
              nodeFlags: NODE_FLAGS,
            });
            live.add(p.server);
          }),
        );
        // Bursts (warm-up, opening) run one server at a time, in the round's order; each
        // server's quiet waits overlap the others' bursts.
        const burst = serial();
        await Promise.all(
          phases.map(async (p) => {
            const server = p.server as MemServer;
            const name = `${p.target} ${p.kind} round ${round + 1}`;
            const warmTag = `${p.tag}-warm`;
            await burst(async () => {
              const conns = await openConnections(p.kind, server.port, warmTag, warm, browser);
              await waitCount(upstreamUrl, p.kind, warmTag, warm, `${name} warm-up`);
              await conns.close();
              await waitCount(upstreamUrl, p.kind, warmTag, 0, `${name} warm-up close`);
            });
            const baseline = await settleAfter(server, performance.now(), plan);
            if (!baseline.converged)
              notes.push(`${name}: baseline still moving after ${plan.maxMs / 1000} s`);
            p.baseline = baseline.memory;
            await burst(async () => {
              p.conns = await openConnections(p.kind, server.port, p.tag, n, browser);
              await waitCount(upstreamUrl, p.kind, p.tag, n, name);
              p.rightAfterKiB = treeRssKiB(server.pid);
            });
            const open = await settleAfter(server, performance.now(), plan);
            if (!open.converged)
              notes.push(`${name}: "open" still moving after ${plan.maxMs / 1000} s`);
            p.open = open.memory;
            treeSize = Math.max(treeSize, processTree(server.pid).length);
            p.t0 = performance.now();
            p.samples.push({ t: 0, rssKiB: p.open.rssKiB });
            log(
              `${name}: baseline ${(p.baseline.rssKiB / 1024).toFixed(1)} MiB, ${n} open ${(p.open.rssKiB / 1024).toFixed(1)} MiB`,
            );
          }),
        );
        // The hold: every server idles with its connections; each tick reads RSS as it is,
        // then after a GC (growth is judged on those: garbage is not growth).
        const holdStart = performance.now();
        for (let k = 1; k * sampleS <= holdS; k++) {
          await sleep(holdStart + k * sampleS * 1000 - performance.now());
          for (const p of phases) {
            const server = p.server as MemServer;
            p.peakKiB = Math.max(p.peakKiB, treeRssKiB(server.pid));
            p.end = await server.settle();
            p.samples.push({ t: (performance.now() - p.t0) / 1000, rssKiB: p.end.rssKiB });
          }
        }
        for (const p of phases) {
          const name = `${p.target} ${p.kind} round ${round + 1}`;
          const conns = p.conns as Connections;
          const dropped = conns.dropped();
          if (dropped.count > 0)
            throw new Error(
              `${name}: ${dropped.count} connections dropped while idle: ${dropped.first}`,
            );
          await waitCount(upstreamUrl, p.kind, p.tag, n, `${name} after the hold`);
          const end = p.end ?? (p.open as Memory);
          const heldS = p.samples[p.samples.length - 1]?.t ?? 0;
          const beats = conns.heartbeats();
          // Every stream must have relayed heartbeats once the hold spans a full period.
          if (p.kind === "sse" && heldS * 1000 > HEARTBEAT_MS + 1_000 && (beats[0] ?? 0) < 1)
            throw new Error(`${name}: a stream received no heartbeat in ${heldS.toFixed(0)} s`);
          const base = p.baseline as Memory;
          const open = p.open as Memory;
          const perConn = (a: number, b: number) => (b - a) / n;
          results.push({
            round,
            target: p.target,
            kind: p.kind,
            baselineKiB: base.rssKiB,
            rightAfterKiB: p.rightAfterKiB,
            openKiB: open.rssKiB,
            endKiB: end.rssKiB,
            peakKiB: p.peakKiB,
            perConnKiB: perConn(base.rssKiB, open.rssKiB),
            growthKiB: end.rssKiB - open.rssKiB,
            heapTotalGrowthKiB: (end.usage.heapTotal - open.usage.heapTotal) / 1024,
            slopeKiBps: slope(p.samples),
            heldS,
            heartbeats: beats.reduce((a, b) => a + b, 0),
            perConnBytes: {
              rss: perConn(base.usage.rss, open.usage.rss),
              heapTotal: perConn(base.usage.heapTotal, open.usage.heapTotal),
              heapUsed: perConn(base.usage.heapUsed, open.usage.heapUsed),
              external: perConn(base.usage.external, open.usage.external),
              arrayBuffers: perConn(base.usage.arrayBuffers, open.usage.arrayBuffers),
            },
          });
        }
        for (const p of phases) {
          const name = `${p.target} ${p.kind} round ${round + 1}`;
          await (p.conns as Connections).close();
          p.conns = null;
          await waitCount(upstreamUrl, p.kind, p.tag, 0, `${name} close`);
        }
        log(
          `round ${round + 1}/${rounds}: ${results
            .filter((r) => r.round === round)
            .map(
              (r) =>
                `${r.target} ${r.kind} ${r.perConnKiB.toFixed(1)} KiB/conn, ${(r.growthKiB / 1024).toFixed(2)} MiB growth`,
            )
            .join("; ")}`,
        );
      } finally {
        for (const p of phases) {
          if (p.conns !== null) await p.conns.close().catch(() => {});
          if (p.server !== null) {
            p.server.stop();
            live.delete(p.server);
          }
        }
      }
    }
  } finally {
    for (const server of live) server.stop();
  }

  if (fds < 65_536) notes.push(`ulimit -n is ${fds} (enough: about ${needFds} needed)`);
  const info: RunInfo = {
    smoke,
    n,
    rounds,
    holdS,
    sampleS,
    warm,
    heartbeatS: HEARTBEAT_MS / 1000,
    settle: plan,
    stableKiB: STABLE_KIB,
    treeSize,
    nodeFlags: NODE_FLAGS,
    browser,
    loadPin: pin.load.join(" ") || null,
    serverPin: pin.server.join(" ") || null,
    elapsedS: (performance.now() - started) / 1000,
  };
  return renderMemory(info, results, notes);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  runMemorySuite({ smoke: process.env.BENCH_SMOKE === "1" })
    .then((result) => {
      const goals = result.goals.map(
        (g) => `- **${g.pass === null ? "NOT RUN" : g.pass ? "PASS" : "MISS"}** ${g.line}`,
      );
      process.stdout.write(`${result.markdown.trimEnd()}\n\n### Goals\n\n${goals.join("\n")}\n`);
      if (result.notes.length > 0)
        process.stdout.write(`\n### Notes\n\n${result.notes.map((n) => `- ${n}`).join("\n")}\n`);
      killAll();
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `bench memory: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      killAll();
      process.exitCode = 1;
    });
}
