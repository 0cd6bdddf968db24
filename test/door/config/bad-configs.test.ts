/**
 * A table of refused configurations: each row is a file and the exact problems it must produce,
 * by code, key path and line. Wording is free to change; these are not.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { GatehouseError } from "../../../src/core/problems.js";
import { DOOR_CONFIG_CODES } from "../../../src/door/config/codes.js";
import { ConfigError, checkConfigFile, loadConfig } from "../../../src/door/config/index.js";
import { check, FIXTURES, MINIMAL, problemsOf } from "./helpers.js";

const ROUTE = "routes:\n  - match: /\n    upstream: http://127.0.0.1:18789\n";

/** [name, file text, the problems expected ("CODE @ path :line")] */
const REFUSED: readonly (readonly [string, string, readonly string[]])[] = [
  // The file as a whole ------------------------------------------------------------------
  ["empty file", "", ["GH_CONFIG_ROUTES_EMPTY @  :"]],
  ["comments only", "# nothing here\n", ["GH_CONFIG_ROUTES_EMPTY @  :"]],
  ["a list at the top", "- listen: 8080\n", ["GH_CONFIG_TYPE @  :1"]],
  ["a scalar at the top", "hello\n", ["GH_CONFIG_TYPE @  :1"]],
  ["routes missing", "listen: 8080\n", ["GH_CONFIG_ROUTES_EMPTY @ routes :"]],
  ["routes empty", "routes: []\n", ["GH_CONFIG_ROUTES_EMPTY @ routes :1"]],
  ["routes not a list", "routes: /v1/\n", ["GH_CONFIG_TYPE @ routes :1"]],
  ["YAML syntax error", "routes:\n  - match: [/v1/\n    upstream: x\n", ["GH_CONFIG_SYNTAX @  :3"]],
  ["tab indentation", "routes:\n\t- match: /\n", ["GH_CONFIG_SYNTAX @  :2"]],
  ["two documents", `${ROUTE}---\nlisten: 8080\n`, ["GH_CONFIG_SYNTAX @  :4"]],
  ["unknown tag", `${ROUTE}listen: !port 8080\n`, ["GH_CONFIG_SYNTAX @  :4"]],
  ["binary tag", `${ROUTE}publicOrigin: !!binary aGk=\n`, ["GH_CONFIG_SYNTAX @ publicOrigin :4"]],
  ["mapping as a key", `${ROUTE}? [a, b]\n: 1\n`, ["GH_CONFIG_SYNTAX @  :4"]],
  // An unquoted `*` is a YAML alias: reported at its key, then read as the text "*".
  [
    "unquoted * in a flow list",
    `${ROUTE}cors:\n  allowOrigins: [*]\n`,
    ["GH_CONFIG_SYNTAX @ cors.allowOrigins[0] :5"],
  ],
  [
    "unquoted * in hosts",
    `${ROUTE}hosts: [*, a.example]\n`,
    ["GH_CONFIG_SYNTAX @ hosts[0] :4", "GH_CONFIG_HOST_WILDCARD @ hosts[0] :4"],
  ],
  [
    "duplicate key",
    `listen: 8080\n${ROUTE}listen: 9090\n`,
    ["GH_CONFIG_DUPLICATE_KEY @ listen :5"],
  ],
  [
    "duplicate key in a route",
    "routes:\n  - match: /\n    match: /v1/\n    upstream: http://127.0.0.1:1\n",
    ["GH_CONFIG_DUPLICATE_KEY @ routes[0].match :3"],
  ],
  // Unknown keys ----------------------------------------------------------------------------
  ["misspelled top-level key", `${ROUTE}lisen: 8080\n`, ["GH_CONFIG_UNKNOWN_KEY @ lisen :4"]],
  [
    "CORS key at the top",
    `${ROUTE}allowOrigins: [https://a.example]\n`,
    ["GH_CONFIG_UNKNOWN_KEY @ allowOrigins :4"],
  ],
  [
    "misspelled route key",
    "routes:\n  - match: /\n    upstreams: http://127.0.0.1:1\n",
    ["GH_CONFIG_ROUTE_TARGET @ routes[0] :2", "GH_CONFIG_UNKNOWN_KEY @ routes[0].upstreams :3"],
  ],
  ["merge key", `base: &b {match: /}\n${ROUTE}`, ["GH_CONFIG_UNKNOWN_KEY @ base :1"]],
  [
    "unknown key in limits",
    `${ROUTE}limits:\n  maxBody: 1MiB\n`,
    ["GH_CONFIG_UNKNOWN_KEY @ limits.maxBody :5"],
  ],
  // Types -------------------------------------------------------------------------------------
  ["listen as a boolean", `${ROUTE}listen: true\n`, ["GH_CONFIG_TYPE @ listen :4"]],
  ["csrf as yes", `${ROUTE}csrf: yes\n`, ["GH_CONFIG_TYPE @ csrf :4"]],
  ["csrf empty", `${ROUTE}csrf:\n`, ["GH_CONFIG_TYPE @ csrf :4"]],
  ["hosts as a string", `${ROUTE}hosts: gateway.example.com\n`, ["GH_CONFIG_TYPE @ hosts :4"]],
  ["hosts entry a number", `${ROUTE}hosts: [42]\n`, ["GH_CONFIG_TYPE @ hosts[0] :4"]],
  ["log level unknown", `${ROUTE}log: {level: verbose}\n`, ["GH_CONFIG_CHOICE @ log.level :4"]],
  ["log format unknown", `${ROUTE}log:\n  format: xml\n`, ["GH_CONFIG_CHOICE @ log.format :5"]],
  [
    "maxWebSockets not whole",
    `${ROUTE}limits: {maxWebSockets: 1.5}\n`,
    ["GH_CONFIG_TYPE @ limits.maxWebSockets :4"],
  ],
  [
    "maxWebSockets negative",
    `${ROUTE}limits: {maxWebSockets: -1}\n`,
    ["GH_CONFIG_RANGE @ limits.maxWebSockets :4"],
  ],
  // listen --------------------------------------------------------------------------------------
  [
    "port out of range",
    `listen: 127.0.0.1:70000\n${ROUTE}`,
    ["GH_CONFIG_LISTEN_INVALID @ listen :1"],
  ],
  ["port number out of range", `listen: 70000\n${ROUTE}`, ["GH_CONFIG_LISTEN_INVALID @ listen :1"]],
  ["listen without port", `listen: 127.0.0.1\n${ROUTE}`, ["GH_CONFIG_LISTEN_INVALID @ listen :1"]],
  [
    "listen on a DNS name",
    `listen: gateway.example.com:8080\n${ROUTE}`,
    ["GH_CONFIG_LISTEN_INVALID @ listen :1"],
  ],
  [
    "listen with a scheme",
    `listen: http://127.0.0.1:8080\n${ROUTE}`,
    ["GH_CONFIG_LISTEN_INVALID @ listen :1"],
  ],
  ["listen :8080", `listen: ":8080"\n${ROUTE}`, ["GH_CONFIG_LISTEN_INVALID @ listen :1"]],
  [
    "IPv6 without brackets",
    `listen: "::1:8080"\n${ROUTE}`,
    ["GH_CONFIG_LISTEN_INVALID @ listen :1"],
  ],
  // publicOrigin ----------------------------------------------------------------------------------
  [
    "publicOrigin with a path",
    `publicOrigin: https://g.example.com/ui\n${ROUTE}`,
    ["GH_CONFIG_PUBLIC_ORIGIN_INVALID @ publicOrigin :1"],
  ],
  [
    "publicOrigin trailing slash",
    `publicOrigin: https://g.example.com/\n${ROUTE}`,
    ["GH_CONFIG_PUBLIC_ORIGIN_INVALID @ publicOrigin :1"],
  ],
  [
    "publicOrigin without scheme",
    `publicOrigin: g.example.com\n${ROUTE}`,
    ["GH_CONFIG_PUBLIC_ORIGIN_INVALID @ publicOrigin :1"],
  ],
  [
    "publicOrigin a pattern",
    `publicOrigin: "https://*.example.com"\n${ROUTE}`,
    ["GH_CONFIG_PUBLIC_ORIGIN_INVALID @ publicOrigin :1"],
  ],
  [
    "publicOrigin *",
    `publicOrigin: "*"\n${ROUTE}`,
    ["GH_CONFIG_PUBLIC_ORIGIN_INVALID @ publicOrigin :1"],
  ],
  [
    "publicOrigin ws scheme",
    `publicOrigin: wss://g.example.com\n${ROUTE}`,
    ["GH_CONFIG_PUBLIC_ORIGIN_INVALID @ publicOrigin :1"],
  ],
  // hosts ---------------------------------------------------------------------------------------
  ["hosts *", `${ROUTE}hosts: ["*"]\n`, ["GH_CONFIG_HOST_WILDCARD @ hosts[0] :4"]],
  ["hosts *.", `${ROUTE}hosts: ["*.example.com"]\n`, ["GH_CONFIG_HOST_WILDCARD @ hosts[0] :4"]],
  [
    "hosts with a scheme",
    `${ROUTE}hosts: [https://g.example.com]\n`,
    ["GH_CONFIG_HOST_INVALID @ hosts[0] :4"],
  ],
  [
    "hosts with a path",
    `${ROUTE}hosts: [g.example.com/x]\n`,
    ["GH_CONFIG_HOST_INVALID @ hosts[0] :4"],
  ],
  [
    "hosts with userinfo",
    `${ROUTE}hosts: [u@g.example.com]\n`,
    ["GH_CONFIG_HOST_INVALID @ hosts[0] :4"],
  ],
  [
    "hosts bad port",
    `${ROUTE}hosts: ["g.example.com:0"]\n`,
    ["GH_CONFIG_HOST_INVALID @ hosts[0] :4"],
  ],
  ["hosts bare IPv6", `${ROUTE}hosts: ["::1"]\n`, ["GH_CONFIG_HOST_INVALID @ hosts[0] :4"]],
  [
    "hosts trailing dot",
    `${ROUTE}hosts: [g.example.com.]\n`,
    ["GH_CONFIG_HOST_INVALID @ hosts[0] :4"],
  ],
  ["hosts empty", `${ROUTE}hosts: []\n`, ["GH_CONFIG_HOST_INVALID @ hosts :4"]],
  [
    "hosts: every bad entry",
    `${ROUTE}hosts:\n  - ok.example.com\n  - "*"\n  - http://x\n`,
    ["GH_CONFIG_HOST_WILDCARD @ hosts[1] :6", "GH_CONFIG_HOST_INVALID @ hosts[2] :7"],
  ],
  // trustProxy ------------------------------------------------------------------------------------
  [
    "trustProxy a name",
    `${ROUTE}trustProxy: [cdn.example.com]\n`,
    ["GH_CONFIG_TRUST_PROXY_INVALID @ trustProxy[0] :4"],
  ],
  [
    "trustProxy bad prefix",
    `${ROUTE}trustProxy: [10.0.0.0/33]\n`,
    ["GH_CONFIG_TRUST_PROXY_INVALID @ trustProxy[0] :4"],
  ],
  [
    "trustProxy bad v6 prefix",
    `${ROUTE}trustProxy: ["fd00::/129"]\n`,
    ["GH_CONFIG_TRUST_PROXY_INVALID @ trustProxy[0] :4"],
  ],
  [
    "trustProxy garbage",
    `${ROUTE}trustProxy: [1.2.3]\n`,
    ["GH_CONFIG_TRUST_PROXY_INVALID @ trustProxy[0] :4"],
  ],
  ["trustProxy as a word", `${ROUTE}trustProxy: loopback\n`, ["GH_CONFIG_TYPE @ trustProxy :4"]],
  // routes ---------------------------------------------------------------------------------------
  [
    "match without slash",
    "routes:\n  - match: v1/\n    upstream: http://127.0.0.1:1\n",
    ["GH_CONFIG_ROUTE_MATCH_INVALID @ routes[0].match :2"],
  ],
  [
    "match with a glob",
    "routes:\n  - match: /v1/*\n    upstream: http://127.0.0.1:1\n",
    ["GH_CONFIG_ROUTE_MATCH_INVALID @ routes[0].match :2"],
  ],
  [
    "match with a query",
    "routes:\n  - match: /v1?x\n    upstream: http://127.0.0.1:1\n",
    ["GH_CONFIG_ROUTE_MATCH_INVALID @ routes[0].match :2"],
  ],
  [
    "match with ..",
    "routes:\n  - match: /a/../b\n    upstream: http://127.0.0.1:1\n",
    ["GH_CONFIG_ROUTE_MATCH_INVALID @ routes[0].match :2"],
  ],
  [
    "match with //",
    "routes:\n  - match: //v1\n    upstream: http://127.0.0.1:1\n",
    ["GH_CONFIG_ROUTE_MATCH_INVALID @ routes[0].match :2"],
  ],
  [
    "match a URL",
    "routes:\n  - match: http://x/v1\n    upstream: http://127.0.0.1:1\n",
    ["GH_CONFIG_ROUTE_MATCH_INVALID @ routes[0].match :2"],
  ],
  [
    "match missing",
    "routes:\n  - upstream: http://127.0.0.1:1\n",
    ["GH_CONFIG_REQUIRED @ routes[0].match :2"],
  ],
  ["route without target", "routes:\n  - match: /\n", ["GH_CONFIG_ROUTE_TARGET @ routes[0] :2"]],
  [
    "route with both targets",
    "routes:\n  - match: /\n    upstream: http://127.0.0.1:1\n    static: ./ui\n",
    ["GH_CONFIG_ROUTE_TARGET @ routes[0].static :4"],
  ],
  [
    "spa on an upstream route",
    "routes:\n  - match: /\n    upstream: http://127.0.0.1:1\n    spa: true\n",
    ["GH_CONFIG_ROUTE_OPTION @ routes[0].spa :4"],
  ],
  [
    "stripPrefix on a static route",
    "routes:\n  - match: /\n    static: ./ui\n    stripPrefix: true\n",
    ["GH_CONFIG_ROUTE_OPTION @ routes[0].stripPrefix :4"],
  ],
  [
    "upstream ws://",
    "routes:\n  - match: /\n    upstream: ws://127.0.0.1:1\n",
    ["GH_CONFIG_UPSTREAM_INVALID @ routes[0].upstream :3"],
  ],
  [
    "upstream ftp://",
    "routes:\n  - match: /\n    upstream: ftp://127.0.0.1\n",
    ["GH_CONFIG_UPSTREAM_INVALID @ routes[0].upstream :3"],
  ],
  [
    "upstream without scheme",
    "routes:\n  - match: /\n    upstream: 127.0.0.1:11434\n",
    ["GH_CONFIG_UPSTREAM_INVALID @ routes[0].upstream :3"],
  ],
  [
    "upstream with userinfo",
    "routes:\n  - match: /\n    upstream: http://u:p@127.0.0.1:1\n",
    ["GH_CONFIG_UPSTREAM_INVALID @ routes[0].upstream :3"],
  ],
  [
    "upstream with a query",
    "routes:\n  - match: /\n    upstream: http://127.0.0.1:1/?k=v\n",
    ["GH_CONFIG_UPSTREAM_INVALID @ routes[0].upstream :3"],
  ],
  [
    "upstream with a fragment",
    "routes:\n  - match: /\n    upstream: http://127.0.0.1:1/#x\n",
    ["GH_CONFIG_UPSTREAM_INVALID @ routes[0].upstream :3"],
  ],
  [
    "static missing",
    "routes:\n  - match: /\n    static: ./no-such-dir\n",
    ["GH_CONFIG_STATIC_DIR @ routes[0].static :3"],
  ],
  [
    "static is a file",
    "routes:\n  - match: /\n    static: ./ui/index.html\n",
    ["GH_CONFIG_STATIC_DIR @ routes[0].static :3"],
  ],
  [
    "route cors true",
    "routes:\n  - match: /\n    upstream: http://127.0.0.1:1\n    cors: true\n",
    ["GH_CORS_CONFIG_TYPE @ routes[0].cors :4"],
  ],
  [
    "route cors problems carry full paths",
    'routes:\n  - match: /a\n    upstream: http://127.0.0.1:1\n  - match: /b\n    upstream: http://127.0.0.1:1\n    cors:\n      allowOrigins: [https://ok.example, "null"]\n      allowCredentials: true\n      allowHeaders: [cookie]\n',
    [
      "GH_CORS_ORIGIN_NULL @ routes[1].cors.allowOrigins[1] :7",
      "GH_CORS_HEADER_FORBIDDEN @ routes[1].cors.allowHeaders[0] :9",
    ],
  ],
  // cors and websocket -----------------------------------------------------------------------------
  ["cors a string", `${ROUTE}cors: https://a.example\n`, ["GH_CORS_CONFIG_TYPE @ cors :4"]],
  [
    "cors without origins",
    `${ROUTE}cors: {allowMethods: [PUT]}\n`,
    ["GH_CORS_ORIGINS_EMPTY @ cors.allowOrigins :4"],
  ],
  [
    "cors: every problem with its path",
    `${ROUTE}cors:\n  allowOrigins: ["*", https://a.example/]\n  allowCredentials: true\n  maxAge: 90000\n  origin: x\n`,
    [
      "GH_CORS_ORIGIN_WILDCARD_CREDENTIALS @ cors.allowOrigins[0] :5",
      "GH_CORS_ORIGIN_TRAILING_SLASH @ cors.allowOrigins[1] :5",
      "GH_CORS_MAX_AGE_RANGE @ cors.maxAge :7",
      "GH_CORS_CONFIG_UNKNOWN_KEY @ cors.origin :8",
    ],
  ],
  [
    "websocket origins",
    `${ROUTE}websocket:\n  allowOrigins: ["null", 42, https://ok.example]\n`,
    [
      "GH_CORS_ORIGIN_NULL @ websocket.allowOrigins[0] :5",
      "GH_CORS_CONFIG_TYPE @ websocket.allowOrigins[1] :5",
    ],
  ],
  [
    "websocket origins a string",
    `${ROUTE}websocket:\n  allowOrigins: https://a.example\n`,
    ["GH_CONFIG_TYPE @ websocket.allowOrigins :5"],
  ],
  // tls -----------------------------------------------------------------------------------------------
  [
    "tls without key",
    `${ROUTE}tls:\n  cert: ./tls/cert.pem\n`,
    ["GH_CONFIG_REQUIRED @ tls.key :4"],
  ],
  [
    "tls file missing",
    `${ROUTE}tls:\n  cert: ./tls/nope.pem\n  key: ./tls/key.pem\n`,
    ["GH_CONFIG_TLS_FILE @ tls.cert :5"],
  ],
  [
    "tls not PEM",
    `${ROUTE}tls:\n  cert: ./ui/index.html\n  key: ./tls/key.pem\n`,
    ["GH_CONFIG_TLS_INVALID @ tls.cert :5"],
  ],
  [
    "tls key and cert swapped",
    `${ROUTE}tls:\n  cert: ./tls/key.pem\n  key: ./tls/cert.pem\n`,
    ["GH_CONFIG_TLS_INVALID @ tls.cert :5", "GH_CONFIG_TLS_INVALID @ tls.key :6"],
  ],
  [
    "tls key of another cert",
    `${ROUTE}tls:\n  cert: ./tls/cert.pem\n  key: ./tls/other-key.pem\n`,
    ["GH_CONFIG_TLS_INVALID @ tls.key :6"],
  ],
  [
    "tls a directory",
    `${ROUTE}tls:\n  cert: ./tls\n  key: ./tls/key.pem\n`,
    ["GH_CONFIG_TLS_FILE @ tls.cert :5"],
  ],
  [
    "hsts wrong types",
    `${ROUTE}tls:\n  cert: ./tls/cert.pem\n  key: ./tls/key.pem\n  hsts: {maxAge: 1y, preload: true}\n`,
    ["GH_CONFIG_TYPE @ tls.hsts.maxAge :7", "GH_CONFIG_UNKNOWN_KEY @ tls.hsts.preload :7"],
  ],
  [
    "hsts a string",
    `${ROUTE}tls:\n  cert: ./tls/cert.pem\n  key: ./tls/key.pem\n  hsts: yes\n`,
    ["GH_CONFIG_TYPE @ tls.hsts :7"],
  ],
  [
    "redirectHttp invalid",
    `${ROUTE}tls:\n  cert: ./tls/cert.pem\n  key: ./tls/key.pem\n  redirectHttp: example.com:80\n`,
    ["GH_CONFIG_LISTEN_INVALID @ tls.redirectHttp :7"],
  ],
  [
    "redirectHttp on the listen port",
    `listen: 0.0.0.0:8443\n${ROUTE}tls:\n  cert: ./tls/cert.pem\n  key: ./tls/key.pem\n  redirectHttp: 127.0.0.1:8443\n`,
    ["GH_CONFIG_LISTEN_CONFLICT @ tls.redirectHttp :8"],
  ],
  // limits ----------------------------------------------------------------------------------------------
  [
    "size without unit",
    `${ROUTE}limits: {maxBodySize: "25"}\n`,
    ["GH_CONFIG_SIZE_INVALID @ limits.maxBodySize :4"],
  ],
  [
    "size with M",
    `${ROUTE}limits: {maxBodySize: 25M}\n`,
    ["GH_CONFIG_SIZE_INVALID @ limits.maxBodySize :4"],
  ],
  [
    "size negative",
    `${ROUTE}limits: {maxBodySize: -1}\n`,
    ["GH_CONFIG_SIZE_INVALID @ limits.maxBodySize :4"],
  ],
  [
    "duration without unit",
    `${ROUTE}limits: {requestTimeout: "30"}\n`,
    ["GH_CONFIG_DURATION_INVALID @ limits.requestTimeout :4"],
  ],
  [
    "duration unknown unit",
    `${ROUTE}limits: {requestTimeout: 3d}\n`,
    ["GH_CONFIG_DURATION_INVALID @ limits.requestTimeout :4"],
  ],
  [
    "duration zero",
    `${ROUTE}limits: {headersTimeout: 0}\n`,
    ["GH_CONFIG_DURATION_INVALID @ limits.headersTimeout :4"],
  ],
  [
    "duration too long",
    `${ROUTE}limits: {streamIdleTimeout: 30d}\n`,
    ["GH_CONFIG_DURATION_INVALID @ limits.streamIdleTimeout :4"],
  ],
  [
    "duration over the timer limit",
    `${ROUTE}limits: {streamIdleTimeout: 600h}\n`,
    ["GH_CONFIG_DURATION_INVALID @ limits.streamIdleTimeout :4"],
  ],
  [
    "headersTimeout over requestTimeout",
    `${ROUTE}limits:\n  headersTimeout: 10m\n`,
    ["GH_CONFIG_LIMITS_CONFLICT @ limits.headersTimeout :5"],
  ],
  // JSON ------------------------------------------------------------------------------------------------
  [
    "JSON syntax error",
    '{\n  "routes": [\n    {"match": "/" "upstream": "http://x"}\n  ]\n}\n',
    ["GH_CONFIG_SYNTAX @  :3"],
  ],
  // Trailing commas and comments are reported, then read past: the rest is still checked.
  [
    "JSON trailing comma in an object",
    '{\n  "routes": [\n    {"match": "/",}\n  ]\n}\n',
    ["GH_CONFIG_ROUTE_TARGET @ routes[0] :3", "GH_CONFIG_SYNTAX @  :3"],
  ],
  [
    "JSON trailing comma in a list",
    '{\n  "routes": [{"match": "/", "upstream": "http://x"}],\n  "hosts": ["*",]\n}\n',
    ["GH_CONFIG_HOST_WILDCARD @ hosts[0] :3", "GH_CONFIG_SYNTAX @  :3"],
  ],
  [
    "JSON comment",
    '{\n  // no\n  "routes": []\n}\n',
    ["GH_CONFIG_SYNTAX @  :2", "GH_CONFIG_ROUTES_EMPTY @ routes :3"],
  ],
  [
    "JSON duplicate key",
    '{\n  "listen": 1,\n  "listen": 2,\n  "routes": [{"match": "/", "upstream": "http://x"}]\n}\n',
    ["GH_CONFIG_DUPLICATE_KEY @ listen :3"],
  ],
  [
    "JSON type error",
    '{\n  "routes": [{"match": "/", "upstream": "http://x"}],\n  "csrf": "false"\n}\n',
    ["GH_CONFIG_TYPE @ csrf :3"],
  ],
];

describe("refused configurations: code, key path and line", () => {
  for (const [name, text, expected] of REFUSED) {
    test(name, () => {
      const file = text.trimStart().startsWith("{") ? "gatehouse.json" : "gatehouse.yaml";
      assert.deepEqual(problemsOf(text, { file }), expected);
    });
  }
});

test("every GH_CONFIG_* code is produced by a case", () => {
  const used = new Set(REFUSED.flatMap(([, , problems]) => problems.map((p) => p.split(" @ ")[0])));
  // Produced by the file-level tests below and in adversarial.test.ts.
  const elsewhere = [
    "GH_CONFIG_FILE_UNREADABLE",
    "GH_CONFIG_FILE_FORMAT",
    "GH_CONFIG_FILE_TOO_LARGE",
    "GH_CONFIG_TOO_COMPLEX",
  ];
  for (const code of Object.keys(DOOR_CONFIG_CODES)) {
    assert.ok(used.has(code) || elsewhere.includes(code), `no case produces ${code}`);
  }
});

describe("every problem at once", () => {
  test("problems in different sections are all reported, in file order", () => {
    const text = [
      "listen: 127.0.0.1:99999", // 1
      "publicOrigin: https://g.example.com/", // 2
      "hosts: ['*']", // 3
      "routes:", // 4
      "  - match: v1", // 5
      "    upstream: ws://127.0.0.1:1", // 6
      "cors:", // 7
      "  allowOrigins: ['null']", // 8
      "csrf: maybe", // 9
      "limits: {maxBodySize: 1XB}", // 10
      "",
    ].join("\n");
    assert.deepEqual(problemsOf(text), [
      "GH_CONFIG_LISTEN_INVALID @ listen :1",
      "GH_CONFIG_PUBLIC_ORIGIN_INVALID @ publicOrigin :2",
      "GH_CONFIG_HOST_WILDCARD @ hosts[0] :3",
      "GH_CONFIG_ROUTE_MATCH_INVALID @ routes[0].match :5",
      "GH_CONFIG_UPSTREAM_INVALID @ routes[0].upstream :6",
      "GH_CORS_ORIGIN_NULL @ cors.allowOrigins[0] :8",
      "GH_CONFIG_TYPE @ csrf :9",
      "GH_CONFIG_SIZE_INVALID @ limits.maxBodySize :10",
    ]);
  });

  test("the value is the value as written, and line:column point at it", () => {
    const result = check(`${ROUTE}hosts: [ok.example, "http://x.example/"]\n`);
    assert.equal(result.ok, false);
    const [problem] = result.problems;
    assert.equal(problem?.value, "http://x.example/");
    assert.equal(problem?.file, "gatehouse.yaml");
    assert.deepEqual([problem?.line, problem?.column], [4, 21]);
  });

  test("unknown keys point at the key, with a suggestion", () => {
    const result = check("routes:\n  - match: /\n    upstreams: http://127.0.0.1:1\n");
    const problem = result.problems.find((p) => p.code === "GH_CONFIG_UNKNOWN_KEY");
    assert.deepEqual([problem?.line, problem?.column], [3, 5]);
    assert.match(problem?.fix ?? "", /"upstream"/);
  });

  test("a missing key is placed at the key that should contain it", () => {
    const result = check(`${ROUTE}tls:\n  cert: ./tls/cert.pem\n`);
    const problem = result.problems.find((p) => p.code === "GH_CONFIG_REQUIRED");
    assert.equal(problem?.path, "tls.key");
    assert.deepEqual([problem?.line, problem?.column], [4, 1]);
  });

  test("--listen and PORT problems are not placed in the file", () => {
    const flag = check(MINIMAL, { listen: "nope" });
    assert.deepEqual(
      flag.problems.map((p) => [p.code, p.path, p.file, p.line]),
      [["GH_CONFIG_LISTEN_INVALID", "--listen", null, undefined]],
    );
    const env = check(MINIMAL, { env: { PORT: "http" } });
    assert.deepEqual(
      env.problems.map((p) => [p.code, p.path, p.file]),
      [["GH_CONFIG_LISTEN_INVALID", "PORT", null]],
    );
  });
});

describe("files that cannot be read", () => {
  test("a missing file is one problem, with the path as given", () => {
    const result = checkConfigFile("no/such/gatehouse.yaml", { env: {} });
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.problems.map((p) => [p.code, p.file, p.value]),
      [["GH_CONFIG_FILE_UNREADABLE", "no/such/gatehouse.yaml", "no/such/gatehouse.yaml"]],
    );
  });

  test("a directory", () => {
    const dir = checkConfigFile(join(FIXTURES, "dir.yaml"), { env: {} });
    assert.deepEqual(
      dir.problems.map((p) => p.code),
      ["GH_CONFIG_FILE_UNREADABLE"],
    );
  });

  test("an unknown extension", () => {
    const result = checkConfigFile("gatehouse.toml", { env: {} });
    assert.deepEqual(
      result.problems.map((p) => p.code),
      ["GH_CONFIG_FILE_FORMAT"],
    );
  });

  test("no file at all (null)", () => {
    const result = checkConfigFile(null, { env: {} });
    assert.deepEqual(
      result.problems.map((p) => [p.code, p.path]),
      [["GH_CONFIG_FILE_UNREADABLE", "--config"]],
    );
  });

  test("loadConfig throws a ConfigError listing every problem", () => {
    assert.throws(
      () => loadConfig(join(FIXTURES, "golden-bad.yaml"), { env: {} }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.code, "GH_CONFIG_INVALID");
        assert.ok(error instanceof GatehouseError);
        assert.ok(error.problems.length > 10);
        assert.match(error.message, /^Invalid configuration .*golden-bad\.yaml: \d+ problems/);
        return true;
      },
    );
  });
});
