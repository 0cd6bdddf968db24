/**
 * Renders the proxy section of docs/benchmarks.md (between the proxy-bench markers, everything
 * else kept) and its chart. Ratios are taken within a round (both figures measured minutes
 * apart at most, on the same machine state), then summarized as min/median/max over rounds.
 */

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { table } from "../report.js";
import type { LatencyResult } from "./latency.js";
import type { SuiteResult } from "./suite.js";
import { type Bar, renderChart } from "./svg.js";
import { TARGETS } from "./targets.js";
import type { Goal, ProxyWorkload } from "./workloads.js";

const START = "<!-- proxy-bench:start -->";
const END = "<!-- proxy-bench:end -->";
const GATEHOUSE = "gatehouse";

export interface Sample {
  readonly workload: string;
  readonly target: string;
  readonly round: number;
  readonly rps: number;
  readonly requests: number;
  readonly cpuUsPerRequest: number;
  /** Share of the server core used by something else during the run. */
  readonly outside: number;
  readonly errors: number;
  readonly retries: number;
}

export interface ProxyContext {
  readonly smoke: boolean;
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  readonly rounds: number;
  readonly seconds: number;
  readonly warmSeconds: number;
  readonly loadPin: string | null;
  readonly serverPin: string | null;
  readonly wrkCommand: string;
  readonly notes: readonly string[];
  readonly elapsed: number;
}

interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

function spread(values: readonly number[]): Spread {
  const s = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  const mid = s.length >> 1;
  const median =
    s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { min: s[0] as number, median, max: s[s.length - 1] as number };
}

function num(v: number): string {
  if (!Number.isFinite(v)) return "n/a";
  return v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString("en-US");
}

const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}x` : "n/a");
const sx = (s: Spread): string => `${x(s.min)} / **${x(s.median)}** / ${x(s.max)}`;

const label = (id: string): string => TARGETS[id]?.label ?? id;

/** Gatehouse / peer, per round. */
function ratios(
  samples: readonly Sample[],
  w: string,
  peer: string,
  metric: "rps" | "cpu",
): Spread {
  const values: number[] = [];
  for (const gh of samples.filter((s) => s.workload === w && s.target === GATEHOUSE)) {
    const p = samples.find((s) => s.workload === w && s.target === peer && s.round === gh.round);
    if (p === undefined) continue;
    values.push(metric === "rps" ? gh.rps / p.rps : gh.cpuUsPerRequest / p.cpuUsPerRequest);
  }
  return spread(values);
}

function passes(goal: Goal, r: Spread): boolean {
  return goal.metric === "rps" ? r.median >= goal.bound : r.median <= goal.bound;
}

function workloadTable(w: ProxyWorkload, samples: readonly Sample[]): string {
  const rows = w.targets.map((t) => {
    const mine = samples.filter((s) => s.workload === w.id && s.target === t);
    const rps = spread(mine.map((s) => s.rps));
    const cpu = spread(mine.map((s) => s.cpuUsPerRequest));
    const errors = mine.reduce((a, s) => a + s.errors, 0);
    const peer = t !== GATEHOUSE;
    return [
      label(t),
      num(rps.min),
      num(rps.median),
      num(rps.max),
      `${num(cpu.median)} (${num(cpu.min)}-${num(cpu.max)})`,
      peer ? sx(ratios(samples, w.id, t, "rps")) : "",
      peer ? sx(ratios(samples, w.id, t, "cpu")) : "",
      String(errors),
    ];
  });
  return table(
    [
      "Target",
      "req/s min",
      "req/s median",
      "req/s max",
      "CPU us/req median (min-max)",
      "Gatehouse req/s / peer (min/median/max)",
      "Gatehouse CPU/req / peer",
      "errors",
    ],
    rows,
  );
}

function goalLines(workloads: readonly ProxyWorkload[], samples: readonly Sample[]): string[] {
  const lines: string[] = [];
  for (const w of workloads) {
    for (const g of w.goals) {
      if (!w.targets.includes(g.peer)) {
        lines.push(`- **NOT RUN** ${w.title}: vs ${label(g.peer)} (target not available)`);
        continue;
      }
      const r = ratios(samples, w.id, g.peer, g.metric);
      const what = g.metric === "rps" ? `req/s >= ${g.bound}x` : `CPU per request <= ${g.bound}x`;
      lines.push(
        `- **${passes(g, r) ? "PASS" : "MISS"}** ${w.title}: ${what} ${label(g.peer)}: median ${x(r.median)} (rounds ${x(r.min)}-${x(r.max)})`,
      );
    }
  }
  return lines;
}

function bars(workloads: readonly ProxyWorkload[], samples: readonly Sample[]): Bar[] {
  const out: Bar[] = [];
  for (const w of workloads) {
    for (const peer of w.targets.filter((t) => t !== GATEHOUSE)) {
      for (const metric of ["rps", "cpu"] as const) {
        const goal = w.goals.find((g) => g.peer === peer && g.metric === metric);
        if (metric === "cpu" && goal === undefined && w.id === "preflight") continue;
        const r = ratios(samples, w.id, peer, metric);
        out.push({
          label: `${w.id}: ${metric === "rps" ? "req/s" : "CPU/req"} vs ${label(peer)}`,
          ...r,
          bound: goal?.bound ?? null,
          pass: goal === undefined ? null : passes(goal, r),
        });
      }
    }
  }
  return out;
}

export interface LatencySection {
  readonly workload: ProxyWorkload;
  readonly rate: number;
  readonly connections: number;
  readonly seconds: number;
  readonly command: string;
  readonly results: readonly LatencyResult[];
}

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : "n/a");

/** Per target: medians over rounds, and the added latency over the upstream hit directly. */
function latencyTable(l: LatencySection): string {
  const targets = [...new Set(l.results.map((r) => r.target))];
  const direct = (round: number) =>
    l.results.find((r) => r.target === "direct" && r.round === round);
  const rows = targets.map((t) => {
    const mine = l.results.filter((r) => r.target === t);
    const med = (k: "mean" | "p50" | "p90" | "p99" | "max") => spread(mine.map((r) => r[k])).median;
    const added = (k: "p50" | "p99") =>
      spread(
        mine.flatMap((r) => {
          const d = direct(r.round);
          return d === undefined ? [] : [r[k] - d[k]];
        }),
      ).median;
    return [
      label(t),
      ms(med("mean")),
      ms(med("p50")),
      ms(med("p90")),
      ms(med("p99")),
      ms(med("max")),
      t === "direct" ? "" : `${ms(added("p50"))} / ${ms(added("p99"))}`,
      String(mine.reduce((a, r) => a + r.errors, 0)),
    ];
  });
  return table(
    [
      "Target",
      "mean ms",
      "p50 ms",
      "p90 ms",
      "p99 ms",
      "max ms",
      "added over direct p50 / p99 ms",
      "errors",
    ],
    rows,
  );
}

function latencyMarkdown(l: LatencySection): string {
  return `### Latency at a fixed rate (autocannon -R)

\`${l.command}\` against \`${l.workload.request.method} ${l.workload.request.path}\` (the proxied GET above): ${l.rate.toLocaleString("en-US")} requests per second over ${l.connections} connections for ${l.seconds} s per target and round, the target order rotated each round; every door does the same work per second here, so the figures are waiting time, not capacity. Medians over rounds. autocannon corrects for coordinated omission and keeps percentiles at 1 ms resolution (the mean has more digits); autocannon itself runs on the load core, which also hosts the upstream, so its own scheduling delay is in every figure, the direct one included.

${latencyTable(l)}`;
}

export interface ProxySection {
  readonly markdown: string;
  readonly svg: string;
}

export function renderProxySection(
  c: ProxyContext,
  workloads: readonly ProxyWorkload[],
  samples: readonly Sample[],
  latency: LatencySection | null,
  suites: readonly SuiteResult[],
): ProxySection {
  const used = [...new Set(workloads.flatMap((w) => w.targets))];
  const retried = samples.filter((s) => s.retries > 0).length;
  const notes = [...c.notes, ...suites.flatMap((r) => r.notes)];
  const svgName = "benchmarks-proxy.svg";
  const markdown = `## Proxy benchmark (whole servers under load)

Generated by \`npm run bench\` (after the engine suite) or \`node --import tsx bench/proxy/run.ts\`;
everything between the proxy-bench markers is rewritten on each run.
${c.smoke ? "\n**Smoke run: one ~1 s pass, Gatehouse and one peer. The figures only show that everything runs.**\n" : ""}
- **Machine:** ${c.cpu}, ${c.cores} cores (shared, noisy), Node ${c.node}, ${c.platform}
- **Date:** ${c.date}; ${Math.round(c.elapsed)} s for the proxy suite
- **Load:** \`${c.wrkCommand}\` (Debian wrk 4.1, one thread); the Lua script sets method, path,
  headers and body per workload. Load generator and upstream ${c.loadPin === null ? "not pinned" : `pinned with \`${c.loadPin}\``}; every server ${c.serverPin === null ? "not pinned" : `pinned with \`${c.serverPin}\``}.
- **Rounds:** ${c.warmSeconds} s warm-up per target, then ${c.rounds} rounds of ${c.seconds} s per target (more where a workload says so: the static files get 2 more), the
  target order rotated each round. A round in which anything else used more than 25% of the
  server core (from \`/proc/stat\`, minus the server's own CPU) is run again, at most twice (4 retries per suite)${retried > 0 ? ` (${retried} samples come from a retried round)` : ""}.
- **CPU per request:** utime + stime of the server's whole process tree (\`/proc/<pid>/stat\`,
  children by parent pid) over the run, divided by the requests wrk completed. The upstream's
  CPU is not included (it is a process of its own): the figure is the door's own cost.
- **Ratios** are Gatehouse / peer within the same round, then min / **median** / max over rounds.
  Absolute req/s drift by up to 2x between runs here; only the ratios and CPU per request mean
  anything.

![Gatehouse / peer ratios](${svgName})

${workloads
  .map(
    (w) =>
      `### ${w.title}\n\n\`${w.request.method} ${w.request.path}\`${w.request.bodyBytes > 0 ? `, ${w.request.bodyBytes / 1024} KB body` : ""}${
        Object.keys(w.request.headers).length > 0
          ? `, ${Object.entries(w.request.headers)
              .map(([k, v]) => `${k}: ${v}`)
              .join(", ")}`
          : ""
      }; ${w.connections} connections. Every target's answer was checked before timing.\n\n${workloadTable(w, samples)}`,
  )
  .join("\n\n")}

${latency === null ? "" : `${latencyMarkdown(latency)}\n\n`}${suites.map((r) => r.markdown.trim()).join("\n\n")}

### Goals (from the issue)

${[
  ...goalLines(workloads, samples),
  ...suites.flatMap((r) =>
    r.goals.map((g) => `- **${g.pass === null ? "NOT RUN" : g.pass ? "PASS" : "MISS"}** ${g.line}`),
  ),
].join("\n")}

### Peers and how each is configured

- **Upstream:** node:http, small JSON (~60 bytes) on GET, \`{"bytes":N}\` after reading the body on POST; keep-alive.
${used.map((t) => `- **${label(t)}**: ${TARGETS[t]?.configured ?? ""}`).join("\n")}

Every server runs in its own child process (\`node --import tsx bench/proxy/server.ts <kind>\`,
or \`nginx -p <tmp> -c <tmp>/nginx.conf\`), started in its own process group and killed by pid
when the suite ends or fails. Each workload starts its targets fresh and stops them after its
rounds, so no target carries JIT or heap state over from another workload's load, and no idle
server of another workload shares the server core.
${notes.length > 0 ? `\n### Notes from this run\n\n${notes.map((n) => `- ${n}`).join("\n")}\n` : ""}`;
  const svg = renderChart(
    "Gatehouse / peer, median of rounds (whisker: min-max; tick: goal; green met, red missed)",
    [...bars(workloads, samples), ...suites.flatMap((r) => r.bars)],
  );
  return { markdown, svg };
}

export function spliceProxySection(existing: string | null, section: string): string {
  const block = `${START}\n${section.trimEnd()}\n${END}`;
  if (existing === null) return `# Benchmarks\n\n${block}\n`;
  const start = existing.indexOf(START);
  const end = existing.indexOf(END);
  if (start === -1 || end === -1 || end < start) return `${existing.trimEnd()}\n\n${block}\n`;
  return existing.slice(0, start) + block + existing.slice(end + END.length);
}

export function writeProxySection(doc: string, svgFile: string, section: ProxySection): void {
  const existing = existsSync(doc) ? readFileSync(doc, "utf8") : null;
  writeFileSync(doc, spliceProxySection(existing, section.markdown));
  writeFileSync(svgFile, section.svg);
}
