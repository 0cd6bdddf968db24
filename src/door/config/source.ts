/**
 * From bytes to plain data: reading the file, refusing what is not a configuration (too large,
 * not UTF-8, nested or aliased beyond reason), parsing YAML or JSON, and finding duplicate
 * keys. Every failure becomes a problem with a line and column; nothing here throws.
 *
 * Two slips are read past once reported, so the rest of the file is still checked in the same
 * pass: trailing commas and comments in JSON, and a `*` left unquoted in YAML (which YAML reads
 * as an alias, a reference to an `&anchor`), taken as the text it was meant to be.
 */
import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import type { Alias, Document, YAMLError } from "yaml";
import {
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  Scalar,
} from "yaml";
import { scanJson, withoutSlips } from "./json-syntax.js";
import { yamlLocator } from "./locate.js";
import type { PathSegment } from "./paths.js";
import { formatPath } from "./paths.js";
import { nestingBound } from "./prescan.js";
import type { ConfigReport, Locate, Position } from "./report.js";
import { lineBounds, lineText, positionOf } from "./text.js";

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

  // readSource drops a byte-order mark; text handed in directly (checkConfigText) may have one.
  if (text.startsWith("\uFEFF")) text = text.slice(1);

  let jsonData: unknown;
  if (format === "json") {
    const json = parseJson(text, report);
    if (json === null) return FAILED;
    jsonData = json.data;
    // Slips are blanked out, so the YAML parser below sees what JSON.parse read.
    text = json.text;
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
    return { ok: checkTree(doc, text, report, at), data: jsonData, locate };
  }

  // A `*` alone is only an error the tree walk can read past; any other error stops here.
  if (doc.errors.some((e) => !isBareStar(text, e))) {
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
    const stars = doc.errors.filter((e) => isBareStar(text, e)).map((e) => e.pos[0]);
    for (const error of doc.errors.slice(0, MAX_SYNTAX_PROBLEMS)) {
      const position = at(error.pos[0]);
      const value = position === null ? undefined : lineText(text, error.pos[0]);
      if (isBareStar(text, error)) {
        const { why, fix } = unquotedAlias(text, "*", error.pos[0], tokensAt(stars, 1));
        report.problemAt("GH_CONFIG_SYNTAX", position, value, why, fix);
      } else {
        report.problemAt(
          "GH_CONFIG_SYNTAX",
          position,
          value,
          `the file is not valid YAML: ${yamlMessage(error.message)}.`,
        );
      }
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
  if (!checkTree(doc, text, report, at)) return { ok: false, data: undefined, locate };

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
 * Walks the syntax tree once: depth, explicit tags, keys that are not plain scalars, duplicate
 * keys, and aliases that refer to no anchor (`*`, `*.example.com`: text left unquoted). Those
 * aliases are reported and replaced by the text as written, so the values around them are
 * still checked. Returns false when the tree must not be turned into data.
 */
function checkTree(
  doc: Document,
  text: string,
  report: ConfigReport,
  at: (offset: number | undefined) => Position | null,
): boolean {
  let usable = true;
  let tooDeep = false;
  // Anchors in document order: an alias refers to the last one of its name before it.
  const anchors = new Set<string>();
  const refersToNothing = (alias: Alias): boolean =>
    alias.source === "" || !anchors.has(alias.source);
  // Values are replaced by the text as written; a key (null path) is only reported.
  const unquoted: {
    alias: Alias;
    path: PathSegment[] | null;
    replace: (node: Scalar) => void;
  }[] = [];
  const visit = (node: unknown, path: PathSegment[], replace: (node: Scalar) => void): void => {
    if (isAlias(node)) {
      if (refersToNothing(node)) unquoted.push({ alias: node, path, replace });
      return;
    }
    if (!isNode(node)) return;
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
      tooDeep = true;
      return;
    }
    if (typeof node.anchor === "string") anchors.add(node.anchor);
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
        if (isNode(pair.key) && typeof pair.key.anchor === "string") anchors.add(pair.key.anchor);
        if (isAlias(pair.key) && refersToNothing(pair.key)) {
          unquoted.push({ alias: pair.key, path: null, replace: () => {} });
          usable = false;
          continue;
        }
        if (
          !isScalar(pair.key) ||
          (pair.key.value !== null && typeof pair.key.value === "object")
        ) {
          report.problemAt(
            "GH_CONFIG_SYNTAX",
            at(isNode(pair.key) ? pair.key.range?.[0] : undefined),
            undefined,
            "a key is a list, a mapping or an alias; configuration keys are plain words.",
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
        visit(pair.value, [...path, key], (scalar) => {
          pair.value = scalar;
        });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        visit(item, [...path, i], (scalar) => {
          node.items[i] = scalar;
        });
      });
    }
  };
  visit(doc.contents, [], (scalar) => {
    doc.contents = scalar;
  });
  // Past the depth limit anchors went unseen, so "no such anchor" would be a guess.
  if (tooDeep) return false;

  // Every `*` alone is also a parser error; those the walk did not reach (a `*` as a key) are
  // reported at their position.
  const reached = new Set(unquoted.map(({ alias }) => alias.range?.[0]));
  const stray = doc.errors
    .filter((e) => isBareStar(text, e) && !reached.has(e.pos[0]))
    .map((e) => e.pos[0]);
  const tokens = [
    ...unquoted.flatMap(({ alias }) => (alias.range === undefined ? [] : [tokenOf(alias)])),
    ...tokensAt(stray, 1),
  ];
  for (const { alias, path, replace } of unquoted) {
    const written = `*${alias.source}`;
    const offset = alias.range?.[0];
    const { why, fix } = unquotedAlias(text, written, offset, tokens);
    if (path === null) {
      report.problemAt("GH_CONFIG_SYNTAX", at(offset), lineText(text, offset), why, fix);
      continue;
    }
    report.problem("GH_CONFIG_SYNTAX", path, written, why, fix);
    const scalar = new Scalar(written);
    if (alias.range !== undefined) scalar.range = alias.range;
    replace(scalar);
  }
  for (const offset of stray) {
    const { why, fix } = unquotedAlias(text, "*", offset, tokens);
    report.problemAt("GH_CONFIG_SYNTAX", at(offset), lineText(text, offset), why, fix);
    usable = false;
  }
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

/**
 * JSON.parse decides what is JSON; when it refuses, the scanner says where and why. Trailing
 * commas and comments are reported and then read as blank space, so the rest is still checked.
 * Returns the data and the text it was read from, or null when nothing can be read.
 */
function parseJson(text: string, report: ConfigReport): { data: unknown; text: string } | null {
  try {
    return { data: JSON.parse(text), text };
  } catch {
    // Only a refused file pays for the scan.
  }
  // No line excerpt as the value: a JSON line shown as a JSON string is mostly backslashes.
  const problem = (at: string, offset: number | null, why: string, fix: string): void => {
    report.problemAt(
      "GH_CONFIG_SYNTAX",
      offset === null ? null : positionOf(at, offset),
      undefined,
      why,
      fix,
    );
  };
  const scan = scanJson(text);
  for (const slip of scan.slips.slice(0, MAX_SYNTAX_PROBLEMS)) {
    problem(text, slip.start, slip.why, slip.fix);
  }
  if (scan.slips.length > MAX_SYNTAX_PROBLEMS) {
    problem(
      text,
      null,
      `${scan.slips.length - MAX_SYNTAX_PROBLEMS} more trailing commas or comments follow (not shown).`,
      "Remove every comma after the last item of a list or object, and every comment.",
    );
  }
  if (scan.stop !== null) {
    problem(text, scan.stop.offset, scan.stop.why, scan.stop.fix);
    return null;
  }
  const cleaned = withoutSlips(text, scan.slips);
  try {
    return { data: JSON.parse(cleaned), text: cleaned };
  } catch (error) {
    // The scanner and JSON.parse disagree (a gap in the scanner): JSON.parse's word is final.
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ");
    const offset = /position (\d+)/.exec(message)?.[1];
    problem(
      cleaned,
      offset === undefined ? null : Number(offset),
      `the file is not valid JSON: ${message.replace(/\s*\(line \d+ column \d+\)$/, "")}.`,
      "Fix the JSON at this position: keys and strings in double quotes, no trailing commas, no comments. (Or write the file in YAML and name it .yaml.)",
    );
    return null;
  }
}

/**
 * A parser error for `*` alone (an alias with no name): `[*]`, `hosts: *`. Checked on the text,
 * not the message, which is the parser's to change.
 */
function isBareStar(text: string, error: YAMLError): boolean {
  const offset = error.pos[0];
  return error.code === "BAD_ALIAS" && text[offset] === "*" && !isAnchorChar(text[offset + 1]);
}

/** Anchor and alias names end at white space or a flow indicator (YAML 1.2, ns-anchor-char). */
function isAnchorChar(c: string | undefined): boolean {
  return c !== undefined && !/[\s,[\]{}]/.test(c);
}

type Token = readonly [start: number, end: number];

function tokenOf(alias: Alias): Token {
  const start = alias.range?.[0] ?? 0;
  return [start, start + 1 + alias.source.length];
}

function tokensAt(offsets: readonly number[], length: number): Token[] {
  return offsets.map((offset) => [offset, offset + length] as const);
}

/**
 * Why and fix for text YAML read as an alias: "quote it" first, with the line as it should be
 * written (every such token on it quoted) when that line is short enough to show.
 */
function unquotedAlias(
  text: string,
  written: string,
  offset: number | undefined,
  tokens: readonly Token[],
): { why: string; fix: string } {
  const name = written.slice(1);
  const why =
    name === ""
      ? "`*` must be quoted: unquoted, YAML reads it as an alias (a reference to an `&anchor`), not as text."
      : `\`${written}\` must be quoted: unquoted, YAML reads it as an alias of an \`&${name}\` anchor, and there is none before it.`;
  const example = offset === undefined ? null : quotedLine(text, offset, tokens);
  const quoted = JSON.stringify(written);
  const fix =
    (example === null ? `Quote it: ${quoted}.` : `Quote it: ${quoted}, as in \`${example}\`.`) +
    (name === "" ? "" : ` (If you meant a reference, define \`&${name}\` before it.)`);
  return { why, fix };
}

/** The line holding `offset`, with every token on it in double quotes; null when too long. */
function quotedLine(text: string, offset: number, tokens: readonly Token[]): string | null {
  const { start, end } = lineBounds(text, offset);
  const onLine = tokens.filter(([s, e]) => s >= start && e <= end).sort((a, b) => a[0] - b[0]);
  let line = "";
  let at = start;
  for (const [s, e] of onLine) {
    line += text.slice(at, s) + JSON.stringify(text.slice(s, e));
    at = e;
  }
  line = (line + text.slice(at, end)).trim();
  return line.length > 100 ? null : line;
}
