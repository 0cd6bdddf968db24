/**
 * Upstream failures and oversized bodies: JSON answers with an error id (502, 504, 413), and
 * the front door keeps serving.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, test } from "node:test";
import { DEFAULT_LIMITS } from "../../src/door/config/types.js";
import type { RecordingUpstream, RunningDoor } from "./fixtures.js";
import { recordingUpstream, send, startDoor, testConfig, upstreamRoute } from "./fixtures.js";

let upstream: RecordingUpstream;
let door: RunningDoor;
let deadPort: number;
let resetPort: number;
const resetServer = createServer((socket) => socket.on("data", () => socket.resetAndDestroy()));

before(async () => {
  upstream = await recordingUpstream();
  upstream.handle("/slow", (_req, res) => {
    const timer = setTimeout(() => res.end("late"), 5_000);
    res.on("close", () => clearTimeout(timer));
  });
  upstream.handle("/crash-mid-body", (_req, res) => {
    res.writeHead(200, { "Content-Type": "text/event-stream" });
    res.write("data: one\n\n");
    setTimeout(() => res.socket?.destroy(), 50);
  });
  // A port nobody listens on: bind, note it, close.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  deadPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  await new Promise<void>((resolve) => resetServer.listen(0, "127.0.0.1", resolve));
  resetPort = (resetServer.address() as { port: number }).port;
  door = await startDoor(
    testConfig(
      [
        upstreamRoute(`http://127.0.0.1:${deadPort}`, "/dead"),
        upstreamRoute(`http://127.0.0.1:${resetPort}`, "/reset"),
        upstreamRoute(upstream.url, "/"),
      ],
      {
        limits: {
          ...DEFAULT_LIMITS,
          upstreamHeadersTimeoutMs: 300,
          maxBodyBytes: 1024,
          shutdownGraceMs: 500,
        },
      },
    ),
  );
});
after(async () => {
  await door.close();
  await upstream.close();
  await new Promise<void>((resolve) => resetServer.close(() => resolve()));
});

function errorOf(body: string): { code: string; id: string } {
  const parsed = JSON.parse(body) as { error: { code: string; id: string } };
  assert.match(parsed.error.id, /^gh_[\w-]+$/);
  return parsed.error;
}

test("upstream refuses the connection: 502 with a JSON body and an error id", async () => {
  const reply = await send(door.port, { path: "/dead/x" });
  assert.equal(reply.status, 502);
  assert.equal(errorOf(reply.body).code, "GH_UPSTREAM_UNREACHABLE");
  assert.equal(reply.headers["x-gatehouse-error-id"], errorOf(reply.body).id);
});

test("upstream resets the connection: 502", async () => {
  const reply = await send(door.port, { path: "/reset/x" });
  assert.equal(reply.status, 502);
  assert.equal(errorOf(reply.body).code, "GH_UPSTREAM_RESET");
});

test("upstream slower than the headers timeout: 504, and the upstream request is abandoned", async () => {
  const started = Date.now();
  const reply = await send(door.port, { path: "/slow" });
  assert.equal(reply.status, 504);
  assert.equal(errorOf(reply.body).code, "GH_UPSTREAM_TIMEOUT");
  assert.ok(Date.now() - started < 4_000);
});

test("upstream dies mid-stream: the client's stream ends in error, never hangs", async () => {
  await assert.rejects(
    send(door.port, { path: "/crash-mid-body" }),
    /aborted|socket hang up|ECONNRESET/,
  );
});

test("a body over the limit with Content-Length: 413 before any upstream write", async () => {
  const before = upstream.seen.length;
  const reply = await send(door.port, {
    method: "POST",
    path: "/upload",
    body: Buffer.alloc(2048),
  });
  assert.equal(reply.status, 413);
  assert.equal(errorOf(reply.body).code, "GH_BODY_TOO_LARGE");
  assert.equal(upstream.seen.length, before);
});

test("a chunked body that grows over the limit: 413, and the upstream never gets a whole request", async () => {
  const before = upstream.seen.length;
  const reply = await send(door.port, {
    method: "POST",
    path: "/upload",
    body: Buffer.alloc(4096),
    headers: { "transfer-encoding": "chunked" },
  });
  assert.equal(reply.status, 413);
  assert.equal(upstream.seen.length, before);
});

test("after all that, the door still serves", async () => {
  const reply = await send(door.port, { path: "/fine" });
  assert.equal(reply.status, 200);
});
