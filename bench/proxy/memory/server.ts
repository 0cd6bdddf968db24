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

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { announce, floor, listen } from "../floor.js";
import { startGatehouse } from "../gatehouse.js";
import { gatehouseYaml } from "../streams/peers.js";

/** SSE comment heartbeat period per stream (each stream starts at a random phase). */
const HEARTBEAT_MS = Number(process.env.MEMORY_HEARTBEAT_MS ?? 5_000) || 5_000;

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
      return floor(need(), { connections: null });
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
