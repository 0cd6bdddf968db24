/**
 * The doctor's report, for people and for tools (`--json`).
 *
 * For people, the root cause comes first and a typical blocked request fits one screen: the
 * verdict, the root cause with the lines that show it, the other failing checks by code, and
 * the fix for one target. `--verbose` adds every step of every exchange with the header lines
 * it read, as the browser runs them.
 */
import { type Diagnosis, diagnose } from "./diagnose.js";
import type { Fix, GatehouseFix, Target } from "./fixes.js";
import { fixFor, TARGET_TITLES, TARGETS } from "./fixes.js";
import type { DoctorReport, Exchange } from "./run.js";
import type { Step } from "./simulate.js";
import { ENGINES } from "./simulate.js";

export interface RenderOptions {
  /** Every step of every exchange, and every failing code's hint. */
  readonly verbose?: boolean;
  /** The servers whose fix is printed; default Gatehouse only. */
  readonly targets?: readonly Target[];
}

const MARK: Record<Step["status"], string> = {
  pass: "PASS",
  fail: "FAIL",
  note: "NOTE",
  skip: "SKIP",
};

/** Prose is wrapped here; header lines and config excerpts never are. */
const WIDTH = 100;

/** Word-wraps `text`: the first line after `first`, the others after `rest` (default: as deep). */
function wrap(text: string, first: string, rest = first, width = WIDTH): string[] {
  const out: string[] = [];
  let indent = first;
  let line = "";
  for (const word of text.split(/ +/)) {
    if (line !== "" && indent.length + line.length + 1 + word.length > width) {
      out.push(indent + line);
      indent = rest;
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") out.push(indent + line);
  return out;
}

function engineName(e: string): string {
  return e === "fetch" ? "Fetch Standard" : e === "chromium" ? "Chromium" : "Firefox";
}

function verdictLine(report: DoctorReport): string {
  if (report.verdict === "unreachable") return "UNREACHABLE: no browser got an answer.";
  const by = (v: string) => ENGINES.filter((e) => report.engines[e] === v).map(engineName);
  const blocked = by("blocked");
  const all = ENGINES.map(engineName).join(", ");
  if (blocked.length === 0) return `ALLOWED in every browser (${all}).`;
  if (blocked.length === ENGINES.length) return `BLOCKED in every browser (${all}).`;
  return `BLOCKED in ${blocked.join(" and ")}; ${by("allowed").join(" and ")} allow${by("allowed").length === 1 ? "s" : ""} it. Counted as blocked: some users' browsers refuse it.`;
}

function exchangeSummary(e: Exchange): string {
  const kind = e.kind === "preflight" ? "Preflight" : "Request";
  if (e.response === null) return `${kind} ${e.request.method}: no answer`;
  const text = e.response.statusText ? ` ${e.response.statusText}` : "";
  return `${kind} ${e.request.method} → ${e.response.status}${text}`;
}

// ---- steps (verbose) ------------------------------------------------------------------------

function renderStep(s: Step, indent: string): string[] {
  const code = s.code !== undefined && s.status !== "pass" ? ` [${s.code}]` : "";
  const out = [`${indent}${MARK[s.status]}  ${s.title}: ${s.detail}${code}`];
  for (const line of s.linesSeen) out.push(`${indent}        < ${line}`);
  if (s.status === "fail" && s.blocks.length < ENGINES.length) {
    out.push(`${indent}        blocks in: ${s.blocks.join(", ")}`);
  }
  return out;
}

function renderExchange(e: Exchange): string[] {
  const title = e.kind === "preflight" ? "Preflight" : "Request";
  const out = [`${title}: ${e.request.method} ${e.request.url}`];
  for (const [n, v] of e.request.headers) out.push(`  > ${n}: ${v}`);
  if (e.response !== null) {
    out.push(
      `  < HTTP ${e.response.status}${e.response.statusText ? ` ${e.response.statusText}` : ""}`,
    );
    for (const l of e.response.lines) out.push(`  < ${l.name}: ${l.value}`);
  }
  for (const s of e.steps) out.push(...renderStep(s, "  "));
  return out;
}

function renderSteps(report: DoctorReport): string[] {
  const out: string[] = [];
  if (report.exchanges.length > 0) {
    out.push(
      "",
      report.preflight.needed
        ? `Preflight needed (fetch.bs §http-fetch step 4.1): ${report.preflight.reasons.join("; ")}`
        : "No preflight needed: safelisted method and headers (fetch.bs §cors-safelisted-request-header)",
    );
  }
  for (const e of report.exchanges) out.push("", ...renderExchange(e));
  return out;
}

// ---- root cause and fix ---------------------------------------------------------------------

function renderDiagnosis(d: Diagnosis, verbose: boolean): string[] {
  const out = wrap(`Root cause [${d.code}]: ${d.summary}`, "", "  ");
  for (const line of d.evidence) out.push(`  ${line}`);
  // With no CORS header at all, every check fails: naming them adds nothing.
  if (!verbose && !(d.noCors && d.door === null)) {
    const codes = [
      ...new Set(d.alsoFailing.flatMap((s) => (s.code === undefined ? [] : [s.code]))),
    ].filter((c) => c !== d.code);
    if (codes.length > 0) {
      out.push(
        ...wrap(
          `${d.door !== null || d.noCors ? "Failing because of it" : "Also failing"}: ${codes.join(", ")}`,
          "  ",
        ),
      );
    }
  }
  return out;
}

function renderGatehouse(g: GatehouseFix, first: boolean): string[] {
  const heading = g.newSection
    ? "Fix in Gatehouse (gatehouse.yaml): add a `cors` section; this door has none:"
    : "Fix in Gatehouse (gatehouse.yaml), adding to what is there:";
  const out = [first ? heading : `Otherwise, grant the origin. ${heading}`];
  for (const c of g.changes) out.push(...wrap(`- ${c.text}`, "  ", "    "));
  out.push(...g.yaml.split("\n").map((l) => `    ${l}`));
  for (const n of g.notes) out.push(...wrap(n, "  "));
  return out;
}

function renderTarget(fix: Fix, target: Target, first: boolean): string[] {
  if (target === "gatehouse") {
    return fix.gatehouse === null ? [] : renderGatehouse(fix.gatehouse, first);
  }
  const text = fix[target];
  if (text === null) return [];
  const title = `Fix for ${TARGET_TITLES[target]}:`;
  return [first ? title : `Otherwise, grant the origin. ${title}`, ...indent(text, "    ")];
}

function indent(text: string, by: string): string[] {
  return text.split("\n").map((l) => `${by}${l}`);
}

function renderFix(fix: Fix, targets: readonly Target[], verbose: boolean): string[] {
  const out: string[] = [];
  if (verbose) {
    out.push("", "How to solve each failing check:");
    for (const h of fix.hints) out.push(...wrap(`${h.code}: ${h.text}`, "  ", "    "));
  }
  if (fix.oneOrigin !== null) {
    const o = fix.oneOrigin;
    if (o.serve !== null) {
      out.push(
        "",
        "Best fix, no CORS at all: the page and the API on one origin through a Gatehouse door,",
        `  ${o.serve}   (if this server serves the page too)`,
        `or one route each in gatehouse.yaml; the page then calls ${o.relativeUrl}:`,
      );
    } else {
      out.push(
        "",
        "Best fix, no CORS at all: serve the page through this door too, on the API's origin",
        `(a route in gatehouse.yaml); the page then calls ${o.relativeUrl}:`,
      );
    }
    out.push(...indent(o.routes, "    "));
  }
  if (fix.refused !== null) {
    out.push("", ...wrap(`[${fix.refused.code}] ${fix.refused.text}`, "", "  "));
    return out;
  }
  for (const target of targets) {
    const lines = renderTarget(fix, target, fix.oneOrigin === null);
    if (lines.length > 0) out.push("", ...lines);
  }
  return out;
}

// ---- the report -----------------------------------------------------------------------------

export function renderHuman(report: DoctorReport, options: RenderOptions = {}): string {
  const verbose = options.verbose === true;
  const targets = options.targets ?? ["gatehouse"];
  const out: string[] = [`gatehouse doctor: ${report.method} ${report.url}`];
  const headers = report.requestHeaders.map(([n, v]) => `${n}: ${v}`);
  out.push(
    `  from ${report.origin}${report.credentials ? ", with credentials" : ""}${verbose || headers.length === 0 ? "" : `; ${headers.join(", ")}`}`,
  );
  if (verbose) for (const h of headers) out.push(`  header ${h}`);
  for (const s of report.notes) out.push(...renderStep(s, ""));
  if (verbose) out.push(...renderSteps(report));

  out.push("", verdictLine(report));
  const diagnosis = diagnose(report);
  if (report.verdict === "allowed") {
    if (report.exchanges.length > 0) {
      out.push(`  ${report.exchanges.map(exchangeSummary).join("; ")}`);
      out.push(...wrap(`Script can read: ${report.readable.join(", ") || "(no headers)"}`, "  "));
    }
    if (!verbose) {
      for (const s of report.exchanges.flatMap((e) => e.steps)) {
        if (s.status === "note" && s.code !== undefined) {
          out.push(...wrap(`NOTE [${s.code}] ${s.title}: ${s.detail}`, "  ", "    "));
        }
      }
    }
  }
  if (diagnosis !== null) {
    out.push("", ...renderDiagnosis(diagnosis, verbose));
    if (verbose) for (const d of report.differences) out.push(`  Browsers differ: ${d}`);
  }
  if (report.verdict === "unreachable" && diagnosis !== null) {
    out.push(...wrap(DOCTOR_HINT_UNREACHABLE, "  "));
  }
  const fix = fixFor(report);
  if (fix !== null) out.push(...renderFix(fix, targets, verbose));

  const more: string[] = [];
  if (!verbose && report.exchanges.length > 0) more.push("--verbose for every step");
  const others = TARGETS.filter((t) => !targets.includes(t));
  if (fix !== null && fix.refused === null && others.length > 0)
    more.push(`--for ${others.join("|")} for another server`);
  out.push(
    "",
    more.length > 0
      ? `More: ${more.join(", ")}. Codes: docs/errors.md.`
      : "Codes are explained in docs/errors.md.",
  );
  return out.join("\n");
}

const DOCTOR_HINT_UNREACHABLE =
  "Check the URL and that the server listens there; a browser would fail the same way (TypeError: Failed to fetch).";

/**
 * `--json`: the report, the root cause and the fix (every target, whatever `--for` says:
 * machines pick).
 */
export function renderJson(report: DoctorReport): string {
  return JSON.stringify({ ...report, diagnosis: diagnose(report), fix: fixFor(report) }, null, 2);
}
