/**
 * From bytes to plain data: reading the file, refusing what is not a configuration (too large,
 * not UTF-8, nested or aliased beyond reason), parsing YAML or JSON, and finding duplicate
 * keys. Every failure becomes a problem with a line and column; nothing here throws.
 */
import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import type { Document } from "yaml";
import { isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { yamlLocator } from "./locate.js";
import type { PathSegment } from "./paths.js";
import { formatPath } from "./paths.js";
import { nestingBound } from "./prescan.js";
import type { ConfigReport, Locate, Position } from "./report.js";

export type SourceFormat = "yaml" | "json";

/** Largest file read: a configuration is a few kilobytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Deepest nesting accepted (the schema itself needs 5). */
export const MAX_DEPTH = 32;
/** Alias uses allowed while building the data (yaml's guard against "billion laughs"). */
export const MAX_ALIAS_COUNT = 100;
/** The pre-scan's bound, far above any real file and far below what crashes the parser. */
const PRESCAN_LIMIT = 256;
/** Syntax errors reported per file: after the first few, the rest are usually echoes. */
const MAX_SYNTAX_PROBLEMS = 10;

export interface ParsedSource {
  /** False when the text cannot be used as data (the problems say why). */
  readonly ok: boolean;
  readonly data: unknown;
  /** Finds key paths in the text; null when positions are unknown. */
  readonly locate: Locate | null;
}

const FAILED: ParsedSource = { ok: false, data: undefined, locate: null };

/** The format a file name implies, or null for an unknown extension. */
export function formatOf(file: string): SourceFormat | null {
  const ext = extname(file).toLowerCase();
  if (ext === ".yaml" || ext === ".yml") return "yaml";
  if (ext === ".json") return "json";
  return null;
}

/** Reads a configuration file as text; on failure reports one problem and returns null. */
export function readSource(path: string, report: ConfigReport): string | null {
  let bytes: Buffer;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      report.problemAt(
        "GH_CONFIG_FILE_UNREADABLE",
        null,
        path,
        "this is a directory, not a file.",
        "Name the configuration file itself, e.g. --config ./gatehouse.yaml.",
      );
      return null;
    }
    if (!stat.isFile()) {
      // A FIFO or device could block the read forever or never end.
      report.problemAt(
        "GH_CONFIG_FILE_UNREADABLE",
        null,
        path,
        "this is not a regular file (a pipe, socket or device).",
        "Save the configuration to a file and name that file.",
      );
      return null;
    }
    if (stat.size > MAX_CONFIG_BYTES) {
      report.problemAt(
        "GH_CONFIG_FILE_TOO_LARGE",
        null,
        stat.size,
        `the file has ${stat.size} bytes; Gatehouse reads at most ${MAX_CONFIG_BYTES}.`,
      );
      return null;
    }
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    report.problemAt(
      "GH_CONFIG_FILE_UNREADABLE",
      null,
      path,
      code === "ENOENT"
        ? "there is no file at this path."
        : code === "EACCES" || code === "EPERM"
          ? "the file exists but this user may not read it."
          : `the file cannot be read (${code ?? String(error)}).`,
    );
    return null;
  }
  return decodeText(bytes, report);
}

/** UTF-8 without NUL bytes, or a problem naming the first offending byte. */
export function decodeText(bytes: Uint8Array, report: ConfigReport): string | null {
  const nul = bytes.indexOf(0);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    report.problemAt(
      "GH_CONFIG_SYNTAX",
      null,
      undefined,
      "the file is not UTF-8 text (is it a binary file, or saved in another encoding?).",
      "Save the configuration as UTF-8 text.",
    );
    return null;
  }
  if (nul !== -1) {
    report.problemAt(
      "GH_CONFIG_SYNTAX",
      positionOf(text, text.indexOf("\u0000")),
      undefined,
      "the file contains a NUL byte: it is not a text file.",
      "Save the configuration as UTF-8 text.",
    );
    return null;
  }
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}

/**
 * Parses configuration text. `ok` is false when the text cannot be read as data (syntax errors,
 * excessive nesting or aliasing); problems that still leave data (duplicate keys) are reported
 * and the data returned.
 */
export function parseSource(
  text: string,
  format: SourceFormat,
  report: ConfigReport,
): ParsedSource {
  const bound = nestingBound(text, PRESCAN_LIMIT);
  if (bound.depth > PRESCAN_LIMIT) {
    report.problemAt(
      "GH_CONFIG_TOO_COMPLEX",
      { line: bound.line, column: 1 },
      undefined,
      `the text nests more than ${PRESCAN_LIMIT} levels deep (or is indented that far).`,
    );
    return FAILED;
  }

  let jsonData: unknown;
  if (format === "json") {
    try {
      jsonData = JSON.parse(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const offset = /position (\d+)/.exec(message)?.[1];
      report.problemAt(
        "GH_CONFIG_SYNTAX",
        offset === undefined ? null : positionOf(text, Number(offset)),
        undefined,
        `the file is not valid JSON: ${message.replace(/\s*\(line \d+ column \d+\)$/, "")}.`,
        "Fix the JSON at this position: keys and strings in double quotes, no trailing commas, no comments. (Or write the file in YAML and name it .yaml.)",
      );
      return FAILED;
    }
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    // Duplicates are reported below with their key path, not as anonymous syntax errors.
    uniqueKeys: false,
    version: "1.2",
    schema: "core",
    merge: false,
  });
  const locate = yamlLocator(doc, lineCounter);
  const at = (offset: number | undefined): Position | null => {
    if (offset === undefined) return null;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (format === "json") {
    // The JSON parser is the authority on JSON; the YAML tree only serves for positions and
    // duplicate keys, and only when it parsed cleanly.
    if (doc.errors.length > 0) return { ok: true, data: jsonData, locate: null };
    return { ok: checkTree(doc, report, at), data: jsonData, locate };
  }

  if (doc.errors.length > 0) {
    if (doc.errors.some((e) => e.code === "RESOURCE_EXHAUSTION")) {
      const first = doc.errors.find((e) => e.code === "RESOURCE_EXHAUSTION");
      report.problemAt(
        "GH_CONFIG_TOO_COMPLEX",
        at(first?.pos[0]),
        undefined,
        "the text nests too deeply for the YAML parser.",
      );
      return FAILED;
    }
    for (const error of doc.errors.slice(0, MAX_SYNTAX_PROBLEMS)) {
      const position = at(error.pos[0]);
      report.problemAt(
        "GH_CONFIG_SYNTAX",
        position,
        position === null ? undefined : lineText(text, error.pos[0]),
        `the file is not valid YAML: ${yamlMessage(error.message)}.`,
      );
    }
    if (doc.errors.length > MAX_SYNTAX_PROBLEMS) {
      report.problemAt(
        "GH_CONFIG_SYNTAX",
        null,
        undefined,
        `${doc.errors.length - MAX_SYNTAX_PROBLEMS} more syntax errors follow (not shown).`,
        "Fix the errors above first; later ones are often caused by them.",
      );
    }
    return FAILED;
  }
  for (const warning of doc.warnings) {
    report.problemAt(
      "GH_CONFIG_SYNTAX",
      at(warning.pos[0]),
      lineText(text, warning.pos[0]),
      `the YAML is ambiguous: ${yamlMessage(warning.message)}.`,
    );
  }
  if (doc.warnings.length > 0) return FAILED;
  if (!checkTree(doc, report, at)) return { ok: false, data: undefined, locate };

  try {
    return { ok: true, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), locate };
  } catch (error) {
    const aliases = error instanceof ReferenceError && /alias/i.test(error.message);
    report.problemAt(
      aliases ? "GH_CONFIG_TOO_COMPLEX" : "GH_CONFIG_SYNTAX",
      null,
      undefined,
      aliases
        ? `the file expands YAML aliases (*name) more than ${MAX_ALIAS_COUNT} times.`
        : `the YAML cannot be turned into data: ${error instanceof Error ? error.message : String(error)}.`,
    );
    return FAILED;
  }
}

/**
 * Walks the syntax tree once: depth, explicit tags, keys that are not plain scalars, and
 * duplicate keys. Returns false when the tree must not be turned into data.
 */
function checkTree(
  doc: Document,
  report: ConfigReport,
  at: (offset: number | undefined) => Position | null,
): boolean {
  let usable = true;
  const visit = (node: unknown, path: PathSegment[]): void => {
    if (!isNode(node) || isAlias(node)) return;
    if (path.length > MAX_DEPTH) {
      if (usable) {
        report.problem(
          "GH_CONFIG_TOO_COMPLEX",
          path,
          undefined,
          `the configuration nests more than ${MAX_DEPTH} levels deep.`,
        );
      }
      usable = false;
      return;
    }
    if (typeof node.tag === "string" && !STANDARD_TAGS.has(node.tag)) {
      report.problem(
        "GH_CONFIG_SYNTAX",
        path,
        node.tag,
        `the YAML tag ${node.tag} is not supported in a configuration.`,
        "Remove the tag and write the plain value.",
      );
      usable = false;
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        if (
          !isScalar(pair.key) ||
          (pair.key.value !== null && typeof pair.key.value === "object")
        ) {
          report.problemAt(
            "GH_CONFIG_SYNTAX",
            at(isNode(pair.key) ? pair.key.range?.[0] : undefined),
            undefined,
            "a key is a list or a mapping; configuration keys are plain words.",
            "Write the key as a plain word, e.g. `listen:`.",
          );
          usable = false;
          continue;
        }
        const key = String(pair.key.value);
        if (seen.has(key)) {
          report.problem(
            "GH_CONFIG_DUPLICATE_KEY",
            [...path, key],
            isScalar(pair.value) ? pair.value.value : undefined,
            `"${key}" appears more than once in ${path.length === 0 ? "the file" : formatPath(path)}.`,
          );
        }
        seen.add(key);
        visit(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        visit(item, [...path, i]);
      });
    }
  };
  visit(doc.contents, []);
  return usable;
}

const STANDARD_TAGS = new Set([
  "tag:yaml.org,2002:str",
  "tag:yaml.org,2002:int",
  "tag:yaml.org,2002:float",
  "tag:yaml.org,2002:bool",
  "tag:yaml.org,2002:null",
  "tag:yaml.org,2002:map",
  "tag:yaml.org,2002:seq",
]);

/** The parser's message without its trailing position ("at line 2, column 1:"). */
function yamlMessage(message: string): string {
  return (message.split("\n")[0] ?? message)
    .replace(/\s*at line \d+, column \d+:?\s*$/, "")
    .replace(/\.$/, "");
}

function positionOf(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The source line around an offset, trimmed to a readable length. */
function lineText(text: string, offset: number | undefined): string | undefined {
  if (offset === undefined) return undefined;
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  const end = text.indexOf("\n", offset);
  const line = text.slice(start, end === -1 ? undefined : end).trimEnd();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
