/** The embedded default's demo pieces: the upstream and the control UI's files. */

export { DEMO_UI_ROOT } from "./ui-root.js";
export type { DemoStats, DemoUpstream, DemoUpstreamOptions } from "./upstream.js";
export { DEFAULT_DEMO_MODEL, DEFAULT_TOKEN_DELAY_MS, startDemoUpstream } from "./upstream.js";
