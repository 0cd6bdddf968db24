/** The demo model's reply: deterministic text, and word-ish tokens that add up to it. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { composeReply, lastUserQuestion, messageText, tokenize } from "../../src/demo/reply.js";

test("tokens join back to the exact text, each carrying the whitespace before its word", () => {
  assert.deepEqual(tokenize("Hello  from\nthe gate "), ["Hello", "  from", "\nthe", " gate", " "]);
  assert.deepEqual(tokenize(""), []);
  fc.assert(
    fc.property(fc.string({ unit: "grapheme" }), (text) => {
      assert.equal(tokenize(text).join(""), text);
    }),
  );
});

test("the reply quotes the last user message and is the same every time", () => {
  const messages = [
    { role: "system", content: "Be brief." },
    { role: "user", content: "first" },
    { role: "assistant", content: "ok" },
    {
      role: "user",
      content: [
        { type: "text", text: "What is" },
        { type: "image_url" },
        { type: "text", text: "  this?" },
      ],
    },
  ];
  const reply = composeReply(messages);
  assert.ok(
    reply.startsWith("Hello from the Gatehouse demo model! You asked: “What is this?”."),
    reply,
  );
  assert.equal(composeReply(messages), reply);
  assert.ok(
    composeReply([{ role: "system", content: "x" }]).includes("You have not asked anything yet"),
  );
});

test("a long question is quoted cut short, never inside a character", () => {
  const question = `${"a".repeat(158)}🚪🚪🚪`;
  const quoted = /“(.*)”/u.exec(composeReply([{ role: "user", content: question }]))?.[1];
  assert.equal(quoted, `${"a".repeat(158)}🚪…`);
});

test("message text: strings, text parts, nothing else", () => {
  assert.equal(messageText({ role: "user", content: null }), "");
  assert.equal(messageText({ role: "user", content: 7 }), "");
  assert.equal(lastUserQuestion([{ role: "user", content: "  spaced \n out " }]), "spaced out");
});
