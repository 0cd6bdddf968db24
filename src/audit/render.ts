/**
 * The audit report for people (grouped by severity, most severe first) and for machines
 * (`--json`). Pure.
 */

import type { Severity } from "./probes.js";
import { SEVERITIES } from "./probes.js";
import type { AuditReport } from "./report.js";

/** How many extra origins a human report lists before "and N more". */
const ALSO_SHOWN = 6;

/** Exit status: 1 when any finding other than `info`, else 0. */
export function exitCode(report: AuditReport): 0 | 1 {
  return report.findings.some((f) => f.severity !== "info") ? 1 : 0;
}

export function renderJson(report: AuditReport): string {
  return JSON.stringify({ ok: exitCode(report) === 0, ...report }, null, 2);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function renderHuman(report: AuditReport): string {
  const lines: string[] = [];
  lines.push(`gatehouse audit ${report.target}${report.ws === null ? "" : ` --ws ${report.ws}`}`);
  if (report.trusted.length > 0) lines.push(`trusted origins: ${report.trusted.join(", ")}`);
  const { sent, answered, failed } = report.probes;
  lines.push(
    `${plural(sent, "probe")} sent, ${answered} answered${failed > 0 ? `, ${failed} without an answer` : ""}.`,
  );
  const counts = SEVERITIES.filter((s) => report.summary[s] > 0).map(
    (s) => `${report.summary[s]} ${s}`,
  );
  if (report.findings.length === 0) {
    lines.push("", "No findings.");
  } else {
    lines.push(`${plural(report.findings.length, "finding")}: ${counts.join(", ")}.`);
  }

  for (const severity of SEVERITIES) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push(
      "",
      `== ${heading(severity)} ${"=".repeat(Math.max(3, 80 - heading(severity).length - 4))}`,
    );
    for (const f of group) {
      lines.push("", `${f.severity.toUpperCase()}  ${f.code}`, `  ${f.title}`, "");
      lines.push("  Evidence:");
      for (const l of f.evidence.request) lines.push(`    > ${l}`);
      if (f.evidence.response.length === 0) lines.push("    (no answer)");
      for (const l of f.evidence.response) lines.push(`    < ${l}`);
      if (f.alsoAccepted.length > 0) {
        const shown = f.alsoAccepted.slice(0, ALSO_SHOWN);
        const more = f.alsoAccepted.length - shown.length;
        lines.push(`  Also accepted (${f.alsoAccepted.length}):`);
        for (const origin of shown) lines.push(`    ${origin}`);
        if (more > 0) lines.push(`    … and ${more} more (--json lists them all)`);
      }
      lines.push("", ...wrap(`Why: ${f.why}`, "  ", "       "), "");
      lines.push(...wrap(`Fix: ${f.fix.generic}`, "  ", "       "));
      lines.push("  In Gatehouse:");
      for (const l of f.fix.gatehouse) lines.push(`    ${l}`);
    }
  }
  if (report.errors.length > 0) {
    lines.push("", `Probes without an answer (${report.errors.length}):`);
    for (const e of report.errors.slice(0, 10)) lines.push(`  ${e.probe}: ${e.error}`);
    if (report.errors.length > 10) lines.push(`  … and ${report.errors.length - 10} more`);
  }
  lines.push(
    "",
    report.findings.length === 0
      ? "Exit 0: nothing found. The audit sees only what the server answers to these probes; it cannot prove the absence of other bugs."
      : `Exit ${exitCode(report)}. Codes are explained in docs/errors.md.`,
  );
  return lines.join("\n");
}

function heading(severity: Severity): string {
  return severity.toUpperCase();
}

/** Word-wraps to 100 columns: first line with `first`, the others with `rest`. */
function wrap(text: string, first: string, rest: string, width = 100): string[] {
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/)) {
    if (!empty && line.length + 1 + word.length > width) {
      out.push(line);
      line = rest + word;
    } else {
      line += (empty ? "" : " ") + word;
    }
    empty = false;
  }
  out.push(line);
  return out;
}
