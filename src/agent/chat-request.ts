import type { UIMessage } from "ai";
import { refuseFileParts } from "../lib/agents/attachments.ts";
import { MessageText } from "../lib/agents/schemas.ts";
import type { MessageAuthor } from "./wire.ts";
import { ChatMessageType } from "./wire.ts";

type RequestFrame = { type?: unknown; id?: unknown; init?: { body?: unknown } };
type RequestBody = { messages?: unknown; trigger?: unknown };

/** A chat request frame read once: its parts for the checks and the author stamp, or the refusal to send back. */
export type ChatRequest =
  | { refusal: string; requestId?: undefined }
  | { refusal: null; requestId: string; frame: RequestFrame; body: RequestBody & { messages: unknown[] } };

/**
 * Reads a chat request frame and checks its new user message exactly as the REST turn route checks its body: its
 * text parts must be strings that make a MessageText. Null for any frame that is not a chat request (it goes to the
 * SDK as it is); the history is parsed here once for the check, the author stamp and the SDK.
 */
export function readChatRequest(raw: string | ArrayBuffer): ChatRequest | null {
  if (typeof raw !== "string") return null;
  let frame: RequestFrame;
  try {
    frame = JSON.parse(raw);
  } catch {
    return null;
  }
  if (frame?.type !== ChatMessageType.CF_AGENT_USE_CHAT_REQUEST) return null;
  const refuse = (message: string): ChatRequest => ({
    refusal: JSON.stringify({ type: ChatMessageType.CF_AGENT_USE_CHAT_RESPONSE, id: frame.id, body: message, done: true, error: true }),
  });
  let body: RequestBody;
  try {
    body = typeof frame.init?.body === "string" ? JSON.parse(frame.init.body) : {};
  } catch {
    return refuse("The chat request is not valid JSON");
  }
  if (!Array.isArray(body.messages)) return refuse("The chat request has no messages");
  const accepted: ChatRequest = { refusal: null, requestId: String(frame.id), frame, body: body as RequestBody & { messages: unknown[] } };
  // A regeneration resends the history without a new message; the history itself was checked when it was sent.
  if (body.trigger === "regenerate-message") return accepted;
  const last = body.messages.at(-1) as { role?: unknown; parts?: unknown } | undefined;
  if (last?.role !== "user" || !Array.isArray(last.parts)) return refuse("The chat request does not end with a user message");
  const parts = last.parts as { type?: unknown; text?: unknown; url?: unknown }[];
  const texts = parts.filter((part) => part?.type === "text").map((part) => part.text);
  if (texts.some((text) => typeof text !== "string")) return refuse("text must be a string");
  const fileRefusal = refuseFileParts(parts);
  if (fileRefusal) return refuse(fileRefusal);
  const text = (texts as string[]).join("");
  // A message of attachments alone needs no words.
  if (text.trim() === "" && parts.some((part) => part?.type === "file")) return accepted;
  const checked = MessageText.safeParse(text);
  return checked.success ? accepted : refuse(checked.error.issues[0]?.message ?? "text is not valid");
}

/**
 * Checks the new user message of a chat request frame (readChatRequest). Returns the refusal frame to send back, or
 * null for any frame that is not a chat request or whose message is valid.
 */
export function refuseInvalidChatRequest(raw: string | ArrayBuffer): string | null {
  return readChatRequest(raw)?.refusal ?? null;
}

type FrameMessage = { id?: unknown; role?: unknown; metadata?: unknown };

/**
 * A chat request frame with the author of each user message set by the server, never taken from the client: the
 * new message gets the sender, the ones already stored keep the author stored with them (a client resends the
 * history without authors, or with made-up ones). Any other frame is returned unchanged.
 */
export function stampAuthors(raw: string | ArrayBuffer, sender: MessageAuthor, stored: UIMessage[]): string | ArrayBuffer {
  const request = readChatRequest(raw);
  if (!request || request.refusal !== null) return raw;
  return stampRequestAuthors(request, sender, stored);
}

/** stampAuthors on a frame already read (readChatRequest): the frame as the SDK receives it. */
export function stampRequestAuthors(request: Extract<ChatRequest, { refusal: null }>, sender: MessageAuthor, stored: UIMessage[]): string {
  const { frame, body } = request;
  const storedAuthor = new Map(stored.map((m) => [m.id, (m.metadata as { author?: MessageAuthor } | undefined)?.author]));
  const messages = body.messages as FrameMessage[];
  const newest = body.trigger === "regenerate-message" ? -1 : messages.length - 1;
  const stamped = messages.map((message, i) => {
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
  return JSON.stringify({ ...frame, init: { ...frame.init, body: JSON.stringify({ ...body, messages: stamped }) } });
}
