/**
 * The one registry of Gatehouse's stable codes.
 *
 * Five families share it:
 * - configuration errors (`GH_CORS_*`): a policy with one of these is refused;
 * - lint notes (`GH_LINT_*`): the policy is legal, but something was normalized or is risky;
 * - front-door configuration errors (`GH_CONFIG_*`): a configuration file with one is refused;
 * - front-door lint notes (`GH_LINT_*`, in their own table): the same, for the file's own keys;
 * - decision reasons (`CORS_*`): why `decide()` answered as it did, as logged and inspected.
 *
 * Match on the code, never on the wording. A code, once published, keeps its meaning and is
 * never reused. `docs/errors.md` is generated from this table (`npm run docs:errors`) and a test
 * fails when the two drift apart.
 */

export interface CodeInfo {
  /** One line: what happened. */
  readonly title: string;
  /** How to solve it (for errors and lints) or what it means for the browser (for reasons). */
  readonly howToSolve: string;
}

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

/**
 * Errors in a front-door configuration file (`gatehouse serve --config`, `gatehouse check`).
 * A file with any of these is refused: the loader throws a `ConfigError` (code
 * `GH_CONFIG_INVALID`) listing every problem with its file, line and column. Problems inside
 * `cors` sections and `websocket.allowOrigins` carry the `GH_CORS_*` codes above.
 */
export const GATEWAY_CONFIG_CODES = {
  GH_CONFIG_FILE_UNREADABLE: {
    title: "The configuration file does not exist or cannot be read.",
    howToSolve:
      "Check the path given to `--config` (relative paths start from the current directory) and that the file is readable by the user running Gatehouse.",
  },
  GH_CONFIG_FILE_FORMAT: {
    title: "The configuration file's name does not end in `.yaml`, `.yml` or `.json`.",
    howToSolve: "Rename the file: the extension decides how it is read (YAML or JSON).",
  },
  GH_CONFIG_FILE_TOO_LARGE: {
    title: "The configuration file is larger than Gatehouse reads (1 MiB).",
    howToSolve:
      "A front-door configuration is a few dozen lines; check that `--config` names the right file.",
  },
  GH_CONFIG_SYNTAX: {
    title: "The file is not valid YAML or JSON (or not UTF-8 text).",
    howToSolve:
      "Fix the syntax at the line and column given. In YAML, indent with spaces (never tabs), quote values that contain `: ` or start with `*`, `&`, `!`, `[` or `{`, and keep one document per file.",
  },
  GH_CONFIG_TOO_COMPLEX: {
    title:
      "The file nests deeper or uses more YAML aliases than a configuration needs, or has more problems than are reported (200).",
    howToSolve:
      'Write the configuration out plainly. The limits (32 levels of nesting, 100 alias uses) stop crafted files ("billion laughs") from exhausting memory. With hundreds of problems, check that --config names the right file.',
  },
  GH_CONFIG_DUPLICATE_KEY: {
    title: "A key appears twice in the same mapping.",
    howToSolve:
      "Keep one of the two: YAML and JSON parsers disagree on which one wins, so Gatehouse refuses to guess.",
  },
  GH_CONFIG_TYPE: {
    title: "A key has a value of the wrong type (for example a string where a list is expected).",
    howToSolve:
      "Give the key the type its documentation names; the message shows an example. In YAML, `yes`/`no`/`on`/`off` are strings: write `true` or `false`.",
  },
  GH_CONFIG_REQUIRED: {
    title: "A required key is missing.",
    howToSolve: "Add the key; the message names it and shows an example.",
  },
  GH_CONFIG_UNKNOWN_KEY: {
    title: "The configuration has a key Gatehouse does not know.",
    howToSolve:
      "Remove the key or correct its spelling; the message names the closest known key (for example `upstreams` is spelled `upstream`, and CORS options go under `cors:`).",
  },
  GH_CONFIG_CHOICE: {
    title: "A key that takes one of a fixed set of words has another value.",
    howToSolve: "Write one of the values the message lists.",
  },
  GH_CONFIG_RANGE: {
    title: "A number is outside the range its key allows.",
    howToSolve: "Write a whole number inside the range the message gives.",
  },
  GH_CONFIG_LISTEN_INVALID: {
    title:
      "A listen address (`listen`, `--listen`, `PORT` or `tls.redirectHttp`) is not `host:port`.",
    howToSolve:
      "Write an IP address and a port: `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:8080`, or a port alone (`8080`, on 127.0.0.1). Host names other than `localhost` are refused: to serve a name, set `publicOrigin`.",
  },
  GH_CONFIG_LISTEN_CONFLICT: {
    title: "`tls.redirectHttp` uses the same address and port as `listen`.",
    howToSolve:
      "Give the plain-HTTP redirect listener its own port (usually 80, with `listen` on 443).",
  },
  GH_CONFIG_PUBLIC_ORIGIN_INVALID: {
    title: "`publicOrigin` is not one serialized origin `http(s)://host[:port]`.",
    howToSolve:
      "Write the origin browsers see in their address bar, without path or trailing slash: `https://gateway.example.com`. Patterns (`*`, `*.`, `:*`) belong in `cors.allowOrigins`, not here.",
  },
  GH_CONFIG_HOST_INVALID: {
    title: "A `hosts` entry is not a host name or IP address with an optional port.",
    howToSolve:
      "Write names as clients send them in `Host`: `gateway.example.com`, `gateway.example.com:8443`, `127.0.0.1`, `[::1]`. No scheme, path or user name.",
  },
  GH_CONFIG_HOST_WILDCARD: {
    title: "A `hosts` entry is a wildcard (`*` or `*.example.com`).",
    howToSolve:
      "List every name exactly. The Host check is the guard against DNS rebinding, where an attacker's own domain is pointed at this server: a wildcard lets such names through.",
  },
  GH_CONFIG_TRUST_PROXY_INVALID: {
    title: "A `trustProxy` entry is not an IP address, a CIDR range or `loopback`.",
    howToSolve:
      "Write `203.0.113.7`, `10.0.0.0/8`, `2001:db8::/32` or `loopback` (127.0.0.0/8 and ::1). Host names are not accepted: they can change under you.",
  },
  GH_CONFIG_ROUTES_EMPTY: {
    title: "`routes` is missing or empty: the front door would have nothing to serve.",
    howToSolve:
      "Add at least one route, e.g. `routes: [{ match: /, upstream: http://127.0.0.1:18789 }]`.",
  },
  GH_CONFIG_ROUTE_MATCH_INVALID: {
    title: "A route's `match` is not a path prefix.",
    howToSolve:
      "Write a path that starts with `/`, without query, fragment, `*` or `..`: `/v1/` matches `/v1/` and everything below it; `/v1` also matches `/v1` itself but never `/v1beta`.",
  },
  GH_CONFIG_ROUTE_TARGET: {
    title: "A route has neither or both of `upstream` and `static`.",
    howToSolve:
      "Give each route exactly one target: `upstream: http://127.0.0.1:18789` to proxy, or `static: ./dir` to serve files.",
  },
  GH_CONFIG_ROUTE_OPTION: {
    title:
      "A route option does not apply to its kind of route (`spa` needs `static`, `stripPrefix` needs `upstream`).",
    howToSolve: "Remove the option, or move it to a route of the kind it applies to.",
  },
  GH_CONFIG_UPSTREAM_INVALID: {
    title:
      "An `upstream` is not an `http://` or `https://` URL without query, fragment or user name.",
    howToSolve:
      "Write `http://host:port` with an optional base path, e.g. `http://127.0.0.1:11434`. WebSocket upgrades go to the same URL: never write `ws://`. Credentials belong in headers the client sends, not in the URL.",
  },
  GH_CONFIG_STATIC_DIR: {
    title: "A `static` directory does not exist, is not a directory, or cannot be read.",
    howToSolve:
      "Point `static` at an existing directory; relative paths start from the folder of the configuration file.",
  },
  GH_CONFIG_TLS_FILE: {
    title: "A TLS certificate or key file does not exist or cannot be read.",
    howToSolve:
      "Point `tls.cert` and `tls.key` at readable PEM files; relative paths start from the folder of the configuration file.",
  },
  GH_CONFIG_TLS_INVALID: {
    title:
      "A TLS certificate or key is not valid PEM, or the key does not belong to the certificate.",
    howToSolve:
      "Use the PEM files your certificate authority issued: `cert` is the certificate chain (`-----BEGIN CERTIFICATE-----`), `key` its private key (`-----BEGIN PRIVATE KEY-----`).",
  },
  GH_CONFIG_SIZE_INVALID: {
    title: "A size is not a number of bytes or a number with a unit.",
    howToSolve:
      "Write bytes (`1048576`) or a number with a unit: `512KiB`, `25MiB`, `1GiB` (powers of 1024) or `10MB` (powers of 1000).",
  },
  GH_CONFIG_DURATION_INVALID: {
    title:
      "A duration is not a number of milliseconds or a number with a unit, or is out of range.",
    howToSolve:
      "Write milliseconds (`30000`) or a number with a unit: `250ms`, `30s`, `5m`, `1h`, `1m30s`. Timeouts cannot be turned off (at least 1 ms) and stop at 24 days (2147483647 ms).",
  },
  GH_CONFIG_LIMITS_CONFLICT: {
    title: "`limits.headersTimeout` is longer than `limits.requestTimeout`.",
    howToSolve:
      "The headers are part of the request: make `headersTimeout` at most `requestTimeout` (Node.js refuses to start otherwise).",
  },
} as const satisfies Record<string, CodeInfo>;

/**
 * Lint notes on a front-door configuration file: legal choices that carry a risk or were
 * rewritten. `gatehouse check` prints them; they never stop start-up. Notes on `cors` sections
 * carry the CORS lint codes above.
 */
export const GATEWAY_LINT_CODES = {
  GH_LINT_CSRF_DISABLED: {
    title:
      "`csrf: false` lets any website send unsafe requests (POST, PUT, DELETE) through the front door.",
    howToSolve:
      "Keep `csrf: true` (the default). If a cross-origin page must send such requests, list its origin in `cors.allowOrigins`: the CSRF guard lets allowed origins through.",
  },
  GH_LINT_TLS_WITHOUT_HSTS: {
    title: "The front door serves HTTPS but sends no `Strict-Transport-Security`.",
    howToSolve:
      "Add `hsts: true` under `tls` (one year, this host only) once HTTPS works, so browsers never fall back to plain HTTP. Leave it out only if a proxy in front already sends the header.",
  },
  GH_LINT_LISTEN_ALL_INTERFACES: {
    title: "`listen` binds every network interface (`0.0.0.0` or `[::]`).",
    howToSolve:
      "Anything that can reach this machine reaches the front door, and the upstreams behind it. Listen on `127.0.0.1` behind a TLS terminator, or on one private address, unless the machine is firewalled.",
  },
  GH_LINT_PUBLIC_ORIGIN_DERIVED: {
    title: "`publicOrigin` was not set and had to be guessed from a wildcard `listen` address.",
    howToSolve:
      "Set `publicOrigin` to the origin browsers use (e.g. `https://gateway.example.com`). The guess, `http://localhost:<port>`, is only right for a browser on this machine, and same-origin requests from any other name are treated as cross-origin.",
  },
  GH_LINT_PUBLIC_ORIGIN_INSECURE: {
    title: "`publicOrigin` is plain `http://` on a name that is not loopback.",
    howToSolve:
      "Anybody on the network path can read and change the traffic, tokens included. Serve HTTPS (the `tls` section, or a TLS terminator in front) and write `https://` in `publicOrigin`.",
  },
  GH_LINT_PUBLIC_ORIGIN_SCHEME: {
    title: "`tls` is set, but `publicOrigin` is `http://`.",
    howToSolve:
      "With `tls` the front door speaks HTTPS, so browsers reach it at an `https://` origin; write that origin in `publicOrigin`, or the same-origin checks will treat its own pages as cross-origin.",
  },
  GH_LINT_HOST_NORMALIZED: {
    title: "A `hosts` entry was rewritten to the form clients send (lower case, punycode).",
    howToSolve: "Nothing is wrong; write the normalized value to silence the note.",
  },
  GH_LINT_HOSTS_WITHOUT_PUBLIC_ORIGIN: {
    title: "`hosts` does not include the host of `publicOrigin`.",
    howToSolve:
      "Browsers that open `publicOrigin` send its host in `Host`, and the front door refuses hosts not listed (421). Add it, unless a proxy in front rewrites `Host` to one of the listed names.",
  },
  GH_LINT_TRUST_PROXY_WIDE: {
    title: "`trustProxy` trusts a very wide address range.",
    howToSolve:
      "Every client in the range can forge `X-Forwarded-For`, `X-Forwarded-Proto` and `X-Forwarded-Host`. List only the addresses of the proxies directly in front (e.g. `loopback`, or the CDN's published ranges).",
  },
  GH_LINT_ROUTE_UNREACHABLE: {
    title: "A route can never match: an earlier route's prefix already covers every path it would.",
    howToSolve:
      "Routes are tried in order and the first match wins; move the more specific route (the longer `match`) above the general one, or remove it.",
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
export type GatewayConfigCode = keyof typeof GATEWAY_CONFIG_CODES;
export type GatewayLintCode = keyof typeof GATEWAY_LINT_CODES;

// ─── BEGIN audit findings (`gatehouse audit`; owned by src/audit/) ───────────────────────────
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
      "An origin that merely ends with the trusted domain is allowed (`https://evilexample.com`).",
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
      "An origin with a dot of the trusted host replaced by a letter is allowed (`https://wwwxexample.com`).",
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
// ─── END audit findings ──────────────────────────────────────────────────────────────────────

// ─── BEGIN doctor findings (`gatehouse doctor`; owned by src/doctor/) ─────────────────────────
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
  GH_DOCTOR_NOT_EXPOSED: {
    title: "A response header is hidden from script.",
    howToSolve:
      "List it in `Access-Control-Expose-Headers` (`*` works only without credentials); Cache-Control, Content-Language, Content-Length, Content-Type, Expires, Last-Modified and Pragma are always readable.",
  },
} as const satisfies Record<string, CodeInfo>;

export type DoctorCode = keyof typeof DOCTOR_CODES;
// ─── END doctor findings ─────────────────────────────────────────────────────────────────────
