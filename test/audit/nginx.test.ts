/**
 * `gatehouse audit` against nginx configured with the classic copy-paste mistake:
 *
 *   add_header Access-Control-Allow-Origin $http_origin always;
 *   add_header Access-Control-Allow-Credentials true always;
 *
 * nginx runs as a child process (daemon off) from a generated configuration in a temporary
 * directory, listens on 127.0.0.1 on a free port, and is stopped by its PID. When nginx is not
 * installed, this test is skipped with a message (CI: add nginx-light to APT_PACKAGES).
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { AuditReport } from "../../src/audit/report.js";
import { runAuditCli } from "./helpers.js";

function findNginx(): string | null {
  for (const candidate of [
    "nginx",
    "/usr/sbin/nginx",
    "/usr/local/sbin/nginx",
    "/usr/local/bin/nginx",
  ]) {
    const probe = spawnSync(candidate, ["-v"], { stdio: "ignore" });
    if (probe.error === undefined && probe.status === 0) return candidate;
  }
  return null;
}

const NGINX = findNginx();
const SKIP =
  NGINX === null
    ? "nginx is not installed: install nginx-light (or nginx), e.g. add it to APT_PACKAGES in .ci/run"
    : false;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.on("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen on ${port} within ${timeoutMs} ms`);
}

describe("nginx echoing $http_origin with credentials", { skip: SKIP }, () => {
  let dir = "";
  let child: ChildProcess | null = null;
  let url = "";

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-audit-nginx-"));
    for (const sub of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
      mkdirSync(join(dir, sub));
    }
    const port = await freePort();
    const conf = join(dir, "nginx.conf");
    writeFileSync(
      conf,
      `worker_processes 1;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location / {
      add_header Access-Control-Allow-Origin $http_origin always;
      add_header Access-Control-Allow-Credentials true always;
      default_type application/json;
      return 200 '{"models":[]}';
    }
  }
}
`,
    );
    child = spawn(
      NGINX ?? "nginx",
      ["-p", dir, "-e", `${dir}/error.log`, "-c", conf, "-g", `daemon off; pid ${dir}/nginx.pid;`],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      await waitForPort(port, child);
    } catch (error) {
      const log = existsSync(join(dir, "error.log"))
        ? readFileSync(join(dir, "error.log"), "utf8")
        : "";
      throw new Error(`${(error as Error).message}\n${stderr}\n${log}`);
    }
    url = `http://127.0.0.1:${port}/v1/models`;
  });

  after(async () => {
    const running = child;
    if (running !== null && running.exitCode === null && running.pid !== undefined) {
      const exited = new Promise((resolve) => running.once("exit", resolve));
      process.kill(running.pid, "SIGTERM"); // the master, by its PID; it stops its worker
      await exited;
    }
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  test("the reflection is critical, with nginx's own response lines as evidence", async () => {
    const run = await runAuditCli([url, "--json"]);
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout) as AuditReport;
    const reflected = report.findings.find((f) => f.code === "GH_AUDIT_ORIGIN_REFLECTED");
    assert.ok(reflected, run.stdout);
    assert.equal(reflected.severity, "critical");
    assert.equal(reflected.credentials, true);
    assert.deepEqual(reflected.evidence.response.slice(0, 3), [
      "HTTP/1.1 200 OK",
      `Access-Control-Allow-Origin: ${reflected.origin}`,
      "Access-Control-Allow-Credentials: true",
    ]);
    // $http_origin is copied verbatim, so `null` is granted too: by the same reflection.
    assert.ok(reflected.alsoAccepted.includes("null"));
    assert.ok(!report.findings.some((f) => f.code === "GH_AUDIT_NULL_ORIGIN"));
    // And nothing says Vary: Origin although the answer depends on it.
    assert.equal(report.findings.find((f) => f.code === "GH_AUDIT_VARY_MISSING")?.severity, "high");
  });
});
