/**
 * The conformance table: policies x requests, each request pinned to the Fetch Standard rule it
 * checks. The engine test runs it against decide(); the adapter tests run the very same rows
 * through real Express, Fastify and Hono servers on loopback.
 */
import type { CorsConfig, ReasonCode, RequestKind } from "../../src/index.js";

export interface TableRequest {
  readonly method: string;
  /** Header values; an array sends the header on several lines. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
}

export interface TableExpectation {
  readonly kind: RequestKind;
  readonly allowed: boolean;
  /** 204/403 for preflights answered at the door, null when the request passes on. */
  readonly status: 204 | 403 | null;
  readonly reason: ReasonCode;
  /** Exactly the `Access-Control-*` response headers expected (names lower-case). */
  readonly headers: Readonly<Record<string, string>>;
  /** Exactly the `Vary` tokens expected (order-insensitive). */
  readonly vary: readonly string[];
}

export interface TableRow {
  readonly name: string;
  /** The rule this row pins, cited as `fetch.bs §anchor step` (or SPEC.md / RFC). */
  readonly rule: string;
  readonly request: TableRequest;
  readonly expect: TableExpectation;
}

export interface TablePolicy {
  readonly name: string;
  readonly config: CorsConfig;
  readonly rows: readonly TableRow[];
}

// ---- rules cited by the rows --------------------------------------------------------------
const R = {
  corsRequest: "fetch.bs §http-requests: a CORS request includes `Origin`",
  preflight: "fetch.bs §http-requests: a CORS-preflight request is OPTIONS + `Origin` + ACRM",
  check: "fetch.bs §cors-check steps 2-4: ACAO is `*` or the byte-exact serialized origin",
  credentials: "fetch.bs §cors-check steps 5-7: credentials need ACAC `true` and no `*`",
  okStatus:
    "fetch.bs §cors-preflight-fetch-0 step 7: ok status; §http-responses: 403 omits headers",
  method:
    "fetch.bs §cors-preflight-fetch-0 step 7.5: listed, safelisted, or `*` without credentials",
  methodCase:
    "fetch.bs §concept-method-normalize: only six methods are upper-cased; methods are case-sensitive",
  headers: "fetch.bs §cors-preflight-fetch-0 step 7.7: every CORS-unsafe name listed or `*`",
  authorization:
    "fetch.bs §cors-preflight-fetch-0 step 7.6: `Authorization` is never covered by `*`",
  acrhSyntax: "fetch.bs §http-new-header-syntax: ACRH = 1#field-name (case-insensitive names)",
  expose: "fetch.bs §http-responses: ACEH on responses to CORS requests that are not preflights",
  maxAge: "fetch.bs §http-responses: ACMA on preflight responses",
  vary: "fetch.bs §cors-protocol-and-http-caches: `Vary: Origin` when ACAO depends on the request",
  nullOrigin: "fetch.bs §http-responses: `null` is a value; SPEC.md: `null` is never trusted",
  pna: "WICG Private Network Access §headers: ACAPN `true` only to allowed origins",
  spec: "SPEC.md §Behaviour: a request that is not cross-origin gets no CORS headers",
} as const;

const PREFLIGHT_VARY = [
  "Origin",
  "Access-Control-Request-Method",
  "Access-Control-Request-Headers",
  "Access-Control-Request-Private-Network",
] as const;

// ---- request builders -----------------------------------------------------------------------
function req(
  method: string,
  headers: Record<string, string | readonly string[]> = {},
): TableRequest {
  return { method, headers };
}
function actual(
  origin: string | readonly string[] | undefined,
  method = "GET",
  extra: Record<string, string | readonly string[]> = {},
): TableRequest {
  return req(method, origin === undefined ? extra : { origin, ...extra });
}
function pre(
  origin: string | readonly string[],
  method: string | readonly string[],
  requestHeaders?: string | readonly string[],
  extra: Record<string, string | readonly string[]> = {},
): TableRequest {
  const headers: Record<string, string | readonly string[]> = {
    origin,
    "access-control-request-method": method,
    ...extra,
  };
  if (requestHeaders !== undefined) headers["access-control-request-headers"] = requestHeaders;
  return req("OPTIONS", headers);
}

// ---- expectation builders -------------------------------------------------------------------
function notCors(
  reason: ReasonCode = "CORS_NOT_CORS",
  vary: readonly string[] = ["Origin"],
): TableExpectation {
  return { kind: "not-cors", allowed: true, status: null, reason, headers: {}, vary };
}
function shared(headers: Record<string, string>): TableExpectation {
  return {
    kind: "actual",
    allowed: true,
    status: null,
    reason: "CORS_ALLOWED",
    headers,
    vary: ["Origin"],
  };
}
function notShared(reason: ReasonCode): TableExpectation {
  return { kind: "actual", allowed: false, status: null, reason, headers: {}, vary: ["Origin"] };
}
function ok(headers: Record<string, string>): TableExpectation {
  return {
    kind: "preflight",
    allowed: true,
    status: 204,
    reason: "CORS_PREFLIGHT_ALLOWED",
    headers,
    vary: PREFLIGHT_VARY,
  };
}
function refused(reason: ReasonCode): TableExpectation {
  return {
    kind: "preflight",
    allowed: false,
    status: 403,
    reason,
    headers: {},
    vary: PREFLIGHT_VARY,
  };
}

function row(
  name: string,
  rule: string,
  request: TableRequest,
  expect: TableExpectation,
): TableRow {
  return { name, rule, request, expect };
}

// ---- the policies ---------------------------------------------------------------------------
const APP = "https://app.example.com";
const EVIL = "https://evil.example";

/** Rows every explicit-list policy must pass for an origin it does not list. */
function foreignOriginRows(listed: string): TableRow[] {
  const host = new URL(listed).host;
  return [
    row("foreign origin, actual", R.check, actual(EVIL), notShared("CORS_ORIGIN_NOT_ALLOWED")),
    row(
      "foreign origin, preflight",
      R.okStatus,
      pre(EVIL, "PUT"),
      refused("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row("null origin, actual", R.nullOrigin, actual("null"), notShared("CORS_ORIGIN_NULL")),
    row("null origin, preflight", R.nullOrigin, pre("null", "PUT"), refused("CORS_ORIGIN_NULL")),
    row(
      "upper-case origin is not the serialized origin",
      R.check,
      actual(listed.toUpperCase()),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "trailing slash is not an origin",
      R.check,
      actual(`${listed}/`),
      notShared("CORS_ORIGIN_MALFORMED"),
    ),
    row("origin with a path", R.check, actual(`${listed}/x`), notShared("CORS_ORIGIN_MALFORMED")),
    row(
      "post-domain trick",
      R.check,
      actual(`${listed}.evil.example`),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "pre-domain trick",
      R.check,
      actual(listed.replace("://", "://evil")),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "scheme downgrade",
      R.check,
      actual(listed.replace("https://", "http://")),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row("other port", R.check, actual(`${listed}:8443`), notShared("CORS_ORIGIN_NOT_ALLOWED")),
    row(
      "explicit default port is not the serialized origin",
      R.check,
      actual(`${listed}:443`),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "userinfo",
      R.check,
      actual(listed.replace("://", "://user@")),
      notShared("CORS_ORIGIN_MALFORMED"),
    ),
    row("two Origin lines", R.check, actual([listed, EVIL]), notShared("CORS_ORIGIN_MALFORMED")),
    row(
      "comma-joined Origin",
      R.check,
      actual(`${listed}, ${EVIL}`),
      notShared("CORS_ORIGIN_MALFORMED"),
    ),
    row("empty Origin", R.check, actual(""), notShared("CORS_ORIGIN_MALFORMED")),
    row(
      "backtick special character",
      R.check,
      actual(`https://${host}\`.evil.example`),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "underscore special character",
      R.check,
      actual(`https://${host}_.evil.example`),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row("file scheme", R.check, actual("file://"), notShared("CORS_ORIGIN_MALFORMED")),
    row(
      "browser-extension origin",
      R.check,
      actual("chrome-extension://abcdefghijklmnop"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row("no Origin header", R.corsRequest, actual(undefined), notCors()),
    row(
      "no Origin on OPTIONS with ACRM",
      R.corsRequest,
      req("OPTIONS", { "access-control-request-method": "PUT" }),
      notCors(),
    ),
  ];
}

const EXACT: TablePolicy = {
  name: "exact origin, no credentials",
  config: {
    allowOrigins: [APP],
    allowMethods: ["PUT", "DELETE", "PATCH"],
    allowHeaders: ["content-type", "x-request-id", "authorization"],
    exposeHeaders: ["x-request-id", "retry-after"],
    maxAge: 600,
  },
  rows: [
    row(
      "simple GET",
      R.check,
      actual(APP),
      shared({
        "access-control-allow-origin": APP,
        "access-control-expose-headers": "x-request-id,retry-after",
      }),
    ),
    row(
      "HEAD",
      R.check,
      actual(APP, "HEAD"),
      shared({
        "access-control-allow-origin": APP,
        "access-control-expose-headers": "x-request-id,retry-after",
      }),
    ),
    row(
      "form POST",
      R.check,
      actual(APP, "POST", { "content-type": "application/x-www-form-urlencoded" }),
      shared({
        "access-control-allow-origin": APP,
        "access-control-expose-headers": "x-request-id,retry-after",
      }),
    ),
    row(
      "actual DELETE after its preflight",
      R.check,
      actual(APP, "DELETE"),
      shared({
        "access-control-allow-origin": APP,
        "access-control-expose-headers": "x-request-id,retry-after",
      }),
    ),
    row(
      "OPTIONS without ACRM is an actual request",
      R.preflight,
      actual(APP, "OPTIONS"),
      shared({
        "access-control-allow-origin": APP,
        "access-control-expose-headers": "x-request-id,retry-after",
      }),
    ),
    row(
      "JSON POST preflight",
      R.method,
      pre(APP, "POST", "content-type"),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-headers": "content-type",
        "access-control-max-age": "600",
      }),
    ),
    row(
      "PUT preflight",
      R.method,
      pre(APP, "PUT"),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "PUT",
        "access-control-max-age": "600",
      }),
    ),
    row(
      "DELETE preflight",
      R.method,
      pre(APP, "DELETE"),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "DELETE",
        "access-control-max-age": "600",
      }),
    ),
    row(
      "PATCH preflight",
      R.method,
      pre(APP, "PATCH", "content-type"),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "PATCH",
        "access-control-allow-headers": "content-type",
        "access-control-max-age": "600",
      }),
    ),
    row(
      "lower-case patch is another method",
      R.methodCase,
      pre(APP, "patch"),
      refused("CORS_METHOD_NOT_ALLOWED"),
    ),
    row(
      "GET preflight needs no ACAM",
      R.method,
      pre(APP, "GET", "x-request-id"),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-headers": "x-request-id",
        "access-control-max-age": "600",
      }),
    ),
    row(
      "HEAD preflight",
      R.method,
      pre(APP, "HEAD", "x-request-id"),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-headers": "x-request-id",
        "access-control-max-age": "600",
      }),
    ),
    row("unlisted method", R.method, pre(APP, "PROPFIND"), refused("CORS_METHOD_NOT_ALLOWED")),
    row(
      "lower-case put is not normalized by a browser, so not PUT",
      R.methodCase,
      pre(APP, "put"),
      refused("CORS_METHOD_NOT_ALLOWED"),
    ),
    row(
      "forbidden method CONNECT",
      R.method,
      pre(APP, "CONNECT"),
      refused("CORS_METHOD_NOT_ALLOWED"),
    ),
    row("empty ACRM", R.preflight, pre(APP, ""), refused("CORS_METHOD_MALFORMED")),
    row("ACRM with a space", R.preflight, pre(APP, "PUT DELETE"), refused("CORS_METHOD_MALFORMED")),
    row(
      "two ACRM lines",
      R.preflight,
      pre(APP, ["PUT", "DELETE"]),
      refused("CORS_METHOD_MALFORMED"),
    ),
    row(
      "authorization listed",
      R.authorization,
      pre(APP, "GET", "authorization"),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-headers": "authorization",
        "access-control-max-age": "600",
      }),
    ),
    row(
      "several headers, canonical",
      R.headers,
      pre(APP, "PUT", "authorization,content-type,x-request-id"),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "PUT",
        "access-control-allow-headers": "authorization,content-type,x-request-id",
        "access-control-max-age": "600",
      }),
    ),
    row(
      "header names in upper case",
      R.acrhSyntax,
      pre(APP, "PUT", "Content-Type,X-Request-Id"),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "PUT",
        "access-control-allow-headers": "content-type,x-request-id",
        "access-control-max-age": "600",
      }),
    ),
    row(
      "header list with white space",
      R.acrhSyntax,
      pre(APP, "PUT", " content-type , x-request-id "),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "PUT",
        "access-control-allow-headers": "content-type,x-request-id",
        "access-control-max-age": "600",
      }),
    ),
    row(
      "header list split over two lines",
      R.acrhSyntax,
      pre(APP, "PUT", ["content-type", "x-request-id"]),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "PUT",
        "access-control-allow-headers": "content-type,x-request-id",
        "access-control-max-age": "600",
      }),
    ),
    row(
      "empty elements are ignored",
      R.acrhSyntax,
      pre(APP, "PUT", "content-type,,x-request-id,"),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "PUT",
        "access-control-allow-headers": "content-type,x-request-id",
        "access-control-max-age": "600",
      }),
    ),
    row(
      "empty ACRH asks for nothing",
      R.acrhSyntax,
      pre(APP, "PUT", ""),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "PUT",
        "access-control-max-age": "600",
      }),
    ),
    row(
      "unlisted header",
      R.headers,
      pre(APP, "PUT", "content-type,x-secret"),
      refused("CORS_HEADER_NOT_ALLOWED"),
    ),
    row(
      "forbidden header name in ACRH",
      R.headers,
      pre(APP, "PUT", "cookie"),
      refused("CORS_HEADER_NOT_ALLOWED"),
    ),
    row(
      "ACRH with a colon",
      R.acrhSyntax,
      pre(APP, "PUT", "content-type: application/json"),
      refused("CORS_HEADERS_MALFORMED"),
    ),
    row(
      "ACRH with a CR LF",
      R.acrhSyntax,
      pre(APP, "PUT", "content-type\r\nx-injected: 1"),
      refused("CORS_HEADERS_MALFORMED"),
    ),
    row(
      "ACRH with 65 names",
      R.acrhSyntax,
      pre(APP, "PUT", Array.from({ length: 65 }, () => "content-type").join(",")),
      refused("CORS_HEADERS_TOO_MANY"),
    ),
    row(
      "ACRH over 4096 bytes",
      R.acrhSyntax,
      pre(APP, "PUT", `x-${"a".repeat(4100)}`),
      refused("CORS_HEADERS_TOO_MANY"),
    ),
    row(
      "ACRH with 64 names is read",
      R.acrhSyntax,
      pre(APP, "PUT", Array.from({ length: 64 }, () => "content-type").join(",")),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "PUT",
        "access-control-allow-headers": Array.from({ length: 64 }, () => "content-type").join(","),
        "access-control-max-age": "600",
      }),
    ),
    row(
      "private network not granted",
      R.pna,
      pre(APP, "PUT", undefined, { "access-control-request-private-network": "true" }),
      refused("CORS_PRIVATE_NETWORK_NOT_ALLOWED"),
    ),
    row(
      "ACRPN other than true is not a PNA request",
      R.pna,
      pre(APP, "PUT", undefined, { "access-control-request-private-network": "yes" }),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "PUT",
        "access-control-max-age": "600",
      }),
    ),
    row(
      "method checked before headers",
      R.method,
      pre(APP, "PROPFIND", "x-secret"),
      refused("CORS_METHOD_NOT_ALLOWED"),
    ),
    row(
      "origin checked before method",
      R.check,
      pre(EVIL, "PROPFIND", "x-secret"),
      refused("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    ...foreignOriginRows(APP),
  ],
};

const CREDENTIALED: TablePolicy = {
  name: "exact origins with credentials",
  config: {
    allowOrigins: [APP, "http://localhost:5173"],
    allowCredentials: true,
    allowMethods: ["PUT"],
    allowHeaders: ["content-type", "authorization"],
  },
  rows: [
    row(
      "credentialed GET",
      R.credentials,
      actual(APP, "GET", { cookie: "session=1" }),
      shared({ "access-control-allow-origin": APP, "access-control-allow-credentials": "true" }),
    ),
    row(
      "loopback http origin with credentials",
      R.credentials,
      actual("http://localhost:5173"),
      shared({
        "access-control-allow-origin": "http://localhost:5173",
        "access-control-allow-credentials": "true",
      }),
    ),
    row(
      "other localhost port",
      R.check,
      actual("http://localhost:5174"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "127.0.0.1 is another origin than localhost",
      R.check,
      actual("http://127.0.0.1:5173"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "preflight carries ACAC",
      R.credentials,
      pre(APP, "PUT", "authorization,content-type"),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "PUT",
        "access-control-allow-headers": "authorization,content-type",
      }),
    ),
    row(
      "preflight for POST carries ACAC",
      R.credentials,
      pre(APP, "POST", "content-type"),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-credentials": "true",
        "access-control-allow-headers": "content-type",
      }),
    ),
    row(
      "no ACAC for a foreign origin",
      R.credentials,
      actual(EVIL, "GET", { cookie: "session=1" }),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "no ACAC for a foreign preflight",
      R.credentials,
      pre(EVIL, "PUT"),
      refused("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row("DELETE not listed", R.method, pre(APP, "DELETE"), refused("CORS_METHOD_NOT_ALLOWED")),
    ...foreignOriginRows(APP),
  ],
};

const SUBDOMAINS: TablePolicy = {
  name: "subdomain pattern",
  config: {
    allowOrigins: ["https://*.example.com"],
    allowMethods: ["PUT"],
    allowHeaders: ["content-type"],
  },
  rows: [
    row(
      "one label",
      R.check,
      actual("https://app.example.com"),
      shared({ "access-control-allow-origin": "https://app.example.com" }),
    ),
    row(
      "two labels",
      R.check,
      actual("https://a.b.example.com"),
      shared({ "access-control-allow-origin": "https://a.b.example.com" }),
    ),
    row(
      "label with digits, hyphen and underscore",
      R.check,
      actual("https://a-1_b.example.com"),
      shared({ "access-control-allow-origin": "https://a-1_b.example.com" }),
    ),
    row(
      "punycode label",
      R.check,
      actual("https://xn--bcher-kva.example.com"),
      shared({ "access-control-allow-origin": "https://xn--bcher-kva.example.com" }),
    ),
    row(
      "preflight from a subdomain",
      R.method,
      pre("https://api.example.com", "PUT", "content-type"),
      ok({
        "access-control-allow-origin": "https://api.example.com",
        "access-control-allow-methods": "PUT",
        "access-control-allow-headers": "content-type",
      }),
    ),
    row(
      "the bare domain is not a subdomain",
      R.check,
      actual("https://example.com"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "suffix without a dot boundary",
      R.check,
      actual("https://evilexample.com"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "domain as a prefix of another",
      R.check,
      actual("https://app.example.com.evil.example"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "unescaped-dot look-alike",
      R.check,
      actual("https://appxexample.com"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "http scheme",
      R.check,
      actual("http://app.example.com"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "explicit port",
      R.check,
      actual("https://app.example.com:8443"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "upper-case host",
      R.check,
      actual("https://APP.example.com"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "empty label",
      R.check,
      actual("https://.example.com"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "double dot",
      R.check,
      actual("https://a..example.com"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "trailing dot",
      R.check,
      actual("https://app.example.com."),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "backtick in label",
      R.check,
      actual("https://a`b.example.com"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "percent-encoded label",
      R.check,
      actual("https://a%60.example.com"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "brace in label",
      R.check,
      actual("https://a{.example.com"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row("null", R.nullOrigin, actual("null"), notShared("CORS_ORIGIN_NULL")),
    row(
      "preflight from the bare domain",
      R.okStatus,
      pre("https://example.com", "PUT"),
      refused("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row("no Origin", R.corsRequest, actual(undefined), notCors()),
  ],
};

const ANY_PORT: TablePolicy = {
  name: "any-port patterns on loopback",
  config: { allowOrigins: ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"] },
  rows: [
    row(
      "localhost:5173",
      R.check,
      actual("http://localhost:5173"),
      shared({ "access-control-allow-origin": "http://localhost:5173" }),
    ),
    row(
      "localhost without port",
      R.check,
      actual("http://localhost"),
      shared({ "access-control-allow-origin": "http://localhost" }),
    ),
    row(
      "127.0.0.1:3000",
      R.check,
      actual("http://127.0.0.1:3000"),
      shared({ "access-control-allow-origin": "http://127.0.0.1:3000" }),
    ),
    row(
      "[::1]:8080",
      R.check,
      actual("http://[::1]:8080"),
      shared({ "access-control-allow-origin": "http://[::1]:8080" }),
    ),
    row(
      "port 65535",
      R.check,
      actual("http://localhost:65535"),
      shared({ "access-control-allow-origin": "http://localhost:65535" }),
    ),
    row(
      "port 65536",
      R.check,
      actual("http://localhost:65536"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "port with leading zero",
      R.check,
      actual("http://localhost:05173"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "explicit default port 80",
      R.check,
      actual("http://localhost:80"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row("empty port", R.check, actual("http://localhost:"), notShared("CORS_ORIGIN_NOT_ALLOWED")),
    row(
      "https localhost is another scheme",
      R.check,
      actual("https://localhost:5173"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "subdomain of localhost is not localhost",
      R.check,
      actual("http://evil.localhost:5173"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "localhost as a prefix",
      R.check,
      actual("http://localhost.evil.example:5173"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "127.0.0.2 is not listed",
      R.check,
      actual("http://127.0.0.2:3000"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "non-canonical IPv6",
      R.check,
      actual("http://[0:0:0:0:0:0:0:1]:8080"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "preflight without methods listed: POST passes",
      R.method,
      pre("http://localhost:5173", "POST"),
      ok({ "access-control-allow-origin": "http://localhost:5173" }),
    ),
    row(
      "preflight for PUT is refused",
      R.method,
      pre("http://localhost:5173", "PUT"),
      refused("CORS_METHOD_NOT_ALLOWED"),
    ),
    row(
      "preflight for a header is refused",
      R.headers,
      pre("http://localhost:5173", "GET", "content-type"),
      refused("CORS_HEADER_NOT_ALLOWED"),
    ),
  ],
};

const WILDCARD: TablePolicy = {
  name: "* without credentials",
  config: { allowOrigins: ["*"], allowMethods: ["*"], allowHeaders: ["*"], exposeHeaders: ["*"] },
  rows: [
    row(
      "any origin reads with *",
      R.check,
      actual("https://anything.example"),
      shared({ "access-control-allow-origin": "*", "access-control-expose-headers": "*" }),
    ),
    row(
      "null origin reads public data with *",
      R.check,
      actual("null"),
      shared({ "access-control-allow-origin": "*", "access-control-expose-headers": "*" }),
    ),
    row(
      "browser-extension origin with *",
      R.check,
      actual("chrome-extension://abc"),
      shared({ "access-control-allow-origin": "*", "access-control-expose-headers": "*" }),
    ),
    row("no Origin: no CORS headers, but Vary", R.spec, actual(undefined), notCors()),
    row(
      "malformed Origin gets nothing even with *",
      R.check,
      actual("not an origin"),
      notShared("CORS_ORIGIN_MALFORMED"),
    ),
    row(
      "two Origin lines with *",
      R.check,
      actual(["https://a.example", "https://b.example"]),
      notShared("CORS_ORIGIN_MALFORMED"),
    ),
    row(
      "any method via *",
      R.method,
      pre("https://anything.example", "PROPFIND"),
      ok({ "access-control-allow-origin": "*", "access-control-allow-methods": "*" }),
    ),
    row(
      "lower-case patch via *",
      R.method,
      pre("https://anything.example", "patch"),
      ok({ "access-control-allow-origin": "*", "access-control-allow-methods": "*" }),
    ),
    row(
      "any header via *",
      R.headers,
      pre("https://anything.example", "GET", "x-anything,content-type"),
      ok({
        "access-control-allow-origin": "*",
        "access-control-allow-headers": "x-anything,content-type",
      }),
    ),
    row(
      "authorization is not covered by *",
      R.authorization,
      pre("https://anything.example", "GET", "authorization"),
      refused("CORS_HEADER_AUTHORIZATION_NOT_COVERED"),
    ),
    row(
      "authorization among others is not covered by *",
      R.authorization,
      pre("https://anything.example", "GET", "authorization,content-type"),
      refused("CORS_HEADER_AUTHORIZATION_NOT_COVERED"),
    ),
    row(
      "forbidden name is not covered by *",
      R.headers,
      pre("https://anything.example", "GET", "sec-fetch-mode"),
      refused("CORS_HEADER_NOT_ALLOWED"),
    ),
    row(
      "proxy- name is not covered by *",
      R.headers,
      pre("https://anything.example", "GET", "proxy-authorization"),
      refused("CORS_HEADER_NOT_ALLOWED"),
    ),
    row(
      "null-origin preflight with *",
      R.check,
      pre("null", "PUT"),
      ok({ "access-control-allow-origin": "*", "access-control-allow-methods": "*" }),
    ),
    row(
      "private network refused under *",
      R.pna,
      pre("https://anything.example", "GET", undefined, {
        "access-control-request-private-network": "true",
      }),
      refused("CORS_PRIVATE_NETWORK_NOT_ALLOWED"),
    ),
  ],
};

const WILDCARD_AUTHORIZATION: TablePolicy = {
  name: "* headers plus authorization",
  config: { allowOrigins: ["*"], allowHeaders: ["*", "authorization"] },
  rows: [
    row(
      "authorization listed beside *",
      R.authorization,
      pre("https://anything.example", "GET", "authorization"),
      ok({ "access-control-allow-origin": "*", "access-control-allow-headers": "authorization" }),
    ),
    row(
      "authorization and others",
      R.authorization,
      pre("https://anything.example", "POST", "authorization,content-type,x-stainless-os"),
      ok({
        "access-control-allow-origin": "*",
        "access-control-allow-headers": "authorization,content-type,x-stainless-os",
      }),
    ),
    row(
      "methods not listed: PUT refused",
      R.method,
      pre("https://anything.example", "PUT"),
      refused("CORS_METHOD_NOT_ALLOWED"),
    ),
    row(
      "plain GET",
      R.check,
      actual("https://anything.example"),
      shared({ "access-control-allow-origin": "*" }),
    ),
  ],
};

const PRIVATE_NETWORK: TablePolicy = {
  name: "private network access granted",
  config: { allowOrigins: [APP], allowPrivateNetwork: true },
  rows: [
    row(
      "PNA preflight from an allowed origin",
      R.pna,
      pre(APP, "GET", undefined, { "access-control-request-private-network": "true" }),
      ok({ "access-control-allow-origin": APP, "access-control-allow-private-network": "true" }),
    ),
    row(
      "PNA preflight from a foreign origin",
      R.pna,
      pre(EVIL, "GET", undefined, { "access-control-request-private-network": "true" }),
      refused("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "PNA preflight from null",
      R.pna,
      pre("null", "GET", undefined, { "access-control-request-private-network": "true" }),
      refused("CORS_ORIGIN_NULL"),
    ),
    row(
      "preflight without PNA gets no ACAPN",
      R.pna,
      pre(APP, "POST"),
      ok({ "access-control-allow-origin": APP }),
    ),
    row(
      "actual request gets no ACAPN",
      R.pna,
      actual(APP),
      shared({ "access-control-allow-origin": APP }),
    ),
  ],
};

const LOWERCASE_PATCH: TablePolicy = {
  name: "lower-case patch listed",
  config: { allowOrigins: [APP], allowMethods: ["patch"] },
  rows: [
    row(
      "patch as sent by fetch(method: 'patch')",
      R.methodCase,
      pre(APP, "patch"),
      ok({ "access-control-allow-origin": APP, "access-control-allow-methods": "patch" }),
    ),
    row(
      "PATCH is another method",
      R.methodCase,
      pre(APP, "PATCH"),
      refused("CORS_METHOD_NOT_ALLOWED"),
    ),
    row(
      "Patch is another method",
      R.methodCase,
      pre(APP, "Patch"),
      refused("CORS_METHOD_NOT_ALLOWED"),
    ),
  ],
};

const NORMALIZED_CONFIG: TablePolicy = {
  name: "config values written loosely and normalized",
  config: {
    allowOrigins: ["HTTPS://App.Example.COM:443", "https://bücher.example"],
    allowMethods: ["put", "delete"],
    allowHeaders: ["Content-Type", "X-Request-ID"],
    exposeHeaders: ["X-Request-ID"],
  },
  rows: [
    row(
      "matches the canonical origin",
      R.check,
      actual(APP),
      shared({
        "access-control-allow-origin": APP,
        "access-control-expose-headers": "x-request-id",
      }),
    ),
    row(
      "IDN origin matches in punycode",
      R.check,
      actual("https://xn--bcher-kva.example"),
      shared({
        "access-control-allow-origin": "https://xn--bcher-kva.example",
        "access-control-expose-headers": "x-request-id",
      }),
    ),
    row(
      "put was normalized to PUT",
      R.methodCase,
      pre(APP, "PUT", "content-type,x-request-id"),
      ok({
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "PUT",
        "access-control-allow-headers": "content-type,x-request-id",
      }),
    ),
    row(
      "delete was normalized to DELETE",
      R.methodCase,
      pre(APP, "DELETE"),
      ok({ "access-control-allow-origin": APP, "access-control-allow-methods": "DELETE" }),
    ),
    row(
      "the raw spelling never matches",
      R.check,
      actual("HTTPS://App.Example.COM:443"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
  ],
};

const MANY_ORIGINS: TablePolicy = {
  name: "1,000 exact origins",
  config: { allowOrigins: Array.from({ length: 1000 }, (_, i) => `https://app${i}.example.com`) },
  rows: [
    row(
      "first listed",
      R.check,
      actual("https://app0.example.com"),
      shared({ "access-control-allow-origin": "https://app0.example.com" }),
    ),
    row(
      "last listed",
      R.check,
      actual("https://app999.example.com"),
      shared({ "access-control-allow-origin": "https://app999.example.com" }),
    ),
    row(
      "not listed",
      R.check,
      actual("https://app1000.example.com"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
    row(
      "prefix of a listed origin",
      R.check,
      actual("https://app99.example.co"),
      notShared("CORS_ORIGIN_NOT_ALLOWED"),
    ),
  ],
};

export const CORS_TABLE: readonly TablePolicy[] = [
  EXACT,
  CREDENTIALED,
  SUBDOMAINS,
  ANY_PORT,
  WILDCARD,
  WILDCARD_AUTHORIZATION,
  PRIVATE_NETWORK,
  LOWERCASE_PATCH,
  NORMALIZED_CONFIG,
  MANY_ORIGINS,
];
