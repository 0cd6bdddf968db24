/**
 * forward: the last stage of a request. An upstream route streams it to its upstream with
 * undici (upstream/relay.ts: bodies both ways, unbuffered, client aborts propagated); a static
 * route answers from its directory with sirv. The door's headers (CORS, HSTS) go on either
 * answer; failures go out through the Responder as 502, 504 or 413.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CompiledRoute } from "../compile.js";
import { forwardedPath } from "../compile.js";
import { DoorError } from "../errors.js";
import type { HostOk } from "../request/host.js";
import { peerAddress } from "../request/peers.js";
import type { NormalizedTarget } from "../request/target.js";
import type { Responder, Visit } from "../respond.js";
import type { StaticHandler } from "../static/serve.js";
import { upstreamRequestHeaders } from "../upstream/headers.js";
import type { Upstream } from "../upstream/relay.js";

export function forward(
  visit: Visit,
  req: IncomingMessage,
  res: ServerResponse,
  target: NormalizedTarget,
  host: HostOk,
  respond: Responder,
): void {
  const route = visit.route as CompiledRoute;
  if (route.serveStatic !== null) return serveStatic(visit, req, res, target, respond);
  const compiled = visit.compiled;
  const upstream = route.upstream as Upstream;
  upstream.forward({
    req,
    res,
    method: visit.method,
    path: forwardedPath(route, target.path, target.query),
    headers: upstreamHeaders(visit, req, host, false),
    extraHeaders: respond.doorHeaders([], compiled, visit.decision),
    vary: visit.decision?.vary ?? [],
    redirect: route.redirect,
    onDone: (status, error, clientAborted) => {
      if (error !== null && status === 0) return respond.refuse(visit, res, error);
      respond.access(
        visit,
        clientAborted ? 499 : status,
        error,
        clientAborted ? { aborted: true } : undefined,
      );
    },
  });
}

/**
 * The request's headers as the upstream gets them (upstream/headers.ts): cleaned, with the
 * checked Host and the door's X-Forwarded-* for this peer. Upgrades keep their Upgrade pair.
 */
export function upstreamHeaders(
  visit: Visit,
  req: IncomingMessage,
  host: HostOk,
  upgrade: boolean,
): string[] {
  const peer = req.socket.remoteAddress;
  return upstreamRequestHeaders(req.rawHeaders, {
    peer: peerAddress(peer),
    peerTrusted: visit.compiled.trusted.has(peer),
    proto: visit.compiled.proto,
    host: host.host,
    authority: host.sent,
    upgrade,
  });
}

function serveStatic(
  visit: Visit,
  req: IncomingMessage,
  res: ServerResponse,
  target: NormalizedTarget,
  respond: Responder,
): void {
  const route = visit.route as CompiledRoute;
  const { method } = visit;
  if (method !== "GET" && method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    return respond.refuse(
      visit,
      res,
      new DoorError("GH_METHOD_NOT_ALLOWED", `${method} is not allowed on static files.`),
    );
  }
  const prefix = route.staticPrefix;
  const local = prefix === "" ? target.path : target.path.slice(prefix.length) || "/";
  if (respond.logsAccess()) res.once("finish", () => respond.access(visit, res.statusCode, null));
  (route.serveStatic as StaticHandler)(
    req,
    res,
    `${local.startsWith("/") ? local : `/${local}`}${target.query}`,
    (out) => respond.decorate(out, visit.compiled, visit.decision),
    () => respond.refuse(visit, res, new DoorError("GH_NOT_FOUND", "No such file.")),
  );
}
