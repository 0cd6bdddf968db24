/** Pools the samples of every pass and derives what the report shows. */

import type { MeasuredRow, Timing } from "./protocol.js";

export interface Summary {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly calls: number;
  /** The median of each pass on its own: how much the figure moved between processes. */
  readonly passMedians: readonly number[];
}

export interface Result {
  readonly variant: string;
  readonly workload: string;
  readonly run: Summary;
  /** The same fresh objects without CORS work, timed right before `run` in the same process. */
  readonly baseline: Summary;
  /**
   * run.min - baseline.min: the CORS work alone. Minimums, because on a shared machine outside
   * load only ever adds time; medians minus medians swung by 2x (even below zero) between runs.
   */
  readonly net: number;
  /** (highest - lowest pass median) / median. */
  readonly spread: number;
}

function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function summarize(timings: readonly Timing[]): Summary {
  const pooled = timings.flatMap((t) => t.samples).sort((a, b) => a - b);
  return {
    min: pooled[0] ?? Number.NaN,
    median: median(pooled),
    max: pooled[pooled.length - 1] ?? Number.NaN,
    calls: timings.reduce((sum, t) => sum + t.calls, 0),
    passMedians: timings.map((t) => median([...t.samples].sort((a, b) => a - b))),
  };
}

/** Groups the rows of every pass by (variant, workload), keeping first-seen order. */
export function aggregate(rows: readonly MeasuredRow[]): Result[] {
  const groups = new Map<string, MeasuredRow[]>();
  for (const row of rows) {
    const key = `${row.variant}\u0000${row.workload}`;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [row]);
    else list.push(row);
  }
  return [...groups.values()].map((list) => {
    const first = list[0] as MeasuredRow;
    const run = summarize(list.map((r) => r.run));
    const baseline = summarize(list.map((r) => r.baseline));
    const passes = run.passMedians;
    return {
      variant: first.variant,
      workload: first.workload,
      run,
      baseline,
      net: run.min - baseline.min,
      spread: (Math.max(...passes) - Math.min(...passes)) / run.median,
    };
  });
}

export class ResultTable {
  private readonly byKey = new Map<string, Result>();

  constructor(readonly results: readonly Result[]) {
    for (const r of results) this.byKey.set(`${r.variant}\u0000${r.workload}`, r);
  }

  get(variant: string, workload: string): Result | undefined {
    return this.byKey.get(`${variant}\u0000${workload}`);
  }
}

/** Below this, a net figure is within the noise of subtracting two medians. */
export const NET_FLOOR_NS = 1;

/** How many times slower `peer` is than `gatehouse`, on net figures. */
export function ratio(peer: number, gatehouse: number): number {
  return peer / Math.max(gatehouse, NET_FLOOR_NS);
}
