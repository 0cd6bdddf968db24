/**
 * docs/benchmarks.md holds several generated sections; this one only ever rewrites the text
 * between its own markers, so other sections (proxy benchmarks) can live in the same file.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const START = "<!-- engine-bench:start -->";
const END = "<!-- engine-bench:end -->";

const HEADER = `# Benchmarks

Measured figures for Gatehouse. Each section names the command that regenerates it and is
rewritten only between its own \`<!-- ...:start -->\` / \`<!-- ...:end -->\` markers; anything
outside the markers is kept.
`;

export function spliceSection(existing: string | null, section: string): string {
  const block = `${START}\n${section.trimEnd()}\n${END}`;
  if (existing === null) return `${HEADER}\n${block}\n`;
  const start = existing.indexOf(START);
  const end = existing.indexOf(END);
  if (start === -1 || end === -1 || end < start) {
    return `${existing.trimEnd()}\n\n${block}\n`;
  }
  return existing.slice(0, start) + block + existing.slice(end + END.length);
}

export function writeSection(file: string, section: string): void {
  const existing = existsSync(file) ? readFileSync(file, "utf8") : null;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, spliceSection(existing, section));
}
