/**
 * Every command parses its arguments the same way (`parseCommandArgs`) and reports a usage
 * error the same way (`usageError`): exit 2, the message, then the command's synopsis; `--help`
 * prints the command's help and exits 0. Run in-process through `main`, as `bin/gatehouse.js`.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { COMMANDS, main } from "../../src/cli/main.js";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(argv: readonly string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...parts: unknown[]) => out.push(parts.map(String).join(" "));
  console.error = (...parts: unknown[]) => err.push(parts.map(String).join(" "));
  try {
    const code = await main(argv);
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

for (const command of COMMANDS) {
  describe(`gatehouse ${command.name}`, () => {
    const usageLine = `\n\nUsage: gatehouse ${command.usage}  (gatehouse ${command.name} --help)`;

    for (const flag of ["--help", "-h"]) {
      test(`${flag}: the command's help on stdout, exit 0`, async () => {
        const r = await run([command.name, flag]);
        assert.equal(r.code, 0);
        assert.equal(r.stdout, command.help);
        assert.equal(r.stderr, "");
      });
    }

    test("an unknown option: exit 2, the parser's message, then the synopsis", async () => {
      const r = await run([command.name, "--frobnicate"]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      assert.match(
        r.stderr,
        new RegExp(`^gatehouse ${command.name}: Unknown option '--frobnicate'`),
      );
      assert.ok(r.stderr.endsWith(usageLine), r.stderr);
    });

    test("the help starts with the synopsis", () => {
      assert.ok(command.help.startsWith(`Usage: gatehouse ${command.usage}\n`));
    });
  });
}

describe("usage errors a command finds itself go out the same way", () => {
  for (const [argv, message] of [
    [["serve", "extra"], 'unexpected argument "extra"'],
    [
      ["serve", "--workers", "0"],
      '--workers takes a whole number from 1 to 256, or "auto" (got 0)',
    ],
    [["check"], "--config FILE is required"],
    [["doctor", "http://x.test/"], "--origin ORIGIN is required"],
    [["audit"], "the URL to audit is required"],
  ] as const) {
    test(argv.join(" "), async () => {
      const r = await run(argv);
      const name = argv[0];
      const command = COMMANDS.find((c) => c.name === name);
      assert.ok(command);
      assert.equal(r.code, 2);
      assert.equal(
        r.stderr,
        `gatehouse ${name}: ${message}\n\nUsage: gatehouse ${command.usage}  (gatehouse ${name} --help)`,
      );
    });
  }
});

test("an unknown command: exit 2 and the overall help", async () => {
  const r = await run(["frobnicate"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^gatehouse: unknown command "frobnicate"/);
  for (const command of COMMANDS) assert.ok(r.stderr.includes(`  ${command.usage}\n`));
});
