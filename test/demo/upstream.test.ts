/**
 * The demo upstream as a real server on loopback: the OpenAI-style HTTP API (JSON and SSE,
 * timing and client aborts included), the WebSocket echo, 404s, and shutdown.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { WebSocket } from "ws";
import type { DemoUpstream } from "../../src/demo/upstream.js";
import { startDemoUpstream } from "../../src/demo/upstream.js";

const MODEL = "gatehouse-demo";
const QUESTION = "Where does the control UI come from?";

type Json = Record<string, unknown>;

/** A chat request body with one user message. */
function chatBody(extra: Json = {}): Json {
  return { model: MODEL, messages: [{ role: "user", content: QUESTION }], ...extra };
}

function post(demo: DemoUpstream, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(new URL("/v1/chat/completions", demo.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
}

/** One SSE event's data and when its last byte arrived (ms since the request was sent). */
interface Arrival {
  readonly data: string;
  readonly at: number;
  /** Index of the body read that completed the event: equal indexes arrived together. */
  readonly read: number;
}

/** Reads an SSE body to its end, noting when each event arrived. */
async function readEvents(
  response: Response,
  start: number,
  limit = Number.POSITIVE_INFINITY,
): Promise<Arrival[]> {
  assert.ok(response.body);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const arrivals: Arrival[] = [];
  let buffer = "";
  for (let read = 0; arrivals.length < limit; read++) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const parts = buffer.split("\n\n");
    buffer = parts.pop() ?? "";
    for (const part of parts) {
      assert.ok(part.startsWith("data: "), `every event is a single data line: ${part}`);
      arrivals.push({ data: part.slice("data: ".length), at: performance.now() - start, read });
    }
  }
  return arrivals;
}

/** The chunk payloads of a finished stream, checking that it ends with exactly one [DONE]. */
function chunksOf(arrivals: readonly Arrival[]): Json[] {
  assert.equal(arrivals.at(-1)?.data, "[DONE]");
  const payloads = arrivals.slice(0, -1).map((a) => a.data);
  assert.ok(!payloads.includes("[DONE]"));
  return payloads.map((data) => JSON.parse(data) as Json);
}

function choice(chunk: Json): Json {
  const choices = chunk.choices as Json[];
  assert.equal(choices.length, 1);
  return choices[0]!;
}

async function assertApiError(
  response: Response,
  status: number,
  code: string,
  param: string | null = null,
) {
  assert.equal(response.status, status);
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  const body = (await response.json()) as { error: Json };
  assert.deepEqual(Object.keys(body), ["error"]);
  assert.deepEqual(Object.keys(body.error).sort(), ["code", "message", "param", "type"]);
  assert.equal(body.error.type, "invalid_request_error");
  assert.equal(body.error.code, code);
  assert.equal(body.error.param, param);
  assert.equal(typeof body.error.message, "string");
}

describe("demo upstream: HTTP API", () => {
  let demo: DemoUpstream;
  before(async () => {
    demo = await startDemoUpstream({ tokenDelayMs: 0 });
  });
  after(() => demo.close());

  test("listens on a free loopback port", () => {
    assert.equal(demo.url.hostname, "127.0.0.1");
    assert.notEqual(demo.url.port, "");
    assert.equal(demo.url.pathname, "/");
  });

  test("GET /v1/models lists the demo model in OpenAI's format", async () => {
    const response = await fetch(new URL("/v1/models", demo.url));
    assert.equal(response.status, 200);
    const body = (await response.json()) as Json;
    assert.deepEqual(body, {
      object: "list",
      data: [{ id: MODEL, object: "model", created: 1_735_689_600, owned_by: "gatehouse-demo" }],
    });
    const one = await fetch(new URL(`/v1/models/${MODEL}`, demo.url));
    assert.deepEqual(await one.json(), (body.data as Json[])[0]);
    await assertApiError(
      await fetch(new URL("/v1/models/gpt-4o", demo.url)),
      404,
      "model_not_found",
      "model",
    );
  });

  test("a non-streamed completion has OpenAI's shape and a deterministic reply", async () => {
    const response = await post(demo, chatBody());
    assert.equal(response.status, 200);
    assert.match(response.headers.get("x-request-id") ?? "", /^req_demo_\d+$/);
    const body = (await response.json()) as Json;
    assert.match(body.id as string, /^chatcmpl-demo-\d+$/);
    assert.equal(body.object, "chat.completion");
    assert.equal(body.model, MODEL);
    assert.ok(Number.isInteger(body.created));
    const only = choice(body);
    assert.equal(only.index, 0);
    assert.equal(only.finish_reason, "stop");
    const message = only.message as Json;
    assert.equal(message.role, "assistant");
    const content = message.content as string;
    assert.ok(content.startsWith("Hello from the Gatehouse demo model!"), content);
    assert.ok(content.includes(`You asked: “${QUESTION}”.`), content);
    assert.ok(content.includes("one origin"), content);
    const usage = body.usage as Record<string, number>;
    assert.equal(usage.prompt_tokens, 7);
    assert.ok(usage.completion_tokens! > 20);
    assert.equal(usage.total_tokens, usage.prompt_tokens! + usage.completion_tokens!);

    const again = (await (await post(demo, chatBody())).json()) as Json;
    assert.deepEqual(choice(again).message, message, "same question, same answer");
  });

  test("max_tokens cuts the reply with finish_reason length", async () => {
    const body = (await (await post(demo, chatBody({ max_tokens: 3 }))).json()) as Json;
    assert.equal(choice(body).finish_reason, "length");
    assert.deepEqual(choice(body).message, {
      role: "assistant",
      content: "Hello from the",
      refusal: null,
    });
    assert.equal((body.usage as Json).completion_tokens, 3);
  });

  test("a streamed completion is SSE: role first, one chunk per token, stop, usage, [DONE]", async () => {
    const start = performance.now();
    const response = await post(
      demo,
      chatBody({ stream: true, stream_options: { include_usage: true } }),
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    assert.equal(response.headers.get("cache-control"), "no-cache");
    assert.equal(response.headers.get("x-accel-buffering"), "no");
    const chunks = chunksOf(await readEvents(response, start));

    for (const chunk of chunks) {
      assert.equal(chunk.object, "chat.completion.chunk");
      assert.equal(chunk.id, chunks[0]!.id);
      assert.equal(chunk.model, MODEL);
    }
    assert.deepEqual(choice(chunks[0]!).delta, { role: "assistant", content: "" });
    const usageChunk = chunks.at(-1)!;
    assert.deepEqual(usageChunk.choices, []);
    const stop = chunks.at(-2)!;
    assert.deepEqual(choice(stop).delta, {});
    assert.equal(choice(stop).finish_reason, "stop");
    const tokens = chunks.slice(1, -2).map((c) => {
      assert.equal(choice(c).finish_reason, null);
      assert.equal(c.usage, null, "usage is null until the last chunk");
      return (choice(c).delta as Json).content as string;
    });
    assert.ok(
      tokens.every((t) => t.trim() !== ""),
      "one word-ish token per chunk",
    );
    assert.deepEqual(usageChunk.usage, {
      prompt_tokens: 7,
      completion_tokens: tokens.length,
      total_tokens: 7 + tokens.length,
    });

    const whole = (await (await post(demo, chatBody())).json()) as Json;
    assert.equal(
      tokens.join(""),
      (choice(whole).message as Json).content,
      "the stream adds up to the JSON reply",
    );
  });

  test("without stream_options.include_usage there is no usage chunk and no usage field", async () => {
    const response = await post(demo, chatBody({ stream: true, max_tokens: 2 }));
    const chunks = chunksOf(await readEvents(response, performance.now()));
    assert.equal(chunks.length, 4); // role, 2 tokens, finish
    assert.ok(chunks.every((c) => !("usage" in c)));
    assert.equal(choice(chunks.at(-1)!).finish_reason, "length");
  });

  test("records the last request's method, target and headers", async () => {
    await fetch(new URL("/v1/models?probe=1", demo.url), { headers: { "x-probe": "forwarded?" } });
    assert.deepEqual(demo.stats.lastRequest, { method: "GET", url: "/v1/models?probe=1" });
    assert.equal(demo.stats.lastRequestHeaders?.["x-probe"], "forwarded?");
    assert.equal(demo.stats.lastRequestHeaders?.host, demo.url.host);
  });

  describe("validation", () => {
    test("bad JSON: 400 invalid_json", async () => {
      await assertApiError(await post(demo, "{ not json"), 400, "invalid_json");
    });

    test("a body that is not an object: 400", async () => {
      await assertApiError(await post(demo, "[1, 2]"), 400, "invalid_type");
    });

    test("missing messages: 400 missing_required_parameter", async () => {
      await assertApiError(
        await post(demo, { model: MODEL }),
        400,
        "missing_required_parameter",
        "messages",
      );
    });

    test("missing model: 400", async () => {
      await assertApiError(
        await post(demo, { messages: [] }),
        400,
        "missing_required_parameter",
        "model",
      );
    });

    test("empty or malformed messages: 400 naming the field", async () => {
      await assertApiError(
        await post(demo, chatBody({ messages: [] })),
        400,
        "empty_array",
        "messages",
      );
      await assertApiError(
        await post(demo, chatBody({ messages: "hi" })),
        400,
        "invalid_type",
        "messages",
      );
      const badRole = chatBody({
        messages: [
          { role: "user", content: "a" },
          { role: "robot", content: "b" },
        ],
      });
      await assertApiError(await post(demo, badRole), 400, "invalid_value", "messages[1].role");
      const badContent = chatBody({ messages: [{ role: "user", content: 42 }] });
      await assertApiError(
        await post(demo, badContent),
        400,
        "invalid_type",
        "messages[0].content",
      );
    });

    test("bad options: 400 naming the field", async () => {
      await assertApiError(
        await post(demo, chatBody({ stream: "yes" })),
        400,
        "invalid_type",
        "stream",
      );
      await assertApiError(
        await post(demo, chatBody({ max_tokens: 0 })),
        400,
        "integer_below_min_value",
        "max_tokens",
      );
      await assertApiError(
        await post(demo, chatBody({ max_tokens: 1.5 })),
        400,
        "invalid_type",
        "max_tokens",
      );
      const orphan = chatBody({ stream_options: { include_usage: true } });
      await assertApiError(await post(demo, orphan), 400, "invalid_value", "stream_options");
    });

    test("wrong content type: 400 invalid_content_type", async () => {
      const response = await post(demo, JSON.stringify(chatBody()), {
        headers: { "content-type": "text/plain" },
      });
      await assertApiError(response, 400, "invalid_content_type");
    });

    test("content type parameters are fine", async () => {
      const response = await post(demo, chatBody(), {
        headers: { "content-type": "Application/JSON; charset=utf-8" },
      });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    });

    test("an unknown model: 404 model_not_found", async () => {
      await assertApiError(
        await post(demo, chatBody({ model: "gpt-4o" })),
        404,
        "model_not_found",
        "model",
      );
    });

    test("a body over 1 MiB with Content-Length: 413", async () => {
      const big = JSON.stringify(chatBody({ padding: "x".repeat(1024 * 1024) }));
      await assertApiError(await post(demo, big), 413, "request_too_large");
    });

    test("a chunked body that grows past 1 MiB: 413", async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(new URL("/v1/chat/completions", demo.url), {
          method: "POST",
          headers: { "content-type": "application/json" },
        });
        req.on("response", (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        for (let i = 0; i < 20; i++) req.write(Buffer.alloc(64 * 1024, 0x20));
        req.end();
      });
      assert.equal(status, 413);
    });

    test("a wrong method on an API path: 405 with Allow", async () => {
      const response = await fetch(new URL("/v1/chat/completions", demo.url));
      assert.equal(response.headers.get("allow"), "POST");
      await assertApiError(response, 405, "method_not_allowed");
    });
  });

  test("every other path: 404 JSON", async () => {
    for (const path of ["/", "/v1", "/v1/completions", "/index.html"]) {
      await assertApiError(await fetch(new URL(path, demo.url)), 404, "unknown_url");
    }
  });

  test("plain GET /ws: 426 Upgrade Required", async () => {
    const response = await fetch(new URL("/ws", demo.url));
    assert.equal(response.headers.get("upgrade"), "websocket");
    await assertApiError(response, 426, "upgrade_required");
  });
});

describe("demo upstream: streaming over time", () => {
  const DELAY = 40;
  let demo: DemoUpstream;
  before(async () => {
    demo = await startDemoUpstream({ tokenDelayMs: DELAY });
  });
  after(() => demo.close());

  test("each token event arrives on its own, tokenDelayMs apart, not all at the end", async () => {
    const TOKENS = 6;
    const start = performance.now();
    const response = await post(demo, chatBody({ stream: true, max_tokens: TOKENS }));
    const headersAt = performance.now() - start;
    const arrivals = await readEvents(response, start);
    assert.equal(arrivals.length, TOKENS + 3); // role, tokens, finish, [DONE]

    // Headers and the role chunk come at once: nothing waits for the first token.
    assert.ok(headersAt < DELAY * 2, `headers after ${headersAt} ms`);
    const tokens = arrivals.slice(1, 1 + TOKENS);
    const spread = tokens.at(-1)!.at - tokens[0]!.at;
    // Timers only run late, never early: the lower bound holds on any machine.
    assert.ok(spread >= (TOKENS - 1) * DELAY * 0.8, `tokens spread over ${spread} ms only`);
    assert.ok(
      tokens[0]!.at - arrivals[0]!.at >= DELAY * 0.8,
      "the first token waits one delay after the role",
    );
    const reads = new Set(tokens.map((t) => t.read));
    // A busy test machine may coalesce a pair now and then; a buffered stream would give 1.
    assert.ok(reads.size >= TOKENS - 2, `tokens came in ${reads.size} reads`);
  });

  test("a client that disconnects mid-stream stops the generation at once", async () => {
    const before = { ...demo.stats };
    const controller = new AbortController();
    const response = await post(demo, chatBody({ stream: true }), { signal: controller.signal });
    const start = performance.now();
    const first = await readEvents(response, start, 3);
    assert.equal(first.length, 3);
    controller.abort();

    const stats = await demo.until((s) => s.aborted === before.aborted + 1);
    const written = stats.eventsWritten;
    assert.ok(written - before.eventsWritten < 10, "stopped long before the ~80-token reply ended");
    await sleep(DELAY * 5);
    assert.equal(demo.stats.eventsWritten, written, "no event written after the client left");
    assert.equal(demo.stats.streamsCompleted, before.streamsCompleted);
    assert.equal(demo.stats.streamsStarted, before.streamsStarted + 1);
  });

  test("close() ends streams in flight and counts them aborted", async () => {
    const local = await startDemoUpstream({ tokenDelayMs: DELAY });
    const response = await post(local, chatBody({ stream: true }));
    // Settled at once, so the rejection is never unhandled while close() runs.
    const failure = readEvents(response, performance.now()).then(
      () => null,
      (error: unknown) => error,
    );
    await local.until((s) => s.eventsWritten >= 2);
    await local.close();
    assert.ok((await failure) instanceof Error, "the client sees the stream cut");
    assert.equal(local.stats.aborted, 1);
    await local.close(); // a second call is harmless
    await assert.rejects(fetch(new URL("/v1/models", local.url)), "nothing listens any more");
  });
});

/** Opens a WebSocket and collects its messages; resolves once open and greeted. */
async function openSocket(demo: DemoUpstream, protocols?: string[], path = "/ws") {
  const url = new URL(path, demo.url);
  url.protocol = "ws:";
  const ws = new WebSocket(url, protocols);
  const inbox: Array<{ data: Buffer; isBinary: boolean }> = [];
  const waiters: Array<() => void> = [];
  ws.on("message", (data, isBinary) => {
    inbox.push({ data: data as Buffer, isBinary });
    waiters.shift()?.();
  });
  /** The next message not yet taken. */
  const next = async (): Promise<{ data: Buffer; isBinary: boolean }> => {
    if (inbox.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
    return inbox.shift()!;
  };
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const hello = await next();
  assert.deepEqual(JSON.parse(hello.data.toString()), { type: "hello", server: "gatehouse-demo" });
  return { ws, next };
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

describe("demo upstream: WebSocket echo", () => {
  let demo: DemoUpstream;
  before(async () => {
    demo = await startDemoUpstream();
  });
  after(() => demo.close());

  test("echoes text as text and binary as binary, unchanged", async () => {
    const { ws, next } = await openSocket(demo);
    ws.send("hello, gate");
    assert.deepEqual(await next(), { data: Buffer.from("hello, gate"), isBinary: false });
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff]);
    ws.send(bytes);
    assert.deepEqual(await next(), { data: bytes, isBinary: true });
    ws.send('{"type":"note","id":1}');
    assert.deepEqual(await next(), {
      data: Buffer.from('{"type":"note","id":1}'),
      isBinary: false,
    });
    ws.close();
    await closed(ws);
  });

  test("answers a ping with a pong carrying the same id", async () => {
    const { ws, next } = await openSocket(demo);
    const before = Date.now();
    ws.send(JSON.stringify({ type: "ping", id: "p-7" }));
    const pong = JSON.parse((await next()).data.toString()) as Json;
    assert.equal(pong.type, "pong");
    assert.equal(pong.id, "p-7");
    assert.ok(typeof pong.at === "number" && pong.at >= before && pong.at <= Date.now());
    ws.close();
    await closed(ws);
  });

  test("picks the first subprotocol offered, and none when none is offered", async () => {
    const offered = await openSocket(demo, ["gatehouse.v2", "gatehouse.v1"]);
    assert.equal(offered.ws.protocol, "gatehouse.v2");
    offered.ws.close();
    const plain = await openSocket(demo);
    assert.equal(plain.ws.protocol, "");
    plain.ws.close();
    await Promise.all([closed(offered.ws), closed(plain.ws)]);
  });

  test("closes with the client's own code and reason", async () => {
    const { ws } = await openSocket(demo);
    const done = closed(ws);
    ws.close(4001, "bye");
    assert.deepEqual(await done, { code: 4001, reason: "bye" });
    await demo.until((s) => s.lastClose?.code === 4001);
    assert.deepEqual(demo.stats.lastClose, { code: 4001, reason: "bye" });
  });

  test("counts upgrades and open sockets, and records the upgrade's headers", async () => {
    const before = demo.stats.upgrades;
    const { ws } = await openSocket(demo);
    assert.equal(demo.stats.upgrades, before + 1);
    assert.equal(demo.stats.webSocketsOpen, 1);
    assert.equal(demo.stats.lastRequest?.url, "/ws");
    assert.equal(demo.stats.lastRequestHeaders?.upgrade, "websocket");
    ws.close();
    await demo.until((s) => s.webSocketsOpen === 0);
  });

  test("an upgrade on any other path: 404", async () => {
    const url = new URL("/v1/ws", demo.url);
    url.protocol = "ws:";
    const ws = new WebSocket(url);
    ws.on("error", () => undefined); // "closed before the connection was established": expected
    const status = await new Promise<number>((resolve, reject) => {
      ws.once("unexpected-response", (_req, res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      ws.once("open", () => reject(new Error("opened")));
    });
    ws.terminate();
    assert.equal(status, 404);
  });

  test("close() terminates open sockets", async () => {
    const local = await startDemoUpstream();
    const { ws } = await openSocket(local);
    const done = closed(ws);
    await local.close();
    assert.equal((await done).code, 1006, "terminated, no closing handshake");
  });
});

describe("startDemoUpstream options", () => {
  test("serves the model id it is given", async () => {
    const demo = await startDemoUpstream({ model: "my-model" });
    try {
      const list = (await (await fetch(new URL("/v1/models", demo.url))).json()) as {
        data: Json[];
      };
      assert.equal(list.data[0]?.id, "my-model");
      assert.equal(demo.model, "my-model");
      await assertApiError(await post(demo, chatBody()), 404, "model_not_found", "model");
    } finally {
      await demo.close();
    }
  });

  test("refuses bad options", async () => {
    await assert.rejects(startDemoUpstream({ tokenDelayMs: -1 }), RangeError);
    await assert.rejects(startDemoUpstream({ model: " " }), TypeError);
  });

  test("rejects when the port is taken", async () => {
    const demo = await startDemoUpstream();
    try {
      await assert.rejects(startDemoUpstream({ port: Number(demo.url.port) }), /EADDRINUSE/);
    } finally {
      await demo.close();
    }
  });
});
