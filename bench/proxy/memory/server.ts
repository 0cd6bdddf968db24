/**
 * Server kinds for the memory benchmark, one per process:
 *
 *   taskset -c <cpu> node --expose-gc --import tsx bench/proxy/memory/server.ts <kind> [upstream]
 *
 * Each prints `{"port":N}` once it listens on 127.0.0.1 (port 0). The measured kinds (gatehouse,
 * floor) answer SIGUSR2 with two full GCs and a `{"gc":...}` line carrying
 * process.memoryUsage(): the parent cannot collect another process's garbage, and a signal keeps
 * the hook out of the request path being measured.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, connect } from "node:net";
import type { Duplex } from "node:stream";
import { Pool } from "undici";
import { WebSocketServer } from "ws";
import { startGatehouse } from "../gatehouse.js";
import { gatehouseYaml } from "../streams/peers.js";

/** SSE comment heartbeat period per stream (each stream starts at a random phase). */
const HEARTBEAT_MS = Number(process.env.MEMORY_HEARTBEAT_MS ?? 5_000) || 5_000;

function announce(port: number): void {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

function listen(server: Server): void {
  server.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port));
}

function gcHook(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on("SIGUSR2", () => {
    gc?.();
    // A second pass after the first one's weak callbacks and finalizers have run.
    setImmediate(() => {
      gc?.();
      process.stdout.write(
        `${JSON.stringify({ gc: gc !== undefined, memory: process.memoryUsage() })}\n`,
      );
    });
  });
}

/**
 * The upstream (not measured): `GET /events/<tag>` is an SSE stream (headers, one event, then a
 * comment heartbeat every HEARTBEAT_MS), `/ws/<tag>` a `ws` echo, `GET /_count` the streams and
 * sockets open right now per tag, read by the benchmark directly.
 */
function upstream(): void {
  const open = { sse: new Map<string, number>(), ws: new Map<string, number>() };
  const bump = (map: Map<string, number>, tag: string, by: number) =>
    map.set(tag, (map.get(tag) ?? 0) + by);
  const streams = new Set<{ res: ServerResponse; next: number }>();
  setInterval(() => {
    const now = Date.now();
    for (const s of streams) {
      if (now < s.next) continue;
      s.next += HEARTBEAT_MS;
      s.res.write(": hb\n\n");
    }
  }, 250);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    if (url === "/_count") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ sse: Object.fromEntries(open.sse), ws: Object.fromEntries(open.ws) }),
      );
      return;
    }
    if (!url.startsWith("/events/")) {
      res.writeHead(404);
      res.end();
      return;
    }
    const tag = url.slice("/events/".length);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write("data: ready\n\n");
    const entry = { res, next: Date.now() + Math.random() * HEARTBEAT_MS };
    streams.add(entry);
    bump(open.sse, tag, 1);
    res.on("close", () => {
      streams.delete(entry);
      bump(open.sse, tag, -1);
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? "/";
    if (!url.startsWith("/ws/")) {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const tag = url.slice("/ws/".length);
    wss.handleUpgrade(req, socket, head, (ws) => {
      bump(open.ws, tag, 1);
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
      ws.on("close", () => bump(open.ws, tag, -1));
      ws.on("error", () => ws.terminate());
    });
  });
  listen(server);
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

/**
 * The floor: node:http in, one undici Pool out (no connection cap: 1,000 streams held at once
 * need 1,000 upstream connections), `pool.stream()` as in bench/proxy/server.ts; upgrades are a
 * raw two-way pipe to the upstream over `net.connect`, its 101 relayed as bytes.
 */
function floor(target: string): void {
  const upstreamUrl = new URL(target);
  const pool = new Pool(target, { pipelining: 1 });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP.has(name)) headers[name] = value;
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    pool.stream(
      { path: req.url ?? "/", method: req.method as "GET", headers, body: hasBody ? req : null },
      ({ statusCode, headers: upstreamHeaders }) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(upstreamHeaders)) {
          if (value !== undefined && !HOP.has(name)) out[name] = value;
        }
        res.writeHead(statusCode, out);
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
  server.on("upgrade", (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const up = connect(Number(upstreamUrl.port), upstreamUrl.hostname);
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    up.write(`${lines.join("\r\n")}\r\n\r\n`);
    if (head.length > 0) up.write(head);
    up.pipe(client);
    client.pipe(up);
    const end = () => {
      up.destroy();
      client.destroy();
    };
    for (const side of [up, client]) {
      side.on("error", end);
      side.on("close", end);
    }
  });
  listen(server);
}

async function gatehouse(target: string): Promise<void> {
  // The same config as the streams suite: the loader's defaults (CSRF on, no CORS, Host guard,
  // WebSocket upgrades from publicOrigin only), access log off.
  announce(await startGatehouse(gatehouseYaml(target), "memory.yaml"));
}

async function main(): Promise<void> {
  const [kind, target] = process.argv.slice(2);
  const need = (): string => {
    if (target === undefined) throw new Error(`${kind} needs an upstream URL`);
    return target;
  };
  switch (kind) {
    case "upstream":
      return upstream();
    case "floor":
      gcHook();
      return floor(need());
    case "gatehouse":
      gcHook();
      return gatehouse(need());
    default:
      throw new Error(`unknown server kind ${kind}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`memory server: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
