/**
 * Hostile or broken input must produce problems, never a crash, a hang or a polluted prototype:
 * alias bombs, deep nesting (which aborts the YAML parser's process if it ever gets that far),
 * huge files, binary garbage, NUL bytes, odd keys.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { ConfigCheck } from "../../../src/door/config/index.js";
import { checkConfigFile } from "../../../src/door/config/index.js";
import { MAX_REPORTED } from "../../../src/door/config/report.js";
import { check, MINIMAL } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Checks a file with these bytes, and that it took less than `ms`. */
function checkBytes(name: string, bytes: Uint8Array | string, ms = 3000): ConfigCheck {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const started = performance.now();
  const result = checkConfigFile(path, { env: {} });
  const took = performance.now() - started;
  assert.ok(took < ms, `${name} took ${Math.round(took)} ms`);
  return result;
}

function codes(result: ConfigCheck): string[] {
  assert.equal(result.ok, false);
  return [...new Set(result.problems.map((p) => p.code))];
}

/** The classic "billion laughs": nine levels, each nine aliases of the one before. */
function aliasBomb(): string {
  const lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
  for (let i = 1; i < 9; i++) {
    const name = String.fromCharCode(97 + i);
    const prev = String.fromCharCode(96 + i);
    lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
  }
  return `${lines.join("\n")}\n${MINIMAL}`;
}

describe("adversarial input", () => {
  test("an alias bomb is refused by alias count", () => {
    assert.deepEqual(codes(checkBytes("bomb.yaml", aliasBomb())), ["GH_CONFIG_TOO_COMPLEX"]);
  });

  test("a few aliases are fine, and positions resolve through them", () => {
    const text =
      "x-policy: &policy\n  allowOrigins: [https://app.example.com]\n" +
      "routes:\n  - match: /a/\n    upstream: http://127.0.0.1:1\n    cors: *policy\n";
    const result = check(text);
    // x-policy is not a Gatehouse key: that is the only problem.
    assert.deepEqual(
      result.problems.map((p) => [p.code, p.path, p.line]),
      [["GH_CONFIG_UNKNOWN_KEY", "x-policy", 1]],
    );
  });

  const deep: [string, string][] = [
    ["compact sequences (- - - ...)", "- ".repeat(200_000)],
    ["flow sequences", "[".repeat(500_000)],
    ["balanced flow mappings", `${"{a: ".repeat(100_000)}1${"}".repeat(100_000)}`],
    [
      "indentation staircase",
      Array.from({ length: 1000 }, (_, i) => `${" ".repeat(i)}a:`).join("\n"),
    ],
    ["explicit keys", "? ".repeat(200_000)],
  ];
  for (const [name, text] of deep) {
    test(`deep nesting is refused before parsing: ${name}`, () => {
      assert.deepEqual(codes(checkBytes("deep.yaml", text)), ["GH_CONFIG_TOO_COMPLEX"]);
    });
  }

  test("deep JSON is refused too", () => {
    const text = `${"[".repeat(300_000)}${"]".repeat(300_000)}`;
    assert.deepEqual(codes(checkBytes("deep.json", text)), ["GH_CONFIG_TOO_COMPLEX"]);
  });

  test("nesting a parser survives but no configuration needs is refused", () => {
    const nested = `routes:\n  - match: /\n    upstream: http://127.0.0.1:1\nx: ${"[".repeat(40)}${"]".repeat(40)}\n`;
    assert.deepEqual(codes(checkBytes("nested.yaml", nested)), ["GH_CONFIG_TOO_COMPLEX"]);
  });

  test("a pipe named like a config file is not read (it could block forever)", {
    skip: process.platform === "win32",
  }, () => {
    const fifo = join(dir, "pipe.yaml");
    execFileSync("mkfifo", [fifo]);
    const result = checkConfigFile(fifo, { env: {} });
    assert.deepEqual(codes(result), ["GH_CONFIG_FILE_UNREADABLE"]);
  });

  test("a file over 1 MiB is not read", () => {
    const text = `${MINIMAL}# ${"x".repeat(1024 * 1024)}\n`;
    assert.deepEqual(codes(checkBytes("huge.yaml", text)), ["GH_CONFIG_FILE_TOO_LARGE"]);
  });

  test("a large but plain file is parsed in time, and the report is capped", () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => `unknown${i}: ${i}`);
    const result = checkBytes("many.yaml", `${MINIMAL}${lines.join("\n")}\n`, 5000);
    assert.equal(result.problems.length, MAX_REPORTED + 1);
    assert.equal(result.problems.at(-1)?.code, "GH_CONFIG_TOO_COMPLEX");
  });

  test("binary garbage", () => {
    const bytes = new Uint8Array(64 * 1024).map((_, i) => (i * 7919 + 13) % 256);
    assert.deepEqual(codes(checkBytes("garbage.yaml", bytes)), ["GH_CONFIG_SYNTAX"]);
  });

  test("a NUL byte in otherwise valid text", () => {
    const result = checkBytes("nul.yaml", `${MINIMAL}csrf: true\u0000\n`);
    assert.deepEqual(codes(result), ["GH_CONFIG_SYNTAX"]);
    assert.equal(result.problems[0]?.line, 4);
  });

  test("UTF-16 text is refused as not UTF-8", () => {
    const bytes = Buffer.from(`\ufeff${MINIMAL}`, "utf16le");
    assert.deepEqual(codes(checkBytes("utf16.yaml", bytes)), ["GH_CONFIG_SYNTAX"]);
  });

  test("a UTF-8 byte-order mark is accepted", () => {
    const result = checkBytes("bom.yaml", `\ufeff${MINIMAL}`);
    assert.equal(result.ok, true);
  });

  test("__proto__ and constructor keys are unknown keys, and pollute nothing", () => {
    for (const [file, text] of [
      [
        "proto.yaml",
        `${MINIMAL}__proto__: {polluted: true}\nconstructor: {prototype: {polluted: true}}\n`,
      ],
      [
        "proto.json",
        '{"routes": [{"match": "/", "upstream": "http://x"}], "__proto__": {"polluted": true}}',
      ],
    ] as const) {
      const result = checkBytes(file, text);
      assert.ok(
        result.problems.every((p) => p.code === "GH_CONFIG_UNKNOWN_KEY"),
        JSON.stringify(result.problems),
      );
      assert.ok(result.problems.some((p) => p.path === '["__proto__"]' || p.path === "__proto__"));
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    }
  });

  test("keys with odd characters get quoted paths and still a position", () => {
    const result = check(`${MINIMAL}"a.b[0]": 1\n`);
    assert.deepEqual(
      result.problems.map((p) => [p.path, p.line]),
      [['["a.b[0]"]', 4]],
    );
  });

  test("very long values are shown shortened", () => {
    const result = check(`publicOrigin: https://${"a".repeat(100_000)}.example\n${MINIMAL}`);
    assert.equal(result.ok, false);
    assert.ok(JSON.stringify(result.problems).length < 250_000);
  });

  test("numbers YAML reads oddly: hex, octal, infinity, huge", () => {
    for (const value of [
      "0x1F90",
      "0o17620",
      ".inf",
      "-.inf",
      ".nan",
      "1e400",
      "99999999999999999999",
    ]) {
      const result = check(`listen: ${value}\n${MINIMAL}`);
      assert.equal(result.ok, value === "0x1F90" || value === "0o17620", value);
    }
  });
});
