/**
 * Concrete fixes for a blocked request: what each failing check needs, and the configuration
 * that grants exactly this request in Gatehouse, nginx, Express `cors` and `@fastify/cors`.
 */

import { SAFELISTED_METHODS } from "../core/tokens.js";
import { HEADER } from "../http-client/header-names.js";
import type { DoctorCode } from "./codes.js";
import { DOCTOR_CODES } from "./codes.js";
import type { DoctorReport } from "./run.js";

export interface Fix {
  /** One line per failing check: its code and how to solve it. */
  readonly hints: readonly { readonly code: DoctorCode; readonly text: string }[];
  readonly gatehouse: string;
  readonly nginx: string;
  readonly express: string;
  readonly fastify: string;
}

/** What the server must grant for this request. */
export interface Grant {
  readonly origin: string;
  readonly credentials: boolean;
  readonly methods: readonly string[];
  readonly headers: readonly string[];
}

export function grantFor(report: DoctorReport): Grant {
  return {
    origin: report.origin,
    credentials: report.credentials,
    methods: SAFELISTED_METHODS.has(report.method) ? [] : [report.method],
    headers: report.preflight.unsafeNames,
  };
}

export function fixFor(report: DoctorReport): Fix | null {
  if (report.verdict !== "blocked") return null;
  const seen = new Set<DoctorCode>();
  const hints: { code: DoctorCode; text: string }[] = [];
  for (const s of [...report.notes, ...report.exchanges.flatMap((e) => e.steps)]) {
    if (s.status !== "fail" || s.code === undefined || seen.has(s.code)) continue;
    seen.add(s.code);
    hints.push({ code: s.code, text: DOCTOR_CODES[s.code].howToSolve });
  }
  const grant = grantFor(report);
  return {
    hints,
    gatehouse: gatehouseFix(grant),
    nginx: nginxFix(grant),
    express: expressFix(grant),
    fastify: fastifyFix(grant),
  };
}

const q = (s: string): string => JSON.stringify(s);

export function gatehouseFix(g: Grant): string {
  const lines = ["cors:", `  allowOrigins: [${g.origin}]`];
  if (g.credentials) lines.push("  allowCredentials: true");
  if (g.methods.length > 0) lines.push(`  allowMethods: [${g.methods.join(", ")}]`);
  if (g.headers.length > 0) lines.push(`  allowHeaders: [${g.headers.join(", ")}]`);
  lines.push("  maxAge: 600");
  return lines.join("\n");
}

export function nginxFix(g: Grant): string {
  const add = (name: string, value: string) => `add_header ${name} ${value} always;`;
  const common = [
    `    ${add(HEADER.allowOrigin, "$cors_origin")}`,
    ...(g.credentials ? [`    ${add(HEADER.allowCredentials, "true")}`] : []),
    `    ${add(HEADER.vary, HEADER.origin)}`,
  ];
  const preflight = [
    ...common.map((l) => `    ${l}`),
    `        ${add(HEADER.allowMethods, q(g.methods.length > 0 ? g.methods.join(", ") : "GET, POST"))}`,
    ...(g.headers.length > 0
      ? [`        ${add(HEADER.allowHeaders, q(g.headers.join(", ")))}`]
      : []),
    `        ${add(HEADER.maxAge, "600")}`,
    "        return 204;",
  ];
  return [
    "# http { }: allow exactly this origin",
    "map $http_origin $cors_origin {",
    '    default "";',
    `    ${q(g.origin)} $http_origin;`,
    "}",
    "# location { }: one layer only adds CORS headers (remove them from the app, or these)",
    "location / {",
    ...common,
    "    if ($request_method = OPTIONS) {",
    "        # add_header inside if replaces the ones above, hence the repeat",
    ...preflight,
    "    }",
    "    proxy_pass http://upstream;",
    "}",
  ].join("\n");
}

export function expressFix(g: Grant): string {
  const opts = [`  origin: [${q(g.origin)}],`];
  if (g.credentials) opts.push("  credentials: true,");
  opts.push(`  methods: [${["GET", "HEAD", "POST", ...g.methods].map(q).join(", ")}],`);
  if (g.headers.length > 0) opts.push(`  allowedHeaders: [${g.headers.map(q).join(", ")}],`);
  opts.push("  maxAge: 600,");
  return ['import cors from "cors";', "app.use(cors({", ...opts, "}));"].join("\n");
}

export function fastifyFix(g: Grant): string {
  const opts = [`  origin: [${q(g.origin)}],`];
  if (g.credentials) opts.push("  credentials: true,");
  opts.push(`  methods: [${["GET", "HEAD", "POST", ...g.methods].map(q).join(", ")}],`);
  if (g.headers.length > 0) opts.push(`  allowedHeaders: [${g.headers.map(q).join(", ")}],`);
  opts.push("  maxAge: 600,");
  return ['import cors from "@fastify/cors";', "await app.register(cors, {", ...opts, "});"].join(
    "\n",
  );
}
