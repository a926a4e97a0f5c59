import type { UIMessage } from "ai";
import { describe, expect, it } from "vitest";
import { stampAuthors } from "../../src/agent/chat-request.ts";
import { ChatMessageType } from "../../src/agent/wire.ts";

const ann = { id: "u-ann", name: "Ann" };
const bob = { id: "u-bob", name: "Bob" };

function frame(messages: unknown[], trigger = "submit-message"): string {
  return JSON.stringify({
    type: ChatMessageType.CF_AGENT_USE_CHAT_REQUEST,
    id: "r1",
    init: { method: "POST", body: JSON.stringify({ messages, trigger }) },
  });
}

function messagesOf(raw: string | ArrayBuffer): { id: string; metadata?: { author?: unknown } }[] {
  return JSON.parse(JSON.parse(raw as string).init.body).messages;
}

const user = (id: string, metadata?: unknown) => ({
  id,
  role: "user",
  parts: [{ type: "text", text: id }],
  ...(metadata ? { metadata } : {}),
});

describe("the author of a user message", () => {
  it("is the sender for the new message, whatever the client claims", () => {
    const out = messagesOf(stampAuthors(frame([user("m1", { author: bob })]), ann, []));
    expect(out[0]!.metadata).toEqual({ author: ann });
  });

  it("stays the stored author for messages already in the thread, and is dropped where the client made one up", () => {
    const stored = [{ ...user("m1"), metadata: { author: bob } }, user("m2")] as UIMessage[];
    const out = messagesOf(stampAuthors(frame([user("m1"), user("m2", { author: bob }), user("m3")]), ann, stored));
    expect(out.map((m) => m.metadata)).toEqual([{ author: bob }, {}, { author: ann }]);
  });

  it("is not given to any message on a regeneration, which sends no new message", () => {
    const out = messagesOf(stampAuthors(frame([user("m1")], "regenerate-message"), ann, [user("m1")] as UIMessage[]));
    expect(out[0]!.metadata).toBeUndefined();
  });

  it("leaves frames that are not chat requests as they are", () => {
    const other = JSON.stringify({ type: "cf_agent_state", state: {} });
    expect(stampAuthors(other, ann, [])).toBe(other);
  });
});
