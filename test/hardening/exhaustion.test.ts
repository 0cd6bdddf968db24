/**
 * Exhaustion: Slowloris headers, trickled and unterminated bodies, bodies over the limit, many
 * idle WebSockets (a configurable cap), many stalled SSE streams. Stalled peers are cut by
 * timeouts and fresh requests are still served quickly.
 */
import assert from "node:assert/strict";
import { get } from "node:http";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import type { Door } from "./harness.js";
import {
  assertRefused,
  errorCode,
  openDoor,
  rawExchange,
  sleep,
  statuses,
  statusOf,
} from "./harness.js";

let d: Door;
before(async () => {
  d = await openDoor();
  d.upstream.handle("/sse-stall", (_req, res) => {
    res.writeHead(200, { "Content-Type": "text/event-stream" });
    res.write("data: first\n\n");
    // ...and then nothing, ever.
  });
});
after(() => d.close());

async function quickRequest(): Promise<number> {
  const started = Date.now();
  const reply = await rawExchange(
    d.port,
    "GET /fresh HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n",
  );
  assert.deepEqual(statuses(reply.text), [200]);
  return Date.now() - started;
}

describe("slow clients", () => {
  test("Slowloris headers are cut soon after headersTimeout", async () => {
    const parts = ["GET / HTTP/1.1\r\n", ...Array.from({ length: 30 }, (_, i) => `X-${i}: y\r\n`)];
    const reply = await rawExchange(d.port, parts, { gapMs: 100, timeoutMs: 1_500 });
    assert.ok(reply.closed, "cut");
    assert.ok(reply.ms < 1_500, `${reply.ms} ms`);
  });
  test("a trickled body is cut soon after requestTimeout", async () => {
    const parts = [
      "POST / HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 100\r\n\r\n",
      ...Array.from({ length: 30 }, () => "a"),
    ];
    const reply = await rawExchange(d.port, parts, { gapMs: 100, timeoutMs: 1_500 });
    assert.ok(reply.closed, "cut");
  });
  test("an unterminated chunked body is cut soon after requestTimeout", {}, async () => {
    const reply = await rawExchange(
      d.port,
      "POST / HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
      { timeoutMs: 1_500 },
    );
    assert.ok(reply.closed, "cut");
  });
  test("while 20 Slowloris peers hang on, fresh requests are served quickly", async () => {
    const hanging = Array.from({ length: 20 }, () =>
      rawExchange(d.port, ["GET / HTTP/1.1\r\n", "Host: gateway.test\r\n", "X-A: b\r\n"], {
        gapMs: 200,
        timeoutMs: 800,
      }),
    );
    await sleep(50);
    for (let i = 0; i < 5; i++) assert.ok((await quickRequest()) < 300);
    await Promise.all(hanging);
  });
});

describe("bodies over the limit", () => {
  test("declared Content-Length over the limit: 413 at once, closed, nothing upstream", async () => {
    const reply = await assertRefused(
      d,
      "POST / HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 10485760\r\n\r\nabc",
      [413],
    );
    assert.ok(reply.ms < 500, `${reply.ms} ms`);
    assert.equal(errorCode(reply.text), "GH_BODY_TOO_LARGE");
  });
  test("a chunked body over the limit is cut, and the upstream never records a whole request", async () => {
    const before = d.upstream.seen.length;
    const chunk = `${(16 * 1024).toString(16)}\r\n${"a".repeat(16 * 1024)}\r\n`;
    const reply = await rawExchange(
      d.port,
      [
        "POST /big HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding: chunked\r\n\r\n",
        ...Array(6).fill(chunk),
        "0\r\n\r\n",
      ],
      { timeoutMs: 2_000 },
    );
    assert.ok([413, 502, 0].includes(statusOf(reply.text)), reply.text.slice(0, 100));
    assert.ok(reply.closed);
    await sleep(50);
    assert.equal(d.upstream.seen.length, before);
  });
});

describe("WebSockets", () => {
  function open(): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${d.port}/ws`, {
        headers: { host: "gateway.test" },
      });
      ws.once("open", () => resolve(ws));
      ws.once("unexpected-response", (_req, res) =>
        reject(Object.assign(new Error(`status ${res.statusCode}`), { status: res.statusCode })),
      );
      ws.once("error", reject);
    });
  }
  test("the cap (maxWebSockets: 5) refuses the sixth before the upstream; idle ones are cut; then a new one opens", async () => {
    const before = d.upstream.upgrades.length;
    const sockets = await Promise.all(Array.from({ length: 5 }, open));
    await assert.rejects(open(), (e: { status?: number }) => e.status === 503);
    assert.equal(d.upstream.upgrades.length, before + 5);
    assert.equal(d.door.door.inFlight.websockets, 5);
    const closed = sockets.map((ws) => new Promise((r) => ws.once("close", r)));
    const started = Date.now();
    await Promise.all(closed);
    assert.ok(Date.now() - started < 1_500, "idle tunnels cut by streamIdleTimeout");
    await sleep(20);
    assert.equal(d.door.door.inFlight.websockets, 0);
    const fresh = await open();
    fresh.terminate();
  });
});

describe("stalled SSE streams", () => {
  test("40 stalled streams are cut by streamIdleTimeout; fresh requests are served meanwhile", async () => {
    const started = Date.now();
    const streams = Array.from(
      { length: 40 },
      () =>
        new Promise<{ events: number; ended: string }>((resolve) => {
          const req = get(
            {
              host: "127.0.0.1",
              port: d.port,
              path: "/sse-stall",
              headers: { host: "gateway.test" },
              agent: false,
            },
            (res) => {
              let events = 0;
              res.on("data", (c: Buffer) => {
                events += (c.toString().match(/\n\n/g) ?? []).length;
              });
              res.on("end", () => resolve({ events, ended: "end" }));
              res.on("error", () => resolve({ events, ended: "error" }));
              res.on("aborted", () => resolve({ events, ended: "aborted" }));
            },
          );
          req.on("error", () => resolve({ events: 0, ended: "request-error" }));
          req.setTimeout(3_000, () => {
            req.destroy();
            resolve({ events: 0, ended: "hang" });
          });
        }),
    );
    await sleep(100);
    assert.ok((await quickRequest()) < 300);
    const results = await Promise.all(streams);
    for (const r of results) {
      assert.notEqual(r.ended, "hang");
      assert.equal(r.events, 1);
    }
    assert.ok(Date.now() - started < 2_500, `${Date.now() - started} ms`);
    await sleep(50);
    assert.equal(d.door.door.inFlight.requests, 0);
  });
});
