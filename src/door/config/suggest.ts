/**
 * "Did you mean ...?" for unknown keys: names other proxies and CORS libraries use, keys that
 * differ only in case or separators, and near-misses by edit distance.
 */
import type { PathSegment } from "./paths.js";

/** Names from nginx, Caddy, Traefik and CORS libraries, per section, to Gatehouse's key. */
const ALIASES: Readonly<Partial<Record<string, Readonly<Record<string, string>>>>> = {
  root: {
    port: "listen",
    host: "listen",
    bind: "listen",
    address: "listen",
    addr: "listen",
    listenaddress: "listen",
    origin: "publicOrigin",
    publicurl: "publicOrigin",
    baseurl: "publicOrigin",
    url: "publicOrigin",
    externalurl: "publicOrigin",
    allowedhosts: "hosts",
    allowhosts: "hosts",
    hostnames: "hosts",
    servername: "hosts",
    trustedproxies: "trustProxy",
    trustproxies: "trustProxy",
    trustedproxy: "trustProxy",
    proxies: "trustProxy",
    route: "routes",
    locations: "routes",
    ssl: "tls",
    https: "tls",
    certificate: "tls",
    limit: "limits",
    timeouts: "limits",
    logging: "log",
    logger: "log",
    loglevel: "log",
    ws: "websocket",
    websockets: "websocket",
    xsrf: "csrf",
    csrfprotection: "csrf",
    alloworigins: "cors.allowOrigins",
    allowedorigins: "cors.allowOrigins",
    origins: "cors.allowOrigins",
    allowcredentials: "cors.allowCredentials",
    credentials: "cors.allowCredentials",
    allowmethods: "cors.allowMethods",
    allowheaders: "cors.allowHeaders",
    exposeheaders: "cors.exposeHeaders",
    maxage: "cors.maxAge",
  },
  route: {
    path: "match",
    prefix: "match",
    location: "match",
    pathprefix: "match",
    target: "upstream",
    proxy: "upstream",
    proxypass: "upstream",
    url: "upstream",
    backend: "upstream",
    upstreams: "upstream",
    to: "upstream",
    root: "static",
    dir: "static",
    directory: "static",
    serve: "static",
    files: "static",
    fileserver: "static",
    fallback: "spa",
    history: "spa",
    historyapifallback: "spa",
    strip: "stripPrefix",
    strippath: "stripPrefix",
    rewrite: "stripPrefix",
  },
  tls: {
    certificate: "cert",
    certfile: "cert",
    certpath: "cert",
    privatekey: "key",
    keyfile: "key",
    keypath: "key",
    sts: "hsts",
    stricttransportsecurity: "hsts",
    redirect: "redirectHttp",
    httpredirect: "redirectHttp",
  },
  limits: {
    maxbody: "maxBodySize",
    bodylimit: "maxBodySize",
    maxbodybytes: "maxBodySize",
    maxrequestbodysize: "maxBodySize",
    clientmaxbodysize: "maxBodySize",
    headerstimeoutms: "headersTimeout",
    requesttimeoutms: "requestTimeout",
    keepalivetimeoutms: "keepAliveTimeout",
    maxwebsocketconnections: "maxWebSockets",
    shutdowntimeout: "shutdownGrace",
    gracefultimeout: "shutdownGrace",
  },
};

/** Which alias table applies to the mapping at `parent`. */
function section(parent: readonly PathSegment[]): string {
  if (parent.length === 0) return "root";
  if (parent[0] === "routes" && parent.length === 2) return "route";
  return String(parent[0]);
}

/**
 * The known key `key` was probably meant as, or null. A result starting with `cors.` means the
 * key belongs inside the `cors` section.
 */
export function suggestKey(
  key: string,
  known: readonly string[],
  parent: readonly PathSegment[],
): string | null {
  const folded = fold(key);
  const exact = known.find((k) => fold(k) === folded);
  if (exact !== undefined) return exact;
  const table = ALIASES[section(parent)];
  // Own keys only: "constructor" or "__proto__" must not find Object.prototype's.
  if (table !== undefined && Object.hasOwn(table, folded)) return table[folded] ?? null;
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(folded, fold(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = folded.length <= 4 ? 1 : folded.length <= 8 ? 2 : 3;
  return bestDistance <= tolerance ? best : null;
}

function fold(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, "");
}

/** Levenshtein distance; keys are short, so the quadratic table is fine. */
function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Number.POSITIVE_INFINITY;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? Number.POSITIVE_INFINITY;
}
