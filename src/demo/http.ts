/**
 * Small node:http helpers for the demo upstream: JSON answers, OpenAI-style errors, and a
 * body reader with a size cap.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";

/** An error answered in OpenAI's shape: `{ error: { message, type, param, code } }`. */
export interface ApiError {
  readonly status: number;
  readonly message: string;
  /** The request field at fault (`messages[0].role`), or null. */
  readonly param: string | null;
  readonly code: string | null;
  /** Defaults to `invalid_request_error`, the type OpenAI uses for every client error. */
  readonly type?: string;
}

/** Sends `body` as JSON with a Content-Length (so keep-alive works). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** Sends an {@link ApiError}. */
export function sendApiError(
  res: ServerResponse,
  error: ApiError,
  headers?: OutgoingHttpHeaders,
): void {
  sendJson(res, error.status, errorBody(error), headers);
}

/** The JSON body of an {@link ApiError}. */
export function errorBody(error: ApiError): { error: Record<string, string | null> } {
  return {
    error: {
      message: error.message,
      type: error.type ?? "invalid_request_error",
      param: error.param,
      code: error.code,
    },
  };
}

/** The media type of a Content-Type header, lower-cased and without parameters. */
export function mediaType(header: string | undefined): string {
  return (header ?? "").split(";", 1)[0]!.trim().toLowerCase();
}

/** The client closed the connection before its request body was complete. */
export class ClientGoneError extends Error {
  constructor() {
    super("the client went away before sending the whole request body");
    this.name = "ClientGoneError";
  }
}

/** How much of a refused body, in multiples of the limit, is read and dropped before cutting. */
const DRAIN_FACTOR = 4;

/** The outcome of reading a request body under a cap. */
export type BodyResult = { readonly ok: true; readonly body: Buffer } | { readonly ok: false };

/**
 * Reads the whole request body, or stops as soon as it is known to exceed `limit` bytes: at
 * once from Content-Length, or when the bytes received pass it. Rejects with a
 * {@link ClientGoneError} if the client goes away first.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  if (Number(req.headers["content-length"]) > limit) {
    discardBody(req, DRAIN_FACTOR * limit);
    return Promise.resolve({ ok: false });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      discardBody(req, DRAIN_FACTOR * limit);
      resolve({ ok: false });
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ ok: true, body: Buffer.concat(chunks, size) });
    };
    const onGone = (): void => {
      cleanup();
      reject(new ClientGoneError());
    };
    const cleanup = (): void => {
      req.off("data", onData).off("end", onEnd).off("close", onGone).off("error", onGone);
    };
    req.on("data", onData).on("end", onEnd).on("close", onGone).on("error", onGone);
  });
}

/**
 * Reads and drops the rest of a refused body, so that a client still sending reads the error
 * answer rather than a connection reset; past `limit` more bytes, the connection is cut.
 */
function discardBody(req: IncomingMessage, limit: number): void {
  let dropped = 0;
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > limit) req.destroy();
  });
  req.resume();
}
