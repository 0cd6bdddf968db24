/**
 * The Host allowlist: the DNS-rebinding guard. In a rebinding attack the browser talks to this
 * server under the attacker's name, and that name in `Host` is the only tell, so every request
 * and every upgrade is checked before routing (research: Ollama CVE-2024-28224, Vite
 * CVE-2025-24010). Names compare exactly after lower-casing: no suffix matching, and
 * `localhost.` is not `localhost`.
 */
import { DoorError } from "../errors.js";

export interface HostOk {
  /** The Host value as validated, lower case (`name` or `name:port`). */
  readonly host: string;
  /**
   * The authority that passed the check, as the client sent it: what the upstream is told in
   * `Host` (for an absolute-form target, the target's authority, never a second Host line).
   */
  readonly sent: string;
}

/** Ports a Host without one stands for: the default ports of http and https. */
const DEFAULT_PORTS = ["80", "443"];

export class HostGuard {
  /** name -> allowed ports ("" for a Host sent without a port), or null for any port. */
  private readonly allowed = new Map<string, Set<string> | null>();
  /** The entries as given, for the refusal's explanation. */
  private readonly served: string;
  /**
   * Host values already accepted, as sent: clients repeat one or two, so the parse is skipped.
   * Only accepted values are kept (a refused name never enters) and only up to ACCEPTED_MAX.
   */
  private readonly accepted = new Map<string, HostOk>();

  /**
   * @param entries as normalized by the loader: `name`, `name:port`, `[v6]`, `[v6]:port`. An
   *   entry without a port allows every port; `name:80` and `name:443` also allow the name sent
   *   without a port (a browser leaves the default port out, whether TLS ends here or at a
   *   terminator in front). Port 0 stands for `boundPort`, the port the listener got.
   */
  constructor(entries: readonly string[], boundPort: number | null = null) {
    const shown: string[] = [];
    for (const entry of entries) {
      const parsed = parseHostValue(entry.toLowerCase());
      if (parsed === null) throw new TypeError(`invalid hosts entry: ${entry}`);
      const port = parsed.port === "0" && boundPort !== null ? String(boundPort) : parsed.port;
      shown.push(port === "" ? parsed.name : `${parsed.name}:${port}`);
      const current = this.allowed.get(parsed.name);
      if (port === "" || current === null) {
        this.allowed.set(parsed.name, null);
        continue;
      }
      const ports = current ?? new Set<string>();
      ports.add(port);
      if (DEFAULT_PORTS.includes(port)) ports.add("");
      this.allowed.set(parsed.name, ports);
    }
    this.served = shown.join(", ");
  }

  /**
   * @param rawHeaders the request's raw header list (to see repeated Host lines, which Node
   *   otherwise collapses to the first)
   * @param authority the authority of an absolute-form target, which replaces Host
   */
  check(rawHeaders: readonly string[], authority: string | null): HostOk | DoorError {
    const lines = hostLines(rawHeaders);
    return this.checkValue(lines.value, lines.count, authority);
  }

  /**
   * The check on Host lines already read: `value` the last one (null for none) and `count`
   * how many there were (admit reads them in its one pass over the headers).
   */
  checkValue(value: string | null, count: number, authority: string | null): HostOk | DoorError {
    if (count > 1) return new DoorError("GH_HOST_DUPLICATE");
    // RFC 9112 §3.2.2: the target's authority is the Host; the Host line is ignored.
    if (authority !== null) value = authority;
    if (value === null) return new DoorError("GH_HOST_MISSING");
    const known = this.accepted.get(value);
    if (known !== undefined) return known;
    const lower = value.toLowerCase();
    const parsed = parseHostValue(lower);
    if (parsed === null) return new DoorError("GH_HOST_MALFORMED");
    const ports = this.allowed.get(parsed.name);
    if (ports === undefined || (ports !== null && !ports.has(parsed.port))) {
      return new DoorError(
        "GH_HOST_NOT_ALLOWED",
        `The Host "${lower}" is not served here (DNS-rebinding guard); this door serves ${this.served}. If the name is yours, add it to \`hosts\`.`,
      );
    }
    const ok: HostOk = Object.freeze({ host: lower, sent: value });
    if (this.accepted.size < ACCEPTED_MAX && value.length <= ACCEPTED_VALUE_MAX)
      this.accepted.set(value, ok);
    return ok;
  }
}

/** The Host lines of a raw header list: how many, and the last one's value. */
export function hostLines(rawHeaders: readonly string[]): { value: string | null; count: number } {
  let value: string | null = null;
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 4 && name.toLowerCase() === "host") {
      count++;
      value = rawHeaders[i + 1] as string;
    }
  }
  return { value, count };
}

const ACCEPTED_MAX = 64;
const ACCEPTED_VALUE_MAX = 261; // a 253-byte name, ':' and a port

/**
 * `reg-name [":" port]` or `"[" IPv6 "]" [":" port]` (RFC 9110 §7.2, RFC 3986 §3.2.2), with
 * the strictness a front door wants: no user info, no commas, no white space, no empty name.
 */
export function parseHostValue(value: string): { name: string; port: string } | null {
  let name: string;
  let rest: string;
  if (value.startsWith("[")) {
    const close = value.indexOf("]");
    if (close === -1) return null;
    name = value.slice(0, close + 1);
    if (!/^\[[0-9a-f:.]+\]$/.test(name)) return null;
    rest = value.slice(close + 1);
  } else {
    const colon = value.indexOf(":");
    name = colon === -1 ? value : value.slice(0, colon);
    rest = colon === -1 ? "" : value.slice(colon);
    if (!/^[a-z0-9._-]{1,253}$/.test(name)) return null;
  }
  if (rest === "") return { name, port: "" };
  const port = rest.slice(1);
  if (!rest.startsWith(":") || !/^[0-9]{1,5}$/.test(port) || Number(port) > 65535) return null;
  return { name, port: String(Number(port)) };
}
