/**
 * `gatehouse/fastify`: CORS as a Fastify plugin. Preflights are answered in `onRequest`, before
 * any authentication hook can refuse them; a route opts out with `config: { cors: false }`.
 *
 *   await app.register(cors, { allowOrigins: ["https://app.example.com"] });
 */
import type { FastifyPluginCallback } from "fastify";
import type { CorsPolicy } from "../core/policy.js";
import { mergeVary } from "../core/vary.js";
import type { PolicyInput } from "./policy-input.js";
import { toPolicy } from "./policy-input.js";

export type { CorsConfig } from "../core/config.js";
export type { CorsPolicy } from "../core/policy.js";

const plugin: FastifyPluginCallback<PolicyInput> = (app, options, done) => {
  const policy: CorsPolicy = toPolicy(options);
  app.addHook("onRequest", (request, reply, next) => {
    const routeConfig = request.routeOptions.config as { cors?: unknown } | undefined;
    if (routeConfig?.cors === false) return next();
    const decision = policy.decide({ method: request.method, headers: request.headers });
    for (const [name, value] of decision.headers) reply.header(name, value);
    if (decision.vary.length > 0)
      reply.header("Vary", mergeVary(reply.getHeader("Vary"), decision.vary));
    if (decision.status !== null) {
      reply.code(decision.status).header("Content-Length", "0").send();
      return;
    }
    next();
  });
  // Without a route, Fastify would answer a preflight to an unknown path with 404 before our
  // hook could; this catch-all lets onRequest see every OPTIONS.
  if (!app.hasRoute({ method: "OPTIONS", url: "*" })) {
    app.options("*", (_request, reply) => {
      reply.code(404).send();
    });
  }
  done();
};

// Applies to the whole instance, as fastify-plugin would do (skip-override).
(plugin as unknown as Record<symbol, unknown>)[Symbol.for("skip-override")] = true;
(plugin as unknown as Record<symbol, unknown>)[Symbol.for("fastify.display-name")] =
  "gatehouse-cors";

export const cors = plugin;
export default plugin;
