/**
 * Gatehouse, loaded from the compiled dist/ when it exists (no loader in the measured code),
 * else from src/ through tsx. Two variants: the node adapter, which is what an Express or
 * node:http user runs and the fair match for the peers, and bare `decide()`, to show how the
 * time splits between deciding and writing headers.
 */

import { existsSync } from "node:fs";
import type * as GatehouseNode from "../../src/adapters/node.js";
import type * as Gatehouse from "../../src/index.js";
import type { MockNodeRequest, MockNodeResponse } from "../mocks.js";
import { nodeMiddlewareProbe } from "../node-middleware.js";
import { memoize, type Outcome, probe, type Variant } from "../probe.js";
import {
  ALLOW_METHODS,
  EXPOSE_HEADERS,
  headersFactory,
  MAX_AGE,
  type PolicySpec,
} from "../workloads.js";

export type GatehouseSource = "dist" | "src";

const ROOT = new URL("../../", import.meta.url);

/** dist/ when it has been built, else src/. */
export function defaultGatehouseSource(): GatehouseSource {
  return existsSync(new URL("dist/index.js", ROOT)) ? "dist" : "src";
}

interface Loaded {
  readonly index: typeof Gatehouse;
  readonly node: typeof GatehouseNode;
}

async function importModule(source: GatehouseSource, path: string): Promise<unknown> {
  const file = source === "dist" ? `dist/${path}.js` : `src/${path}.ts`;
  return import(new URL(file, ROOT).href);
}

function hasFunction(value: unknown, name: string): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>)[name] === "function"
  );
}

async function load(source: GatehouseSource): Promise<Loaded> {
  const index = await importModule(source, "index");
  const node = await importModule(source, "adapters/node");
  if (!hasFunction(index, "corsPolicy") || !hasFunction(node, "cors")) {
    throw new Error(`Gatehouse's ${source}/ does not export corsPolicy() and cors()`);
  }
  // The shapes were checked above; the types are those of the sources dist/ is built from.
  return { index: index as typeof Gatehouse, node: node as typeof GatehouseNode };
}

export function gatehouseConfig(spec: PolicySpec): Gatehouse.CorsConfig {
  return {
    allowOrigins: spec.origins,
    allowCredentials: true,
    allowMethods: ALLOW_METHODS,
    allowHeaders: spec.allowHeaders,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: MAX_AGE,
  };
}

const CONFIGURED =
  "`corsPolicy({ allowOrigins, allowCredentials: true, allowMethods: [PUT, PATCH, DELETE], allowHeaders: [authorization, content-type], exposeHeaders: [x-request-id], maxAge: 600 })`";

export async function gatehouseVariants(source: GatehouseSource): Promise<Variant[]> {
  const { index, node } = await load(source);
  const policyFor = memoize((spec: PolicySpec) => index.corsPolicy(gatehouseConfig(spec)));
  const middlewareFor = memoize((spec: PolicySpec) => {
    // The adapter is typed for node's IncomingMessage/ServerResponse; it only uses what the
    // mocks implement (method, headers; setHeader, getHeader, statusCode, end).
    const middleware = node.cors(policyFor(spec));
    return middleware as unknown as (
      req: MockNodeRequest,
      res: MockNodeResponse,
      next: () => void,
    ) => void;
  });

  const adapter: Variant = {
    id: "gatehouse",
    label: "Gatehouse",
    gatehouse: true,
    configured: CONFIGURED,
    invoked: `\`cors(policy)\` from \`gatehouse-proxy/node\` (${source}/adapters/node), called as \`(req, res, next)\` with the same mock request and response as cors; it runs \`policy.decide({ method, headers })\`, \`setHeader\` per header, and merges \`Vary\``,
    accepts: () => true,
    probe: (w) => {
      return nodeMiddlewareProbe(w.request, middlewareFor(w.policy));
    },
  };

  const decideOnly: Variant = {
    id: "gatehouse-decide",
    label: "Gatehouse decide() only",
    gatehouse: true,
    configured: CONFIGURED,
    invoked: "`policy.decide({ method, headers })`, nothing written anywhere",
    accepts: () => true,
    probe: (w) => {
      const policy = policyFor(w.policy);
      const headers = headersFactory(w.request);
      const method = w.request.method;
      return probe(
        () => ({ method, headers: headers() }),
        (facts) => policy.decide(facts),
        (_facts, result): Outcome => {
          const decision = result as Gatehouse.CorsDecision;
          const allow = decision.headers.find(
            ([name]) => name.toLowerCase() === "access-control-allow-origin",
          );
          return { allowOrigin: allow?.[1] ?? null, status: decision.status };
        },
      );
    },
  };

  return [adapter, decideOnly];
}
