/**
 * The audit's run: sends each probe through the shared HTTP client and records what came back.
 * HTTP probes are plain requests (redirects are never followed: the answer of the URL given is
 * what is judged); WebSocket probes are opening handshakes, closed as soon as they are answered.
 *
 * The target is "unreachable" when the first request (a plain GET without `Origin`) gets no
 * HTTP answer at all, or, with `--ws`, when the first handshake gets none: the CLI exits 2.
 */
import { randomBytes } from "node:crypto";
import type { HttpClient } from "../http-client/client.js";
import { createHttpClient } from "../http-client/client.js";
import type { ObservedResponse } from "../http-client/message.js";
import { UnreachableError } from "../http-client/unreachable.js";
import type { Exchange } from "./analyze.js";
import type { Probe } from "./probes.js";
import { buildProbes } from "./probes.js";
import type { AuditReport } from "./report.js";
import { buildReport } from "./report.js";

export type { AuditReport } from "./report.js";

export interface AuditOptions {
  readonly target: URL;
  readonly trusted?: readonly string[];
  readonly ws?: URL | null;
  /** The door's public origin, named in the WebSocket fix. */
  readonly publicOrigin?: string | null;
  /** Per request, for connecting and for the response headers. Default 10 s. */
  readonly timeoutMs?: number;
  /** Requests in flight at once. Default 8. */
  readonly concurrency?: number;
  /** Fixed for reproducible runs (tests); random otherwise. */
  readonly nonce?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_CONCURRENCY = 8;

export function newNonce(): string {
  return randomBytes(5).toString("hex");
}

/** Runs every probe; throws `UnreachableError` when the target (or the --ws endpoint) is. */
export async function runAudit(options: AuditOptions): Promise<AuditReport> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const probes = buildProbes({
    target: options.target,
    trusted: options.trusted ?? [],
    ws: options.ws ?? null,
    publicOrigin: options.publicOrigin ?? null,
    nonce: options.nonce ?? newNonce(),
  });
  const client = createHttpClient({
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    connections: concurrency,
    // The audit is a scanner: it judges the server it was pointed at, certificate or not.
    insecure: true,
  });
  try {
    const send = (probe: Probe) => sendProbe(client, probe);
    const exchanges: Exchange[] = [];
    // Reachability first: the first HTTP probe, and the first WebSocket probe.
    for (const first of [
      probes.find((p) => p.request.kind === "http"),
      probes.find((p) => p.request.kind === "websocket"),
    ]) {
      if (first === undefined) continue;
      exchanges.push({ probe: first, response: await send(first), error: null });
    }
    const rest = probes.filter((p) => !exchanges.some((e) => e.probe === p));
    exchanges.push(...(await pool(rest, concurrency, send)));
    return buildReport({
      target: options.target,
      ws: options.ws ?? null,
      trusted: options.trusted ?? [],
      probes,
      exchanges,
    });
  } finally {
    await client.close();
  }
}

function sendProbe(client: HttpClient, probe: Probe): Promise<ObservedResponse> {
  return probe.request.kind === "websocket"
    ? client.handshake(probe.request)
    : client.send(probe.request);
}

async function pool(
  probes: readonly Probe[],
  size: number,
  send: (probe: Probe) => Promise<ObservedResponse>,
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
        if (!(error instanceof UnreachableError)) throw error;
        out.push({ probe, response: null, error: error.reason });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, size) }, worker));
  return out;
}
