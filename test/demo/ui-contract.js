// @ts-check
// Compile-time only, checked by test/demo/ui.tsconfig.json (never run): the types that
// ui-modules.ts writes out for the UI's JS modules must be what their JSDoc declares.
import * as chat from "../../ui/chat.js";
import * as policy from "../../ui/policy.js";
import * as socket from "../../ui/socket.js";
import * as sse from "../../ui/sse.js";

/** @type {import("./ui-modules.ts").SseModule} */
export const sseContract = sse;
/** @type {import("./ui-modules.ts").ChatModule} */
export const chatContract = chat;
/** @type {import("./ui-modules.ts").PolicyModule} */
export const policyContract = policy;
/** @type {import("./ui-modules.ts").SocketModule} */
export const socketContract = socket;
