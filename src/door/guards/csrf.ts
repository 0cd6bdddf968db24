/**
 * Cross-origin request forgery of "simple" requests: CORS only stops a page from reading a
 * response, not a form POST or a text/plain fetch from reaching the upstream. Modeled on Go
 * 1.25's net/http CrossOriginProtection, with the CORS allowlist as the trusted origins:
 *   1. GET, HEAD and OPTIONS pass (safe methods);
 *   2. `Sec-Fetch-Site: same-origin` or `none` passes; any other value is cross-origin;
 *   3. no `Sec-Fetch-Site` and no `Origin`: not a browser, or a same-origin request: passes;
 *   4. an `Origin` equal to this front door's own origin passes;
 *   5. otherwise the `Origin` must be allowed by the route's CORS policy (`null` never is).
 */
import type { CorsPolicy } from "../../core/policy.js";
import { GatewayError } from "../errors.js";

export interface CsrfFacts {
  readonly method: string;
  /** `Sec-Fetch-Site` as Node hands it over (repeated lines are joined with ", "). */
  readonly secFetchSite: string | undefined;
  readonly origin: string | undefined;
  /** The origins that are this front door: publicOrigin and `proto://Host` of the request. */
  readonly selfOrigins: readonly string[];
  readonly policy: CorsPolicy;
}

export function csrfCheck(facts: CsrfFacts): GatewayError | null {
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
  return new GatewayError(
    "GH_CSRF_REFUSED",
    origin === undefined
      ? `A ${method} from a cross-origin browser context (Sec-Fetch-Site: ${site}) without an allowed Origin.`
      : `A ${method} from origin ${JSON.stringify(origin)}, which is not allowed to make unsafe requests here.`,
  );
}
