/**
 * admit: the first stage of every request, upgrade and (later) HTTP/2 stream. It decides
 * whether the door will handle the request at all and which route it belongs to, in order:
 *
 *   1. header count: Node drops header lines past its limit but still frames the body with
 *      them, so a request whose real framing headers may be hidden is refused (400);
 *   2. framing: `Transfer-Encoding` on HTTP/1.0, or without `chunked` as its last coding, is
 *      faulty framing (RFC 9112 §6.1, §6.3: 400 and close); a coding before `chunked`
 *      (`gzip, chunked`) is one the door does not implement (RFC 9112 §6.1: 501) rather than
 *      one it drops in silence on the way upstream;
 *   3. target: origin-form or absolute-form, normalized (request/target.ts)           -> 400
 *   4. host: exactly one allowed Host, or the absolute-form target's authority       -> 421
 *      (the door's health check answers peers on this machine whatever the Host, so a
 *      container's probe by IP works);
 *   5. route: the door's own endpoints under RESERVED_PREFIX, or the first route whose
 *      prefix covers the normalized path                                              -> 404
 *
 * Pure but for the Host guard's memo: it reads the request's facts and returns an Admission
 * or the DoorError to answer with.
 */
import type { CompiledConfig, CompiledRoute } from "../compile.js";
import { findRoute } from "../compile.js";
import { RESERVED_PREFIX } from "../config/types.js";
import { DoorError } from "../errors.js";
import type { HostOk } from "../request/host.js";
import { isLoopbackPeer } from "../request/peers.js";
import type { NormalizedTarget } from "../request/target.js";
import { normalizeTarget } from "../request/target.js";

/** What admit reads of a request: the same facts for HTTP/1.x requests, upgrades and streams. */
export interface Arrival {
  readonly method: string;
  /** The request target as received (`req.url`). */
  readonly target: string;
  /** [name, value, ...] as received: repeated lines are seen as such. */
  readonly rawHeaders: readonly string[];
  /** `1.0`, `1.1` or `2.0`. */
  readonly httpVersion: string;
  /** The socket's peer address. */
  readonly peer: string | undefined;
  /** The listener's header-line limit in rawHeaders entries (0: none). */
  readonly maxHeaders: number;
}

export type Admission =
  | {
      readonly kind: "route";
      readonly target: NormalizedTarget;
      readonly host: HostOk;
      readonly route: CompiledRoute;
    }
  | { readonly kind: "own"; readonly target: NormalizedTarget; readonly host: HostOk | null };

const HEALTH_PATH = `${RESERVED_PREFIX}health`;

export function admit(compiled: CompiledConfig, arrival: Arrival): Admission | DoorError {
  const raw = arrival.rawHeaders;
  // Node counts entries of rawHeaders (names and values), so 1000 lines already reach 2000.
  if (arrival.maxHeaders > 0 && raw.length >= arrival.maxHeaders)
    return new DoorError("GH_TARGET_MALFORMED", "Too many header lines.");
  // One pass over the header lines for the two this stage reads: Host and Transfer-Encoding.
  let hostValue: string | null = null;
  let hostCount = 0;
  let codings: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    // Length first: lower-casing every header name of every request shows in profiles.
    if (name.length === 4 && name.toLowerCase() === "host") {
      hostCount++;
      hostValue = raw[i + 1] as string;
    } else if (name.length === 17 && name.toLowerCase() === "transfer-encoding") {
      codings = codings === null ? (raw[i + 1] as string) : `${codings},${raw[i + 1]}`;
    }
  }
  if (codings !== null) {
    const framing = checkCodings(codings, arrival.httpVersion);
    if (framing !== null) return framing;
  }
  const target = normalizeTarget(arrival.target);
  if (typeof target === "string")
    return new DoorError(target === "path" ? "GH_PATH_MALFORMED" : "GH_TARGET_MALFORMED");
  const host = compiled.hostGuard.checkValue(hostValue, hostCount, target.authority);
  if (host instanceof DoorError) {
    if (target.path === HEALTH_PATH && isLoopbackPeer(arrival.peer))
      return { kind: "own", target, host: null };
    return host;
  }
  if (target.path.startsWith(RESERVED_PREFIX)) return { kind: "own", target, host };
  const route = findRoute(compiled, target.path);
  if (route === null) return new DoorError("GH_NOT_FOUND");
  return { kind: "route", target, host, route };
}

/** Step 2: the codings of a request's `Transfer-Encoding` lines, joined. */
function checkCodings(codings: string, httpVersion: string): DoorError | null {
  if (httpVersion === "1.0")
    return new DoorError(
      "GH_FRAMING_INVALID",
      "Transfer-Encoding on an HTTP/1.0 request (RFC 9112 §6.1).",
    );
  const list = codings.split(",").map((c) => c.trim().toLowerCase());
  // RFC 9112 §6.3: without `chunked` last the body's length cannot be known: 400 and close.
  if (list[list.length - 1] !== "chunked")
    return new DoorError(
      "GH_FRAMING_INVALID",
      `Transfer-Encoding "${codings}" does not end in "chunked" (RFC 9112 §6.3).`,
    );
  if (list.length > 1)
    return new DoorError(
      "GH_TRANSFER_CODING_UNSUPPORTED",
      `Transfer-Encoding "${codings}": only "chunked" is accepted.`,
    );
  return null;
}
