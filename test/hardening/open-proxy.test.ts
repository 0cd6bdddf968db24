/**
 * Open proxy / SSRF: CONNECT, absolute-form targets naming other hosts, OPTIONS *, and Host
 * never choosing the upstream. Only the configured upstream is ever contacted.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { RecordingUpstream } from "../door/fixtures.js";
import type { Door } from "./harness.js";
import {
  assertRefused,
  openDoor,
  rawExchange,
  recordingUpstream,
  statuses,
  upstreamRoute,
} from "./harness.js";

let d: Door;
let other: RecordingUpstream;
before(async () => {
  other = await recordingUpstream();
  const otherPort = new URL(other.url).port;
  d = await openDoor({
    routes: (url) => [upstreamRoute(other.url, "/other"), upstreamRoute(url, "/")],
    overrides: { hosts: ["gateway.test", "127.0.0.1", `127.0.0.1:${otherPort}`] },
  });
});
after(async () => {
  await d.close();
  await other.close();
});

describe("refused", () => {
  const cases: [string, string, number[]][] = [
    [
      "CONNECT to another host",
      "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n",
      [405],
    ],
    [
      "CONNECT to the upstream's port",
      "CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n",
      [405],
    ],
    [
      "absolute-form to cloud metadata",
      "GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: gateway.test\r\n\r\n",
      [421],
    ],
    [
      "absolute-form https to another host",
      "GET https://evil.example/x HTTP/1.1\r\nHost: gateway.test\r\n\r\n",
      [421],
    ],
    ["absolute-form ftp", "GET ftp://evil.example/x HTTP/1.1\r\nHost: gateway.test\r\n\r\n", [400]],
    ["absolute-form file", "GET file:///etc/passwd HTTP/1.1\r\nHost: gateway.test\r\n\r\n", [400]],
    ["authority-form on GET", "GET evil.example:80 HTTP/1.1\r\nHost: gateway.test\r\n\r\n", [400]],
    ["OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: gateway.test\r\n\r\n", [400]],
    [
      "scheme-relative target",
      "GET //evil.example/x HTTP/1.1\r\nHost: evil.example\r\n\r\n",
      [421],
    ],
  ];
  for (const [name, bytes, status] of cases) {
    test(name, async () => {
      const before = other.seen.length;
      await assertRefused(d, bytes, status);
      assert.equal(other.seen.length, before);
    });
  }
});

describe("routing is by path only", () => {
  test("a Host naming the other upstream's address does not choose it", async () => {
    const before = { main: d.upstream.seen.length, other: other.seen.length };
    const reply = await rawExchange(
      d.port,
      `GET /x HTTP/1.1\r\nHost: ${new URL(other.url).host}\r\nConnection: close\r\n\r\n`,
    );
    assert.deepEqual(statuses(reply.text), [200]);
    assert.equal(d.upstream.seen.length, before.main + 1);
    assert.equal(other.seen.length, before.other);
  });
  test("absolute-form naming an allowed host goes to the routed upstream with an origin-form path", async () => {
    const before = d.upstream.seen.length;
    const reply = await rawExchange(
      d.port,
      "GET http://gateway.test/abs?q=1 HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n",
    );
    assert.deepEqual(statuses(reply.text), [200]);
    assert.equal(d.upstream.seen[before]?.url, "/abs?q=1");
  });
  test("absolute-form naming an allowed host on another port goes to the routed upstream, which sees that authority as Host", async () => {
    const before = d.upstream.seen.length;
    const reply = await rawExchange(
      d.port,
      "GET http://127.0.0.1:22/ssh HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n",
    );
    assert.deepEqual(statuses(reply.text), [200]);
    assert.equal(d.upstream.seen[before]?.url, "/ssh");
    // RFC 9112 §3.2.2: the target's authority is the Host; the Host line is not a second one.
    assert.equal(d.upstream.seen[before]?.headers.host, "127.0.0.1:22");
  });
  test("//host paths are forwarded as local paths, never as another authority", async () => {
    const before = d.upstream.seen.length;
    const reply = await rawExchange(
      d.port,
      "GET //169.254.169.254/latest HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n",
    );
    assert.deepEqual(statuses(reply.text), [200]);
    assert.equal(d.upstream.seen[before]?.url, "/169.254.169.254/latest");
  });
  test("X-Forwarded-Host, X-Original-URL and X-Rewrite-URL do not route", async () => {
    const before = { main: d.upstream.seen.length, other: other.seen.length };
    const reply = await rawExchange(
      d.port,
      "GET /y HTTP/1.1\r\nHost: gateway.test\r\nX-Forwarded-Host: 169.254.169.254\r\nX-Original-URL: /other/x\r\nX-Rewrite-URL: /other/x\r\nConnection: close\r\n\r\n",
    );
    assert.deepEqual(statuses(reply.text), [200]);
    assert.equal(d.upstream.seen[before.main]?.url, "/y");
    assert.equal(other.seen.length, before.other);
  });
});
