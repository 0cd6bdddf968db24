/**
 * One benchmark server per process. Started by targets.ts as
 *
 *   taskset -c <cpu> node --import tsx bench/proxy/server.ts <kind> [upstream-url]
 *
 * and prints one line `{"port":N}` on stdout once it listens on 127.0.0.1 (port 0).
 * Every kind is built from its real package with the configuration listed in targets.ts.
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { announce, floor, listen } from "./floor.js";
import { startGatehouse } from "./gatehouse.js";
import { CORS, PROXY_WORKLOADS } from "./workloads.js";

const SMALL_JSON = JSON.stringify({ id: "chatcmpl-1", object: "model", ok: true, n: 42 });

/** The upstream every proxy forwards to: small JSON on GET, the body length on POST. */
function upstream(): void {
  listen(
    createServer((req, res) => {
      if (req.method === "POST") {
        let bytes = 0;
        req.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
        });
        req.on("end", () => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(`{"bytes":${bytes}}`);
        });
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(SMALL_JSON);
    }),
  );
}

/** node:http answering every request 204 with no header at all: the bare ceiling. */
function bare204(): void {
  listen(
    createServer((_req, res) => {
      res.writeHead(204);
      res.end();
    }),
  );
}

/**
 * node:http writing, for every request, the very 204 that Gatehouse answers the preflight
 * workload with: the engine's decision headers and Vary, as one flat writeHead, the same call
 * the door makes. Against it the door's own per-request work (Host check, route, decide) shows.
 */
async function same204(): Promise<void> {
  const { corsPolicy } = await import("../../src/core/policy.js");
  const { mergeVary } = await import("../../src/core/vary.js");
  const policy = corsPolicy({
    allowOrigins: [CORS.origin],
    allowCredentials: true,
    allowMethods: [...CORS.methods],
    allowHeaders: [...CORS.headers],
    maxAge: CORS.maxAge,
  });
  const request = PROXY_WORKLOADS.find((w) => w.id === "preflight")?.request;
  if (request === undefined) throw new Error("no preflight workload");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  const decision = policy.decide({ method: request.method, headers });
  if (decision.status !== 204)
    throw new Error(`the preflight workload is refused: ${decision.reason.code}`);
  const head: string[] = [];
  for (const [name, value] of decision.headers) head.push(name, value);
  if (decision.vary.length > 0) head.push("Vary", mergeVary(undefined, decision.vary));
  listen(
    createServer((_req, res) => {
      res.writeHead(204, head);
      res.end();
    }),
  );
}

/** The YAML the Gatehouse target loads (through the real loader, so every default applies). */
export function gatehouseYaml(target: string, staticDir: string | null): string {
  return `listen: 127.0.0.1:0
publicOrigin: http://gateway.test
hosts: [gateway.test, 127.0.0.1, localhost]
routes:
${staticDir === null ? "" : `  - match: /static/\n    static: ${JSON.stringify(staticDir)}\n`}  - match: /
    upstream: ${target}
cors:
  allowOrigins: [${CORS.origin}]
  allowCredentials: true
  allowMethods: [${CORS.methods.join(", ")}]
  allowHeaders: [${CORS.headers.join(", ")}]
  maxAge: ${CORS.maxAge}
log: { level: silent }
`;
}

async function gatehouse(target: string, root?: string): Promise<void> {
  announce(await startGatehouse(gatehouseYaml(target, staticDir()), "bench.yaml", root));
}

/** Where the static files are (BENCH_STATIC_DIR, set by run.ts), or null. */
function staticDir(): string | null {
  return process.env.BENCH_STATIC_DIR ?? null;
}

/** sirv on plain node:http: the peer for static files. */
async function sirvPlain(): Promise<void> {
  const { default: sirv } = await import("sirv");
  const dir = staticDir();
  if (dir === null) throw new Error("sirv needs BENCH_STATIC_DIR");
  const serve = sirv(dir, { dev: false, etag: true });
  listen(
    createServer((req, res) => {
      // The same URL as Gatehouse's /static/ route, with the prefix taken off.
      if (req.url?.startsWith("/static/")) req.url = req.url.slice(7);
      serve(req, res, () => {
        res.statusCode = 404;
        res.end();
      });
    }),
  );
}

async function fastifyProxy(target: string): Promise<void> {
  const { default: Fastify } = await import("fastify");
  const { default: proxy } = await import("@fastify/http-proxy");
  const app = Fastify({ logger: false });
  await app.register(proxy, { upstream: target });
  await app.listen({ port: 0, host: "127.0.0.1" });
  announce((app.server.address() as AddressInfo).port);
}

async function fastifyCors(): Promise<void> {
  const { default: Fastify } = await import("fastify");
  const { default: cors } = await import("@fastify/cors");
  const app = Fastify({ logger: false });
  await app.register(cors, {
    origin: [CORS.origin],
    credentials: true,
    methods: [...CORS.methods],
    allowedHeaders: [...CORS.headers],
    maxAge: CORS.maxAge,
  });
  app.get("/", async () => ({ ok: true }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  announce((app.server.address() as AddressInfo).port);
}

async function expressCors(): Promise<void> {
  const { default: express } = await import("express");
  const { default: cors } = await import("cors");
  const app = express();
  app.use(
    cors({
      origin: [CORS.origin],
      credentials: true,
      methods: [...CORS.methods],
      allowedHeaders: [...CORS.headers],
      maxAge: CORS.maxAge,
    }),
  );
  app.get("/", (_req, res) => {
    res.json({ ok: true });
  });
  listen(createServer(app));
}

async function honoCors(): Promise<void> {
  const { Hono } = await import("hono");
  const { cors } = await import("hono/cors");
  const { serve } = await import("@hono/node-server");
  const app = new Hono();
  app.use(
    "*",
    cors({
      origin: [CORS.origin],
      credentials: true,
      allowMethods: [...CORS.methods],
      allowHeaders: [...CORS.headers],
      maxAge: CORS.maxAge,
    }),
  );
  app.get("/", (c) => c.json({ ok: true }));
  serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => announce(info.port));
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
    case "bare-204":
      return bare204();
    case "same-204":
      return same204();
    case "gatehouse":
      return gatehouse(need());
    case "gatehouse-before": {
      const root = process.env.BENCH_GATEHOUSE_BEFORE;
      if (root === undefined) throw new Error("gatehouse-before needs BENCH_GATEHOUSE_BEFORE");
      return gatehouse(need(), root);
    }
    case "fastify-proxy":
      return fastifyProxy(need());
    case "fastify-cors":
      return fastifyCors();
    case "express-cors":
      return expressCors();
    case "hono-cors":
      return honoCors();
    case "sirv":
      return sirvPlain();
    default:
      throw new Error(`unknown server kind ${kind}`);
  }
}

// A clean exit on SIGTERM, so that `--cpu-prof` writes its profile (profile.ts); the suite
// itself kills servers with SIGKILL.
process.once("SIGTERM", () => process.exit(0));

main().catch((error: unknown) => {
  process.stderr.write(`server: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
