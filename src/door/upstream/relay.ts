/**
 * Forwarding one HTTP request to an upstream with undici's dispatch API.
 *
 * Bodies stream both ways and nothing is buffered: each upstream chunk is written to the client
 * as it arrives (SSE token streams included), and when the client's socket cannot take more the
 * upstream read is paused until it drains. A client that goes away aborts the upstream request
 * at once, so an abandoned chat stops costing tokens.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import { Agent } from "undici";
import { mergeVary } from "../../core/vary.js";
import type { Limits } from "../config/types.js";
import { DoorError } from "../errors.js";
import { isDroppedResponseHeader, nominatedInResponse } from "./headers.js";

export interface ForwardOptions {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Path and query to request upstream. */
  readonly path: string;
  readonly method: string;
  /** Flat [name, value, ...] request headers, already cleaned. */
  readonly headers: string[];
  /** Headers the front door adds to the response (CORS, HSTS), flat: [name, value, ...]. */
  readonly extraHeaders: readonly string[];
  readonly vary: readonly string[];
  /**
   * A `Location` that starts with `from` (the upstream's own address and base path) is
   * rewritten to start with `to` (the public origin and route prefix), as nginx's default
   * `proxy_redirect` does: a redirect must never send a browser to the upstream's address.
   */
  readonly redirect: LocationRewrite | null;
  /** Called once, when the exchange is over: the status sent (0 if none) and any failure. */
  readonly onDone: (status: number, error: DoorError | null, clientAborted: boolean) => void;
}

export interface LocationRewrite {
  readonly from: string;
  readonly to: string;
}

/** `value` with the rewrite applied when it names the upstream (a path or query must follow). */
export function rewriteLocation(value: string, rewrite: LocationRewrite): string {
  const { from } = rewrite;
  if (value.length < from.length || value.slice(0, from.length).toLowerCase() !== from)
    return value;
  const rest = value.slice(from.length);
  if (rest !== "" && rest[0] !== "/" && rest[0] !== "?" && rest[0] !== "#") return value;
  return `${rewrite.to}${rest === "" || rest[0] !== "/" ? `/${rest}` : rest}`;
}

/** One keep-alive pool per upstream origin. */
export class Upstream {
  readonly url: URL;
  private readonly agent: Agent;
  private readonly origin: string;
  private readonly maxBodyBytes: number;

  constructor(url: URL, limits: Limits) {
    this.url = url;
    this.origin = url.origin;
    this.maxBodyBytes = limits.maxBodyBytes;
    this.agent = new Agent({
      connect: { timeout: limits.upstreamConnectTimeoutMs },
      headersTimeout: limits.upstreamHeadersTimeoutMs,
      bodyTimeout: limits.streamIdleTimeoutMs,
      keepAliveTimeout: 4_000,
      // Responses are streamed to slow clients; never let one stalled read hold a socket
      // that other requests are queued behind.
      pipelining: 1,
    });
  }

  forward(options: ForwardOptions): void {
    const { req, res } = options;
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > this.maxBodyBytes) {
      options.onDone(0, new DoorError("GH_BODY_TOO_LARGE"), false);
      return;
    }
    const hasBody =
      declared !== undefined ? declared !== "0" : req.headers["transfer-encoding"] !== undefined;
    // undici takes async iterables too, though its types list only Readable.
    const body = (
      !hasBody
        ? null
        : declared !== undefined
          ? req
          : Readable.from(limitBody(req, this.maxBodyBytes))
    ) as Readable | null;
    const handler = new ResponseRelay(options);
    res.on("close", handler.onClientClose);
    res.on("drain", handler.onDrain);
    this.agent.dispatch(
      {
        origin: this.origin,
        path: options.path,
        method: options.method as Dispatcher.HttpMethod,
        headers: options.headers,
        body,
      },
      handler,
    );
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  /** Ends every request in flight at once, failing each with `reason`. */
  destroy(reason?: DoorError): Promise<void> {
    return this.agent.destroy(reason ?? null);
  }
}

/** Streams a chunked request body and fails it as soon as it exceeds the limit. */
async function* limitBody(req: IncomingMessage, max: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > max) throw new DoorError("GH_BODY_TOO_LARGE");
    yield chunk as Buffer;
  }
}

class ClientGone extends Error {
  constructor() {
    super("the client closed the connection");
    this.name = "ClientGone";
  }
}

/** undici dispatch handler that relays the upstream response onto the client's response. */
class ResponseRelay implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private status = 0;
  private finished = false;
  private clientGone = false;

  constructor(private readonly options: ForwardOptions) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(new ClientGone());
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusMessage?: string,
  ): void {
    if (statusCode < 200) return; // informational: Node sends its own 100-continue
    const { res } = this.options;
    if (this.clientGone || res.destroyed) {
      controller.abort(new ClientGone());
      return;
    }
    this.status = statusCode;
    const nominated = nominatedInResponse(headers.connection);
    const extra = this.options.extraHeaders;
    // A flat [name, value, ...] list: writeHead takes it as is, without the per-name object
    // bookkeeping of a headers object. Names the door sets itself replace the upstream's.
    const out: (string | string[])[] = [];
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined || name === "vary" || isDroppedResponseHeader(name, nominated))
        continue;
      if (extra.length > 0 && setByDoor(extra, name)) continue;
      if (name === "location" && this.options.redirect !== null && typeof value === "string") {
        out.push(name, rewriteLocation(value, this.options.redirect));
        continue;
      }
      out.push(name, value);
    }
    for (let i = 0; i < extra.length; i++) out.push(extra[i] as string);
    const vary =
      this.options.vary.length > 0 ? mergeVary(headers.vary, this.options.vary) : headers.vary;
    if (vary !== undefined) out.push("vary", vary);
    res.writeHead(statusCode, statusMessage || undefined, out);
    // Event streams: the client should see the response start before the first token.
    const type = headers["content-type"];
    if (typeof type === "string" && type.startsWith("text/event-stream")) res.flushHeaders();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.options.res.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.options.res.end();
    this.done(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const { res } = this.options;
    if (this.clientGone || error instanceof ClientGone) {
      this.done(null);
      return;
    }
    const failure = toDoorError(error);
    if (!res.headersSent) {
      this.done(failure);
      return;
    }
    // Mid-body failure: the status is gone; cut the connection so the client sees the
    // stream end in error rather than a clean but truncated body.
    res.destroy(failure);
    this.done(failure);
  }

  /** The client's connection closed; if the exchange is still running, stop the upstream. */
  readonly onClientClose = (): void => {
    if (this.finished) return;
    this.clientGone = true;
    if (this.controller !== null && !this.controller.aborted)
      this.controller.abort(new ClientGone());
    this.done(null);
  };

  readonly onDrain = (): void => {
    if (this.controller?.paused) this.controller.resume();
  };

  private done(error: DoorError | null): void {
    if (this.finished) return;
    this.finished = true;
    this.options.res.off("drain", this.onDrain);
    this.options.onDone(this.status, error, this.clientGone);
  }
}

/** Is `lower` one of the headers the door adds (CORS, HSTS, its debug header)? */
function setByDoor(extra: readonly string[], lower: string): boolean {
  for (let i = 0; i < extra.length; i += 2)
    if ((extra[i] as string).toLowerCase() === lower) return true;
  return false;
}

/** Maps undici and socket failures to what the client is told: 502, 504 or 413. */
export function toDoorError(error: unknown): DoorError {
  if (error instanceof DoorError) return error;
  const code = (error as { code?: string } | null)?.code;
  const cause = (error as { cause?: { code?: string } } | null)?.cause?.code;
  switch (code ?? cause) {
    case "UND_ERR_CONNECT_TIMEOUT":
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
    case "ETIMEDOUT":
      return new DoorError("GH_UPSTREAM_TIMEOUT", undefined, { cause: error });
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EAI_AGAIN":
      return new DoorError("GH_UPSTREAM_UNREACHABLE", undefined, { cause: error });
    case "ECONNRESET":
    case "EPIPE":
    case "UND_ERR_SOCKET":
    case "UND_ERR_CLOSED":
      return new DoorError("GH_UPSTREAM_RESET", undefined, { cause: error });
    case "UND_ERR_HEADERS_OVERFLOW":
      return new DoorError("GH_UPSTREAM_HEADERS_TOO_LARGE", undefined, { cause: error });
    case "HPE_INVALID_CONSTANT":
    case "HPE_INVALID_STATUS":
    case "UND_ERR_INFO":
    case "UND_ERR_RES_CONTENT_LENGTH_MISMATCH":
      return new DoorError("GH_UPSTREAM_BAD_RESPONSE", undefined, { cause: error });
    default:
      if (typeof code === "string" && code.startsWith("HPE_")) {
        return new DoorError("GH_UPSTREAM_BAD_RESPONSE", undefined, { cause: error });
      }
      return new DoorError("GH_UPSTREAM_RESET", undefined, { cause: error });
  }
}
