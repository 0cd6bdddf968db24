import type { CorsConfig } from "../core/config.js";
import type { CorsPolicy } from "../core/policy.js";
import { corsPolicy } from "../core/policy.js";

/** Adapters take either a config (validated here, at start-up) or a compiled policy. */
export type PolicyInput = CorsConfig | CorsPolicy;

export function toPolicy(input: PolicyInput): CorsPolicy {
  return typeof (input as CorsPolicy).decide === "function"
    ? (input as CorsPolicy)
    : corsPolicy(input as CorsConfig);
}
