/**
 * The memory suite's servers, started with targets.ts `startNode` (own process group, pinned,
 * tracked so that killAll() ends it), and their memory: VmRSS summed over the process tree,
 * after a GC on request (SIGUSR2, answered with process.memoryUsage()).
 */

import { treeRssKiB } from "../cpu.js";
import { startNode } from "../targets.js";

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

/** Starts one of the memory suite's servers (bench/proxy/memory/server.ts, with --expose-gc). */
export async function startServer(
  kind: string,
  pin: readonly string[],
  upstream: string | null,
  options: { readonly env?: Record<string, string>; readonly nodeFlags?: readonly string[] } = {},
): Promise<MemServer> {
  const server = await startNode(kind, pin, upstream, kind, {
    script: SERVER,
    nodeArgs: ["--expose-gc", ...(options.nodeFlags ?? [])],
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  return {
    kind,
    pid: server.pid,
    port: server.port,
    async settle() {
      const reply = server.nextLine("GC reply", (l) => "gc" in l, 10_000);
      process.kill(server.pid, "SIGUSR2");
      const { gc, memory } = (await reply) as { gc: boolean; memory: NodeJS.MemoryUsage };
      if (!gc) throw new Error(`${kind} runs without --expose-gc`);
      return { rssKiB: treeRssKiB(server.pid), usage: memory };
    },
    stop: server.stop,
  };
}
