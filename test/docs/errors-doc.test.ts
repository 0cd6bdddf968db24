import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { renderErrorsDoc } from "../../scripts/errors-doc.js";
import { CONFIG_ERROR_CODES, LINT_CODES, REASON_CODES } from "../../src/index.js";

const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");

test("docs/errors.md is in step with the code registry", () => {
  assert.equal(doc, renderErrorsDoc(), "run: node --import tsx scripts/errors-doc.ts --write");
});

test("every code is documented with a description and how to solve it", () => {
  for (const codes of [CONFIG_ERROR_CODES, LINT_CODES, REASON_CODES]) {
    for (const [code, info] of Object.entries(codes)) {
      // Tables are padded to equal column widths, as biome formats Markdown.
      assert.match(doc, new RegExp(`\\| \`${code}\` +\\|`), code);
      assert.ok(info.title.length > 10 && info.howToSolve.length > 10, code);
    }
  }
});

test("codes are unique across families and follow the naming scheme", () => {
  const all = [
    ...Object.keys(CONFIG_ERROR_CODES),
    ...Object.keys(LINT_CODES),
    ...Object.keys(REASON_CODES),
  ];
  assert.equal(new Set(all).size, all.length);
  for (const code of Object.keys(CONFIG_ERROR_CODES)) assert.match(code, /^GH_CORS_[A-Z_]+$/);
  for (const code of Object.keys(LINT_CODES)) assert.match(code, /^GH_LINT_[A-Z_]+$/);
  for (const code of Object.keys(REASON_CODES)) assert.match(code, /^CORS_[A-Z_]+$/);
});
