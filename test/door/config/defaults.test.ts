/**
 * What the loader fills in: defaults, values derived from other keys, where the listen address
 * comes from (`--listen` > `PORT` > file > 127.0.0.1:8080), lint notes for risky choices, and
 * the built-in configuration of `gatehouse serve`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { DOOR_LINT_CODES } from "../../../src/door/config/codes.js";
import type { GatehouseConfig } from "../../../src/door/config/index.js";
import {
  ConfigError,
  DEFAULT_LIMITS,
  embeddedDefaultConfig,
  loadConfig,
} from "../../../src/door/config/index.js";
import { configOf, FIXTURES, lintsOf, MINIMAL, problemsOf } from "./helpers.js";

describe("defaults", () => {
  test("a minimal file: loopback listener, derived origin and hosts, nothing cross-origin", () => {
    const config = configOf(MINIMAL);
    assert.deepEqual(config.listen, { host: "127.0.0.1", port: 8080 });
    assert.equal(config.publicOrigin, "http://127.0.0.1:8080");
    assert.deepEqual(config.hosts, ["127.0.0.1:8080", "localhost:8080", "[::1]:8080"]);
    assert.deepEqual(config.trustProxy, []);
    assert.equal(config.cors, null);
    assert.deepEqual(config.websocket, { allowOrigins: null });
    assert.equal(config.csrf, true);
    assert.equal(config.tls, null);
    assert.deepEqual(config.limits, DEFAULT_LIMITS);
    assert.deepEqual(config.log, { level: "info", format: "auto" });
    assert.equal(config.source, join(FIXTURES, "gatehouse.yaml"));
    const [route] = config.routes;
    assert.equal(route?.kind, "upstream");
    assert.ok(route?.kind === "upstream");
    assert.equal(route.upstream.href, "http://127.0.0.1:18789/");
    assert.equal(route.stripPrefix, false);
    assert.equal(route.cors, undefined);
  });

  test("the result is frozen", () => {
    const config = configOf(MINIMAL);
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.routes));
    assert.ok(Object.isFrozen(config.hosts));
    assert.ok(Object.isFrozen(config.limits));
  });

  const derived: [string, string, string, string[]][] = [
    [
      "loopback IPv6",
      "listen: '[::1]:9000'\n",
      "http://[::1]:9000",
      ["[::1]:9000", "localhost:9000", "127.0.0.1:9000"],
    ],
    [
      "localhost",
      "listen: localhost:9000\n",
      "http://localhost:9000",
      ["localhost:9000", "127.0.0.1:9000", "[::1]:9000"],
    ],
    [
      "port 80 dropped",
      "listen: 127.0.0.1:80\n",
      "http://127.0.0.1",
      ["127.0.0.1:80", "localhost:80", "[::1]:80"],
    ],
    [
      "private address: no loopback names",
      "listen: 10.0.0.5:8080\n",
      "http://10.0.0.5:8080",
      ["10.0.0.5:8080"],
    ],
    [
      "wildcard: localhost guessed",
      "listen: 0.0.0.0:8080\n",
      "http://localhost:8080",
      ["localhost:8080"],
    ],
    ["IPv6 wildcard", "listen: '[::]:8080'\n", "http://localhost:8080", ["localhost:8080"]],
    [
      "explicit publicOrigin with loopback listen",
      "publicOrigin: https://gateway.example.com\n",
      "https://gateway.example.com",
      ["gateway.example.com:443", "localhost:8080", "127.0.0.1:8080", "[::1]:8080"],
    ],
    [
      "explicit publicOrigin with a wildcard listen",
      "listen: 0.0.0.0:8080\npublicOrigin: https://gateway.example.com\n",
      "https://gateway.example.com",
      ["gateway.example.com:443"],
    ],
    [
      "https with tls, default port 443 dropped",
      "listen: 127.0.0.1:443\ntls: {cert: ./tls/cert.pem, key: ./tls/key.pem, hsts: true}\n",
      "https://127.0.0.1",
      ["127.0.0.1:443", "localhost:443", "[::1]:443"],
    ],
    [
      "publicOrigin normalized",
      "publicOrigin: HTTPS://Gateway.Example.com:443\n",
      "https://gateway.example.com",
      ["gateway.example.com:443", "localhost:8080", "127.0.0.1:8080", "[::1]:8080"],
    ],
  ];
  for (const [name, head, origin, hosts] of derived) {
    test(`publicOrigin and hosts: ${name}`, () => {
      const config = configOf(head + MINIMAL);
      assert.equal(config.publicOrigin, origin);
      assert.deepEqual(config.hosts, hosts);
    });
  }

  test("explicit hosts replace the default, normalized and de-duplicated", () => {
    const config = configOf(
      `publicOrigin: https://g.example.com\nhosts: [G.Example.com, g.example.com, "[::1]:8080"]\n${MINIMAL}`,
    );
    assert.deepEqual(config.hosts, ["g.example.com", "[::1]:8080"]);
  });

  test("trustProxy keeps loopback as a keyword and canonical addresses", () => {
    const config = configOf(`trustProxy: [loopback, 10.0.0.0/8, "2001:DB8::1"]\n${MINIMAL}`);
    assert.deepEqual(config.trustProxy, ["loopback", "10.0.0.0/8", "2001:db8::1"]);
  });

  test("routes: static paths resolve against the file's folder; options default off", () => {
    const config = configOf(
      "routes:\n  - match: /api/\n    upstream: http://127.0.0.1:1/base\n    stripPrefix: true\n  - match: /\n    static: ./ui\n    spa: true\n  - match: /plain/\n    static: ui\n",
    );
    const [api, ui, plain] = config.routes;
    assert.deepEqual(api?.kind === "upstream" && [api.match, api.upstream.href, api.stripPrefix], [
      "/api/",
      "http://127.0.0.1:1/base",
      true,
    ]);
    assert.deepEqual(ui?.kind === "static" && [ui.root, ui.spa], [join(FIXTURES, "ui"), true]);
    assert.deepEqual(plain?.kind === "static" && [plain.root, plain.spa], [
      join(FIXTURES, "ui"),
      false,
    ]);
  });

  test("cors: the normalized policy, per route too", () => {
    const config = configOf(
      `cors:\n  allowOrigins: [HTTPS://App.Example.com]\n  allowMethods: [post, patch]\n  maxAge: 600\nroutes:\n  - match: /open/\n    upstream: http://127.0.0.1:1\n    cors: false\n  - match: /own/\n    upstream: http://127.0.0.1:1\n    cors: {allowOrigins: [https://other.example]}\n  - match: /\n    upstream: http://127.0.0.1:1\n`,
    );
    assert.deepEqual(config.cors, {
      allowOrigins: ["https://app.example.com"],
      allowCredentials: false,
      allowMethods: ["patch"],
      allowHeaders: [],
      exposeHeaders: [],
      allowPrivateNetwork: false,
      dangerouslyAllowInsecureOrigins: false,
      maxAge: 600,
    });
    assert.deepEqual(
      config.routes.map((r) =>
        r.cors === undefined || r.cors === false ? r.cors : r.cors.allowOrigins,
      ),
      [false, ["https://other.example"], undefined],
    );
  });

  test("cors: null and false mean none", () => {
    assert.equal(configOf(`cors:\n${MINIMAL}`).cors, null);
    assert.equal(configOf(`cors: false\n${MINIMAL}`).cors, null);
  });

  test("websocket.allowOrigins: null by default, normalized when given, [] allowed", () => {
    assert.equal(configOf(MINIMAL).websocket.allowOrigins, null);
    assert.deepEqual(
      configOf(`websocket:\n  allowOrigins: []\n${MINIMAL}`).websocket.allowOrigins,
      [],
    );
    assert.deepEqual(
      configOf(
        `websocket:\n  allowOrigins: [HTTPS://A.example:443, "http://localhost:*"]\n${MINIMAL}`,
      ).websocket.allowOrigins,
      ["https://a.example", "http://localhost:*"],
    );
  });

  test("tls: absolute paths, hsts true and object forms, redirect listener", () => {
    const tls = (extra: string) =>
      configOf(`${MINIMAL}tls:\n  cert: ./tls/cert.pem\n  key: ./tls/key.pem\n${extra}`).tls;
    assert.deepEqual(tls("  hsts: true\n"), {
      cert: join(FIXTURES, "tls/cert.pem"),
      key: join(FIXTURES, "tls/key.pem"),
      hsts: { maxAge: 31536000, includeSubDomains: false },
      redirectHttp: null,
    });
    assert.deepEqual(tls("  hsts: {includeSubDomains: true}\n")?.hsts, {
      maxAge: 31536000,
      includeSubDomains: true,
    });
    assert.deepEqual(tls("  hsts: {maxAge: 600}\n")?.hsts, {
      maxAge: 600,
      includeSubDomains: false,
    });
    assert.equal(tls("  hsts: false\n")?.hsts, null);
    assert.deepEqual(tls("  hsts: true\n  redirectHttp: 0.0.0.0:80\n")?.redirectHttp, {
      host: "0.0.0.0",
      port: 80,
    });
  });

  test("limits: units converted, the rest defaulted", () => {
    const config = configOf(
      `${MINIMAL}limits:\n  maxBodySize: 512KiB\n  headersTimeout: 10s\n  requestTimeout: 1m30s\n  upstreamHeadersTimeout: 600000\n  maxWebSockets: 0\n  shutdownGrace: 0\n`,
    );
    assert.deepEqual(config.limits, {
      ...DEFAULT_LIMITS,
      maxBodyBytes: 512 * 1024,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 90_000,
      upstreamHeadersTimeoutMs: 600_000,
      maxWebSockets: 0,
      shutdownGraceMs: 0,
    });
  });

  test("log", () => {
    assert.deepEqual(configOf(`${MINIMAL}log: {level: debug, format: json}\n`).log, {
      level: "debug",
      format: "json",
    });
  });

  test("JSON files, with $schema allowed", () => {
    const config = configOf(
      JSON.stringify({
        $schema: "../schema/gatehouse.schema.json",
        listen: 9000,
        routes: [{ match: "/", upstream: "http://127.0.0.1:1" }],
      }),
      { file: "gatehouse.json" },
    );
    assert.deepEqual(config.listen, { host: "127.0.0.1", port: 9000 });
  });
});

describe("where listen comes from: --listen > PORT > file > default", () => {
  const file = `listen: 0.0.0.0:9000\n${MINIMAL}`;
  const cases: [
    string,
    string,
    { listen?: string; env?: NodeJS.ProcessEnv },
    { host: string; port: number },
  ][] = [
    ["default", MINIMAL, {}, { host: "127.0.0.1", port: 8080 }],
    ["file", file, {}, { host: "0.0.0.0", port: 9000 }],
    [
      "PORT over the default: only the port",
      MINIMAL,
      { env: { PORT: "3000" } },
      { host: "127.0.0.1", port: 3000 },
    ],
    [
      "PORT over the file: only the port",
      file,
      { env: { PORT: "3000" } },
      { host: "0.0.0.0", port: 3000 },
    ],
    ["empty PORT is unset", file, { env: { PORT: "" } }, { host: "0.0.0.0", port: 9000 }],
    [
      "--listen over the file",
      file,
      { listen: "127.0.0.1:7000" },
      { host: "127.0.0.1", port: 7000 },
    ],
    [
      "--listen over PORT",
      file,
      { listen: "[::1]:7000", env: { PORT: "3000" } },
      { host: "::1", port: 7000 },
    ],
    ["--listen port alone: loopback", file, { listen: "7000" }, { host: "127.0.0.1", port: 7000 }],
  ];
  for (const [name, text, overrides, expected] of cases) {
    test(name, () => assert.deepEqual(configOf(text, overrides).listen, expected));
  }

  test("the derived origin and hosts follow the effective address", () => {
    const config = configOf(MINIMAL, { listen: "127.0.0.1:7000" });
    assert.equal(config.publicOrigin, "http://127.0.0.1:7000");
  });

  test("--listen is checked even when the file's listen is fine, and PORT likewise", () => {
    assert.deepEqual(problemsOf(MINIMAL, { listen: "0.0.0.0" }), [
      "GH_CONFIG_LISTEN_INVALID @ --listen :",
    ]);
    assert.deepEqual(problemsOf(MINIMAL, { env: { PORT: "eighty" } }), [
      "GH_CONFIG_LISTEN_INVALID @ PORT :",
    ]);
  });

  test("an invalid file listen is reported even when --listen replaces it", () => {
    assert.deepEqual(problemsOf(`listen: nope\n${MINIMAL}`, { listen: "127.0.0.1:1" }), [
      "GH_CONFIG_LISTEN_INVALID @ listen :1",
    ]);
  });

  test("loadConfig reads PORT from process.env when no env is given", () => {
    const saved = process.env.PORT;
    process.env.PORT = "4321";
    try {
      const { config } = loadConfig(join(FIXTURES, "..", "..", "..", "examples", "openclaw.yaml"));
      assert.equal(config.listen.port, 4321);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });
});

describe("lint notes for risky but legal choices", () => {
  const cases: [string, string, { listen?: string }, string[]][] = [
    ["a clean file has none", `publicOrigin: https://g.example.com\n${MINIMAL}`, {}, []],
    ["csrf: false", `csrf: false\n${MINIMAL}`, {}, ["GH_LINT_CSRF_DISABLED @ csrf :1"]],
    [
      "listen on every interface, origin guessed",
      `listen: 0.0.0.0:8080\n${MINIMAL}`,
      {},
      ["GH_LINT_PUBLIC_ORIGIN_DERIVED @ listen :1", "GH_LINT_LISTEN_ALL_INTERFACES @ listen :1"],
    ],
    [
      "--listen on every interface",
      `publicOrigin: https://g.example.com\n${MINIMAL}`,
      { listen: "[::]:8080" },
      ["GH_LINT_LISTEN_ALL_INTERFACES @ --listen :"],
    ],
    [
      "plain-http public origin",
      `publicOrigin: http://g.example.com\n${MINIMAL}`,
      {},
      ["GH_LINT_PUBLIC_ORIGIN_INSECURE @ publicOrigin :1"],
    ],
    [
      "plain-http loopback origin is fine",
      `publicOrigin: http://localhost:8080\n${MINIMAL}`,
      {},
      [],
    ],
    [
      "derived plain-http origin on a LAN address",
      `listen: 192.168.1.5:8080\n${MINIMAL}`,
      {},
      ["GH_LINT_PUBLIC_ORIGIN_INSECURE @ listen :1"],
    ],
    [
      "tls without hsts",
      `${MINIMAL}tls:\n  cert: ./tls/cert.pem\n  key: ./tls/key.pem\n`,
      {},
      ["GH_LINT_TLS_WITHOUT_HSTS @ tls :4"],
    ],
    [
      "tls with an http publicOrigin",
      `publicOrigin: http://localhost:8080\n${MINIMAL}tls: {cert: ./tls/cert.pem, key: ./tls/key.pem, hsts: true}\n`,
      {},
      ["GH_LINT_PUBLIC_ORIGIN_SCHEME @ publicOrigin :1"],
    ],
    [
      "trustProxy: everything and a wide range",
      `trustProxy: [0.0.0.0/0, 10.0.0.0/4, loopback, loopback]\n${MINIMAL}`,
      {},
      [
        "GH_LINT_TRUST_PROXY_WIDE @ trustProxy[0] :1",
        "GH_LINT_TRUST_PROXY_WIDE @ trustProxy[1] :1",
        "GH_LINT_DUPLICATE @ trustProxy[3] :1",
      ],
    ],
    [
      "cors: * grants reads only",
      `${MINIMAL}cors:\n  allowOrigins: ["*"]\n`,
      {},
      [
        "GH_LINT_WILDCARD_READS_ONLY @ cors.allowOrigins :5",
        "GH_LINT_WILDCARD_ORIGIN @ cors.allowOrigins[0] :5",
      ],
    ],
    [
      "hosts without publicOrigin's host",
      `publicOrigin: https://g.example.com\nhosts: [other.example.com]\n${MINIMAL}`,
      {},
      ["GH_LINT_HOSTS_WITHOUT_PUBLIC_ORIGIN @ hosts :2"],
    ],
    [
      "hosts with publicOrigin's host on another port",
      `publicOrigin: https://g.example.com\nhosts: ["g.example.com:8443"]\n${MINIMAL}`,
      {},
      ["GH_LINT_HOSTS_WITHOUT_PUBLIC_ORIGIN @ hosts :2"],
    ],
    [
      "hosts normalized",
      `publicOrigin: https://g.example.com\nhosts: [G.example.com]\n${MINIMAL}`,
      {},
      ["GH_LINT_HOST_NORMALIZED @ hosts[0] :2"],
    ],
    [
      "publicOrigin normalized",
      `publicOrigin: HTTPS://g.example.com\n${MINIMAL}`,
      {},
      ["GH_LINT_ORIGIN_NORMALIZED @ publicOrigin :1"],
    ],
    [
      "a route hidden by an earlier one",
      "publicOrigin: https://g.example.com\nroutes:\n  - match: /\n    upstream: http://127.0.0.1:1\n  - match: /v1/\n    upstream: http://127.0.0.1:2\n",
      {},
      ["GH_LINT_ROUTE_UNREACHABLE @ routes[1].match :5"],
    ],
    [
      "a route under the reserved /_gatehouse/ prefix",
      "publicOrigin: https://g.example.com\nroutes:\n  - match: /_gatehouse/metrics\n    upstream: http://127.0.0.1:1\n  - match: /\n    upstream: http://127.0.0.1:2\n",
      {},
      ["GH_LINT_ROUTE_UNREACHABLE @ routes[0].match :3"],
    ],
    [
      "CORS lints pass through with full paths",
      `publicOrigin: https://g.example.com\n${MINIMAL}cors:\n  allowOrigins: ["https://*.example.com", http://intranet.example]\n  maxAge: 86400\n`,
      {},
      [
        "GH_LINT_SUBDOMAIN_PATTERN @ cors.allowOrigins[0] :6",
        "GH_LINT_INSECURE_ORIGIN @ cors.allowOrigins[1] :6",
        "GH_LINT_MAX_AGE_CAPPED @ cors.maxAge :7",
      ],
    ],
    [
      "websocket: every origin",
      `publicOrigin: https://g.example.com\n${MINIMAL}websocket:\n  allowOrigins: ["*"]\n`,
      {},
      ["GH_LINT_WILDCARD_ORIGIN @ websocket.allowOrigins[0] :6"],
    ],
  ];
  for (const [name, text, overrides, expected] of cases) {
    test(name, () => assert.deepEqual(lintsOf(text, overrides), expected));
  }

  test("every front-door lint code is produced by a case", () => {
    const used = new Set(cases.flatMap(([, , , lints]) => lints.map((l) => l.split(" @ ")[0])));
    for (const code of Object.keys(DOOR_LINT_CODES)) assert.ok(used.has(code), code);
  });
});

describe("the embedded default (gatehouse serve without --config)", () => {
  const demoUpstream = new URL("http://127.0.0.1:40123");
  const uiRoot = "ui";

  test("routes /v1/ and /ws to the demo upstream, / to the UI as a SPA", () => {
    const config: GatehouseConfig = embeddedDefaultConfig({ demoUpstream, uiRoot, env: {} });
    assert.equal(config.source, null);
    assert.deepEqual(config.listen, { host: "127.0.0.1", port: 8080 });
    assert.equal(config.publicOrigin, "http://127.0.0.1:8080");
    assert.deepEqual(config.hosts, ["127.0.0.1:8080", "localhost:8080", "[::1]:8080"]);
    assert.deepEqual(
      config.routes.map((r) =>
        r.kind === "upstream"
          ? [r.match, r.upstream.href, r.stripPrefix]
          : [r.match, r.root, r.spa],
      ),
      [
        ["/v1/", "http://127.0.0.1:40123/", false],
        ["/ws", "http://127.0.0.1:40123/", false],
        ["/", join(process.cwd(), "ui"), true],
      ],
    );
    assert.ok(config.routes.every((r) => r.cors === undefined));
    assert.equal(config.cors, null);
    assert.equal(config.csrf, true);
    assert.equal(config.tls, null);
    assert.deepEqual(config.limits, DEFAULT_LIMITS);
    assert.ok(Object.isFrozen(config));
  });

  test("--listen beats PORT beats 127.0.0.1:8080", () => {
    assert.deepEqual(
      embeddedDefaultConfig({ demoUpstream, uiRoot, env: { PORT: "3000" } }).listen,
      {
        host: "127.0.0.1",
        port: 3000,
      },
    );
    const flagged = embeddedDefaultConfig({
      demoUpstream,
      uiRoot,
      listen: "127.0.0.1:0",
      env: { PORT: "3000" },
    });
    assert.deepEqual(flagged.listen, { host: "127.0.0.1", port: 0 });
  });

  test("a bad --listen throws a ConfigError", () => {
    assert.throws(
      () => embeddedDefaultConfig({ demoUpstream, uiRoot, listen: "everywhere", env: {} }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 1 &&
        error.problems[0]?.code === "GH_CONFIG_LISTEN_INVALID" &&
        error.problems[0]?.path === "--listen",
    );
  });
});

test("inspector and debugHeader: off by default; true, or a token of 16+ characters", async () => {
  const { checkConfigText } = await import("../../../src/door/config/index.js");
  const base = "routes:\n  - match: /\n    upstream: http://127.0.0.1:1\n";
  const off = checkConfigText(base, { file: "inline.yaml", env: {} });
  assert.deepEqual(
    [off.config?.inspector, off.config?.debugHeader],
    [{ enabled: false, token: null }, false],
  );
  const on = checkConfigText(`${base}inspector: true\ndebugHeader: true\n`, {
    file: "inline.yaml",
    env: {},
  });
  assert.deepEqual(
    [on.config?.inspector, on.config?.debugHeader],
    [{ enabled: true, token: null }, true],
  );
  const token = checkConfigText(`${base}inspector:\n  token: abcdefghijklmnopqrstuvwxyz\n`, {
    file: "inline.yaml",
    env: {},
  });
  assert.deepEqual(token.config?.inspector, { enabled: true, token: "abcdefghijklmnopqrstuvwxyz" });
  const short = checkConfigText(`${base}inspector:\n  token: short\n`, {
    file: "inline.yaml",
    env: {},
  });
  assert.equal(short.ok, false);
});
