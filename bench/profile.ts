/**
 * Runs one library's probe in a loop for a CPU profile, in the same warmed state the
 * benchmark measures (every workload first, then only the chosen one):
 *
 *   node --cpu-prof --cpu-prof-dir=bench/.profiles --import tsx bench/profile.ts \
 *     [gatehouse|cors|fastify|hono] [variant] [workload] [seconds]
 *   node --import tsx bench/profile-summary.ts bench/.profiles/<file>.cpuprofile
 */

import { defaultGatehouseSource } from "./libraries/gatehouse.js";
import { groupVariants, isGroup } from "./libraries/index.js";
import { WORKLOADS, workload } from "./workloads.js";

async function loop(run: () => unknown, calls: number): Promise<void> {
  for (let i = 0; i < calls; i++) {
    const pending = run();
    if (pending instanceof Promise) await pending;
  }
}

async function main(): Promise<void> {
  const [group = "gatehouse", variantId = group, workloadId = "actual-allowed", secondsText = "5"] =
    process.argv.slice(2);
  if (!isGroup(group)) throw new Error(`unknown library ${group}`);
  const variants = await groupVariants(group, defaultGatehouseSource());
  const variant = variants.find((v) => v.id === variantId);
  if (variant === undefined) throw new Error(`unknown variant ${variantId}`);
  const target = variant.probe(workload(workloadId));

  for (const w of WORKLOADS.filter(variant.accepts)) await loop(variant.probe(w).run, 20_000);
  const until = performance.now() + Number(secondsText) * 1000;
  let calls = 0;
  while (performance.now() < until) {
    await loop(target.run, 10_000);
    calls += 10_000;
  }
  const ns = (Number(secondsText) * 1e9) / calls;
  process.stderr.write(`${variantId} / ${workloadId}: ${calls} calls, ~${ns.toFixed(0)} ns each\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`profile: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
