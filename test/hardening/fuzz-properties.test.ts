/**
 * Bounded fast-check properties over origins, hosts, ACRH values and request targets (the same
 * oracles `npm run fuzz` runs a million times), plus a small on-the-wire property.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import type { Door } from "./harness.js";
import { openDoor, send } from "./harness.js";
import type { Violation } from "./oracles.js";
import {
  checkAcrh,
  checkHost,
  checkOrigin,
  checkTarget,
  HOST_SEEDS,
  ORIGIN_SEEDS,
  PIECES,
  TARGET_SEEDS,
} from "./oracles.js";

const RUNS = 2_000;

/** A seed with random pieces inserted, replaced or appended. */
function mutated(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })),
          fc.boolean(),
        ),
        { maxLength: 4 },
      ),
    )
    .map(([seed, edits]) => {
      let s = seed;
      for (const [at, piece, replace] of edits) {
        const i = at % (s.length + 1);
        s = s.slice(0, i) + piece + s.slice(replace ? i + 1 : i);
      }
      return s;
    });
}

const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
);
const holds = (check: (s: string) => Violation | null) => (s: string) => {
  const v = check(s);
  assert.equal(v, null, JSON.stringify(v));
};

describe("properties (decide, guards, target)", () => {
  test("origins: never a grant outside the allowlist, always Vary: Origin", () =>
    fc.assert(
      fc.property(fc.oneof(mutated(ORIGIN_SEEDS), anyText, fc.webUrl()), holds(checkOrigin)),
      {
        numRuns: RUNS,
      },
    ));
  test("hosts: allowed only when exactly listed", () =>
    fc.assert(fc.property(fc.oneof(mutated(HOST_SEEDS), anyText, fc.domain()), holds(checkHost)), {
      numRuns: RUNS,
    }));
  test("ACRH: ACAH names only what was asked and allowed", () =>
    fc.assert(
      fc.property(
        fc.oneof(
          fc
            .array(
              fc.constantFrom(
                "content-type",
                "X-API-KEY",
                "authorization",
                "x-b",
                "*",
                "",
                " ",
                "x-api-key\t",
              ),
              {
                maxLength: 6,
              },
            )
            .map((a) => a.join(",")),
          anyText,
        ),
        holds(checkAcrh),
      ),
      { numRuns: RUNS },
    ));
  test("targets: never throws; normalized paths are clean fixed points", () =>
    fc.assert(fc.property(fc.oneof(mutated(TARGET_SEEDS), anyText), holds(checkTarget)), {
      numRuns: RUNS,
    }));
});

describe("on the wire (bounded)", () => {
  let d: Door;
  before(async () => {
    d = await openDoor({ overrides: { cors: { allowOrigins: ["https://app.example.com"] } } });
  });
  after(() => d.close());
  test("a mutated Origin never gets ACAO unless it is the allowed one", async () => {
    const printable = mutated(["https://app.example.com", "null"]).filter((s) =>
      /^[\x21-\x7e][\x20-\x7e]*[\x21-\x7e]$/.test(s),
    );
    await fc.assert(
      fc.asyncProperty(printable, async (origin) => {
        const reply = await send(d.port, { path: "/p", headers: { origin } });
        const acao = reply.headers["access-control-allow-origin"];
        if (origin === "https://app.example.com") assert.equal(acao, origin);
        else assert.equal(acao, undefined, origin);
        assert.match(String(reply.headers.vary), /origin/i);
      }),
      { numRuns: 60 },
    );
  });
});
