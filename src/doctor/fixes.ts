/**
 * Concrete fixes for a blocked request, for one target at a time: Gatehouse, nginx, Express
 * `cors` or `@fastify/cors`.
 *
 * The Gatehouse fix amends the config the user has; it never replaces the `cors` section. It is
 * a list of changes ("add PUT to `cors.allowMethods`"), each marked certain when the answers
 * showed the item missing, or not when they did not show it either way (a door stops at its
 * first refusal). The YAML printed with it holds only the keys that change: lists are added
 * to, never replaced. Whatever it adds passes `gatehouse check` (test/doctor/fixes.test.ts
 * merges it into real configs and runs the check), so two grants are never suggested:
 *   - credentials for a plain-http origin that is not loopback, which Gatehouse refuses
 *     (GH_CORS_ORIGIN_INSECURE): explained instead (GH_DOCTOR_INSECURE_CREDENTIALS);
 *   - `allowCredentials: true` next to `*`: the `*` is replaced by the origin.
 *
 * A server that sends no CORS header at all is first offered the set-up that needs none: page
 * and API on one origin through the door.
 */

import { isLoopbackHost, splitSerializedOrigin } from "../core/origin.js";
import { SAFELISTED_METHODS } from "../core/tokens.js";
import { HEADER } from "../http-client/header-names.js";
import { headerValue } from "../http-client/message.js";
import type { DoctorCode } from "./codes.js";
import { DOCTOR_CODES } from "./codes.js";
import type { Diagnosis } from "./diagnose.js";
import { diagnose, refusedWhole } from "./diagnose.js";
import type { DoorReason } from "./door-reason.js";
import { doorReason, doorVerdictOn } from "./door-reason.js";
import type { DoctorReport } from "./run.js";
import type { Step } from "./simulate.js";
import { extractTokenList } from "./simulate.js";

/** The servers a fix can be printed for (`gatehouse doctor --for TARGET`). */
export const TARGETS = ["gatehouse", "nginx", "express", "fastify"] as const;
export type Target = (typeof TARGETS)[number];

export const TARGET_TITLES: Readonly<Record<Target, string>> = {
  gatehouse: "Gatehouse (gatehouse.yaml)",
  nginx: "nginx",
  express: "Express (cors)",
  fastify: "Fastify (@fastify/cors)",
};

/** One change to a Gatehouse config. Keys are paths into it, e.g. `cors.allowMethods`. */
export interface ConfigChange {
  readonly key: `cors.${"allowOrigins" | "allowMethods" | "allowHeaders" | "allowCredentials"}`;
  /** Items to add to the list (a no-op for those already there). */
  readonly add?: readonly string[];
  /** Items to take out of the list. */
  readonly remove?: readonly string[];
  /** The value to set (scalar keys). */
  readonly set?: boolean;
  /** False when the answers did not show whether the config has it already. */
  readonly certain: boolean;
  /** The change in words: "add PUT to `cors.allowMethods`". */
  readonly text: string;
}

export interface GatehouseFix {
  /** True when the config has no `cors` section yet (the door said so): the changes make one. */
  readonly newSection: boolean;
  readonly changes: readonly ConfigChange[];
  /** The keys that change, as YAML to merge into gatehouse.yaml (lists add to the ones there). */
  readonly yaml: string;
  /** What else to keep in mind with this change. */
  readonly notes: readonly string[];
}

/** Page and API on one origin, so that no CORS is needed at all. */
export interface OneOrigin {
  /** `gatehouse serve --upstream URL`, for a server that also serves the page; null for a door. */
  readonly serve: string | null;
  /** Routes for gatehouse.yaml (the API's first, then the page's). */
  readonly routes: string;
  /** The URL the page then calls: relative, on its own origin. */
  readonly relativeUrl: string;
}

export interface Fix {
  /** One line per failing check: its code and how to solve it. */
  readonly hints: readonly { readonly code: DoctorCode; readonly text: string }[];
  /** Offered before any CORS grant when the server sends no CORS header at all. */
  readonly oneOrigin: OneOrigin | null;
  /** Why this request must not be granted as asked, and what to do instead; or null. */
  readonly refused: { readonly code: DoctorCode; readonly text: string } | null;
  /** The grant per target; all null when `refused` is set. */
  readonly gatehouse: GatehouseFix | null;
  readonly nginx: string | null;
  readonly express: string | null;
  readonly fastify: string | null;
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

/** Plain http and not loopback: Gatehouse refuses such an origin together with credentials. */
export function isInsecureOrigin(origin: string): boolean {
  const parts = splitSerializedOrigin(origin);
  return parts !== null && parts.scheme === "http" && !isLoopbackHost(parts.host);
}

export function fixFor(report: DoctorReport): Fix | null {
  if (report.verdict !== "blocked") return null;
  const diagnosis = diagnose(report);
  const seen = new Set<DoctorCode>();
  const hints: { code: DoctorCode; text: string }[] = [];
  const hint = (code: DoctorCode) => {
    if (seen.has(code)) return;
    seen.add(code);
    hints.push({ code, text: DOCTOR_CODES[code].howToSolve });
  };
  if (diagnosis !== null) hint(diagnosis.code);
  for (const s of [...report.notes, ...report.exchanges.flatMap((e) => e.steps)]) {
    if (s.status === "fail" && s.code !== undefined) hint(s.code);
  }
  const oneOrigin = diagnosis?.noCors === true ? oneOriginFor(report, diagnosis) : null;
  if (report.credentials && isInsecureOrigin(report.origin)) {
    const code = "GH_DOCTOR_INSECURE_CREDENTIALS";
    return {
      hints,
      oneOrigin,
      refused: { code, text: insecureCredentialsText(report.origin) },
      gatehouse: null,
      nginx: null,
      express: null,
      fastify: null,
    };
  }
  const grant = grantFor(report);
  return {
    hints,
    oneOrigin,
    refused: null,
    gatehouse: gatehouseFix(report, diagnosis),
    nginx: nginxFix(grant),
    express: expressFix(grant),
    fastify: fastifyFix(grant),
  };
}

function insecureCredentialsText(origin: string): string {
  const https = origin.replace(/^http:/, "https:");
  return `Not granted: ${origin} is a plain-http page, and the request carries credentials. Anybody on the network path to that page (public Wi-Fi, a proxy) can change its script and then act as the signed-in user, so Gatehouse refuses this grant at start-up (GH_CORS_ORIGIN_INSECURE), and browsers do not count such a page as a secure context. Instead: serve the page over HTTPS and allow ${https}; while developing, open it on a loopback origin (http://localhost:5173, http://127.0.0.1:5173), which browsers treat as secure and Gatehouse accepts with credentials.`;
}

// ---- Gatehouse: changes to the config the user has ------------------------------------------

/**
 * What the answers show of one item the request needs: granted, refused, or neither (a refused
 * preflight carries no `Access-Control-Allow-*` header, and a door stops at its first refusal).
 */
type Shown = "granted" | "refused" | "unknown";

/**
 * The steps with this id suffix, leaving out those of preflights refused whole with no door
 * reason: their failures show nothing about the config (a door's reason does).
 */
function stepsOf(report: DoctorReport, suffix: string): Step[] {
  return report.exchanges
    .filter((e) => !refusedWhole(e) || (e.response !== null && doorReason(e.response) !== null))
    .flatMap((e) => e.steps)
    .filter((s) => s.id.endsWith(suffix));
}

function shownBy(steps: readonly Step[]): Shown {
  if (steps.some((s) => s.status === "pass")) return "granted";
  if (steps.some((s) => s.status === "fail")) return "refused";
  return "unknown";
}

/**
 * The changes that grant this request. Only a door that names its reasons shows what its
 * config holds: then what it granted is left out. Any other server's answers say nothing about
 * a Gatehouse config, so what it granted is still listed ("make sure ..."): the changes then
 * make a complete policy for a door put in front of it, and adding an item that is there
 * already changes nothing.
 */
export function gatehouseFix(report: DoctorReport, diagnosis: Diagnosis | null): GatehouseFix {
  const g = grantFor(report);
  const door = diagnosis?.door ?? anyDoorReason(report);
  const newSection = door?.code === "CORS_NO_POLICY";
  const changes: ConfigChange[] = [];
  const notes: string[] = [];
  // No CORS header anywhere: nothing is granted, whatever a refused preflight leaves unsaid.
  const none = diagnosis?.noCors === true && door === null;
  /** Adds the change unless the door showed the item granted. */
  const item = (
    seen: Shown,
    change: Omit<ConfigChange, "certain" | "text">,
    what: string,
    refusedText: string,
  ) => {
    const shown = none ? "refused" : seen;
    if (newSection) {
      changes.push({ ...change, certain: true, text: refusedText });
      return;
    }
    if (shown === "granted" && door !== null) return;
    changes.push({
      ...change,
      certain: shown === "refused",
      text: shown === "refused" ? refusedText : `make sure \`${change.key}\` ${what}`,
    });
  };

  // The origin. A door checks it first, so any later refusal means it passed.
  const originSteps = stepsOf(report, ".allow-origin");
  let origin = shownBy(originSteps);
  if (door !== null) {
    const verdict = doorVerdictOn(door, "origin");
    origin = verdict === "passed" ? "granted" : verdict === "refused" ? "refused" : origin;
  }
  const star = originSteps.some((s) => s.code === "GH_DOCTOR_ACAO_WILDCARD_CREDENTIALS");
  if (star) {
    changes.push({
      key: "cors.allowOrigins",
      add: [g.origin],
      remove: ["*"],
      certain: true,
      text: `replace \`*\` with ${g.origin} in \`cors.allowOrigins\` (\`*\` never counts with credentials, and Gatehouse refuses it next to allowCredentials)`,
    });
  } else {
    item(
      origin,
      { key: "cors.allowOrigins", add: [g.origin] },
      `lists ${g.origin}`,
      `add ${g.origin} to \`cors.allowOrigins\``,
    );
    if (origin !== "granted" && isInsecureOrigin(g.origin)) {
      notes.push(`Gatehouse refuses plain-http ${g.origin} if \`cors.allowCredentials\` is true.`);
    }
  }

  if (g.credentials) {
    // A missing Access-Control-Allow-Credentials proves something only next to an ACAO: a
    // refusal (a door's included) drops every CORS header whatever allowCredentials says.
    const credentialSteps = report.exchanges
      .filter((e) => e.response !== null && headerValue(e.response, HEADER.allowOrigin) !== null)
      .flatMap((e) => e.steps)
      .filter((s) => s.id.endsWith(".allow-credentials"));
    const granted = stepsOf(report, ".allow-credentials").some((s) => s.status === "pass");
    item(
      granted ? "granted" : shownBy(credentialSteps),
      { key: "cors.allowCredentials", set: true },
      "is true",
      "set `cors.allowCredentials: true`",
    );
  }

  if (g.methods.length > 0) {
    const list = g.methods.join(", ");
    item(
      shownBy(stepsOf(report, ".allow-methods")),
      { key: "cors.allowMethods", add: g.methods },
      `lists ${list}`,
      `add ${list} to \`cors.allowMethods\``,
    );
  }

  if (g.headers.length > 0) {
    const steps = stepsOf(report, ".allow-headers");
    const shown = none ? "refused" : shownBy(steps);
    const exact = none ? g.headers : shown === "refused" ? missingHeaders(report, steps) : null;
    const names = exact ?? g.headers;
    const list = names.join(", ");
    if (shown === "refused" && exact === null && !newSection) {
      // A door's refusal does not say which of the names it lacks.
      changes.push({
        key: "cors.allowHeaders",
        add: names,
        certain: false,
        text: `add to \`cors.allowHeaders\` whichever of ${list} it lacks (the door does not say which)`,
      });
    } else {
      item(
        shown,
        { key: "cors.allowHeaders", add: names },
        `lists ${list}`,
        `add ${list} to \`cors.allowHeaders\``,
      );
    }
  }
  const granted = door === null && changes.some((c) => !c.certain && shownGranted(report, c));
  if (changes.some((c) => !c.certain)) {
    notes.unshift(
      door !== null
        ? 'Not checked ("make sure"): the door stops at its first refusal. Adding what is there already changes nothing.'
        : granted
          ? '"Make sure": this server grants it, or its answers do not show; a door in front needs it too.'
          : 'Not checked ("make sure"): the refused preflight carries no Access-Control-Allow-* header. A Gatehouse door with `debugHeader: true` names what it refused.',
    );
  }
  // What the answers showed missing first: the root cause's change leads.
  changes.sort((a, b) => Number(b.certain) - Number(a.certain));
  return { newSection, changes, yaml: changesYaml(changes, newSection), notes };
}

/** Whether the answers showed this change's item granted (by a server that is not a door). */
function shownGranted(report: DoctorReport, change: ConfigChange): boolean {
  const suffix: Record<ConfigChange["key"], string> = {
    "cors.allowOrigins": ".allow-origin",
    "cors.allowCredentials": ".allow-credentials",
    "cors.allowMethods": ".allow-methods",
    "cors.allowHeaders": ".allow-headers",
  };
  return shownBy(stepsOf(report, suffix[change.key])) === "granted";
}

/** The first reason any door answer gave, allowed ones included. */
function anyDoorReason(report: DoctorReport): DoorReason | null {
  for (const e of report.exchanges) {
    const reason = e.response === null ? null : doorReason(e.response);
    if (reason !== null) return reason;
  }
  return null;
}

/**
 * The header names a failed check shows missing, or null when it does not say which (a door's
 * refusal lists none).
 */
function missingHeaders(report: DoctorReport, steps: readonly Step[]): string[] | null {
  const failed = steps.find((s) => s.status === "fail");
  if (failed === undefined) return null;
  if (failed.code === "GH_DOCTOR_AUTHORIZATION_WILDCARD") return ["authorization"];
  const response = report.exchanges.find((e) => e.steps.includes(failed))?.response ?? null;
  if (response === null) return null;
  const listed = extractTokenList(response, HEADER.allowHeaders);
  if (listed === null || listed === "failure") return null;
  const names = new Set(listed.map((n) => n.toLowerCase()));
  // `*` covers names only without credentials (fetch.bs §cors-preflight-fetch step 7.7).
  const star = names.has("*") && !report.credentials;
  const missing = report.preflight.unsafeNames.filter((n) => !names.has(n) && !star);
  return missing.length > 0 ? missing : null;
}

/** A YAML flow-sequence item: plain when that reads back as the same string, else quoted. */
function yamlItem(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._:/+-]*$/.test(value) && !/: /.test(value)
    ? value
    : JSON.stringify(value);
}

function changesYaml(changes: readonly ConfigChange[], newSection: boolean): string {
  const rows: [string, string][] = changes.map((c) => {
    const name = c.key.slice("cors.".length);
    if (c.set !== undefined) return [`  ${name}: ${c.set}`, ""];
    const items = `[${(c.add ?? []).map(yamlItem).join(", ")}]`;
    const comment = newSection
      ? ""
      : c.remove !== undefined
        ? `# instead of ${c.remove.map((r) => JSON.stringify(r)).join(", ")}`
        : "# add to the list you have";
    return [`  ${name}: ${items}`, comment];
  });
  const width = Math.max(0, ...rows.filter(([, c]) => c !== "").map(([l]) => l.length));
  return [
    "cors:",
    ...rows.map(([line, comment]) =>
      comment === "" ? line : `${line.padEnd(width)}   ${comment}`,
    ),
  ].join("\n");
}

// ---- one origin: no CORS at all -------------------------------------------------------------

function oneOriginFor(report: DoctorReport, diagnosis: Diagnosis): OneOrigin {
  const url = new URL(report.url);
  const first = url.pathname.split("/").filter((p) => p !== "")[0];
  const prefix = first === undefined ? null : `/${first}`;
  const relativeUrl = `${url.pathname}${url.search}`;
  const q = JSON.stringify;
  if (diagnosis.door !== null) {
    // Already a door: the page gets a route on it, after the API's.
    return {
      serve: null,
      routes: [
        "routes:",
        "  # ... the routes you have, then the page's:",
        `  - { match: /, upstream: ${q(report.origin)} }   # where the page is served today`,
      ].join("\n"),
      relativeUrl,
    };
  }
  const api = prefix === null ? [] : [`  - { match: ${prefix}, upstream: ${q(url.origin)} }`];
  const page = `  - { match: /, upstream: ${q(report.origin)} }`;
  const width = Math.max(page.length, ...api.map((l) => l.length));
  return {
    serve: `gatehouse serve --upstream ${url.origin}`,
    routes: [
      "routes:",
      ...api.map((l) => `${l.padEnd(width)}   # this API`),
      `${page.padEnd(width)}   # where the page is served today`,
    ].join("\n"),
    relativeUrl,
  };
}

// ---- other servers: the whole grant ---------------------------------------------------------

const q = (s: string): string => JSON.stringify(s);

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
