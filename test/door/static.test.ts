/**
 * The static UI route: SPA fallback, MIME types, ETag, precompressed files, and path
 * traversal in every encoding (400 or 404, never a file outside the root, never a 5xx).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { brotliCompressSync } from "node:zlib";
import type { RunningDoor } from "./fixtures.js";
import { send, sendRaw, startDoor, testConfig } from "./fixtures.js";

const SECRET = "TOP-SECRET-OUTSIDE-ROOT";
let dir: string;
let door: RunningDoor;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-static-"));
  const root = join(dir, "ui");
  mkdirSync(join(root, "assets"), { recursive: true });
  writeFileSync(join(dir, "secret.txt"), SECRET);
  writeFileSync(join(root, "index.html"), "<!doctype html><title>ui</title>");
  writeFileSync(join(root, "assets", "app.js"), "console.log('app')");
  writeFileSync(join(root, "assets", "app.js.br"), brotliCompressSync("console.log('app')"));
  writeFileSync(join(root, ".env"), `TOKEN=${SECRET}`);
  door = await startDoor(
    testConfig([{ kind: "static", match: "/", root, spa: true, cors: undefined }]),
  );
});
after(async () => {
  await door.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("serving", () => {
  test("index.html at / with a MIME type and revalidation", async () => {
    const reply = await send(door.port, { path: "/" });
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers["content-type"]), /^text\/html/);
    assert.equal(reply.headers["cache-control"], "no-cache");
  });
  test("a client-side route without extension falls back to index.html", async () => {
    const reply = await send(door.port, { path: "/chat/agent-1/session" });
    assert.equal(reply.status, 200);
    assert.match(reply.body, /<title>ui<\/title>/);
  });
  test("a missing file with an extension is 404, not index.html", async () => {
    const reply = await send(door.port, { path: "/assets/missing.js" });
    assert.equal(reply.status, 404);
  });
  test("JavaScript with its MIME type, ETag and 304 on revalidation", async () => {
    const reply = await send(door.port, { path: "/assets/app.js" });
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers["content-type"]), /javascript/);
    const etag = String(reply.headers.etag);
    assert.ok(etag.length > 2);
    const again = await send(door.port, {
      path: "/assets/app.js",
      headers: { "if-none-match": etag },
    });
    assert.equal(again.status, 304);
  });
  test("a precompressed .br sibling is served to clients that accept it", async () => {
    const reply = await send(door.port, {
      path: "/assets/app.js",
      headers: { "accept-encoding": "br, gzip" },
    });
    assert.equal(reply.headers["content-encoding"], "br");
  });
  test("POST to a static route is 405", async () => {
    const reply = await send(door.port, {
      method: "POST",
      path: "/assets/app.js",
      headers: { "sec-fetch-site": "same-origin" },
    });
    assert.equal(reply.status, 405);
  });
});

/** Sends a request target exactly as written (clients would normalize these). */
async function rawGet(target: string): Promise<{ status: number; text: string }> {
  const text = await sendRaw(
    door.port,
    `GET ${target} HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n`,
  );
  return { status: Number(text.slice(9, 12)), text };
}

describe("path traversal in every encoding", () => {
  const targets = [
    "/../secret.txt",
    "/../../../../etc/passwd",
    "/assets/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2E%2E/etc/passwd",
    "/.%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..%2fsecret.txt",
    "/..%2Fsecret.txt",
    "/%252e%252e/secret.txt",
    "/%252e%252e%252fsecret.txt",
    "/..\\secret.txt",
    "/%5c..%5csecret.txt",
    "/..%5csecret.txt",
    "/secret.txt%00.html",
    "/%00",
    "/assets/app.js%00",
    "/.env",
    "/%2eenv",
    "/assets/%2e%2e/.env",
    "/%c0%ae%c0%ae/secret.txt",
    "/%",
    "/%zz",
    "/%2",
    "//secret.txt",
    "/\\evil.example/",
    "/%2f%2fevil.example",
  ];
  for (const target of targets) {
    test(target, async () => {
      const reply = await rawGet(target);
      assert.ok(
        reply.status === 400 ||
          reply.status === 404 ||
          (reply.status === 200 && reply.text.includes("<title>ui</title>")),
        `status ${reply.status}`,
      );
      assert.ok(!reply.text.includes(SECRET), "leaked a file outside the root or a dotfile");
      assert.doesNotMatch(reply.text, /\r\nLocation:/i, "never a redirect");
    });
  }
  test("after malformed escapes, the next request is served", async () => {
    assert.equal((await rawGet("/%zz")).status, 400);
    assert.equal((await rawGet("/")).status, 200);
  });
});

describe("static routes with a CORS policy", () => {
  let corsDoor: RunningDoor;
  before(async () => {
    corsDoor = await startDoor(
      testConfig([
        {
          kind: "static",
          match: "/",
          root: join(dir, "ui"),
          spa: true,
          cors: { allowOrigins: ["https://app.example.com"] },
        },
      ]),
    );
  });
  after(() => corsDoor.close());
  test("Vary keeps Origin next to sirv's Accept-Encoding, and ACAO is set", async () => {
    const reply = await send(corsDoor.port, {
      path: "/assets/app.js",
      headers: { origin: "https://app.example.com" },
    });
    const tokens = String(reply.headers.vary)
      .split(",")
      .map((t) => t.trim().toLowerCase());
    assert.ok(
      tokens.includes("origin") && tokens.includes("accept-encoding"),
      String(reply.headers.vary),
    );
    assert.equal(reply.headers["access-control-allow-origin"], "https://app.example.com");
  });
  test("a 304 carries Vary: Origin too", async () => {
    const first = await send(corsDoor.port, { path: "/assets/app.js" });
    const again = await send(corsDoor.port, {
      path: "/assets/app.js",
      headers: { "if-none-match": String(first.headers.etag) },
    });
    assert.equal(again.status, 304);
    assert.match(String(again.headers.vary), /Origin/);
  });
});
