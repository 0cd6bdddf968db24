/**
 * The real OpenClaw gateway for the end-to-end suite: installed by scripts/openclaw.mjs into
 * .cache/openclaw (pinned, run on Node 24 from scripts/node24.mjs), started with a throw-away
 * HOME whose ~/.openclaw/openclaw.json says how Gatehouse sits in front, and stopped by its
 * process group. Plus the protocol pieces the tests need: raw upgrades, the `connect` frame and
 * an Ed25519 device identity signed the way OpenClaw's own clients sign it.
 */
import type { ChildProcess } from "node:child_process";
import { spawn, spawnSync } from "node:child_process";
import type { KeyObject } from "node:crypto";
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer, connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** `false` when the suite runs, else the reason to give `describe(..., { skip })`. */
export const skipOpenClaw: string | false =
  process.env.GATEHOUSE_SKIP_OPENCLAW === "1"
    ? "GATEHOUSE_SKIP_OPENCLAW=1: the real OpenClaw gateway is not installed here (run `node scripts/openclaw.mjs`, which needs the npm registry)"
    : false;

export interface Install {
  readonly node24: string;
  readonly openclaw: string;
  readonly version: string;
  readonly prefix: string;
}

/**
 * Runs scripts/openclaw.mjs (idempotent: instant when .cache/openclaw already holds the pinned
 * version) and returns what it printed. Throws with npm's output when it cannot install.
 */
export function install(): Install {
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "openclaw.mjs")], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 600_000,
  });
  if (r.status !== 0) {
    throw new Error(
      `scripts/openclaw.mjs failed (exit ${r.status}); set GATEHOUSE_SKIP_OPENCLAW=1 only where npm cannot reach the registry.\n${r.stderr}`,
    );
  }
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as Install;
}

/** A port that was free a moment ago (OpenClaw needs its port on the command line). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface OpenClaw {
  readonly port: number;
  readonly token: string;
  readonly home: string;
  readonly pid: number;
  /** Everything it printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** How long start-up may take: 10-25 s is usual, a loaded CI machine takes longer. */
export const STARTUP_TIMEOUT_MS = 120_000;

/**
 * Starts `openclaw gateway run` on Node 24 with a fresh HOME holding `config` as
 * ~/.openclaw/openclaw.json, in a process group of its own, and waits for GET /healthz.
 */
export async function startOpenClaw(
  inst: Install,
  port: number,
  config: Record<string, unknown>,
): Promise<OpenClaw> {
  const home = mkdtempSync(join(tmpdir(), "gatehouse-openclaw-"));
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  const full = { ...config, logging: { file: join(home, "openclaw.log") } };
  writeFileSync(join(home, ".openclaw", "openclaw.json"), `${JSON.stringify(full, null, 2)}\n`);
  const token = randomBytes(24).toString("base64url");
  // Nothing of the developer's own OpenClaw setup leaks in.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("OPENCLAW_") && !k.endsWith("_API_KEY")) env[k] = v;
  }
  Object.assign(env, {
    HOME: home,
    TMPDIR: join(home, "tmp"),
    NO_COLOR: "1",
    PATH: `${dirname(inst.node24)}:${process.env.PATH ?? ""}`,
  });
  mkdirSync(env.TMPDIR as string, { recursive: true });
  const child: ChildProcess = spawn(
    inst.node24,
    [
      inst.openclaw,
      "gateway",
      "run",
      "--allow-unconfigured",
      "--bind",
      "loopback",
      "--auth",
      "token",
      "--token",
      token,
      "--port",
      String(port),
    ],
    { cwd: home, env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited: number | string | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = code ?? signal ?? "?";
      resolve();
    }),
  );
  const pid = child.pid as number;
  const stop = async () => {
    if (exited === null) {
      killGroup(pid, "SIGTERM");
      const timer = setTimeout(() => killGroup(pid, "SIGKILL"), 10_000);
      await exit;
      clearTimeout(timer);
    }
    // Helpers it started (the spawn broker) share the group; make sure none survive.
    killGroup(pid, "SIGKILL");
    rmSync(home, { recursive: true, force: true });
  };
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (exited !== null) {
      await stop();
      throw new Error(`openclaw exited (${exited}) during start-up:\n${out}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`openclaw did not answer /healthz within ${STARTUP_TIMEOUT_MS} ms:\n${out}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { port, token, home, pid, output: () => out, stop };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

// ---- raw HTTP, for answers ws and fetch would not show as sent ------------------------------

export interface RawReply {
  readonly status: number;
  readonly head: string;
  readonly headers: [string, string][];
  readonly body: string;
}

/**
 * Sends a WebSocket upgrade on a raw socket and returns whatever comes back before the peer
 * closes, `until` holds for what arrived, or `waitMs` passes: the refusal as written, or the
 * 101 and the first frame bytes.
 */
export function rawUpgrade(
  port: number,
  headers: Record<string, string>,
  waitMs = 3_000,
  until: (received: string) => boolean = () => false,
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    const lines = [
      "GET / HTTP/1.1",
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      "Sec-WebSocket-Version: 13",
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      "",
      "",
    ];
    let buf = Buffer.alloc(0);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = buf.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      const head = end < 0 ? text : text.slice(0, end);
      const [statusLine = "", ...rest] = head.split("\r\n");
      const parsed: [string, string][] = rest.map((l) => {
        const i = l.indexOf(":");
        return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()];
      });
      resolve({
        status: Number(statusLine.split(" ")[1] ?? 0),
        head,
        headers: parsed,
        body: end < 0 ? "" : buf.subarray(end + 4).toString("utf8"),
      });
    };
    const timer = setTimeout(done, waitMs);
    socket.on("connect", () => socket.write(lines.join("\r\n")));
    socket.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (until(buf.toString("latin1"))) done();
    });
    socket.on("end", done);
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

// ---- the gateway protocol -------------------------------------------------------------------

/** An Ed25519 device identity as OpenClaw's clients make one (id = sha256 of the raw key). */
export interface Device {
  readonly id: string;
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

export function newDevice(): Device {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return {
    id: createHash("sha256").update(raw).digest("hex"),
    publicKey: raw.toString("base64url"),
    privateKey,
  };
}

export interface Client {
  readonly id: string;
  readonly mode: string;
  /** The Control UI sends the gateway's build id; a paired UI with another build must reload. */
  readonly buildId?: string;
}

export interface ConnectOptions {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly token: string;
  readonly client: Client;
  readonly scopes: readonly string[];
  readonly device?: Device;
}

/** A protocol frame, as far as the tests read one. */
export interface Frame {
  readonly type: string;
  readonly id?: string;
  readonly event?: string;
  readonly ok?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: payloads are OpenClaw's, checked field by field
  readonly payload?: any;
  readonly error?: {
    readonly code: string;
    readonly message: string;
    // biome-ignore lint/suspicious/noExplicitAny: see payload
    readonly details?: any;
  };
}

export interface Connection {
  readonly ws: WebSocket;
  /** The connect.challenge event the gateway sent first. */
  readonly challenge: Frame;
  /** The response to `connect`: hello-ok or an error. */
  readonly result: Frame;
  /** The close that followed a refused connect (code 1008 and its reason), if any. */
  closed(): Promise<{ code: number; reason: string }>;
  /** Sends a request frame on an open connection and resolves with its response. */
  request(method: string, params: unknown): Promise<Frame>;
}

/**
 * Opens the WebSocket, waits for `connect.challenge`, answers with the `connect` request
 * (protocol 4, token auth, the device identity signed over the v3 payload when given) and
 * resolves with the response. A retryable `startup-sidecars` answer is retried.
 */
export async function connect(options: ConnectOptions, attempts = 10): Promise<Connection> {
  for (let i = 1; ; i++) {
    const conn = await connectOnce(options);
    const retry =
      conn.result.ok === false && conn.result.error?.details?.reason === "startup-sidecars";
    if (!retry || i >= attempts) return conn;
    conn.ws.terminate();
    await new Promise((r) => setTimeout(r, conn.result.error?.details?.retryAfterMs ?? 1_000));
  }
}

function connectOnce(options: ConnectOptions): Promise<Connection> {
  const ws = new WebSocket(options.url, { headers: options.headers });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const pending = new Map<string, (f: Frame) => void>();
  let n = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no connect answer from ${options.url} within 30 s`));
    }, 30_000);
    let challenge: Frame | null = null;
    ws.on("unexpected-response", (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`upgrade refused: ${res.statusCode}`));
    });
    ws.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type === "event" && frame.event === "connect.challenge" && challenge === null) {
        challenge = frame;
        ws.send(JSON.stringify(connectFrame(options, frame)));
        return;
      }
      if (frame.type !== "res" || frame.id === undefined) return;
      if (frame.id === "connect" && challenge !== null) {
        clearTimeout(timer);
        const got = challenge;
        resolve({
          ws,
          challenge: got,
          result: frame,
          closed: () => closed,
          request(method, params) {
            const id = `r${++n}`;
            return new Promise((done) => {
              pending.set(id, done);
              ws.send(JSON.stringify({ type: "req", id, method, params }));
            });
          },
        });
        return;
      }
      pending.get(frame.id)?.(frame);
      pending.delete(frame.id);
    });
  });
}

function connectFrame(options: ConnectOptions, challenge: Frame): unknown {
  const { nonce, ts } = challenge.payload as { nonce: string; ts: number };
  const role = "operator";
  const platform = "linux";
  const params: Record<string, unknown> = {
    minProtocol: 4,
    maxProtocol: 4,
    client: {
      id: options.client.id,
      version: "gatehouse-e2e",
      platform,
      mode: options.client.mode,
      ...(options.client.buildId === undefined ? {} : { buildId: options.client.buildId }),
    },
    role,
    scopes: options.scopes,
    caps: [],
    commands: [],
    permissions: {},
    auth: { token: options.token },
    locale: "en-US",
    userAgent: "gatehouse-e2e",
  };
  const device = options.device;
  if (device !== undefined) {
    // packages/gateway-client/src/device-auth.ts buildDeviceAuthPayloadV3
    const payload = [
      "v3",
      device.id,
      options.client.id,
      options.client.mode,
      role,
      options.scopes.join(","),
      String(ts),
      options.token,
      nonce,
      platform,
      "",
    ].join("|");
    params.device = {
      id: device.id,
      publicKey: device.publicKey,
      signature: sign(null, Buffer.from(payload), device.privateKey).toString("base64url"),
      signedAt: ts,
      nonce,
    };
  }
  return { type: "req", id: "connect", method: "connect", params };
}

/** The OpenClaw config this suite proves (written to ~/.openclaw/openclaw.json). */
export function openclawConfig(publicOrigin: string, demoUrl: string): Record<string, unknown> {
  return {
    gateway: {
      // Gatehouse connects from loopback and rebuilds X-Forwarded-For: trust it to.
      trustedProxies: ["127.0.0.1"],
      // The browser origin the Control UI is served from (the door's publicOrigin).
      controlUi: { allowedOrigins: [publicOrigin] },
      // Small, so the per-client lockout is quick to show.
      auth: { rateLimit: { maxAttempts: 3, windowMs: 60_000, lockoutMs: 300_000 } },
      // The OpenAI-compatible API, off by default.
      http: { endpoints: { chatCompletions: { enabled: true } } },
      // gateway.publicOrigin is left out: OpenClaw accepts only https:// there (http only for
      // localhost), and this suite's door speaks plain HTTP.
    },
    agents: { defaults: { model: { primary: "demo/gatehouse-demo" } } },
    models: {
      mode: "merge",
      providers: {
        demo: {
          baseUrl: new URL("/v1", demoUrl).href,
          apiKey: "demo-key",
          api: "openai-completions",
          models: [
            {
              id: "gatehouse-demo",
              name: "Gatehouse demo",
              reasoning: false,
              input: ["text"],
              cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
              contextWindow: 200_000,
              maxTokens: 4_096,
            },
          ],
        },
      },
    },
  };
}
