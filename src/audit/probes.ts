/**
 * The probes of `gatehouse audit`, and how each response is judged. Pure: no I/O, no clock, no
 * randomness (the caller passes the nonce), so the probe list and every verdict are testable.
 *
 * The origins sent are a superset of what Corsy, CORScanner and the nuclei `cors-misconfig`
 * template send (docs: shared research, section 1), derived from the target's own origin and
 * from every `--trusted` origin ("base" origins):
 *
 *   reflection     https://gh-audit-<nonce>.evil.example        any origin echoed
 *   null           null
 *   pre-domain     <scheme>://evil<registrable domain>          suffix match (Corsy d3v…, CORScanner)
 *   substring      <scheme>://<registrable domain minus 1 char> "allowed".includes(host)
 *   post-domain    <host>.evil.example, <host>evil.example      prefix / unanchored match
 *   unescaped-dot  each dot of the host replaced by `x`, each by `a`; every dot by `a`. A dot
 *                  before the registrable domain (`apixexample.com`) leaves a name that still ends
 *                  with the domain, so a suffix match accepts it too: those probes are the family
 *                  `dot-before-domain`, and analyze.ts tells the two causes apart
 *   special-chars  <host><c>.evil.example and <host>.<c>.evil.example for c in _ - " { } + ^ %60 ! ~ ` ; | & ' ( ) * , $ = %0b
 *   subdomain      evil.<host>, evil.<registrable domain>, evil<host> (a sibling)
 *   downgrade      http://<host> for an https base
 *   baseline       each --trusted origin: credentials granted to a plain-http one are a finding
 *   third-party    github.io, jsbin, codepen, jsfiddle, webdevout, repl.it, and other code hosts
 *   localhost      http://localhost:31337, http://127.0.0.1:31337
 *   preflights     an unknown method, an unknown header, Private Network Access
 *   websocket      upgrades from foreign, `null` and look-alike origins (with --ws)
 *
 * Severity (what a browser would let an attacker's page do; "credentials" means the grant came
 * with `Access-Control-Allow-Credentials: true`):
 *
 *   finding                                   without credentials   with credentials
 *   any origin reflected                      high (1)              critical
 *   null allowed                              high (1)              critical
 *   pre-domain / post-domain / substring /
 *     unescaped dot / third-party hosts       high (1)              critical
 *   special characters (mostly Safari)        medium                high
 *   any subdomain                             low                   medium
 *   http:// twin of an https origin           low                   medium
 *   a trusted plain-http origin               -                     medium (what the twin risks, on a
 *                                                                   page users really open)
 *   loopback origin on another port           low                   medium
 *   rewritten origin echoed (broken parser)   low                   low
 *   `*` with credentials                      -                     medium (browsers refuse it; it shows intent)
 *   `*`                                       high on a loopback/private target, info on a public one
 *   `Vary: Origin` missing, dynamic ACAO      high where a granting response lacks it, low where only
 *                                             responses that grant nothing lack it
 *   preflight echoes any method / header      medium when the origin is foreign, low for a trusted one
 *   Private Network Access to a foreign origin high
 *   WebSocket upgrade from a foreign origin   high (critical if the socket trusts cookies: the audit cannot know)
 *
 * (1) medium if the responses hold only public data: the audit cannot know what they hold.
 * `info` findings are reported but do not make the audit fail.
 */
import { isIP } from "node:net";
import { getDomain } from "tldts";
import { isLoopbackHost, splitSerializedOrigin } from "../core/origin.js";
import { HEADER, sameName } from "../http-client/header-names.js";
import type { Header, ObservedResponse, WireRequest } from "../http-client/message.js";
import { headerLines, headerValue } from "../http-client/message.js";
import type { AuditFindingCode } from "./codes.js";
import { AUDIT_FINDING_CODES } from "./codes.js";

export type Severity = "critical" | "high" | "medium" | "low" | "info";

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low", "info"];

export type OriginFamily =
  | "reflection"
  | "null"
  | "pre-domain"
  | "substring"
  | "post-domain"
  | "unescaped-dot"
  | "dot-before-domain"
  | "special-chars"
  | "subdomain"
  | "downgrade"
  | "third-party"
  | "localhost";

export type Family =
  | "baseline"
  | OriginFamily
  | "preflight-method"
  | "preflight-header"
  | "private-network"
  | "websocket";

/**
 * A request as the client sends it. A WebSocket probe's ws(s) URL is already rewritten to
 * http(s), and its headers leave out the handshake's own, which the client adds.
 */
export interface ProbeRequest extends WireRequest {
  readonly kind: "http" | "websocket";
  readonly method: "GET" | "OPTIONS";
}

export interface Fix {
  /** A Gatehouse configuration excerpt that avoids the problem. */
  readonly gatehouse: readonly string[];
  /** What to change in any server. */
  readonly generic: string;
}

/** A verdict on one response, before evidence is attached. */
export interface FindingDraft {
  readonly code: AuditFindingCode;
  readonly severity: Severity;
  readonly title: string;
  readonly why: string;
  readonly fix: Fix;
  /** The grant came with `Access-Control-Allow-Credentials: true`. */
  readonly credentials: boolean;
}

export interface Probe {
  /** Stable and unique within one audit, e.g. `post-domain:https://app.example.com.evil.example`. */
  readonly id: string;
  readonly family: Family;
  /** The `Origin` sent, `null` as the string "null", or null when none is sent. */
  readonly origin: string | null;
  readonly request: ProbeRequest;
  judge(response: ObservedResponse): FindingDraft[];
}

export interface AuditPlanInput {
  /** The URL audited (http or https). */
  readonly target: URL;
  /** Origins the server is meant to trust; look-alikes are derived from them too. */
  readonly trusted?: readonly string[];
  /** A WebSocket endpoint to probe (ws, wss, http or https). */
  readonly ws?: URL | null;
  /** The door's public origin (where users open the app), named in the WebSocket fix. */
  readonly publicOrigin?: string | null;
  /** Lower-case letters and digits; makes the foreign origins and probe names unguessable. */
  readonly nonce: string;
}

/** The marker every invented attacker host carries, so a rewritten echo can be recognized. */
export const ATTACKER_DOMAIN = "evil.example";

export const SPECIAL_CHARACTERS: readonly string[] = [
  "_",
  "-",
  '"',
  "{",
  "}",
  "+",
  "^",
  "%60",
  "!",
  "~",
  "`",
  ";",
  "|",
  "&",
  "'",
  "(",
  ")",
  "*",
  ",",
  "$",
  "=",
  "%0b",
];

/** Code-hosting sites where anybody can publish script (CORScanner's list and a few more). */
export function thirdPartyOrigins(nonce: string): string[] {
  return [
    "https://whatever.github.io",
    `https://gh-audit-${nonce}.github.io`,
    "http://jsbin.com",
    "https://codepen.io",
    "https://cdpn.io",
    "https://jsfiddle.net",
    "https://fiddle.jshell.net",
    "http://www.webdevout.net",
    "https://repl.it",
    `https://gh-audit-${nonce}.repl.co`,
    `https://gh-audit-${nonce}.glitch.me`,
    `https://gh-audit-${nonce}.netlify.app`,
    `https://gh-audit-${nonce}.vercel.app`,
    `https://gh-audit-${nonce}.pages.dev`,
    `https://gh-audit-${nonce}.csb.app`,
    "https://stackblitz.com",
  ];
}

/** The audit's random foreign origin. */
export function foreignOrigin(nonce: string): string {
  return `https://gh-audit-${nonce}.${ATTACKER_DOMAIN}`;
}

// ─── severities and texts per family ────────────────────────────────────────────────────────

interface OriginFamilyInfo {
  readonly code: AuditFindingCode;
  readonly without: Severity;
  readonly with: Severity;
  readonly why: string;
}

const PUBLIC_DATA_NOTE =
  " (If every response here is public, unauthenticated data, this is medium at most: the audit cannot see what the responses hold.)";

const ORIGIN_FAMILIES: Record<OriginFamily, OriginFamilyInfo> = {
  reflection: {
    code: "GH_AUDIT_ORIGIN_REFLECTED",
    without: "high",
    with: "critical",
    why: "The server allowed an origin it cannot know, so it allows every origin: any website the user opens can read these responses with fetch().",
  },
  null: {
    code: "GH_AUDIT_NULL_ORIGIN",
    without: "high",
    with: "critical",
    why: 'Any page can send `Origin: null`: a sandboxed iframe (`<iframe sandbox="allow-scripts" srcdoc=…>`), a `data:` URL or a cross-origin redirect. Allowing it allows every attacker.',
  },
  "pre-domain": {
    code: "GH_AUDIT_PREDOMAIN",
    without: "high",
    with: "critical",
    why: "The check looks only at how the host ends. An attacker registers a domain that ends with yours (e.g. `evilexample.com`) and reads the responses from it.",
  },
  substring: {
    code: "GH_AUDIT_SUBSTRING",
    without: "high",
    with: "critical",
    why: "The check accepts any host contained in the allowed domain; an attacker registers such a name (e.g. `xample.com`) and reads the responses from it.",
  },
  "post-domain": {
    code: "GH_AUDIT_POSTDOMAIN",
    without: "high",
    with: "critical",
    why: "The check looks only at how the origin starts (or searches it with an unanchored expression). An attacker serves a page from `<your host>.attacker.com`, a name they own, and reads the responses.",
  },
  "unescaped-dot": {
    code: "GH_AUDIT_UNESCAPED_DOT",
    without: "high",
    with: "critical",
    why: "A dot of the trusted host matched another character, as an unescaped `.` in a regular expression does. An attacker registers the look-alike (e.g. `wwwxexample.com`) and reads the responses from it.",
  },
  "dot-before-domain": {
    code: "GH_AUDIT_UNESCAPED_DOT",
    without: "high",
    with: "critical",
    why: "A dot of the trusted host matched another character, as an unescaped `.` in a regular expression does. An attacker registers the look-alike (e.g. `wwwxexample.com`) and reads the responses from it.",
  },
  "special-chars": {
    code: "GH_AUDIT_SPECIAL_CHARACTERS",
    without: "medium",
    with: "high",
    why: "Safari sends origins whose host holds characters such as `` ` ``, `{` or `$` (and every browser allows `_`), so `https://<your host>_.attacker.com` is a page an attacker can serve; the server's pattern stops at the special character and trusts it.",
  },
  subdomain: {
    code: "GH_AUDIT_ANY_SUBDOMAIN",
    without: "low",
    with: "medium",
    why: "Any name under the trusted domain is allowed, including ones nobody serves. One forgotten DNS record (subdomain takeover) or one XSS on any subdomain is enough to read the responses.",
  },
  downgrade: {
    code: "GH_AUDIT_INSECURE_ORIGIN",
    without: "low",
    with: "medium",
    why: "A plain-HTTP page carries no integrity: anybody on the network path (public Wi-Fi, a hostile router) injects script into `http://<your host>` and inherits the trust given to it, defeating HTTPS.",
  },
  "third-party": {
    code: "GH_AUDIT_THIRD_PARTY",
    without: "high",
    with: "critical",
    why: "Anybody can publish a page with script on this code-hosting site, and it is trusted.",
  },
  localhost: {
    code: "GH_AUDIT_LOCALHOST",
    without: "low",
    with: "medium",
    why: "Every local program and development server on the user's machine can serve a page on a loopback origin, and other ports of `localhost` are same-site, so cookies flow too.",
  },
};

/** Plain http and not loopback: Gatehouse refuses such an origin together with credentials. */
export function isInsecureOrigin(origin: string): boolean {
  const parts = splitSerializedOrigin(origin);
  return parts !== null && parts.scheme === "http" && !isLoopbackHost(parts.host);
}

function fixFor(
  code: AuditFindingCode,
  trusted: readonly string[],
  extra: string[] = [],
  credentials = false,
): Fix {
  // `gatehouse check` refuses a plain-http origin next to credentials: its https twin instead.
  const listed = trusted.map((o) =>
    credentials && isInsecureOrigin(o) ? o.replace(/^http:/, "https:") : o,
  );
  const origins = listed.length > 0 ? [...new Set(listed)].join(", ") : "https://app.example.com";
  return {
    gatehouse: ["cors:", `  allowOrigins: [${origins}]   # exact origins you own`, ...extra],
    generic: AUDIT_FINDING_CODES[code].howToSolve,
  };
}

// ─── response helpers ───────────────────────────────────────────────────────────────────────

/** A list-valued header's elements, trimmed, empty ones dropped. */
function headerList(res: ObservedResponse, name: string): string[] {
  return (headerValue(res, name) ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** `Access-Control-Allow-Credentials` is compared byte for byte with `true` (Fetch). */
function allowsCredentials(res: ObservedResponse): boolean {
  return headerValue(res, HEADER.allowCredentials) === "true";
}

/** The CORS check a browser runs: ACAO is `*` or exactly the origin sent. */
export function grants(res: ObservedResponse, origin: string): boolean {
  const acao = headerValue(res, HEADER.allowOrigin);
  return acao === "*" || acao === origin;
}

export function variesOnOrigin(res: ObservedResponse): boolean {
  return headerList(res, HEADER.vary).some((v) => v === "*" || sameName(v, HEADER.origin));
}

/** Loopback, private, link-local or local-only names: where `*` is never harmless. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || /\.(localhost|local|internal|lan|home\.arpa)$/.test(host)) {
    return true;
  }
  if (isIP(host) === 4) {
    const [a = 0, b = 0] = host.split(".").map(Number);
    return (
      a === 127 ||
      a === 10 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (isIP(host) === 6) {
    return (
      host === "::1" ||
      host === "::" ||
      /^f[cd]/.test(host) ||
      /^fe[89ab]/.test(host) ||
      host.startsWith("::ffff:127.") ||
      host.startsWith("::ffff:10.") ||
      host.startsWith("::ffff:192.168.")
    );
  }
  return false;
}

// ─── judges ─────────────────────────────────────────────────────────────────────────────────

interface JudgeContext {
  readonly trusted: readonly string[];
  readonly privateTarget: boolean;
}

function wildcardDrafts(res: ObservedResponse, ctx: JudgeContext): FindingDraft[] {
  if (allowsCredentials(res)) {
    return [
      {
        code: "GH_AUDIT_WILDCARD_CREDENTIALS",
        severity: "medium",
        title: AUDIT_FINDING_CODES.GH_AUDIT_WILDCARD_CREDENTIALS.title,
        why: "Browsers refuse `*` for credentialed requests, so today no page reads credentialed responses through it, and credentialed clients of this API are broken. But the server means to share credentialed data with every origin: the next change (reflecting the origin to make it work) makes it critical. Non-credentialed responses are readable by every website.",
        fix: fixFor(
          "GH_AUDIT_WILDCARD_CREDENTIALS",
          ctx.trusted,
          ["  allowCredentials: true   # Gatehouse refuses `*` together with credentials"],
          true,
        ),
        credentials: true,
      },
    ];
  }
  return [
    {
      code: "GH_AUDIT_WILDCARD",
      severity: ctx.privateTarget ? "high" : "info",
      title: AUDIT_FINDING_CODES.GH_AUDIT_WILDCARD.title,
      why: ctx.privateTarget
        ? "The target is on loopback or a private network, so `*` lets any website the user opens read it through the user's browser (the Ollama and dev-server class of bugs); no credentials are needed when the service trusts its network position."
        : "Any website can read responses sent without credentials. That is right for public data and wrong for anything behind a token held by the page or a network position.",
      fix: fixFor("GH_AUDIT_WILDCARD", ctx.trusted),
      credentials: false,
    },
  ];
}

function originJudge(
  family: OriginFamily,
  origin: string,
  ctx: JudgeContext,
): (res: ObservedResponse) => FindingDraft[] {
  const info = ORIGIN_FAMILIES[family];
  return (res) => {
    const acao = headerValue(res, HEADER.allowOrigin);
    if (acao === null) return [];
    if (acao === "*") return wildcardDrafts(res, ctx);
    const credentials = allowsCredentials(res);
    if (acao === origin) {
      const severity = credentials ? info.with : info.without;
      const publicNote = severity === "high" && info.without === "high" ? PUBLIC_DATA_NOTE : "";
      return [
        {
          code: info.code,
          severity,
          title: `${AUDIT_FINDING_CODES[info.code].title}${credentials ? " With credentials." : ""}`,
          why: `${info.why}${credentials ? " The grant includes credentials, so the page reads what the user's cookies or HTTP authentication unlock." : ""}${publicNote}`,
          fix: fixFor(
            info.code,
            ctx.trusted,
            [
              credentials
                ? "  allowCredentials: true   # Gatehouse refuses null, regular expressions and `*` here"
                : "  allowCredentials: false",
            ],
            credentials,
          ),
          credentials,
        },
      ];
    }
    // Repeated ACAO lines are no grant and no echo: browsers see the combined list.
    const oneLine = headerLines(res, HEADER.allowOrigin).length === 1;
    if (origin !== "null" && oneLine && acao.includes(ATTACKER_DOMAIN)) {
      return [
        {
          code: "GH_AUDIT_ORIGIN_REWRITTEN",
          severity: "low",
          title: AUDIT_FINDING_CODES.GH_AUDIT_ORIGIN_REWRITTEN.title,
          why: "The attacker's origin came back changed (decoded or normalized), so no browser accepts this answer; but the server's parser sees something other than what the browser sent, which is how look-alike origins slip through checks.",
          fix: fixFor("GH_AUDIT_ORIGIN_REWRITTEN", ctx.trusted),
          credentials,
        },
      ];
    }
    return [];
  };
}

function preflightJudge(
  family: "preflight-method" | "preflight-header" | "private-network",
  origin: string,
  asked: string,
  foreign: boolean,
  ctx: JudgeContext,
): (res: ObservedResponse) => FindingDraft[] {
  return (res) => {
    if (res.status < 200 || res.status > 299 || !grants(res, origin)) return [];
    const credentials = allowsCredentials(res);
    const who = foreign ? "a foreign origin" : "a trusted origin";
    if (family === "private-network") {
      if (headerValue(res, HEADER.allowPrivateNetwork) !== "true") return [];
      return [
        {
          code: "GH_AUDIT_PRIVATE_NETWORK",
          severity: "high",
          title: AUDIT_FINDING_CODES.GH_AUDIT_PRIVATE_NETWORK.title,
          why: "Chromium sends this preflight before a public website may reach a private or loopback address; answering `true` to an origin the server cannot know lets any website talk to this service from inside the user's network.",
          fix: fixFor("GH_AUDIT_PRIVATE_NETWORK", ctx.trusted, [
            "  allowPrivateNetwork: false   # or true, with only trusted allowOrigins",
          ]),
          credentials,
        },
      ];
    }
    const header = family === "preflight-method" ? HEADER.allowMethods : HEADER.allowHeaders;
    const list = headerList(res, header);
    const echoed =
      family === "preflight-method"
        ? list.includes(asked) || list.includes("*")
        : list.some((h) => h.toLowerCase() === asked) || list.includes("*");
    if (!echoed) return [];
    const code: AuditFindingCode =
      family === "preflight-method"
        ? "GH_AUDIT_PREFLIGHT_ANY_METHOD"
        : "GH_AUDIT_PREFLIGHT_ANY_HEADER";
    const what =
      family === "preflight-method" ? `the method \`${asked}\`` : `the header \`${asked}\``;
    return [
      {
        code,
        severity: foreign ? "medium" : "low",
        title: AUDIT_FINDING_CODES[code].title,
        why: `A preflight from ${who} asked for ${what}, which no client of this API uses, and was allowed: the preflight is a copy of the request rather than a policy, so ${foreign ? "any website can send any method or header the server handles (DELETE, X-HTTP-Method-Override, …) and read the answer" : "the method and header lists restrict nothing; a bug in a trusted page can send anything"}.`,
        fix: fixFor(
          code,
          ctx.trusted,
          family === "preflight-method"
            ? ["  allowMethods: [PUT, DELETE]   # the methods the API uses"]
            : ["  allowHeaders: [content-type, authorization]"],
        ),
        credentials,
      },
    ];
  };
}

/**
 * The WebSocket fix puts a door in front: its publicOrigin is the origin whose pages may open
 * sockets (the one users open), never the scanned server's own address, which becomes the
 * door's upstream when it is on loopback or a private network.
 */
function websocketFix(ws: URL, publicOrigin: string | null, ctx: JudgeContext): Fix {
  const upstream = isPrivateHost(ws.hostname) ? ws.origin : null;
  const own = publicOrigin ?? (upstream === null ? ws.origin : null);
  const others = ctx.trusted.filter((o) => o !== own);
  return {
    gatehouse: [
      own === null
        ? "publicOrigin: https://gateway.example.com   # the origin your users open (audit --public-origin); upgrades from others get 403"
        : `publicOrigin: ${own}   # the origin your users open; upgrades from others get 403`,
      ...(upstream === null
        ? []
        : [
            "routes:",
            `  - { match: /, upstream: "${upstream}" }   # this server, behind the door`,
          ]),
      "websocket:",
      `  allowOrigins: [${others.join(", ")}]   # other pages allowed to open sockets, exact`,
    ],
    generic: AUDIT_FINDING_CODES.GH_AUDIT_WEBSOCKET_ORIGIN.howToSolve,
  };
}

function websocketJudge(fix: Fix): (res: ObservedResponse) => FindingDraft[] {
  return (res) =>
    res.status === 101
      ? [
          {
            code: "GH_AUDIT_WEBSOCKET_ORIGIN",
            severity: "high",
            title: AUDIT_FINDING_CODES.GH_AUDIT_WEBSOCKET_ORIGIN.title,
            why: "CORS does not apply to WebSockets: a page on any website opens this socket with the user's cookies or its position on the network, then reads and writes freely (CVE-2026-25253, CVE-2025-24010, CVE-2018-14732). Critical if the socket trusts cookies or loopback: the audit cannot see that.",
            fix,
            credentials: false,
          },
        ]
      : [];
}

/** A trusted plain-http origin granted credentials (what Gatehouse refuses at start-up). */
function insecureCredentialsJudge(
  origin: string,
  ctx: JudgeContext,
): (res: ObservedResponse) => FindingDraft[] {
  return (res) => {
    if (headerValue(res, HEADER.allowOrigin) !== origin || !allowsCredentials(res)) return [];
    const code = "GH_AUDIT_INSECURE_CREDENTIALS";
    return [
      {
        code,
        severity: "medium",
        title: AUDIT_FINDING_CODES[code].title,
        why: `${origin} is a plain-http page and it is granted credentials: anybody on the network path to that page (public Wi-Fi, a hostile router, a proxy) can change its script, and that script then reads what the user's cookies unlock here. Browsers do not count such a page as a secure context, and Gatehouse refuses this grant at start-up (GH_CORS_ORIGIN_INSECURE).`,
        fix: fixFor(code, ctx.trusted, ["  allowCredentials: true"], true),
        credentials: true,
      },
    ];
  };
}

// ─── look-alike origins ─────────────────────────────────────────────────────────────────────

interface Candidate {
  readonly family: OriginFamily;
  readonly origin: string;
}

/** The origins derived from one base origin, in the order the families are listed above. */
export function lookalikes(base: URL): Candidate[] {
  const scheme = base.protocol.replace(/:$/, "");
  const host = base.hostname.toLowerCase();
  if (host.startsWith("[")) return []; // IPv6 literals have no look-alikes
  const port = base.port === "" ? "" : `:${base.port}`;
  const domain = isIP(host) === 0 ? getDomain(host) : null;
  const sld = domain ?? host;
  const at = (h: string, s = scheme) => `${s}://${h}${port}`;
  const out: Candidate[] = [];
  const add = (family: OriginFamily, origin: string) => out.push({ family, origin });

  add("pre-domain", at(`evil${sld}`));
  if (domain !== null && domain.length > 3) add("substring", at(domain.slice(1)));
  add("post-domain", at(`${host}.${ATTACKER_DOMAIN}`));
  add("post-domain", at(`${host}${ATTACKER_DOMAIN}`));
  const dots = [...host].flatMap((c, i) => (c === "." ? [i] : []));
  // Each dot by `x` (Corsy replaces the first) and by `a` (CORScanner the last), then all by `a` (nuclei).
  // A dot before the registrable domain leaves a name that still ends with it.
  const domainAt = domain === null ? 0 : host.length - domain.length;
  for (const letter of ["x", "a"]) {
    for (const i of dots) {
      add(
        i < domainAt ? "dot-before-domain" : "unescaped-dot",
        at(`${host.slice(0, i)}${letter}${host.slice(i + 1)}`),
      );
    }
  }
  if (dots.length > 1) add("unescaped-dot", at(host.replaceAll(".", "a")));
  for (const c of SPECIAL_CHARACTERS) add("special-chars", at(`${host}${c}.${ATTACKER_DOMAIN}`));
  for (const c of SPECIAL_CHARACTERS) add("special-chars", at(`${host}.${c}.${ATTACKER_DOMAIN}`));
  add("subdomain", at(`evil.${host}`));
  if (domain !== null && domain !== host) {
    add("subdomain", at(`evil.${domain}`));
    add("subdomain", at(`evil${host}`)); // a sibling of host under the same registrable domain
  }
  if (scheme === "https") add("downgrade", at(host, "http"));
  return out;
}

// ─── the plan ───────────────────────────────────────────────────────────────────────────────

/** An origin as browsers serialize it; throws on anything that is not scheme://host[:port]. */
export function parseOrigin(text: string): string {
  const url = new URL(text);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`"${text}" is not an http or https origin`);
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw new Error(`"${text}" is not an origin (scheme://host[:port])`);
  }
  if (url.pathname !== "/" || /\/$/.test(text)) {
    throw new Error(`"${text}" is not an origin: remove the path or trailing slash`);
  }
  return url.origin;
}

function wsToHttp(url: URL): URL {
  const copy = new URL(url.href);
  if (copy.protocol === "ws:") copy.protocol = "http:";
  else if (copy.protocol === "wss:") copy.protocol = "https:";
  return copy;
}

/** Every probe of one audit, in the order they are listed in the report's evidence. */
export function buildProbes(input: AuditPlanInput): Probe[] {
  const target = input.target;
  const trusted = [...new Set((input.trusted ?? []).map(parseOrigin))];
  const bases = [...new Set([target.origin, ...trusted])];
  const ctx: JudgeContext = { trusted, privateTarget: isPrivateHost(target.hostname) };
  const foreign = foreignOrigin(input.nonce);
  const probes: Probe[] = [];
  const seen = new Set<string>();
  const url = target.href;

  const get = (origin: string | null): ProbeRequest => ({
    kind: "http",
    method: "GET",
    url,
    headers: origin === null ? [] : [[HEADER.origin, origin]],
  });

  probes.push({
    id: "baseline",
    family: "baseline",
    origin: null,
    request: get(null),
    judge: () => [],
  });
  for (const base of trusted) {
    probes.push({
      id: `baseline:${base}`,
      family: "baseline",
      origin: base,
      request: get(base),
      judge: isInsecureOrigin(base) ? insecureCredentialsJudge(base, ctx) : () => [],
    });
  }

  const candidates: Candidate[] = [
    { family: "reflection", origin: foreign },
    { family: "null", origin: "null" },
    ...bases.flatMap((b) => lookalikes(new URL(b))),
    ...thirdPartyOrigins(input.nonce).map((origin) => ({ family: "third-party" as const, origin })),
  ];
  const localPort = target.port === "31337" ? "31338" : "31337";
  candidates.push(
    { family: "localhost", origin: `http://localhost:${localPort}` },
    { family: "localhost", origin: `http://127.0.0.1:${localPort}` },
  );
  for (const c of candidates) {
    if (bases.includes(c.origin) || seen.has(c.origin)) continue;
    seen.add(c.origin);
    probes.push({
      id: `${c.family}:${c.origin}`,
      family: c.family,
      origin: c.origin,
      request: get(c.origin),
      judge: originJudge(c.family, c.origin, ctx),
    });
  }

  const method = `GHPROBE${input.nonce.toUpperCase()}`;
  const header = `x-gh-probe-${input.nonce}`;
  for (const origin of [foreign, ...bases]) {
    const isForeign = origin === foreign;
    const preflight = (extra: Header[]): ProbeRequest => ({
      kind: "http",
      method: "OPTIONS",
      url,
      headers: [[HEADER.origin, origin], ...extra],
    });
    probes.push({
      id: `preflight-method:${origin}`,
      family: "preflight-method",
      origin,
      request: preflight([[HEADER.requestMethod, method]]),
      judge: preflightJudge("preflight-method", origin, method, isForeign, ctx),
    });
    probes.push({
      id: `preflight-header:${origin}`,
      family: "preflight-header",
      origin,
      request: preflight([
        [HEADER.requestMethod, "POST"],
        [HEADER.requestHeaders, header],
      ]),
      judge: preflightJudge("preflight-header", origin, header, isForeign, ctx),
    });
    if (isForeign) {
      probes.push({
        id: `private-network:${origin}`,
        family: "private-network",
        origin,
        request: preflight([
          [HEADER.requestMethod, "GET"],
          [HEADER.requestPrivateNetwork, "true"],
        ]),
        judge: preflightJudge("private-network", origin, "", true, ctx),
      });
    }
  }

  if (input.ws !== undefined && input.ws !== null) {
    const wsUrl = wsToHttp(input.ws);
    const publicOrigin = input.publicOrigin ?? null;
    const wsBases = [
      ...new Set([wsUrl.origin, ...(publicOrigin === null ? [] : [publicOrigin]), ...trusted]),
    ];
    const fix = websocketFix(wsUrl, publicOrigin, ctx);
    const origins = new Set<string>([foreign, "null", `https://gh-audit-${input.nonce}.github.io`]);
    for (const base of wsBases) {
      for (const c of lookalikes(new URL(base))) {
        if (c.family === "pre-domain" || c.family === "post-domain" || c.family === "subdomain") {
          origins.add(c.origin);
        }
      }
    }
    origins.add(`http://localhost:${localPort}`);
    for (const origin of origins) {
      if (wsBases.includes(origin)) continue;
      probes.push({
        id: `websocket:${origin}`,
        family: "websocket",
        origin,
        request: {
          kind: "websocket",
          method: "GET",
          url: wsUrl.href,
          headers: [[HEADER.origin, origin]],
        },
        judge: websocketJudge(fix),
      });
    }
  }
  return probes;
}
