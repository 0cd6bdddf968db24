/**
 * Every file in examples/ must pass `gatehouse check` without warnings (notes are fine), and
 * point editors at the JSON Schema on its first line.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { checkConfigFile } from "../../../src/door/config/index.js";
import { EXAMPLES } from "./helpers.js";

const files = readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f));

describe("examples", () => {
  test("the three documented examples exist", () => {
    for (const name of ["openclaw.yaml", "ollama.yaml", "cross-origin.yaml"]) {
      assert.ok(files.includes(name), name);
    }
  });

  for (const file of files) {
    test(`${file} checks clean`, () => {
      const result = checkConfigFile(join(EXAMPLES, file), { env: {} });
      assert.deepEqual(result.problems, []);
      assert.deepEqual(
        result.lints.filter((l) => l.severity === "warning"),
        [],
        "examples must not carry warnings",
      );
    });

    test(`${file} references the schema on its first line`, () => {
      const [first] = readFileSync(join(EXAMPLES, file), "utf8").split("\n");
      assert.equal(first, "# yaml-language-server: $schema=../schema/gatehouse.schema.json");
    });
  }

  test("openclaw: the whole origin to the gateway, no CORS, CSRF on", () => {
    const result = checkConfigFile(join(EXAMPLES, "openclaw.yaml"), { env: {} });
    assert.ok(result.ok);
    const { config } = result;
    assert.equal(config.publicOrigin, "https://gateway.example.com");
    assert.deepEqual(config.hosts, ["gateway.example.com"]);
    assert.deepEqual(
      config.routes.map((r) => [r.match, r.kind === "upstream" ? r.upstream.href : r.root]),
      [["/", "http://127.0.0.1:18789/"]],
    );
    assert.equal(config.cors, null);
    assert.equal(config.csrf, true);
    assert.equal(config.tls, null);
  });

  test("ollama: model management endpoints are not routed", () => {
    const result = checkConfigFile(join(EXAMPLES, "ollama.yaml"), { env: {} });
    assert.ok(result.ok);
    const matches = result.config.routes.map((r) => r.match);
    assert.ok(matches.includes("/v1/") && matches.includes("/api/chat"));
    for (const path of ["/api/pull", "/api/delete", "/api/create", "/api/push", "/api/copy"]) {
      assert.ok(
        !matches.some(
          (m) => m === "/" || path === m || path.startsWith(m.endsWith("/") ? m : `${m}/`),
        ),
        `${path} must not be routed`,
      );
    }
  });

  test("cross-origin: the strict CORS section as written", () => {
    const result = checkConfigFile(join(EXAMPLES, "cross-origin.yaml"), { env: {} });
    assert.ok(result.ok);
    assert.deepEqual(result.config.cors, {
      allowOrigins: ["https://app.example.com"],
      allowCredentials: false,
      // POST is CORS-safelisted: always allowed, so the entry is dropped (with a note).
      allowMethods: [],
      allowHeaders: ["authorization", "content-type"],
      exposeHeaders: ["x-request-id"],
      allowPrivateNetwork: false,
      dangerouslyAllowInsecureOrigins: false,
      maxAge: 600,
    });
    assert.deepEqual(
      result.lints.map((l) => `${l.code} @ ${l.path}`),
      ["GH_LINT_SAFELISTED_METHOD @ cors.allowMethods[0]"],
    );
  });
});
