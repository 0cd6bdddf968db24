/**
 * The conformance table (test/cases/cors-table.ts) through real servers: every framework x
 * every policy x every row, sent over loopback with node:http. Asserts the status, exactly the
 * expected `Access-Control-*` headers (and no other), the `Vary` tokens (the table's plus the
 * app's own when it is on the response), and that preflights never reach the app's handler.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TableRow } from "../cases/cors-table.js";
import { CORS_TABLE } from "../cases/cors-table.js";
import type { Framework, TestServer } from "./harness.js";
import { checkRow, FRAMEWORKS, keepAliveAgent, skipReason, startServer } from "./harness.js";

const agent = keepAliveAgent();
after(() => agent.destroy());

/** Rows planned, run and skipped (with why), checked by the last test of this file. */
const tally = { planned: 0, ran: 0, skipped: new Map<string, number>() };

function registerRow(framework: Framework, row: TableRow, server: () => TestServer): void {
  tally.planned++;
  const why = skipReason(framework, row);
  if (why !== null) {
    tally.skipped.set(why, (tally.skipped.get(why) ?? 0) + 1);
    test(`${row.name} (skipped on the wire: ${why})`, { skip: why }, () => {});
    return;
  }
  test(row.name, async () => {
    await checkRow(server(), row, agent);
    tally.ran++;
  });
}

for (const framework of FRAMEWORKS) {
  for (const policy of CORS_TABLE) {
    describe(`${framework}: ${policy.name}`, () => {
      let server: TestServer | undefined;
      before(async () => {
        server = await startServer(framework, policy.config);
      });
      after(() => server?.close());
      const current = (): TestServer => {
        assert.ok(server, "server started");
        return server;
      };
      for (const row of policy.rows) registerRow(framework, row, current);
    });
  }
}

test("every row ran on every framework, except the skips listed", (t) => {
  const skipped = [...tally.skipped.values()].reduce((a, b) => a + b, 0);
  const rows = CORS_TABLE.reduce((n, p) => n + p.rows.length, 0);
  assert.equal(tally.planned, rows * FRAMEWORKS.length);
  assert.equal(tally.ran + skipped, tally.planned, "a row neither passed nor was skipped");
  t.diagnostic(
    `${rows} rows x ${FRAMEWORKS.length} frameworks = ${tally.planned}: ${tally.ran} passed, ${skipped} skipped`,
  );
  for (const [why, n] of tally.skipped) t.diagnostic(`skipped ${n}: ${why}`);
  // Only the CR/LF row may be skipped (1 row x 4 frameworks): a new skip must be looked at.
  assert.deepEqual(Object.fromEntries(tally.skipped), {
    "CR/LF in a header value cannot be sent by node:http": FRAMEWORKS.length,
  });
});
