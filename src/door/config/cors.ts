/**
 * The CORS parts of the file, delegated to the CORS engine's validator so that a policy means
 * the same in a config file as in `corsPolicy()`, with the same codes and lint notes. A valid
 * section is kept as the validator's normalized config, which the runtime compiles as it is
 * (compileNormalizedPolicy): nothing is validated twice.
 */
import type { NormalizedCorsConfig } from "../../core/config.js";
import { validateCorsConfig } from "../../core/config.js";
import { parseOriginPattern } from "../../core/origin.js";
import { ProblemSink } from "../../core/problems.js";
import type { PathSegment } from "./paths.js";
import { isRecord } from "./paths.js";
import type { ConfigReport } from "./report.js";

/**
 * `*` grants reads only (SPEC, Behaviour): say so where a reader might take it for trust, since
 * the CSRF guard and the WebSocket Origin check used to follow the CORS list.
 */
export function noteWildcardReadsOnly(
  config: NormalizedCorsConfig,
  at: readonly PathSegment[],
  report: ConfigReport,
): void {
  const origins = config.allowOrigins;
  if (!origins.includes("*")) return;
  report.lint(
    "GH_LINT_WILDCARD_READS_ONLY",
    [...at, "allowOrigins"],
    origins,
    "info",
    "`*` lets every website read responses, and that is all: no origin is trusted to open WebSockets or to send unsafe requests past the CSRF guard unless it is listed by name.",
  );
}

/** The global `cors`: absent, null or `false` mean none. Returns undefined when invalid. */
export function normalizeGlobalCors(
  value: unknown,
  report: ConfigReport,
): NormalizedCorsConfig | null | undefined {
  if (value === undefined || value === null || value === false) return null;
  if (!isRecord(value)) {
    report.problem(
      "GH_CORS_CONFIG_TYPE",
      ["cors"],
      value,
      "`cors` is a CORS policy (a mapping of options).",
      "Write cors: { allowOrigins: [https://app.example.com] }, or remove the section to grant nothing cross-origin.",
    );
    return undefined;
  }
  const sink = new ProblemSink();
  const validated = validateCorsConfig(value, sink, "cors");
  report.absorb(sink);
  if (validated === null) return undefined;
  noteWildcardReadsOnly(validated.config, ["cors"], report);
  return validated.config;
}

/**
 * `websocket.allowOrigins`: null (follow `cors`) or a list of origin patterns, parsed like
 * `cors.allowOrigins`. Returns undefined when invalid.
 */
export function normalizeWebSocketOrigins(
  value: unknown,
  report: ConfigReport,
): string[] | null | undefined {
  if (!Array.isArray(value)) return null;
  const sink = new ProblemSink();
  const origins: string[] = [];
  value.forEach((entry: unknown, i) => {
    const path = `websocket.allowOrigins[${i}]`;
    const pattern = parseOriginPattern(entry, path, sink, {
      credentials: false,
      dangerouslyAllowInsecureOrigins: false,
    });
    if (pattern === null) return;
    const text = pattern.kind === "any" ? "*" : pattern.text;
    if (pattern.kind === "any") {
      sink.lint(
        "GH_LINT_WILDCARD_ORIGIN",
        path,
        entry,
        "warning",
        "every website may open WebSockets here; the upstream's own authentication is all that stands in the way (cross-site WebSocket hijacking).",
      );
    }
    if (origins.includes(text)) {
      sink.lint("GH_LINT_DUPLICATE", path, entry, "info", `"${text}" is listed twice.`);
      return;
    }
    origins.push(text);
  });
  const failed = sink.problems.length > 0;
  report.absorb(sink);
  return failed ? undefined : origins;
}
