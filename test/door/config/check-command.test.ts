/**
 * `gatehouse check`: exit codes, text output with file:line:column, the --json shape, usage
 * errors. Runs the CLI's `main()` in-process with console output captured.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { main } from "../../../src/cli/main.js";
import { EXAMPLES, FIXTURES } from "./helpers.js";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  const saved = process.env.PORT;
  console.log = (...parts: unknown[]) => out.push(parts.map(String).join(" "));
  console.error = (...parts: unknown[]) => err.push(parts.map(String).join(" "));
  if (env.PORT === undefined) delete process.env.PORT;
  else process.env.PORT = env.PORT;
  try {
    const code = await main(args);
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
    if (saved === undefined) delete process.env.PORT;
    else process.env.PORT = saved;
  }
}

const GOOD = join(EXAMPLES, "openclaw.yaml");
const NOTED = join(EXAMPLES, "cross-origin.yaml");
const BAD = join(FIXTURES, "golden-bad.yaml");

describe("gatehouse check", () => {
  test("is listed in the help", async () => {
    const { code, stdout } = await run(["--help"]);
    assert.equal(code, 0);
    assert.match(stdout, /check --config FILE \[--json\]/);
  });

  test("valid: exit 0, says so, prints the effective values", async () => {
    const { code, stdout } = await run(["check", "--config", GOOD]);
    assert.equal(code, 0);
    assert.match(stdout, /is valid\./);
    assert.match(stdout, /publicOrigin {2}https:\/\/gateway\.example\.com/);
  });

  test("valid with notes: exit 0, each note with file:line:column and code", async () => {
    const { code, stdout } = await run(["check", "--config", NOTED]);
    assert.equal(code, 0);
    assert.match(stdout, /valid \(1 note\)/);
    assert.match(
      stdout,
      /cross-origin\.yaml:\d+:\d+ {2}cors\.allowMethods\[0\] = "POST" {2}\[GH_LINT_SAFELISTED_METHOD\]/,
    );
  });

  test("invalid: exit 1, every problem with file:line:column, key, value, why and fix", async () => {
    const { code, stdout } = await run(["check", "--config", BAD]);
    assert.equal(code, 1);
    assert.match(stdout, /Invalid configuration .*golden-bad\.yaml: \d+ problems/);
    assert.match(
      stdout,
      /golden-bad\.yaml:3:9 {2}listen = "localhost:99999" {2}\[GH_CONFIG_LISTEN_INVALID\]/,
    );
    assert.match(stdout, /why: /);
    assert.match(stdout, /fix: /);
  });

  test("--json, valid: { ok, problems, lints }", async () => {
    const { code, stdout } = await run(["check", "--config", NOTED, "--json"]);
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(report), ["ok", "problems", "lints"]);
    assert.equal(report.ok, true);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.lints, [
      {
        code: "GH_LINT_SAFELISTED_METHOD",
        path: "cors.allowMethods[0]",
        value: "POST",
        severity: "info",
        message: "POST is always allowed once the origin is; the entry has no effect.",
        file: NOTED,
        line: 31,
        column: 18,
      },
    ]);
  });

  test("--json, invalid: exit 1, each problem with code, path, value, why, fix, file, line, column", async () => {
    const { code, stdout } = await run(["check", "--json", "--config", BAD]);
    assert.equal(code, 1);
    const report = JSON.parse(stdout) as { ok: boolean; problems: Record<string, unknown>[] };
    assert.equal(report.ok, false);
    assert.ok(report.problems.length > 10);
    assert.deepEqual(report.problems[0], {
      code: "GH_CONFIG_LISTEN_INVALID",
      path: "listen",
      value: "localhost:99999",
      why: '"99999" is not a port from 0 to 65535.',
      fix: report.problems[0]?.fix,
      file: BAD,
      line: 3,
      column: 9,
    });
    for (const p of report.problems) {
      for (const key of ["code", "path", "why", "fix", "file"])
        assert.ok(key in p, `${key} in ${JSON.stringify(p)}`);
    }
  });

  test("a missing file: exit 1, one problem", async () => {
    const { code, stdout } = await run(["check", "--config", "nope.yaml", "--json"]);
    assert.equal(code, 1);
    const report = JSON.parse(stdout) as { problems: { code: string }[] };
    assert.deepEqual(
      report.problems.map((p) => p.code),
      ["GH_CONFIG_FILE_UNREADABLE"],
    );
  });

  test("PORT is applied as serve would", async () => {
    const ok = await run(["check", "--config", GOOD], { PORT: "3000" });
    assert.match(ok.stdout, /listen {8}127\.0\.0\.1:3000/);
    const bad = await run(["check", "--config", GOOD, "--json"], { PORT: "x" });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /"path": "PORT"/);
  });

  const usage: [string, string[]][] = [
    ["no --config", ["check"]],
    ["--config without a value", ["check", "--config"]],
    ["an unknown option", ["check", "--config", GOOD, "--verbose"]],
    ["a positional file", ["check", GOOD]],
  ];
  for (const [name, args] of usage) {
    test(`usage error, exit 2: ${name}`, async () => {
      const { code, stderr, stdout } = await run(args);
      assert.equal(code, 2);
      assert.match(stderr, /Usage: gatehouse check --config FILE/);
      assert.equal(stdout, "");
    });
  }

  test("--help: exit 0", async () => {
    const { code, stdout } = await run(["check", "--help"]);
    assert.equal(code, 0);
    assert.match(stdout, /Usage: gatehouse check --config FILE \[--json\]/);
    assert.match(stdout, /Exit status: 0 valid/);
  });
});
