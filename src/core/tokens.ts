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

// ---- request-header safelisting (fetch.bs §cors-safelisted-request-header) -----------------

/** fetch.bs §cors-safelisted-request-header step 1: a longer value is never safelisted. */
export const SAFELISTED_VALUE_MAX_BYTES = 128;

/** fetch.bs §cors-unsafe-request-header-names step 5: the total of safelisted values. */
export const SAFELISTED_TOTAL_MAX_BYTES = 1024;

/** fetch.bs §cors-unsafe-request-header-byte: control bytes but tab, and these delimiters. */
export function isCorsUnsafeRequestHeaderByte(code: number): boolean {
  if (code < 0x20) return code !== 0x09;
  switch (code) {
    case 0x22: // "
    case 0x28: // (
    case 0x29: // )
    case 0x3a: // :
    case 0x3c: // <
    case 0x3e: // >
    case 0x3f: // ?
    case 0x40: // @
    case 0x5b: // [
    case 0x5c: // \
    case 0x5d: // ]
    case 0x7b: // {
    case 0x7d: // }
    case 0x7f: // DEL
      return true;
    default:
      return false;
  }
}

/** The first CORS-unsafe byte of a (byte-string) value, or -1. */
export function indexOfCorsUnsafeByte(value: string): number {
  for (let i = 0; i < value.length; i++) {
    if (isCorsUnsafeRequestHeaderByte(value.charCodeAt(i))) return i;
  }
  return -1;
}

/** The `Content-Type` essences that do not need a preflight. */
export const SAFELISTED_CONTENT_TYPES: ReadonlySet<string> = new Set([
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "text/plain",
]);

const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * WHATWG MIME Sniffing §parse-a-mime-type, as far as the essence: null on failure. Parameters
 * never make the parse fail (invalid ones are skipped), so they are not examined.
 */
export function parseMimeEssence(input: string): string | null {
  const text = input.replace(HTTP_WHITESPACE, "");
  const slash = text.indexOf("/");
  if (slash <= 0) return null;
  const type = text.slice(0, slash);
  if (!isToken(type)) return null;
  const semicolon = text.indexOf(";", slash + 1);
  const subtype = (semicolon === -1 ? text.slice(slash + 1) : text.slice(slash + 1, semicolon))
    // Trailing HTTP whitespace only; leading whitespace makes the subtype fail the token test.
    .replace(/[\t\n\r ]+$/, "");
  if (!isToken(subtype)) return null;
  return `${type}/${subtype}`.toLowerCase();
}

/**
 * fetch.bs §simple-range-header-value with allowWhitespace false: `bytes=start-end`, either
 * side optional but not both. Returns [start, end] or null on failure.
 */
export function parseSingleRange(value: string): [number | null, number | null] | null {
  const match = /^bytes=([0-9]*)-([0-9]*)$/.exec(value);
  if (match === null) return null;
  const start = match[1] === "" || match[1] === undefined ? null : Number(match[1]);
  const end = match[2] === "" || match[2] === undefined ? null : Number(match[2]);
  if (start === null && end === null) return null;
  if (start !== null && end !== null && start > end) return null;
  return [start, end];
}

/** Why a header is or is not a CORS-safelisted request-header. */
export type SafelistVerdict =
  | { readonly safelisted: true }
  | { readonly safelisted: false; readonly why: string };

const LANGUAGE_BYTE = /^[0-9A-Za-z *,\-.;=]*$/;

/** fetch.bs §cors-safelisted-request-header, with the reason when the answer is no. */
export function safelistRequestHeader(name: string, value: string): SafelistVerdict {
  const no = (why: string): SafelistVerdict => ({ safelisted: false, why });
  const lower = name.toLowerCase();
  const known =
    lower === "accept" ||
    lower === "accept-language" ||
    lower === "content-language" ||
    lower === "content-type" ||
    lower === "range";
  if (!known) return no(`${lower} is not one of the CORS-safelisted request headers`);
  if (value.length > SAFELISTED_VALUE_MAX_BYTES) {
    return no(
      `its value is ${value.length} bytes, more than the ${SAFELISTED_VALUE_MAX_BYTES} allowed`,
    );
  }
  const unsafe = (): SafelistVerdict | null => {
    const at = indexOfCorsUnsafeByte(value);
    if (at === -1) return null;
    const code = value.charCodeAt(at);
    const shown =
      code < 0x20 || code === 0x7f ? `0x${code.toString(16).padStart(2, "0")}` : `"${value[at]}"`;
    return no(`its value contains the CORS-unsafe byte ${shown}`);
  };
  switch (lower) {
    case "accept":
      return unsafe() ?? { safelisted: true };
    case "accept-language":
    case "content-language":
      return LANGUAGE_BYTE.test(value)
        ? { safelisted: true }
        : no("its value has a byte other than letters, digits, space and `*,-.;=`");
    case "content-type": {
      const bad = unsafe();
      if (bad !== null) return bad;
      const essence = parseMimeEssence(value);
      if (essence === null) return no(`"${value}" is not a MIME type`);
      if (!SAFELISTED_CONTENT_TYPES.has(essence)) {
        return no(
          `its MIME type is ${essence}; only application/x-www-form-urlencoded, multipart/form-data and text/plain are safelisted`,
        );
      }
      return { safelisted: true };
    }
    default: {
      const range = parseSingleRange(value);
      if (range === null)
        return no(`"${value}" is not a single range of the form bytes=START-[END]`);
      if (range[0] === null)
        return no(`"${value}" is a suffix range (bytes=-N), which is not safelisted`);
      return { safelisted: true };
    }
  }
}

/** fetch.bs §request-body-header-name: dropped when a redirect turns the request into GET. */
export const REQUEST_BODY_HEADER_NAMES: ReadonlySet<string> = new Set([
  "content-encoding",
  "content-language",
  "content-location",
  "content-type",
]);

/** fetch.bs §redirect-status. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** fetch.bs §header-value: no leading/trailing tab or space, no NUL, CR or LF. */
export function isHeaderValue(value: string): boolean {
  if (/^[\t ]|[\t ]$/.test(value)) return false;
  return !/[\0\r\n]/.test(value);
}
