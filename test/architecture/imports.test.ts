/**
 * The tools of the layering test, checked on known input, so that the layering test cannot
 * pass by reading too little: every import form is found (and nothing in comments or strings),
 * and cycles are found however they are shaped.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { findCycles } from "./cycles.js";
import { readImportGraph } from "./imports.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FORMS = "test/architecture/fixtures/import-forms";

describe("readImportGraph", () => {
  test("finds every import form, type-only ones and computed ones included", () => {
    const graph = readImportGraph(ROOT, `${FORMS}/tsconfig.json`);
    assert.ok(graph.files.includes(`${FORMS}/forms.ts`));
    const found = (graph.imports.get(`${FORMS}/forms.ts`) ?? []).map(
      (e) =>
        `${e.line} ${e.form}${e.typeOnly ? " type" : ""} ${e.specifier ?? "(computed)"} -> ${
          e.target ?? (e.builtin ? "built-in" : "-")
        }`,
    );
    assert.deepEqual(found, [
      "6 import node:path -> built-in",
      "8 import type fs -> built-in",
      `9 import type ./a.js -> ${FORMS}/a.ts`,
      `10 import ./b.js -> ${FORMS}/b.ts`,
      `11 import ./side-effect.js -> ${FORMS}/side-effect.ts`,
      `13 export-from ./c.js -> ${FORMS}/c.ts`,
      `14 export-from ./d.js -> ${FORMS}/d.ts`,
      `15 export-from type ./e.js -> ${FORMS}/e.ts`,
      `17 import-type type ./f.js -> ${FORMS}/f.ts`,
      `18 dynamic ./g.js -> ${FORMS}/g.ts`,
      "20 dynamic (computed) -> -",
    ]);
  });
});

describe("findCycles", () => {
  const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));
  const CASES: [string, Record<string, string[]>, string[][]][] = [
    ["none in a tree", { a: ["b", "c"], b: ["c"], c: [] }, []],
    ["two files", { a: ["b"], b: ["a"] }, [["a", "b", "a"]]],
    ["a file importing itself", { a: ["a"], b: ["a"] }, [["a", "a"]]],
    [
      "three files, entered from outside",
      { x: ["b"], a: ["b"], b: ["c"], c: ["a"] },
      [["a", "b", "c", "a"]],
    ],
    [
      "two separate cycles",
      { a: ["b"], b: ["a", "c"], c: ["d"], d: ["c"] },
      [
        ["a", "b", "a"],
        ["c", "d", "c"],
      ],
    ],
    [
      "the shortest way round a larger component",
      { a: ["b", "c"], b: ["c"], c: ["a"] },
      [["a", "c", "a"]],
    ],
  ];
  for (const [name, edges, cycles] of CASES) {
    test(name, () =>
      assert.deepEqual(
        findCycles(graph(edges)).map((c) => c.path),
        cycles,
      ),
    );
  }

  test("a cycle names every file of its component", () => {
    const edges = graph({ main: ["a", "b", "c"], a: ["main"], b: ["main"], c: [] });
    assert.deepEqual(findCycles(edges), [{ files: ["a", "b", "main"], path: ["a", "main", "a"] }]);
  });

  test("a chain deeper than the call stack", () => {
    const edges: Record<string, string[]> = {};
    const n = 50_000;
    for (let i = 0; i < n; i++) edges[`f${i}`] = [`f${i + 1}`];
    edges[`f${n}`] = ["f0"];
    const cycles = findCycles(graph(edges));
    assert.equal(cycles.length, 1);
    assert.equal(cycles[0]?.files.length, n + 1);
    assert.equal(cycles[0]?.path.length, n + 2);
  });
});
