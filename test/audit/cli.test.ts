/**
 * The `gatehouse audit` command: exit codes (2 when unreachable or misused), the `--json` shape,
 * and a golden human report rendered from a simulated server (no sockets, fixed nonce).
 *
 * Regenerate the golden file after an intended change of wording:
 *   UPDATE_GOLDEN=1 node --import tsx --test test/audit/cli.test.ts
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { describe, test } from "node:test";
import { AUDIT_FINDING_CODES } from "../../src/audit/codes.js";
import { buildProbes } from "../../src/audit/probes.js";
import { exitCode, renderHuman, renderJson } from "../../src/audit/render.js";
import { buildReport } from "../../src/audit/report.js";
import { closeServer, headerOf, listen, originOf, runAuditCli, simulate } from "./helpers.js";

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await closeServer(server);
  return url;
}

describe("exit 2", () => {
  test("an unreachable target exits 2 and says why", async () => {
    const url = await closedPortUrl();
    const run = await runAuditCli([url]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      /^gatehouse audit: could not reach http:\/\/127\.0\.0\.1:\d+\/: .*ECONNREFUSED/,
    );
  });

  test("--json: an unreachable target is a JSON object too", async () => {
    const url = await closedPortUrl();
    const run = await runAuditCli([url, "--json"]);
    assert.equal(run.code, 2);
    const body = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(body.ok, false);
    assert.equal(body.reachable, false);
    assert.equal(body.target, `${url}/`);
    assert.match(String(body.error), /could not reach/);
  });

  test("an unreachable --ws endpoint exits 2 even when the HTTP target answers", async () => {
    const server = createServer((_req, res) => res.end("ok"));
    const url = await listen(server);
    try {
      const ws = (await closedPortUrl()).replace("http:", "ws:");
      const run = await runAuditCli([url, "--ws", ws]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /could not reach/);
    } finally {
      await closeServer(server);
    }
  });

  test("a refused connection within the timeout is unreachable, not a hang", async () => {
    const url = await closedPortUrl();
    const started = Date.now();
    const run = await runAuditCli([url, "--timeout", "2000"]);
    assert.equal(run.code, 2);
    assert.ok(Date.now() - started < 2_000);
  });

  for (const [args, message] of [
    [[], /URL to audit is required/],
    [["ftp://x.test/"], /must start with http:\/\/ or https:\/\//],
    [["not a url"], /is not a URL/],
    [["http://a.test/", "http://b.test/"], /unexpected argument/],
    [["http://a.test/", "--ws", "ftp://x"], /--ws/],
    [["http://a.test/", "--trusted", "https://a.test/path"], /--trusted: .*path/],
    [["http://a.test/", "--timeout", "soon"], /--timeout/],
    [["http://a.test/", "--frobnicate"], /Unknown option/],
  ] as const) {
    test(`usage error: ${args.join(" ") || "(no arguments)"}`, async () => {
      const run = await runAuditCli(args);
      assert.equal(run.code, 2);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /Usage: gatehouse audit URL/);
    });
  }

  test("--help exits 0", async () => {
    const run = await runAuditCli(["--help"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Exit status: 0 no findings/);
  });
});

describe("--json", () => {
  test("a clean server: ok, counts, no findings, exit 0", async () => {
    const server = createServer((_req, res) => res.end("ok"));
    const url = await listen(server);
    try {
      const run = await runAuditCli([`${url}/x?y=1`, "--json"]);
      assert.equal(run.code, 0);
      const report = JSON.parse(run.stdout) as Record<string, unknown>;
      assert.deepEqual(Object.keys(report), [
        "ok",
        "target",
        "ws",
        "trusted",
        "probes",
        "summary",
        "findings",
        "errors",
      ]);
      assert.equal(report.ok, true);
      assert.equal(report.target, `${url}/x?y=1`);
      assert.equal(report.ws, null);
      assert.deepEqual(report.summary, { critical: 0, high: 0, medium: 0, low: 0, info: 0 });
      assert.deepEqual(report.findings, []);
      const probes = report.probes as { sent: number; answered: number; failed: number };
      assert.equal(probes.failed, 0);
      assert.equal(probes.answered, probes.sent);
    } finally {
      await closeServer(server);
    }
  });

  test("each finding has code, severity, title, evidence, why, fix and the origins accepted", () => {
    const report = goldenReport();
    const json = JSON.parse(renderJson(report)) as { findings: Record<string, unknown>[] };
    assert.ok(json.findings.length > 3);
    for (const f of json.findings) {
      assert.deepEqual(Object.keys(f), [
        "code",
        "severity",
        "title",
        "probe",
        "origin",
        "credentials",
        "evidence",
        "why",
        "fix",
        "alsoAccepted",
      ]);
      assert.ok(String(f.code) in AUDIT_FINDING_CODES);
      assert.ok(["critical", "high", "medium", "low", "info"].includes(String(f.severity)));
      const evidence = f.evidence as { request: string[]; response: string[] };
      assert.match(evidence.request[0] ?? "", /^(GET|OPTIONS) \S+ HTTP\/1\.1$/);
      assert.match(evidence.response[0] ?? "", /^HTTP\/1\.1 \d{3}/);
      const fix = f.fix as { gatehouse: string[]; generic: string };
      assert.ok(fix.gatehouse.length > 0 && fix.generic.length > 0);
    }
  });
});

/**
 * A server whose CORS check is `origin.endsWith("example.com")` with credentials and no Vary, a
 * preflight that copies the requested headers, and a WebSocket endpoint that accepts anyone.
 */
function goldenReport() {
  const target = new URL("https://api.example.com/v1/chat/completions");
  const ws = new URL("wss://api.example.com/ws");
  const trusted = ["https://app.example.com"];
  const probes = buildProbes({ target, ws, trusted, nonce: "c0ffee" });
  const exchanges = simulate(probes, (req) => {
    if (req.kind === "websocket") return { status: 101, headers: { upgrade: "websocket" } };
    const origin = originOf(req);
    const headers: Record<string, string> = {};
    if (origin?.endsWith("example.com")) {
      headers["access-control-allow-origin"] = origin;
      headers["access-control-allow-credentials"] = "true";
      if (req.method === "OPTIONS") {
        headers["access-control-allow-methods"] = "GET, POST";
        const asked = headerOf(req, "access-control-request-headers");
        if (asked !== undefined) headers["access-control-allow-headers"] = asked;
      }
    }
    return { status: req.method === "OPTIONS" ? 204 : 200, headers };
  });
  return buildReport({ target, ws, trusted, probes, exchanges });
}

test("golden: the human report of a server with an endsWith() origin check", () => {
  const report = goldenReport();
  assert.equal(exitCode(report), 1);
  const text = `${renderHuman(report)}\n`;
  const file = new URL("./golden/endswith-report.txt", import.meta.url);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, text);
  assert.equal(text, readFileSync(file, "utf8"), "UPDATE_GOLDEN=1 to regenerate");
});
