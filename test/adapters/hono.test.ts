/**
 * Hono middleware specifics: responses whose headers are immutable (fetch() results,
 * Response.redirect()), error responses, and preflights to paths without a route.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { Hono } from "hono";
import { cors } from "../../src/adapters/hono.js";
import type { TableRequest } from "../cases/cors-table.js";
import type { TestServer } from "./harness.js";
import {
  assertAccessControl,
  headerLines,
  keepAliveAgent,
  send,
  serveHono,
  varyTokens,
} from "./harness.js";

/** The platform's Response, taken before @hono/node-server swaps in its own at serve(). */
const PlatformResponse = globalThis.Response;

const APP = "https://app.example.com";
const EVIL = "https://evil.example";

const agent = keepAliveAgent();
after(() => agent.destroy());

function get(origin: string): TableRequest {
  return { method: "GET", headers: { origin } };
}

/** A plain upstream for fetch(): 200 "upstream", with its own Vary. */
function startUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.setHeader("Vary", "Accept-Encoding");
    res.end("upstream");
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

describe("hono: responses the adapter must copy or reach", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>> | undefined;
  let server: TestServer | undefined;
  before(async () => {
    upstream = await startUpstream();
    const target = upstream.url;
    const app = new Hono();
    app.use("*", cors({ allowOrigins: [APP], allowMethods: ["PUT"], exposeHeaders: ["x-id"] }));
    app.get("/proxy", () => fetch(target));
    app.get("/redirect", () => PlatformResponse.redirect("https://example.com/next", 302));
    app.get("/boom", () => {
      throw new Error("boom");
    });
    app.onError((_err, c) => c.text("failed", 500));
    server = await serveHono(app);
  });
  after(async () => {
    await server?.close();
    await upstream?.close();
  });
  const port = (): number => {
    assert.ok(server, "server started");
    return server.port;
  };

  test("the platform's Response.redirect() really has immutable headers", () => {
    const res = PlatformResponse.redirect("https://example.com/", 302);
    assert.throws(() => res.headers.set("x", "1"), TypeError);
  });

  test("a fetch() result (immutable headers) gets CORS headers and keeps its Vary", async () => {
    const res = await send(port(), get(APP), agent, "/proxy");
    assert.equal(res.status, 200);
    assert.equal(res.body, "upstream");
    assertAccessControl(res, {
      "access-control-allow-origin": APP,
      "access-control-expose-headers": "x-id",
    });
    assert.deepEqual(varyTokens(res), ["accept-encoding", "origin"]);
  });

  test("a fetch() result for a foreign origin still gets Vary: Origin", async () => {
    const res = await send(port(), get(EVIL), agent, "/proxy");
    assert.equal(res.status, 200);
    assertAccessControl(res, {});
    assert.deepEqual(varyTokens(res), ["accept-encoding", "origin"]);
  });

  test("a Response.redirect() (immutable headers) gets CORS headers", async () => {
    const res = await send(port(), get(APP), agent, "/redirect");
    assert.equal(res.status, 302);
    assert.deepEqual(headerLines(res, "location"), ["https://example.com/next"]);
    assertAccessControl(res, {
      "access-control-allow-origin": APP,
      "access-control-expose-headers": "x-id",
    });
    assert.deepEqual(varyTokens(res), ["origin"]);
  });

  test("an error response from onError keeps its CORS headers", async () => {
    const res = await send(port(), get(APP), agent, "/boom");
    assert.equal(res.status, 500);
    assert.equal(res.body, "failed");
    assertAccessControl(res, {
      "access-control-allow-origin": APP,
      "access-control-expose-headers": "x-id",
    });
  });

  test("a preflight to a path without a route is answered (204), not 404", async () => {
    const preflight: TableRequest = {
      method: "OPTIONS",
      headers: { origin: APP, "access-control-request-method": "PUT" },
    };
    const res = await send(port(), preflight, agent, "/no/such/path");
    assert.equal(res.status, 204);
    assertAccessControl(res, {
      "access-control-allow-origin": APP,
      "access-control-allow-methods": "PUT",
    });
  });

  test("a GET to a path without a route: 404 with CORS headers", async () => {
    const res = await send(port(), get(APP), agent, "/nope");
    assert.equal(res.status, 404);
    assertAccessControl(res, {
      "access-control-allow-origin": APP,
      "access-control-expose-headers": "x-id",
    });
    assert.deepEqual(varyTokens(res), ["origin"]);
  });
});
