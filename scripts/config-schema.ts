/**
 * Renders schema/gatehouse.schema.json from the configuration's zod schema
 * (src/door/config/schema.ts), for editors: completion, and each key's documentation.
 *   node --import tsx scripts/config-schema.ts          # print
 *   node --import tsx scripts/config-schema.ts --write  # write schema/gatehouse.schema.json
 * A test compares the file with this output, so the schema and the loader cannot drift apart.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { configFileSchema } from "../src/door/config/schema.js";

/** Where the schema is written, relative to the repository root. */
export const SCHEMA_PATH = "schema/gatehouse.schema.json";

/** zod's bounds for "a safe integer": noise in an editor, so they are left out. */
const SAFE_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

/** The JSON Schema (draft-07, the dialect YAML and JSON editors support best). */
export function buildConfigSchema(): unknown {
  const schema = z.toJSONSchema(configFileSchema, {
    target: "draft-07",
    // Describe what people write in the file, not what the loader makes of it.
    io: "input",
    unrepresentable: "throw",
  });
  return withoutSafeBounds(schema);
}

function withoutSafeBounds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSafeBounds);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (
      (key === "minimum" || key === "maximum") &&
      typeof entry === "number" &&
      SAFE_BOUNDS.has(entry)
    ) {
      continue;
    }
    out[key] = withoutSafeBounds(entry);
  }
  return out;
}

/** The file's text: JSON laid out as `biome format` lays it out, so the linter accepts it. */
export function renderConfigSchema(): string {
  return `${formatJson(buildConfigSchema(), 0, 0)}\n`;
}

const LINE_WIDTH = 100;

/** `[1, ["a", "b"]]` for lists of plain values and such lists; null when an object is inside. */
function inlineArray(value: readonly unknown[]): string | null {
  const parts: string[] = [];
  for (const item of value) {
    if (Array.isArray(item)) {
      const inner = inlineArray(item);
      if (inner === null) return null;
      parts.push(inner);
    } else if (typeof item === "object" && item !== null) {
      return null;
    } else {
      parts.push(JSON.stringify(item));
    }
  }
  return `[${parts.join(", ")}]`;
}

/**
 * Objects one key per line; lists of plain values (or of such lists) on one line when that line (with its key and
 * trailing comma) fits in 100 columns, one entry per line otherwise.
 */
function formatJson(value: unknown, indent: number, prefix: number): string {
  const pad = " ".repeat(indent + 2);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const inline = inlineArray(value);
    if (inline !== null && indent + prefix + inline.length + 1 <= LINE_WIDTH) return inline;
    const items = value.map((v) => `${pad}${formatJson(v, indent + 2, 0)}`);
    return `[\n${items.join(",\n")}\n${" ".repeat(indent)}]`;
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const lines = entries.map(([key, v]) => {
      const head = `${JSON.stringify(key)}: `;
      return `${pad}${head}${formatJson(v, indent + 2, head.length)}`;
    });
    return `{\n${lines.join(",\n")}\n${" ".repeat(indent)}}`;
  }
  return JSON.stringify(value);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--write")) {
    mkdirSync(new URL("../schema/", import.meta.url), { recursive: true });
    writeFileSync(new URL(`../${SCHEMA_PATH}`, import.meta.url), renderConfigSchema());
  } else {
    process.stdout.write(renderConfigSchema());
  }
}
