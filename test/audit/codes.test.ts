/** The audit's codes: named in their own family, documented, and every one reachable. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { CODE_FAMILIES } from "../../scripts/errors-doc.js";
import { AUDIT_FINDING_CODES } from "../../src/audit/codes.js";

const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");

test("audit codes are GH_AUDIT_*, unique across every family, and in docs/errors.md", () => {
  const audit = Object.keys(AUDIT_FINDING_CODES);
  for (const code of audit) {
    assert.match(code, /^GH_AUDIT_[A-Z_]+$/);
    assert.match(doc, new RegExp(`\\| \`${code}\` +\\|`), code);
  }
  const others = CODE_FAMILIES.filter((family) => family.codes !== AUDIT_FINDING_CODES).flatMap(
    (family) => Object.keys(family.codes),
  );
  for (const code of audit) assert.ok(!others.includes(code), code);
  assert.match(doc, /^## Audit findings$/m);
});

test("every audit code is emitted somewhere in src/audit", () => {
  const sources = ["probes.ts", "analyze.ts"]
    .map((f) => readFileSync(new URL(`../../src/audit/${f}`, import.meta.url), "utf8"))
    .join("\n");
  for (const code of Object.keys(AUDIT_FINDING_CODES)) {
    assert.ok(sources.includes(`"${code}"`), `${code} is never produced`);
  }
});
