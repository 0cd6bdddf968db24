// @ts-check
/**
 * The Gatehouse control UI demo: wires the three panels to the page. Every request goes to
 * this page's own origin (relative URLs), which is the point of the front door.
 */
import { mountChat } from "./chat.js";
import { byId } from "./dom.js";
import { mountPolicy } from "./policy.js";
import { mountSocket } from "./socket.js";

byId("origin", HTMLElement).textContent = location.origin;

mountChat({
  form: byId("chat-form", HTMLFormElement),
  input: byId("chat-input", HTMLTextAreaElement),
  send: byId("chat-send", HTMLButtonElement),
  stop: byId("chat-stop", HTMLButtonElement),
  log: byId("chat-log", HTMLElement),
  stream: byId("chat-stream", HTMLInputElement),
  model: byId("chat-model", HTMLElement),
});

mountSocket({
  state: byId("ws-state", HTMLElement),
  meta: byId("ws-meta", HTMLElement),
  toggle: byId("ws-toggle", HTMLButtonElement),
  form: byId("ws-form", HTMLFormElement),
  input: byId("ws-input", HTMLInputElement),
  send: byId("ws-send", HTMLButtonElement),
  log: byId("ws-log", HTMLOListElement),
});

mountPolicy({
  container: byId("policy", HTMLElement),
  refresh: byId("policy-refresh", HTMLButtonElement),
});
