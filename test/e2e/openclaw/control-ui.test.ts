/**
 * The OpenClaw Control UI in Chromium, through Gatehouse, as a real deployment serves it:
 *
 *   Chromium -> "CDN" hop (adds X-Forwarded-For: 203.0.113.7) -> Gatehouse -> OpenClaw
 *
 * OpenClaw refuses clients it cannot attribute to a non-loopback address, and every test client
 * here is loopback, so the hop plays the CDN that reports the real client (Gatehouse trusts it).
 * The Control UI needs a secure context to create its device identity; the public origin here is
 * plain http, so Chromium is told to treat it as secure, as HTTPS would make it.
 */
import assert from "node:assert/strict";
import type { Server } from "node:http";
import { createServer, request as httpRequest } from "node:http";
import { connect as netConnect } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import type { RunningDoor } from "../../door/fixtures.js";
import { startDoor, testConfig, upstreamRoute } from "../../door/fixtures.js";
import { launchChromium, newContext, skipWithoutChromium } from "../browser/chromium.js";
import type { Install, OpenClaw } from "./harness.js";
import { freePort, install, openclawConfig, skipOpenClaw, startOpenClaw } from "./harness.js";

const NAME = "gateway.example.test";
const CLIENT_IP = "203.0.113.7";

/** A minimal CDN hop: forwards HTTP and upgrades to the door, reporting the client address. */
function startHop(port: number, doorPort: number): Promise<Server> {
  const hop = createServer((req, res) => {
    const upstream = httpRequest(
      {
        host: "127.0.0.1",
        port: doorPort,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, "x-forwarded-for": CLIENT_IP },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  hop.on("upgrade", (req, socket, head) => {
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    lines.push(`X-Forwarded-For: ${CLIENT_IP}`, "", "");
    const door = netConnect(doorPort, "127.0.0.1", () => {
      door.write(lines.join("\r\n"));
      if (head.length > 0) door.write(head);
      door.pipe(socket);
      socket.pipe(door);
    });
    door.on("error", () => socket.destroy());
    socket.on("error", () => door.destroy());
  });
  return new Promise((resolve) => hop.listen(port, "127.0.0.1", () => resolve(hop)));
}

const skip = skipOpenClaw || skipWithoutChromium;

describe("the OpenClaw Control UI in Chromium, through Gatehouse", { skip }, () => {
  let inst: Install;
  let openclaw: OpenClaw;
  let door: RunningDoor;
  let hop: Server;
  let evilPage: Server;
  let browser: Browser;
  let origin: string;
  let evilOrigin: string;

  before(
    async () => {
      inst = install();
      const [ocPort, doorPort, hopPort, evilPort] = [
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      origin = `http://${NAME}:${hopPort}`;
      evilOrigin = `http://evil.example.test:${evilPort}`;
      door = await startDoor(
        testConfig([upstreamRoute(`http://127.0.0.1:${ocPort}`)], {
          listen: { host: "127.0.0.1", port: doorPort },
          publicOrigin: origin,
          hosts: [NAME],
          trustProxy: ["127.0.0.1"],
        }),
      );
      hop = await startHop(hopPort, doorPort);
      evilPage = createServer((_req, res) => res.end("<!doctype html><title>evil</title>"));
      await new Promise<void>((resolve) => evilPage.listen(evilPort, "127.0.0.1", resolve));
      openclaw = await startOpenClaw(inst, ocPort, openclawConfig(origin, "http://127.0.0.1:9/"));
      browser = await launchChromium([`--unsafely-treat-insecure-origin-as-secure=${origin}`]);
    },
    { timeout: 900_000 },
  );

  after(async () => {
    await browser?.close();
    await openclaw?.stop();
    await door?.close();
    hop?.closeAllConnections();
    hop?.close();
    evilPage?.close();
  });

  it("loads, opens its WebSocket through the door and reaches pairing-required (a new remote device)", {
    timeout: 120_000,
  }, async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const frames: string[] = [];
    page.on("websocket", (ws) => {
      ws.on("framereceived", (frame) => frames.push(String(frame.payload)));
    });
    const response = await page.goto(`${origin}/#token=${openclaw.token}`);
    assert.equal(response?.status(), 200);
    const deadline = Date.now() + 90_000;
    const settled = () => frames.some((f) => /PAIRING_REQUIRED|NOT_PAIRED|"hello-ok"/.test(f));
    while (!settled() && Date.now() < deadline) await page.waitForTimeout(250);
    assert.ok(
      frames.some((f) => f.includes("connect.challenge")),
      `no challenge; frames: ${frames.join("\n").slice(0, 2000)}`,
    );
    // A browser OpenClaw has never seen, arriving from a public address, must be approved once
    // on the gateway host (`openclaw devices approve`): pairing required is the correct state.
    assert.ok(
      settled(),
      `neither pairing-required nor hello-ok; frames: ${frames.join("\n").slice(0, 2000)}`,
    );
    const paired = frames.some((f) => /PAIRING_REQUIRED|NOT_PAIRED/.test(f));
    assert.ok(paired, "OpenClaw asks a new remote browser to be paired once (not connected yet)");
    if (process.env.GATEHOUSE_UPDATE_SCREENSHOT === "1") {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.waitForTimeout(4_000); // let the UI render what it tells the user
      await page.screenshot({ path: "docs/img/openclaw-control-ui.png" });
    }
    await context.close();
  });

  it("a page on an untrusted origin cannot open that WebSocket through Gatehouse", {
    timeout: 60_000,
  }, async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${evilOrigin}/`);
    const outcome = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => resolve("open");
          ws.onerror = () => resolve("error");
          setTimeout(() => resolve("timeout"), 10_000);
        }),
      `${origin.replace("http", "ws")}/`,
    );
    assert.equal(outcome, "error", "the browser never got a WebSocket to OpenClaw");
    await context.close();
  });
});
