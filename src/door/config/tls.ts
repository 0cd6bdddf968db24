/**
 * `tls`: certificate and key files (read and checked with node:tls now, not at the first
 * handshake), HSTS, and the optional plain-HTTP redirect listener.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createSecureContext } from "node:tls";
import { formatListen, isWildcardAddress, parseListen } from "./listen.js";
import type { PathSegment } from "./paths.js";
import { isRecord } from "./paths.js";
import type { ConfigReport } from "./report.js";
import type { ListenAddress, TlsConfig } from "./types.js";

/** `hsts: true`: one year, this host only (subdomains may not all serve HTTPS). */
export const DEFAULT_HSTS = Object.freeze({ maxAge: 31_536_000, includeSubDomains: false });

/** Validates `tls` (structure already checked); null when absent or invalid. */
export function normalizeTls(
  raw: unknown,
  baseDir: string,
  listen: ListenAddress | null,
  report: ConfigReport,
): TlsConfig | null {
  if (!isRecord(raw)) return null;
  const before = report.problemCount;
  const cert = readPem(raw.cert, ["tls", "cert"], baseDir, report);
  const key = readPem(raw.key, ["tls", "key"], baseDir, report);
  if (cert !== null && key !== null) checkPair(cert, key, report);

  let hsts: TlsConfig["hsts"] = null;
  if (raw.hsts === true) hsts = DEFAULT_HSTS;
  else if (isRecord(raw.hsts)) {
    const maxAge = raw.hsts.maxAge ?? DEFAULT_HSTS.maxAge;
    if (typeof maxAge === "number" && maxAge < 0) {
      report.problem(
        "GH_CONFIG_RANGE",
        ["tls", "hsts", "maxAge"],
        maxAge,
        "maxAge is a number of seconds, 0 or more.",
      );
    }
    hsts = Object.freeze({
      maxAge: typeof maxAge === "number" ? maxAge : DEFAULT_HSTS.maxAge,
      includeSubDomains: raw.hsts.includeSubDomains === true,
    });
  } else if (raw.hsts === undefined) {
    report.lint(
      "GH_LINT_TLS_WITHOUT_HSTS",
      ["tls"],
      undefined,
      "warning",
      "HTTPS is served without Strict-Transport-Security, so a first visit over plain http:// can be intercepted; add `hsts: true` once HTTPS works.",
    );
  }

  let redirectHttp: ListenAddress | null = null;
  if (typeof raw.redirectHttp === "string" || typeof raw.redirectHttp === "number") {
    const parsed = parseListen(raw.redirectHttp);
    if (!parsed.ok) {
      report.problem(
        parsed.code,
        ["tls", "redirectHttp"],
        raw.redirectHttp,
        parsed.why,
        parsed.fix,
      );
    } else if (listen !== null && clash(parsed.value, listen)) {
      report.problem(
        "GH_CONFIG_LISTEN_CONFLICT",
        ["tls", "redirectHttp"],
        raw.redirectHttp,
        `the redirect listener and \`listen\` (${formatListen(listen)}) would bind the same port.`,
      );
    } else {
      redirectHttp = Object.freeze(parsed.value);
    }
  }

  if (report.problemCount > before || cert === null || key === null) return null;
  return Object.freeze({ cert: cert.path, key: key.path, hsts, redirectHttp });
}

interface Pem {
  readonly path: string;
  readonly text: string;
  readonly at: readonly PathSegment[];
  readonly value: string;
}

function readPem(
  value: unknown,
  at: readonly PathSegment[],
  baseDir: string,
  report: ConfigReport,
): Pem | null {
  if (typeof value !== "string") return null;
  const path = resolve(baseDir, value);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    report.problem(
      "GH_CONFIG_TLS_FILE",
      at,
      value,
      code === "ENOENT"
        ? `${path} does not exist.`
        : code === "EISDIR"
          ? `${path} is a directory.`
          : `${path} cannot be read by this user (${code ?? "error"}).`,
    );
    return null;
  }
  if (!text.includes("-----BEGIN ")) {
    report.problem(
      "GH_CONFIG_TLS_INVALID",
      at,
      value,
      `${path} is not a PEM file (no "-----BEGIN" line).`,
    );
    return null;
  }
  return { path, text, at, value };
}

/** Parses each file alone (to blame the right one), then the pair (to catch a wrong key). */
function checkPair(cert: Pem, key: Pem, report: ConfigReport): void {
  const attempt = (options: { cert?: string; key?: string }): string | null => {
    try {
      createSecureContext(options);
      return null;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? String(error);
    }
  };
  const certError = attempt({ cert: cert.text });
  if (certError !== null) {
    report.problem(
      "GH_CONFIG_TLS_INVALID",
      cert.at,
      cert.value,
      `${cert.path} is not a valid PEM certificate (${certError}).`,
    );
  }
  const keyError = attempt({ key: key.text });
  if (keyError !== null) {
    report.problem(
      "GH_CONFIG_TLS_INVALID",
      key.at,
      key.value,
      keyError === "ERR_OSSL_BAD_DECRYPT"
        ? `${key.path} is encrypted with a passphrase, which Gatehouse does not take.`
        : `${key.path} is not a valid PEM private key (${keyError}).`,
      keyError === "ERR_OSSL_BAD_DECRYPT"
        ? "Store the key unencrypted, readable by the Gatehouse user only (e.g. `openssl pkey -in key.pem -out key.plain.pem`)."
        : undefined,
    );
  }
  if (certError !== null || keyError !== null) return;
  const pairError = attempt({ cert: cert.text, key: key.text });
  if (pairError !== null) {
    report.problem(
      "GH_CONFIG_TLS_INVALID",
      key.at,
      key.value,
      pairError === "ERR_OSSL_X509_KEY_VALUES_MISMATCH"
        ? `${key.path} is not the private key of ${cert.path}.`
        : `the certificate and key cannot be used together (${pairError}).`,
    );
  }
}

/** Two listeners clash on the same port when their hosts are equal or either is a wildcard. */
function clash(a: ListenAddress, b: ListenAddress): boolean {
  return (
    a.port === b.port &&
    a.port !== 0 &&
    (a.host === b.host || isWildcardAddress(a.host) || isWildcardAddress(b.host))
  );
}
