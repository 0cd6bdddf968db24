/**
 * Collects what is wrong (problems) and what is worth knowing (lints) while a configuration is
 * read, each at a key path. Locations (line, column) are attached at the end, in one pass, by
 * whoever knows the file: the validators stay free of YAML.
 */
import type { ConfigErrorCode, LintCode } from "../../core/codes.js";
import { CONFIG_ERROR_CODES } from "../../core/codes.js";
import type { ConfigProblem, LintNote, ProblemSink } from "../../core/problems.js";
import type { DoorConfigCode, DoorLintCode } from "./codes.js";
import { DOOR_CONFIG_CODES } from "./codes.js";
import type { PathSegment } from "./paths.js";
import { formatPath, parsePath } from "./paths.js";

/** Codes a configuration file can be refused with: its own, and the CORS ones for `cors`. */
export type ProblemCode = DoorConfigCode | ConfigErrorCode;

/** Where something is in the file, 1-based, as editors count. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * A `ConfigProblem` with the file and, when the key is in the file, its line and column. For a
 * key that is missing, the position is that of the nearest enclosing key that exists.
 */
export interface LocatedProblem extends Omit<ConfigProblem, "code"> {
  readonly code: ProblemCode;
  /** The file as it was named (`--config`); null for `--listen`, `PORT` and built-in values. */
  readonly file: string | null;
  readonly line?: number;
  readonly column?: number;
}

/** Codes of lint notes on a configuration file: its own, and the CORS ones for `cors`. */
export type NoteCode = DoorLintCode | LintCode;

/** A `LintNote` with the file, line and column, like `LocatedProblem`. */
export interface LocatedLint extends Omit<LintNote, "code"> {
  readonly code: NoteCode;
  readonly file: string | null;
  readonly line?: number;
  readonly column?: number;
}

/** Finds a key path in the source; null when it is not there (and has no enclosing key). */
export type Locate = (segments: readonly PathSegment[], at: "key" | "value") => Position | null;

/**
 * Where an entry is: at a key of the file (found later), at a known position (a syntax error),
 * or outside the file (`--listen`, `PORT`, the file as a whole).
 */
type Place =
  | {
      readonly kind: "key";
      readonly segments: readonly PathSegment[];
      readonly at: "key" | "value";
    }
  | { readonly kind: "position"; readonly position: Position | null }
  | { readonly kind: "outside" };

interface Pending<T> {
  readonly entry: T;
  readonly place: Place;
}

type ProblemEntry = Omit<ConfigProblem, "code"> & { readonly code: ProblemCode };
type NoteEntry = Omit<LintNote, "code"> & { readonly code: NoteCode };

/** Problems (and lints) reported at most; the rest are counted. */
export const MAX_REPORTED = 200;

/** Problems about a key itself (not its value) point at the key. */
const KEY_CODES: ReadonlySet<ProblemCode> = new Set([
  "GH_CONFIG_UNKNOWN_KEY",
  "GH_CONFIG_DUPLICATE_KEY",
  "GH_CORS_CONFIG_UNKNOWN_KEY",
]);

export class ConfigReport {
  private readonly problems: Pending<ProblemEntry>[] = [];
  private readonly lints: Pending<NoteEntry>[] = [];

  get problemCount(): number {
    return this.problems.length;
  }

  /** A problem at a key of the file. `fix` defaults to the code's "how to solve". */
  problem(
    code: ProblemCode,
    segments: readonly PathSegment[],
    value: unknown,
    why: string,
    fix?: string,
  ): void {
    this.problems.push({
      entry: { code, path: formatPath(segments), value, why, fix: fix ?? howToSolve(code) },
      place: { kind: "key", segments, at: KEY_CODES.has(code) ? "key" : "value" },
    });
  }

  /** A problem outside the file: `--listen`, `PORT`. */
  problemOutside(code: ProblemCode, path: string, value: unknown, why: string, fix?: string): void {
    this.problems.push({
      entry: { code, path, value, why, fix: fix ?? howToSolve(code) },
      place: { kind: "outside" },
    });
  }

  /**
   * A problem in the file that no key path describes: a syntax error at `position`, or the
   * file as a whole (unreadable, too large) with a null position.
   */
  problemAt(
    code: ProblemCode,
    position: Position | null,
    value: unknown,
    why: string,
    fix?: string,
  ): void {
    this.problems.push({
      entry: { code, path: "", value, why, fix: fix ?? howToSolve(code) },
      place: { kind: "position", position },
    });
  }

  /**
   * A lint note at a key of the file, or, when `segments` is a string, about something outside
   * it (`--listen`).
   */
  lint(
    code: NoteCode,
    segments: readonly PathSegment[] | string,
    value: unknown,
    severity: "info" | "warning",
    message: string,
    normalized?: unknown,
  ): void {
    const path = typeof segments === "string" ? segments : formatPath(segments);
    const entry: NoteEntry =
      normalized === undefined
        ? { code, path, value, severity, message }
        : { code, path, value, severity, message, normalized };
    this.lints.push({
      entry,
      place:
        typeof segments === "string" ? { kind: "outside" } : { kind: "key", segments, at: "value" },
    });
  }

  /** Takes over what the CORS validator (or `parseOriginPattern`) put into a sink. */
  absorb(sink: ProblemSink): void {
    for (const p of sink.problems) {
      const at = KEY_CODES.has(p.code) ? "key" : "value";
      this.problems.push({ entry: p, place: { kind: "key", segments: parsePath(p.path), at } });
    }
    for (const note of sink.lints) {
      this.lints.push({
        entry: note,
        place: { kind: "key", segments: parsePath(note.path), at: "value" },
      });
    }
    sink.problems.length = 0;
    sink.lints.length = 0;
  }

  /**
   * The problems and lints with their file and position, in the order they appear in the file
   * (entries without a position first, in the order they were found).
   */
  located(
    file: string | null,
    locate: Locate | null,
  ): {
    problems: LocatedProblem[];
    lints: LocatedLint[];
  } {
    const placed = <T>({ entry, place }: Pending<T>) => {
      const position =
        place.kind === "position"
          ? place.position
          : place.kind === "key" && locate !== null
            ? locate(place.segments, place.at)
            : null;
      return {
        ...entry,
        file: place.kind === "outside" ? null : file,
        ...(position === null ? {} : { line: position.line, column: position.column }),
      };
    };
    const problems = byPosition(dedupe(this.problems.map(placed)));
    const lints = byPosition(this.lints.map(placed)).slice(0, MAX_REPORTED);
    if (problems.length <= MAX_REPORTED) return { problems, lints };
    // A generated or hostile file can hold a problem per line; a report of thousands helps
    // nobody, and the first ones usually explain the rest.
    const more = problems.length - MAX_REPORTED;
    const summary: LocatedProblem = {
      code: "GH_CONFIG_TOO_COMPLEX",
      path: "",
      value: undefined,
      why: `${more} more problem${more === 1 ? "" : "s"} not shown.`,
      fix: "Fix the problems above first; is this the right file?",
      file,
    };
    return { problems: [...problems.slice(0, MAX_REPORTED), summary], lints };
  }
}

function howToSolve(code: ProblemCode): string {
  return code in DOOR_CONFIG_CODES
    ? DOOR_CONFIG_CODES[code as DoorConfigCode].howToSolve
    : CONFIG_ERROR_CODES[code as ConfigErrorCode].howToSolve;
}

/** Stable sort: unplaced entries first, then by line and column. */
function byPosition<T extends { line?: number; column?: number }>(entries: T[]): T[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => {
      const la = a.entry.line ?? 0;
      const lb = b.entry.line ?? 0;
      if (la !== lb) return la - lb;
      const ca = a.entry.column ?? 0;
      const cb = b.entry.column ?? 0;
      return ca !== cb ? ca - cb : a.index - b.index;
    })
    .map((x) => x.entry);
}

function dedupe<
  T extends { code: string; path: string; why: string; line?: number; column?: number },
>(entries: T[]): T[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    // The position counts: two trailing commas (same code, no key path, same words) are two.
    const key = `${e.code}\u0000${e.path}\u0000${e.why}\u0000${e.line}:${e.column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
