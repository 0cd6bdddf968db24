/**
 * The live inspector: off by default; loopback-only or token access; recent cross-origin CORS,
 * CSRF and WebSocket decisions streamed with their codes and fixes; the debug header.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import type { InspectorEntry } from "../../src/door/inspector/inspector.js";
import type { RecordingUpstream, RunningDoor } from "./fixtures.js";
import { recordingUpstream, send, startDoor, testConfig, upstreamRoute } from "./fixtures.js";

const cors = { allowOrigins: ["https://app.example.com"], allowMethods: ["PUT"] };
let upstream: RecordingUpstream;

before(async () => {
  upstream = await recordingUpstream();
});
after(() => upstream.close());

/** Opens the event stream and collects entries until `count` arrived (or 3 s passed). */
function collect(port: number, path: string, headers: Record<string, string> = {}) {
  const entries: InspectorEntry[] = [];
  let status = 0;
  let stop = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path, headers: { host: "gateway.test", ...headers } },
      (res) => {
        status = res.statusCode ?? 0;
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf("\n\n");
          while (end !== -1) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (event.startsWith("data: "))
              entries.push(JSON.parse(event.slice(6)) as InspectorEntry);
            end = buffer.indexOf("\n\n");
          }
        });
        resolve();
      },
    );
    req.on("error", reject);
    req.end();
    stop = () => req.destroy();
  });
  return {
    entries,
    ready,
    status: () => status,
    async until(count: number) {
      const deadline = Date.now() + 3_000;
      while (entries.length < count && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      return entries;
    },
    stop: () => stop(),
  };
}

describe("off by default", () => {
  let door: RunningDoor;
  before(async () => {
    door = await startDoor(testConfig([upstreamRoute(upstream.url)], { cors }));
  });
  after(() => door.close());
  test("the inspector paths are 404 and no debug header is sent", async () => {
    assert.equal((await send(door.port, { path: "/_gatehouse/inspector" })).status, 404);
    const reply = await send(door.port, { headers: { origin: "https://app.example.com" } });
    assert.equal(reply.headers["x-gatehouse-cors"], undefined);
  });
});

describe("inspector: true (direct loopback clients)", () => {
  let door: RunningDoor;
  before(async () => {
    door = await startDoor(
      testConfig([upstreamRoute(upstream.url)], {
        cors,
        inspector: { enabled: true, token: null },
        debugHeader: true,
      }),
    );
  });
  after(() => door.close());

  test("the page is served with a strict CSP", async () => {
    const page = await send(door.port, { path: "/_gatehouse/inspector" });
    assert.equal(page.status, 200);
    assert.match(page.body, /Gatehouse inspector/);
    assert.match(String(page.headers["content-security-policy"]), /script-src 'self'/);
    assert.equal((await send(door.port, { path: "/_gatehouse/inspector/app.js" })).status, 200);
  });

  test("cross-origin decisions stream live with their codes and fixes", async () => {
    const stream = collect(door.port, "/_gatehouse/inspector/events");
    await stream.ready;
    assert.equal(stream.status(), 200);
    const allowed = await send(door.port, {
      path: "/v1/models",
      headers: { origin: "https://app.example.com" },
    });
    assert.equal(
      allowed.headers["x-gatehouse-cors"],
      "CORS_ALLOWED",
      "the debug header names the reason",
    );
    await send(door.port, {
      method: "OPTIONS",
      path: "/v1/x",
      headers: { origin: "https://evil.example", "access-control-request-method": "PUT" },
    });
    await send(door.port, {
      method: "POST",
      path: "/v1/delete",
      headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    await new Promise<void>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${door.port}/ws`, {
        headers: { host: "gateway.test", origin: "https://evil.example" },
      });
      ws.on("error", () => resolve());
      ws.on("unexpected-response", () => resolve());
    });
    await send(door.port, { path: "/v1/models" }); // not cross-origin: not shown
    const entries = await stream.until(4);
    stream.stop();
    assert.deepEqual(
      entries.map((e) => [e.kind, e.verdict, e.code, e.origin, e.path]),
      [
        ["actual", "allowed", "CORS_ALLOWED", "https://app.example.com", "/v1/models"],
        ["preflight", "denied", "CORS_ORIGIN_NOT_ALLOWED", "https://evil.example", "/v1/x"],
        ["csrf", "denied", "GH_CSRF_REFUSED", "https://evil.example", "/v1/delete"],
        ["websocket", "denied", "GH_WS_ORIGIN_REFUSED", "https://evil.example", "/ws"],
      ],
    );
    assert.ok(
      entries.slice(1).every((e) => e.fix.length > 20),
      "every refusal carries its fix",
    );
  });

  test("a newly opened page first gets the recent decisions", async () => {
    const stream = collect(door.port, "/_gatehouse/inspector/events");
    const entries = await stream.until(4);
    stream.stop();
    assert.ok(entries.length >= 4);
  });
});

describe("who may see it", () => {
  test("behind a trusted proxy on loopback, loopback is not enough", async () => {
    const door = await startDoor(
      testConfig([upstreamRoute(upstream.url)], {
        inspector: { enabled: true, token: null },
        trustProxy: ["127.0.0.1"],
      }),
    );
    try {
      assert.equal((await send(door.port, { path: "/_gatehouse/inspector/events" })).status, 403);
    } finally {
      await door.close();
    }
  });

  test("with a token: only with that token, as a bearer or in the query", async () => {
    const token = "t0ken-with-enough-entropy";
    const door = await startDoor(
      testConfig([upstreamRoute(upstream.url)], { inspector: { enabled: true, token } }),
    );
    try {
      assert.equal((await send(door.port, { path: "/_gatehouse/inspector/events" })).status, 403);
      assert.equal(
        (
          await send(door.port, {
            path: "/_gatehouse/inspector/events?token=wrong-token-of-some-length",
          })
        ).status,
        403,
      );
      const bearer = collect(door.port, "/_gatehouse/inspector/events", {
        authorization: `Bearer ${token}`,
      });
      await bearer.ready;
      assert.equal(bearer.status(), 200);
      bearer.stop();
      const query = collect(door.port, `/_gatehouse/inspector/events?token=${token}`);
      await query.ready;
      assert.equal(query.status(), 200);
      query.stop();
    } finally {
      await door.close();
    }
  });

  test("an open event stream does not hold up shutdown", async () => {
    const door = await startDoor(
      testConfig([upstreamRoute(upstream.url)], { inspector: { enabled: true, token: null } }),
    );
    const stream = collect(door.port, "/_gatehouse/inspector/events");
    await stream.ready;
    const started = Date.now();
    await door.close();
    assert.ok(Date.now() - started < 1_000);
  });
});
