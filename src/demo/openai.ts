/**
 * The OpenAI chat-completions wire format, as far as the demo model speaks it: request
 * validation with OpenAI's error wording, and the response objects. Pure: no I/O, no clock
 * (callers pass `created`), so every shape here is unit-testable.
 */
import type { ApiError } from "./http.js";
import type { DemoMessage } from "./reply.js";
import { composeReply, countPromptTokens, tokenize } from "./reply.js";

/** Roles OpenAI accepts in `messages`. */
const ROLES: ReadonlySet<string> = new Set([
  "system",
  "developer",
  "user",
  "assistant",
  "tool",
  "function",
]);

/** A validated `POST /v1/chat/completions` request. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly DemoMessage[];
  readonly stream: boolean;
  /** `stream_options.include_usage`: a last chunk with `usage` and no choices. */
  readonly includeUsage: boolean;
  /** `max_completion_tokens` or the older `max_tokens`; null for no cap. */
  readonly maxTokens: number | null;
}

export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

export type FinishReason = "stop" | "length";

/** `GET /v1/models` entry. */
export interface Model {
  readonly id: string;
  readonly object: "model";
  readonly created: number;
  readonly owned_by: "gatehouse-demo";
}

/** `GET /v1/models`. */
export interface ModelList {
  readonly object: "list";
  readonly data: readonly Model[];
}

/** A non-streamed answer. */
export interface ChatCompletion {
  readonly id: string;
  readonly object: "chat.completion";
  readonly created: number;
  readonly model: string;
  readonly system_fingerprint: string;
  readonly choices: readonly [
    {
      readonly index: 0;
      readonly message: {
        readonly role: "assistant";
        readonly content: string;
        readonly refusal: null;
      };
      readonly logprobs: null;
      readonly finish_reason: FinishReason;
    },
  ];
  readonly usage: Usage;
}

/** One streamed event's payload. */
export interface ChatCompletionChunk {
  readonly id: string;
  readonly object: "chat.completion.chunk";
  readonly created: number;
  readonly model: string;
  readonly system_fingerprint: string;
  /** One choice, or none in the closing usage chunk. */
  readonly choices: readonly ChunkChoice[];
  /** Present (null until the last chunk) only when the client asked for usage. */
  readonly usage?: Usage | null;
}

export interface ChunkChoice {
  readonly index: 0;
  readonly delta: { readonly role?: "assistant"; readonly content?: string };
  readonly logprobs: null;
  readonly finish_reason: FinishReason | null;
}

/** Everything about one answer, decided before the first byte is sent. */
export interface CompletionPlan {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  /** The reply's tokens, already cut to `max_tokens`. */
  readonly tokens: readonly string[];
  readonly finishReason: FinishReason;
  readonly usage: Usage;
}

const FINGERPRINT = "fp_gatehouse_demo";

/** The model list for the one model the demo serves. */
export function modelList(model: string, created: number): ModelList {
  return { object: "list", data: [modelEntry(model, created)] };
}

/** One model's entry (`GET /v1/models/{id}` answers with it alone). */
export function modelEntry(model: string, created: number): Model {
  return { id: model, object: "model", created, owned_by: "gatehouse-demo" };
}

/** OpenAI's 404 for a model id it does not know. */
export function modelNotFound(model: string): ApiError {
  return {
    status: 404,
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
    param: "model",
    code: "model_not_found",
  };
}

/**
 * Validates a parsed JSON body as a chat-completions request for `model` (the only one
 * served). The first problem found is returned as an OpenAI-style error.
 */
export function parseChatRequest(
  body: unknown,
  model: string,
): { ok: true; request: ChatRequest } | { ok: false; error: ApiError } {
  const error = checkChatRequest(body, model);
  if (error !== null || !isRecord(body)) return { ok: false, error: error ?? notAnObject() };
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? null;
  return {
    ok: true,
    request: {
      model: body.model as string,
      messages: body.messages as DemoMessage[],
      stream: body.stream === true,
      includeUsage: isRecord(body.stream_options) && body.stream_options.include_usage === true,
      maxTokens: maxTokens as number | null,
    },
  };
}

/** The first problem with a request body, or null. */
function checkChatRequest(body: unknown, model: string): ApiError | null {
  if (!isRecord(body)) return notAnObject();
  if (body.model === undefined) return missing("model");
  if (typeof body.model !== "string") return wrongType("model", "a string", body.model);
  if (body.messages === undefined) return missing("messages");
  return (
    checkMessages(body.messages) ??
    checkOptional(body, "stream", "boolean") ??
    checkOptional(body, "stream_options", "object") ??
    checkStreamOptions(body) ??
    checkMaxTokens(body, "max_tokens") ??
    checkMaxTokens(body, "max_completion_tokens") ??
    (body.model === model ? null : modelNotFound(body.model))
  );
}

function checkMessages(messages: unknown): ApiError | null {
  if (!Array.isArray(messages)) return wrongType("messages", "an array", messages);
  if (messages.length === 0) {
    return invalid(
      "messages",
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      "empty_array",
    );
  }
  for (const [i, message] of messages.entries()) {
    const param = `messages[${i}]`;
    if (!isRecord(message)) return wrongType(param, "an object", message);
    if (message.role === undefined) return missing(`${param}.role`);
    if (typeof message.role !== "string" || !ROLES.has(message.role)) {
      const roles = [...ROLES].map((r) => `'${r}'`).join(", ");
      return invalid(
        `${param}.role`,
        `Invalid value: '${String(message.role)}'. Supported values are: ${roles}.`,
        "invalid_value",
      );
    }
    const { content } = message;
    if (
      content !== undefined &&
      content !== null &&
      typeof content !== "string" &&
      !Array.isArray(content)
    ) {
      return wrongType(`${param}.content`, "a string or an array of content parts", content);
    }
  }
  return null;
}

function checkStreamOptions(body: Record<string, unknown>): ApiError | null {
  if (body.stream_options === undefined || body.stream_options === null || body.stream === true)
    return null;
  return invalid(
    "stream_options",
    "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
    "invalid_value",
  );
}

function checkMaxTokens(body: Record<string, unknown>, param: string): ApiError | null {
  const value = body[param];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value))
    return wrongType(param, "an integer", value);
  if (value < 1) {
    return invalid(
      param,
      `Invalid '${param}': integer below minimum value. Expected a value >= 1, but got ${value} instead.`,
      "integer_below_min_value",
    );
  }
  return null;
}

function checkOptional(
  body: Record<string, unknown>,
  param: string,
  kind: "boolean" | "object",
): ApiError | null {
  const value = body[param];
  if (value === undefined || value === null) return null;
  const fits = kind === "object" ? isRecord(value) : typeof value === kind;
  return fits ? null : wrongType(param, kind === "object" ? "an object" : "a boolean", value);
}

/** Decides the whole answer: the reply's tokens, the finish reason and the usage. */
export function planCompletion(request: ChatRequest, id: string, created: number): CompletionPlan {
  const all = tokenize(composeReply(request.messages));
  const cut = request.maxTokens !== null && all.length > request.maxTokens;
  const tokens = cut ? all.slice(0, request.maxTokens ?? 0) : all;
  const prompt = countPromptTokens(request.messages);
  return {
    id,
    created,
    model: request.model,
    tokens,
    finishReason: cut ? "length" : "stop",
    usage: {
      prompt_tokens: prompt,
      completion_tokens: tokens.length,
      total_tokens: prompt + tokens.length,
    },
  };
}

/** The non-streamed answer. */
export function completionBody(plan: CompletionPlan): ChatCompletion {
  return {
    id: plan.id,
    object: "chat.completion",
    created: plan.created,
    model: plan.model,
    system_fingerprint: FINGERPRINT,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: plan.tokens.join(""), refusal: null },
        logprobs: null,
        finish_reason: plan.finishReason,
      },
    ],
    usage: plan.usage,
  };
}

/**
 * The streamed answer's payloads, in order, as OpenAI sends them: the role with empty
 * content, one chunk per token, an empty delta with the finish reason, and, when asked for,
 * a usage chunk with no choices. (`data: [DONE]` is the transport's business.)
 */
export function* completionChunks(
  plan: CompletionPlan,
  includeUsage: boolean,
): Generator<ChatCompletionChunk> {
  const usage = includeUsage ? { usage: null } : {};
  const chunk = (choices: readonly ChunkChoice[]): ChatCompletionChunk => ({
    id: plan.id,
    object: "chat.completion.chunk",
    created: plan.created,
    model: plan.model,
    system_fingerprint: FINGERPRINT,
    choices,
    ...usage,
  });
  const choice = (
    delta: ChunkChoice["delta"],
    finish: FinishReason | null = null,
  ): ChunkChoice => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finish,
  });
  yield chunk([choice({ role: "assistant", content: "" })]);
  for (const token of plan.tokens) yield chunk([choice({ content: token })]);
  yield chunk([choice({}, plan.finishReason)]);
  if (includeUsage) yield { ...chunk([]), usage: plan.usage };
}

function notAnObject(): ApiError {
  return invalid(null, "The request body must be a JSON object.", "invalid_type");
}

function missing(param: string): ApiError {
  return invalid(param, `Missing required parameter: '${param}'.`, "missing_required_parameter");
}

function wrongType(param: string, expected: string, got: unknown): ApiError {
  return invalid(
    param,
    `Invalid type for '${param}': expected ${expected}, but got ${describe(got)} instead.`,
    "invalid_type",
  );
}

function invalid(param: string | null, message: string, code: string): ApiError {
  return { status: 400, message, param, code };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return type === "object" || type === "undefined" ? `an ${type}` : `a ${type}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
