/**
 * Renders docs/errors.md from the code registry (src/core/codes.ts).
 *   node --import tsx scripts/errors-doc.ts          # print
 *   node --import tsx scripts/errors-doc.ts --write  # write docs/errors.md
 * A test compares the file with this output, so code and docs cannot drift apart.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CodeInfo } from "../src/core/codes.js";
import { CONFIG_ERROR_CODES, LINT_CODES, REASON_CODES } from "../src/core/codes.js";

function table(codes: Record<string, CodeInfo>, second: string): string {
  const escape = (text: string) => text.replaceAll("|", "\\|");
  const rows = Object.entries(codes).map(
    ([code, info]) => `| \`${code}\` | ${escape(info.title)} | ${escape(info.howToSolve)} |`,
  );
  return [`| Code | Description | ${second} |`, "|---|---|---|", ...rows].join("\n");
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

## Lint notes

Legal choices that were normalized or that carry a risk. They never stop start-up; they are in
\`policy.lints\` and printed by \`gatehouse check\`.

${table(LINT_CODES, "What to do")}

## Decision reasons

Why \`decide()\` answered as it did. They appear in the request log and in \`explain()\`.

${table(REASON_CODES, "What it means")}
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes("--write")) {
  writeFileSync(new URL("../docs/errors.md", import.meta.url), renderErrorsDoc());
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(renderErrorsDoc());
}
