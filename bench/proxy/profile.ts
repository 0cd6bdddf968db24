/**
 * Where a proxy's CPU goes: runs one bench server under wrk with `--cpu-prof`, then sorts its
 * samples into buckets (the door's own code, undici, node's JavaScript, native calls such as
 * writev, GC, idle). Run it for Gatehouse and for the floor to see what Gatehouse adds:
 *
 *   node --import tsx bench/proxy/profile.ts [target] [workload] [seconds]
 *   node --import tsx bench/proxy/profile.ts floor get-json 8
 *
 * Profiles land in bench/.profiles/ (git-ignored); the table goes to stdout.
 */

import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runWrk, wrkScript } from "./load.js";
import { pins } from "./pins.js";
import { killAll, startNode } from "./targets.js";
import { PROXY_WORKLOADS } from "./workloads.js";

const OUT = fileURLToPath(new URL("../.profiles/proxy/", import.meta.url));

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
}

/** The bucket a sample's function belongs to. */
function bucket(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === "") {
    if (functionName === "(idle)") return "idle";
    if (functionName === "(garbage collector)") return "garbage collector";
    if (functionName === "(program)") return "V8 / native (program)";
    return "native calls (writev, write, read, ...)";
  }
  if (url.startsWith("node:")) return "node's JavaScript (http, net, streams)";
  if (url.includes("/node_modules/undici/")) return "undici";
  if (url.includes("/node_modules/")) return "other packages";
  if (url.startsWith("wasm://")) return "undici's llhttp (wasm)";
  if (url.includes("/dist/") || url.includes("/src/")) return "Gatehouse's own code";
  if (url.includes("/bench/")) return "the bench server's own code";
  return "other";
}

export function summarize(file: string): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, "utf8")) as {
    nodes: ProfileNode[];
    samples: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const node = byId.get(id);
    const b = node === undefined ? "other" : bucket(node);
    if (b === "idle") continue;
    busy++;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  // Shares of the busy samples (idle left out: the server waits on the load core).
  for (const [k, v] of counts) counts.set(k, v / busy);
  return counts;
}

async function main(): Promise<void> {
  const [target = "gatehouse", workloadId = "get-json", secondsText = "8"] = process.argv.slice(2);
  const workload = PROXY_WORKLOADS.find((w) => w.id === workloadId);
  if (workload === undefined) throw new Error(`unknown workload ${workloadId}`);
  const dir = join(OUT, target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pin = pins();
  try {
    const upstream = await startNode("upstream", pin.load, null);
    const server = await startNode(target, pin.server, upstream.url, target, {
      nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
    });
    const script = wrkScript(workload.id, workload.request);
    const load = { pin: pin.load, url: server.url, script, connections: workload.connections };
    await runWrk({ ...load, seconds: 2 });
    const result = await runWrk({ ...load, seconds: Number(secondsText) || 8 });
    process.kill(server.pid, "SIGTERM");
    await new Promise((r) => setTimeout(r, 1500));
    // The main thread's profile is the largest; tsx's loader thread writes a small one.
    const files = readdirSync(dir)
      .map((f) => join(dir, f))
      .sort((a, b) => statSync(b).size - statSync(a).size);
    if (files[0] === undefined) throw new Error("no profile was written");
    const shares = summarize(files[0]);
    process.stdout.write(
      `${target}, ${workload.id}: ${Math.round(result.rps)} req/s; busy samples by bucket:\n`,
    );
    for (const [k, v] of [...shares].sort((a, b) => b[1] - a[1]))
      process.stdout.write(`${(v * 100).toFixed(1).padStart(6)}%  ${k}\n`);
    process.stdout.write(`profile: ${files[0]}\n`);
  } finally {
    killAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  killAll();
  process.exitCode = 1;
});
