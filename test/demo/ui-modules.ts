/**
 * The demo UI's plain-JS modules, imported for Node tests with the types they declare in
 * JSDoc. (The main tsconfig does not read JS, so the import specifiers are computed and the
 * types written out here; ui-contract.js makes the UI type-check confirm they match.)
 */

export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

export interface SseModule {
  parseSse(text: string): { events: SseEvent[]; rest: string };
  readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent, void, undefined>;
}

export interface ChatModule {
  deltaText(chunk: unknown): string;
  messageText(completion: unknown): string;
  failureText(status: number, statusText: string, body: string): string;
}

export interface PolicyRoute {
  match: string;
  kind: string;
  target: string | null;
  cors: string | null;
}

export interface PolicyView {
  publicOrigin: string | null;
  hosts: string[];
  csrf: boolean | null;
  cors: Array<[label: string, value: string]> | null;
  websocketOrigins: string[] | null;
  routes: PolicyRoute[];
}

export interface PolicyModule {
  normalizePolicy(raw: unknown): PolicyView;
  display(value: unknown): string;
}

export type Incoming =
  | { kind: "hello"; server: string }
  | { kind: "pong"; id: unknown }
  | { kind: "text"; text: string }
  | { kind: "binary"; bytes: number };

export interface SocketModule {
  socketUrl(page: { href: string }): string;
  classify(data: unknown): Incoming;
}

/** Absolute URL of the UI directory. */
export const UI_DIR = new URL("../../ui/", import.meta.url);

async function load<T>(file: string): Promise<T> {
  return (await import(new URL(file, UI_DIR).href)) as T;
}

export const sse = await load<SseModule>("sse.js");
export const chat = await load<ChatModule>("chat.js");
export const policy = await load<PolicyModule>("policy.js");
export const socket = await load<SocketModule>("socket.js");
