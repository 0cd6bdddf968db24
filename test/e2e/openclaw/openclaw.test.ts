/**
 * Gatehouse in front of the REAL OpenClaw gateway (npm `openclaw`, pinned in
 * scripts/openclaw.mjs, run on Node 24), configured the way examples/openclaw.yaml documents:
 *
 *   client ── "CDN" (the test, a trusted hop: X-Forwarded-For: 203.0.113.7)
 *          ── Gatehouse (trustProxy 127.0.0.1; publicOrigin http://gateway.example.test:PORT)
 *          ── OpenClaw on loopback (gateway.trustedProxies ["127.0.0.1"],
 *             gateway.controlUi.allowedOrigins [publicOrigin], token auth)
 *
 * Everything here runs on one machine, so every socket peer is loopback. OpenClaw refuses
 * proxied traffic whose client resolves to loopback (403 proxy_attribution_required), so the
 * "real client" is presented as a deployment would: a trusted hop in front of Gatehouse sends
 * X-Forwarded-For with a public address, and Gatehouse forwards `203.0.113.7, 127.0.0.1`.
 *
 * OpenClaw takes 10-25 s to start; one instance serves the whole file. It is skipped only with
 * GATEHOUSE_SKIP_OPENCLAW=1 (no registry); otherwise scripts/openclaw.mjs installs it (instant
 * when cached) and any failure fails the suite.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { DemoUpstream } from "../../../src/demo/index.js";
import { startDemoUpstream } from "../../../src/demo/index.js";
import type { RunningDoor } from "../../door/fixtures.js";
import { send, startDoor, testConfig, upstreamRoute } from "../../door/fixtures.js";
import type { Install, OpenClaw } from "./harness.js";
import {
  connect,
  freePort,
  install,
  newDevice,
  openclawConfig,
  rawUpgrade,
  skipOpenClaw,
  startOpenClaw,
} from "./harness.js";

const run = promisify(execFile);

/** The public client address the trusted hop (the "CDN") reports. */
const CLIENT_IP = "203.0.113.7";
const NAME = "gateway.example.test";
const FOREIGN = "https://evil.example.test";
const UI_SCOPES = ["operator.read", "operator.write"];

describe("Gatehouse in front of the real OpenClaw gateway", { skip: skipOpenClaw }, () => {
  let inst: Install;
  let demo: DemoUpstream;
  let openclaw: OpenClaw;
  /** The front door as documented: trusts the hop in front of it (127.0.0.1). */
  let door: RunningDoor;
  /** The same door with no trusted hop: whatever X-Forwarded-For a client sends is replaced. */
  let bareDoor: RunningDoor;
  let origin: string;
  let host: string;

  before(
    async () => {
      inst = install();
      demo = await startDemoUpstream({ tokenDelayMs: 5 });
      const ocPort = await freePort();
      const doorPort = await freePort();
      origin = `http://${NAME}:${doorPort}`;
      host = `${NAME}:${doorPort}`;
      const route = upstreamRoute(`http://127.0.0.1:${ocPort}`);
      door = await startDoor(
        testConfig([route], {
          listen: { host: "127.0.0.1", port: doorPort },
          publicOrigin: origin,
          hosts: [NAME],
          trustProxy: ["127.0.0.1"],
        }),
      );
      bareDoor = await startDoor(
        testConfig([route], { publicOrigin: origin, hosts: [NAME], trustProxy: [] }),
      );
      openclaw = await startOpenClaw(inst, ocPort, openclawConfig(origin, demo.url.href));
    },
    { timeout: 900_000 },
  );

  after(async () => {
    await openclaw?.stop();
    await door?.close();
    await bareDoor?.close();
    await demo?.close();
  });

  /** Through the door, as the trusted hop: Host = the public name, X-Forwarded-For = client. */
  const viaHop = (extra: Record<string, string> = {}) => ({
    host,
    "x-forwarded-for": CLIENT_IP,
    ...extra,
  });
  const bearer = () => ({ authorization: `Bearer ${openclaw.token}` });
  const CONFIG_JSON = "/__openclaw__/control-ui-config.json";

  it("(a) serves the Control UI HTML through the door", async () => {
    const res = await send(door.port, { path: "/", headers: viaHop() });
    assert.equal(res.status, 200, res.body.slice(0, 300));
    assert.match(String(res.headers["content-type"]), /^text\/html/);
    assert.match(res.body, /<html/i);
    // Even the SPA shell needs an attributable client: without the trusted hop the client is
    // loopback (Gatehouse sends X-Forwarded-For: 127.0.0.1) and OpenClaw refuses it.
    const plain = await send(door.port, { path: "/", headers: { host } });
    assert.equal(plain.status, 403);
    assert.equal(JSON.parse(plain.body).error.type, "proxy_attribution_required");
  });

  it("(d) OpenClaw accepts the attributed client on an authenticated route, refuses loopback", async () => {
    // Attributed to 203.0.113.7 via the trusted chain, with the token: accepted.
    const ok = await send(door.port, { path: CONFIG_JSON, headers: viaHop(bearer()) });
    assert.equal(ok.status, 200, ok.body.slice(0, 300));
    assert.equal(typeof JSON.parse(ok.body), "object");
    // Attributed, no token: OpenClaw's own 401 (attribution passed, auth did not).
    const noToken = await send(door.port, { path: CONFIG_JSON, headers: viaHop() });
    assert.equal(noToken.status, 401);
    // No trusted hop: the client is loopback, Gatehouse sends X-Forwarded-For: 127.0.0.1,
    // and OpenClaw refuses before looking at the token.
    const loop = await send(door.port, { path: CONFIG_JSON, headers: { host, ...bearer() } });
    assert.equal(loop.status, 403);
    assert.equal(JSON.parse(loop.body).error.type, "proxy_attribution_required");
    assert.equal(loop.headers["x-gatehouse-error-id"], undefined, "the 403 is OpenClaw's");
    // A client that is not a trusted hop cannot claim an address: Gatehouse overwrites its
    // X-Forwarded-For with the socket peer (127.0.0.1), so OpenClaw refuses again.
    const spoof = await send(bareDoor.port, {
      path: CONFIG_JSON,
      headers: { host, "x-forwarded-for": CLIENT_IP, ...bearer() },
    });
    assert.equal(spoof.status, 403);
    assert.equal(JSON.parse(spoof.body).error.type, "proxy_attribution_required");
    // Direct to OpenClaw with no proxy headers: a direct-local client, accepted.
    const direct = await fetch(`http://127.0.0.1:${openclaw.port}${CONFIG_JSON}`, {
      headers: bearer(),
    });
    assert.equal(direct.status, 200);
  });

  it("(d) OpenClaw rate-limits by the forwarded client address Gatehouse passes on", async () => {
    // gateway.auth.rateLimit.maxAttempts is 3 in this config. Wrong tokens from 203.0.113.66
    // lock out 203.0.113.66 only: OpenClaw keys its limiter on the client Gatehouse reported.
    const attacker = "203.0.113.66";
    const wrong = { authorization: "Bearer not-the-token" };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await send(door.port, {
        path: CONFIG_JSON,
        headers: viaHop({ "x-forwarded-for": attacker, ...wrong }),
      });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [401, 401, 401]);
    const locked = await send(door.port, {
      path: CONFIG_JSON,
      headers: viaHop({ "x-forwarded-for": attacker, ...bearer() }),
    });
    assert.equal(locked.status, 429, "even the right token is refused while locked out");
    assert.equal(JSON.parse(locked.body).error.type, "rate_limited");
    assert.ok(Number(locked.headers["retry-after"]) > 0);
    // Another client behind the same door (same socket peer, 127.0.0.1) is unaffected.
    const other = await send(door.port, { path: CONFIG_JSON, headers: viaHop(bearer()) });
    assert.equal(other.status, 200);
  });

  it("(b) the WebSocket control plane through the door: challenge, then what connect gets", async () => {
    const url = `ws://127.0.0.1:${door.port}/`;
    const headers = viaHop({ origin });
    const token = openclaw.token;

    // 1. A token-only operator client (no device identity): hello-ok, but with no scopes.
    const cli = await connect({
      url,
      headers,
      token,
      client: { id: "cli", mode: "cli" },
      scopes: UI_SCOPES,
    });
    assert.equal(cli.challenge.event, "connect.challenge");
    assert.equal(typeof cli.challenge.payload.nonce, "string");
    assert.equal(cli.result.ok, true, JSON.stringify(cli.result.error));
    assert.equal(cli.result.payload.type, "hello-ok");
    assert.equal(cli.result.payload.auth.method, "token");
    assert.deepEqual(cli.result.payload.auth.scopes, []);
    const buildId: string = cli.result.payload.server.buildId;
    cli.ws.close();

    // 2. The Control UI without a device identity: refused (it needs a secure context).
    const bare = await connect({
      url,
      headers,
      token,
      client: { id: "openclaw-control-ui", mode: "webchat" },
      scopes: UI_SCOPES,
    });
    assert.equal(bare.result.ok, false);
    assert.equal(bare.result.error?.details?.code, "CONTROL_UI_DEVICE_IDENTITY_REQUIRED");
    assert.equal((await bare.closed()).code, 1008);

    // 3. The Control UI with a signed device identity, from a remote client: pairing required.
    const device = newDevice();
    const ui = { id: "openclaw-control-ui", mode: "webchat", buildId };
    const first = await connect({ url, headers, token, client: ui, scopes: UI_SCOPES, device });
    assert.equal(first.result.ok, false);
    assert.equal(first.result.error?.code, "NOT_PAIRED");
    assert.equal(first.result.error?.details?.code, "PAIRING_REQUIRED");
    assert.equal(first.result.error?.details?.deviceId, device.id);
    const requestId: string = first.result.error?.details?.requestId;
    const close = await first.closed();
    assert.equal(close.code, 1008);
    assert.match(close.reason, /pairing required/);

    // 4. The owner approves it from the gateway host (a direct loopback connection, which
    //    OpenClaw pairs silently), as `openclaw devices approve` would.
    const admin = await connect({
      url: `ws://127.0.0.1:${openclaw.port}/`,
      headers: {},
      token,
      client: { id: "cli", mode: "cli" },
      scopes: ["operator.admin", "operator.pairing", ...UI_SCOPES],
      device: newDevice(),
    });
    assert.equal(admin.result.ok, true, JSON.stringify(admin.result.error));
    const approved = await admin.request("device.pair.approve", { requestId });
    assert.equal(approved.ok, true, JSON.stringify(approved.error));
    admin.ws.close();

    // 5. The same browser device through the door again: hello-ok with its scopes.
    const again = await connect({ url, headers, token, client: ui, scopes: UI_SCOPES, device });
    assert.equal(again.result.ok, true, JSON.stringify(again.result.error));
    assert.equal(again.result.payload.type, "hello-ok");
    assert.deepEqual([...again.result.payload.auth.scopes].sort(), UI_SCOPES);
    again.ws.close();
  });

  it("(c) a foreign Origin is refused at the door; OpenClaw alone would have answered", async () => {
    const refused = await rawUpgrade(door.port, {
      Host: host,
      "X-Forwarded-For": CLIENT_IP,
      Origin: FOREIGN,
    });
    assert.equal(refused.status, 403, refused.head);
    assert.equal(JSON.parse(refused.body).error.code, "GH_WS_ORIGIN_REFUSED");
    assert.ok(refused.headers.some(([k]) => k === "x-gatehouse-error-id"));
    // The same upgrade straight to OpenClaw: it switches protocols and sends the challenge
    // (its origin check waits for `connect`), so the door is the only early refusal.
    const direct = await rawUpgrade(
      openclaw.port,
      { Host: host, Origin: FOREIGN },
      10_000,
      (text) => text.includes("connect.challenge"),
    );
    assert.equal(direct.status, 101, direct.head);
    assert.match(direct.body, /connect\.challenge/);
  });

  it("a WebSocket without the trusted hop: OpenClaw's 403 proxy_attribution_required is relayed", async () => {
    const res = await rawUpgrade(door.port, { Host: host, Origin: origin });
    assert.equal(res.status, 403, res.head);
    assert.equal(JSON.parse(res.body).error.type, "proxy_attribution_required");
  });

  it("the relayed upgrade refusal carries one Content-Length", async () => {
    const res = await rawUpgrade(door.port, { Host: host, Origin: origin });
    assert.equal(res.headers.filter(([k]) => k === "content-length").length, 1, res.head);
  });

  it("(e) the openai SDK streams a chat completion: Gatehouse -> OpenClaw agent -> model provider", async () => {
    const before = demo.stats.streamsCompleted;
    const result = await streamWithSdk(inst, `${origin}/v1`, openclaw.token, CLIENT_IP);
    assert.equal(result.error, null, JSON.stringify(result.error));
    assert.ok(result.chunks > 3, `only ${result.chunks} chunks`);
    assert.match(result.text, /Gatehouse demo model/);
    assert.equal(result.finishReason, "stop");
    // OpenClaw's agent really called the provider (the demo upstream) for this answer.
    assert.ok(demo.stats.streamsCompleted > before, "the demo provider streamed");
    // Without the trusted hop the SDK gets OpenClaw's 403.
    const refused = await streamWithSdk(inst, `${origin}/v1`, openclaw.token, null);
    assert.equal(refused.error?.status, 403);
    assert.match(refused.error?.message ?? "", /attribution/i);
  });
});

interface SdkResult {
  readonly chunks: number;
  readonly text: string;
  readonly finishReason: string | null;
  readonly firstChunkMs: number | null;
  readonly totalMs: number;
  readonly error: { status: number | null; message: string } | null;
}

/** Runs openai-stream.mjs on Node 24 (openai@7 from .cache/openclaw); async, so the door runs. */
async function streamWithSdk(
  inst: Install,
  baseUrl: string,
  token: string,
  clientIp: string | null,
): Promise<SdkResult> {
  const script = fileURLToPath(new URL("openai-stream.mjs", import.meta.url));
  const { stdout } = await run(inst.node24, [script], {
    env: {
      PATH: process.env.PATH ?? "",
      OPENCLAW_PREFIX: inst.prefix,
      BASE_URL: baseUrl,
      API_KEY: token,
      MODEL: "openclaw",
      ...(clientIp === null ? {} : { CLIENT_IP: clientIp }),
    },
    timeout: 180_000,
  });
  return JSON.parse(stdout.trim().split("\n").pop() ?? "") as SdkResult;
}
