/**
 * Key paths: the `routes[1].cors.allowOrigins[2]` strings that every problem and lint carries,
 * and the segment lists (`["routes", 1, "cors", "allowOrigins", 2]`) used to find a key in the
 * file. Both directions are needed: the CORS validator speaks strings, the YAML tree segments.
 */

/** One step into a config value: a mapping key or a list index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** Renders segments as a key path; keys that are not plain words are quoted: `a["b.c"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Parses a key path back into segments. Best effort for paths written by other modules: a
 * key containing `.` or `[` that was not quoted splits wrongly, which only costs the location.
 */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const pattern = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[]+)/gy;
  let match: RegExpExecArray | null = pattern.exec(path);
  while (match !== null) {
    if (match[1] !== undefined) segments.push(Number(match[1]));
    else if (match[2] !== undefined) segments.push(String(JSON.parse(match[2])));
    else if (match[3] !== undefined) segments.push(match[3]);
    if (pattern.lastIndex >= path.length) break;
    match = pattern.exec(path);
  }
  return segments;
}

/** The value at `segments` inside plain data, or undefined when any step is missing. */
export function valueAt(data: unknown, segments: readonly PathSegment[]): unknown {
  let current: unknown = data;
  for (const segment of segments) {
    if (typeof segment === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (!isRecord(current) || !Object.hasOwn(current, segment)) return undefined;
      current = current[segment];
    }
  }
  return current;
}

/** A plain mapping (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
