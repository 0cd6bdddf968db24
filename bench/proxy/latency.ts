/**
 * Latency at a fixed rate: `autocannon -R` (the request rate held constant, latencies corrected
 * for coordinated omission) against the proxied GET, so every door does the same work per second
 * and what differs is how long a request waits. wrk measures the opposite (how much a saturated
 * door can do). autocannon runs on the load core, like wrk; rounds rotate the target order.
 */

import { createRequire } from "node:module";
import { runBounded } from "./load.js";

export interface LatencyResult {
  readonly target: string;
  readonly round: number;
  /** Milliseconds: autocannon's histogram, 1 ms resolution for percentiles. */
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly requests: number;
  readonly errors: number;
}

interface AutocannonJson {
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly latency: Readonly<Record<"mean" | "p50" | "p90" | "p99" | "max", number>>;
  readonly requests: { readonly total: number };
}

function isAutocannonJson(value: unknown): value is AutocannonJson {
  return (
    typeof value === "object" &&
    value !== null &&
    "latency" in value &&
    typeof value.latency === "object" &&
    "requests" in value
  );
}

const AUTOCANNON = createRequire(import.meta.url).resolve("autocannon/autocannon.js");

export interface LatencyRun {
  readonly pin: readonly string[];
  readonly url: string;
  readonly rate: number;
  readonly connections: number;
  readonly seconds: number;
}

export function autocannonArgs(r: LatencyRun): string[] {
  return [
    ...r.pin,
    process.execPath,
    AUTOCANNON,
    "-R",
    String(r.rate),
    "-c",
    String(r.connections),
    "-d",
    String(r.seconds),
    "-j",
    r.url,
  ];
}

export async function runAutocannon(
  r: LatencyRun,
  target: string,
  round: number,
): Promise<LatencyResult> {
  const { stdout } = await runBounded(autocannonArgs(r), r.seconds + 15);
  const parsed: unknown = JSON.parse(stdout);
  if (!isAutocannonJson(parsed)) throw new Error(`unexpected autocannon output: ${stdout}`);
  return {
    target,
    round,
    mean: parsed.latency.mean,
    p50: parsed.latency.p50,
    p90: parsed.latency.p90,
    p99: parsed.latency.p99,
    max: parsed.latency.max,
    requests: parsed.requests.total,
    errors: parsed.errors + parsed.timeouts + parsed.non2xx,
  };
}
