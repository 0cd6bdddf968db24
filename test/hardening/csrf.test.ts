/**
 * CSRF of "simple" requests that CORS never stops: cross-site text/plain, form and multipart
 * POSTs are refused 403 before the upstream, whatever the Sec-Fetch-Site spelling or the
 * method-override headers; same-origin and non-browser clients pass.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Door } from "./harness.js";
import { openDoor, rawExchange, send, sleep, statusOf } from "./harness.js";

let d: Door;
before(async () => {
  d = await openDoor({ overrides: { cors: { allowOrigins: ["https://app.example.com"] } } });
});
after(() => d.close());

const BODIES: [string, string, string][] = [
  ["text/plain", "text/plain", '{"model":"x","messages":[]}'],
  ["form", "application/x-www-form-urlencoded", "a=1&b=2"],
  [
    "multipart",
    "multipart/form-data; boundary=X",
    "--X\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--X--\r\n",
  ],
];

async function expectRefused(
  headers: Record<string, string | string[]>,
  method = "POST",
  body = "x",
) {
  const before = d.seenCount();
  const reply = await send(d.port, { method, path: "/v1/chat", headers, body });
  assert.equal(reply.status, 403, reply.body);
  assert.match(reply.body, /GH_CSRF_REFUSED/);
  assert.equal(d.seenCount(), before, "the upstream saw nothing");
}
async function expectPassed(headers: Record<string, string | string[]>, method = "POST") {
  const before = d.upstream.seen.length;
  const reply = await send(d.port, { method, path: "/v1/chat", headers, body: "x" });
  assert.equal(reply.status, 200, reply.body);
  assert.equal(d.upstream.seen.length, before + 1);
}

describe("cross-site simple POSTs are refused", () => {
  const contexts: [string, Record<string, string | string[]>][] = [
    [
      "cross-site + foreign origin",
      { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
    ],
    [
      "same-site + sibling origin",
      { "sec-fetch-site": "same-site", origin: "https://blog.gateway.test" },
    ],
    ["cross-site, no origin", { "sec-fetch-site": "cross-site" }],
    ["foreign origin, no Sec-Fetch-Site (old browser)", { origin: "https://evil.example" }],
    ["null origin (sandboxed iframe, data: URL)", { origin: "null" }],
    ["null origin with cross-site", { origin: "null", "sec-fetch-site": "cross-site" }],
    ["look-alike origin", { origin: "https://app.example.com.evil.example" }],
    ["scheme downgrade of an allowed origin", { origin: "http://app.example.com" }],
    [
      "duplicated Sec-Fetch-Site (cross-site, same-origin)",
      { "sec-fetch-site": ["cross-site", "same-origin"] },
    ],
    [
      "duplicated Sec-Fetch-Site (same-origin twice) with a foreign Origin",
      { "sec-fetch-site": ["same-origin", "same-origin"], origin: "https://evil.example" },
    ],
    ["comma-joined Sec-Fetch-Site", { "sec-fetch-site": "same-origin, cross-site" }],
    [
      "upper-case SAME-ORIGIN is not same-origin",
      { "sec-fetch-site": "SAME-ORIGIN", origin: "https://evil.example" },
    ],
    ["unknown Sec-Fetch-Site value", { "sec-fetch-site": "bogus", origin: "https://evil.example" }],
    ["empty Sec-Fetch-Site", { "sec-fetch-site": "", origin: "https://evil.example" }],
    [
      "publicOrigin with cross-site Sec-Fetch-Site",
      { "sec-fetch-site": "cross-site", origin: "http://gateway.test.evil.example" },
    ],
  ];
  for (const [ctx, headers] of contexts) {
    for (const [kind, type, body] of BODIES) {
      test(`${kind}: ${ctx}`, () =>
        expectRefused({ ...headers, "content-type": type }, "POST", body));
    }
  }
  for (const method of ["PUT", "PATCH", "DELETE", "PROPFIND"]) {
    test(`${method} from a foreign origin`, () =>
      expectRefused(
        { origin: "https://evil.example", "sec-fetch-site": "cross-site", "content-length": "1" },
        method,
      ));
  }
});

describe("method-override headers never make a POST safe", () => {
  for (const name of [
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
    "x-original-method",
  ]) {
    for (const value of ["GET", "HEAD", "OPTIONS"]) {
      test(`${name}: ${value}`, () =>
        expectRefused({
          origin: "https://evil.example",
          "sec-fetch-site": "cross-site",
          "content-type": "application/x-www-form-urlencoded",
          [name]: value,
        }));
    }
  }
  test("?_method=GET in the query does not either", async () => {
    const before = d.seenCount();
    const reply = await send(d.port, {
      method: "POST",
      path: "/v1/chat?_method=GET",
      headers: { origin: "https://evil.example", "content-type": "text/plain" },
      body: "x",
    });
    assert.equal(reply.status, 403);
    assert.equal(d.seenCount(), before);
  });
  test("a lower-case 'post' method is not a safe method either", async () => {
    const before = d.seenCount();
    const reply = await rawExchange(
      d.port,
      "post /v1/chat HTTP/1.1\r\nHost: gateway.test\r\nOrigin: https://evil.example\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx",
    );
    assert.notEqual(statusOf(reply.text), 200);
    await sleep(20);
    assert.equal(d.seenCount(), before);
  });
});

describe("what must still pass", () => {
  test("same-origin fetch", () =>
    expectPassed({
      "sec-fetch-site": "same-origin",
      origin: "http://gateway.test",
      "content-type": "text/plain",
    }));
  test("curl / SDK (no Origin, no Sec-Fetch-Site)", () =>
    expectPassed({ "content-type": "text/plain" }));
  test("the allowed CORS origin", () =>
    expectPassed({ "sec-fetch-site": "cross-site", origin: "https://app.example.com" }));
  test("the door's own Host as origin (old browser)", () =>
    expectPassed({ origin: "http://gateway.test" }));
  test("a navigation-initiated POST (Sec-Fetch-Site: none)", () =>
    expectPassed({ "sec-fetch-site": "none" }));
});
