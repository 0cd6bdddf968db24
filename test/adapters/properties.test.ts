/**
 * The security invariants, checked on the wire through each framework's real server: an origin
 * outside the allowlist never gets ACAO or ACAC; ACAO is only `*` or the request's own Origin;
 * `*` never goes out with credentials; every answer varies on Origin; a preflight never reaches
 * the handler; nothing answers 5xx.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import type { CorsConfig } from "../../src/index.js";
import { corsPolicy } from "../../src/index.js";
import { oracleCovers } from "../cases/oracle.js";
import type { Framework, TestServer } from "./harness.js";
import {
  FRAMEWORKS,
  headerLines,
  keepAliveAgent,
  send,
  startServer,
  varyTokens,
} from "./harness.js";

const RUNS = Number(process.env.FC_WIRE_RUNS ?? 60);

const POLICIES: readonly CorsConfig[] = [
  {
    allowOrigins: ["https://app.example.com", "http://localhost:5173"],
    allowCredentials: true,
    allowMethods: ["PUT"],
    allowHeaders: ["content-type", "authorization"],
  },
  {
    allowOrigins: ["https://*.example.com", "http://localhost:*"],
    allowMethods: ["PATCH"],
    allowHeaders: ["x-api-key"],
  },
  { allowOrigins: ["*"], allowHeaders: ["*"], allowMethods: ["*"] },
];

const label = fc.stringMatching(/^[a-z0-9]{1,8}$/);
/** Origins near the policies' entries, plus hostile look-alikes and garbage a client can send. */
const origin = fc.oneof(
  fc.constantFrom(
    "https://app.example.com",
    "http://localhost:5173",
    "http://localhost:5174",
    "https://example.com",
    "null",
    "https://evil.example",
  ),
  label.map((l) => `https://${l}.example.com`),
  label.map((l) => `https://app.example.com.${l}.evil`),
  label.map((l) => `https://${l}example.com`),
  fc
    .tuple(label, fc.integer({ min: 1, max: 65535 }))
    .map(([l, p]) => `http://${l === "a" ? "localhost" : l}:${p}`),
  fc.constantFrom(
    "HTTPS://APP.EXAMPLE.COM",
    "https://app.example.com/",
    "https://app.example.com:443",
    "https://app.example.com, https://evil.example",
    "https://app.example.com`.evil",
  ),
  fc.string({ maxLength: 40 }).filter((s) => !/[\r\n\0]/.test(s) && /^[\x21-\x7e]*$/.test(s)),
);

const request = fc.record({
  method: fc.constantFrom("GET", "POST", "OPTIONS"),
  origin,
  acrm: fc.option(fc.constantFrom("GET", "PUT", "PATCH", "patch", "DELETE", "PROPFIND"), {
    nil: undefined,
  }),
  acrh: fc.option(
    fc.constantFrom(
      "content-type",
      "authorization",
      "x-api-key",
      "authorization,content-type",
      "x-other",
      "Content-Type",
    ),
    { nil: undefined },
  ),
});

for (const framework of FRAMEWORKS) {
  describe(`security invariants on the wire: ${framework}`, () => {
    POLICIES.forEach((config, p) => {
      let server: TestServer;
      const agent = keepAliveAgent();
      const allowlist = corsPolicy(config).config?.allowOrigins ?? [];
      before(async () => {
        server = await startServer(framework as Framework, config);
      });
      after(async () => {
        agent.destroy();
        await server.close();
      });
      test(`policy ${p + 1}: ${allowlist.join(" ")}`, async () => {
        await fc.assert(
          fc.asyncProperty(request, async (r) => {
            const headers: Record<string, string> = { origin: r.origin };
            if (r.acrm !== undefined) headers["access-control-request-method"] = r.acrm;
            if (r.acrh !== undefined) headers["access-control-request-headers"] = r.acrh;
            const before = server.handlerCalls();
            const res = await send(server.port, { method: r.method, headers }, agent);
            assert.ok(res.status < 500, `status ${res.status}`);
            const acao = headerLines(res, "access-control-allow-origin");
            const acac = headerLines(res, "access-control-allow-credentials");
            assert.ok(acao.length <= 1 && acac.length <= 1, "one line each at most");
            const covered = allowlist.some(
              (entry) => entry === "*" || oracleCovers(entry, r.origin),
            );
            if (!covered) {
              assert.deepEqual(acao, [], `ACAO for ${JSON.stringify(r.origin)}`);
              assert.deepEqual(acac, []);
            }
            if (acao.length === 1) assert.ok(acao[0] === "*" || acao[0] === r.origin, acao[0]);
            if (acac.length === 1) assert.notEqual(acao[0], "*", "* with credentials");
            assert.ok(varyTokens(res).includes("origin"), "varies on Origin");
            const preflight = r.method === "OPTIONS" && r.acrm !== undefined;
            if (preflight) {
              assert.equal(server.handlerCalls(), before, "a preflight reached the handler");
              assert.ok(res.status === 204 || res.status === 403, `preflight status ${res.status}`);
            }
          }),
          { numRuns: RUNS },
        );
      });
    });
  });
}
