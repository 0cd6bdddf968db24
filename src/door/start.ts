/**
 * Starting and stopping a whole front door from a validated config: the main listener (HTTP or
 * HTTPS with certificate reload), the optional redirect listener, and a summary for people.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { websocketOrigins } from "./compile.js";
import type { GatehouseConfig } from "./config/types.js";
import type { HttpsListener } from "./https.js";
import { createHttpsListener, createRedirectServer } from "./https.js";
import type { Logger } from "./log.js";
import type { Door } from "./server.js";
import { createDoor } from "./server.js";

export interface RunningDoor {
  readonly door: Door;
  readonly address: AddressInfo;
  /** The URL the listener answers on (not necessarily publicOrigin, which may be a CDN's). */
  readonly url: string;
  close(): Promise<void>;
}

export async function startDoor(
  config: GatehouseConfig,
  log: Logger,
  version: string,
): Promise<RunningDoor> {
  let https: HttpsListener | null = null;
  if (config.tls !== null) https = createHttpsListener(config.tls, config.limits, log);
  const door = createDoor(
    config,
    https === null ? { logger: log, version } : { logger: log, version, server: https.server },
  );
  const address = await door.listen();
  let redirect: Server | null = null;
  if (config.tls?.redirectHttp != null) {
    const { host, port } = config.tls.redirectHttp;
    const server = createRedirectServer(config.publicOrigin, config.hosts);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    redirect = server;
  }
  const scheme = config.tls === null ? "http" : "https";
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    door,
    address,
    url: `${scheme}://${host}:${address.port}`,
    async close() {
      https?.stopWatching();
      redirect?.close();
      redirect?.closeAllConnections();
      await door.close();
    },
  };
}

/** A one-screen summary of the effective policy, printed at start-up. */
export function summarize(
  config: GatehouseConfig,
  url: string,
  describeUpstream: (u: URL) => string = (u) => u.origin,
): string {
  const pad = (label: string) => `  ${label.padEnd(15)}`;
  const width = Math.max(...config.routes.map((r) => r.match.length));
  const routes = config.routes.map((r, i) => {
    const target =
      r.kind === "upstream"
        ? `${describeUpstream(r.upstream)}${r.stripPrefix ? " (prefix stripped)" : ""}`
        : `static ${r.root}${r.spa ? " (SPA)" : ""}`;
    const cors = r.cors === false ? ", no CORS" : r.cors !== undefined ? ", own CORS policy" : "";
    return `${i === 0 ? pad("routes") : pad("")}${r.match.padEnd(width)}  -> ${target}${cors}`;
  });
  const cors =
    config.cors === null
      ? "none: one origin serves everything, so cross-origin pages get nothing (preflights 403)"
      : `${config.cors.allowOrigins.join(", ")}${config.cors.allowCredentials ? " (with credentials)" : ""}`;
  const ws = [config.publicOrigin, ...websocketOrigins(config)].join(", ");
  return [
    `Gatehouse front door listening on ${url}`,
    `${pad("public origin")}${config.publicOrigin}`,
    `${pad("hosts")}${config.hosts.join(", ")}`,
    ...routes,
    `${pad("CORS")}${cors}`,
    `${pad("WebSockets")}from ${ws}`,
    `${pad("CSRF guard")}${config.csrf ? "on" : "OFF"}`,
    `${pad("TLS")}${config.tls === null ? "off" : `on${config.tls.hsts === null ? "" : ", HSTS"}${config.tls.redirectHttp === null ? "" : `, redirect from http://${config.tls.redirectHttp.host}:${config.tls.redirectHttp.port}`}`}`,
    `${pad("trust proxy")}${config.trustProxy.length === 0 ? "none" : config.trustProxy.join(", ")}`,
  ].join("\n");
}
