/**
 * What the demo upstream has seen, for tests of the proxy in front of it: did the request
 * arrive, with which headers, and did an abandoned stream really stop?
 */
import { EventEmitter } from "node:events";
import type { IncomingHttpHeaders } from "node:http";

/** A live view of the demo upstream's counters; fields change as traffic arrives. */
export interface DemoStats {
  /** HTTP requests received, on any path (WebSocket upgrades are counted in `upgrades`). */
  readonly requests: number;
  /** Chat completions that began streaming (response headers sent). */
  readonly streamsStarted: number;
  /** Streams that ended with `data: [DONE]`. */
  readonly streamsCompleted: number;
  /** Streams whose client went away before the end; generation stopped at that moment. */
  readonly aborted: number;
  /** SSE events written over all streams, `[DONE]` included: frozen once a stream aborts. */
  readonly eventsWritten: number;
  /** WebSocket upgrade requests received, on any path. */
  readonly upgrades: number;
  /** WebSockets open right now. */
  readonly webSocketsOpen: number;
  /** The close code and reason the last closed WebSocket received from its client. */
  readonly lastClose: { readonly code: number; readonly reason: string } | null;
  /** Headers of the last request (HTTP or upgrade), as node parsed them. */
  readonly lastRequestHeaders: IncomingHttpHeaders | null;
  /** Method and request target (path and query) of the last request. */
  readonly lastRequest: { readonly method: string; readonly url: string } | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Owns the counters and tells waiters when they change. One per demo upstream. */
export class StatsRecorder {
  /** The live object handed out as `DemoStats`. */
  readonly stats: Mutable<DemoStats> = {
    requests: 0,
    streamsStarted: 0,
    streamsCompleted: 0,
    aborted: 0,
    eventsWritten: 0,
    upgrades: 0,
    webSocketsOpen: 0,
    lastClose: null,
    lastRequestHeaders: null,
    lastRequest: null,
  };
  // Any number of tests may wait at once; the default cap of 10 would only warn.
  readonly #changes = new EventEmitter().setMaxListeners(0);

  /** Applies a change and wakes every `until` waiting on it. */
  update(change: (stats: Mutable<DemoStats>) => void): void {
    change(this.stats);
    this.#changes.emit("change");
  }

  /** Notes an incoming request (HTTP or upgrade). */
  sawRequest(
    kind: "requests" | "upgrades",
    method: string,
    url: string,
    headers: IncomingHttpHeaders,
  ): void {
    this.update((s) => {
      s[kind]++;
      s.lastRequestHeaders = headers;
      s.lastRequest = { method, url };
    });
  }

  /**
   * Resolves once `predicate(stats)` holds (at once if it already does); rejects after
   * `timeoutMs` with the counters in the message, so a failing test says what it saw.
   */
  until(predicate: (stats: DemoStats) => boolean, timeoutMs = 2000): Promise<DemoStats> {
    if (predicate(this.stats)) return Promise.resolve(this.stats);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate(this.stats)) return;
        cleanup();
        resolve(this.stats);
      };
      const timer = setTimeout(() => {
        cleanup();
        const { lastRequestHeaders: _, ...counters } = this.stats;
        reject(
          new Error(
            `demo upstream: condition not met in ${timeoutMs} ms; stats ${JSON.stringify(counters)}`,
          ),
        );
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#changes.off("change", check);
      };
      this.#changes.on("change", check);
    });
  }
}
