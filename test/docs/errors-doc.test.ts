/**
 * Every code is documented, and no code is raised without a registry. Each layer owns its codes;
 * scripts/errors-doc.ts collects every registry into docs/errors.md. These tests fail on a code
 * missing from the docs, a documented code no registry holds, a stale docs file, and a code
 * string in src/ (or in the README and docs) that no registry holds.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { CODE_FAMILIES, renderErrorsDoc } from "../../scripts/errors-doc.js";
import { statusText } from "../../src/door/errors.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(join(root, path), "utf8");
const doc = read("docs/errors.md");

/** Codes in the first column of the Markdown tables, in order, repeats kept. */
function documentedCodes(markdown: string): string[] {
  return [...markdown.matchAll(/^\| `([A-Z][A-Z0-9_]*)` +\|/gm)].map((m) => m[1] ?? "");
}

/**
 * Code-like strings in a source text: every `GH_` word (in literals, keys and comments alike),
 * and `CORS_` words in quotes (decision reasons; bare `CORS_` words could be constants).
 * Prefixes written as `GH_CORS_*` end in `_` and are not codes.
 */
function mentionedCodes(text: string): string[] {
  const gh = [...text.matchAll(/\bGH_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]);
  const reasons = [...text.matchAll(/["'`](CORS_[A-Z0-9_]*[A-Z0-9])["'`]/g)].map((m) => m[1] ?? "");
  return [...gh, ...reasons];
}

interface Drift {
  readonly undocumented: readonly string[];
  readonly unregistered: readonly string[];
  readonly repeated: readonly string[];
}

/** How a docs file and the registries disagree; all three lists empty when they agree. */
function drift(registered: ReadonlySet<string>, documented: readonly string[]): Drift {
  const seen = new Set(documented);
  return {
    undocumented: [...registered].filter((code) => !seen.has(code)),
    unregistered: [...seen].filter((code) => !registered.has(code)),
    repeated: documented.filter((code, i) => documented.indexOf(code) !== i),
  };
}

/** Code-like strings in the texts that no registry holds, each with the file it is in. */
function strays(registered: ReadonlySet<string>, files: ReadonlyMap<string, string>): string[] {
  return [...files].flatMap(([file, text]) =>
    mentionedCodes(text)
      .filter((code) => !registered.has(code))
      .map((code) => `${code} in ${file}`),
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|html)$/.test(entry.name) ? [path] : [];
  });
}

const allCodes = CODE_FAMILIES.flatMap((family) => Object.keys(family.codes));
const registered = new Set(allCodes);

describe("docs/errors.md and the registries", () => {
  test("docs/errors.md is what scripts/errors-doc.ts renders", () => {
    assert.equal(doc, renderErrorsDoc(), "run: node --import tsx scripts/errors-doc.ts --write");
  });

  test("every registered code is documented once, and every documented code is registered", () => {
    assert.deepEqual(drift(registered, documentedCodes(doc)), {
      undocumented: [],
      unregistered: [],
      repeated: [],
    });
  });

  test("every code in src/ belongs to a registry, so an unregistered code cannot be raised", () => {
    const files = new Map(sourceFiles("src").map((path) => [path, read(path)]));
    assert.ok(files.size > 50, "the scan found the sources");
    assert.deepEqual(strays(registered, files), []);
    // The scan sees the codes that are raised, not only the registries' keys.
    const raised = new Set(
      [...files]
        .filter(([path]) => !/\/codes\.ts$|\/gateway\/errors\.ts$/.test(path))
        .flatMap(([, text]) => mentionedCodes(text)),
    );
    for (const code of ["GH_HOST_NOT_ALLOWED", "GH_CSRF_REFUSED", "GH_UPSTREAM_TIMEOUT"]) {
      assert.ok(raised.has(code), code);
    }
  });

  test("the README and the other docs name only registered codes", () => {
    const docs = readdirSync(join(root, "docs"))
      .filter((name) => name.endsWith(".md") && name !== "errors.md")
      .map((name) => `docs/${name}`);
    const files = new Map(["README.md", ...docs].map((path) => [path, read(path)]));
    assert.deepEqual(strays(registered, files), []);
  });

  test("codes are unique across families, follow their family's scheme and are explained", () => {
    assert.equal(new Set(allCodes).size, allCodes.length, "a code is in two families");
    for (const family of CODE_FAMILIES) {
      assert.ok(Object.keys(family.codes).length > 0, family.name);
      assert.ok(read(family.source).includes(`export const ${family.name} =`), family.name);
      for (const [code, info] of Object.entries(family.codes)) {
        assert.match(code, family.pattern, `${code} in ${family.name}`);
        assert.ok(info.title.length > 10 && info.howToSolve.length > 10, code);
        if (info.status !== undefined) assert.notEqual(statusText(info.status), "Error", code);
      }
    }
  });
});

describe("the checks catch a bogus code", () => {
  const known = new Set(["GH_HOST_MISSING", "CORS_ALLOWED"]);
  const row = (code: string) => `| \`${code}\` | A title.    | A fix.      |`;
  const cases: readonly [name: string, docs: readonly string[], expected: Drift][] = [
    [
      "in sync",
      [row("GH_HOST_MISSING"), row("CORS_ALLOWED")],
      { undocumented: [], unregistered: [], repeated: [] },
    ],
    [
      "registered, not documented",
      [row("CORS_ALLOWED")],
      { undocumented: ["GH_HOST_MISSING"], unregistered: [], repeated: [] },
    ],
    [
      "documented, not registered",
      [row("GH_HOST_MISSING"), row("CORS_ALLOWED"), row("GH_BOGUS")],
      { undocumented: [], unregistered: ["GH_BOGUS"], repeated: [] },
    ],
    [
      "documented twice",
      [row("GH_HOST_MISSING"), row("CORS_ALLOWED"), row("CORS_ALLOWED")],
      { undocumented: [], unregistered: [], repeated: ["CORS_ALLOWED"] },
    ],
  ];
  for (const [name, rows, expected] of cases) {
    test(`docs: ${name}`, () => {
      assert.deepEqual(drift(known, documentedCodes(rows.join("\n"))), expected);
    });
  }

  const sources: readonly [name: string, text: string, expected: readonly string[]][] = [
    ["a registered code", `new DoorError("GH_HOST_MISSING")`, []],
    ["a raised code no registry holds", `new DoorError("GH_BOGUS_CODE")`, ["GH_BOGUS_CODE"]],
    ["a code in a template", "code: `GH_BOGUS`,", ["GH_BOGUS"]],
    ["a registry key", "  GH_BOGUS: {", ["GH_BOGUS"]],
    ["an unregistered decision reason", `reason("CORS_BOGUS")`, ["CORS_BOGUS"]],
    ["a family prefix in a comment", "// carries the `GH_CORS_*` codes", []],
    ["an error id", `"gh_Qm3v0a1Z"`, []],
    ["a constant named CORS_", "const CORS_TABLE = 1;", []],
  ];
  for (const [name, text, expected] of sources) {
    test(`sources: ${name}`, () => {
      const found = strays(known, new Map([["x.ts", text]]));
      assert.deepEqual(
        found,
        expected.map((code) => `${code} in x.ts`),
      );
    });
  }
});
