/**
 * How each peer is started: every server in a child process of its own (its own process
 * group, so that it and its children can be killed by pid), pinned to the server core, on
 * 127.0.0.1. Node servers listen on port 0 and report it; nginx gets a free port picked here.
 * Every child started is tracked and killed at the end, on error, and on SIGINT/SIGTERM.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CORS } from "./workloads.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SERVER = "bench/proxy/server.ts";

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();

/** Remembers a child (started with `detached: true`) until it exits; returns the forget call. */
export function track(child: ChildProcess): () => void {
  live.add(child);
  const forget = () => live.delete(child);
  child.once("exit", forget);
  return forget;
}

/** Kills a child started with `detached: true` and everything in its process group. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    try {
      child.kill("SIGKILL");
    } catch {}
  }
}

/** Kills every tracked child's process group, by pid, and removes temporary directories. */
export function killAll(): void {
  for (const child of live) killGroup(child);
  live.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}
process.once("exit", killAll);

/** A temporary directory removed by killAll(). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export interface Running {
  readonly id: string;
  readonly pid: number;
  readonly url: string;
  stop(): void;
}

export interface TargetInfo {
  readonly id: string;
  readonly label: string;
  /** How it is configured, for the report. */
  readonly configured: string;
  /** A Debian binary it needs, if any (the target is skipped with a note when missing). */
  readonly binary?: string;
}

export const TARGETS: Readonly<Record<string, TargetInfo>> = {
  gatehouse: {
    id: "gatehouse",
    label: "Gatehouse",
    configured:
      "`createDoor()` from dist/ (what `npm start` runs) with the config below loaded through `checkConfigText()`, so every loader default applies (Host allowlist, CSRF guard, hop-by-hop hygiene, X-Forwarded-*, timeouts, limits); only the access log is off (`log.level: silent`), as it is for nginx. The `/static/` route is sirv with Gatehouse's options (ETag, precompressed siblings, nosniff, Cache-Control).",
  },
  floor: {
    id: "floor",
    label: "node:http + undici (floor)",
    configured:
      "hand-written: `http.createServer` + one `undici.Pool(upstream, { connections: 128 })`, `pool.stream()` with the request piped as body and the response piped back, hop-by-hop headers dropped; no checks of any kind",
  },
  "fastify-proxy": {
    id: "fastify-proxy",
    label: "@fastify/http-proxy",
    configured:
      "`fastify({ logger: false })` + `register(httpProxy, { upstream })` (its default undici transport)",
  },
  nginx: {
    id: "nginx",
    label: "nginx",
    binary: "nginx",
    configured:
      'Debian nginx-light, `worker_processes 1`, access log off; `upstream { keepalive 64 }`, `proxy_http_version 1.1`, `proxy_set_header Connection ""`, `proxy_buffering off`, `client_body_buffer_size 128k`; preflights answered by `if ($request_method = OPTIONS)` with headers from a `map $http_origin` (allowed origin echoed, credentials, methods, headers, max-age 600)',
  },
  direct: {
    id: "direct",
    label: "upstream direct (limit)",
    configured: "the upstream itself (a second instance, on the server core), no proxy",
  },
  sirv: {
    id: "sirv",
    label: "sirv on node:http",
    configured:
      "`http.createServer` + `sirv(dir, { dev: false, etag: true })`, the `/static` prefix taken off the URL",
  },
  "gatehouse-before": {
    id: "gatehouse-before",
    label: "Gatehouse before",
    configured:
      "the same as Gatehouse, from the dist/ of another checkout (`BENCH_GATEHOUSE_BEFORE=<dir>`, an earlier commit built with `npm run build`), measured side by side in the same run; only when that variable is set",
  },
  "same-204": {
    id: "same-204",
    label: "node:http, the same 204",
    configured:
      "`http.createServer` writing, for every request, Gatehouse's own answer to this preflight (the engine's decision headers and Vary, computed once) with one flat `writeHead`, the call the door makes; no checks",
  },
  "bare-204": {
    id: "bare-204",
    label: "node:http, bare 204",
    configured: "`http.createServer` answering every request 204 with no headers at all, no checks",
  },
  "fastify-cors": {
    id: "fastify-cors",
    label: "Fastify + @fastify/cors",
    configured: `\`register(cors, { origin: ["${CORS.origin}"], credentials: true, methods, allowedHeaders, maxAge: ${CORS.maxAge} })\`, logger off`,
  },
  "hono-cors": {
    id: "hono-cors",
    label: "hono/cors on @hono/node-server",
    configured: `\`app.use("*", cors({ origin: ["${CORS.origin}"], credentials: true, allowMethods, allowHeaders, maxAge: ${CORS.maxAge} }))\`, \`serve()\``,
  },
  "express-cors": {
    id: "express-cors",
    label: "Express 5 + cors",
    configured: `\`app.use(cors({ origin: ["${CORS.origin}"], credentials: true, methods, allowedHeaders, maxAge: ${CORS.maxAge} }))\` (204 on preflight)`,
  },
};

export interface NodeServerOptions {
  /** The server script (default bench/proxy/server.ts); it prints `{"port":N}` when listening. */
  readonly script?: string;
  /** Flags for node before the script (`--expose-gc`, `--cpu-prof`, ...). */
  readonly nodeArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** A started server that can also be waited on for later JSON lines it prints. */
export interface NodeServer extends Running {
  readonly port: number;
  /** The next JSON line `accept` takes, within `ms`; rejects if the server exits first. */
  nextLine(
    what: string,
    accept: (line: Record<string, unknown>) => boolean,
    ms: number,
  ): Promise<Record<string, unknown>>;
}

/**
 * Starts a Node bench server (`<script> <kind> [upstream]`) in its own process group, pinned
 * with `pin`, tracked for killAll(), and waits for its `{"port":N}` line. Every bench suite
 * starts its servers through here.
 */
export async function startNode(
  kind: string,
  pin: readonly string[],
  upstream: string | null,
  id = kind,
  options: NodeServerOptions = {},
): Promise<NodeServer> {
  const [command, ...args] = [
    ...pin,
    process.execPath,
    ...(options.nodeArgs ?? []),
    "--import",
    "tsx",
    options.script ?? SERVER,
    kind,
    ...(upstream === null ? [] : [upstream]),
  ];
  const child = spawn(command as string, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
    env: { ...process.env, NODE_ENV: "production", ...options.env },
  });
  track(child);
  const waiting: ((line: Record<string, unknown>) => boolean)[] = [];
  let buffered = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (!line.startsWith("{")) continue;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      const i = waiting.findIndex((w) => w(parsed));
      if (i !== -1) waiting.splice(i, 1);
    }
  });
  const nextLine = (
    what: string,
    accept: (line: Record<string, unknown>) => boolean,
    ms: number,
  ): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`${id} exited with ${code} while waiting for ${what}`));
      };
      const timer = setTimeout(() => {
        child.off("exit", onExit);
        reject(new Error(`${id} gave no ${what} within ${ms / 1000} s`));
      }, ms);
      child.once("exit", onExit);
      waiting.push((line) => {
        if (!accept(line)) return false;
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve(line);
        return true;
      });
    });
  try {
    const { port } = (await nextLine("port", (l) => typeof l.port === "number", 20_000)) as {
      port: number;
    };
    return {
      id,
      pid: child.pid as number,
      port,
      url: `http://127.0.0.1:${port}`,
      stop: () => killGroup(child),
      nextLine,
    };
  } catch (error) {
    killGroup(child);
    throw error;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A whole nginx.conf for a bench run in `dir`: one worker in the foreground, every file in
 * `dir`, access log off, keep-alive unlimited; `http` is the rest of the http block.
 */
export function nginxConfigFile(dir: string, http: string): string {
  return `worker_processes 1;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
${http}}
`;
}

export function nginxConfig(dir: string, port: number, upstream: URL): string {
  return nginxConfigFile(
    dir,
    `  client_body_buffer_size 128k;
  client_max_body_size 32m;
  map $http_origin $cors_origin {
    default "";
    "${CORS.origin}" $http_origin;
  }
  upstream backend {
    server ${upstream.host};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin $cors_origin always;
        add_header Access-Control-Allow-Credentials true always;
        add_header Access-Control-Allow-Methods "${CORS.methods.join(", ")}" always;
        add_header Access-Control-Allow-Headers "${CORS.headers.join(", ")}" always;
        add_header Access-Control-Max-Age ${CORS.maxAge} always;
        add_header Vary Origin always;
        return 204;
      }
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_buffering off;
    }
  }
`,
  );
}

/**
 * Starts nginx in the foreground (master + 1 worker) with a config in a temporary directory;
 * `config` writes that config (by default the proxy suite's, nginxConfig above).
 */
export async function startNginx(
  pin: readonly string[],
  upstream: string,
  config: (dir: string, port: number, upstream: URL) => string = nginxConfig,
): Promise<Running> {
  const dir = tempDir("gatehouse-bench-nginx-");
  const port = await freePort();
  writeFileSync(join(dir, "nginx.conf"), config(dir, port, new URL(upstream)));
  const [command, ...args] = [
    ...pin,
    "nginx",
    "-p",
    dir,
    "-e",
    join(dir, "error.log"),
    "-c",
    join(dir, "nginx.conf"),
  ];
  const child = spawn(command as string, args, { stdio: "ignore", detached: true });
  track(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    try {
      await fetch(`${url}/`, { signal: AbortSignal.timeout(500) }).then((r) => r.arrayBuffer());
      break;
    } catch {
      if (Date.now() > deadline) {
        killGroup(child);
        throw new Error("nginx did not start within 10 s");
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { id: "nginx", pid: child.pid as number, url, stop: () => killGroup(child) };
}
