/**
 * Cross-site WebSocket hijacking guard. Browsers do not apply CORS to WebSockets, and always
 * send an `Origin` that page scripts cannot forge, so the door checks it on every upgrade
 * before any upstream connection: publicOrigin (and the request's own origin) pass, listed
 * origins pass, everything else (foreign, `null`, repeated, malformed) gets 403. An upgrade
 * without `Origin` comes from no browser and passes to the upstream's own authentication.
 * The legacy `Sec-WebSocket-Origin` (protocol versions 7-8) is held to the same rule.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { CorsPolicy } from "../../core/policy.js";
import { DoorError } from "../errors.js";
import type { Visit } from "../respond.js";

export function websocketOriginCheck(
  origin: string | undefined,
  legacyOrigin: string | undefined,
  selfOrigins: readonly string[],
  allowed: CorsPolicy,
): DoorError | null {
  for (const value of [origin, legacyOrigin]) {
    if (value === undefined) continue;
    if (selfOrigins.includes(value)) continue;
    if (value !== "null" && allowed.allowsOrigin(value)) continue;
    return new DoorError(
      "GH_WS_ORIGIN_REFUSED",
      `A WebSocket upgrade from origin ${JSON.stringify(value)}, which is not allowed here.`,
    );
  }
  return null;
}

/** The WebSocket Origin stage of an upgrade, with its decision shown in the inspector. */
export function websocketOrigin(
  visit: Visit,
  headers: IncomingHttpHeaders,
  selfOrigins: readonly string[],
): DoorError | null {
  const origin = headers.origin;
  const legacy = headers["sec-websocket-origin"];
  const refused = websocketOriginCheck(
    origin,
    Array.isArray(legacy) ? legacy.join(", ") : legacy,
    selfOrigins,
    visit.compiled.websocketPolicy,
  );
  const inspector = visit.compiled.inspector;
  if (refused !== null) {
    const shown = origin ?? "(legacy Sec-WebSocket-Origin)";
    inspector.recordGuard("websocket", false, "GH_WS_ORIGIN_REFUSED", shown, "GET", visit.path);
  } else if (origin !== undefined && !selfOrigins.includes(origin)) {
    inspector.recordGuard("websocket", true, "ALLOWED", origin, "GET", visit.path);
  }
  return refused;
}
