/**
 * The streams suite's markdown, goals and chart bars, from the checked samples. Added latency
 * is per percentile and per round: the target's p50 (p99, max) minus the direct run's p50
 * (p99, max) of the same round. Figures are medians over rounds with the lowest and highest
 * round; ratios are taken within a round first.
 */

import type { Pins } from "../pins.js";
import type { GoalResult, SuiteResult } from "../suite.js";
import type { Bar } from "../svg.js";
import { STREAM_TARGETS } from "./peers.js";
import {
  BULK_EVENT_BYTES,
  type BurstResult,
  bulkEvent,
  burstEvent,
  type EchoResult,
  median,
  type PacedResult,
  pacedEvent,
  type Result,
  type SlowResult,
} from "./protocol.js";

export interface Plan {
  readonly rounds: number;
  readonly paced: { streams: number; events: number; intervalMs: number; warmEvents: number };
  readonly burst: { streams: number; events: number; warmEvents: number };
  readonly slow: { bytes: number; readBytes: number; tickMs: number };
  readonly echo: { connections: number; messages: number; messageBytes: number; warm: number };
}

export interface Workloads {
  readonly paced: PacedResult;
  readonly burst: BurstResult;
  readonly slow: SlowResult;
  readonly echo: EchoResult;
}

export interface Sample {
  readonly workload: keyof Workloads;
  readonly target: string;
  /** -1 for a warm-up run (never reported). */
  readonly round: number;
  readonly result: Result;
  /** CPU seconds used by the server's process tree during the run. */
  readonly cpu: number;
  /** Peak resident memory growth of the server's tree during the run, in bytes. */
  readonly rssGrowth: number;
  /** The largest share of a core that other processes used during the run. */
  readonly outside: number;
  /** Seconds the server's threads waited, runnable, for a CPU during the run. */
  readonly runQueue: number;
  /** Paced: held-back events while the server had its CPU (its own doing). */
  readonly heldOwn: number;
  /** Paced: held-back events while the server waited >= 1 ms for a CPU (other processes). */
  readonly heldStarved: number;
}

export interface StreamsContext {
  readonly smoke: boolean;
  readonly plan: Plan;
  readonly targets: readonly string[];
  readonly samples: readonly Sample[];
  readonly pins: Pins;
  readonly notes: readonly string[];
  readonly elapsed: number;
}

/** Outside load on either core above this share of a run: the round is run again, once. */
export const OUTSIDE_LIMIT = 0.25;
/** Retries allowed over the whole sub-suite, so that a busy machine cannot stretch it unbounded. */
export const RETRY_BUDGET = 4;

/** Slow reader: peak RSS growth allowed, as a share of the bytes sent. */
export const RSS_BOUND = 0.5;
/** Slow reader: unread bytes allowed when the upstream wrote its last, as a share of the bytes. */
export const UNREAD_BOUND = 0.5;

interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

function spread(values: readonly number[]): Spread {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  return { min: Math.min(...finite), median: median(finite), max: Math.max(...finite) };
}

const num = (v: number, digits: number): string =>
  Number.isFinite(v)
    ? v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "n/a";

/** "**median** (min-max)", or just the median for one round. */
function cell(s: Spread, digits: number, unit = ""): string {
  if (!Number.isFinite(s.median)) return "n/a";
  if (s.min === s.max) return `**${num(s.median, digits)}**${unit}`;
  return `**${num(s.median, digits)}**${unit} (${num(s.min, digits)}-${num(s.max, digits)})`;
}

function ratioText(s: Spread): string {
  return `median ${num(s.median, 2)}x (rounds ${num(s.min, 2)}x-${num(s.max, 2)}x)`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [
    line(header),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...rows.map(line),
  ].join("\n");
}

const MiB = 2 ** 20;

export function renderStreams(c: StreamsContext): Omit<SuiteResult, "notes"> {
  const { plan: p, targets } = c;
  const rounds = Array.from({ length: p.rounds }, (_, r) => r);
  const label = (t: string) => STREAM_TARGETS[t]?.label ?? t;
  const get = <W extends keyof Workloads>(w: W, t: string, r: number): Workloads[W] | null => {
    const s = c.samples.find((x) => x.workload === w && x.target === t && x.round === r);
    return s === undefined ? null : (s.result as Workloads[W]);
  };
  const sample = (w: keyof Workloads, t: string, r: number): Sample | null =>
    c.samples.find((x) => x.workload === w && x.target === t && x.round === r) ?? null;
  const perRound = (f: (r: number) => number | null): number[] =>
    rounds.map(f).filter((v): v is number => v !== null);
  const cpuPer = (w: keyof Workloads, t: string, r: number, count: (x: Result) => number) => {
    const s = sample(w, t, r);
    return s === null ? null : (s.cpu * 1e6) / Math.max(1, count(s.result));
  };
  const has = (t: string) => targets.includes(t);
  const peer = has("nginx") ? "nginx" : "floor";
  const goals: GoalResult[] = [];
  const bars: Bar[] = [];
  const sections: string[] = [];

  // ---- SSE, paced ----------------------------------------------------------------------
  type Pct = "p50" | "p99" | "max";
  const pacedAdded = (t: string, pct: Pct) =>
    perRound((r) => {
      const a = get("paced", t, r);
      const d = get("paced", "direct", r);
      return a === null || d === null ? null : a.latency[pct] - d.latency[pct];
    });
  const pacedCpu = (t: string) =>
    perRound((r) => cpuPer("paced", t, r, (x) => (x as PacedResult).events));
  const coalesced = (t: string) => perRound((r) => get("paced", t, r)?.coalesced ?? null);
  const sumOver = (f: (x: Sample) => number, t: string) =>
    perRound((r) => {
      const x = sample("paced", t, r);
      return x === null ? null : f(x);
    }).reduce((a, b) => a + b, 0);
  const heldOwn = (t: string) => sumOver((x) => x.heldOwn, t);
  const heldStarved = (t: string) => sumOver((x) => x.heldStarved, t);
  const episodes = (t: string) =>
    sumOver((x) => (x.result as PacedResult).heldWindows.length / 3, t);
  const pacedRows = targets.map((t) => {
    const lat = (pct: Pct) => spread(perRound((r) => get("paced", t, r)?.latency[pct] ?? null));
    const added = (pct: Pct) =>
      t === "direct" ? "(baseline)" : cell(spread(pacedAdded(t, pct)), 3);
    const wait = spread(
      perRound((r) => sample("paced", t, r)?.runQueue ?? null).map((v) => v * 1e3),
    );
    return [
      label(t),
      added("p50"),
      added("p99"),
      added("max"),
      `${num(lat("p50").median, 3)} / ${num(lat("p99").median, 3)} / ${num(lat("max").median, 2)}`,
      cell(spread(pacedCpu(t)), 1),
      String(coalesced(t).reduce((a, b) => a + b, 0)),
      `${heldStarved(t)} / **${heldOwn(t)}** (${episodes(t)})`,
      cell(wait, 0),
      "0",
    ];
  });
  const rate = median(perRound((r) => get("paced", "gatehouse", r)?.rate ?? null));
  sections.push(`### SSE, paced: ${p.paced.streams} streams x ${p.paced.events.toLocaleString("en-US")} events

Each of ${p.paced.streams} concurrent streams (\`GET /sse/paced\`, one HTTP/1.1 connection each) gets
one event every ${p.paced.intervalMs} ms from the upstream (a setTimeout schedule that does not drift:
${num(rate, 0)} events/s in all, measured from the stamps), ${p.paced.events.toLocaleString("en-US")} events per stream. Each event is a
~${pacedEvent(500, 10n ** 13n).length}-byte chat-completions chunk (\`data: {...,"i":<seq>,"t":<ns>}\`) stamped with the
upstream's \`process.hrtime.bigint()\` right before \`res.write()\`; the client parses the HTTP
response itself (raw TCP, chunked decoding, SSE framing) and takes \`process.hrtime.bigint()\`
after each socket read. Latency = parsed - written (CLOCK_MONOTONIC, the same clock in every
process). **Added** = the target's percentile minus the direct run's same percentile in the
same round. Every stream's events were checked complete and in order.

Batching: **coalesced** counts events that completed in the same socket read as an earlier
event of their stream written >= 1 ms before them (sums over the rounds). Such a pair is
**held back** by the path when the client was running all along (its own 1 ms heartbeat never
skipped more than 1.5 ms between that write and the read; otherwise the client was late, which
is why direct has coalesced events but none held back). Held-back events, grouped into
episodes (reads within 5 ms of each other), are split by the server's event-loop thread's
run-queue delay (\`/proc/<pid>/schedstat\`, sampled every 2 ms): **starved** if it waited >= 1 ms
for a CPU during the episode (other processes had the core), **own** if it had the CPU and still
held them (its GC, or real batching). A proxy that batches by design holds back nearly every
event; episodes of about ${p.paced.streams} events are one pause hitting every stream at once.
**CPU wait** = the server tree's total run-queue delay per run.

${table(
  [
    "target",
    "added p50 (ms)",
    "added p99 (ms)",
    "added max (ms)",
    "latency p50 / p99 / max (ms)",
    "CPU per event (us)",
    "coalesced",
    "held back: starved / own (episodes)",
    "CPU wait (ms)",
    "errors",
  ],
  pacedRows,
)}`);
  const ghP99 = spread(pacedAdded("gatehouse", "p99"));
  goals.push({
    pass: Number.isFinite(ghP99.median) ? ghP99.median <= 3 : null,
    line: `SSE paced: Gatehouse p99 added latency <= 3 ms: median ${num(ghP99.median, 3)} ms (rounds ${num(ghP99.min, 3)}-${num(ghP99.max, 3)} ms)`,
  });
  const cpuRatio = (w: keyof Workloads, count: (x: Result) => number, other: string) =>
    spread(
      perRound((r) => {
        const g = cpuPer(w, "gatehouse", r, count);
        const o = cpuPer(w, other, r, count);
        return g === null || o === null || o <= 0 ? null : g / o;
      }),
    );
  const pacedCount = (x: Result) => (x as PacedResult).events;
  if (has("nginx")) {
    const ratio = cpuRatio("paced", pacedCount, "nginx");
    goals.push({
      pass: ratio.median <= 2.5,
      line: `SSE paced: Gatehouse CPU per event <= 2.5x nginx: ${ratioText(ratio)}`,
    });
    bars.push({
      label: "SSE paced: CPU per event vs nginx",
      ...ratio,
      bound: 2.5,
      pass: ratio.median <= 2.5,
    });
  } else {
    goals.push({
      pass: null,
      line: "SSE paced: Gatehouse CPU per event <= 2.5x nginx: nginx not run",
    });
  }
  if (has("floor")) {
    const ratio = cpuRatio("paced", pacedCount, "floor");
    bars.push({ label: "SSE paced: CPU per event vs floor", ...ratio, bound: null, pass: null });
  }
  {
    const others = targets
      .filter((t) => t !== "gatehouse" && t !== "direct")
      .map((t) => `${label(t)} ${heldOwn(t)}`)
      .join(", ");
    // nginx with proxy_buffering off cannot batch, and the Node floor writes every chunk the
    // moment it arrives: what they show is the method's noise and the runtime's own pauses (a
    // GC or JIT pause over 1 ms holds the next event in any Node process). Gatehouse fails only
    // if it holds events back more often than they do; a batching proxy holds most of them.
    const own = heldOwn("gatehouse");
    const noise = Math.max(
      has("nginx") ? heldOwn("nginx") : 0,
      has("floor") ? heldOwn("floor") : 0,
    );
    const pass = own <= noise;
    goals.push({
      pass,
      line: `SSE paced: Gatehouse never batches: ${own} of ${(p.paced.streams * p.paced.events * p.rounds).toLocaleString("en-US")} events held back while it had the CPU (${heldStarved("gatehouse")} more while other processes held its core; ${coalesced("gatehouse").reduce((a, b) => a + b, 0)} coalesced in all)${others === "" ? "" : `; the same count for ${others}`}${own > 0 && pass ? "; no more than nginx (which cannot batch with proxy_buffering off) or the Node floor (which writes every chunk as it arrives) show: event-loop pauses and the method's noise, not batching" : ""}`,
    });
  }

  // ---- SSE, burst ----------------------------------------------------------------------
  const burstCount = (x: Result) => (x as BurstResult).events;
  const eps = (t: string) => perRound((r) => get("burst", t, r)?.eventsPerSecond ?? null);
  const total = p.burst.streams * p.burst.events;
  const burstRows = targets.map((t) => [
    label(t),
    cell(spread(eps(t)), 0),
    cell(spread(perRound((r) => cpuPer("burst", t, r, burstCount))), 2),
    `${total.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}, in order`,
    "0",
  ]);
  sections.push(`### SSE, burst: ${p.burst.streams} streams x ${p.burst.events.toLocaleString("en-US")} events as fast as possible

The upstream writes ${p.burst.events.toLocaleString("en-US")} events of ${burstEvent(0).length}-${burstEvent(p.burst.events - 1).length} bytes (\`data: {"i":<seq>}\`) on each of
${p.burst.streams} concurrent streams (\`GET /sse/burst\`) as fast as the connection takes them (\`res.write()\`
until it returns false, then \`drain\`). Events per second = all events / (request sent -> last
event parsed); coalescing is allowed here. Every event was checked present and in order.

${table(["target", "events/s", "CPU per event (us)", "complete", "errors"], burstRows)}`);
  if (has(peer)) {
    const r = spread(
      perRound((round) => {
        const g = get("burst", "gatehouse", round);
        const o = get("burst", peer, round);
        return g === null || o === null ? null : g.eventsPerSecond / o.eventsPerSecond;
      }),
    );
    bars.push({ label: `SSE burst: events/s vs ${peer}`, ...r, bound: null, pass: null });
  }
  goals.push({
    pass: true,
    line: `SSE burst: every event delivered, in order, through every target (${(total * p.rounds).toLocaleString("en-US")} per target; checked, a gap fails the suite)`,
  });

  // ---- SSE, slow reader ----------------------------------------------------------------
  const payload = Math.ceil(p.slow.bytes / BULK_EVENT_BYTES) * BULK_EVENT_BYTES;
  const slowRows = targets.map((t) => {
    const rss = spread(
      perRound((r) => sample("slow", t, r)?.rssGrowth ?? null).map((v) => v / MiB),
    );
    const unread = spread(
      perRound((r) => get("slow", t, r)?.inFlightAtUpstreamEnd ?? null).map((v) => v / MiB),
    );
    const up = spread(perRound((r) => get("slow", t, r)?.upstreamSeconds ?? null));
    const down = spread(perRound((r) => get("slow", t, r)?.seconds ?? null));
    return [
      label(t),
      cell(rss, 1),
      cell(unread, 1),
      cell(up, 2),
      cell(down, 2),
      `${num(payload / MiB, 0)} MiB, in order`,
    ];
  });
  sections.push(`### SSE, slow reader: ${num(payload / MiB, 0)} MiB to a client reading ${num(p.slow.readBytes / MiB, 0)} MiB every ${p.slow.tickMs} ms

The upstream writes ${(payload / BULK_EVENT_BYTES).toLocaleString("en-US")} events of ${bulkEvent(0, 0n).length} bytes (\`GET /sse/bulk\`, each stamped) as fast as
its connection takes them (it honours \`drain\`); the client keeps its socket paused and, every
${p.slow.tickMs} ms, resumes it until about ${num(p.slow.readBytes / MiB, 0)} MiB more have been read. A proxy that applies backpressure
slows the upstream down to the reader's pace and holds little itself; one that does not reads
everything at once and holds it. **RSS growth** = peak VmRSS of the server's process tree
(sampled every 20 ms from /proc) minus its VmRSS before the run. **Unread** = bytes the upstream
had written but the client not yet read when the upstream wrote its last event (kernel socket
buffers on both hops plus whatever the proxy holds; the direct row is one hop's kernel buffers).
A proxy without backpressure would leave nearly all ${num(payload / MiB, 0)} MiB unread when the upstream finishes
and grow by about as much; the goal allows ${RSS_BOUND * 100}% of the payload for each, because a Node
server's RSS also grows with garbage not yet collected (the buffers that passed through).
Every byte was checked present and in order.

${table(
  [
    "target",
    "RSS growth (MiB)",
    "unread at upstream end (MiB)",
    "upstream write time (s)",
    "client read time (s)",
    "delivered",
  ],
  slowRows,
)}`);
  {
    const rss = spread(perRound((r) => sample("slow", "gatehouse", r)?.rssGrowth ?? null));
    const unread = spread(
      perRound((r) => get("slow", "gatehouse", r)?.inFlightAtUpstreamEnd ?? null),
    );
    goals.push({
      pass: rss.max <= RSS_BOUND * payload && unread.max <= UNREAD_BOUND * payload,
      line: `SSE slow reader: Gatehouse applies backpressure (peak RSS growth <= ${RSS_BOUND * 100}% and unread at upstream end <= ${UNREAD_BOUND * 100}% of ${num(payload / MiB, 0)} MiB, every round): RSS growth at most ${num(rss.max / MiB, 1)} MiB, unread at most ${num(unread.max / MiB, 1)} MiB`,
    });
  }

  // ---- WebSocket echo ------------------------------------------------------------------
  const echoAdded = (t: string, pct: Pct) =>
    perRound((r) => {
      const a = get("echo", t, r);
      const d = get("echo", "direct", r);
      return a === null || d === null ? null : a.rtt[pct] - d.rtt[pct];
    });
  const echoCount = (x: Result) => (x as EchoResult).messages;
  const echoRows = targets.map((t) => {
    const rtt = (pct: Pct) => spread(perRound((r) => get("echo", t, r)?.rtt[pct] ?? null));
    const added = (pct: Pct) =>
      t === "direct" ? "(baseline)" : cell(spread(echoAdded(t, pct)), 3);
    return [
      label(t),
      added("p50"),
      added("p99"),
      `${num(rtt("p50").median, 3)} / ${num(rtt("p99").median, 3)} / ${num(rtt("max").median, 2)}`,
      cell(
        spread(
          perRound((r) => {
            const x = get("echo", t, r);
            return x === null ? null : x.messages / x.seconds;
          }),
        ),
        0,
      ),
      cell(spread(perRound((r) => cpuPer("echo", t, r, echoCount))), 1),
      "0",
    ];
  });
  sections.push(`### WebSocket echo: ${p.echo.connections} connections x ${p.echo.messages.toLocaleString("en-US")} messages

${p.echo.connections} \`ws\` clients (\`perMessageDeflate: false\`, \`Origin: http://gateway.test\`, \`Host: gateway.test\`) connect to
\`/ws\`; once all are open each sends a ${p.echo.messageBytes}-byte text message, waits for its echo (the upstream is a \`ws\`
\`WebSocketServer\` sending every message back), checks it equals what was sent, and sends the
next, ${p.echo.messages.toLocaleString("en-US")} times. Round trip = send -> echo received (\`process.hrtime.bigint()\`), all
${(p.echo.connections * p.echo.messages).toLocaleString("en-US")} of a run; **added** = the target's percentile minus the direct run's same percentile in
the same round. CPU per message = the server tree's CPU / round trips.

${table(
  [
    "target",
    "added p50 (ms)",
    "added p99 (ms)",

    "RTT p50 / p99 / max (ms)",
    "messages/s",
    "CPU per message (us)",
    "errors",
  ],
  echoRows,
)}`);
  for (const pct of ["p50", "p99"] as const) {
    if (!has("nginx")) {
      goals.push({
        pass: null,
        line: `WebSocket echo: Gatehouse added ${pct} <= 1.5x nginx's: nginx not run`,
      });
      continue;
    }
    // A round whose nginx run added nothing measurable (its percentile at or below direct's,
    // which only noise does) gives no ratio; the goal is judged on the other rounds.
    const g = echoAdded("gatehouse", pct);
    const n = echoAdded("nginx", pct);
    const ratios = g
      .map((v, r) => {
        const d = n[r];
        return d === undefined || d <= 0 ? null : v / d;
      })
      .filter((v): v is number => v !== null);
    const s = spread(ratios);
    const ok = ratios.length > 0 ? s.median <= 1.5 : null;
    const skipped = g.length - ratios.length;
    goals.push({
      pass: ok,
      line: `WebSocket echo: Gatehouse added ${pct} <= 1.5x nginx's: ${ratios.length > 0 ? ratioText(s) : "no round usable"}${skipped > 0 ? ` (${skipped} of ${g.length} rounds left out: nginx's ${pct} at or below direct's)` : ""}; added ${num(median(g), 3)} ms vs ${num(median(n), 3)} ms (medians)`,
    });
    bars.push({ label: `WebSocket echo: added ${pct} vs nginx`, ...s, bound: 1.5, pass: ok });
  }
  if (has("nginx")) {
    const ratio = cpuRatio("echo", echoCount, "nginx");
    bars.push({
      label: "WebSocket echo: CPU per message vs nginx",
      ...ratio,
      bound: null,
      pass: null,
    });
  }

  // ---- method and targets --------------------------------------------------------------
  const pinText =
    c.pins.load.length > 0
      ? `load generator and upstream pinned with \`${c.pins.load.join(" ")}\`, every measured server with \`${c.pins.server.join(" ")}\``
      : "nothing pinned (taskset or a second core missing, or BENCH_NO_PIN=1)";
  const method = `### SSE and WebSocket streams: how they are measured

Generated by \`node --import tsx bench/proxy/streams/index.ts\` (or the proxy suite); ${num(c.elapsed, 0)} s${c.smoke ? ", **smoke run** (one short round: the figures only show that it runs)" : ""}.

- **Targets:** ${targets.map(label).join(", ")}; each in its own process (\`node --import tsx bench/proxy/streams/servers.ts <kind>\` or \`nginx -p <tmp>\`) on 127.0.0.1, in its own process group, killed by pid at the end. Proxies forward to one upstream (\`servers.ts upstream\`: node:http SSE endpoints and a \`ws\` echo at \`/ws\`).
- **Load:** one long-lived load generator (\`node --import tsx bench/proxy/streams/client.ts\`, JSON commands on stdin, checked results on stdout); ${pinText}.
- **Rounds:** a warm-up run per target and workload (paced: ${p.paced.warmEvents} events per stream; burst: ${p.burst.warmEvents.toLocaleString("en-US")} per stream; echo: ${p.echo.warm} messages per connection; slow reader: the same ${num(p.slow.bytes / MiB, 0)} MiB read at full speed), then ${p.rounds} round${p.rounds === 1 ? "" : "s"} with the target order rotated each round; a round in which other processes used more than ${OUTSIDE_LIMIT * 100}% of either core (from /proc/stat, minus this suite's own processes) is run again once (at most ${RETRY_BUDGET} retries in all, none in a smoke run, none for the slow reader, whose checks are not about time; otherwise kept with a note); figures are the median over rounds with the lowest and highest round in parentheses, ratios are taken within a round. CPU = utime + stime of the server's process tree from /proc/<pid>/stat over the run.
- **Checks:** every SSE event present and in order with its exact size (slow reader), every echo equal to the message sent, 200 \`text/event-stream\` and 101 answers; Gatehouse also answered a foreign-Origin upgrade (\`Origin: http://evil.test\`) with 403. Any failed check stops the suite, so the errors columns can only read 0.

${targets.map((t) => `- **${label(t)}**: ${STREAM_TARGETS[t]?.configured ?? ""}`).join("\n")}`;

  return { markdown: [method, ...sections].join("\n\n"), goals, bars };
}
