/**
 * The streams suite's servers, one per process, started by index.ts as
 *
 *   taskset -c <cpu> node --import tsx bench/proxy/streams/servers.ts <kind> [upstream-url]
 *
 * printing `{"port":N}` once listening on 127.0.0.1. Kinds: `upstream` (the SSE endpoints and
 * a `ws` echo), `floor` (node:http + undici Pool for HTTP, a raw byte pipe for upgrades) and
 * `gatehouse` (createDoor with a config loaded through the real loader, defaults kept).
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { WebSocketServer } from "ws";
import { announce, floor, listen } from "../floor.js";
import { startGatehouse } from "../gatehouse.js";
import { gatehouseYaml } from "./peers.js";
import { bulkEvent, burstEvent, pacedEvent } from "./protocol.js";

const now = (): bigint => process.hrtime.bigint();

function intParam(url: URL, name: string, fallback: number): number {
  const value = Number(url.searchParams.get(name) ?? fallback);
  return Number.isSafeInteger(value) && value >= 0 ? value : fallback;
}

function sseHead(res: ServerResponse): void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
  });
}

/** `n` events, one every `interval` ms, on a schedule that does not drift; each stamped. */
function paced(res: ServerResponse, n: number, intervalMs: number): void {
  sseHead(res);
  const start = performance.now();
  let i = 0;
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    res.write(pacedEvent(i, now()));
    i++;
    if (i >= n) {
      res.end();
      return;
    }
    timer = setTimeout(tick, Math.max(0, start + i * intervalMs - performance.now()));
  };
  res.on("close", () => {
    if (timer !== null) clearTimeout(timer);
  });
  // The first event waits one interval too, so it never shares a packet with the headers.
  timer = setTimeout(tick, intervalMs);
}

/** Writes events produced by `make` as fast as the connection takes them (honouring drain). */
function flood(res: ServerResponse, n: number, make: (i: number) => string): void {
  sseHead(res);
  let i = 0;
  const pump = () => {
    while (i < n) {
      const ok = res.write(make(i));
      i++;
      if (!ok) {
        res.once("drain", pump);
        return;
      }
    }
    res.end();
  };
  res.on("close", () => res.off("drain", pump));
  pump();
}

function upstream(): void {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://upstream");
    switch (url.pathname) {
      case "/sse/paced":
        return paced(res, intParam(url, "n", 1000), intParam(url, "interval", 3));
      case "/sse/burst":
        return flood(res, intParam(url, "n", 10_000), burstEvent);
      case "/sse/bulk": {
        const bytes = intParam(url, "bytes", 1 << 20);
        return flood(res, Math.ceil(bytes / 1024), (i) => bulkEvent(i, now()));
      }
      default:
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("ok");
    }
  });
  server.on("connection", (socket) => socket.setNoDelay(true));
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on("upgrade", (req, socket, head) => {
    if (!(req.url ?? "").startsWith("/ws")) {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  listen(server);
}

async function gatehouse(target: string): Promise<void> {
  announce(await startGatehouse(gatehouseYaml(target), "streams.yaml"));
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
      return floor(need(), { connections: 128 });
    case "gatehouse":
      return gatehouse(need());
    default:
      throw new Error(`unknown server kind ${kind}`);
  }
}

// A clean exit on SIGTERM, so that `--cpu-prof` can write its profile; suites use SIGKILL.
process.once("SIGTERM", () => process.exit(0));

main().catch((error: unknown) => {
  process.stderr.write(`streams server: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
