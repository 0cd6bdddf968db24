/**
 * Core pinning for the proxy suites: load generators (and upstreams) on CPU 0, every measured
 * server on CPU 1, this scheduling process kept off CPU 1. Empty commands when taskset or a
 * second core is missing (or BENCH_NO_PIN=1): everything still runs, unpinned.
 */

import { spawnSync } from "node:child_process";
import os from "node:os";

export interface Pins {
  /** Prefix for load generators and upstreams, e.g. ["taskset", "-c", "0"]. */
  readonly load: readonly string[];
  /** Prefix for measured servers, e.g. ["taskset", "-c", "1"]. */
  readonly server: readonly string[];
}

let cached: Pins | null = null;

export function pins(): Pins {
  if (cached !== null) return cached;
  if (process.env.BENCH_NO_PIN === "1" || process.platform !== "linux" || os.cpus().length < 2) {
    cached = { load: [], server: [] };
    return cached;
  }
  const probe = spawnSync("taskset", ["-c", "1", "true"], { stdio: "ignore" });
  if (probe.status !== 0) {
    cached = { load: [], server: [] };
    return cached;
  }
  // This process (it only schedules and samples) stays off the server core too.
  spawnSync("taskset", ["-pc", "0", String(process.pid)], { stdio: "ignore" });
  cached = { load: ["taskset", "-c", "0"], server: ["taskset", "-c", "1"] };
  return cached;
}
