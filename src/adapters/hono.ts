/**
 * `gatehouse-proxy/hono`: CORS as Hono middleware (any runtime with the Fetch API).
 *
 *   app.use("*", cors({ allowOrigins: ["https://app.example.com"] }));
 *
 * Preflights are answered here (204 or 403) and never reach the handlers.
 */
import type { MiddlewareHandler } from "hono";
import type { CorsDecision, CorsPolicy } from "../core/policy.js";
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
      if (decision.vary.length > 0) headers.set("vary", mergeVary(undefined, decision.vary));
      return new Response(null, { status: decision.status, headers });
    }
    await next();
    try {
      addCorsHeaders(c.res.headers, decision);
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      // A Response from fetch() or Response.redirect() has immutable headers: answer with a
      // copy. Only then: a copy costs an allocation, and a 101 upgrade cannot be copied.
      const res = c.res;
      c.res = undefined; // so that Hono does not merge the old headers into the copy again
      c.res = new Response(res.body, res);
      addCorsHeaders(c.res.headers, decision);
    }
    return undefined;
  };
}

function addCorsHeaders(headers: Headers, decision: CorsDecision): void {
  for (const [name, value] of decision.headers) headers.set(name, value);
  if (decision.vary.length > 0) headers.set("vary", mergeVary(headers.get("vary"), decision.vary));
}
