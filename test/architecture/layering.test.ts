/**
 * The layers of src/, pinned on every import the compiler sees (imports.ts). Type-only
 * imports count like any other: a type import still ties one layer's source to another's, and
 * a cycle of types is as hard to cut apart as a cycle of values.
 *
 *   1. src/core is the pure CORS engine: it imports nothing of the project outside src/core
 *      and no Node built-in, so it runs wherever `Request` and `Headers` do.
 *   2. src/adapters import src/core (and each other's shared helper) and their framework
 *      only: an adapter is a few lines over one decision, never a second engine.
 *   3. src/door, src/doctor and src/audit do not import one another: what they share
 *      lives in src/core.
 *   4. No import cycles anywhere in src/.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { findCycles } from "./cycles.js";
import type { ImportEdge, ImportGraph } from "./imports.js";
import { readImportGraph } from "./imports.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The packages each adapter exists to serve; any other package is a violation. */
const ADAPTER_FRAMEWORKS: Readonly<Record<string, readonly string[]>> = {
  "src/adapters/node.ts": ["node:http"],
  "src/adapters/fastify.ts": ["fastify"],
  "src/adapters/hono.ts": ["hono"],
};

/** Layers that must not import one another. */
const SEPARATE = ["src/door/", "src/doctor/", "src/audit/"] as const;

let graph: ImportGraph;
before(() => {
  graph = readImportGraph(ROOT, "tsconfig.build.json");
});

function* allImports(): Generator<[string, ImportEdge]> {
  for (const [file, edges] of graph.imports) for (const edge of edges) yield [file, edge];
}

function show(file: string, edge: ImportEdge): string {
  const kind = `${edge.typeOnly ? "type " : ""}${edge.form}`;
  return `${file}:${edge.line} ${kind} ${edge.specifier ?? "(computed)"}${edge.target ? ` (${edge.target})` : ""}`;
}

test("the compiler read every source file, and every import in them resolves", () => {
  const onDisk = readdirSync(`${ROOT}src`, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => `src/${f.split("\\").join("/")}`)
    .sort();
  assert.deepEqual(graph.files, onDisk);
  const unresolved = [...allImports()]
    .filter(([, e]) => e.specifier === null || (e.specifier.startsWith(".") && e.target === null))
    .map(([f, e]) => show(f, e));
  assert.deepEqual(unresolved, [], "computed or unresolvable specifiers cannot be checked");
  // The graph is not empty of what the rules below look at.
  const edges = [...allImports()].map(([f, e]) => `${f} -> ${e.target ?? e.specifier}`);
  for (const expected of [
    "src/core/index.ts -> src/core/policy.ts",
    "src/adapters/node.ts -> src/core/vary.ts",
    "src/door/compile.ts -> src/core/policy.ts",
    "src/index.ts -> src/core/index.ts",
  ]) {
    assert.ok(edges.includes(expected), `missing edge ${expected}`);
  }
});

test("src/core imports nothing of the project outside src/core, and no Node built-in", () => {
  const violations = [...allImports()]
    .filter(([file]) => file.startsWith("src/core/"))
    .filter(([, e]) => e.builtin || (e.target !== null && !e.target.startsWith("src/core/")))
    .map(([f, e]) => show(f, e));
  assert.deepEqual(violations, []);
});

test("src/adapters import only src/core and their own framework", () => {
  const violations = [...allImports()]
    .filter(([file]) => file.startsWith("src/adapters/"))
    .filter(([file, e]) => {
      if (e.target !== null)
        return !e.target.startsWith("src/core/") && !e.target.startsWith("src/adapters/");
      return !(ADAPTER_FRAMEWORKS[file] ?? []).includes(e.specifier ?? "");
    })
    .map(([f, e]) => show(f, e));
  assert.deepEqual(violations, []);
});

test("src/door, src/doctor and src/audit do not import one another", () => {
  const layerOf = (file: string) => SEPARATE.find((layer) => file.startsWith(layer));
  const violations = [...allImports()]
    .filter(([file, e]) => {
      const from = layerOf(file);
      const to = e.target === null ? undefined : layerOf(e.target);
      return from !== undefined && to !== undefined && from !== to;
    })
    .map(([f, e]) => show(f, e));
  assert.deepEqual(violations, []);
});

test("no import cycles in src/ (type-only imports included)", () => {
  const edges = new Map<string, string[]>();
  for (const file of graph.files) edges.set(file, []);
  for (const [file, e] of allImports()) {
    if (e.target !== null && !edges.get(file)?.includes(e.target)) edges.get(file)?.push(e.target);
  }
  assert.deepEqual(
    findCycles(edges).map(
      (cycle) => `${cycle.path.join(" -> ")} (the cycle joins ${cycle.files.join(", ")})`,
    ),
    [],
  );
});
