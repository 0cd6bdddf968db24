/**
 * Prints the functions with the most self time in a V8 .cpuprofile, with their share of the
 * samples, then the hottest source lines (from V8's per-line ticks):
 * `node --import tsx bench/profile-summary.ts <file.cpuprofile> [rows]`.
 */

import { readFileSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly positionTicks?: readonly { readonly line: number; readonly ticks: number }[];
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
}

function isProfile(value: unknown): value is Profile {
  return (
    typeof value === "object" &&
    value !== null &&
    "nodes" in value &&
    Array.isArray(value.nodes) &&
    "samples" in value &&
    Array.isArray(value.samples)
  );
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\/.*?\/(node_modules|dist|src|bench)\//, "$1/");
}

function where(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = shortUrl(url);
  const name = functionName === "" ? "(anonymous)" : functionName;
  return file === "" ? name : `${name}  ${file}:${lineNumber + 1}`;
}

function print(counts: Map<string, number>, total: number, rows: number): void {
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, rows);
  for (const [key, count] of top) {
    process.stdout.write(`${((100 * count) / total).toFixed(1).padStart(5)}%  ${key}\n`);
  }
}

function main(): void {
  const [file, rowsText = "25"] = process.argv.slice(2);
  if (file === undefined) throw new Error("usage: profile-summary.ts <file.cpuprofile> [rows]");
  const profile: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (!isProfile(profile)) throw new Error(`${file} is not a V8 CPU profile`);

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  for (const id of profile.samples) {
    const node = byId.get(id);
    const key = node === undefined ? "(unknown)" : where(node);
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  const rows = Number(rowsText);
  print(self, total, rows);

  // Lines inside functions, as V8 attributes ticks to source positions (1-based lines).
  const lines = new Map<string, number>();
  for (const node of profile.nodes) {
    for (const { line, ticks } of node.positionTicks ?? []) {
      const key = `${shortUrl(node.callFrame.url)}:${line}  (${node.callFrame.functionName})`;
      lines.set(key, (lines.get(key) ?? 0) + ticks);
    }
  }
  process.stdout.write("\nhottest lines:\n");
  print(lines, total, rows);
}

main();
