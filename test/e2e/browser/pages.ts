/**
 * The browser side of the suites: tiny page servers that give each actor a real origin, and
 * `probe`, one function that runs in the page and reports what the page could observe.
 */
import type { Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface PageServer {
  /** `http://<name>:<port>`: the page's origin as the browser serializes it. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves the same blank HTML page on every path, on 127.0.0.1 at a free port. */
export async function startPageServer(hostName: string): Promise<PageServer> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(`<!doctype html><meta charset="utf-8"><title>${hostName}</title><p>${hostName}</p>`);
  });
  const port = await listenOnLoopback(server);
  return {
    origin: `http://${hostName}:${port}`,
    close: () => closeServer(server),
  };
}

export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export interface FetchInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly credentials?: RequestCredentials;
  readonly mode?: RequestMode;
}

/** What to do in the page; plain data, since it crosses into the browser. */
export type ProbeSpec =
  | {
      readonly kind: "fetch";
      readonly url: string;
      readonly init: FetchInit;
      /** Response headers to read with `headers.get()`. */
      readonly headers: readonly string[];
    }
  | { readonly kind: "eventsource"; readonly url: string; readonly withCredentials: boolean }
  | { readonly kind: "websocket"; readonly url: string };

export type ProbeResult =
  | {
      readonly ok: true;
      readonly status: number;
      readonly type: string;
      /** Response text, EventSource messages joined by newlines, or the WebSocket echo. */
      readonly body: string;
      /** Body reads (fetch) or messages (EventSource) it took. */
      readonly reads: number;
      readonly exposed: Readonly<Record<string, string | null>>;
    }
  | { readonly ok: false; readonly error: string };

/**
 * Runs in the page (serialized by Playwright: it must not close over anything). A CORS failure
 * makes fetch reject with TypeError, EventSource fire `error` and a refused WebSocket fire
 * `error` without ever opening; each becomes `{ ok: false }`.
 */
export async function probe(spec: ProbeSpec): Promise<ProbeResult> {
  const deadline = 10_000;
  try {
    if (spec.kind === "fetch") {
      const res = await fetch(spec.url, {
        ...(spec.init as RequestInit),
        signal: AbortSignal.timeout(deadline),
      });
      const exposed: Record<string, string | null> = {};
      for (const name of spec.headers) exposed[name] = res.headers.get(name);
      // Read chunk by chunk, so that a streamed body (SSE over fetch) shows its reads.
      let body = "";
      let reads = 0;
      if (res.body !== null) {
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          reads++;
          body += decoder.decode(value, { stream: true });
        }
      }
      return { ok: true, status: res.status, type: res.type, body, reads, exposed };
    }
    if (spec.kind === "eventsource") {
      return await new Promise<ProbeResult>((resolve) => {
        const source = new EventSource(spec.url, { withCredentials: spec.withCredentials });
        const messages: string[] = [];
        const timer = setTimeout(() => {
          source.close();
          resolve({ ok: false, error: "timeout" });
        }, deadline);
        source.onmessage = (event: MessageEvent<string>) => {
          messages.push(event.data);
          if (event.data !== "[DONE]") return;
          // Closed before the stream ends, or EventSource would reconnect.
          source.close();
          clearTimeout(timer);
          resolve({
            ok: true,
            status: 200,
            type: "eventsource",
            body: messages.join("\n"),
            reads: messages.length,
            exposed: {},
          });
        };
        source.onerror = () => {
          const state = source.readyState;
          source.close();
          clearTimeout(timer);
          resolve({ ok: false, error: `EventSource error, readyState ${state}` });
        };
      });
    }
    return await new Promise<ProbeResult>((resolve) => {
      const socket = new WebSocket(spec.url);
      let opened = false;
      const timer = setTimeout(() => {
        socket.close();
        resolve({ ok: false, error: "timeout" });
      }, deadline);
      socket.onopen = () => {
        opened = true;
        socket.send("ping");
      };
      socket.onmessage = (event: MessageEvent<string>) => {
        clearTimeout(timer);
        socket.close(1000);
        resolve({
          ok: true,
          status: 101,
          type: "websocket",
          body: event.data,
          reads: 1,
          exposed: {},
        });
      };
      socket.onerror = () => {
        clearTimeout(timer);
        resolve({ ok: false, error: `WebSocket error, ${opened ? "after" : "never"} open` });
      };
    });
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}
