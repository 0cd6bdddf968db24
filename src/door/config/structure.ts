/**
 * The structural check: runs the zod schema over the data and turns its issues into problems
 * with stable codes, plain-language reasons and fixes drawn from the schema's own examples.
 *
 * Issues inside the CORS sections and `websocket.allowOrigins` entries are dropped here: the CORS
 * engine's validator owns those values and reports them with its `GH_CORS_*` codes.
 */
import { z } from "zod";
import type { PathSegment } from "./paths.js";
import { formatPath, isRecord, valueAt } from "./paths.js";
import type { ConfigReport } from "./report.js";
import { configFileSchema } from "./schema.js";
import { suggestKey } from "./suggest.js";

/** Reports every structural problem of `data`. */
export function checkStructure(data: unknown, report: ConfigReport): void {
  if (data === null || data === undefined) {
    report.problem(
      "GH_CONFIG_ROUTES_EMPTY",
      [],
      data,
      "the configuration is empty.",
      "Start from an example in examples/, or write at least: routes: [{ match: /, upstream: http://127.0.0.1:18789 }].",
    );
    return;
  }
  const result = configFileSchema.safeParse(data);
  if (result.success) return;
  for (const issue of result.error.issues) reportIssue(issue, [], data, report);
}

/** Paths whose values the CORS engine validates. */
export function isDelegated(path: readonly PathSegment[]): boolean {
  if (path[0] === "cors") return true;
  if (path[0] === "routes" && typeof path[1] === "number" && path[2] === "cors") return true;
  return path[0] === "websocket" && path[1] === "allowOrigins" && path.length >= 3;
}

function reportIssue(
  issue: z.core.$ZodIssue,
  prefix: readonly PathSegment[],
  data: unknown,
  report: ConfigReport,
): void {
  const path = [
    ...prefix,
    ...issue.path.filter((s): s is string | number => typeof s !== "symbol"),
  ];
  if (issue.code === "unrecognized_keys") {
    for (const key of issue.keys) {
      const keyPath = [...path, key];
      if (!isDelegated(keyPath)) unknownKey(keyPath, valueAt(data, keyPath), report);
    }
    return;
  }
  if (isDelegated(path)) return;
  const value = valueAt(data, path);
  const name = formatPath(path) || "the configuration";
  const schema = schemaAt(path);

  switch (issue.code) {
    case "invalid_union": {
      // A value that has the right type for one of the alternatives gets that alternative's
      // problems (`hsts: { maxAge: "1y" }`); otherwise it is simply of the wrong type.
      const branch = issue.errors.find(
        (issues) => !issues.every((i) => i.code === "invalid_type" && i.path.length === 0),
      );
      if (branch !== undefined) {
        for (const inner of branch) reportIssue(inner, path, data, report);
        return;
      }
      wrongType(path, value, schema, report);
      return;
    }
    case "invalid_type":
      if (value === undefined) {
        if (path.length === 1 && path[0] === "routes") {
          report.problem(
            "GH_CONFIG_ROUTES_EMPTY",
            path,
            value,
            "`routes` is missing, so nothing would be served.",
          );
        } else {
          report.problem(
            "GH_CONFIG_REQUIRED",
            path,
            value,
            `${name} is required.`,
            `Add it${exampleFix(path, schema)}`,
          );
        }
        return;
      }
      wrongType(path, value, schema, report);
      return;
    case "invalid_value": {
      const choices = issue.values.map((v) => String(v));
      report.problem(
        "GH_CONFIG_CHOICE",
        path,
        value,
        `${name} must be one of ${choices.join(", ")}.`,
        `Write one of: ${choices.join(", ")}.`,
      );
      return;
    }
    case "too_small":
    case "too_big":
      report.problem(
        "GH_CONFIG_RANGE",
        path,
        value,
        `${name} must be ${issue.code === "too_small" ? "at least" : "at most"} ${String(issue.code === "too_small" ? issue.minimum : issue.maximum)}.`,
      );
      return;
    default:
      report.problem("GH_CONFIG_TYPE", path, value, `${name}: ${issue.message}.`);
  }
}

function wrongType(
  path: readonly PathSegment[],
  value: unknown,
  schema: z.ZodType | null,
  report: ConfigReport,
): void {
  const name = formatPath(path) || "the configuration";
  const expected = schema === null ? "of another type" : expectedPhrase(schema);
  const key = path.at(-1);
  let fix = `Write ${expected}${exampleFix(path, schema)}`;
  if (expected === "true or false" && typeof value === "string") {
    fix = `Write ${String(key)}: true or ${String(key)}: false, without quotes (YAML 1.2 reads yes, no, on and off as strings).`;
  } else if (
    expected.startsWith("a list") &&
    (typeof value === "string" || typeof value === "number")
  ) {
    fix = `Write a list, even for one entry: ${String(key)}: [${inlineYaml(value)}].`;
  } else if (value === null) {
    fix = `Give ${String(key ?? "it")} a value${exampleFix(path, schema)} or remove the key.`;
  }
  report.problem(
    "GH_CONFIG_TYPE",
    path,
    value,
    path.length === 0
      ? `the file must be a mapping of keys (listen:, routes:, ...), not ${describeValue(value)}.`
      : `${name} must be ${expected}, not ${describeValue(value)}.`,
    fix,
  );
}

function unknownKey(path: readonly PathSegment[], value: unknown, report: ConfigReport): void {
  const key = String(path.at(-1));
  const parent = path.slice(0, -1);
  const known = knownKeys(parent);
  const suggestion = suggestKey(key, known, parent);
  let fix: string;
  if (key === "<<") {
    fix =
      "YAML merge keys are not supported: write the keys out, or reuse a whole value with an alias (`*name`).";
  } else if (suggestion !== null) {
    fix = suggestion.startsWith("cors.")
      ? `CORS options go in the \`cors\` section: cors: { ${suggestion.slice(5)}: ... }.`
      : `Did you mean "${suggestion}"?`;
  } else {
    fix = `Known keys${parent.length === 0 ? "" : ` in ${formatPath(parent)}`}: ${known.join(", ")}.`;
  }
  report.problem(
    "GH_CONFIG_UNKNOWN_KEY",
    path,
    value,
    `"${key}" is not a Gatehouse option${parent.length === 0 ? "" : ` in ${formatPath(parent)}`}.`,
    fix,
  );
}

/** The schema of the value at `path`, looking through optional, nullable and union wrappers. */
export function schemaAt(path: readonly PathSegment[]): z.ZodType | null {
  let current: z.ZodType | null = configFileSchema;
  for (const segment of path) {
    if (current === null) return null;
    current = childOf(current, segment);
  }
  return current;
}

function childOf(schema: z.ZodType, segment: PathSegment): z.ZodType | null {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && typeof segment === "string") {
    const shape = inner.shape as Record<string, z.ZodType>;
    return Object.hasOwn(shape, segment) ? (shape[segment] ?? null) : null;
  }
  if (inner instanceof z.ZodArray && typeof segment === "number") return inner.element as z.ZodType;
  if (inner instanceof z.ZodUnion) {
    for (const option of inner.options as readonly z.ZodType[]) {
      const child = childOf(option, segment);
      if (child !== null) return child;
    }
  }
  return null;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** The keys a mapping at `path` may have. */
export function knownKeys(path: readonly PathSegment[]): string[] {
  const schema = schemaAt(path);
  if (schema === null) return [];
  const inner = unwrap(schema);
  const objects =
    inner instanceof z.ZodUnion ? (inner.options as readonly z.ZodType[]).map(unwrap) : [inner];
  for (const candidate of objects) {
    if (candidate instanceof z.ZodObject)
      return Object.keys(candidate.shape).filter((k) => k !== "$schema");
  }
  return [];
}

/** "a string", "a list", "true or false", "a string or a whole number", ... */
function expectedPhrase(schema: z.ZodType): string {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodUnion) {
    return (inner.options as readonly z.ZodType[]).map(expectedPhrase).join(" or ");
  }
  if (inner instanceof z.ZodString) return "a string";
  if (inner instanceof z.ZodNumber) return inner.isInt ? "a whole number" : "a number";
  if (inner instanceof z.ZodBoolean) return "true or false";
  if (inner instanceof z.ZodArray) return "a list";
  if (inner instanceof z.ZodObject) return "a mapping of keys to values";
  if (inner instanceof z.ZodLiteral)
    return inner.values.size === 1 ? String([...inner.values][0]) : "one of the listed values";
  if (inner instanceof z.ZodEnum) return `one of ${inner.options.join(", ")}`;
  return "another type";
}

/** `, e.g. listen: 127.0.0.1:8080.` from the schema's examples, or `.` */
function exampleFix(path: readonly PathSegment[], schema: z.ZodType | null): string {
  const key = path.at(-1);
  const example = schema === null ? undefined : examplesOf(schema)[0];
  if (example === undefined || typeof key !== "string") return ".";
  return `, e.g. ${key}: ${inlineYaml(example)}.`;
}

function examplesOf(schema: z.ZodType): readonly unknown[] {
  let current: z.ZodType = schema;
  for (;;) {
    const meta = current.meta();
    if (meta !== undefined && Array.isArray(meta.examples)) return meta.examples;
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable)
      current = current.unwrap() as z.ZodType;
    else return [];
  }
}

/** A value as it would be written in flow-style YAML: `[a, b]`, `{ k: v }`. */
export function inlineYaml(value: unknown): string {
  if (typeof value === "string") {
    return /^[A-Za-z0-9_./:@-][^,[\]{}#&*!|>'"%@`]*$/.test(value) && !/: |\s$/.test(value)
      ? value
      : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(inlineYaml).join(", ")}]`;
  if (isRecord(value)) {
    const entries = Object.entries(value).map(([k, v]) => `${k}: ${inlineYaml(v)}`);
    return `{ ${entries.join(", ")} }`;
  }
  return String(value);
}

function describeValue(value: unknown): string {
  if (value === null) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  if (typeof value === "number" || typeof value === "boolean")
    return `${typeof value === "number" ? "the number " : ""}${String(value)}`;
  if (isRecord(value)) return "a mapping";
  return typeof value;
}
