/**
 * HTTPS for the front door: certificates read from files and reloaded when they change (a
 * renewal replaces them in place), an optional plain-HTTP listener that only redirects, and
 * HSTS (set by the server stages). A certificate that fails to load keeps the old one serving.
 */
import { readFileSync, unwatchFile, watchFile } from "node:fs";
import type { Server as HttpServer, IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import { createServer as createHttpsServer } from "node:https";
import { createSecureContext } from "node:tls";
import type { Limits, TlsConfig } from "./config/types.js";
import { listenerOptions } from "./config/types.js";
import type { Logger } from "./log.js";
import { HostGuard, parseHostValue } from "./request/host.js";
import { normalizeTarget } from "./request/target.js";

interface KeyPair {
  readonly cert: Buffer;
  readonly key: Buffer;
}

function readPair(tls: TlsConfig): KeyPair {
  const pair = { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
  createSecureContext(pair); // throws if the files do not form a usable pair
  return pair;
}

export interface HttpsListener {
  readonly server: HttpsServer;
  /** Stops watching the certificate files. */
  stopWatching(): void;
  /** Re-reads the files now; resolves true if the new pair is in use. */
  reload(): boolean;
}

export function createHttpsListener(
  tls: TlsConfig,
  limits: Limits,
  log: Logger,
  pollMs = 1_000,
): HttpsListener {
  const server = createHttpsServer({
    ...readPair(tls),
    ...listenerOptions(limits),
    minVersion: "TLSv1.2",
  });
  const reload = (): boolean => {
    try {
      server.setSecureContext(readPair(tls));
      log.info({ cert: tls.cert }, "TLS certificate reloaded");
      return true;
    } catch (error) {
      log.error(
        { cert: tls.cert, err: (error as Error).message },
        "TLS certificate reload failed; still serving the previous one",
      );
      return false;
    }
  };
  // watchFile polls stat(), which survives the rename-into-place that renewal tools do.
  const onChange = (now: { mtimeMs: number }, before: { mtimeMs: number }) => {
    if (now.mtimeMs !== before.mtimeMs) reload();
  };
  watchFile(tls.cert, { interval: pollMs, persistent: false }, onChange);
  watchFile(tls.key, { interval: pollMs, persistent: false }, onChange);
  return {
    server,
    reload,
    stopWatching() {
      unwatchFile(tls.cert, onChange);
      unwatchFile(tls.key, onChange);
    },
  };
}

/**
 * The plain-HTTP listener: every request to an allowed Host is redirected (308, method and body
 * kept) to the same path on publicOrigin. The Location is built from publicOrigin, never from
 * the request's Host, so it cannot be turned into an open redirect.
 */
export function createRedirectServer(publicOrigin: string, hosts: readonly string[]): HttpServer {
  // The names on any port: the redirect listener has a port of its own, and a redirect to
  // publicOrigin gives a rebinding page nothing to read.
  const guard = new HostGuard(hosts.map((entry) => parseHostValue(entry)?.name ?? entry));
  return createHttpServer(
    { requireHostHeader: false },
    (req: IncomingMessage, res: ServerResponse) => {
      const target = normalizeTarget(req.url ?? "");
      const host = guard.check(
        req.rawHeaders,
        typeof target === "string" ? null : target.authority,
      );
      if (typeof target === "string" || !("host" in host)) {
        res.writeHead(typeof target === "string" ? 400 : 421, {
          "Content-Type": "text/plain; charset=utf-8",
          Connection: "close",
        });
        res.end(typeof target === "string" ? "bad request target\n" : "unknown host\n");
        return;
      }
      res.writeHead(308, {
        Location: `${publicOrigin}${target.path}${target.query}`,
        "Content-Length": "0",
        "Cache-Control": "no-store",
      });
      res.end();
    },
  );
}
