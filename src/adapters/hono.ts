/**
 * `gatehouse/hono`: CORS as Hono middleware (any runtime with the Fetch API).
 *
 *   app.use("*", cors({ allowOrigins: ["https://app.example.com"] }));
 *
 * Preflights are answered here (204 or 403) and never reach the handlers.
 */
import type { MiddlewareHandler } from "hono";
import type { CorsPolicy } from "../core/policy.js";
import { mergeVary } from "../core/vary.js";
import type { PolicyInput } from "./policy-input.js";
import { toPolicy } from "./policy-input.js";

export type { CorsConfig } from "../core/config.js";
export type { CorsPolicy } from "../core/policy.js";

export function cors(input: PolicyInput): MiddlewareHandler {
  const policy: CorsPolicy = toPolicy(input);
  return async function gatehouseCors(c, next) {
    const decision = policy.decide({ method: c.req.method, headers: c.req.raw.headers });
    if (decision.status !== null) {
      const headers = new Headers(decision.headers as [string, string][]);
      if (decision.vary.length > 0) headers.set("Vary", decision.vary.join(", "));
      return new Response(null, { status: decision.status, headers });
    }
    await next();
    const headers = c.res.headers;
    for (const [name, value] of decision.headers) headers.set(name, value);
    if (decision.vary.length > 0)
      headers.set("Vary", mergeVary(headers.get("Vary"), decision.vary));
    return undefined;
  };
}
