/**
 * The CORS policy a user writes, and its validation into a normalized form.
 *
 * Validation collects every problem before giving up, so a user fixes a config in one pass.
 */

import type { OriginPattern } from "./origin.js";
import { parseOriginPattern } from "./origin.js";
import type { ProblemSink } from "./problems.js";
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
 */
export function validateCorsConfig(
  input: unknown,
  sink: ProblemSink,
  base = "",
): ValidatedCors | null {
  const at = (key: string) => (base === "" ? key : `${base}.${key}`);
  const before = sink.problems.length;

  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    sink.problem(
      "GH_CORS_CONFIG_TYPE",
      base,
      input,
      "a CORS policy is an object of options.",
      "Write an object such as { allowOrigins: [https://app.example.com] }.",
    );
    return null;
  }
  const raw = input as Record<string, unknown>;
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

  const credentials = readBoolean(raw, "allowCredentials", at, sink);
  const allowPrivateNetwork = readBoolean(raw, "allowPrivateNetwork", at, sink);
  const dangerouslyAllowInsecureOrigins = readBoolean(
    raw,
    "dangerouslyAllowInsecureOrigins",
    at,
    sink,
  );

  // Origins ------------------------------------------------------------------------------
  const patterns: OriginPattern[] = [];
  const originTexts: string[] = [];
  const originList = readList(raw, "allowOrigins", at, sink);
  if (originList !== null && originList.length === 0) {
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
  (originList ?? []).forEach((entry, i) => {
    const path = `${at("allowOrigins")}[${i}]`;
    const pattern = parseOriginPattern(entry, path, sink, {
      credentials,
      dangerouslyAllowInsecureOrigins,
    });
    if (pattern === null) return;
    if (pattern.kind === "any") {
      if (credentials) {
        sink.problem(
          "GH_CORS_ORIGIN_WILDCARD_CREDENTIALS",
          path,
          entry,
          "browsers refuse `Access-Control-Allow-Origin: *` with credentials, and reflecting any origin instead would let every website act as the user.",
        );
        return;
      }
      if (allowPrivateNetwork) {
        sink.problem(
          "GH_CORS_PRIVATE_NETWORK_WILDCARD",
          path,
          entry,
          "Private Network Access granted to every origin lets any public website reach this private server.",
        );
        return;
      }
      if (sawAny) {
        sink.lint("GH_LINT_DUPLICATE", path, entry, "info", '"*" is listed twice.');
        return;
      }
      sawAny = true;
      sink.lint(
        "GH_LINT_WILDCARD_ORIGIN",
        path,
        entry,
        "warning",
        "every origin may read responses: fine for public data, wrong for anything behind a token.",
      );
    } else if (originTexts.includes(pattern.text)) {
      sink.lint("GH_LINT_DUPLICATE", path, entry, "info", `"${pattern.text}" is listed twice.`);
      return;
    }
    patterns.push(pattern);
    originTexts.push(pattern.kind === "any" ? "*" : pattern.text);
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

  // Methods ------------------------------------------------------------------------------
  const methods: string[] = [];
  (readList(raw, "allowMethods", at, sink) ?? []).forEach((entry, i) => {
    const path = `${at("allowMethods")}[${i}]`;
    if (typeof entry !== "string") {
      sink.problem("GH_CORS_CONFIG_TYPE", path, entry, "a method must be a string.");
      return;
    }
    if (entry === "*") {
      if (credentials) {
        sink.problem(
          "GH_CORS_METHOD_WILDCARD_CREDENTIALS",
          path,
          entry,
          "with credentials, browsers read `*` as a method literally named `*`.",
        );
        return;
      }
    } else if (!isToken(entry)) {
      sink.problem(
        "GH_CORS_METHOD_INVALID",
        path,
        entry,
        `"${entry}" is not an HTTP method token.`,
      );
      return;
    } else if (isForbiddenMethod(entry)) {
      sink.problem(
        "GH_CORS_METHOD_FORBIDDEN",
        path,
        entry,
        `${entry.toUpperCase()} is a forbidden method in the Fetch Standard.`,
      );
      return;
    }
    const method = entry === "*" ? entry : normalizeMethod(entry);
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

  // Request headers ----------------------------------------------------------------------
  const headers = readHeaderNames(raw, "allowHeaders", at, sink, (name, path, entry) => {
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
  });
  if (headers.includes("*") && !headers.includes(NON_WILDCARD_REQUEST_HEADER)) {
    sink.lint(
      "GH_LINT_HEADER_WILDCARD_AUTHORIZATION",
      at("allowHeaders"),
      raw.allowHeaders,
      "info",
      '"*" covers every request header except authorization; list "authorization" too if clients send it.',
    );
  }

  // Response headers ---------------------------------------------------------------------
  const exposeHeaders = readHeaderNames(raw, "exposeHeaders", at, sink, (name, path, entry) => {
    if (name === "*") {
      if (credentials) {
        sink.problem(
          "GH_CORS_EXPOSE_WILDCARD_CREDENTIALS",
          path,
          entry,
          "with credentials, browsers read `*` as a header literally named `*`.",
        );
        return false;
      }
      return true;
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
  });

  // Max age ------------------------------------------------------------------------------
  let maxAge: number | null = null;
  if (raw.maxAge !== undefined) {
    const value = raw.maxAge;
    if (
      typeof value !== "number" ||
      !Number.isInteger(value) ||
      value < 0 ||
      value > MAX_AGE_LIMIT
    ) {
      sink.problem(
        "GH_CORS_MAX_AGE_RANGE",
        at("maxAge"),
        value,
        `maxAge must be a whole number of seconds from 0 to ${MAX_AGE_LIMIT}.`,
      );
    } else {
      maxAge = value;
      if (value > CHROMIUM_MAX_AGE_CAP) {
        sink.lint(
          "GH_LINT_MAX_AGE_CAPPED",
          at("maxAge"),
          value,
          "warning",
          `Chromium keeps a preflight at most ${CHROMIUM_MAX_AGE_CAP} s and WebKit 600 s; ${value} s only applies in Firefox.`,
        );
      }
    }
  }

  if (allowPrivateNetwork) {
    sink.lint(
      "GH_LINT_PRIVATE_NETWORK",
      at("allowPrivateNetwork"),
      true,
      "info",
      "Chromium replaced Private Network Access preflights with the Local Network Access permission prompt; this only helps older builds.",
    );
  }

  if (sink.problems.length > before) return null;
  return {
    config: Object.freeze({
      allowOrigins: Object.freeze(originTexts),
      allowCredentials: credentials,
      allowMethods: Object.freeze(methods),
      allowHeaders: Object.freeze(headers),
      exposeHeaders: Object.freeze(exposeHeaders),
      maxAge,
      allowPrivateNetwork,
      dangerouslyAllowInsecureOrigins,
    }),
    patterns: Object.freeze(patterns),
  };
}

function readBoolean(
  raw: Record<string, unknown>,
  key: keyof CorsConfig,
  at: (key: string) => string,
  sink: ProblemSink,
): boolean {
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

function readList(
  raw: Record<string, unknown>,
  key: keyof CorsConfig,
  at: (key: string) => string,
  sink: ProblemSink,
): readonly unknown[] | null {
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
  raw: Record<string, unknown>,
  key: "allowHeaders" | "exposeHeaders",
  at: (key: string) => string,
  sink: ProblemSink,
  accept: (lowerName: string, path: string, entry: string) => boolean,
): readonly string[] {
  const names: string[] = [];
  (readList(raw, key, at, sink) ?? []).forEach((entry, i) => {
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
