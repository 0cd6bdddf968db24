/**
 * tunnel: the last stage of a WebSocket upgrade. Past the door's limits (open sockets, shutdown)
 * the upgrade goes to the upstream with cleaned headers and, on its 101, the two sockets are
 * joined byte for byte (upstream/tunnel.ts). A failure before the 101 is answered through the
 * Responder like every other refusal.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { CompiledRoute } from "../compile.js";
import { forwardedPath } from "../compile.js";
import { DoorError } from "../errors.js";
import type { HostOk } from "../request/host.js";
import type { NormalizedTarget } from "../request/target.js";
import type { Responder, Visit } from "../respond.js";
import { Tunnel } from "../upstream/tunnel.js";
import { upstreamHeaders } from "./forward.js";

/** The door's open tunnels, closed with 1001 on shutdown. */
export interface Tunnels {
  readonly open: Set<Tunnel>;
  /** Set once shutdown begins: no new tunnel opens. */
  readonly closing: boolean;
}

export function tunnel(
  visit: Visit,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: NormalizedTarget,
  host: HostOk,
  tunnels: Tunnels,
  respond: Responder,
): void {
  const compiled = visit.compiled;
  const route = visit.route as CompiledRoute;
  const limits = compiled.config.limits;
  if (tunnels.closing)
    return respond.refuseRaw(
      visit,
      socket,
      new DoorError("GH_WS_LIMIT", "The front door is shutting down."),
    );
  if (tunnels.open.size >= limits.maxWebSockets)
    return respond.refuseRaw(visit, socket, new DoorError("GH_WS_LIMIT"));
  const opened: Tunnel = new Tunnel(
    {
      client: socket,
      head,
      upstream: (route.upstream as NonNullable<CompiledRoute["upstream"]>).url,
      path: forwardedPath(route, target.path, target.query),
      headers: upstreamHeaders(visit, req, host, true),
      connectTimeoutMs: limits.upstreamConnectTimeoutMs,
      idleTimeoutMs: limits.streamIdleTimeoutMs,
      onDone: (status, error) => {
        if (error !== null) respond.refuseRaw(visit, socket, error);
        else respond.access(visit, status, null);
      },
    },
    (ended) => tunnels.open.delete(ended),
  );
  tunnels.open.add(opened);
  opened.start();
}
