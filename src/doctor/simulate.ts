/**
 * What a browser does with one cross-origin request, as pure functions (no I/O): whether it
 * needs a preflight and why, the exact preflight and request it sends, and every check it runs
 * on the answers. Each check is a `Step` that names the Fetch Standard step it implements, the
 * header lines it read, and which engines it blocks, because engines do not all agree.
 *
 * Engines: "fetch" is the Fetch Standard itself; "firefox" follows it on every check here;
 * "chromium" departs from it where noted in CHROMIUM_DEPARTURES (checked against a real
 * Chromium by test/doctor/agreement.test.ts).
 */
import { splitSerializedOrigin } from "../core/origin.js";
import {
  isForbiddenMethod,
  isForbiddenRequestHeaderName,
  isForbiddenResponseHeaderName,
  isHeaderValue,
  isToken,
  NON_WILDCARD_REQUEST_HEADER,
  normalizeMethod,
  SAFELISTED_METHODS,
  SAFELISTED_RESPONSE_HEADERS,
  SAFELISTED_TOTAL_MAX_BYTES,
  safelistRequestHeader,
} from "../core/tokens.js";
import { HEADER, sameName } from "../http-client/header-names.js";
import type { Header, ObservedResponse, WireRequest } from "../http-client/message.js";
import { headerLines, headerValue } from "../http-client/message.js";
import type { DoctorCode } from "./codes.js";
import type { DoorReason } from "./door-reason.js";
import { doorReason, doorVerdictOn } from "./door-reason.js";

export type Engine = "fetch" | "chromium" | "firefox";
export const ENGINES: readonly Engine[] = ["fetch", "chromium", "firefox"];
export type Verdict = "allowed" | "blocked";

/** Where Chromium does not do what the Fetch Standard says, for the checks the doctor runs. */
export const CHROMIUM_DEPARTURES = {
  authorizationWildcard:
    "Chromium lets `Access-Control-Allow-Headers: *` cover `Authorization` (without credentials); the Fetch Standard and Firefox refuse it.",
} as const;

/** Preflight cache caps in seconds (informational: they never change a verdict). */
export const MAX_AGE_CAPS = { chromium: 7200, firefox: 86400, webkit: 600 } as const;
/** fetch.bs §cors-preflight-fetch: the max-age when the header is absent or invalid. */
export const DEFAULT_MAX_AGE = 5;

/** The request as the page's script would make it with `fetch()`. */
export interface DoctorInput {
  readonly url: string;
  readonly origin: string;
  readonly method?: string;
  readonly headers?: readonly Header[];
  /** `credentials: "include"`; otherwise the default, "same-origin". */
  readonly credentials?: boolean;
}

/** A request after `fetch()`'s own processing: what the browser would put on the wire. */
export interface PreparedRequest {
  readonly url: URL;
  readonly origin: string;
  readonly method: string;
  readonly headers: readonly Header[];
  readonly credentials: boolean;
  /** Headers `fetch()` silently drops (forbidden request-header names), with why. */
  readonly dropped: readonly { readonly name: string; readonly why: string }[];
}

export type Prepared =
  | { readonly ok: true; readonly request: PreparedRequest }
  | { readonly ok: false; readonly error: string };

/**
 * Validates the input the way `new Request()` and `fetch()` do: a method that is not a token or
 * is forbidden, or a header that is not a valid name/value, makes `fetch()` throw TypeError;
 * forbidden header names are dropped without a word.
 */
export function prepareRequest(input: DoctorInput): Prepared {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    return { ok: false, error: `"${input.url}" is not an absolute URL` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, error: `"${input.url}" is not an http(s) URL` };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, error: "fetch() refuses URLs with user:password@ (TypeError)" };
  }
  if (input.origin !== "null" && !isSerializedOrigin(input.origin)) {
    return {
      ok: false,
      error: `"${input.origin}" is not an origin as browsers send it: scheme://host[:port], lower-case, no path or trailing slash`,
    };
  }
  const rawMethod = input.method ?? "GET";
  if (!isToken(rawMethod)) return { ok: false, error: `"${rawMethod}" is not a valid method` };
  if (isForbiddenMethod(rawMethod)) {
    return { ok: false, error: `fetch() refuses the forbidden method ${rawMethod} (TypeError)` };
  }
  const headers: Header[] = [];
  const dropped: { name: string; why: string }[] = [];
  for (const [name, rawValue] of input.headers ?? []) {
    if (!isToken(name)) return { ok: false, error: `"${name}" is not a valid header name` };
    const value = rawValue.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
    if (!isHeaderValue(value) || [...value].some((ch) => ch.charCodeAt(0) > 0xff)) {
      return { ok: false, error: `the value of ${name} is not a valid header value` };
    }
    if (isForbiddenRequestHeaderName(name.toLowerCase())) {
      dropped.push({
        name,
        why: `${name} is a forbidden request-header name: fetch() drops it and the browser sets it itself`,
      });
      continue;
    }
    headers.push([name, value]);
  }
  return {
    ok: true,
    request: {
      url,
      origin: input.origin,
      method: normalizeMethod(rawMethod),
      headers,
      credentials: input.credentials === true,
      dropped,
    },
  };
}

/** Exactly the ASCII serialization a browser sends: lower-case, no default port, no slash. */
function isSerializedOrigin(origin: string): boolean {
  if (splitSerializedOrigin(origin) === null) return false;
  try {
    return new URL(origin).origin === origin;
  } catch {
    return false;
  }
}

// ---- does it need a preflight? --------------------------------------------------------------

export interface PreflightNeed {
  readonly needed: boolean;
  /** One line per cause, e.g. "method PUT is not GET, HEAD or POST". */
  readonly reasons: readonly string[];
  /** fetch.bs §cors-unsafe-request-header-names: sorted, lower-case, unique. */
  readonly unsafeNames: readonly string[];
}

/** fetch.bs §cors-unsafe-request-header-names, with the reason for each name. */
export function corsUnsafeRequestHeaders(headers: readonly Header[]): {
  readonly names: readonly string[];
  readonly reasons: readonly string[];
} {
  const unsafe: string[] = [];
  const reasons: string[] = [];
  const potentiallyUnsafe: string[] = [];
  let size = 0;
  for (const [name, value] of headers) {
    const verdict = safelistRequestHeader(name, value);
    if (verdict.safelisted) {
      potentiallyUnsafe.push(name);
      size += value.length;
    } else {
      unsafe.push(name);
      reasons.push(`header ${name.toLowerCase()} is not safelisted: ${verdict.why}`);
    }
  }
  if (size > SAFELISTED_TOTAL_MAX_BYTES) {
    unsafe.push(...potentiallyUnsafe);
    reasons.push(
      `the safelisted headers' values total ${size} bytes, more than ${SAFELISTED_TOTAL_MAX_BYTES}, so ${[...new Set(potentiallyUnsafe.map((n) => n.toLowerCase()))].join(", ")} count as unsafe too`,
    );
  }
  return { names: sortedLowercaseSet(unsafe), reasons };
}

/** fetch.bs §convert-header-names-to-a-sorted-lowercase-set. */
export function sortedLowercaseSet(names: readonly string[]): string[] {
  return [...new Set(names.map((n) => n.toLowerCase()))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
}

/** fetch.bs §http-fetch step 4.1: a preflight is due for a non-safelisted method or header. */
export function needsPreflight(method: string, headers: readonly Header[]): PreflightNeed {
  const reasons: string[] = [];
  if (!SAFELISTED_METHODS.has(method)) {
    reasons.push(
      method === method.toUpperCase()
        ? `method ${method} is not GET, HEAD or POST`
        : `method ${method} is not GET, HEAD or POST (and browsers send it as written: methods are case-sensitive)`,
    );
  }
  const unsafe = corsUnsafeRequestHeaders(headers);
  reasons.push(...unsafe.reasons);
  return { needed: reasons.length > 0, reasons, unsafeNames: unsafe.names };
}

// ---- what goes on the wire ------------------------------------------------------------------

export interface WireOptions {
  readonly userAgent?: string;
}

export const DEFAULT_USER_AGENT = "gatehouse-doctor";

/**
 * A URL is "potentially trustworthy" (https, or loopback): Chromium sends the full set of
 * Sec-Fetch-* headers only there; elsewhere only the preflight carries Sec-Fetch-Mode.
 */
export function isPotentiallyTrustworthy(url: URL): boolean {
  if (url.protocol === "https:") return true;
  const host = url.hostname;
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === "[::1]"
  );
}

/** `strict-origin-when-cross-origin`, the default policy: the origin, unless https → http. */
function referrer(origin: string, target: URL): string | null {
  if (origin === "null") return null;
  if (origin.startsWith("https:") && target.protocol === "http:") return null;
  return `${origin}/`;
}

function fetchMetadata(pageOrigin: string, target: URL): Header[] {
  const site =
    pageOrigin !== "null" && registrable(pageOrigin) === registrable(target.origin)
      ? "same-site"
      : "cross-site";
  return [
    [HEADER.secFetchSite, site],
    [HEADER.secFetchMode, "cors"],
    [HEADER.secFetchDest, "empty"],
  ];
}

/** Scheme plus the last two labels: a close enough "site" for Sec-Fetch-Site. */
function registrable(origin: string): string {
  const parts = splitSerializedOrigin(origin);
  if (parts === null) return origin;
  const labels = parts.host.split(".");
  return `${parts.scheme}://${labels.slice(-2).join(".")}`;
}

function acceptEncoding(target: URL): string {
  return target.protocol === "https:" ? "gzip, deflate, br, zstd" : "gzip, deflate";
}

/**
 * fetch.bs §cors-preflight-fetch, in Chromium's order: Accept, Access-Control-Request-Method,
 * Access-Control-Request-Headers (sorted, lower-case, joined by "," without spaces), Origin,
 * then what Chromium adds (User-Agent, Sec-Fetch-*, Referer, Accept-Encoding, Accept-Language).
 * The preflight never carries credentials or the request's own headers.
 */
export function preflightRequest(
  target: URL,
  sentOrigin: string,
  pageOrigin: string,
  method: string,
  unsafeNames: readonly string[],
  options: WireOptions = {},
): WireRequest {
  const headers: Header[] = [
    [HEADER.accept, "*/*"],
    [HEADER.requestMethod, method],
  ];
  if (unsafeNames.length > 0) headers.push([HEADER.requestHeaders, unsafeNames.join(",")]);
  headers.push(
    [HEADER.origin, sentOrigin],
    [HEADER.userAgent, options.userAgent ?? DEFAULT_USER_AGENT],
  );
  if (isPotentiallyTrustworthy(target)) headers.push(...fetchMetadata(pageOrigin, target));
  else headers.push([HEADER.secFetchMode, "cors"]);
  const ref = referrer(pageOrigin, target);
  if (ref !== null) headers.push([HEADER.referer, ref]);
  headers.push(
    [HEADER.acceptEncoding, acceptEncoding(target)],
    [HEADER.acceptLanguage, "en-US,en;q=0.9"],
  );
  return { method: "OPTIONS", url: target.href, headers };
}

/** The request itself, in Chromium's order: User-Agent, the script's headers, Accept, Origin, ... */
export function actualRequest(
  target: URL,
  sentOrigin: string,
  pageOrigin: string,
  method: string,
  headers: readonly Header[],
  options: WireOptions = {},
): WireRequest {
  const out: Header[] = [[HEADER.userAgent, options.userAgent ?? DEFAULT_USER_AGENT], ...headers];
  if (!headers.some(([n]) => sameName(n, HEADER.accept))) out.push([HEADER.accept, "*/*"]);
  out.push([HEADER.origin, sentOrigin]);
  if (isPotentiallyTrustworthy(target)) out.push(...fetchMetadata(pageOrigin, target));
  const ref = referrer(pageOrigin, target);
  if (ref !== null) out.push([HEADER.referer, ref]);
  const ranged = headers.some(([n]) => sameName(n, HEADER.range));
  out.push(
    [HEADER.acceptEncoding, ranged ? "identity" : acceptEncoding(target)],
    [HEADER.acceptLanguage, "en-US,en;q=0.9"],
  );
  return { method, url: target.href, headers: out };
}

// ---- checking answers -----------------------------------------------------------------------

/**
 * `skip`: a check the answer gives nothing to judge by. A refused preflight usually carries no
 * `Access-Control-Allow-*` header at all, and the browser stops at its first failure anyway, so
 * "PUT is not listed" would be a guess; with a door's reason, the checks it never made.
 */
export type StepStatus = "pass" | "fail" | "note" | "skip";

export interface Step {
  readonly id: string;
  readonly title: string;
  readonly status: StepStatus;
  readonly code?: DoctorCode;
  readonly detail: string;
  /** The Fetch Standard step this implements. */
  readonly fetchStep: string;
  /** The response (or request) header lines this step read, as "Name: value". */
  readonly linesSeen: readonly string[];
  /** Engines this step blocks (empty unless status is "fail"). */
  readonly blocks: readonly Engine[];
}

/** What the checks need to know about the request. */
export interface CheckContext {
  /** The origin as the browser serializes it for this hop (`null` after a tainting redirect). */
  readonly origin: string;
  readonly credentials: boolean;
  readonly method: string;
  readonly headers: readonly Header[];
}

/** The lines named `name`, as "Name: value" (the name as received), for `Step.linesSeen`. */
function linesOf(res: ObservedResponse, name: string): string[] {
  return headerLines(res, name).map((l) => `${l.name}: ${l.value}`);
}

function count(res: ObservedResponse, name: string): number {
  return headerLines(res, name).length;
}

/**
 * fetch.bs §extract-header-list-values for the `#token` headers (`#method`, `#field-name`):
 * null when absent, "failure" when an element is not a token. Empty elements are allowed.
 */
export function extractTokenList(res: ObservedResponse, name: string): string[] | null | "failure" {
  const value = headerValue(res, name);
  if (value === null) return null;
  const out: string[] = [];
  for (const element of value.split(",")) {
    const item = element.replace(/^[\t ]+|[\t ]+$/g, "");
    if (item === "") continue;
    if (!isToken(item)) return "failure";
    out.push(item);
  }
  return out;
}

const ALL: readonly Engine[] = ENGINES;

function step(
  id: string,
  title: string,
  fetchStep: string,
  linesSeen: readonly string[],
  outcome:
    | { status: "pass" | "note" | "skip"; detail: string; code?: DoctorCode }
    | { status: "fail"; detail: string; code: DoctorCode; blocks?: readonly Engine[] },
): Step {
  const blocks = outcome.status === "fail" ? (outcome.blocks ?? ALL) : [];
  const base = {
    id,
    title,
    status: outcome.status,
    detail: outcome.detail,
    fetchStep,
    linesSeen,
    blocks,
  };
  return outcome.code === undefined ? base : { ...base, code: outcome.code };
}

/** fetch.bs §concept-cors-check, as one or two steps (origin, then credentials). */
export function corsCheck(prefix: string, ctx: CheckContext, res: ObservedResponse): Step[] {
  const steps: Step[] = [];
  const acao = headerValue(res, HEADER.allowOrigin);
  const seen = linesOf(res, HEADER.allowOrigin);
  const title = "Access-Control-Allow-Origin matches the origin";
  const where = "fetch.bs §concept-cors-check steps 1-4";
  if (acao === null) {
    const reason = doorReason(res);
    steps.push(
      step(`${prefix}.allow-origin`, title, where, reason === null ? seen : [reason.line], {
        status: "fail",
        code: "GH_DOCTOR_ACAO_MISSING",
        detail: `no Access-Control-Allow-Origin header: ${reason === null ? `the browser hides the response from ${ctx.origin}` : missingOriginByDoor(reason, ctx.origin)}`,
      }),
    );
  } else if (count(res, HEADER.allowOrigin) > 1 || acao.includes(",")) {
    steps.push(
      step(`${prefix}.allow-origin`, title, where, seen, {
        status: "fail",
        code: "GH_DOCTOR_ACAO_MULTIPLE",
        detail: `the browser reads "${acao}": more than one value never matches an origin`,
      }),
    );
  } else if (acao === "*" && !ctx.credentials) {
    steps.push(
      step(`${prefix}.allow-origin`, title, where, seen, {
        status: "pass",
        detail: "* allows any origin for a request without credentials",
      }),
    );
  } else if (acao === "*") {
    steps.push(
      step(`${prefix}.allow-origin`, title, where, seen, {
        status: "fail",
        code: "GH_DOCTOR_ACAO_WILDCARD_CREDENTIALS",
        detail: "* does not count for a request with credentials: the origin itself is needed",
      }),
    );
  } else if (acao !== ctx.origin) {
    steps.push(
      step(`${prefix}.allow-origin`, title, where, seen, {
        status: "fail",
        code: "GH_DOCTOR_ACAO_MISMATCH",
        detail: `"${acao}" is not "${ctx.origin}"${mismatchHint(acao, ctx.origin)}`,
      }),
    );
  } else {
    steps.push(
      step(`${prefix}.allow-origin`, title, where, seen, {
        status: "pass",
        detail: `equals the origin ${ctx.origin}`,
      }),
    );
  }
  if (ctx.credentials) {
    const acac = headerValue(res, HEADER.allowCredentials);
    const ok = acac === "true";
    steps.push(
      step(
        `${prefix}.allow-credentials`,
        "Access-Control-Allow-Credentials is exactly `true`",
        "fetch.bs §concept-cors-check steps 5-8",
        linesOf(res, HEADER.allowCredentials),
        ok
          ? { status: "pass", detail: "credentials allowed" }
          : {
              status: "fail",
              code: "GH_DOCTOR_ACAC_MISSING",
              detail:
                acac === null
                  ? "missing, and the request has credentials"
                  : `"${acac}" is not "true" (case-sensitive, one value)`,
            },
      ),
    );
  }
  return steps;
}

/** Why a door's answer has no `Access-Control-Allow-Origin`, from the reason it gave. */
function missingOriginByDoor(reason: DoorReason, origin: string): string {
  switch (reason.refused) {
    case "policy":
      return "the door has no CORS policy here and grants nothing cross-origin";
    case "origin":
      return `the door does not allow ${origin}`;
    case null:
      return `the browser hides the response from ${origin}`;
    default:
      // The origin passed; the door refuses a preflight whole, so the header is absent.
      return `the door allows ${origin} but refused the preflight for its ${reason.refused === "headers" ? "request headers" : reason.refused}`;
  }
}

function mismatchHint(acao: string, origin: string): string {
  if (acao === `${origin}/`) return ": remove the trailing slash";
  if (acao.toLowerCase() === origin.toLowerCase()) return ": the case differs";
  if (acao === "null")
    return ": `null` matches only pages with an opaque origin, and trusting it is unsafe";
  if (origin === "null") return ": after a cross-origin redirect the browser sends Origin: null";
  return "";
}

/** fetch.bs §cors-preflight-fetch step 7 and the CORS check on the preflight response. */
export function checkPreflight(ctx: CheckContext, res: ObservedResponse): Step[] {
  const steps: Step[] = [];
  const statusLine = [`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`];
  if (res.status >= 200 && res.status <= 299) {
    steps.push(
      step(
        "preflight.status",
        "Preflight status is 2xx (an ok status)",
        "fetch.bs §cors-preflight-fetch step 7",
        statusLine,
        {
          status: "pass",
          detail: `${res.status}`,
        },
      ),
    );
  } else if (res.status >= 300 && res.status <= 399) {
    steps.push(
      step(
        "preflight.status",
        "Preflight status is 2xx (an ok status)",
        "fetch.bs §cors-preflight-fetch step 7",
        [...statusLine, ...linesOf(res, HEADER.location)],
        {
          status: "fail",
          code: "GH_DOCTOR_PREFLIGHT_REDIRECT",
          detail: `${res.status} is a redirect: a preflight is never redirected`,
        },
      ),
    );
  } else {
    steps.push(
      step(
        "preflight.status",
        "Preflight status is 2xx (an ok status)",
        "fetch.bs §cors-preflight-fetch step 7",
        statusLine,
        {
          status: "fail",
          code: "GH_DOCTOR_PREFLIGHT_STATUS",
          detail: `${res.status} is not an ok status`,
        },
      ),
    );
  }
  steps.push(...corsCheck("preflight", ctx, res));
  const reason = doorReason(res);
  // A header absent from an answer that already failed proves nothing about the list behind it.
  const failed = steps.some((s) => s.status === "fail");
  steps.push(methodStep(ctx, res, reason, failed));
  const headers = headersStep(ctx, res, reason, failed);
  if (headers !== null) steps.push(headers);

  // Max-age: informational only.
  const ageLines = linesOf(res, HEADER.maxAge);
  const ageTitle = "Access-Control-Max-Age (preflight cache lifetime)";
  const ageWhere = "fetch.bs §cors-preflight-fetch steps 7.8-7.10";
  const rawAge = headerValue(res, HEADER.maxAge);
  if (rawAge === null) {
    steps.push(
      step("preflight.max-age", ageTitle, ageWhere, ageLines, {
        status: "note",
        detail: `absent: browsers cache the preflight for ${DEFAULT_MAX_AGE} seconds`,
      }),
    );
  } else if (count(res, HEADER.maxAge) > 1 || !/^[0-9]+$/.test(rawAge)) {
    steps.push(
      step("preflight.max-age", ageTitle, ageWhere, ageLines, {
        status: "note",
        code: "GH_DOCTOR_MAX_AGE",
        detail: `"${rawAge}" is not one number of seconds: browsers use ${DEFAULT_MAX_AGE}`,
      }),
    );
  } else {
    const age = Number(rawAge);
    const capped = Object.entries(MAX_AGE_CAPS).filter(([, cap]) => age > cap);
    steps.push(
      step(
        "preflight.max-age",
        ageTitle,
        ageWhere,
        ageLines,
        capped.length === 0
          ? { status: "pass", detail: `${age} seconds` }
          : {
              status: "note",
              code: "GH_DOCTOR_MAX_AGE",
              detail: `${age} seconds; capped at ${capped.map(([engine, cap]) => `${cap} by ${engine}`).join(", ")}`,
            },
      ),
    );
  }
  return steps;
}

/** A door's reason names a check it never made: shown as skipped, with what to make sure of. */
function uncheckedByDoor(reason: DoorReason, what: string): string {
  return `not checked: the door stopped at its first refusal (${reason.line}); make sure ${what}`;
}

/** fetch.bs §cors-preflight-fetch steps 7.1-7.5: the method. */
function methodStep(
  ctx: CheckContext,
  res: ObservedResponse,
  reason: DoorReason | null,
  failed: boolean,
): Step {
  const methods = extractTokenList(res, HEADER.allowMethods);
  const lines = linesOf(res, HEADER.allowMethods);
  const title = `Access-Control-Allow-Methods allows ${ctx.method}`;
  const where = "fetch.bs §cors-preflight-fetch steps 7.1-7.5";
  const at = (outcome: Parameters<typeof step>[4], seen: readonly string[] = lines) =>
    step("preflight.allow-methods", title, where, seen, outcome);
  // fetch.bs §cors-preflight-fetch step 7.3: an unparsable list fails whatever the method.
  if (methods === "failure") {
    return at({
      status: "fail",
      code: "GH_DOCTOR_ALLOW_METHODS_INVALID",
      detail: "not a comma-separated list of methods",
    });
  }
  const list = methods ?? [];
  if (list.includes(ctx.method)) return at({ status: "pass", detail: `lists ${ctx.method}` });
  if (SAFELISTED_METHODS.has(ctx.method)) {
    return at({
      status: "pass",
      detail: `${ctx.method} is a CORS-safelisted method and needs no listing`,
    });
  }
  if (reason !== null && methods === null) {
    const verdict = doorVerdictOn(reason, "method");
    if (verdict === "refused") {
      return at(
        {
          status: "fail",
          code: "GH_DOCTOR_METHOD_NOT_ALLOWED",
          detail: `the door refused the method ${ctx.method}: it is not in its allowMethods`,
        },
        [reason.line],
      );
    }
    if (verdict === "unchecked") {
      return at(
        { status: "skip", detail: uncheckedByDoor(reason, `allowMethods lists ${ctx.method}`) },
        [reason.line],
      );
    }
    return at({ status: "pass", detail: `the door allows ${ctx.method}` }, [reason.line]);
  }
  if (methods === null && failed) {
    return at({
      status: "skip",
      detail: `not reached: the preflight already failed above, and its answer carries no Access-Control-Allow-Methods to judge ${ctx.method} by`,
    });
  }
  if (list.includes("*") && !ctx.credentials) {
    return at({ status: "pass", detail: "* allows any method for a request without credentials" });
  }
  if (list.includes("*")) {
    return at({
      status: "fail",
      code: "GH_DOCTOR_METHOD_WILDCARD_CREDENTIALS",
      detail: `* does not count with credentials and ${ctx.method} is not listed`,
    });
  }
  const near = list.find((m) => m.toLowerCase() === ctx.method.toLowerCase());
  return at({
    status: "fail",
    code: "GH_DOCTOR_METHOD_NOT_ALLOWED",
    detail:
      near !== undefined
        ? `lists ${near}, but the browser sends ${ctx.method}: methods are case-sensitive`
        : methods === null
          ? `no Access-Control-Allow-Methods, and ${ctx.method} is not GET, HEAD or POST`
          : `${ctx.method} is not in ${list.join(", ") || "(empty list)"}`,
  });
}

/** fetch.bs §cors-preflight-fetch steps 7.6-7.7: the request headers; null when none is due. */
function headersStep(
  ctx: CheckContext,
  res: ObservedResponse,
  reason: DoorReason | null,
  failed: boolean,
): Step | null {
  const unsafe = corsUnsafeRequestHeaders(ctx.headers).names;
  const hasAuthorization = ctx.headers.some(
    ([n]) => n.toLowerCase() === NON_WILDCARD_REQUEST_HEADER,
  );
  if (unsafe.length === 0 && !hasAuthorization) return null;
  const names = extractTokenList(res, HEADER.allowHeaders);
  const lines = linesOf(res, HEADER.allowHeaders);
  const title = `Access-Control-Allow-Headers allows ${unsafe.join(", ")}`;
  const where = "fetch.bs §cors-preflight-fetch steps 7.6-7.7";
  const at = (outcome: Parameters<typeof step>[4], seen: readonly string[] = lines) =>
    step("preflight.allow-headers", title, where, seen, outcome);
  if (reason !== null && names === null) {
    const verdict = doorVerdictOn(reason, "headers");
    if (verdict === "refused") {
      return at(
        reason.code === "CORS_HEADER_AUTHORIZATION_NOT_COVERED"
          ? {
              status: "fail",
              code: "GH_DOCTOR_AUTHORIZATION_WILDCARD",
              detail: "the door refused authorization: its allowHeaders has * but does not name it",
            }
          : {
              status: "fail",
              code: "GH_DOCTOR_HEADER_NOT_ALLOWED",
              detail: `the door refused the request headers: ${unsafe.length === 1 ? `${unsafe[0]} is` : `one or more of ${unsafe.join(", ")} are`} not in its allowHeaders`,
            },
        [reason.line],
      );
    }
    if (verdict === "unchecked") {
      return at(
        {
          status: "skip",
          detail: uncheckedByDoor(reason, `allowHeaders lists ${unsafe.join(", ")}`),
        },
        [reason.line],
      );
    }
    return at({ status: "pass", detail: "the door allows them" }, [reason.line]);
  }
  if (names === null && failed) {
    return at({
      status: "skip",
      detail:
        "not reached: the preflight already failed above, and its answer carries no Access-Control-Allow-Headers to judge them by",
    });
  }
  if (names === "failure") {
    return at({
      status: "fail",
      code: "GH_DOCTOR_ALLOW_HEADERS_INVALID",
      detail: "not a comma-separated list of header names",
    });
  }
  const listed = new Set((names ?? []).map((n) => n.toLowerCase()));
  const star = listed.has("*");
  const missing = unsafe.filter((n) => !listed.has(n) && (ctx.credentials || !star));
  if (missing.length > 0) {
    const byStarOnly = star && ctx.credentials;
    return at({
      status: "fail",
      code: byStarOnly ? "GH_DOCTOR_HEADER_WILDCARD_CREDENTIALS" : "GH_DOCTOR_HEADER_NOT_ALLOWED",
      detail: byStarOnly
        ? `* does not count with credentials; not listed: ${missing.join(", ")}`
        : `not listed: ${missing.join(", ")}`,
    });
  }
  if (hasAuthorization && !listed.has(NON_WILDCARD_REQUEST_HEADER)) {
    // Only reachable with `*` and no credentials: the engines part ways here.
    return at({
      status: "fail",
      code: "GH_DOCTOR_AUTHORIZATION_WILDCARD",
      detail: `authorization is covered only by *. Fetch Standard and Firefox: blocked. ${CHROMIUM_DEPARTURES.authorizationWildcard.split(";")[0]}: allowed.`,
      blocks: ["fetch", "firefox"],
    });
  }
  return at({
    status: "pass",
    detail: star && unsafe.some((n) => !listed.has(n)) ? "covered (some by *)" : "all listed",
  });
}

/** The CORS check on the request's own response (fetch.bs §http-fetch step 4.4.3). */
export function checkResponse(
  ctx: CheckContext,
  res: ObservedResponse,
  prefix = "response",
): Step[] {
  return corsCheck(prefix, ctx, res);
}

/** fetch.bs §cors-filtered-response: which of the response's headers script can read. */
export function exposedHeaders(
  ctx: Pick<CheckContext, "credentials">,
  res: ObservedResponse,
): {
  readonly readable: readonly string[];
  readonly hidden: readonly string[];
  readonly step: Step;
} {
  const listed = extractTokenList(res, HEADER.exposeHeaders);
  const names = listed === "failure" || listed === null ? [] : listed.map((n) => n.toLowerCase());
  const star = !ctx.credentials && names.includes("*");
  const present = sortedLowercaseSet(res.lines.map((l) => l.name));
  const readable: string[] = [];
  const hidden: string[] = [];
  for (const name of present) {
    if (isForbiddenResponseHeaderName(name)) hidden.push(name);
    else if (SAFELISTED_RESPONSE_HEADERS.has(name) || names.includes(name) || star)
      readable.push(name);
    else hidden.push(name);
  }
  const detail = [
    `script can read: ${readable.join(", ") || "(none)"}`,
    hidden.length > 0 ? `hidden: ${hidden.join(", ")}` : "",
    listed === "failure"
      ? "Access-Control-Expose-Headers could not be parsed, so it exposes nothing"
      : "",
    !star && names.includes("*") ? "* exposes nothing extra with credentials" : "",
  ]
    .filter((s) => s !== "")
    .join("; ");
  const interesting = hidden.filter(
    (n) => !/^(connection|date|keep-alive|transfer-encoding|vary|access-control-.*)$/.test(n),
  );
  return {
    readable,
    hidden,
    step: step(
      "response.exposed",
      "Response headers script can read",
      "fetch.bs §concept-filtered-response-cors",
      linesOf(res, HEADER.exposeHeaders),
      interesting.length > 0
        ? { status: "note", code: "GH_DOCTOR_NOT_EXPOSED", detail }
        : { status: "pass", detail },
    ),
  };
}

/** Engines blocked by any of the steps. */
export function verdicts(steps: readonly Step[]): Record<Engine, Verdict> {
  const out = { fetch: "allowed", chromium: "allowed", firefox: "allowed" } as Record<
    Engine,
    Verdict
  >;
  for (const s of steps) for (const e of s.blocks) out[e] = "blocked";
  return out;
}
