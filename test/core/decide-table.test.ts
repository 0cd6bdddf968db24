import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CorsDecision, HeaderSource } from "../../src/index.js";
import { corsPolicy } from "../../src/index.js";
import type { TableRequest, TableRow } from "../cases/cors-table.js";
import { CORS_TABLE } from "../cases/cors-table.js";

/** Request headers as node:http hands them over: lower-case keys, repeated lines as arrays. */
function nodeHeaders(request: TableRequest): HeaderSource {
  return { ...request.headers };
}

/** The same headers as a Fetch `Headers` object, which joins repeated lines with ", ". */
function fetchHeaders(request: TableRequest): HeaderSource {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    for (const line of typeof value === "string" ? [value] : value) {
      try {
        headers.append(name, line);
      } catch {
        return { get: () => null }; // Headers refuses CR/LF: not expressible there
      }
    }
  }
  return headers;
}

function expectDecision(decision: CorsDecision, row: TableRow): void {
  const { expect } = row;
  assert.equal(decision.kind, expect.kind, "kind");
  assert.equal(decision.reason.code, expect.reason, "reason");
  assert.equal(decision.allowed, expect.allowed, "allowed");
  assert.equal(decision.status, expect.status, "status");
  const headers = Object.fromEntries(decision.headers.map(([n, v]) => [n.toLowerCase(), v]));
  assert.deepEqual(headers, expect.headers, "headers");
  assert.deepEqual([...decision.vary].sort(), [...expect.vary].sort(), "vary");
  assert.ok(decision.reason.step.length > 0, "every reason cites a rule");
}

function expressibleInFetchHeaders(request: TableRequest): boolean {
  return Object.values(request.headers).every((v) =>
    (typeof v === "string" ? [v] : v).every((line) => !/[\r\n]/.test(line) && line === line.trim()),
  );
}

for (const policyCase of CORS_TABLE) {
  describe(`decide(): ${policyCase.name}`, () => {
    const policy = corsPolicy(policyCase.config);
    for (const row of policyCase.rows) {
      test(`${row.name} [${row.rule.split(":")[0]}]`, () => {
        expectDecision(
          policy.decide({ method: row.request.method, headers: nodeHeaders(row.request) }),
          row,
        );
        if (expressibleInFetchHeaders(row.request)) {
          expectDecision(
            policy.decide({ method: row.request.method, headers: fetchHeaders(row.request) }),
            row,
          );
        }
        const origin = row.request.headers.origin;
        if (origin !== undefined) {
          // `origin` passed on its own wins over headers.origin, as the SPEC's signature shows.
          const { origin: _, ...rest } = row.request.headers;
          expectDecision(policy.decide({ method: row.request.method, origin, headers: rest }), row);
        }
      });
    }
  });
}

test("the table has at least 150 rows, each citing a rule", () => {
  const rows = CORS_TABLE.reduce((n, p) => n + p.rows.length, 0);
  assert.ok(rows >= 150, `only ${rows} rows`);
  for (const p of CORS_TABLE)
    for (const r of p.rows) assert.match(r.rule, /fetch\.bs §|SPEC\.md|WICG|RFC/);
});
