/**
 * Header hygiene between client and upstream, in both directions.
 *
 * Hop-by-hop headers (RFC 9110 §7.6.1) and every header a `Connection` line nominates are
 * dropped before the front door adds its own, so a client cannot use `Connection: close,
 * X-Forwarded-For` to remove what Gatehouse sets. Client-sent forwarding and identity headers
 * never pass; `X-Forwarded-For` is overwritten with the real peer unless that peer is a trusted
 * proxy, whose chain is then extended (SPEC.md §Behaviour).
 */

/** RFC 9110 §7.6.1, plus the legacy and proxy-only names proxies are expected to consume. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "proxy-authorization",
  "proxy-authenticate",
  "http2-settings",
]);

/**
 * End-to-end headers a `Connection` line cannot remove: the body's framing. (Host is always
 * stated by the door from the Host check.)
 */
const NEVER_NOMINATED = new Set(["content-length"]);

/** Set by the front door only; a client's copy never reaches the upstream. */
const FORWARDING = new Set([
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "x-forwarded-port",
  "x-real-ip",
  "x-client-ip",
  "true-client-ip",
  "cf-connecting-ip",
]);

/**
 * Identity assertions that auth proxies inject (OpenClaw trusted-proxy auth, Tailscale,
 * oauth2-proxy); a client must not be able to forge them through the front door.
 */
const IDENTITY_PREFIXES = [
  "tailscale-user-",
  "x-remote-",
  "x-auth-request-",
  "x-forwarded-user",
  "x-forwarded-email",
  "x-forwarded-groups",
  "x-forwarded-preferred-username",
  "x-pomerium-",
];

/** Names listed in `Connection` lines (lower case). */
function nominated(raw: readonly string[]): Set<string> | null {
  let names: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    // Length first: lower-casing every header name of every request shows in profiles.
    if (name.length !== 10 || name.toLowerCase() !== "connection") continue;
    for (const token of (raw[i + 1] as string).split(",")) {
      const name = token.trim().toLowerCase();
      if (name === "") continue;
      names ??= new Set();
      names.add(name);
    }
  }
  return names;
}

export interface ForwardContext {
  /** The client's address as the socket saw it. */
  readonly peer: string;
  /** Is the peer a configured trusted proxy? */
  readonly peerTrusted: boolean;
  /** `http` or `https`, as this listener serves. */
  readonly proto: string;
  /** The validated Host value, lower case (for `X-Forwarded-Host`). */
  readonly host: string;
  /**
   * The authority that passed the Host check, as sent: the upstream's `Host`. It replaces every
   * Host line the client sent, so an absolute-form target cannot show the upstream a second,
   * unchecked Host (RFC 9112 §3.2.2).
   */
  readonly authority: string;
  /** Keep the client's `Upgrade: websocket` and `Connection: upgrade` (upgrade requests). */
  readonly upgrade: boolean;
}

/**
 * Builds the upstream request headers from the client's raw header list (order, case and
 * repetition preserved), as a flat [name, value, ...] array.
 */
export function upstreamRequestHeaders(raw: readonly string[], ctx: ForwardContext): string[] {
  const drop = nominated(raw);
  const out: string[] = ["Host", ctx.authority];
  const priorFor: string[] = [];
  let priorProto: string | null = null;
  let priorHost: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || ((drop?.has(lower) ?? false) && !NEVER_NOMINATED.has(lower)))
      continue;
    if (lower === "expect") continue; // Node has answered 100-continue already.
    if (lower === "host") continue; // stated first, from the check
    if (FORWARDING.has(lower)) {
      if (ctx.peerTrusted) {
        if (lower === "x-forwarded-for") priorFor.push(value);
        else if (lower === "x-forwarded-proto") priorProto ??= value;
        else if (lower === "x-forwarded-host") priorHost ??= value;
      }
      continue;
    }
    if (isIdentityHeader(lower)) continue;
    out.push(name, value);
  }
  if (ctx.upgrade) out.push("Connection", "Upgrade", "Upgrade", "websocket");
  const chain = priorFor.length > 0 ? `${priorFor.join(", ")}, ${ctx.peer}` : ctx.peer;
  out.push("X-Forwarded-For", chain);
  out.push(
    "X-Forwarded-Proto",
    priorProto !== null && isProto(priorProto) ? priorProto : ctx.proto,
  );
  out.push("X-Forwarded-Host", priorHost !== null && isHostValue(priorHost) ? priorHost : ctx.host);
  return out;
}

function isIdentityHeader(lower: string): boolean {
  for (const prefix of IDENTITY_PREFIXES) if (lower.startsWith(prefix)) return true;
  return false;
}

function isProto(value: string): boolean {
  return value === "http" || value === "https";
}

function isHostValue(value: string): boolean {
  return /^[A-Za-z0-9.\-_[\]:]{1,255}$/.test(value);
}

/** Response headers to drop before the client sees them (CORS is owned by the front door). */
export function isDroppedResponseHeader(
  lower: string,
  nominatedNames: Set<string> | null,
): boolean {
  return (
    HOP_BY_HOP.has(lower) ||
    lower.startsWith("access-control-") ||
    (nominatedNames?.has(lower) ?? false)
  );
}

/** The names an upstream's `Connection` header nominates, from undici's parsed headers. */
export function nominatedInResponse(connection: string | string[] | undefined): Set<string> | null {
  if (connection === undefined) return null;
  return nominated(["connection", Array.isArray(connection) ? connection.join(",") : connection]);
}
