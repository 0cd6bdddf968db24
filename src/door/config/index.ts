/**
 * The front door's configuration: loading and validating files (`loadConfig`), the built-in
 * default (`embeddedDefaultConfig`), and the report types shared with `gatehouse check`.
 */
export type { EmbeddedOptions } from "./embedded.js";
export { embeddedDefaultConfig } from "./embedded.js";
export { ConfigError, formatConfigProblems, formatLints, locationOf } from "./error.js";
export { DEFAULT_LISTEN, formatListen } from "./listen.js";
export type { ConfigCheck, LoadedConfig, LoadOverrides } from "./load.js";
export { checkConfigFile, checkConfigText, loadConfig } from "./load.js";
export type { LocatedLint, LocatedProblem, NoteCode, Position, ProblemCode } from "./report.js";
export type * from "./types.js";
export { DEFAULT_LIMITS } from "./types.js";
