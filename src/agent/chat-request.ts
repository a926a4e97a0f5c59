import type { UIMessage } from "ai";
import { MessageText } from "../lib/agents/schemas.ts";
import type { MessageAuthor } from "./wire.ts";
import { ChatMessageType } from "./wire.ts";

/**
 * Checks the new user message of a chat request frame exactly as the REST turn route checks its body: its text parts
 * must be strings that make a MessageText. Returns the refusal frame to send back, or null for any frame that is
 * not a chat request or whose message is valid.
 */
export function refuseInvalidChatRequest(raw: string | ArrayBuffer): string | null {
  if (typeof raw !== "string") return null;
  let frame: { type?: unknown; id?: unknown; init?: { body?: unknown } };
  try {
    frame = JSON.parse(raw);
  } catch {
    return null;
  }
  if (frame?.type !== ChatMessageType.CF_AGENT_USE_CHAT_REQUEST) return null;
  const refuse = (message: string) =>
    JSON.stringify({ type: ChatMessageType.CF_AGENT_USE_CHAT_RESPONSE, id: frame.id, body: message, done: true, error: true });
  let body: { messages?: unknown; trigger?: unknown };
  try {
    body = typeof frame.init?.body === "string" ? JSON.parse(frame.init.body) : {};
  } catch {
    return refuse("The chat request is not valid JSON");
  }
  if (!Array.isArray(body.messages)) return refuse("The chat request has no messages");
  // A regeneration resends the history without a new message; the history itself was checked when it was sent.
  if (body.trigger === "regenerate-message") return null;
  const last = body.messages.at(-1) as { role?: unknown; parts?: unknown } | undefined;
  if (last?.role !== "user" || !Array.isArray(last.parts)) return refuse("The chat request does not end with a user message");
  const texts = (last.parts as { type?: unknown; text?: unknown }[]).filter((part) => part?.type === "text").map((part) => part.text);
  if (texts.some((text) => typeof text !== "string")) return refuse("text must be a string");
  const checked = MessageText.safeParse((texts as string[]).join(""));
  return checked.success ? null : refuse(checked.error.issues[0]?.message ?? "text is not valid");
}

type FrameMessage = { id?: unknown; role?: unknown; metadata?: unknown };

/**
 * A chat request frame with the author of each user message set by the server, never taken from the client: the
 * new message gets the sender, the ones already stored keep the author stored with them (a client resends the
 * history without authors, or with made-up ones). Any other frame is returned unchanged.
 */
export function stampAuthors(raw: string | ArrayBuffer, sender: MessageAuthor, stored: UIMessage[]): string | ArrayBuffer {
  if (typeof raw !== "string") return raw;
  let frame: { type?: unknown; init?: { body?: unknown } };
  let body: { messages?: unknown; trigger?: unknown };
  try {
    frame = JSON.parse(raw);
    if (frame?.type !== ChatMessageType.CF_AGENT_USE_CHAT_REQUEST || typeof frame.init?.body !== "string") return raw;
    body = JSON.parse(frame.init.body);
  } catch {
    return raw;
  }
  if (!Array.isArray(body.messages)) return raw;
  const storedAuthor = new Map(stored.map((m) => [m.id, (m.metadata as { author?: MessageAuthor } | undefined)?.author]));
  const messages = body.messages as FrameMessage[];
  const newest = body.trigger === "regenerate-message" ? -1 : messages.length - 1;
  body.messages = messages.map((message, i) => {
    if (message?.role !== "user") return message;
    const metadata = message.metadata as { author?: unknown } | undefined;
    const { author: _claimed, ...rest } = metadata ?? {};
    const author = storedAuthor.has(message.id as string)
      ? storedAuthor.get(message.id as string)
      : i === newest
        ? { id: sender.id, name: sender.name }
        : undefined;
    if (author) return { ...message, metadata: { ...rest, author } };
    return metadata && "author" in metadata ? { ...message, metadata: rest } : message;
  });
  return JSON.stringify({ ...frame, init: { ...frame.init, body: JSON.stringify(body) } });
}
