/**
 * The loader keeps each `cors` section as validateCorsConfig returned it, and the runtime
 * compiles that object as it is: the section is validated once, while the file is read.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { compileNormalizedPolicy } from "../../../src/core/policy.js";
import { check } from "./helpers.js";

const FILE = `cors:
  allowOrigins: [HTTPS://App.Example.com:443, https://*.example.org]
  allowMethods: [patch]
routes:
  - match: /own/
    upstream: http://127.0.0.1:1
    cors: {allowOrigins: ["https://*.partner.example"], maxAge: 9000}
  - match: /none/
    upstream: http://127.0.0.1:1
    cors: false
  - match: /
    upstream: http://127.0.0.1:1
`;

test("global and route policies compile without a second validation, with the file's notes", () => {
  const result = check(FILE);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  const { config } = result;
  assert.ok(config.cors !== null);
  const global = compileNormalizedPolicy(config.cors);
  const own = config.routes[0]?.cors;
  assert.ok(own !== undefined && own !== false);
  const route = compileNormalizedPolicy(own);

  // The notes are the loader's own (the rewrites of the values as written included, which a
  // second validation of the normalized values could not produce), under their full paths.
  const notes = (lints: readonly { code: string; path: string }[], prefix: string) =>
    lints.filter((l) => l.path.startsWith(prefix)).map((l) => `${l.code} @ ${l.path}`);
  assert.deepEqual(
    global.lints.map((l) => `${l.code} @ ${l.path}`),
    notes(result.lints, "cors."),
  );
  assert.ok(global.lints.some((l) => l.code === "GH_LINT_ORIGIN_NORMALIZED"));
  assert.deepEqual(
    route.lints.map((l) => `${l.code} @ ${l.path}`),
    notes(result.lints, "routes[0].cors."),
  );

  assert.equal(
    global.decide({ method: "GET", headers: { origin: "https://app.example.com" } }).allowed,
    true,
  );
  assert.equal(
    route.decide({ method: "GET", headers: { origin: "https://a.partner.example" } }).allowed,
    true,
  );
  assert.equal(config.routes[1]?.cors, false);
});
