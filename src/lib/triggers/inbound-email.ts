import PostalMime from "postal-mime";
import { Invalid, PayloadTooLarge } from "../errors.ts";

/** The largest inbound message accepted (headers, body and attachments as sent). */
export const MAX_INBOUND_EMAIL_BYTES = 256 * 1024;
/** How much of a message's text becomes the task's goal. */
const MAX_GOAL_BODY_CHARS = 16_000;

export interface InboundEmail {
  /** The sender's address, lowercased. */
  from: string;
  /** The To and Cc addresses, lowercased (the development route finds the agent among them). */
  to: string[];
  subject: string;
  /** Message-ID, or a digest of the raw message when it has none: what makes a redelivery the same message. */
  messageId: string;
  text: string;
}

async function digest(raw: Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", raw));
  return `sha256:${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Parses a raw RFC 822 message (Cloudflare Email Routing's `message.raw`, or the development route's body). */
export async function parseInboundEmail(raw: Uint8Array<ArrayBuffer>): Promise<InboundEmail> {
  if (raw.byteLength > MAX_INBOUND_EMAIL_BYTES) {
    throw new PayloadTooLarge(`The message is larger than ${MAX_INBOUND_EMAIL_BYTES / 1024} KiB`);
  }
  const parsed = await PostalMime.parse(raw).catch(() => {
    throw new Invalid("The message is not a valid RFC 822 email");
  });
  const from = parsed.from?.address?.trim().toLowerCase();
  if (!from) throw new Invalid("The message has no From address");
  const text = (parsed.text ?? "").trim();
  const subject = (parsed.subject ?? "").trim();
  if (!text && !subject) throw new Invalid("The message has neither a subject nor a text body");
  const to = [...(parsed.to ?? []), ...(parsed.cc ?? [])]
    .flatMap((entry) => ("group" in entry && entry.group ? entry.group : [entry]))
    .map((entry) => (entry as { address?: string }).address?.trim().toLowerCase() ?? "")
    .filter(Boolean);
  return { from, to, subject, messageId: parsed.messageId?.trim() || (await digest(raw)), text };
}

/** The goal of the task an email starts: its subject and text, bounded. */
export function emailGoal(email: InboundEmail): string {
  const body = email.text.length > MAX_GOAL_BODY_CHARS ? `${email.text.slice(0, MAX_GOAL_BODY_CHARS)}…` : email.text;
  return `An email from ${email.from} asks:\n\nSubject: ${email.subject || "(no subject)"}\n\n${body}`.trim();
}

export function replySubject(subject: string): string {
  const base = subject || "Your task";
  return /^re:/i.test(base) ? base : `Re: ${base}`;
}
