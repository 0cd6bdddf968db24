/**
 * What CORS does not cover: Host checks against DNS rebinding and CSRF of simple requests.
 * Every refusal is asserted both on the answer and on the upstream having seen nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { RecordingUpstream, RunningDoor } from "./fixtures.js";
import {
  recordingUpstream,
  send,
  sendRaw,
  startDoor,
  testConfig,
  upstreamRoute,
} from "./fixtures.js";

let upstream: RecordingUpstream;
let door: RunningDoor;

before(async () => {
  upstream = await recordingUpstream();
  door = await startDoor(
    testConfig([upstreamRoute(upstream.url)], {
      hosts: ["gateway.test", "localhost", "127.0.0.1", "[::1]", "pinned.test:8443"],
      cors: {
        allowOrigins: ["https://app.example.com"],
        allowMethods: ["PUT"],
        allowHeaders: ["content-type"],
      },
    }),
  );
});
after(async () => {
  await door.close();
  await upstream.close();
});

async function refused(
  options: Parameters<typeof send>[1],
  status: number,
  code: string,
): Promise<void> {
  const before = upstream.seen.length;
  const reply = await send(door.port, options);
  assert.equal(reply.status, status, reply.body);
  assert.equal((JSON.parse(reply.body) as { error: { code: string } }).error.code, code);
  assert.equal(upstream.seen.length, before, "the upstream saw nothing");
}

async function passes(options: Parameters<typeof send>[1]): Promise<void> {
  const before = upstream.seen.length;
  const reply = await send(door.port, options);
  assert.equal(reply.status, 200, reply.body);
  assert.equal(upstream.seen.length, before + 1);
}

describe("Host allowlist (DNS rebinding)", () => {
  test("listed names pass, any port unless the entry pins one", async () => {
    await passes({ headers: { host: "gateway.test" } });
    await passes({ headers: { host: "localhost:8080" } });
    await passes({ headers: { host: "127.0.0.1:1234" } });
    await passes({ headers: { host: "[::1]:8080" } });
    await passes({ headers: { host: "GATEWAY.TEST" } });
    await passes({ headers: { host: "pinned.test:8443" } });
  });
  const cases: [string, string, string][] = [
    ["a foreign name", "rebind.attacker.example", "GH_HOST_NOT_ALLOWED"],
    ["a look-alike suffix", "gateway.test.attacker.example", "GH_HOST_NOT_ALLOWED"],
    ["a look-alike prefix", "evilgateway.test", "GH_HOST_NOT_ALLOWED"],
    ["a trailing dot", "gateway.test.", "GH_HOST_NOT_ALLOWED"],
    ["a pinned name on another port", "pinned.test:8444", "GH_HOST_NOT_ALLOWED"],
    ["a pinned name without port", "pinned.test", "GH_HOST_NOT_ALLOWED"],
    ["an unlisted IP", "10.0.0.1", "GH_HOST_NOT_ALLOWED"],
    ["an empty name with a port", ":8080", "GH_HOST_MALFORMED"],
    ["userinfo", "user@gateway.test", "GH_HOST_MALFORMED"],
    ["a comma list", "gateway.test,evil.example", "GH_HOST_MALFORMED"],
    ["a port out of range", "gateway.test:99999", "GH_HOST_MALFORMED"],
    ["a path", "gateway.test/x", "GH_HOST_MALFORMED"],
    ["an unbracketed IPv6", "::1", "GH_HOST_MALFORMED"],
  ];
  for (const [name, host, code] of cases) {
    test(`refuses ${name}`, () => refused({ headers: { host } }, 421, code));
  }
  test("refuses an empty Host", () => refused({ headers: { host: "" } }, 421, "GH_HOST_MALFORMED"));
  test("refuses a missing Host (HTTP/1.0)", async () => {
    const before = upstream.seen.length;
    const reply = await sendRaw(door.port, "GET / HTTP/1.0\r\n\r\n");
    assert.match(reply, /^HTTP\/1\.1 421 /);
    assert.match(reply, /GH_HOST_MISSING/);
    assert.equal(upstream.seen.length, before);
  });
  test("refuses duplicated Host lines", async () => {
    const before = upstream.seen.length;
    const reply = await sendRaw(
      door.port,
      "GET / HTTP/1.1\r\nHost: gateway.test\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    assert.match(reply, /^HTTP\/1\.1 421 /);
    assert.match(reply, /GH_HOST_DUPLICATE/);
    assert.equal(upstream.seen.length, before);
  });
  test("an absolute-form target's authority stands for Host", async () => {
    const before = upstream.seen.length;
    const reply = await sendRaw(
      door.port,
      "GET http://evil.example/x HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n",
    );
    assert.match(reply, /^HTTP\/1\.1 421 /);
    assert.equal(upstream.seen.length, before);
  });
  test("client-sent X-Forwarded-Host cannot choose the host", () =>
    refused(
      { headers: { host: "evil.example", "x-forwarded-host": "gateway.test" } },
      421,
      "GH_HOST_NOT_ALLOWED",
    ));
});

describe("CSRF guard (simple requests CORS does not stop)", () => {
  const cross = { "sec-fetch-site": "cross-site", origin: "https://evil.example" };
  test("a cross-site form POST is refused", () =>
    refused(
      {
        method: "POST",
        path: "/api/delete",
        headers: { ...cross, "content-type": "application/x-www-form-urlencoded" },
        body: "a=1",
      },
      403,
      "GH_CSRF_REFUSED",
    ));
  test("a text/plain POST with a foreign Origin and no Sec-Fetch-Site is refused", () =>
    refused(
      {
        method: "POST",
        headers: { origin: "https://evil.example", "content-type": "text/plain" },
        body: "{}",
      },
      403,
      "GH_CSRF_REFUSED",
    ));
  test("a multipart POST from a null origin is refused", () =>
    refused(
      {
        method: "POST",
        headers: { origin: "null", "content-type": "multipart/form-data; boundary=x" },
        body: "--x--",
      },
      403,
      "GH_CSRF_REFUSED",
    ));
  test("same-site is still cross-origin", () =>
    refused(
      { method: "POST", headers: { "sec-fetch-site": "same-site" } },
      403,
      "GH_CSRF_REFUSED",
    ));
  test("duplicated Sec-Fetch-Site lines are not trusted", () =>
    refused(
      { method: "POST", headers: { "sec-fetch-site": ["same-origin", "cross-site"] } },
      403,
      "GH_CSRF_REFUSED",
    ));
  test("a DELETE from a foreign origin is refused", () =>
    refused({ method: "DELETE", headers: cross }, 403, "GH_CSRF_REFUSED"));
  test("a method-override header does not make a POST safe", () =>
    refused(
      { method: "POST", headers: { ...cross, "x-http-method-override": "GET" } },
      403,
      "GH_CSRF_REFUSED",
    ));

  test("same-origin (Sec-Fetch-Site) passes", () =>
    passes({
      method: "POST",
      headers: { "sec-fetch-site": "same-origin", origin: "http://gateway.test" },
    }));
  test("user-initiated (Sec-Fetch-Site: none) passes", () =>
    passes({ method: "POST", headers: { "sec-fetch-site": "none" } }));
  test("Origin equal to publicOrigin passes without Sec-Fetch-Site", () =>
    passes({ method: "POST", headers: { origin: "http://gateway.test" } }));
  test("an origin the CORS policy allows passes", () =>
    passes({
      method: "POST",
      headers: { "sec-fetch-site": "cross-site", origin: "https://app.example.com" },
    }));
  test("no Origin and no Sec-Fetch-Site (curl, SDKs) passes", () =>
    passes({ method: "POST", body: "{}" }));
  test("safe methods pass whatever their origin", () => passes({ method: "GET", headers: cross }));
});

describe("CORS at the door", () => {
  test("an allowed preflight is answered 204 and never forwarded", async () => {
    const before = upstream.seen.length;
    const reply = await send(door.port, {
      method: "OPTIONS",
      path: "/v1/x",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "PUT",
        "access-control-request-headers": "content-type",
      },
    });
    assert.equal(reply.status, 204);
    assert.equal(reply.headers["access-control-allow-origin"], "https://app.example.com");
    assert.equal(reply.headers["access-control-allow-methods"], "PUT");
    assert.equal(upstream.seen.length, before);
  });
  test("an actual request from an allowed origin gets ACAO and Vary: Origin", async () => {
    const reply = await send(door.port, { headers: { origin: "https://app.example.com" } });
    assert.equal(reply.headers["access-control-allow-origin"], "https://app.example.com");
    assert.match(String(reply.headers.vary), /Origin/);
  });
  test("a same-origin request gets no CORS headers, but Vary", async () => {
    const reply = await send(door.port, { headers: { origin: "http://gateway.test" } });
    assert.equal(reply.headers["access-control-allow-origin"], undefined);
    assert.match(String(reply.headers.vary), /Origin/);
  });
  test("a 404 from the upstream to an allowed origin carries the CORS headers, so the page can read it", async () => {
    upstream.handle("/missing", (_req, res) => {
      res.statusCode = 404;
      res.end("{}");
    });
    const reply = await send(door.port, {
      path: "/missing",
      headers: { origin: "https://app.example.com" },
    });
    assert.equal(reply.status, 404);
    assert.equal(reply.headers["access-control-allow-origin"], "https://app.example.com");
  });
});
