/**
 * Streams are never buffered: each SSE event reaches the client before the upstream sends the
 * next; a client that disconnects aborts its upstream request (SPEC.md §Behaviour).
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, test } from "node:test";
import type { RecordingUpstream, RunningDoor } from "./fixtures.js";
import { recordingUpstream, startDoor, testConfig, upstreamRoute } from "./fixtures.js";

let upstream: RecordingUpstream;
let door: RunningDoor;
/** The test releases the upstream's next event only after the client saw the previous one. */
let release: (() => void) | null = null;

before(async () => {
  upstream = await recordingUpstream();
  upstream.handle("/v1/stepwise", (_req, res) => {
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    let i = 0;
    const next = () => {
      if (i === 5) {
        res.end("data: [DONE]\n\n");
        return;
      }
      res.write(`data: {"token":${i++}}\n\n`);
      release = next;
    };
    next();
  });
  upstream.handle("/v1/endless", (_req, res) => {
    res.writeHead(200, { "Content-Type": "text/event-stream" });
    const timer = setInterval(() => res.write("data: tick\n\n"), 10);
    res.on("close", () => clearInterval(timer));
  });
  door = await startDoor(testConfig([upstreamRoute(upstream.url)]));
});
after(async () => {
  await door.close();
  await upstream.close();
});

test("each SSE event arrives before the upstream sends the next one", async () => {
  const events: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: door.port,
        path: "/v1/stepwise",
        headers: { host: "gateway.test" },
      },
      (res) => {
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers["content-type"]), /^text\/event-stream/);
        assert.equal(res.headers["content-encoding"], undefined, "never compressed");
        let buffered = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffered += chunk;
          let end = buffered.indexOf("\n\n");
          while (end !== -1) {
            events.push(buffered.slice(0, end));
            buffered = buffered.slice(end + 2);
            end = buffered.indexOf("\n\n");
          }
          // Only now may the upstream produce the next event: if the door buffered, we would
          // wait here forever and the test would time out.
          const go = release;
          release = null;
          go?.();
        });
        res.on("end", resolve);
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
  assert.deepEqual(events, [
    'data: {"token":0}',
    'data: {"token":1}',
    'data: {"token":2}',
    'data: {"token":3}',
    'data: {"token":4}',
    "data: [DONE]",
  ]);
});

test("a client that disconnects aborts the upstream request at once", async () => {
  const before = upstream.closedEarly.length;
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: door.port,
        path: "/v1/endless",
        headers: { host: "gateway.test" },
      },
      (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      },
    );
    req.on("error", () => {});
    req.on("close", () => {});
    req.end();
    setTimeout(() => reject(new Error("no first event")), 5_000).unref();
  });
  const deadline = Date.now() + 3_000;
  while (upstream.closedEarly.length === before && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  assert.equal(
    upstream.closedEarly.length,
    before + 1,
    "the upstream saw its response closed before it finished",
  );
  assert.equal(upstream.closedEarly.at(-1), "/v1/endless");
});
