/**
 * Hop-by-hop and forwarding headers, both directions: nothing named in Connection, no Proxy-*,
 * TE, Trailer, client-sent Forwarded / X-Real-IP / X-Forwarded-* or identity header reaches the
 * upstream; nothing hop-by-hop from the upstream reaches the client.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Door } from "./harness.js";
import { openDoor, rawExchange, statuses } from "./harness.js";

let d: Door;
before(async () => {
  d = await openDoor();
  d.upstream.handle("/hop-response", (_req, res) => {
    res.setHeader("Connection", "X-Secret, X-Internal-Token");
    res.setHeader("X-Secret", "s3cret");
    res.setHeader("X-Internal-Token", "t");
    res.setHeader("Keep-Alive", "timeout=99");
    res.setHeader("Proxy-Authenticate", "Basic realm=x");
    res.setHeader("Proxy-Connection", "keep-alive");
    res.setHeader("Trailer", "X-Checksum");
    res.setHeader("Upgrade", "h2c");
    res.setHeader("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("X-Kept", "yes");
    res.end("ok");
  });
});
after(() => d.close());

async function forwarded(
  headerLines: string,
): Promise<{ raw: string[]; headers: Record<string, unknown> }> {
  const before = d.upstream.seen.length;
  const reply = await rawExchange(
    d.port,
    `GET /hop HTTP/1.1\r\nHost: gateway.test\r\n${headerLines}Connection: close\r\n\r\n`,
  );
  assert.deepEqual(statuses(reply.text), [200], reply.text);
  const seen = d.upstream.seen[before];
  assert.ok(seen);
  return { raw: seen.rawHeaders, headers: seen.headers };
}

const names = (raw: string[]) => raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());

describe("request direction", () => {
  test("headers nominated by Connection are dropped (and Connection itself)", async () => {
    const { raw } = await forwarded(
      "Connection: X-Api-Key, Authorization, keep-alive\r\nX-Api-Key: k\r\nAuthorization: Bearer t\r\nX-Kept: 1\r\n",
    );
    const n = names(raw);
    for (const gone of ["x-api-key", "authorization"]) assert.ok(!n.includes(gone), gone);
    assert.ok(n.includes("x-kept"));
  });
  test("Connection nominating X-Forwarded-For cannot remove the door's own", async () => {
    const { headers } = await forwarded("Connection: X-Forwarded-For, X-Forwarded-Proto\r\n");
    assert.equal(headers["x-forwarded-for"], "127.0.0.1");
    assert.equal(headers["x-forwarded-proto"], "http");
  });
  test("Connection nominating Host does not strip the client's Host", {}, async () => {
    const { headers } = await forwarded("Connection: Host\r\n");
    assert.equal(headers.host, "gateway.test");
  });
  test("Proxy-*, TE, Trailer, Keep-Alive, Upgrade, HTTP2-Settings never pass", async () => {
    const { raw } = await forwarded(
      "Proxy-Authorization: Basic eDp5\r\nProxy-Connection: keep-alive\r\nTE: trailers, deflate\r\nTrailer: X-Checksum\r\nKeep-Alive: timeout=5\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n",
    );
    const n = names(raw);
    for (const gone of [
      "proxy-authorization",
      "proxy-connection",
      "te",
      "trailer",
      "keep-alive",
      "upgrade",
      "http2-settings",
    ])
      assert.ok(!n.includes(gone), gone);
  });
  test("client forwarding and identity headers never pass; X-Forwarded-* are the door's", async () => {
    const { raw, headers } = await forwarded(
      [
        "Forwarded: for=10.0.0.1;host=evil;proto=https",
        "X-Real-IP: 10.0.0.1",
        "X-Client-IP: 10.0.0.1",
        "True-Client-IP: 10.0.0.1",
        "CF-Connecting-IP: 10.0.0.1",
        "X-Forwarded-For: 10.0.0.1",
        "X-Forwarded-For: 10.0.0.2",
        "X-Forwarded-Proto: https",
        "X-Forwarded-Host: evil.example",
        "X-Forwarded-Port: 443",
        "X-Forwarded-User: admin",
        "X-Forwarded-Email: a@b",
        "X-Forwarded-Groups: admins",
        "X-Remote-User: admin",
        "Tailscale-User-Login: admin@example.com",
        "X-Auth-Request-User: admin",
        "X-Pomerium-Claim-Email: a@b",
        "",
      ].join("\r\n"),
    );
    const n = names(raw);
    for (const gone of [
      "forwarded",
      "x-real-ip",
      "x-client-ip",
      "true-client-ip",
      "cf-connecting-ip",
      "x-forwarded-port",
      "x-forwarded-user",
      "x-forwarded-email",
      "x-forwarded-groups",
      "x-remote-user",
      "tailscale-user-login",
      "x-auth-request-user",
      "x-pomerium-claim-email",
    ])
      assert.ok(!n.includes(gone), gone);
    assert.equal(n.filter((x) => x === "x-forwarded-for").length, 1);
    assert.equal(headers["x-forwarded-for"], "127.0.0.1");
    assert.equal(headers["x-forwarded-proto"], "http");
    assert.equal(headers["x-forwarded-host"], "gateway.test");
  });
  test("identity headers in odd case and with a nominating Connection still never pass", async () => {
    const { raw } = await forwarded("x-REMOTE-user: admin\r\nTAILSCALE-USER-NAME: a\r\n");
    const n = names(raw);
    assert.ok(!n.includes("x-remote-user"));
    assert.ok(!n.includes("tailscale-user-name"));
  });
});

describe("response direction", () => {
  test("hop-by-hop, nominated and Access-Control-* from the upstream are removed", async () => {
    const reply = await rawExchange(
      d.port,
      "GET /hop-response HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n",
    );
    const head = (reply.text.split("\r\n\r\n")[0] ?? "").toLowerCase();
    for (const gone of [
      "x-secret:",
      "x-internal-token:",
      "keep-alive: timeout=99",
      "proxy-authenticate:",
      "proxy-connection:",
      "trailer:",
      "upgrade:",
      "http2-settings:",
      "access-control-allow-origin:",
    ])
      assert.ok(!head.includes(gone), `${gone} in ${head}`);
    assert.ok(head.includes("x-kept: yes"));
  });
});
