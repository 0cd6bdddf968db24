/**
 * Upstream faults: refused, reset mid-response, crash mid-SSE, restart (the pool recovers with
 * no failed request once it is back), and slow (504 after the configured timeout, nothing leaked).
 */
import assert from "node:assert/strict";
import type { IncomingMessage, Server } from "node:http";
import { createServer, get } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import type { Door } from "./harness.js";
import { openDoor, rawExchange, send, sleep, upstreamRoute } from "./harness.js";

let d: Door;
before(async () => {
  d = await openDoor({ limits: { upstreamHeadersTimeoutMs: 300 } });
  d.upstream.handle("/reset-mid-body", (_req, res) => {
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": "1000" });
    res.write("x".repeat(100));
    setTimeout(() => (res.socket as Socket | null)?.resetAndDestroy(), 30);
  });
  d.upstream.handle("/sse-crash", (_req, res) => {
    res.writeHead(200, { "Content-Type": "text/event-stream" });
    let n = 0;
    const timer = setInterval(() => {
      n++;
      if (n <= 3) res.write(`data: ${n}\n\n`);
      else {
        clearInterval(timer);
        (res.socket as Socket | null)?.destroy();
      }
    }, 20);
  });
  d.upstream.handle("/slow", (_req, res) => {
    const timer = setTimeout(() => res.end("late"), 3_000);
    res.on("close", () => clearTimeout(timer));
  });
});
after(() => d.close());

function stream(
  path: string,
  port = d.port,
): Promise<{ status: number; body: string; ended: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = get(
      { host: "127.0.0.1", port, path, headers: { host: "gateway.test" }, agent: false },
      (res: IncomingMessage) => {
        let body = "";
        const done = (ended: string) =>
          resolve({ status: res.statusCode ?? 0, body, ended, ms: Date.now() - started });
        res.setEncoding("latin1");
        res.on("data", (c: string) => {
          body += c;
        });
        res.on("end", () => done(res.complete ? "end" : "incomplete"));
        res.on("aborted", () => done("aborted"));
        res.on("error", () => done("error"));
      },
    );
    req.on("error", () =>
      resolve({ status: 0, body: "", ended: "request-error", ms: Date.now() - started }),
    );
    req.setTimeout(3_000, () => {
      req.destroy();
      resolve({ status: 0, body: "", ended: "hang", ms: Date.now() - started });
    });
  });
}

describe("faults mid-response", () => {
  test("reset mid-body: the client sees an error or an incomplete body, never a hang", async () => {
    const r = await stream("/reset-mid-body");
    assert.equal(r.status, 200);
    assert.ok(["aborted", "error", "incomplete"].includes(r.ended), r.ended);
    assert.ok(r.body.length < 1000);
    assert.ok(r.ms < 1_500);
  });
  test("crash mid-SSE: every event sent arrives, then the stream ends in error, fast", async () => {
    const r = await stream("/sse-crash");
    assert.equal(r.status, 200);
    assert.equal(r.body, "data: 1\n\ndata: 2\n\ndata: 3\n\n");
    assert.ok(["aborted", "error", "incomplete"].includes(r.ended), r.ended);
    assert.ok(r.ms < 1_500, `${r.ms} ms`);
  });
  test("slow upstream: 504 after upstreamHeadersTimeout, the upstream request is abandoned, nothing in flight", async () => {
    const started = Date.now();
    const reply = await send(d.port, { path: "/slow" });
    const ms = Date.now() - started;
    assert.equal(reply.status, 504);
    assert.match(reply.body, /GH_UPSTREAM_TIMEOUT/);
    assert.ok(ms >= 250 && ms < 1_500, `${ms} ms`);
    await sleep(100);
    assert.ok(d.upstream.closedEarly.includes("/slow"), "the upstream saw the abandon");
    assert.equal(d.door.door.inFlight.requests, 0);
    const connections = await new Promise<number>((r) =>
      d.upstream.server.getConnections((_e, n) => r(n)),
    );
    assert.ok(connections <= 2, `upstream sockets still open: ${connections}`);
  });
});

describe("restart", () => {
  test("the pool recovers: no failed request once the upstream is back", async () => {
    let hits = 0;
    const handler = (_req: IncomingMessage, res: import("node:http").ServerResponse) => {
      hits++;
      res.end("ok");
    };
    let server: Server = createServer(handler);
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const door = await openDoor({ routes: () => [upstreamRoute(`http://127.0.0.1:${port}`)] });
    try {
      // Warm the pool with keep-alive sockets.
      const warm = await Promise.all(
        Array.from({ length: 6 }, () => send(door.port, { path: "/" })),
      );
      assert.deepEqual(
        warm.map((r) => r.status),
        Array(6).fill(200),
      );
      // Crash: every socket dies at once.
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      const down = await send(door.port, { path: "/" });
      assert.equal(down.status, 502);
      // Back on the same port.
      server = createServer(handler);
      await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
      const back = await Promise.all(
        Array.from({ length: 30 }, () => send(door.port, { path: "/" })),
      );
      assert.deepEqual(
        back.map((r) => r.status),
        Array(30).fill(200),
      );
      assert.ok(hits >= 36);
    } finally {
      await door.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
  test("an upstream that restarts silently (stale keep-alive sockets) costs no failed request", async () => {
    // The first server's sockets are destroyed without FIN reaching the pool before reuse.
    let server: Server = createServer((_req, res) => res.end("one"));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const door = await openDoor({ routes: () => [upstreamRoute(`http://127.0.0.1:${port}`)] });
    try {
      await Promise.all(Array.from({ length: 4 }, () => send(door.port, { path: "/" })));
      server.closeAllConnections();
      server.close();
      server = createServer((_req, res) => res.end("two"));
      await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
      await sleep(20);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => send(door.port, { path: "/" })),
      );
      assert.deepEqual(
        results.map((r) => `${r.status}:${r.body}`),
        Array(8).fill("200:two"),
      );
    } finally {
      await door.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

test("refused: 502 with an error id, and the next request to a live route is served", async () => {
  const dead = await openDoor({ routes: () => [upstreamRoute("http://127.0.0.1:1")] });
  try {
    const reply = await rawExchange(
      dead.port,
      "GET / HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n",
    );
    assert.match(reply.text, /^HTTP\/1\.1 502 /);
    assert.match(reply.text, /GH_UPSTREAM_UNREACHABLE/);
  } finally {
    await dead.close();
  }
  const ok = await send(d.port, { path: "/ok" });
  assert.equal(ok.status, 200);
});
