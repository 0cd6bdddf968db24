/**
 * The one way answers leave the door on their own account: a refusal (JSON with an id that the
 * log line carries too) on a response or on a raw socket, the headers the door sets on every
 * answer (CORS, the debug header, HSTS), and the one log line per request or upgrade.
 * Stages return DoorErrors and never write an error themselves.
 */
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { CorsDecision } from "../core/policy.js";
import { mergeVary } from "../core/vary.js";
import type { CompiledConfig, CompiledRoute } from "./compile.js";
import { type DoorError, errorBody, newErrorId, rawErrorResponse } from "./errors.js";
import type { Logger } from "./log.js";

/** One request or upgrade passing the door: what its stages learned, for its log line. */
export interface Visit {
  /** performance.now() at arrival (a double: no BigInt per request). */
  readonly started: number;
  /** The compiled config this request reads from its first stage to its last. */
  readonly compiled: CompiledConfig;
  readonly method: string;
  path: string;
  readonly upgrade: boolean;
  route: CompiledRoute | null;
  decision: CorsDecision | null;
  errorId: string | null;
}

export function newVisit(
  compiled: CompiledConfig,
  method: string,
  path: string,
  upgrade: boolean,
): Visit {
  return {
    started: performance.now(),
    compiled,
    method,
    path,
    upgrade,
    route: null,
    decision: null,
    errorId: null,
  };
}

/** Statuses after which the connection is closed: a refused request's body may still be coming. */
function closesConnection(status: number): boolean {
  return status === 400 || status === 413 || status === 421 || status === 431 || status === 501;
}

export class Responder {
  /** Sockets answered with `Connection: close`: no later request on them is processed. */
  readonly closingSockets = new WeakSet<object>();

  /**
   * Whether access lines are written: read once (the level is set at start-up), since asking
   * pino on every request shows in the preflight profile.
   */
  private readonly accessLines: boolean;

  constructor(private readonly log: Logger) {
    this.accessLines = log.isLevelEnabled("info");
  }

  /** A refusal as JSON on a response nothing has been written to yet. */
  refuse(visit: Visit, res: ServerResponse, error: DoorError): void {
    const id = newErrorId();
    visit.errorId = id;
    if (!res.headersSent && !res.destroyed) {
      const body = errorBody(error, id);
      res.statusCode = error.status;
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      res.setHeader("Content-Length", Buffer.byteLength(body));
      res.setHeader("X-Gatehouse-Error-Id", id);
      res.setHeader("Cache-Control", "no-store");
      this.decorate(res, visit.compiled, visit.decision);
      if (closesConnection(error.status)) {
        res.setHeader("Connection", "close");
        // The socket may already be detached from the request when a late error is written.
        const socket = res.socket ?? res.req?.socket;
        if (socket !== null && socket !== undefined) this.closingSockets.add(socket);
      }
      res.end(body);
    }
    this.access(visit, error.status, error);
  }

  /**
   * A refusal written on a raw socket (an upgrade, CONNECT, or a request Node could not
   * parse), then the connection is closed. Nothing is written when the socket cannot take it.
   */
  refuseRaw(visit: Visit | null, socket: Duplex, error: DoorError): void {
    const id = newErrorId();
    if (visit !== null) visit.errorId = id;
    if (socket.writable && !socket.destroyed) socket.end(rawErrorResponse(error, id));
    else socket.destroy();
    if (visit !== null) this.access(visit, error.status, error);
  }

  /**
   * Appends the headers the door sets on every answer, flat ([name, value, ...]): the CORS
   * decision's, the debug header when enabled, and HSTS. Vary is left to the caller, which knows
   * whether something set one already.
   */
  doorHeaders(out: string[], compiled: CompiledConfig, decision: CorsDecision | null): string[] {
    if (decision !== null) {
      for (const [name, value] of decision.headers) out.push(name, value);
      if (compiled.config.debugHeader && decision.kind !== "not-cors")
        out.push("X-Gatehouse-Cors", decision.reason.code);
    }
    if (compiled.hsts !== null) out.push("Strict-Transport-Security", compiled.hsts);
    return out;
  }

  /** The door's headers on a response others write too (errors, static files): Vary merged. */
  decorate(res: ServerResponse, compiled: CompiledConfig, decision: CorsDecision | null): void {
    const head = this.doorHeaders([], compiled, decision);
    for (let i = 0; i < head.length; i += 2)
      res.setHeader(head[i] as string, head[i + 1] as string);
    if (decision !== null && decision.vary.length > 0)
      res.setHeader("Vary", mergeVary(res.getHeader("Vary"), decision.vary));
  }

  /**
   * A preflight answered here: nothing else has set a header on this response, so one
   * writeHead with a flat list skips setHeader's per-name bookkeeping on the hottest path.
   */
  answer(visit: Visit, res: ServerResponse, decision: CorsDecision, status: number): void {
    const head = this.doorHeaders([], visit.compiled, decision);
    if (decision.vary.length > 0) head.push("Vary", mergeVary(undefined, decision.vary));
    if (status === 403) head.push("Content-Length", "0");
    res.writeHead(status, head);
    res.end();
    this.access(visit, status, null);
  }

  /** Whether an access line would be written (so callers can skip the work for one). */
  logsAccess(): boolean {
    return this.accessLines;
  }

  /** The request's one log line: an access line, or a warning/error with the error's id. */
  access(
    visit: Visit,
    status: number,
    error: DoorError | null,
    extra?: Record<string, unknown>,
  ): void {
    // The access line is the common case; skip building it when nobody would see it.
    if (error === null && !this.accessLines) return;
    const record: Record<string, unknown> = {
      method: visit.method,
      path: visit.path,
      status,
      ms: Math.round((performance.now() - visit.started) * 10) / 10,
      route: visit.route?.route.match,
      upstream: visit.route?.upstream?.url.origin,
      cors: corsLabel(visit.decision),
      ...(visit.upgrade ? { upgrade: true } : {}),
      ...extra,
    };
    if (error !== null) {
      record.error = error.code;
      record.errorId = visit.errorId;
      const cause = (error.cause as Error | undefined)?.message;
      if (cause !== undefined) record.cause = cause;
      this.log[status >= 500 ? "error" : "warn"](record, error.message);
    } else {
      this.log.info(record, "request");
    }
  }
}

/**
 * What the log says of the CORS decision: `same-origin` and `no-origin` for requests the CORS
 * protocol does not apply to (never "denied"), else `kind:verdict:reason`.
 */
function corsLabel(decision: CorsDecision | null): string | undefined {
  if (decision === null) return undefined;
  if (decision.kind === "not-cors")
    return decision.reason.code === "CORS_SAME_ORIGIN" ? "same-origin" : "no-origin";
  return `${decision.kind}:${decision.allowed ? "allowed" : "denied"}:${decision.reason.code}`;
}
