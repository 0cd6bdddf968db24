/**
 * `gatehouse check --config FILE [--json]`: validates a configuration and lints it for risky
 * choices. Exit 0 when valid (notes are printed, not fatal), 1 when invalid, 2 on usage errors.
 */
import type { LocatedLint, LocatedProblem } from "../door/config/index.js";
import {
  checkConfigFile,
  formatConfigProblems,
  formatLints,
  formatListen,
} from "../door/config/index.js";
import type { GatehouseConfig } from "../door/config/types.js";
import type { Command } from "./args.js";
import { parseCommandArgs, usageError } from "./args.js";

const USAGE = "check --config FILE [--json]";

const HELP = `Usage: gatehouse ${USAGE}

Validates a configuration file (YAML or JSON) and lints it for risky but legal choices.
Every problem is listed at once, with file:line:column, the key, its value, why it is refused
and how to fix it.

Options:
  -c, --config FILE  the configuration file (.yaml, .yml or .json)
      --json         print { ok, problems, lints } as JSON instead of text
  -h, --help         show this help

Exit status: 0 valid (notes may be printed), 1 invalid, 2 usage error.
The PORT environment variable is applied as \`gatehouse serve\` would apply it.
Codes are explained in docs/errors.md.`;

/** The machine-readable report printed by `--json`. */
export interface CheckReport {
  readonly ok: boolean;
  readonly problems: readonly LocatedProblem[];
  readonly lints: readonly LocatedLint[];
}

export const check: Command = {
  name: "check",
  usage: USAGE,
  help: HELP,
  summary: "validate a config file and lint it for risky choices",
  async run(args) {
    const parsed = parseCommandArgs(check, args, {
      config: { type: "string", short: "c" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    if (typeof parsed === "number") return parsed;
    const { values, positionals } = parsed;
    if (positionals.length > 0) {
      return usageError(
        check,
        `unexpected argument "${positionals[0]}"${values.config === undefined ? `; did you mean --config ${positionals[0]}?` : ""}`,
      );
    }
    if (values.config === undefined || values.config === "") {
      return usageError(check, "--config FILE is required");
    }

    const file = values.config;
    const result = checkConfigFile(file, { env: process.env });
    if (values.json === true) {
      const report: CheckReport = { ok: result.ok, problems: result.problems, lints: result.lints };
      console.log(JSON.stringify(report, jsonSafe, 2));
      return result.ok ? 0 : 1;
    }
    if (!result.ok) {
      console.log(formatConfigProblems(file, result.problems));
      console.log(`\n${file} is invalid. Codes are explained in docs/errors.md.`);
      return 1;
    }
    const warnings = result.lints.filter((l) => l.severity === "warning").length;
    const notes = result.lints.length - warnings;
    const counts = [
      warnings > 0 ? `${warnings} warning${warnings === 1 ? "" : "s"}` : "",
      notes > 0 ? `${notes} note${notes === 1 ? "" : "s"}` : "",
    ].filter((s) => s !== "");
    console.log(`${file} is valid${counts.length > 0 ? ` (${counts.join(", ")})` : ""}.`);
    if (result.lints.length > 0) console.log(formatLints(result.lints));
    console.log(summary(result.config));
    return 0;
  },
};

/** The effective values the defaults produced, which the file may not spell out. */
function summary(config: GatehouseConfig): string {
  const lines = [
    "",
    "Effective:",
    `  listen        ${formatListen(config.listen)}${config.tls === null ? "" : " (HTTPS)"}`,
    `  publicOrigin  ${config.publicOrigin}`,
    `  hosts         ${config.hosts.join(", ")}`,
    `  trustProxy    ${config.trustProxy.length === 0 ? "(none)" : config.trustProxy.join(", ")}`,
    `  cors          ${config.cors === null ? "(none: nothing granted cross-origin)" : config.cors.allowOrigins.join(", ")}`,
    `  csrf          ${config.csrf ? "on" : "OFF"}`,
    "  routes",
    ...config.routes.map(
      (r) =>
        `    ${r.match.padEnd(16)} ${r.kind === "upstream" ? `-> ${r.upstream.href}${r.stripPrefix ? " (prefix stripped)" : ""}` : `files ${r.root}${r.spa ? " (SPA)" : ""}`}${r.cors === false ? "  cors: none" : r.cors === undefined ? "" : `  cors: ${r.cors.allowOrigins.join(", ")}`}`,
    ),
  ];
  return lines.join("\n");
}

/** JSON.stringify replacer: RegExps and other non-JSON values as text. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof RegExp || typeof value === "bigint") return String(value);
  return value;
}
