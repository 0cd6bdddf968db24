/**
 * The doctor's codes, owned by src/doctor/. docs/errors.md lists them with every other family
 * (scripts/errors-doc.ts); match on the code, never on the wording, and never reuse one.
 */
import type { CodeInfo } from "../core/codes.js";

/**
 * Findings of `gatehouse doctor URL --origin ORIGIN`: why a browser would refuse (or, for notes,
 * treat specially) one cross-origin request, step by step as the Fetch Standard runs it.
 */
export const DOCTOR_CODES = {
  GH_DOCTOR_UNREACHABLE: {
    title: "The server could not be reached (DNS, connection, TLS or timeout).",
    howToSolve:
      "Check the URL, that the server is running and listening on that address, and that nothing in between (firewall, proxy) drops the connection. The browser would report the same failure as a TypeError.",
  },
  GH_DOCTOR_PREFLIGHT_STATUS: {
    title: "The preflight (`OPTIONS`) was answered with a status outside 200-299.",
    howToSolve:
      "Answer `OPTIONS` for this path with `204` (or `200`) before authentication, routing or method checks run: the browser never sends cookies or `Authorization` with a preflight.",
  },
  GH_DOCTOR_PREFLIGHT_REDIRECT: {
    title: "The preflight was answered with a redirect, which browsers never follow.",
    howToSolve:
      "Call the final URL directly (a trailing slash or `http`→`https` redirect is the usual cause) or answer `OPTIONS` before the redirect happens.",
  },
  GH_DOCTOR_ACAO_MISSING: {
    title: "The response has no `Access-Control-Allow-Origin` header.",
    howToSolve:
      "Send `Access-Control-Allow-Origin` with the page's origin (or `*` for public data without credentials) on every response to this origin, error responses included (nginx: `add_header ... always`).",
  },
  GH_DOCTOR_ACAO_MULTIPLE: {
    title: "`Access-Control-Allow-Origin` appears more than once (or holds a list).",
    howToSolve:
      "Send exactly one origin. Two lines usually mean two layers add CORS (a proxy and the application): keep one of them.",
  },
  GH_DOCTOR_ACAO_MISMATCH: {
    title: "`Access-Control-Allow-Origin` is not the page's origin.",
    howToSolve:
      "Answer with the origin exactly as the browser sent it in `Origin`: scheme, host and port, no trailing slash, no path, same case.",
  },
  GH_DOCTOR_ACAO_WILDCARD_CREDENTIALS: {
    title: "`Access-Control-Allow-Origin: *` was sent to a request with credentials.",
    howToSolve:
      "With credentials the browser needs the origin itself: echo the allowed origin (and `Vary: Origin`) instead of `*`, and send `Access-Control-Allow-Credentials: true`.",
  },
  GH_DOCTOR_ACAC_MISSING: {
    title: "A request with credentials got no `Access-Control-Allow-Credentials: true`.",
    howToSolve:
      "Send `Access-Control-Allow-Credentials: true` (lower-case `true`, nothing else) on the preflight and on the response, or do not send credentials.",
  },
  GH_DOCTOR_ALLOW_METHODS_INVALID: {
    title: "`Access-Control-Allow-Methods` cannot be parsed as a list of methods.",
    howToSolve: "List methods separated by commas, e.g. `PUT, PATCH, DELETE`: tokens only.",
  },
  GH_DOCTOR_METHOD_NOT_ALLOWED: {
    title: "The preflight did not allow the request's method.",
    howToSolve:
      "List the method in `Access-Control-Allow-Methods`, exactly as the browser sends it: methods are case-sensitive and only DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased by browsers.",
  },
  GH_DOCTOR_METHOD_WILDCARD_CREDENTIALS: {
    title: "The method was allowed only by `*`, which does not count with credentials.",
    howToSolve: "List the method by name in `Access-Control-Allow-Methods`.",
  },
  GH_DOCTOR_ALLOW_HEADERS_INVALID: {
    title: "`Access-Control-Allow-Headers` cannot be parsed as a list of header names.",
    howToSolve: "List header names separated by commas, e.g. `content-type, authorization`.",
  },
  GH_DOCTOR_HEADER_NOT_ALLOWED: {
    title: "The preflight did not allow a header the request sends.",
    howToSolve: "List the header in `Access-Control-Allow-Headers` (any case).",
  },
  GH_DOCTOR_HEADER_WILDCARD_CREDENTIALS: {
    title: "A header was allowed only by `*`, which does not count with credentials.",
    howToSolve: "List the header by name in `Access-Control-Allow-Headers`.",
  },
  GH_DOCTOR_AUTHORIZATION_WILDCARD: {
    title: "`Authorization` was covered only by `Access-Control-Allow-Headers: *`.",
    howToSolve:
      "List `authorization` by name. The Fetch Standard and Firefox never let `*` cover it; Chromium still does, so the request works in some browsers and fails in others.",
  },
  GH_DOCTOR_MAX_AGE: {
    title: "`Access-Control-Max-Age` is invalid or above a browser's cap.",
    howToSolve:
      "Give whole seconds. Browsers cap the preflight cache: Chromium at 7200, Firefox at 86400, WebKit at 600; an invalid value means the default of 5 seconds.",
  },
  GH_DOCTOR_REDIRECT_INVALID: {
    title: "A redirect cannot be followed by a CORS request.",
    howToSolve:
      "Redirect only to `http(s)` URLs without `user:password@`, at most 20 times; better, call the final URL directly.",
  },
  GH_DOCTOR_REDIRECT_TAINTED: {
    title: "A cross-origin redirect made the browser send `Origin: null` on the next hop.",
    howToSolve:
      "Call the final URL directly. Otherwise the next server must answer `Access-Control-Allow-Origin: *` (without credentials) or `null`, which is unsafe to allow.",
  },
  GH_DOCTOR_HEADER_DROPPED: {
    title: "A request header was dropped or refused before sending, as `fetch()` would.",
    howToSolve:
      "Browsers set forbidden headers (`Cookie`, `Host`, `Origin`, `Sec-*`, ...) themselves and drop `Authorization` on a cross-origin redirect; do not rely on sending them from script.",
  },
  GH_DOCTOR_NO_CORS: {
    title: "The server sent no CORS headers at all: it does not serve this origin cross-origin.",
    howToSolve:
      "Best, need no CORS: serve the page and the API on one origin through the door (`gatehouse serve --upstream URL`, or one route each in gatehouse.yaml) and call the API with a relative URL. Otherwise grant the page's origin on the server (`gatehouse doctor --for gatehouse|nginx|express|fastify` prints how).",
  },
  GH_DOCTOR_INSECURE_CREDENTIALS: {
    title: "Credentials were asked for a page on plain `http://` that is not loopback.",
    howToSolve:
      "Serve the page over HTTPS and allow its `https://` origin; while developing, open it on a loopback origin (`http://localhost:5173`), which may carry credentials. Anybody on the network path to a plain-http page can change its script and act as the signed-in user, so Gatehouse refuses this grant (`GH_CORS_ORIGIN_INSECURE`).",
  },
  GH_DOCTOR_NOT_EXPOSED: {
    title: "A response header is hidden from script.",
    howToSolve:
      "List it in `Access-Control-Expose-Headers` (`*` works only without credentials); Cache-Control, Content-Language, Content-Length, Content-Type, Expires, Last-Modified and Pragma are always readable.",
  },
} as const satisfies Record<string, CodeInfo>;

export type DoctorCode = keyof typeof DOCTOR_CODES;
