/** What a worker prints (one JSON line on stdout) for the parent to aggregate. */

export interface Timing {
  /** ns per call, one entry per mitata sample (a batch of calls), sorted, extremes trimmed. */
  readonly samples: readonly number[];
  /** Calls timed in all. */
  readonly calls: number;
}

export interface MeasuredRow {
  readonly variant: string;
  readonly workload: string;
  readonly run: Timing;
  readonly baseline: Timing;
}

export interface VariantInfo {
  readonly id: string;
  readonly label: string;
  readonly configured: string;
  readonly invoked: string;
}

export interface WorkerReport {
  readonly group: string;
  readonly variants: readonly VariantInfo[];
  readonly rows: readonly MeasuredRow[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTiming(value: unknown): value is Timing {
  return (
    isRecord(value) &&
    Array.isArray(value.samples) &&
    value.samples.every((s) => typeof s === "number") &&
    typeof value.calls === "number"
  );
}

function isRow(value: unknown): value is MeasuredRow {
  return (
    isRecord(value) &&
    typeof value.variant === "string" &&
    typeof value.workload === "string" &&
    isTiming(value.run) &&
    isTiming(value.baseline)
  );
}

function isVariantInfo(value: unknown): value is VariantInfo {
  return (
    isRecord(value) &&
    ["id", "label", "configured", "invoked"].every((key) => typeof value[key] === "string")
  );
}

export function parseWorkerReport(text: string): WorkerReport {
  const value: unknown = JSON.parse(text);
  if (
    isRecord(value) &&
    typeof value.group === "string" &&
    Array.isArray(value.variants) &&
    value.variants.every(isVariantInfo) &&
    Array.isArray(value.rows) &&
    value.rows.every(isRow)
  ) {
    return { group: value.group, variants: value.variants, rows: value.rows };
  }
  throw new Error("a worker printed something that is not a report");
}
