/**
 * `npm run soak`: SOAK_STREAMS (default 1,000) concurrent SSE streams through Gatehouse for
 * SOAK_SECONDS (default 300) plus a steady JSON load (SOAK_JSON_RPS, default 200 requests/s),
 * all on loopback. Gatehouse runs in a child process so its RSS is its own; every stream's bytes
 * are checksummed at the upstream and at the client (zero lost or reordered), RSS is sampled
 * every 5 s, and every error is counted. Prints a JSON summary; exits 1 if any stream's
 * checksum differs, any error was counted, or RSS grew by more than SOAK_RSS_SLACK_MB (64).
 */
import { fork } from "node:child_process";
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Agent, createServer, get } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const STREAMS = Number(process.env.SOAK_STREAMS ?? 1_000);
const JSON_RPS = Number(process.env.SOAK_JSON_RPS ?? 200);
const EVENT_MS = Number(process.env.SOAK_EVENT_MS ?? 250);
const RSS_SLACK_MB = Number(process.env.SOAK_RSS_SLACK_MB ?? 64);

if (process.env.SOAK_ROLE === "door") await runDoor();
else await runSoak();

/** The child: Gatehouse in front of the upstream whose URL it is given. */
async function runDoor(): Promise<void> {
  const { createDoor } = await import("../src/door/server.js");
  const { DEFAULT_LIMITS, INSPECTOR_OFF } = await import("../src/door/config/types.js");
  const gateway = createDoor({
    source: null,
    listen: { host: "127.0.0.1", port: 0 },
    publicOrigin: "http://gateway.test",
    hosts: ["gateway.test"],
    trustProxy: [],
    routes: [
      {
        kind: "upstream",
        match: "/",
        upstream: new URL(process.env.SOAK_UPSTREAM as string),
        stripPrefix: false,
        cors: undefined,
      },
    ],
    cors: null,
    websocket: { allowOrigins: null },
    csrf: true,
    tls: null,
    limits: { ...DEFAULT_LIMITS, shutdownGraceMs: 2_000 },
    log: { level: "silent", format: "json" },
    inspector: INSPECTOR_OFF,
    debugHeader: false,
  } as Parameters<typeof createDoor>[0]);
  const address = await gateway.listen();
  process.send?.({ port: address.port });
  process.on("message", async (message: { kind: string }) => {
    if (message.kind === "rss") {
      global.gc?.();
      process.send?.({ rss: process.memoryUsage().rss, inFlight: gateway.inFlight });
    } else if (message.kind === "close") {
      await gateway.close();
      process.exit(0);
    }
  });
}

function payload(stream: number, seq: number): string {
  // Deterministic, varied length, so reordering or loss changes the checksum.
  const filler = "abcdefghijklmnopqrstuvwxyz0123456789"
    .repeat(3)
    .slice(0, 20 + ((stream * 7 + seq * 13) % 80));
  return `id: ${seq}\ndata: {"stream":${stream},"seq":${seq},"pad":"${filler}"}\n\n`;
}

async function runSoak(): Promise<void> {
  const deadline = Date.now() + SECONDS * 1_000;
  const sentHash = new Map<number, string>();
  const sentEvents = new Map<number, number>();
  let upstreamErrors = 0;
  const upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/json") {
      const body = JSON.stringify({ ok: true, n: Number(url.searchParams.get("n")) });
      res.writeHead(200, {
        "Content-Type": "application/json",
        "Content-Length": Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    const id = Number(url.searchParams.get("id"));
    const hash = createHash("sha256");
    let seq = 0;
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    const tick = () => {
      if (Date.now() >= deadline) {
        const last = "event: end\ndata: done\n\n";
        hash.update(last);
        sentHash.set(id, hash.digest("hex"));
        sentEvents.set(id, seq);
        res.end(last);
        return;
      }
      const chunk = payload(id, seq++);
      hash.update(chunk);
      res.write(chunk);
      timer = setTimeout(tick, EVENT_MS);
    };
    // Spread the streams over the interval so writes are steady, not bursts.
    let timer = setTimeout(tick, (id * EVENT_MS) / STREAMS);
    res.on("close", () => {
      clearTimeout(timer);
      if (!res.writableFinished) upstreamErrors++;
    });
  });
  upstream.maxConnections = STREAMS * 4;
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, SOAK_ROLE: "door", SOAK_UPSTREAM: upstreamUrl },
    execArgv: ["--import", "tsx", "--expose-gc"],
  });
  const port = await new Promise<number>((resolve) =>
    child.once("message", (m: { port: number }) => resolve(m.port)),
  );
  const rssSamples: { t: number; mb: number }[] = [];
  const sampleRss = () =>
    new Promise<void>((resolve) => {
      child.once("message", (m: { rss: number }) => {
        rssSamples.push({
          t: Math.round((Date.now() - started) / 1000),
          mb: Math.round(m.rss / 1048576),
        });
        resolve();
      });
      child.send({ kind: "rss" });
    });
  const started = Date.now();

  // The streams.
  const recvHash = new Map<number, string>();
  const recvEvents = new Map<number, number>();
  let streamErrors = 0;
  let orderErrors = 0;
  const streamsDone = Array.from(
    { length: STREAMS },
    (_, id) =>
      new Promise<void>((resolve) => {
        const req = get(
          {
            host: "127.0.0.1",
            port,
            path: `/sse?id=${id}`,
            headers: { host: "gateway.test", accept: "text/event-stream" },
            agent: false,
          },
          (res) => {
            const hash = createHash("sha256");
            let buffered = "";
            let expected = 0;
            let events = 0;
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              hash.update(chunk);
              buffered += chunk;
              let end = buffered.indexOf("\n\n");
              while (end !== -1) {
                const event = buffered.slice(0, end);
                buffered = buffered.slice(end + 2);
                const m = /^id: (\d+)/.exec(event);
                if (m !== null) {
                  if (Number(m[1]) !== expected) orderErrors++;
                  expected = Number(m[1]) + 1;
                  events++;
                }
                end = buffered.indexOf("\n\n");
              }
            });
            res.on("end", () => {
              if (!res.complete || res.statusCode !== 200) streamErrors++;
              recvHash.set(id, hash.digest("hex"));
              recvEvents.set(id, events);
              resolve();
            });
            res.on("error", () => {
              streamErrors++;
              resolve();
            });
          },
        );
        req.on("error", () => {
          streamErrors++;
          resolve();
        });
      }),
  );

  // The steady JSON load on a keep-alive pool.
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  let jsonOk = 0;
  let jsonErrors = 0;
  const latencies: number[] = [];
  /** Latencies of requests started after the streams' ramp-up (10 s in). */
  const steadyLatencies: number[] = [];
  let n = 0;
  const jsonTimer = setInterval(
    () => {
      if (Date.now() >= deadline) return;
      const t0 = performance.now();
      const i = n++;
      const req = get(
        { host: "127.0.0.1", port, path: `/json?n=${i}`, headers: { host: "gateway.test" }, agent },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            body += c;
          });
          res.on("end", () => {
            if (res.statusCode === 200 && body === JSON.stringify({ ok: true, n: i })) jsonOk++;
            else jsonErrors++;
            latencies.push(performance.now() - t0);
            if (Date.now() - started >= 10_000) steadyLatencies.push(performance.now() - t0);
          });
          res.on("error", () => jsonErrors++);
        },
      );
      req.on("error", () => jsonErrors++);
    },
    Math.max(1, Math.round(1_000 / JSON_RPS)),
  );

  const rssTimer = setInterval(() => void sampleRss(), 5_000);
  await sampleRss();
  await Promise.all(streamsDone);
  clearInterval(jsonTimer);
  clearInterval(rssTimer);
  await new Promise((r) => setTimeout(r, 500));
  await sampleRss();

  let mismatched = 0;
  let totalEvents = 0;
  for (let id = 0; id < STREAMS; id++) {
    if (sentHash.get(id) === undefined || sentHash.get(id) !== recvHash.get(id)) mismatched++;
    if (sentEvents.get(id) !== recvEvents.get(id)) mismatched += 0; // counted by the hash
    totalEvents += recvEvents.get(id) ?? 0;
  }
  latencies.sort((a, b) => a - b);
  steadyLatencies.sort((a, b) => a - b);
  const qs = (p: number) =>
    Math.round((steadyLatencies[Math.floor((steadyLatencies.length - 1) * p)] ?? 0) * 10) / 10;
  const q = (p: number) =>
    Math.round((latencies[Math.floor((latencies.length - 1) * p)] ?? 0) * 10) / 10;
  // The first samples include start-up and ramp-up; compare from the sample after 10 s.
  const steady = rssSamples.filter((s) => s.t >= Math.min(10, SECONDS / 3));
  const rssStart = steady[0]?.mb ?? rssSamples[0]?.mb ?? 0;
  const rssEnd = rssSamples[rssSamples.length - 1]?.mb ?? 0;
  const rssMax = Math.max(...rssSamples.map((s) => s.mb));
  const summary = {
    seconds: SECONDS,
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
    streams: STREAMS,
    eventIntervalMs: EVENT_MS,
    sseEventsReceived: totalEvents,
    streamsChecksumMismatched: mismatched,
    streamErrors,
    orderErrors,
    upstreamStreamErrors: upstreamErrors,
    json: {
      ok: jsonOk,
      errors: jsonErrors,
      p50ms: q(0.5),
      p99ms: q(0.99),
      maxms: q(1),
      afterRampUp: { p50ms: qs(0.5), p99ms: qs(0.99), maxms: qs(1) },
    },
    rssMb: {
      steadyStart: rssStart,
      end: rssEnd,
      max: rssMax,
      samples: rssSamples.map((s) => s.mb),
    },
    node: process.version,
  };
  console.log(JSON.stringify(summary, null, 2));
  child.send({ kind: "close" });
  await new Promise((r) => child.once("exit", r));
  agent.destroy();
  upstream.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
  const failed =
    mismatched > 0 ||
    streamErrors > 0 ||
    orderErrors > 0 ||
    upstreamErrors > 0 ||
    jsonErrors > 0 ||
    rssEnd - rssStart > RSS_SLACK_MB;
  process.exitCode = failed ? 1 : 0;
}
