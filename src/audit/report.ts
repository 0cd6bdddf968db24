/**
 * The audit report: what `--json` prints and what the human renderer reads. Pure: built from
 * the probes and the exchanges, however they were obtained.
 */
import type { Exchange, Finding } from "./analyze.js";
import { analyze } from "./analyze.js";
import type { Probe, Severity } from "./probes.js";
import { SEVERITIES } from "./probes.js";

export interface AuditReport {
  readonly target: string;
  readonly ws: string | null;
  readonly trusted: readonly string[];
  readonly probes: { readonly sent: number; readonly answered: number; readonly failed: number };
  /** Findings per severity. */
  readonly summary: Readonly<Record<Severity, number>>;
  /** Most severe first. */
  readonly findings: readonly Finding[];
  /** Probes that got no answer (after the target proved reachable). */
  readonly errors: readonly { readonly probe: string; readonly error: string }[];
}

export interface ReportInput {
  readonly target: URL;
  readonly ws: URL | null;
  readonly trusted: readonly string[];
  readonly probes: readonly Probe[];
  /** In any order; one per probe sent. */
  readonly exchanges: readonly Exchange[];
}

export function buildReport(input: ReportInput): AuditReport {
  const ordered = input.probes
    .map((p) => input.exchanges.find((e) => e.probe === p))
    .filter((e): e is Exchange => e !== undefined);
  const findings = analyze(ordered);
  const summary = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) summary[f.severity] += 1;
  const errors = ordered
    .filter((e) => e.response === null)
    .map((e) => ({ probe: e.probe.id, error: e.error ?? "no answer" }));
  return {
    target: input.target.href,
    ws: input.ws?.href ?? null,
    trusted: [...new Set(input.trusted)],
    probes: {
      sent: ordered.length,
      answered: ordered.length - errors.length,
      failed: errors.length,
    },
    summary,
    findings,
    errors,
  };
}
