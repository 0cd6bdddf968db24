/**
 * `gatehouse-proxy/node`: CORS for node:http, Express and Connect.
 *
 *   app.use(cors({ allowOrigins: ["https://app.example.com"] }));
 *   http.createServer((req, res) => handle(req, res, () => app(req, res)));
 *
 * Preflights are answered here (204 or 403) and never reach the next handler; every other
 * request gets its CORS headers and `Vary` before `next()` runs.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CorsPolicy } from "../core/policy.js";
import { mergeVary } from "../core/vary.js";
import type { PolicyInput } from "./policy-input.js";
import { toPolicy } from "./policy-input.js";

export type { CorsConfig } from "../core/config.js";
export type { CorsPolicy } from "../core/policy.js";

export type NodeCorsMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (err?: unknown) => void,
) => void;

export function cors(input: PolicyInput): NodeCorsMiddleware {
  const policy: CorsPolicy = toPolicy(input);
  return function gatehouseCors(req, res, next) {
    const decision = policy.decide({ method: req.method ?? "", headers: req.headers });
    for (const [name, value] of decision.headers) res.setHeader(name, value);
    if (decision.vary.length > 0)
      res.setHeader("vary", mergeVary(res.getHeader("vary"), decision.vary));
    if (decision.status !== null) {
      // No explicit Content-Length: node sends `0` on the 403 by itself, and a 204 must not
      // carry one (RFC 9110 §8.6).
      res.statusCode = decision.status;
      res.end();
      return;
    }
    next?.();
  };
}
