/**
 * The doctor's network side: sends one request with exactly the given method and header lines
 * (undici keeps both as given: no upper-casing of `patch`, no added Accept or User-Agent), never
 * follows redirects, and reports every response header line as received, repeats included.
 */
import type { LookupFunction } from "node:net";
import type { Dispatcher } from "undici";
import { Agent } from "undici";
import type { Transport } from "./run.js";
import type { HeaderLine, ObservedResponse, WireRequest } from "./simulate.js";

export interface HttpTransportOptions {
  /** Per request, connect to answer; default 10 s. */
  readonly timeoutMs?: number;
  /** Accept self-signed certificates (never the default). */
  readonly insecure?: boolean;
  /** Resolves host names instead of DNS (tests map *.example.test to loopback, as Chromium does). */
  readonly lookup?: LookupFunction;
}

/** Raised when nothing answered: DNS, connect, TLS or timeout. */
export class UnreachableError extends Error {
  override readonly name = "UnreachableError";
}

/** A transport over a private undici Agent; `close()` it when done. */
export function httpTransport(options: HttpTransportOptions = {}): Transport & {
  close(): Promise<void>;
} {
  const timeout = options.timeoutMs ?? 10_000;
  const agent = new Agent({
    connectTimeout: timeout,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    pipelining: 0,
    connect: {
      rejectUnauthorized: options.insecure !== true,
      ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
    },
  });
  const transport = (request: WireRequest): Promise<ObservedResponse> =>
    send(agent, request, timeout);
  return Object.assign(transport, { close: () => agent.close() });
}

function send(agent: Agent, request: WireRequest, timeout: number): Promise<ObservedResponse> {
  const url = new URL(request.url);
  const bodyless =
    request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS";
  const headers: string[] = ["Host", url.host];
  for (const [name, value] of request.headers) headers.push(name, value);
  return new Promise<ObservedResponse>((resolve, reject) => {
    let result: ObservedResponse | null = null;
    const timer = setTimeout(
      () => reject(new UnreachableError(`no answer within ${timeout} ms`)),
      timeout + 1_000,
    );
    const handler: Dispatcher.DispatchHandler = {
      onConnect() {},
      onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, statusText: string) {
        const lines: HeaderLine[] = [];
        for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
          lines.push({
            name: (rawHeaders[i] as Buffer).toString("latin1"),
            value: (rawHeaders[i + 1] as Buffer).toString("latin1"),
          });
        }
        result = { status: statusCode, statusText, lines };
        return true;
      },
      onData() {
        return true;
      },
      onComplete() {
        clearTimeout(timer);
        if (result === null)
          reject(new UnreachableError("the connection closed without a response"));
        else resolve(result);
      },
      onError(error: Error) {
        clearTimeout(timer);
        // Once the head arrived, a broken body does not change what CORS decides.
        if (result !== null) resolve(result);
        else reject(new UnreachableError(describe(error)));
      },
    } as Dispatcher.DispatchHandler;
    agent.dispatch(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body: bodyless ? null : "",
        reset: true,
      },
      handler,
    );
  });
}

function describe(error: Error): string {
  const code = (error as { code?: string }).code;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const parts = [error.message, code, cause?.code, cause?.message].filter(
    (p): p is string => typeof p === "string" && p !== "",
  );
  return [...new Set(parts)].join(": ");
}
