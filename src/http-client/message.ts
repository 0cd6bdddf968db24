/**
 * What the doctor and the audit send and what they get back, and the one way both read a
 * response's headers. Pure: the client (`client.ts`) fills these in; simulations and tests build
 * them by hand.
 *
 * A response keeps every header line as received, in order, repeated names and their spelling
 * included: the doctor shows the lines a check read, and a repeated
 * `Access-Control-Allow-Origin` is itself a finding.
 */
import { HEADER } from "./header-names.js";

/** One header as sent: name and value, in the order given. */
export type Header = readonly [name: string, value: string];

export interface WireRequest {
  readonly method: string;
  /** An http(s) URL. */
  readonly url: string;
  /**
   * In order, as sent. The client adds Host, Connection and Content-Length, and for a WebSocket
   * handshake the lines of `WEBSOCKET_HANDSHAKE` and a fresh Sec-WebSocket-Key.
   */
  readonly headers: readonly Header[];
}

export interface HeaderLine {
  readonly name: string;
  readonly value: string;
}

export interface ObservedResponse {
  /** The HTTP status; 101 when a WebSocket handshake was accepted. */
  readonly status: number;
  readonly statusText?: string;
  /** Every header line as received, repeated names included, in order. */
  readonly lines: readonly HeaderLine[];
}

/** RFC 6455 §4.1: the only version a server may accept. */
export const WEBSOCKET_VERSION = "13";

/** The fixed lines of a WebSocket opening handshake (RFC 6455 §4.1); the key is per request. */
export const WEBSOCKET_HANDSHAKE: readonly Header[] = [
  [HEADER.connection, "Upgrade"],
  [HEADER.upgrade, "websocket"],
  [HEADER.secWebSocketVersion, WEBSOCKET_VERSION],
];

/** The lines named `name` (compared case-insensitively), in the order received. */
export function headerLines(res: ObservedResponse, name: string): HeaderLine[] {
  const lower = name.toLowerCase();
  return res.lines.filter((l) => l.name.toLowerCase() === lower);
}

/**
 * fetch.bs §concept-header-list-get: every value of `name` joined by ", ", as a browser reads
 * it; null when the response has no such line.
 */
export function headerValue(res: ObservedResponse, name: string): string | null {
  const lines = headerLines(res, name);
  return lines.length === 0 ? null : lines.map((l) => l.value).join(", ");
}
