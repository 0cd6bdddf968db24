/**
 * `gatehouse-proxy/fastify`: CORS as a Fastify plugin. Preflights are answered in `onRequest`;
 * register the plugin before authentication plugins so that their hooks never see a preflight. A
 * route opts out with `config: { cors: false }`. `Vary` is merged again in `onSend`, so a handler
 * that sets its own `Vary` cannot drop `Origin`.
 *
 *   await app.register(cors, { allowOrigins: ["https://app.example.com"] });
 */
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { CorsPolicy } from "../core/policy.js";
import { mergeVary } from "../core/vary.js";
import type { PolicyInput } from "./policy-input.js";
import { toPolicy } from "./policy-input.js";

export type { CorsConfig } from "../core/config.js";
export type { CorsPolicy } from "../core/policy.js";

// Async, so that a CorsConfigError rejects register()/ready(): avvio does not catch what a
// callback plugin throws, and the process would die of an uncaught exception.
const plugin: FastifyPluginAsync<PolicyInput> = async (app, options) => {
  const policy: CorsPolicy = toPolicy(options);
  const varyOf = new WeakMap<FastifyRequest, readonly string[]>();
  app.addHook("onRequest", (request, reply, next) => {
    const routeConfig = request.routeOptions.config as { cors?: unknown } | undefined;
    if (routeConfig?.cors === false) return next();
    const decision = policy.decide({ method: request.method, headers: request.headers });
    for (const [name, value] of decision.headers) reply.header(name, value);
    if (decision.vary.length > 0) {
      reply.header("vary", mergeVary(reply.getHeader("vary"), decision.vary));
      varyOf.set(request, decision.vary);
    }
    if (decision.status !== null) {
      // Fastify frames an empty reply itself: `Content-Length: 0` on the 403, none on the 204
      // (RFC 9110 §8.6 forbids it there).
      reply.code(decision.status).send();
      return;
    }
    next();
  });
  app.addHook("onSend", (request, reply, payload, next) => {
    const vary = varyOf.get(request);
    if (vary !== undefined) reply.header("vary", mergeVary(reply.getHeader("vary"), vary));
    next(null, payload);
  });
  // Without a route, Fastify would answer a preflight to an unknown path with 404 before our
  // hook could; this catch-all lets onRequest see every OPTIONS. Fastify stores `*` as `/*`,
  // and hasRoute() only finds it under that name.
  if (!app.hasRoute({ method: "OPTIONS", url: "/*" })) {
    app.options("/*", (_request, reply) => {
      reply.code(404).send();
    });
  }
};

// Applies to the whole instance, as fastify-plugin would do (skip-override).
(plugin as unknown as Record<symbol, unknown>)[Symbol.for("skip-override")] = true;
(plugin as unknown as Record<symbol, unknown>)[Symbol.for("fastify.display-name")] =
  "gatehouse-cors";

export const cors = plugin;
export default plugin;
