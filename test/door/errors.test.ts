/** DoorError joins the common error root, and keeps its code's status and text. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CorsConfigError, corsPolicy, GatehouseError } from "../../src/core/index.js";
import { ConfigError, loadConfig } from "../../src/door/config/index.js";
import { DOOR_ERROR_CODES, DoorError, errorBody, rawErrorResponse } from "../../src/door/errors.js";

test("every error Gatehouse throws on purpose is a GatehouseError with a stable code", () => {
  const cause = new Error("ECONNREFUSED");
  const request = new DoorError("GH_UPSTREAM_UNREACHABLE", undefined, { cause });
  assert.ok(request instanceof GatehouseError);
  assert.equal(request.code, "GH_UPSTREAM_UNREACHABLE");
  assert.equal(request.status, 502);
  assert.equal(request.name, "DoorError");
  assert.equal(request.message, DOOR_ERROR_CODES.GH_UPSTREAM_UNREACHABLE.title);
  assert.equal(request.cause, cause);

  // The engine's and the loader's errors share the root, so one catch tells them from bugs.
  const thrown: readonly [() => unknown, string, new (...args: never[]) => Error][] = [
    [
      () => corsPolicy({ allowOrigins: ["https://a.example/"] }),
      "GH_CORS_CONFIG_INVALID",
      CorsConfigError,
    ],
    [() => loadConfig(null), "GH_CONFIG_INVALID", ConfigError],
  ];
  for (const [run, code, type] of thrown) {
    assert.throws(run, (error) => {
      assert.ok(error instanceof type && error instanceof GatehouseError, code);
      assert.equal(error.code, code);
      return true;
    });
  }
});

test("every request-time code answers with its own status, message and id", () => {
  for (const [code, info] of Object.entries(DOOR_ERROR_CODES)) {
    const error = new DoorError(code as keyof typeof DOOR_ERROR_CODES);
    assert.equal(error.status, info.status, code);
    assert.deepEqual(JSON.parse(errorBody(error, "gh_x")), {
      error: { code, message: info.title, id: "gh_x" },
    });
    assert.match(rawErrorResponse(error, "gh_x"), new RegExp(`^HTTP/1\\.1 ${info.status} [A-Z]`));
  }
});
