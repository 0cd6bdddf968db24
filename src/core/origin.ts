/**
 * Origin patterns: parsing the configured allowlist, and matching request `Origin` values.
 *
 * A request's `Origin` is the ASCII serialization of an origin (fetch.bs §origin-header, HTML
 * "serialization of an origin"): `scheme "://" host [":" port]`, lower-case, punycode, no
 * default port, no trailing slash. Browsers never send anything else, so the engine compares
 * request values byte for byte with a normalized allowlist and never "cleans up" what a request
 * sent: a value that is not already canonical simply matches nothing.
 */

import { parse as parseDomain } from "tldts";
import type { ProblemSink } from "./problems.js";

export type Scheme = "http" | "https";

/** One compiled allowlist entry other than `*`. */
export interface HostPattern {
  readonly scheme: Scheme;
  /** Lower-case ASCII host; for subdomain patterns, the base domain below the `*.`. */
  readonly host: string;
  /** `*.` prefix: any one or more labels in front of `host`, never `host` itself. */
  readonly subdomains: boolean;
  /** `""` for the scheme's default port, digits for one port, `"*"` for any port. */
  readonly port: string;
  /** The normalized form, as it would be written in a config. */
  readonly text: string;
}

export type OriginPattern = { readonly kind: "any" } | ({ readonly kind: "host" } & HostPattern);

export interface OriginParseContext {
  readonly credentials: boolean;
  readonly dangerouslyAllowInsecureOrigins: boolean;
}

const DEFAULT_PORT: Record<Scheme, string> = { http: "80", https: "443" };
/** `^…`, `/…/`, `…$`, `\.`, `.*`, groups and alternations: the shapes of a regular expression. */
const REGEX_LOOK = /^[\^/]|\$$|\\|\.\*(?!\.)|[()|+]/;
const SCHEME_PREFIX = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Parses one configured origin. Reports at most one problem for the entry (the first structural
 * one) and any number of lint notes; returns null when the entry is refused.
 */
export function parseOriginPattern(
  value: unknown,
  path: string,
  sink: ProblemSink,
  ctx: OriginParseContext,
): OriginPattern | null {
  if (value instanceof RegExp) {
    sink.problem("GH_CORS_ORIGIN_REGEX", path, value, "regular expressions are not accepted.");
    return null;
  }
  if (typeof value !== "string") {
    sink.problem(
      "GH_CORS_CONFIG_TYPE",
      path,
      value,
      `an origin must be a string, not ${describeType(value)}.`,
      'Write the origin as a string, e.g. "https://app.example.com".',
    );
    return null;
  }
  if (value === "*") return { kind: "any" };
  if (value.length === 0 || hasSpaceOrControl(value)) {
    sink.problem(
      "GH_CORS_ORIGIN_INVALID",
      path,
      value,
      value.length === 0
        ? "the origin is empty."
        : "the origin contains white space or a control character.",
    );
    return null;
  }
  if (value.toLowerCase() === "null") {
    sink.problem(
      "GH_CORS_ORIGIN_NULL",
      path,
      value,
      "the `null` origin is sent by sandboxed iframes, data: and file: pages and after redirects, so any attacker can produce it.",
    );
    return null;
  }
  if (REGEX_LOOK.test(value)) {
    sink.problem(
      "GH_CORS_ORIGIN_REGEX",
      path,
      value,
      "this looks like a regular expression; only exact origins and the `*.` and `:*` wildcards are accepted.",
    );
    return null;
  }
  const schemeMatch = SCHEME_PREFIX.exec(value);
  if (!schemeMatch || !value.startsWith("//", schemeMatch[0].length)) {
    const bare = schemeMatch === null || /^\d+$/.test(value.slice(value.indexOf(":") + 1));
    sink.problem(
      bare ? "GH_CORS_ORIGIN_INVALID" : "GH_CORS_ORIGIN_SCHEME",
      path,
      value,
      bare
        ? "the origin has no scheme; browsers always send one."
        : `the scheme "${schemeMatch?.[1]}" is not http or https.`,
      bare
        ? `Add the scheme, e.g. "https://${value}".`
        : "Only http:// and https:// origins can be allowed; file: pages send `Origin: null`, which is never trusted.",
    );
    return null;
  }
  const schemeText = (schemeMatch[1] ?? "").toLowerCase();
  if (schemeText !== "http" && schemeText !== "https") {
    sink.problem(
      "GH_CORS_ORIGIN_SCHEME",
      path,
      value,
      `the scheme "${schemeText}" is not http or https.`,
    );
    return null;
  }
  const scheme: Scheme = schemeText;
  const rest = value.slice(schemeMatch[0].length + 2);
  const cut = firstIndexOf(rest, "/?#");
  if (cut !== -1) {
    const ch = rest[cut];
    if (ch === "/" && cut === rest.length - 1) {
      sink.problem(
        "GH_CORS_ORIGIN_TRAILING_SLASH",
        path,
        value,
        "browsers send origins without a trailing slash, so this entry could never match.",
        `Write "${value.slice(0, -1)}".`,
      );
    } else if (ch === "/") {
      sink.problem(
        "GH_CORS_ORIGIN_PATH",
        path,
        value,
        "an origin has no path.",
        `Write "${value.slice(0, schemeMatch[0].length + 2 + cut)}".`,
      );
    } else {
      sink.problem(
        ch === "?" ? "GH_CORS_ORIGIN_QUERY" : "GH_CORS_ORIGIN_FRAGMENT",
        path,
        value,
        ch === "?" ? "an origin has no query." : "an origin has no fragment.",
        `Write "${value.slice(0, schemeMatch[0].length + 2 + cut)}".`,
      );
    }
    return null;
  }
  if (rest.includes("@")) {
    sink.problem("GH_CORS_ORIGIN_USERINFO", path, value, "an origin has no user name or password.");
    return null;
  }

  // Split host and port; a bracketed IPv6 literal may contain colons.
  let hostText: string;
  let portText: string | null = null;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close === -1) {
      sink.problem("GH_CORS_ORIGIN_INVALID", path, value, "the IPv6 address has no closing `]`.");
      return null;
    }
    hostText = rest.slice(0, close + 1);
    const after = rest.slice(close + 1);
    if (after !== "") {
      if (!after.startsWith(":")) {
        sink.problem(
          "GH_CORS_ORIGIN_INVALID",
          path,
          value,
          "unexpected text after the IPv6 address.",
        );
        return null;
      }
      portText = after.slice(1);
    }
  } else {
    const colon = rest.indexOf(":");
    if (colon !== rest.lastIndexOf(":")) {
      sink.problem(
        "GH_CORS_ORIGIN_INVALID",
        path,
        value,
        "the host has more than one `:`; IPv6 addresses go in brackets.",
      );
      return null;
    }
    hostText = colon === -1 ? rest : rest.slice(0, colon);
    portText = colon === -1 ? null : rest.slice(colon + 1);
  }

  let port = "";
  const notes: string[] = [];
  if (portText !== null) {
    if (portText === "*") {
      port = "*";
    } else if (portText.includes("*")) {
      sink.problem(
        "GH_CORS_ORIGIN_WILDCARD_POSITION",
        path,
        value,
        "`*` may stand only for the whole port.",
      );
      return null;
    } else if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      sink.problem(
        "GH_CORS_ORIGIN_PORT",
        path,
        value,
        portText === ""
          ? "the port after `:` is empty."
          : `"${portText}" is not a port from 1 to 65535.`,
      );
      return null;
    } else {
      port = String(Number(portText));
      if (port !== portText) notes.push("leading zeros removed from the port");
      if (port === DEFAULT_PORT[scheme]) {
        notes.push(`default port ${port} removed (browsers omit it)`);
        port = "";
      }
    }
  }

  let subdomains = false;
  if (hostText.startsWith("*.")) {
    subdomains = true;
    hostText = hostText.slice(2);
  }
  if (hostText.includes("*")) {
    sink.problem(
      "GH_CORS_ORIGIN_WILDCARD_POSITION",
      path,
      value,
      hostText === "*" || hostText === ""
        ? "`*` must be followed by a domain (`https://*.example.com`); to allow every origin write `*` alone."
        : "`*` may stand only for a whole leading label (`https://*.example.com`).",
    );
    return null;
  }
  const host = canonicalHost(scheme, hostText);
  if (host === null) {
    sink.problem(
      "GH_CORS_ORIGIN_INVALID",
      path,
      value,
      `"${hostText}" is not a valid host name or IP address.`,
    );
    return null;
  }
  if (host !== hostText) notes.push(`host written as "${host}"`);
  if (schemeText !== schemeMatch[1]) notes.push("scheme lower-cased");

  const ip = isIpHost(host);
  if (subdomains && ip) {
    sink.problem(
      "GH_CORS_ORIGIN_WILDCARD_POSITION",
      path,
      value,
      "a `*.` wildcard cannot stand in front of an IP address.",
    );
    return null;
  }
  if (subdomains && isPublicSuffix(host)) {
    sink.problem(
      "GH_CORS_ORIGIN_PUBLIC_SUFFIX",
      path,
      value,
      `"${host}" is a public suffix: anybody can register a name under it.`,
    );
    return null;
  }

  const text = `${scheme}://${subdomains ? "*." : ""}${host}${port === "" ? "" : `:${port}`}`;
  if (notes.length > 0) {
    sink.lint(
      "GH_LINT_ORIGIN_NORMALIZED",
      path,
      value,
      "info",
      `"${value}" is written "${text}": ${notes.join("; ")}.`,
      text,
    );
  }

  if (scheme === "http" && !isLoopbackHost(host)) {
    if (ctx.credentials && !ctx.dangerouslyAllowInsecureOrigins) {
      sink.problem(
        "GH_CORS_ORIGIN_INSECURE",
        path,
        value,
        "a plain-http page can be modified by anybody on the network path, and credentials are allowed.",
      );
      return null;
    }
    sink.lint(
      "GH_LINT_INSECURE_ORIGIN",
      path,
      value,
      "warning",
      `"${text}" is plain http: anybody on the network path can inject script into that page.`,
    );
  }
  if (subdomains) {
    sink.lint(
      "GH_LINT_SUBDOMAIN_PATTERN",
      path,
      value,
      "warning",
      `"${text}" trusts every subdomain of ${host}; make sure nobody else can serve pages there.`,
    );
  }
  return { kind: "host", scheme, host, subdomains, port, text };
}

/** Lower-cases and punycodes a host the way the URL parser does; null if it is not a host. */
function canonicalHost(scheme: Scheme, hostText: string): string | null {
  if (hostText === "") return null;
  let host: string;
  try {
    host = new URL(`${scheme}://${hostText}`).hostname;
  } catch {
    return null;
  }
  if (host.startsWith("[")) return host;
  // The URL parser accepts characters DNS never uses (`, {, }, ...); a config entry with one is
  // a mistake, and such names are exactly what origin-confusion attacks are made of.
  return /^[a-z0-9._-]+$/.test(host) && !host.startsWith(".") && !host.includes("..") ? host : null;
}

function isIpHost(host: string): boolean {
  return host.startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(host);
}

/** RFC 6761 loopback names and loopback IP literals. */
export function isLoopbackHost(host: string): boolean {
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host === "[::1]" ||
    /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/** True when `domain` itself is on the Public Suffix List (ICANN or private section). */
function isPublicSuffix(domain: string): boolean {
  // Names under .localhost only ever resolve to loopback (RFC 6761 §6.3).
  if (domain === "localhost" || domain.endsWith(".localhost")) return false;
  const parsed = parseDomain(domain, { allowPrivateDomains: true });
  return parsed.domain === null || parsed.publicSuffix === domain;
}

function hasSpaceOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0xfeff)
      return true;
  }
  return false;
}

function firstIndexOf(text: string, chars: string): number {
  for (let i = 0; i < text.length; i++) {
    if (chars.includes(text[i] as string)) return i;
  }
  return -1;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}

/**
 * The compiled allowlist. Matching costs one hash lookup for exact origins and, when patterns
 * exist, one more lookup per label of the request's host: flat in the size of the allowlist.
 */
export class OriginMatcher {
  readonly allowsAny: boolean;
  private readonly exact: Set<string>;
  /** `scheme://host` of `:*` patterns without subdomains. */
  private readonly anyPort: Set<string>;
  /** `.base` of `*.` patterns, to the scheme/port rules that apply below it. */
  private readonly subdomainRules: Map<string, { scheme: Scheme; port: string }[]>;
  /** Are there `*.` or `:*` patterns (anything beyond exact origins)? */
  readonly hasPatterns: boolean;

  constructor(patterns: readonly OriginPattern[]) {
    this.allowsAny = patterns.some((p) => p.kind === "any");
    this.exact = new Set();
    this.anyPort = new Set();
    this.subdomainRules = new Map();
    for (const p of patterns) {
      if (p.kind !== "host") continue;
      if (p.subdomains) {
        const key = `.${p.host}`;
        const rules = this.subdomainRules.get(key) ?? [];
        rules.push({ scheme: p.scheme, port: p.port });
        this.subdomainRules.set(key, rules);
      } else if (p.port === "*") {
        this.anyPort.add(`${p.scheme}://${p.host}`);
      } else {
        this.exact.add(p.text);
      }
    }
    this.hasPatterns = this.anyPort.size > 0 || this.subdomainRules.size > 0;
  }

  /** Is this exact listed origin (not a pattern) in the allowlist? */
  hasExact(origin: string): boolean {
    return this.exact.has(origin);
  }

  /** Does the request `Origin` value match the allowlist (ignoring `*`)? */
  matches(origin: string): boolean {
    if (this.exact.has(origin)) return true;
    if (!this.hasPatterns) return false;
    const parts = splitSerializedOrigin(origin);
    if (parts === null) return false;
    const { scheme, host, port } = parts;
    if (this.anyPort.size > 0 && this.anyPort.has(`${scheme}://${host}`)) return true;
    if (this.subdomainRules.size === 0 || !isCanonicalDnsName(host)) return false;
    // Try every proper suffix that starts at a dot: a.b.example.com -> .b.example.com, .example.com, .com
    for (let i = host.indexOf("."); i > 0; i = host.indexOf(".", i + 1)) {
      const rules = this.subdomainRules.get(host.slice(i));
      if (rules === undefined) continue;
      for (const rule of rules) {
        if (rule.scheme === scheme && (rule.port === "*" || rule.port === port)) return true;
      }
    }
    return false;
  }
}

/**
 * Splits a request `Origin` into scheme, host and port, accepting only the canonical
 * serialization a browser produces. Returns null for anything else.
 */
export function splitSerializedOrigin(
  origin: string,
): { scheme: Scheme; host: string; port: string } | null {
  let scheme: Scheme;
  let start: number;
  if (origin.startsWith("https://")) {
    scheme = "https";
    start = 8;
  } else if (origin.startsWith("http://")) {
    scheme = "http";
    start = 7;
  } else {
    return null;
  }
  let host: string;
  let portText: string;
  if (origin.charCodeAt(start) === 0x5b /* [ */) {
    const close = origin.indexOf("]", start);
    if (close === -1) return null;
    host = origin.slice(start, close + 1);
    const after = origin.slice(close + 1);
    if (after === "") portText = "";
    else if (after.length > 1 && after.charCodeAt(0) === 0x3a /* : */) portText = after.slice(1);
    else return null;
    if (!/^\[[0-9a-f:.]+\]$/.test(host)) return null;
  } else {
    const colon = origin.indexOf(":", start);
    host = colon === -1 ? origin.slice(start) : origin.slice(start, colon);
    portText = colon === -1 ? "" : origin.slice(colon + 1);
    // "host:" with nothing after the colon is no serialization a browser produces.
    if (host.length === 0 || (colon !== -1 && portText === "")) return null;
  }
  if (portText !== "" && !isCanonicalPort(portText, scheme)) return null;
  return { scheme, host, port: portText };
}

/** Digits, no leading zero, 1-65535, and not the scheme's default (browsers omit it). */
function isCanonicalPort(text: string, scheme: Scheme): boolean {
  if (text.length > 5 || text.charCodeAt(0) === 0x30 /* 0 */) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  const n = Number(text);
  return n <= 65535 && text !== DEFAULT_PORT[scheme];
}

/** Lower-case LDH labels (plus `_`), no empty label, no leading or trailing dot. */
function isCanonicalDnsName(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  let prev = 0x2e; // treat the start as if after a dot: no leading dot
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c === 0x2e) {
      if (prev === 0x2e) return false;
    } else if (
      !(
        (c >= 0x61 && c <= 0x7a) || // a-z
        (c >= 0x30 && c <= 0x39) || // 0-9
        c === 0x2d || // -
        c === 0x5f // _
      )
    ) {
      return false;
    }
    prev = c;
  }
  return prev !== 0x2e;
}
