/**
 * Graceful shutdown: stop accepting, let in-flight requests and streams finish within the
 * grace period, close WebSockets with 1001.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import WebSocket from "ws";
import { DEFAULT_LIMITS } from "../../src/door/config/types.js";
import { recordingUpstream, send, startDoor, testConfig, upstreamRoute } from "./fixtures.js";

test("in-flight requests finish, new connections are refused, WebSockets get 1001", async () => {
  const upstream = await recordingUpstream();
  upstream.handle("/slow", (_req, res) => {
    setTimeout(() => res.end("finished"), 300);
  });
  const door = await startDoor(
    testConfig([upstreamRoute(upstream.url)], {
      limits: { ...DEFAULT_LIMITS, shutdownGraceMs: 3_000 },
    }),
  );
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${door.port}/ws`, {
      headers: { host: "gateway.test" },
    });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const wsClosed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    const inFlight = send(door.port, { path: "/slow" });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(door.door.inFlight.requests, 1);
    const closing = door.close();
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(send(door.port, { path: "/late" }), /ECONNREFUSED|ECONNRESET/);
    const reply = await inFlight;
    assert.equal(reply.status, 200);
    assert.equal(reply.body, "finished");
    assert.equal(await wsClosed, 1001);
    await closing;
    assert.deepEqual(door.door.inFlight, { requests: 0, websockets: 0 });
  } finally {
    await door.close();
    await upstream.close();
  }
});

test("streams still open at the deadline are cut, and close() resolves", async () => {
  const upstream = await recordingUpstream();
  upstream.handle("/forever", (_req, res) => {
    res.writeHead(200, { "Content-Type": "text/event-stream" });
    const timer = setInterval(() => res.write("data: x\n\n"), 20);
    res.on("close", () => clearInterval(timer));
  });
  const door = await startDoor(
    testConfig([upstreamRoute(upstream.url)], {
      limits: { ...DEFAULT_LIMITS, shutdownGraceMs: 300 },
    }),
  );
  try {
    const stream = send(door.port, { path: "/forever" }).catch((error: Error) => error);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await door.close();
    assert.ok(
      Date.now() - started < 2_000,
      "close() waited no longer than the grace period (plus a little)",
    );
    assert.ok((await stream) instanceof Error, "the cut stream ends in error on the client");
  } finally {
    await upstream.close();
  }
});
