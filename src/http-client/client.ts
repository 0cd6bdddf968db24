/**
 * The HTTP client of the doctor and the audit: one undici Agent, one dispatch handler.
 *
 * - A request goes out with exactly the method and header lines given: undici keeps both as
 *   given (no upper-casing of `patch`, no added Accept or User-Agent) and adds only Host,
 *   Connection and, for a method that carries a body, `Content-Length: 0`.
 * - Redirects are never followed: the answer of the URL given is what is judged (the doctor
 *   follows them itself, as Fetch does).
 * - The response keeps every header line as received (latin1, as on the wire).
 * - A WebSocket handshake goes through the same Agent; an accepted one (101) is closed at once.
 * - The body is read and dropped, up to 64 KiB; past that, or past the deadline once the head
 *   has arrived, the connection is closed: what CORS decides is all in the head.
 * - No head at all (DNS, connect, TLS, timeout, a close) is an `UnreachableError`.
 */
import { randomBytes } from "node:crypto";
import type { LookupFunction } from "node:net";
import type { Dispatcher } from "undici";
import { Agent } from "undici";
import { HEADER } from "./header-names.js";
import type { HeaderLine, ObservedResponse, WireRequest } from "./message.js";
import { WEBSOCKET_VERSION } from "./message.js";
import { UnreachableError } from "./unreachable.js";

export interface HttpClientOptions {
  /**
   * Per request, for connecting, for the response head and for each pause in the body; the
   * whole exchange is given up one second after it. Default 10 s.
   */
  readonly timeoutMs?: number;
  /** Accept any TLS certificate. Default false: a scanner that wants it says so. */
  readonly insecure?: boolean;
  /**
   * Connections kept open per origin and reused. Absent: each request on a fresh connection,
   * closed after its answer, so that no request depends on what came before it.
   */
  readonly connections?: number;
  /** Resolves host names instead of DNS (tests map *.example.test to loopback). */
  readonly lookup?: LookupFunction;
}

export interface HttpClient {
  /** Sends one request; resolves with its response head, rejects with `UnreachableError`. */
  send(request: WireRequest): Promise<ObservedResponse>;
  /** Sends one WebSocket opening handshake (GET with `WEBSOCKET_HANDSHAKE`); 101 if accepted. */
  handshake(request: WireRequest): Promise<ObservedResponse>;
  /** Closes the Agent once the requests in flight are done. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Body bytes read (and dropped) before the connection is closed instead. */
const BODY_LIMIT = 64 * 1024;
/** The deadline's slack over the Agent's own timeouts, which say better what failed. */
const DEADLINE_SLACK_MS = 1_000;

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fresh = options.connections === undefined;
  const agent = new Agent({
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    ...(fresh ? { pipelining: 0 } : { connections: options.connections }),
    connect: {
      rejectUnauthorized: options.insecure !== true,
      ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
    },
  });
  const exchange = (request: WireRequest, upgrade: boolean) =>
    dispatch(agent, request, { timeoutMs, fresh, upgrade });
  return {
    send: (request) => exchange(request, false),
    handshake: (request) => exchange(request, true),
    close: () => agent.close(),
  };
}

interface DispatchOptions {
  readonly timeoutMs: number;
  readonly fresh: boolean;
  readonly upgrade: boolean;
}

function dispatch(
  agent: Agent,
  request: WireRequest,
  { timeoutMs, fresh, upgrade }: DispatchOptions,
): Promise<ObservedResponse> {
  const url = new URL(request.url);
  const headers: string[] = [HEADER.host, url.host];
  if (upgrade) {
    // undici writes Connection: upgrade and Upgrade: websocket itself.
    headers.push(HEADER.secWebSocketVersion, WEBSOCKET_VERSION);
    headers.push(HEADER.secWebSocketKey, randomBytes(16).toString("base64"));
  }
  for (const [name, value] of request.headers) headers.push(name, value);
  const bodyless =
    upgrade ||
    request.method === "GET" ||
    request.method === "HEAD" ||
    request.method === "OPTIONS";

  return new Promise<ObservedResponse>((resolve, reject) => {
    let head: ObservedResponse | null = null;
    let abort: ((error?: Error) => void) | null = null;
    let bodyBytes = 0;
    let settled = false;
    const finish = (error: unknown = null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      // Once the head arrived, a broken or abandoned body does not change what CORS decides.
      if (head !== null) resolve(head);
      else
        reject(error instanceof UnreachableError ? error : UnreachableError.from(url.href, error));
    };
    const giveUp = (): void => {
      // Deferred: undici's abort destroys the socket, which it must not do inside its own parser.
      setImmediate(() => abort?.());
    };
    const deadline = setTimeout(() => {
      finish(new UnreachableError(url.href, `no answer within ${timeoutMs} ms`));
      giveUp();
    }, timeoutMs + DEADLINE_SLACK_MS);

    const handler = {
      onConnect(abortRequest: (error?: Error) => void) {
        abort = abortRequest;
      },
      onHeaders(status: number, raw: Buffer[], _resume: () => void, statusText: string) {
        head = { status, statusText, lines: headerLinesOf(raw) };
        return true;
      },
      onData(chunk: Buffer) {
        bodyBytes += chunk.length;
        if (bodyBytes <= BODY_LIMIT) return true;
        finish();
        giveUp();
        return false;
      },
      onComplete() {
        finish(new UnreachableError(url.href, "the connection closed without a response"));
      },
      onError(error: Error) {
        finish(error);
      },
      onUpgrade(status: number, raw: Buffer[], socket: { destroy(): void }) {
        socket.destroy();
        head = { status, lines: headerLinesOf(raw) };
        finish();
      },
    };
    agent.dispatch(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: (upgrade ? "GET" : request.method) as Dispatcher.HttpMethod,
        headers,
        body: bodyless ? null : "",
        ...(upgrade ? { upgrade: "websocket" } : {}),
        ...(fresh ? { reset: true } : {}),
      },
      // The legacy handler shape: it is the one that hands over the raw header lines.
      handler as unknown as Dispatcher.DispatchHandler,
    );
  });
}

function headerLinesOf(raw: readonly Buffer[]): HeaderLine[] {
  const lines: HeaderLine[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    lines.push({
      name: (raw[i] as Buffer).toString("latin1"),
      value: (raw[i + 1] as Buffer).toString("latin1"),
    });
  }
  return lines;
}
