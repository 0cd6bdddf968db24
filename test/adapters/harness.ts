/**
 * Real servers on loopback for the adapter tests: node:http, Express 5, Fastify 5 and Hono (on
 * @hono/node-server), each with one Gatehouse CORS adapter in front of an app handler that
 * answers 200 "ok", counts its calls and sets its own `Vary: Accept-Encoding` (so that a test
 * can see the adapter appends to `Vary` rather than replacing it). And a node:http client that
 * sends a table row byte for byte (fetch/undici would refuse or rewrite some of them).
 */
import assert from "node:assert/strict";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { Agent, createServer, METHODS, request } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { cors as fastifyCors } from "../../src/adapters/fastify.js";
import { cors as honoCors } from "../../src/adapters/hono.js";
import { cors as nodeCors } from "../../src/adapters/node.js";
import type { PolicyInput } from "../../src/adapters/policy-input.js";
import type { TableRequest, TableRow } from "../cases/cors-table.js";

export const FRAMEWORKS = ["node", "express", "fastify", "hono"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** The `Vary` token every app sets itself. */
export const APP_VARY = "Accept-Encoding";

/**
 * Where the app sets its `Vary`: before the CORS adapter runs (so it is on preflight answers
 * too), or in the handler's response (so only on responses the handler produced).
 */
export type AppVaryPlacement = "before-cors" | "in-handler";

export interface TestServer {
  readonly framework: Framework;
  readonly port: number;
  readonly appVary: AppVaryPlacement;
  /** How many times the app's handler has run (never for preflights). */
  handlerCalls(): number;
  close(): Promise<void>;
}

/** Methods Fastify routes here; `patch` and other lower-case methods cannot be routed. */
const FASTIFY_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] as const;

/**
 * Whether node's HTTP server (under every framework here) hands the method to the app: its
 * parser refuses methods it does not know (lower-case ones included) with a 400, and CONNECT
 * goes to the server's `connect` event as a tunnel.
 */
export function methodParses(method: string): boolean {
  return METHODS.includes(method) && method !== "CONNECT";
}

/** Whether the framework's app has a route for `method` on `/`. */
export function methodRoutes(framework: Framework, method: string): boolean {
  if (framework !== "fastify") return true;
  return (FASTIFY_METHODS as readonly string[]).includes(method);
}

/** Counts handler calls; one per server. */
function counter(): { inc(): void; get(): number } {
  let n = 0;
  return {
    inc: () => {
      n++;
    },
    get: () => n,
  };
}

function listen(server: ReturnType<typeof createServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: { close(cb: (err?: Error) => void): unknown }): Promise<void> {
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

function answerOk(req: IncomingMessage, res: ServerResponse): void {
  res.statusCode = 200;
  res.end(req.method === "HEAD" ? undefined : "ok");
}

async function startNode(input: PolicyInput): Promise<TestServer> {
  const calls = counter();
  const middleware = nodeCors(input);
  const listener: RequestListener = (req, res) => {
    res.setHeader("Vary", APP_VARY);
    middleware(req, res, () => {
      calls.inc();
      answerOk(req, res);
    });
  };
  const server = createServer(listener);
  const port = await listen(server);
  return {
    framework: "node",
    port,
    appVary: "before-cors",
    handlerCalls: calls.get,
    close: () => closeServer(server),
  };
}

async function startExpress(input: PolicyInput): Promise<TestServer> {
  const calls = counter();
  const app = express();
  app.use((_req, res, next) => {
    res.setHeader("Vary", APP_VARY);
    next();
  });
  app.use(nodeCors(input));
  // app.use, not a route: it answers every method and path, OPTIONS included.
  app.use((_req, res) => {
    calls.inc();
    res.status(200).send("ok");
  });
  const server = createServer(app);
  const port = await listen(server);
  return {
    framework: "express",
    port,
    appVary: "before-cors",
    handlerCalls: calls.get,
    close: () => closeServer(server),
  };
}

async function startFastify(input: PolicyInput): Promise<TestServer> {
  const calls = counter();
  const app = Fastify({ logger: false });
  // Registered before the plugin, so it runs first and the plugin must append to it.
  app.addHook("onRequest", (_request, reply, done) => {
    reply.header("Vary", APP_VARY);
    done();
  });
  // Accept any body, so a form POST reaches the handler instead of a 415.
  app.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
  await app.register(fastifyCors, input);
  app.route({
    method: FASTIFY_METHODS.filter((m) => m !== "HEAD"), // HEAD comes with GET
    url: "/",
    handler: (_request, reply) => {
      calls.inc();
      reply.code(200).send("ok");
    },
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return {
    framework: "fastify",
    port,
    appVary: "before-cors",
    handlerCalls: calls.get,
    close: () => app.close(),
  };
}

async function startHono(input: PolicyInput): Promise<TestServer> {
  const calls = counter();
  const app = new Hono();
  app.use("*", honoCors(input));
  app.all("/", () => {
    calls.inc();
    return new Response("ok", { status: 200, headers: { Vary: APP_VARY } });
  });
  return serveHono(app, calls.get);
}

/** Serves any Hono app on a free loopback port (also used by the Hono-specific tests). */
export function serveHono(app: Hono, handlerCalls: () => number = () => 0): Promise<TestServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) =>
      resolve({
        framework: "hono",
        port: info.port,
        appVary: "in-handler",
        handlerCalls,
        close: () => closeServer(server),
      }),
    );
    server.once("error", reject);
  });
}

const STARTERS: Record<Framework, (input: PolicyInput) => Promise<TestServer>> = {
  node: startNode,
  express: startExpress,
  fastify: startFastify,
  hono: startHono,
};

/** Starts `framework` with the adapter built from `input` (a config or a compiled policy). */
export function startServer(framework: Framework, input: PolicyInput): Promise<TestServer> {
  return STARTERS[framework](input);
}

// ---- the client -----------------------------------------------------------------------------

export interface WireResponse {
  readonly status: number;
  /** Header lines as received: [name, value, name, value, ...]. */
  readonly rawHeaders: readonly string[];
  readonly body: string;
}

/** One agent for every test: keep-alive, so each server's rows share a connection. */
export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

/** Whether node:http can put the row's headers on the wire (it refuses CR, LF and NUL). */
export function sendable(req: TableRequest): boolean {
  return Object.values(req.headers).every((v) =>
    (typeof v === "string" ? [v] : v).every((line) => !/[\r\n\0]/.test(line)),
  );
}

/** Sends a table row as is; an array value goes out as several header lines. */
export function send(
  port: number,
  req: TableRequest,
  agent: Agent,
  path = "/",
): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      headers[name] = typeof value === "string" ? value : [...value];
    }
    const outgoing = request(
      { host: "127.0.0.1", port, method: req.method, path, agent, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end();
  });
}

/** Response header lines named `name` (case-insensitive), in order. */
export function headerLines(res: WireResponse, name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    if ((res.rawHeaders[i] as string).toLowerCase() === lower)
      out.push(res.rawHeaders[i + 1] as string);
  }
  return out;
}

/** Every `Access-Control-*` response header, names lower-cased; repeated lines are kept apart. */
export function accessControlHeaders(res: WireResponse): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    const name = (res.rawHeaders[i] as string).toLowerCase();
    if (!name.startsWith("access-control-")) continue;
    out.set(name, [...(out.get(name) ?? []), res.rawHeaders[i + 1] as string]);
  }
  return out;
}

/** The `Vary` tokens over all its lines, lower-cased, sorted (duplicates kept, to catch them). */
export function varyTokens(res: WireResponse): string[] {
  return headerLines(res, "vary")
    .flatMap((line) => line.split(","))
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== "")
    .sort();
}

// ---- checking a table row on the wire -------------------------------------------------------

/** Why a row cannot go over the wire to `framework`, or null when it can. */
export function skipReason(framework: Framework, row: TableRow): string | null {
  if (!sendable(row.request)) return "CR/LF in a header value cannot be sent by node:http";
  const method = row.request.method;
  if (!methodParses(method)) return `node's HTTP parser rejects the method ${method}`;
  // Preflights are answered by the adapter whatever the route; actual requests need one.
  if (row.expect.kind !== "preflight" && !methodRoutes(framework, method)) {
    return `${framework} cannot route the method ${method}`;
  }
  return null;
}

/** Preflights are answered by the adapter; everything else reaches the app's handler. */
function handlerRuns(row: TableRow): boolean {
  return row.expect.kind !== "preflight";
}

function expectedVary(row: TableRow, server: TestServer): string[] {
  const appVary = server.appVary === "before-cors" || handlerRuns(row) ? [APP_VARY] : [];
  return [...row.expect.vary, ...appVary].map((t) => t.toLowerCase()).sort();
}

/** Exactly the expected `Access-Control-*` headers, each on one line, and no other. */
export function assertAccessControl(res: WireResponse, expected: Record<string, string>): void {
  const got = accessControlHeaders(res);
  for (const [name, lines] of got) {
    assert.equal(lines.length, 1, `${name} sent on ${lines.length} lines`);
  }
  const flat = Object.fromEntries([...got].map(([name, lines]) => [name, lines[0]]));
  assert.deepEqual(flat, expected, "Access-Control-* headers");
}

/** A preflight answer: the row's status, no body, and a 204 framed without a length. */
function assertPreflightAnswer(res: WireResponse, row: TableRow): void {
  assert.equal(res.status, row.expect.status, "status");
  assert.equal(res.body, "", "a preflight answer has no body");
  if (res.status === 204) {
    // RFC 9110 §8.6 and RFC 9112 §6.1: a 204 carries neither Content-Length nor
    // Transfer-Encoding.
    assert.deepEqual(headerLines(res, "content-length"), [], "Content-Length on a 204");
    assert.deepEqual(headerLines(res, "transfer-encoding"), [], "Transfer-Encoding on a 204");
  }
}

/** Sends `row` to `server` and checks everything the table pins, plus the handler count. */
export async function checkRow(server: TestServer, row: TableRow, agent: Agent): Promise<void> {
  const callsBefore = server.handlerCalls();
  const res = await send(server.port, row.request, agent);
  const ran = handlerRuns(row);
  if (ran) {
    assert.equal(res.status, 200, "status: the handler's");
    if (row.request.method !== "HEAD") assert.equal(res.body, "ok", "body");
  } else {
    assertPreflightAnswer(res, row);
  }
  assertAccessControl(res, row.expect.headers);
  assert.deepEqual(varyTokens(res), expectedVary(row, server), "Vary tokens");
  assert.equal(server.handlerCalls() - callsBefore, ran ? 1 : 0, "handler calls");
}
