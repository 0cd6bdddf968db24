import type { ConfigErrorCode, LintCode, ThrownCode } from "./codes.js";
import { CONFIG_ERROR_CODES } from "./codes.js";

/** One reason a configuration is refused. Tests and tools match on `code` and `path`. */
export interface ConfigProblem {
  readonly code: ConfigErrorCode;
  /** Where the problem is, as a key path: `allowOrigins[2]`, `cors.maxAge`. */
  readonly path: string;
  /** The offending value as given. */
  readonly value: unknown;
  /** Why it is refused, for this value. */
  readonly why: string;
  /** What to write instead. */
  readonly fix: string;
}

/** A legal but noteworthy choice: a normalization that was applied, or a risk worth knowing. */
export interface LintNote {
  readonly code: LintCode;
  readonly path: string;
  readonly value: unknown;
  /** `info` for a harmless rewrite, `warning` for a risky choice. */
  readonly severity: "info" | "warning";
  readonly message: string;
  /** The value Gatehouse uses instead, when it rewrote one. */
  readonly normalized?: unknown;
}

/**
 * Base class of every error Gatehouse throws on purpose; match on `code`. Each subclass names
 * the codes it can carry, and every code is in a layer's registry and in docs/errors.md.
 */
export class GatehouseError<Code extends string = string> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "GatehouseError";
    this.code = code;
  }
}

/** Thrown by `corsPolicy()` with every problem of the configuration at once. */
export class CorsConfigError extends GatehouseError<ThrownCode> {
  readonly problems: readonly ConfigProblem[];
  readonly lints: readonly LintNote[];
  constructor(problems: readonly ConfigProblem[], lints: readonly LintNote[] = []) {
    super("GH_CORS_CONFIG_INVALID", formatProblems("Invalid CORS policy", problems));
    this.name = "CorsConfigError";
    this.problems = problems;
    this.lints = lints;
  }
}

/** Renders problems as a numbered report: key, value, code, why, fix. */
export function formatProblems(heading: string, problems: readonly ConfigProblem[]): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = [`${heading}: ${count}`];
  problems.forEach((p, i) => {
    lines.push(`  ${i + 1}. ${p.path || "(root)"} = ${showValue(p.value)}  [${p.code}]`);
    lines.push(`     why: ${p.why}`);
    lines.push(`     fix: ${p.fix}`);
  });
  return lines.join("\n");
}

/** A short, single-line rendering of a config value for messages. */
export function showValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  if (value instanceof RegExp) return String(value);
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(value);
  }
}

/** Collects problems and notes while a configuration is validated. */
export class ProblemSink {
  readonly problems: ConfigProblem[] = [];
  readonly lints: LintNote[] = [];

  problem(code: ConfigErrorCode, path: string, value: unknown, why: string, fix?: string): void {
    this.problems.push({ code, path, value, why, fix: fix ?? CONFIG_ERROR_CODES[code].howToSolve });
  }

  lint(
    code: LintCode,
    path: string,
    value: unknown,
    severity: "info" | "warning",
    message: string,
    normalized?: unknown,
  ): void {
    const note: LintNote =
      normalized === undefined
        ? { code, path, value, severity, message }
        : { code, path, value, severity, message, normalized };
    this.lints.push(note);
  }
}
