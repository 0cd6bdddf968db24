/**
 * What the door says, and what it logs, when something goes wrong or is refused: every answer
 * names the real cause (issue "First contact", section 3) and the door's own endpoints answer
 * whom they should. On the wire, with the log read back as JSON lines.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { after, before, describe, test } from "node:test";
import type { GatehouseConfig } from "../../src/door/config/types.js";
import { createLogger } from "../../src/door/log.js";
import type { Door } from "../../src/door/server.js";
import { createDoor } from "../../src/door/server.js";
import { rawExchange, statuses } from "../hardening/harness.js";
import type { RecordingUpstream } from "./fixtures.js";
import { recordingUpstream, send, testConfig, upstreamRoute } from "./fixtures.js";

type Line = Record<string, unknown>;

/** A door on port 0 whose log lines are collected. */
async function loggedDoor(
  config: GatehouseConfig,
): Promise<{ door: Door; port: number; lines: Line[] }> {
  const lines: Line[] = [];
  const stream = new PassThrough();
  stream.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n"))
      if (line.trim() !== "") lines.push(JSON.parse(line));
  });
  const withLog = { ...config, log: { level: "info", format: "json" } } as const;
  const door = createDoor(withLog, { logger: createLogger(withLog.log, stream) });
  const { port } = await door.listen();
  return { door, port, lines };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe("a refused Host says which Host, which are served, and which key", () => {
  let upstream: RecordingUpstream;
  let d: Awaited<ReturnType<typeof loggedDoor>>;
  before(async () => {
    upstream = await recordingUpstream();
    d = await loggedDoor(
      testConfig([upstreamRoute(upstream.url)], { hosts: ["gateway.test", "127.0.0.1:8080"] }),
    );
  });
  after(async () => {
    await d.door.close();
    await upstream.close();
  });

  test("421 with the refused value, the served list and `hosts`", async () => {
    const reply = await send(d.port, { path: "/x", headers: { host: "rebind.example" } });
    assert.equal(reply.status, 421);
    const { error } = JSON.parse(reply.body) as { error: { code: string; message: string } };
    assert.equal(error.code, "GH_HOST_NOT_ALLOWED");
    assert.match(error.message, /"rebind\.example"/);
    assert.match(error.message, /gateway\.test, 127\.0\.0\.1:8080/);
    assert.match(error.message, /`hosts`/);
  });
});

describe("the door's own endpoints", () => {
  let upstream: RecordingUpstream;
  before(async () => {
    upstream = await recordingUpstream();
  });
  after(() => upstream.close());

  test("health answers a peer on this machine whatever its Host (container probes use an IP)", async () => {
    const d = await loggedDoor(
      testConfig([upstreamRoute(upstream.url)], { hosts: ["gateway.test"] }),
    );
    try {
      for (const host of ["10.1.2.3:8080", "gateway.test", "localhost"]) {
        const reply = await send(d.port, { path: "/_gatehouse/health", headers: { host } });
        assert.equal(reply.status, 200, host);
        assert.equal((JSON.parse(reply.body) as { status: string }).status, "ok");
      }
      // Other paths keep the Host check.
      const other = await send(d.port, { path: "/x", headers: { host: "10.1.2.3:8080" } });
      assert.equal(other.status, 421);
    } finally {
      await d.door.close();
    }
  });

  test("the policy is served to clients the inspector admits, and to nobody when it is off", async () => {
    const off = await loggedDoor(testConfig([upstreamRoute(upstream.url)]));
    try {
      const reply = await send(off.port, { path: "/_gatehouse/policy" });
      assert.equal(reply.status, 404);
    } finally {
      await off.door.close();
    }
    const token = "t0ken-for-the-inspector";
    const guarded = await loggedDoor(
      testConfig([upstreamRoute(upstream.url)], { inspector: { enabled: true, token } }),
    );
    try {
      const without = await send(guarded.port, { path: "/_gatehouse/policy" });
      assert.equal(without.status, 404);
      const withToken = await send(guarded.port, {
        path: "/_gatehouse/policy",
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(withToken.status, 200);
      const policy = JSON.parse(withToken.body) as { routes: { match: string }[] };
      assert.deepEqual(
        policy.routes.map((r) => r.match),
        ["/"],
      );
      assert.doesNotMatch(withToken.body, /127\.0\.0\.1:\d+/, "no upstream address");
    } finally {
      await guarded.door.close();
    }
    const local = await loggedDoor(
      testConfig([upstreamRoute(upstream.url)], { inspector: { enabled: true, token: null } }),
    );
    try {
      const reply = await send(local.port, { path: "/_gatehouse/policy" });
      assert.equal(reply.status, 200, "a direct client on this machine");
    } finally {
      await local.door.close();
    }
  });
});

describe("failures are named for what happened", () => {
  test("upstream response headers over the limit: GH_UPSTREAM_HEADERS_TOO_LARGE, not a reset", async () => {
    const big = createServer((_req, res) => {
      res.writeHead(200, { "x-huge": "h".repeat(70_000) });
      res.end("{}");
    });
    await new Promise<void>((r) => big.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(big.address() as AddressInfo).port}`;
    const d = await loggedDoor(testConfig([upstreamRoute(url)]));
    try {
      const reply = await send(d.port, { path: "/big" });
      assert.equal(reply.status, 502);
      assert.equal(
        (JSON.parse(reply.body) as { error: { code: string } }).error.code,
        "GH_UPSTREAM_HEADERS_TOO_LARGE",
      );
      await settle();
      assert.equal(d.lines.find((l) => l.path === "/big")?.error, "GH_UPSTREAM_HEADERS_TOO_LARGE");
    } finally {
      await d.door.close();
      big.closeAllConnections();
      big.close();
    }
  });

  test("a shutdown whose grace runs out blames the shutdown, not the upstream", async () => {
    const upstream = await recordingUpstream();
    upstream.handle("/slow", (_req, res) => {
      setTimeout(() => res.end("late"), 3_000).unref();
    });
    const config = testConfig([upstreamRoute(upstream.url)]);
    const d = await loggedDoor({ ...config, limits: { ...config.limits, shutdownGraceMs: 200 } });
    try {
      const pending = send(d.port, { path: "/slow" }).catch(() => null);
      await settle();
      await d.door.close();
      const reply = await pending;
      if (reply !== null) {
        assert.equal(reply.status, 503);
        assert.equal(
          (JSON.parse(reply.body) as { error: { code: string } }).error.code,
          "GH_SHUTDOWN_GRACE_EXPIRED",
        );
      }
      await settle();
      const line = d.lines.find((l) => l.path === "/slow");
      assert.equal(line?.error, "GH_SHUTDOWN_GRACE_EXPIRED", JSON.stringify(line));
    } finally {
      await upstream.close();
    }
  });

  test("431 carries the JSON body, the log line has the path, and limits.maxHeaderSize raises the limit", async () => {
    // An upstream that takes large heads itself, so a 431 can only be the door's.
    const upstream = createServer({ maxHeaderSize: 128 * 1024 }, (_req, res) => res.end("ok"));
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
    const config = testConfig([
      upstreamRoute(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`),
    ]);
    const small = await loggedDoor(config);
    const cookie = `big=${"c".repeat(20_000)}`;
    const head = `GET /with-cookies HTTP/1.1\r\nHost: gateway.test\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`;
    try {
      const reply = await rawExchange(small.port, head);
      assert.deepEqual(statuses(reply.text), [431]);
      assert.match(reply.text, /content-type: application\/json/i);
      assert.match(reply.text, /"code":"GH_HEADERS_TOO_LARGE"/);
      await settle();
      const line = small.lines.find((l) => l.error === "GH_HEADERS_TOO_LARGE");
      assert.equal(line?.path, "/with-cookies");
      assert.equal(line?.status, 431);
    } finally {
      await small.door.close();
    }
    const large = await loggedDoor({
      ...config,
      limits: { ...config.limits, maxHeaderBytes: 64 * 1024 },
    });
    try {
      const reply = await rawExchange(large.port, head);
      assert.deepEqual(statuses(reply.text), [200]);
    } finally {
      await large.door.close();
      upstream.closeAllConnections();
      upstream.close();
    }
  });

  test("an upstream redirect to its own address is rewritten to the public origin", async () => {
    const upstream = await recordingUpstream();
    const own = new URL(upstream.url);
    upstream.handle("/login", (_req, res) => {
      res.writeHead(302, { location: `${own.origin}/home?x=1` });
      res.end();
    });
    upstream.handle("/elsewhere", (_req, res) => {
      res.writeHead(302, { location: "https://idp.example/authorize" });
      res.end();
    });
    upstream.handle("/api/strip", (_req, res) => {
      res.writeHead(301, { location: `${own.origin}/api/next` });
      res.end();
    });
    const d = await loggedDoor(
      testConfig([
        upstreamRoute(`${upstream.url}/api`, "/v1", { stripPrefix: true }),
        upstreamRoute(upstream.url),
      ]),
    );
    try {
      const login = await send(d.port, { path: "/login" });
      assert.equal(login.headers.location, "http://gateway.test/home?x=1");
      const elsewhere = await send(d.port, { path: "/elsewhere" });
      assert.equal(elsewhere.headers.location, "https://idp.example/authorize");
      // /v1/strip -> upstream /api/strip; its /api/next is the door's /v1/next.
      const stripped = await send(d.port, { path: "/v1/strip" });
      assert.equal(stripped.headers.location, "http://gateway.test/v1/next");
    } finally {
      await d.door.close();
      await upstream.close();
    }
  });
});
