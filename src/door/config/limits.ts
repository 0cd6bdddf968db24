/**
 * `limits`: the file's friendly keys (`maxBodySize: 25MiB`, `headersTimeout: 30s`) onto the
 * runtime's `Limits` (bytes and milliseconds), with the defaults for every key left out.
 */
import type { PathSegment } from "./paths.js";
import { isRecord } from "./paths.js";
import type { ConfigReport } from "./report.js";
import type { Limits } from "./types.js";
import { DEFAULT_LIMITS } from "./types.js";
import { parseDuration, parseSize } from "./units.js";

/** File key -> runtime field, for the sizes. */
const SIZES = [
  ["maxBodySize", "maxBodyBytes"],
  ["maxHeaderSize", "maxHeaderBytes"],
] as const satisfies readonly (readonly [string, keyof Limits])[];

/** File key -> runtime field, for the durations, with the least accepted value. */
const DURATIONS = [
  ["headersTimeout", "headersTimeoutMs", 1],
  ["requestTimeout", "requestTimeoutMs", 1],
  ["keepAliveTimeout", "keepAliveTimeoutMs", 1],
  ["upstreamConnectTimeout", "upstreamConnectTimeoutMs", 1],
  ["upstreamHeadersTimeout", "upstreamHeadersTimeoutMs", 1],
  ["streamIdleTimeout", "streamIdleTimeoutMs", 1],
  // 0: close at once on a signal, without waiting for in-flight requests.
  ["shutdownGrace", "shutdownGraceMs", 0],
] as const satisfies readonly (readonly [string, keyof Limits, number])[];

/** Validates `limits` (structure already checked); every missing key takes its default. */
export function normalizeLimits(raw: unknown, report: ConfigReport): Limits {
  const limits: { -readonly [K in keyof Limits]: Limits[K] } = { ...DEFAULT_LIMITS };
  if (!isRecord(raw)) return Object.freeze(limits);
  const at = (key: string): PathSegment[] => ["limits", key];

  for (const [key, field] of SIZES) {
    const value = raw[key];
    if (typeof value !== "number" && typeof value !== "string") continue;
    const parsed = parseSize(value);
    if (parsed.ok) limits[field] = parsed.value;
    else report.problem(parsed.code, at(key), value, parsed.why, parsed.fix);
  }
  for (const [key, field, min] of DURATIONS) {
    const value = raw[key];
    if (typeof value !== "number" && typeof value !== "string") continue;
    const parsed = parseDuration(value, min);
    if (parsed.ok) limits[field] = parsed.value;
    else report.problem(parsed.code, at(key), value, parsed.why, parsed.fix);
  }
  const sockets = raw.maxWebSockets;
  if (typeof sockets === "number" && Number.isInteger(sockets)) {
    if (sockets < 0) {
      report.problem(
        "GH_CONFIG_RANGE",
        at("maxWebSockets"),
        sockets,
        "maxWebSockets is a count, 0 or more.",
      );
    } else {
      limits.maxWebSockets = sockets;
    }
  }

  // Node.js refuses a server whose headers timeout exceeds its request timeout.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    const blame = raw.headersTimeout !== undefined ? "headersTimeout" : "requestTimeout";
    report.problem(
      "GH_CONFIG_LIMITS_CONFLICT",
      at(blame),
      raw[blame],
      `headersTimeout (${limits.headersTimeoutMs} ms) is longer than requestTimeout (${limits.requestTimeoutMs} ms); the headers are part of the request.`,
    );
  }
  return Object.freeze(limits);
}
