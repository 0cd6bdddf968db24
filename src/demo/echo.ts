/**
 * The demo upstream's WebSocket side at `/ws`: a greeting, an echo of every text and binary
 * message, an application-level ping/pong, and the client's close code passed back.
 */
import type { IncomingMessage } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { RawData, WebSocket } from "ws";
import { WebSocketServer } from "ws";
import type { ApiError } from "./http.js";
import { errorBody } from "./http.js";
import type { StatsRecorder } from "./stats.js";

/** The path the echo listens on; upgrades anywhere else get 404. */
export const ECHO_PATH = "/ws";

/** Largest message accepted, as for HTTP bodies; larger ones close the socket with 1009. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Sent once to every new connection. */
export const HELLO = { type: "hello", server: "gatehouse-demo" } as const;

export interface EchoServer {
  /** Handles an HTTP server's `upgrade` event: the echo at {@link ECHO_PATH}, 404 elsewhere. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Terminates every open WebSocket at once (no closing handshake). */
  close(): void;
}

/** Creates the echo; it serves upgrades handed to it by `handleUpgrade`. */
export function createEchoServer(stats: StatsRecorder): EchoServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // The first subprotocol the client offers, if any: the demo speaks them all.
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
  });
  wss.on("connection", (ws) => serve(ws, stats));
  return {
    handleUpgrade(req, socket, head) {
      stats.sawRequest("upgrades", req.method ?? "", req.url ?? "", req.headers);
      if (new URL(req.url ?? "/", "http://demo.invalid").pathname !== ECHO_PATH) {
        const message = `No WebSocket endpoint at ${req.url}: the echo is at ${ECHO_PATH}.`;
        refuse(socket, { status: 404, message, param: null, code: "unknown_url" });
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    },
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/** One connection's life. */
function serve(ws: WebSocket, stats: StatsRecorder): void {
  stats.update((s) => s.webSocketsOpen++);
  // ws answers a close frame with the same code and reason by itself: that is the passthrough.
  ws.on("close", (code, reason) => {
    stats.update((s) => {
      s.webSocketsOpen--;
      s.lastClose = { code, reason: reason.toString("utf8") };
    });
  });
  // Protocol errors (bad frames, oversized messages) close the socket; nothing to add.
  ws.on("error", () => undefined);
  ws.on("message", (data, isBinary) => reply(ws, data, isBinary));
  ws.send(JSON.stringify(HELLO));
}

/** A ping gets a pong; anything else comes back unchanged, text as text, binary as binary. */
function reply(ws: WebSocket, data: RawData, isBinary: boolean): void {
  const ping = isBinary ? null : parsePing(rawText(data));
  if (ping !== null) {
    ws.send(JSON.stringify({ type: "pong", id: ping.id, at: Date.now() }));
    return;
  }
  ws.send(data, { binary: isBinary });
}

/** `{ type: "ping", id }` as sent by a client, or null for any other text. */
export function parsePing(text: string): { id: unknown } | null {
  if (!text.trimStart().startsWith("{")) return null;
  try {
    const message: unknown = JSON.parse(text);
    if (typeof message !== "object" || message === null || !("type" in message)) return null;
    if (message.type !== "ping") return null;
    return { id: "id" in message ? message.id : null };
  } catch {
    return null;
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}

/** Answers an upgrade with a plain HTTP error and closes the socket. */
function refuse(socket: Duplex, error: ApiError): void {
  const text = JSON.stringify(errorBody(error));
  socket.on("error", () => undefined); // the client may already be gone
  socket.end(
    [
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ""}`,
      "Content-Type: application/json",
      `Content-Length: ${Buffer.byteLength(text)}`,
      "Connection: close",
      "",
      text,
    ].join("\r\n"),
  );
}
