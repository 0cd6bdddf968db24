/**
 * The audit's codes, owned by src/audit/. docs/errors.md lists them with every other family
 * (scripts/errors-doc.ts); match on the code, never on the wording, and never reuse one.
 */
import type { CodeInfo } from "../core/codes.js";

/**
 * Findings of `gatehouse audit URL`: CORS and WebSocket misconfigurations seen from outside by
 * probing a running server. The severity of each finding depends on what was granted (with or
 * without credentials); the table in src/audit/probes.ts and the README give it.
 */
export const AUDIT_FINDING_CODES = {
  GH_AUDIT_ORIGIN_REFLECTED: {
    title: "Any origin is allowed: the server echoes the request's `Origin` back.",
    howToSolve:
      "Compare the `Origin` with an exact allowlist of origins you own and answer only those; never copy the header into `Access-Control-Allow-Origin` unchecked (`cors({ origin: true })`, `add_header Access-Control-Allow-Origin $http_origin`).",
  },
  GH_AUDIT_NULL_ORIGIN: {
    title: "The `null` origin is allowed.",
    howToSolve:
      "Never allow `null`: sandboxed iframes, `data:` and `file:` pages and cross-origin redirects send it, so any attacker can. Serve the page from a real origin and list that origin.",
  },
  GH_AUDIT_PREDOMAIN: {
    title:
      "A suffix match: an origin that merely ends with the trusted domain is allowed (`https://evilexample.com`).",
    howToSolve:
      "Match whole host names: exact origins, or a subdomain pattern anchored on a dot (`https://*.example.com`). Never test with `endsWith`, `includes` or an unanchored regular expression.",
  },
  GH_AUDIT_POSTDOMAIN: {
    title:
      "An origin that merely starts with the trusted host is allowed (`https://example.com.evil.example`).",
    howToSolve:
      "Compare the whole origin, not a prefix: anchor regular expressions at both ends (`^…$`) or, better, compare strings exactly.",
  },
  GH_AUDIT_SUBSTRING: {
    title: "An origin that is a substring of the trusted domain is allowed (`https://xample.com`).",
    howToSolve:
      "The check tests whether the allowed domain contains the origin's host; compare whole origins exactly instead.",
  },
  GH_AUDIT_UNESCAPED_DOT: {
    title:
      "An unescaped dot: an origin with a dot of the trusted host replaced by a letter is allowed (`https://wwwxexample.com`), as a `.` in a regular expression matches any character.",
    howToSolve:
      "A `.` in a regular expression matches any character: escape it (`\\.`) and anchor the expression, or list exact origins instead of expressions.",
  },
  GH_AUDIT_SPECIAL_CHARACTERS: {
    title:
      "An origin with a special character after the trusted host is allowed (`https://example.com_.evil.example`).",
    howToSolve:
      "Safari (and, for `_`, every browser) sends such origins; a pattern that stops at `[a-z0-9.-]` or decodes `%60` lets them through. Compare whole origins exactly.",
  },
  GH_AUDIT_ANY_SUBDOMAIN: {
    title: "Any subdomain of the trusted domain is allowed, including ones nobody should control.",
    howToSolve:
      "List the subdomains you serve pages from. A forgotten DNS record (subdomain takeover) or one XSS on any subdomain is otherwise enough to read responses.",
  },
  GH_AUDIT_INSECURE_ORIGIN: {
    title: "The plain-`http://` twin of an `https://` origin is allowed.",
    howToSolve:
      "Allow only `https://` origins for an `https://` service: anybody on the network path can inject script into a plain-HTTP page and inherit its trust.",
  },
  GH_AUDIT_INSECURE_CREDENTIALS: {
    title: "Credentials are granted to a plain-`http://` origin that is not loopback.",
    howToSolve:
      "Serve that page over HTTPS and allow its `https://` origin instead; while developing, use a loopback origin (`http://localhost:5173`). Anybody on the network path to a plain-http page can change its script and act as the signed-in user; Gatehouse refuses this grant (`GH_CORS_ORIGIN_INSECURE`).",
  },
  GH_AUDIT_THIRD_PARTY: {
    title: "A third-party code-hosting origin is allowed (github.io, codepen, jsfiddle, repl.it…).",
    howToSolve:
      "Anybody can publish script on these hosts. Remove them from the allowlist; list only origins you control.",
  },
  GH_AUDIT_LOCALHOST: {
    title: "A loopback origin on another port is allowed (`http://localhost:31337`).",
    howToSolve:
      "Every local program and development server can serve a page there. List the one local origin you use (`http://localhost:5173`) or none.",
  },
  GH_AUDIT_ORIGIN_REWRITTEN: {
    title:
      "The server answers with a rewritten copy of an attacker's origin (a broken origin parser).",
    howToSolve:
      "The origin is decoded or normalized before it is checked or echoed; compare the raw `Origin` value exactly with the allowlist and send back only allowlist entries.",
  },
  GH_AUDIT_WILDCARD_CREDENTIALS: {
    title:
      "`Access-Control-Allow-Origin: *` together with `Access-Control-Allow-Credentials: true`.",
    howToSolve:
      "Browsers refuse this pair for credentialed requests, so it is broken, and it shows the intent to share credentialed data with everyone. List the trusted origins, or drop `Access-Control-Allow-Credentials`.",
  },
  GH_AUDIT_WILDCARD: {
    title: "`Access-Control-Allow-Origin: *`: every website may read these responses.",
    howToSolve:
      "Fine for public, unauthenticated data. A service on loopback or a private network must never answer `*`: any page the user opens can read it. List the trusted origins instead.",
  },
  GH_AUDIT_VARY_MISSING: {
    title: "`Access-Control-Allow-Origin` depends on the request, but `Vary: Origin` is missing.",
    howToSolve:
      "Send `Vary: Origin` on every response whose CORS headers depend on `Origin`, including those that grant nothing; otherwise a shared or browser cache serves one origin's answer to another.",
  },
  GH_AUDIT_PREFLIGHT_ANY_METHOD: {
    title:
      "Preflights allow any method: an unknown method is echoed in `Access-Control-Allow-Methods`.",
    howToSolve:
      "Answer preflights with a fixed list of the methods the API uses, and refuse (403, no `Access-Control-Allow-*`) a preflight for any other.",
  },
  GH_AUDIT_PREFLIGHT_ANY_HEADER: {
    title:
      "Preflights allow any request header: an unknown header is echoed in `Access-Control-Allow-Headers`.",
    howToSolve:
      "Answer preflights with a fixed list of the request headers clients send (e.g. `content-type, authorization`), not a copy of `Access-Control-Request-Headers`.",
  },
  GH_AUDIT_PRIVATE_NETWORK: {
    title:
      "Private Network Access is granted to a foreign origin (`Access-Control-Allow-Private-Network: true`).",
    howToSolve:
      "Answer `Access-Control-Request-Private-Network` only for origins you trust; this header is what lets public websites reach a service on the user's machine or network.",
  },
  GH_AUDIT_WEBSOCKET_ORIGIN: {
    title:
      "A WebSocket upgrade from a foreign origin is accepted (cross-site WebSocket hijacking).",
    howToSolve:
      "Check `Origin` on every upgrade against an exact allowlist and refuse others with 403 before the handshake (`ws`: `verifyClient`, or check `req.headers.origin` in the `upgrade` handler). Browsers attach cookies to upgrades and CORS does not apply to WebSockets.",
  },
} as const satisfies Record<string, CodeInfo>;

export type AuditFindingCode = keyof typeof AUDIT_FINDING_CODES;
