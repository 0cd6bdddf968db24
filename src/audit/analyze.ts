/**
 * From exchanges (probe, response) to the audit's findings. Pure.
 *
 * - Each probe's judge gives drafts; drafts with the same code merge into one finding that
 *   keeps the most severe example as evidence and lists the other origins in `alsoAccepted`.
 * - One cause, one finding. Drafts that another finding explains fold into it (their origins
 *   join its `alsoAccepted`, and its `why` says so):
 *   - when any origin is reflected, the look-alike families and `null` fold into the
 *     reflection: a server that echoes every origin echoes those too;
 *   - otherwise, a suffix match (pre-domain accepted) and an unescaped dot are told apart by
 *     the dot probes: a dot replaced before the registrable domain (`apixexample.com`) still
 *     ends with the domain, so a suffix match accepts it; a dot replaced inside the domain
 *     (`api.examplexcom`) does not. Without the latter, the dot look-alikes fold into the
 *     suffix match; with it, the expression has unescaped dots, and the pre-domain look-alike
 *     folds into that finding.
 * - `Vary: Origin` is judged across responses: the `Access-Control-Allow-Origin` answer is
 *   dynamic when the GET probes did not all get the same one.
 */
import { STATUS_CODES } from "node:http";
import { HEADER } from "../http-client/header-names.js";
import type { ObservedResponse } from "../http-client/message.js";
import { headerLines, headerValue, WEBSOCKET_HANDSHAKE } from "../http-client/message.js";
import type { AuditFindingCode } from "./codes.js";
import { AUDIT_FINDING_CODES } from "./codes.js";
import type { FindingDraft, Fix, Probe, Severity } from "./probes.js";
import { SEVERITIES, variesOnOrigin } from "./probes.js";

export interface Exchange {
  readonly probe: Probe;
  /** null when the probe got no answer (see `error`). */
  readonly response: ObservedResponse | null;
  readonly error: string | null;
}

export interface Evidence {
  /** The request as sent, one header per line, without the body. */
  readonly request: readonly string[];
  /** The status line and the CORS-relevant headers seen. */
  readonly response: readonly string[];
}

export interface Finding {
  readonly code: AuditFindingCode;
  readonly severity: Severity;
  readonly title: string;
  /** The probe whose exchange is the evidence. */
  readonly probe: string;
  /** The `Origin` that probe sent, or null. */
  readonly origin: string | null;
  readonly credentials: boolean;
  readonly evidence: Evidence;
  readonly why: string;
  readonly fix: Fix;
  /** Other origins that got the same grant (or were folded into this finding). */
  readonly alsoAccepted: readonly string[];
}

/** The response headers shown as evidence, in this order, spelled as here. */
const EVIDENCE_HEADERS = [
  HEADER.allowOrigin,
  HEADER.allowCredentials,
  HEADER.allowMethods,
  HEADER.allowHeaders,
  HEADER.allowPrivateNetwork,
  HEADER.exposeHeaders,
  HEADER.maxAge,
  HEADER.vary,
  HEADER.upgrade,
  HEADER.connection,
  HEADER.secWebSocketAccept,
];

export function evidenceFor(probe: Probe, response: ObservedResponse | null): Evidence {
  const url = new URL(probe.request.url);
  const request = [
    `${probe.request.method} ${url.pathname}${url.search} HTTP/1.1`,
    `${HEADER.host}: ${url.host}`,
    ...(probe.request.kind === "websocket"
      ? WEBSOCKET_HANDSHAKE.map(([name, value]) => `${name}: ${value}`)
      : []),
    ...probe.request.headers.map(([name, value]) => `${name}: ${value}`),
  ];
  if (response === null) return { request, response: [] };
  const status = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}`.trimEnd();
  const lines = [status];
  for (const name of EVIDENCE_HEADERS) {
    if (probe.request.kind === "http" && WEBSOCKET_ONLY.has(name)) continue;
    for (const line of headerLines(response, name)) lines.push(`${name}: ${line.value}`);
  }
  return { request, response: lines };
}

const WEBSOCKET_ONLY: ReadonlySet<string> = new Set([
  HEADER.upgrade,
  HEADER.connection,
  HEADER.secWebSocketAccept,
]);

const FOLDED_INTO_REFLECTION: ReadonlySet<AuditFindingCode> = new Set<AuditFindingCode>([
  "GH_AUDIT_NULL_ORIGIN",
  "GH_AUDIT_PREDOMAIN",
  "GH_AUDIT_SUBSTRING",
  "GH_AUDIT_POSTDOMAIN",
  "GH_AUDIT_UNESCAPED_DOT",
  "GH_AUDIT_SPECIAL_CHARACTERS",
  "GH_AUDIT_ANY_SUBDOMAIN",
  "GH_AUDIT_INSECURE_ORIGIN",
  "GH_AUDIT_THIRD_PARTY",
  "GH_AUDIT_LOCALHOST",
]);

/** What a folded family adds to the `why` of the finding it folds into. */
const FOLD_NOTES: Partial<Record<AuditFindingCode, string>> = {
  GH_AUDIT_NULL_ORIGIN:
    "It echoes `Origin: null` the same way, so sandboxed iframes and `data:` pages, which any attacker can make, are allowed too.",
};

/** A draft of another finding that this one explains. */
interface Fold {
  readonly into: AuditFindingCode;
  readonly note: string | null;
}

export function rank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

interface Draft {
  readonly draft: FindingDraft;
  readonly exchange: Exchange;
}

export function analyze(exchanges: readonly Exchange[]): Finding[] {
  const drafts: Draft[] = [];
  for (const exchange of exchanges) {
    if (exchange.response === null) continue;
    for (const draft of exchange.probe.judge(exchange.response)) drafts.push({ draft, exchange });
  }
  const vary = varyDraft(exchanges);
  if (vary !== null) drafts.push(vary);

  const byCode = new Map<AuditFindingCode, Draft[]>();
  for (const d of drafts) {
    const list = byCode.get(d.draft.code) ?? [];
    list.push(d);
    byCode.set(d.draft.code, list);
  }

  const folds = new Map<AuditFindingCode, Fold>();
  if (byCode.has("GH_AUDIT_ORIGIN_REFLECTED")) {
    for (const code of FOLDED_INTO_REFLECTION) {
      folds.set(code, { into: "GH_AUDIT_ORIGIN_REFLECTED", note: FOLD_NOTES[code] ?? null });
    }
  } else {
    foldDots(byCode, folds);
  }

  const findings = new Map<AuditFindingCode, Finding>();
  for (const [code, list] of byCode) if (!folds.has(code)) findings.set(code, merge(list));
  for (const [code, fold] of folds) {
    const list = byCode.get(code);
    const target = findings.get(fold.into);
    if (list === undefined || target === undefined) continue;
    const origins = list.map((d) => d.exchange.probe.origin).filter((o) => o !== null);
    findings.set(fold.into, {
      ...target,
      why: fold.note === null ? target.why : `${target.why} ${fold.note}`,
      alsoAccepted: unique([...target.alsoAccepted, ...origins]).filter((o) => o !== target.origin),
    });
  }
  return [...findings.values()].sort(
    (a, b) => rank(a.severity) - rank(b.severity) || a.code.localeCompare(b.code),
  );
}

/** Suffix match or unescaped dot (see the header): which finding the other folds into. */
function foldDots(
  byCode: ReadonlyMap<AuditFindingCode, Draft[]>,
  folds: Map<AuditFindingCode, Fold>,
) {
  const suffix = byCode.get("GH_AUDIT_PREDOMAIN");
  const dots = byCode.get("GH_AUDIT_UNESCAPED_DOT");
  if (suffix === undefined || dots === undefined) return;
  const inner = dots.filter((d) => d.exchange.probe.family === "unescaped-dot");
  if (inner.length === 0) {
    folds.set("GH_AUDIT_UNESCAPED_DOT", {
      into: "GH_AUDIT_PREDOMAIN",
      note: `Names with a dot of the host replaced (${dots[0]?.exchange.probe.origin}) pass for the same reason: they still end with the domain. Names whose domain itself lost its dot do not, so this is a suffix match (\`endsWith\`), not an unescaped dot in a regular expression.`,
    });
  } else {
    folds.set("GH_AUDIT_PREDOMAIN", {
      into: "GH_AUDIT_UNESCAPED_DOT",
      note: `${suffix[0]?.exchange.probe.origin} passes too: the expression's \`.\` before the domain is unescaped, or it lacks a \`^\` anchor.`,
    });
  }
}

function merge(list: readonly Draft[]): Finding {
  // The most severe draft is the evidence; ties go to the probe sent first.
  const best = list.reduce((a, b) => (rank(b.draft.severity) < rank(a.draft.severity) ? b : a));
  const { draft, exchange } = best;
  const others = list
    .filter((d) => d !== best)
    .map((d) => d.exchange.probe.origin)
    .filter((o): o is string => o !== null && o !== exchange.probe.origin);
  return {
    code: draft.code,
    severity: draft.severity,
    title: draft.title,
    probe: exchange.probe.id,
    origin: exchange.probe.origin,
    credentials: draft.credentials,
    evidence: evidenceFor(exchange.probe, exchange.response),
    why: draft.why,
    fix: draft.fix,
    alsoAccepted: unique(others),
  };
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

/**
 * The ACAO answer is dynamic when the plain GETs (with and without `Origin`) did not all get the
 * same one. Then every response needs `Vary: Origin`: high where a response that grants an
 * origin lacks it (a cache hands that grant to others), low where only responses that grant
 * nothing lack it (a cache hands the refusal to the allowed origin).
 */
function varyDraft(exchanges: readonly Exchange[]): Draft | null {
  const gets = exchanges.filter(
    (e): e is Exchange & { response: ObservedResponse } =>
      e.response !== null && e.probe.request.kind === "http" && e.probe.request.method === "GET",
  );
  const answers = new Set(gets.map((e) => headerValue(e.response, HEADER.allowOrigin) ?? ""));
  if (answers.size < 2) return null;
  const missing = gets.filter((e) => !variesOnOrigin(e.response));
  if (missing.length === 0) return null;
  const granting = missing.find((e) => {
    const acao = headerValue(e.response, HEADER.allowOrigin);
    return acao !== null && acao !== "*";
  });
  const exchange = granting ?? missing[0];
  if (exchange === undefined) return null;
  const code = "GH_AUDIT_VARY_MISSING";
  return {
    exchange,
    draft: {
      code,
      severity: granting === undefined ? "low" : "high",
      title: AUDIT_FINDING_CODES[code].title,
      why:
        granting === undefined
          ? "Responses that grant nothing lack `Vary: Origin` while others grant an origin: a cache (browser, CDN, proxy) that stored the refusal hands it to an allowed origin, which breaks it; no origin gains access."
          : "This response grants one origin but does not say it depends on `Origin`: a browser or shared cache stores it and serves the grant to requests from other origins (cache poisoning), or serves another origin's answer to this one. With reflection, a cached grant for the attacker's origin outlives the attack.",
      fix: {
        gatehouse: [
          "# Gatehouse sends `Vary: Origin` on every response of a route whose policy is not `*`",
          "cors:",
          "  allowOrigins: [https://app.example.com]",
        ],
        generic: AUDIT_FINDING_CODES[code].howToSolve,
      },
      credentials: headerValue(exchange.response, HEADER.allowCredentials) === "true",
    },
  };
}
