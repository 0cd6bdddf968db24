/**
 * Renders docs/errors.md from every layer's code registry: the one place that knows them all.
 *   node --import tsx scripts/errors-doc.ts          # print
 *   node --import tsx scripts/errors-doc.ts --write  # write docs/errors.md
 * test/docs/errors-doc.test.ts compares the file with this output, and fails on a code that is
 * raised in src/ without being in one of the families below.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AUDIT_FINDING_CODES } from "../src/audit/codes.js";
import type { CodeInfo } from "../src/core/codes.js";
import { CONFIG_ERROR_CODES, LINT_CODES, REASON_CODES, THROWN_CODES } from "../src/core/codes.js";
import { DOCTOR_CODES } from "../src/doctor/codes.js";
import {
  CONFIG_THROWN_CODES,
  DOOR_CONFIG_CODES,
  DOOR_LINT_CODES,
} from "../src/door/config/codes.js";
import { DOOR_ERROR_CODES, statusText } from "../src/door/errors.js";
import { HTTP_CLIENT_CODES } from "../src/http-client/unreachable.js";

/** One registry: an exported table of codes in the layer that raises them. */
export interface CodeFamily {
  /** The exported name of the table. */
  readonly name: string;
  /** The file that declares it, from the repository root. */
  readonly source: string;
  /** The naming scheme every code of the family follows. */
  readonly pattern: RegExp;
  /** Request-time codes carry the HTTP status the front door answers with. */
  readonly codes: Readonly<Record<string, CodeInfo & { readonly status?: number }>>;
}

/** One section of docs/errors.md: a heading, what the codes are, and one table. */
interface Section {
  readonly heading: string;
  readonly intro: string;
  readonly families: readonly CodeFamily[];
}

// Request-time codes share GH_ with no family prefix of their own (GH_HOST_*, GH_UPSTREAM_*, ...).
const REQUEST_PATTERN = /^GH_(?!CORS_|LINT_|CONFIG_|AUDIT_|DOCTOR_)[A-Z0-9_]+$/;

const SECTIONS: readonly Section[] = [
  {
    heading: "Configuration errors",
    intro: `A CORS policy with any of these is refused: \`corsPolicy()\` throws a \`CorsConfigError\`
(code \`GH_CORS_CONFIG_INVALID\`) whose \`problems\` list every problem at once, each with its
code, key path, value, why and fix.`,
    families: [
      {
        name: "THROWN_CODES",
        source: "src/core/codes.ts",
        pattern: /^GH_CORS_[A-Z0-9_]+$/,
        codes: THROWN_CODES,
      },
      {
        name: "CONFIG_ERROR_CODES",
        source: "src/core/codes.ts",
        pattern: /^GH_CORS_[A-Z0-9_]+$/,
        codes: CONFIG_ERROR_CODES,
      },
    ],
  },
  {
    heading: "Front-door configuration errors",
    intro: `A configuration file with any of these is refused: \`gatehouse serve\` and \`gatehouse check\`
exit with status 1 and \`loadConfig()\` throws a \`ConfigError\` (code \`GH_CONFIG_INVALID\`).
Every problem is listed at once with its file, line and column, key path, value, why and fix.
Problems inside \`cors\` sections and \`websocket.allowOrigins\` carry the codes above.`,
    families: [
      {
        name: "CONFIG_THROWN_CODES",
        source: "src/door/config/codes.ts",
        pattern: /^GH_CONFIG_[A-Z0-9_]+$/,
        codes: CONFIG_THROWN_CODES,
      },
      {
        name: "DOOR_CONFIG_CODES",
        source: "src/door/config/codes.ts",
        pattern: /^GH_CONFIG_[A-Z0-9_]+$/,
        codes: DOOR_CONFIG_CODES,
      },
    ],
  },
  {
    heading: "Lint notes",
    intro: `Legal choices that were normalized or that carry a risk. They never stop start-up; they are in
\`policy.lints\` and printed by \`gatehouse check\`.`,
    families: [
      {
        name: "LINT_CODES",
        source: "src/core/codes.ts",
        pattern: /^GH_LINT_[A-Z0-9_]+$/,
        codes: LINT_CODES,
      },
    ],
  },
  {
    heading: "Front-door lint notes",
    intro: `Legal choices in a configuration file that carry a risk or were rewritten. \`gatehouse check\`
prints them with their file, line and column; they never stop start-up.`,
    families: [
      {
        name: "DOOR_LINT_CODES",
        source: "src/door/config/codes.ts",
        pattern: /^GH_LINT_[A-Z0-9_]+$/,
        codes: DOOR_LINT_CODES,
      },
    ],
  },
  {
    heading: "Request errors",
    intro: `A request the front door refuses or cannot complete. The answer has the status below and the
JSON body \`{"error": {"code", "message", "id"}}\`; the \`id\` is also in the
\`X-Gatehouse-Error-Id\` header and in the log line of that request. A refused WebSocket upgrade
gets the same answer before any handshake.`,
    families: [
      {
        name: "DOOR_ERROR_CODES",
        source: "src/door/errors.ts",
        pattern: REQUEST_PATTERN,
        codes: DOOR_ERROR_CODES,
      },
    ],
  },
  {
    heading: "Decision reasons",
    intro: "Why `decide()` answered as it did. They appear in the request log and in `explain()`.",
    families: [
      {
        name: "REASON_CODES",
        source: "src/core/codes.ts",
        pattern: /^CORS_[A-Z0-9_]+$/,
        codes: REASON_CODES,
      },
    ],
  },
  {
    heading: "Doctor and audit: reaching the server",
    intro: `The one error of the HTTP client that \`gatehouse doctor\` and \`gatehouse audit\` share: the
URL gave no HTTP answer. Both then exit with status 2.`,
    families: [
      {
        name: "HTTP_CLIENT_CODES",
        source: "src/http-client/unreachable.ts",
        pattern: /^GH_TARGET_UNREACHABLE$/,
        codes: HTTP_CLIENT_CODES,
      },
    ],
  },
  {
    heading: "Doctor findings",
    intro: `Why \`gatehouse doctor URL --origin ORIGIN\` says a browser refuses a cross-origin request (or,
for notes, treats it specially). In \`--json\` they are the \`code\` of each failing step, of the root
cause (\`diagnosis.code\`) and of a grant the doctor will not suggest (\`fix.refused.code\`).`,
    families: [
      {
        name: "DOCTOR_CODES",
        source: "src/doctor/codes.ts",
        pattern: /^GH_DOCTOR_[A-Z0-9_]+$/,
        codes: DOCTOR_CODES,
      },
    ],
  },
  {
    heading: "Audit findings",
    intro: `What \`gatehouse audit URL\` found by probing a running server from outside. Each finding
comes with its severity (which depends on whether the grant carried credentials), the request
and response lines that prove it, why it is exploitable and the fix; the audit exits with
status 1 when it reports any finding other than \`info\`.`,
    families: [
      {
        name: "AUDIT_FINDING_CODES",
        source: "src/audit/codes.ts",
        pattern: /^GH_AUDIT_[A-Z0-9_]+$/,
        codes: AUDIT_FINDING_CODES,
      },
    ],
  },
];

/** Every registry the generator documents, in the order of docs/errors.md. */
export const CODE_FAMILIES: readonly CodeFamily[] = SECTIONS.flatMap((s) => s.families);

/**
 * A Markdown table with its columns padded to equal width, as `biome format` writes it, so the
 * generated file passes the linter unchanged. A Status column appears when the codes have one.
 */
function table(families: readonly CodeFamily[]): string {
  const escapeCell = (text: string) => text.replaceAll("|", "\\|");
  const entries = families.flatMap((f) => Object.entries(f.codes));
  const withStatus = entries.some(([, info]) => info.status !== undefined);
  const rows = [
    withStatus
      ? ["Code", "Status", "Description", "How to solve"]
      : ["Code", "Description", "How to solve"],
    ...entries.map(([code, info]) => [
      `\`${code}\``,
      ...(withStatus ? [`${info.status} ${statusText(info.status ?? 0)}`] : []),
      escapeCell(info.title),
      escapeCell(info.howToSolve),
    ]),
  ];
  const columns = rows[0]?.length ?? 0;
  const widths = Array.from({ length: columns }, (_, col) =>
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

/** "Registry: `A` and `B` in `file`.", naming each file once. */
function sources(families: readonly CodeFamily[]): string {
  const byFile = new Map<string, string[]>();
  for (const f of families)
    byFile.set(f.source, [...(byFile.get(f.source) ?? []), `\`${f.name}\``]);
  const parts = [...byFile].map(([file, names]) => `${names.join(" and ")} in \`${file}\``);
  return `Registry: ${parts.join("; ")}.`;
}

export function renderErrorsDoc(): string {
  const sections = SECTIONS.map(
    (s) => `## ${s.heading}

${s.intro}

${sources(s.families)}

${table(s.families)}
`,
  );
  return `# Error codes

Every code Gatehouse prints is stable: match on the code, never on the wording. A code keeps its
meaning once published and is never reused. Each layer keeps the codes it raises in its own
registry, named under each heading; this file is generated from all of them
(\`node --import tsx scripts/errors-doc.ts --write\`), and a test fails when a code is missing
here or is raised without being in a registry.

${sections.join("\n")}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes("--write")) {
  writeFileSync(new URL("../docs/errors.md", import.meta.url), renderErrorsDoc());
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(renderErrorsDoc());
}
