/**
 * The doctor's report, for people (each step pass/fail with the header lines seen, the
 * verdict per engine, the fix) and for tools (`--json`).
 */
import type { Fix } from "./fixes.js";
import { fixFor } from "./fixes.js";
import type { DoctorReport, Exchange } from "./run.js";
import type { Step } from "./simulate.js";
import { ENGINES } from "./simulate.js";

const MARK: Record<Step["status"], string> = { pass: "PASS", fail: "FAIL", note: "NOTE" };

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

export function renderHuman(report: DoctorReport): string {
  const out: string[] = [
    `gatehouse doctor: ${report.method} ${report.url}`,
    `  from origin ${report.origin}${report.credentials ? ", with credentials" : ""}`,
  ];
  for (const [n, v] of report.requestHeaders) out.push(`  header ${n}: ${v}`);
  out.push("");
  for (const s of report.notes) out.push(...renderStep(s, ""));
  if (report.exchanges.length > 0) {
    out.push(
      report.preflight.needed
        ? `Preflight needed (fetch.bs §http-fetch step 4.1): ${report.preflight.reasons.join("; ")}`
        : "No preflight needed: safelisted method and headers (fetch.bs §cors-safelisted-request-header)",
    );
  }
  for (const e of report.exchanges) out.push("", ...renderExchange(e));
  out.push("");
  const label =
    report.verdict === "allowed"
      ? "ALLOWED"
      : report.verdict === "blocked"
        ? "BLOCKED"
        : "UNREACHABLE";
  out.push(
    `Verdict: ${label}  (${ENGINES.map((e) => `${engineName(e)}: ${report.engines[e]}`).join(", ")})`,
  );
  for (const d of report.differences) out.push(`  Browsers differ: ${d}`);
  if (report.verdict === "blocked" && report.differences.length > 0) {
    out.push("  Counted as blocked: some users' browsers refuse it.");
  }
  if (report.verdict === "allowed" && report.exchanges.length > 0) {
    out.push(`  Script can read: ${report.readable.join(", ") || "(no headers)"}`);
  }
  const fix = fixFor(report);
  if (fix !== null) out.push("", ...renderFix(fix));
  return out.join("\n");
}

function engineName(e: string): string {
  return e === "fetch" ? "Fetch Standard" : e === "chromium" ? "Chromium" : "Firefox";
}

export function renderFix(fix: Fix): string[] {
  const out = ["Fix:"];
  for (const h of fix.hints) out.push(`  ${h.code}: ${h.text}`);
  const block = (title: string, text: string) => [
    "",
    `  ${title}`,
    ...text.split("\n").map((l) => `    ${l}`),
  ];
  out.push(
    "",
    "  To grant exactly this request:",
    ...block("Gatehouse (gatehouse.yaml):", fix.gatehouse),
    ...block("nginx:", fix.nginx),
    ...block("Express (cors):", fix.express),
    ...block("Fastify (@fastify/cors):", fix.fastify),
    "",
    "  Codes are explained in docs/errors.md.",
  );
  return out;
}

/** `--json`: the report, plus the fix when blocked. */
export function renderJson(report: DoctorReport): string {
  return JSON.stringify({ ...report, fix: fixFor(report) }, null, 2);
}
