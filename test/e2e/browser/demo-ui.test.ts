/**
 * The embedded demo (`npm start`) in a real browser: the control UI, the streamed chat and the
 * WebSocket all through one door on one origin. Also the source of docs/img/demo-ui.png:
 *
 *   GATEHOUSE_UPDATE_SCREENSHOT=1 node --import tsx --test test/e2e/browser/demo-ui.test.ts
 *
 * rewrites it, listening on 127.0.0.1:8080 as `npm start` does so that the picture shows the
 * address users see; otherwise the door takes a free port and the screenshot goes to a
 * temporary directory (a test run never touches the repository).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import type { DemoUpstream } from "../../../src/demo/index.js";
import { DEMO_UI_ROOT, startDemoUpstream } from "../../../src/demo/index.js";
import { composeReply } from "../../../src/demo/reply.js";
import { embeddedDefaultConfig } from "../../../src/door/config/index.js";
import type { Door } from "../../../src/door/server.js";
import { createDoor } from "../../../src/door/server.js";
import { LAUNCH_TIMEOUT_MS, launchChromium, newContext, skipWithoutChromium } from "./chromium.js";

const UPDATE = process.env.GATEHOUSE_UPDATE_SCREENSHOT === "1";
const DOCS_PNG = fileURLToPath(new URL("../../../docs/img/demo-ui.png", import.meta.url));
const MAX_PNG_BYTES = 300 * 1024;
const QUESTION = "Does my browser need CORS to talk to the door?";
const ECHO = "hello through the door";
/** Launch is slow on a loaded machine; a hang still fails instead of stalling CI. */
const HOOK = { timeout: LAUNCH_TIMEOUT_MS + 30_000 } as const;

describe("chromium: the demo control UI", { skip: skipWithoutChromium, timeout: 180_000 }, () => {
  let browser: Browser;
  let demo: DemoUpstream;
  let door: Door;
  let url: string;
  let scratch: string;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), "gatehouse-demo-ui-"));
    [browser, demo] = await Promise.all([launchChromium(), startDemoUpstream()]);
    const config = embeddedDefaultConfig({
      demoUpstream: demo.url,
      uiRoot: DEMO_UI_ROOT,
      listen: UPDATE ? "127.0.0.1:8080" : "127.0.0.1:0",
    });
    // On port 0 publicOrigin says :0; the page's own Host (127.0.0.1, in config.hosts) is
    // what makes its requests same-origin.
    assert.ok(config.hosts.includes("127.0.0.1:0"), config.hosts.join(" "));
    door = createDoor(config);
    const { port } = await door.listen();
    url = `http://127.0.0.1:${port}/`;
  }, HOOK);

  after(async () => {
    await browser?.close();
    await door?.close();
    await demo?.close();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }, HOOK);

  test("chat streams a reply, the WebSocket echoes, and the page renders", {
    timeout: 60_000,
  }, async (t) => {
    const context = await newContext(browser, {
      viewport: { width: 1280, height: 860 },
      deviceScaleFactor: 1,
      colorScheme: "light",
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    await page.goto(url);
    await page.waitForFunction(() => document.querySelector("#ws-state")?.textContent === "open");

    await page.fill("#chat-input", QUESTION);
    await page.click("#chat-send");
    const expected = composeReply([{ role: "user", content: QUESTION }]);
    await page.waitForFunction(
      (text: string) => {
        const replies = document.querySelectorAll<HTMLElement>("[data-role=assistant]");
        const last = replies[replies.length - 1];
        const article = last?.closest<HTMLElement>("[data-state]");
        return article?.dataset.state === "done" && last?.textContent === text;
      },
      expected,
      { timeout: 30_000 },
    );
    const stats = await demo.until((s) => s.streamsCompleted >= 1);
    assert.ok(stats.eventsWritten > 1, "the reply came as a stream of events");

    await page.fill("#ws-input", ECHO);
    await page.click("#ws-send");
    await page.waitForFunction(
      (text: string) =>
        [...document.querySelectorAll("#ws-log [data-dir=in] .ws-text")].some(
          (entry) => entry.textContent === text,
        ),
      ECHO,
    );
    assert.equal(await page.textContent("#ws-state"), "open");
    assert.deepEqual(problems, []);

    const path = UPDATE ? DOCS_PNG : join(scratch, "demo-ui.png");
    await page.screenshot({ path, type: "png" });
    const bytes = statSync(path).size;
    t.diagnostic(`screenshot ${path}: ${bytes} bytes`);
    assert.ok(bytes > 10_000 && bytes < MAX_PNG_BYTES, `${bytes} bytes`);
  });
});
