/**
 * What a proxy sub-suite (streams, memory, ...) hands back to run.ts, which splices every
 * sub-suite's markdown into the proxy section of docs/benchmarks.md, lists its goals with the
 * wrk workloads' goals and adds its bars to the chart.
 */

import type { Bar } from "./svg.js";

export interface GoalResult {
  /** null: could not be judged (a target missing); the line says why. */
  readonly pass: boolean | null;
  /** One markdown line without the leading "- **PASS**": e.g. "SSE: p99 added <= 3 ms: 1.2 ms". */
  readonly line: string;
}

export interface SuiteResult {
  /** Markdown: one or more "### ..." subsections (tables and method), no "##" heading. */
  readonly markdown: string;
  readonly goals: readonly GoalResult[];
  readonly bars: readonly Bar[];
  /** Anything odd in this run (retries, skipped targets), one line each. */
  readonly notes: readonly string[];
}

export interface SuiteOptions {
  /** One short pass, against Gatehouse and one peer: only shows that it runs. */
  readonly smoke: boolean;
}
