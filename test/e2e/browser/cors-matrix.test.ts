/**
 * Gatehouse's CORS, CSRF and WebSocket guards judged by a real browser. Three real origins on
 * loopback (Chromium maps *.example.test to 127.0.0.1): the app page, an attacker page on a
 * sibling subdomain (same site: it gets the user's SameSite=Lax cookie too), and the door in
 * front of a recording upstream. For every policy a fresh door starts, and every row asserts
 * both what the page could observe and whether the upstream was reached at all.
 *
 * The example.test origins are plain http and not "potentially trustworthy", so Chromium sends
 * no Sec-Fetch-* headers to the door: the CSRF guard has to work from `Origin` alone.
 */
import assert from "node:assert/strict";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { CorsConfig } from "../../../src/core/config.js";
import { createDoor } from "../../../src/door/server.js";
import type { RecordingUpstream, Seen } from "../../door/fixtures.js";
import { recordingUpstream, testConfig, upstreamRoute } from "../../door/fixtures.js";
import { LAUNCH_TIMEOUT_MS, launchChromium, newContext, skipWithoutChromium } from "./chromium.js";
import type { FetchInit, PageServer, ProbeResult, ProbeSpec } from "./pages.js";
import { closeServer, listenOnLoopback, probe, startPageServer } from "./pages.js";

// ---- the matrix ---------------------------------------------------------------------------

type PolicyName = "exact" | "pattern" | "any" | "credentials";
type PageName = "app" | "evil";
/** Tabs are opened once and never closed one by one: closing a tab can hang Chromium here. */
type TabName = PageName | "evilForms";
type Kind =
  | "GET"
  | "POST json"
  | "x-api-key header"
  | "Authorization header"
  | "PUT"
  | "PATCH"
  | "patch (lower-case)"
  | "DELETE"
  | "exposed vs unexposed header"
  | "credentials: include + cookie"
  | "SSE over fetch"
  | "EventSource"
  | "EventSource withCredentials"
  | "WebSocket"
  | "form POST"
  | "no-cors POST";

/**
 * ok: the page got and read the response. blocked: the browser refused it to the page.
 * opaque: the page cannot tell (forms, no-cors); only `reached` says what happened.
 */
type Outcome = "ok" | "blocked" | "opaque";

interface Expectation {
  readonly outcome: Outcome;
  /** The upstream saw the request (or the upgrade). */
  readonly reached: boolean;
}

interface Row extends Expectation {
  readonly policy: PolicyName;
  readonly page: PageName;
  readonly kind: Kind;
  /** Where Chromium and the Fetch Standard part ways, or why the row is surprising. */
  readonly note?: string;
}

const OK: Expectation = { outcome: "ok", reached: true };
/** The door answered the preflight with 403; the request itself never left the browser. */
const PREFLIGHT_REFUSED: Expectation = { outcome: "blocked", reached: false };
/** A request without preflight reaches the upstream; CORS only hides the response. */
const UNREADABLE: Expectation = { outcome: "blocked", reached: true };
/** Refused by the door before the upstream (CSRF guard, WebSocket Origin check). */
const STOPPED: Expectation = { outcome: "opaque", reached: false };
const DELIVERED: Expectation = { outcome: "opaque", reached: true };
const WS_REFUSED: Expectation = { outcome: "blocked", reached: false };
/**
 * `*` grants reads only (SPEC, Behaviour): the preflight passes, and the CSRF guard refuses the
 * unsafe request itself, because no origin is listed by name. The refusal carries no CORS
 * headers, so the page cannot read it either.
 */
const READS_ONLY = "`*` grants reads only: unsafe requests need an origin listed by name";
const UNSAFE_REFUSED: [Expectation, string] = [{ outcome: "blocked", reached: false }, READS_ONLY];

/** Policies as a user would write them; the page origins are known only at run time. */
const POLICIES: Record<PolicyName, (app: string) => CorsConfig> = {
  exact: (app) => ({
    allowOrigins: [app],
    allowMethods: ["PUT", "PATCH", "DELETE"],
    allowHeaders: ["content-type", "x-api-key", "authorization"],
    exposeHeaders: ["x-request-id"],
  }),
  pattern: () => ({
    allowOrigins: ["http://*.example.test:*"],
    allowMethods: ["PUT", "DELETE"],
    allowHeaders: ["content-type", "x-api-key"],
    exposeHeaders: ["x-request-id"],
  }),
  any: () => ({
    allowOrigins: ["*"],
    allowMethods: ["PUT", "PATCH", "DELETE"],
    allowHeaders: ["*"],
    exposeHeaders: ["x-request-id"],
  }),
  credentials: (app) => ({
    allowOrigins: [app],
    allowCredentials: true,
    // The test origins are plain http; real deployments use https.
    dangerouslyAllowInsecureOrigins: true,
    allowMethods: ["PUT", "PATCH", "DELETE"],
    allowHeaders: ["content-type", "x-api-key", "authorization"],
    exposeHeaders: ["x-request-id"],
  }),
};

const LOWER_PATCH = "fetch() upper-cases only DELETE/GET/HEAD/OPTIONS/POST/PUT; `patch` ≠ `PATCH`";

function rows(
  policy: PolicyName,
  page: PageName,
  table: Partial<Record<Kind, Expectation | [Expectation, string]>>,
): Row[] {
  return Object.entries(table).map(([kind, value]) => {
    const [expectation, note] = Array.isArray(value) ? value : [value, undefined];
    return { policy, page, kind: kind as Kind, ...expectation, ...(note ? { note } : {}) };
  });
}

const MATRIX: readonly Row[] = [
  ...rows("exact", "app", {
    GET: OK,
    "POST json": OK,
    "x-api-key header": OK,
    "Authorization header": OK,
    PUT: OK,
    PATCH: OK,
    "patch (lower-case)": [PREFLIGHT_REFUSED, LOWER_PATCH],
    DELETE: OK,
    "exposed vs unexposed header": OK,
    "credentials: include + cookie": [UNREADABLE, "the cookie still reaches the upstream"],
    "SSE over fetch": OK,
    EventSource: OK,
    "EventSource withCredentials": UNREADABLE,
    WebSocket: OK,
  }),
  ...rows("exact", "evil", {
    GET: UNREADABLE,
    "credentials: include + cookie": UNREADABLE,
    "form POST": [STOPPED, "same-site, Lax cookie attached: only the CSRF guard stops it"],
    "no-cors POST": STOPPED,
    WebSocket: WS_REFUSED,
  }),
  ...rows("pattern", "app", {
    GET: OK,
    "POST json": OK,
    "x-api-key header": OK,
    "Authorization header": [PREFLIGHT_REFUSED, "not listed"],
    PUT: OK,
    PATCH: [PREFLIGHT_REFUSED, "not listed"],
    "patch (lower-case)": PREFLIGHT_REFUSED,
    DELETE: OK,
    "exposed vs unexposed header": OK,
    "credentials: include + cookie": UNREADABLE,
    "SSE over fetch": OK,
    EventSource: OK,
    "EventSource withCredentials": UNREADABLE,
    WebSocket: OK,
  }),
  // A subdomain pattern trusts every sibling: the attacker's subdomain is allowed as designed.
  ...rows("pattern", "evil", {
    GET: OK,
    "credentials: include + cookie": UNREADABLE,
    "form POST": DELIVERED,
    "no-cors POST": DELIVERED,
    WebSocket: OK,
  }),
  ...rows("any", "app", {
    GET: OK,
    "POST json": UNSAFE_REFUSED,
    "x-api-key header": OK,
    "Authorization header": [
      PREFLIGHT_REFUSED,
      "Fetch: `*` never covers Authorization, so the door refuses; Chromium alone would allow it",
    ],
    PUT: UNSAFE_REFUSED,
    PATCH: UNSAFE_REFUSED,
    "patch (lower-case)": [PREFLIGHT_REFUSED, LOWER_PATCH],
    DELETE: UNSAFE_REFUSED,
    "exposed vs unexposed header": OK,
    "credentials: include + cookie": [UNREADABLE, "`*` is never valid with credentials"],
    "SSE over fetch": OK,
    EventSource: OK,
    "EventSource withCredentials": UNREADABLE,
    WebSocket: [WS_REFUSED, "`*` grants reads only: WebSockets need an origin listed by name"],
  }),
  ...rows("any", "evil", {
    GET: OK,
    "credentials: include + cookie": UNREADABLE,
    "form POST": [STOPPED, READS_ONLY],
    "no-cors POST": [STOPPED, READS_ONLY],
    WebSocket: [WS_REFUSED, "`*` grants reads only: WebSockets need an origin listed by name"],
  }),
  ...rows("credentials", "app", {
    GET: OK,
    "POST json": OK,
    "x-api-key header": OK,
    "Authorization header": OK,
    PUT: OK,
    PATCH: OK,
    "patch (lower-case)": [PREFLIGHT_REFUSED, LOWER_PATCH],
    DELETE: OK,
    "exposed vs unexposed header": OK,
    "credentials: include + cookie": OK,
    "SSE over fetch": OK,
    EventSource: OK,
    "EventSource withCredentials": OK,
    WebSocket: OK,
  }),
  ...rows("credentials", "evil", {
    GET: UNREADABLE,
    "credentials: include + cookie": UNREADABLE,
    "form POST": [STOPPED, "same-site, Lax cookie attached: only the CSRF guard stops it"],
    "no-cors POST": STOPPED,
    WebSocket: WS_REFUSED,
  }),
];

/** Chromium's own verdict on a wildcard Access-Control-Allow-Headers, against the standard's. */
const CHROMIUM_ITSELF: readonly { header: string; chromium: boolean; fetch: string }[] = [
  { header: "x-api-key", chromium: true, fetch: "as the Fetch Standard: `*` covers it" },
  {
    header: "authorization",
    chromium: true,
    fetch: "DIFFERS from the Fetch Standard, where `*` never covers Authorization",
  },
];

// ---- what each kind does --------------------------------------------------------------------

const COOKIE = "gh_session=s1";
const EVENTS = ["event 1", "event 2", "event 3", "[DONE]"];

interface Plan {
  /** The request the page makes; null for a form submission, which is a navigation. */
  readonly spec: ProbeSpec | null;
  /** The method the upstream must see when the row reaches it. */
  readonly method: string;
  /** Whether the browser attaches the user's api.example.test cookie. */
  readonly credentialed: boolean;
}

function plan(kind: Kind, door: string, id: string): Plan {
  const echo = `${door}/api/echo?probe=${id}`;
  const fetchSpec = (init: FetchInit, url = echo): ProbeSpec => ({
    kind: "fetch",
    url,
    init,
    headers: [],
  });
  switch (kind) {
    case "GET":
      return { spec: fetchSpec({}), method: "GET", credentialed: false };
    case "POST json":
      return {
        spec: fetchSpec({
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"hello":"door"}',
        }),
        method: "POST",
        credentialed: false,
      };
    case "x-api-key header":
      return {
        spec: fetchSpec({ headers: { "x-api-key": "k1" } }),
        method: "GET",
        credentialed: false,
      };
    case "Authorization header":
      return {
        spec: fetchSpec({ headers: { authorization: "Bearer t1" } }),
        method: "GET",
        credentialed: false,
      };
    case "PUT":
    case "PATCH":
    case "DELETE":
      return { spec: fetchSpec({ method: kind }), method: kind, credentialed: false };
    case "patch (lower-case)":
      return { spec: fetchSpec({ method: "patch" }), method: "patch", credentialed: false };
    case "exposed vs unexposed header":
      return {
        spec: { kind: "fetch", url: echo, init: {}, headers: ["x-request-id", "x-secret"] },
        method: "GET",
        credentialed: false,
      };
    case "credentials: include + cookie":
      return { spec: fetchSpec({ credentials: "include" }), method: "GET", credentialed: true };
    case "SSE over fetch":
      return {
        spec: fetchSpec({}, `${door}/api/stream?probe=${id}`),
        method: "GET",
        credentialed: false,
      };
    case "EventSource":
    case "EventSource withCredentials":
      return {
        spec: {
          kind: "eventsource",
          url: `${door}/api/stream?probe=${id}`,
          withCredentials: kind !== "EventSource",
        },
        method: "GET",
        credentialed: kind !== "EventSource",
      };
    case "WebSocket":
      return {
        spec: { kind: "websocket", url: `${door.replace(/^http/, "ws")}/ws?probe=${id}` },
        method: "GET",
        // The handshake carries the user's cookies whatever the page: hijacking material.
        credentialed: true,
      };
    case "no-cors POST":
      return {
        spec: fetchSpec({
          method: "POST",
          mode: "no-cors",
          body: "x",
          headers: { "content-type": "text/plain" },
        }),
        method: "POST",
        credentialed: false,
      };
    case "form POST":
      // A navigation carries the user's cookies (same site, so even SameSite=Lax ones).
      return { spec: null, method: "POST", credentialed: true };
  }
}

// ---- the upstream ----------------------------------------------------------------------------

function probeId(url: string): string | null {
  return new URL(url, "http://upstream.invalid").searchParams.get("probe");
}

function installHandlers(upstream: RecordingUpstream): void {
  upstream.handle("/api/echo", (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      "content-type": "application/json",
      "x-request-id": `req-${probeId(req.url ?? "")}`,
      "x-secret": "s3cr3t",
    });
    res.end(JSON.stringify({ ok: true, method: req.method }));
  });
  // Spaced out, so a buffering hop would show as a single read in the page.
  upstream.handle("/api/stream", (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
    let sent = 0;
    const timer = setInterval(() => {
      const event = EVENTS[sent++];
      if (event === undefined) return;
      res.write(`data: ${event}\n\n`);
      if (event === "[DONE]") {
        clearInterval(timer);
        res.end();
      }
    }, 40);
    res.on("close", () => clearInterval(timer));
  });
  upstream.handle("/api/cookie", (_req: IncomingMessage, res: ServerResponse) => {
    // Plain http allows no SameSite=None (it needs Secure); Lax still goes to same-site fetches.
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "set-cookie": `${COOKIE}; Path=/; SameSite=Lax; HttpOnly`,
    });
    res.end("<!doctype html><title>cookie</title><p>cookie set</p>");
  });
}

// ---- the door --------------------------------------------------------------------------------

interface Door {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * A door for one policy. Its server listens before the gateway is made so that publicOrigin
 * can carry the real port; createDoor attaches to it (DoorOptions.server).
 */
async function startDoor(cors: CorsConfig, upstream: RecordingUpstream): Promise<Door> {
  const server = createServer();
  const port = await listenOnLoopback(server);
  const origin = `http://api.example.test:${port}`;
  const gateway = createDoor(
    testConfig([upstreamRoute(upstream.url)], {
      publicOrigin: origin,
      hosts: ["api.example.test"],
      cors,
    }),
    { server },
  );
  return { origin, close: () => gateway.close() };
}

// ---- the suite -------------------------------------------------------------------------------

/** Hooks and tests carry timeouts so that a hang fails the run instead of stalling CI. */
const SUITE = { skip: skipWithoutChromium, timeout: 180_000 } as const;
const LAUNCH_HOOK = { timeout: LAUNCH_TIMEOUT_MS + 30_000 } as const;
const HOOK = { timeout: 30_000 } as const;

function title(row: Row): string {
  const reach = row.reached ? "reaches upstream" : "never reaches upstream";
  return `${row.page}: ${row.kind} -> ${row.outcome}, ${reach}${row.note ? ` (${row.note})` : ""}`;
}

function recordsOf(upstream: RecordingUpstream, id: string): Seen[] {
  return [...upstream.seen, ...upstream.upgrades].filter((s) => probeId(s.url) === id);
}

describe("chromium: CORS matrix through the door", SUITE, () => {
  let browser: Browser;
  let context: BrowserContext;
  let upstream: RecordingUpstream;
  const servers: Record<PageName, PageServer> = {} as Record<PageName, PageServer>;
  const pages: Record<TabName, Page> = {} as Record<TabName, Page>;
  let nextId = 0;

  before(async () => {
    [browser, upstream, servers.app, servers.evil] = await Promise.all([
      launchChromium(),
      recordingUpstream(),
      startPageServer("app.example.test"),
      startPageServer("evil.example.test"),
    ]);
    installHandlers(upstream);
    // One context: the attacker's tab shares the user's cookie jar, as in a real browser.
    context = await newContext(browser);
    for (const name of ["app", "evil", "evilForms"] as const) {
      pages[name] = await context.newPage();
      await pages[name].goto(`${servers[name === "app" ? "app" : "evil"].origin}/`);
    }
  }, LAUNCH_HOOK);

  after(async () => {
    await browser?.close();
    await Promise.all([upstream?.close(), servers.app?.close(), servers.evil?.close()]);
  }, LAUNCH_HOOK);

  /** Submits a real <form method=post> from the attacker's second tab; returns its status. */
  async function submitForm(action: string): Promise<number> {
    const tab = pages.evilForms;
    await tab.goto(`${servers.evil.origin}/`);
    const response = tab.waitForResponse((r) => r.url() === action);
    await tab.evaluate((url: string) => {
      const form = document.createElement("form");
      form.method = "post";
      form.action = url;
      const field = document.createElement("input");
      field.name = "amount";
      field.value = "1000000";
      form.append(field);
      document.body.append(form);
      form.submit();
    }, action);
    const status = (await response).status();
    await tab.waitForURL(action);
    return status;
  }

  for (const policy of Object.keys(POLICIES) as PolicyName[]) {
    describe(`policy "${policy}"`, () => {
      let door: Door;

      before(async () => {
        door = await startDoor(POLICIES[policy](servers.app.origin), upstream);
        // A first-party visit to the door stores the session cookie for api.example.test.
        await pages.evilForms.goto(`${door.origin}/api/cookie`);
      }, HOOK);

      after(() => door?.close(), HOOK);

      for (const row of MATRIX.filter((r) => r.policy === policy)) {
        test(title(row), { timeout: 20_000 }, async (t) => {
          const id = `p${nextId++}`;
          const { spec, method, credentialed } = plan(row.kind, door.origin, id);
          let result: ProbeResult;
          if (spec === null) {
            const action = `${door.origin}/api/echo?probe=${id}`;
            const status = await submitForm(action);
            assert.equal(status, row.reached ? 200 : 403, "the navigation's status");
            result = { ok: true, status, type: "navigation", body: "", reads: 0, exposed: {} };
          } else {
            result = await pages[row.page].evaluate(probe, spec);
          }

          t.diagnostic(`chromium: ${JSON.stringify(result)}`);
          // What the page could observe.
          if (row.outcome === "blocked") {
            assert.equal(
              result.ok,
              false,
              `the browser let the page read it: ${JSON.stringify(result)}`,
            );
          } else {
            assert.ok(result.ok, `the page got an error: ${JSON.stringify(result)}`);
            if (row.outcome === "opaque" && spec !== null) {
              assert.equal(result.type, "opaque");
              assert.equal(result.status, 0);
            }
          }
          if (result.ok && row.outcome === "ok") assertBody(row.kind, result, id, method);

          // What reached the upstream.
          const records = recordsOf(upstream, id);
          assert.equal(
            records.length > 0,
            row.reached,
            `upstream saw ${records.length} request(s)`,
          );
          for (const seen of records) {
            assert.equal(seen.method, method);
            assert.equal(
              seen.headers.origin,
              servers[row.page].origin,
              "Origin as Chromium sent it",
            );
            assert.equal(
              seen.headers.cookie === COOKIE,
              credentialed,
              `cookie: ${seen.headers.cookie}`,
            );
          }
        });
      }

      test("the upstream never sees a preflight", () => {
        assert.deepEqual(
          upstream.seen.filter((s) => s.method === "OPTIONS"),
          [],
        );
      });
    });
  }

  describe("Chromium itself, without the door: Access-Control-Allow-Headers: *", () => {
    let raw: Server;
    let rawOrigin: string;
    const preflighted: string[] = [];

    before(async () => {
      // Answers every preflight with `*`, as a lax server would; the door never does for
      // Authorization, so this shows what the door's refusal protects against.
      raw = createServer((req, res) => {
        res.setHeader("access-control-allow-origin", req.headers.origin ?? "*");
        if (req.method === "OPTIONS") {
          preflighted.push(String(req.headers["access-control-request-headers"]));
          res.setHeader("access-control-allow-headers", "*");
          res.writeHead(204).end();
          return;
        }
        res.end("{}");
      });
      rawOrigin = `http://raw.example.test:${await listenOnLoopback(raw)}`;
    }, HOOK);

    after(() => closeServer(raw), HOOK);

    for (const row of CHROMIUM_ITSELF) {
      test(`${row.header}: Chromium ${row.chromium ? "allows" : "blocks"} (${row.fetch})`, async (t) => {
        const spec: ProbeSpec = {
          kind: "fetch",
          url: `${rawOrigin}/${row.header}`,
          init: { headers: { [row.header]: "v1" } },
          headers: [],
        };
        const result = await pages.app.evaluate(probe, spec);
        t.diagnostic(`chromium: ${JSON.stringify(result)}`);
        assert.ok(preflighted.includes(row.header), `preflights: ${preflighted.join(" | ")}`);
        assert.equal(
          result.ok,
          row.chromium,
          "Chromium changed: if it now follows the Fetch Standard, update CHROMIUM_ITSELF",
        );
      });
    }
  });

  test("Chromium sends Origin but no Sec-Fetch-* to a plain-http (not trustworthy) origin", () => {
    const fromBrowser = upstream.seen.filter((s) => s.headers.origin !== undefined);
    assert.ok(fromBrowser.length > 0);
    for (const seen of fromBrowser) {
      const fetchMetadata = Object.keys(seen.headers).filter((h) => h.startsWith("sec-fetch-"));
      assert.deepEqual(fetchMetadata, [], `${seen.method} ${seen.url}`);
    }
  });
});

function assertBody(kind: Kind, result: ProbeResult & { ok: true }, id: string, method: string) {
  switch (kind) {
    case "SSE over fetch":
      assert.equal(result.body, EVENTS.map((e) => `data: ${e}\n\n`).join(""));
      // Spaced events arrive in separate reads: nothing on the way buffers the stream.
      assert.ok(result.reads >= 2, `${result.reads} read(s)`);
      return;
    case "EventSource":
    case "EventSource withCredentials":
      assert.equal(result.body, EVENTS.join("\n"));
      return;
    case "WebSocket":
      assert.equal(result.body, "ping");
      return;
    case "exposed vs unexposed header":
      assert.deepEqual(result.exposed, { "x-request-id": `req-${id}`, "x-secret": null });
      break;
  }
  assert.equal(result.status, 200);
  assert.equal(result.type, "cors");
  assert.deepEqual(JSON.parse(result.body), { ok: true, method });
}
