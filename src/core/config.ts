/**
 * The CORS policy a user writes, and its validation into a normalized form.
 *
 * Validation collects every problem before giving up, so a user fixes a config in one pass.
 */

import type { OriginPattern } from "./origin.js";
import { parseOriginPattern } from "./origin.js";
import type { LintNote, ProblemSink } from "./problems.js";
import {
  isForbiddenMethod,
  isForbiddenRequestHeaderName,
  isForbiddenResponseHeaderName,
  isToken,
  METHOD_OVERRIDE_HEADERS,
  NON_WILDCARD_REQUEST_HEADER,
  NOT_EXPOSABLE_HEADERS,
  normalizeMethod,
  RESPONSE_ONLY_HEADERS,
  SAFELISTED_METHODS,
  SAFELISTED_RESPONSE_HEADERS,
} from "./tokens.js";

/** A CORS policy as written in a config file or passed to `corsPolicy()`. */
export interface CorsConfig {
  /**
   * Origins whose pages may read responses. Required and non-empty. Each entry is an exact
   * origin (`https://app.example.com`), a subdomain pattern (`https://*.example.com`: one or
   * more labels in front, never the bare domain), an any-port pattern (`http://localhost:*`),
   * or `*` alone (every origin; refused with credentials). Values are normalized as browsers
   * serialize origins, and each rewrite is reported as a lint note.
   */
  readonly allowOrigins: readonly string[];
  /**
   * Let pages send cookies or HTTP authentication and read the response
   * (`Access-Control-Allow-Credentials: true`). Default `false`. Requires an explicit origin
   * list, and `https` origins unless they are loopback.
   */
  readonly allowCredentials?: boolean;
  /**
   * Methods a preflight may ask for, case-sensitive (`PATCH` is not `patch`). GET, HEAD and
   * POST are always allowed and need no entry. `*` allows any method, without credentials
   * only. Default: none beyond GET, HEAD and POST.
   */
  readonly allowMethods?: readonly string[];
  /**
   * Request headers a preflight may ask for, case-insensitive. `*` allows any header except
   * `authorization`, which must always be listed by name (Fetch Standard). JSON APIs need
   * `content-type`. Default: none.
   */
  readonly allowHeaders?: readonly string[];
  /**
   * Response headers script may read beyond the safelisted ones. `*` (without credentials
   * only) exposes all but `Set-Cookie`. Default: none.
   */
  readonly exposeHeaders?: readonly string[];
  /**
   * How long, in seconds (0-86400), a browser may cache a successful preflight. Default: the
   * header is not sent and browsers cache for 5 seconds. `0` disables caching.
   */
  readonly maxAge?: number;
  /**
   * Answer Private Network Access preflights (`Access-Control-Request-Private-Network: true`)
   * from the listed origins with `Access-Control-Allow-Private-Network: true`. Default `false`;
   * refused with `*`.
   */
  readonly allowPrivateNetwork?: boolean;
  /**
   * Accept plain-`http` origins that are not loopback together with credentials. Default
   * `false`. Anybody on the network path to such a page can act with the user's credentials.
   */
  readonly dangerouslyAllowInsecureOrigins?: boolean;
}

/** The validated, normalized policy: every list de-duplicated and in its canonical case. */
export interface NormalizedCorsConfig {
  readonly allowOrigins: readonly string[];
  readonly allowCredentials: boolean;
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAge: number | null;
  readonly allowPrivateNetwork: boolean;
  readonly dangerouslyAllowInsecureOrigins: boolean;
}

export interface ValidatedCors {
  readonly config: NormalizedCorsConfig;
  readonly patterns: readonly OriginPattern[];
}

/** What compiling a validated config needs besides the config: its origins, parsed, and notes. */
export interface ValidationRecord {
  readonly patterns: readonly OriginPattern[];
  readonly lints: readonly LintNote[];
}

/**
 * Every normalized config validateCorsConfig has returned, so that compiling one parses nothing
 * again (compileNormalizedPolicy). Only an object validateCorsConfig returned (frozen since) is
 * found here, never a look-alike built by hand: what is compiled from it has been validated.
 * Weak, so a config dropped on reload takes its record with it.
 */
const VALIDATED = new WeakMap<NormalizedCorsConfig, ValidationRecord>();

/** The record of a config validateCorsConfig returned; undefined for any other object. */
export function validationRecord(config: NormalizedCorsConfig): ValidationRecord | undefined {
  return VALIDATED.get(config);
}

const KNOWN_KEYS: readonly (keyof CorsConfig)[] = [
  "allowOrigins",
  "allowCredentials",
  "allowMethods",
  "allowHeaders",
  "exposeHeaders",
  "maxAge",
  "allowPrivateNetwork",
  "dangerouslyAllowInsecureOrigins",
];

/** Names people bring from other CORS libraries, and what Gatehouse calls them. */
const KEY_ALIASES: Record<string, keyof CorsConfig> = {
  origin: "allowOrigins",
  origins: "allowOrigins",
  allowedorigins: "allowOrigins",
  alloworigin: "allowOrigins",
  credentials: "allowCredentials",
  allowcredentials: "allowCredentials",
  methods: "allowMethods",
  allowedmethods: "allowMethods",
  allowmethod: "allowMethods",
  headers: "allowHeaders",
  allowedheaders: "allowHeaders",
  allowheader: "allowHeaders",
  exposedheaders: "exposeHeaders",
  exposeheader: "exposeHeaders",
  maxage: "maxAge",
  privatenetwork: "allowPrivateNetwork",
  privatenetworkaccess: "allowPrivateNetwork",
  allowprivatenetworkaccess: "allowPrivateNetwork",
};

export const MAX_AGE_LIMIT = 86400;
/** Chromium's cap on the preflight cache (seconds); longer values are noted, not refused. */
export const CHROMIUM_MAX_AGE_CAP = 7200;

/**
 * Validates and normalizes a CORS config. Never throws: problems and lint notes go to `sink`,
 * and the result is null when there is at least one problem. `base` prefixes every key path
 * (`cors`, `routes[1].cors`) so that a caller embedding the policy reports full paths.
 *
 * Each option has its own validator below; they run in key order and all of them run, so the
 * sink ends up with every problem of the config. The switches are read first because the
 * lists' rules depend on them (`*` is refused with credentials, for one).
 */
export function validateCorsConfig(
  input: unknown,
  sink: ProblemSink,
  base = "",
): ValidatedCors | null {
  const problemsBefore = sink.problems.length;
  const lintsBefore = sink.lints.length;
  const raw = readPolicyObject(input, sink, base);
  if (raw === null) return null;
  const scope: Scope = { raw, sink, at: (key) => (base === "" ? key : `${base}.${key}`) };

  checkKeys(scope);
  const switches = readSwitches(scope);
  const origins = validateOrigins(scope, switches);
  const allowMethods = validateMethods(scope, switches);
  const allowHeaders = validateRequestHeaders(scope);
  const exposeHeaders = validateExposeHeaders(scope, switches);
  const maxAge = validateMaxAge(scope);
  notePrivateNetwork(scope, switches);

  if (sink.problems.length > problemsBefore) return null;
  const config: NormalizedCorsConfig = Object.freeze({
    allowOrigins: Object.freeze(origins.texts),
    allowCredentials: switches.credentials,
    allowMethods: Object.freeze(allowMethods),
    allowHeaders: Object.freeze(allowHeaders),
    exposeHeaders: Object.freeze(exposeHeaders),
    maxAge,
    allowPrivateNetwork: switches.privateNetwork,
    dangerouslyAllowInsecureOrigins: switches.insecureOrigins,
  });
  const patterns = Object.freeze(origins.patterns);
  const lints = Object.freeze(sink.lints.slice(lintsBefore));
  VALIDATED.set(config, Object.freeze({ patterns, lints }));
  return { config, patterns };
}

/** What every validator shares: the options as written, where problems go, and key paths. */
interface Scope {
  readonly raw: Readonly<Record<string, unknown>>;
  readonly sink: ProblemSink;
  /** The full key path of an option: `allowOrigins`, or `routes[1].cors.allowOrigins`. */
  at(key: string): string;
}

/** The three boolean options; the rules of the lists depend on them. */
interface Switches {
  readonly credentials: boolean;
  readonly privateNetwork: boolean;
  readonly insecureOrigins: boolean;
}

/** A policy is an object of options; anything else is refused before any option is read. */
function readPolicyObject(
  input: unknown,
  sink: ProblemSink,
  base: string,
): Readonly<Record<string, unknown>> | null {
  if (typeof input === "object" && input !== null && !Array.isArray(input)) {
    return input as Record<string, unknown>;
  }
  sink.problem(
    "GH_CORS_CONFIG_TYPE",
    base,
    input,
    "a CORS policy is an object of options.",
    "Write an object such as { allowOrigins: [https://app.example.com] }.",
  );
  return null;
}

/** Unknown keys, with the Gatehouse name when the key is another library's spelling. */
function checkKeys({ raw, sink, at }: Scope): void {
  for (const key of Object.keys(raw)) {
    if ((KNOWN_KEYS as readonly string[]).includes(key)) continue;
    const suggestion = KEY_ALIASES[key.toLowerCase().replace(/[-_]/g, "")];
    sink.problem(
      "GH_CORS_CONFIG_UNKNOWN_KEY",
      at(key),
      raw[key],
      `"${key}" is not a CORS option.`,
      suggestion ? `Did you mean "${suggestion}"?` : `Known options: ${KNOWN_KEYS.join(", ")}.`,
    );
  }
}

function readSwitches(scope: Scope): Switches {
  return {
    credentials: readBoolean(scope, "allowCredentials"),
    privateNetwork: readBoolean(scope, "allowPrivateNetwork"),
    insecureOrigins: readBoolean(scope, "dangerouslyAllowInsecureOrigins"),
  };
}

/** `allowOrigins`: required, each entry parsed, `*` refused with credentials or PNA. */
function validateOrigins(
  scope: Scope,
  switches: Switches,
): { patterns: OriginPattern[]; texts: string[] } {
  const { raw, sink, at } = scope;
  const patterns: OriginPattern[] = [];
  const texts: string[] = [];
  const list = readList(scope, "allowOrigins");
  if (list !== null && list.length === 0) {
    sink.problem(
      "GH_CORS_ORIGINS_EMPTY",
      at("allowOrigins"),
      raw.allowOrigins,
      raw.allowOrigins === undefined
        ? "no origins are listed, so the policy could allow nothing."
        : "the list is empty, so the policy could allow nothing.",
    );
  }
  let sawAny = false;
  (list ?? []).forEach((entry, i) => {
    const path = `${at("allowOrigins")}[${i}]`;
    const pattern = parseOriginPattern(entry, path, sink, {
      credentials: switches.credentials,
      dangerouslyAllowInsecureOrigins: switches.insecureOrigins,
    });
    if (pattern === null) return;
    if (pattern.kind === "any") {
      if (!acceptWildcardOrigin(entry, path, switches, sawAny, sink)) return;
      sawAny = true;
    } else if (texts.includes(pattern.text)) {
      sink.lint("GH_LINT_DUPLICATE", path, entry, "info", `"${pattern.text}" is listed twice.`);
      return;
    }
    patterns.push(pattern);
    texts.push(pattern.kind === "any" ? "*" : pattern.text);
  });
  if (sawAny && patterns.length > 1) {
    sink.lint(
      "GH_LINT_WILDCARD_REDUNDANT",
      at("allowOrigins"),
      raw.allowOrigins,
      "info",
      '"*" already covers every other listed origin.',
    );
  }
  return { patterns, texts };
}

/** Cross-field rules of an origin `*`: never with credentials, never with PNA, listed once. */
function acceptWildcardOrigin(
  entry: unknown,
  path: string,
  switches: Switches,
  sawAny: boolean,
  sink: ProblemSink,
): boolean {
  if (switches.credentials) {
    sink.problem(
      "GH_CORS_ORIGIN_WILDCARD_CREDENTIALS",
      path,
      entry,
      "browsers refuse `Access-Control-Allow-Origin: *` with credentials, and reflecting any origin instead would let every website act as the user.",
    );
    return false;
  }
  if (switches.privateNetwork) {
    sink.problem(
      "GH_CORS_PRIVATE_NETWORK_WILDCARD",
      path,
      entry,
      "Private Network Access granted to every origin lets any public website reach this private server.",
    );
    return false;
  }
  if (sawAny) {
    sink.lint("GH_LINT_DUPLICATE", path, entry, "info", '"*" is listed twice.');
    return false;
  }
  sink.lint(
    "GH_LINT_WILDCARD_ORIGIN",
    path,
    entry,
    "warning",
    "every origin may read responses: fine for public data, wrong for anything behind a token.",
  );
  return true;
}

/** `allowMethods`: tokens, not forbidden, upper-cased where browsers do; GET/HEAD/POST dropped. */
function validateMethods(scope: Scope, switches: Switches): string[] {
  const { sink, at } = scope;
  const methods: string[] = [];
  (readList(scope, "allowMethods") ?? []).forEach((entry, i) => {
    const path = `${at("allowMethods")}[${i}]`;
    if (!isAcceptableMethod(entry, path, switches, sink)) return;
    const method = entry === "*" ? entry : normalizeMethod(entry);
    noteMethodCase(entry, method, path, sink);
    if (SAFELISTED_METHODS.has(method)) {
      sink.lint(
        "GH_LINT_SAFELISTED_METHOD",
        path,
        entry,
        "info",
        `${method} is always allowed once the origin is; the entry has no effect.`,
      );
      return;
    }
    if (methods.includes(method)) {
      sink.lint("GH_LINT_DUPLICATE", path, entry, "info", `"${method}" is listed twice.`);
      return;
    }
    methods.push(method);
  });
  return methods;
}

/** One `allowMethods` entry: a token that is not forbidden, or `*` without credentials. */
function isAcceptableMethod(
  entry: unknown,
  path: string,
  switches: Switches,
  sink: ProblemSink,
): entry is string {
  if (typeof entry !== "string") {
    sink.problem("GH_CORS_CONFIG_TYPE", path, entry, "a method must be a string.");
    return false;
  }
  if (entry === "*") {
    if (!switches.credentials) return true;
    sink.problem(
      "GH_CORS_METHOD_WILDCARD_CREDENTIALS",
      path,
      entry,
      "with credentials, browsers read `*` as a method literally named `*`.",
    );
    return false;
  }
  if (!isToken(entry)) {
    sink.problem("GH_CORS_METHOD_INVALID", path, entry, `"${entry}" is not an HTTP method token.`);
    return false;
  }
  if (isForbiddenMethod(entry)) {
    sink.problem(
      "GH_CORS_METHOD_FORBIDDEN",
      path,
      entry,
      `${entry.toUpperCase()} is a forbidden method in the Fetch Standard.`,
    );
    return false;
  }
  return true;
}

/** Methods are case-sensitive: a rewrite by the browser's rules, or a lower-case risk, is noted. */
function noteMethodCase(entry: string, method: string, path: string, sink: ProblemSink): void {
  if (method !== entry) {
    sink.lint(
      "GH_LINT_METHOD_NORMALIZED",
      path,
      entry,
      "info",
      `"${entry}" is written "${method}", as browsers upper-case it.`,
      method,
    );
  } else if (method !== method.toUpperCase()) {
    sink.lint(
      "GH_LINT_METHOD_CASE",
      path,
      entry,
      "warning",
      `"${entry}" is case-sensitive and browsers send it exactly as the page wrote it: ` +
        `fetch(url, {method: "${entry}"}) sends "${entry}", but {method: "${entry.toUpperCase()}"} sends "${entry.toUpperCase()}", which this entry does not allow.`,
    );
  }
}

/** `allowHeaders`: names a page can send; `*` noted for what it leaves out. */
function validateRequestHeaders(scope: Scope): string[] {
  const { raw, sink, at } = scope;
  const headers = readHeaderNames(scope, "allowHeaders", (name, path, entry) =>
    acceptRequestHeader(name, path, entry, sink),
  );
  if (headers.includes("*") && !headers.includes(NON_WILDCARD_REQUEST_HEADER)) {
    sink.lint(
      "GH_LINT_HEADER_WILDCARD_AUTHORIZATION",
      at("allowHeaders"),
      raw.allowHeaders,
      "info",
      '"*" covers every request header except authorization; list "authorization" too if clients send it.',
    );
  }
  return headers;
}

function acceptRequestHeader(
  name: string,
  path: string,
  entry: string,
  sink: ProblemSink,
): boolean {
  if (name === "*") return true;
  if (isForbiddenRequestHeaderName(name)) {
    sink.problem(
      "GH_CORS_HEADER_FORBIDDEN",
      path,
      entry,
      `browsers never let script set "${name}", so no preflight will ever ask for it.`,
    );
    return false;
  }
  if (RESPONSE_ONLY_HEADERS.has(name)) {
    sink.problem(
      "GH_CORS_HEADER_RESPONSE_ONLY",
      path,
      entry,
      `"${name}" is a response header; allowHeaders is about headers the page sends.`,
      `Remove it; to let script read "${name}", list it in exposeHeaders.`,
    );
    return false;
  }
  if (METHOD_OVERRIDE_HEADERS.has(name)) {
    sink.lint(
      "GH_LINT_METHOD_OVERRIDE_HEADER",
      path,
      entry,
      "warning",
      `"${name}" lets a POST act as another method; the upstream must apply the same rules to it.`,
    );
  }
  return true;
}

/** `exposeHeaders`: names script could read that are not readable already; `*` without credentials. */
function validateExposeHeaders(scope: Scope, switches: Switches): string[] {
  return readHeaderNames(scope, "exposeHeaders", (name, path, entry) =>
    acceptExposedHeader(name, path, entry, switches, scope.sink),
  );
}

function acceptExposedHeader(
  name: string,
  path: string,
  entry: string,
  switches: Switches,
  sink: ProblemSink,
): boolean {
  if (name === "*") {
    if (!switches.credentials) return true;
    sink.problem(
      "GH_CORS_EXPOSE_WILDCARD_CREDENTIALS",
      path,
      entry,
      "with credentials, browsers read `*` as a header literally named `*`.",
    );
    return false;
  }
  if (isForbiddenResponseHeaderName(name)) {
    sink.problem(
      "GH_CORS_EXPOSE_FORBIDDEN",
      path,
      entry,
      `browsers never expose "${name}" to script.`,
    );
    return false;
  }
  if (NOT_EXPOSABLE_HEADERS.has(name)) {
    sink.problem(
      "GH_CORS_EXPOSE_PROHIBITED",
      path,
      entry,
      `"${name}" is not a response header script could read on an actual response.`,
    );
    return false;
  }
  if (SAFELISTED_RESPONSE_HEADERS.has(name)) {
    sink.lint(
      "GH_LINT_SAFELISTED_RESPONSE_HEADER",
      path,
      entry,
      "info",
      `"${name}" is always readable by script; the entry has no effect.`,
    );
    return false;
  }
  return true;
}

/** `maxAge`: whole seconds up to MAX_AGE_LIMIT; null when absent (no header sent). */
function validateMaxAge({ raw, sink, at }: Scope): number | null {
  const value = raw.maxAge;
  if (value === undefined) return null;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_AGE_LIMIT) {
    sink.problem(
      "GH_CORS_MAX_AGE_RANGE",
      at("maxAge"),
      value,
      `maxAge must be a whole number of seconds from 0 to ${MAX_AGE_LIMIT}.`,
    );
    return null;
  }
  if (value > CHROMIUM_MAX_AGE_CAP) {
    sink.lint(
      "GH_LINT_MAX_AGE_CAPPED",
      at("maxAge"),
      value,
      "warning",
      `Chromium keeps a preflight at most ${CHROMIUM_MAX_AGE_CAP} s and WebKit 600 s; ${value} s only applies in Firefox.`,
    );
  }
  return value;
}

/** Accepted, but what browsers still honour it is worth knowing. */
function notePrivateNetwork({ sink, at }: Scope, switches: Switches): void {
  if (!switches.privateNetwork) return;
  sink.lint(
    "GH_LINT_PRIVATE_NETWORK",
    at("allowPrivateNetwork"),
    true,
    "info",
    "Chromium replaced Private Network Access preflights with the Local Network Access permission prompt; this only helps older builds.",
  );
}

function readBoolean({ raw, sink, at }: Scope, key: keyof CorsConfig): boolean {
  const value = raw[key];
  if (value === undefined) return false;
  if (typeof value === "boolean") return value;
  sink.problem(
    "GH_CORS_CONFIG_TYPE",
    at(key),
    value,
    `${key} must be true or false.`,
    `Write ${key}: true or ${key}: false (without quotes).`,
  );
  return false;
}

function readList({ raw, sink, at }: Scope, key: keyof CorsConfig): readonly unknown[] | null {
  const value = raw[key];
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  sink.problem(
    "GH_CORS_CONFIG_TYPE",
    at(key),
    value,
    `${key} must be a list.`,
    typeof value === "string"
      ? `Write a list with one entry: ${key}: [${JSON.stringify(value)}].`
      : `Write ${key} as a list of strings.`,
  );
  return null;
}

/** Reads a list of header names: token check, lower-casing, de-duplication, then `accept`. */
function readHeaderNames(
  scope: Scope,
  key: "allowHeaders" | "exposeHeaders",
  accept: (lowerName: string, path: string, entry: string) => boolean,
): string[] {
  const { sink, at } = scope;
  const names: string[] = [];
  (readList(scope, key) ?? []).forEach((entry, i) => {
    const path = `${at(key)}[${i}]`;
    if (typeof entry !== "string") {
      sink.problem("GH_CORS_CONFIG_TYPE", path, entry, "a header name must be a string.");
      return;
    }
    if (entry !== "*" && !isToken(entry)) {
      sink.problem(
        "GH_CORS_HEADER_INVALID",
        path,
        entry,
        `"${entry}" is not a header name${entry.includes(":") ? " (write the name only, without a value)" : ""}.`,
      );
      return;
    }
    const name = entry.toLowerCase();
    if (!accept(name, path, entry)) return;
    if (names.includes(name)) {
      sink.lint("GH_LINT_DUPLICATE", path, entry, "info", `"${name}" is listed twice.`);
      return;
    }
    if (name !== entry) {
      sink.lint(
        "GH_LINT_HEADER_NORMALIZED",
        path,
        entry,
        "info",
        `"${entry}" is written "${name}".`,
        name,
      );
    }
    names.push(name);
  });
  return names;
}
