/**
 * Denials allocate nothing: a flood of refused preflights (the cheapest attack on a CORS layer)
 * must not turn into garbage-collector work. Each case runs in its own process with
 * --expose-gc and reports heap bytes per decide() after warm-up; a 16-byte array or a sliced
 * header name per call shows up as 16+ bytes.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { DENIALS } from "./fixtures/denial-allocations.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/denial-allocations.ts", import.meta.url));

for (const name of Object.keys(DENIALS)) {
  test(`no allocation per denial: ${name}`, () => {
    const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", FIXTURE, name], {
      encoding: "utf8",
    });
    const { bytesPerCall } = JSON.parse(out) as { bytesPerCall: number };
    // 0 in practice; a little slack for the runtime's own bookkeeping between the readings.
    assert.ok(bytesPerCall < 4, `${bytesPerCall.toFixed(2)} bytes per call`);
  });
}
