import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { ExactIndex } from "../../src/core/exact-index.js";

test("every key is found with its value; no other string is", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.string({ maxLength: 40 }), { maxLength: 300 }),
      fc.array(fc.string({ maxLength: 40 }), { maxLength: 50 }),
      (keys, probes) => {
        const index = new ExactIndex(
          keys,
          keys.map((_, i) => i),
        );
        for (const [i, key] of keys.entries()) assert.equal(index.get(key), i);
        for (const probe of probes)
          assert.equal(index.get(probe), keys.includes(probe) ? keys.indexOf(probe) : undefined);
      },
    ),
    { numRuns: 200 },
  );
});

test("1,000 origins that differ in a few digits, and their look-alikes", () => {
  const origins = Array.from({ length: 1000 }, (_, i) => `https://app${i}.example.com`);
  const index = new ExactIndex(origins, origins);
  for (const o of origins) assert.equal(index.get(o), o);
  for (const miss of [
    "https://app1000.example.com",
    "https://app99.example.co",
    "https://APP1.example.com",
    "https://app1.example.com.",
    "http://app1.example.com",
    "https://app1\u0101example.com",
  ]) {
    assert.equal(index.get(miss), undefined, miss);
  }
});
