/**
 * Pieces every bench server process shares: the `{"port":N}` line the suites wait for, listening
 * on 127.0.0.1:0, and the floor for a Node proxy (node:http in, one undici Pool out with
 * `pool.stream()` piped back, hop-by-hop headers dropped; upgrades as a raw two-way byte pipe to
 * the upstream, which passes its 101 or refusal back untouched). The floor checks nothing.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { Pool } from "undici";

export function announce(port: number): void {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

export function listen(server: Server): void {
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port));
}

const HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "proxy-connection",
  "upgrade",
  "te",
  "trailer",
]);

function withoutHop(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP.has(name)) out[name] = value;
  }
  return out;
}

export interface FloorOptions {
  /** Upstream connections; null for no cap (1,000 held streams need 1,000 connections). */
  readonly connections: number | null;
}

/** Starts the floor proxy to `target` and announces its port. */
export function floor(target: string, options: FloorOptions): void {
  const up = new URL(target);
  const pool = new Pool(target, { connections: options.connections, pipelining: 1 });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    pool.stream(
      {
        path: req.url ?? "/",
        method: req.method as "GET",
        headers: withoutHop(req.headers),
        body: hasBody ? req : null,
      },
      ({ statusCode, headers }) => {
        res.writeHead(statusCode, withoutHop(headers));
        return res;
      },
      (error) => {
        if (error && !res.headersSent) {
          res.statusCode = 502;
          res.end();
        } else if (error) res.destroy();
      },
    );
  });
  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const upstreamSocket = connect(Number(up.port), up.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      upstreamSocket.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length > 0) upstreamSocket.write(head);
      upstreamSocket.pipe(socket);
      socket.pipe(upstreamSocket);
    });
    upstreamSocket.setNoDelay(true);
    socket.setNoDelay(true);
    upstreamSocket.on("error", () => socket.destroy());
    socket.on("error", () => upstreamSocket.destroy());
    upstreamSocket.on("close", () => socket.destroy());
    socket.on("close", () => upstreamSocket.destroy());
  });
  listen(server);
}
