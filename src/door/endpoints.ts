/**
 * The door's own endpoints under /_gatehouse/, answered at the door and never routed:
 *   health     status, uptime and version; 503 while draining. Peers on this machine get it
 *              whatever their Host (admit lets them through), for container health checks;
 *   policy     the effective policy and route table without upstream addresses, to clients
 *              the inspector admits (loopback, or its token): the route table is a map of the
 *              deployment, not something to hand every visitor;
 *   inspector  the live CORS inspector (inspector/inspector.ts).
 * Only GET and HEAD; anything else under the prefix is 404.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { websocketOrigins } from "./compile.js";
import type { GatehouseConfig } from "./config/types.js";
import { RESERVED_PREFIX } from "./config/types.js";
import { DoorError } from "./errors.js";
import type { NormalizedTarget } from "./request/target.js";
import type { Responder, Visit } from "./respond.js";

const HEALTH = `${RESERVED_PREFIX}health`;
const POLICY = `${RESERVED_PREFIX}policy`;
const INSPECTOR = `${RESERVED_PREFIX}inspector`;

export interface DoorState {
  /** True once shutdown began: health answers 503 so load balancers stop sending. */
  readonly closing: boolean;
  readonly version: string | null;
}

export function serveEndpoint(
  visit: Visit,
  req: IncomingMessage,
  res: ServerResponse,
  target: NormalizedTarget,
  state: DoorState,
  respond: Responder,
): void {
  const { method } = visit;
  const path = target.path;
  if (method !== "GET" && method !== "HEAD")
    return respond.refuse(visit, res, new DoorError("GH_METHOD_NOT_ALLOWED"));
  const inspector = visit.compiled.inspector;
  if (path === INSPECTOR || path.startsWith(`${INSPECTOR}/`)) {
    const status = inspector.serve(req, res, path, target.query);
    if (status === null) return respond.refuse(visit, res, new DoorError("GH_NOT_FOUND"));
    // The event stream stays open: its line is written when it ends.
    if (path.endsWith("/events")) res.once("close", () => respond.access(visit, status, null));
    else respond.access(visit, status, null);
    return;
  }
  let body: unknown;
  let status = 200;
  if (path === HEALTH) {
    body = {
      status: state.closing ? "draining" : "ok",
      uptimeSeconds: Math.round(process.uptime()),
      version: state.version,
    };
    if (state.closing) status = 503;
  } else if (path === POLICY && inspector.admits(req, target.query)) {
    body = policySummary(visit.compiled.config);
  } else {
    return respond.refuse(visit, res, new DoorError("GH_NOT_FOUND"));
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(method === "HEAD" ? undefined : text);
  respond.access(visit, status, null);
}

/** What the demo UI and operators see at /_gatehouse/policy: no upstream addresses. */
export function policySummary(config: GatehouseConfig): unknown {
  return {
    publicOrigin: config.publicOrigin,
    hosts: config.hosts,
    csrf: config.csrf,
    cors: config.cors,
    websocket: { allowOrigins: websocketOrigins(config) },
    routes: config.routes.map((r) => ({
      match: r.match,
      kind: r.kind,
      cors: r.cors === undefined ? "global" : r.cors === false ? "none" : "own",
    })),
  };
}
