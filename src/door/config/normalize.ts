/**
 * From data that passed the structural check to the `GatehouseConfig` the runtime reads: each
 * value is checked for meaning, defaults are filled in (some derived from other keys), and
 * risky but legal choices are noted. Values of the wrong type are skipped silently here: the
 * structural check has already reported them.
 */
import { normalizeGlobalCors, normalizeWebSocketOrigins } from "./cors.js";
import type { ResolvedListen } from "./defaults.js";
import { DEFAULT_LOG, lintListen, resolveListen } from "./defaults.js";
import type { HostEntry } from "./hosts.js";
import { defaultHosts, originHostName, originPort, parseHostEntry } from "./hosts.js";
import { normalizeLimits } from "./limits.js";
import { isWildcardAddress, parseListen } from "./listen.js";
import { isRecord } from "./paths.js";
import { parseTrustEntry } from "./proxies.js";
import { deriveOrigin, isInsecureOrigin, parsePublicOrigin } from "./public-origin.js";
import type { ConfigReport } from "./report.js";
import { normalizeRoutes } from "./routes.js";
import { normalizeTls } from "./tls.js";
import type { GatehouseConfig, InspectorConfig, ListenAddress, LogConfig } from "./types.js";
import { INSPECTOR_OFF } from "./types.js";

export interface NormalizeOptions {
  /** Absolute path of the file, or null. */
  readonly source: string | null;
  /** Folder that relative `static`, `tls.cert` and `tls.key` paths start from. */
  readonly baseDir: string;
  /** `--listen`: replaces `listen`. */
  readonly listen?: string | undefined;
  /** For `PORT`: replaces the port of `listen`. */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/** Returns the configuration, or null when any problem was reported (before or during). */
export function normalizeConfig(
  data: unknown,
  options: NormalizeOptions,
  report: ConfigReport,
): GatehouseConfig | null {
  const raw = isRecord(data) ? data : {};

  let fileListen: ListenAddress | null = null;
  if (typeof raw.listen === "string" || typeof raw.listen === "number") {
    const parsed = parseListen(raw.listen);
    if (parsed.ok) fileListen = parsed.value;
    else report.problem(parsed.code, ["listen"], raw.listen, parsed.why, parsed.fix);
  }
  const listenValid = raw.listen === undefined || fileListen !== null;
  const listen = listenValid ? resolveListen(fileListen, options, report) : null;
  const tlsWanted = isRecord(raw.tls);

  const publicOrigin = normalizePublicOrigin(raw.publicOrigin, listen, tlsWanted, report);
  const hosts = normalizeHosts(raw.hosts, publicOrigin, listen, report);
  const trustProxy = normalizeTrustProxy(raw.trustProxy, report);
  const routes = normalizeRoutes(raw.routes, options.baseDir, report);
  const cors = normalizeGlobalCors(raw.cors, report);
  const websocketOrigins = isRecord(raw.websocket)
    ? normalizeWebSocketOrigins(raw.websocket.allowOrigins, report)
    : null;
  const csrf = raw.csrf !== false;
  if (raw.csrf === false) {
    report.lint(
      "GH_LINT_CSRF_DISABLED",
      ["csrf"],
      false,
      "warning",
      "any website a user visits can send POST, PUT and DELETE requests through the front door, with the user's cookies and network position.",
    );
  }
  const tls = normalizeTls(raw.tls, options.baseDir, listen?.address ?? null, report);
  const limits = normalizeLimits(raw.limits, report);
  const log = normalizeLog(raw.log);

  if (listen !== null)
    lintExposure(listen, publicOrigin, raw.publicOrigin !== undefined, tlsWanted, report);

  if (
    report.problemCount > 0 ||
    listen === null ||
    publicOrigin === null ||
    hosts === null ||
    cors === undefined ||
    websocketOrigins === undefined
  ) {
    return null;
  }
  return Object.freeze({
    source: options.source,
    listen: listen.address,
    publicOrigin,
    hosts: Object.freeze(hosts),
    trustProxy: Object.freeze(trustProxy),
    routes: Object.freeze(routes),
    cors,
    websocket: Object.freeze({
      allowOrigins: websocketOrigins === null ? null : Object.freeze(websocketOrigins),
    }),
    csrf,
    tls,
    limits,
    log,
    inspector: normalizeInspector(raw.inspector),
    debugHeader: raw.debugHeader === true,
  });
}

/** `true`, `false` or `{ token }` (its shape is checked by the schema). */
function normalizeInspector(value: unknown): InspectorConfig {
  if (value === true) return Object.freeze({ enabled: true, token: null });
  if (isRecord(value) && typeof value.token === "string") {
    return Object.freeze({ enabled: true, token: value.token });
  }
  return INSPECTOR_OFF;
}

function normalizePublicOrigin(
  value: unknown,
  listen: ResolvedListen | null,
  tls: boolean,
  report: ConfigReport,
): string | null {
  if (typeof value === "string") {
    const parsed = parsePublicOrigin(value);
    if (!parsed.ok) {
      report.problem(parsed.code, ["publicOrigin"], value, parsed.why, parsed.fix);
      return null;
    }
    if (parsed.value.normalizedNote !== null) {
      report.lint(
        "GH_LINT_ORIGIN_NORMALIZED",
        ["publicOrigin"],
        value,
        "info",
        parsed.value.normalizedNote,
        parsed.value.origin,
      );
    }
    return parsed.value.origin;
  }
  if (value !== undefined || listen === null) return null;
  const derived = deriveOrigin(listen.address, tls);
  if (derived.guessed) {
    lintListen(
      listen,
      "GH_LINT_PUBLIC_ORIGIN_DERIVED",
      `publicOrigin is not set, and the wildcard address has no name: ${derived.origin} is assumed. Set publicOrigin to the origin browsers use.`,
      report,
    );
  }
  return derived.origin;
}

function normalizeHosts(
  value: unknown,
  publicOrigin: string | null,
  listen: ResolvedListen | null,
  report: ConfigReport,
): string[] | null {
  if (!Array.isArray(value)) {
    if (value !== undefined || publicOrigin === null || listen === null) return null;
    return defaultHosts(publicOrigin, listen.address);
  }
  if (value.length === 0) {
    report.problem(
      "GH_CONFIG_HOST_INVALID",
      ["hosts"],
      value,
      "an empty `hosts` list refuses every request.",
      "List the names clients use, or remove `hosts` to allow the host of publicOrigin.",
    );
    return null;
  }
  const entries: HostEntry[] = [];
  let failed = false;
  value.forEach((entry: unknown, i) => {
    if (typeof entry !== "string") {
      failed = true;
      return;
    }
    const parsed = parseHostEntry(entry);
    if (!parsed.ok) {
      report.problem(parsed.code, ["hosts", i], entry, parsed.why, parsed.fix);
      failed = true;
      return;
    }
    const host = parsed.value;
    if (entries.some((e) => e.text === host.text)) {
      report.lint(
        "GH_LINT_DUPLICATE",
        ["hosts", i],
        entry,
        "info",
        `"${host.text}" is listed twice.`,
      );
      return;
    }
    if (host.text !== entry) {
      report.lint(
        "GH_LINT_HOST_NORMALIZED",
        ["hosts", i],
        entry,
        "info",
        `"${entry}" is written "${host.text}", as clients send it.`,
        host.text,
      );
    }
    entries.push(host);
  });
  if (failed) return null;
  if (publicOrigin !== null) {
    const name = originHostName(publicOrigin);
    const port = originPort(publicOrigin);
    if (!entries.some((e) => e.name === name && (e.port === "" || e.port === port))) {
      report.lint(
        "GH_LINT_HOSTS_WITHOUT_PUBLIC_ORIGIN",
        ["hosts"],
        value,
        "warning",
        `browsers opening ${publicOrigin} send Host "${name}", which is not listed: they would get 421.`,
      );
    }
  }
  return entries.map((e) => e.text);
}

function normalizeTrustProxy(value: unknown, report: ConfigReport): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  value.forEach((entry: unknown, i) => {
    if (typeof entry !== "string") return;
    const parsed = parseTrustEntry(entry);
    if (!parsed.ok) {
      report.problem(parsed.code, ["trustProxy", i], entry, parsed.why, parsed.fix);
      return;
    }
    const { text, breadth } = parsed.value;
    if (out.includes(text)) {
      report.lint(
        "GH_LINT_DUPLICATE",
        ["trustProxy", i],
        entry,
        "info",
        `"${text}" is listed twice.`,
      );
      return;
    }
    if (breadth !== "narrow") {
      report.lint(
        "GH_LINT_TRUST_PROXY_WIDE",
        ["trustProxy", i],
        entry,
        "warning",
        breadth === "all"
          ? `"${text}" trusts every address: any client can forge X-Forwarded-For and the other forwarding headers.`
          : `"${text}" trusts a very wide range: every client in it can forge X-Forwarded-For and the other forwarding headers.`,
      );
    }
    out.push(text);
  });
  return out;
}

const LEVELS: readonly LogConfig["level"][] = [
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "silent",
];
const FORMATS: readonly LogConfig["format"][] = ["auto", "json", "pretty"];

function normalizeLog(value: unknown): LogConfig {
  if (!isRecord(value)) return DEFAULT_LOG;
  const level = LEVELS.find((l) => l === value.level) ?? DEFAULT_LOG.level;
  const format = FORMATS.find((f) => f === value.format) ?? DEFAULT_LOG.format;
  return Object.freeze({ level, format });
}

/** Lints about who can reach the front door and how. */
function lintExposure(
  listen: ResolvedListen,
  publicOrigin: string | null,
  publicOriginWritten: boolean,
  tls: boolean,
  report: ConfigReport,
): void {
  if (isWildcardAddress(listen.address.host)) {
    lintListen(
      listen,
      "GH_LINT_LISTEN_ALL_INTERFACES",
      "the front door listens on every network interface: anything that can reach this machine can reach it, and through it the upstreams.",
      report,
    );
  }
  if (publicOrigin === null) return;
  if (isInsecureOrigin(publicOrigin)) {
    const message = `${publicOrigin} is plain http on a name that is not loopback: anybody on the network path can read and change the traffic, tokens included.`;
    if (publicOriginWritten) {
      report.lint(
        "GH_LINT_PUBLIC_ORIGIN_INSECURE",
        ["publicOrigin"],
        publicOrigin,
        "warning",
        message,
      );
    } else {
      lintListen(listen, "GH_LINT_PUBLIC_ORIGIN_INSECURE", message, report);
    }
  }
  if (tls && publicOriginWritten && publicOrigin.startsWith("http://")) {
    report.lint(
      "GH_LINT_PUBLIC_ORIGIN_SCHEME",
      ["publicOrigin"],
      publicOrigin,
      "warning",
      `the front door serves HTTPS (tls is set), so browsers reach it at https://, not ${publicOrigin}.`,
    );
  }
}
