/**
 * The accepted-ACRH cache is an optimization only: answers with and without it are identical,
 * refused lines never enter, and it stops growing at its bound.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { corsPolicy } from "../../src/index.js";

const ORIGIN = "https://app.example.com";
const preflight = (acrh: string) => ({
  method: "OPTIONS",
  headers: {
    origin: ORIGIN,
    "access-control-request-method": "GET",
    "access-control-request-headers": acrh,
  },
});

test("answers are identical on the first and every later request, hit or miss", () => {
  const policy = corsPolicy({ allowOrigins: [ORIGIN], allowHeaders: ["*"] });
  const lines = Array.from({ length: 600 }, (_, i) => `x-a${i},x-b${i}`);
  const first = lines.map((l) => policy.decide(preflight(l)));
  const again = lines.map((l) => policy.decide(preflight(l)));
  assert.deepEqual(again, first);
  for (const [i, d] of first.entries()) {
    assert.equal(d.status, 204);
    assert.deepEqual(
      d.headers.find(([n]) => n === "access-control-allow-headers"),
      ["access-control-allow-headers", lines[i]],
    );
  }
});

test("a refused line stays refused after an accepted one with the same names in another case", () => {
  const policy = corsPolicy({ allowOrigins: [ORIGIN], allowHeaders: ["content-type"] });
  assert.equal(policy.decide(preflight("content-type")).status, 204);
  assert.equal(policy.decide(preflight("content-type,x-secret")).status, 403);
  assert.equal(policy.decide(preflight("content-type,x-secret")).status, 403);
  assert.equal(policy.decide(preflight("Content-Type")).status, 204);
  assert.equal(policy.decide(preflight("content-type")).status, 204);
});

test("explain() reports names even for a cached line", () => {
  const policy = corsPolicy({
    allowOrigins: [ORIGIN],
    allowHeaders: ["content-type", "authorization"],
  });
  policy.decide(preflight("authorization,content-type"));
  assert.deepEqual(policy.explain(preflight("authorization,content-type")).requestHeaders, [
    "authorization",
    "content-type",
  ]);
});

test("the ring of recent lines in front of the map answers each line with its own names", () => {
  const policy = corsPolicy({ allowOrigins: [ORIGIN], allowHeaders: ["*"] });
  // More lines than the ring holds, interleaved, so slots are reused while lines come back.
  const lines = ["x-1", "x-2", "x-1,x-2", "x-3", "x-4", "x-5", "x-2", "x-6", "x-1"];
  for (let pass = 0; pass < 3; pass++) {
    for (const line of lines) {
      const d = policy.decide(preflight(line));
      assert.equal(d.status, 204);
      assert.deepEqual(
        d.headers.find(([n]) => n === "access-control-allow-headers"),
        ["access-control-allow-headers", line],
        `pass ${pass}, ${line}`,
      );
    }
  }
  // Equal text in a fresh string (not the same object) is the same line.
  const fresh = ["x-", "1"].join("");
  assert.equal(policy.decide(preflight(fresh)).status, 204);
});
