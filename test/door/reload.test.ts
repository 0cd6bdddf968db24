/**
 * Reload: a new config applies to every request that starts afterwards, requests in flight
 * finish with the old one, and changes that need a restart are refused whole.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { reloadBlocker } from "../../src/door/server.js";
import { recordingUpstream, send, startDoor, testConfig, upstreamRoute } from "./fixtures.js";

test("a reload swaps routes and CORS for new requests; an in-flight request finishes on the old upstream", async () => {
  const oldUpstream = await recordingUpstream();
  const newUpstream = await recordingUpstream();
  oldUpstream.handle("/slow", (_req, res) => {
    setTimeout(() => res.end("old"), 200);
  });
  const config = testConfig([upstreamRoute(oldUpstream.url)], {
    cors: { allowOrigins: ["https://a.example"] },
  });
  const door = await startDoor(config);
  try {
    const inFlight = send(door.port, { path: "/slow" });
    await new Promise((r) => setTimeout(r, 50));
    door.door.reload(
      testConfig([upstreamRoute(newUpstream.url)], {
        cors: { allowOrigins: ["https://b.example"] },
      }),
    );
    assert.equal(
      (await inFlight).body,
      "old",
      "the request in flight finished on the old upstream",
    );
    await send(door.port, { path: "/after" });
    assert.equal(newUpstream.seen.at(-1)?.url, "/after");
    assert.equal(
      oldUpstream.seen.some((s) => s.url === "/after"),
      false,
    );
    const b = await send(door.port, { headers: { origin: "https://b.example" } });
    assert.equal(b.headers["access-control-allow-origin"], "https://b.example");
    const a = await send(door.port, { headers: { origin: "https://a.example" } });
    assert.equal(a.headers["access-control-allow-origin"], undefined);
  } finally {
    await door.close();
    await oldUpstream.close();
    await newUpstream.close();
  }
});

test("changes that need a restart are refused and change nothing", async () => {
  const upstream = await recordingUpstream();
  const config = testConfig([upstreamRoute(upstream.url)]);
  const door = await startDoor(config);
  try {
    const moved = testConfig([upstreamRoute("http://127.0.0.1:1")], {
      listen: { host: "127.0.0.1", port: 1 },
    });
    assert.throws(() => door.door.reload(moved), /listen changed/);
    assert.equal(
      (await send(door.port, { path: "/still" })).status,
      200,
      "the old config still serves",
    );
    assert.equal(upstream.seen.at(-1)?.url, "/still");
  } finally {
    await door.close();
    await upstream.close();
  }
});

test("reloadBlocker names each change that needs a restart", () => {
  const base = testConfig([]);
  assert.equal(reloadBlocker(base, testConfig([])), null);
  assert.match(
    String(reloadBlocker(base, testConfig([], { log: { level: "info", format: "pretty" } }))),
    /log.format/,
  );
  assert.match(
    String(
      reloadBlocker(
        base,
        testConfig([], { tls: { cert: "/c", key: "/k", hsts: null, redirectHttp: null } }),
      ),
    ),
    /tls was switched/,
  );
  assert.equal(
    reloadBlocker(base, testConfig([], { csrf: false, hosts: ["other.test"] })),
    null,
    "everything else reloads",
  );
});
