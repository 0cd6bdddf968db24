/**
 * Test fixtures for the front door: a config builder (the loader's defaults, spelled out) and a
 * recording upstream that remembers every request it saw.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { WebSocketServer } from "ws";
import type { CorsConfig, NormalizedCorsConfig } from "../../src/core/config.js";
import { validateCorsConfig, validationRecord } from "../../src/core/config.js";
import { CorsConfigError, ProblemSink } from "../../src/core/problems.js";
import type { GatehouseConfig, Route } from "../../src/door/config/types.js";
import { DEFAULT_LIMITS, INSPECTOR_OFF } from "../../src/door/config/types.js";
import type { Door } from "../../src/door/server.js";
import { createDoor } from "../../src/door/server.js";

/** A CORS policy as a test writes it: as in a config file, or already validated. */
export type TestCors = CorsConfig | NormalizedCorsConfig;

/** A route as a test writes it; testConfig validates its `cors` the way the loader does. */
export type TestRoute = WithTestCors<Route>;
type WithTestCors<R> = R extends Route
  ? Omit<R, "cors"> & { readonly cors: TestCors | false | undefined }
  : never;

/** testConfig overrides; `cors` may be written as in a config file. */
export type ConfigOverrides = Omit<Partial<GatehouseConfig>, "cors"> & {
  readonly cors?: TestCors | null;
};

/**
 * A validated, normalized policy, as the loader keeps it (the door compiles only those).
 * Throws CorsConfigError on a policy the loader would refuse.
 */
export function normalizedCors(cors: TestCors): NormalizedCorsConfig {
  if (validationRecord(cors as NormalizedCorsConfig) !== undefined) {
    return cors as NormalizedCorsConfig;
  }
  const sink = new ProblemSink();
  const validated = validateCorsConfig(cors, sink, "cors");
  if (validated === null) throw new CorsConfigError(sink.problems, sink.lints);
  return validated.config;
}

export function testConfig(routes: TestRoute[], overrides: ConfigOverrides = {}): GatehouseConfig {
  const { cors, ...rest } = overrides;
  return {
    source: null,
    listen: { host: "127.0.0.1", port: 0 },
    publicOrigin: "http://gateway.test",
    hosts: ["gateway.test", "127.0.0.1", "localhost"],
    trustProxy: [],
    routes: routes.map(
      (route) =>
        ({
          ...route,
          cors:
            route.cors === undefined || route.cors === false
              ? route.cors
              : normalizedCors(route.cors),
        }) as Route,
    ),
    websocket: { allowOrigins: null },
    csrf: true,
    tls: null,
    limits: { ...DEFAULT_LIMITS, shutdownGraceMs: 2_000 },
    log: { level: "silent", format: "json" },
    inspector: INSPECTOR_OFF,
    debugHeader: false,
    ...rest,
    cors: cors === undefined || cors === null ? null : normalizedCors(cors),
  };
}

export function upstreamRoute(url: string, match = "/", extra: Partial<TestRoute> = {}): TestRoute {
  return {
    kind: "upstream",
    match,
    upstream: new URL(url),
    stripPrefix: false,
    cors: undefined,
    ...extra,
  } as TestRoute;
}

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface RecordingUpstream {
  readonly url: string;
  readonly seen: Seen[];
  readonly upgrades: Seen[];
  readonly server: Server;
  /** Sockets that closed while their response was still open (client aborts seen upstream). */
  readonly closedEarly: string[];
  handle(path: string, handler: UpstreamHandler): void;
  close(): Promise<void>;
}

/**
 * An upstream on 127.0.0.1 that records every request. Paths without a handler answer
 * `200 {"path": ...}`. `/ws` is a WebSocket echo that also reports the protocol it chose.
 */
export async function recordingUpstream(): Promise<RecordingUpstream> {
  const seen: Seen[] = [];
  const upgrades: Seen[] = [];
  const closedEarly: string[] = [];
  const handlers = new Map<string, UpstreamHandler>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body,
      });
      res.on("close", () => {
        if (!res.writableFinished) closedEarly.push(req.url ?? "");
      });
      const handler = handlers.get((req.url ?? "").split("?")[0] ?? "");
      if (handler !== undefined) return handler(req, res, body);
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ path: req.url, method: req.method, bytes: body.length }));
    });
  });
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => [...protocols][0] ?? false,
  });
  server.on("upgrade", (req, socket, head) => {
    upgrades.push({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body: Buffer.alloc(0),
    });
    if (!(req.url ?? "").startsWith("/ws")) {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (data, isBinary) => {
        const text = isBinary ? null : data.toString();
        if (text?.startsWith("close:")) {
          const [, code, reason] = text.split(":");
          ws.close(Number(code), reason);
          return;
        }
        ws.send(data, { binary: isBinary });
      });
      ws.on("close", (code, reason) => {
        if (ws.readyState !== ws.CLOSED) ws.close(code === 1005 ? 1000 : code, reason);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    upgrades,
    server,
    closedEarly,
    handle(path, handler) {
      handlers.set(path, handler);
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface RunningDoor {
  readonly door: Door;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startDoor(config: GatehouseConfig): Promise<RunningDoor> {
  const door = createDoor(config);
  const address = await door.listen();
  return {
    door,
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    close: () => door.close(),
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  readonly rawHeaders: string[];
  readonly body: string;
}

/**
 * One request with node:http, which lets tests send any Host, Origin or repeated header (fetch
 * would not). Header values that are arrays go out on several lines.
 */
export function send(
  port: number,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string | string[]>;
    body?: string | Buffer;
  },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "GET",
        path: options.path ?? "/",
        headers: { host: "gateway.test", ...options.headers },
        setHost: false,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/**
 * Sends bytes exactly as written (no client library normalizes the target or the Host lines)
 * and resolves with everything the server answered before it closed the connection, or after
 * `timeoutMs`. The socket is written, not half-closed: Node ends a response early when the
 * client half-closes while an answer is still being produced.
 */
export function sendRaw(port: number, text: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    let data = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      data += chunk;
    });
    socket.on("close", () => resolve(data));
    socket.on("error", reject);
    setTimeout(() => socket.destroy(), timeoutMs).unref();
  });
}
