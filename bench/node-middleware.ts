/**
 * The probe for a node-style `(req, res, next)` CORS middleware (Express's `cors`, Gatehouse's
 * `gatehouse-proxy/node`): a fresh mock request and response per call, the middleware run once,
 * and the answer read back from the response.
 */
import { MockNodeResponse } from "./mocks.js";
import type { Outcome, Probe } from "./probe.js";
import { headerText, probe } from "./probe.js";
import type { NodeHeaders, RequestTemplate } from "./workloads.js";
import { headersFactory } from "./workloads.js";

export type NodeMiddleware = (
  req: { method: string; headers: NodeHeaders },
  res: MockNodeResponse,
  next: () => void,
) => void;

const NOOP = (): void => {};

export function nodeMiddlewareProbe(request: RequestTemplate, middleware: NodeMiddleware): Probe {
  const headers = headersFactory(request);
  const method = request.method;
  return probe(
    () => ({ req: { method, headers: headers() }, res: new MockNodeResponse() }),
    ({ req, res }) => middleware(req, res, NOOP),
    ({ res }): Outcome => ({
      allowOrigin: headerText(res.getHeader("Access-Control-Allow-Origin")),
      status: res.ended ? res.statusCode : null,
    }),
  );
}
