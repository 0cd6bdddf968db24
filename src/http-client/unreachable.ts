/**
 * The one error of the client: nothing answered. The doctor turns it into its
 * `GH_DOCTOR_UNREACHABLE` step, the audit into exit status 2.
 */
import type { CodeInfo } from "../core/codes.js";
import { GatehouseError } from "../core/problems.js";

/** This layer's codes, for docs/errors.md. */
export const HTTP_CLIENT_CODES = {
  GH_TARGET_UNREACHABLE: {
    title:
      "`gatehouse doctor` or `gatehouse audit` got no HTTP answer from the URL it was given (DNS, connection, TLS or timeout).",
    howToSolve:
      "Check the URL, that the server is running and listening on that address, and that nothing in between (firewall, proxy) drops the connection; for a self-signed certificate, give the doctor `--insecure`.",
  },
} as const satisfies Record<string, CodeInfo>;

/** Raised when no response head arrived: DNS, connect, TLS, timeout, or a close before it. */
export class UnreachableError extends GatehouseError {
  readonly url: string;
  /** What failed, without the URL, e.g. `connect ECONNREFUSED 127.0.0.1:9`. */
  readonly reason: string;

  constructor(url: string, reason: string, cause?: unknown) {
    super("GH_TARGET_UNREACHABLE", `could not reach ${url}: ${reason}`);
    this.name = "UnreachableError";
    this.url = url;
    this.reason = reason;
    if (cause !== undefined) this.cause = cause;
  }

  /** Wraps a network error, naming its system or undici code when the message does not. */
  static from(url: string, error: unknown): UnreachableError {
    return new UnreachableError(url, describe(error), error);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  const inner =
    cause instanceof Error && !error.message.includes(cause.message) ? cause.message : "";
  const text = [error.message, inner].filter((s) => s !== "").join(": ");
  const code = codeOf(error) ?? codeOf(cause);
  return code !== undefined && !text.includes(code) ? `${text} (${code})` : text;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}
