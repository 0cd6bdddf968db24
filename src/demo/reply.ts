/**
 * The demo model's "intelligence": a fixed, friendly answer built from the last user message.
 * Deterministic on purpose (no clock, no randomness), so tests can assert on exact text.
 */

/** A chat message as far as the demo reads it: only its role and its text matter. */
export interface DemoMessage {
  readonly role: string;
  /** A string, an array of content parts (`{ type: "text", text }`), or null. */
  readonly content: unknown;
}

/** Longest excerpt of the question quoted back; keeps replies short for huge prompts. */
const MAX_QUOTE_CHARS = 160;

/**
 * The text of a message: a string as it is, or the `text` of its `text` parts joined by
 * spaces (the OpenAI multi-part form); anything else has no text.
 */
export function messageText(message: DemoMessage): string {
  const { content } = message;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const part of content) {
    if (isRecord(part) && part.type === "text" && typeof part.text === "string") {
      texts.push(part.text);
    }
  }
  return texts.join(" ");
}

/** The last user message's text with whitespace collapsed, or "" when there is none. */
export function lastUserQuestion(messages: readonly DemoMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === "user") return messageText(message).replace(/\s+/g, " ").trim();
  }
  return "";
}

/** The whole reply to a conversation. Same messages, same reply, every time. */
export function composeReply(messages: readonly DemoMessage[]): string {
  const question = lastUserQuestion(messages);
  const echo =
    question === ""
      ? "You have not asked anything yet, so here is the tour."
      : `You asked: “${quote(question)}”.`;
  return [
    "Hello from the Gatehouse demo model!",
    echo,
    "I am not a real language model: I am a small built-in upstream that answers every question the same way, so you can watch the whole path work.",
    "This reply travels token by token as Server-Sent Events through the front door, which serves the control UI, the HTTP API and the WebSocket control plane from one origin.",
    "Because your browser only ever talks to that one origin, it needs no CORS at all: no preflights, no wildcard headers, nothing to misconfigure.",
  ].join(" ");
}

/**
 * Splits text into word-ish tokens, each word with the whitespace before it (as BPE
 * tokenizers do: `Hello`, ` from`, ` the`). Joining the tokens gives the text back exactly.
 */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/** Prompt size in the same word-ish tokens, for `usage.prompt_tokens`. */
export function countPromptTokens(messages: readonly DemoMessage[]): number {
  let total = 0;
  for (const message of messages) total += tokenize(messageText(message)).length;
  return total;
}

function quote(question: string): string {
  // By code point, so an emoji at the cut is never halved into a lone surrogate.
  const chars = Array.from(question);
  if (chars.length <= MAX_QUOTE_CHARS) return question;
  return `${chars
    .slice(0, MAX_QUOTE_CHARS - 1)
    .join("")
    .trimEnd()}…`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
