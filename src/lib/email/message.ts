export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

const LINK = /https?:\/\/[^\s"'<>]+/g;

/** Every distinct http(s) link in a message, in order of first appearance (tests follow them from the mailbox). */
export function extractLinks(message: Pick<EmailMessage, "text" | "html">): string[] {
  const found = [...(message.text.match(LINK) ?? []), ...(message.html.match(LINK) ?? [])];
  return [...new Set(found.map((link) => link.replace(/&amp;/g, "&").replace(/[.,;:)]+$/, "")))];
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes user text (names, emails) before it is put into an email's HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}
