/**
 * What the streams suite's processes share: the upstream's endpoints and event format, the
 * commands the orchestrator (index.ts) sends to the load generator (client.ts) as JSON lines,
 * and the results it gets back. Times are CLOCK_MONOTONIC nanoseconds from
 * `process.hrtime.bigint()`, comparable across processes on Linux.
 */

/** The Host every request carries: Gatehouse's publicOrigin host (test/door/fixtures.ts). */
export const HOST = "gateway.test";
/** The Origin a page served by the door sends: same-origin, as a browser would. */
export const ORIGIN = `http://${HOST}`;

/** A fake chat-completions delta, so that paced events have a realistic size (~190 bytes). */
const DELTA_HEAD =
  '{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench","choices":[{"index":0,"delta":{"content":" token"},"finish_reason":null}]';

/** A paced event: its sequence number and the upstream's monotonic clock when written. */
export function pacedEvent(i: number, ns: bigint): string {
  return `data: ${DELTA_HEAD},"i":${i},"t":${ns}}\n\n`;
}

/** A burst event: small, only the sequence number. */
export function burstEvent(i: number): string {
  return `data: {"i":${i}}\n\n`;
}

/** A bulk event for the slow reader: 1 KiB with its sequence number and write time. */
export const BULK_EVENT_BYTES = 1024;
export function bulkEvent(i: number, ns: bigint): string {
  const head = `data: {"i":${i},"t":${ns},"p":"`;
  const tail = '"}\n\n';
  return `${head}${"x".repeat(BULK_EVENT_BYTES - head.length - tail.length)}${tail}`;
}

/** Reads `"i":N` and optionally `"t":N` out of one event's text without JSON.parse. */
export function eventFields(text: string): { i: number; t: number } {
  const num = (key: string): number => {
    const at = text.indexOf(key);
    if (at < 0) return Number.NaN;
    let end = at + key.length;
    while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
    return Number(text.slice(at + key.length, end));
  };
  return { i: num('"i":'), t: num('"t":') };
}

export interface PacedCommand {
  readonly kind: "paced";
  readonly url: string;
  readonly streams: number;
  readonly events: number;
  readonly intervalMs: number;
}

export interface BurstCommand {
  readonly kind: "burst";
  readonly url: string;
  readonly streams: number;
  readonly events: number;
}

export interface SlowCommand {
  readonly kind: "slow";
  readonly url: string;
  readonly bytes: number;
  /** Bytes read per tick; the socket stays paused in between. */
  readonly readBytes: number;
  readonly tickMs: number;
}

export interface EchoCommand {
  readonly kind: "echo";
  readonly url: string;
  readonly connections: number;
  readonly messages: number;
  readonly messageBytes: number;
}

export type Command = PacedCommand | BurstCommand | SlowCommand | EchoCommand;

export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface PacedResult {
  readonly kind: "paced";
  readonly events: number;
  /** Latency write -> parsed, in ms. */
  readonly latency: Summary;
  /** Events completed in the same read as an earlier event written >= 1 ms before them. */
  readonly coalesced: number;
  /** Of those, the ones during which the client's own 1 ms heartbeat never skipped. */
  readonly heldBack: number;
  /**
   * Held-back events grouped by time (read within 5 ms of each other), flattened as
   * [earliest write ns, latest read ns, events] per episode.
   */
  readonly heldWindows: number[];
  /** The longest an earlier event of a held-back pair waited (written -> read), in ms. */
  readonly longestHoldMs: number;
  /** Heartbeat gaps > 1.5 ms: times the client itself was not running. */
  readonly clientStalls: number;
  /** Events per second actually written (first to last stamp, all streams). */
  readonly rate: number;
  readonly reads: number;
}

export interface BurstResult {
  readonly kind: "burst";
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

export interface SlowResult {
  readonly kind: "slow";
  readonly bytes: number;
  readonly seconds: number;
  /** Seconds the upstream took to write everything (first to last stamp). */
  readonly upstreamSeconds: number;
  /** Bytes written upstream but not yet read by the client when the upstream wrote its last. */
  readonly inFlightAtUpstreamEnd: number;
}

export interface EchoResult {
  readonly kind: "echo";
  readonly messages: number;
  /** Round trip send -> echo parsed, in ms. */
  readonly rtt: Summary;
  readonly seconds: number;
}

export type Result = PacedResult | BurstResult | SlowResult | EchoResult;

/** One line on the client's stdout: a result, or the check that failed. */
export type Reply =
  | { readonly ok: true; readonly result: Result }
  | { readonly ok: false; readonly error: string };

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function summarize(values: Float64Array): Summary {
  const sorted = values.slice().sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
