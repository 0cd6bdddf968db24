/**
 * `Access-Control-Request-Headers`: which header names a preflight asks for, whether the
 * policy allows every one of them, and the `Access-Control-Allow-Headers` answer
 * (fetch.bs §cors-preflight-fetch-0 steps 7.6-7.7).
 *
 * This runs on every preflight, so it is built for the hot path: a line is read in one linear
 * pass with caps on bytes and names, listed names are compared in place without slicing, a
 * refusal allocates nothing, and the lines a browser sends again and again are answered from
 * a small cache without being read twice.
 */

import type { HeaderValue } from "./headers.js";
import { isForbiddenRequestHeaderName, NON_WILDCARD_REQUEST_HEADER, TCHAR } from "./tokens.js";

/** Largest `Access-Control-Request-Headers` the engine reads, over all its lines. */
export const MAX_REQUEST_HEADER_BYTES = 4096;
/** Most names (empty elements included) read from `Access-Control-Request-Headers`. */
export const MAX_REQUEST_HEADER_NAMES = 64;

/** Why the request headers got no `Access-Control-Allow-Headers` answer. */
export enum Scan {
  /** No names were asked for: nothing to answer, nothing refused. */
  None = 0,
  NotAllowed = 1,
  /** `authorization` asked for under `*`, which never covers it. */
  Authorization = 2,
  Malformed = 3,
  TooMany = 4,
}

/** What explain() collects while a request is decided; absent on the hot path. */
export interface ExplainOut {
  offending: string | null;
  names: string[];
}

/** `["access-control-allow-headers", names]`, frozen. */
export type AllowHeadersPair = readonly [string, string];

const ACAH = "access-control-allow-headers";

/** Most listed header names of one length compared in place before hashing wins. */
const IN_PLACE_BUCKET = 4;
/**
 * Accepted `Access-Control-Request-Headers` lines remembered per policy. Browsers send the same
 * few lines over and over; only lines that passed the full scan enter, and the map stops
 * growing when full, so hostile traffic can neither grow memory nor evict the real lines.
 */
const ACRH_CACHE_SIZE = 256;
/** Accepted ACRH lines compared by `===` before the map: a client sends one or two. */
const RECENT_LINES = 4;
/** Longest line looked up in (or added to) that cache. */
const ACRH_CACHE_LINE = 512;

enum InPlace {
  NotListed = 0,
  Listed = 1,
  Ask = 2,
}

/** The request headers one policy allows, and the answers it has already worked out. */
export class RequestHeaderRules {
  /** Listed request-header names by length, for matching in place without slicing. */
  private readonly namesByLength: readonly (readonly string[] | undefined)[];
  /** Lengths with too many names to compare in place: those names are looked up in the set. */
  private readonly crowdedLengths: readonly boolean[];
  private readonly names: Set<string>;
  private readonly wildcard: boolean;
  private readonly acceptedLines = new Map<string, AllowHeadersPair>();
  /** The last few accepted lines (a ring), compared before the map is asked. */
  private readonly recentLines: string[] = [];
  private readonly recentPairs: AllowHeadersPair[] = [];
  private recentNext = 0;

  /** `allowHeaders` as validated: lower-case names, and `*` for any name. */
  constructor(allowHeaders: readonly string[]) {
    this.names = new Set(allowHeaders.filter((h) => h !== "*"));
    const byLength: string[][] = [];
    for (const name of this.names) {
      const bucket = byLength[name.length] ?? [];
      bucket.push(name);
      byLength[name.length] = bucket;
    }
    // In-place matching pays only while a length has few names; crowded lengths are hashed.
    this.namesByLength = byLength.map((names) =>
      names.length <= IN_PLACE_BUCKET ? names : undefined,
    );
    this.crowdedLengths = byLength.map(
      (names) => names !== undefined && names.length > IN_PLACE_BUCKET,
    );
    this.wildcard = allowHeaders.includes("*");
  }

  /**
   * The `Access-Control-Allow-Headers` pair to answer `value` with, or why there is none
   * (Scan.None when no names were asked for). `out` is given by explain() only: it collects
   * the names and bypasses the cache, so that every name is reported.
   */
  answer(value: HeaderValue, out: ExplainOut | undefined): AllowHeadersPair | Scan {
    // Hashing costs the string's length, so only short lines (all real ones) are looked up,
    // and the few lines seen last are compared first (`===` needs no hash).
    if (typeof value === "string" && value.length <= ACRH_CACHE_LINE && out === undefined) {
      const known = this.recentLine(value);
      if (known !== undefined) return known;
    }
    const scanned = this.scan(value, out);
    if (typeof scanned !== "string") return scanned;
    const pair: AllowHeadersPair = Object.freeze([ACAH, scanned] as const);
    if (
      scanned === value &&
      value.length <= ACRH_CACHE_LINE &&
      this.acceptedLines.size < ACRH_CACHE_SIZE
    ) {
      this.acceptedLines.set(value, pair);
      this.rememberLine(value, pair);
    }
    return pair;
  }

  /** An accepted line's answer: the recent ring by `===`, then the map (which hashes). */
  private recentLine(line: string): AllowHeadersPair | undefined {
    const lines = this.recentLines;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === line) return this.recentPairs[i];
    }
    const pair = this.acceptedLines.get(line);
    if (pair !== undefined) this.rememberLine(line, pair);
    return pair;
  }

  private rememberLine(line: string, pair: AllowHeadersPair): void {
    const slot = this.recentNext;
    this.recentLines[slot] = line;
    this.recentPairs[slot] = pair;
    this.recentNext = (slot + 1) % RECENT_LINES;
  }

  /**
   * Reads the header (one or several lines, as intermediaries may split it) in one linear
   * pass, capped at MAX_REQUEST_HEADER_BYTES and MAX_REQUEST_HEADER_NAMES. Returns the
   * `Access-Control-Allow-Headers` value to send (the validated names), or a Scan code. When
   * every name is allowed and the request sent them in canonical form (one line, lower case,
   * no white space, as browsers do), that very string is the answer: no copy.
   */
  private scan(value: HeaderValue, out: ExplainOut | undefined): string | Scan {
    if (value === undefined || value === null) return Scan.None;
    // One line (the usual case) is read as is: wrapping it in an array would allocate on
    // every scan, refusals included.
    const single = typeof value === "string" ? value : null;
    const many = value as readonly string[];
    const count = single !== null ? 1 : many.length;
    if (count === 0) return Scan.None;
    // Bound the work before doing any: total bytes, then the number of elements.
    let bytes = 0;
    let commas = 0;
    for (let l = 0; l < count; l++) {
      const line = single ?? (many[l] as string);
      bytes += line.length;
      if (bytes > MAX_REQUEST_HEADER_BYTES) return Scan.TooMany;
      for (let i = line.indexOf(","); i !== -1; i = line.indexOf(",", i + 1)) commas++;
    }
    if (commas + count > MAX_REQUEST_HEADER_NAMES) return Scan.TooMany;

    let canonical = count === 1;
    let names = 0;
    for (let l = 0; l < count; l++) {
      const line = single ?? (many[l] as string);
      const len = line.length;
      let i = 0;
      while (true) {
        while (i < len && (line.charCodeAt(i) === 0x20 || line.charCodeAt(i) === 0x09)) {
          i++;
          canonical = false;
        }
        const start = i;
        let upper = false;
        while (i < len) {
          const c = line.charCodeAt(i);
          if (c >= 128 || TCHAR[c] === 0) break;
          if (c >= 0x41 && c <= 0x5a) upper = true;
          i++;
        }
        const end = i;
        while (i < len && (line.charCodeAt(i) === 0x20 || line.charCodeAt(i) === 0x09)) {
          i++;
          canonical = false;
        }
        if (i < len && line.charCodeAt(i) !== 0x2c /* , */) return Scan.Malformed;
        if (end > start) {
          names++;
          if (upper) canonical = false;
          // Fast path: a lower-case name compared in place against the listed names of the
          // same length, without slicing or hashing a new string.
          const inPlace =
            !upper && out === undefined ? this.listedInPlace(line, start, end) : InPlace.Ask;
          if (inPlace === InPlace.Listed) {
            // allowed
          } else if (inPlace === InPlace.NotListed && !this.wildcard) {
            return Scan.NotAllowed; // refused without slicing the name out
          } else {
            const name = upper ? line.slice(start, end).toLowerCase() : line.slice(start, end);
            if (out) out.names.push(name);
            if (!this.allows(name)) {
              if (out) out.offending = name;
              return name === NON_WILDCARD_REQUEST_HEADER && this.wildcard
                ? Scan.Authorization
                : Scan.NotAllowed;
            }
          }
        } else {
          canonical = false; // an empty element
        }
        if (i >= len) break;
        i++; // the comma
        if (i >= len) {
          canonical = false; // a trailing comma: an empty element
          break;
        }
      }
    }
    if (names === 0) return Scan.None;
    if (canonical) return single ?? (many[0] as string);
    return canonicalNames(single !== null ? [single] : many);
  }

  /**
   * Is the lower-case name at line[start, end) listed? Compared in place, without slicing:
   * InPlace.Listed, InPlace.NotListed, or InPlace.Ask when its length is crowded (hashed).
   */
  private listedInPlace(line: string, start: number, end: number): InPlace {
    const n = end - start;
    if (this.crowdedLengths[n] === true) return InPlace.Ask;
    const candidates = this.namesByLength[n];
    if (candidates !== undefined) {
      for (let k = 0; k < candidates.length; k++) {
        if (line.startsWith(candidates[k] as string, start)) return InPlace.Listed;
      }
    }
    return InPlace.NotListed;
  }

  /** Listed by name, or covered by `*` (never `authorization`, never a forbidden name). */
  private allows(lowerName: string): boolean {
    if (this.names.has(lowerName)) return true;
    if (!this.wildcard || lowerName === NON_WILDCARD_REQUEST_HEADER) return false;
    return !isForbiddenRequestHeaderName(lowerName);
  }
}

/**
 * The validated names of a non-canonical `Access-Control-Request-Headers` (several lines, white
 * space, upper case or empty elements), joined the way browsers send them. Only reached after a
 * full successful scan, so every element is a token and the count is capped.
 */
function canonicalNames(lines: readonly string[]): string {
  const names: string[] = [];
  for (const line of lines) {
    for (const part of line.split(",")) {
      const name = part.trim().toLowerCase();
      if (name !== "") names.push(name);
    }
  }
  return names.join(",");
}
