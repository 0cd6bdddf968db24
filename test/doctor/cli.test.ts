/**
 * The doctor end to end on loopback: a raw server whose CORS answers each test controls, a real
 * Gatehouse door, the CLI's exit codes and --json, a golden human report, and unreachable.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { doctor, parseHeaderArg } from "../../src/cli/doctor.js";
import { renderHuman } from "../../src/doctor/render.js";
import type { Transport } from "../../src/doctor/run.js";
import { runDoctor } from "../../src/doctor/run.js";
import type { ObservedResponse } from "../../src/http-client/message.js";
import type { RecordingUpstream, RunningDoor } from "../door/fixtures.js";
import { recordingUpstream, startDoor, testConfig, upstreamRoute } from "../door/fixtures.js";
import type { RawServer } from "./server.js";
import { header, startRawServer } from "./server.js";

const APP = "http://app.example.test";

/** Runs the CLI, capturing what it prints. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await doctor.run(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe("gatehouse doctor against a controllable server", () => {
  let server: RawServer;
  before(async () => {
    server = await startRawServer(() => ({ status: 404 }));
  });
  after(() => server.close());
  const url = () => `http://127.0.0.1:${server.port}/v1/chat`;

  test("allowed: exit 0, preflight sent as Chromium does, readable headers listed", async () => {
    server.handler = (req) =>
      req.method === "OPTIONS"
        ? {
            status: 204,
            lines: [
              ["Access-Control-Allow-Origin", header(req, "origin") ?? ""],
              ["Access-Control-Allow-Methods", "PUT"],
              ["Access-Control-Allow-Headers", "content-type, x-b, x-a"],
            ],
          }
        : {
            status: 200,
            lines: [
              ["Access-Control-Allow-Origin", header(req, "origin") ?? ""],
              ["X-Request-Id", "1"],
              ["Access-Control-Expose-Headers", "x-request-id"],
            ],
          };
    server.seen.length = 0;
    const r = await cli([
      url(),
      "--origin",
      APP,
      "-X",
      "PUT",
      "-H",
      "X-B: 1",
      "-H",
      "x-a:2",
      "-H",
      "content-type",
    ]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Verdict: ALLOWED/);
    assert.match(r.out, /Script can read: .*x-request-id/);
    const pre = server.seen[0];
    assert.equal(pre?.method, "OPTIONS");
    assert.equal(header(pre!, "access-control-request-headers"), "content-type,x-a,x-b");
    assert.equal(header(pre!, "access-control-request-method"), "PUT");
    assert.equal(header(pre!, "origin"), APP);
    assert.equal(header(pre!, "x-a"), undefined, "a preflight never carries the request's headers");
    const act = server.seen[1];
    assert.equal(act?.method, "PUT");
    assert.equal(header(act!, "content-type"), "application/json");
  });

  test("lower-case patch is sent as written", async () => {
    server.handler = (req) => ({
      status: req.method === "OPTIONS" ? 204 : 200,
      lines: [
        ["Access-Control-Allow-Origin", "*"],
        ["Access-Control-Allow-Methods", "PATCH"],
      ],
    });
    server.seen.length = 0;
    const r = await cli([url(), "--origin", APP, "--method", "patch", "--json"]);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.out) as {
      verdict: string;
      engines: Record<string, string>;
      fix: { hints: { code: string }[] };
    };
    assert.equal(report.verdict, "blocked");
    assert.deepEqual(report.engines, { fetch: "blocked", chromium: "blocked", firefox: "blocked" });
    assert.deepEqual(
      report.fix.hints.map((h) => h.code),
      ["GH_DOCTOR_METHOD_NOT_ALLOWED"],
    );
    assert.equal(header(server.seen[0]!, "access-control-request-method"), "patch");
    assert.equal(server.seen.length, 1, "the request itself is not sent after a failed preflight");
  });

  test("Authorization under *: engines differ, counted as blocked (exit 1)", async () => {
    server.handler = (req) => ({
      status: req.method === "OPTIONS" ? 204 : 200,
      lines: [
        ["Access-Control-Allow-Origin", "*"],
        ["Access-Control-Allow-Headers", "*"],
      ],
    });
    const r = await cli([url(), "--origin", APP, "-H", "Authorization: Bearer x", "--json"]);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.out) as { engines: Record<string, string>; differences: string[] };
    assert.deepEqual(report.engines, { fetch: "blocked", chromium: "allowed", firefox: "blocked" });
    assert.match(report.differences[0] ?? "", /chromium allows it/);
  });

  test("credentials with ACAO *: blocked with the fix for every stack", async () => {
    server.handler = () => ({ status: 200, lines: [["Access-Control-Allow-Origin", "*"]] });
    const r = await cli([url(), "--origin", APP, "--credentials"]);
    assert.equal(r.code, 1);
    assert.match(r.out, /GH_DOCTOR_ACAO_WILDCARD_CREDENTIALS/);
    assert.match(r.out, /allowCredentials: true/);
    assert.match(r.out, /add_header Access-Control-Allow-Credentials true always;/);
    assert.match(r.out, /app\.use\(cors\(\{/);
    assert.match(r.out, /app\.register\(cors, \{/);
  });

  test("redirects are followed, and a cross-origin hop taints the origin", async () => {
    server.handler = (req) => {
      if (req.path === "/start") {
        return {
          status: 302,
          lines: [
            ["Access-Control-Allow-Origin", "*"],
            ["Location", `http://localhost:${server.port}/end`],
          ],
        };
      }
      return { status: 200, lines: [["Access-Control-Allow-Origin", header(req, "origin") ?? ""]] };
    };
    server.seen.length = 0;
    const r = await cli([`http://127.0.0.1:${server.port}/start`, "--origin", APP, "--json"]);
    assert.equal(r.code, 0, r.out);
    assert.equal(header(server.seen[1]!, "origin"), "null");
    assert.match(r.out, /GH_DOCTOR_REDIRECT_TAINTED/);
  });

  test("same-origin: CORS does not apply", async () => {
    const r = await cli([url(), "--origin", `http://127.0.0.1:${server.port}`]);
    assert.equal(r.code, 0);
    assert.match(r.out, /CORS does not apply/);
  });
});

describe("gatehouse doctor against a real Gatehouse door", () => {
  let upstream: RecordingUpstream;
  let door: RunningDoor;
  before(async () => {
    upstream = await recordingUpstream();
    door = await startDoor(
      testConfig([upstreamRoute(upstream.url)], {
        cors: {
          allowOrigins: [APP],
          allowMethods: ["PUT"],
          allowHeaders: ["x-custom"],
          exposeHeaders: ["x-request-id"],
        },
      }),
    );
  });
  after(async () => {
    await door.close();
    await upstream.close();
  });

  test("a request the policy grants is allowed", async () => {
    const r = await cli([
      `${door.url}/v1/models`,
      "--origin",
      APP,
      "-X",
      "PUT",
      "-H",
      "X-Custom: 1",
      "--json",
    ]);
    assert.equal(r.code, 0, r.out);
  });
  test("a header the policy does not grant: preflight 403, blocked", async () => {
    const r = await cli([
      `${door.url}/v1/models`,
      "--origin",
      APP,
      "-H",
      "Authorization: Bearer t",
    ]);
    assert.equal(r.code, 1);
    assert.match(r.out, /GH_DOCTOR_PREFLIGHT_STATUS/);
    assert.match(r.out, /allowHeaders: \[authorization\]/);
  });
  test("another origin is blocked", async () => {
    const r = await cli([`${door.url}/v1/models`, "--origin", "http://evil.example.test"]);
    assert.equal(r.code, 1);
    assert.match(r.out, /GH_DOCTOR_ACAO_MISSING/);
  });
});

describe("gatehouse doctor: unreachable and usage", () => {
  test("nothing listening: exit 2", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", () => resolve()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const r = await cli([`http://127.0.0.1:${port}/`, "--origin", APP, "--json"]);
    assert.equal(r.code, 2);
    assert.equal((JSON.parse(r.out) as { verdict: string }).verdict, "unreachable");
  });
  test("usage errors: exit 2", async () => {
    assert.equal((await cli(["http://x.test/"])).code, 2);
    assert.equal((await cli(["--origin", APP])).code, 2);
    assert.equal((await cli(["http://x.test/", "--origin", "http://app.test/"])).code, 2);
    assert.equal((await cli(["http://x.test/", "--origin", APP, "-X", "TRACE"])).code, 2);
    assert.equal((await cli(["--help"])).code, 0);
  });
  test("header arguments", () => {
    assert.deepEqual(parseHeaderArg("X-A: b: c"), ["X-A", "b: c"]);
    assert.deepEqual(parseHeaderArg("Content-Type"), ["Content-Type", "application/json"]);
    assert.deepEqual(parseHeaderArg("x-y"), ["x-y", "x"]);
  });
});

describe("golden human report", () => {
  test("blocked PUT with credentials and a custom header", async () => {
    const answers: Record<string, ObservedResponse> = {
      OPTIONS: {
        status: 204,
        statusText: "No Content",
        lines: [
          { name: "Access-Control-Allow-Origin", value: "*" },
          { name: "Access-Control-Allow-Methods", value: "GET, POST, put" },
          { name: "Access-Control-Allow-Headers", value: "*" },
          { name: "Access-Control-Max-Age", value: "86400" },
        ],
      },
    };
    const transport: Transport = async (req) => answers[req.method] ?? { status: 500, lines: [] };
    const report = await runDoctor(
      {
        url: "https://api.example.com/v1/chat/completions",
        origin: "https://app.example.com",
        method: "PUT",
        headers: [
          ["Content-Type", "application/json"],
          ["X-Request-Id", "42"],
        ],
        credentials: true,
      },
      transport,
    );
    const text = `${renderHuman(report)}\n`;
    const file = new URL("./golden/blocked-put.txt", import.meta.url);
    if (process.env.UPDATE_GOLDEN === "1" || !existsSync(file)) writeFileSync(file, text);
    assert.equal(text, readFileSync(file, "utf8"));
    assert.equal(report.exitCode, 1);
  });
});
