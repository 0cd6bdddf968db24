/**
 * Renders docs/errors.md from the code registry (src/core/codes.ts).
 *   node --import tsx scripts/errors-doc.ts          # print
 *   node --import tsx scripts/errors-doc.ts --write  # write docs/errors.md
 * A test compares the file with this output, so code and docs cannot drift apart.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CodeInfo } from "../src/core/codes.js";
import {
  AUDIT_FINDING_CODES,
  CONFIG_ERROR_CODES,
  DOCTOR_CODES,
  GATEWAY_CONFIG_CODES,
  GATEWAY_LINT_CODES,
  LINT_CODES,
  REASON_CODES,
} from "../src/core/codes.js";

/**
 * A Markdown table with its columns padded to equal width, as `biome format` writes it, so the
 * generated file passes the linter unchanged.
 */
function table(codes: Record<string, CodeInfo>, second: string): string {
  const escapeCell = (text: string) => text.replaceAll("|", "\\|");
  const rows = [
    ["Code", "Description", second],
    ...Object.entries(codes).map(([code, info]) => [
      `\`${code}\``,
      escapeCell(info.title),
      escapeCell(info.howToSolve),
    ]),
  ];
  const widths = [0, 1, 2].map((col) =>
    Math.max(3, ...rows.map((row) => [...(row[col] ?? "")].length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, col) => cell + " ".repeat((widths[col] ?? 0) - [...cell].length)).join(" | ")} |`;
  const [head, ...body] = rows;
  return [
    line(head ?? []),
    line(widths.map((w) => "-".repeat(w))),
    ...body.map((row) => line(row)),
  ].join("\n");
}

export function renderErrorsDoc(): string {
  return `# Error codes

Every code Gatehouse prints is stable: match on the code, never on the wording. A code keeps its
meaning once published and is never reused. This file is generated from
\`src/core/codes.ts\` (\`node --import tsx scripts/errors-doc.ts --write\`); a test fails when
the two differ.

## Configuration errors

A CORS policy with any of these is refused: \`corsPolicy()\` throws a \`CorsConfigError\`
(code \`GH_CORS_CONFIG_INVALID\`) whose \`problems\` list every problem at once, each with its
code, key path, value, why and fix.

${table(CONFIG_ERROR_CODES, "How to solve")}

## Front-door configuration errors

A configuration file with any of these is refused: \`gatehouse serve\` and \`gatehouse check\`
exit with status 1 and \`loadConfig()\` throws a \`ConfigError\` (code \`GH_CONFIG_INVALID\`).
Every problem is listed at once with its file, line and column, key path, value, why and fix.
Problems inside \`cors\` sections and \`websocket.allowOrigins\` carry the codes above.

${table(GATEWAY_CONFIG_CODES, "How to solve")}

## Lint notes

Legal choices that were normalized or that carry a risk. They never stop start-up; they are in
\`policy.lints\` and printed by \`gatehouse check\`.

${table(LINT_CODES, "What to do")}

## Front-door lint notes

Legal choices in a configuration file that carry a risk or were rewritten. \`gatehouse check\`
prints them with their file, line and column; they never stop start-up.

${table(GATEWAY_LINT_CODES, "What to do")}

## Decision reasons

Why \`decide()\` answered as it did. They appear in the request log and in \`explain()\`.

${table(REASON_CODES, "What it means")}

## Doctor findings

Why \`gatehouse doctor URL --origin ORIGIN\` says a browser refuses a cross-origin request (or,
for notes, treats it specially). They are the \`code\` of each failing step in \`--json\`.

${table(DOCTOR_CODES, "How to solve")}
${auditSection()}`;
}

// ─── BEGIN audit findings section (`gatehouse audit`; owned by src/audit/) ──────────────────
function auditSection(): string {
  return `
## Audit findings

What \`gatehouse audit URL\` found by probing a running server from outside. Each finding
comes with its severity (which depends on whether the grant carried credentials), the request
and response lines that prove it, why it is exploitable and the fix; the audit exits with
status 1 when it reports any finding other than \`info\`.

${table(AUDIT_FINDING_CODES, "How to fix")}
`;
}
// ─── END audit findings section ──────────────────────────────────────────────────────────────

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes("--write")) {
  writeFileSync(new URL("../docs/errors.md", import.meta.url), renderErrorsDoc());
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(renderErrorsDoc());
}
