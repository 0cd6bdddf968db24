/**
 * One log line per request, with method, path, status, duration, route, upstream, CORS verdict
 * and reason, and the same error id the client was given.
 */
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { createLogger } from "../../src/door/log.js";
import { createDoor } from "../../src/door/server.js";
import { recordingUpstream, send, testConfig, upstreamRoute } from "./fixtures.js";

/** A stream for the logger, and the JSON records written to it. */
function jsonLines(): { lines: Record<string, unknown>[]; stream: PassThrough } {
  const lines: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n"))
      if (line.trim() !== "") lines.push(JSON.parse(line));
  });
  return { lines, stream };
}

test("each request logs one JSON line; an error's id matches the one the client got", async () => {
  const upstream = await recordingUpstream();
  const { lines, stream } = jsonLines();
  const config = testConfig(
    [upstreamRoute("http://127.0.0.1:1", "/dead"), upstreamRoute(upstream.url)],
    {
      cors: { allowOrigins: ["https://app.example.com"] },
      log: { level: "info", format: "json" },
    },
  );
  const gateway = createDoor(config, { logger: createLogger(config.log, stream) });
  const { port } = await gateway.listen();
  try {
    await send(port, { path: "/v1/models", headers: { origin: "https://app.example.com" } });
    const failed = await send(port, { path: "/dead/x" });
    const id = (JSON.parse(failed.body) as { error: { id: string } }).error.id;
    await new Promise((r) => setTimeout(r, 50));
    const ok = lines.find((l) => l.path === "/v1/models");
    assert.ok(ok, "a line for the proxied request");
    assert.equal(ok.method, "GET");
    assert.equal(ok.status, 200);
    assert.equal(typeof ok.ms, "number");
    assert.equal(ok.upstream, new URL(upstream.url).origin);
    assert.equal(ok.cors, "actual:allowed:CORS_ALLOWED");
    const bad = lines.find((l) => l.path === "/dead/x");
    assert.ok(bad, "a line for the failed request");
    assert.equal(bad.status, 502);
    assert.equal(bad.error, "GH_UPSTREAM_UNREACHABLE");
    assert.equal(bad.errorId, id);
    assert.equal(
      lines.filter((l) => l.path === "/v1/models").length,
      1,
      "exactly one line per request",
    );
  } finally {
    await gateway.close();
    await upstream.close();
  }
});

test("on a terminal (pretty), each request is one line", async () => {
  const upstream = await recordingUpstream();
  let text = "";
  const stream = new PassThrough();
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  const config = testConfig([upstreamRoute(upstream.url)], {
    log: { level: "info", format: "pretty" },
  });
  const door = createDoor(config, { logger: createLogger(config.log, stream) });
  const { port } = await door.listen();
  try {
    await send(port, { path: "/one" });
    await send(port, { path: "/two", headers: { origin: "https://elsewhere.example" } });
    await new Promise((r) => setTimeout(r, 100));
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    assert.equal(lines.length, 2, text);
    assert.match(lines[0] as string, /\/one/);
    assert.match(lines[0] as string, /no-origin/, "a request without Origin is logged as such");
    assert.match(lines[1] as string, /\/two/);
  } finally {
    await door.close();
    await upstream.close();
  }
});

test("same-origin requests and requests without Origin are logged as such, never as denied", async () => {
  const upstream = await recordingUpstream();
  const { lines, stream } = jsonLines();
  // No cors section: the single-origin set-up the door exists for (the demo's own UI).
  const config = testConfig([upstreamRoute(upstream.url)], {
    log: { level: "info", format: "json" },
  });
  const door = createDoor(config, { logger: createLogger(config.log, stream) });
  const { port } = await door.listen();
  try {
    await send(port, { path: "/same", method: "POST", headers: { origin: "http://gateway.test" } });
    await send(port, {
      path: "/own-host",
      headers: { origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` },
    });
    await send(port, { path: "/none" });
    await send(port, { path: "/foreign", headers: { origin: "https://elsewhere.example" } });
    await new Promise((r) => setTimeout(r, 50));
    const cors = (path: string) => lines.find((l) => l.path === path)?.cors;
    assert.equal(cors("/same"), "same-origin");
    assert.equal(cors("/own-host"), "same-origin");
    assert.equal(cors("/none"), "no-origin");
    assert.equal(cors("/foreign"), "actual:denied:CORS_NO_POLICY");
  } finally {
    await door.close();
    await upstream.close();
  }
});
