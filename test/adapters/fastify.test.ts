/**
 * Fastify plugin specifics: the per-route opt-out, preflights to paths without a route, an
 * app that has its own OPTIONS catch-all, and error replies.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import Fastify from "fastify";
import { cors } from "../../src/adapters/fastify.js";
import type { CorsConfig } from "../../src/index.js";
import type { TableRequest } from "../cases/cors-table.js";
import type { WireResponse } from "./harness.js";
import { assertAccessControl, keepAliveAgent, send, varyTokens } from "./harness.js";

const APP = "https://app.example.com";
const CONFIG: CorsConfig = { allowOrigins: [APP], allowMethods: ["PUT"] };
const PREFLIGHT_VARY = [
  "access-control-request-headers",
  "access-control-request-method",
  "access-control-request-private-network",
  "origin",
];

const agent = keepAliveAgent();
after(() => agent.destroy());

function get(origin: string): TableRequest {
  return { method: "GET", headers: { origin } };
}
function preflight(method: string): TableRequest {
  return { method: "OPTIONS", headers: { origin: APP, "access-control-request-method": method } };
}

async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  return (app.server.address() as AddressInfo).port;
}

function assertNoCors(res: WireResponse): void {
  assertAccessControl(res, {});
  assert.deepEqual(varyTokens(res), [], "no Vary: the route opted out");
}

describe("fastify: routes and paths", () => {
  const app = Fastify({ logger: false });
  let port = 0;
  let calls = 0;
  const handler = async (): Promise<string> => {
    calls++;
    return "ok";
  };
  before(async () => {
    await app.register(cors, CONFIG);
    app.get("/open", handler);
    app.route({ method: ["GET", "OPTIONS"], url: "/no-cors", config: { cors: false }, handler });
    app.get("/boom", async () => {
      throw new Error("boom");
    });
    port = await listen(app);
  });
  after(() => app.close());

  test("a route with CORS answers an allowed origin", async () => {
    const res = await send(port, get(APP), agent, "/open");
    assert.equal(res.status, 200);
    assertAccessControl(res, { "access-control-allow-origin": APP });
    assert.deepEqual(varyTokens(res), ["origin"]);
  });

  test("config: { cors: false } skips CORS on an actual request", async () => {
    const res = await send(port, get(APP), agent, "/no-cors");
    assert.equal(res.status, 200);
    assert.equal(res.body, "ok");
    assertNoCors(res);
  });

  test("config: { cors: false } lets a preflight through to the route's own handler", async () => {
    const before = calls;
    const res = await send(port, preflight("PUT"), agent, "/no-cors");
    assert.equal(res.status, 200);
    assert.equal(res.body, "ok");
    assertNoCors(res);
    assert.equal(calls - before, 1, "the route's handler answered");
  });

  test("a preflight to a path without a route is answered by the plugin, not 404", async () => {
    const before = calls;
    const allowed = await send(port, preflight("PUT"), agent, "/no/such/path");
    assert.equal(allowed.status, 204);
    assertAccessControl(allowed, {
      "access-control-allow-origin": APP,
      "access-control-allow-methods": "PUT",
    });
    assert.deepEqual(varyTokens(allowed), PREFLIGHT_VARY);
    const refused = await send(port, preflight("DELETE"), agent, "/no/such/path");
    assert.equal(refused.status, 403);
    assertAccessControl(refused, {});
    assert.deepEqual(varyTokens(refused), PREFLIGHT_VARY);
    assert.equal(calls, before, "no handler ran");
  });

  test("an OPTIONS that is not a preflight, to a path without a route: 404 with CORS headers", async () => {
    const res = await send(port, { method: "OPTIONS", headers: { origin: APP } }, agent, "/nope");
    assert.equal(res.status, 404);
    assertAccessControl(res, { "access-control-allow-origin": APP });
    assert.deepEqual(varyTokens(res), ["origin"]);
  });

  test("a GET to a path without a route: 404 with CORS headers", async () => {
    const res = await send(port, get(APP), agent, "/nope");
    assert.equal(res.status, 404);
    assertAccessControl(res, { "access-control-allow-origin": APP });
    assert.deepEqual(varyTokens(res), ["origin"]);
  });

  test("an error reply keeps its CORS headers, so the page can read the error", async () => {
    const res = await send(port, get(APP), agent, "/boom");
    assert.equal(res.status, 500);
    assertAccessControl(res, { "access-control-allow-origin": APP });
    assert.deepEqual(varyTokens(res), ["origin"]);
  });
});

test("fastify: the app's own OPTIONS catch-all does not take preflights from the plugin", async () => {
  const app = Fastify({ logger: false });
  let calls = 0;
  app.options("*", async () => {
    calls++;
    return "app";
  });
  await app.register(cors, CONFIG);
  const port = await listen(app);
  try {
    const res = await send(port, preflight("PUT"), agent, "/anything");
    assert.equal(res.status, 204);
    assertAccessControl(res, {
      "access-control-allow-origin": APP,
      "access-control-allow-methods": "PUT",
    });
    assert.equal(calls, 0, "the app's OPTIONS handler never saw the preflight");
    const plain = await send(port, { method: "OPTIONS", headers: { origin: APP } }, agent, "/x");
    assert.equal(plain.status, 200, "a plain OPTIONS still reaches the app's route");
    assert.equal(plain.body, "app");
    assertAccessControl(plain, { "access-control-allow-origin": APP });
  } finally {
    await app.close();
  }
});

test("a handler that sets its own Vary keeps Vary: Origin (merged again in onSend)", async () => {
  const app = Fastify();
  await app.register(cors, { allowOrigins: ["https://app.example.com"] });
  app.get("/own-vary", (_req, reply) => {
    reply.header("Vary", "Accept-Language");
    return "ok";
  });
  const res = await app.inject({
    method: "GET",
    url: "/own-vary",
    headers: { origin: "https://app.example.com" },
  });
  const tokens = String(res.headers.vary)
    .split(",")
    .map((t) => t.trim().toLowerCase());
  assert.ok(
    tokens.includes("origin") && tokens.includes("accept-language"),
    String(res.headers.vary),
  );
  assert.equal(res.headers["access-control-allow-origin"], "https://app.example.com");
  await app.close();
});
