/**
 * The configuration `gatehouse serve` runs without `--config`: the demo UI at `/`, the demo
 * upstream's OpenAI-style API at `/v1/` and its WebSocket echo at `/ws`, all on one origin, with
 * no CORS section (nothing granted cross-origin) and the CSRF guard on.
 */

import { resolve } from "node:path";
import { DEFAULT_LOG, resolveListen } from "./defaults.js";
import { ConfigError } from "./error.js";
import { defaultHosts } from "./hosts.js";
import { deriveOrigin } from "./public-origin.js";
import { ConfigReport } from "./report.js";
import type { GatehouseConfig, InspectorConfig, Route } from "./types.js";
import { DEFAULT_LIMITS } from "./types.js";

export interface EmbeddedOptions {
  /** Where the built-in demo upstream listens. */
  readonly demoUpstream: URL;
  /** The demo UI's directory (made absolute; not checked: it ships with the package). */
  readonly uiRoot: string;
  /** `--listen HOST:PORT`. */
  readonly listen?: string | undefined;
  /** Read for `PORT`. Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/**
 * The built-in configuration, listening on 127.0.0.1:8080 unless `--listen` or `PORT` says
 * otherwise.
 *
 * @throws ConfigError when `--listen` or `PORT` is invalid.
 */
const INSPECTOR_LOOPBACK: InspectorConfig = Object.freeze({ enabled: true, token: null });

export function embeddedDefaultConfig(options: EmbeddedOptions): GatehouseConfig {
  const report = new ConfigReport();
  const listen = resolveListen(
    null,
    { listen: options.listen, env: options.env ?? process.env },
    report,
  );
  if (listen === null) {
    throw new ConfigError(null, report.located(null, null).problems);
  }
  const { origin } = deriveOrigin(listen.address, false);
  const upstream = (match: string): Route =>
    Object.freeze({
      kind: "upstream",
      match,
      upstream: new URL(options.demoUpstream.href),
      stripPrefix: false,
      cors: undefined,
    });
  const ui: Route = Object.freeze({
    kind: "static",
    match: "/",
    root: resolve(options.uiRoot),
    spa: true,
    cors: undefined,
  });
  return Object.freeze({
    source: null,
    listen: listen.address,
    publicOrigin: origin,
    hosts: Object.freeze(defaultHosts(origin, listen.address)),
    trustProxy: Object.freeze([]),
    routes: Object.freeze([upstream("/v1/"), upstream("/ws"), ui]),
    cors: null,
    websocket: Object.freeze({ allowOrigins: null }),
    csrf: true,
    // The demo shows its policy panel and the inspector to this machine's own browser
    // (loopback peers only; a token would be needed for anyone else).
    inspector: INSPECTOR_LOOPBACK,
    debugHeader: false,
    tls: null,
    limits: DEFAULT_LIMITS,
    log: DEFAULT_LOG,
  });
}
