import { PayloadTooLarge, Invalid, AppError } from "../errors.ts";
import { safeNameFrom } from "../text/names.ts";

/** The largest file a message may carry. */
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
/** How many files one message may carry (and one upload request may hold). */
export const ATTACHMENTS_PER_MESSAGE = 5;
/** Text and code files up to this size reach the model inline; larger ones are described and left in the workspace. */
export const INLINE_TEXT_MAX_BYTES = 100 * 1024;
/** Where a thread's attachments are saved in the agent's workspace. */
export const UPLOADS_DIR = "uploads";

/** text: given to the model inline; image: an image part for a vision model; document: stored and described. */
export type AttachmentKind = "text" | "image" | "document";

export class UnsupportedMediaType extends AppError {
  constructor(message: string) {
    super("unsupported_media_type", 415, message);
  }
}

const IMAGE_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};
const DOCUMENT_TYPES: Record<string, string> = { pdf: "application/pdf" };
const TEXT_EXTENSIONS = new Set(
  (
    "txt md markdown rst csv tsv log json jsonl yaml yml toml ini cfg conf env xml html htm css scss sass less svg " +
    "js mjs cjs jsx ts mts cts tsx vue svelte astro py rb php java kt kts scala go rs c h cc cpp hpp cs swift m mm " +
    "sh bash zsh fish ps1 bat sql graphql gql proto lua pl r dart ex exs erl hs clj elm tf hcl gradle make mk " +
    "dockerfile gitignore editorconfig lock patch diff tex"
  ).split(" "),
);
const TEXT_NAMES = new Set(["dockerfile", "makefile", "readme", "license", "procfile", "gemfile", "rakefile"]);

function extensionOf(name: string): string {
  const base = name.toLowerCase();
  const dot = base.lastIndexOf(".");
  return dot >= 0 ? base.slice(dot + 1) : "";
}

/** What kind of attachment a file name is, and the media type it is stored and described with; null if refused. */
export function classifyAttachment(name: string): { kind: AttachmentKind; mediaType: string } | null {
  const extension = extensionOf(name);
  if (IMAGE_TYPES[extension]) return { kind: "image", mediaType: IMAGE_TYPES[extension] };
  if (DOCUMENT_TYPES[extension]) return { kind: "document", mediaType: DOCUMENT_TYPES[extension] };
  // Code files carry no dependable media type from browsers (a .ts file arrives as video/mp2t), so the name decides.
  if (TEXT_EXTENSIONS.has(extension) || TEXT_NAMES.has(name.toLowerCase())) return { kind: "text", mediaType: "text/plain" };
  return null;
}

const SIGNATURES: Record<string, (b: Uint8Array) => boolean> = {
  "image/png": (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47,
  "image/jpeg": (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  "image/gif": (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46,
  "image/webp": (b) => String.fromCharCode(...b.slice(0, 4)) === "RIFF" && String.fromCharCode(...b.slice(8, 12)) === "WEBP",
  "application/pdf": (b) => String.fromCharCode(...b.slice(0, 5)) === "%PDF-",
};

/** A file name safe to save: its last path segment, control characters and direction overrides as spaces, at most 120 characters. */
export function safeFileName(name: string): string {
  const base = safeNameFrom(name.split(/[\\/]/).pop() ?? "")
    .trim()
    .slice(-120);
  if (!base || base === "." || base === ".." || base.startsWith(".")) {
    // A dotfile keeps its name behind a visible prefix, so uploads never hide or overwrite config files.
    if (base && base !== "." && base !== "..") return `file${base}`;
    throw new Invalid("The file has no usable name");
  }
  return base;
}

export interface CheckedAttachment {
  name: string;
  kind: AttachmentKind;
  mediaType: string;
  bytes: Uint8Array;
}

/**
 * Checks one message's files before any is saved: how many, how large, of which type, and that an image or PDF is
 * what its name says. Throws the error to answer (400, 413 or 415); nothing is saved unless all pass.
 */
export function checkAttachments(files: { name: string; bytes: Uint8Array }[]): CheckedAttachment[] {
  if (files.length === 0) throw new Invalid("Attach at least one file (form field `file`)");
  if (files.length > ATTACHMENTS_PER_MESSAGE) {
    throw new AppError("too_many_files", 400, `A message may carry at most ${ATTACHMENTS_PER_MESSAGE} files; ${files.length} were sent`);
  }
  return files.map(({ name, bytes }) => {
    const safe = safeFileName(name);
    if (bytes.length > ATTACHMENT_MAX_BYTES) {
      throw new PayloadTooLarge(`"${safe}" is ${formatBytes(bytes.length)}; a file may be at most ${formatBytes(ATTACHMENT_MAX_BYTES)}`);
    }
    const type = classifyAttachment(safe);
    if (!type) {
      throw new UnsupportedMediaType(`"${safe}" cannot be attached: attach text or code files, images (PNG, JPEG, GIF, WebP) or PDFs`);
    }
    const signature = SIGNATURES[type.mediaType];
    if (signature && !signature(bytes)) throw new UnsupportedMediaType(`"${safe}" is not a valid ${type.mediaType} file`);
    return { name: safe, ...type, bytes };
  });
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The workspace folder of a thread's attachments. */
export function uploadsDir(threadId: string): string {
  return `${UPLOADS_DIR}/${threadId}`;
}

/** The URL a message's file part carries: the agent's files route for that path (so the page can show it). */
export function attachmentUrl(agentId: string, path: string): string {
  return `/api/agent/${encodeURIComponent(agentId)}/files?path=${encodeURIComponent(path)}`;
}

/**
 * The workspace path a file part's URL names, or null when it is not an attachment: only the files route's URL of a
 * path under uploads/ counts, so a message can never make the server fetch a URL or inline data of the client's.
 */
export function attachmentPathOf(url: unknown): string | null {
  if (typeof url !== "string" || !url.startsWith("/api/agent/")) return null;
  let parsed: URL;
  try {
    parsed = new URL(url, "http://attachment.invalid");
  } catch {
    return null;
  }
  if (!/^\/api\/agent\/[^/]+\/files$/.test(parsed.pathname)) return null;
  const path = parsed.searchParams.get("path") ?? "";
  const segments = path.split("/");
  if (segments[0] !== UPLOADS_DIR || segments.length < 3 || segments.some((s) => s === "" || s === "." || s === "..")) return null;
  return path;
}

/** An attachment saved in the workspace, as the upload route answers it. */
export interface SavedAttachment {
  /** Where it is in the agent's workspace: uploads/<threadId>/<name>. */
  path: string;
  name: string;
  mediaType: string;
  kind: AttachmentKind;
  size: number;
  /** What a message's file part carries (and the page shows it from). */
  url: string;
}

/** The file part of a message: as the AI SDK's UIMessage holds it. */
export interface AttachmentPart {
  type: "file";
  mediaType: string;
  filename: string;
  url: string;
}

/** A message's file part for a saved attachment (its media type and name come from the path, never the client). */
export function attachmentPart(agentId: string, path: string): AttachmentPart {
  const filename = path.split("/").pop() ?? path;
  return {
    type: "file",
    mediaType: classifyAttachment(filename)?.mediaType ?? "application/octet-stream",
    filename,
    url: attachmentUrl(agentId, path),
  };
}

/** The file part for an attachment a REST client names by its path, which must be one of this thread's uploads. */
export function threadAttachmentPart(agentId: string, threadId: string, path: string): AttachmentPart {
  const part = attachmentPart(agentId, path);
  if (attachmentPathOf(part.url) !== path || !path.startsWith(`${uploadsDir(threadId)}/`)) {
    throw new Invalid(`"${path}" is not an attachment of this thread (upload it to ${uploadsDir(threadId)}/ first)`);
  }
  return part;
}

/**
 * Why a new message's file parts are refused, or null: at most ATTACHMENTS_PER_MESSAGE, each naming an uploaded
 * attachment (attachmentPathOf).
 */
export function refuseFileParts(parts: { type?: unknown; url?: unknown }[]): string | null {
  const files = parts.filter((p) => p?.type === "file");
  if (files.length > ATTACHMENTS_PER_MESSAGE) return `A message may carry at most ${ATTACHMENTS_PER_MESSAGE} files`;
  if (files.some((f) => attachmentPathOf(f.url) === null)) return "A file part must name an uploaded attachment (uploads/...)";
  return null;
}
