/**
 * Full reports compared with golden files. Regenerate after an intended change with
 * `UPDATE_GOLDEN=1 node scripts/run-tests.mjs config/golden` and review the diff: it is what
 * users read.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig } from "../../../src/door/config/index.js";
import { FIXTURES } from "./helpers.js";

const GOLDEN = fileURLToPath(new URL("../../fixtures/golden/config-report.txt", import.meta.url));
const SLIPS_GOLDEN = fileURLToPath(
  new URL("../../fixtures/golden/config-slips-report.txt", import.meta.url),
);
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** PORT would replace the port of `listen` and show up in the report. */
function withoutPort(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name !== "PORT"));
}

function compare(golden: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, actual);
  assert.equal(actual, readFileSync(golden, "utf8"));
}

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
  compare(GOLDEN, `${message}\n`);
});

// Written at test time: a JSON fixture that is deliberately not JSON would trip the formatter.
const SLIPS: readonly (readonly [file: string, text: string])[] = [
  [
    "slips.json",
    `{
  "publicOrigin": "https://gateway.example.com",
  // Comments and trailing commas are JavaScript, not JSON.
  "routes": [
    {
      "match": "/v1/",
      "upstream": "http://127.0.0.1:11434",
      "cors": {
        "allowOrigins": ["https://app.example.com",],
        "allowMethods": ["PUT", "DELETE"],
      },
    },
  ],
  "csrf": "no"
}
`,
  ],
  [
    "stars.yaml",
    `# An unquoted * starts a YAML alias; &open and *open below are a real anchor and alias.
publicOrigin: https://gateway.example.com
hosts: [*, gateway.example.com]
routes:
  - match: /api/
    upstream: http://127.0.0.1:18789
    cors: &open
      allowOrigins: [*]
      allowHeaders: ["*", x-trace-*]
  - match: /v1/
    upstream: http://127.0.0.1:11434
    cors: *open
`,
  ],
];

test("golden: `gatehouse check` on JSON with trailing commas and YAML with an unquoted *", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-slips-"));
  try {
    const runs = SLIPS.map(([file, text]) => {
      writeFileSync(join(dir, file), text);
      // The CLI in a child process, as a user runs it (from source: dist/ may be stale).
      const child = spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          "--input-type=module",
          "--eval",
          'import { main } from "./src/cli/main.ts"; process.exitCode = await main(process.argv.slice(1));',
          "check",
          "--config",
          join(dir, file),
        ],
        { cwd: ROOT, encoding: "utf8", env: { ...withoutPort(process.env), NO_COLOR: "1" } },
      );
      assert.equal(child.stderr, "");
      assert.equal(child.status, 1);
      return `$ gatehouse check --config ${file}\n${child.stdout.replaceAll(`${dir}/`, "")}`;
    });
    compare(SLIPS_GOLDEN, runs.join("\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
