/**
 * The CORS engine's codes, and `CodeInfo`, the shape every layer's codes share.
 *
 * Each layer owns the codes it raises: the engine's are here; the front door's configuration
 * codes are in src/door/config/codes.ts, its request-time codes in src/door/errors.ts, the
 * doctor's in src/doctor/codes.ts and the audit's in src/audit/codes.ts. The engine's families:
 * - the code of the error `corsPolicy()` throws (`GH_CORS_CONFIG_INVALID`);
 * - configuration errors (`GH_CORS_*`): a policy with one of these is refused;
 * - lint notes (`GH_LINT_*`): the policy is legal, but something was normalized or is risky;
 * - decision reasons (`CORS_*`): why `decide()` answered as it did, as logged and inspected.
 *
 * Match on the code, never on the wording. A code, once published, keeps its meaning and is
 * never reused. `docs/errors.md` is generated from every family (scripts/errors-doc.ts) and a
 * test fails when a code is missing there, or raised without being in a family.
 */

export interface CodeInfo {
  /** One line: what happened. */
  readonly title: string;
  /** How to solve it (for errors and lints) or what it means for the browser (for reasons). */
  readonly howToSolve: string;
}

/** The code of the error `corsPolicy()` throws; its `problems` carry the codes below. */
export const THROWN_CODES = {
  GH_CORS_CONFIG_INVALID: {
    title:
      "The CORS policy was refused: `corsPolicy()` throws a `CorsConfigError` whose `problems` list every problem at once.",
    howToSolve:
      "Fix each problem listed; each names its key path, the value, why it is refused and what to write instead.",
  },
} as const satisfies Record<string, CodeInfo>;

export const CONFIG_ERROR_CODES = {
  GH_CORS_CONFIG_TYPE: {
    title: "A CORS option has the wrong type (for example a string where a list is expected).",
    howToSolve:
      "Give the option the documented type: `allowOrigins`, `allowMethods`, `allowHeaders` and `exposeHeaders` are lists of strings, `allowCredentials`, `allowPrivateNetwork` and `dangerouslyAllowInsecureOrigins` are booleans, `maxAge` is a whole number of seconds.",
  },
  GH_CORS_CONFIG_UNKNOWN_KEY: {
    title: "The CORS policy has a key Gatehouse does not know.",
    howToSolve:
      "Remove the key or correct its spelling; the message names the closest known key (for example `allowedOrigins` is spelled `allowOrigins`).",
  },
  GH_CORS_ORIGINS_EMPTY: {
    title: "`allowOrigins` is missing or empty.",
    howToSolve:
      "List the origins that may read responses, e.g. `allowOrigins: [https://app.example.com]`. If no origin should, remove the `cors` section: without it nothing is granted cross-origin.",
  },
  GH_CORS_ORIGIN_INVALID: {
    title: "An origin is not of the form `scheme://host[:port]`.",
    howToSolve:
      "Write the origin exactly as a browser sends it in the `Origin` header, e.g. `https://app.example.com` or `http://localhost:5173`.",
  },
  GH_CORS_ORIGIN_NULL: {
    title: "The `null` origin was listed.",
    howToSolve:
      "Remove it, serve the page from a real origin (`https://…`) and list that origin instead.",
  },
  GH_CORS_ORIGIN_SCHEME: {
    title: "An origin uses a scheme other than `http` or `https`.",
    howToSolve:
      "Serve the page over `http://` or `https://` and list that origin; `file:` pages send `Origin: null`, which is never trusted.",
  },
  GH_CORS_ORIGIN_PATH: {
    title: "An origin has a path.",
    howToSolve:
      "An origin is only scheme, host and port; remove everything from the first `/` after the host (`https://app.example.com/ui` becomes `https://app.example.com`).",
  },
  GH_CORS_ORIGIN_TRAILING_SLASH: {
    title: "An origin ends with `/`.",
    howToSolve:
      "Remove the trailing slash: browsers send `https://app.example.com`, never `https://app.example.com/`, so the entry could never match.",
  },
  GH_CORS_ORIGIN_QUERY: {
    title: "An origin has a query (`?…`).",
    howToSolve: "Remove the query; an origin is only scheme, host and port.",
  },
  GH_CORS_ORIGIN_FRAGMENT: {
    title: "An origin has a fragment (`#…`).",
    howToSolve: "Remove the fragment; an origin is only scheme, host and port.",
  },
  GH_CORS_ORIGIN_USERINFO: {
    title: "An origin has a user name or password (`user@host`).",
    howToSolve: "Remove the `user:password@` part; browsers never put it in `Origin`.",
  },
  GH_CORS_ORIGIN_PORT: {
    title: "An origin's port is not a number from 1 to 65535 (or `*`).",
    howToSolve: "Write a port from 1 to 65535, or `:*` to allow every port of that host.",
  },
  GH_CORS_ORIGIN_WILDCARD_POSITION: {
    title: "`*` appears somewhere other than a whole leading label or the whole port.",
    howToSolve:
      "Use `*` alone (any origin), as the whole first label (`https://*.example.com`: every subdomain) or as the whole port (`http://localhost:*`). Partial labels (`https://a*.example.com`), wildcards over IP addresses and regular expressions are not supported.",
  },
  GH_CORS_ORIGIN_REGEX: {
    title: "A regular expression was given as an origin.",
    howToSolve:
      "List exact origins, or use the pattern forms `https://*.example.com` and `http://host:*`. (Unanchored or unescaped expressions such as `/example.com$/` have let attacker origins through in many libraries.)",
  },
  GH_CORS_ORIGIN_PUBLIC_SUFFIX: {
    title:
      "A wildcard sits directly over a public suffix (`https://*.com`, `https://*.github.io`).",
    howToSolve:
      "List your own registrable domain (`https://*.example.com`) or the exact origins you own.",
  },
  GH_CORS_ORIGIN_WILDCARD_CREDENTIALS: {
    title: "`*` (any origin) together with `allowCredentials: true`.",
    howToSolve: "List the trusted origins instead of `*`, or set `allowCredentials: false`.",
  },
  GH_CORS_ORIGIN_INSECURE: {
    title: "A plain-`http` origin that is not loopback, together with `allowCredentials: true`.",
    howToSolve:
      "Serve that page over `https://` and list the `https://` origin; if you accept the risk, set `dangerouslyAllowInsecureOrigins: true`.",
  },
  GH_CORS_METHOD_INVALID: {
    title: "A method is not a valid HTTP token.",
    howToSolve:
      "Methods are tokens such as `PUT` or `PATCH`: letters, digits and ``!#$%&'*+-.^_`|~``, no spaces.",
  },
  GH_CORS_METHOD_FORBIDDEN: {
    title: "A forbidden method (CONNECT, TRACE or TRACK) was listed.",
    howToSolve: "Remove it: no browser ever sends a forbidden method.",
  },
  GH_CORS_METHOD_WILDCARD_CREDENTIALS: {
    title: "`allowMethods: [*]` together with `allowCredentials: true`.",
    howToSolve: "List the methods the API uses, e.g. `[PUT, PATCH, DELETE]`.",
  },
  GH_CORS_HEADER_INVALID: {
    title: "A header name is not a valid HTTP token.",
    howToSolve:
      "Header names are tokens such as `x-request-id`: letters, digits and ``!#$%&'*+-.^_`|~``, no spaces or colons.",
  },
  GH_CORS_HEADER_FORBIDDEN: {
    title: "`allowHeaders` lists a header that browsers forbid scripts to set.",
    howToSolve:
      "Remove it: browsers set `Cookie`, `Host`, `Origin`, `Sec-*`, `Proxy-*` and the other forbidden request headers themselves.",
  },
  GH_CORS_HEADER_RESPONSE_ONLY: {
    title: "`allowHeaders` lists a response header.",
    howToSolve:
      "`allowHeaders` is about headers the page's script sends. To let script read a response header, list it in `exposeHeaders` instead.",
  },
  GH_CORS_EXPOSE_FORBIDDEN: {
    title: "`exposeHeaders` lists `Set-Cookie` or `Set-Cookie2`.",
    howToSolve:
      "Remove it: the Fetch Standard never exposes cookies to script, whatever the server says.",
  },
  GH_CORS_EXPOSE_PROHIBITED: {
    title: "`exposeHeaders` lists a request header or a preflight-only header.",
    howToSolve:
      "List only response headers that script should read, such as `x-request-id` or `retry-after`.",
  },
  GH_CORS_EXPOSE_WILDCARD_CREDENTIALS: {
    title: "`exposeHeaders: [*]` together with `allowCredentials: true`.",
    howToSolve: "List the headers by name, e.g. `[x-request-id]`.",
  },
  GH_CORS_MAX_AGE_RANGE: {
    title: "`maxAge` is not a whole number from 0 to 86400.",
    howToSolve:
      "Give the preflight cache lifetime in seconds, from 0 (do not cache) to 86400 (one day). Chromium caps it at 7200 and WebKit at 600.",
  },
  GH_CORS_PRIVATE_NETWORK_WILDCARD: {
    title: "`allowPrivateNetwork: true` together with `*` origins.",
    howToSolve: "List the trusted origins instead of `*`, or set `allowPrivateNetwork: false`.",
  },
} as const satisfies Record<string, CodeInfo>;

export const LINT_CODES = {
  GH_LINT_ORIGIN_NORMALIZED: {
    title: "An origin was rewritten to the form browsers send.",
    howToSolve:
      "Nothing is wrong; write the normalized value to silence the note (lower-case scheme and host, punycode for international names, no default port).",
  },
  GH_LINT_METHOD_NORMALIZED: {
    title: "A method was upper-cased, as browsers do for it.",
    howToSolve:
      "Nothing is wrong: the Fetch Standard upper-cases DELETE, GET, HEAD, OPTIONS, POST and PUT. Write it in upper case to silence the note.",
  },
  GH_LINT_METHOD_CASE: {
    title: "A method that browsers do not upper-case was written in a case other than upper case.",
    howToSolve:
      "Methods are case-sensitive and browsers upper-case only DELETE, GET, HEAD, OPTIONS, POST and PUT. `fetch(url, {method: 'patch'})` sends `patch`, while most servers expect `PATCH`: allow exactly what your clients send.",
  },
  GH_LINT_SAFELISTED_METHOD: {
    title: "GET, HEAD or POST was listed in `allowMethods`.",
    howToSolve:
      "Nothing is wrong: these CORS-safelisted methods are always allowed once the origin is, so the entry has no effect and was dropped.",
  },
  GH_LINT_HEADER_NORMALIZED: {
    title: "A header name was lower-cased.",
    howToSolve: "Nothing is wrong: header names are case-insensitive. Write it in lower case.",
  },
  GH_LINT_SAFELISTED_RESPONSE_HEADER: {
    title: "`exposeHeaders` lists a header script can always read.",
    howToSolve:
      "Nothing is wrong: Cache-Control, Content-Language, Content-Length, Content-Type, Expires, Last-Modified and Pragma are always exposed, so the entry was dropped.",
  },
  GH_LINT_DUPLICATE: {
    title: "A value was listed twice (after normalization).",
    howToSolve: "Remove the repeated entry.",
  },
  GH_LINT_WILDCARD_ORIGIN: {
    title: "`*` allows every origin to read responses.",
    howToSolve:
      "Fine for public, unauthenticated data. For anything behind a token or on a private network, list the trusted origins instead.",
  },
  GH_LINT_WILDCARD_REDUNDANT: {
    title: "`*` is listed together with other origins, which it already covers.",
    howToSolve: "Keep either `*` or the explicit list.",
  },
  GH_LINT_SUBDOMAIN_PATTERN: {
    title: "A `*.` pattern trusts every subdomain, including ones you may not control.",
    howToSolve:
      "Make sure nobody else can serve content on a subdomain (user pages, forgotten DNS records). Prefer exact origins where you can.",
  },
  GH_LINT_INSECURE_ORIGIN: {
    title: "A plain-`http` origin that is not loopback is allowed.",
    howToSolve:
      "Anybody on the network path can inject script into a plain-HTTP page; prefer `https://`.",
  },
  GH_LINT_MAX_AGE_CAPPED: {
    title: "`maxAge` is longer than some browsers keep a preflight.",
    howToSolve:
      "Chromium caps the preflight cache at 7200 s, WebKit at 600 s and Firefox at 86400 s; longer values are harmless but have no effect there.",
  },
  GH_LINT_PRIVATE_NETWORK: {
    title: "`allowPrivateNetwork` answers Private Network Access preflights.",
    howToSolve:
      "Chromium has replaced Private Network Access preflights with the Local Network Access permission prompt, which needs no server header; the option only helps older Chromium builds.",
  },
  GH_LINT_HEADER_WILDCARD_AUTHORIZATION: {
    title: "`allowHeaders: [*]` does not cover `Authorization`.",
    howToSolve:
      "The Fetch Standard never lets `*` cover `Authorization`; if clients send it, list `authorization` next to `*`. (Chromium still lets `*` cover it; Firefox and the standard do not.)",
  },
  GH_LINT_METHOD_OVERRIDE_HEADER: {
    title: "A method-override header is allowed.",
    howToSolve:
      "`X-HTTP-Method-Override` and similar let a POST act as another method; make sure the upstream applies the same CORS and CSRF rules to the overridden method.",
  },
} as const satisfies Record<string, CodeInfo>;

export const REASON_CODES = {
  CORS_NOT_CORS: {
    title: "No `Origin` header: not a CORS request (fetch.bs §http-requests).",
    howToSolve: "Nothing to do: same-origin navigations, curl and SDKs send no Origin.",
  },
  CORS_SAME_ORIGIN: {
    title: "The `Origin` is the server's own origin: not cross-origin.",
    howToSolve: "Nothing to do: the browser applies no CORS check to same-origin requests.",
  },
  CORS_ALLOWED: {
    title: "Cross-origin request from an allowed origin: the response is shared.",
    howToSolve: "Nothing to do.",
  },
  CORS_PREFLIGHT_ALLOWED: {
    title: "Preflight from an allowed origin for an allowed method and headers: 204.",
    howToSolve: "Nothing to do.",
  },
  CORS_NO_POLICY: {
    title: "No CORS policy applies here: nothing is granted cross-origin.",
    howToSolve:
      "Serve the page from the same origin as the API (the point of the front door), or add a `cors` section listing the page's origin.",
  },
  CORS_ORIGIN_NOT_ALLOWED: {
    title: "The request's `Origin` is not in `allowOrigins`.",
    howToSolve:
      "If this origin is yours, add it to `allowOrigins` exactly as the browser sends it (scheme, host, port; no path or trailing slash).",
  },
  CORS_ORIGIN_NULL: {
    title:
      "The request's `Origin` is `null` (sandboxed iframe, `data:`/`file:` page, or a redirect).",
    howToSolve:
      "`null` can be produced by any attacker and is never trusted. Serve the page from a real origin.",
  },
  CORS_ORIGIN_MALFORMED: {
    title: "The `Origin` header is empty, repeated, or not a serialized origin.",
    howToSolve: "Browsers never send this; the request did not come from a browser page.",
  },
  CORS_METHOD_MALFORMED: {
    title: "`Access-Control-Request-Method` is empty, repeated, or not a token.",
    howToSolve: "Browsers never send this; the preflight did not come from a browser.",
  },
  CORS_METHOD_NOT_ALLOWED: {
    title: "The preflight asks for a method that `allowMethods` does not list.",
    howToSolve:
      "Add the method to `allowMethods`, in the case the browser sends it (`PATCH` and `patch` differ: browsers upper-case only DELETE, GET, HEAD, OPTIONS, POST, PUT).",
  },
  CORS_HEADER_NOT_ALLOWED: {
    title: "The preflight asks for a request header that `allowHeaders` does not list.",
    howToSolve: "Add the header name to `allowHeaders` (lower case), or stop sending it.",
  },
  CORS_HEADER_AUTHORIZATION_NOT_COVERED: {
    title: "The preflight asks for `Authorization`, which `*` never covers.",
    howToSolve:
      "List `authorization` in `allowHeaders` next to `*`. (Chromium still lets `*` cover it; the Fetch Standard and Firefox do not.)",
  },
  CORS_HEADERS_MALFORMED: {
    title: "`Access-Control-Request-Headers` is not a comma-separated list of header names.",
    howToSolve: "Browsers never send this; the preflight did not come from a browser.",
  },
  CORS_HEADERS_TOO_MANY: {
    title:
      "`Access-Control-Request-Headers` is longer than Gatehouse reads (64 names, 4096 bytes).",
    howToSolve:
      "Browsers list only the non-safelisted headers a page sets; send fewer custom headers. The cap bounds the work an attacker can cause per preflight.",
  },
  CORS_PRIVATE_NETWORK_NOT_ALLOWED: {
    title: "The preflight asks for Private Network Access, which the policy does not grant.",
    howToSolve:
      "Set `allowPrivateNetwork: true` if public pages of the listed origins should reach this private server.",
  },
} as const satisfies Record<string, CodeInfo>;

export type ConfigErrorCode = keyof typeof CONFIG_ERROR_CODES;
export type LintCode = keyof typeof LINT_CODES;
export type ReasonCode = keyof typeof REASON_CODES;
export type ThrownCode = keyof typeof THROWN_CODES;
