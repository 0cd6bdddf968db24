/**
 * A CORS server whose every byte the test controls: a raw TCP HTTP/1.1 server (node:http's
 * parser refuses lower-case methods such as `patch`, which browsers send as written). Each
 * request is parsed just enough (request line, header lines, Content-Length body) and answered
 * with the status and the exact header lines the test's handler returns; the connection closes
 * after each answer.
 */
import type { AddressInfo, Server, Socket } from "node:net";
import { createServer } from "node:net";

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  /** Header lines in order, as [name, value]. */
  readonly headers: readonly (readonly [string, string])[];
}

export interface Answer {
  readonly status: number;
  readonly lines?: readonly (readonly [string, string])[];
  readonly body?: string;
}

export type Handler = (req: SeenRequest) => Answer;

export interface RawServer {
  readonly port: number;
  readonly seen: SeenRequest[];
  handler: Handler;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  200: "OK",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  500: "Internal Server Error",
};

export function header(req: SeenRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  return req.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

export async function startRawServer(handler: Handler): Promise<RawServer> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const state = { handler };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffer = Buffer.alloc(0);
    let done = false;
    socket.on("data", (chunk: Buffer) => {
      if (done) return;
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf("\r\n\r\n");
      if (end === -1) return;
      const head = buffer.subarray(0, end).toString("latin1").split("\r\n");
      const [method = "", path = ""] = (head[0] ?? "").split(" ");
      const headers = head.slice(1).map((line): [string, string] => {
        const colon = line.indexOf(":");
        return [line.slice(0, colon), line.slice(colon + 1).trim()];
      });
      const length = Number(headers.find(([n]) => n.toLowerCase() === "content-length")?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      done = true;
      const req: SeenRequest = { method, path, headers };
      seen.push(req);
      let answer: Answer;
      try {
        answer = state.handler(req);
      } catch (error) {
        answer = { status: 500, body: String(error) };
      }
      const body = Buffer.from(
        answer.body ?? (answer.status === 204 || method === "HEAD" ? "" : "ok"),
      );
      const lines = [
        `HTTP/1.1 ${answer.status} ${REASONS[answer.status] ?? "Status"}`,
        ...(answer.lines ?? []).map(([n, v]) => `${n}: ${v}`),
        ...(answer.status === 204 ? [] : [`Content-Length: ${body.length}`]),
        "Connection: close",
        "",
        "",
      ];
      socket.end(
        Buffer.concat([
          Buffer.from(lines.join("\r\n"), "latin1"),
          answer.status === 204 ? Buffer.alloc(0) : body,
        ]),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    seen,
    get handler() {
      return state.handler;
    },
    set handler(h: Handler) {
      state.handler = h;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
