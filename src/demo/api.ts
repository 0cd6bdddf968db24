/**
 * The demo upstream's HTTP side: `/v1/models` and `/v1/chat/completions`, JSON or streamed
 * as Server-Sent Events one token at a time, the way a real model server trickles them out.
 */
import { once } from "node:events";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { ApiError } from "./http.js";
import { ClientGoneError, errorBody, mediaType, readBody, sendApiError, sendJson } from "./http.js";
import type { ChatCompletionChunk, ChatRequest } from "./openai.js";
import {
  completionBody,
  completionChunks,
  modelEntry,
  modelList,
  modelNotFound,
  parseChatRequest,
  planCompletion,
} from "./openai.js";
import type { StatsRecorder } from "./stats.js";

/** Largest request body accepted (1 MiB); larger ones get 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The model's `created` date: fixed, so that the model list never changes. */
const MODEL_CREATED = 1_735_689_600; // 2025-01-01T00:00:00Z

/** Headers that keep every hop from holding SSE events back. */
const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  // Tells nginx-style proxies in front not to buffer the stream.
  "x-accel-buffering": "no",
} as const;

export interface ApiOptions {
  /** The one model id served. */
  readonly model: string;
  /** Pause before each streamed token. */
  readonly tokenDelayMs: number;
  readonly stats: StatsRecorder;
}

export interface ApiHandler {
  /** The request listener for every plain (non-upgrade) HTTP request. */
  readonly listener: RequestListener;
  /** Resolves once every request being handled is done (after its connection closed, say). */
  settled(): Promise<void>;
}

/** Creates the HTTP side of the demo upstream. */
export function createApiHandler(options: ApiOptions): ApiHandler {
  let sequence = 0;
  const inFlight = new Set<Promise<void>>();
  const listener: RequestListener = (req, res) => {
    sequence++;
    res.setHeader("x-request-id", `req_demo_${sequence}`);
    options.stats.sawRequest("requests", req.method ?? "", req.url ?? "", req.headers);
    const handled = route(req, res, options, sequence).catch((error: unknown) =>
      failed(res, error),
    );
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  };
  return {
    listener,
    settled: async () => {
      await Promise.all(inFlight);
    },
  };
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  options: ApiOptions,
  sequence: number,
): Promise<void> {
  const path = new URL(req.url ?? "/", "http://demo.invalid").pathname;
  const method = req.method ?? "GET";
  const { model } = options;
  if (path === "/v1/chat/completions") {
    if (method !== "POST") return methodNotAllowed(res, "POST");
    return chatCompletions(req, res, options, sequence);
  }
  if (path === "/v1/models") {
    if (method !== "GET" && method !== "HEAD") return methodNotAllowed(res, "GET, HEAD");
    return sendJson(res, 200, modelList(model, MODEL_CREATED));
  }
  if (path.startsWith("/v1/models/")) {
    if (method !== "GET" && method !== "HEAD") return methodNotAllowed(res, "GET, HEAD");
    const id = decodePathSegment(path.slice("/v1/models/".length));
    if (id !== model) return sendApiError(res, modelNotFound(id));
    return sendJson(res, 200, modelEntry(model, MODEL_CREATED));
  }
  if (path === "/ws") {
    const message = "This is a WebSocket endpoint: connect with a WebSocket client.";
    return sendApiError(
      res,
      { status: 426, message, param: null, code: "upgrade_required" },
      { upgrade: "websocket" },
    );
  }
  sendApiError(res, {
    status: 404,
    message: `Unknown request URL: ${method} ${path}.`,
    param: null,
    code: "unknown_url",
  });
}

async function chatCompletions(
  req: IncomingMessage,
  res: ServerResponse,
  options: ApiOptions,
  sequence: number,
): Promise<void> {
  const request = await readChatRequest(req, options.model);
  if ("status" in request) return sendApiError(res, request);
  const plan = planCompletion(request, `chatcmpl-demo-${sequence}`, Math.floor(Date.now() / 1000));
  if (!request.stream) return sendJson(res, 200, completionBody(plan));
  const chunks = completionChunks(plan, request.includeUsage);
  return streamEvents(res, chunks, options);
}

/** Reads and validates the body: the request, or the error to answer with. */
async function readChatRequest(
  req: IncomingMessage,
  model: string,
): Promise<ChatRequest | ApiError> {
  if (mediaType(req.headers["content-type"]) !== "application/json") {
    const message = "Invalid Content-Type header: expected application/json.";
    return { status: 400, message, param: null, code: "invalid_content_type" };
  }
  const read = await readBody(req, MAX_BODY_BYTES);
  if (!read.ok) {
    const message = `The request body is larger than the ${MAX_BODY_BYTES} bytes allowed.`;
    return { status: 413, message, param: null, code: "request_too_large" };
  }
  let body: unknown;
  try {
    body = JSON.parse(read.body.toString("utf8"));
  } catch {
    const message = "We could not parse the JSON body of your request: it is not valid JSON.";
    return { status: 400, message, param: null, code: "invalid_json" };
  }
  const parsed = parseChatRequest(body, model);
  return parsed.ok ? parsed.request : parsed.error;
}

/**
 * Streams the chunks as SSE, each written the moment it is produced, with the token pause
 * before every token. Stops at once when the client goes away: nothing more is generated.
 */
async function streamEvents(
  res: ServerResponse,
  chunks: Iterable<ChatCompletionChunk>,
  options: ApiOptions,
): Promise<void> {
  const { stats, tokenDelayMs } = options;
  const gone = new AbortController();
  res.once("close", () => {
    if (res.writableFinished) return;
    gone.abort();
    stats.update((s) => s.aborted++);
  });
  res.once("finish", () => stats.update((s) => s.streamsCompleted++));
  res.writeHead(200, SSE_HEADERS);
  res.flushHeaders();
  stats.update((s) => s.streamsStarted++);
  for (const chunk of chunks) {
    if (carriesToken(chunk)) await pause(tokenDelayMs, gone.signal);
    if (!(await writeEvent(res, JSON.stringify(chunk), options, gone.signal))) return;
  }
  if (await writeEvent(res, "[DONE]", options, gone.signal)) res.end();
}

/** Writes one `data:` event, waiting for the socket to drain when it is full. False once the client is gone. */
async function writeEvent(
  res: ServerResponse,
  data: string,
  options: ApiOptions,
  signal: AbortSignal,
): Promise<boolean> {
  if (signal.aborted || res.destroyed) return false;
  const flushed = res.write(`data: ${data}\n\n`);
  options.stats.update((s) => s.eventsWritten++);
  if (flushed) return true;
  try {
    await once(res, "drain", { signal });
    return true;
  } catch {
    return false; // aborted while waiting: the client is gone
  }
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  // Rejects with an AbortError when the client goes away; the caller checks the signal.
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

/** A percent-decoded path segment; malformed escapes are kept as they are (then match no model). */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function carriesToken(chunk: ChatCompletionChunk): boolean {
  const content = chunk.choices[0]?.delta.content;
  return content !== undefined && content !== "";
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  const message = `Method not allowed: use ${allow}.`;
  sendApiError(res, { status: 405, message, param: null, code: "method_not_allowed" }, { allow });
}

/** A bug or a socket failure: answer 500 if nothing was sent yet, or cut the connection. */
function failed(res: ServerResponse, error: unknown): void {
  if (error instanceof ClientGoneError) return; // no one left to answer
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  sendJson(
    res,
    500,
    errorBody({ status: 500, message, param: null, code: null, type: "server_error" }),
  );
}
