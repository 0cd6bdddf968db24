/**
 * compileNormalizedPolicy: a config validateCorsConfig returned is compiled without being
 * validated again, and nothing else is compiled at all.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CorsConfig, NormalizedCorsConfig } from "../../src/core/config.js";
import { validateCorsConfig } from "../../src/core/config.js";
import { compileCorsPolicy, compileNormalizedPolicy } from "../../src/core/policy.js";
import { ProblemSink } from "../../src/core/problems.js";

const APP = "https://app.example.com";

function validated(config: CorsConfig, base = ""): NormalizedCorsConfig {
  const sink = new ProblemSink();
  const result = validateCorsConfig(config, sink, base);
  assert.ok(result !== null, JSON.stringify(sink.problems));
  return result.config;
}

const preflight = (origin: string, method: string, acrh?: string) => ({
  method: "OPTIONS",
  headers: {
    origin,
    "access-control-request-method": method,
    ...(acrh === undefined ? {} : { "access-control-request-headers": acrh }),
  },
});

/** [name, config]: one of each origin kind, and every option set. */
const CONFIGS: [string, CorsConfig][] = [
  ["exact origins", { allowOrigins: [APP, "https://b.example"], allowMethods: ["PUT"] }],
  ["any origin", { allowOrigins: ["*"], allowHeaders: ["*"], exposeHeaders: ["*"] }],
  [
    "subdomain and any-port patterns",
    { allowOrigins: ["https://*.example.com", "http://localhost:*"] },
  ],
  [
    "every option",
    {
      allowOrigins: ["HTTPS://App.Example.com:443"],
      allowCredentials: true,
      allowMethods: ["patch", "DELETE"],
      allowHeaders: ["Content-Type", "authorization"],
      exposeHeaders: ["X-Request-Id"],
      maxAge: 600,
      allowPrivateNetwork: true,
    },
  ],
];

const REQUESTS = [
  { method: "GET", headers: { origin: APP } },
  { method: "GET", headers: { origin: "https://a.example.com" } },
  { method: "GET", headers: { origin: "http://localhost:5173" } },
  { method: "GET", headers: { origin: "https://evil.example" } },
  preflight(APP, "PATCH", "content-type,authorization"),
  preflight(APP, "DELETE", "x-other"),
  preflight("https://a.example.com", "PUT"),
  preflight("https://evil.example", "PUT"),
];

describe("compileNormalizedPolicy", () => {
  for (const [name, config] of CONFIGS) {
    test(`${name}: the same policy as compileCorsPolicy, with the validation's notes`, () => {
      const sink = new ProblemSink();
      const result = validateCorsConfig(config, sink, "routes[2].cors");
      assert.ok(result !== null);
      const policy = compileNormalizedPolicy(result.config);
      const reference = compileCorsPolicy(config, "routes[2].cors");
      assert.equal(policy.config, result.config, "the validated object itself, not a copy");
      assert.deepEqual(policy.lints, sink.lints);
      assert.deepEqual(policy.lints, reference.lints);
      for (const request of REQUESTS) {
        assert.deepEqual(policy.decide(request), reference.decide(request));
        assert.deepEqual(policy.explain(request), reference.explain(request));
      }
    });
  }

  test("a look-alike that validateCorsConfig did not return is refused", () => {
    const real = validated({ allowOrigins: [APP] });
    const copy: NormalizedCorsConfig = { ...real };
    const forged: NormalizedCorsConfig = {
      allowOrigins: ["*"],
      allowCredentials: true,
      allowMethods: ["*"],
      allowHeaders: [],
      exposeHeaders: [],
      maxAge: null,
      allowPrivateNetwork: false,
      dangerouslyAllowInsecureOrigins: false,
    };
    for (const config of [copy, forged]) {
      assert.throws(() => compileNormalizedPolicy(config), TypeError);
    }
    assert.doesNotThrow(() => compileNormalizedPolicy(real));
  });

  test("a validated config is frozen, so it cannot change between validation and compiling", () => {
    const config = validated({ allowOrigins: [APP], allowMethods: ["PUT"] });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.allowOrigins) && Object.isFrozen(config.allowMethods));
  });
});
