export type { CodeInfo, ConfigErrorCode, LintCode, ReasonCode } from "./codes.js";
export { CONFIG_ERROR_CODES, LINT_CODES, REASON_CODES } from "./codes.js";
export type { CorsConfig, NormalizedCorsConfig } from "./config.js";
export { validateCorsConfig } from "./config.js";
export type { HeaderSource, HeaderValue } from "./headers.js";
export { readHeader } from "./headers.js";
export type { HostPattern, OriginPattern, Scheme } from "./origin.js";
export { isLoopbackHost, OriginMatcher, splitSerializedOrigin } from "./origin.js";
export type {
  CorsDecision,
  CorsExplanation,
  CorsPolicy,
  DecisionReason,
  RequestFacts,
  RequestKind,
} from "./policy.js";
export { compileCorsPolicy, corsPolicy, noCorsPolicy } from "./policy.js";
export type { ConfigProblem, LintNote } from "./problems.js";
export { CorsConfigError, formatProblems, GatehouseError, ProblemSink } from "./problems.js";
export { MAX_REQUEST_HEADER_BYTES, MAX_REQUEST_HEADER_NAMES } from "./request-headers.js";
export { mergeVary } from "./vary.js";
