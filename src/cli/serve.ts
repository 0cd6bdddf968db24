/**
 * `gatehouse serve [--config FILE] [--listen HOST:PORT] [--workers N]`: runs the front door.
 * Without --config it runs the embedded default: the demo model upstream, the demo UI and a
 * WebSocket echo behind one origin. SIGINT/SIGTERM drain in-flight requests and exit 0; a bad
 * configuration prints every problem and exits 1.
 */
import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import type { DemoUpstream } from "../demo/index.js";
import { startDemoUpstream } from "../demo/index.js";
import { DEMO_UI_ROOT } from "../demo/ui-root.js";
import type { GatehouseConfig, LocatedLint } from "../door/config/index.js";
import {
  ConfigError,
  embeddedDefaultConfig,
  formatLints,
  loadConfig,
} from "../door/config/index.js";
import { createLogger } from "../door/log.js";
import { startDoor, summarize } from "../door/start.js";
import type { Command } from "./args.js";
import { parseCommandArgs, usageError } from "./args.js";
import { version } from "./version.js";

const USAGE = "serve [--config FILE] [--listen HOST:PORT] [--workers N]";

const HELP = `Usage: gatehouse ${USAGE}

Runs the front door. Without --config, runs the embedded demo: a built-in model that speaks
the OpenAI chat-completions API (with streaming), a WebSocket echo at /ws and a control UI at
/, all on one origin (http://127.0.0.1:8080 unless --listen or PORT says otherwise).

Options:
  -c, --config FILE       configuration file (.yaml, .yml or .json); check it with gatehouse check
  -l, --listen HOST:PORT  address to listen on (beats PORT, which beats the file)
  -w, --workers N         processes to run (node:cluster); "auto" for one per core; default 1
  -h, --help              show this help

SIGINT or SIGTERM stop accepting connections, let in-flight requests and streams finish
(limits.shutdownGrace), close WebSockets with 1001 and exit 0. A bad configuration exits 1.
SIGHUP re-reads the configuration file and applies it whole, or not at all: a file with
problems (or a change of listen, tls on/off or log format, which need a restart) keeps the
running configuration and logs why.`;

interface Prepared {
  readonly config: GatehouseConfig;
  readonly lints: readonly LocatedLint[];
  readonly demo: DemoUpstream | null;
}

async function prepare(
  configPath: string | undefined,
  listen: string | undefined,
): Promise<Prepared> {
  const overrides = listen === undefined ? {} : { listen };
  if (configPath !== undefined) {
    const loaded = loadConfig(configPath, overrides);
    return { config: loaded.config, lints: loaded.lints, demo: null };
  }
  const demo = await startDemoUpstream();
  try {
    const config = embeddedDefaultConfig({
      demoUpstream: demo.url,
      uiRoot: DEMO_UI_ROOT,
      ...overrides,
    });
    return { config, lints: [], demo };
  } catch (error) {
    await demo.close();
    throw error;
  }
}

function parseWorkers(value: string | undefined): number | null {
  if (value === undefined) return 1;
  if (value === "auto") return availableParallelism();
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 256 ? n : null;
}

const SHUTDOWN_MESSAGE = "gatehouse:shutdown";
const RELOAD_MESSAGE = "gatehouse:reload";

/**
 * Resolves with the first SIGINT, SIGTERM or (in a cluster worker) shutdown message from the
 * primary. The handlers stay installed afterwards, so that a second signal cannot kill the
 * process in the middle of its drain (the grace period bounds it anyway).
 */
function nextSignal(): Promise<string> {
  return new Promise((resolve) => {
    let done = false;
    const on = (reason: string) => {
      if (done) return;
      done = true;
      resolve(reason);
    };
    process.on("SIGINT", () => on("SIGINT"));
    process.on("SIGTERM", () => on("SIGTERM"));
    process.on("message", (message) => {
      if (message === SHUTDOWN_MESSAGE) on("shutdown");
    });
  });
}

export const serve: Command = {
  name: "serve",
  usage: USAGE,
  help: HELP,
  summary: "run the front door (without --config: the embedded demo on 127.0.0.1:8080)",
  async run(args) {
    const parsed = parseCommandArgs(serve, args, {
      config: { type: "string", short: "c" },
      listen: { type: "string", short: "l" },
      workers: { type: "string", short: "w" },
      help: { type: "boolean", short: "h" },
    });
    if (typeof parsed === "number") return parsed;
    const { values, positionals } = parsed;
    if (positionals.length > 0) return usageError(serve, `unexpected argument "${positionals[0]}"`);
    const workers = parseWorkers(values.workers);
    if (workers === null) {
      return usageError(
        serve,
        `--workers takes a whole number from 1 to 256, or "auto" (got ${values.workers})`,
      );
    }
    if (workers > 1 && cluster.isPrimary) return runPrimary(values.config, values.listen, workers);
    return runServer(values.config, values.listen, cluster.isWorker);
  },
};

/** One process serving: load, listen, print the summary, wait for a signal, drain. */
async function runServer(
  configPath: string | undefined,
  listen: string | undefined,
  isWorker: boolean,
): Promise<number> {
  let prepared: Prepared;
  try {
    prepared = await prepare(configPath, listen);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const { config, lints, demo } = prepared;
  const log = createLogger(config.log);
  let door: Awaited<ReturnType<typeof startDoor>>;
  try {
    door = await startDoor(config, log, version());
  } catch (error) {
    await demo?.close();
    const code = (error as NodeJS.ErrnoException).code;
    console.error(
      code === "EADDRINUSE"
        ? `gatehouse serve: ${config.listen.host}:${config.listen.port} is already in use; choose another with --listen or PORT`
        : `gatehouse serve: cannot listen on ${config.listen.host}:${config.listen.port}: ${(error as Error).message}`,
    );
    return 1;
  }
  if (!isWorker) {
    if (lints.length > 0) console.error(formatLints(lints));
    const describe = (u: URL) =>
      demo !== null && u.origin === demo.url.origin ? `built-in demo model (${u.host})` : u.origin;
    console.log(summarize(config, door.url, describe));
    if (demo !== null)
      console.log(
        `\nOpen ${config.publicOrigin} and chat with the demo model. Press Ctrl+C to stop.\n`,
      );
  }
  // SIGHUP (or the primary's message in a cluster): re-read the file and swap it in whole, or
  // keep the running configuration and log every reason why not.
  const reload = () => {
    if (configPath === undefined) {
      log.warn("SIGHUP: the embedded demo has no configuration file to reload");
      return;
    }
    try {
      const next = loadConfig(configPath, listen === undefined ? {} : { listen });
      door.door.reload(next.config);
      log.info({ file: configPath, notes: next.lints.length }, "configuration reloaded");
    } catch (error) {
      const why = error instanceof ConfigError ? error.message : (error as Error).message;
      log.error(
        { file: configPath, reason: why },
        "configuration reload refused; the previous configuration keeps serving",
      );
    }
  };
  process.on("SIGHUP", reload);
  process.on("message", (message) => {
    if (message === RELOAD_MESSAGE) reload();
  });
  const signal = await nextSignal();
  log.info(
    { signal, grace: config.limits.shutdownGraceMs },
    "shutting down: draining in-flight requests",
  );
  await door.close();
  await demo?.close();
  log.info("stopped");
  log.flush?.();
  // A worker's IPC channel would keep it alive after everything else has closed.
  if (isWorker) cluster.worker?.disconnect();
  return 0;
}

/** The cluster primary: validates once, forks workers, restarts crashed ones, drains on signal. */
async function runPrimary(
  configPath: string | undefined,
  listen: string | undefined,
  workers: number,
): Promise<number> {
  if (configPath !== undefined) {
    try {
      const { config, lints } = loadConfig(configPath, listen === undefined ? {} : { listen });
      if (lints.length > 0) console.error(formatLints(lints));
      console.log(
        summarize(
          config,
          `${config.tls === null ? "http" : "https"}://${config.listen.host}:${config.listen.port}`,
        ),
      );
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(error.message);
        return 1;
      }
      throw error;
    }
  }
  console.log(`Starting ${workers} worker processes.`);
  let stopping = false;
  const fork = () => cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    console.error(
      `gatehouse: worker ${worker.process.pid} exited (${signal ?? code}); starting another`,
    );
    fork();
  });
  for (let i = 0; i < workers; i++) fork();
  process.on("SIGHUP", () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.send(RELOAD_MESSAGE);
  });
  await nextSignal();
  stopping = true;
  const exits = Object.values(cluster.workers ?? {}).map(
    (worker) =>
      new Promise<void>((resolve) => {
        if (worker === undefined || worker.isDead()) return resolve();
        worker.once("exit", () => resolve());
        worker.send(SHUTDOWN_MESSAGE);
      }),
  );
  await Promise.all(exits);
  return 0;
}
