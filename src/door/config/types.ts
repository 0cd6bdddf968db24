/**
 * The front door's configuration after loading, validation and defaulting: what the runtime
 * reads. Every field is filled in; the loader owns defaults, the runtime never guesses.
 * (User-facing keys and their defaults are documented in the schema and the README.)
 */
import type { NormalizedCorsConfig } from "../../core/config.js";

export interface ListenAddress {
  /** An IP literal (no brackets for IPv6) or `localhost`. */
  readonly host: string;
  readonly port: number;
}

interface RouteBase {
  /** Path prefix, starting with `/`. `/v1` matches `/v1` and `/v1/...`, never `/v1beta`. */
  readonly match: string;
  /**
   * The CORS policy for this route: a policy of its own (as validateCorsConfig returned it,
   * ready for compileNormalizedPolicy), `false` (none: nothing granted cross-origin), or
   * `undefined` to use the global `cors` section.
   */
  readonly cors: NormalizedCorsConfig | false | undefined;
}

export interface UpstreamRoute extends RouteBase {
  readonly kind: "upstream";
  /** `http://host:port[/base]`; HTTP, SSE and WebSocket upgrades all go there. */
  readonly upstream: URL;
  /** Remove `match` from the path before forwarding. Default false (paths pass verbatim). */
  readonly stripPrefix: boolean;
}

export interface StaticRoute extends RouteBase {
  readonly kind: "static";
  /** Absolute path of the directory served (relative paths are resolved against the file). */
  readonly root: string;
  /** Unknown paths without a file extension fall back to `index.html`. */
  readonly spa: boolean;
}

export type Route = UpstreamRoute | StaticRoute;

export interface TlsConfig {
  /** Absolute paths of the PEM files; both are re-read when either changes. */
  readonly cert: string;
  readonly key: string;
  /** `Strict-Transport-Security` to send, or null for none. */
  readonly hsts: { readonly maxAge: number; readonly includeSubDomains: boolean } | null;
  /** A plain-HTTP listener that only redirects to HTTPS, or null. */
  readonly redirectHttp: ListenAddress | null;
}

/** Bounds that keep one client from holding resources forever. Times in ms, sizes in bytes. */
export interface Limits {
  /** Largest request body forwarded; larger ones get 413 before any upstream write. */
  readonly maxBodyBytes: number;
  /** Largest request head (request line and headers); larger ones get 431. */
  readonly maxHeaderBytes: number;
  /** Time allowed to receive a request's headers (Slowloris guard). */
  readonly headersTimeoutMs: number;
  /** Time allowed to receive a whole request, body included. */
  readonly requestTimeoutMs: number;
  /** Idle keep-alive connections from clients are closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Connecting to an upstream; after this: 502. */
  readonly upstreamConnectTimeoutMs: number;
  /** Waiting for an upstream's response headers (slow models think first); after this: 504. */
  readonly upstreamHeadersTimeoutMs: number;
  /** Longest silence inside a streamed response body (SSE) before it is cut. */
  readonly streamIdleTimeoutMs: number;
  /** Open WebSockets at once; further upgrades get 503. */
  readonly maxWebSockets: number;
  /** On SIGINT/SIGTERM, how long in-flight requests and streams may finish. */
  readonly shutdownGraceMs: number;
}

export interface LogConfig {
  readonly level: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** `auto`: pretty on a terminal, JSON lines otherwise. */
  readonly format: "auto" | "json" | "pretty";
}

export interface GatehouseConfig {
  /** The file it came from, or null for the embedded default. */
  readonly source: string | null;
  readonly listen: ListenAddress;
  /** The one origin this front door serves (serialized: scheme://host[:port]). */
  readonly publicOrigin: string;
  /**
   * Allowed `Host` values (DNS-rebinding guard), lower case. An entry without a port allows
   * that name on any port; `[::1]` style for IPv6.
   */
  readonly hosts: readonly string[];
  /** Addresses or CIDRs of proxies in front whose `X-Forwarded-*` are believed. */
  readonly trustProxy: readonly string[];
  /** In order; the first whose prefix matches wins. */
  readonly routes: readonly Route[];
  /**
   * The global CORS policy as validateCorsConfig returned it (ready for
   * compileNormalizedPolicy), or null: nothing is granted cross-origin.
   */
  readonly cors: NormalizedCorsConfig | null;
  readonly websocket: {
    /** Origins allowed to open WebSockets besides publicOrigin; null: those of `cors`. */
    readonly allowOrigins: readonly string[] | null;
  };
  /** Refuse unsafe cross-origin requests from origins the CORS policy does not allow. */
  readonly csrf: boolean;
  readonly tls: TlsConfig | null;
  readonly limits: Limits;
  readonly log: LogConfig;
  /** The live CORS inspector: off, on for direct loopback clients, or on for a token holder. */
  readonly inspector: InspectorConfig;
  /** Add `X-Gatehouse-Cors: <reason code>` to responses of cross-origin requests. */
  readonly debugHeader: boolean;
}

export interface InspectorConfig {
  readonly enabled: boolean;
  /** When set, required of every inspector request (and loopback is not enough). */
  readonly token: string | null;
}

export const INSPECTOR_OFF: InspectorConfig = Object.freeze({ enabled: false, token: null });

/** The door's own endpoints (health, policy) live here; routes never see these paths. */
export const RESERVED_PREFIX = "/_gatehouse/";

/**
 * The options every listener of the door (HTTP, HTTPS) takes from `limits`. Node checks the
 * headers and request timeouts only every `connectionsCheckingInterval` (30 s by default, which
 * would let a Slowloris client hold a connection that long whatever the limits say). A missing
 * Host is left to the door's admit stage, which answers it with 421 and a JSON body.
 */
export function listenerOptions(limits: Limits) {
  return {
    headersTimeout: limits.headersTimeoutMs,
    connectionsCheckingInterval: Math.max(
      50,
      Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2)),
    ),
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: limits.maxHeaderBytes,
    requireHostHeader: false,
    noDelay: true,
  } as const;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxBodyBytes: 25 * 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 5_000,
  upstreamConnectTimeoutMs: 10_000,
  upstreamHeadersTimeoutMs: 300_000,
  streamIdleTimeoutMs: 600_000,
  maxWebSockets: 4096,
  shutdownGraceMs: 10_000,
});
