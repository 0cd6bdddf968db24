/**
 * The doctor end to end on loopback: a raw server whose CORS answers each test controls, a real
 * Gatehouse door, the CLI's exit codes and --json, a golden human report, and unreachable.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { doctor, parseHeaderArg } from "../../src/cli/doctor.js";
import { TARGETS } from "../../src/doctor/fixes.js";
import { renderHuman } from "../../src/doctor/render.js";
import type { Transport } from "../../src/doctor/run.js";
import { runDoctor } from "../../src/doctor/run.js";
import { checkConfigText } from "../../src/door/config/index.js";
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
    assert.match(r.out, /ALLOWED in every browser/);
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
    // A loopback page: credentials for a plain-http one are never granted (tested below).
    const r = await cli([
      url(),
      "--origin",
      "http://localhost:5173",
      "--credentials",
      "--for",
      "all",
    ]);
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
    const text = `${renderHuman(report, { verbose: true, targets: TARGETS })}\n`;
    const file = new URL("./golden/blocked-put.txt", import.meta.url);
    if (process.env.UPDATE_GOLDEN === "1" || !existsSync(file)) writeFileSync(file, text);
    assert.equal(text, readFileSync(file, "utf8"));
    assert.equal(report.exitCode, 1);
  });
});

describe("--for: one target's fix", () => {
  let server: RawServer;
  before(async () => {
    // CORS for nobody: every target's fix is due.
    server = await startRawServer((req) => ({
      status: req.method === "OPTIONS" ? 204 : 200,
      lines: [["Access-Control-Allow-Origin", "https://other.example.test"]],
    }));
  });
  after(() => server.close());
  const run = (...more: string[]) =>
    cli([`http://127.0.0.1:${server.port}/v1/chat`, "--origin", APP, "-X", "PUT", ...more]);
  const MARKERS = {
    gatehouse: /Fix in Gatehouse \(gatehouse\.yaml\)/,
    nginx: /Fix for nginx:\n {4}# http \{ \}/,
    express: /Fix for Express \(cors\):\n {4}import cors from "cors";/,
    fastify: /Fix for Fastify \(@fastify\/cors\):\n {4}import cors from "@fastify\/cors";/,
  } as const;

  for (const [flag, shown] of [
    [[], ["gatehouse"]],
    [["--for", "gatehouse"], ["gatehouse"]],
    [["--for", "nginx"], ["nginx"]],
    [["--for", "express"], ["express"]],
    [["--for", "fastify"], ["fastify"]],
    [
      ["--for", "all"],
      ["gatehouse", "nginx", "express", "fastify"],
    ],
  ] as const) {
    test(`${flag.join(" ") || "(default)"}: ${shown.join(", ")}`, async () => {
      const r = await run(...flag);
      assert.equal(r.code, 1);
      for (const [target, marker] of Object.entries(MARKERS)) {
        if ((shown as readonly string[]).includes(target)) assert.match(r.out, marker, target);
        else assert.doesNotMatch(r.out, marker, target);
      }
      if (shown.length === 1) assert.match(r.out, /--for [a-z|]+ for another server/);
    });
  }
  test("--json carries every target whatever --for says", async () => {
    const r = await run("--for", "nginx", "--json");
    const fix = (JSON.parse(r.out) as { fix: Record<string, unknown> }).fix;
    for (const target of TARGETS) assert.ok(fix[target] !== null, target);
  });
  test("an unknown target is a usage error", async () => {
    const r = await run("--for", "caddy");
    assert.equal(r.code, 2);
    assert.match(r.err, /--for takes gatehouse, nginx, express, fastify or all, not "caddy"/);
  });
});

describe("credentials for a plain-http origin: explained, never suggested", () => {
  let upstream: RecordingUpstream;
  let door: RunningDoor;
  const PLAIN = "http://app.example.test";
  before(async () => {
    upstream = await recordingUpstream();
    door = await startDoor(
      testConfig([upstreamRoute(upstream.url)], {
        debugHeader: true,
        cors: { allowOrigins: [PLAIN] },
      }),
    );
  });
  after(async () => {
    await door.close();
    await upstream.close();
  });

  test("the report says why and what to do instead, and grants nothing", async () => {
    for (const target of TARGETS) {
      const r = await cli([
        `${door.url}/v1/x`,
        "--origin",
        PLAIN,
        "--credentials",
        "--for",
        target,
      ]);
      assert.equal(r.code, 1);
      const text = r.out.replace(/\n +/g, " ");
      assert.match(
        text,
        /\[GH_DOCTOR_INSECURE_CREDENTIALS\] Not granted: http:\/\/app\.example\.test is a plain-http page/,
      );
      assert.match(text, /network path .* act as the signed-in user/);
      assert.match(text, /GH_CORS_ORIGIN_INSECURE/);
      assert.match(text, /serve the page over HTTPS and allow https:\/\/app\.example\.test/);
      assert.match(text, /loopback origin \(http:\/\/localhost:5173/);
      assert.doesNotMatch(r.out, /allowCredentials: true|credentials: true|Allow-Credentials true/);
      assert.doesNotMatch(r.out, /--for /, "no other target offers the grant either");
    }
    const json = JSON.parse(
      (await cli([`${door.url}/v1/x`, "--origin", PLAIN, "--credentials", "--json"])).out,
    ) as { fix: { refused: { code: string }; gatehouse: unknown; nginx: unknown } };
    assert.equal(json.fix.refused.code, "GH_DOCTOR_INSECURE_CREDENTIALS");
    assert.equal(json.fix.gatehouse, null);
    assert.equal(json.fix.nginx, null);
  });

  test("why: `gatehouse check` refuses the grant, and accepts the two ways out", () => {
    const config = (origin: string) =>
      `publicOrigin: http://gateway.test\nroutes: [{ match: /, upstream: "http://127.0.0.1:1" }]\ncors:\n  allowOrigins: [${origin}]\n  allowCredentials: true\n`;
    const codes = (origin: string) =>
      checkConfigText(config(origin), { file: "gatehouse.yaml" }).problems.map((p) => p.code);
    assert.deepEqual(codes(PLAIN), ["GH_CORS_ORIGIN_INSECURE"]);
    assert.deepEqual(codes("https://app.example.test"), []);
    assert.deepEqual(codes("http://localhost:5173"), []);
  });
});

describe("a server with no CORS at all: one origin first", () => {
  let server: RawServer;
  before(async () => {
    server = await startRawServer((req) => ({ status: req.method === "OPTIONS" ? 404 : 200 }));
  });
  after(() => server.close());

  test("serve --upstream and routes come before any CORS grant, and check accepts the routes", async () => {
    const api = `http://127.0.0.1:${server.port}`;
    const r = await cli([
      `${api}/v1/chat/completions`,
      "--origin",
      APP,
      "-X",
      "POST",
      "-H",
      "Content-Type",
    ]);
    assert.equal(r.code, 1);
    const lines = r.out.split("\n");
    assert.ok(lines.length <= 24, `one screen:\n${r.out}`);
    assert.match(
      r.out,
      /Root cause \[GH_DOCTOR_NO_CORS\]: the server sent no CORS headers at all$/m,
    );
    const best = lines.findIndex((l) => l.startsWith("Best fix, no CORS at all"));
    const grant = lines.findIndex((l) => l.includes("Fix in Gatehouse"));
    assert.ok(best > 0 && grant > best, "one origin is offered first");
    assert.equal(
      lines[best + 1],
      `  gatehouse serve --upstream ${api}   (if this server serves the page too)`,
    );
    assert.match(lines[best + 2] ?? "", /the page then calls \/v1\/chat\/completions:$/);
    // The routes, as printed, in a config of their own: `gatehouse check` accepts them.
    const routes = lines
      .slice(best + 3, grant)
      .filter((l) => l.startsWith("    "))
      .map((l) => l.slice(4))
      .join("\n");
    assert.match(routes, new RegExp(`match: /v1, upstream: "${api}"`));
    assert.match(routes, /match: \/, upstream: "http:\/\/app\.example\.test"/);
    const checked = checkConfigText(`publicOrigin: http://127.0.0.1:8080\n${routes}\n`, {
      file: "gatehouse.yaml",
    });
    assert.deepEqual(checked.problems, []);
    assert.deepEqual(
      checked.config?.routes.map((route) => route.match),
      ["/v1", "/"],
    );
  });

  test("a door without a cors section: a route for the page on it, then a new cors section", async () => {
    const upstream = await recordingUpstream();
    const door = await startDoor(
      testConfig([upstreamRoute(upstream.url, "/v1")], { debugHeader: true }),
    );
    try {
      const r = await cli([`${door.url}/v1/models`, "--origin", APP, "-X", "DELETE"]);
      assert.equal(r.code, 1);
      assert.match(r.out, /Root cause \[GH_DOCTOR_NO_CORS\]: the door has no CORS policy/);
      assert.match(r.out, /Best fix, no CORS at all: serve the page through this door too/);
      assert.match(r.out, /add a `cors` section; this door has none/);
      const page = r.out.split("\n").find((l) => l.includes("# where the page is served today"));
      // Added after the routes the config has: `gatehouse check` accepts the result.
      const text = `publicOrigin: http://127.0.0.1:8080\nroutes:\n  - { match: /v1, upstream: "${upstream.url}" }\n${(page ?? "").slice(4)}\n`;
      assert.deepEqual(checkConfigText(text, { file: "gatehouse.yaml" }).problems, []);
    } finally {
      await door.close();
      await upstream.close();
    }
  });
});

describe("golden: the default (one-screen) report of a door's refused method", () => {
  test("root cause, the lines that show it, and the change to make", async () => {
    // What a door with debugHeader answers (see the real-door tests in fixes.test.ts).
    const transport: Transport = async () => ({
      status: 403,
      statusText: "Forbidden",
      lines: [
        { name: "X-Gatehouse-Cors", value: "CORS_METHOD_NOT_ALLOWED" },
        {
          name: "Vary",
          value:
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
        },
        { name: "Content-Length", value: "0" },
      ],
    });
    const report = await runDoctor(
      {
        url: "https://gateway.example.com/v1/chat/completions",
        origin: "https://app.example.com",
        method: "PUT",
        headers: [["Content-Type", "application/json"]],
        credentials: true,
      },
      transport,
    );
    const text = `${renderHuman(report)}\n`;
    const file = new URL("./golden/door-refused-method.txt", import.meta.url);
    if (process.env.UPDATE_GOLDEN === "1" || !existsSync(file)) writeFileSync(file, text);
    assert.equal(text, readFileSync(file, "utf8"));
    assert.ok(text.split("\n").length <= 25);
  });
});

describe("the CLI in a child process", () => {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", "test/doctor/main.ts", "doctor", ...args],
        { cwd: root },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : (error.code as number), out: stdout, err: stderr }),
      );
    });

  test("a refused method: exit 1, the root cause on one screen", async () => {
    const upstream = await recordingUpstream();
    const door = await startDoor(
      testConfig([upstreamRoute(upstream.url)], {
        debugHeader: true,
        cors: { allowOrigins: [APP], allowHeaders: ["content-type"] },
      }),
    );
    try {
      const r = await run([`${door.url}/v1/x`, "--origin", APP, "-X", "PUT", "-H", "Content-Type"]);
      assert.equal(r.code, 1, r.err);
      assert.ok(r.out.trimEnd().split("\n").length <= 24, r.out);
      assert.match(r.out, /Root cause \[GH_DOCTOR_METHOD_NOT_ALLOWED\]/);
      assert.match(r.out, /- add PUT to `cors.allowMethods`/);
      const usage = await run([`${door.url}/v1/x`, "--origin", APP, "--for", "iis"]);
      assert.equal(usage.code, 2);
    } finally {
      await door.close();
      await upstream.close();
    }
  });
});
