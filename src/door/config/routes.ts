/**
 * `routes`: path prefixes and what serves them. Checked here: the prefix, exactly one target,
 * options that fit the target, the upstream URL, the static directory on disk, each route's own
 * CORS policy, and routes that an earlier one hides.
 */

import { accessSync, constants, statSync } from "node:fs";
import { resolve } from "node:path";
import type { NormalizedCorsConfig } from "../../core/config.js";
import { validateCorsConfig } from "../../core/config.js";
import { ProblemSink } from "../../core/problems.js";
import { noteWildcardReadsOnly } from "./cors.js";
import type { Parsed } from "./parsed.js";
import { ok, refuse } from "./parsed.js";
import type { PathSegment } from "./paths.js";
import { formatPath, isRecord } from "./paths.js";
import type { ConfigReport } from "./report.js";
import type { Route } from "./types.js";
import { RESERVED_PREFIX } from "./types.js";

/** Validates `routes` (structure already checked) and returns the routes that are valid. */
export function normalizeRoutes(raw: unknown, baseDir: string, report: ConfigReport): Route[] {
  if (!Array.isArray(raw)) return [];
  if (raw.length === 0) {
    report.problem(
      "GH_CONFIG_ROUTES_EMPTY",
      ["routes"],
      raw,
      "`routes` is empty, so nothing would be served.",
    );
    return [];
  }
  const routes: Route[] = [];
  const matches: (string | null)[] = [];
  raw.forEach((item: unknown, i) => {
    const at: PathSegment[] = ["routes", i];
    if (!isRecord(item)) {
      matches.push(null);
      return;
    }
    const route = normalizeRoute(item, at, baseDir, report);
    matches.push(
      typeof item.match === "string" && validateMatch(item.match).ok ? item.match : null,
    );
    if (route !== null) routes.push(route);
  });
  lintUnreachable(matches, report);
  return routes;
}

function normalizeRoute(
  item: Record<string, unknown>,
  at: readonly PathSegment[],
  baseDir: string,
  report: ConfigReport,
): Route | null {
  const before = report.problemCount;
  let match: string | null = null;
  if (typeof item.match === "string") {
    const parsed = validateMatch(item.match);
    if (parsed.ok) match = parsed.value;
    else report.problem(parsed.code, [...at, "match"], item.match, parsed.why, parsed.fix);
  }

  const hasUpstream = item.upstream !== undefined;
  const hasStatic = item.static !== undefined;
  if (hasUpstream === hasStatic) {
    report.problem(
      "GH_CONFIG_ROUTE_TARGET",
      hasUpstream ? [...at, "static"] : [...at],
      hasUpstream ? { upstream: item.upstream, static: item.static } : item,
      hasUpstream
        ? "the route has both `upstream` and `static`; a route has one target."
        : "the route has neither `upstream` nor `static`, so nothing would answer.",
      hasUpstream
        ? "Keep one: make two routes if both are needed, the more specific `match` first."
        : "Add `upstream: http://127.0.0.1:18789` to proxy, or `static: ./dir` to serve files.",
    );
  }
  if (item.spa !== undefined && !hasStatic) {
    report.problem(
      "GH_CONFIG_ROUTE_OPTION",
      [...at, "spa"],
      item.spa,
      "`spa` applies to `static` routes only; an upstream decides itself what unknown paths return.",
      "Remove `spa` from this route.",
    );
  }
  if (item.stripPrefix !== undefined && !hasUpstream) {
    report.problem(
      "GH_CONFIG_ROUTE_OPTION",
      [...at, "stripPrefix"],
      item.stripPrefix,
      "`stripPrefix` applies to `upstream` routes only; a static route always serves paths below `match` from its directory.",
      "Remove `stripPrefix` from this route.",
    );
  }

  let upstream: URL | null = null;
  if (typeof item.upstream === "string") {
    const parsed = parseUpstream(item.upstream);
    if (parsed.ok) upstream = parsed.value;
    else
      report.problem(
        parsed.code,
        [...at, "upstream"],
        redactPassword(item.upstream),
        parsed.why,
        parsed.fix,
      );
  }
  let root: string | null = null;
  if (typeof item.static === "string") {
    const parsed = checkStaticDir(item.static, baseDir);
    if (parsed.ok) root = parsed.value;
    else report.problem(parsed.code, [...at, "static"], item.static, parsed.why, parsed.fix);
  }

  const cors = routeCors(item.cors, [...at, "cors"], report);
  if (report.problemCount > before || match === null || cors === null) return null;
  if (upstream !== null && !hasStatic) {
    return Object.freeze({
      kind: "upstream",
      match,
      upstream,
      stripPrefix: item.stripPrefix === true,
      cors,
    });
  }
  if (root !== null && !hasUpstream) {
    return Object.freeze({ kind: "static", match, root, spa: item.spa === true, cors });
  }
  return null;
}

/** A route's `cors`: undefined (use the global one), `false`, or a policy; null if invalid. */
function routeCors(
  value: unknown,
  at: readonly PathSegment[],
  report: ConfigReport,
): NormalizedCorsConfig | false | undefined | null {
  if (value === undefined || value === false) return value;
  if (!isRecord(value)) {
    report.problem(
      "GH_CORS_CONFIG_TYPE",
      at,
      value,
      "a route's `cors` is a CORS policy or `false`.",
      "Write `cors: false` for no cross-origin access on this route, or a policy such as cors: { allowOrigins: [https://app.example.com] }; leave it out to use the global `cors`.",
    );
    return null;
  }
  const sink = new ProblemSink();
  const validated = validateCorsConfig(value, sink, formatPath(at));
  report.absorb(sink);
  if (validated === null) return null;
  noteWildcardReadsOnly(validated.config, at, report);
  return validated.config;
}

/** A path prefix: starts with `/`, no query, fragment, wildcard, empty or dot segments. */
export function validateMatch(match: string): Parsed<string> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(match)) {
    return refuse(
      "GH_CONFIG_ROUTE_MATCH_INVALID",
      "`match` is a path, not a URL.",
      `Write the path only, e.g. "${new URL(match).pathname}"; the host is checked by \`hosts\`.`,
    );
  }
  if (!match.startsWith("/")) {
    return refuse(
      "GH_CONFIG_ROUTE_MATCH_INVALID",
      "`match` must start with `/`.",
      `Write "/${match}".`,
    );
  }
  if (/\s/.test(match) || [...match].some((c) => c.charCodeAt(0) < 0x20 || c === "\x7f")) {
    return refuse(
      "GH_CONFIG_ROUTE_MATCH_INVALID",
      "`match` contains white space or a control character.",
    );
  }
  const cut = match.search(/[?#]/);
  if (cut !== -1) {
    return refuse(
      "GH_CONFIG_ROUTE_MATCH_INVALID",
      "`match` compares paths only; queries and fragments are never part of them.",
      `Write "${match.slice(0, cut) || "/"}".`,
    );
  }
  if (match.includes("*")) {
    const prefix = match.slice(0, match.indexOf("*"));
    return refuse(
      "GH_CONFIG_ROUTE_MATCH_INVALID",
      "`match` is already a prefix: it needs no wildcard, and `*` would be matched literally.",
      `Write "${prefix.endsWith("/") ? prefix : `${prefix.replace(/[^/]*$/, "")}` || "/"}".`,
    );
  }
  const segments = match.split("/").slice(1, match.endsWith("/") ? -1 : undefined);
  if (segments.some((s) => s === "" || s === "." || s === "..")) {
    return refuse(
      "GH_CONFIG_ROUTE_MATCH_INVALID",
      "`match` has an empty, `.` or `..` segment; request paths are normalized before matching, so it could never match.",
      `Write "${match.replace(/\/{2,}/g, "/")}" without \`.\` or \`..\` segments.`,
    );
  }
  return ok(match);
}

/** An upstream URL: http(s), no user info, query or fragment. */
export function parseUpstream(text: string): Parsed<URL> {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return refuse(
      "GH_CONFIG_UPSTREAM_INVALID",
      "the URL has no scheme.",
      `Write "http://${text}".`,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse("GH_CONFIG_UPSTREAM_INVALID", `"${text}" is not a URL.`);
  }
  if (url.protocol === "ws:" || url.protocol === "wss:") {
    const fixed = `${url.protocol === "ws:" ? "http" : "https"}${text.slice(text.indexOf(":"))}`;
    return refuse(
      "GH_CONFIG_UPSTREAM_INVALID",
      "WebSocket upgrades go to the route's HTTP URL; `ws://` is what the browser speaks, not what the front door dials.",
      `Write "${fixed}".`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return refuse(
      "GH_CONFIG_UPSTREAM_INVALID",
      `the scheme "${url.protocol.slice(0, -1)}" is not http or https.`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    return refuse(
      "GH_CONFIG_UPSTREAM_INVALID",
      "the URL contains a user name or password, which would end up in logs and error messages.",
      "Remove `user:password@`; the upstream's credentials come from the client's own headers.",
    );
  }
  if (text.includes("?") || text.includes("#")) {
    return refuse(
      "GH_CONFIG_UPSTREAM_INVALID",
      "the URL has a query or fragment; the client's own query is forwarded as it is.",
      `Write "${text.replace(/[?#].*$/, "")}".`,
    );
  }
  if (url.hostname === "") return refuse("GH_CONFIG_UPSTREAM_INVALID", "the URL has no host.");
  return ok(url);
}

/** The URL text with any password replaced, so that reports never repeat a secret. */
function redactPassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#@]*@/i, "$1:***@");
}

/** Resolves a static directory against the configuration's folder and checks it is usable. */
export function checkStaticDir(dir: string, baseDir: string): Parsed<string> {
  if (dir === "")
    return refuse(
      "GH_CONFIG_STATIC_DIR",
      "the directory is empty.",
      'Write "./" for the configuration\'s own folder, or the directory to serve.',
    );
  const root = resolve(baseDir, dir);
  try {
    if (!statSync(root).isDirectory()) {
      return refuse(
        "GH_CONFIG_STATIC_DIR",
        `${root} is a file, not a directory.`,
        "Point `static` at the directory that contains the files (and index.html).",
      );
    }
    accessSync(root, constants.R_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return refuse(
      "GH_CONFIG_STATIC_DIR",
      code === "ENOENT" || code === "ENOTDIR"
        ? `${root} does not exist.`
        : `${root} cannot be read by this user (${code ?? "error"}).`,
    );
  }
  return ok(root);
}

/**
 * Route j is unreachable when an earlier route's prefix covers every path j would match, or when
 * it lies under the door's reserved prefix.
 */
function lintUnreachable(matches: readonly (string | null)[], report: ConfigReport): void {
  matches.forEach((later, j) => {
    if (later === null) return;
    if (covers(RESERVED_PREFIX, later) || `${later}/` === RESERVED_PREFIX) {
      report.lint(
        "GH_LINT_ROUTE_UNREACHABLE",
        ["routes", j, "match"],
        later,
        "warning",
        `routes[${j}] ("${later}") can never match: ${RESERVED_PREFIX} is reserved for the front door's own endpoints (health, policy).`,
      );
      return;
    }
    const i = matches.findIndex(
      (earlier, k) => k < j && earlier !== null && covers(earlier, later),
    );
    if (i === -1) return;
    report.lint(
      "GH_LINT_ROUTE_UNREACHABLE",
      ["routes", j, "match"],
      later,
      "warning",
      `routes[${j}] ("${later}") can never match: routes[${i}] ("${matches[i]}") comes first and matches every path it would.`,
    );
  });
}

/**
 * Whether prefix `a` matches every path prefix `b` matches, with the runtime's rule: `/` matches
 * everything; `/p` matches `/p` and `/p/...`; `/p/` matches `/p/...`.
 */
export function covers(a: string, b: string): boolean {
  const below = (m: string) => (m.endsWith("/") ? m : `${m}/`);
  const matches = (m: string, path: string) => m === "/" || path === m || path.startsWith(below(m));
  return below(b).startsWith(below(a)) && (b.endsWith("/") || matches(a, b));
}
