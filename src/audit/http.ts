/**
 * The audit's I/O: sends each probe and records what came back. HTTP probes go through undici
 * (redirects are never followed: the answer of the URL given is what is judged); WebSocket
 * probes are raw upgrade requests through node:http(s), closed as soon as the server answers.
 *
 * The target is "unreachable" when the first request (a plain GET without `Origin`) gets no
 * HTTP answer at all, or, with `--ws`, when the first upgrade gets none: the CLI exits 2.
 */
import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { Agent, request as undiciRequest } from "undici";
import type { Exchange } from "./analyze.js";
import type { Probe, ProbeRequest, ProbeResponse } from "./probes.js";
import { buildProbes } from "./probes.js";
import type { AuditReport } from "./report.js";
import { buildReport } from "./report.js";

export type { AuditReport } from "./report.js";

export interface AuditOptions {
  readonly target: URL;
  readonly trusted?: readonly string[];
  readonly ws?: URL | null;
  /** Per request, for connecting and for the response headers. Default 10 s. */
  readonly timeoutMs?: number;
  /** Requests in flight at once. Default 8. */
  readonly concurrency?: number;
  /** Fixed for reproducible runs (tests); random otherwise. */
  readonly nonce?: string;
}

export class AuditUnreachableError extends Error {
  readonly url: string;
  constructor(url: string, cause: string) {
    super(`could not reach ${url}: ${cause}`);
    this.name = "AuditUnreachableError";
    this.url = url;
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;

export function newNonce(): string {
  return randomBytes(5).toString("hex");
}

export async function runAudit(options: AuditOptions): Promise<AuditReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const probes = buildProbes({
    target: options.target,
    trusted: options.trusted ?? [],
    ws: options.ws ?? null,
    nonce: options.nonce ?? newNonce(),
  });
  const agent = new Agent({
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connections: options.concurrency ?? 8,
    // The audit is a scanner: it judges the server it was pointed at, certificate or not.
    connect: { rejectUnauthorized: false },
  });
  try {
    const send = (probe: Probe) => sendProbe(probe.request, agent, timeoutMs);
    const exchanges: Exchange[] = [];
    // Reachability first: the first HTTP probe, and the first WebSocket probe.
    for (const first of [
      probes.find((p) => p.request.kind === "http"),
      probes.find((p) => p.request.kind === "websocket"),
    ]) {
      if (first === undefined) continue;
      try {
        exchanges.push({ probe: first, response: await send(first), error: null });
      } catch (error) {
        throw new AuditUnreachableError(first.request.url, describe(error));
      }
    }
    const rest = probes.filter((p) => !exchanges.some((e) => e.probe === p));
    exchanges.push(...(await pool(rest, options.concurrency ?? 8, send)));
    return buildReport({
      target: options.target,
      ws: options.ws ?? null,
      trusted: options.trusted ?? [],
      probes,
      exchanges,
    });
  } finally {
    await agent.close();
  }
}

async function pool(
  probes: readonly Probe[],
  size: number,
  send: (probe: Probe) => Promise<ProbeResponse>,
): Promise<Exchange[]> {
  const out: Exchange[] = [];
  let next = 0;
  const worker = async () => {
    while (next < probes.length) {
      const probe = probes[next++];
      if (probe === undefined) break;
      try {
        out.push({ probe, response: await send(probe), error: null });
      } catch (error) {
        out.push({ probe, response: null, error: describe(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, size) }, worker));
  return out;
}

export async function sendProbe(
  request: ProbeRequest,
  agent: Agent,
  timeoutMs: number,
): Promise<ProbeResponse> {
  if (request.kind === "websocket") return sendUpgrade(request, timeoutMs);
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) headers[name] = value;
  const res = await undiciRequest(request.url, {
    method: request.method,
    headers,
    dispatcher: agent,
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
  return { status: res.statusCode, headers: normalizeHeaders(res.headers) };
}

function normalizeHeaders(
  headers: Record<string, string | string[] | undefined> | IncomingHttpHeaders,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? [...value] : [String(value)];
  }
  return out;
}

/** Headers as sent, repeated ones kept apart (rawHeaders), lower-case names. */
function rawHeaders(res: IncomingMessage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    const name = (res.rawHeaders[i] ?? "").toLowerCase();
    const list = out[name] ?? [];
    list.push(res.rawHeaders[i + 1] ?? "");
    out[name] = list;
  }
  return out;
}

/** One WebSocket opening handshake; resolves with 101 when the server accepts it. */
function sendUpgrade(request: ProbeRequest, timeoutMs: number): Promise<ProbeResponse> {
  const url = new URL(request.url);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      Connection: "Upgrade",
      Upgrade: "websocket",
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
    };
    for (const [name, value] of request.headers) headers[name] = value;
    const req = send(url, {
      method: "GET",
      headers,
      agent: false,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, headers: rawHeaders(res) });
    });
    req.on("response", (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: rawHeaders(res) });
      res.on("end", () => req.destroy());
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    const code = (error as Error & { code?: unknown }).code;
    const inner = cause instanceof Error ? cause.message : "";
    const text = [error.message, inner].filter((s) => s !== "").join(": ");
    return typeof code === "string" && !text.includes(code) ? `${text} (${code})` : text;
  }
  return String(error);
}
