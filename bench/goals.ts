/**
 * The targets Gatehouse's engine is held to, checked on net figures (median minus the
 * harness baseline measured in the same process), so that they are about CORS work alone.
 * Budgets, flatness, ACRH growth and the 8x ratio are about the engine, so they are judged on
 * decide(), as the goals are worded ("decide() against the CORS middlewares users would pick
 * instead"). The node adapter's figure and ratio (decide and write the headers through node's
 * setHeader, which every library pays alike) are shown next to them.
 */

import { type Result, type ResultTable, ratio } from "./stats.js";
import type { WorkloadId } from "./workloads.js";

export interface GoalResult {
  readonly goal: string;
  readonly pass: boolean;
  readonly detail: string;
}

export const PEERS = ["cors", "fastify", "hono"] as const;
export const SHARED_WORKLOADS: readonly WorkloadId[] = [
  "actual-allowed",
  "actual-denied",
  "preflight-allowed",
  "preflight-denied",
  "origins-1000",
  "acrh-hostile",
];
/** Answered from outcomes built at compile time (every actual request, every refusal). */
const CHEAP_WORKLOADS: readonly WorkloadId[] = [
  "actual-allowed",
  "actual-denied",
  "origins-1000",
  "preflight-denied",
  "acrh-hostile",
];
const ACRH_SERIES = [10, 64, 100, 1000] as const;

const ADAPTER = "gatehouse";
const ENGINE = "gatehouse-decide";

const ns = (value: number): string => `${value.toFixed(1)} ns`;

function need(table: ResultTable, variant: string, workload: string): Result {
  const result = table.get(variant, workload);
  if (result === undefined) throw new Error(`no measurement for ${variant} / ${workload}`);
  return result;
}

function budget(table: ResultTable, workload: WorkloadId, limit: number): GoalResult {
  const net = need(table, ENGINE, workload).net;
  const adapter = need(table, ADAPTER, workload).net;
  return {
    goal: `decide() <= ${limit} ns on ${workload}`,
    pass: net <= limit,
    detail: `${ns(net)} (through the node adapter: ${ns(adapter)})`,
  };
}

function flatOrigins(table: ResultTable): GoalResult {
  const at = (variant: string) => {
    const one = need(table, variant, "actual-allowed").net;
    const thousand = need(table, variant, "origins-1000").net;
    return { one, thousand, ratio: ratio(thousand, one) };
  };
  const engine = at(ENGINE);
  const adapter = at(ADAPTER);
  return {
    goal: "decide() flat from 1 to 1,000 allowed origins (ratio <= 1.3)",
    pass: engine.ratio <= 1.3,
    detail: `${ns(engine.one)} -> ${ns(engine.thousand)}, ratio ${engine.ratio.toFixed(2)} (node adapter: ratio ${adapter.ratio.toFixed(2)})`,
  };
}

function fasterThan(table: ResultTable, peer: string): GoalResult {
  const ratios = SHARED_WORKLOADS.map((w) => ({
    workload: w,
    engine: ratio(need(table, peer, w).net, need(table, ENGINE, w).net),
    adapter: ratio(need(table, peer, w).net, need(table, ADAPTER, w).net),
  }));
  const misses = ratios.filter((r) => r.engine < 8);
  const worst = ratios.reduce((a, b) => (b.engine < a.engine ? b : a));
  const adapterWorst = ratios.reduce((a, b) => (b.adapter < a.adapter ? b : a));
  const adapter = `; through the node adapter the lowest is ${adapterWorst.adapter.toFixed(1)}x (${adapterWorst.workload})`;
  return {
    goal: `decide() >= 8x faster than ${peer} on every workload`,
    pass: misses.length === 0,
    detail:
      (misses.length === 0
        ? `lowest ${worst.engine.toFixed(1)}x (${worst.workload})`
        : `below 8x: ${misses.map((m) => `${m.workload} ${m.engine.toFixed(1)}x`).join(", ")}`) +
      adapter,
  };
}

/**
 * At most linear: no size may cost more per name than the smallest size does (with 50% slack
 * for noise), so cost(n) <= 1.5 x cost(10) / 10 x n. A cap, or a cache that answers a repeated
 * line without scanning it, shows as a per-name cost well below that; a scan that goes
 * quadratic breaks it at 100 or 1,000 names. (Comparing neighbouring sizes instead would flag
 * a cached 64-name line followed by a refused, scanned 100-name one.)
 */
function linearAcrh(table: ResultTable): GoalResult {
  const nets = ACRH_SERIES.map((n) => ({ n, net: need(table, ENGINE, `acrh-${n}`).net }));
  const first = nets[0] as { n: number; net: number };
  const perName = Math.max(first.net, 0) / first.n;
  const steep = nets
    .slice(1)
    .filter(({ n, net }) => net > 1.5 * perName * n)
    .map(({ n }) => String(n));
  return {
    goal: "decide() cost linear or capped in ACRH size (10/64/100/1000 names)",
    pass: steep.length === 0,
    detail:
      nets.map(({ n, net }) => `${n}: ${ns(net)}`).join(", ") +
      `; bound 1.5 x ${ns(perName)} per name` +
      (steep.length === 0 ? "" : `; above it at ${steep.join(", ")} names`),
  };
}

export function evaluateGoals(table: ResultTable): GoalResult[] {
  return [
    ...CHEAP_WORKLOADS.map((w) => budget(table, w, 100)),
    budget(table, "preflight-allowed", 300),
    flatOrigins(table),
    ...PEERS.map((peer) => fasterThan(table, peer)),
    linearAcrh(table),
  ];
}
