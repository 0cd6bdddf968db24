// @ts-check
/**
 * Server-Sent Events parsing for `fetch` response bodies, by the HTML Living Standard's
 * rules ("Interpreting an event stream"). `parseSse` is pure, so Node tests import it;
 * `readSse` adapts it to a byte stream.
 */

/**
 * One dispatched event.
 * @typedef {object} SseEvent
 * @property {string} event  the `event:` field, or "message"
 * @property {string} data   the `data:` lines joined by "\n"
 * @property {string | undefined} id  the `id:` field, when the event had one
 */

/**
 * The events complete in `text`, and the text to carry over: an event is complete only once
 * the blank line that ends it has arrived, so `rest` starts at the first incomplete event.
 * Feed `rest + nextChunk` to the next call. Lines may end in LF, CRLF or CR. A CRLF cut in two
 * is safe: a CR that ends an event's blank line dispatches it at once, and the LF arriving
 * next reads as one more blank line, which dispatches nothing since no field is pending.
 *
 * @param {string} text  decoded stream text (the previous `rest` plus new input)
 * @returns {{ events: SseEvent[], rest: string }}
 */
export function parseSse(text) {
  /** @type {SseEvent[]} */
  const events = [];
  let pending = emptyEvent();
  let eventStart = 0;
  let pos = 0;
  while (pos < text.length) {
    const end = lineEnd(text, pos);
    if (end === -1) break;
    const line = text.slice(pos, end);
    pos = end + (text.startsWith("\r\n", end) ? 2 : 1);
    if (line !== "") {
      applyField(pending, line);
      continue;
    }
    if (pending.data !== undefined) {
      events.push({ event: pending.event || "message", data: pending.data, id: pending.id });
    }
    pending = emptyEvent();
    eventStart = pos;
  }
  return { events, rest: text.slice(eventStart) };
}

/**
 * The events of an SSE byte stream, as they complete. Decodes UTF-8 across chunk boundaries
 * (a character split between two network packets is joined before parsing). Stopping early
 * (`break`) cancels the stream, which lets the browser close the connection.
 *
 * @param {ReadableStream<Uint8Array>} body
 * @returns {AsyncGenerator<SseEvent, void, undefined>}
 */
export async function* readSse(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return; // an unterminated last event is dropped, as the standard says
      const parsed = parseSse(rest + decoder.decode(value, { stream: true }));
      rest = parsed.rest;
      yield* parsed.events;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/** @returns {{ event: string, data: string | undefined, id: string | undefined }} */
function emptyEvent() {
  return { event: "", data: undefined, id: undefined };
}

/**
 * Where the line starting at `pos` ends (its CR or LF), or -1 if it has not ended yet.
 * @param {string} text
 * @param {number} pos
 */
function lineEnd(text, pos) {
  for (let i = pos; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return -1;
}

/**
 * Applies one non-blank line to the event being built. Comments (`:`) and unknown fields are
 * ignored; `retry` concerns reconnecting EventSource only.
 * @param {{ event: string, data: string | undefined, id: string | undefined }} pending
 * @param {string} line
 */
function applyField(pending, line) {
  const colon = line.indexOf(":");
  if (colon === 0) return;
  const name = colon === -1 ? line : line.slice(0, colon);
  let value = colon === -1 ? "" : line.slice(colon + 1);
  if (value.startsWith(" ")) value = value.slice(1);
  if (name === "data")
    pending.data = pending.data === undefined ? value : `${pending.data}\n${value}`;
  else if (name === "event") pending.event = value;
  else if (name === "id" && !value.includes("\0")) pending.id = value;
}
