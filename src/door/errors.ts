/**
 * Request-time failures of the front door, and the registry of their codes (docs/errors.md
 * lists them with every other family, through scripts/errors-doc.ts). Stages return a
 * DoorError instead of writing a response; one place (sendError) turns it into a JSON body
 * with a short id that also appears in the log line of that request.
 */
import { randomBytes } from "node:crypto";
import type { CodeInfo } from "../core/codes.js";
import { GatehouseError } from "../core/problems.js";

/** A request-time code's entry: the HTTP status the door answers with, besides the text. */
interface DoorCodeInfo extends CodeInfo {
  readonly status: number;
}

export const DOOR_ERROR_CODES = {
  GH_HOST_MISSING: {
    status: 421,
    title: "The request has no `Host` header.",
    howToSolve: "Send `Host` with the name of this front door (HTTP/1.1 requires it).",
  },
  GH_HOST_MALFORMED: {
    status: 421,
    title: "The `Host` header is not a host name, IP literal and optional port.",
    howToSolve: "Send `Host: name[:port]`; user names, commas, paths and white space are refused.",
  },
  GH_HOST_DUPLICATE: {
    status: 421,
    title: "The request has more than one `Host` header.",
    howToSolve: "Send exactly one `Host` header.",
  },
  GH_HOST_NOT_ALLOWED: {
    status: 421,
    title: "The `Host` is not one this front door serves (DNS-rebinding guard).",
    howToSolve:
      "Add the name to `hosts` if it is yours. A name you do not recognise here is how a DNS-rebinding attack looks.",
  },
  GH_CSRF_REFUSED: {
    status: 403,
    title: "An unsafe cross-origin request from an origin the policy does not allow (CSRF guard).",
    howToSolve:
      "Serve the page from this front door's origin, or list its origin in `cors.allowOrigins`. Requests without `Origin` and `Sec-Fetch-Site` (curl, SDKs) are not affected.",
  },
  GH_WS_ORIGIN_REFUSED: {
    status: 403,
    title:
      "A WebSocket upgrade from an origin that is neither publicOrigin nor allowed (cross-site WebSocket hijacking guard).",
    howToSolve:
      "Open the page from this front door's origin, or list its origin in `websocket.allowOrigins` (default: `cors.allowOrigins`).",
  },
  GH_WS_LIMIT: {
    status: 503,
    title: "Too many open WebSockets.",
    howToSolve: "Raise `limits.maxWebSockets`, or find the client that does not close its sockets.",
  },
  GH_UPGRADE_UNSUPPORTED: {
    status: 400,
    title: "An `Upgrade` to a protocol other than WebSocket (e.g. `h2c`).",
    howToSolve:
      "Only `Upgrade: websocket` is forwarded; other upgrades could tunnel past the front door.",
  },
  GH_TARGET_MALFORMED: {
    status: 400,
    title:
      "The request target is not a path (or is an absolute URL for another host, `*`, or contains a fragment).",
    howToSolve: "Send an origin-form target such as `/v1/models`.",
  },
  GH_PATH_MALFORMED: {
    status: 400,
    title:
      "The path has a malformed percent-escape, a control character, a backslash, or climbs above the root.",
    howToSolve:
      "Percent-encode the path correctly (`%` followed by two hex digits) and do not use `..` to leave the root.",
  },
  GH_FRAMING_INVALID: {
    status: 400,
    title:
      "The request's body framing is faulty: `Transfer-Encoding` on an HTTP/1.0 request, or one whose last coding is not `chunked`.",
    howToSolve:
      "Send HTTP/1.1 for a chunked body, or a `Content-Length`. A proxy that downgrades to HTTP/1.0 must remove `Transfer-Encoding` (RFC 9112 §6.1).",
  },
  GH_TRANSFER_CODING_UNSUPPORTED: {
    status: 501,
    title: "The request uses a transfer coding other than `chunked` (e.g. `gzip, chunked`).",
    howToSolve:
      "Send the body with `Transfer-Encoding: chunked` alone, or with `Content-Length`; compress with `Content-Encoding` instead.",
  },
  GH_METHOD_NOT_ALLOWED: {
    status: 405,
    title: "CONNECT (or another tunnelling method) was sent to the front door.",
    howToSolve: "Gatehouse is a reverse proxy, not a forward proxy: it never opens tunnels.",
  },
  GH_NOT_FOUND: {
    status: 404,
    title: "No route matches the path.",
    howToSolve: "Add a route whose `match` prefix covers the path.",
  },
  GH_BODY_TOO_LARGE: {
    status: 413,
    title: "The request body is larger than `limits.maxBodySize`.",
    howToSolve: "Send a smaller body, or raise `limits.maxBodySize` (default 25 MiB).",
  },
  GH_UPSTREAM_UNREACHABLE: {
    status: 502,
    title: "The upstream refused the connection or could not be reached.",
    howToSolve:
      "Check that the upstream is running and listening on the address in `routes[].upstream`.",
  },
  GH_UPSTREAM_RESET: {
    status: 502,
    title: "The upstream closed the connection before it answered.",
    howToSolve: "Look at the upstream's logs: it crashed or dropped the request.",
  },
  GH_UPSTREAM_HEADERS_TOO_LARGE: {
    status: 502,
    title: "The upstream answered with response headers larger than the door reads (16 KiB).",
    howToSolve:
      "Look at what the upstream sends in its headers (huge cookies, debug headers) and trim it there.",
  },
  GH_UPSTREAM_TIMEOUT: {
    status: 504,
    title: "The upstream did not answer in time.",
    howToSolve:
      "Raise `limits.upstreamHeadersTimeout` for slow models, or check the upstream's health.",
  },
  GH_UPSTREAM_BAD_RESPONSE: {
    status: 502,
    title: "The upstream sent a response Gatehouse could not parse.",
    howToSolve: "Check that the route points at an HTTP server.",
  },
  GH_SHUTDOWN_GRACE_EXPIRED: {
    status: 503,
    title: "The door shut down before the request finished: `limits.shutdownGrace` ran out.",
    howToSolve:
      "Retry: another instance or the restarted door answers. Raise `limits.shutdownGrace` if long streams must finish on shutdown.",
  },
  GH_HEADERS_TOO_LARGE: {
    status: 431,
    title: "The request's head (request line and headers) is larger than `limits.maxHeaderSize`.",
    howToSolve:
      "Send fewer or shorter headers (large cookies are the usual cause), or raise `limits.maxHeaderSize` (default 16KiB).",
  },
  GH_REQUEST_TIMEOUT: {
    status: 408,
    title:
      "The request's headers or body did not arrive within `limits.headersTimeout` / `limits.requestTimeout`.",
    howToSolve: "Send the request promptly, or raise the limit for slow clients.",
  },
  GH_REQUEST_MALFORMED: {
    status: 400,
    title:
      "The request is not valid HTTP/1.1 (the parser refused it: bad request line, header or framing).",
    howToSolve: "Send a well-formed request; the log line carries the parser's reason as `cause`.",
  },
  GH_INTERNAL: {
    status: 500,
    title: "An unexpected error inside Gatehouse.",
    howToSolve: "Please report it with the error id and the log line that carries it.",
  },
} as const satisfies Record<string, DoorCodeInfo>;

export type DoorErrorCode = keyof typeof DOOR_ERROR_CODES;

/** A request-time failure; its status and default message come from its code's entry. */
export class DoorError extends GatehouseError<DoorErrorCode> {
  readonly status: number;
  constructor(code: DoorErrorCode, message?: string, options?: { cause?: unknown }) {
    super(code, message ?? DOOR_ERROR_CODES[code].title, options);
    this.name = "DoorError";
    this.status = DOOR_ERROR_CODES[code].status;
  }
}

/** A short id that ties a client-visible error to its log line. */
export function newErrorId(): string {
  return `gh_${randomBytes(6).toString("base64url")}`;
}

/** The JSON body of an error response. */
export function errorBody(error: DoorError, id: string): string {
  return JSON.stringify({ error: { code: error.code, message: error.message, id } });
}

/** Status line and headers of an error written on a raw socket (upgrade requests). */
export function rawErrorResponse(error: DoorError, id: string): string {
  const body = errorBody(error, id);
  return [
    `HTTP/1.1 ${error.status} ${statusText(error.status)}`,
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Gatehouse-Error-Id: ${id}`,
    "Connection: close",
    "",
    body,
  ].join("\r\n");
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Content Too Large",
  421: "Misdirected Request",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? "Error";
}
