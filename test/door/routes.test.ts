/**
 * Routing: first matching prefix wins, on label boundaries; per-route CORS overrides and
 * `cors: false`; stripPrefix and upstream base paths; trusted proxies extend X-Forwarded-For.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { RecordingUpstream, RunningDoor } from "./fixtures.js";
import { recordingUpstream, send, startDoor, testConfig, upstreamRoute } from "./fixtures.js";

let upstream: RecordingUpstream;
let door: RunningDoor;

before(async () => {
  upstream = await recordingUpstream();
  door = await startDoor(
    testConfig(
      [
        upstreamRoute(upstream.url, "/api", {
          cors: { allowOrigins: ["https://partner.example"], allowMethods: ["PUT"] },
        }),
        upstreamRoute(upstream.url, "/private", { cors: false }),
        upstreamRoute(`${upstream.url}/base/`, "/mounted", { stripPrefix: true }),
        upstreamRoute(upstream.url, "/v1"),
        upstreamRoute(`${upstream.url}/fallback`, "/"),
      ],
      { cors: { allowOrigins: ["https://app.example.com"] }, trustProxy: ["127.0.0.1"] },
    ),
  );
});
after(async () => {
  await door.close();
  await upstream.close();
});

async function pathSeenFor(path: string): Promise<string> {
  await send(door.port, { path });
  return upstream.seen.at(-1)?.url ?? "";
}

describe("prefixes", () => {
  test("/v1 covers /v1 and /v1/..., not /v1beta", async () => {
    assert.equal(await pathSeenFor("/v1"), "/v1");
    assert.equal(await pathSeenFor("/v1/models"), "/v1/models");
    assert.equal(await pathSeenFor("/v1beta/models"), "/fallback/v1beta/models");
  });
  test("stripPrefix removes the match and the upstream base path is prepended", async () => {
    assert.equal(await pathSeenFor("/mounted/x?q=1"), "/base/x?q=1");
    assert.equal(await pathSeenFor("/mounted"), "/base/");
  });
  test("routing uses the normalized path, which is also what is forwarded", async () => {
    assert.equal(await pathSeenFor("/v1/../api/x"), "/api/x");
    assert.equal(await pathSeenFor("//v1//models"), "/v1/models");
    assert.equal(await pathSeenFor("/%76%31/models"), "/v1/models");
  });
});

describe("per-route CORS", () => {
  const preflight = (path: string, origin: string) =>
    send(door.port, {
      method: "OPTIONS",
      path,
      headers: { origin, "access-control-request-method": "PUT" },
    });
  test("a route's own policy replaces the global one", async () => {
    assert.equal((await preflight("/api/x", "https://partner.example")).status, 204);
    assert.equal((await preflight("/api/x", "https://app.example.com")).status, 403);
  });
  test("the global policy applies where a route has none", async () => {
    const reply = await send(door.port, {
      path: "/v1/models",
      headers: { origin: "https://app.example.com" },
    });
    assert.equal(reply.headers["access-control-allow-origin"], "https://app.example.com");
  });
  test("cors: false grants nothing and varies on nothing", async () => {
    const reply = await send(door.port, {
      path: "/private/x",
      headers: { origin: "https://app.example.com" },
    });
    assert.equal(reply.headers["access-control-allow-origin"], undefined);
    assert.equal((await preflight("/private/x", "https://app.example.com")).status, 403);
  });
  test("the CSRF guard trusts each route's own allowlist", async () => {
    const post = (path: string, origin: string) =>
      send(door.port, {
        method: "POST",
        path,
        headers: { origin, "sec-fetch-site": "cross-site" },
      });
    assert.equal((await post("/api/x", "https://partner.example")).status, 200);
    assert.equal((await post("/v1/x", "https://partner.example")).status, 403);
    assert.equal((await post("/private/x", "https://app.example.com")).status, 403);
  });
});

describe("trusted proxies", () => {
  test("a trusted peer's X-Forwarded-For chain is extended, its proto and host kept", async () => {
    await send(door.port, {
      path: "/v1/x",
      headers: {
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "gateway.example.com",
      },
    });
    const seen = upstream.seen.at(-1);
    assert.equal(seen?.headers["x-forwarded-for"], "203.0.113.7, 127.0.0.1");
    assert.equal(seen?.headers["x-forwarded-proto"], "https");
    assert.equal(seen?.headers["x-forwarded-host"], "gateway.example.com");
  });
  test("even from a trusted peer, Forwarded and X-Real-IP do not pass", async () => {
    await send(door.port, {
      path: "/v1/x",
      headers: { forwarded: "for=1.2.3.4", "x-real-ip": "1.2.3.4" },
    });
    const seen = upstream.seen.at(-1);
    assert.equal(seen?.headers.forwarded, undefined);
    assert.equal(seen?.headers["x-real-ip"], undefined);
  });
});
