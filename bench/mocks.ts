/**
 * The cheapest request and response objects each middleware accepts. Where the real framework
 * object does more per call (node's header validation, Fastify's `routeOptions` getter that
 * builds an object per access, Hono's lazily built `Response`), the mock skips it: every
 * shortcut favours the peers, so the ratios reported are lower bounds.
 */

import type { NodeHeaders } from "./workloads.js";

export type OutgoingValue = string | number | readonly string[];

/** node's `ServerResponse` header store: `[name, value]` under the lower-cased name. */
export class MockNodeResponse {
  statusCode = 200;
  ended = false;
  private store: Record<string, readonly [string, OutgoingValue]> | null = null;

  setHeader(name: string, value: OutgoingValue): this {
    // Created on first use, prototype-less, as node does (lib/_http_outgoing.js).
    this.store ??= Object.create(null) as Record<string, readonly [string, OutgoingValue]>;
    this.store[name.toLowerCase()] = [name, value];
    return this;
  }

  getHeader(name: string): OutgoingValue | undefined {
    return this.store?.[name.toLowerCase()]?.[1];
  }

  end(): this {
    this.ended = true;
    return this;
  }
}

/** What node's `IncomingMessage` offers a CORS middleware. */
export interface MockNodeRequest {
  readonly method: string;
  readonly headers: NodeHeaders;
}

/** Fastify's `Reply` header methods (lib/reply.js), without the raw-response fallback. */
export class MockFastifyReply {
  statusCode = 200;
  sent = false;
  private readonly store: Record<string, unknown> = {};

  header(key: string, value: unknown = ""): this {
    this.store[key.toLowerCase()] = value;
    return this;
  }

  getHeader(key: string): unknown {
    return this.store[key.toLowerCase()];
  }

  code(statusCode: number): this {
    this.statusCode = statusCode;
    return this;
  }

  status(statusCode: number): this {
    return this.code(statusCode);
  }

  type(contentType: string): this {
    this.store["content-type"] = contentType;
    return this;
  }

  send(): this {
    this.sent = true;
    return this;
  }
}

/** Fastify's `Request` as @fastify/cors reads it; `routeOptions` is a plain property here. */
export interface MockFastifyRequest {
  readonly raw: MockNodeRequest;
  readonly headers: NodeHeaders;
  readonly routeOptions: { readonly config: Record<string, unknown> };
  corsPreflightEnabled: boolean;
}

const EMPTY_ROUTE_OPTIONS = Object.freeze({ config: Object.freeze({}) });

export function mockFastifyRequest(method: string, headers: NodeHeaders): MockFastifyRequest {
  return {
    raw: { method, headers },
    headers,
    routeOptions: EMPTY_ROUTE_OPTIONS,
    corsPreflightEnabled: false,
  };
}

/** `HonoRequest` as hono/cors reads it: `method` and `header(name)`. */
export class MockHonoRequest {
  constructor(
    readonly method: string,
    private readonly headers: NodeHeaders,
  ) {}

  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }
}

/**
 * Hono's `Context` as hono/cors touches it: `req`, `res.headers` (a real `Headers`, which the
 * middleware writes and hands to `new Response`) and `header(name, value, { append })`.
 */
export class MockHonoContext {
  readonly res: { readonly headers: Headers } = { headers: new Headers() };

  constructor(readonly req: MockHonoRequest) {}

  header(name: string, value: string | undefined, options?: { append?: boolean }): void {
    if (value === undefined) this.res.headers.delete(name);
    else if (options?.append) this.res.headers.append(name, value);
    else this.res.headers.set(name, value);
  }
}
