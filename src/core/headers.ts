/**
 * Request headers as frameworks hand them over, and reading one of them. Node-style objects
 * (lower-case keys, a string or a list of lines) and Fetch `Headers` are both read in place,
 * never copied. (decide() reads its own headers with small readers kept in policy.ts, where
 * they cost the hot path less: see there.)
 */

/** A request header value as frameworks hand it over: absent, one line, or several lines. */
export type HeaderValue = string | readonly string[] | null | undefined;

/** Request headers: a node-style object with lower-case keys, or a Fetch-style `Headers`. */
export type HeaderSource =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null };

export type PlainHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Reads one header from either kind of source. Names are lower-case. */
export function readHeader(headers: HeaderSource | undefined, name: string): HeaderValue {
  if (headers === undefined) return undefined;
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name);
  }
  return (headers as PlainHeaders)[name];
}
