/**
 * Shared helpers for the adversarial suites: a door in front of a recording upstream, and a raw
 * socket exchange that says whether the server closed the connection.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import type { GatehouseConfig } from "../../src/door/config/types.js";
import { DEFAULT_LIMITS } from "../../src/door/config/types.js";
import type {
  ConfigOverrides,
  RecordingUpstream,
  RunningDoor,
  TestRoute,
} from "../door/fixtures.js";
import { recordingUpstream, startDoor, testConfig, upstreamRoute } from "../door/fixtures.js";

export {
  recordingUpstream,
  send,
  startDoor,
  testConfig,
  upstreamRoute,
} from "../door/fixtures.js";

/** Small limits so every stalled peer is cut within a second. */
export const SMALL_LIMITS = {
  ...DEFAULT_LIMITS,
  headersTimeoutMs: 300,
  requestTimeoutMs: 1_000,
  keepAliveTimeoutMs: 1_000,
  upstreamConnectTimeoutMs: 500,
  upstreamHeadersTimeoutMs: 1_000,
  streamIdleTimeoutMs: 500,
  maxWebSockets: 5,
  shutdownGraceMs: 300,
  maxBodyBytes: 64 * 1024,
};

export interface Door {
  readonly upstream: RecordingUpstream;
  readonly door: RunningDoor;
  readonly port: number;
  /** Requests plus upgrades the upstream has seen so far. */
  seenCount(): number;
  close(): Promise<void>;
}

/**
 * A recording upstream behind a door. `routes` builds the routes from the upstream URL (default:
 * everything to the upstream); `overrides` are testConfig overrides, `limits` merged over
 * SMALL_LIMITS.
 */
export async function openDoor(
  options: {
    routes?: (upstreamUrl: string) => TestRoute[];
    overrides?: ConfigOverrides;
    limits?: Partial<GatehouseConfig["limits"]>;
  } = {},
): Promise<Door> {
  const upstream = await recordingUpstream();
  const routes = options.routes?.(upstream.url) ?? [upstreamRoute(upstream.url)];
  const door = await startDoor(
    testConfig(routes, {
      ...options.overrides,
      limits: { ...SMALL_LIMITS, ...options.limits },
    }),
  );
  return {
    upstream,
    door,
    port: door.port,
    seenCount: () => upstream.seen.length + upstream.upgrades.length,
    async close() {
      await door.close();
      await upstream.close();
    },
  };
}

export interface RawReply {
  /** Everything the server sent, latin1. */
  readonly text: string;
  /** Did the server close (or reset) the connection before the timeout? */
  readonly closed: boolean;
  /** Milliseconds from connect to close or timeout. */
  readonly ms: number;
}

/**
 * Writes `chunks` (strings are latin1) to a fresh connection, each after `gapMs`, then waits
 * for the server to close, up to `timeoutMs`. Never half-closes.
 */
export function rawExchange(
  port: number,
  chunks: string | Buffer | readonly (string | Buffer)[],
  options: { timeoutMs?: number; gapMs?: number; until?: (text: string) => boolean } = {},
): Promise<RawReply> {
  const list = typeof chunks === "string" || Buffer.isBuffer(chunks) ? [chunks] : [...chunks];
  const timeoutMs = options.timeoutMs ?? 3_000;
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (options.until?.(text)) finish(false);
    });
    socket.on("close", () => finish(true));
    socket.on("error", () => finish(true));
    socket.on("connect", async () => {
      for (const chunk of list) {
        if (socket.destroyed) return;
        socket.write(typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk);
        if (options.gapMs !== undefined) await new Promise((r) => setTimeout(r, options.gapMs));
      }
    });
  });
}

/** Status codes of every response in a raw reply, in order. */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
}

/** The first response's status. */
export function statusOf(text: string): number {
  return statuses(text)[0] ?? 0;
}

/** Asserts a refusal: the status, the connection closed, and nothing reached the upstream. */
export async function assertRefused(
  d: Door,
  bytes: string | Buffer | readonly (string | Buffer)[],
  expected: readonly number[],
  options: { timeoutMs?: number; mustClose?: boolean } = {},
): Promise<RawReply> {
  const before = d.seenCount();
  const reply = await rawExchange(d.port, bytes, { timeoutMs: options.timeoutMs ?? 2_000 });
  const status = statusOf(reply.text);
  assert.ok(
    expected.includes(status),
    `expected ${expected.join("/")}, got ${status}: ${JSON.stringify(reply.text.slice(0, 300))}`,
  );
  assert.equal(statuses(reply.text).length, 1, `exactly one response: ${reply.text}`);
  if (options.mustClose ?? true) assert.ok(reply.closed, "the connection is closed");
  // Give any stray forwarded bytes a moment to land upstream.
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(d.seenCount(), before, "the upstream saw nothing");
  return reply;
}

/** Error code in a JSON error body inside a raw reply. */
export function errorCode(text: string): string | undefined {
  return /"code":"(GH_[A-Z_]+)"/.exec(text)?.[1];
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
