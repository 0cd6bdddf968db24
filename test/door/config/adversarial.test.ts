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

/**
 * Broken JSON and YAML that people write by hand: each row is a file and every problem it must
 * produce, as "CODE @ path line:column", tagged with what the message leads with where that is
 * the point of the row: `quote it` (the fix of a `*` YAML read as an alias) or `trailing comma`
 * (the why of a comma JSON refuses).
 */
const SLIPS: readonly (readonly [name: string, file: string, text: string, expected: string[]])[] =
  [
    // JSON -------------------------------------------------------------------------------
    [
      "trailing commas at every depth, all listed at once",
      "gatehouse.json",
      [
        "{",
        '  "routes": [',
        "    {",
        '      "match": "/",',
        '      "upstream": "http://127.0.0.1:1",',
        '      "cors": {"allowOrigins": ["https://a.example",],},',
        "    },",
        "  ],",
        "}",
      ].join("\n"),
      [
        "GH_CONFIG_SYNTAX @  6:52 trailing comma",
        "GH_CONFIG_SYNTAX @  6:54 trailing comma",
        "GH_CONFIG_SYNTAX @  6:56 trailing comma",
        "GH_CONFIG_SYNTAX @  7:6 trailing comma",
        "GH_CONFIG_SYNTAX @  8:4 trailing comma",
      ],
    ],
    [
      "a byte-order mark is not a column",
      "gatehouse.json",
      '\uFEFF{"routes": [{"match": "/", "upstream": "http://127.0.0.1:1"},]}',
      ["GH_CONFIG_SYNTAX @  1:61 trailing comma"],
    ],
    [
      "CRLF line endings",
      "gatehouse.json",
      '{\r\n  "routes": [\r\n    {"match": "/", "upstream": "http://127.0.0.1:1"},\r\n  ]\r\n}\r\n',
      ["GH_CONFIG_SYNTAX @  3:53 trailing comma"],
    ],
    [
      "tab indentation (a tab is one column)",
      "gatehouse.json",
      '{\n\t"routes": [\n\t\t{"match": "/", "upstream": "http://127.0.0.1:1",}\n\t]\n}\n',
      ["GH_CONFIG_SYNTAX @  3:50 trailing comma"],
    ],
    [
      "commas and brackets inside strings are text",
      "gatehouse.json",
      '{"routes": [{"match": "/a,]/,}/", "upstream": "http://127.0.0.1:1"},]}',
      ["GH_CONFIG_SYNTAX @  1:68 trailing comma"],
    ],
    [
      "a comment after the last comma: both reported",
      "gatehouse.json",
      '{"routes": [{"match": "/", "upstream": "http://127.0.0.1:1"}, // the last\n]}',
      ["GH_CONFIG_SYNTAX @  1:61 trailing comma", "GH_CONFIG_SYNTAX @  1:63"],
    ],
    [
      "a quoted * is text",
      "gatehouse.json",
      '{"routes": [{"match": "/", "upstream": "http://127.0.0.1:1"}], "cors": {"allowOrigins": ["*"]}}',
      [],
    ],
    [
      "an unquoted * in JSON",
      "gatehouse.json",
      '{"routes": [{"match": "/", "upstream": "http://127.0.0.1:1"}], "hosts": [*]}',
      ["GH_CONFIG_SYNTAX @  1:74 quote it"],
    ],
    [
      "two commas in a row stop the scan",
      "gatehouse.json",
      '{"routes": [{"match": "/", "upstream": "http://127.0.0.1:1"},,]}',
      ["GH_CONFIG_SYNTAX @  1:62"],
    ],
    [
      "trailing commas before a real error are listed with it",
      "gatehouse.json",
      '{\n  "hosts": ["a.example",],\n  "csrf": true\n  "routes": []\n}\n',
      ["GH_CONFIG_SYNTAX @  2:24 trailing comma", "GH_CONFIG_SYNTAX @  4:3"],
    ],
    // YAML -------------------------------------------------------------------------------
    [
      "* alone in a flow list",
      "gatehouse.yaml",
      `${MINIMAL}cors:\n  allowOrigins: [*]\n`,
      ["GH_CONFIG_SYNTAX @ cors.allowOrigins[0] 5:18 quote it"],
    ],
    [
      "* first in a flow list, then what the quoted value means",
      "gatehouse.yaml",
      `${MINIMAL}hosts: [*, a.example]\n`,
      ["GH_CONFIG_SYNTAX @ hosts[0] 4:9 quote it", "GH_CONFIG_HOST_WILDCARD @ hosts[0] 4:9"],
    ],
    [
      "* with spaces around it, and twice",
      "gatehouse.yaml",
      `${MINIMAL}cors:\n  allowOrigins: [ * ]\n  allowHeaders: [x-a, *]\n`,
      [
        "GH_CONFIG_SYNTAX @ cors.allowOrigins[0] 5:19 quote it",
        "GH_CONFIG_SYNTAX @ cors.allowHeaders[1] 6:23 quote it",
      ],
    ],
    [
      "* as a block list item",
      "gatehouse.yaml",
      `${MINIMAL}cors:\n  allowOrigins:\n    - *\n`,
      ["GH_CONFIG_SYNTAX @ cors.allowOrigins[0] 6:7 quote it"],
    ],
    [
      "* with CRLF line endings",
      "gatehouse.yaml",
      `${MINIMAL}cors:\n  allowOrigins: [*]\n`.replaceAll("\n", "\r\n"),
      ["GH_CONFIG_SYNTAX @ cors.allowOrigins[0] 5:18 quote it"],
    ],
    [
      "* after a tab inside a flow list",
      "gatehouse.yaml",
      `${MINIMAL}cors:\n  allowOrigins: [https://a.example,\t*]\n`,
      ["GH_CONFIG_SYNTAX @ cors.allowOrigins[1] 5:37 quote it"],
    ],
    [
      "* after a byte-order mark",
      "gatehouse.yaml",
      `\uFEFFcors: {allowOrigins: [*]}\n${MINIMAL}`,
      ["GH_CONFIG_SYNTAX @ cors.allowOrigins[0] 1:23 quote it"],
    ],
    [
      "* in quotes, in a comment, in a block scalar or inside a word is text",
      "gatehouse.yaml",
      `${MINIMAL}cors:\n  allowOrigins: ['*'] # not *\n  allowHeaders: ["*", x-trace-*]\nlog:\n  level: >-\n    *\n`,
      ["GH_CONFIG_CHOICE @ log.level 8:10"],
    ],
    [
      "an anchor and its alias work beside a bare *",
      "gatehouse.yaml",
      [
        "routes:",
        "  - match: /a/",
        "    upstream: http://127.0.0.1:1",
        "    cors: &shared",
        "      allowOrigins: [https://app.example.com]",
        "  - match: /b/",
        "    upstream: http://127.0.0.1:2",
        "    cors: *shared",
        "websocket:",
        "  allowOrigins: [*]",
        "",
      ].join("\n"),
      ["GH_CONFIG_SYNTAX @ websocket.allowOrigins[0] 10:18 quote it"],
    ],
    [
      "*.example.com names no anchor",
      "gatehouse.yaml",
      `${MINIMAL}hosts: [*.example.com]\n`,
      ["GH_CONFIG_SYNTAX @ hosts[0] 4:9 quote it", "GH_CONFIG_HOST_WILDCARD @ hosts[0] 4:9"],
    ],
    [
      "an alias before its anchor",
      "gatehouse.yaml",
      `${MINIMAL}cors: {allowOrigins: *origins}\nwebsocket: {allowOrigins: &origins [https://a.example]}\n`,
      [
        "GH_CONFIG_SYNTAX @ cors.allowOrigins 4:22 quote it",
        "GH_CORS_CONFIG_TYPE @ cors.allowOrigins 4:22",
      ],
    ],
    [
      "* beside another syntax error: both, at their positions",
      "gatehouse.yaml",
      `${MINIMAL}hosts: [*]\nlisten: [\n`,
      ["GH_CONFIG_SYNTAX @  4:9 quote it", "GH_CONFIG_SYNTAX @  6:1"],
    ],
    ["* as a key", "gatehouse.yaml", `${MINIMAL}? *\n: 1\n`, ["GH_CONFIG_SYNTAX @  4:3 quote it"]],
  ];

/** What a message leads with, where that is what a row is about. */
function leadsWith(p: { why: string; fix: string }): string {
  if (p.fix.startsWith("Quote it: ")) return " quote it";
  if (p.why.startsWith("trailing comma ")) return " trailing comma";
  return "";
}

describe("slips people make in JSON and YAML: line:column and what to do", () => {
  for (const [name, file, text, expected] of SLIPS) {
    test(name, () => {
      const result = check(text, { file });
      const problems = result.ok ? [] : result.problems;
      assert.deepEqual(
        problems.map((p) => `${p.code} @ ${p.path} ${p.line}:${p.column}${leadsWith(p)}`),
        expected,
      );
      for (const p of problems) assert.ok(p.file === file && p.why !== "" && p.fix !== "");
    });
  }

  test("past ten trailing commas, the rest are counted, not listed", () => {
    const hosts = Array.from({ length: 15 }, (_, i) => `["h${i}.example",]`).join(", ");
    const result = check(
      `{"routes": [{"match": "/", "upstream": "http://127.0.0.1:1"}], "x": [${hosts}]}`,
      { file: "gatehouse.json" },
    );
    const syntax = result.problems.filter((p) => p.code === "GH_CONFIG_SYNTAX");
    assert.equal(syntax.length, 11);
    assert.equal(syntax.filter((p) => leadsWith(p) === " trailing comma").length, 10);
    assert.equal(syntax[0]?.line, undefined, "the count has no position, so it comes first");
    // The data was still read: the unknown key is reported too.
    assert.ok(result.problems.some((p) => p.code === "GH_CONFIG_UNKNOWN_KEY" && p.path === "x"));
  });

  test("the same bytes read from a file: the byte-order mark is dropped the same way", () => {
    const result = checkBytes(
      "bom.json",
      '\uFEFF{"routes": [{"match": "/", "upstream": "http://127.0.0.1:1"},]}',
    );
    assert.deepEqual(
      result.problems.map((p) => [p.line, p.column]),
      [[1, 61]],
    );
  });

  test("a bare * is quoted in the fix, on the line as it should be written", () => {
    const [problem] = check(`${MINIMAL}hosts: [*, a.example, *]\n`).problems;
    assert.equal(problem?.fix, 'Quote it: "*", as in `hosts: ["*", a.example, "*"]`.');
  });

  test("a trailing comma's why says where, and the fix says which comma", () => {
    const [problem] = check('{"routes": [{"match": "/", "upstream": "http://x"},]}', {
      file: "gatehouse.json",
    }).problems;
    assert.match(problem?.why ?? "", /^trailing comma after the last item of routes: /);
    assert.equal(problem?.fix, 'Remove the comma before "]".');
  });
});
