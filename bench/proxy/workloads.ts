/**
 * What is measured: each workload's request, the targets it runs against, how an answer is
 * checked before anything is timed, and the goals from the issue that judge it.
 */

import type { WrkRequest } from "./load.js";

/** The one CORS policy every door with CORS is configured with. */
export const CORS = {
  origin: "https://app.example.com",
  methods: ["PUT", "PATCH", "DELETE"],
  headers: ["authorization", "content-type"],
  maxAge: 600,
} as const;

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface Goal {
  readonly peer: string;
  readonly metric: "rps" | "cpu";
  /** rps: Gatehouse / peer must be >= bound; cpu: Gatehouse / peer must be <= bound. */
  readonly bound: number;
}

export interface ProxyWorkload {
  readonly id: string;
  readonly title: string;
  readonly request: WrkRequest;
  /** wrk connections. */
  readonly connections: number;
  /**
   * Rounds on top of the suite's (default 0): two-target workloads are cheap to repeat, and
   * the file-system ones (open, read, close per request) are the noisiest here.
   */
  readonly extraRounds?: number;
  readonly targets: readonly string[];
  /** null when the answer is right, else what is wrong. */
  /** Why a target's answer is wrong, or null; `target` is the target's id. */
  check(answer: Answer, target: string): string | null;
  readonly goals: readonly Goal[];
}

const BODY_BYTES = 64 * 1024;

export const PROXY_WORKLOADS: readonly ProxyWorkload[] = [
  {
    id: "get-json",
    title: "Proxied GET, small JSON",
    request: { method: "GET", path: "/v1/models", headers: {}, bodyBytes: 0 },
    connections: 50,
    targets: ["gatehouse", "gatehouse-before", "floor", "fastify-proxy", "nginx", "direct"],
    check: (a) => (a.status === 200 && a.body.includes('"n":42') ? null : `${a.status} ${a.body}`),
    goals: [
      { peer: "fastify-proxy", metric: "rps", bound: 1.5 },
      { peer: "fastify-proxy", metric: "cpu", bound: 0.6 },
      { peer: "nginx", metric: "cpu", bound: 3 },
      { peer: "gatehouse-before", metric: "cpu", bound: 1 },
    ],
  },
  {
    id: "post-64k",
    title: "Proxied POST, 64 KB body",
    request: {
      method: "POST",
      path: "/v1/embeddings",
      headers: { "Content-Type": "application/octet-stream" },
      bodyBytes: BODY_BYTES,
    },
    connections: 32,
    targets: ["gatehouse", "gatehouse-before", "floor", "fastify-proxy", "nginx", "direct"],
    check: (a) =>
      a.status === 200 && a.body === `{"bytes":${BODY_BYTES}}` ? null : `${a.status} ${a.body}`,
    goals: [
      { peer: "fastify-proxy", metric: "rps", bound: 1.5 },
      { peer: "fastify-proxy", metric: "cpu", bound: 0.6 },
      { peer: "nginx", metric: "cpu", bound: 3 },
      { peer: "gatehouse-before", metric: "cpu", bound: 1 },
    ],
  },
  {
    id: "preflight",
    title: "Preflight answered at the door",
    request: {
      method: "OPTIONS",
      path: "/v1/chat/completions",
      headers: {
        Origin: CORS.origin,
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type",
      },
      bodyBytes: 0,
    },
    connections: 50,
    targets: [
      "gatehouse",
      "gatehouse-before",
      "same-204",
      "bare-204",
      "hono-cors",
      "fastify-cors",
      "express-cors",
      "nginx",
    ],
    check: (a, target) =>
      // The bare floor answers 204 and nothing else, by design.
      a.status === 204 &&
      (target === "bare-204" || a.headers["access-control-allow-origin"] === CORS.origin)
        ? null
        : `${a.status} ACAO=${String(a.headers["access-control-allow-origin"])}`,
    goals: [
      { peer: "same-204", metric: "rps", bound: 0.95 },
      { peer: "hono-cors", metric: "rps", bound: 1.5 },
      { peer: "fastify-cors", metric: "rps", bound: 1 },
      { peer: "express-cors", metric: "rps", bound: 4 },
    ],
  },
];

/** Static files served by the door: the sizes, and the names run.ts writes them under. */
export const STATIC_FILES = [
  { id: "static-1k", name: "app-1k.js", bytes: 1024, title: "Static file, 1 KB" },
  { id: "static-1m", name: "app-1m.js", bytes: 1024 * 1024, title: "Static file, 1 MB" },
] as const;

for (const f of STATIC_FILES) {
  (PROXY_WORKLOADS as ProxyWorkload[]).push({
    id: f.id,
    title: f.title,
    request: { method: "GET", path: `/static/${f.name}`, headers: {}, bodyBytes: 0 },
    connections: f.bytes > 64 * 1024 ? 16 : 50,
    extraRounds: 2,
    targets: ["gatehouse", "sirv"],
    check: (a) =>
      a.status === 200 && a.body.length === f.bytes ? null : `${a.status}, ${a.body.length} bytes`,
    goals: [{ peer: "sirv", metric: "rps", bound: 0.9 }],
  });
}

/** Which target stands in for "one peer" in a smoke run. */
export const SMOKE_PEER: Readonly<Record<string, string>> = {
  "get-json": "floor",
  "post-64k": "floor",
  preflight: "same-204",
  "static-1k": "sirv",
  "static-1m": "sirv",
};
