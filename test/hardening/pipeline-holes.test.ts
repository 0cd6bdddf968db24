/**
 * Regression tests for the holes an independent review found in the request path (issue
 * "The request path as a pipeline of stages"), one describe per hole, named after it. Each is
 * checked on the wire, with the upstream's own record of what reached it.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createDoor } from "../../src/door/server.js";
import { check, MINIMAL } from "../door/config/helpers.js";
import type { Door } from "./harness.js";
import { assertRefused, errorCode, openDoor, rawExchange, statuses } from "./harness.js";

const WS_KEY = "dGhlIHNhbXBsZSBub25jZQ==";

describe("host injection through an absolute-form target", () => {
  let d: Door;
  before(async () => {
    d = await openDoor();
  });
  after(() => d.close());

  test("the upstream sees the target's authority, never the Host line beside it", async () => {
    const before = d.upstream.seen.length;
    const reply = await rawExchange(
      d.port,
      `GET http://127.0.0.1:${d.port}/v1/models HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`,
    );
    assert.deepEqual(statuses(reply.text), [200]);
    const seen = d.upstream.seen[before];
    assert.equal(seen?.headers.host, `127.0.0.1:${d.port}`);
    const hostLines = (seen?.rawHeaders ?? []).filter(
      (_, i, all) => i % 2 === 0 && /^host$/i.test(all[i] as string),
    );
    assert.equal(hostLines.length, 1, "one Host line upstream");
    assert.notEqual(seen?.headers["x-forwarded-host"], "evil.example");
  });

  test("a WebSocket upgrade with an absolute-form target: the same", async () => {
    const before = d.upstream.upgrades.length;
    const reply = await rawExchange(
      d.port,
      `GET http://127.0.0.1:${d.port}/ws HTTP/1.1\r\nHost: evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${WS_KEY}\r\n\r\n`,
      { until: (text) => text.includes("\r\n\r\n") },
    );
    assert.deepEqual(statuses(reply.text), [101]);
    assert.equal(d.upstream.upgrades[before]?.headers.host, `127.0.0.1:${d.port}`);
  });

  test("an absolute-form target naming a host that is not served is refused, whatever the Host line", async () => {
    await assertRefused(
      d,
      "GET http://evil.example/v1/models HTTP/1.1\r\nHost: gateway.test\r\n\r\n",
      [421],
    );
  });
});

describe("a refusal written into a live stream", () => {
  let d: Door;
  before(async () => {
    d = await openDoor({ limits: { streamIdleTimeoutMs: 5_000 } });
    d.upstream.handle("/events", (_req, res) => {
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      let n = 0;
      const timer = setInterval(() => {
        n++;
        res.write(`data: {"n":${n}}\n\n`);
        if (n === 6) {
          clearInterval(timer);
          res.end();
        }
      }, 40);
      res.on("close", () => clearInterval(timer));
    });
  });
  after(() => d.close());

  const STREAM = "GET /events HTTP/1.1\r\nHost: gateway.test\r\n\r\n";
  const pipelined: [string, string][] = [
    ["a malformed request line", "GET /x HTTP/1.1 extra\r\nHost: gateway.test\r\n\r\n"],
    ["a malformed header", "GET /x HTTP/1.1\r\nHost: gateway.test\r\nBad Header: x\r\n\r\n"],
    [
      "headers over the size limit (431)",
      `GET /x HTTP/1.1\r\nHost: gateway.test\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
    ],
  ];
  for (const [name, bad] of pipelined) {
    test(`${name} behind a streaming response only closes the connection`, async () => {
      // The bad request arrives while the first response is streaming.
      const reply = await rawExchange(d.port, [STREAM, bad], { gapMs: 100, timeoutMs: 3_000 });
      assert.ok(reply.closed, "the connection is closed");
      assert.deepEqual(
        statuses(reply.text),
        [200],
        "no second status line, inside the body or after it",
      );
      assert.doesNotMatch(reply.text, /GH_[A-Z_]+/, "no error body inside the event stream");
      assert.match(reply.text, /data: \{"n":1\}/);
    });
  }

  test("the same bad request on a quiet connection still gets its JSON refusal", async () => {
    const reply = await rawExchange(
      d.port,
      "GET /x HTTP/1.1\r\nHost: gateway.test\r\nBad Header: x\r\n\r\n",
    );
    assert.deepEqual(statuses(reply.text), [400]);
    assert.equal(errorCode(reply.text), "GH_REQUEST_MALFORMED");
  });
});

describe("`*` widens trust", () => {
  let d: Door;
  before(async () => {
    d = await openDoor({ overrides: { cors: { allowOrigins: ["*"] } } });
  });
  after(() => d.close());

  test("reads are granted to any origin", async () => {
    const reply = await rawExchange(
      d.port,
      "GET /data HTTP/1.1\r\nHost: gateway.test\r\nOrigin: https://evil.example\r\nConnection: close\r\n\r\n",
    );
    assert.deepEqual(statuses(reply.text), [200]);
    assert.match(reply.text, /access-control-allow-origin: \*/i);
  });

  test("an unsafe request from any origin is refused by the CSRF guard", async () => {
    const reply = await assertRefused(
      d,
      "POST /v1/chat HTTP/1.1\r\nHost: gateway.test\r\nOrigin: https://evil.example\r\nSec-Fetch-Site: cross-site\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi",
      [403],
      { mustClose: false },
    );
    assert.equal(errorCode(reply.text), "GH_CSRF_REFUSED");
  });

  test("a WebSocket from any origin is refused before the upstream", async () => {
    const reply = await assertRefused(
      d,
      `GET /ws HTTP/1.1\r\nHost: gateway.test\r\nOrigin: https://evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${WS_KEY}\r\n\r\n`,
      [403],
    );
    assert.equal(errorCode(reply.text), "GH_WS_ORIGIN_REFUSED");
  });

  test("an origin listed by name beside `*` is trusted", async () => {
    const listed = await openDoor({
      overrides: { cors: { allowOrigins: ["*", "https://app.example"] } },
    });
    try {
      const before = listed.upstream.seen.length;
      const reply = await rawExchange(
        listed.port,
        "POST /v1/chat HTTP/1.1\r\nHost: gateway.test\r\nOrigin: https://app.example\r\nSec-Fetch-Site: cross-site\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
      );
      assert.deepEqual(statuses(reply.text), [200]);
      assert.equal(listed.upstream.seen.length, before + 1);
    } finally {
      await listed.close();
    }
  });

  test("`gatehouse check` says what `*` does and does not grant", () => {
    const result = check(`${MINIMAL}cors: { allowOrigins: ["*"] }\n`);
    assert.ok(result.ok);
    assert.ok(
      result.lints.some(
        (l) => l.code === "GH_LINT_WILDCARD_READS_ONLY" && l.path === "cors.allowOrigins",
      ),
      JSON.stringify(result.lints.map((l) => l.code)),
    );
  });
});

describe("default hosts accept any port", () => {
  test("a door with default hosts answers on its own port only", async () => {
    const upstream = await openDoor();
    const result = check(
      `listen: 127.0.0.1:0\nroutes:\n  - match: /\n    upstream: ${upstream.upstream.url}\n`,
    );
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    const door = createDoor(result.config);
    const { port } = await door.listen();
    try {
      const own = await rawExchange(
        port,
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
      );
      assert.deepEqual(statuses(own.text), [200]);
      const local = await rawExchange(
        port,
        `GET / HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`,
      );
      assert.deepEqual(statuses(local.text), [200]);
      for (const host of [`127.0.0.1:${port + 1}`, "127.0.0.1", "localhost:22"]) {
        const other = await rawExchange(
          port,
          `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
        );
        assert.deepEqual(statuses(other.text), [421], host);
        assert.equal(errorCode(other.text), "GH_HOST_NOT_ALLOWED");
        assert.match(
          other.text,
          new RegExp(`serves 127\\.0\\.0\\.1:${port}`),
          "the refusal lists what is served",
        );
      }
    } finally {
      await door.close();
      await upstream.close();
    }
  });

  test("publicOrigin's name is served without a port (the default one) and on its port", async () => {
    const result = check(`publicOrigin: https://gateway.example.com\n${MINIMAL}`);
    assert.ok(result.ok);
    assert.deepEqual(result.config.hosts.slice(0, 1), ["gateway.example.com:443"]);
    const door = createDoor(result.config);
    const { port } = await door.listen();
    try {
      for (const [host, status] of [
        ["gateway.example.com", 502],
        ["gateway.example.com:443", 502],
        ["gateway.example.com:8443", 421],
      ] as const) {
        const reply = await rawExchange(
          port,
          `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
        );
        // 502: past the Host check, to an upstream that is not running.
        assert.deepEqual(statuses(reply.text), [status], host);
      }
    } finally {
      await door.close();
    }
  });

  test("an entry written without a port keeps meaning any port", () => {
    const result = check(`hosts: [gateway.example.com]\n${MINIMAL}`);
    assert.ok(result.ok);
    assert.deepEqual(result.config.hosts, ["gateway.example.com"]);
  });
});

describe("framing leniency inherited from the parser", () => {
  let d: Door;
  before(async () => {
    d = await openDoor();
  });
  after(() => d.close());

  test("Transfer-Encoding on an HTTP/1.0 request: 400 and close", async () => {
    const reply = await assertRefused(
      d,
      "POST / HTTP/1.0\r\nHost: gateway.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      [400],
    );
    assert.equal(errorCode(reply.text), "GH_FRAMING_INVALID");
  });

  for (const coding of ["gzip, chunked", "deflate,chunked", "GZIP , chunked"]) {
    test(`Transfer-Encoding: ${coding} is not implemented (501), never silently decoded`, async () => {
      const reply = await assertRefused(
        d,
        `POST / HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding: ${coding}\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
        [501],
      );
      assert.equal(errorCode(reply.text), "GH_TRANSFER_CODING_UNSUPPORTED");
    });
  }

  test("Transfer-Encoding: gzip and chunked on two lines is the same list", async () => {
    await assertRefused(
      d,
      "POST / HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      [501],
    );
  });

  test("plain chunked still passes", async () => {
    const before = d.upstream.seen.length;
    const reply = await rawExchange(
      d.port,
      "POST /ok HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    );
    assert.deepEqual(statuses(reply.text), [200]);
    assert.equal(d.upstream.seen[before]?.body.toString(), "hello");
  });
});
