import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { ConfigErrorCode, CorsConfig, LintCode } from "../../src/index.js";
import { CorsConfigError, corsPolicy } from "../../src/index.js";

/** Runs corsPolicy() and returns the problems as "code @ path" lines (empty if accepted). */
function problemsOf(config: unknown): string[] {
  try {
    corsPolicy(config as CorsConfig);
    return [];
  } catch (error) {
    assert.ok(error instanceof CorsConfigError, `unexpected ${String(error)}`);
    assert.equal(error.code, "GH_CORS_CONFIG_INVALID");
    for (const p of error.problems) {
      assert.ok(p.why.length > 0 && p.fix.length > 0, `${p.code} lacks why/fix`);
    }
    return error.problems.map((p) => `${p.code} @ ${p.path}`);
  }
}

function lintsOf(config: CorsConfig): string[] {
  return corsPolicy(config).lints.map((l) => `${l.code} @ ${l.path}`);
}

const ok = ["https://app.example.com"];

/** [name, config, the exact problems expected] */
const REFUSED: [string, unknown, string[]][] = [
  ["not an object", "https://app.example.com", ["GH_CORS_CONFIG_TYPE @ "]],
  ["null", null, ["GH_CORS_CONFIG_TYPE @ "]],
  ["a list", [ok], ["GH_CORS_CONFIG_TYPE @ "]],
  ["missing allowOrigins", {}, ["GH_CORS_ORIGINS_EMPTY @ allowOrigins"]],
  ["empty allowOrigins", { allowOrigins: [] }, ["GH_CORS_ORIGINS_EMPTY @ allowOrigins"]],
  [
    "allowOrigins as a string",
    { allowOrigins: "https://a.example" },
    ["GH_CORS_CONFIG_TYPE @ allowOrigins"],
  ],
  ["origin not a string", { allowOrigins: [42] }, ["GH_CORS_CONFIG_TYPE @ allowOrigins[0]"]],
  [
    "RegExp origin",
    { allowOrigins: [/example\.com$/] },
    ["GH_CORS_ORIGIN_REGEX @ allowOrigins[0]"],
  ],
  [
    "regex-looking string",
    { allowOrigins: ["^https://.*\\.example\\.com$"] },
    ["GH_CORS_ORIGIN_REGEX @ allowOrigins[0]"],
  ],
  [
    "slash-delimited regex",
    { allowOrigins: ["/example.com/"] },
    ["GH_CORS_ORIGIN_REGEX @ allowOrigins[0]"],
  ],
  ["null origin", { allowOrigins: ["null"] }, ["GH_CORS_ORIGIN_NULL @ allowOrigins[0]"]],
  ["NULL origin", { allowOrigins: ["NULL"] }, ["GH_CORS_ORIGIN_NULL @ allowOrigins[0]"]],
  ["file scheme", { allowOrigins: ["file://"] }, ["GH_CORS_ORIGIN_SCHEME @ allowOrigins[0]"]],
  [
    "file: without slashes",
    { allowOrigins: ["file:"] },
    ["GH_CORS_ORIGIN_SCHEME @ allowOrigins[0]"],
  ],
  [
    "chrome-extension scheme",
    { allowOrigins: ["chrome-extension://abc"] },
    ["GH_CORS_ORIGIN_SCHEME @ allowOrigins[0]"],
  ],
  [
    "ws scheme",
    { allowOrigins: ["ws://app.example.com"] },
    ["GH_CORS_ORIGIN_SCHEME @ allowOrigins[0]"],
  ],
  [
    "no scheme",
    { allowOrigins: ["app.example.com"] },
    ["GH_CORS_ORIGIN_INVALID @ allowOrigins[0]"],
  ],
  [
    "host:port without scheme",
    { allowOrigins: ["localhost:3000"] },
    ["GH_CORS_ORIGIN_INVALID @ allowOrigins[0]"],
  ],
  ["empty string", { allowOrigins: [""] }, ["GH_CORS_ORIGIN_INVALID @ allowOrigins[0]"]],
  [
    "white space",
    { allowOrigins: [" https://app.example.com"] },
    ["GH_CORS_ORIGIN_INVALID @ allowOrigins[0]"],
  ],
  [
    "trailing slash",
    { allowOrigins: ["https://app.example.com/"] },
    ["GH_CORS_ORIGIN_TRAILING_SLASH @ allowOrigins[0]"],
  ],
  [
    "path",
    { allowOrigins: ["https://app.example.com/ui"] },
    ["GH_CORS_ORIGIN_PATH @ allowOrigins[0]"],
  ],
  [
    "query",
    { allowOrigins: ["https://app.example.com?x=1"] },
    ["GH_CORS_ORIGIN_QUERY @ allowOrigins[0]"],
  ],
  [
    "fragment",
    { allowOrigins: ["https://app.example.com#x"] },
    ["GH_CORS_ORIGIN_FRAGMENT @ allowOrigins[0]"],
  ],
  [
    "userinfo",
    { allowOrigins: ["https://user:pw@app.example.com"] },
    ["GH_CORS_ORIGIN_USERINFO @ allowOrigins[0]"],
  ],
  [
    "port 0",
    { allowOrigins: ["https://app.example.com:0"] },
    ["GH_CORS_ORIGIN_PORT @ allowOrigins[0]"],
  ],
  [
    "port 65536",
    { allowOrigins: ["https://app.example.com:65536"] },
    ["GH_CORS_ORIGIN_PORT @ allowOrigins[0]"],
  ],
  [
    "empty port",
    { allowOrigins: ["https://app.example.com:"] },
    ["GH_CORS_ORIGIN_PORT @ allowOrigins[0]"],
  ],
  [
    "non-numeric port",
    { allowOrigins: ["https://app.example.com:http"] },
    ["GH_CORS_ORIGIN_PORT @ allowOrigins[0]"],
  ],
  [
    "partial-label wildcard",
    { allowOrigins: ["https://a*.example.com"] },
    ["GH_CORS_ORIGIN_WILDCARD_POSITION @ allowOrigins[0]"],
  ],
  [
    "inner-label wildcard",
    { allowOrigins: ["https://app.*.example.com"] },
    ["GH_CORS_ORIGIN_WILDCARD_POSITION @ allowOrigins[0]"],
  ],
  [
    "wildcard host",
    { allowOrigins: ["https://*"] },
    ["GH_CORS_ORIGIN_WILDCARD_POSITION @ allowOrigins[0]"],
  ],
  [
    "partial port wildcard",
    { allowOrigins: ["http://localhost:80*"] },
    ["GH_CORS_ORIGIN_WILDCARD_POSITION @ allowOrigins[0]"],
  ],
  [
    "wildcard over an IP",
    { allowOrigins: ["http://*.127.0.0.1"] },
    ["GH_CORS_ORIGIN_WILDCARD_POSITION @ allowOrigins[0]"],
  ],
  [
    "wildcard over .com",
    { allowOrigins: ["https://*.com"] },
    ["GH_CORS_ORIGIN_PUBLIC_SUFFIX @ allowOrigins[0]"],
  ],
  [
    "wildcard over .co.uk",
    { allowOrigins: ["https://*.co.uk"] },
    ["GH_CORS_ORIGIN_PUBLIC_SUFFIX @ allowOrigins[0]"],
  ],
  [
    "wildcard over github.io (private suffix)",
    { allowOrigins: ["https://*.github.io"] },
    ["GH_CORS_ORIGIN_PUBLIC_SUFFIX @ allowOrigins[0]"],
  ],
  [
    "wildcard over vercel.app",
    { allowOrigins: ["https://*.vercel.app"] },
    ["GH_CORS_ORIGIN_PUBLIC_SUFFIX @ allowOrigins[0]"],
  ],
  [
    "invalid host characters",
    { allowOrigins: ["https://exa`mple.com"] },
    ["GH_CORS_ORIGIN_INVALID @ allowOrigins[0]"],
  ],
  [
    "two colons without brackets",
    { allowOrigins: ["http://::1:80"] },
    ["GH_CORS_ORIGIN_INVALID @ allowOrigins[0]"],
  ],
  [
    "unclosed IPv6",
    { allowOrigins: ["http://[::1"] },
    ["GH_CORS_ORIGIN_INVALID @ allowOrigins[0]"],
  ],
  [
    "* with credentials",
    { allowOrigins: ["*"], allowCredentials: true },
    ["GH_CORS_ORIGIN_WILDCARD_CREDENTIALS @ allowOrigins[0]"],
  ],
  [
    "insecure origin with credentials",
    { allowOrigins: ["http://app.example.com"], allowCredentials: true },
    ["GH_CORS_ORIGIN_INSECURE @ allowOrigins[0]"],
  ],
  [
    "insecure subdomains with credentials",
    { allowOrigins: ["http://*.example.com"], allowCredentials: true },
    ["GH_CORS_ORIGIN_INSECURE @ allowOrigins[0]"],
  ],
  [
    "private network with *",
    { allowOrigins: ["*"], allowPrivateNetwork: true },
    ["GH_CORS_PRIVATE_NETWORK_WILDCARD @ allowOrigins[0]"],
  ],
  [
    "credentials not boolean",
    { allowOrigins: ok, allowCredentials: "true" },
    ["GH_CORS_CONFIG_TYPE @ allowCredentials"],
  ],
  [
    "unknown key with an alias",
    { allowOrigins: ok, allowedHeaders: ["x"] },
    ["GH_CORS_CONFIG_UNKNOWN_KEY @ allowedHeaders"],
  ],
  [
    "unknown key",
    { allowOrigins: ok, frobnicate: true },
    ["GH_CORS_CONFIG_UNKNOWN_KEY @ frobnicate"],
  ],
  [
    "forbidden method CONNECT",
    { allowOrigins: ok, allowMethods: ["CONNECT"] },
    ["GH_CORS_METHOD_FORBIDDEN @ allowMethods[0]"],
  ],
  [
    "forbidden method trace (any case)",
    { allowOrigins: ok, allowMethods: ["trace"] },
    ["GH_CORS_METHOD_FORBIDDEN @ allowMethods[0]"],
  ],
  [
    "forbidden method TRACK",
    { allowOrigins: ok, allowMethods: ["TRACK"] },
    ["GH_CORS_METHOD_FORBIDDEN @ allowMethods[0]"],
  ],
  [
    "method with a space",
    { allowOrigins: ok, allowMethods: ["GET POST"] },
    ["GH_CORS_METHOD_INVALID @ allowMethods[0]"],
  ],
  [
    "empty method",
    { allowOrigins: ok, allowMethods: [""] },
    ["GH_CORS_METHOD_INVALID @ allowMethods[0]"],
  ],
  [
    "non-ASCII method",
    { allowOrigins: ok, allowMethods: ["résumé"] },
    ["GH_CORS_METHOD_INVALID @ allowMethods[0]"],
  ],
  [
    "method not a string",
    { allowOrigins: ok, allowMethods: [1] },
    ["GH_CORS_CONFIG_TYPE @ allowMethods[0]"],
  ],
  [
    "methods * with credentials",
    { allowOrigins: ok, allowCredentials: true, allowMethods: ["*"] },
    ["GH_CORS_METHOD_WILDCARD_CREDENTIALS @ allowMethods[0]"],
  ],
  [
    "header cookie",
    { allowOrigins: ok, allowHeaders: ["cookie"] },
    ["GH_CORS_HEADER_FORBIDDEN @ allowHeaders[0]"],
  ],
  [
    "header Host",
    { allowOrigins: ok, allowHeaders: ["Host"] },
    ["GH_CORS_HEADER_FORBIDDEN @ allowHeaders[0]"],
  ],
  [
    "header sec-fetch-site",
    { allowOrigins: ok, allowHeaders: ["sec-fetch-site"] },
    ["GH_CORS_HEADER_FORBIDDEN @ allowHeaders[0]"],
  ],
  [
    "header proxy-authorization",
    { allowOrigins: ok, allowHeaders: ["proxy-authorization"] },
    ["GH_CORS_HEADER_FORBIDDEN @ allowHeaders[0]"],
  ],
  [
    "header origin",
    { allowOrigins: ok, allowHeaders: ["origin"] },
    ["GH_CORS_HEADER_FORBIDDEN @ allowHeaders[0]"],
  ],
  [
    "header access-control-request-headers",
    { allowOrigins: ok, allowHeaders: ["access-control-request-headers"] },
    ["GH_CORS_HEADER_FORBIDDEN @ allowHeaders[0]"],
  ],
  [
    "response header in allowHeaders",
    { allowOrigins: ok, allowHeaders: ["Access-Control-Allow-Origin"] },
    ["GH_CORS_HEADER_RESPONSE_ONLY @ allowHeaders[0]"],
  ],
  [
    "www-authenticate in allowHeaders",
    { allowOrigins: ok, allowHeaders: ["www-authenticate"] },
    ["GH_CORS_HEADER_RESPONSE_ONLY @ allowHeaders[0]"],
  ],
  [
    "header with a value",
    { allowOrigins: ok, allowHeaders: ["content-type: application/json"] },
    ["GH_CORS_HEADER_INVALID @ allowHeaders[0]"],
  ],
  [
    "expose set-cookie",
    { allowOrigins: ok, exposeHeaders: ["Set-Cookie"] },
    ["GH_CORS_EXPOSE_FORBIDDEN @ exposeHeaders[0]"],
  ],
  [
    "expose set-cookie2",
    { allowOrigins: ok, exposeHeaders: ["set-cookie2"] },
    ["GH_CORS_EXPOSE_FORBIDDEN @ exposeHeaders[0]"],
  ],
  [
    "expose origin",
    { allowOrigins: ok, exposeHeaders: ["origin"] },
    ["GH_CORS_EXPOSE_PROHIBITED @ exposeHeaders[0]"],
  ],
  [
    "expose * with credentials",
    { allowOrigins: ok, allowCredentials: true, exposeHeaders: ["*"] },
    ["GH_CORS_EXPOSE_WILDCARD_CREDENTIALS @ exposeHeaders[0]"],
  ],
  ["maxAge negative", { allowOrigins: ok, maxAge: -1 }, ["GH_CORS_MAX_AGE_RANGE @ maxAge"]],
  ["maxAge too large", { allowOrigins: ok, maxAge: 86401 }, ["GH_CORS_MAX_AGE_RANGE @ maxAge"]],
  ["maxAge fractional", { allowOrigins: ok, maxAge: 1.5 }, ["GH_CORS_MAX_AGE_RANGE @ maxAge"]],
  ["maxAge as a string", { allowOrigins: ok, maxAge: "600" }, ["GH_CORS_MAX_AGE_RANGE @ maxAge"]],
  ["maxAge NaN", { allowOrigins: ok, maxAge: Number.NaN }, ["GH_CORS_MAX_AGE_RANGE @ maxAge"]],
  [
    "every problem at once, in key order",
    {
      allowOrigins: ["null", "https://*.com", "*"],
      allowCredentials: true,
      allowMethods: ["TRACE"],
      allowHeaders: ["cookie"],
      exposeHeaders: ["set-cookie"],
      maxAge: 99999,
    },
    [
      "GH_CORS_ORIGIN_NULL @ allowOrigins[0]",
      "GH_CORS_ORIGIN_PUBLIC_SUFFIX @ allowOrigins[1]",
      "GH_CORS_ORIGIN_WILDCARD_CREDENTIALS @ allowOrigins[2]",
      "GH_CORS_METHOD_FORBIDDEN @ allowMethods[0]",
      "GH_CORS_HEADER_FORBIDDEN @ allowHeaders[0]",
      "GH_CORS_EXPOSE_FORBIDDEN @ exposeHeaders[0]",
      "GH_CORS_MAX_AGE_RANGE @ maxAge",
    ],
  ],
];

describe("corsPolicy() refuses unsafe or malformed configs", () => {
  for (const [name, config, expected] of REFUSED) {
    test(name, () => assert.deepEqual(problemsOf(config), expected));
  }
});

/** [name, config] that must be accepted. */
const ACCEPTED: [string, CorsConfig][] = [
  ["exact https", { allowOrigins: ok }],
  [
    "loopback http with credentials",
    {
      allowOrigins: [
        "http://localhost:5173",
        "http://127.0.0.1:8080",
        "http://[::1]:3000",
        "http://app.localhost",
      ],
      allowCredentials: true,
    },
  ],
  [
    "localhost subdomains with credentials",
    { allowOrigins: ["http://*.localhost:*"], allowCredentials: true },
  ],
  [
    "insecure with the dangerous flag",
    {
      allowOrigins: ["http://app.example.com"],
      allowCredentials: true,
      dangerouslyAllowInsecureOrigins: true,
    },
  ],
  [
    "subdomains of a registrable domain",
    { allowOrigins: ["https://*.example.co.uk", "https://*.user.github.io"] },
  ],
  [
    "* without credentials",
    { allowOrigins: ["*"], allowMethods: ["*"], allowHeaders: ["*"], exposeHeaders: ["*"] },
  ],
  ["any port", { allowOrigins: ["http://localhost:*", "https://*.example.com:*"] }],
  ["maxAge bounds", { allowOrigins: ok, maxAge: 0 }],
  ["maxAge upper bound", { allowOrigins: ok, maxAge: 86400 }],
  ["private network with an explicit list", { allowOrigins: ok, allowPrivateNetwork: true }],
  [
    "method-override header (noted, not refused)",
    { allowOrigins: ok, allowHeaders: ["x-http-method-override"] },
  ],
];

describe("corsPolicy() accepts legal configs", () => {
  for (const [name, config] of ACCEPTED) test(name, () => assert.deepEqual(problemsOf(config), []));
});

/** [name, config, lint codes expected, the normalized values to check] */
const LINTED: [string, CorsConfig, string[], Partial<Record<keyof CorsConfig, unknown>>][] = [
  [
    "origin case and default port",
    { allowOrigins: ["HTTPS://App.Example.com:443"] },
    ["GH_LINT_ORIGIN_NORMALIZED @ allowOrigins[0]"],
    { allowOrigins: ["https://app.example.com"] },
  ],
  [
    "IDN to punycode",
    { allowOrigins: ["https://bücher.example"] },
    ["GH_LINT_ORIGIN_NORMALIZED @ allowOrigins[0]"],
    { allowOrigins: ["https://xn--bcher-kva.example"] },
  ],
  [
    "IPv4 shorthand",
    { allowOrigins: ["http://127.1:8080"] },
    ["GH_LINT_ORIGIN_NORMALIZED @ allowOrigins[0]"],
    { allowOrigins: ["http://127.0.0.1:8080"] },
  ],
  [
    "port leading zeros",
    { allowOrigins: ["https://app.example.com:08443"] },
    ["GH_LINT_ORIGIN_NORMALIZED @ allowOrigins[0]"],
    { allowOrigins: ["https://app.example.com:8443"] },
  ],
  [
    "duplicate after normalization",
    { allowOrigins: ["https://app.example.com", "https://APP.example.com"] },
    ["GH_LINT_ORIGIN_NORMALIZED @ allowOrigins[1]", "GH_LINT_DUPLICATE @ allowOrigins[1]"],
    { allowOrigins: ["https://app.example.com"] },
  ],
  ["wildcard", { allowOrigins: ["*"] }, ["GH_LINT_WILDCARD_ORIGIN @ allowOrigins[0]"], {}],
  [
    "wildcard beside others",
    { allowOrigins: ["*", "https://app.example.com"] },
    ["GH_LINT_WILDCARD_ORIGIN @ allowOrigins[0]", "GH_LINT_WILDCARD_REDUNDANT @ allowOrigins"],
    {},
  ],
  [
    "insecure without credentials",
    { allowOrigins: ["http://app.example.com"] },
    ["GH_LINT_INSECURE_ORIGIN @ allowOrigins[0]"],
    {},
  ],
  [
    "subdomain pattern",
    { allowOrigins: ["https://*.example.com"] },
    ["GH_LINT_SUBDOMAIN_PATTERN @ allowOrigins[0]"],
    {},
  ],
  [
    "methods upper-cased",
    { allowOrigins: ok, allowMethods: ["put", "Delete"] },
    ["GH_LINT_METHOD_NORMALIZED @ allowMethods[0]", "GH_LINT_METHOD_NORMALIZED @ allowMethods[1]"],
    { allowMethods: ["PUT", "DELETE"] },
  ],
  [
    "patch is not upper-cased",
    { allowOrigins: ok, allowMethods: ["patch"] },
    ["GH_LINT_METHOD_CASE @ allowMethods[0]"],
    { allowMethods: ["patch"] },
  ],
  [
    "safelisted methods dropped",
    { allowOrigins: ok, allowMethods: ["GET", "post", "PUT"] },
    [
      "GH_LINT_SAFELISTED_METHOD @ allowMethods[0]",
      "GH_LINT_METHOD_NORMALIZED @ allowMethods[1]",
      "GH_LINT_SAFELISTED_METHOD @ allowMethods[1]",
    ],
    { allowMethods: ["PUT"] },
  ],
  [
    "duplicate methods",
    { allowOrigins: ok, allowMethods: ["PUT", "put"] },
    ["GH_LINT_METHOD_NORMALIZED @ allowMethods[1]", "GH_LINT_DUPLICATE @ allowMethods[1]"],
    { allowMethods: ["PUT"] },
  ],
  [
    "headers lower-cased",
    { allowOrigins: ok, allowHeaders: ["Content-Type", "content-type"] },
    ["GH_LINT_HEADER_NORMALIZED @ allowHeaders[0]", "GH_LINT_DUPLICATE @ allowHeaders[1]"],
    { allowHeaders: ["content-type"] },
  ],
  [
    "* headers without authorization",
    { allowOrigins: ok, allowHeaders: ["*"] },
    ["GH_LINT_HEADER_WILDCARD_AUTHORIZATION @ allowHeaders"],
    {},
  ],
  [
    "safelisted response header",
    { allowOrigins: ok, exposeHeaders: ["Content-Type", "x-request-id"] },
    ["GH_LINT_SAFELISTED_RESPONSE_HEADER @ exposeHeaders[0]"],
    { exposeHeaders: ["x-request-id"] },
  ],
  [
    "maxAge over Chromium's cap",
    { allowOrigins: ok, maxAge: 86400 },
    ["GH_LINT_MAX_AGE_CAPPED @ maxAge"],
    { maxAge: 86400 },
  ],
  [
    "private network",
    { allowOrigins: ok, allowPrivateNetwork: true },
    ["GH_LINT_PRIVATE_NETWORK @ allowPrivateNetwork"],
    {},
  ],
  [
    "method override",
    { allowOrigins: ok, allowHeaders: ["X-HTTP-Method-Override"] },
    [
      "GH_LINT_METHOD_OVERRIDE_HEADER @ allowHeaders[0]",
      "GH_LINT_HEADER_NORMALIZED @ allowHeaders[0]",
    ],
    {},
  ],
];

describe("corsPolicy() normalizes and notes", () => {
  for (const [name, config, lints, normalized] of LINTED) {
    test(name, () => {
      assert.deepEqual(lintsOf(config), lints);
      const policy = corsPolicy(config);
      for (const [key, value] of Object.entries(normalized)) {
        assert.deepEqual(policy.config?.[key as keyof CorsConfig], value, key);
      }
    });
  }
  test("a clean config has no notes", () => {
    assert.deepEqual(
      lintsOf({
        allowOrigins: ok,
        allowMethods: ["PUT"],
        allowHeaders: ["content-type"],
        maxAge: 600,
      }),
      [],
    );
  });
  test("the normalized config is frozen", () => {
    const policy = corsPolicy({ allowOrigins: ok, allowMethods: ["PUT"] });
    assert.ok(Object.isFrozen(policy.config));
    assert.ok(Object.isFrozen(policy.config?.allowMethods));
  });
});

test("every code used in these tables exists in the registry", async () => {
  const { CONFIG_ERROR_CODES, LINT_CODES } = await import("../../src/index.js");
  const used = [...REFUSED.flatMap(([, , p]) => p), ...LINTED.flatMap(([, , l]) => l)].map(
    (line) => line.split(" @ ")[0] ?? line,
  );
  for (const code of used) assert.ok(code in CONFIG_ERROR_CODES || code in LINT_CODES, code);
  // And every config error code is exercised by at least one case above.
  for (const code of Object.keys(CONFIG_ERROR_CODES) as ConfigErrorCode[]) {
    assert.ok(used.includes(code), `no test refuses a config with ${code}`);
  }
  for (const code of Object.keys(LINT_CODES) as LintCode[]) {
    assert.ok(used.includes(code), `no test produces the note ${code}`);
  }
});

const GOLDEN = fileURLToPath(new URL("../fixtures/golden/cors-config-report.txt", import.meta.url));

test("golden: the full report of a bad config", () => {
  let message = "";
  try {
    corsPolicy({
      allowOrigins: [
        "*",
        "null",
        "https://*.github.io",
        "https://app.example.com/",
        "http://intranet.example",
      ],
      allowCredentials: true,
      allowMethods: ["CONNECT", "patch"],
      allowHeaders: ["Cookie", "x-request-id"],
      exposeHeaders: ["*"],
      maxAge: 90000,
      credentials: true,
    } as unknown as CorsConfig);
  } catch (error) {
    assert.ok(error instanceof CorsConfigError);
    message = error.message;
  }
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, `${message}\n`);
  assert.equal(`${message}\n`, readFileSync(GOLDEN, "utf8"));
});
