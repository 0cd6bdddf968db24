/**
 * `corsPolicy(config)` validates and compiles; `policy.decide(facts)` is pure.
 *
 * decide() sorts a request the way the Fetch Standard does (fetch.bs §http-requests):
 *   - no `Origin` header            -> not a CORS request;
 *   - OPTIONS + Origin + ACRM        -> a CORS-preflight request, answered here (204 or 403);
 *   - anything else with `Origin`    -> an actual CORS request, passed on with headers added.
 * It never copies request bytes into a response except the matched origin and request-header
 * names that passed validation. Outcomes that do not depend on the request's bytes (every
 * denial, every allowed actual request from an exact origin) are built once at compile time,
 * so the hot paths do not allocate.
 */

import type { ReasonCode } from "./codes.js";
import { REASON_CODES } from "./codes.js";
import type { CorsConfig, NormalizedCorsConfig } from "./config.js";
import { validateCorsConfig, validationRecord } from "./config.js";
import { ExactIndex } from "./exact-index.js";
import type { HeaderSource, HeaderValue, PlainHeaders } from "./headers.js";
import { readHeader } from "./headers.js";
import { OriginMatcher } from "./origin.js";
import type { LintNote } from "./problems.js";
import { CorsConfigError, ProblemSink } from "./problems.js";
import type { ExplainOut } from "./request-headers.js";
import { RequestHeaderRules, Scan } from "./request-headers.js";
import { isTokenChar } from "./tokens.js";
import { NO_VARY, VARY_ORIGIN, VARY_PREFLIGHT } from "./vary.js";

/** What decide() needs to know about a request. */
export interface RequestFacts {
  /** The request method, as received (methods are case-sensitive). */
  readonly method: string;
  /** The `Origin` header; when omitted it is read from `headers`. */
  readonly origin?: HeaderValue;
  /** The request headers; read for `Access-Control-Request-*` on preflights. */
  readonly headers?: HeaderSource;
  /** The server's own origin: a request from it is same-origin and gets no CORS headers. */
  readonly selfOrigin?: string;
}

export type RequestKind = "not-cors" | "actual" | "preflight";

/** Why decide() answered as it did: a stable code and the Fetch Standard rule behind it. */
export interface DecisionReason {
  readonly code: ReasonCode;
  /** The rule applied, cited as `fetch.bs §anchor step`. */
  readonly step: string;
  /** One line for people. */
  readonly detail: string;
}

/** The answer for one request. Shared and frozen: never mutate it. */
export interface CorsDecision {
  readonly kind: RequestKind;
  /** Whether the browser will be allowed to proceed (always true for non-CORS requests). */
  readonly allowed: boolean;
  /** For preflights: the status to answer with at once (204 or 403). Null otherwise. */
  readonly status: 204 | 403 | null;
  /** Response headers to set, in order, as [name, value]. */
  readonly headers: readonly (readonly [string, string])[];
  /** Tokens to append to `Vary` (never to replace it). */
  readonly vary: readonly string[];
  readonly reason: DecisionReason;
}

/** decide() with the details a person debugging a request wants. */
export interface CorsExplanation {
  readonly decision: CorsDecision;
  /** The `Origin` as read (null when absent). */
  readonly origin: string | null;
  /** For preflights: the method asked for. */
  readonly requestMethod: string | null;
  /** For preflights: the header names asked for, lower-cased, in order. */
  readonly requestHeaders: readonly string[];
  /** The method or header name that caused a refusal, if one did. */
  readonly offending: string | null;
}

export interface CorsPolicy {
  /** The normalized configuration, frozen. Null for the no-CORS policy. */
  readonly config: NormalizedCorsConfig | null;
  /** Normalizations and risks noticed while compiling. */
  readonly lints: readonly LintNote[];
  /** Pure: what to answer to this request, and why. */
  decide(facts: RequestFacts): CorsDecision;
  /** decide() plus the details behind it (allocates; for tools and logs, not the hot path). */
  explain(facts: RequestFacts): CorsExplanation;
  /** Whether a serialized origin is in the allowlist (`*` counts). `null` never is. */
  allowsOrigin(origin: string): boolean;
}

const STEPS = {
  notCors: "fetch.bs §http-requests: a CORS request is an HTTP request that includes `Origin`",
  sameOrigin: "fetch.bs §http-requests: same-origin requests are not subject to the CORS protocol",
  originCheck:
    "fetch.bs §cors-check steps 2-4: `Access-Control-Allow-Origin` must be `*` or the request's serialized origin",
  credentials:
    "fetch.bs §cors-check steps 5-7: with credentials, `*` fails and `Access-Control-Allow-Credentials` must be `true`",
  preflightOk:
    "fetch.bs §cors-preflight-fetch-0 step 7: an ok status and a passing CORS check; §http-responses: refuse with 403 and omit the headers",
  methodMalformed:
    "fetch.bs §http-new-header-syntax: `Access-Control-Request-Method = method` (a token)",
  method:
    "fetch.bs §cors-preflight-fetch-0 step 7.5: the method must be listed, CORS-safelisted, or covered by `*` without credentials",
  headers:
    "fetch.bs §cors-preflight-fetch-0 step 7.7: every CORS-unsafe request-header name must be listed, or covered by `*` without credentials",
  authorization:
    "fetch.bs §cors-preflight-fetch-0 step 7.6: `Authorization` is a CORS non-wildcard request-header name and must be listed by name",
  headersMalformed:
    "fetch.bs §http-new-header-syntax: `Access-Control-Request-Headers = 1#field-name`",
  privateNetwork:
    "WICG Private Network Access §headers: answer `Access-Control-Allow-Private-Network: true` only to allowed origins",
  noPolicy: "fetch.bs §http-responses: a response without CORS headers is not shared",
} as const;

function reason(code: ReasonCode, step: string): DecisionReason {
  return Object.freeze({ code, step, detail: REASON_CODES[code].title });
}

function decision(
  kind: RequestKind,
  allowed: boolean,
  status: 204 | 403 | null,
  headers: readonly (readonly [string, string])[],
  vary: readonly string[],
  why: DecisionReason,
): CorsDecision {
  return Object.freeze({ kind, allowed, status, headers, vary, reason: why });
}

type HeaderPair = readonly [string, string];

const NO_HEADERS: readonly HeaderPair[] = Object.freeze([]);

// Header names are written in lower case: HTTP field names are case-insensitive, HTTP/2 and
// the Fetch `Headers` class store them so, and node lower-cases every name it is given anyway.
const ACAO = "access-control-allow-origin";
const ACAC_TRUE: HeaderPair = Object.freeze(["access-control-allow-credentials", "true"] as const);
const ACAM = "access-control-allow-methods";
const ACMA = "access-control-max-age";
const ACEH = "access-control-expose-headers";
const ACAPN_TRUE: HeaderPair = Object.freeze([
  "access-control-allow-private-network",
  "true",
] as const);
const ACAO_ANY: HeaderPair = Object.freeze([ACAO, "*"] as const);
const ACAM_ANY: HeaderPair = Object.freeze([ACAM, "*"] as const);

/** Up to this many exact origins or methods, a loop of `===` beats hashing a fresh string. */
const SHORT_LIST = 8;
/** Validates `config` and compiles it; throws `CorsConfigError` listing every problem. */
export function corsPolicy(config: CorsConfig): CorsPolicy {
  return compileCorsPolicy(config);
}

/**
 * Validates and compiles a config whose key paths start at `base` (the gateway compiles each
 * `cors` section of a file with its full path, `routes[1].cors`, so reports point at it).
 * Throws like corsPolicy() if it is not valid.
 */
export function compileCorsPolicy(config: unknown, base = ""): CorsPolicy {
  const sink = new ProblemSink();
  const validated = validateCorsConfig(config, sink, base);
  if (validated === null) throw new CorsConfigError(sink.problems, sink.lints);
  return compileNormalizedPolicy(validated.config);
}

/**
 * Compiles a config that validateCorsConfig returned, without validating it again: the gateway
 * validates each `cors` section once, while loading its file, and compiles it on every start
 * and reload. Any other object, however alike, is refused with a TypeError, so nothing that
 * skipped validation is ever compiled. The policy's lints are those of that validation.
 */
export function compileNormalizedPolicy(config: NormalizedCorsConfig): CorsPolicy {
  const record = validationRecord(config);
  if (record === undefined) {
    throw new TypeError(
      "compileNormalizedPolicy() compiles only a config returned by validateCorsConfig(); use compileCorsPolicy() for any other.",
    );
  }
  return new CompiledPolicy(config, new OriginMatcher(record.patterns), record.lints);
}

class CompiledPolicy implements CorsPolicy {
  readonly config: NormalizedCorsConfig;
  readonly lints: readonly LintNote[];
  private readonly origins: OriginMatcher;
  private readonly anyOrigin: boolean;
  private readonly credentials: boolean;
  /** Listed methods (never GET, HEAD, POST), each with its precomputed ACAM pair. */
  private readonly methodNames: readonly string[];
  private readonly methodPairs: readonly HeaderPair[];
  private readonly methodMap: Map<string, HeaderPair> | null;
  private readonly anyMethod: boolean;
  private readonly requestHeaders: RequestHeaderRules;
  private readonly maxAgePair: HeaderPair | null;
  private readonly privateNetwork: boolean;
  private readonly exposePair: HeaderPair | null;

  // Precomputed outcomes.
  private readonly notCors: CorsDecision;
  private readonly sameOrigin: CorsDecision;
  private readonly actualAny: CorsDecision | null;
  private readonly exactOrigins: readonly string[];
  private readonly exactDecisions: readonly CorsDecision[];
  private readonly exactIndex: ExactIndex<CorsDecision> | null;
  private readonly hasPatterns: boolean;
  private readonly deny: Record<
    | "actualOrigin"
    | "actualNull"
    | "actualMalformed"
    | "preOrigin"
    | "preNull"
    | "preMalformed"
    | "preMethodMalformed"
    | "preMethod"
    | "preHeader"
    | "preAuthorization"
    | "preHeadersMalformed"
    | "preHeadersTooMany"
    | "prePrivateNetwork",
    CorsDecision
  >;
  /** The refusal for each Scan code (none for Scan.None): deciding reads no enum. */
  private readonly headerRefusals: readonly (CorsDecision | undefined)[];
  private readonly preflightAllowed: DecisionReason;
  private readonly actualAllowed: DecisionReason;

  constructor(config: NormalizedCorsConfig, origins: OriginMatcher, lints: readonly LintNote[]) {
    this.config = config;
    this.lints = Object.freeze([...lints]);
    this.origins = origins;
    this.anyOrigin = origins.allowsAny;
    this.credentials = config.allowCredentials;
    this.methodNames = Object.freeze(config.allowMethods.filter((m) => m !== "*"));
    this.methodPairs = Object.freeze(
      this.methodNames.map((m) => Object.freeze([ACAM, m] as const)),
    );
    this.methodMap =
      this.methodNames.length > SHORT_LIST
        ? new Map(this.methodNames.map((m, i) => [m, this.methodPairs[i] as HeaderPair]))
        : null;
    this.anyMethod = config.allowMethods.includes("*");
    this.requestHeaders = new RequestHeaderRules(config.allowHeaders);
    this.maxAgePair =
      config.maxAge === null ? null : Object.freeze([ACMA, String(config.maxAge)] as const);
    this.privateNetwork = config.allowPrivateNetwork;
    this.exposePair =
      config.exposeHeaders.length > 0
        ? Object.freeze([ACEH, config.exposeHeaders.join(",")] as const)
        : null;

    // A `*` policy still varies on Origin: the spec's "no Vary for a static `*`" assumes `*`
    // is sent to non-CORS requests too, which Gatehouse does not do (SPEC: a request that is
    // not cross-origin gets no CORS headers).
    this.notCors = decision(
      "not-cors",
      true,
      null,
      NO_HEADERS,
      VARY_ORIGIN,
      reason("CORS_NOT_CORS", STEPS.notCors),
    );
    this.sameOrigin = decision(
      "not-cors",
      true,
      null,
      NO_HEADERS,
      VARY_ORIGIN,
      reason("CORS_SAME_ORIGIN", STEPS.sameOrigin),
    );
    this.actualAllowed = reason(
      "CORS_ALLOWED",
      this.credentials ? STEPS.credentials : STEPS.originCheck,
    );
    this.preflightAllowed = reason("CORS_PREFLIGHT_ALLOWED", STEPS.preflightOk);
    this.actualAny = this.anyOrigin
      ? decision(
          "actual",
          true,
          null,
          this.actualHeaders(ACAO_ANY),
          VARY_ORIGIN,
          this.actualAllowed,
        )
      : null;
    const exact = this.anyOrigin ? [] : config.allowOrigins.filter((o) => origins.hasExact(o));
    this.exactOrigins = Object.freeze(exact);
    this.exactDecisions = Object.freeze(
      exact.map((o) =>
        decision(
          "actual",
          true,
          null,
          this.actualHeaders(Object.freeze([ACAO, o] as const)),
          VARY_ORIGIN,
          this.actualAllowed,
        ),
      ),
    );
    this.exactIndex = exact.length > SHORT_LIST ? new ExactIndex(exact, this.exactDecisions) : null;
    this.hasPatterns = origins.hasPatterns;
    const actualDeny = (code: ReasonCode) =>
      decision("actual", false, null, NO_HEADERS, VARY_ORIGIN, reason(code, STEPS.originCheck));
    const preDeny = (code: ReasonCode, step: string) =>
      decision("preflight", false, 403, NO_HEADERS, VARY_PREFLIGHT, reason(code, step));
    this.deny = {
      actualOrigin: actualDeny("CORS_ORIGIN_NOT_ALLOWED"),
      actualNull: actualDeny("CORS_ORIGIN_NULL"),
      actualMalformed: actualDeny("CORS_ORIGIN_MALFORMED"),
      preOrigin: preDeny("CORS_ORIGIN_NOT_ALLOWED", STEPS.originCheck),
      preNull: preDeny("CORS_ORIGIN_NULL", STEPS.originCheck),
      preMalformed: preDeny("CORS_ORIGIN_MALFORMED", STEPS.originCheck),
      preMethodMalformed: preDeny("CORS_METHOD_MALFORMED", STEPS.methodMalformed),
      preMethod: preDeny("CORS_METHOD_NOT_ALLOWED", STEPS.method),
      preHeader: preDeny("CORS_HEADER_NOT_ALLOWED", STEPS.headers),
      preAuthorization: preDeny("CORS_HEADER_AUTHORIZATION_NOT_COVERED", STEPS.authorization),
      preHeadersMalformed: preDeny("CORS_HEADERS_MALFORMED", STEPS.headersMalformed),
      preHeadersTooMany: preDeny("CORS_HEADERS_TOO_MANY", STEPS.headersMalformed),
      prePrivateNetwork: preDeny("CORS_PRIVATE_NETWORK_NOT_ALLOWED", STEPS.privateNetwork),
    };
    const refusals: (CorsDecision | undefined)[] = [];
    refusals[Scan.None] = undefined;
    refusals[Scan.NotAllowed] = this.deny.preHeader;
    refusals[Scan.Authorization] = this.deny.preAuthorization;
    refusals[Scan.Malformed] = this.deny.preHeadersMalformed;
    refusals[Scan.TooMany] = this.deny.preHeadersTooMany;
    this.headerRefusals = refusals;
  }

  private actualHeaders(acao: HeaderPair): readonly HeaderPair[] {
    const headers: HeaderPair[] = [acao];
    if (this.credentials) headers.push(ACAC_TRUE);
    if (this.exposePair !== null) headers.push(this.exposePair);
    return Object.freeze(headers);
  }

  /** The precomputed actual-request decision of a listed exact origin. */
  private exactDecision(origin: string): CorsDecision | undefined {
    if (this.exactIndex !== null) return this.exactIndex.get(origin);
    const list = this.exactOrigins;
    for (let i = 0; i < list.length; i++) if (list[i] === origin) return this.exactDecisions[i];
    return undefined;
  }

  /** The ACAM pair for a listed method, or undefined. */
  private listedMethod(method: string): HeaderPair | undefined {
    if (this.methodMap !== null) return this.methodMap.get(method);
    const list = this.methodNames;
    for (let i = 0; i < list.length; i++) if (list[i] === method) return this.methodPairs[i];
    return undefined;
  }

  allowsOrigin(origin: string): boolean {
    if (origin === "null") return false;
    if (this.anyOrigin) return isOriginShaped(origin);
    return (
      this.exactDecision(origin) !== undefined || (this.hasPatterns && this.origins.matches(origin))
    );
  }

  decide(facts: RequestFacts): CorsDecision {
    return this.run(facts, undefined);
  }

  explain(facts: RequestFacts): CorsExplanation {
    const out: ExplainOut = { offending: null, names: [] };
    const result = this.run(facts, out);
    const headers = facts.headers;
    const origin = singleValue(
      facts.origin !== undefined ? facts.origin : readHeader(headers, "origin"),
    );
    const method =
      result.kind === "preflight"
        ? singleValue(readHeader(headers, "access-control-request-method"))
        : null;
    return Object.freeze({
      decision: result,
      origin: origin === MULTIPLE ? null : origin,
      requestMethod: method === MULTIPLE ? null : method,
      requestHeaders: Object.freeze(out.names),
      offending: out.offending,
    });
  }

  private run(facts: RequestFacts, out: ExplainOut | undefined): CorsDecision {
    const headers = facts.headers;
    // Which kind of source, asked once: on a plain object the `get` probe walks the prototype
    // chain, and a preflight reads four headers.
    const fetchHeaders = isFetchHeaders(headers) ? headers : null;
    const plain = fetchHeaders === null ? (headers as PlainHeaders | undefined) : undefined;
    const origin = singleValue(
      facts.origin !== undefined
        ? facts.origin
        : fetchHeaders !== null
          ? fetchHeaders.get("origin")
          : plain?.origin,
    );
    if (origin === null) return this.notCors;
    if (origin !== MULTIPLE && facts.selfOrigin !== undefined && origin === facts.selfOrigin) {
      return this.sameOrigin;
    }
    const acrm =
      facts.method !== "OPTIONS"
        ? undefined
        : fetchHeaders !== null
          ? fetchHeaders.get("access-control-request-method")
          : plain?.["access-control-request-method"];
    const preflight = acrm !== undefined && acrm !== null;

    // fetch.bs §cors-check steps 2-4: the origin decides first.
    let exact: CorsDecision | undefined;
    let allowed = false;
    if (origin !== MULTIPLE) {
      exact = this.exactDecision(origin);
      if (exact !== undefined) allowed = true;
      else if (this.anyOrigin) allowed = origin === "null" || isOriginShaped(origin);
      else if (this.hasPatterns) allowed = this.origins.matches(origin);
    }
    if (!allowed) {
      const kind = origin === "null" ? 1 : origin === MULTIPLE || !isOriginShaped(origin) ? 2 : 0;
      if (preflight)
        return kind === 0
          ? this.deny.preOrigin
          : kind === 1
            ? this.deny.preNull
            : this.deny.preMalformed;
      return kind === 0
        ? this.deny.actualOrigin
        : kind === 1
          ? this.deny.actualNull
          : this.deny.actualMalformed;
    }

    if (!preflight) {
      if (exact !== undefined) return exact;
      if (this.actualAny !== null) return this.actualAny;
      const acao: HeaderPair = [ACAO, origin as string];
      return decision(
        "actual",
        true,
        null,
        this.actualHeaders(acao),
        VARY_ORIGIN,
        this.actualAllowed,
      );
    }

    // fetch.bs §cors-preflight-fetch-0 step 7.5: the method.
    const method = singleValue(acrm);
    if (method === null || method === MULTIPLE) return this.deny.preMethodMalformed;
    let methodPair: HeaderPair | null = null;
    if (method !== "GET" && method !== "HEAD" && method !== "POST") {
      const listed = this.listedMethod(method);
      if (listed !== undefined) methodPair = listed;
      else if (!isTokenString(method)) return this.deny.preMethodMalformed;
      else if (this.anyMethod) methodPair = ACAM_ANY;
      else {
        if (out) out.offending = method;
        return this.deny.preMethod;
      }
    }

    // Steps 7.6-7.7: the request headers.
    const acrh =
      fetchHeaders !== null
        ? fetchHeaders.get("access-control-request-headers")
        : plain?.["access-control-request-headers"];
    let headersPair: HeaderPair | undefined;
    if (acrh !== undefined && acrh !== null) {
      const answered = this.requestHeaders.answer(acrh, out);
      if (typeof answered !== "number") headersPair = answered;
      else {
        const refused = this.headerRefusals[answered];
        if (refused !== undefined) return refused;
      }
    }

    // Private Network Access: asked for with exactly `true`.
    const pna =
      fetchHeaders !== null
        ? fetchHeaders.get("access-control-request-private-network")
        : plain?.["access-control-request-private-network"];
    const wantsPrivateNetwork =
      pna === "true" || (Array.isArray(pna) && pna.length === 1 && pna[0] === "true");
    if (wantsPrivateNetwork && !this.privateNetwork) return this.deny.prePrivateNetwork;

    const answer: HeaderPair[] = [
      exact !== undefined
        ? (exact.headers[0] as HeaderPair)
        : this.anyOrigin
          ? ACAO_ANY
          : [ACAO, origin as string],
    ];
    if (this.credentials) answer.push(ACAC_TRUE);
    if (methodPair !== null) answer.push(methodPair);
    if (headersPair !== undefined) answer.push(headersPair);
    if (this.maxAgePair !== null) answer.push(this.maxAgePair);
    if (wantsPrivateNetwork) answer.push(ACAPN_TRUE);
    return {
      kind: "preflight",
      allowed: true,
      status: 204,
      headers: answer,
      vary: VARY_PREFLIGHT,
      reason: this.preflightAllowed,
    };
  }
}

// Read on every decision, so kept in this module: called through an import, they cost about
// 1 ns a decision more (measured; V8 loads an imported binding from its module cell).
const MULTIPLE = Symbol("multiple values");

/** One header value, or null when absent, or MULTIPLE when repeated (never trusted). */
function singleValue(value: HeaderValue): string | null | typeof MULTIPLE {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  if (value.length === 0) return null;
  return value.length === 1 ? (value[0] as string) : MULTIPLE;
}

function isFetchHeaders(
  headers: HeaderSource | undefined,
): headers is { get(name: string): string | null } {
  return headers !== undefined && typeof (headers as { get?: unknown }).get === "function";
}

function isTokenString(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) if (!isTokenChar(value.charCodeAt(i))) return false;
  return true;
}

/**
 * Could this be a serialized origin a browser sent (any scheme)? `scheme "://" host-ish`,
 * without the characters that joined or injected values carry (`,`, white space, controls,
 * `/`, `?`, `#`, `@`). Used to tell a malformed `Origin` from a foreign one, and to keep `*`
 * policies from answering garbage.
 */
function isOriginShaped(origin: string): boolean {
  // One pass, no indexOf: the scheme up to the first ':', then "//", then host characters.
  const n = origin.length;
  if (n === 0) return false;
  let c = origin.charCodeAt(0);
  if (c >= 128 || SCHEME_CHAR[c] !== 2) return false;
  let i = 1;
  for (; i < n; i++) {
    c = origin.charCodeAt(i);
    if (c === 0x3a) break;
    if (c >= 128 || SCHEME_CHAR[c] === 0) return false;
  }
  if (i + 3 >= n || origin.charCodeAt(i + 1) !== 0x2f || origin.charCodeAt(i + 2) !== 0x2f)
    return false;
  for (let j = i + 3; j < n; j++) {
    c = origin.charCodeAt(j);
    if (c < 128 && HOST_CHAR[c] === 0) return false;
  }
  return true;
}

/** 2 for letters (a scheme starts with one), 1 for digits, `+`, `-`, `.`; 0 otherwise. */
const SCHEME_CHAR = new Uint8Array(128);
/** 0 for what never follows `://` in a serialized origin: controls, space, `,/?#@\\`, DEL. */
const HOST_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  SCHEME_CHAR[c] = /[A-Za-z]/.test(ch) ? 2 : /[0-9+.-]/.test(ch) ? 1 : 0;
  HOST_CHAR[c] = c <= 0x20 || c === 0x7f || ",/?#@\\".includes(ch) ? 0 : 1;
}

/**
 * The policy of a route without a `cors` section: nothing is granted cross-origin. Preflights
 * get 403, actual responses get no CORS headers, and nothing varies on `Origin` because no
 * answer depends on it.
 */
export function noCorsPolicy(): CorsPolicy {
  return NO_CORS;
}

const NO_CORS: CorsPolicy = (() => {
  const why = reason("CORS_NO_POLICY", STEPS.noPolicy);
  const notCors = decision(
    "not-cors",
    true,
    null,
    NO_HEADERS,
    NO_VARY,
    reason("CORS_NOT_CORS", STEPS.notCors),
  );
  const sameOrigin = decision(
    "not-cors",
    true,
    null,
    NO_HEADERS,
    NO_VARY,
    reason("CORS_SAME_ORIGIN", STEPS.sameOrigin),
  );
  const actual = decision("actual", false, null, NO_HEADERS, NO_VARY, why);
  const preflight = decision("preflight", false, 403, NO_HEADERS, NO_VARY, why);
  const decide = (facts: RequestFacts): CorsDecision => {
    const origin = facts.origin !== undefined ? facts.origin : readHeader(facts.headers, "origin");
    if (origin === undefined || origin === null || (Array.isArray(origin) && origin.length === 0))
      return notCors;
    // A request from the server's own origin is not cross-origin, policy or none.
    if (facts.selfOrigin !== undefined && origin === facts.selfOrigin) return sameOrigin;
    if (facts.method !== "OPTIONS") return actual;
    const acrm = readHeader(facts.headers, "access-control-request-method");
    return acrm === undefined || acrm === null ? actual : preflight;
  };
  return Object.freeze({
    config: null,
    lints: Object.freeze([]),
    decide,
    explain: (facts: RequestFacts) => {
      const d = decide(facts);
      const origin = singleValue(
        facts.origin !== undefined ? facts.origin : readHeader(facts.headers, "origin"),
      );
      return Object.freeze({
        decision: d,
        origin: origin === MULTIPLE ? null : origin,
        requestMethod: null,
        requestHeaders: Object.freeze([]),
        offending: null,
      });
    },
    allowsOrigin: () => false,
  });
})();
