/**
 * The front door: one listener that serves the UI, the HTTP API and the WebSocket control plane
 * from one origin. Every request passes the same named stages, in order:
 *
 *   target  normalize the request target (the path routed is the path forwarded)
 *   host    Host allowlist, the DNS-rebinding guard                      -> 421
 *   route   first route whose prefix matches (its CORS policy applies)    -> 404
 *   csrf    unsafe cross-origin requests from origins not allowed         -> 403
 *   cors    preflights answered here; actual responses get their headers -> 204 / 403
 *   forward to the upstream (streamed) or the static directory           -> 502 / 504 / 413
 *
 * Upgrades take the same path with the WebSocket Origin check in place of csrf and cors.
 * Stages return GatewayErrors; sendError turns one into a JSON answer with an id that the
 * request's log line carries too.
 */

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { CorsDecision, CorsPolicy } from "../core/policy.js";
import { compileCorsPolicy, compileNormalizedPolicy, noCorsPolicy } from "../core/policy.js";
import { mergeVary } from "../core/vary.js";
import type { GatehouseConfig, Route } from "./config/types.js";
import { checkingInterval, RESERVED_PREFIX } from "./config/types.js";
import type { GatewayError } from "./errors.js";
import { errorBody, GatewayError as Failure, newErrorId, rawErrorResponse } from "./errors.js";
import { csrfCheck } from "./guards/csrf.js";
import { HostGuard } from "./guards/host.js";
import { websocketOriginCheck } from "./guards/websocket-origin.js";
import { upstreamRequestHeaders } from "./http/forwarding.js";
import { peerAddress, TrustedPeers } from "./http/peers.js";
import { normalizeTarget, prefixMatches } from "./http/target.js";
import { Inspector } from "./inspector.js";
import type { Logger } from "./log.js";
import { silentLogger } from "./log.js";
import { Upstream } from "./proxy/http.js";
import { Tunnel } from "./proxy/websocket.js";
import type { StaticHandler } from "./static/serve.js";
import { staticHandler } from "./static/serve.js";

export { RESERVED_PREFIX } from "./config/types.js";

interface CompiledRoute {
  readonly route: Route;
  readonly policy: CorsPolicy;
  readonly upstream: Upstream | null;
  readonly serveStatic: StaticHandler | null;
  /** A static route's match without its trailing slash, taken off request paths. */
  readonly staticPrefix: string;
}

export interface GatewayOptions {
  readonly logger?: Logger;
  /** A server to attach to instead of a new node:http one (the TLS listener passes its own). */
  readonly server?: Server | HttpsServer;
  readonly version?: string;
}

export interface Gateway {
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

/** Request facts that the stages share, computed once. */
interface Exchange {
  readonly started: bigint;
  readonly req: IncomingMessage;
  path: string;
  route: CompiledRoute | null;
  decision: CorsDecision | null;
  errorId: string | null;
}

/** Node's own limit on header lines when maxHeadersCount is left unset. */
const NODE_DEFAULT_MAX_HEADERS = 2000;

/** Everything derived from a config that requests read; replaced whole on reload. */
interface CompiledConfig {
  readonly config: GatehouseConfig;
  readonly hostGuard: HostGuard;
  readonly trusted: TrustedPeers;
  readonly websocketPolicy: CorsPolicy;
  readonly hsts: string | null;
  readonly inspector: Inspector;
  readonly upstreams: ReadonlyMap<string, Upstream>;
  readonly routes: readonly CompiledRoute[];
  /** The origins a request to an accepted Host counts as same-origin with, per Host value. */
  readonly selfOrigins: Map<string, readonly string[]>;
}

const SELF_ORIGINS_MAX = 64;

/** Compiles a validated config; throws CorsConfigError only if it was not validated. */
function compile(config: GatehouseConfig, previous: CompiledConfig | null): CompiledConfig {
  const trusted = new TrustedPeers(config.trustProxy);
  const globalPolicy = config.cors === null ? noCorsPolicy() : compileNormalizedPolicy(config.cors);
  const websocketOrigins = config.websocket.allowOrigins ?? config.cors?.allowOrigins ?? [];
  const websocketPolicy =
    websocketOrigins.length === 0
      ? noCorsPolicy()
      : compileCorsPolicy({ allowOrigins: websocketOrigins }, "websocket");
  const hsts =
    config.tls?.hsts != null
      ? `max-age=${config.tls.hsts.maxAge}${config.tls.hsts.includeSubDomains ? "; includeSubDomains" : ""}`
      : null;
  // The inspector keeps its open pages across a reload unless its own settings changed.
  const sameInspector =
    previous !== null &&
    previous.config.inspector.enabled === config.inspector.enabled &&
    previous.config.inspector.token === config.inspector.token &&
    previous.config.trustProxy.join() === config.trustProxy.join();
  const inspector = sameInspector
    ? previous.inspector
    : new Inspector(config.inspector, (address) => trusted.has(address));
  const upstreams = new Map<string, Upstream>();
  const routes: CompiledRoute[] = config.routes.map((route) => {
    const policy =
      route.cors === undefined
        ? globalPolicy
        : route.cors === false
          ? noCorsPolicy()
          : compileNormalizedPolicy(route.cors);
    if (route.kind === "static")
      return {
        route,
        policy,
        upstream: null,
        serveStatic: staticHandler(route.root, route.spa),
        staticPrefix: route.match.replace(/\/$/, ""),
      };
    const key = route.upstream.origin;
    let upstream = upstreams.get(key);
    if (upstream === undefined) {
      upstream = new Upstream(route.upstream, config.limits);
      upstreams.set(key, upstream);
    }
    return { route, policy, upstream, serveStatic: null, staticPrefix: "" };
  });
  return {
    config,
    hostGuard: new HostGuard(config.hosts),
    trusted,
    websocketPolicy,
    hsts,
    inspector,
    upstreams,
    routes,
    selfOrigins: new Map(),
  };
}

/** Why a new config cannot replace the running one without a restart, or null if it can. */
export function reloadBlocker(running: GatehouseConfig, next: GatehouseConfig): string | null {
  const listen = (c: GatehouseConfig) => `${c.listen.host}:${c.listen.port}`;
  if (listen(running) !== listen(next))
    return `listen changed (${listen(running)} -> ${listen(next)}): restart to apply`;
  if ((running.tls === null) !== (next.tls === null))
    return "tls was switched on or off: restart to apply";
  if (running.tls !== null && next.tls !== null) {
    if (running.tls.cert !== next.tls.cert || running.tls.key !== next.tls.key)
      return "tls.cert or tls.key moved: restart to apply";
    if (JSON.stringify(running.tls.redirectHttp) !== JSON.stringify(next.tls.redirectHttp))
      return "tls.redirectHttp changed: restart to apply";
  }
  if (running.log.format !== next.log.format) return "log.format changed: restart to apply";
  return null;
}

export function createGateway(initial: GatehouseConfig, options: GatewayOptions = {}): Gateway {
  const log = options.logger ?? silentLogger();
  const proto = initial.tls === null ? "http" : "https";
  // Requests read the compiled config once, at their start, so each one sees one config even
  // if a reload lands while it is in flight.
  let current = compile(initial, null);

  const server =
    options.server ??
    createHttpServer({
      headersTimeout: current.config.limits.headersTimeoutMs,
      // Node checks these timeouts only this often (30 s by default): a Slowloris client would
      // otherwise hold its connection that long whatever headersTimeout says.
      connectionsCheckingInterval: checkingInterval(current.config.limits),
      requestTimeout: current.config.limits.requestTimeoutMs,
      keepAliveTimeout: current.config.limits.keepAliveTimeoutMs,
      // The host stage answers a missing Host with 421 and a JSON body.
      requireHostHeader: false,
      noDelay: true,
    });
  let requests = 0;
  // One function for every response, not a closure per request.
  const onResponseClose = (): void => {
    requests--;
  };
  /** Sockets answered with `Connection: close`: no later request on them is processed. */
  const closingSockets = new WeakSet<object>();
  const tunnels = new Set<Tunnel>();
  let closing = false;

  // ---- shared helpers ---------------------------------------------------------------------

  function selfOrigins(host: string): readonly string[] {
    // Host values reaching here passed the allowlist, so this memo stays small; it belongs to
    // the compiled config and is replaced with it on reload.
    const memo = current.selfOrigins;
    const known = memo.get(host);
    if (known !== undefined) return known;
    const own = `${proto}://${host}`;
    const origins = Object.freeze(
      own === current.config.publicOrigin
        ? [current.config.publicOrigin]
        : [current.config.publicOrigin, own],
    );
    if (memo.size < SELF_ORIGINS_MAX) memo.set(host, origins);
    return origins;
  }

  function findRoute(path: string): CompiledRoute | null {
    for (const compiled of current.routes)
      if (prefixMatches(compiled.route.match, path)) return compiled;
    return null;
  }

  function forwardedPath(compiled: CompiledRoute, path: string, query: string): string {
    const route = compiled.route;
    const base = route.kind === "upstream" ? route.upstream.pathname.replace(/\/$/, "") : "";
    let rest = path;
    if (route.kind === "upstream" && route.stripPrefix && route.match !== "/") {
      rest = path.slice(route.match.replace(/\/$/, "").length) || "/";
      if (!rest.startsWith("/")) rest = `/${rest}`;
    }
    return `${base}${rest}${query}`;
  }

  function elapsedMs(started: bigint): number {
    return Number(process.hrtime.bigint() - started) / 1e6;
  }

  function logExchange(
    x: Exchange,
    status: number,
    error: GatewayError | null,
    extra: Record<string, unknown> = {},
  ): void {
    // The access line is the common case; skip building it when nobody would see it.
    if (error === null && !log.isLevelEnabled("info")) return;
    const record: Record<string, unknown> = {
      method: x.req.method,
      path: x.path,
      status,
      ms: Math.round(elapsedMs(x.started) * 10) / 10,
      route: x.route?.route.match,
      upstream: x.route?.upstream?.url.origin,
      cors:
        x.decision === null
          ? undefined
          : `${x.decision.kind}:${x.decision.allowed ? "allowed" : "denied"}:${x.decision.reason.code}`,
      ...extra,
    };
    if (error !== null) {
      record.error = error.code;
      record.errorId = x.errorId;
      const cause = (error.cause as Error | undefined)?.message;
      if (cause !== undefined) record.cause = cause;
      log[status >= 500 ? "error" : "warn"](record, error.message);
    } else {
      log.info(record, "request");
    }
  }

  function sendError(x: Exchange, res: ServerResponse, error: GatewayError): void {
    const id = newErrorId();
    x.errorId = id;
    if (!res.headersSent && !res.destroyed) {
      const body = errorBody(error, id);
      res.statusCode = error.status;
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      res.setHeader("Content-Length", Buffer.byteLength(body));
      res.setHeader("X-Gatehouse-Error-Id", id);
      res.setHeader("Cache-Control", "no-store");
      applyDoorHeaders(res, x.decision);
      // A refused request may have a body still on its way; do not keep reading it.
      if (error.status === 413 || error.status === 421 || error.status === 400) {
        res.setHeader("Connection", "close");
        // The socket may already be detached from the request when a late error is written.
        const socket = res.socket ?? x.req.socket;
        if (socket !== null && socket !== undefined) closingSockets.add(socket);
      }
      res.end(body);
    }
    logExchange(x, error.status, error);
  }

  /**
   * Appends the headers the door sets on every answer, flat ([name, value, ...]): the CORS
   * decision's, the debug header when enabled, and HSTS. Vary is left to the caller, which knows
   * whether something set one already.
   */
  function pushDoorHeaders(out: string[], decision: CorsDecision | null): string[] {
    if (decision !== null) {
      for (const [name, value] of decision.headers) out.push(name, value);
      if (current.config.debugHeader && decision.kind !== "not-cors")
        out.push("X-Gatehouse-Cors", decision.reason.code);
    }
    if (current.hsts !== null) out.push("Strict-Transport-Security", current.hsts);
    return out;
  }

  /** The door's headers on a response others write too (errors, static files): Vary merged. */
  function applyDoorHeaders(res: ServerResponse, decision: CorsDecision | null): void {
    const head = pushDoorHeaders([], decision);
    for (let i = 0; i < head.length; i += 2)
      res.setHeader(head[i] as string, head[i + 1] as string);
    if (decision !== null && decision.vary.length > 0)
      res.setHeader("Vary", mergeVary(res.getHeader("Vary"), decision.vary));
  }

  /**
   * A preflight (or refusal) answered here: nothing else has set a header on this response, so
   * one writeHead with a flat list skips setHeader's per-name bookkeeping on the hottest path.
   */
  function answerAtDoor(res: ServerResponse, decision: CorsDecision, status: number): void {
    const head = pushDoorHeaders([], decision);
    if (decision.vary.length > 0) head.push("Vary", mergeVary(undefined, decision.vary));
    if (status === 403) head.push("Content-Length", "0");
    res.writeHead(status, head);
    res.end();
  }

  // ---- HTTP requests ----------------------------------------------------------------------

  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    // A request pipelined behind one we refused with `Connection: close` is never processed
    // (RFC 9112 §9.6); Node closes the connection once that refusal is written.
    if (closingSockets.has(req.socket)) return;
    requests++;
    res.once("close", onResponseClose);
    const x = newExchange(req);
    try {
      serve(x, req, res);
    } catch (error) {
      sendError(x, res, new Failure("GH_INTERNAL", undefined, { cause: error }));
    }
  }

  function serve(x: Exchange, req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? "GET";
    // Node reports null for its default of 2000 (0 would mean no limit); it counts entries of
    // rawHeaders (names and values), so 1000 header lines already reach it.
    const maxHeaders = server.maxHeadersCount ?? NODE_DEFAULT_MAX_HEADERS;
    if (maxHeaders > 0 && req.rawHeaders.length >= maxHeaders) {
      // Node drops headers beyond the count but still frames the body with them; a request
      // whose real framing headers may be hidden is never forwarded.
      return sendError(x, res, new Failure("GH_TARGET_MALFORMED", "Too many header lines."));
    }
    // target
    const target = normalizeTarget(req.url ?? "");
    if (typeof target === "string") {
      return sendError(
        x,
        res,
        new Failure(target === "path" ? "GH_PATH_MALFORMED" : "GH_TARGET_MALFORMED"),
      );
    }
    x.path = target.path;
    // host
    const host = current.hostGuard.check(req.rawHeaders, target.authority);
    if (host instanceof Failure) return sendError(x, res, host);
    if (target.path.startsWith(RESERVED_PREFIX)) {
      return serveOwn(x, req, res, target.path, target.query, method);
    }
    // route
    const compiled = findRoute(target.path);
    if (compiled === null) return sendError(x, res, new Failure("GH_NOT_FOUND"));
    x.route = compiled;
    const origin = req.headers.origin;
    const selves = selfOrigins(host.host);
    // csrf
    if (current.config.csrf) {
      const refused = csrfCheck({
        method,
        secFetchSite: headerString(req.headers["sec-fetch-site"]),
        origin,
        selfOrigins: selves,
        policy: compiled.policy,
      });
      if (refused !== null) {
        const site = headerString(req.headers["sec-fetch-site"]);
        current.inspector.recordGuard(
          "csrf",
          false,
          "GH_CSRF_REFUSED",
          origin ?? `(Sec-Fetch-Site: ${site})`,
          method,
          x.path,
        );
        return sendError(x, res, refused);
      }
    }
    // cors
    const sameOrigin = origin !== undefined && selves.includes(origin);
    const decision = compiled.policy.decide(
      sameOrigin
        ? { method, headers: req.headers, selfOrigin: origin }
        : { method, headers: req.headers },
    );
    x.decision = decision;
    if (origin !== undefined && !sameOrigin)
      current.inspector.recordDecision(decision, origin, method, x.path);
    if (decision.status !== null) {
      answerAtDoor(res, decision, decision.status);
      logExchange(x, decision.status, null);
      return;
    }
    // forward
    if (compiled.serveStatic !== null)
      return serveStatic(x, req, res, compiled, target.path, target.query, method);
    const upstream = compiled.upstream as Upstream;
    const peer = peerAddress(req.socket.remoteAddress);
    upstream.forward({
      req,
      res,
      method,
      path: forwardedPath(compiled, target.path, target.query),
      headers: upstreamRequestHeaders(req.rawHeaders, {
        peer,
        peerTrusted: current.trusted.has(req.socket.remoteAddress),
        proto,
        host: host.host,
        upgrade: false,
      }),
      extraHeaders: pushDoorHeaders([], decision),
      vary: decision.vary,
      onDone: (status, error, clientAborted) => {
        if (error !== null && status === 0) return sendError(x, res, error);
        logExchange(x, clientAborted ? 499 : status, error, clientAborted ? { aborted: true } : {});
      },
    });
  }

  function serveStatic(
    x: Exchange,
    req: IncomingMessage,
    res: ServerResponse,
    compiled: CompiledRoute,
    path: string,
    query: string,
    method: string,
  ): void {
    if (method !== "GET" && method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return sendError(
        x,
        res,
        new Failure("GH_METHOD_NOT_ALLOWED", `${method} is not allowed on static files.`),
      );
    }
    const prefix = compiled.staticPrefix;
    const local = prefix === "" ? path : path.slice(prefix.length) || "/";
    if (log.isLevelEnabled("info")) res.once("finish", () => logExchange(x, res.statusCode, null));
    const decorate = (out: ServerResponse) => {
      applyDoorHeaders(out, x.decision);
    };
    (compiled.serveStatic as StaticHandler)(
      req,
      res,
      `${local.startsWith("/") ? local : `/${local}`}${query}`,
      decorate,
      () => sendError(x, res, new Failure("GH_NOT_FOUND", "No such file.")),
    );
  }

  /** The door's own endpoints under RESERVED_PREFIX. */
  function serveOwn(
    x: Exchange,
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: string,
    method: string,
  ): void {
    if (method !== "GET" && method !== "HEAD")
      return sendError(x, res, new Failure("GH_METHOD_NOT_ALLOWED"));
    if (path === `${RESERVED_PREFIX}inspector` || path.startsWith(`${RESERVED_PREFIX}inspector/`)) {
      const status = current.inspector.serve(req, res, path, query);
      if (status === null) return sendError(x, res, new Failure("GH_NOT_FOUND"));
      // The event stream stays open: its line is written when it ends.
      if (path.endsWith("/events")) res.once("close", () => logExchange(x, status, null));
      else logExchange(x, status, null);
      return;
    }
    let body: unknown;
    if (path === `${RESERVED_PREFIX}health`) {
      body = {
        status: closing ? "draining" : "ok",
        uptimeSeconds: Math.round(process.uptime()),
        version: options.version ?? null,
      };
    } else if (path === `${RESERVED_PREFIX}policy`) {
      body = policySummary(current.config);
    } else {
      return sendError(x, res, new Failure("GH_NOT_FOUND"));
    }
    const text = JSON.stringify(body);
    res.statusCode = closing && path.endsWith("health") ? 503 : 200;
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Content-Length", Buffer.byteLength(text));
    res.end(method === "HEAD" ? undefined : text);
    logExchange(x, res.statusCode, null);
  }

  // ---- upgrades ---------------------------------------------------------------------------

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => socket.destroy());
    const x = newExchange(req);
    const refuse = (error: GatewayError) => {
      const id = newErrorId();
      x.errorId = id;
      if (!socket.destroyed) socket.end(rawErrorResponse(error, id));
      logExchange(x, error.status, error, { upgrade: true });
    };
    try {
      const protocols = (req.headers.upgrade ?? "")
        .toLowerCase()
        .split(",")
        .map((p) => p.trim());
      if (protocols.length !== 1 || protocols[0] !== "websocket" || req.method !== "GET") {
        return refuse(new Failure("GH_UPGRADE_UNSUPPORTED"));
      }
      const maxHeaders = server.maxHeadersCount ?? NODE_DEFAULT_MAX_HEADERS;
      if (maxHeaders > 0 && req.rawHeaders.length >= maxHeaders) {
        return refuse(new Failure("GH_TARGET_MALFORMED", "Too many header lines."));
      }
      const target = normalizeTarget(req.url ?? "");
      if (typeof target === "string")
        return refuse(new Failure(target === "path" ? "GH_PATH_MALFORMED" : "GH_TARGET_MALFORMED"));
      x.path = target.path;
      const host = current.hostGuard.check(req.rawHeaders, target.authority);
      if (host instanceof Failure) return refuse(host);
      const compiled = findRoute(target.path);
      if (compiled === null || compiled.upstream === null)
        return refuse(new Failure("GH_NOT_FOUND"));
      x.route = compiled;
      const refused = websocketOriginCheck(
        req.headers.origin,
        headerString(req.headers["sec-websocket-origin"]),
        selfOrigins(host.host),
        current.websocketPolicy,
      );
      const wsOrigin = req.headers.origin;
      if (refused !== null) {
        current.inspector.recordGuard(
          "websocket",
          false,
          "GH_WS_ORIGIN_REFUSED",
          wsOrigin ?? "(legacy Sec-WebSocket-Origin)",
          "GET",
          x.path,
        );
        return refuse(refused);
      }
      if (wsOrigin !== undefined && !selfOrigins(host.host).includes(wsOrigin)) {
        current.inspector.recordGuard("websocket", true, "ALLOWED", wsOrigin, "GET", x.path);
      }
      if (closing) return refuse(new Failure("GH_WS_LIMIT", "The front door is shutting down."));
      if (tunnels.size >= current.config.limits.maxWebSockets)
        return refuse(new Failure("GH_WS_LIMIT"));
      const tunnel: Tunnel = new Tunnel(
        {
          client: socket,
          head,
          upstream: compiled.upstream.url,
          path: forwardedPath(compiled, target.path, target.query),
          headers: upstreamRequestHeaders(req.rawHeaders, {
            peer: peerAddress(req.socket.remoteAddress),
            peerTrusted: current.trusted.has(req.socket.remoteAddress),
            proto,
            host: host.host,
            upgrade: true,
          }),
          connectTimeoutMs: current.config.limits.upstreamConnectTimeoutMs,
          idleTimeoutMs: current.config.limits.streamIdleTimeoutMs,
          newErrorId,
          onDone: (status, error, errorId) => {
            x.errorId = errorId;
            logExchange(x, status, error, { upgrade: true });
          },
        },
        (ended) => tunnels.delete(ended),
      );
      tunnels.add(tunnel);
      tunnel.start();
    } catch (error) {
      refuse(new Failure("GH_INTERNAL", undefined, { cause: error }));
    }
  }

  server.on("request", handleRequest);
  server.on("upgrade", handleUpgrade);
  // A forward proxy's CONNECT is never tunnelled.
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    const x = newExchange(req);
    x.errorId = newErrorId();
    socket.on("error", () => socket.destroy());
    socket.end(rawErrorResponse(new Failure("GH_METHOD_NOT_ALLOWED"), x.errorId as string));
    logExchange(x, 405, new Failure("GH_METHOD_NOT_ALLOWED"));
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Node has already refused a malformed request (400, 431 or 408); answer if we still can.
    log.warn({ code: error.code }, "malformed request refused");
    if (!socket.writable) return socket.destroy();
    const status =
      error.code === "HPE_HEADER_OVERFLOW"
        ? 431
        : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? 408
          : 400;
    const text =
      status === 431
        ? "Request Header Fields Too Large"
        : status === 408
          ? "Request Timeout"
          : "Bad Request";
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
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
      const compiled = compile(next, current);
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
      return { requests, websockets: tunnels.size };
    },
    listen() {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(current.config.listen.port, current.config.listen.host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close() {
      if (closing) return;
      closing = true;
      current.inspector.close();
      const deadline = Date.now() + current.config.limits.shutdownGraceMs;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const tunnel of tunnels) tunnel.goAway(current.config.limits.shutdownGraceMs);
      while ((requests > 0 || tunnels.size > 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
        server.closeIdleConnections();
      }
      server.closeAllConnections();
      for (const tunnel of tunnels) tunnel.destroy();
      await stopped;
      await Promise.all([...current.upstreams.values(), ...retiring].map((u) => u.destroy()));
    },
  };
}

function newExchange(req: IncomingMessage): Exchange {
  return {
    started: process.hrtime.bigint(),
    req,
    path: req.url ?? "",
    route: null,
    decision: null,
    errorId: null,
  };
}

function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/** What the demo UI and operators see at /_gatehouse/policy: no upstream addresses. */
export function policySummary(config: GatehouseConfig): unknown {
  return {
    publicOrigin: config.publicOrigin,
    hosts: config.hosts,
    csrf: config.csrf,
    cors: config.cors,
    websocket: { allowOrigins: config.websocket.allowOrigins ?? config.cors?.allowOrigins ?? [] },
    routes: config.routes.map((r) => ({
      match: r.match,
      kind: r.kind,
      cors: r.cors === undefined ? "global" : r.cors === false ? "none" : "own",
    })),
  };
}
