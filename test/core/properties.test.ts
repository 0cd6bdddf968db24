/**
 * Security invariants of the engine, checked on generated inputs. An independent oracle (built
 * on the WHATWG URL parser, not on the engine's code) says which origins a pattern covers.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { CorsConfig, CorsDecision, CorsPolicy, HeaderSource } from "../../src/index.js";
import { CorsConfigError, corsPolicy } from "../../src/index.js";
import { oracleCovers } from "../cases/oracle.js";

const RUNS = Number(process.env.FC_RUNS ?? 400);

// ---- generators -----------------------------------------------------------------------------
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const domain = fc
  .tuple(
    fc.array(label, { minLength: 1, maxLength: 3 }),
    fc.constantFrom("example", "test", "corp", "app"),
    fc.constantFrom("com", "org", "dev"),
  )
  .map(([labels, sld, tld]) => [...labels, sld, tld].join("."));
const registrable = fc
  .tuple(fc.constantFrom("example", "test", "corp", "app"), fc.constantFrom("com", "org", "dev"))
  .map(([a, b]) => `${a}.${b}`);
const scheme = fc.constantFrom("http", "https");
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });

/** Canonical serialized origins, as browsers send them. */
const origin = fc.tuple(scheme, fc.oneof(domain, registrable), port).map(([s, h, p]) => {
  const defaultPort = s === "http" ? 80 : 443;
  return `${s}://${h}${p === undefined || p === defaultPort ? "" : `:${p}`}`;
});

/** Config entries: exact origins and the two pattern forms. */
const pattern = fc.oneof(
  origin,
  fc.tuple(scheme, registrable).map(([s, d]) => `${s}://*.${d}`),
  fc.tuple(scheme, fc.oneof(domain, registrable)).map(([s, h]) => `${s}://${h}:*`),
);

/** Hostile Origin values: near misses of real origins, and raw garbage. */
const hostileOrigin = fc.oneof(
  origin,
  origin.map((o) => o.toUpperCase()),
  origin.map((o) => `${o}/`),
  origin.map((o) => `${o}.evil.example`),
  origin.map((o) => o.replace("://", "://evil")),
  origin.map((o) => `${o}:`),
  fc
    .tuple(origin, fc.constantFrom("`", "_", "%60", "{", "!", "$", " ", "\t", ",", "@", "\\"))
    .map(([o, c]) => `${o}${c}.example.com`),
  fc.constant("null"),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 80 }),
);

const headerValue = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: "binary", maxLength: 120 }),
  fc.array(fc.string({ maxLength: 40 }), { maxLength: 4 }),
  fc.array(fc.stringMatching(/^[a-zA-Z-]{1,12}$/), { maxLength: 80 }).map((a) => a.join(",")),
  fc.constant(undefined),
);

const config: fc.Arbitrary<CorsConfig> = fc
  .record({
    allowOrigins: fc.array(pattern, { minLength: 1, maxLength: 6 }),
    allowCredentials: fc.boolean(),
    allowMethods: fc.subarray(["PUT", "DELETE", "PATCH", "patch", "PROPFIND"]),
    allowHeaders: fc.subarray(["content-type", "authorization", "x-request-id", "x-api-key"]),
    exposeHeaders: fc.subarray(["x-request-id", "retry-after"]),
    maxAge: fc.option(fc.integer({ min: 0, max: 86400 }), { nil: undefined }),
    allowPrivateNetwork: fc.boolean(),
    dangerouslyAllowInsecureOrigins: fc.constant(true),
  })
  .map((c) => (c.maxAge === undefined ? { ...c, maxAge: undefined } : c) as CorsConfig);

const anyConfig: fc.Arbitrary<CorsConfig> = fc.oneof(
  config,
  config.map((c) => ({
    ...c,
    allowOrigins: ["*"],
    allowCredentials: false,
    allowPrivateNetwork: false,
  })),
  config.map((c) => ({
    ...c,
    allowHeaders: ["*", ...(c.allowHeaders ?? [])],
    allowMethods: ["*"],
    allowCredentials: false,
  })),
);

const method = fc.oneof(
  fc.constantFrom("GET", "POST", "PUT", "PATCH", "patch", "DELETE", "PROPFIND"),
  headerValue,
);
const requestHeaderNames = fc.oneof(
  fc
    .array(
      fc.constantFrom(
        "content-type",
        "authorization",
        "x-request-id",
        "x-api-key",
        "x-other",
        "Content-Type",
      ),
      { minLength: 1, maxLength: 5 },
    )
    .map((a) => a.join(",")),
  headerValue,
);

/** Turns a config entry into an origin it covers (a concrete label for `*.`, a port for `:*`). */
function instantiate(entry: string, sub: string, portNumber: number): string {
  if (entry === "*") return `https://${sub}.example.com`;
  return entry
    .replace("*.", `${sub}.`)
    .replace(/:\*$/, portNumber === 443 || portNumber === 80 ? "" : `:${portNumber}`);
}

/** Origins near a config's own entries (covered ones and near misses), plus hostile values. */
function originFor(c: CorsConfig): fc.Arbitrary<string> {
  const entries = c.allowOrigins.length > 0 ? [...c.allowOrigins] : ["https://app.example.com"];
  const covered = fc
    .tuple(fc.constantFrom(...entries), label, fc.integer({ min: 1, max: 65535 }))
    .map(([e, l, n]) => instantiate(e, l, n));
  const nearMiss = covered.chain((o) =>
    fc.constantFrom(
      o.toUpperCase(),
      `${o}/`,
      `${o}.evil.example`,
      o.replace("://", "://evil"),
      o.replace("://", "://evil."),
      o.replace(/^https:/, "http:").replace(/^http:\/\/(?!evil)/, "https://"),
      `${o}:`,
      `${o}:0`,
      `${o}\`.evil.example`,
      o.replace(/\.([^.]*)$/, "x$1"),
      `${o}, https://evil.example`,
    ),
  );
  return fc.oneof(
    { weight: 3, arbitrary: covered },
    { weight: 3, arbitrary: nearMiss },
    { weight: 2, arbitrary: hostileOrigin },
  );
}

interface GeneratedRequest {
  readonly method: string;
  readonly origin: string;
  readonly acrm: unknown;
  readonly acrh: unknown;
  readonly acrpn: string | undefined;
}

function requestFor(c: CorsConfig): fc.Arbitrary<GeneratedRequest> {
  return fc.record({
    method: fc.constantFrom("GET", "POST", "OPTIONS", "OPTIONS", "OPTIONS", "PUT", "options"),
    origin: originFor(c),
    acrm: method,
    acrh: requestHeaderNames,
    acrpn: fc.constantFrom(undefined, undefined, "true", "false"),
  });
}

/** A config and a request aimed at it. */
function scenario(configs: fc.Arbitrary<CorsConfig>): fc.Arbitrary<[CorsConfig, GeneratedRequest]> {
  return configs.chain((c) => requestFor(c).map((r) => [c, r] as [CorsConfig, GeneratedRequest]));
}

function build(c: CorsConfig): CorsPolicy | null {
  try {
    return corsPolicy(c);
  } catch (error) {
    if (error instanceof CorsConfigError) return null;
    throw error;
  }
}

function headersOf(r: GeneratedRequest): HeaderSource {
  const h: Record<string, string | readonly string[] | undefined> = { origin: r.origin };
  if (r.acrm !== undefined) h["access-control-request-method"] = r.acrm as string;
  if (r.acrh !== undefined) h["access-control-request-headers"] = r.acrh as string;
  if (r.acrpn !== undefined) h["access-control-request-private-network"] = r.acrpn;
  return h;
}

function acHeaders(d: CorsDecision): Map<string, string> {
  return new Map(d.headers.map(([n, v]) => [n.toLowerCase(), v]));
}

// ---- properties -----------------------------------------------------------------------------
test("an origin outside the allowlist never gets ACAO or ACAC", () => {
  fc.assert(
    fc.property(scenario(config), ([c, r]) => {
      const policy = build(c);
      if (policy === null) return;
      const covered = (policy.config?.allowOrigins ?? []).some((e) => oracleCovers(e, r.origin));
      const d = policy.decide({ method: r.method, headers: headersOf(r) });
      const h = acHeaders(d);
      if (!covered) {
        assert.equal(
          h.get("access-control-allow-origin"),
          undefined,
          `ACAO for ${JSON.stringify(r.origin)}`,
        );
        assert.equal(h.get("access-control-allow-credentials"), undefined);
        assert.equal(h.get("access-control-allow-private-network"), undefined);
      } else if (d.kind === "actual") {
        assert.equal(
          h.get("access-control-allow-origin"),
          r.origin,
          "a covered origin is shared on actual requests",
        );
      }
    }),
    { numRuns: RUNS * 5 },
  );
});

test("ACAO is only ever `*` or the request's own Origin, byte for byte", () => {
  fc.assert(
    fc.property(scenario(anyConfig), ([c, r]) => {
      const policy = build(c);
      if (policy === null) return;
      const acao = acHeaders(policy.decide({ method: r.method, headers: headersOf(r) })).get(
        "access-control-allow-origin",
      );
      if (acao !== undefined) assert.ok(acao === "*" || acao === r.origin, acao);
      if (acao === "null") assert.fail("null is never reflected");
    }),
    { numRuns: RUNS * 3 },
  );
});

test("`*` and credentials never go out together; no config that would do so is accepted", () => {
  fc.assert(
    fc.property(scenario(anyConfig), fc.boolean(), ([c, r], creds) => {
      const policy = build({ ...c, allowCredentials: creds || c.allowCredentials === true });
      if (policy === null) return;
      const h = acHeaders(policy.decide({ method: r.method, headers: headersOf(r) }));
      if (h.get("access-control-allow-credentials") !== undefined) {
        for (const name of [
          "access-control-allow-origin",
          "access-control-allow-methods",
          "access-control-allow-headers",
          "access-control-expose-headers",
        ]) {
          assert.notEqual(h.get(name), "*", `${name}: * with credentials`);
        }
      }
    }),
    { numRuns: RUNS * 3 },
  );
});

test("decide() never throws, whatever bytes the headers carry", () => {
  const raw = fc.dictionary(
    fc.constantFrom(
      "origin",
      "access-control-request-method",
      "access-control-request-headers",
      "access-control-request-private-network",
      "x",
    ),
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 5000 }),
      fc.array(fc.string({ unit: "binary" }), { maxLength: 5 }),
    ),
  );
  fc.assert(
    fc.property(anyConfig, fc.string({ maxLength: 10 }), raw, (c, method, headers) => {
      const policy = build(c);
      if (policy === null) return;
      const d = policy.decide({ method, headers });
      policy.explain({ method, headers });
      assert.ok(d.kind === "not-cors" || d.kind === "actual" || d.kind === "preflight");
      assert.ok(d.vary.includes("Origin"), "every answer varies on Origin");
      if (d.status === 403) assert.equal(d.headers.length, 0, "a refusal carries no CORS headers");
      if (d.status === 204) assert.ok(acHeaders(d).has("access-control-allow-origin"));
      for (const [, v] of d.headers)
        assert.ok(!/[\r\n\0]/.test(v), "no header value carries CR, LF or NUL");
    }),
    { numRuns: RUNS * 3 },
  );
});

test("ACAH names only what the preflight asked for, and only allowed names", () => {
  const names = fc.array(
    fc.constantFrom(
      "content-type",
      "authorization",
      "x-request-id",
      "x-api-key",
      "x-other",
      "Content-Type",
      "X-Request-Id",
    ),
    { minLength: 1, maxLength: 6 },
  );
  fc.assert(
    fc.property(config, names, fc.boolean(), (c, asked, split) => {
      const policy = build({
        ...c,
        allowOrigins: ["https://app.example.com"],
        allowCredentials: false,
      });
      if (policy === null) return;
      const acrh = split ? asked : asked.join(",");
      const d = policy.decide({
        method: "OPTIONS",
        headers: {
          origin: "https://app.example.com",
          "access-control-request-method": "GET",
          "access-control-request-headers": acrh,
        },
      });
      const acah = acHeaders(d).get("access-control-allow-headers");
      if (acah === undefined) return;
      const allowed = new Set(policy.config?.allowHeaders);
      for (const name of acah.split(",")) {
        assert.ok(asked.map((a) => a.toLowerCase()).includes(name), `${name} was not asked for`);
        assert.ok(allowed.has(name), `${name} is not allowed`);
      }
    }),
    { numRuns: RUNS },
  );
});

test("hostile ACRH costs a bounded, linear amount of work", () => {
  const policy = corsPolicy({ allowOrigins: ["https://app.example.com"], allowHeaders: ["*"] });
  for (const n of [10, 1000, 100_000]) {
    const acrh = Array.from({ length: n }, (_, i) => `x-h${i}`).join(",");
    const d = policy.decide({
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "GET",
        "access-control-request-headers": acrh,
      },
    });
    assert.equal(d.allowed, n <= 64, `n=${n}`);
  }
});

test("configs of any shape either compile or throw CorsConfigError, never anything else", () => {
  fc.assert(
    fc.property(
      fc.anything(),
      fc.record(
        {
          allowOrigins: fc.anything(),
          allowMethods: fc.anything(),
          allowHeaders: fc.anything(),
          maxAge: fc.anything(),
        },
        { requiredKeys: [] },
      ),
      (a, b) => {
        build(a as CorsConfig);
        build(b as CorsConfig);
      },
    ),
    { numRuns: RUNS },
  );
});

test("normalization is idempotent: a normalized config compiles to itself with no rewrites", () => {
  const loose = fc
    .tuple(
      fc.constantFrom("HTTP", "https", "Https"),
      fc.oneof(domain, registrable),
      fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      fc.boolean(),
    )
    .map(
      ([s, h, p, upper]) =>
        `${s}://${upper ? h.toUpperCase() : h}${p === undefined ? "" : `:${p}`}`,
    );
  fc.assert(
    fc.property(fc.array(loose, { minLength: 1, maxLength: 5 }), (origins) => {
      const first = corsPolicy({ allowOrigins: origins });
      const again = corsPolicy({ allowOrigins: [...(first.config?.allowOrigins ?? [])] });
      assert.deepEqual(again.config?.allowOrigins, first.config?.allowOrigins);
      assert.equal(again.lints.filter((l) => l.code === "GH_LINT_ORIGIN_NORMALIZED").length, 0);
      // Every normalized origin is what a browser would send for it.
      for (const o of first.config?.allowOrigins ?? []) assert.equal(new URL(o).origin, o);
    }),
    { numRuns: RUNS },
  );
});

test("the generators reach every outcome (so the properties above can fail)", () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(scenario(anyConfig), ([c, r]) => {
      const policy = build(c);
      if (policy === null) return;
      const d = policy.decide({ method: r.method, headers: headersOf(r) });
      seen.add(`${d.kind}:${d.allowed}`);
      seen.add(d.reason.code);
    }),
    { numRuns: RUNS * 3 },
  );
  for (const outcome of [
    "actual:true",
    "actual:false",
    "preflight:true",
    "preflight:false",
    "CORS_ORIGIN_NOT_ALLOWED",
    "CORS_ORIGIN_MALFORMED",
    "CORS_HEADER_NOT_ALLOWED",
    "CORS_METHOD_NOT_ALLOWED",
  ]) {
    assert.ok(seen.has(outcome), `never reached ${outcome}`);
  }
});
