/**
 * The demo control UI's static files, without a browser: everything same-origin, the element
 * ids browser tests rely on, the SSE parser against awkward chunk boundaries, the pure
 * helpers of each panel, and a type check of the JS from its JSDoc.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import fc from "fast-check";
import { DEMO_UI_ROOT } from "../../src/demo/ui-root.js";
import type { SseEvent } from "./ui-modules.js";
import { chat, policy, socket, sse, UI_DIR } from "./ui-modules.js";

const uiFile = (name: string): string => readFileSync(new URL(name, UI_DIR), "utf8");

describe("ui: static files", () => {
  const html = uiFile("index.html");

  test("DEMO_UI_ROOT points at ui/", () => {
    assert.equal(DEMO_UI_ROOT, fileURLToPath(UI_DIR));
    assert.ok(readdirSync(DEMO_UI_ROOT).includes("index.html"));
  });

  test("index.html references only relative URLs", () => {
    const urls = [
      ...html.matchAll(/\s(?:src|href|action|formaction|poster|srcset)\s*=\s*"([^"]*)"/gi),
    ].map((m) => m[1]!);
    assert.ok(urls.includes("./app.js") && urls.includes("./style.css"), urls.join(" "));
    for (const url of urls) {
      assert.ok(!url.startsWith("//"), `protocol-relative URL: ${url}`);
      const scheme = /^([a-z][a-z\d+.-]*):/i.exec(url)?.[1]?.toLowerCase();
      assert.ok(scheme === undefined || scheme === "data", `absolute URL: ${url}`);
    }
  });

  test("no file of the UI names another origin", () => {
    for (const name of readdirSync(DEMO_UI_ROOT)) {
      const text = uiFile(name);
      assert.doesNotMatch(text, /\b(?:https?|wss?):\/\//i, `${name} names an absolute URL`);
      assert.doesNotMatch(text, /@import|url\(\s*["']?\/\//i, `${name} imports from elsewhere`);
    }
  });

  test("the ids browser tests use are there, once each", () => {
    const ids = ["chat-form", "chat-input", "chat-send", "chat-stop", "chat-log", "chat-stream"];
    ids.push("ws-state", "ws-input", "ws-send", "ws-log", "policy");
    for (const id of ids) {
      assert.equal(html.split(`id="${id}"`).length - 1, 1, `#${id}`);
    }
    assert.match(html, /id="ws-state"[^>]*>connecting</);
    assert.match(html, /id="chat-log"[^>]*aria-live="polite"/);
  });

  test("every form control has a label", () => {
    for (const [, id] of html.matchAll(/<(?:input|textarea|select)\b[^>]*\bid="([^"]+)"/g)) {
      const labelled =
        html.includes(`for="${id}"`) ||
        new RegExp(`<label[^>]*>\\s*<input[^>]*id="${id}"`).test(html);
      assert.ok(labelled, `#${id} has no label`);
    }
  });
});

/** An SSE stream with every awkward feature: CRLF, lone CR, comments, multi-line data, ids. */
const STREAM = [
  ": a comment\r\n",
  'data: {"a":1}\n\n',
  "event: update\r\ndata: line one\r\ndata: line two\r\nid: 7\r\n\r\n",
  "data:no-space\rdata:  two spaces\r\r",
  "data: €uro ünïcödé 🚪\n\n",
  "retry: 1000\nunknown: x\n\n",
  "data\n\n",
  "data: [DONE]\n\n",
  "data: unterminated",
].join("");

const EVENTS: SseEvent[] = [
  { event: "message", data: '{"a":1}', id: undefined },
  { event: "update", data: "line one\nline two", id: "7" },
  { event: "message", data: "no-space\n two spaces", id: undefined },
  { event: "message", data: "€uro ünïcödé 🚪", id: undefined },
  { event: "message", data: "", id: undefined },
  { event: "message", data: "[DONE]", id: undefined },
];

/** Feeds `pieces` to parseSse one by one, as a reader would. */
function parseInPieces(pieces: readonly string[]): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  let rest = "";
  for (const piece of pieces) {
    const parsed = sse.parseSse(rest + piece);
    events.push(...parsed.events);
    rest = parsed.rest;
  }
  return { events, rest };
}

/** Cuts `whole` at the given offsets. */
function cut<T extends string | Uint8Array>(whole: T, offsets: readonly number[]): T[] {
  const points = [...new Set(offsets)].sort((a, b) => a - b);
  const pieces: T[] = [];
  let from = 0;
  for (const to of [...points, whole.length]) {
    pieces.push(whole.slice(from, to) as T);
    from = to;
  }
  return pieces;
}

function byteStream(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function collect(events: AsyncIterable<SseEvent>): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe("ui/sse.js", () => {
  test("parses a whole stream per the standard, keeping the unterminated event", () => {
    assert.deepEqual(sse.parseSse(STREAM), { events: EVENTS, rest: "data: unterminated" });
  });

  test("same events when the text is cut in two anywhere (CR|LF, inside field names, [DONE])", () => {
    for (let i = 0; i <= STREAM.length; i++) {
      assert.deepEqual(
        parseInPieces(cut(STREAM, [i])),
        { events: EVENTS, rest: "data: unterminated" },
        `cut at ${i}`,
      );
    }
  });

  test("a CRLF cut in two: the event goes out on the CR, the LF adds nothing", () => {
    const a = { event: "message", data: "a", id: undefined };
    assert.deepEqual(sse.parseSse("data: a\r\r"), { events: [a], rest: "" });
    assert.deepEqual(parseInPieces(["data: a\r", "\n\r", "\ndata: b\r\n\r\n"]), {
      events: [a, { event: "message", data: "b", id: undefined }],
      rest: "",
    });
    assert.deepEqual(
      sse.parseSse("data: a\r"),
      { events: [], rest: "data: a\r" },
      "not before its blank line",
    );
  });

  test("same events however the text is cut into pieces", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(STREAM.length), { maxLength: 40 }), (offsets) => {
        assert.deepEqual(parseInPieces(cut(STREAM, offsets)).events, EVENTS);
      }),
      { numRuns: 300 },
    );
  });

  test("readSse: same events however the bytes are cut, even inside a UTF-8 character", async () => {
    const bytes = new TextEncoder().encode(STREAM);
    const euro = bytes.indexOf(0xe2); // "€" is e2 82 ac
    assert.deepEqual(
      await collect(sse.readSse(byteStream(cut(bytes, [euro + 1, euro + 2])))),
      EVENTS,
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(bytes.length), { maxLength: 40 }), async (offsets) => {
        assert.deepEqual(await collect(sse.readSse(byteStream(cut(bytes, offsets)))), EVENTS);
      }),
      { numRuns: 200 },
    );
  });

  test("readSse: one byte at a time", async () => {
    const bytes = new TextEncoder().encode(STREAM);
    const single = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    assert.deepEqual(await collect(sse.readSse(byteStream(single))), EVENTS);
  });

  test("readSse: stopping early cancels the body", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode("data: tick\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of sse.readSse(body)) {
      assert.equal(event.data, "tick");
      break;
    }
    assert.ok(cancelled);
  });
});

describe("ui panels: pure helpers", () => {
  test("chat: delta and message text, and failure lines", () => {
    assert.equal(chat.deltaText({ choices: [{ delta: { content: " gate" } }] }), " gate");
    assert.equal(chat.deltaText({ choices: [{ delta: { role: "assistant" } }] }), "");
    assert.equal(chat.deltaText({ choices: [] }), "");
    assert.equal(chat.deltaText(null), "");
    assert.equal(chat.messageText({ choices: [{ message: { content: "hi" } }] }), "hi");
    const openai = JSON.stringify({ error: { message: "The model `x` does not exist." } });
    assert.equal(
      chat.failureText(404, "Not Found", openai),
      "404 Not Found: The model `x` does not exist.",
    );
    assert.equal(
      chat.failureText(403, "Forbidden", '{"error":"cross-origin request refused"}'),
      "403 Forbidden: cross-origin request refused",
    );
    assert.equal(chat.failureText(502, "", "upstream unreachable"), "502: upstream unreachable");
    assert.equal(
      chat.failureText(500, "Internal Server Error", "<html>oops</html>"),
      "500 Internal Server Error",
    );
  });

  test("policy: lenient reading of the front door's JSON", () => {
    const view = policy.normalizePolicy({
      publicOrigin: "http://127.0.0.1:8080",
      hosts: ["127.0.0.1:8080", "localhost:8080"],
      csrf: true,
      cors: {
        allowOrigins: ["https://app.example.com"],
        allowCredentials: false,
        maxAge: 600,
        custom: null,
      },
      websocket: { allowOrigins: [] },
      routes: [
        { match: "/v1/", kind: "upstream", cors: "global" },
        { match: "/", kind: "static", target: "ui" },
        7,
      ],
    });
    assert.deepEqual(view, {
      publicOrigin: "http://127.0.0.1:8080",
      hosts: ["127.0.0.1:8080", "localhost:8080"],
      csrf: true,
      cors: [
        ["Allowed origins", "https://app.example.com"],
        ["Credentials", "no"],
        ["Preflight cache (s)", "600"],
        ["custom", "—"],
      ],
      websocketOrigins: [],
      routes: [
        { match: "/v1/", kind: "upstream", target: null, cors: "global" },
        { match: "/", kind: "static", target: "ui", cors: null },
      ],
    });
    const bare = policy.normalizePolicy({ cors: null });
    assert.equal(bare.cors, null, "no CORS section: single origin");
    assert.deepEqual(bare.routes, []);
    assert.throws(() => policy.normalizePolicy("<!doctype html>"), TypeError);
    assert.equal(policy.display([]), "(none)");
    assert.equal(policy.display(["GET", "POST"]), "GET, POST");
  });

  test("socket: URL on the page's own host, and message kinds", () => {
    assert.equal(
      socket.socketUrl({ href: "http://127.0.0.1:8080/some/page?x=1" }),
      "ws://127.0.0.1:8080/ws",
    );
    assert.equal(socket.socketUrl({ href: "https://gw.example.com/" }), "wss://gw.example.com/ws");
    assert.deepEqual(socket.classify('{"type":"hello","server":"gatehouse-demo"}'), {
      kind: "hello",
      server: "gatehouse-demo",
    });
    assert.deepEqual(socket.classify('{"type":"pong","id":3,"at":1}'), { kind: "pong", id: 3 });
    assert.deepEqual(socket.classify('{"type":"other"}'), {
      kind: "text",
      text: '{"type":"other"}',
    });
    assert.deepEqual(socket.classify("plain"), { kind: "text", text: "plain" });
    assert.deepEqual(socket.classify(new ArrayBuffer(5)), { kind: "binary", bytes: 5 });
  });
});

test("ui: the JS type-checks from its JSDoc (test/demo/ui.tsconfig.json)", async () => {
  const require = createRequire(import.meta.url);
  const tsc = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc");
  const project = fileURLToPath(new URL("ui.tsconfig.json", import.meta.url));
  const run = promisify(execFile);
  const result = await run(process.execPath, [tsc, "-p", project], { encoding: "utf8" }).catch(
    (error: { stdout?: string; stderr?: string }) => error,
  );
  assert.equal(`${result.stdout ?? ""}${result.stderr ?? ""}`.trim(), "", "tsc reports no error");
});
