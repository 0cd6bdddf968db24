/**
 * Request-target normalization. The route is chosen on the very string that is forwarded, so
 * no two parts of the front door can read one path two ways (the root of most proxy path
 * confusions).
 *
 * What it does, in order (RFC 9112 §3.2, RFC 3986 §6.2.2):
 *   1. only origin-form (`/path?query`) or absolute-form (`http://host/path`, whose authority
 *      then stands for Host, RFC 9112 §3.2.2) is accepted; `*` and fragments are refused;
 *   2. percent-escapes must be well formed; escapes of unreserved characters are decoded
 *      (`%2e` becomes `.`, `%7e` becomes `~`), all others are kept as sent (`%2f` stays);
 *   3. backslashes, control characters and NUL are refused (no browser sends them raw);
 *   4. runs of `/` collapse to one; `.` and `..` segments are resolved, and a path that would
 *      climb above `/` is refused rather than clamped.
 * The query is passed through as sent.
 */

export interface NormalizedTarget {
  /** The normalized path, always starting with `/`. */
  readonly path: string;
  /** The query including its `?`, or "". */
  readonly query: string;
  /** For absolute-form targets: the authority, which takes the place of Host. */
  readonly authority: string | null;
}

export type TargetProblem = "target" | "path";

const UNRESERVED = /[A-Za-z0-9\-._~]/;

export function normalizeTarget(raw: string): NormalizedTarget | TargetProblem {
  let target = raw;
  let authority: string | null = null;
  if (!target.startsWith("/")) {
    const m = /^https?:\/\/([^/?#]*)(.*)$/i.exec(target);
    if (m === null) return "target";
    authority = m[1] ?? "";
    target = m[2] === "" || m[2] === undefined ? "/" : (m[2] as string);
    if (!target.startsWith("/")) {
      if (!target.startsWith("?")) return "target";
      target = `/${target}`;
    }
  }
  if (target.includes("#")) return "target";
  const q = target.indexOf("?");
  const rawPath = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? "" : target.slice(q);
  for (let i = 0; i < query.length; i++) {
    const c = query.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return "target";
  }
  const decoded = decodeUnreserved(rawPath);
  if (decoded === null) return "path";
  const path = resolveSegments(decoded);
  if (path === null) return "path";
  return { path, query, authority };
}

/** Decodes escapes of unreserved characters; null for a malformed escape or a raw bad byte. */
function decodeUnreserved(path: string): string | null {
  let out = "";
  let last = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x5c /* \ */ || c > 0x7e) return null;
    if (c !== 0x25 /* % */) continue;
    const hex = path.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
    const ch = String.fromCharCode(Number.parseInt(hex, 16));
    if (UNRESERVED.test(ch)) {
      out += path.slice(last, i) + ch;
      last = i + 3;
    } else if (ch === "\0") {
      return null;
    } else {
      // Keep the escape, in upper case so that one path has one spelling (RFC 3986 §6.2.2.1).
      out += `${path.slice(last, i)}%${hex.toUpperCase()}`;
      last = i + 3;
    }
    i += 2;
  }
  return out + path.slice(last);
}

/** Collapses `//`, resolves `.` and `..`; null if `..` would climb above the root. */
function resolveSegments(path: string): string | null {
  if (!path.includes("//") && !path.includes("/.")) return path;
  const out: string[] = [];
  const segments = path.split("/");
  const trailing =
    segments[segments.length - 1] === "" ||
    segments[segments.length - 1] === "." ||
    segments[segments.length - 1] === "..";
  for (const segment of segments) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length === 0) return null;
      out.pop();
      continue;
    }
    out.push(segment);
  }
  const joined = `/${out.join("/")}`;
  return trailing && out.length > 0 ? `${joined}/` : joined;
}

/** Does a route prefix cover this path? `/v1` covers `/v1` and `/v1/x`, not `/v1beta`. */
export function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === "/") return true;
  if (!path.startsWith(prefix)) return false;
  return (
    path.length === prefix.length || prefix.endsWith("/") || path.charCodeAt(prefix.length) === 0x2f
  );
}
