/**
 * The doctor's walk through one request, as Fetch runs it: preflight when one is due, the
 * request, and redirects followed by hand (fetch.bs §http-redirect-fetch), each hop checked.
 * The network is a `Transport`, so the walk itself is testable without sockets.
 */
import { REDIRECT_STATUSES, REQUEST_BODY_HEADER_NAMES } from "../core/tokens.js";
import { HEADER, sameName } from "../http-client/header-names.js";
import type { Header, ObservedResponse, WireRequest } from "../http-client/message.js";
import { headerValue } from "../http-client/message.js";
import { UnreachableError } from "../http-client/unreachable.js";
import type {
  CheckContext,
  DoctorInput,
  Engine,
  PreflightNeed,
  PreparedRequest,
  Step,
  Verdict,
  WireOptions,
} from "./simulate.js";
import {
  actualRequest,
  checkPreflight,
  checkResponse,
  ENGINES,
  exposedHeaders,
  needsPreflight,
  preflightRequest,
  prepareRequest,
  verdicts,
} from "./simulate.js";

/**
 * Sends one request exactly as given, never following redirects; rejects when nothing answered
 * (`createHttpClient().send` in the CLI, a table of answers in tests).
 */
export type Transport = (request: WireRequest) => Promise<ObservedResponse>;

export interface Exchange {
  readonly kind: "preflight" | "request";
  readonly request: WireRequest;
  /** null when the server could not be reached. */
  readonly response: ObservedResponse | null;
  readonly steps: readonly Step[];
}

export interface DoctorReport {
  readonly url: string;
  readonly origin: string;
  readonly method: string;
  readonly credentials: boolean;
  readonly requestHeaders: readonly Header[];
  /** Steps about the request itself (dropped headers, same-origin). */
  readonly notes: readonly Step[];
  readonly preflight: PreflightNeed;
  readonly exchanges: readonly Exchange[];
  readonly engines: Record<Engine, Verdict>;
  /** allowed: every engine allows it; blocked: at least one blocks; unreachable: no answer. */
  readonly verdict: "allowed" | "blocked" | "unreachable";
  /** Engines that disagree, and why, e.g. "chromium allows it: ...". */
  readonly differences: readonly string[];
  /** Headers script could read from the final response (when allowed). */
  readonly readable: readonly string[];
  readonly exitCode: 0 | 1 | 2;
}

export const MAX_REDIRECTS = 20;

export async function runDoctor(
  input: DoctorInput,
  transport: Transport,
  options: WireOptions = {},
): Promise<DoctorReport> {
  const prepared = prepareRequest(input);
  if (!prepared.ok) throw new TypeError(prepared.error);
  const req = prepared.request;
  const notes: Step[] = req.dropped.map((d) => ({
    id: "request.dropped",
    title: `fetch() drops ${d.name}`,
    status: "note" as const,
    code: "GH_DOCTOR_HEADER_DROPPED" as const,
    detail: d.why,
    fetchStep: "fetch.bs §forbidden-request-header",
    linesSeen: [],
    blocks: [],
  }));
  const firstNeed = needsPreflight(req.method, req.headers);
  const base = {
    url: req.url.href,
    origin: req.origin,
    method: req.method,
    credentials: req.credentials,
    requestHeaders: req.headers,
  };

  if (req.url.origin === req.origin) {
    notes.push({
      id: "request.same-origin",
      title: "Same-origin request",
      status: "pass",
      detail: `${req.url.href} is on ${req.origin} itself: CORS does not apply and the browser allows it`,
      fetchStep: "fetch.bs §main-fetch step 12",
      linesSeen: [],
      blocks: [],
    });
    return finish(base, notes, { needed: false, reasons: [], unsafeNames: [] }, [], []);
  }
  return walk(base, req, notes, firstNeed, transport, options);
}

async function walk(
  base: ReportBase,
  req: PreparedRequest,
  notes: Step[],
  firstNeed: PreflightNeed,
  transport: Transport,
  options: WireOptions,
): Promise<DoctorReport> {
  const exchanges: Exchange[] = [];
  let url = req.url;
  let method = req.method;
  let headers: Header[] = [...req.headers];
  let tainted = false;
  let readable: readonly string[] = [];
  const alive = new Set<Engine>(ENGINES);
  const record = (exchange: Exchange): void => {
    exchanges.push(exchange);
    for (const s of exchange.steps) for (const e of s.blocks) alive.delete(e);
  };
  const send = async (request: WireRequest): Promise<ObservedResponse | null> => {
    try {
      return await transport(request);
    } catch (error) {
      return unreachable(error);
    }
  };
  let unreachableError: string | null = null;
  const unreachable = (error: unknown): null => {
    unreachableError =
      error instanceof UnreachableError
        ? error.reason
        : error instanceof Error
          ? error.message
          : String(error);
    return null;
  };

  for (let redirects = 0; ; redirects++) {
    const sentOrigin = tainted ? "null" : req.origin;
    const ctx: CheckContext = {
      origin: sentOrigin,
      credentials: req.credentials,
      method,
      headers,
    };
    const need = redirects === 0 ? firstNeed : needsPreflight(method, headers);
    if (need.needed) {
      const wire = preflightRequest(url, sentOrigin, req.origin, method, need.unsafeNames, options);
      const res = await send(wire);
      if (res === null) {
        record({
          kind: "preflight",
          request: wire,
          response: null,
          steps: [unreachableStep(unreachableError)],
        });
        return finish(base, notes, firstNeed, exchanges, readable, true);
      }
      record({ kind: "preflight", request: wire, response: res, steps: checkPreflight(ctx, res) });
      if (alive.size === 0) break;
    }
    const wire = actualRequest(url, sentOrigin, req.origin, method, headers, options);
    const res = await send(wire);
    if (res === null) {
      record({
        kind: "request",
        request: wire,
        response: null,
        steps: [unreachableStep(unreachableError)],
      });
      return finish(base, notes, firstNeed, exchanges, readable, true);
    }
    const steps = checkResponse(ctx, res);
    const location = headerValue(res, HEADER.location);
    if (!REDIRECT_STATUSES.has(res.status) || location === null) {
      const exposed = exposedHeaders(ctx, res);
      readable = exposed.readable;
      record({ kind: "request", request: wire, response: res, steps: [...steps, exposed.step] });
      break;
    }
    // fetch.bs §http-redirect-fetch.
    const hop = redirectStep(url, location, redirects);
    steps.push(hop.step);
    record({ kind: "request", request: wire, response: res, steps });
    if (alive.size === 0 || hop.next === null) break;
    const next = hop.next;
    if ((res.status === 301 || res.status === 302) && method === "POST") {
      method = "GET";
      headers = headers.filter(([n]) => !REQUEST_BODY_HEADER_NAMES.has(n.toLowerCase()));
    } else if (res.status === 303 && method !== "GET" && method !== "HEAD") {
      method = "GET";
      headers = headers.filter(([n]) => !REQUEST_BODY_HEADER_NAMES.has(n.toLowerCase()));
    }
    if (url.origin !== next.origin) {
      const before = headers.length;
      headers = headers.filter(([n]) => !sameName(n, HEADER.authorization));
      if (headers.length !== before) {
        steps.push({
          id: "redirect.authorization",
          title: "Authorization dropped on a cross-origin redirect",
          status: "note",
          code: "GH_DOCTOR_HEADER_DROPPED",
          detail: "the browser removes Authorization the moment the redirect leaves the origin",
          fetchStep: "fetch.bs §http-redirect-fetch step 13",
          linesSeen: [],
          blocks: [],
        });
      }
    }
    // fetch.bs §concept-request-tainted-origin: a hop between two origins, neither of them the
    // request's, makes the browser send Origin: null from then on.
    if (!tainted && next.origin !== url.origin && req.origin !== url.origin) {
      tainted = true;
      steps.push({
        id: "redirect.tainted",
        title: "Origin becomes null",
        status: "note",
        code: "GH_DOCTOR_REDIRECT_TAINTED",
        detail: `the redirect goes from ${url.origin} to ${next.origin}: the browser now sends Origin: null, and only Access-Control-Allow-Origin: * (without credentials) or null can match`,
        fetchStep: "fetch.bs §concept-request-tainted-origin",
        linesSeen: [],
        blocks: [],
      });
    }
    url = next;
  }
  return finish(base, notes, firstNeed, exchanges, readable);
}

function redirectStep(
  from: URL,
  location: string,
  redirects: number,
): { step: Step; next: URL | null } {
  const fail = (detail: string): { step: Step; next: null } => ({
    step: {
      id: "redirect",
      title: "Redirect can be followed",
      status: "fail",
      code: "GH_DOCTOR_REDIRECT_INVALID",
      detail,
      fetchStep: "fetch.bs §http-redirect-fetch steps 3-10",
      linesSeen: [`Location: ${location}`],
      blocks: ENGINES,
    },
    next: null,
  });
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return fail(`"${location}" is not a URL`);
  }
  next.hash = next.hash === "" ? from.hash : next.hash;
  if (next.protocol !== "http:" && next.protocol !== "https:") {
    return fail(`${next.protocol} is not http(s)`);
  }
  if (redirects + 1 > MAX_REDIRECTS) return fail(`more than ${MAX_REDIRECTS} redirects`);
  if (next.username !== "" || next.password !== "") {
    return fail(`${next.href} includes credentials (user:password@)`);
  }
  return {
    step: {
      id: "redirect",
      title: "Redirect can be followed",
      status: "pass",
      detail: `followed to ${next.href}`,
      fetchStep: "fetch.bs §http-redirect-fetch",
      linesSeen: [`Location: ${location}`],
      blocks: [],
    },
    next,
  };
}

function unreachableStep(error: string | null): Step {
  return {
    id: "network",
    title: "Server reachable",
    status: "fail",
    code: "GH_DOCTOR_UNREACHABLE",
    detail: error ?? "no answer",
    fetchStep: "fetch.bs §concept-network-error",
    linesSeen: [],
    blocks: ENGINES,
  };
}

type ReportBase = Pick<
  DoctorReport,
  "url" | "origin" | "method" | "credentials" | "requestHeaders"
>;

function finish(
  base: ReportBase,
  notes: readonly Step[],
  preflight: PreflightNeed,
  exchanges: readonly Exchange[],
  readable: readonly string[],
  unreachable = false,
): DoctorReport {
  const steps = [...notes, ...exchanges.flatMap((e) => e.steps)];
  const engines = verdicts(steps);
  const blocked = ENGINES.filter((e) => engines[e] === "blocked");
  const differences: string[] = [];
  if (blocked.length > 0 && blocked.length < ENGINES.length) {
    for (const s of steps) {
      if (s.status !== "fail" || s.blocks.length === ENGINES.length) continue;
      const allowing = ENGINES.filter((e) => !s.blocks.includes(e));
      differences.push(
        `${s.blocks.join(" and ")} block${s.blocks.length === 1 ? "s" : ""} it, ${allowing.join(" and ")} allow${allowing.length === 1 ? "s" : ""} it: ${s.detail}`,
      );
    }
  }
  const verdict = unreachable ? "unreachable" : blocked.length > 0 ? "blocked" : "allowed";
  return {
    ...base,
    notes,
    preflight,
    exchanges,
    engines,
    verdict,
    differences,
    readable: verdict === "allowed" ? readable : [],
    exitCode: verdict === "allowed" ? 0 : verdict === "blocked" ? 1 : 2,
  };
}
