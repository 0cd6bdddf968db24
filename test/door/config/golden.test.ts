/**
 * The full report for one file with many problems, compared with a golden file. Regenerate after
 * an intended change with `UPDATE_GOLDEN=1 node scripts/run-tests.mjs config/golden` and review
 * the diff: it is what users read.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig } from "../../../src/door/config/index.js";
import { FIXTURES } from "./helpers.js";

const GOLDEN = fileURLToPath(new URL("../../fixtures/golden/config-report.txt", import.meta.url));

test("golden: the full report of a bad YAML file", () => {
  let message = "";
  try {
    loadConfig(join(FIXTURES, "golden-bad.yaml"), { env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    // Paths differ between machines: the fixtures folder is written as <fixtures>/.
    message = error.message.replaceAll(FIXTURES, "<fixtures>/");
  }
  assert.notEqual(message, "", "the file must be refused");
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, `${message}\n`);
  assert.equal(`${message}\n`, readFileSync(GOLDEN, "utf8"));
});
