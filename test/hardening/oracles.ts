/**
 * Policy oracles and input generators shared by fuzz-properties.test.ts and scripts/fuzz.ts.
 * The oracles are written from the contract (exact allowlists), not from the engine.
 */
import { compileCorsPolicy } from "../../src/core/policy.js";
import { HostGuard } from "../../src/door/request/host.js";
import { normalizeTarget } from "../../src/door/request/target.js";
import { csrfCheck } from "../../src/door/stages/csrf.js";
import { websocketOriginCheck } from "../../src/door/stages/websocket-origin.js";

export const ALLOWED_ORIGINS = ["https://app.example.com", "http://localhost:5173"] as const;
export const ALLOWED_HEADERS = ["content-type", "x-api-key"] as const;
export const SELF = ["http://gateway.test"] as const;

export const policy = compileCorsPolicy({
  allowOrigins: [...ALLOWED_ORIGINS],
  allowCredentials: true,
  allowMethods: ["PUT"],
  allowHeaders: [...ALLOWED_HEADERS],
});
export const hostGuard = new HostGuard(["gateway.test", "localhost:8080", "[::1]"]);

/** Seeds that mutations start from: the allowed values and near misses. */
export const ORIGIN_SEEDS = [
  ...ALLOWED_ORIGINS,
  "null",
  "http://gateway.test",
  "https://app.example.com.evil.example",
  "https://app.example.com:443",
];
export const HOST_SEEDS = ["gateway.test", "localhost:8080", "[::1]", "[::1]:80", "gateway.test:1"];
export const TARGET_SEEDS = ["/", "/v1/chat", "/a/../b", "/%2e%2e/x", "//evil.example", "/x?y=%2e"];
export const PIECES = [
  ".",
  "..",
  "/",
  "\\",
  "%",
  "%2e",
  "%2E",
  "%2f",
  "%5c",
  "%00",
  "%25",
  "%",
  ":",
  "@",
  "#",
  "?",
  ",",
  " ",
  "\t",
  "\r",
  "\n",
  "\0",
  "[",
  "]",
  "*",
  "xn--",
  "é",
  "\u0430",
  "evil",
  "app",
  "example",
  "com",
  "localhost",
  "5173",
  "8080",
  "http://",
  "https://",
  "null",
  "-",
  "_",
  "~",
];

export interface Violation {
  readonly kind: string;
  readonly input: string;
  readonly detail: string;
}

/** An actual request and a preflight from `origin`; a grant is allowed only to an exact member. */
export function checkOrigin(origin: string): Violation | null {
  const allowed = (ALLOWED_ORIGINS as readonly string[]).includes(origin);
  for (const decision of [
    policy.decide({ method: "GET", headers: { origin } }),
    policy.decide({
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "PUT" },
    }),
  ]) {
    const acao = decision.headers.find(([n]) => n.toLowerCase() === "access-control-allow-origin");
    const acac = decision.headers.find(
      ([n]) => n.toLowerCase() === "access-control-allow-credentials",
    );
    if (acao !== undefined && (!allowed || acao[1] !== origin))
      return { kind: "origin-grant", input: origin, detail: `ACAO ${acao[1]}` };
    if (acac !== undefined && !allowed)
      return { kind: "origin-credentials", input: origin, detail: "ACAC" };
    if (!decision.vary.some((v) => v.toLowerCase() === "origin"))
      return { kind: "origin-vary", input: origin, detail: decision.vary.join(",") };
  }
  const ws = websocketOriginCheck(origin, undefined, SELF, policy);
  if (ws === null && !allowed && !(SELF as readonly string[]).includes(origin))
    return { kind: "ws-origin", input: origin, detail: "upgrade allowed" };
  const csrf = csrfCheck({
    method: "POST",
    secFetchSite: "cross-site",
    origin,
    selfOrigins: SELF,
    policy,
  });
  if (csrf === null && !allowed)
    return { kind: "csrf-origin", input: origin, detail: "cross-site POST allowed" };
  return null;
}

/** Allowed only: gateway.test on any port, localhost on 8080, [::1] on any port. */
export function checkHost(host: string): Violation | null {
  const ok = hostGuard.check(["Host", host], null);
  if (ok instanceof Error) return null;
  const lower = host.toLowerCase();
  const fine =
    /^gateway\.test(:[0-9]{1,5})?$/.test(lower) ||
    /^localhost:0*8080$/.test(lower) ||
    /^\[::1\](:[0-9]{1,5})?$/.test(lower);
  const port = /:([0-9]+)$/.exec(lower)?.[1];
  if (!fine || (port !== undefined && Number(port) > 65535))
    return { kind: "host", input: host, detail: `allowed as ${ok.host}` };
  return null;
}

/** A preflight's ACAH names only what was asked and is allowed. */
export function checkAcrh(value: string): Violation | null {
  const decision = policy.decide({
    method: "OPTIONS",
    headers: {
      origin: "https://app.example.com",
      "access-control-request-method": "PUT",
      "access-control-request-headers": value,
    },
  });
  const acah = decision.headers.find(([n]) => n.toLowerCase() === "access-control-allow-headers");
  if (acah === undefined) return null;
  const asked = new Set(value.split(",").map((s) => s.trim().toLowerCase()));
  for (const name of acah[1].split(",").map((s) => s.trim().toLowerCase())) {
    if (name === "") continue;
    if (!asked.has(name) || !(ALLOWED_HEADERS as readonly string[]).includes(name))
      return { kind: "acrh", input: value, detail: `ACAH ${acah[1]}` };
  }
  return null;
}

/** The normalized path is clean and a fixed point. */
export function checkTarget(target: string): Violation | null {
  const result = normalizeTarget(target);
  if (typeof result === "string") return null;
  const { path, query } = result;
  const bad = (detail: string): Violation => ({
    kind: "target",
    input: target,
    detail: `${detail}: ${path}`,
  });
  if (!path.startsWith("/")) return bad("not rooted");
  if (path.includes("//")) return bad("double slash");
  if (path.split("/").some((s) => s === "." || s === "..")) return bad("dot segment");
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x5c) return bad("bad byte");
  }
  if (/%(?![0-9A-F]{2})/.test(path)) return bad("bad escape");
  const again = normalizeTarget(path + query);
  if (typeof again === "string" || again.path !== path || again.query !== query)
    return bad("not idempotent");
  return null;
}
