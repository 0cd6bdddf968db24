/**
 * Appending to `Vary` without clobbering what the application set (hono#2932, spring#24829):
 * existing tokens are kept, new ones are added once, compared case-insensitively, and `*`
 * absorbs everything (RFC 9110 §12.5.5).
 */
/** The `Vary` tokens decide() returns; shared, frozen arrays with precomputed joins. */
export const NO_VARY: readonly string[] = Object.freeze([]);
export const VARY_ORIGIN: readonly string[] = Object.freeze(["Origin"]);
/** A preflight answer depends on everything decide() reads (fetch.bs §cors-protocol-and-http-caches). */
export const VARY_PREFLIGHT: readonly string[] = Object.freeze([
  "Origin",
  "Access-Control-Request-Method",
  "Access-Control-Request-Headers",
  "Access-Control-Request-Private-Network",
]);
const VARY_PREFLIGHT_VALUE = VARY_PREFLIGHT.join(", ");

/**
 * Merges of one existing string value with VARY_ORIGIN: responses repeat a handful of values
 * (sirv's `Accept-Encoding`, an upstream's own), so the answer is kept instead of re-split.
 * Bounded: values past the cap are merged every time, never stored.
 */
const originMerges = new Map<string, string>();
const ORIGIN_MERGES_MAX = 64;
const ORIGIN_MERGE_VALUE_MAX = 256;

export function mergeVary(
  existing: string | number | readonly string[] | null | undefined,
  tokens: readonly string[],
): string {
  // The common case, without allocating: nothing set yet and one of the engine's own lists.
  if (existing === undefined || existing === null || existing === "") {
    if (tokens === VARY_ORIGIN) return "Origin";
    if (tokens === VARY_PREFLIGHT) return VARY_PREFLIGHT_VALUE;
  }
  if (tokens === VARY_ORIGIN && typeof existing === "string") {
    const known = originMerges.get(existing);
    if (known !== undefined) return known;
    const merged = merge(existing, tokens);
    if (originMerges.size < ORIGIN_MERGES_MAX && existing.length <= ORIGIN_MERGE_VALUE_MAX)
      originMerges.set(existing, merged);
    return merged;
  }
  return merge(existing, tokens);
}

function merge(
  existing: string | number | readonly string[] | null | undefined,
  tokens: readonly string[],
): string {
  const current =
    existing === undefined || existing === null
      ? ""
      : typeof existing === "string"
        ? existing
        : typeof existing === "number"
          ? String(existing)
          : existing.join(", ");
  if (current.trim() === "") return tokens.join(", ");
  const present = current
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  if (present.includes("*")) return "*";
  const lower = present.map((t) => t.toLowerCase());
  const result = [...present];
  for (const token of tokens) {
    const key = token.toLowerCase();
    if (!lower.includes(key)) {
      lower.push(key);
      result.push(token);
    }
  }
  return result.join(", ");
}
