/**
 * Why a file is not JSON, in words a person can act on, at an offset to point at.
 *
 * `JSON.parse` stays the authority on what is valid; this scanner runs only once it has refused
 * a file. Its messages are not enough on Node 20: `[1,]` gives no position at all ("Unexpected
 * token ']'"), no message gives a line, and they name the token that failed rather than the
 * mistake (`{"a": 1,}` says "Expected double-quoted property name").
 *
 * The two slips people make most, trailing commas and comments (JavaScript allows the first,
 * JSONC both), are stepped over and recorded, so one report lists every one of them; when they
 * are the only mistakes, the rest of the file can still be checked. Anything else stops the
 * scan: after a real syntax error, guesses about the rest mislead more than they help.
 */
import type { PathSegment } from "./paths.js";
import { formatPath } from "./paths.js";
import { positionOf } from "./text.js";

/** A trailing comma or a comment: reported, then read as blank space. */
export interface JsonSlip {
  readonly kind: "trailing-comma" | "comment";
  /** Offsets of the comma or the whole comment, end exclusive. */
  readonly start: number;
  readonly end: number;
  readonly why: string;
  readonly fix: string;
}

/** The first mistake the scanner cannot step over. */
export interface JsonStop {
  readonly offset: number;
  readonly why: string;
  readonly fix: string;
}

export interface JsonScan {
  /** Every slip before `stop` (or in the whole text), in order. */
  readonly slips: readonly JsonSlip[];
  readonly stop: JsonStop | null;
}

/** What the scanner waits for next. */
type Expect = "value" | "key" | "colon" | "next" | "end";

interface Open {
  readonly bracket: "{" | "[";
  readonly offset: number;
  /** Where it sits in the data, to name it in messages (`routes[0].cors`). */
  readonly path: readonly PathSegment[];
  /** Values read inside it so far, and the last property name: the next child's segment. */
  count: number;
  key: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const LITERALS = new Set(["true", "false", "null"]);

/** Scans JSON text for trailing commas, comments and the first real syntax error. */
export function scanJson(text: string): JsonScan {
  const slips: JsonSlip[] = [];
  const open: Open[] = [];
  // Widened on purpose: closures (valueDone) change it too, which narrowing cannot see.
  let expect = "value" as Expect;
  let i = 0;
  /** The comma just read while the next key or value is awaited, or -1. */
  let comma = -1;
  /** Right after `{` or `[`, where the closing bracket may come at once. */
  let fresh = false;
  /** The last property name read, for "a colon is missing after ...". */
  let key = "";

  const where = (offset: number): string => {
    const { line, column } = positionOf(text, offset);
    return `line ${line}, column ${column}`;
  };
  // A trailing comma is known only at its closing bracket, after comments that follow it.
  const done = (stop: JsonStop | null): JsonScan => ({
    slips: slips.sort((a, b) => a.start - b.start),
    stop,
  });
  const stopAt = (offset: number, why: string, fix: string): JsonScan => done({ offset, why, fix });
  const valueDone = (): void => {
    const parent = open.at(-1);
    if (parent !== undefined) parent.count++;
    comma = -1;
    fresh = false;
    expect = open.length === 0 ? "end" : "next";
  };

  /** Whitespace and comments; a comment is a slip. Returns an unclosed comment's stop. */
  const skip = (): JsonScan | null => {
    while (i < text.length) {
      const c = text[i];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") {
        i++;
      } else if (c === "/" && (text[i + 1] === "/" || text[i + 1] === "*")) {
        const line = text[i + 1] === "/";
        const close = line ? text.indexOf("\n", i) : text.indexOf("*/", i + 2);
        if (close === -1 && !line) {
          return stopAt(i, "a /* comment is never closed, and JSON has no comments.", COMMENT_FIX);
        }
        const end = close === -1 ? text.length : line ? close : close + 2;
        slips.push({ kind: "comment", start: i, end, why: COMMENT_WHY, fix: COMMENT_FIX });
        i = end;
      } else {
        return null;
      }
    }
    return null;
  };

  /** A closing bracket: the one expected, after an item or right after the opening one. */
  const close = (c: "]" | "}"): JsonScan | null => {
    const inner = open.at(-1);
    const what = c === "]" ? "a list" : "an object";
    if (inner === undefined) {
      return stopAt(
        i,
        `"${c}" closes ${what}, but none is open here.`,
        "Remove it, or check the brackets above.",
      );
    }
    const want = inner.bracket === "{" ? "}" : "]";
    if (c !== want) {
      return stopAt(
        i,
        `"${c}" closes ${what}, but the ${nameOf(inner)} opened at ${where(inner.offset)} is still open.`,
        `Write "${want}" here, or check the brackets above.`,
      );
    }
    if (comma !== -1) {
      slips.push({
        kind: "trailing-comma",
        start: comma,
        end: comma + 1,
        why: `trailing comma after the last ${c === "]" ? "item" : "property"} of ${whole(inner)}: JSON does not allow it.`,
        fix: `Remove the comma before "${c}".`,
      });
    }
    open.pop();
    i++;
    valueDone();
    return null;
  };

  /** A string from its opening quote; leaves `i` after the closing one. */
  const string = (): JsonScan | null => {
    const start = i;
    let j = i + 1;
    for (;;) {
      if (j >= text.length) {
        return stopAt(start, "the string that starts here is never closed.", STRING_FIX);
      }
      const code = text.charCodeAt(j);
      if (code === 34) {
        i = j + 1;
        return null;
      }
      if (code === 92) {
        const e = text[j + 1];
        if (e !== undefined && ESCAPES.has(e)) {
          j += 2;
        } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) {
          j += 6;
        } else if (e === undefined || e === "\n" || e === "\r") {
          return stopAt(start, "the string that starts here is never closed.", STRING_FIX);
        } else {
          return stopAt(
            j,
            `"\\${e}" is not a JSON escape.`,
            'Write \\\\ for a backslash. JSON knows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX.',
          );
        }
      } else if (code === 10 || code === 13) {
        return stopAt(
          start,
          'the string that starts here does not end on its line: a closing " is missing.',
          STRING_FIX,
        );
      } else if (code < 0x20) {
        const escaped = code === 9 ? "\\t" : `\\u${code.toString(16).padStart(4, "0")}`;
        return stopAt(
          j,
          `a raw ${code === 9 ? "tab" : "control character"} inside a string.`,
          `Write it as ${escaped}, or remove it.`,
        );
      } else {
        j++;
      }
    }
  };

  /** Text up to the next delimiter: a bare word, a number, or a mistake. */
  const word = (inKey: boolean): string => {
    let j = i;
    while (j < text.length && !isDelimiter(text[j] as string, inKey)) {
      // `8080// note`: the comment is a slip of its own, not part of the token (but the `//`
      // of an unquoted `https://` is).
      if (text[j] === "/" && (text[j + 1] === "/" || text[j + 1] === "*") && text[j - 1] !== ":") {
        break;
      }
      j++;
    }
    return text.slice(i, j);
  };

  /** A value that is not a string, object or list: a number, a literal, or a mistake. */
  const bare = (): JsonScan | null => {
    const c = text[i] as string;
    const token = word(false);
    if (/[-+.\d]/.test(c)) {
      NUMBER.lastIndex = i;
      if (NUMBER.exec(text)?.[0].length === token.length) {
        i += token.length;
        valueDone();
        return null;
      }
      return stopAt(
        i,
        `${shown(token)} is not a JSON number.`,
        "Write a plain decimal number such as 8080 (no leading zeros, +, hex or units), or put text in double quotes.",
      );
    }
    if (LITERALS.has(token)) {
      i += token.length;
      valueDone();
      return null;
    }
    if (token === "") {
      return stopAt(i, `a value was expected, not "${c}".`, VALUE_FIX);
    }
    const lower = token.toLowerCase();
    return stopAt(
      i,
      `${shown(token)} is not a JSON value: text goes in double quotes (true, false and null are the only bare words).`,
      LITERALS.has(lower)
        ? `Write ${lower}, in lower case.`
        : `Quote it: ${JSON.stringify(token)}.`,
    );
  };

  for (;;) {
    const unclosed = skip();
    if (unclosed !== null) return unclosed;
    if (i >= text.length) {
      if (expect === "end") return done(null);
      const inner = open.at(-1);
      if (inner === undefined) {
        return stopAt(
          i,
          "the file is empty.",
          'A JSON configuration is one object, e.g. {"routes": [{"match": "/", "upstream": "http://127.0.0.1:18789"}]}.',
        );
      }
      const want = inner.bracket === "{" ? "}" : "]";
      return stopAt(
        i,
        `the file ends before the ${nameOf(inner)} opened at ${where(inner.offset)} is closed.`,
        `Add the missing "${want}", and check the brackets above.`,
      );
    }
    const c = text[i] as string;
    let stop: JsonScan | null = null;
    switch (expect) {
      case "value":
        if (c === "{" || c === "[") {
          const parent = open.at(-1);
          const path =
            parent === undefined
              ? []
              : [...parent.path, parent.bracket === "{" ? parent.key : parent.count];
          open.push({ bracket: c, offset: i, path, count: 0, key: "" });
          i++;
          expect = c === "{" ? "key" : "value";
          fresh = true;
          comma = -1;
        } else if (c === "]" || c === "}") {
          stop =
            fresh || comma !== -1 || open.length === 0
              ? close(c)
              : stopAt(i, `a value is missing before "${c}".`, VALUE_FIX);
        } else if (c === ",") {
          stop = stopAt(
            i,
            "a value is missing before this comma.",
            "Write the value, or remove the extra comma.",
          );
        } else if (c === '"') {
          stop = string();
          if (stop === null) valueDone();
        } else if (c === "'") {
          stop = singleQuoted(text, i, stopAt);
        } else {
          stop = bare();
        }
        break;
      case "key":
        if (c === '"') {
          const start = i;
          stop = string();
          key = text.slice(start, i);
          const inner = open.at(-1);
          // A string the scanner accepted is one JSON.parse reads.
          if (stop === null && inner !== undefined) inner.key = JSON.parse(key) as string;
          expect = "colon";
          fresh = false;
          comma = -1;
        } else if (c === "}" || c === "]") {
          stop = close(c);
        } else if (c === ",") {
          stop = stopAt(i, "a property is missing before this comma.", "Remove the extra comma.");
        } else if (c === "'") {
          stop = singleQuoted(text, i, stopAt);
        } else {
          const name = word(true);
          stop =
            name === ""
              ? stopAt(
                  i,
                  `a property name in double quotes was expected, not "${c}".`,
                  'Write "name": value.',
                )
              : stopAt(
                  i,
                  `the property name ${shown(name)} is not quoted: JSON puts property names in double quotes.`,
                  `Quote it: ${JSON.stringify(name)}.`,
                );
        }
        break;
      case "colon":
        if (c === ":") {
          i++;
          expect = "value";
        } else {
          stop = stopAt(
            i,
            `a colon is missing after the property name ${key}.`,
            `Write ${key}: followed by its value.`,
          );
        }
        break;
      case "next": {
        const inner = open.at(-1) as Open;
        if (c === ",") {
          comma = i;
          i++;
          expect = inner.bracket === "{" ? "key" : "value";
        } else if (c === "]" || c === "}") {
          stop = close(c);
        } else {
          const want = inner.bracket === "{" ? "}" : "]";
          const items = inner.bracket === "{" ? "properties" : "items";
          stop = stopAt(
            i,
            `a comma (or a closing "${want}") is missing before this.`,
            `Put a comma between two ${items}, or close the ${nameOf(inner)} with "${want}".`,
          );
        }
        break;
      }
      case "end":
        stop = stopAt(
          i,
          "there is more text after the end of the JSON value.",
          "A configuration is one JSON object: remove what follows it, or check the brackets above.",
        );
        break;
    }
    if (stop !== null) return stop;
  }
}

/** The text with every slip blanked out; line breaks are kept, so positions stay true. */
export function withoutSlips(text: string, slips: readonly JsonSlip[]): string {
  if (slips.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const slip of slips) {
    parts.push(
      text.slice(at, slip.start),
      text.slice(slip.start, slip.end).replace(/[^\r\n]/g, " "),
    );
    at = slip.end;
  }
  parts.push(text.slice(at));
  return parts.join("");
}

const COMMENT_WHY = "a comment: JSON has no comments.";
const COMMENT_FIX =
  "Remove the comment, or write the configuration in YAML (a .yaml file), where # starts a comment.";
const STRING_FIX = "Add the closing double quote. (A line break inside a string is written \\n.)";
const VALUE_FIX =
  "Write the value: a string in double quotes, a number, true, false, null, a list or an object.";

/** `routes[0].cors`, or "the top-level object" for the root. */
function whole(open: Open): string {
  return open.path.length === 0 ? `the top-level ${nameOf(open)}` : formatPath(open.path);
}

function nameOf(open: Open): string {
  return open.bracket === "{" ? "object" : "list";
}

function isDelimiter(c: string, inKey: boolean): boolean {
  return (
    c === " " ||
    c === "\t" ||
    c === "\n" ||
    c === "\r" ||
    c === "," ||
    c === "[" ||
    c === "]" ||
    c === "{" ||
    c === "}" ||
    c === '"' ||
    (inKey && c === ":")
  );
}

/** A token in backticks, shortened: it may be a whole line of text. */
function shown(token: string): string {
  return `\`${token.length > 40 ? `${token.slice(0, 37)}...` : token}\``;
}

/** `'text'`: says so, and shows the double-quoted form when the string ends on its line. */
function singleQuoted(
  text: string,
  start: number,
  stopAt: (offset: number, why: string, fix: string) => JsonScan,
): JsonScan {
  const end = text.indexOf("'", start + 1);
  const newline = text.indexOf("\n", start);
  const inner = end !== -1 && (newline === -1 || end < newline) ? text.slice(start + 1, end) : null;
  return stopAt(
    start,
    "a string in single quotes: JSON strings use double quotes.",
    inner === null || inner.length > 60
      ? "Write the string in double quotes."
      : `Write ${JSON.stringify(inner)} instead of '${inner}'.`,
  );
}
