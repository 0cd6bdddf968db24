/**
 * Cross-site WebSocket hijacking: foreign, null, look-alike and other-port origins, rebinding
 * Host, legacy Sec-WebSocket-Origin, h2c and other upgrades, oversized handshakes. Every refusal
 * happens before any upstream connection.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Door } from "./harness.js";
import { assertRefused, openDoor, rawExchange, statusOf } from "./harness.js";

let d: Door;
before(async () => {
  d = await openDoor({
    overrides: {
      publicOrigin: "http://gateway.test",
      cors: { allowOrigins: ["https://app.example.com"] },
      websocket: { allowOrigins: ["https://ui.example.com"] },
    },
  });
});
after(() => d.close());

const KEY = "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
function upgrade(extra: string, host = "gateway.test", upgradeLine = "Upgrade: websocket\r\n") {
  return `GET /ws HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\n${upgradeLine}${KEY}${extra}\r\n`;
}

describe("refused before the upstream", () => {
  const origins = [
    "https://evil.example",
    "null",
    "https://ui.example.com.evil.example",
    "https://evil-ui.example.com",
    "https://uixexample.com",
    "http://ui.example.com",
    "https://ui.example.com:444",
    "https://ui.example.com/",
    "https://ui.example.com, https://evil.example",
    "http://localhost:3000",
    "http://127.0.0.1:9999",
    "http://gateway.test:8080",
    "https://gateway.test",
    "http://gateway.test.",
    "file://",
    "chrome-extension://abc",
    "https://app.example.com",
  ];
  for (const origin of origins) {
    test(`Origin: ${origin}`, () =>
      assertRefused(d, upgrade(`Origin: ${origin}\r\n`), [403]).then(() => undefined));
  }
  test("duplicate Origin lines (allowed, then foreign)", () =>
    assertRefused(
      d,
      upgrade("Origin: http://gateway.test\r\nOrigin: https://evil.example\r\n"),
      [403, 400],
    ).then(() => undefined));
  test("allowed Origin but foreign legacy Sec-WebSocket-Origin", () =>
    assertRefused(
      d,
      upgrade("Origin: http://gateway.test\r\nSec-WebSocket-Origin: https://evil.example\r\n"),
      [403],
    ).then(() => undefined));
  test("legacy Sec-WebSocket-Origin: null", () =>
    assertRefused(d, upgrade("Sec-WebSocket-Origin: null\r\n"), [403]).then(() => undefined));
  test("rebinding Host with a matching Origin", () =>
    assertRefused(d, upgrade("Origin: http://rebind.example\r\n", "rebind.example"), [421]).then(
      () => undefined,
    ));
  test("rebinding Host with the public Origin", () =>
    assertRefused(d, upgrade("Origin: http://gateway.test\r\n", "rebind.example"), [421]).then(
      () => undefined,
    ));
  for (const [name, line] of [
    ["h2c", "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"],
    ["websocket, h2c", "Upgrade: websocket, h2c\r\n"],
    ["h2c, websocket", "Upgrade: h2c, websocket\r\n"],
    ["TLS/1.0", "Upgrade: TLS/1.0\r\n"],
    ["websocket/13 token", "Upgrade: websocketx\r\n"],
  ] as const) {
    test(`Upgrade: ${name}`, () =>
      assertRefused(
        d,
        upgrade("Origin: http://gateway.test\r\n", "gateway.test", line),
        [400],
      ).then(() => undefined));
  }
  test("an upgrade with POST", () =>
    assertRefused(
      d,
      `POST /ws HTTP/1.1\r\nHost: gateway.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n${KEY}Content-Length: 0\r\n\r\n`,
      [400],
    ).then(() => undefined));
  test("an oversized handshake (17 KiB of protocols): 431", () =>
    assertRefused(
      d,
      upgrade(`Origin: http://gateway.test\r\nSec-WebSocket-Protocol: ${"p,".repeat(8_500)}p\r\n`),
      [431],
    ).then(() => undefined));
  test("a traversal path in the upgrade target", () =>
    assertRefused(
      d,
      `GET /../ws HTTP/1.1\r\nHost: gateway.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n${KEY}Origin: http://gateway.test\r\n\r\n`,
      [400],
    ).then(() => undefined));
});

describe("controls", () => {
  test("the public origin is upgraded (101) and the upstream sees one upgrade", async () => {
    const before = d.upstream.upgrades.length;
    const reply = await rawExchange(d.port, upgrade("Origin: http://gateway.test\r\n"), {
      until: (t) => t.includes("\r\n\r\n"),
    });
    assert.equal(statusOf(reply.text), 101);
    assert.equal(d.upstream.upgrades.length, before + 1);
    const seen = d.upstream.upgrades[before];
    assert.equal(seen?.headers.origin, "http://gateway.test");
    assert.equal(seen?.headers.upgrade, "websocket");
  });
});
