/**
 * Cross-origin request forgery of "simple" requests: CORS only stops a page from reading a
 * response, not a form POST or a text/plain fetch from reaching the upstream. Modeled on Go
 * 1.25's net/http CrossOriginProtection, with the CORS allowlist as the trusted origins:
 *   1. GET, HEAD and OPTIONS pass (safe methods);
 *   2. `Sec-Fetch-Site: same-origin` or `none` passes; any other value is cross-origin;
 *   3. no `Sec-Fetch-Site` and no `Origin`: not a browser, or a same-origin request: passes;
 *   4. an `Origin` equal to this front door's own origin passes;
 *   5. otherwise the `Origin` must be one the route's CORS policy lists (`null` never is; a
 *      policy of `*` grants reads, not trust: SPEC, Behaviour).
 */
import type { IncomingHttpHeaders } from "node:http";
import type { CorsPolicy } from "../../core/policy.js";
import type { CompiledRoute } from "../compile.js";
import { DoorError } from "../errors.js";
import type { Visit } from "../respond.js";

export interface CsrfFacts {
  readonly method: string;
  /** `Sec-Fetch-Site` as Node hands it over (repeated lines are joined with ", "). */
  readonly secFetchSite: string | undefined;
  readonly origin: string | undefined;
  /** The origins that are this front door: publicOrigin and `proto://Host` of the request. */
  readonly selfOrigins: readonly string[];
  /** The origins trusted with unsafe requests. */
  readonly policy: CorsPolicy;
}

export function csrfCheck(facts: CsrfFacts): DoorError | null {
  const { method } = facts;
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return null;
  const site = facts.secFetchSite;
  if (site === "same-origin" || site === "none") return null;
  const origin = facts.origin;
  if (site === undefined && origin === undefined) return null;
  if (origin !== undefined && origin !== "null") {
    if (site === undefined && facts.selfOrigins.includes(origin)) return null;
    if (facts.policy.allowsOrigin(origin)) return null;
  }
  return new DoorError(
    "GH_CSRF_REFUSED",
    origin === undefined
      ? `A ${method} from a cross-origin browser context (Sec-Fetch-Site: ${site}) without an allowed Origin.`
      : `A ${method} from origin ${JSON.stringify(origin)}, which is not allowed to make unsafe requests here.`,
  );
}

/**
 * The csrf stage of a request: the check above against the route's trusted origins (its CORS
 * policy's listed origins; `*` trusts nobody here), with a refusal shown in the inspector.
 */
export function csrf(
  visit: Visit,
  headers: IncomingHttpHeaders,
  origin: string | undefined,
  selfOrigins: readonly string[],
): DoorError | null {
  const { method } = visit;
  // Safe methods pass before any header is read (rule 1), the common case.
  if (!visit.compiled.config.csrf || method === "GET" || method === "HEAD" || method === "OPTIONS")
    return null;
  const route = visit.route as CompiledRoute;
  const site = headers["sec-fetch-site"];
  const refused = csrfCheck({
    method,
    secFetchSite: site,
    origin,
    selfOrigins,
    policy: route.trusted,
  });
  if (refused !== null)
    visit.compiled.inspector.recordGuard(
      "csrf",
      false,
      "GH_CSRF_REFUSED",
      origin ?? `(Sec-Fetch-Site: ${site})`,
      visit.method,
      visit.path,
    );
  return refused;
}
