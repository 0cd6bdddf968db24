/**
 * cors: the route's policy decides (core/policy.ts, which cites the Fetch Standard step for
 * each answer). A request from the door's own origin is same-origin and gets no CORS headers;
 * a preflight is answered here, 204 or 403, and never forwarded; an actual request carries
 * the decision on to forward, which adds its headers to the response.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { CorsDecision } from "../../core/policy.js";
import type { CompiledRoute } from "../compile.js";

import type { Visit } from "../respond.js";

export function cors(
  visit: Visit,
  headers: IncomingHttpHeaders,
  origin: string | undefined,
  selfOrigins: readonly string[],
): CorsDecision {
  const route = visit.route as CompiledRoute;
  const sameOrigin = origin !== undefined && selfOrigins.includes(origin);
  const decision = route.policy.decide(
    sameOrigin
      ? { method: visit.method, origin, headers, selfOrigin: origin }
      : { method: visit.method, origin, headers },
  );
  visit.decision = decision;
  if (origin !== undefined && !sameOrigin)
    visit.compiled.inspector.recordDecision(decision, origin, visit.method, visit.path);
  return decision;
}
