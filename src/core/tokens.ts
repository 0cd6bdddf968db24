/**
 * Byte-level facts from RFC 9110 and the Fetch Standard that the engine checks names against.
 * Everything here is a pure lookup; nothing allocates per call.
 */

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
/** 1 for RFC 9110 tchar bytes, indexed by char code (< 128); exported for inline hot loops. */
export const TCHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  TCHAR[c] = /[A-Za-z0-9!#$%&'*+\-.^_`|~]/.test(ch) ? 1 : 0;
}

export function isTokenChar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

/** RFC 9110 token: one or more tchar. */
export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    if (!isTokenChar(value.charCodeAt(i))) return false;
  }
  return true;
}

/** fetch.bs §methods: "CORS-safelisted method". */
export const SAFELISTED_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "POST"]);

/** fetch.bs §methods: "forbidden method" (byte-case-insensitive). */
export function isForbiddenMethod(method: string): boolean {
  const upper = method.toUpperCase();
  return upper === "CONNECT" || upper === "TRACE" || upper === "TRACK";
}

/** fetch.bs §concept-method-normalize: the six names browsers upper-case. */
const NORMALIZED_METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);

/** Normalizes a method the way `fetch()` does; other methods keep their case. */
export function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

/** fetch.bs §forbidden-request-header, step 1 (names are compared lower-cased). */
const FORBIDDEN_REQUEST_HEADERS = new Set([
  "accept-charset",
  "accept-encoding",
  "access-control-request-headers",
  "access-control-request-method",
  "connection",
  "content-length",
  "cookie",
  "cookie2",
  "date",
  "dnt",
  "expect",
  "host",
  "keep-alive",
  "origin",
  "referer",
  "set-cookie",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "via",
]);

/** Names browsers never let script set (fetch.bs §forbidden-request-header, steps 1-2). */
export function isForbiddenRequestHeaderName(lowerName: string): boolean {
  return (
    FORBIDDEN_REQUEST_HEADERS.has(lowerName) ||
    lowerName.startsWith("proxy-") ||
    lowerName.startsWith("sec-")
  );
}

/**
 * fetch.bs §forbidden-request-header step 3: these are forbidden only when they carry a
 * forbidden method, so they may be allowed, but deserve a note.
 */
export const METHOD_OVERRIDE_HEADERS: ReadonlySet<string> = new Set([
  "x-http-method",
  "x-http-method-override",
  "x-method-override",
]);

/**
 * Headers that only make sense in a response: listing one in `allowHeaders` is a mix-up with
 * `exposeHeaders`. Not exhaustive; it names the ones people confuse.
 */
export const RESPONSE_ONLY_HEADERS: ReadonlySet<string> = new Set([
  "access-control-allow-origin",
  "access-control-allow-credentials",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-allow-private-network",
  "access-control-expose-headers",
  "access-control-max-age",
  "set-cookie2",
  "www-authenticate",
  "location",
  "server",
  "etag",
  "last-modified",
  "retry-after",
  "vary",
  "age",
  "accept-ranges",
  "allow",
  "content-security-policy",
  "strict-transport-security",
  "x-frame-options",
]);

/** fetch.bs §forbidden-response-header-name. */
export function isForbiddenResponseHeaderName(lowerName: string): boolean {
  return lowerName === "set-cookie" || lowerName === "set-cookie2";
}

/** Names that make no sense in `exposeHeaders`: request headers and preflight-only answers. */
export const NOT_EXPOSABLE_HEADERS: ReadonlySet<string> = new Set([
  "origin",
  "access-control-request-method",
  "access-control-request-headers",
  "access-control-request-private-network",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-max-age",
]);

/** fetch.bs §cors-safelisted-response-header-name: always readable by script. */
export const SAFELISTED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  "cache-control",
  "content-language",
  "content-length",
  "content-type",
  "expires",
  "last-modified",
  "pragma",
]);

/** fetch.bs §cors-non-wildcard-request-header-name: never covered by `*`. */
export const NON_WILDCARD_REQUEST_HEADER = "authorization";
