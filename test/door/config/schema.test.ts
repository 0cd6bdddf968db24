/**
 * schema/gatehouse.schema.json is generated from the loader's zod schema and must stay in step
 * with it; every key documents its default (or that it is required) for editors. The new
 * GH_CONFIG_* codes are documented in docs/errors.md like the others.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { renderConfigSchema, SCHEMA_PATH } from "../../../scripts/config-schema.js";
import { renderErrorsDoc } from "../../../scripts/errors-doc.js";
import { CONFIG_ERROR_CODES, LINT_CODES, REASON_CODES } from "../../../src/core/codes.js";
import { DOOR_CONFIG_CODES, DOOR_LINT_CODES } from "../../../src/door/config/codes.js";

const committed = readFileSync(new URL(`../../../${SCHEMA_PATH}`, import.meta.url), "utf8");

interface JsonSchema {
  readonly description?: string;
  readonly properties?: Record<string, JsonSchema>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
}

/** Every property of every object in the schema, with its key path and whether it is required. */
function properties(
  schema: JsonSchema,
  path = "",
): { path: string; schema: JsonSchema; required: boolean }[] {
  const out: { path: string; schema: JsonSchema; required: boolean }[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const at = path === "" ? key : `${path}.${key}`;
    out.push({ path: at, schema: child, required: schema.required?.includes(key) ?? false });
    out.push(...properties(child, at));
  }
  if (schema.items !== undefined) out.push(...properties(schema.items, `${path}[]`));
  for (const branch of schema.anyOf ?? []) out.push(...properties(branch, path));
  return out;
}

describe("the configuration's JSON Schema", () => {
  test("the committed file equals the generated one", () => {
    assert.equal(
      committed,
      renderConfigSchema(),
      "run: node --import tsx scripts/config-schema.ts --write",
    );
  });

  const schema = JSON.parse(committed) as JsonSchema & {
    $schema: string;
    additionalProperties: boolean;
  };
  const all = properties(schema);

  test("is draft-07 and refuses unknown keys", () => {
    assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required, ["routes"]);
  });

  test("every property has a description", () => {
    const missing = all.filter((p) => (p.schema.description ?? "").length < 20).map((p) => p.path);
    assert.deepEqual(missing, []);
  });

  test("every optional property states its default (or when it is required)", () => {
    const missing = all
      .filter(
        (p) =>
          !p.required &&
          p.path !== "$schema" &&
          !/default|required/i.test(p.schema.description ?? ""),
      )
      .map((p) => p.path);
    assert.deepEqual(missing, []);
  });

  test("covers every top-level key the loader reads", () => {
    assert.deepEqual(Object.keys(schema.properties ?? {}).sort(), [
      "$schema",
      "cors",
      "csrf",
      "debugHeader",
      "hosts",
      "inspector",
      "limits",
      "listen",
      "log",
      "publicOrigin",
      "routes",
      "tls",
      "trustProxy",
      "websocket",
    ]);
  });
});

describe("codes of the configuration loader", () => {
  const doc = renderErrorsDoc();
  test("GH_CONFIG_* codes follow the naming scheme and are documented", () => {
    for (const [code, info] of Object.entries(DOOR_CONFIG_CODES)) {
      assert.match(code, /^GH_CONFIG_[A-Z_]+$/);
      assert.match(doc, new RegExp(`\\| \`${code}\` +\\|`), code);
      assert.ok(info.title.length > 10 && info.howToSolve.length > 10, code);
    }
  });

  test("the loader's GH_LINT_* notes are documented, and unique across every family", () => {
    for (const [code, info] of Object.entries(DOOR_LINT_CODES)) {
      assert.match(code, /^GH_LINT_[A-Z_]+$/);
      assert.match(doc, new RegExp(`\\| \`${code}\` +\\|`), code);
      assert.ok(info.title.length > 10 && info.howToSolve.length > 10, code);
    }
    const all = [
      CONFIG_ERROR_CODES,
      LINT_CODES,
      DOOR_CONFIG_CODES,
      DOOR_LINT_CODES,
      REASON_CODES,
    ].flatMap((family) => Object.keys(family));
    assert.equal(new Set(all).size, all.length);
  });
});
