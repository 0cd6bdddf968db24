/**
 * The live CORS inspector at /_gatehouse/inspector: the recent cross-origin decisions (CORS,
 * CSRF and WebSocket Origin), each with its reason code and the fix, pushed to open pages over
 * Server-Sent Events. One glance tells an operator why a browser complained.
 *
 * Access: off unless configured. `inspector: true` answers only clients on this machine that
 * reach the door directly (a trusted proxy on loopback forwards everyone's requests, so its
 * requests do not count as local); `inspector: { token }` answers whoever presents the token.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { REASON_CODES } from "../../core/codes.js";
import type { CorsDecision } from "../../core/policy.js";
import type { InspectorConfig } from "../config/types.js";
import { DOOR_ERROR_CODES } from "../errors.js";
import { isLoopbackPeer } from "../request/peers.js";
import { INSPECTOR_PAGE, INSPECTOR_SCRIPT } from "./page.js";

export interface InspectorEntry {
  readonly time: string;
  /** What was decided: a preflight, an actual CORS request, a CSRF check or a WebSocket upgrade. */
  readonly kind: "preflight" | "actual" | "csrf" | "websocket";
  readonly origin: string;
  readonly method: string;
  readonly path: string;
  readonly verdict: "allowed" | "denied";
  readonly code: string;
  readonly fix: string;
}

/** How many decisions a newly opened page is shown. */
const BACKLOG = 200;
/** SSE comment lines keep idle connections (and proxies in between) from timing out. */
const HEARTBEAT_MS = 15_000;

export class Inspector {
  private readonly recent: InspectorEntry[] = [];
  private readonly pages = new Set<ServerResponse>();
  private readonly token: Buffer | null;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: InspectorConfig,
    private readonly isTrustedPeer: (address: string | undefined) => boolean,
  ) {
    this.token = config.token === null ? null : Buffer.from(config.token);
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  /** Records a CORS decision for a cross-origin request (non-CORS ones are not interesting). */
  recordDecision(decision: CorsDecision, origin: string, method: string, path: string): void {
    if (!this.config.enabled || decision.kind === "not-cors") return;
    const code = decision.reason.code;
    this.push({
      time: new Date().toISOString(),
      kind: decision.kind,
      origin,
      method,
      path,
      verdict: decision.allowed ? "allowed" : "denied",
      code,
      fix: decision.allowed ? "" : REASON_CODES[code].howToSolve,
    });
  }

  /** Records a CSRF refusal or a WebSocket Origin decision. */
  recordGuard(
    kind: "csrf" | "websocket",
    allowed: boolean,
    code: keyof typeof DOOR_ERROR_CODES | "ALLOWED",
    origin: string,
    method: string,
    path: string,
  ): void {
    if (!this.config.enabled) return;
    this.push({
      time: new Date().toISOString(),
      kind,
      origin,
      method,
      path,
      verdict: allowed ? "allowed" : "denied",
      code,
      fix: code === "ALLOWED" ? "" : DOOR_ERROR_CODES[code].howToSolve,
    });
  }

  private push(entry: InspectorEntry): void {
    this.recent.push(entry);
    if (this.recent.length > BACKLOG) this.recent.shift();
    const event = `data: ${JSON.stringify(entry)}\n\n`;
    for (const page of this.pages) page.write(event);
  }

  /**
   * Serves a request under /_gatehouse/inspector. Returns the status it answered with, or null
   * when the inspector is off (the caller then answers 404 as for any unknown path).
   */
  serve(req: IncomingMessage, res: ServerResponse, path: string, query: string): number | null {
    if (!this.config.enabled) return null;
    // The page and its script hold no data; only the event stream is guarded.
    if (path.endsWith("/events") && !this.admits(req, query)) {
      res.writeHead(403, {
        "Content-Type": "text/plain; charset=utf-8",
        "Cache-Control": "no-store",
      });
      res.end(
        this.token === null
          ? "The inspector answers only direct clients on this machine.\n"
          : "The inspector needs its token.\n",
      );
      return 403;
    }
    const security = {
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy":
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'",
      "Referrer-Policy": "no-referrer",
    };
    if (path.endsWith("/events")) {
      res.writeHead(200, { ...security, "Content-Type": "text/event-stream; charset=utf-8" });
      res.flushHeaders(); // the page should see the stream open before the first decision
      for (const entry of this.recent) res.write(`data: ${JSON.stringify(entry)}\n\n`);
      this.pages.add(res);
      res.on("close", () => this.pages.delete(res));
      this.heartbeat ??= setInterval(() => {
        for (const page of this.pages) page.write(": keep-alive\n\n");
      }, HEARTBEAT_MS).unref();
      return 200;
    }
    if (path.endsWith("/app.js")) {
      res.writeHead(200, { ...security, "Content-Type": "text/javascript; charset=utf-8" });
      res.end(INSPECTOR_SCRIPT);
      return 200;
    }
    res.writeHead(200, { ...security, "Content-Type": "text/html; charset=utf-8" });
    res.end(INSPECTOR_PAGE);
    return 200;
  }

  /**
   * Whether this client may see what the door knows of its traffic and policy: the inspector's
   * event stream, and /_gatehouse/policy. Never when the inspector is off.
   */
  admits(req: IncomingMessage, query: string): boolean {
    if (!this.config.enabled) return false;
    if (this.token !== null) {
      const header = req.headers.authorization;
      const presented = header?.startsWith("Bearer ")
        ? header.slice(7)
        : new URLSearchParams(query).get("token");
      if (presented === null || presented === undefined) return false;
      const given = Buffer.from(presented);
      return given.length === this.token.length && timingSafeEqual(given, this.token);
    }
    const peer = req.socket.remoteAddress;
    return isLoopbackPeer(peer) && !this.isTrustedPeer(peer);
  }

  /** Ends every open page's stream (shutdown must not wait for them). */
  close(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    for (const page of this.pages) page.end();
    this.pages.clear();
  }
}
