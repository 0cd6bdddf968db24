/**
 * Paths: traversal in every encoding towards an upstream route, dotfiles on a static route,
 * //host and /\host forms (never proxied off-box, never an off-site Location), malformed
 * escapes (400, and the next request is served), and routing on the path that is forwarded.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Route } from "../../src/door/config/types.js";
import type { Door } from "./harness.js";
import {
  assertRefused,
  openDoor,
  rawExchange,
  statuses,
  statusOf,
  upstreamRoute,
} from "./harness.js";

let d: Door;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-hardening-"));
  const root = join(dir, "ui");
  mkdirSync(join(root, ".git"), { recursive: true });
  mkdirSync(join(root, "sub"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<h1>ui</h1>");
  writeFileSync(join(root, "sub", "index.html"), "<h1>sub</h1>");
  writeFileSync(join(root, ".env"), "SECRET=dotenv");
  writeFileSync(join(root, ".git", "config"), "SECRET=gitconfig");
  writeFileSync(join(dir, "outside.txt"), "SECRET=outside");
  d = await openDoor({
    routes: (url) => [
      upstreamRoute(url, "/api"),
      { kind: "static", match: "/ui", root, spa: false, cors: undefined } as Route,
      { kind: "static", match: "/", root, spa: true, cors: undefined } as Route,
    ],
  });
});
after(async () => {
  await d.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (target: string) =>
  `GET ${target} HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n`;

describe("traversal out of an upstream route is refused and never forwarded", () => {
  const targets = [
    "/api/../../etc/passwd",
    "/api/%2e%2e/%2e%2e/etc/passwd",
    "/api/%2E%2E/%2E%2E/x",
    "/api/.%2e/.%2e/x",
    "/api/%2e./%2e./x",
    "/..",
    "/%2e%2e",
    "/api/..%5c..%5cx/../../..",
    "/api\\..\\..\\x",
    "/api/..\\x",
    "/api/%",
    "/api/%2",
    "/api/%zz",
    "/api/%g0",
    "/api/%00",
    "/api/a%00.json",
    "/api/\x7f",
    "/api/\xc0\xae\xc0\xae/x",
    "/api/x#frag",
    "/api/x\x01y",
  ];
  for (const target of targets) {
    test(JSON.stringify(target), () => assertRefused(d, get(target), [400]).then(() => undefined));
  }
});

describe("paths that normalize inside the route are forwarded as normalized", () => {
  const cases: [string, string][] = [
    ["/api/a/../b", "/api/b"],
    ["/api/./a", "/api/a"],
    ["/api//a///b", "/api/a/b"],
    ["/api/%2e/a", "/api/a"],
    ["/api/a/%2e%2e/b", "/api/b"],
    ["/api/..%2fx", "/api/..%2Fx"],
    ["/api/%2fetc%2fpasswd", "/api/%2Fetc%2Fpasswd"],
    ["/api/%7euser", "/api/~user"],
    ["/api/%41", "/api/A"],
    ["/api/%e2%80%ae", "/api/%E2%80%AE"],
    // Kept escaped, like %2F: an upstream that decodes %5C into a separator is on its own.
    ["/api/%5c..%5c..", "/api/%5C..%5C.."],
  ];
  for (const [target, expected] of cases) {
    test(`${target} -> ${expected}`, async () => {
      const before = d.upstream.seen.length;
      const reply = await rawExchange(d.port, get(target));
      assert.deepEqual(statuses(reply.text), [200], reply.text);
      assert.equal(d.upstream.seen[before]?.url, expected);
    });
  }
  test("a path that leaves the route after normalization is routed where it lands (static), not upstream", async () => {
    const before = d.upstream.seen.length;
    for (const target of ["/api/../ui/index.html", "/api/%2e%2e/ui/index.html", "/API/x"]) {
      const reply = await rawExchange(d.port, get(target));
      assert.notEqual(statusOf(reply.text), 0);
    }
    assert.equal(d.upstream.seen.length, before, "none of them reached the upstream");
  });
});

describe("static: dotfiles and escapes never served", () => {
  const targets = [
    "/.env",
    "/ui/.env",
    "/%2eenv",
    "/ui/%2eenv",
    "/.env/.",
    "/.env/",
    "/.git/config",
    "/ui/.git/config",
    "/%2egit/config",
    "/ui/sub/../.env",
    "/ui/../outside.txt",
    "/ui/%2e%2e/outside.txt",
    "/.env%00.html",
    "/.env?raw",
    "/.env?import&raw",
  ];
  for (const target of targets) {
    test(JSON.stringify(target), async () => {
      const reply = await rawExchange(d.port, get(target));
      assert.doesNotMatch(reply.text, /SECRET=/);
      assert.ok([400, 403, 404, 200].includes(statusOf(reply.text)));
    });
  }
});

describe("//host and /\\host never leave the box", () => {
  const targets = [
    "//evil.example",
    "//evil.example/",
    "//evil.example/%2e%2e",
    "///evil.example",
    "/ui//evil.example",
    "/ui/sub",
    "//evil.example/ui/sub",
    "/%2f%2fevil.example",
    "/%5cevil.example",
    "/\\evil.example",
    "/\\\\evil.example",
    "/api//evil.example",
  ];
  for (const target of targets) {
    test(JSON.stringify(target), async () => {
      const before = d.upstream.seen.length;
      const reply = await rawExchange(d.port, get(target));
      const location = /\r\nlocation: ([^\r]*)/i.exec(reply.text)?.[1];
      if (location !== undefined) {
        assert.ok(location.startsWith("/") && !location.startsWith("//"), `Location ${location}`);
        assert.ok(!location.startsWith("/\\"), `Location ${location}`);
      }
      for (const seen of d.upstream.seen.slice(before)) {
        assert.ok(seen.url.startsWith("/") && !seen.url.startsWith("//"), seen.url);
        assert.equal(seen.headers.host, "gateway.test");
      }
    });
  }
});

test("after a malformed escape (400, closed), the next request on a new connection is served", async () => {
  const bad = await rawExchange(d.port, "GET /api/%zz HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
  assert.equal(statusOf(bad.text), 400);
  assert.ok(bad.closed);
  const good = await rawExchange(d.port, get("/api/ok"));
  assert.deepEqual(statuses(good.text), [200]);
});

test("a malformed escape after a served request on a keep-alive connection: both answered", async () => {
  const reply = await rawExchange(
    d.port,
    "GET /api/first HTTP/1.1\r\nHost: gateway.test\r\n\r\nGET /api/%zz HTTP/1.1\r\nHost: gateway.test\r\n\r\n",
  );
  assert.deepEqual(statuses(reply.text), [200, 400]);
  assert.ok(reply.closed);
});
