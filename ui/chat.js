// @ts-check
/**
 * The chat panel: sends the conversation to the chat-completions API on this origin and shows
 * the reply token by token as the SSE events arrive (or at once, with streaming off).
 */
import { appendScrolled, h } from "./dom.js";
import { readSse } from "./sse.js";

const COMPLETIONS_PATH = "/v1/chat/completions";
const MODELS_PATH = "/v1/models";
const FALLBACK_MODEL = "gatehouse-demo";

/** @typedef {{ role: "user" | "assistant", content: string }} ChatMessage */

/**
 * @typedef {object} ChatRequest
 * @property {string} model
 * @property {ChatMessage[]} messages
 * @property {boolean} stream
 */

/**
 * @typedef {object} ChatElements
 * @property {HTMLFormElement} form
 * @property {HTMLTextAreaElement} input
 * @property {HTMLButtonElement} send
 * @property {HTMLButtonElement} stop
 * @property {HTMLElement} log     where messages go
 * @property {HTMLInputElement} stream  checkbox: stream tokens, or wait for the whole reply
 * @property {HTMLElement} model   shows the model id in use
 */

/**
 * Wires the chat panel.
 * @param {ChatElements} ui
 */
export function mountChat(ui) {
  /** @type {ChatMessage[]} */
  const history = [];
  /** @type {AbortController | null} */
  let inFlight = null;
  let model = FALLBACK_MODEL;

  firstModel().then((id) => {
    model = id;
    ui.model.textContent = id;
  });

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    void ask();
  });
  ui.input.addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter breaks the line; never while an IME is composing.
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    ui.form.requestSubmit();
  });
  ui.stop.addEventListener("click", () => inFlight?.abort());

  async function ask() {
    const text = ui.input.value.trim();
    if (text === "" || inFlight !== null) return;
    const controller = new AbortController();
    inFlight = controller;
    setBusy(ui, true);
    ui.input.value = "";
    history.push({ role: "user", content: text });
    appendMessage(ui.log, "user", text);
    const reply = appendMessage(ui.log, "assistant", "");
    const request = { model, messages: [...history], stream: ui.stream.checked };
    try {
      const content = await complete(request, controller.signal, reply.add);
      reply.finish("done");
      history.push({ role: "assistant", content });
    } catch (error) {
      if (controller.signal.aborted) {
        reply.finish("stopped", "Stopped.");
        if (reply.text() !== "") history.push({ role: "assistant", content: reply.text() });
      } else {
        reply.fail(error instanceof Error ? error.message : String(error));
      }
    } finally {
      inFlight = null;
      setBusy(ui, false);
      ui.input.focus();
    }
  }
}

/**
 * Asks for a completion; calls `onText` with each piece of the reply as it arrives (once,
 * with all of it, when not streaming) and resolves with the whole reply. Rejects with a
 * readable message on any failure, or with the AbortError when `signal` fires.
 * @param {ChatRequest} request
 * @param {AbortSignal} signal
 * @param {(text: string) => void} onText
 * @returns {Promise<string>}
 */
export async function complete(request, signal, onText) {
  const response = await fetch(COMPLETIONS_PATH, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: request.stream ? "text/event-stream" : "application/json",
    },
    body: JSON.stringify(request),
    signal,
  });
  if (!response.ok) {
    throw new Error(failureText(response.status, response.statusText, await response.text()));
  }
  if (!request.stream) {
    const text = messageText(await response.json());
    onText(text);
    return text;
  }
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("text/event-stream") || response.body === null) {
    throw new Error(`Expected an event stream, got ${type || "no content type"}.`);
  }
  return streamText(response.body, onText);
}

/**
 * Reads chat-completion chunks until `[DONE]`.
 * @param {ReadableStream<Uint8Array>} body
 * @param {(text: string) => void} onText
 * @returns {Promise<string>}
 */
async function streamText(body, onText) {
  let text = "";
  for await (const event of readSse(body)) {
    if (event.data === "[DONE]") return text;
    /** @type {unknown} */
    const chunk = JSON.parse(event.data);
    const failure = dig(chunk, "error", "message");
    if (typeof failure === "string") throw new Error(failure);
    const piece = deltaText(chunk);
    if (piece === "") continue;
    text += piece;
    onText(piece);
  }
  throw new Error("The stream ended before [DONE]: the connection was cut.");
}

/**
 * The text a streamed chunk adds (`choices[0].delta.content`), or "".
 * @param {unknown} chunk
 * @returns {string}
 */
export function deltaText(chunk) {
  const content = dig(chunk, "choices", 0, "delta", "content");
  return typeof content === "string" ? content : "";
}

/**
 * The reply of a non-streamed completion (`choices[0].message.content`), or "".
 * @param {unknown} completion
 * @returns {string}
 */
export function messageText(completion) {
  const content = dig(completion, "choices", 0, "message", "content");
  return typeof content === "string" ? content : "";
}

/**
 * A one-line account of a failed response: the status, and the server's own message when the
 * body has one (OpenAI's `{ error: { message } }`, or `{ error }` / `{ message }`).
 * @param {number} status
 * @param {string} statusText
 * @param {string} body
 * @returns {string}
 */
export function failureText(status, statusText, body) {
  const head = `${status}${statusText ? ` ${statusText}` : ""}`;
  /** @type {unknown} */
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    const text = body.trim().slice(0, 200);
    return text === "" || text.startsWith("<") ? head : `${head}: ${text}`;
  }
  const message = dig(parsed, "error", "message") ?? dig(parsed, "error") ?? dig(parsed, "message");
  return typeof message === "string" ? `${head}: ${message}` : head;
}

/**
 * The id of the first model the API lists, or the demo's when that fails.
 * @returns {Promise<string>}
 */
async function firstModel() {
  try {
    const response = await fetch(MODELS_PATH, { headers: { accept: "application/json" } });
    const id = response.ok ? dig(await response.json(), "data", 0, "id") : undefined;
    return typeof id === "string" ? id : FALLBACK_MODEL;
  } catch {
    return FALLBACK_MODEL;
  }
}

/**
 * Adds a message to the log and returns a handle to fill it in.
 * @param {HTMLElement} log
 * @param {ChatMessage["role"]} role
 * @param {string} text
 */
function appendMessage(log, role, text) {
  const body = h("div", { class: "msg-body", "data-role": role }, text);
  const note = h("p", { class: "msg-note", hidden: "" });
  const article = h(
    "article",
    { class: `msg msg-${role}`, "data-state": role === "assistant" ? "pending" : "done" },
    h("span", { class: "msg-who" }, role === "user" ? "You" : "Demo model"),
    body,
    note,
  );
  appendScrolled(log, () => log.append(article));
  return {
    /** @param {string} piece */
    add: (piece) => {
      article.dataset.state = "streaming";
      appendScrolled(log, () => body.append(piece));
    },
    text: () => body.textContent ?? "",
    /**
     * @param {"done" | "stopped"} state
     * @param {string} [message]
     */
    finish: (state, message) => {
      article.dataset.state = state;
      if (message !== undefined) show(note, message);
    },
    /** @param {string} message */
    fail: (message) => {
      article.dataset.state = "error";
      note.setAttribute("role", "alert");
      show(note, message);
    },
  };
}

/**
 * @param {HTMLElement} note
 * @param {string} message
 */
function show(note, message) {
  note.textContent = message;
  note.hidden = false;
}

/**
 * @param {ChatElements} ui
 * @param {boolean} busy
 */
function setBusy(ui, busy) {
  ui.send.disabled = busy;
  ui.stop.disabled = !busy;
  ui.form.dataset.busy = String(busy);
}

/**
 * `value[path[0]][path[1]]...`, or undefined where the path leaves the JSON.
 * @param {unknown} value
 * @param {...(string | number)} path
 * @returns {unknown}
 */
function dig(value, ...path) {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = /** @type {Record<string | number, unknown>} */ (current)[key];
  }
  return current;
}
