/**
 * Origin tricks against the CORS allowlist: never an ACAO or ACAC for anything outside it,
 * always Vary: Origin; preflights for them are 403 at the door and never forwarded.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Door } from "./harness.js";
import { openDoor, rawExchange, send, sleep, statusOf } from "./harness.js";

let d: Door;
before(async () => {
  d = await openDoor({
    overrides: {
      cors: {
        allowOrigins: ["https://app.example.com", "http://localhost:5173"],
        allowCredentials: true,
        allowMethods: ["PUT"],
        allowHeaders: ["content-type"],
      },
    },
  });
});
after(() => d.close());

export const HOSTILE_ORIGINS = [
  "https://evil.example",
  "null",
  "NULL",
  "https://app.example.com.evil.example",
  "https://evilapp.example.com",
  "https://app.example.comevil.example",
  "https://app-example.com",
  "https://appxexample.com",
  "https://app.exampleXcom",
  "https://sub.app.example.com",
  "https://app.example.co",
  "https://app.example.com.",
  "https://APP.EXAMPLE.COM",
  "https://app.example.com%2eevil.example",
  "https://app.example.com%00.evil.example",
  "https://app.example.com_.evil.example",
  "https://app.example.com`.evil.example",
  "https://xn--pp-example-q7a.com",
  "http://app.example.com",
  "https://app.example.com:8443",
  "https://app.example.com:443",
  "https://app.example.com/",
  "https://app.example.com/path",
  "https://user@app.example.com",
  "https://app.example.com@evil.example",
  "https://evil.example#@app.example.com",
  "https://evil.example?https://app.example.com",
  "https://app.example.com, https://evil.example",
  "https://evil.example, https://app.example.com",
  "https://app.example.com https://evil.example",
  "ws://app.example.com",
  "wss://app.example.com",
  "file://",
  "file:///etc/passwd",
  "chrome-extension://abcdefghijklmnop",
  "moz-extension://1234",
  "javascript:alert(1)",
  "data:text/html,x",
  "about:blank",
  "https://",
  "*",
  "",
  "http://localhost:5174",
  "http://localhost",
  "http://127.0.0.1:5173",
  "http://localhost.:5173",
  "https://localhost:5173",
  "http://[::1]:5173",
];

function assertNoGrant(headers: Record<string, unknown>, label: string): void {
  assert.equal(headers["access-control-allow-origin"], undefined, `${label}: no ACAO`);
  assert.equal(headers["access-control-allow-credentials"], undefined, `${label}: no ACAC`);
  const vary = String(headers.vary ?? "").toLowerCase();
  assert.ok(vary.split(/\s*,\s*/).includes("origin"), `${label}: Vary: Origin (${vary})`);
}

describe("actual requests from hostile origins: no grant, always Vary: Origin", () => {
  for (const origin of HOSTILE_ORIGINS) {
    test(JSON.stringify(origin), async () => {
      const reply = await send(d.port, { path: "/data", headers: { origin } });
      assert.equal(reply.status, 200);
      assertNoGrant(reply.headers, origin);
    });
  }
  test("the allowed origin is granted (control)", async () => {
    const reply = await send(d.port, {
      path: "/data",
      headers: { origin: "https://app.example.com" },
    });
    assert.equal(reply.headers["access-control-allow-origin"], "https://app.example.com");
    assert.equal(reply.headers["access-control-allow-credentials"], "true");
  });
});

describe("preflights from hostile origins: 403 at the door, never forwarded", () => {
  for (const origin of HOSTILE_ORIGINS.filter((o) => o !== "")) {
    test(JSON.stringify(origin), async () => {
      const before = d.seenCount();
      const reply = await send(d.port, {
        method: "OPTIONS",
        path: "/data",
        headers: { origin, "access-control-request-method": "PUT" },
      });
      assert.equal(reply.status, 403);
      assertNoGrant(reply.headers, origin);
      assert.equal(d.seenCount(), before);
    });
  }
});

describe("origins only a raw socket can send", () => {
  const raw = (originLines: string, method = "GET") =>
    `${method} /data HTTP/1.1\r\nHost: gateway.test\r\n${originLines}Connection: close\r\n\r\n`;
  test("duplicate Origin lines (allowed + foreign): no grant", async () => {
    const reply = await rawExchange(
      d.port,
      raw("Origin: https://app.example.com\r\nOrigin: https://evil.example\r\n"),
    );
    assert.doesNotMatch(reply.text, /access-control-allow-origin/i);
    assert.match(reply.text, /vary:[^\r]*origin/i);
  });
  test("duplicate Origin lines (foreign + allowed): no grant", async () => {
    const reply = await rawExchange(
      d.port,
      raw("Origin: https://evil.example\r\nOrigin: https://app.example.com\r\n"),
    );
    assert.doesNotMatch(reply.text, /access-control-allow-origin/i);
  });
  test("duplicate identical allowed Origin lines: no grant", async () => {
    const reply = await rawExchange(
      d.port,
      raw("Origin: https://app.example.com\r\nOrigin: https://app.example.com\r\n"),
    );
    assert.doesNotMatch(reply.text, /access-control-allow-origin/i);
  });
  for (const [name, line] of [
    ["CR LF injection", "Origin: https://app.example.com\r\nAccess-Control-Allow-Origin: *\r\n"],
    ["bare CR", "Origin: https://app.example.com\rX: y\r\n"],
    ["tab inside", "Origin: https://app.example.com\tevil\r\n"],
    ["latin1 byte", "Origin: https://app.example.com\xff\r\n"],
  ] as const) {
    test(name, async () => {
      const before = d.seenCount();
      const reply = await rawExchange(d.port, raw(line));
      const status = statusOf(reply.text);
      if (status === 200) {
        // Node accepted the line: whatever the origin became, it is not granted.
        const head = reply.text.split("\r\n\r\n")[0] ?? "";
        assert.ok(
          !/access-control-allow-origin: (?!https:\/\/app\.example\.com\r)/i.test(head),
          head,
        );
        if (line.includes("\t") || line.includes("\xff"))
          assert.doesNotMatch(head, /access-control-allow-origin/i);
      } else {
        assert.equal(status, 400);
        await sleep(20);
        assert.equal(d.seenCount(), before);
      }
    });
  }
});
