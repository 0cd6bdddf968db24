/**
 * `gatehouse audit` against servers built on real libraries with known-bad settings, each of
 * which must be found, and against Gatehouse itself with a strict configuration, which must
 * yield nothing. Every server listens on 127.0.0.1 port 0 and is closed after its test.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { serve } from "@hono/node-server";
import cors from "cors";
import express from "express";
import { Hono } from "hono";
import { cors as honoCors } from "hono/cors";
import { WebSocketServer } from "ws";
import type { AuditReport } from "../../src/audit/report.js";
import { checkConfigText } from "../../src/door/config/index.js";
import type { RecordingUpstream, RunningDoor } from "../door/fixtures.js";
import { recordingUpstream, startDoor, testConfig, upstreamRoute } from "../door/fixtures.js";
import { closeServer, listen, runAuditCli } from "./helpers.js";

type JsonReport = AuditReport & { ok: boolean };

async function auditJson(args: readonly string[]): Promise<{ code: number; report: JsonReport }> {
  const run = await runAuditCli([...args, "--json"]);
  return { code: run.code, report: JSON.parse(run.stdout) as JsonReport };
}

function codes(report: AuditReport): string[] {
  return report.findings.map((f) => f.code);
}

function finding(report: AuditReport, code: string) {
  const f = report.findings.find((x) => x.code === code);
  assert.ok(f, `expected ${code} among ${codes(report).join(", ")}`);
  return f;
}

describe("Express + cors({ origin: true, credentials: true })", () => {
  let server: ReturnType<express.Express["listen"]>;
  let url = "";
  before(async () => {
    const app = express();
    app.use(cors({ origin: true, credentials: true }));
    app.get("/api/me", (_req, res) => {
      res.json({ user: "alice" });
    });
    server = createServer(app);
    url = `${await listen(server)}/api/me`;
  });
  after(() => closeServer(server));

  test("critical reflection and null findings; exit 1", async () => {
    const { code, report } = await auditJson([url]);
    assert.equal(code, 1);
    assert.equal(report.ok, false);
    const reflected = finding(report, "GH_AUDIT_ORIGIN_REFLECTED");
    assert.equal(reflected.severity, "critical");
    assert.equal(reflected.credentials, true);
    assert.match(reflected.evidence.request[0] ?? "", /^GET \/api\/me HTTP\/1\.1$/);
    assert.ok(reflected.evidence.response.includes("Access-Control-Allow-Credentials: true"));
    assert.ok(reflected.alsoAccepted.length > 40, "the look-alikes fold into the reflection");
    // `null` is echoed by the same reflection: under it, not a finding of its own.
    assert.ok(reflected.alsoAccepted.includes("null"));
    assert.match(reflected.why, /echoes `Origin: null` the same way/);
    assert.ok(!codes(report).includes("GH_AUDIT_NULL_ORIGIN"));
    // cors() reflects Access-Control-Request-Headers when allowedHeaders is not set.
    assert.equal(finding(report, "GH_AUDIT_PREFLIGHT_ANY_HEADER").severity, "medium");
    // Look-alike families are not reported separately once any origin is reflected.
    assert.ok(!codes(report).includes("GH_AUDIT_POSTDOMAIN"));
    assert.equal(report.summary.critical, 1);
    assert.equal(report.probes.failed, 0);
  });

  test("the human report leads with the critical findings", async () => {
    const run = await runAuditCli([url]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /== CRITICAL =+\n\nCRITICAL {2}GH_AUDIT_ORIGIN_REFLECTED/);
    assert.match(run.stdout, /Also accepted \(\d+\):\n {4}null\n/);
    assert.match(run.stdout, /> Origin: https:\/\/gh-audit-[0-9a-f]+\.evil\.example/);
    assert.match(run.stdout, /Why: /);
    assert.match(run.stdout, /In Gatehouse:\n {4}cors:/);
  });
});

describe("Express + cors with regular expressions", () => {
  const servers: ReturnType<typeof createServer>[] = [];
  let unanchored = "";
  let unescaped = "";
  before(async () => {
    const make = async (origin: RegExp) => {
      const app = express();
      app.use(cors({ origin, credentials: true }));
      app.get("/", (_req, res) => {
        res.send("ok");
      });
      const server = createServer(app);
      servers.push(server);
      return listen(server);
    };
    unanchored = await make(/example\.com/);
    unescaped = await make(/^https:\/\/app.example.com$/);
  });
  after(() => Promise.all(servers.map(closeServer)));

  test("an unanchored /example\\.com/ lets post-domain and pre-domain look-alikes in", async () => {
    const { code, report } = await auditJson([unanchored, "--trusted", "https://app.example.com"]);
    assert.equal(code, 1);
    assert.ok(!codes(report).includes("GH_AUDIT_ORIGIN_REFLECTED"));
    const post = finding(report, "GH_AUDIT_POSTDOMAIN");
    assert.equal(post.severity, "critical");
    assert.equal(post.origin, "https://app.example.com.evil.example");
    assert.equal(finding(report, "GH_AUDIT_PREDOMAIN").origin, "https://evilexample.com");
    // appxexample.com passes because it contains example.com, not through an unescaped dot.
    assert.ok(!codes(report).includes("GH_AUDIT_UNESCAPED_DOT"));
    assert.ok(
      finding(report, "GH_AUDIT_PREDOMAIN").alsoAccepted.includes("https://appxexample.com"),
    );
    assert.equal(finding(report, "GH_AUDIT_SPECIAL_CHARACTERS").severity, "high");
    assert.equal(finding(report, "GH_AUDIT_INSECURE_ORIGIN").origin, "http://app.example.com");
    assert.ok(!codes(report).includes("GH_AUDIT_NULL_ORIGIN"));
    assert.ok(!codes(report).includes("GH_AUDIT_THIRD_PARTY"));
  });

  test("an anchored but unescaped /^https:\\/\\/app.example.com$/ is found by the dot probes only", async () => {
    const { code, report } = await auditJson([unescaped, "--trusted", "https://app.example.com"]);
    assert.equal(code, 1);
    const dot = finding(report, "GH_AUDIT_UNESCAPED_DOT");
    assert.equal(dot.severity, "critical");
    assert.equal(dot.origin, "https://appxexample.com");
    assert.ok(dot.alsoAccepted.includes("https://app.examplexcom"));
    // Origin-family findings: only the dot. (cors() also reflects any requested header.)
    const originFamilies = codes(report).filter((c) => c !== "GH_AUDIT_PREFLIGHT_ANY_HEADER");
    assert.deepEqual(originFamilies, ["GH_AUDIT_UNESCAPED_DOT"]);
  });
});

describe("Hono + hono/cors({ origin: '*', credentials: true })", () => {
  let server: ReturnType<typeof serve>;
  let url = "";
  before(async () => {
    const app = new Hono();
    app.use("*", honoCors({ origin: "*", credentials: true }));
    app.get("/v1/models", (c) => c.json({ data: [] }));
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
        url = `http://127.0.0.1:${info.port}/v1/models`;
        resolve();
      });
    });
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  );

  test("wildcard with credentials is reported (medium)", async () => {
    const { code, report } = await auditJson([url]);
    assert.equal(code, 1);
    const f = finding(report, "GH_AUDIT_WILDCARD_CREDENTIALS");
    assert.equal(f.severity, "medium");
    assert.ok(f.evidence.response.includes("Access-Control-Allow-Origin: *"));
    assert.ok(f.evidence.response.includes("Access-Control-Allow-Credentials: true"));
    assert.ok(!codes(report).includes("GH_AUDIT_ORIGIN_REFLECTED"));
  });
});

describe("ws WebSocketServer without an origin check", () => {
  let wss: WebSocketServer;
  let port = 0;
  before(async () => {
    wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise<void>((resolve) => wss.on("listening", () => resolve()));
    port = (wss.address() as { port: number }).port;
    wss.on("connection", (socket) => socket.send("welcome, operator"));
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  );

  test("--ws finds upgrades accepted from foreign and null origins", async () => {
    const { code, report } = await auditJson([
      `http://127.0.0.1:${port}/`,
      "--ws",
      `ws://127.0.0.1:${port}/`,
    ]);
    assert.equal(code, 1);
    assert.deepEqual(codes(report), ["GH_AUDIT_WEBSOCKET_ORIGIN"]);
    const f = finding(report, "GH_AUDIT_WEBSOCKET_ORIGIN");
    assert.equal(f.severity, "high");
    assert.ok(f.evidence.request.includes("Upgrade: websocket"));
    assert.equal(f.evidence.response[0], "HTTP/1.1 101 Switching Protocols");
    assert.ok(f.alsoAccepted.includes("null"));
    assert.equal(report.ws, `ws://127.0.0.1:${port}/`);
  });

  test("without --ws the HTTP side alone has nothing to report", async () => {
    const { code, report } = await auditJson([`http://127.0.0.1:${port}/`]);
    assert.equal(code, 0);
    assert.deepEqual(report.findings, []);
  });
});

describe("a server that allows one exact origin but omits Vary: Origin", () => {
  let server: ReturnType<typeof createServer>;
  let url = "";
  before(async () => {
    server = createServer((req, res) => {
      if (req.headers.origin === "https://app.example.com") {
        res.setHeader("Access-Control-Allow-Origin", "https://app.example.com");
        res.setHeader("Access-Control-Allow-Credentials", "true");
      }
      res.setHeader("Cache-Control", "public, max-age=600");
      res.end("{}");
    });
    url = await listen(server);
  });
  after(() => closeServer(server));

  test("missing Vary is high, with the granting exchange as evidence", async () => {
    const { code, report } = await auditJson([url, "--trusted", "https://app.example.com"]);
    assert.equal(code, 1);
    assert.deepEqual(codes(report), ["GH_AUDIT_VARY_MISSING"]);
    const f = finding(report, "GH_AUDIT_VARY_MISSING");
    assert.equal(f.severity, "high");
    assert.equal(f.origin, "https://app.example.com");
    assert.ok(f.evidence.response.includes("Access-Control-Allow-Origin: https://app.example.com"));
  });

  test("without --trusted the audit never sees the grant, and says nothing", async () => {
    const { code } = await auditJson([url]);
    assert.equal(code, 0);
  });
});

describe("Gatehouse with a strict configuration", () => {
  let upstream: RecordingUpstream;
  let gw: RunningDoor;
  before(async () => {
    upstream = await recordingUpstream();
    gw = await startDoor(
      testConfig([upstreamRoute(upstream.url)], {
        cors: {
          allowOrigins: ["https://app.example.com"],
          allowCredentials: true,
          allowMethods: ["PUT"],
          allowHeaders: ["content-type", "authorization"],
        },
      }),
    );
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  test("zero findings and exit 0, with --ws and a trusted origin", async () => {
    const run = await runAuditCli([
      `${gw.url}/v1/models`,
      "--ws",
      `ws://127.0.0.1:${gw.port}/ws`,
      "--trusted",
      "https://app.example.com",
    ]);
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /No findings\./);
    const json = await auditJson([
      `${gw.url}/v1/models`,
      "--ws",
      `ws://127.0.0.1:${gw.port}/ws`,
      "--trusted",
      "https://app.example.com",
    ]);
    assert.equal(json.code, 0);
    assert.equal(json.report.ok, true);
    assert.deepEqual(json.report.findings, []);
    assert.equal(json.report.probes.failed, 0);
    assert.ok(json.report.probes.sent > 150);
    // Every WebSocket probe was refused by the door: none reached the upstream.
    assert.equal(upstream.upgrades.length, 0);
    // The trusted origin really was granted, so the audit saw the policy at work.
    const granted = upstream.seen.filter((s) => s.headers.origin === "https://app.example.com");
    assert.ok(granted.length >= 1);
  });

  test("a positive control: the same door with a permissive WebSocket allowlist is found", async () => {
    const loose = await startDoor(
      testConfig([upstreamRoute(upstream.url)], {
        cors: { allowOrigins: ["https://app.example.com"] },
        websocket: { allowOrigins: ["https://app.example.com.evil.example"] },
      }),
    );
    try {
      const { code, report } = await auditJson([
        loose.url,
        "--ws",
        `ws://127.0.0.1:${loose.port}/ws`,
        "--trusted",
        "https://app.example.com",
      ]);
      assert.equal(code, 1);
      assert.deepEqual(codes(report), ["GH_AUDIT_WEBSOCKET_ORIGIN"]);
      assert.equal(report.findings[0]?.origin, "https://app.example.com.evil.example");
    } finally {
      await loose.close();
    }
  });

  test("without any option too", async () => {
    const { code, report } = await auditJson([gw.url]);
    assert.equal(code, 0);
    assert.deepEqual(report.findings, []);
  });
});

describe("a suffix match and an unescaped dot are told apart", () => {
  const servers: ReturnType<typeof createServer>[] = [];
  let endsWith = "";
  let dotted = "";
  before(async () => {
    const make = async (origin: cors.CorsOptions["origin"]) => {
      const app = express();
      app.use(cors({ origin, credentials: true }));
      app.get("/", (_req, res) => {
        res.send("ok");
      });
      const server = createServer(app);
      servers.push(server);
      return listen(server);
    };
    // https://notexample.com passes `endsWith("example.com")`...
    endsWith = await make((origin, done) => done(null, origin?.endsWith("example.com") === true));
    // ...and https://evilexample.com passes /.example.com$/ because its first `.` is unescaped.
    dotted = await make(/^https:\/\/.*.example.com$/);
  });
  after(() => Promise.all(servers.map(closeServer)));

  test("endsWith(): a suffix match, with the dot look-alikes under it", async () => {
    const { code, report } = await auditJson([endsWith, "--trusted", "https://app.example.com"]);
    assert.equal(code, 1);
    assert.ok(!codes(report).includes("GH_AUDIT_UNESCAPED_DOT"), codes(report).join(", "));
    const suffix = finding(report, "GH_AUDIT_PREDOMAIN");
    assert.equal(suffix.origin, "https://evilexample.com");
    assert.match(suffix.title, /^A suffix match/);
    assert.ok(suffix.alsoAccepted.includes("https://appxexample.com"));
    assert.match(suffix.why, /this is a suffix match \(`endsWith`\), not an unescaped dot/);
  });

  test("an unescaped dot: the pre-domain look-alike under it, no suffix-match finding", async () => {
    const { code, report } = await auditJson([dotted, "--trusted", "https://app.example.com"]);
    assert.equal(code, 1);
    assert.ok(!codes(report).includes("GH_AUDIT_PREDOMAIN"), codes(report).join(", "));
    const dot = finding(report, "GH_AUDIT_UNESCAPED_DOT");
    assert.equal(dot.severity, "critical");
    // The proof: the domain's own dot replaced, which no suffix match accepts.
    assert.ok(dot.alsoAccepted.includes("https://app.examplexcom"));
    assert.ok(dot.alsoAccepted.includes("https://evilexample.com"));
    assert.match(
      dot.why,
      /https:\/\/evilexample\.com passes too: the expression's `\.` before the domain is unescaped/,
    );
  });
});

describe("`null` alone, without reflection, is its own finding", () => {
  let server: ReturnType<typeof createServer>;
  let url = "";
  before(async () => {
    const app = express();
    app.use(cors({ origin: ["null", "https://app.example.com"], credentials: true }));
    app.get("/", (_req, res) => {
      res.send("ok");
    });
    server = createServer(app);
    url = await listen(server);
  });
  after(() => closeServer(server));

  test("GH_AUDIT_NULL_ORIGIN, critical", async () => {
    const { report } = await auditJson([url, "--trusted", "https://app.example.com"]);
    assert.ok(!codes(report).includes("GH_AUDIT_ORIGIN_REFLECTED"));
    assert.equal(finding(report, "GH_AUDIT_NULL_ORIGIN").severity, "critical");
  });
});

describe("credentials granted to a plain-http origin", () => {
  let server: ReturnType<typeof createServer>;
  let url = "";
  const PLAIN = "http://app.example.test";
  const LOOPBACK = "http://localhost:5173";
  before(async () => {
    const app = express();
    app.use(
      cors({ origin: [PLAIN, LOOPBACK], credentials: true, allowedHeaders: ["content-type"] }),
    );
    app.get("/", (_req, res) => {
      res.send("ok");
    });
    server = createServer(app);
    url = await listen(server);
  });
  after(() => closeServer(server));

  test("a finding with severity, why and a fix that `gatehouse check` accepts", async () => {
    const { code, report } = await auditJson([url, "--trusted", PLAIN, "--trusted", LOOPBACK]);
    assert.equal(code, 1);
    const f = finding(report, "GH_AUDIT_INSECURE_CREDENTIALS");
    assert.equal(f.severity, "medium");
    assert.equal(f.origin, PLAIN);
    assert.equal(f.credentials, true);
    assert.ok(f.evidence.response.includes(`Access-Control-Allow-Origin: ${PLAIN}`));
    assert.match(f.why, /plain-http page .* network path/);
    assert.match(f.fix.generic, /HTTPS/);
    // The fix lists the https twin next to credentials; the loopback origin may stay.
    const fix = f.fix.gatehouse.join("\n");
    assert.match(fix, /allowOrigins: \[https:\/\/app\.example\.test, http:\/\/localhost:5173\]/);
    const config = `publicOrigin: http://gateway.test\nroutes: [{ match: /, upstream: "http://127.0.0.1:1" }]\n${fix}\n`;
    assert.deepEqual(checkConfigText(config, { file: "gatehouse.yaml" }).problems, []);
  });

  test("a loopback origin with credentials is no finding", async () => {
    const { code, report } = await auditJson([url, "--trusted", LOOPBACK]);
    assert.equal(code, 0, codes(report).join(", "));
  });
});

describe("the WebSocket fix names the door's publicOrigin, not the scanned address", () => {
  let wss: WebSocketServer;
  let port = 0;
  before(async () => {
    wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise<void>((resolve) => wss.on("listening", () => resolve()));
    port = (wss.address() as { port: number }).port;
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  );
  const fixOf = async (...more: string[]) => {
    const { report } = await auditJson([
      `http://127.0.0.1:${port}/`,
      "--ws",
      `ws://127.0.0.1:${port}/`,
      ...more,
    ]);
    return finding(report, "GH_AUDIT_WEBSOCKET_ORIGIN").fix.gatehouse.join("\n");
  };
  const check = (fix: string) =>
    checkConfigText(`${fix}\n`, { file: "gatehouse.yaml" }).problems.map((p) => p.code);

  test("--public-origin: that origin, and the scanned server as the door's upstream", async () => {
    const fix = await fixOf(
      "--public-origin",
      "https://claw.example.com",
      "--trusted",
      "https://app.example.com",
    );
    assert.match(fix, /^publicOrigin: https:\/\/claw\.example\.com {3}#/);
    assert.match(fix, new RegExp(`upstream: "http://127\\.0\\.0\\.1:${port}" \\}   # this server`));
    assert.match(fix, /allowOrigins: \[https:\/\/app\.example\.com\]/);
    assert.doesNotMatch(fix, /publicOrigin: http:\/\/127\.0\.0\.1/);
    assert.deepEqual(check(fix), []);
  });

  test("without it: a named placeholder, never the loopback address", async () => {
    const fix = await fixOf();
    assert.match(
      fix,
      /^publicOrigin: https:\/\/gateway\.example\.com {3}# the origin your users open \(audit --public-origin\)/,
    );
    assert.doesNotMatch(fix, /publicOrigin: http:\/\/127\.0\.0\.1/);
    assert.deepEqual(check(fix), []);
  });

  test("--public-origin is validated", async () => {
    const run = await runAuditCli([
      `http://127.0.0.1:${port}/`,
      "--public-origin",
      "https://a.test/x",
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--public-origin: .*path/);
  });
});
