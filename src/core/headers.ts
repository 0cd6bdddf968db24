/**
 * Request headers as frameworks hand them over, and reading one of them. Node-style objects
 * (lower-case keys, a string or a list of lines) and Fetch `Headers` are both read in place,
 * never copied.
 */

/** A request header value as frameworks hand it over: absent, one line, or several lines. */
export type HeaderValue = string | readonly string[] | null | undefined;

/** Request headers: a node-style object with lower-case keys, or a Fetch-style `Headers`. */
export type HeaderSource =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null };

export type PlainHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export function isFetchHeaders(
  headers: HeaderSource | undefined,
): headers is { get(name: string): string | null } {
  return headers !== undefined && typeof (headers as { get?: unknown }).get === "function";
}

/** Reads one header from either kind of source. Names are lower-case. */
export function readHeader(headers: HeaderSource | undefined, name: string): HeaderValue {
  if (headers === undefined) return undefined;
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name);
  }
  return (headers as PlainHeaders)[name];
}

export const MULTIPLE = Symbol("multiple values");

/** One header value, or null when absent, or MULTIPLE when repeated (never trusted). */
export function singleValue(value: HeaderValue): string | null | typeof MULTIPLE {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  if (value.length === 0) return null;
  return value.length === 1 ? (value[0] as string) : MULTIPLE;
}
