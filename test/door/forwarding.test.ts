/**
 * SPEC.md §Behaviour, against a real upstream on loopback: what the upstream sees, what the
 * client sees, and what never passes in either direction.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { RecordingUpstream, RunningDoor } from "./fixtures.js";
import { recordingUpstream, send, startDoor, testConfig, upstreamRoute } from "./fixtures.js";

let upstream: RecordingUpstream;
let door: RunningDoor;

before(async () => {
  upstream = await recordingUpstream();
  upstream.handle("/leaky", (_req, res) => {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Credentials", "true");
    res.setHeader("Access-Control-Expose-Headers", "x-secret");
    res.setHeader("Connection", "x-hop");
    res.setHeader("X-Hop", "must not pass");
    res.setHeader("Keep-Alive", "timeout=5");
    res.setHeader("Proxy-Authenticate", "Basic");
    res.setHeader("X-Request-Id", "r-1");
    res.setHeader("Set-Cookie", ["a=1", "b=2"]);
    res.end("leaky");
  });
  door = await startDoor(testConfig([upstreamRoute(upstream.url)]));
});
after(async () => {
  await door.close();
  await upstream.close();
});

function last() {
  const seen = upstream.seen.at(-1);
  assert.ok(seen, "the upstream saw the request");
  return seen;
}

describe("what the upstream sees", () => {
  test("Host unchanged; X-Forwarded-For/Proto/Host set by the door", async () => {
    const reply = await send(door.port, { path: "/v1/models?x=1" });
    assert.equal(reply.status, 200);
    const seen = last();
    assert.equal(seen.url, "/v1/models?x=1");
    assert.equal(seen.headers.host, "gateway.test");
    assert.equal(seen.headers["x-forwarded-for"], "127.0.0.1");
    assert.equal(seen.headers["x-forwarded-proto"], "http");
    assert.equal(seen.headers["x-forwarded-host"], "gateway.test");
  });

  test("client-sent X-Forwarded-* are overwritten, not appended, from an untrusted peer", async () => {
    await send(door.port, {
      headers: {
        "x-forwarded-for": "203.0.113.9",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "evil.example",
      },
    });
    const seen = last();
    assert.equal(seen.headers["x-forwarded-for"], "127.0.0.1");
    assert.equal(seen.headers["x-forwarded-proto"], "http");
    assert.equal(seen.headers["x-forwarded-host"], "gateway.test");
  });

  test("client-sent Forwarded, X-Real-IP and identity headers never pass", async () => {
    await send(door.port, {
      headers: {
        forwarded: "for=203.0.113.9;proto=https",
        "x-real-ip": "203.0.113.9",
        "tailscale-user-login": "admin@example.com",
        "x-forwarded-user": "admin",
        "x-remote-user": "admin",
      },
    });
    const names = last()
      .rawHeaders.filter((_, i) => i % 2 === 0)
      .map((n) => n.toLowerCase());
    for (const name of [
      "forwarded",
      "x-real-ip",
      "tailscale-user-login",
      "x-forwarded-user",
      "x-remote-user",
    ]) {
      assert.ok(!names.includes(name), `${name} passed`);
    }
  });

  test("hop-by-hop headers and those nominated by Connection are dropped before ours are added", async () => {
    await send(door.port, {
      headers: {
        connection: "keep-alive, x-forwarded-for, x-private",
        "x-private": "secret",
        te: "trailers",
        "proxy-authorization": "Basic Zm9vOmJhcg==",
        "keep-alive": "timeout=5",
        "x-kept": "yes",
      },
    });
    const seen = last();
    assert.equal(seen.headers["x-private"], undefined);
    assert.equal(seen.headers.te, undefined);
    assert.equal(seen.headers["proxy-authorization"], undefined);
    assert.equal(seen.headers["keep-alive"], undefined);
    assert.equal(seen.headers["x-kept"], "yes");
    // Nominating X-Forwarded-For cannot remove the one the door sets.
    assert.equal(seen.headers["x-forwarded-for"], "127.0.0.1");
  });

  test("request bodies pass byte for byte, with Content-Length or chunked", async () => {
    const body = Buffer.alloc(100_000, 7);
    const a = await send(door.port, {
      method: "POST",
      path: "/upload",
      body,
      headers: { "content-type": "application/octet-stream" },
    });
    assert.equal(JSON.parse(a.body).bytes, 100_000);
    assert.ok(last().body.equals(body));
    const b = await send(door.port, {
      method: "POST",
      path: "/upload",
      body: "chunked!",
      headers: { "transfer-encoding": "chunked" },
    });
    assert.equal(JSON.parse(b.body).bytes, 8);
  });
});

describe("what the client sees", () => {
  test("upstream Access-Control-* and hop-by-hop response headers are removed; the rest passes", async () => {
    const reply = await send(door.port, {
      path: "/leaky",
      headers: { origin: "https://evil.example" },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.body, "leaky");
    for (const name of Object.keys(reply.headers))
      assert.ok(!name.startsWith("access-control-"), `${name} leaked`);
    assert.equal(reply.headers["x-hop"], undefined);
    assert.equal(reply.headers["proxy-authenticate"], undefined);
    assert.equal(reply.headers["x-request-id"], "r-1");
    assert.deepEqual(reply.headers["set-cookie"], ["a=1", "b=2"]);
  });

  test("without a cors section, preflights get 403 at the door and never reach the upstream", async () => {
    const before = upstream.seen.length;
    const reply = await send(door.port, {
      method: "OPTIONS",
      path: "/v1/chat/completions",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    assert.equal(reply.status, 403);
    assert.equal(upstream.seen.length, before);
    for (const name of Object.keys(reply.headers))
      assert.ok(!name.startsWith("access-control-"), name);
  });

  test("the health endpoint answers at the door", async () => {
    const before = upstream.seen.length;
    const reply = await send(door.port, { path: "/_gatehouse/health" });
    assert.equal(reply.status, 200);
    assert.equal(JSON.parse(reply.body).status, "ok");
    assert.equal(upstream.seen.length, before);
  });
});
