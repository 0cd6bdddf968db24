/** Renders the engine micro-benchmark section of docs/benchmarks.md. */

import type { GoalResult } from "./goals.js";
import { PEERS, SHARED_WORKLOADS } from "./goals.js";
import type { VariantInfo } from "./protocol.js";
import { type Result, type ResultTable, ratio } from "./stats.js";
import { WORKLOADS } from "./workloads.js";

export interface RunContext {
  readonly smoke: boolean;
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  readonly command: string;
  readonly workerCommand: string;
  readonly pinned: string | null;
  readonly passes: number;
  readonly gatehouseSource: string;
  readonly seconds: number;
}

const GATEHOUSE = "gatehouse";
const ORDER = [GATEHOUSE, "gatehouse-decide", ...PEERS];

function num(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return Math.abs(value) < 100 ? value.toFixed(1) : Math.round(value).toLocaleString("en-US");
}

const times = (value: number): string => `${value < 10 ? value.toFixed(1) : Math.round(value)}x`;
const title = (workload: string): string =>
  WORKLOADS.find((w) => w.id === workload)?.title ?? workload;

/** A markdown table with padded columns, as the repository's formatter (Biome) writes them. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) =>
    Math.max(3, h.length, ...rows.map((r) => (r[i] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${widths.map((w, i) => (cells[i] ?? "").padEnd(w)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function labelOf(variants: readonly VariantInfo[], id: string): string {
  return variants.find((v) => v.id === id)?.label ?? id;
}

function summaryTable(results: ResultTable, variants: readonly VariantInfo[]): string {
  const header = [
    "Workload",
    "Gatehouse decide()",
    "Gatehouse node adapter",
    ...PEERS.flatMap((p) => [labelOf(variants, p), "x"]),
  ];
  const rows = SHARED_WORKLOADS.map((w) => {
    const gh = results.get(GATEHOUSE, w);
    const engine = results.get("gatehouse-decide", w);
    const cells = PEERS.flatMap((p) => {
      const peer = results.get(p, w);
      if (peer === undefined || gh === undefined) return ["-", "-"];
      return [num(peer.net), times(ratio(peer.net, gh.net))];
    });
    return [title(w), num(engine?.net ?? Number.NaN), num(gh?.net ?? Number.NaN), ...cells];
  });
  return table(header, rows);
}

function detailRow(r: Result, gh: Result | undefined, label: string): string[] {
  const peer = r.variant !== GATEHOUSE && r.variant !== "gatehouse-decide" && gh !== undefined;
  return [
    title(r.workload),
    label,
    num(r.run.min),
    num(r.run.median),
    num(r.run.max),
    num(r.baseline.min),
    num(r.net),
    peer ? times(ratio(r.net, gh.net)) : "",
    peer ? times(r.run.median / gh.run.median) : "",
    `${(r.spread * 100).toFixed(0)}%`,
  ];
}

function detailTable(results: ResultTable, variants: readonly VariantInfo[]): string {
  const header = [
    "Workload",
    "Library",
    "min",
    "median",
    "max",
    "baseline min",
    "net",
    "x Gatehouse (net)",
    "x Gatehouse (raw)",
    "pass spread",
  ];
  const rows: string[][] = [];
  for (const w of WORKLOADS.map((workload) => workload.id)) {
    const gh = results.get(GATEHOUSE, w);
    for (const id of ORDER) {
      const r = results.get(id, w);
      if (r !== undefined) rows.push(detailRow(r, gh, labelOf(variants, id)));
    }
  }
  return table(header, rows);
}

function scalingTable(results: ResultTable): string {
  const net = (variant: string, workload: string): number =>
    results.get(variant, workload)?.net ?? Number.NaN;
  const row = (series: string, workload: string, names: number | null): string[] => {
    const engine = net("gatehouse-decide", workload);
    return [
      series,
      num(engine),
      names === null ? "" : num(engine / names),
      num(net(GATEHOUSE, workload)),
    ];
  };
  return table(
    ["Series", "decide() net", "decide() net per name", "node adapter net"],
    [
      row("1 allowed origin (= allowed actual GET)", "actual-allowed", null),
      row("1,000 allowed origins", "origins-1000", null),
      row("ACRH 10 allowed names: all read, echoed", "acrh-10", 10),
      row("ACRH 64 allowed names: all read (the cap)", "acrh-64", 64),
      row("ACRH 100 names: 403 after reading 65", "acrh-100", 100),
      row("ACRH 1,000 names: 403 on length, unread", "acrh-1000", 1000),
      row("ACRH 1,000 names, standard policy (acrh-hostile)", "acrh-hostile", 1000),
    ],
  );
}

function peerList(variants: readonly VariantInfo[]): string {
  return variants
    .filter((v) => v.id !== "gatehouse-decide")
    .map((v) => `- **${v.label}**: configured with ${v.configured}. Invoked: ${v.invoked}.`)
    .join("\n");
}

function goalList(goals: readonly GoalResult[]): string {
  return goals.map((g) => `- **${g.pass ? "PASS" : "MISS"}** ${g.goal}: ${g.detail}`).join("\n");
}

const METHOD = `- Every call builds fresh objects for every library: a fresh \`req.headers\` object whose
  values are fresh, never-hashed strings (as an HTTP parser produces; literals would be interned
  and compare by pointer), the request object the middleware expects, and a fresh mock response.
- Each library runs in its own worker process (no JIT state shared between libraries), warmed on
  all workloads interleaved before anything is timed, so every call site has seen every request
  shape: a server's steady state rather than a one-request best case.
- Timing is mitata's \`measure()\`: samples of 4,096 calls each, garbage collection included
  where it falls. Each figure is timed in 3 rounds of at least 0.1 s per worker, and the workers
  run again in each pass, in rotated order; min/median/max are over the samples of all of them.
- **baseline** is the same fresh-object construction with no CORS work, timed in the same process
  right before each figure. **net** = min - baseline min: the CORS work alone. Minimums, because on
  this shared machine outside load only adds time: nets from medians swung by 2x between runs,
  some below zero. Goals and the "x Gatehouse (net)" ratios use net figures; "raw" ratios divide
  plain medians. The goals are judged on decide() (the engine), as they are worded; the node
  adapter's figures and ratios are shown beside them.
- Mocks are the cheapest objects each middleware accepts. Where the real framework does more per
  request (node's header validation, Fastify's \`routeOptions\` getter that builds an object per
  access, Hono building a \`Response\` on first \`c.res\` access), the mock skips it: every
  shortcut favours the peers.
- Peers do not read \`Access-Control-Request-Headers\` once allowed headers are configured, so they
  allow the 1,000-name preflight; Gatehouse reads it and refuses it (403). Gatehouse answers a
  foreign-origin preflight 403, the peers 204 without \`Access-Control-Allow-Origin\`. Each answer
  was checked before timing.
- "pass spread" is (highest - lowest per-pass median) / median: how much the machine's load
  moved a figure between passes. Read figures with a large spread as approximate.
- To see where Gatehouse's time goes: \`node --cpu-prof --cpu-prof-dir=bench/.profiles --import
  tsx bench/profile.ts gatehouse gatehouse-decide preflight-allowed\`, then
  \`node --import tsx bench/profile-summary.ts bench/.profiles/<largest>.cpuprofile\`.`;

export function renderSection(
  context: RunContext,
  results: ResultTable,
  variants: readonly VariantInfo[],
  goals: readonly GoalResult[],
): string {
  return `## Engine micro-benchmark

Generated by \`npm run bench\`; everything between the engine-bench markers is rewritten on each run.
${context.smoke ? "\n**Smoke run: a few hundred cold calls per figure. The figures only show that everything runs.**\n" : ""}
- **Machine:** ${context.cpu}, ${context.cores} cores, Node ${context.node}, ${context.platform}
- **Date:** ${context.date}
- **Command:** \`${context.command}\`; each library runs in \`${context.workerCommand}\`${
    context.pinned === null ? " (not pinned)" : `, pinned with \`${context.pinned}\``
  }; ${context.passes} ${context.passes === 1 ? "pass" : "passes"}, ${Math.round(context.seconds)} s in all
- **Gatehouse measured from:** ${context.gatehouseSource}

### How it is measured

${METHOD}

### Libraries

${peerList(variants)}

### Net ns per request (CORS work only) and how many times slower than Gatehouse

"x" is the peer's net time over the Gatehouse node adapter's net time. Both include writing
the answer onto the response object: node-style \`setHeader\` for Gatehouse and cors, a Fastify
reply (a plain object, cheaper) for @fastify/cors, a \`Headers\` for hono/cors. The adapter
figure minus the decide() figure is what writing the headers costs Gatehouse.

${summaryTable(results, variants)}

### All figures, ns per request

${detailTable(results, variants)}

### How Gatehouse scales

${scalingTable(results)}

### Goals

${goalList(goals)}
`;
}
