/**
 * An independent judge of which origins a config entry covers, built on the WHATWG URL parser
 * rather than on the engine's code, for property tests of the engine and of the adapters.
 */
/** Does `entry` (a config pattern, already canonical) cover the request origin? Via URL. */
export function oracleCovers(entry: string, requestOrigin: string): boolean {
  let url: URL;
  try {
    url = new URL(requestOrigin);
  } catch {
    return false;
  }
  // Only values that are already the exact serialization of their origin can be browser-sent.
  if (url.origin !== requestOrigin || (url.protocol !== "http:" && url.protocol !== "https:"))
    return false;
  if (!/^[a-z0-9._\-[\]:]+$/.test(url.host)) return false;
  const m = /^(https?):\/\/(\*\.)?([^:]+)(?::(\*|\d+))?$/.exec(entry);
  if (m === null) return false;
  const [, s, star, host, p] = m;
  if (`${s}:` !== url.protocol) return false;
  if (p === "*") {
    // any port, including the implicit one
  } else if ((p ?? "") !== url.port) return false;
  if (star)
    return url.hostname.endsWith(`.${host}`) && url.hostname.length > (host ?? "").length + 1;
  return url.hostname === host;
}
