/**
 * The validated config turned into what requests read: compiled CORS policies, the Host guard,
 * upstream pools, static handlers. Nothing here validates: the loader did, and a config that
 * reaches compile() is known good. A reload compiles the new config whole and swaps it in with
 * one assignment, so a request sees one config from its first stage to its last.
 */
import type { CorsPolicy } from "../core/policy.js";
import { compileCorsPolicy, compileNormalizedPolicy, noCorsPolicy } from "../core/policy.js";
import type { GatehouseConfig, Route, UpstreamRoute } from "./config/types.js";
import { Inspector } from "./inspector/inspector.js";
import { HostGuard } from "./request/host.js";
import { TrustedPeers } from "./request/peers.js";
import { prefixMatches } from "./request/target.js";
import type { StaticHandler } from "./static/serve.js";
import { staticHandler } from "./static/serve.js";
import type { LocationRewrite } from "./upstream/relay.js";
import { Upstream } from "./upstream/relay.js";

export interface CompiledRoute {
  readonly route: Route;
  /** The route's CORS policy: what cross-origin pages may read. */
  readonly policy: CorsPolicy;
  /**
   * The origins trusted with unsafe requests (CSRF guard): the policy's listed origins. `*`
   * grants reads only, so a policy of `*` trusts nobody here (SPEC, Behaviour).
   */
  readonly trusted: CorsPolicy;
  readonly upstream: Upstream | null;
  /** How the upstream's own address in a `Location` is rewritten to the public one. */
  readonly redirect: LocationRewrite | null;
  readonly serveStatic: StaticHandler | null;
  /** A static route's match without its trailing slash, taken off request paths. */
  readonly staticPrefix: string;
}

/** Everything derived from a config that requests read; replaced whole on reload. */
export interface CompiledConfig {
  readonly config: GatehouseConfig;
  /** `http` or `https`: what this listener serves. */
  readonly proto: "http" | "https";
  readonly hostGuard: HostGuard;
  readonly trusted: TrustedPeers;
  /** Origins allowed to open WebSockets besides the door's own. */
  readonly websocketPolicy: CorsPolicy;
  readonly hsts: string | null;
  readonly inspector: Inspector;
  readonly upstreams: ReadonlyMap<string, Upstream>;
  readonly routes: readonly CompiledRoute[];
  /** The origins a request to an accepted Host counts as same-origin with, per Host value. */
  readonly selfOrigins: Map<string, readonly string[]>;
}

const SELF_ORIGINS_MAX = 64;

/**
 * @param boundPort the port the listener got, which stands in for port 0 in default `hosts`
 *   (a door told to listen on port 0 learns its port only when it binds)
 */
export function compile(
  config: GatehouseConfig,
  previous: CompiledConfig | null,
  boundPort: number | null,
): CompiledConfig {
  const trusted = new TrustedPeers(config.trustProxy);
  const globalPolicy = config.cors === null ? noCorsPolicy() : compileNormalizedPolicy(config.cors);
  const websocketPolicy = originsPolicy(websocketOrigins(config), "websocket");
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
    const base = { route, policy, trusted: trustedPolicy(policy) };
    if (route.kind === "static")
      return {
        ...base,
        upstream: null,
        redirect: null,
        serveStatic: staticHandler(route.root, route.spa),
        staticPrefix: route.match.replace(/\/$/, ""),
      };
    const key = route.upstream.origin;
    let upstream = upstreams.get(key);
    if (upstream === undefined) {
      upstream = new Upstream(route.upstream, config.limits);
      upstreams.set(key, upstream);
    }
    return {
      ...base,
      upstream,
      redirect: locationRewrite(route, config.publicOrigin),
      serveStatic: null,
      staticPrefix: "",
    };
  });
  return {
    config,
    proto: config.tls === null ? "http" : "https",
    hostGuard: new HostGuard(config.hosts, boundPort),
    trusted,
    websocketPolicy,
    hsts,
    inspector,
    upstreams,
    routes,
    selfOrigins: new Map(),
  };
}

/**
 * The origins that may open WebSockets besides the door's own: `websocket.allowOrigins` as
 * written, or else the listed origins of `cors.allowOrigins` without `*` (a grant to read is
 * not a grant to open a control-plane socket).
 */
export function websocketOrigins(config: GatehouseConfig): readonly string[] {
  return (
    config.websocket.allowOrigins ?? (config.cors?.allowOrigins ?? []).filter((o) => o !== "*")
  );
}

/**
 * A policy of origins only, for the trust checks (WebSocket Origin, CSRF): lists the loader
 * already validated or derived from a validated section, compiled once here.
 */
function originsPolicy(origins: readonly string[], path: string): CorsPolicy {
  return origins.length === 0 ? noCorsPolicy() : compileCorsPolicy({ allowOrigins: origins }, path);
}

/** The policy's listed origins as a policy of their own; the policy itself when it has no `*`. */
function trustedPolicy(policy: CorsPolicy): CorsPolicy {
  const origins = policy.config?.allowOrigins ?? [];
  if (!origins.includes("*")) return policy;
  return originsPolicy(
    origins.filter((o) => o !== "*"),
    "cors",
  );
}

/**
 * The upstream's address with its base path, and what stands for it publicly: publicOrigin,
 * plus the route's prefix when the door strips it (the inverse of forwardedPath).
 */
function locationRewrite(route: UpstreamRoute, publicOrigin: string): LocationRewrite {
  const base = route.upstream.pathname.replace(/\/$/, "");
  const prefix = route.stripPrefix && route.match !== "/" ? route.match.replace(/\/$/, "") : "";
  return { from: `${route.upstream.origin}${base}`.toLowerCase(), to: `${publicOrigin}${prefix}` };
}

/** The first route whose prefix covers the path. */
export function findRoute(compiled: CompiledConfig, path: string): CompiledRoute | null {
  for (const route of compiled.routes) if (prefixMatches(route.route.match, path)) return route;
  return null;
}

/** The path and query the upstream is asked for: the base path, then the (stripped) path. */
export function forwardedPath(compiled: CompiledRoute, path: string, query: string): string {
  const route = compiled.route;
  if (route.kind !== "upstream") return `${path}${query}`;
  const base = route.upstream.pathname.replace(/\/$/, "");
  let rest = path;
  if (route.stripPrefix && route.match !== "/") {
    rest = path.slice(route.match.replace(/\/$/, "").length) || "/";
    if (!rest.startsWith("/")) rest = `/${rest}`;
  }
  return `${base}${rest}${query}`;
}

/**
 * The origins that are this door for a request to `host`: publicOrigin and `proto://host`.
 * Host values reaching here passed the allowlist, so the memo stays small; it belongs to the
 * compiled config and is replaced with it on reload.
 */
export function selfOrigins(compiled: CompiledConfig, host: string): readonly string[] {
  const memo = compiled.selfOrigins;
  const known = memo.get(host);
  if (known !== undefined) return known;
  const own = `${compiled.proto}://${host}`;
  const publicOrigin = compiled.config.publicOrigin;
  const origins = Object.freeze(own === publicOrigin ? [publicOrigin] : [publicOrigin, own]);
  if (memo.size < SELF_ORIGINS_MAX) memo.set(host, origins);
  return origins;
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
