/**
 * What a Gatehouse door says about its own CORS decision. A door with `debugHeader: true` adds
 * `X-Gatehouse-Cors: <reason code>` to every answer to a cross-origin request
 * (src/door/respond.ts), the codes being REASON_CODES of src/core/codes.ts. The doctor reads it
 * to name the real cause of a refusal: a refused preflight carries no `Access-Control-Allow-*`
 * header at all, so without it the doctor cannot tell a refused method from a refused header.
 *
 * The door checks in a fixed order (src/core/policy.ts, after fetch.bs §cors-preflight-fetch):
 * origin, then method, then request headers, then Private Network Access; it stops at the first
 * refusal. So a reason also tells which checks passed (those before it) and which were never
 * made (those after it).
 */
import type { ReasonCode } from "../core/codes.js";
import { REASON_CODES } from "../core/codes.js";
import type { ObservedResponse } from "../http-client/message.js";
import { headerLines, headerValue } from "../http-client/message.js";

/** The debug header a door sends when its config has `debugHeader: true`. */
export const DOOR_REASON_HEADER = "X-Gatehouse-Cors";

/** The check a reason is about, in the order the door makes them. */
export type DoorCheck = "policy" | "origin" | "method" | "headers" | "private-network";

const ORDER: readonly DoorCheck[] = ["policy", "origin", "method", "headers", "private-network"];

/** The check each refusal names; reasons that refuse nothing are absent. */
const REFUSED_CHECK: Partial<Record<ReasonCode, DoorCheck>> = {
  CORS_NO_POLICY: "policy",
  CORS_ORIGIN_NOT_ALLOWED: "origin",
  CORS_ORIGIN_NULL: "origin",
  CORS_ORIGIN_MALFORMED: "origin",
  CORS_METHOD_MALFORMED: "method",
  CORS_METHOD_NOT_ALLOWED: "method",
  CORS_HEADER_NOT_ALLOWED: "headers",
  CORS_HEADER_AUTHORIZATION_NOT_COVERED: "headers",
  CORS_HEADERS_MALFORMED: "headers",
  CORS_HEADERS_TOO_MANY: "headers",
  CORS_PRIVATE_NETWORK_NOT_ALLOWED: "private-network",
};

export interface DoorReason {
  readonly code: ReasonCode;
  /** The check the door refused, or null when it allowed the request. */
  readonly refused: DoorCheck | null;
  /** The header line as received, for a step's `linesSeen`. */
  readonly line: string;
}

/**
 * The door's reason in this answer, or null when there is none: not a Gatehouse door, a door
 * without `debugHeader`, or a value that is not one reason code (then nothing is inferred).
 */
export function doorReason(res: ObservedResponse): DoorReason | null {
  const value = headerValue(res, DOOR_REASON_HEADER);
  if (value === null || !Object.hasOwn(REASON_CODES, value)) return null;
  const code = value as ReasonCode;
  const line = headerLines(res, DOOR_REASON_HEADER)[0];
  return {
    code,
    refused: REFUSED_CHECK[code] ?? null,
    line: `${line?.name ?? DOOR_REASON_HEADER}: ${value}`,
  };
}

/**
 * How the door's answer bears on one check: "refused" (this is the check it refused),
 * "passed" (it came before the refused one, or the door allowed the request), or "unchecked"
 * (the door stopped before it).
 */
export function doorVerdictOn(
  reason: DoorReason,
  check: DoorCheck,
): "refused" | "passed" | "unchecked" {
  if (reason.refused === null) return "passed";
  if (reason.refused === check) return "refused";
  return ORDER.indexOf(check) < ORDER.indexOf(reason.refused) ? "passed" : "unchecked";
}
