/**
 * The memory sub-suite's markdown, goals and chart bars. Ratios are Gatehouse / floor within a
 * round, then min / median / max over rounds, as in the rest of the proxy section.
 */

import { table } from "../../report.js";
import type { GoalResult, SuiteResult } from "../suite.js";
import type { Bar } from "../svg.js";
import type { Browser, Kind } from "./clients.js";

export const TARGET_IDS = ["gatehouse", "floor"] as const;
export type TargetId = (typeof TARGET_IDS)[number];

/** Gatehouse's RSS with the connections open may be at most this times the floor's. */
export const RSS_BOUND = 1.2;
/** "No growth": RSS after GC at the end of the hold minus after GC at its start, KiB. */
export const GROWTH_BOUND_KIB = 1024;

export interface PhaseResult {
  readonly round: number;
  readonly target: TargetId;
  readonly kind: Kind;
  /** Tree VmRSS, KiB: after warm-up and GC; right after the n connections; after GC then. */
  readonly baselineKiB: number;
  readonly rightAfterKiB: number;
  readonly openKiB: number;
  /** After GC at the end of the hold. */
  readonly endKiB: number;
  /** Highest reading without GC during the hold. */
  readonly peakKiB: number;
  /** (open - baseline) / n. */
  readonly perConnKiB: number;
  /** end - open. */
  readonly growthKiB: number;
  /** The same for the server's V8 heap total. */
  readonly heapTotalGrowthKiB: number;
  /** Least squares over the hold's readings (no GC between them). */
  readonly slopeKiBps: number;
  /** From the "open" reading to the "end" one. */
  readonly heldS: number;
  /** SSE heartbeats the clients received during the hold, all streams together. */
  readonly heartbeats: number;
  /** process.memoryUsage() deltas, baseline -> open, per connection (bytes). */
  readonly perConnBytes: {
    readonly rss: number;
    readonly heapTotal: number;
    readonly heapUsed: number;
    readonly external: number;
    readonly arrayBuffers: number;
  };
}

export interface RunInfo {
  readonly smoke: boolean;
  readonly n: number;
  readonly rounds: number;
  readonly holdS: number;
  readonly sampleS: number;
  readonly warm: number;
  readonly heartbeatS: number;
  /** After a burst: first GC, earliest and latest reading (ms). */
  readonly settle: { readonly firstGcMs: number; readonly minMs: number; readonly maxMs: number };
  /** Two readings 1 s apart within this: settled. */
  readonly stableKiB: number;
  /** Most processes seen in one server's tree. */
  readonly treeSize: number;
  /** Extra node flags of the measured servers. */
  readonly nodeFlags: readonly string[];
  readonly browser: Browser;
  readonly loadPin: string | null;
  readonly serverPin: string | null;
  readonly elapsedS: number;
}

const LABEL: Record<TargetId, string> = {
  gatehouse: "Gatehouse",
  floor: "node:http + undici (floor)",
};

const KIND_TITLE: Record<Kind, string> = { sse: "SSE", ws: "WebSocket" };

interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

function spread(values: readonly number[]): Spread {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  const mid = s.length >> 1;
  const median =
    s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { min: s[0] as number, median, max: s[s.length - 1] as number };
}

const fmt = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : "n/a");
const signed = (v: number, digits = 2): string =>
  Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${v.toFixed(digits)}` : "n/a";
const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}x` : "n/a");

/** "median (min-max)", or just the value when there is one round. */
function cell(s: Spread, f: (v: number) => string): string {
  return s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)} to ${f(s.max)})`;
}

function of(results: readonly PhaseResult[], target: TargetId, kind: Kind): PhaseResult[] {
  return results.filter((r) => r.target === target && r.kind === kind);
}

/** Gatehouse / floor per round. */
function ratio(
  results: readonly PhaseResult[],
  kind: Kind,
  metric: (r: PhaseResult) => number,
): Spread {
  const values: number[] = [];
  for (const gh of of(results, "gatehouse", kind)) {
    const fl = of(results, "floor", kind).find((r) => r.round === gh.round);
    if (fl !== undefined) values.push(metric(gh) / metric(fl));
  }
  return spread(values);
}

function kindTable(results: readonly PhaseResult[], kind: Kind): string {
  const mib = (v: number) => fmt(v / 1024);
  const kib = (v: number) => fmt(v);
  const rows = TARGET_IDS.map((t) => {
    const mine = of(results, t, kind);
    const col = (f: (r: PhaseResult) => number, show: (v: number) => string) =>
      cell(spread(mine.map(f)), show);
    return [
      LABEL[t],
      col((r) => r.baselineKiB, mib),
      col((r) => r.rightAfterKiB, mib),
      col((r) => r.openKiB, mib),
      col((r) => r.perConnKiB, kib),
      col((r) => r.peakKiB, mib),
      col((r) => r.endKiB, mib),
      col(
        (r) => r.growthKiB / 1024,
        (v) => signed(v),
      ),
      col(
        (r) => r.slopeKiBps,
        (v) => signed(v, 1),
      ),
    ];
  });
  return table(
    [
      "Target",
      "baseline MiB",
      "right after open MiB",
      "open, after GC MiB",
      "KiB per connection",
      "hold peak, no GC MiB",
      "end of hold, after GC MiB",
      "growth over hold MiB",
      "slope KiB/s",
    ],
    rows,
  );
}

function breakdownTable(results: readonly PhaseResult[]): string {
  const rows = TARGET_IDS.flatMap((t) =>
    (["sse", "ws"] as const).map((kind) => {
      const mine = of(results, t, kind);
      const m = (f: (r: PhaseResult) => number) => fmt(spread(mine.map(f)).median / 1024, 2);
      const b = (r: PhaseResult) => r.perConnBytes;
      return [
        `${LABEL[t]}, ${KIND_TITLE[kind]}`,
        m((r) => b(r).rss),
        m((r) => b(r).heapUsed),
        m((r) => b(r).heapTotal),
        m((r) => b(r).external),
        m((r) => b(r).arrayBuffers),
        m((r) => b(r).rss - b(r).heapTotal - b(r).external),
      ];
    }),
  );
  return table(
    [
      "Server, kind",
      "RSS",
      "V8 heap used",
      "V8 heap total",
      "external",
      "of which ArrayBuffers",
      "rest: RSS - heap total - external",
    ],
    rows,
  );
}

export function renderMemory(
  info: RunInfo,
  results: readonly PhaseResult[],
  runNotes: readonly string[],
): SuiteResult {
  const n = info.n.toLocaleString("en-US");
  const held = spread(results.map((r) => r.heldS));
  const goals: GoalResult[] = [];
  const bars: Bar[] = [];
  const ratioLines: string[] = [];
  for (const kind of ["sse", "ws"] as const) {
    const what = kind === "sse" ? `${n} idle SSE streams` : `${n} idle WebSockets`;
    const total = ratio(results, kind, (r) => r.openKiB);
    const perConn = ratio(results, kind, (r) => r.perConnKiB);
    const atEnd = ratio(results, kind, (r) => r.endKiB);
    const rssPass = Number.isFinite(total.median) ? total.median <= RSS_BOUND : null;
    goals.push({
      pass: rssPass,
      line: `memory, ${what}: total RSS (after GC) <= ${RSS_BOUND}x ${LABEL.floor}: median ${x(total.median)} (rounds ${x(total.min)}-${x(total.max)}); per-connection increment ${x(perConn.median)} (not judged)`,
    });
    const growth = spread(of(results, "gatehouse", kind).map((r) => r.growthKiB));
    const slopes = spread(of(results, "gatehouse", kind).map((r) => r.slopeKiBps));
    goals.push({
      pass: Number.isFinite(growth.median) ? growth.median <= GROWTH_BOUND_KIB : null,
      line: `memory, ${what}: no growth over a ${fmt(held.min, 0)}-${fmt(held.max, 0)} s hold (Gatehouse's RSS after GC at the end minus after GC at the start <= ${GROWTH_BOUND_KIB / 1024} MiB): median ${signed(growth.median / 1024)} MiB (rounds ${signed(growth.min / 1024)} to ${signed(growth.max / 1024)}), slope median ${signed(slopes.median, 1)} KiB/s`,
    });
    bars.push(
      {
        label: `memory ${kind}: RSS with ${n} open vs floor`,
        ...total,
        bound: RSS_BOUND,
        pass: rssPass,
      },
      {
        label: `memory ${kind}: KiB per connection vs floor`,
        ...perConn,
        bound: null,
        pass: null,
      },
    );
    ratioLines.push(
      `- **${KIND_TITLE[kind]}, Gatehouse / floor** (min / **median** / max over rounds): total RSS with ${n} open ${x(total.min)} / **${x(total.median)}** / ${x(total.max)} (at the end of the hold: ${x(atEnd.min)} / ${x(atEnd.median)} / ${x(atEnd.max)}); per-connection increment ${x(perConn.min)} / **${x(perConn.median)}** / ${x(perConn.max)}`,
    );
  }
  // A fall during the hold is not growth; say where it came from (for the "open" reading it
  // means the figure was high, i.e. conservative).
  const notes = [...runNotes];
  for (const r of results.filter((r) => r.growthKiB < -GROWTH_BOUND_KIB)) {
    notes.push(
      `${LABEL[r.target]} ${KIND_TITLE[r.kind]} round ${r.round + 1}: RSS fell ${fmt(-r.growthKiB / 1024, 2)} MiB during the hold (its V8 heap total: ${signed(r.heapTotalGrowthKiB / 1024)} MiB): memory went back to the system late, so its "open" reading is on the high side`,
    );
  }
  const heartbeats = spread(of(results, "gatehouse", "sse").map((r) => r.heartbeats));

  const markdown = `### Memory: ${n} idle SSE streams and ${n} idle WebSockets
${info.smoke ? `\n**Smoke run: ${n} connections, one round, a ${info.holdS} s hold. The figures only show that everything runs.**\n` : ""}
Generated by \`node --import tsx bench/proxy/memory/index.ts\` (or with the proxy suite); ${Math.round(info.elapsedS)} s.

- **Targets:** Gatehouse and the node:http + undici floor (configurations below), each kind
  (SSE, WebSocket) in a fresh server process per round: ${info.rounds} round${info.rounds === 1 ? "" : "s"} x 2 targets x 2
  kinds = ${info.rounds * 4} server processes, ${info.serverPin === null ? "not pinned" : `pinned with \`${info.serverPin}\``}, started as
  \`node --expose-gc ${info.nodeFlags.join(" ")} --import tsx bench/proxy/memory/server.ts <kind> <upstream>\`.
  The target order alternates between rounds.
- **Clients and upstream** run ${info.loadPin === null ? "unpinned" : `on \`${info.loadPin}\``}, all on 127.0.0.1. SSE: node:http
  \`GET /events/<tag>\`, one socket per stream, \`Host: ${info.browser.host}\`,
  \`Accept: text/event-stream\`. WebSocket: \`ws\` to \`/ws/<tag>\` with
  \`Origin: ${info.browser.origin}\` and \`Host: ${info.browser.host}\` (Gatehouse's publicOrigin and a
  name in its \`hosts\`: a browser on the door's own origin). Handshakes 32 at a time.
- **Upstream** (node:http + \`ws\`, not measured): an SSE stream answers
  \`200 text/event-stream\`, sends \`data: ready\`, then only a \`: hb\` comment every
  ${info.heartbeatS} s (random phase per stream); a WebSocket echoes and is otherwise silent. It counts
  the streams and sockets it holds per tag (\`GET /_count\`, read directly).
- **Per server:** ${info.warm} connections opened, checked and closed (warm-up); settle;
  **baseline**; ${n} connections opened, each checked (SSE: status, content type and the first
  event; WebSocket: one message echoed) and counted at the upstream; RSS **right after**;
  settle; **open**. Warm-ups and openings run one server at a time, in the round's order; a
  server's settling overlaps the others' bursts. Then all four servers of the round idle
  together for ${info.holdS} s; every ${info.sampleS} s each one's RSS is read as it is (the **hold peak**)
  and after a GC; the last of those is **end**. Each server is thus held ${fmt(held.min, 0)}-${fmt(held.max, 0)} s from
  "open" to "end" (the first one filled waits while the others are). Before "end" counts,
  every connection must still be open at both ends${info.holdS > info.heartbeatS + 1 ? " and every SSE stream must have received a heartbeat through the door" : ""}. Then all
  are closed (SSE: the client aborts; WebSocket: close 1000, which must come back) and the
  upstream's count must return to 0.
- **Settle:** nothing for ${info.settle.firstGcMs / 1000} s after the burst, then a GC every second; from ${info.settle.minMs / 1000} s, done
  when two readings 1 s apart agree within ${info.stableKiB} KiB (at most ${info.settle.maxMs / 1000} s; a note says so if not).
  Freed pages go back to the system on timers, seconds after a burst.
- **\`${info.nodeFlags.join(" ")}\`** on both measured servers: an idle V8 heap ends with its young
  generation at the 1 MiB minimum, but after a burst V8 keeps it grown (up to 2 x 16 MiB) until
  a timer-driven check finds the allocation rate low, which \`gc()\` does not hasten. Without
  the flag the "open" readings swung by 10-30 MiB with timing and the "growth" was mostly that
  shrink arriving (or not) during the hold. The cap gives the idle state at once; the old
  generation, where connection state lives, is untouched.
- **RSS:** \`VmRSS\` from \`/proc/<pid>/status\`, summed over the server's process tree
  (children by parent pid; at most ${info.treeSize} process${info.treeSize === 1 ? "" : "es"} per tree in this run). **GC:** the server runs with
  \`--expose-gc\`; SIGUSR2 makes it run \`gc()\` twice (the second after its finalizers) and print
  \`process.memoryUsage()\` on stdout, so the hook stays out of the request path.
- **Goals:** total RSS with ${n} open (after GC), Gatehouse / floor within a round, median over
  rounds, <= ${RSS_BOUND}x. The per-connection increment ((open - baseline) / ${n}) is shown beside
  it and not judged: both processes carry the same ~fixed cost of Node, tsx and undici, which
  the total includes. No growth: Gatehouse's end minus open (both after GC) <= ${GROWTH_BOUND_KIB / 1024} MiB, median over rounds; the slope is
  a least-squares fit to the after-GC readings of the hold.

#### SSE: ${n} idle streams (median, min to max over rounds)

${kindTable(results, "sse")}

#### WebSocket: ${n} idle connections (median, min to max over rounds)

${kindTable(results, "ws")}

${ratioLines.join("\n")}
- SSE heartbeats relayed by Gatehouse during a hold: median ${fmt(heartbeats.median, 0)} over ${n} streams.

#### Where the memory goes: per connection, KiB (baseline to open, the server's own \`process.memoryUsage()\`, median)

${breakdownTable(results)}

#### How each target is configured

- **${LABEL.gatehouse}:** \`createDoor()\` from dist/ (what \`npm start\` runs) with the streams
  suite's YAML read by the real loader: publicOrigin \`http://gateway.test\`, one route \`/\` to the
  upstream, \`log.level: silent\`; everything else the loader's default (hosts from publicOrigin
  plus loopback names, no CORS, CSRF on, WebSocket Origin check on). Its
  upstream side: one undici \`Agent\` (no connection cap, pipelining 1) for SSE; one node:http
  upgrade request (\`agent: false\`) and a byte tunnel per WebSocket.
- **${LABEL.floor}:** hand-written, src/ not involved: \`http.createServer\` + one
  \`undici.Pool(upstream, { pipelining: 1 })\` with no connection cap (bench/proxy/server.ts's
  floor caps at 128, which would queue streams 129 and up), \`pool.stream()\` with the response
  piped back, hop-by-hop headers dropped; upgrades: the \`upgrade\` event, \`net.connect\` to the
  upstream, the request head written as received, then \`pipe()\` both ways (the upstream's 101
  passes as bytes). No checks of any kind.
`;
  return { markdown, goals, bars, notes };
}
