/**
 * Defaults that depend on more than one key, and where the listen address comes from:
 * `--listen` beats `PORT`, which beats the file, which beats 127.0.0.1:8080.
 */
import type { DoorLintCode } from "./codes.js";
import { DEFAULT_LISTEN, formatListen, parseListen, parsePortEnv } from "./listen.js";
import type { ConfigReport } from "./report.js";
import type { ListenAddress, LogConfig } from "./types.js";

export const DEFAULT_LOG: LogConfig = Object.freeze({ level: "info", format: "auto" });

/** Where the effective listen address (or its host) was written. */
export type ListenSource = "--listen" | "listen" | "default";

export interface ResolvedListen {
  readonly address: ListenAddress;
  /** Where the host came from (`PORT` only ever changes the port). */
  readonly hostFrom: ListenSource;
}

/**
 * The effective listen address. `PORT` (as set by PaaS hosts) replaces only the port, so
 * `listen: 0.0.0.0:8080` with `PORT=3000` listens on 0.0.0.0:3000; an empty `PORT` is unset.
 * Returns null when an override is invalid (reported with the path `--listen` or `PORT`).
 */
export function resolveListen(
  fromFile: ListenAddress | null,
  overrides: { readonly listen?: string | undefined; readonly env?: NodeJS.ProcessEnv | undefined },
  report: ConfigReport,
): ResolvedListen | null {
  if (overrides.listen !== undefined) {
    const parsed = parseListen(overrides.listen);
    if (!parsed.ok) {
      report.problemOutside(parsed.code, "--listen", overrides.listen, parsed.why, parsed.fix);
      return null;
    }
    return { address: Object.freeze(parsed.value), hostFrom: "--listen" };
  }
  const base = fromFile ?? DEFAULT_LISTEN;
  const hostFrom: ListenSource = fromFile === null ? "default" : "listen";
  const port = overrides.env?.PORT;
  if (port !== undefined && port !== "") {
    const parsed = parsePortEnv(port);
    if (!parsed.ok) {
      report.problemOutside(parsed.code, "PORT", port, parsed.why, parsed.fix);
      return null;
    }
    return { address: Object.freeze({ host: base.host, port: parsed.value }), hostFrom };
  }
  return { address: base, hostFrom };
}

/** A lint about the listen address, placed where its host was written. */
export function lintListen(
  listen: ResolvedListen,
  code: DoorLintCode,
  message: string,
  report: ConfigReport,
): void {
  const value = formatListen(listen.address);
  if (listen.hostFrom === "--listen") report.lint(code, "--listen", value, "warning", message);
  else report.lint(code, ["listen"], value, "warning", message);
}
