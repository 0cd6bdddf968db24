/**
 * The root cause of a blocked request: the one failure to fix first, named before the many
 * checks that fail because of it. Pure: read from the report alone.
 *
 * In order of precedence:
 *   1. no answer at all (the network step);
 *   2. a Gatehouse door's own reason (`X-Gatehouse-Cors`, see door-reason.ts): it names the
 *      check the door refused, which the bare 403 of a refused preflight cannot show;
 *   3. no CORS header in any answer: the server does not do CORS for this origin, and the
 *      better fix is one origin for page and API (see fixes.ts);
 *   4. otherwise the first failing step, in the order the browser checks (fetch.bs).
 */
import type { DoctorCode } from "./codes.js";
import type { DoorReason } from "./door-reason.js";
import { DOOR_REASON_HEADER, doorReason } from "./door-reason.js";
import type { DoctorReport, Exchange } from "./run.js";
import type { Step } from "./simulate.js";

export interface Diagnosis {
  readonly code: DoctorCode;
  /** One sentence: what went wrong, in the server's terms. */
  readonly summary: string;
  /** The answer it was read from: a status line, then the header lines that show it. */
  readonly evidence: readonly string[];
  /** The door's reason, when a Gatehouse door with `debugHeader` gave one. */
  readonly door: DoorReason | null;
  /** No answer carried any CORS header (nor `Vary: Origin`, nor a door's reason). */
  readonly noCors: boolean;
  /** The other failing steps: mostly consequences of the root cause. */
  readonly alsoFailing: readonly Step[];
}

/** The root cause of a blocked or unreachable request; null when it is allowed. */
export function diagnose(report: DoctorReport): Diagnosis | null {
  if (report.verdict === "allowed") return null;
  const failing = report.exchanges.flatMap((e) => e.steps.map((s) => ({ e, s })));
  const first = failing.find(({ s }) => s.status === "fail");
  if (first === undefined) return null;
  const others = (root: Step) =>
    failing.filter(({ s }) => s.status === "fail" && s !== root).map(({ s }) => s);
  const noCors = report.exchanges.every((e) => e.response === null || !hasCorsSign(e));

  if (first.s.code === "GH_DOCTOR_UNREACHABLE") {
    return {
      code: "GH_DOCTOR_UNREACHABLE",
      summary: `could not reach ${first.e.request.url}: ${first.s.detail}`,
      evidence: [],
      door: null,
      noCors: false,
      alsoFailing: [],
    };
  }

  const door = first.e.response === null ? null : doorReason(first.e.response);
  if (door !== null && door.refused !== null) {
    const root = doorRoot(first.e, door);
    if (root !== null) {
      return {
        code: root.code,
        summary: doorSummary(report, door),
        evidence: [...statusLine(first.e), `< ${door.line}`],
        door,
        noCors: door.refused === "policy",
        alsoFailing: others(root.step ?? first.s),
      };
    }
  }

  if (noCors) {
    const answered = first.e.response;
    return {
      code: "GH_DOCTOR_NO_CORS",
      summary: "the server sent no CORS headers at all",
      evidence: answered === null ? [] : statusLine(first.e),
      door: null,
      noCors: true,
      alsoFailing: others(first.s),
    };
  }

  const s = first.s;
  return {
    code: s.code ?? "GH_DOCTOR_ACAO_MISSING",
    summary: refusedWhole(first.e)
      ? `the preflight was refused (${first.e.response?.status}) with no Access-Control-Allow-* header: the server does not grant this origin, method or these headers, and does not say which`
      : `${s.title}: ${s.detail}`,
    evidence: [
      ...statusLine(first.e),
      ...s.linesSeen.filter((l) => !l.startsWith("HTTP ")).map((l) => `< ${l}`),
    ],
    door: null,
    noCors: false,
    alsoFailing: others(s),
  };
}

/**
 * A preflight refused whole: a status outside 2xx and no `Access-Control-Allow-*` line at all.
 * Its missing `Access-Control-Allow-Origin` fails the browser's check, but says nothing about
 * which of origin, method or headers the server objects to.
 */
export function refusedWhole(e: Exchange): boolean {
  if (e.kind !== "preflight" || e.response === null) return false;
  const { status, lines } = e.response;
  return (
    (status < 200 || status > 299) &&
    !lines.some((l) => l.name.toLowerCase().startsWith("access-control-allow-"))
  );
}

/** `Preflight OPTIONS → 403 Forbidden`. */
function statusLine(e: Exchange): string[] {
  if (e.response === null) return [];
  const kind = e.kind === "preflight" ? "Preflight" : "Request";
  const text = e.response.statusText ? ` ${e.response.statusText}` : "";
  return [`${kind} ${e.request.method} → ${e.response.status}${text}`];
}

/** Any sign that the server does CORS at all: an Access-Control-* header, Vary on them, a door. */
function hasCorsSign(e: Exchange): boolean {
  const lines = e.response?.lines ?? [];
  return lines.some((l) => {
    const name = l.name.toLowerCase();
    if (name.startsWith("access-control-") || name === DOOR_REASON_HEADER.toLowerCase())
      return true;
    return name === "vary" && /(^|,)\s*(origin|access-control-[a-z-]+)\s*(,|$)/i.test(l.value);
  });
}

/** The step (and code) a door's refusal points at. */
function doorRoot(e: Exchange, door: DoorReason): { code: DoctorCode; step: Step | null } | null {
  const byId = (suffix: string) => e.steps.find((s) => s.id.endsWith(suffix)) ?? null;
  switch (door.refused) {
    case "policy":
      return { code: "GH_DOCTOR_NO_CORS", step: byId(".allow-origin") };
    case "origin":
      return { code: "GH_DOCTOR_ACAO_MISSING", step: byId(".allow-origin") };
    case "method": {
      const step = byId(".allow-methods");
      return step?.code === undefined ? null : { code: step.code, step };
    }
    case "headers": {
      const step = byId(".allow-headers");
      return step?.code === undefined ? null : { code: step.code, step };
    }
    default:
      // The doctor never asks for Private Network Access; any other refusal is read as usual.
      return null;
  }
}

function doorSummary(report: DoctorReport, door: DoorReason): string {
  switch (door.code) {
    case "CORS_NO_POLICY":
      return "the door has no CORS policy for this path (no `cors` section): it grants nothing cross-origin";
    case "CORS_ORIGIN_NULL":
      return "the door never allows `Origin: null` (sent after a cross-origin redirect or from a sandboxed page)";
    case "CORS_ORIGIN_NOT_ALLOWED":
      return `the door does not allow the origin ${report.origin}: it is not in its \`cors.allowOrigins\``;
    case "CORS_METHOD_NOT_ALLOWED":
      return `the door refused the preflight: ${report.method} is not in its \`cors.allowMethods\``;
    case "CORS_HEADER_AUTHORIZATION_NOT_COVERED":
      return "the door refused the preflight: `authorization` must be named in `cors.allowHeaders` (`*` does not cover it)";
    case "CORS_HEADER_NOT_ALLOWED": {
      const names = report.preflight.unsafeNames;
      return `the door refused the preflight: ${names.length === 1 ? `${names[0]} is` : `one or more of ${names.join(", ")} are`} not in its \`cors.allowHeaders\``;
    }
    default:
      return `the door refused it: ${door.code}`;
  }
}
