/**
 * `ConfigError` and the text rendering of problems and lints, shared by `gatehouse serve` (on
 * start-up failure) and `gatehouse check`. Locations come first, `file:line:column`, so that
 * terminals and editors make them clickable.
 */
import { GatehouseError, showValue } from "../../core/problems.js";
import type { ConfigThrownCode } from "./codes.js";
import type { LocatedLint, LocatedProblem } from "./report.js";

/** Thrown by `loadConfig()` with every problem of the configuration at once. */
export class ConfigError extends GatehouseError<ConfigThrownCode> {
  /** The file as named on the command line, or null (embedded default, overrides only). */
  readonly file: string | null;
  readonly problems: readonly LocatedProblem[];
  /** Notes collected before the problems stopped the load (possibly incomplete). */
  readonly lints: readonly LocatedLint[];

  constructor(
    file: string | null,
    problems: readonly LocatedProblem[],
    lints: readonly LocatedLint[] = [],
  ) {
    super("GH_CONFIG_INVALID", formatConfigProblems(file, problems));
    this.name = "ConfigError";
    this.file = file;
    this.problems = problems;
    this.lints = lints;
  }
}

/** `file:line:column`, `file`, or "" when the entry is not in a file. */
export function locationOf(entry: { file: string | null; line?: number; column?: number }): string {
  if (entry.file === null) return "";
  if (entry.line === undefined) return entry.file;
  return `${entry.file}:${entry.line}:${entry.column ?? 1}`;
}

/** `key = value`, or just the value for entries without a key (a syntax error's line). */
function subject(path: string, value: unknown): string {
  if (path !== "") return `${path} = ${showValue(value)}`;
  return value === undefined ? "" : showValue(value);
}

/**
 * The numbered report of problems:
 *
 *     Invalid configuration gatehouse.yaml: 2 problems
 *       1. gatehouse.yaml:3:9  listen = "localhost:99999"  [GH_CONFIG_LISTEN_INVALID]
 *          why: "99999" is not a port from 0 to 65535.
 *          fix: Write an IP address and a port: ...
 */
export function formatConfigProblems(
  file: string | null,
  problems: readonly LocatedProblem[],
): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = [`Invalid configuration${file === null ? "" : ` ${file}`}: ${count}`];
  problems.forEach((p, i) => {
    const head = [locationOf(p), subject(p.path, p.value), `[${p.code}]`].filter((s) => s !== "");
    lines.push(`  ${i + 1}. ${head.join("  ")}`);
    lines.push(`     why: ${p.why}`);
    lines.push(`     fix: ${p.fix}`);
  });
  return lines.join("\n");
}

/** One line per note, then its message indented: warnings first, then infos. */
export function formatLints(lints: readonly LocatedLint[]): string {
  const ordered = [
    ...lints.filter((l) => l.severity === "warning"),
    ...lints.filter((l) => l.severity === "info"),
  ];
  const lines: string[] = [];
  for (const lint of ordered) {
    const head = [locationOf(lint), subject(lint.path, lint.value), `[${lint.code}]`].filter(
      (s) => s !== "",
    );
    lines.push(`  ${lint.severity === "warning" ? "warning" : "info   "}  ${head.join("  ")}`);
    lines.push(`           ${lint.message}`);
  }
  return lines.join("\n");
}
