/**
 * Helpers for the config tests: check YAML or JSON text as if it were a file in
 * test/fixtures/config/ (which has `ui/` for static routes and `tls/` for certificates), and
 * summarize the outcome as "CODE @ path :line" strings, so tests never depend on wording.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { ConfigCheck, LoadOverrides } from "../../../src/door/config/index.js";
import { checkConfigText } from "../../../src/door/config/index.js";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/config/", import.meta.url));
export const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));

/** The smallest valid file; tests append what they exercise. */
export const MINIMAL = "routes:\n  - match: /\n    upstream: http://127.0.0.1:18789\n";

export function check(
  text: string,
  options: LoadOverrides & { readonly file?: string } = {},
): ConfigCheck {
  return checkConfigText(text, {
    file: options.file ?? "gatehouse.yaml",
    baseDir: FIXTURES,
    listen: options.listen,
    env: options.env ?? {},
  });
}

/** Problems as "CODE @ path :line" ("" when the path or the line is absent). */
export function problemsOf(text: string, options: Parameters<typeof check>[1] = {}): string[] {
  const result = check(text, options);
  if (result.ok) return [];
  assert.ok(result.problems.length > 0, "an invalid result must list a problem");
  for (const p of result.problems) {
    assert.ok(p.why.length > 0 && p.fix.length > 0, `${p.code} at ${p.path} lacks why or fix`);
  }
  return result.problems.map((p) => `${p.code} @ ${p.path} :${p.line ?? ""}`);
}

/** Lints as "CODE @ path :line". */
export function lintsOf(text: string, options: Parameters<typeof check>[1] = {}): string[] {
  const result = check(text, options);
  assert.ok(result.ok, `expected a valid config, got ${JSON.stringify(result.problems, null, 2)}`);
  return result.lints.map((l) => `${l.code} @ ${l.path} :${l.line ?? ""}`);
}

/** The config of a valid file (fails the test otherwise). */
export function configOf(text: string, options: Parameters<typeof check>[1] = {}) {
  const result = check(text, options);
  assert.ok(result.ok, `expected a valid config, got ${JSON.stringify(result.problems, null, 2)}`);
  return result.config;
}
