/**
 * Launching the system Chromium for the browser suites. Nothing is ever downloaded: CI installs
 * Debian's `chromium`, and without it the suites skip with the reason below.
 */
import { existsSync } from "node:fs";
import type { Browser, BrowserContext, BrowserContextOptions } from "playwright-core";
import { chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.GATEHOUSE_CHROMIUM ?? "/usr/bin/chromium";

/** `false` when Chromium is there, else the reason to give `describe(..., { skip })`. */
export const skipWithoutChromium: string | false = existsSync(CHROMIUM_PATH)
  ? false
  : `Chromium not installed at ${CHROMIUM_PATH}: apt-get install chromium`;

/** Generous: a cold start on a loaded CI machine takes seconds. */
export const LAUNCH_TIMEOUT_MS = 60_000;

/**
 * Headless Chromium with a fresh profile (launch() uses a new temporary one) and every name
 * under example.test resolved to loopback, so that pages get real, distinct origins.
 */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: LAUNCH_TIMEOUT_MS,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-gpu",
      "--disable-quic",
      "--disable-sync",
      "--host-resolver-rules=MAP *.example.test 127.0.0.1",
      ...extraArgs,
    ],
  });
}

/**
 * A context whose pages can run functions compiled by tsx: esbuild's keepNames wraps named
 * inner functions in `__name(...)`, which exists in Node but not in the page.
 */
export async function newContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.addInitScript("globalThis.__name = (fn) => fn;");
  return context;
}
