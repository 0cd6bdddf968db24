/**
 * `publicOrigin`: the one origin browsers use to reach the front door. Parsed with the CORS
 * engine's origin parser (same normalization, same refusals), then restricted to one exact
 * origin; or, when not given, derived from the listen address.
 */
import type { OriginPattern } from "../../core/origin.js";
import { isLoopbackHost, parseOriginPattern } from "../../core/origin.js";
import { ProblemSink } from "../../core/problems.js";
import { isWildcardAddress } from "./listen.js";
import type { Parsed } from "./parsed.js";
import { ok, refuse } from "./parsed.js";
import type { ListenAddress } from "./types.js";

export interface PublicOrigin {
  /** Serialized: `https://gateway.example.com`, `http://127.0.0.1:8080`. */
  readonly origin: string;
  /** Set when the text given was rewritten (case, default port, punycode). */
  readonly normalizedNote: string | null;
}

export function parsePublicOrigin(value: string): Parsed<PublicOrigin> {
  const sink = new ProblemSink();
  const pattern: OriginPattern | null = parseOriginPattern(value, "publicOrigin", sink, {
    credentials: false,
    dangerouslyAllowInsecureOrigins: false,
  });
  const problem = sink.problems[0];
  if (pattern === null || problem !== undefined) {
    return refuse(
      "GH_CONFIG_PUBLIC_ORIGIN_INVALID",
      problem?.why ?? `"${value}" is not an origin.`,
      problem?.fix,
    );
  }
  if (pattern.kind === "any" || pattern.subdomains || pattern.port === "*") {
    return refuse(
      "GH_CONFIG_PUBLIC_ORIGIN_INVALID",
      "publicOrigin is the one origin this front door serves, not a pattern.",
      "Write the exact origin browsers use, e.g. https://gateway.example.com. To let other origins in, list them in cors.allowOrigins.",
    );
  }
  if (pattern.host.length > 253 || pattern.host.split(".").some((label) => label.length > 63)) {
    return refuse(
      "GH_CONFIG_PUBLIC_ORIGIN_INVALID",
      "the host name is longer than DNS allows (63 characters per label, 253 in all).",
    );
  }
  const note = sink.lints.find((l) => l.code === "GH_LINT_ORIGIN_NORMALIZED");
  return ok({ origin: pattern.text, normalizedNote: note?.message ?? null });
}

/**
 * The origin a listen address is reached at: `http(s)://host[:port]`, default ports dropped as
 * browsers do. A wildcard address has no name of its own, so `localhost` stands in (`guessed`).
 */
export function deriveOrigin(
  listen: ListenAddress,
  tls: boolean,
): { origin: string; guessed: boolean } {
  const scheme = tls ? "https" : "http";
  const guessed = isWildcardAddress(listen.host);
  const host = guessed ? "localhost" : listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  const defaultPort = tls ? 443 : 80;
  const port = listen.port === defaultPort ? "" : `:${listen.port}`;
  return { origin: `${scheme}://${host}${port}`, guessed };
}

/** True for `http://` origins whose host is not loopback: readable by anyone on the path. */
export function isInsecureOrigin(origin: string): boolean {
  const url = new URL(origin);
  return url.protocol === "http:" && !isLoopbackHost(url.hostname);
}
