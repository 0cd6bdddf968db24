// Streams one chat completion with the official `openai` SDK and prints the result as JSON.
// Run by openclaw.test.ts with the Node 24 binary: openai@7 needs Node >= 22, and the copy used
// is the one OpenClaw itself depends on, in .cache/openclaw/node_modules (no devDependency).
//
// Acts like a client behind a CDN: the CDN (a trusted hop for Gatehouse) adds
// X-Forwarded-For with the real client address. Names under example.test resolve to loopback,
// as Chromium's --host-resolver-rules do in the browser suites, so the SDK talks to the real
// public origin name and Gatehouse sees the right Host.
//
//   OPENCLAW_PREFIX=.cache/openclaw BASE_URL=http://gateway.example.test:PORT/v1 \
//   API_KEY=... MODEL=openclaw CLIENT_IP=203.0.113.7 node24 openai-stream.mjs
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const need = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const prefix = need("OPENCLAW_PREFIX");
const require = createRequire(join(prefix, "package.json"));
const load = (name) => import(pathToFileURL(require.resolve(name)).href);
const { default: OpenAI } = await load("openai");
const { Agent, fetch: undiciFetch } = await load("undici");

const dispatcher = new Agent({
  connect: {
    lookup: (hostname, options, callback) => {
      if (!hostname.endsWith(".example.test")) {
        callback(Object.assign(new Error(`no such test name ${hostname}`), { code: "ENOTFOUND" }));
        return;
      }
      if (options?.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
      else callback(null, "127.0.0.1", 4);
    },
  },
});

const client = new OpenAI({
  baseURL: need("BASE_URL"),
  apiKey: need("API_KEY"),
  maxRetries: 0,
  timeout: 120_000,
  defaultHeaders: process.env.CLIENT_IP ? { "X-Forwarded-For": process.env.CLIENT_IP } : {},
  fetch: (url, init) => undiciFetch(url, { ...init, dispatcher }),
});

const started = Date.now();
const out = {
  chunks: 0,
  text: "",
  firstChunkMs: null,
  totalMs: 0,
  finishReason: null,
  error: null,
};
try {
  const stream = await client.chat.completions.create({
    model: need("MODEL"),
    stream: true,
    messages: [
      { role: "user", content: process.env.PROMPT ?? "Say hello through the front door." },
    ],
  });
  for await (const chunk of stream) {
    out.chunks++;
    out.firstChunkMs ??= Date.now() - started;
    const choice = chunk.choices?.[0];
    out.text += choice?.delta?.content ?? "";
    if (choice?.finish_reason) out.finishReason = choice.finish_reason;
  }
} catch (error) {
  out.error = { status: error?.status ?? null, message: String(error?.message ?? error) };
}
out.totalMs = Date.now() - started;
await dispatcher.close();
console.log(JSON.stringify(out));
