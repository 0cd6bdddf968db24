/**
 * A bad policy fails when the app is built, with every problem listed (CorsConfigError), never
 * on a request; and a policy is compiled once, when the adapter is made.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import express from "express";
import Fastify from "fastify";
import { cors as fastifyCors } from "../../src/adapters/fastify.js";
import { cors as honoCors } from "../../src/adapters/hono.js";
import { cors as nodeCors } from "../../src/adapters/node.js";
import type { CorsConfig } from "../../src/index.js";
import { CorsConfigError } from "../../src/index.js";
import type { WireResponse } from "./harness.js";
import { assertAccessControl, keepAliveAgent, send } from "./harness.js";

const APP = "https://app.example.com";
const EVIL = "https://evil.example";
/** Two problems: `*` with credentials, and a path in an origin. */
const BAD: CorsConfig = {
  allowOrigins: ["*", "https://app.example.com/path"],
  allowCredentials: true,
};

const agent = keepAliveAgent();
after(() => agent.destroy());

function isConfigError(err: unknown): boolean {
  return err instanceof CorsConfigError && err.problems.length >= 2;
}

test("express: cors(badConfig) throws CorsConfigError while the app is built", () => {
  const app = express();
  let mounted = false;
  assert.throws(() => {
    app.use(nodeCors(BAD));
    mounted = true;
  }, isConfigError);
  assert.equal(mounted, false, "nothing was mounted");
});

test("node: cors(badConfig) throws CorsConfigError at once", () => {
  assert.throws(() => nodeCors(BAD), isConfigError);
});

test("hono: cors(badConfig) throws CorsConfigError at once", () => {
  assert.throws(() => honoCors(BAD), isConfigError);
});

test("fastify: registering with a bad config fails start-up with CorsConfigError", async () => {
  const app = Fastify({ logger: false });
  try {
    await assert.rejects(async () => {
      await app.register(fastifyCors, BAD);
    }, isConfigError);
  } finally {
    await app.close().catch(() => {}); // the failed boot may already have closed it
  }
});

function listenExpress(app: express.Express): Promise<{ port: number; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      const address = server.address();
      assert.ok(address !== null && typeof address === "object");
      resolve({
        port: address.port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

function sendFrom(port: number, origin: string): Promise<WireResponse> {
  return send(port, { method: "GET", headers: { origin } }, agent);
}

test("express: the config is compiled by cors(), so changing it later changes nothing", async () => {
  const origins = [APP];
  const app = express();
  app.use(nodeCors({ allowOrigins: origins }));
  app.use((_req, res) => {
    res.send("ok");
  });
  origins.push(EVIL); // after the policy was compiled
  const server = await listenExpress(app);
  try {
    assertAccessControl(await sendFrom(server.port, APP), { "access-control-allow-origin": APP });
    assertAccessControl(await sendFrom(server.port, EVIL), {});
  } finally {
    await server.close();
  }
});
