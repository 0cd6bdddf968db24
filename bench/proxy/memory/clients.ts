/**
 * The idle clients: SSE streams with node:http (one socket each, as EventSource would hold) and
 * WebSockets with `ws`. Both send Host and (WebSocket) Origin as a browser on the door's public
 * origin would. Every connection is checked before it counts (SSE: status, content type and the
 * first event; WebSocket: one echoed message), watched while idle (a drop is an error), and
 * closed at the end (WebSocket: close code 1000 must come back).
 */

import { type ClientRequest, request } from "node:http";
import { WebSocket } from "ws";

export type Kind = "sse" | "ws";

export interface Browser {
  /** Host header sent. */
  readonly host: string;
  /** Origin sent on WebSocket upgrades. */
  readonly origin: string;
}

interface Conn {
  /** SSE comment heartbeats received since the first event. */
  heartbeats: number;
  /** Set when it ended before close() asked it to. */
  dropped: string | null;
  close(): Promise<void>;
}

export interface Connections {
  readonly kind: Kind;
  readonly count: number;
  /** Connections that ended on their own, with the first reason. */
  dropped(): { readonly count: number; readonly first: string | null };
  /** Heartbeats per connection, lowest first (SSE). */
  heartbeats(): number[];
  /** Closes every connection; throws if a WebSocket's close handshake did not complete. */
  close(): Promise<void>;
}

const OPEN_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 10_000;

function openSse(port: number, tag: string, browser: Browser): Promise<Conn> {
  return new Promise((resolve, reject) => {
    let closing = false;
    let ready = false;
    const conn: Conn = {
      heartbeats: 0,
      dropped: null,
      close: () => {
        closing = true;
        req.destroy();
        return Promise.resolve();
      },
    };
    const fail = (error: Error) => {
      clearTimeout(timer);
      if (!ready) {
        req.destroy();
        reject(error);
      } else if (!closing && conn.dropped === null) conn.dropped = error.message;
    };
    const req: ClientRequest = request({
      host: "127.0.0.1",
      port,
      path: `/events/${tag}`,
      headers: { host: browser.host, accept: "text/event-stream" },
      setHost: false,
      agent: false,
    });
    const timer = setTimeout(
      () => fail(new Error(`SSE: no first event within ${OPEN_TIMEOUT_MS / 1000} s`)),
      OPEN_TIMEOUT_MS,
    );
    req.on("error", fail);
    req.on("response", (res) => {
      const type = String(res.headers["content-type"] ?? "");
      if (res.statusCode !== 200 || !type.startsWith("text/event-stream")) {
        fail(new Error(`SSE: answered ${res.statusCode} ${type}`));
        return;
      }
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
        let end = text.indexOf("\n\n");
        while (end !== -1) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          end = text.indexOf("\n\n");
          if (!ready && block === "data: ready") {
            ready = true;
            clearTimeout(timer);
            resolve(conn);
          } else if (ready && block === ": hb") conn.heartbeats++;
          else fail(new Error(`SSE: unexpected block ${JSON.stringify(block)}`));
        }
      });
      res.on("error", fail);
      res.on("close", () => fail(new Error("SSE: the stream ended")));
    });
    req.end();
  });
}

function openWs(port: number, tag: string, browser: Browser, i: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    let closing = false;
    let ready = false;
    let closed: ((code: number) => void) | null = null;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/${tag}`, {
      origin: browser.origin,
      headers: { host: browser.host },
      handshakeTimeout: OPEN_TIMEOUT_MS,
    });
    const conn: Conn = {
      heartbeats: 0,
      dropped: null,
      close: () =>
        new Promise<void>((done, failClose) => {
          closing = true;
          const timer = setTimeout(() => {
            ws.terminate();
            failClose(
              new Error(`WebSocket: no close frame back within ${CLOSE_TIMEOUT_MS / 1000} s`),
            );
          }, CLOSE_TIMEOUT_MS);
          closed = (code) => {
            clearTimeout(timer);
            if (code === 1000) done();
            else failClose(new Error(`WebSocket: closed with ${code}, not 1000`));
          };
          ws.close(1000, "done");
        }),
    };
    const fail = (error: Error) => {
      clearTimeout(timer);
      if (!ready) {
        ws.terminate();
        reject(error);
      } else if (!closing && conn.dropped === null) conn.dropped = error.message;
    };
    const timer = setTimeout(
      () => fail(new Error(`WebSocket: no echo within ${OPEN_TIMEOUT_MS / 1000} s`)),
      OPEN_TIMEOUT_MS,
    );
    const expected = `echo ${i}`;
    ws.on("unexpected-response", (req, res) => {
      req.destroy();
      fail(new Error(`WebSocket: upgrade answered ${res.statusCode}`));
    });
    ws.on("error", fail);
    ws.once("open", () => ws.send(expected));
    ws.once("message", (data, isBinary) => {
      const text = isBinary ? "(binary)" : String(data);
      if (text !== expected) return fail(new Error(`WebSocket: echo was ${JSON.stringify(text)}`));
      ready = true;
      clearTimeout(timer);
      resolve(conn);
    });
    ws.on("close", (code) => {
      if (closed !== null) closed(code);
      else fail(new Error(`WebSocket: closed by the other side (${code})`));
    });
  });
}

/**
 * Opens `n` connections of `kind` to 127.0.0.1:`port`, at most `parallel` handshakes at a time
 * (a burst of 1,000 SYNs would overflow the 511-deep accept queue and stall on retries).
 * If any fails, the others are closed and the first failure is thrown with the count.
 */
export async function openConnections(
  kind: Kind,
  port: number,
  tag: string,
  n: number,
  browser: Browser,
  parallel = 32,
): Promise<Connections> {
  const conns: Conn[] = [];
  const failures: Error[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n && failures.length === 0) {
      const i = next++;
      try {
        conns.push(
          await (kind === "sse" ? openSse(port, tag, browser) : openWs(port, tag, browser, i)),
        );
      } catch (error) {
        failures.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, n) }, worker));
  if (failures.length > 0) {
    await Promise.allSettled(conns.map((c) => c.close()));
    throw new Error(
      `${kind}: ${failures.length} of ${n} connections failed (${conns.length} opened): ${failures[0]?.message}`,
    );
  }
  return {
    kind,
    count: conns.length,
    dropped() {
      const gone = conns.filter((c) => c.dropped !== null);
      return { count: gone.length, first: gone[0]?.dropped ?? null };
    },
    heartbeats: () => conns.map((c) => c.heartbeats).sort((a, b) => a - b),
    async close() {
      const results = await Promise.allSettled(conns.map((c) => c.close()));
      const bad = results.filter((r) => r.status === "rejected");
      if (bad.length > 0) {
        throw new Error(
          `${kind}: ${bad.length} of ${conns.length} did not close cleanly: ${String((bad[0] as PromiseRejectedResult).reason)}`,
        );
      }
    },
  };
}
