/**
 * The middlewares users pick instead of Gatehouse, each configured with the same policy and
 * called directly, without its framework's routing, so that only CORS work is timed.
 */

import { readFileSync } from "node:fs";
import fastifyCors, { type FastifyCorsOptions } from "@fastify/cors";
import expressCors from "cors";
import { cors as honoCors } from "hono/cors";
import {
  MockFastifyReply,
  type MockFastifyRequest,
  MockHonoContext,
  MockHonoRequest,
  type MockNodeResponse,
  mockFastifyRequest,
} from "../mocks.js";
import { nodeMiddlewareProbe } from "../node-middleware.js";
import { headerText, memoize, type Outcome, probe, type Variant } from "../probe.js";
import {
  ALLOW_METHODS,
  EXPOSE_HEADERS,
  headersFactory,
  MAX_AGE,
  type PolicySpec,
  type Workload,
} from "../workloads.js";

const NOOP = (): void => {};
const RESOLVED: Promise<void> = Promise.resolve();
const peerWorkload = (w: Workload): boolean => !w.gatehouseOnly;

/** `name@version` as installed, for the report. */
function version(name: string): string {
  const file = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
  const manifest: unknown = JSON.parse(readFileSync(file, "utf8"));
  const installed =
    typeof manifest === "object" && manifest !== null && "version" in manifest
      ? String(manifest.version)
      : "?";
  return `${name}@${installed}`;
}

// expressjs/cors ------------------------------------------------------------------------------

type ExpressCors = (req: unknown, res: MockNodeResponse, next: () => void) => void;

export function expressCorsVariant(): Variant {
  const middlewareFor = memoize(
    (spec: PolicySpec): ExpressCors =>
      expressCors({
        origin: [...spec.origins],
        credentials: true,
        methods: [...ALLOW_METHODS],
        allowedHeaders: [...spec.allowHeaders],
        exposedHeaders: [...EXPOSE_HEADERS],
        maxAge: MAX_AGE,
      }) as ExpressCors,
  );
  return {
    id: "cors",
    label: version("cors"),
    gatehouse: false,
    configured:
      "`cors({ origin: [...origins], credentials: true, methods: [PUT, PATCH, DELETE], allowedHeaders: [authorization, content-type], exposedHeaders: [x-request-id], maxAge: 600 })`",
    invoked:
      "the returned `(req, res, next)`, with a mock `{ method, headers }` and a mock response (`setHeader`, `getHeader`, `statusCode`, `end`: all it calls, `getHeader` through `vary`)",
    accepts: peerWorkload,
    probe: (w) => {
      return nodeMiddlewareProbe(w.request, middlewareFor(w.policy));
    },
  };
}

// @fastify/cors -----------------------------------------------------------------------------

type FastifyHook = (req: MockFastifyRequest, reply: MockFastifyReply, next: () => void) => void;
type PluginCall = (
  instance: FakeFastify,
  options: FastifyCorsOptions,
  done: (error?: Error) => void,
) => void;

/** Just what the plugin's registration calls; it keeps the `onRequest` hook it adds. */
class FakeFastify {
  hook: FastifyHook | null = null;

  decorateRequest(): void {}

  options(): void {}

  addHook(name: string, hook: FastifyHook): void {
    if (name !== "onRequest") throw new Error(`@fastify/cors added an unexpected ${name} hook`);
    this.hook = hook;
  }
}

/** Registers the plugin on a fake instance and returns its hook, unwrapped from Fastify. */
function fastifyHook(options: FastifyCorsOptions): FastifyHook {
  const instance = new FakeFastify();
  let failure: Error | undefined;
  // fastify-plugin only tags the function; the plugin itself is (instance, opts, done).
  (fastifyCors as unknown as PluginCall)(instance, options, (error) => {
    failure = error;
  });
  if (failure !== undefined) throw failure;
  if (instance.hook === null) throw new Error("@fastify/cors added no onRequest hook");
  return instance.hook;
}

export function fastifyCorsVariant(): Variant {
  const hookFor = memoize((spec: PolicySpec) =>
    fastifyHook({
      origin: [...spec.origins],
      credentials: true,
      methods: [...ALLOW_METHODS],
      allowedHeaders: [...spec.allowHeaders],
      exposedHeaders: [...EXPOSE_HEADERS],
      maxAge: MAX_AGE,
    }),
  );
  return {
    id: "fastify",
    label: version("@fastify/cors"),
    gatehouse: false,
    configured:
      "`{ origin: [...origins], credentials: true, methods: [PUT, PATCH, DELETE], allowedHeaders: [authorization, content-type], exposedHeaders: [x-request-id], maxAge: 600 }` (hook `onRequest`, the default)",
    invoked:
      "the plugin function is registered on a fake `fastify` that records `addHook('onRequest', fn)`, and that hook is called as `(request, reply, next)` with a mock request (`raw`, `headers`, a plain `routeOptions`) and a mock reply (`header`, `getHeader`, `code`, `type`, `send`). No Fastify instance, routing or `inject`: only the plugin's own per-request code runs",
    accepts: peerWorkload,
    probe: (w) => {
      const hook = hookFor(w.policy);
      const headers = headersFactory(w.request);
      const method = w.request.method;
      return probe(
        () => ({ req: mockFastifyRequest(method, headers()), reply: new MockFastifyReply() }),
        ({ req, reply }) => hook(req, reply, NOOP),
        ({ reply }): Outcome => ({
          allowOrigin: headerText(reply.getHeader("Access-Control-Allow-Origin")),
          status: reply.sent ? reply.statusCode : null,
        }),
      );
    },
  };
}

// hono/cors ---------------------------------------------------------------------------------

type HonoMiddleware = (c: MockHonoContext, next: () => Promise<void>) => Promise<unknown>;

export function honoCorsVariant(): Variant {
  const middlewareFor = memoize(
    (spec: PolicySpec): HonoMiddleware =>
      // hono/cors only touches req.method, req.header(), res.headers and header() on `c`.
      honoCors({
        origin: [...spec.origins],
        credentials: true,
        allowMethods: [...ALLOW_METHODS],
        allowHeaders: [...spec.allowHeaders],
        exposeHeaders: [...EXPOSE_HEADERS],
        maxAge: MAX_AGE,
      }) as unknown as HonoMiddleware,
  );
  return {
    id: "hono",
    label: `${version("hono")} (hono/cors)`,
    gatehouse: false,
    configured:
      "`cors({ origin: [...origins], credentials: true, allowMethods: [PUT, PATCH, DELETE], allowHeaders: [authorization, content-type], exposeHeaders: [x-request-id], maxAge: 600 })`",
    invoked:
      "the middleware `(c, next)`, awaited, with a minimal Context: `req.method`, `req.header(name)` over a plain object, `res.headers` a fresh real `Headers` (which it writes, and hands to `new Response` on preflights) and `header(name, value, { append })`; `next` returns a resolved promise. The timing loop awaits each call, as Hono's dispatcher does. No real `Request` is built; the `new Headers()` is in hono's baseline",
    accepts: peerWorkload,
    probe: (w) => {
      const middleware = middlewareFor(w.policy);
      const headers = headersFactory(w.request);
      const method = w.request.method;
      return probe(
        () => new MockHonoContext(new MockHonoRequest(method, headers())),
        (c) => middleware(c, () => RESOLVED),
        (c, result): Outcome => {
          // A preflight is answered with a new Response; otherwise headers stay on c.res.
          const response = result instanceof Response ? result : null;
          const answered = response ?? c.res;
          return {
            allowOrigin: answered.headers.get("Access-Control-Allow-Origin"),
            status: response === null ? null : response.status,
          };
        },
      );
    },
  };
}
