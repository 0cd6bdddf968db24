/**
 * `gatehouse serve` as users run it: the built CLI in a child process, on a free loopback port.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(root, "bin", "gatehouse.js");

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the CLI and waits for the "listening on" line. */
function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, PORT: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 20 s:\n${out}`)), 20_000);
    const check = () => {
      const m = /listening on (http:\/\/[\d.:[\]]+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({
          child,
          url: m[1] as string,
          output: () => out,
          stop: async (signal = "SIGTERM") => {
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`exited ${code}:\n${out}`), { code, out }));
    });
  });
}

test("without --config: the embedded demo serves UI, streaming chat and WebSocket on one origin", async () => {
  const door = await start(["serve", "--listen", "127.0.0.1:0"]);
  try {
    const ui = await fetch(`${door.url}/`);
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /<html/i);
    const models = (await (await fetch(`${door.url}/v1/models`)).json()) as {
      data: { id: string }[];
    };
    assert.ok(models.data.length > 0);
    const chat = await fetch(`${door.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: models.data[0]?.id,
        messages: [{ role: "user", content: "hello" }],
        stream: true,
      }),
    });
    assert.equal(chat.status, 200);
    assert.match(chat.headers.get("content-type") ?? "", /text\/event-stream/);
    const text = await chat.text();
    assert.match(text, /data: \[DONE\]/);
    const ws = new WebSocket(`${door.url.replace("http", "ws")}/ws`);
    const hello = await new Promise<string>((resolve, reject) => {
      ws.once("message", (data) => resolve(data.toString()));
      ws.once("error", reject);
    });
    assert.match(hello, /hello/);
    ws.close();
    assert.match(door.output(), /public origin/);
    assert.equal(await door.stop("SIGTERM"), 0);
  } finally {
    door.child.kill("SIGKILL");
  }
});

test("with --config: serves it; SIGINT drains and exits 0", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-serve-"));
  try {
    writeFileSync(join(dir, "ui.html"), "x");
    const file = join(dir, "gatehouse.yaml");
    writeFileSync(
      file,
      `listen: 127.0.0.1:0\nroutes:\n  - match: /\n    static: ${dir}\nlog:\n  level: warn\n`,
    );
    const door = await start(["serve", "--config", file]);
    const reply = await fetch(`${door.url}/ui.html`);
    assert.equal(reply.status, 200);
    assert.equal(await door.stop("SIGINT"), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a bad config exits 1 and lists every problem", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-serve-"));
  try {
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      "routes:\n  - match: v1\n    upstream: ftp://x\ncors:\n  allowOrigins: ['*']\n  allowCredentials: true\n",
    );
    await assert.rejects(
      start(["serve", "--config", file]),
      (error: { code?: number; out?: string }) => {
        assert.equal(error.code, 1);
        assert.match(error.out ?? "", /GH_CONFIG_ROUTE_MATCH_INVALID/);
        assert.match(error.out ?? "", /GH_CONFIG_UPSTREAM_INVALID/);
        assert.match(error.out ?? "", /GH_CORS_ORIGIN_WILDCARD_CREDENTIALS/);
        return true;
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--workers 2 serves from two processes and stops cleanly", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-serve-"));
  try {
    writeFileSync(join(dir, "a.txt"), "a");
    const file = join(dir, "gatehouse.yaml");
    // A fixed port: cluster workers share the primary's listening socket.
    const port = 20000 + Math.floor(Math.random() * 20000);
    writeFileSync(
      file,
      `listen: 127.0.0.1:${port}\nroutes:\n  - match: /\n    static: ${dir}\nlog:\n  level: info\n  format: json\n`,
    );
    const door = await start(["serve", "--config", file, "--workers", "2"]);
    const deadline = Date.now() + 15_000;
    const pids = new Set<string>();
    while (pids.size < 2 && Date.now() < deadline) {
      try {
        const reply = await fetch(`http://127.0.0.1:${port}/a.txt`, {
          headers: { connection: "close" },
        });
        assert.equal(reply.status, 200);
      } catch {
        // workers still starting
      }
      for (const m of door.output().matchAll(/"pid":(\d+),"method":"GET"/g))
        pids.add(m[1] as string);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(pids.size, 2, "requests were served by two worker processes");
    assert.equal(await door.stop("SIGTERM"), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("SIGHUP applies a good config file whole, and refuses a bad one while the old keeps serving", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-serve-"));
  try {
    writeFileSync(join(dir, "a.txt"), "a");
    mkdirSync(join(dir, "v2"));
    writeFileSync(join(dir, "v2", "a.txt"), "v2");
    const file = join(dir, "gatehouse.yaml");
    const yaml = (root: string) =>
      `listen: 127.0.0.1:0\nroutes:\n  - match: /\n    static: ${root}\nlog:\n  level: info\n  format: json\n`;
    writeFileSync(file, yaml(dir));
    const door = await start(["serve", "--config", file]);
    assert.equal(await (await fetch(`${door.url}/a.txt`)).text(), "a");
    writeFileSync(file, yaml(join(dir, "v2")));
    door.child.kill("SIGHUP");
    await waitFor(() => door.output().includes("configuration reloaded"));
    assert.equal(await (await fetch(`${door.url}/a.txt`)).text(), "v2");
    writeFileSync(file, "routes:\n  - match: nope\n");
    door.child.kill("SIGHUP");
    await waitFor(() => door.output().includes("configuration reload refused"));
    assert.match(door.output(), /GH_CONFIG_ROUTE_MATCH_INVALID/);
    assert.equal(
      await (await fetch(`${door.url}/a.txt`)).text(),
      "v2",
      "the previous configuration keeps serving",
    );
    assert.equal(await door.stop("SIGTERM"), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}
