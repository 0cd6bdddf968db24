// @ts-check
/**
 * The WebSocket panel: a connection to the echo at `/ws` on this page's own host (ws: or wss:
 * to match the page), its state, an echo log, and a ping every 15 s to show the round trip.
 */
import { appendScrolled, h } from "./dom.js";

const SOCKET_PATH = "/ws";
const SUBPROTOCOL = "gatehouse-demo";
const PING_INTERVAL_MS = 15_000;
const MAX_LOG_ENTRIES = 200;

/**
 * @typedef {object} SocketElements
 * @property {HTMLElement} state   text: `connecting`, `open` or `closed (CODE)`
 * @property {HTMLElement} meta    URL, subprotocol and round-trip time
 * @property {HTMLButtonElement} toggle  connect / disconnect
 * @property {HTMLFormElement} form
 * @property {HTMLInputElement} input
 * @property {HTMLButtonElement} send
 * @property {HTMLOListElement} log
 */

/**
 * What an incoming message is, for display.
 * @typedef {{ kind: "hello", server: string }
 *   | { kind: "pong", id: unknown }
 *   | { kind: "text", text: string }
 *   | { kind: "binary", bytes: number }} Incoming
 */

/**
 * The echo's URL on the page's own host: `ws:` under `http:`, `wss:` under `https:`.
 * @param {{ href: string }} page  `location`, or any URL
 * @returns {string}
 */
export function socketUrl(page) {
  const url = new URL(SOCKET_PATH, page.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/**
 * Classifies a received message: the server's hello, a pong, or an echo.
 * @param {unknown} data  a string, or an ArrayBuffer for binary frames
 * @returns {Incoming}
 */
export function classify(data) {
  if (typeof data !== "string") {
    return { kind: "binary", bytes: data instanceof ArrayBuffer ? data.byteLength : 0 };
  }
  /** @type {unknown} */
  let message;
  try {
    message = JSON.parse(data);
  } catch {
    return { kind: "text", text: data };
  }
  if (typeof message !== "object" || message === null || !("type" in message)) {
    return { kind: "text", text: data };
  }
  if (message.type === "hello" && "server" in message)
    return { kind: "hello", server: String(message.server) };
  if (message.type === "pong" && "id" in message) return { kind: "pong", id: message.id };
  return { kind: "text", text: data };
}

/**
 * Wires the WebSocket panel and connects.
 * @param {SocketElements} ui
 */
export function mountSocket(ui) {
  /** @type {WebSocket | null} */
  let socket = null;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let pinger;
  let pingCount = 0;
  /** Send times of pings awaiting their pong, by id. @type {Map<number, number>} */
  const pending = new Map();
  const url = socketUrl(location);

  ui.toggle.addEventListener("click", () => {
    if (socket !== null && socket.readyState <= WebSocket.OPEN)
      socket.close(1000, "closed from the UI");
    else connect();
  });
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.input.value;
    if (text === "" || socket?.readyState !== WebSocket.OPEN) return;
    socket.send(text);
    log("out", text);
    ui.input.value = "";
  });
  connect();

  function connect() {
    const ws = new WebSocket(url, [SUBPROTOCOL]);
    ws.binaryType = "arraybuffer";
    socket = ws;
    pending.clear();
    showState("connecting");
    setMeta(url);
    // Events of a socket replaced by a newer one are stale: ignore them.
    ws.addEventListener("open", () => socket === ws && opened(ws));
    ws.addEventListener("message", (event) => socket === ws && received(event.data));
    ws.addEventListener("close", (event) => socket === ws && closed(event));
    ws.addEventListener(
      "error",
      () => socket === ws && log("system", "Connection error (browsers give no detail)."),
    );
  }

  /** @param {WebSocket} ws */
  function opened(ws) {
    showState("open");
    setMeta(url, ws.protocol);
    ping(ws);
    pinger = setInterval(() => ping(ws), PING_INTERVAL_MS);
  }

  /** @param {WebSocket} ws */
  function ping(ws) {
    if (ws.readyState !== WebSocket.OPEN) return;
    pingCount += 1;
    pending.set(pingCount, performance.now());
    ws.send(JSON.stringify({ type: "ping", id: pingCount }));
  }

  /** @param {unknown} data */
  function received(data) {
    const message = classify(data);
    if (message.kind === "hello") log("system", `Hello from ${message.server}.`);
    else if (message.kind === "binary") log("in", `${message.bytes} bytes (binary)`);
    else if (message.kind === "text") log("in", message.text);
    else pong(message.id);
  }

  /** @param {unknown} id */
  function pong(id) {
    if (typeof id !== "number") return;
    const sentAt = pending.get(id);
    if (sentAt === undefined) return;
    pending.delete(id);
    setMeta(url, socket?.protocol ?? "", Math.round(performance.now() - sentAt));
  }

  /** @param {CloseEvent} event */
  function closed(event) {
    clearInterval(pinger);
    showState(`closed (${event.code})`);
    setMeta(url);
    log("system", `Closed with code ${event.code}${event.reason ? `: ${event.reason}` : ""}.`);
  }

  /** @param {string} state */
  function showState(state) {
    const open = state === "open";
    ui.state.textContent = state;
    ui.state.dataset.state = state.split(" ")[0] ?? state;
    ui.send.disabled = !open;
    ui.toggle.textContent = state.startsWith("closed") ? "Connect" : "Disconnect";
  }

  /**
   * @param {string} address
   * @param {string} [protocol]
   * @param {number} [rttMs]
   */
  function setMeta(address, protocol, rttMs) {
    const parts = [address];
    if (protocol) parts.push(`subprotocol ${protocol}`);
    if (rttMs !== undefined) parts.push(`ping ${rttMs} ms`);
    ui.meta.textContent = parts.join(" · ");
  }

  /**
   * @param {"in" | "out" | "system"} direction
   * @param {string} text
   */
  function log(direction, text) {
    const arrow = { in: "←", out: "→", system: "•" }[direction];
    const label = { in: "received", out: "sent", system: "status" }[direction];
    const entry = h(
      "li",
      { class: "ws-entry", "data-dir": direction },
      h("span", { class: "ws-dir", "aria-hidden": "true" }, arrow),
      h("span", { class: "visually-hidden" }, `${label}: `),
      h("span", { class: "ws-text" }, text),
    );
    appendScrolled(ui.log, () => {
      ui.log.append(entry);
      while (ui.log.children.length > MAX_LOG_ENTRIES) ui.log.firstElementChild?.remove();
    });
  }
}
