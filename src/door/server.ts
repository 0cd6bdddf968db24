/**
 * The door's wiring and lifecycle: one listener that serves the UI, the HTTP API and the
 * WebSocket control plane from one origin. Each request and upgrade reads as its stages, each
 * in a file of its own under stages/:
 *
 *   request  admit -> csrf -> cors -> forward
 *   upgrade  admit -> websocket-origin -> tunnel
 *
 * admit checks framing, target and Host and picks the route (or the door's own endpoints);
 * a stage that refuses returns a DoorError, and the Responder (respond.ts) is the one way
 * it, or any other answer of the door's own, leaves. This file keeps the listener, the
 * compiled config (swapped whole on reload), and shutdown.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { CompiledConfig } from "./compile.js";
import { compile, reloadBlocker, selfOrigins } from "./compile.js";
import type { GatehouseConfig } from "./config/types.js";
import { listenerOptions } from "./config/types.js";
import { serveEndpoint } from "./endpoints.js";
import { DoorError } from "./errors.js";
import type { Logger } from "./log.js";
import { silentLogger } from "./log.js";
import type { Visit } from "./respond.js";
import { newVisit, Responder } from "./respond.js";
import type { Arrival } from "./stages/admit.js";
import { admit } from "./stages/admit.js";
import { cors } from "./stages/cors.js";
import { csrf } from "./stages/csrf.js";
import { forward } from "./stages/forward.js";
import { tunnel } from "./stages/tunnel.js";
import { websocketOrigin } from "./stages/websocket-origin.js";
import type { Upstream } from "./upstream/relay.js";
import type { Tunnel } from "./upstream/tunnel.js";

export { reloadBlocker } from "./compile.js";
export { RESERVED_PREFIX } from "./config/types.js";
export { policySummary } from "./endpoints.js";

export interface DoorOptions {
  readonly logger?: Logger;
  /** A server to attach to instead of a new node:http one (the TLS listener passes its own). */
  readonly server?: Server | HttpsServer;
  readonly version?: string;
}

export interface Door {
  readonly server: Server | HttpsServer;
  readonly config: GatehouseConfig;
  /** Starts listening on config.listen; resolves with the bound address. */
  listen(): Promise<AddressInfo>;
  /** Graceful: stop accepting, drain requests and streams up to the grace, close WebSockets with 1001. */
  close(): Promise<void>;
  /**
   * Replaces the running config with a validated one, atomically: requests that started before
   * finish with the old one, every later request sees only the new one, and the old upstream
   * pools close once their requests are done. Throws (and changes nothing) when the change
   * needs a restart (listen address, TLS switched on/off or moved, log format).
   */
  reload(next: GatehouseConfig): void;
  /** Requests and tunnels in flight. */
  readonly inFlight: { readonly requests: number; readonly websockets: number };
}

/** Node's own limit on header lines when maxHeadersCount is left unset. */
const NODE_DEFAULT_MAX_HEADERS = 2000;

export function createDoor(initial: GatehouseConfig, options: DoorOptions = {}): Door {
  const log = options.logger ?? silentLogger();
  const respond = new Responder(log);
  // Requests read the compiled config once, at their start, so each one sees one config even
  // if a reload lands while it is in flight.
  let current: CompiledConfig = compile(initial, null, null);
  /** The port the listener got (port 0 in the config stands for it in default hosts). */
  let boundPort: number | null = null;

  const server = options.server ?? createHttpServer(listenerOptions(current.config.limits));

  let requests = 0;
  /**
   * The response each connection is answering now. A request Node cannot parse is answered
   * with a JSON error only when nothing else would be hurt: not when that response has begun
   * (the error would land inside its bytes) nor when its request is complete (the bad bytes
   * are then a pipelined request behind it, whose error would be read as its answer). In
   * both cases the connection is only closed (clientError below).
   */
  const answering = new WeakMap<object, ServerResponse>();
  // One function for every response, not a closure per request.
  function onResponseClose(this: ServerResponse): void {
    requests--;
    const socket = this.req.socket;
    if (answering.get(socket) === this) answering.delete(socket);
  }
  const tunnels: { open: Set<Tunnel>; closing: boolean } = { open: new Set(), closing: false };
  const state = {
    get closing() {
      return tunnels.closing;
    },
    version: options.version ?? null,
  };

  function visitOf(req: IncomingMessage, upgrade: boolean): Visit {
    return newVisit(current, req.method ?? "GET", req.url ?? "", upgrade);
  }

  function arrival(req: IncomingMessage): Arrival {
    return {
      method: req.method ?? "GET",
      target: req.url ?? "",
      rawHeaders: req.rawHeaders,
      httpVersion: req.httpVersion,
      peer: req.socket.remoteAddress,
      // Node reports null for its default (0 would mean no limit).
      maxHeaders: server.maxHeadersCount ?? NODE_DEFAULT_MAX_HEADERS,
    };
  }

  // ---- requests: admit -> csrf -> cors -> forward -------------------------------------------

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    // A request pipelined behind one we refused with `Connection: close` is never processed
    // (RFC 9112 §9.6); Node closes the connection once that refusal is written.
    if (respond.closingSockets.has(req.socket)) return;
    const visit = visitOf(req, false);
    try {
      pass(visit, req, res);
    } catch (error) {
      respond.refuse(visit, res, new DoorError("GH_INTERNAL", undefined, { cause: error }));
    }
    // Answered already (a preflight, a refusal, the door's own endpoint): nothing to track.
    // Otherwise the response is in flight until it closes: shutdown waits for it, and
    // clientError must not write into it. (`close` is emitted later, never during pass.)
    if (res.writableEnded) return;
    requests++;
    answering.set(req.socket, res);
    // `on`, not `once`: a response closes once, and `once` wraps the listener in a closure.
    res.on("close", onResponseClose);
  }

  function pass(visit: Visit, req: IncomingMessage, res: ServerResponse): void {
    const admission = admit(visit.compiled, arrival(req));
    if (admission instanceof DoorError) return respond.refuse(visit, res, admission);
    visit.path = admission.target.path;
    if (admission.kind === "own")
      return serveEndpoint(visit, req, res, admission.target, state, respond);
    visit.route = admission.route;
    const selves = selfOrigins(visit.compiled, admission.host.host);
    // Node has built req.headers already (it reads `Expect`); Origin is read from it once.
    const headers = req.headers;
    const origin = headers.origin;
    const refused = csrf(visit, headers, origin, selves);
    if (refused !== null) return respond.refuse(visit, res, refused);
    const decision = cors(visit, headers, origin, selves);
    if (decision.status !== null) return respond.answer(visit, res, decision, decision.status);
    forward(visit, req, res, admission.target, admission.host, respond);
  }

  // ---- upgrades: admit -> websocket-origin -> tunnel ----------------------------------------

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => socket.destroy());
    const visit = visitOf(req, true);
    try {
      if (!isWebSocketUpgrade(req))
        return respond.refuseRaw(visit, socket, new DoorError("GH_UPGRADE_UNSUPPORTED"));
      const admission = admit(visit.compiled, arrival(req));
      if (admission instanceof DoorError) return respond.refuseRaw(visit, socket, admission);
      visit.path = admission.target.path;
      if (admission.kind === "own" || admission.route.upstream === null)
        return respond.refuseRaw(visit, socket, new DoorError("GH_NOT_FOUND"));
      visit.route = admission.route;
      const selves = selfOrigins(visit.compiled, admission.host.host);
      const refused = websocketOrigin(visit, req.headers, selves);
      if (refused !== null) return respond.refuseRaw(visit, socket, refused);
      tunnel(visit, req, socket, head, admission.target, admission.host, tunnels, respond);
    } catch (error) {
      respond.refuseRaw(visit, socket, new DoorError("GH_INTERNAL", undefined, { cause: error }));
    }
  }

  server.on("request", onRequest);
  server.on("upgrade", onUpgrade);
  // A forward proxy's CONNECT is never tunnelled.
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => socket.destroy());
    respond.refuseRaw(visitOf(req, false), socket, new DoorError("GH_METHOD_NOT_ALLOWED"));
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Node could not parse a request (or it timed out): answer it unless that would write
    // into, or in the place of, the response this connection is giving (see `answering`).
    // A connection already answered with `Connection: close` gets nothing more either.
    const res = answering.get(socket);
    if (
      (res !== undefined && (res.headersSent || res.req.complete)) ||
      respond.closingSockets.has(socket) ||
      !socket.writable
    ) {
      socket.destroy();
      return;
    }
    const refusal = parseFailure(error);
    respond.refuseRaw(
      newVisit(current, refusal.method, refusal.path, false),
      socket,
      refusal.error,
    );
  });

  /** Old pools retired by reloads: closed once their in-flight requests are done. */
  const retiring = new Set<Upstream>();

  return {
    server,
    get config() {
      return current.config;
    },
    reload(next) {
      const blocker = reloadBlocker(current.config, next);
      if (blocker !== null) throw new Error(blocker);
      const compiled = compile(next, current, boundPort);
      const previous = current;
      // One assignment: every request that starts from now on sees only the new config.
      current = compiled;
      server.headersTimeout = next.limits.headersTimeoutMs;
      server.requestTimeout = next.limits.requestTimeoutMs;
      server.keepAliveTimeout = next.limits.keepAliveTimeoutMs;
      if (previous.inspector !== compiled.inspector) previous.inspector.close();
      for (const upstream of previous.upstreams.values()) {
        retiring.add(upstream);
        void upstream.close().finally(() => retiring.delete(upstream));
      }
    },
    get inFlight() {
      return { requests, websockets: tunnels.open.size };
    },
    listen() {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(current.config.listen.port, current.config.listen.host, () => {
          server.off("error", reject);
          const address = server.address() as AddressInfo;
          boundPort = address.port;
          // Default hosts written with port 0 mean this port: recompile with it known.
          if (current.config.listen.port === 0)
            current = compile(current.config, current, boundPort);
          resolve(address);
        });
      });
    },
    async close() {
      if (tunnels.closing) return;
      tunnels.closing = true;
      current.inspector.close();
      const grace = current.config.limits.shutdownGraceMs;
      const deadline = Date.now() + grace;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const open of tunnels.open) open.goAway(grace);
      while ((requests > 0 || tunnels.open.size > 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
        server.closeIdleConnections();
      }
      // Past the grace: what is still running is cut by the door, and says so (not a failure
      // of the upstream's): in-flight upstream requests fail with GH_SHUTDOWN_GRACE_EXPIRED.
      const cut = new DoorError("GH_SHUTDOWN_GRACE_EXPIRED");
      const upstreams = [...current.upstreams.values(), ...retiring];
      // Upstream requests first, so each is answered or logged with the reason before its
      // client's connection goes.
      await Promise.all(upstreams.map((u) => u.destroy(cut)));
      server.closeAllConnections();
      for (const open of tunnels.open) open.destroy();
      await stopped;
    },
  };
}

function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const protocols = (req.headers.upgrade ?? "")
    .toLowerCase()
    .split(",")
    .map((p) => p.trim());
  return protocols.length === 1 && protocols[0] === "websocket" && req.method === "GET";
}

/**
 * What to answer a request Node refused to parse: 431 for headers over `limits.maxHeaderSize`,
 * 408 for one that took too long, 400 otherwise; the log line names the method and path when
 * the request line could be read.
 */
function parseFailure(error: NodeJS.ErrnoException & { rawPacket?: unknown }): {
  error: DoorError;
  method: string;
  path: string;
} {
  const code =
    error.code === "HPE_HEADER_OVERFLOW"
      ? "GH_HEADERS_TOO_LARGE"
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? "GH_REQUEST_TIMEOUT"
        : "GH_REQUEST_MALFORMED";
  const start = Buffer.isBuffer(error.rawPacket)
    ? error.rawPacket.subarray(0, 2100).toString("latin1")
    : "";
  const line = /^([A-Z]{1,20}) (\S{1,2048}) HTTP\/\d\.\d\r?\n/.exec(start);
  return {
    error: new DoorError(code, undefined, { cause: error }),
    method: line?.[1] ?? "-",
    path: line?.[2] ?? "-",
  };
}
