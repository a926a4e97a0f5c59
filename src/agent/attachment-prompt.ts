import type { UIMessage } from "ai";
import { attachmentPathOf, classifyAttachment, formatBytes, INLINE_TEXT_MAX_BYTES } from "../lib/agents/attachments.ts";
import { toBase64 } from "../sandbox/base64.ts";

type Part = UIMessage["parts"][number];

/** Reads a workspace file's bytes, or null when it is not there (any more). */
export type ReadAttachment = (path: string) => Promise<Uint8Array | null>;

export function hasFileParts(messages: UIMessage[]): boolean {
  return messages.some((m) => m.parts.some((p) => p.type === "file"));
}

/** A fence longer than any run of backticks in the text, so an attached file cannot end its own quotation. */
function fenceFor(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(longest + 1);
}

async function modelParts(part: Extract<Part, { type: "file" }>, read: ReadAttachment, vision: boolean): Promise<Part[]> {
  const path = attachmentPathOf(part.url);
  const name = part.filename ?? path?.split("/").pop() ?? "file";
  if (!path) return [{ type: "text", text: `[An attachment "${name}" that is not in the workspace was left out.]` }];
  const bytes = await read(path);
  if (!bytes) return [{ type: "text", text: `[Attached file ${path} is no longer in the workspace.]` }];
  const type = classifyAttachment(name);
  const facts = `${path} (${type?.mediaType ?? "unknown type"}, ${formatBytes(bytes.length)})`;
  if (type?.kind === "text") {
    const text = bytes.length <= INLINE_TEXT_MAX_BYTES ? decodeText(bytes) : null;
    if (text === null) {
      const why = bytes.length > INLINE_TEXT_MAX_BYTES ? `larger than ${formatBytes(INLINE_TEXT_MAX_BYTES)}` : "not UTF-8 text";
      return [{ type: "text", text: `[Attached file ${facts}: ${why}, so it is not shown here; read it from the workspace.]` }];
    }
    const fence = fenceFor(text);
    return [{ type: "text", text: `[Attached file ${facts}]\n${fence}\n${text}\n${fence}` }];
  }
  if (type?.kind === "image" && vision) {
    return [
      { type: "text", text: `[Attached image ${facts}]` },
      { type: "file", mediaType: type.mediaType, filename: name, url: `data:${type.mediaType};base64,${toBase64(bytes)}` },
    ];
  }
  const unseen = type?.kind === "image" ? " This model cannot see images; it is saved in the workspace." : " It is saved in the workspace.";
  return [{ type: "text", text: `[Attached file ${facts}.${unseen}]` }];
}

function decodeText(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The messages as the model should read them: each file part of a user message (a reference to uploads/...) is
 * replaced by what the model can take: a text or code file's contents inline, an image as an image part when the
 * model reads images, otherwise a line with the file's path, type and size. No URL a client wrote reaches the model.
 */
export async function withAttachmentsRead(messages: UIMessage[], read: ReadAttachment, vision: boolean): Promise<UIMessage[]> {
  if (!hasFileParts(messages)) return messages;
  return Promise.all(
    messages.map(async (message) => {
      if (!message.parts.some((p) => p.type === "file")) return message;
      if (message.role !== "user") return { ...message, parts: message.parts.filter((p) => p.type !== "file") };
      const parts = await Promise.all(message.parts.map((p) => (p.type === "file" ? modelParts(p, read, vision) : [p])));
      return { ...message, parts: parts.flat() };
    }),
  );
}
