/**
 * Request smuggling and framing, on raw sockets: every ambiguous or malformed framing is
 * answered 400 (or 431) with the connection closed, and the upstream sees no byte of it.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Door } from "./harness.js";
import { assertRefused, openDoor, rawExchange, sleep, statuses } from "./harness.js";

let d: Door;
before(async () => {
  d = await openDoor();
});
after(() => d.close());

const H = "Host: gateway.test\r\n";

describe("ambiguous framing is refused, closed, never forwarded", () => {
  const cases: [string, string][] = [
    [
      "CL + TE",
      `POST / HTTP/1.1\r\n${H}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ],
    [
      "TE + CL",
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n`,
    ],
    [
      "duplicate differing CL",
      `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 5\r\n\r\nhello`,
    ],
    ["comma-joined differing CL", `POST / HTTP/1.1\r\n${H}Content-Length: 3, 5\r\n\r\nhello`],
    ["CL with inner space", `POST / HTTP/1.1\r\n${H}Content-Length: 1 2\r\n\r\nhello world!`],
    ["CL with a plus sign", `POST / HTTP/1.1\r\n${H}Content-Length: +5\r\n\r\nhello`],
    ["negative CL", `POST / HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\nhello`],
    ["hex CL", `POST / HTTP/1.1\r\n${H}Content-Length: 0x5\r\n\r\nhello`],
    ["space before colon (CL)", `POST / HTTP/1.1\r\n${H}Content-Length : 5\r\n\r\nhello`],
    ["obs-fold in TE", `POST / HTTP/1.1\r\n${H}Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n`],
    ["obs-fold line before CL", `POST / HTTP/1.1\r\n${H} Content-Length: 5\r\n\r\nhello`],
    ["obs-fold in an ordinary header", `GET / HTTP/1.1\r\n${H}X-A: one\r\n two\r\n\r\n`],
    ["TE xchunked", `POST / HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`],
    [
      "TE chunked, identity",
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`,
    ],
    ["TE identity", `POST / HTTP/1.1\r\n${H}Transfer-Encoding: identity\r\n\r\nhello`],
    ["TE gzip without chunked", `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\nhello`],
    [
      "TE with a vertical tab",
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding:\x0bchunked\r\n\r\n0\r\n\r\n`,
    ],
    [
      "TE: chunked twice, second hidden as 'cow'",
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: cow\r\n\r\n0\r\n\r\n`,
    ],
    ["bare LF line ending", `GET / HTTP/1.1\n${H}\r\n`],
    ["bare LF between headers", `GET / HTTP/1.1\r\nHost: gateway.test\nX-A: b\r\n\r\n`],
    ["bare CR in a header value", `GET / HTTP/1.1\r\n${H}X-A: b\rc\r\n\r\n`],
    ["header block ended by CRLF CR X", "GET / HTTP/1.1\r\nHost: gateway.test\r\n\rX"],
    ["NUL in the target", "GET /a\x00b HTTP/1.1\r\nHost: gateway.test\r\n\r\n"],
    ["NUL in a header value", `GET / HTTP/1.1\r\n${H}X-A: a\x00b\r\n\r\n`],
    [
      "chunk size not hex",
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
    ],
    [
      "chunk size overflow",
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF1\r\nhello\r\n0\r\n\r\n`,
    ],
    [
      "chunk data longer than its size",
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n`,
    ],
    ["invalid method token", `G(T / HTTP/1.1\r\n${H}\r\n`],
    ["HTTP/1.1 with a bad version", `GET / HTTP/1.7\r\n${H}\r\n`],
    ["header name with a space", `GET / HTTP/1.1\r\n${H}X A: b\r\n\r\n`],
  ];
  for (const [name, bytes] of cases) {
    test(name, () => assertRefused(d, bytes, [400]).then(() => undefined));
  }

  test("a huge chunk extension is refused (CVE-2024-22019)", () =>
    assertRefused(
      d,
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;${"a=b;".repeat(5_000)}\r\nhello\r\n0\r\n\r\n`,
      [400, 413],
    ).then(() => undefined));

  test("a header block over 16 KiB: 431, closed", () =>
    assertRefused(d, `GET / HTTP/1.1\r\n${H}X-Big: ${"a".repeat(17_000)}\r\n\r\n`, [431]).then(
      () => undefined,
    ));

  test("after all that, the next connection is served", async () => {
    const reply = await rawExchange(d.port, `GET /ok HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    assert.deepEqual(statuses(reply.text), [200]);
  });
});

describe("header-count limit (CVE-2026-58044: hidden framing headers)", () => {
  const many = Array.from({ length: 2_100 }, (_, i) => `X-H${i}: v\r\n`).join("");
  test("2100 headers with Content-Length last: refused and nothing forwarded", {}, async () => {
    await assertRefused(
      d,
      `POST /hidden HTTP/1.1\r\n${H}${many}Content-Length: 5\r\n\r\nhello`,
      [400, 431],
    );
  });
  test("2100 headers with Transfer-Encoding last: refused and nothing forwarded", {}, async () => {
    await assertRefused(
      d,
      `POST /hidden HTTP/1.1\r\n${H}${many}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
      [400, 431],
    );
  });
});

describe("pipelining", () => {
  test("three pipelined requests are answered in order, each forwarded once", async () => {
    const before = d.upstream.seen.length;
    const reply = await rawExchange(
      d.port,
      `GET /p1 HTTP/1.1\r\n${H}\r\nPOST /p2 HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabcGET /p3 HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
    );
    assert.deepEqual(statuses(reply.text), [200, 200, 200]);
    const order = [...reply.text.matchAll(/"path":"(\/p\d)"/g)].map((m) => m[1]);
    assert.deepEqual(order, ["/p1", "/p2", "/p3"]);
    assert.deepEqual(
      d.upstream.seen.slice(before).map((s) => [s.method, s.url, s.body.toString()]),
      [
        ["GET", "/p1", ""],
        ["POST", "/p2", "abc"],
        ["GET", "/p3", ""],
      ],
    );
  });

  test("a request hidden in a body stays body bytes upstream", async () => {
    const before = d.upstream.seen.length;
    const inner = `GET /smuggled HTTP/1.1\r\n${H}\r\n`;
    const reply = await rawExchange(
      d.port,
      `POST /outer HTTP/1.1\r\n${H}Content-Length: ${inner.length}\r\nConnection: close\r\n\r\n${inner}`,
    );
    assert.deepEqual(statuses(reply.text), [200]);
    const seen = d.upstream.seen.slice(before);
    assert.deepEqual(
      seen.map((s) => s.url),
      ["/outer"],
    );
    assert.equal(seen[0]?.body.toString(), inner);
  });

  test("a refused request in a pipeline ends the connection: what follows is not served", {}, async () => {
    const before = d.seenCount();
    const reply = await rawExchange(
      d.port,
      `GET /first HTTP/1.1\r\nHost: evil.example\r\n\r\nGET /after HTTP/1.1\r\n${H}\r\n`,
    );
    assert.deepEqual(statuses(reply.text), [421]);
    assert.ok(reply.closed);
    await sleep(30);
    assert.equal(d.seenCount(), before);
  });
});
