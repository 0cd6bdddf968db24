/**
 * Appending to `Vary` without clobbering what the application set (hono#2932, spring#24829):
 * existing tokens are kept, new ones are added once, compared case-insensitively, and `*`
 * absorbs everything (RFC 9110 §12.5.5).
 */
export function mergeVary(
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
