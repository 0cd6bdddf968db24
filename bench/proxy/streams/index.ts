/**
 * The SSE and WebSocket sub-suite of the proxy benchmark: added latency per event and per
 * round trip, CPU per event, batching, burst throughput and backpressure, for Gatehouse, a
 * hand-written Node floor, nginx and the upstream hit directly.
 *
 *   node --import tsx bench/proxy/streams/index.ts      (BENCH_SMOKE=1: one short round)
 *
 * prints the markdown; run.ts calls runStreamsSuite(). The load generator (client.ts) and the
 * upstream run on the load core, every measured server on the server core (pins.ts).
 * BENCH_STREAMS_ROUNDS=n sets the rounds (default 3); BENCH_STREAMS_ONLY=paced,echo runs only
 * those workloads (slow, burst, paced, echo), for development.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { coreBusySeconds, processTree, sampleCores, treeCpuSeconds, treeRssKiB } from "../cpu.js";
import { hasBinary } from "../load.js";
import { type Pins, pins } from "../pins.js";
import type { SuiteOptions, SuiteResult } from "../suite.js";
import { killAll, killGroup, type Running, startNginx, startNode, track } from "../targets.js";
import { streamsNginxConfig } from "./peers.js";
import {
  type BurstResult,
  type Command,
  type EchoResult,
  HOST,
  type PacedResult,
  type Reply,
  type Result,
  type SlowResult,
} from "./protocol.js";
import {
  OUTSIDE_LIMIT,
  type Plan,
  RETRY_BUDGET,
  renderStreams,
  type Sample,
  type Workloads,
} from "./report.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SERVERS = "bench/proxy/streams/servers.ts";
const CLIENT = "bench/proxy/streams/client.ts";

const pct = (share: number): string => `${(share * 100).toFixed(0)}%`;

function log(message: string): void {
  process.stderr.write(`bench streams: ${message}\n`);
}

/** Spawns `command` in its own process group and resolves with the first JSON line it prints. */
function spawnReporting(
  argv: readonly string[],
  what: string,
): Promise<{ child: ChildProcess; lines: Interface; first: Record<string, unknown> }> {
  const [command, ...args] = argv;
  const child = spawn(command as string, args, {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
    detached: true,
    env: { ...process.env, NODE_ENV: "production" },
  });
  track(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`${what} did not start within 20 s`));
    }, 20_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready`));
    };
    child.once("exit", onExit);
    lines.once("line", (line) => {
      clearTimeout(timer);
      child.off("exit", onExit);
      try {
        resolve({ child, lines, first: JSON.parse(line) as Record<string, unknown> });
      } catch {
        killGroup(child);
        reject(new Error(`${what} printed ${JSON.stringify(line)} instead of JSON`));
      }
    });
  });
}

function startServer(
  kind: string,
  pin: readonly string[],
  upstream: string | null,
  id: string,
): Promise<Running> {
  return startNode(kind, pin, upstream, id, { script: SERVERS });
}

/** The load generator: one child on the load core, one JSON command and answer per line. */
class LoadClient {
  private waiting: ((line: string) => void) | null = null;

  private constructor(
    private readonly child: ChildProcess,
    lines: Interface,
  ) {
    lines.on("line", (line) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(line);
    });
  }

  static async start(pin: readonly string[]): Promise<LoadClient> {
    const argv = [...pin, process.execPath, "--import", "tsx", CLIENT];
    const { child, lines } = await spawnReporting(argv, "the load generator");
    return new LoadClient(child, lines);
  }

  run(command: Command, timeoutMs: number): Promise<Result> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(
          new Error(`the load generator did not answer ${command.kind} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      const exited = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`the load generator exited (${code}) during ${command.kind}`));
      };
      this.child.once("exit", exited);
      this.waiting = (line) => {
        clearTimeout(timer);
        this.child.off("exit", exited);
        const reply = JSON.parse(line) as Reply;
        if (reply.ok) resolve(reply.result);
        else reject(new Error(reply.error));
      };
      this.child.stdin?.write(`${JSON.stringify(command)}\n`);
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  stop(): void {
    killGroup(this.child);
  }
}

/** Resident memory of a process tree, bytes. */
function treeRssBytes(root: number): number {
  return treeRssKiB(root) * 1024;
}

/**
 * Seconds the tree's threads spent runnable but waiting for a CPU (/proc/<pid>/task/<tid>/
 * schedstat, field 2): time in which others held the core and the server could not forward.
 */
function treeRunQueueSeconds(root: number): number {
  let ns = 0;
  for (const pid of processTree(root)) {
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const fields = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ");
        ns += Number(fields[1] ?? 0);
      }
    } catch {}
  }
  return ns / 1e9;
}

/** The thread that runs the server's event loop: Node's main thread, nginx's worker. */
function loopThread(server: Running): number {
  if (server.id !== "nginx") return server.pid;
  return processTree(server.pid).find((pid) => pid !== server.pid) ?? server.pid;
}

/** Nanoseconds one thread has waited, runnable, for a CPU (schedstat field 2). */
function runDelayNs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Kept from the CPU this long while an event was held back: the scheduler's doing. */
const STARVED_NS = 1e6;

/**
 * Splits held-back events (client.ts: the client was running all along) into those during
 * which the server's loop thread waited >= 1 ms for a CPU (other processes held the core) and
 * those it held while it had the CPU (its own doing: GC, or batching). `samples` are
 * [time ns, run delay ns] pairs taken every ~2 ms during the run.
 */
function attributeHolds(windows: readonly number[], samples: readonly number[]) {
  let own = 0;
  let starved = 0;
  for (let k = 0; k < windows.length; k += 3) {
    const from = windows[k] as number;
    const to = windows[k + 1] as number;
    const events = windows[k + 2] as number;
    let before = 0;
    let after = Number.NaN;
    for (let j = 0; j < samples.length; j += 2) {
      const t = samples[j] as number;
      if (t <= from) before = samples[j + 1] as number;
      if (t >= to) {
        after = samples[j + 1] as number;
        break;
      }
    }
    if (Number.isFinite(after) && after - before >= STARVED_NS) starved += events;
    else own += events;
  }
  return { own, starved };
}

/** A WebSocket upgrade with a foreign Origin: Gatehouse must refuse it (its guard is on). */
function foreignUpgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({
      host: u.hostname,
      port: u.port,
      path: "/ws",
      headers: {
        host: HOST,
        origin: "http://evil.test",
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
      agent: false,
      timeout: 5_000,
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("upgrade", (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

function plan(smoke: boolean): Plan {
  const rounds = smoke ? 1 : Math.max(1, Number(process.env.BENCH_STREAMS_ROUNDS ?? 3) || 3);
  return smoke
    ? {
        rounds,
        paced: { streams: 20, events: 150, intervalMs: 3, warmEvents: 30 },
        burst: { streams: 2, events: 2_000, warmEvents: 500 },
        slow: { bytes: 64 << 20, readBytes: 16 << 20, tickMs: 100 },
        echo: { connections: 10, messages: 200, messageBytes: 64, warm: 20 },
      }
    : {
        rounds,
        paced: { streams: 20, events: 1_000, intervalMs: 3, warmEvents: 200 },
        burst: { streams: 4, events: 50_000, warmEvents: 5_000 },
        slow: { bytes: 64 << 20, readBytes: 4 << 20, tickMs: 100 },
        echo: { connections: 50, messages: 1_000, messageBytes: 64, warm: 100 },
      };
}

export async function runStreamsSuite(options: SuiteOptions): Promise<SuiteResult> {
  const started = performance.now();
  const { smoke } = options;
  const pin: Pins = pins();
  const p = plan(smoke);
  const notes: string[] = [];
  const nginx = hasBinary("nginx");
  if (!nginx) notes.push("nginx is not installed: the nginx rows and goals are missing");
  const peers = smoke ? [nginx ? "nginx" : "floor"] : ["floor", ...(nginx ? ["nginx"] : [])];
  const targets = ["gatehouse", ...peers, "direct"];
  const mine: Running[] = [];
  let client: LoadClient | null = null;
  try {
    const upstream = await startServer("upstream", pin.load, null, "upstream");
    mine.push(upstream);
    const running = new Map<string, Running>();
    for (const id of targets) {
      const server =
        id === "nginx"
          ? await startNginx(pin.server, upstream.url, streamsNginxConfig)
          : id === "direct"
            ? await startServer("upstream", pin.server, null, "direct")
            : await startServer(id, pin.server, upstream.url, id);
      mine.push(server);
      running.set(id, server);
    }
    client = await LoadClient.start(pin.load);
    const load = client;
    log(`started ${targets.join(", ")}; ${p.rounds} round(s)`);

    const refused = await foreignUpgradeStatus((running.get("gatehouse") as Running).url);
    if (refused !== 403)
      throw new Error(`Gatehouse answered ${refused} to a foreign-Origin upgrade, not 403`);

    const samples: Sample[] = [];
    const orderOf = (round: number) => {
      const k = round % targets.length;
      return [...targets.slice(k), ...targets.slice(0, k)];
    };
    // Ours on the load core: the load generator, the upstream and this process.
    const loadPids = [load.pid, upstream.pid];
    const loadCoreCpu = () =>
      loadPids.reduce((sum, pid) => sum + treeCpuSeconds(pid), 0) +
      (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
    /** One run of `command` against `target`, with the server tree's CPU and (opt.) RSS. */
    const measure = async (
      workload: keyof Workloads,
      target: string,
      round: number,
      command: (url: string) => Command,
      timeoutMs: number,
      watchRss = false,
    ): Promise<Sample> => {
      const server = running.get(target) as Running;
      const rss0 = watchRss ? treeRssBytes(server.pid) : 0;
      let rssPeak = rss0;
      const sampler = watchRss
        ? setInterval(() => {
            rssPeak = Math.max(rssPeak, treeRssBytes(server.pid));
          }, 20)
        : null;
      // Paced: the loop thread's run-queue delay over time, to tell who held events back.
      const thread = loopThread(server);
      const delays: number[] = [];
      const delaySampler =
        workload === "paced"
          ? setInterval(() => delays.push(Number(process.hrtime.bigint()), runDelayNs(thread)), 2)
          : null;
      const cores0 = sampleCores();
      const cpu0 = treeCpuSeconds(server.pid);
      const wait0 = treeRunQueueSeconds(server.pid);
      const load0 = loadCoreCpu();
      const t0 = performance.now();
      let result: Result;
      try {
        result = await load.run(command(server.url), timeoutMs);
      } catch (error) {
        throw new Error(
          `${workload} through ${target} (round ${round + 1}) failed its check: ${error instanceof Error ? error.message : String(error)}`,
        );
      } finally {
        if (sampler !== null) clearInterval(sampler);
        if (delaySampler !== null) clearInterval(delaySampler);
      }
      delays.push(Number(process.hrtime.bigint()), runDelayNs(thread));
      const seconds = (performance.now() - t0) / 1000;
      const cpu = treeCpuSeconds(server.pid) - cpu0;
      const runQueue = treeRunQueueSeconds(server.pid) - wait0;
      const cores1 = sampleCores();
      // Busy time on each core that none of this suite's processes account for.
      const outside =
        pin.server.length > 0
          ? Math.max(
              0,
              coreBusySeconds(cores0, cores1, 1) - cpu,
              coreBusySeconds(cores0, cores1, 0) - (loadCoreCpu() - load0),
            ) / seconds
          : 0;
      if (watchRss) rssPeak = Math.max(rssPeak, treeRssBytes(server.pid));
      const holds =
        result.kind === "paced"
          ? attributeHolds(result.heldWindows, delays)
          : { own: 0, starved: 0 };
      return {
        workload,
        target,
        round,
        result,
        cpu,
        rssGrowth: rssPeak - rss0,
        outside,
        runQueue,
        heldOwn: holds.own,
        heldStarved: holds.starved,
      };
    };
    const only = process.env.BENCH_STREAMS_ONLY?.split(",").filter((w) => w !== "") ?? [];
    let budget = smoke ? 0 : RETRY_BUDGET;
    const timed = async (
      workload: keyof Workloads,
      command: (url: string) => Command,
      warm: ((url: string) => Command) | null,
      timeoutMs: number,
      watchRss = false,
    ) => {
      if (only.length > 0 && !only.includes(workload)) return;
      if (warm !== null) for (const t of targets) await measure(workload, t, -1, warm, timeoutMs);
      for (let round = 0; round < p.rounds; round++) {
        for (let retry = 0; ; retry++) {
          const batch: Sample[] = [];
          for (const t of orderOf(round)) {
            batch.push(await measure(workload, t, round, command, timeoutMs, watchRss));
          }
          const disturbed = Math.max(...batch.map((x) => x.outside));
          const line = batch.map(brief).join(", ");
          // The slow reader checks bytes and memory, not timing: not worth a retry.
          if (disturbed > OUTSIDE_LIMIT && budget > 0 && retry < 1 && workload !== "slow") {
            budget--;
            log(
              `${workload} round ${round + 1}: outside load ${pct(disturbed)}, run again (${line})`,
            );
            continue;
          }
          if (disturbed > OUTSIDE_LIMIT) {
            notes.push(
              `${workload} round ${round + 1}: up to ${pct(disturbed)} of a core used by other processes during a run${retry > 0 ? " after a retry" : ""}; kept`,
            );
          }
          samples.push(...batch);
          log(`${workload} round ${round + 1}/${p.rounds}: ${line}`);
          break;
        }
      }
    };

    // Slow reader first. Its warm-up moves the same bytes at full speed, so that first-use
    // growth (code loaded, JIT, the heap sized for this flow) is not counted as holding data.
    const s = p.slow;
    await timed(
      "slow",
      (url) => ({ kind: "slow", url, bytes: s.bytes, readBytes: s.readBytes, tickMs: s.tickMs }),
      (url) => ({ kind: "slow", url, bytes: s.bytes, readBytes: s.bytes, tickMs: s.tickMs }),
      (s.bytes / s.readBytes) * s.tickMs * 4 + 30_000,
      true,
    );
    const b = p.burst;
    await timed(
      "burst",
      (url) => ({ kind: "burst", url, streams: b.streams, events: b.events }),
      b.warmEvents > 0
        ? (url) => ({ kind: "burst", url, streams: b.streams, events: b.warmEvents })
        : null,
      90_000,
    );
    const pc = p.paced;
    const pacedCommand = (events: number) => (url: string) =>
      ({ kind: "paced", url, streams: pc.streams, events, intervalMs: pc.intervalMs }) as const;
    await timed(
      "paced",
      pacedCommand(pc.events),
      pc.warmEvents > 0 ? pacedCommand(pc.warmEvents) : null,
      pc.events * pc.intervalMs * 4 + 30_000,
    );
    const e = p.echo;
    const echoCommand = (messages: number) => (url: string) =>
      ({
        kind: "echo",
        url,
        connections: e.connections,
        messages,
        messageBytes: e.messageBytes,
      }) as const;
    await timed("echo", echoCommand(e.messages), e.warm > 0 ? echoCommand(e.warm) : null, 90_000);

    const rendered = renderStreams({
      smoke,
      plan: p,
      targets,
      samples,
      pins: pin,
      notes,
      elapsed: (performance.now() - started) / 1000,
    });
    return { ...rendered, notes };
  } finally {
    client?.stop();
    for (const server of mine) server.stop();
  }
}

function brief(s: Sample): string {
  const r = s.result;
  switch (r.kind) {
    case "paced":
      return `${s.target} p99 ${(r as PacedResult).latency.p99.toFixed(2)} ms, ${r.coalesced} coalesced, ${r.heldBack} held (${s.heldStarved} starved, ${s.heldOwn} own, ${r.heldWindows.length / 3} ep, ${r.longestHoldMs.toFixed(1)} ms), ${r.clientStalls} stalls, rq ${(s.runQueue * 1e3).toFixed(0)} ms, out ${pct(s.outside)}`;
    case "burst":
      return `${s.target} ${Math.round((r as BurstResult).eventsPerSecond)}/s`;
    case "slow":
      return `${s.target} +${((s.rssGrowth ?? 0) / 2 ** 20).toFixed(1)} MiB RSS, ${((r as SlowResult).inFlightAtUpstreamEnd / 2 ** 20).toFixed(1)} MiB unread`;
    case "echo":
      return `${s.target} p99 ${(r as EchoResult).rtt.p99.toFixed(2)} ms`;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const smoke = process.env.BENCH_SMOKE === "1";
  runStreamsSuite({ smoke })
    .then((r) => {
      process.stdout.write(`${r.markdown}\n`);
      process.stdout.write(
        `Goals:\n${r.goals.map((g) => `- **${g.pass === null ? "N/A" : g.pass ? "PASS" : "MISS"}** ${g.line}`).join("\n")}\n`,
      );
      if (r.notes.length > 0)
        process.stdout.write(`Notes:\n${r.notes.map((n) => `- ${n}`).join("\n")}\n`);
      killAll();
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `bench streams: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      killAll();
      process.exit(1);
    });
}
