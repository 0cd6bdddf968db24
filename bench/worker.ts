/**
 * One library's measurements, in a process of its own so that no library runs on code the
 * JIT shaped for another. Started by run.ts as:
 *
 *   node --expose-gc --import tsx bench/worker.ts <gatehouse|cors|fastify|hono> <pass>
 *
 * Checks every answer first, warms every probe on mixed traffic, then times each probe and
 * its baseline back to back. Prints one JSON WorkerReport line on stdout.
 */

import { measure } from "mitata";
import { defaultGatehouseSource, type GatehouseSource } from "./libraries/gatehouse.js";
import { groupVariants, isGroup } from "./libraries/index.js";
import type { Probe, Variant } from "./probe.js";
import type { MeasuredRow, Timing, WorkerReport } from "./protocol.js";
import { WORKLOADS, type Workload } from "./workloads.js";

const SMOKE = process.env.BENCH_SMOKE === "1";

interface Row {
  readonly variant: Variant;
  readonly workload: Workload;
  readonly probe: Probe;
}

/** mitata's own GC hook falls back to allocating 1 GiB when gc() is not exposed: refuse that. */
function collector(): () => void {
  const gc = globalThis.gc;
  if (typeof gc !== "function") throw new Error("start the worker with --expose-gc");
  return () => gc();
}

/** The subset of mitata's measure() options used here. */
interface MeasureOptions {
  readonly gc: () => void;
  readonly min_cpu_time: number;
  readonly min_samples: number;
  readonly max_samples?: number;
  readonly batch_samples?: number;
}

function measureOptions(): MeasureOptions {
  const gc = collector();
  // Smoke: a few hundred calls per probe, only to prove that everything still runs.
  if (SMOKE) {
    return { gc, min_cpu_time: 1e6, min_samples: 2, max_samples: 4, batch_samples: 64 };
  }
  // Batches of 4096 calls per sample, at least 0.1 s of timed calls per probe and round.
  return { gc, min_cpu_time: 100e6, min_samples: 6 };
}

/**
 * Each probe is timed in several short rounds rather than one long stretch, so that a burst
 * of load from elsewhere on the machine is shared by every probe instead of landing on one.
 */
const ROUNDS = SMOKE ? 1 : 3;

async function verify(rows: readonly Row[]): Promise<string[]> {
  const failures: string[] = [];
  for (const { variant, workload, probe } of rows) {
    const expected = variant.gatehouse ? workload.expectGatehouse : workload.expectPeers;
    const got = await probe.observe();
    if (got.allowOrigin !== expected.allowOrigin || got.status !== expected.status) {
      failures.push(
        `${variant.id} / ${workload.id}: expected ACAO ${expected.allowOrigin} status ${expected.status}, got ACAO ${got.allowOrigin} status ${got.status}`,
      );
    }
  }
  return failures;
}

/**
 * Runs every probe in turn, round after round, so that by the time anything is timed each
 * call site has seen every request shape the library will see: a server's steady state,
 * not a single-request best case.
 */
async function warm(rows: readonly Row[], rounds: number, calls: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const { probe } of rows) {
      for (let i = 0; i < calls; i++) {
        const pending = probe.run();
        if (pending instanceof Promise) await pending;
        probe.baseline();
      }
    }
  }
}

async function time(fn: () => unknown): Promise<Timing> {
  // A fresh object: mitata writes its defaults into the options it is given.
  const stats = await measure(fn, { ...measureOptions() });
  return { samples: stats.samples, calls: stats.ticks };
}

function merge(a: Timing | undefined, b: Timing): Timing {
  return a === undefined ? b : { samples: [...a.samples, ...b.samples], calls: a.calls + b.calls };
}

/** Rotates the order by pass, so that no probe is always measured first or last. */
function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % Math.max(items.length, 1);
  return [...items.slice(k), ...items.slice(0, k)];
}

async function main(): Promise<void> {
  const [group, passText = "0"] = process.argv.slice(2);
  if (!isGroup(group)) throw new Error(`usage: worker.ts <gatehouse|cors|fastify|hono> [pass]`);
  const pass = Number.parseInt(passText, 10) || 0;
  const fromEnv = process.env.BENCH_GATEHOUSE_FROM;
  const source: GatehouseSource =
    fromEnv === "dist" || fromEnv === "src" ? fromEnv : defaultGatehouseSource();

  const variants = await groupVariants(group, source);
  const rows: Row[] = variants.flatMap((variant) =>
    WORKLOADS.filter(variant.accepts).map((workload) => ({
      variant,
      workload,
      probe: variant.probe(workload),
    })),
  );

  const failures = await verify(rows);
  if (failures.length > 0) {
    throw new Error(`misconfigured, not timing it:\n  ${failures.join("\n  ")}`);
  }

  if (SMOKE) await warm(rows, 1, 50);
  else await warm(rows, 5, 2000);

  // Each probe's baseline is timed right before it, so both see the same conditions.
  const timings = new Map<Row, { run?: Timing; baseline?: Timing }>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const row of rotate(rows, pass * ROUNDS + round)) {
      const baseline = await time(row.probe.baseline);
      const run = await time(row.probe.run);
      const sofar = timings.get(row) ?? {};
      timings.set(row, { run: merge(sofar.run, run), baseline: merge(sofar.baseline, baseline) });
    }
  }
  const measured: MeasuredRow[] = rows.map((row) => {
    const { run, baseline } = timings.get(row) ?? {};
    if (run === undefined || baseline === undefined) throw new Error("a probe was not timed");
    return { variant: row.variant.id, workload: row.workload.id, run, baseline };
  });

  const report: WorkerReport = {
    group,
    variants: variants.map(({ id, label, configured, invoked }) => ({
      id,
      label,
      configured,
      invoked,
    })),
    rows: measured,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
