/**
 * Starting the memory benchmark's servers (the pattern of targets.ts `startNode`: own process
 * group, pinned, tracked so that killAll() ends it) and reading their memory: VmRSS summed over
 * the process tree, and a GC on request (SIGUSR2, answered with process.memoryUsage()).
 */

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { processTree } from "../cpu.js";
import { track } from "../targets.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SERVER = "bench/proxy/memory/server.ts";

export interface Memory {
  /** VmRSS summed over the process tree, KiB. */
  readonly rssKiB: number;
  /** The root process's own view right after its GC (bytes). */
  readonly usage: NodeJS.MemoryUsage;
}

export interface MemServer {
  readonly kind: string;
  readonly pid: number;
  readonly port: number;
  /** Two full GCs in the server, then its tree's RSS. */
  settle(): Promise<Memory>;
  stop(): void;
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    try {
      child.kill("SIGKILL");
    } catch {}
  }
}

/** VmRSS of every process under `root` (root included), KiB. */
export function treeRssKiB(root: number): number {
  let total = 0;
  for (const pid of processTree(root)) {
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m !== null) total += Number(m[1]);
    } catch {
      // exited between the scan and the read
    }
  }
  return total;
}

export function startServer(
  kind: string,
  pin: readonly string[],
  upstream: string | null,
  options: { readonly env?: Record<string, string>; readonly nodeFlags?: readonly string[] } = {},
): Promise<MemServer> {
  const { env = {}, nodeFlags = [] } = options;
  const [command, ...args] = [
    ...pin,
    process.execPath,
    "--expose-gc",
    ...nodeFlags,
    "--import",
    "tsx",
    SERVER,
    kind,
    ...(upstream === null ? [] : [upstream]),
  ];
  const child = spawn(command as string, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
    env: { ...process.env, NODE_ENV: "production", ...env },
  });
  track(child);
  const waiting: ((line: Record<string, unknown>) => boolean)[] = [];
  let buffered = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    buffered += chunk;
    let nl = buffered.indexOf("\n");
    while (nl !== -1) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf("\n");
      if (!line.startsWith("{")) continue;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      const i = waiting.findIndex((w) => w(parsed));
      if (i !== -1) waiting.splice(i, 1);
    }
  });
  const next = (
    what: string,
    accept: (line: Record<string, unknown>) => boolean,
    ms: number,
  ): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`${kind} exited with ${code} while waiting for ${what}`));
      };
      const timer = setTimeout(() => {
        child.off("exit", onExit);
        reject(new Error(`${kind} gave no ${what} within ${ms / 1000} s`));
      }, ms);
      child.once("exit", onExit);
      waiting.push((line) => {
        if (!accept(line)) return false;
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve(line);
        return true;
      });
    });

  return next("port", (l) => typeof l.port === "number", 20_000).then(
    (line) => {
      const pid = child.pid as number;
      return {
        kind,
        pid,
        port: line.port as number,
        async settle() {
          const reply = next("GC reply", (l) => "gc" in l, 10_000);
          process.kill(pid, "SIGUSR2");
          const { gc, memory } = (await reply) as { gc: boolean; memory: NodeJS.MemoryUsage };
          if (!gc) throw new Error(`${kind} runs without --expose-gc`);
          return { rssKiB: treeRssKiB(pid), usage: memory };
        },
        stop: () => killGroup(child),
      };
    },
    (error: unknown) => {
      killGroup(child);
      throw error;
    },
  );
}
