/**
 * The policy every library is configured with, and the requests the benchmark sends.
 *
 * Request header values are handed out as fresh, non-interned strings on every call, the way
 * an HTTP parser produces them. Literal strings are interned by V8, so a library comparing a
 * literal `Origin` with a literal allowlist entry would get pointer equality and cached hashes
 * that no real request ever gets. (A sliced string would not do either: V8 hashes and compares
 * those on a slow path, several times slower than the parser's sequential strings.)
 */

export const APP_ORIGIN = "https://app.example.com";
export const EVIL_ORIGIN = "https://evil.example";
export const ALLOW_METHODS: readonly string[] = ["PUT", "PATCH", "DELETE"];
export const ALLOW_HEADERS: readonly string[] = ["authorization", "content-type"];
export const EXPOSE_HEADERS: readonly string[] = ["x-request-id"];
export const MAX_AGE = 600;

/** `x-a0,x-a1,...`: the comma-joined ACRH value a hostile or buggy client could send. */
export function acrhValue(names: number): string {
  return Array.from({ length: names }, (_, i) => `x-a${i}`).join(",");
}

/** The origins and request headers a library is configured to allow. */
export interface PolicySpec {
  readonly id: string;
  readonly origins: readonly string[];
  readonly allowHeaders: readonly string[];
}

export const STANDARD: PolicySpec = {
  id: "standard",
  origins: [APP_ORIGIN],
  allowHeaders: ALLOW_HEADERS,
};

/** 999 other origins, then the requesting one last: the worst case for a linear scan. */
export const THOUSAND_ORIGINS: PolicySpec = {
  id: "1000-origins",
  origins: [...Array.from({ length: 999 }, (_, i) => `https://o${i}.example.com`), APP_ORIGIN],
  allowHeaders: ALLOW_HEADERS,
};

/**
 * Allows every `x-aN` name, so that an ACRH scan cannot stop at the first unknown name: the
 * ACRH size series measures the most work Gatehouse can be made to do.
 */
export const WIDE_HEADERS: PolicySpec = {
  id: "wide-headers",
  origins: [APP_ORIGIN],
  allowHeaders: [...ALLOW_HEADERS, ...acrhValue(1000).split(",")],
};

/** One request as a node-style parser hands it over: lower-case names, string values. */
export interface RequestTemplate {
  readonly method: string;
  readonly headers: readonly (readonly [string, string])[];
}

/** A node-style `req.headers` object. */
export type NodeHeaders = Record<string, string>;

/** What a correctly configured library answers; checked once before anything is timed. */
export interface Expectation {
  /** `Access-Control-Allow-Origin`, or null when it must be absent. */
  readonly allowOrigin: string | null;
  /** The status of an answered preflight; null when the request is passed on. */
  readonly status: number | null;
}

export type WorkloadId =
  | "actual-allowed"
  | "actual-denied"
  | "preflight-allowed"
  | "preflight-denied"
  | "origins-1000"
  | "acrh-hostile"
  | "acrh-10"
  | "acrh-64"
  | "acrh-100"
  | "acrh-1000";

export interface Workload {
  readonly id: WorkloadId;
  readonly title: string;
  readonly policy: PolicySpec;
  readonly request: RequestTemplate;
  readonly expectGatehouse: Expectation;
  /** Peers answer some requests differently from Gatehouse (see acrh-hostile). */
  readonly expectPeers: Expectation;
  /** Series that only show how Gatehouse scales. */
  readonly gatehouseOnly: boolean;
}

const BROWSER_HEADERS: readonly (readonly [string, string])[] = [
  ["host", "api.example.com"],
  ["user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"],
  ["accept", "*/*"],
];

function actual(origin: string): RequestTemplate {
  return { method: "GET", headers: [...BROWSER_HEADERS, ["origin", origin]] };
}

function preflight(origin: string, acrh: string): RequestTemplate {
  return {
    method: "OPTIONS",
    headers: [
      ...BROWSER_HEADERS,
      ["origin", origin],
      ["access-control-request-method", "PUT"],
      ["access-control-request-headers", acrh],
    ],
  };
}

const PASSED_ALLOWED: Expectation = { allowOrigin: APP_ORIGIN, status: null };
const PASSED_DENIED: Expectation = { allowOrigin: null, status: null };
const PREFLIGHT_OK: Expectation = { allowOrigin: APP_ORIGIN, status: 204 };
const GATEHOUSE_REFUSED: Expectation = { allowOrigin: null, status: 403 };
/** Peers answer a foreign-origin preflight 204, only without `Access-Control-Allow-Origin`. */
const PEER_FOREIGN_PREFLIGHT: Expectation = { allowOrigin: null, status: 204 };

function shared(
  id: WorkloadId,
  title: string,
  policy: PolicySpec,
  request: RequestTemplate,
  gatehouse: Expectation,
  peers: Expectation = gatehouse,
): Workload {
  return {
    id,
    title,
    policy,
    request,
    expectGatehouse: gatehouse,
    expectPeers: peers,
    gatehouseOnly: false,
  };
}

function acrhSeries(names: 10 | 64 | 100 | 1000): Workload {
  return {
    id: `acrh-${names}`,
    title: `ACRH of ${names} allowed names`,
    policy: WIDE_HEADERS,
    request: preflight(APP_ORIGIN, acrhValue(names)),
    // Up to MAX_REQUEST_HEADER_NAMES (64) names are read; more is refused as too many.
    expectGatehouse: names <= 64 ? PREFLIGHT_OK : GATEHOUSE_REFUSED,
    expectPeers: PREFLIGHT_OK,
    gatehouseOnly: true,
  };
}

export const WORKLOADS: readonly Workload[] = [
  shared("actual-allowed", "allowed actual GET", STANDARD, actual(APP_ORIGIN), PASSED_ALLOWED),
  shared("actual-denied", "denied actual GET", STANDARD, actual(EVIL_ORIGIN), PASSED_DENIED),
  shared(
    "preflight-allowed",
    "allowed preflight",
    STANDARD,
    preflight(APP_ORIGIN, "authorization,content-type"),
    PREFLIGHT_OK,
  ),
  shared(
    "preflight-denied",
    "disallowed-origin preflight",
    STANDARD,
    preflight(EVIL_ORIGIN, "authorization,content-type"),
    GATEHOUSE_REFUSED,
    PEER_FOREIGN_PREFLIGHT,
  ),
  shared(
    "origins-1000",
    "allowed actual GET, 1,000 origins",
    THOUSAND_ORIGINS,
    actual(APP_ORIGIN),
    PASSED_ALLOWED,
  ),
  // With allowedHeaders configured no peer reads ACRH at all, so they allow this preflight;
  // Gatehouse reads it and refuses it (over MAX_REQUEST_HEADER_BYTES).
  shared(
    "acrh-hostile",
    "preflight, 1,000-name ACRH",
    STANDARD,
    preflight(APP_ORIGIN, acrhValue(1000)),
    GATEHOUSE_REFUSED,
    PREFLIGHT_OK,
  ),
  acrhSeries(10),
  acrhSeries(64),
  acrhSeries(100),
  acrhSeries(1000),
];

export function workload(id: string): Workload {
  const found = WORKLOADS.find((w) => w.id === id);
  if (found === undefined) throw new Error(`unknown workload ${id}`);
  return found;
}

/** How a value is copied: each way yields a new string that V8 has never hashed or interned. */
enum Copy {
  /** `"#value".slice(1)`: below 13 characters V8 copies into a new sequential string. */
  Short = 0,
  /** `"VALUE".toLowerCase()` (or the reverse): a new sequential string, as a parser makes. */
  Lower = 1,
  Upper = 2,
  /**
   * A sliced string: cheap for the 6 KB ACRH values, but slower to hash or compare whole, so
   * only used where no library does either (mixed-case or very long values).
   */
  Slice = 3,
}

/** Longest value worth copying character by character on every call. */
const COPY_LIMIT = 256;

function copyPlan(value: string): { readonly how: Copy; readonly source: string } {
  if (value.length < 13) return { how: Copy.Short, source: `#${value}` };
  const lower = value.toLowerCase();
  const upper = value.toUpperCase();
  if (value.length <= COPY_LIMIT && lower !== upper) {
    if (value === lower && upper.toLowerCase() === value) return { how: Copy.Lower, source: upper };
    if (value === upper && lower.toUpperCase() === value) return { how: Copy.Upper, source: lower };
  }
  return { how: Copy.Slice, source: `#${value}` };
}

/**
 * A factory of fresh `req.headers` objects for `request`, built the way node builds them (a
 * plain object filled in order). Values that CORS code hashes or compares (`Origin`) are new
 * sequential strings each call, like the ones node's HTTP parser creates.
 */
export function headersFactory(request: RequestTemplate): () => NodeHeaders {
  const names = request.headers.map(([name]) => name);
  const plans = request.headers.map(([, value]) => copyPlan(value));
  const hows = plans.map((p) => p.how);
  const sources = plans.map((p) => p.source);
  const count = names.length;
  return () => {
    const headers: NodeHeaders = {};
    for (let i = 0; i < count; i++) {
      const source = sources[i] as string;
      const how = hows[i];
      headers[names[i] as string] =
        how === Copy.Lower
          ? source.toLowerCase()
          : how === Copy.Upper
            ? source.toUpperCase()
            : source.slice(1);
    }
    return headers;
  };
}
