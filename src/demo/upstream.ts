/**
 * The embedded default's upstream: a stand-in for a self-hosted AI gateway that speaks the
 * OpenAI chat-completions API (JSON and SSE) and echoes WebSockets, so that `gatehouse serve`
 * works with no config and proxy tests have a real, observable server behind the front door.
 *
 * ```ts
 * const demo = await startDemoUpstream();            // http://127.0.0.1:<free port>/
 * await fetch(new URL("/v1/models", demo.url));
 * await demo.until((s) => s.aborted === 1);          // wait for a counter
 * await demo.close();
 * ```
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApiHandler } from "./api.js";
import { createEchoServer } from "./echo.js";
import type { DemoStats } from "./stats.js";
import { StatsRecorder } from "./stats.js";

export type { DemoStats } from "./stats.js";

/** The model id served unless told otherwise. */
export const DEFAULT_DEMO_MODEL = "gatehouse-demo";

/** The pause before each streamed token unless told otherwise. */
export const DEFAULT_TOKEN_DELAY_MS = 30;

export interface DemoUpstreamOptions {
  /** Address to bind. Default `127.0.0.1`: the demo never listens beyond this machine. */
  readonly host?: string | undefined;
  /** Port to bind. Default 0: a free port, read back from `url`. */
  readonly port?: number | undefined;
  /** Pause before each streamed token, in ms. Default 30; 0 streams without pauses. */
  readonly tokenDelayMs?: number | undefined;
  /** The one model id served. Default `gatehouse-demo`. */
  readonly model?: string | undefined;
}

export interface DemoUpstream {
  /** Where it listens: `http://127.0.0.1:PORT/`. */
  readonly url: URL;
  /** The model id it serves. */
  readonly model: string;
  /** Live counters: read them at any time, or wait on them with {@link DemoUpstream.until}. */
  readonly stats: DemoStats;
  /**
   * Resolves once `predicate(stats)` holds (at once if it already does); rejects after
   * `timeoutMs` (default 2000) with the counters in the message.
   */
  until(predicate: (stats: DemoStats) => boolean, timeoutMs?: number): Promise<DemoStats>;
  /**
   * Stops listening, terminates WebSockets and destroys every connection (streams in flight
   * included); resolves when the server is closed. Safe to call more than once.
   */
  close(): Promise<void>;
}

/** Starts the demo upstream; resolves once it is listening. */
export async function startDemoUpstream(options: DemoUpstreamOptions = {}): Promise<DemoUpstream> {
  const host = options.host ?? "127.0.0.1";
  const model = options.model ?? DEFAULT_DEMO_MODEL;
  const tokenDelayMs = options.tokenDelayMs ?? DEFAULT_TOKEN_DELAY_MS;
  if (model.trim() === "") throw new TypeError("startDemoUpstream: model must not be empty");
  if (!Number.isFinite(tokenDelayMs) || tokenDelayMs < 0) {
    throw new RangeError(
      `startDemoUpstream: tokenDelayMs must be a finite number >= 0, got ${tokenDelayMs}`,
    );
  }

  const recorder = new StatsRecorder();
  const echo = createEchoServer(recorder);
  const api = createApiHandler({ model, tokenDelayMs, stats: recorder });
  const server = createServer(api.listener);
  server.on("upgrade", (req, socket, head: Buffer) => echo.handleUpgrade(req, socket, head));

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: new URL(`http://${host.includes(":") ? `[${host}]` : host}:${port}/`),
    model,
    stats: recorder.stats,
    until: (predicate, timeoutMs) => recorder.until(predicate, timeoutMs),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        echo.close();
        server.closeAllConnections();
      }).then(api.settled); // streams cut short have been counted by then
      return closing;
    },
  };
}
