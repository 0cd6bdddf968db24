/**
 * The streams suite's load generator, one long-lived process pinned to the load core:
 *
 *   taskset -c 0 node --import tsx bench/proxy/streams/client.ts
 *
 * reads one JSON command per line on stdin (protocol.ts), runs it, and answers one JSON line on
 * stdout. SSE is read over raw TCP with a hand-written HTTP/1.1 + chunked + SSE parser, so that
 * each socket read is seen as such (batching shows as several events completing in one read).
 * Every answer is checked (status, every event present and in order, echoes equal); a failed
 * check is answered as an error, never as figures.
 */

import { connect, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { WebSocket } from "ws";
import {
  BULK_EVENT_BYTES,
  type BurstCommand,
  type BurstResult,
  type Command,
  type EchoCommand,
  type EchoResult,
  eventFields,
  HOST,
  ORIGIN,
  type PacedCommand,
  type PacedResult,
  type Reply,
  type Result,
  type SlowCommand,
  type SlowResult,
  summarize,
} from "./protocol.js";

const nowNs = (): number => Number(process.hrtime.bigint());

/**
 * One SSE response read over raw TCP. `onRead` gets, per socket read, the events completed by
 * that read, the decoded body bytes so far and the time the read was parsed.
 */
interface SseStream {
  readonly socket: Socket;
  readonly done: Promise<void>;
}

function openSse(
  base: string,
  path: string,
  onRead: (events: string[], bodyBytes: number, ns: number) => void,
): SseStream {
  const url = new URL(base);
  const socket = connect(Number(url.port), url.hostname);
  socket.setNoDelay(true);
  socket.setEncoding("latin1");
  let head = "";
  let inBody = false;
  let chunked = false;
  let raw = "";
  let state: "size" | "data" | "crlf" | "end" = "size";
  let remaining = 0;
  let text = "";
  let bodyBytes = 0;
  let finished = false;
  const done = new Promise<void>((resolve, reject) => {
    const fail = (message: string) => {
      finished = true;
      socket.destroy();
      reject(new Error(message));
    };
    const body = (piece: string) => {
      bodyBytes += piece.length;
      text += piece;
    };
    const dechunk = () => {
      for (;;) {
        if (state === "size") {
          const at = raw.indexOf("\r\n");
          if (at < 0) return;
          const size = Number.parseInt(raw.slice(0, at).split(";")[0] as string, 16);
          if (!Number.isFinite(size))
            return fail(`bad chunk size ${JSON.stringify(raw.slice(0, at))}`);
          raw = raw.slice(at + 2);
          remaining = size;
          state = size === 0 ? "end" : "data";
        } else if (state === "data") {
          const take = Math.min(remaining, raw.length);
          if (take === 0) return;
          body(raw.slice(0, take));
          raw = raw.slice(take);
          remaining -= take;
          if (remaining > 0) return;
          state = "crlf";
        } else if (state === "crlf") {
          if (raw.length < 2) return;
          raw = raw.slice(2);
          state = "size";
        } else {
          return;
        }
      }
    };
    socket.on("data", (chunk: string) => {
      if (finished) return;
      if (!inBody) {
        head += chunk;
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        const lines = head.slice(0, end).split("\r\n");
        const status = Number(lines[0]?.split(" ")[1]);
        if (status !== 200)
          return fail(`${path}: status ${lines[0]} ${head.slice(end + 4, end + 300)}`);
        const headers = lines.slice(1).map((l) => l.toLowerCase());
        if (!headers.some((h) => h.startsWith("content-type:") && h.includes("text/event-stream")))
          return fail(`${path}: not text/event-stream: ${headers.join(" | ")}`);
        chunked = headers.some((h) => /^transfer-encoding:.*chunked/.test(h));
        inBody = true;
        chunk = head.slice(end + 4);
      }
      if (chunked) {
        raw += chunk;
        dechunk();
      } else {
        body(chunk);
      }
      const events: string[] = [];
      for (let at = text.indexOf("\n\n"); at >= 0; at = text.indexOf("\n\n")) {
        events.push(text.slice(0, at));
        text = text.slice(at + 2);
      }
      onRead(events, bodyBytes, nowNs());
      if (chunked && state === "end") {
        finished = true;
        socket.destroy();
        resolve();
      }
    });
    socket.on("end", () => {
      if (finished) return;
      if (inBody && !chunked) {
        finished = true;
        resolve();
      } else fail(`${path}: connection closed early (${bodyBytes} body bytes)`);
    });
    socket.on("error", (error) => {
      if (!finished) fail(`${path}: ${error.message}`);
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${HOST}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n`,
    );
  });
  return { socket, done };
}

/** Rejects after `ms` with `what()`, destroying `sockets`. */
function deadline<T>(work: Promise<T>, ms: number, what: () => string, sockets: () => Socket[]) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      for (const s of sockets()) s.destroy();
      reject(new Error(`timed out after ${ms} ms: ${what()}`));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Heartbeat (1 ms) gaps above this mean the client itself was not running (GC, descheduled). */
const STALL_NS = 1.5e6;

async function runPaced(c: PacedCommand): Promise<PacedResult> {
  const latencies = new Float64Array(c.streams * c.events);
  let count = 0;
  let reads = 0;
  let firstStamp = Number.POSITIVE_INFINITY;
  let lastStamp = 0;
  // Coalesced pairs as (earlier event written, read time): judged after the run.
  const pairs: number[] = [];
  // A 1 ms heartbeat: where it skipped, the client could not have read an event on time.
  const beats: number[] = [nowNs()];
  const heartbeat = setInterval(() => beats.push(nowNs()), 1);
  const streams: SseStream[] = [];
  for (let s = 0; s < c.streams; s++) {
    let next = 0;
    const path = `/sse/paced?n=${c.events}&interval=${c.intervalMs}&s=${s}`;
    streams.push(
      openSse(c.url, path, (events, _bytes, ns) => {
        reads++;
        let previous = Number.NaN;
        for (const event of events) {
          const { i, t } = eventFields(event);
          if (i !== next) throw new Error(`stream ${s}: event ${i} where ${next} was due`);
          next++;
          latencies[count++] = (ns - t) / 1e6;
          // Written >= 1 ms after an event that completed in this same read.
          if (t - previous >= 1e6) pairs.push(previous, ns);
          previous = t;
          if (t < firstStamp) firstStamp = t;
          if (t > lastStamp) lastStamp = t;
        }
      }),
    );
  }
  try {
    await deadline(
      Promise.all(streams.map((s) => s.done)),
      c.events * c.intervalMs * 3 + 15_000,
      () => `${count} of ${c.streams * c.events} events`,
      () => streams.map((s) => s.socket),
    );
  } finally {
    clearInterval(heartbeat);
  }
  beats.push(nowNs());
  if (count !== c.streams * c.events)
    throw new Error(`${count} events arrived, ${c.streams * c.events} were sent`);
  const stalls: number[] = [];
  for (let k = 1; k < beats.length; k++) {
    const gap = (beats[k] as number) - (beats[k - 1] as number);
    if (gap > STALL_NS) stalls.push(beats[k - 1] as number, beats[k] as number);
  }
  // A pair is the client's doing if it stalled between the earlier write and the read.
  let heldBack = 0;
  let longestHold = 0;
  const heldPairs: [number, number][] = [];
  for (let k = 0; k < pairs.length; k += 2) {
    const written = pairs[k] as number;
    const read = pairs[k + 1] as number;
    let stalled = false;
    for (let w = 0; w < stalls.length && !stalled; w += 2) {
      stalled = (stalls[w] as number) < read && (stalls[w + 1] as number) > written;
    }
    if (stalled) continue;
    heldBack++;
    longestHold = Math.max(longestHold, read - written);
    heldPairs.push([written, read]);
  }
  // Episodes: held events read within 5 ms of each other (a stall hits every stream at once),
  // each as [earliest write, latest read, events].
  heldPairs.sort((a, b) => a[1] - b[1]);
  const heldWindows: number[] = [];
  let lastRead = Number.NEGATIVE_INFINITY;
  for (const [written, read] of heldPairs) {
    const n = heldWindows.length;
    if (read - lastRead > 5e6) heldWindows.push(written, read, 1);
    else {
      heldWindows[n - 3] = Math.min(heldWindows[n - 3] as number, written);
      heldWindows[n - 2] = read;
      heldWindows[n - 1] = (heldWindows[n - 1] as number) + 1;
    }
    lastRead = read;
  }
  return {
    kind: "paced",
    events: count,
    latency: summarize(latencies),
    coalesced: pairs.length / 2,
    heldBack,
    heldWindows,
    longestHoldMs: longestHold / 1e6,
    clientStalls: stalls.length / 2,
    rate: count / ((lastStamp - firstStamp) / 1e9),
    reads,
  };
}

async function runBurst(c: BurstCommand): Promise<BurstResult> {
  let count = 0;
  const start = nowNs();
  let last = start;
  const streams: SseStream[] = [];
  for (let s = 0; s < c.streams; s++) {
    let next = 0;
    streams.push(
      openSse(c.url, `/sse/burst?n=${c.events}&s=${s}`, (events, _bytes, ns) => {
        for (const event of events) {
          const { i } = eventFields(event);
          if (i !== next) throw new Error(`stream ${s}: event ${i} where ${next} was due`);
          next++;
          count++;
        }
        if (events.length > 0) last = ns;
      }),
    );
  }
  await deadline(
    Promise.all(streams.map((s) => s.done)),
    60_000,
    () => `${count} of ${c.streams * c.events} events`,
    () => streams.map((s) => s.socket),
  );
  if (count !== c.streams * c.events)
    throw new Error(`${count} events arrived, ${c.streams * c.events} were sent`);
  const seconds = (last - start) / 1e9;
  return { kind: "burst", events: count, seconds, eventsPerSecond: count / seconds };
}

async function runSlow(c: SlowCommand): Promise<SlowResult> {
  const total = Math.ceil(c.bytes / BULK_EVENT_BYTES);
  let next = 0;
  let firstStamp = 0;
  let lastStamp = 0;
  const readLog: number[] = [];
  let tickBytes = 0;
  let seen = 0;
  const start = nowNs();
  const stream = openSse(
    c.url,
    `/sse/bulk?bytes=${total * BULK_EVENT_BYTES}`,
    (events, bytes, ns) => {
      tickBytes += bytes - seen;
      seen = bytes;
      readLog.push(ns, bytes);
      for (const event of events) {
        if (event.length + 2 !== BULK_EVENT_BYTES)
          throw new Error(`event ${next} is ${event.length + 2} bytes, not ${BULK_EVENT_BYTES}`);
        const { i, t } = eventFields(event);
        if (i !== next) throw new Error(`event ${i} where ${next} was due`);
        if (i === 0) firstStamp = t;
        lastStamp = t;
        next++;
      }
      // Read about `readBytes` per tick, then leave the socket paused until the next tick.
      if (tickBytes >= c.readBytes) stream.socket.pause();
    },
  );
  const ticker = setInterval(() => {
    tickBytes = 0;
    stream.socket.resume();
  }, c.tickMs);
  try {
    await deadline(
      stream.done,
      Math.ceil(c.bytes / c.readBytes) * c.tickMs * 3 + 15_000,
      () => `${seen} of ${total * BULK_EVENT_BYTES} bytes`,
      () => [stream.socket],
    );
  } finally {
    clearInterval(ticker);
  }
  if (next !== total) throw new Error(`${next} events arrived, ${total} were sent`);
  // What the client had read when the upstream wrote its last event.
  let readThen = 0;
  for (let k = 0; k < readLog.length; k += 2) {
    if ((readLog[k] as number) > lastStamp) break;
    readThen = readLog[k + 1] as number;
  }
  return {
    kind: "slow",
    bytes: seen,
    seconds: (nowNs() - start) / 1e9,
    upstreamSeconds: (lastStamp - firstStamp) / 1e9,
    inFlightAtUpstreamEnd: total * BULK_EVENT_BYTES - readThen,
  };
}

async function runEcho(c: EchoCommand): Promise<EchoResult> {
  const rtts = new Float64Array(c.connections * c.messages);
  let count = 0;
  const sockets: WebSocket[] = [];
  const opened = Array.from({ length: c.connections }, () => {
    const ws = new WebSocket(`${c.url.replace(/^http/, "ws")}/ws`, {
      perMessageDeflate: false,
      origin: ORIGIN,
      headers: { host: HOST },
    });
    sockets.push(ws);
    return new Promise<WebSocket>((resolve, reject) => {
      ws.once("open", () => resolve(ws));
      ws.once("unexpected-response", (_req, res) =>
        reject(new Error(`upgrade answered ${res.statusCode} ${res.statusMessage}`)),
      );
      ws.once("error", reject);
    });
  });
  const all = await deadline(
    Promise.all(opened),
    15_000,
    () => "opening connections",
    () => [],
  );
  const pad = (n: number, k: number) => `${n}:${k}:`.padEnd(c.messageBytes, "m");
  const start = nowNs();
  const runs = all.map(
    (ws, n) =>
      new Promise<void>((resolve, reject) => {
        let k = 0;
        let sent = 0;
        let expected = "";
        const send = () => {
          expected = pad(n, k);
          sent = nowNs();
          ws.send(expected);
        };
        ws.on("message", (data, isBinary) => {
          const at = nowNs();
          const text = isBinary ? null : data.toString();
          if (text !== expected)
            return reject(new Error(`connection ${n}: echo ${k} differs from what was sent`));
          rtts[count++] = (at - sent) / 1e6;
          k++;
          if (k < c.messages) send();
          else resolve();
        });
        ws.once("close", (code) => {
          if (k < c.messages) reject(new Error(`connection ${n} closed (${code}) after ${k}`));
        });
        send();
      }),
  );
  try {
    await deadline(
      Promise.all(runs),
      60_000,
      () => `${count} of ${c.connections * c.messages} echoes`,
      () => [],
    );
  } finally {
    for (const ws of sockets) ws.terminate();
  }
  const seconds = (nowNs() - start) / 1e9;
  if (count !== c.connections * c.messages)
    throw new Error(`${count} echoes, ${c.connections * c.messages} messages sent`);
  return { kind: "echo", messages: count, rtt: summarize(rtts), seconds };
}

function run(command: Command): Promise<Result> {
  switch (command.kind) {
    case "paced":
      return runPaced(command);
    case "burst":
      return runBurst(command);
    case "slow":
      return runSlow(command);
    case "echo":
      return runEcho(command);
  }
}

// A check thrown inside a socket callback fails the command in flight, not the process.
let failCurrent: ((error: unknown) => void) | null = null;
process.on("uncaughtException", (error) => {
  if (failCurrent === null) throw error;
  failCurrent(error);
});

const reply = (r: Reply) => process.stdout.write(`${JSON.stringify(r)}\n`);
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on("line", (line) => {
  queue = queue.then(async () => {
    try {
      const command = JSON.parse(line) as Command;
      const result = await new Promise<Result>((resolve, reject) => {
        failCurrent = reject;
        run(command).then(resolve, reject);
      });
      reply({ ok: true, result });
    } catch (error) {
      reply({ ok: false, error: error instanceof Error ? error.message : String(error) });
    } finally {
      failCurrent = null;
    }
  });
});
process.stdin.on("end", () => {
  void queue.then(() => process.exit(0));
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
