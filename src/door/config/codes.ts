/**
 * The codes of the front door's configuration file, owned by the loader in this folder.
 * docs/errors.md lists them with every other family (scripts/errors-doc.ts); match on the code,
 * never on the wording, and never reuse a published code.
 */
import type { CodeInfo } from "../../core/codes.js";

/** The code of the error `loadConfig()` throws; its `problems` carry the codes below. */
export const CONFIG_THROWN_CODES = {
  GH_CONFIG_INVALID: {
    title:
      "The configuration file was refused: `loadConfig()` throws a `ConfigError` whose `problems` list every problem at once.",
    howToSolve:
      "Fix each problem listed, at the file, line and column given; `gatehouse check --config FILE` prints the same list without starting the front door.",
  },
} as const satisfies Record<string, CodeInfo>;

/**
 * Errors in a front-door configuration file (`gatehouse serve --config`, `gatehouse check`).
 * A file with any of these is refused: the loader throws a `ConfigError` (code
 * `GH_CONFIG_INVALID`) listing every problem with its file, line and column. Problems inside
 * `cors` sections and `websocket.allowOrigins` carry the engine's `GH_CORS_*` codes
 * (src/core/codes.ts).
 */
export const DOOR_CONFIG_CODES = {
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
      'Fix the syntax at the line and column given. In YAML, indent with spaces (never tabs), quote values that contain `: ` or start with `*`, `&`, `!`, `[` or `{` (`hosts: ["*"]`), and keep one document per file. In JSON, put every key and string in double quotes, and leave out comments and the comma after the last item of a list or object.',
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
 * carry the engine's `GH_LINT_*` codes (src/core/codes.ts).
 */
export const DOOR_LINT_CODES = {
  GH_LINT_WILDCARD_READS_ONLY: {
    title:
      "`*` in `allowOrigins` lets every website read responses; it trusts no origin with WebSocket upgrades or unsafe requests.",
    howToSolve:
      "Nothing to fix if reads are all you mean to grant. To let a page open WebSockets or send POST, PUT and DELETE past the CSRF guard, list its origin in `cors.allowOrigins` (or `websocket.allowOrigins`).",
  },
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

export type ConfigThrownCode = keyof typeof CONFIG_THROWN_CODES;
export type DoorConfigCode = keyof typeof DOOR_CONFIG_CODES;
export type DoorLintCode = keyof typeof DOOR_LINT_CODES;
