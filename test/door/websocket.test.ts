/**
 * WebSocket upgrades through the door: Origin checked before any upstream connection,
 * subprotocols and close codes passed through, data both ways.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import type { RecordingUpstream, RunningDoor } from "./fixtures.js";
import { recordingUpstream, sendRaw, startDoor, testConfig, upstreamRoute } from "./fixtures.js";

let upstream: RecordingUpstream;
let door: RunningDoor;

before(async () => {
  upstream = await recordingUpstream();
  door = await startDoor(
    testConfig([upstreamRoute(upstream.url)], {
      cors: { allowOrigins: ["https://app.example.com"] },
      websocket: { allowOrigins: ["https://ui.example.com"] },
    }),
  );
});
after(async () => {
  await door.close();
  await upstream.close();
});

function open(headers: Record<string, string>, protocols?: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${door.port}/ws`, protocols, {
      headers: { host: "gateway.test", ...headers },
    });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) =>
      reject(Object.assign(new Error(`status ${res.statusCode}`), { status: res.statusCode })),
    );
    ws.once("error", reject);
  });
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve) =>
    ws.once("message", (data, binary) => resolve({ data: data as Buffer, binary })),
  );
}

describe("allowed upgrades", () => {
  test("same origin: text and binary echo through the tunnel", async () => {
    const ws = await open({ origin: "http://gateway.test" });
    ws.send("hello");
    assert.equal((await nextMessage(ws)).data.toString(), "hello");
    const blob = Buffer.from([0, 1, 2, 250, 255]);
    ws.send(blob);
    const echoed = await nextMessage(ws);
    assert.ok(echoed.binary);
    assert.ok(echoed.data.equals(blob));
    ws.close();
  });

  test("a large message passes intact (backpressure both ways)", async () => {
    const ws = await open({ origin: "http://gateway.test" });
    const big = Buffer.alloc(8 * 1024 * 1024, 0x5a);
    ws.send(big);
    const echoed = await nextMessage(ws);
    assert.equal(echoed.data.length, big.length);
    assert.ok(echoed.data.equals(big));
    ws.close();
  });

  test("an origin from websocket.allowOrigins passes; the subprotocol is negotiated end to end", async () => {
    const ws = await open({ origin: "https://ui.example.com" }, ["openclaw.v4", "fallback"]);
    assert.equal(ws.protocol, "openclaw.v4");
    ws.close();
    const seen = upstream.upgrades.at(-1);
    assert.equal(seen?.headers["sec-websocket-protocol"], "openclaw.v4,fallback");
    assert.equal(seen?.headers.origin, "https://ui.example.com", "Origin is passed on unchanged");
    assert.equal(seen?.headers.host, "gateway.test");
    assert.equal(seen?.headers["x-forwarded-for"], "127.0.0.1");
  });

  test("no Origin (not a browser) passes to the upstream's own authentication", async () => {
    const ws = await open({});
    ws.close();
  });

  test("the upstream's close code and reason reach the client", async () => {
    const ws = await open({ origin: "http://gateway.test" });
    const closed = new Promise<[number, string]>((resolve) =>
      ws.once("close", (code, reason) => resolve([code, reason.toString()])),
    );
    ws.send("close:4001:bye");
    assert.deepEqual(await closed, [4001, "bye"]);
  });

  test("the client's close code reaches the upstream and comes back", async () => {
    const ws = await open({ origin: "http://gateway.test" });
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    ws.close(4002, "done");
    assert.equal(await closed, 4002);
  });
});

describe("refused upgrades never reach the upstream", () => {
  const cases: [string, Record<string, string>, number][] = [
    ["foreign origin", { origin: "https://evil.example" }, 403],
    ["null origin", { origin: "null" }, 403],
    ["look-alike origin", { origin: "https://ui.example.com.evil.example" }, 403],
    ["other localhost port", { origin: "http://127.0.0.1:9999" }, 403],
    [
      "CORS origin is not a WebSocket origin when websocket.allowOrigins is set",
      { origin: "https://app.example.com" },
      403,
    ],
    [
      "legacy Sec-WebSocket-Origin from a foreign page",
      { "sec-websocket-origin": "https://evil.example" },
      403,
    ],
    [
      "rebinding Host",
      { host: "rebind.attacker.example", origin: "http://rebind.attacker.example" },
      421,
    ],
  ];
  for (const [name, headers, status] of cases) {
    test(name, async () => {
      const before = upstream.upgrades.length;
      await assert.rejects(open(headers), (error: { status?: number }) => error.status === status);
      assert.equal(upstream.upgrades.length, before, "the upstream saw nothing");
    });
  }

  test("an h2c upgrade is refused with 400 and not forwarded", async () => {
    const before = upstream.seen.length + upstream.upgrades.length;
    const reply = await sendRaw(
      door.port,
      "GET / HTTP/1.1\r\nHost: gateway.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
    );
    assert.match(reply, /^HTTP\/1\.1 400 /);
    assert.equal(upstream.seen.length + upstream.upgrades.length, before);
  });
});

test("an upstream's refusal of an upgrade is relayed with one Content-Length and no hop-by-hop headers", async () => {
  const reply = await sendRaw(
    door.port,
    "GET /not-ws HTTP/1.1\r\nHost: gateway.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
  );
  assert.match(reply, /^HTTP\/1\.1 404 /);
  assert.equal(reply.match(/^content-length:/gim)?.length, 1, reply);
  assert.equal(reply.match(/^keep-alive:/gim), null);
});

test("the upstream's 101 passes without hop-by-hop headers or the names its Connection nominates", async () => {
  const upstream101 = (await import("node:http")).createServer();
  upstream101.on("upgrade", (_req, socket) => {
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade, X-Internal\r\nX-Internal: secret\r\nKeep-Alive: timeout=5\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nX-Kept: yes\r\n\r\n",
    );
    socket.end();
  });
  await new Promise<void>((resolve) => upstream101.listen(0, "127.0.0.1", resolve));
  const port = (upstream101.address() as { port: number }).port;
  const other = await startDoor(testConfig([upstreamRoute(`http://127.0.0.1:${port}`)]));
  try {
    const reply = await sendRaw(
      other.port,
      "GET /ws HTTP/1.1\r\nHost: gateway.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      1_000,
    );
    assert.match(reply, /^HTTP\/1\.1 101 /);
    assert.doesNotMatch(reply, /x-internal/i);
    assert.doesNotMatch(reply, /keep-alive/i);
    assert.match(reply, /^X-Kept: yes$/im);
    assert.match(reply, /^Sec-WebSocket-Accept: /im);
    assert.equal(reply.match(/^connection:/gim)?.length, 1);
  } finally {
    await other.close();
    upstream101.close();
  }
});
