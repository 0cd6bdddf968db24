/**
 * Every adapter takes a compiled `corsPolicy(...)` as well as a config: the whole table must
 * come out the same, the very policy passed must be the one deciding (once per request), and
 * `noCorsPolicy()` must work as a policy like any other.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type { CorsPolicy, RequestFacts } from "../../src/index.js";
import { corsPolicy, noCorsPolicy } from "../../src/index.js";
import type { TableRow } from "../cases/cors-table.js";
import { CORS_TABLE } from "../cases/cors-table.js";
import type { Framework, TestServer } from "./harness.js";
import { checkRow, FRAMEWORKS, keepAliveAgent, skipReason, startServer } from "./harness.js";

const APP = "https://app.example.com";

const agent = keepAliveAgent();
after(() => agent.destroy());

async function withServer(
  framework: Framework,
  policy: CorsPolicy,
  body: (server: TestServer) => Promise<void>,
): Promise<void> {
  const server = await startServer(framework, policy);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

/** checkRow, with the row's name on a failure (many rows share one test here). */
async function checkNamedRow(server: TestServer, row: TableRow): Promise<void> {
  try {
    await checkRow(server, row, agent);
  } catch (err) {
    throw new Error(`row "${row.name}": ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

/** Counts decide() calls on the policy object itself (its own property shadows the method). */
function countDecisions(policy: CorsPolicy): () => number {
  let calls = 0;
  const decide = policy.decide.bind(policy);
  policy.decide = (facts: RequestFacts) => {
    calls++;
    return decide(facts);
  };
  return () => calls;
}

/** What noCorsPolicy() answers; the last test checks these against decide() too. */
const NO_CORS_ROWS: readonly TableRow[] = [
  {
    name: "actual request from an origin: nothing shared, no Vary",
    rule: "fetch.bs §http-responses: a response without CORS headers is not shared",
    request: { method: "GET", headers: { origin: APP } },
    expect: {
      kind: "actual",
      allowed: false,
      status: null,
      reason: "CORS_NO_POLICY",
      headers: {},
      vary: [],
    },
  },
  {
    name: "preflight: 403",
    rule: "fetch.bs §http-responses: a response without CORS headers is not shared",
    request: {
      method: "OPTIONS",
      headers: { origin: APP, "access-control-request-method": "PUT" },
    },
    expect: {
      kind: "preflight",
      allowed: false,
      status: 403,
      reason: "CORS_NO_POLICY",
      headers: {},
      vary: [],
    },
  },
  {
    name: "no Origin",
    rule: "fetch.bs §http-requests: a CORS request includes `Origin`",
    request: { method: "GET", headers: {} },
    expect: {
      kind: "not-cors",
      allowed: true,
      status: null,
      reason: "CORS_NOT_CORS",
      headers: {},
      vary: [],
    },
  },
];

for (const framework of FRAMEWORKS) {
  describe(`${framework}: a compiled policy instead of a config`, () => {
    for (const policyCase of CORS_TABLE) {
      test(`answers "${policyCase.name}" as its config does`, async () => {
        await withServer(framework, corsPolicy(policyCase.config), async (server) => {
          for (const row of policyCase.rows) {
            if (skipReason(framework, row) === null) await checkNamedRow(server, row);
          }
        });
      });
    }

    test("the policy passed is the one deciding, once per request", async () => {
      const [policyCase] = CORS_TABLE;
      assert.ok(policyCase);
      const policy = corsPolicy(policyCase.config);
      const decisions = countDecisions(policy);
      const rows = policyCase.rows.filter((row) => skipReason(framework, row) === null);
      await withServer(framework, policy, async (server) => {
        for (const row of rows) await checkNamedRow(server, row);
      });
      assert.equal(decisions(), rows.length);
    });

    test("noCorsPolicy(): preflights refused, nothing shared, nothing varies on Origin", async () => {
      await withServer(framework, noCorsPolicy(), async (server) => {
        for (const row of NO_CORS_ROWS) await checkNamedRow(server, row);
      });
    });
  });
}

test("the noCorsPolicy() rows agree with decide()", () => {
  for (const row of NO_CORS_ROWS) {
    const decision = noCorsPolicy().decide({
      method: row.request.method,
      headers: row.request.headers,
    });
    assert.equal(decision.kind, row.expect.kind, row.name);
    assert.equal(decision.status, row.expect.status, row.name);
    assert.equal(decision.reason.code, row.expect.reason, row.name);
    assert.deepEqual(decision.headers, [], row.name);
    assert.deepEqual(decision.vary, row.expect.vary, row.name);
  }
});
