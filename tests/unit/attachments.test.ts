import type { UIMessage } from "ai";
import { describe, expect, it } from "vitest";
import { withAttachmentsRead } from "../../src/agent/attachment-prompt.ts";
import { readChatRequest } from "../../src/agent/chat-request.ts";
import { ChatMessageType } from "../../src/agent/wire.ts";
import { attachmentPart, attachmentPathOf, checkAttachments, safeFileName } from "../../src/lib/agents/attachments.ts";
import { estimateTokens, IMAGE_TOKENS } from "../../src/lib/agents/prompt-size.ts";

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const bytes = (text: string) => new TextEncoder().encode(text);

function chatFrame(parts: unknown[]): string {
  return JSON.stringify({
    type: ChatMessageType.CF_AGENT_USE_CHAT_REQUEST,
    id: "r1",
    init: { method: "POST", body: JSON.stringify({ messages: [{ id: "m1", role: "user", parts }], trigger: "submit-message" }) },
  });
}

describe("checking attachments before they are saved", () => {
  it("accepts code by its name whatever the browser called it, images by their first bytes, and refuses the rest", () => {
    const [code, image] = checkAttachments([
      { name: "app.ts", bytes: bytes("export {}") },
      { name: "pixel.png", bytes: PNG },
    ]);
    expect(code).toMatchObject({ kind: "text", mediaType: "text/plain" });
    expect(image).toMatchObject({ kind: "image", mediaType: "image/png" });
    expect(() => checkAttachments([{ name: "setup.exe", bytes: bytes("MZ") }])).toThrow(/cannot be attached/);
    expect(() => checkAttachments([{ name: "fake.png", bytes: bytes("<svg/>") }])).toThrow(/not a valid image\/png/);
    expect(() => checkAttachments(Array.from({ length: 6 }, (_, i) => ({ name: `${i}.txt`, bytes: bytes("x") })))).toThrow(/at most 5/);
  });

  it("keeps only a file's own name, without control characters, and never a hidden dotfile", () => {
    expect(safeFileName("../../etc/passwd.txt")).toBe("passwd.txt");
    expect(safeFileName("C:\\Users\\me\\notes.md")).toBe("notes.md");
    expect(safeFileName(".env")).toBe("file.env");
    expect(safeFileName("a\u0000b\u202Ec.txt")).toBe("a b c.txt");
    expect(() => safeFileName("..")).toThrow();
  });

  it("reads a file part's URL as an upload only when it names the files route under uploads/", () => {
    const part = attachmentPart("agent1", "uploads/t1/notes (2).md");
    expect(attachmentPathOf(part.url)).toBe("uploads/t1/notes (2).md");
    expect(attachmentPathOf("https://example.com/x.png")).toBeNull();
    expect(attachmentPathOf("data:image/png;base64,AAAA")).toBeNull();
    expect(attachmentPathOf("/api/agent/a/files?path=uploads/t1/../../.env")).toBeNull();
    expect(attachmentPathOf("/api/agent/a/files?path=secrets.txt")).toBeNull();
  });
});

describe("a chat request with attachments", () => {
  const file = (url: string) => ({ type: "file", mediaType: "text/plain", filename: "a.txt", url });
  it("is accepted with files and no words, and refused with a URL that is not an upload or more than 5 files", () => {
    const upload = attachmentPart("a", "uploads/t/a.txt").url;
    expect(readChatRequest(chatFrame([file(upload), { type: "text", text: "" }]))?.refusal).toBeNull();
    expect(readChatRequest(chatFrame([file("http://169.254.169.254/latest"), { type: "text", text: "hi" }]))?.refusal).toContain(
      "uploaded attachment",
    );
    expect(readChatRequest(chatFrame([...Array.from({ length: 6 }, () => file(upload)), { type: "text", text: "hi" }]))?.refusal).toContain(
      "at most 5",
    );
    expect(readChatRequest(chatFrame([{ type: "text", text: " " }]))?.refusal).toContain("must not be empty");
  });
});

describe("attachments as the model reads them", () => {
  const files: Record<string, Uint8Array> = {
    "uploads/t/app.ts": bytes("const a = 1;\n```\n"),
    "uploads/t/big.txt": new Uint8Array(100 * 1024 + 1).fill(97),
    "uploads/t/pixel.png": PNG,
  };
  const read = async (path: string) => files[path] ?? null;
  const message = (paths: string[]): UIMessage => ({
    id: "m",
    role: "user",
    parts: [...paths.map((p) => attachmentPart("a", p)), { type: "text", text: "Look" }],
  });

  it("inlines a small text file in a fence it cannot close, and describes a large one", async () => {
    const [out] = await withAttachmentsRead([message(["uploads/t/app.ts", "uploads/t/big.txt"])], read, false);
    const texts = out!.parts.map((p) => (p.type === "text" ? p.text : p.type));
    expect(texts[0]).toContain("[Attached file uploads/t/app.ts (text/plain, 17 B)]\n````\nconst a = 1;\n```\n\n````");
    expect(texts[1]).toContain("larger than 100.0 KB");
    expect(texts[2]).toBe("Look");
  });

  it("gives an image to a vision model as a data URL file part, and to another model as a description", async () => {
    const [seen] = await withAttachmentsRead([message(["uploads/t/pixel.png"])], read, true);
    expect(seen!.parts[1]).toMatchObject({
      type: "file",
      mediaType: "image/png",
      url: `data:image/png;base64,${Buffer.from(PNG).toString("base64")}`,
    });
    const [described] = await withAttachmentsRead([message(["uploads/t/pixel.png"])], read, false);
    expect(described!.parts.every((p) => p.type === "text")).toBe(true);
    expect((described!.parts[0] as { text: string }).text).toContain("uploads/t/pixel.png (image/png, 11 B). This model cannot see images");
  });

  it("never passes on a URL the client wrote, and says when a file is gone", async () => {
    const forged: UIMessage = {
      id: "m",
      role: "user",
      parts: [{ type: "file", mediaType: "image/png", url: "https://attacker.example/x.png" }, attachmentPart("a", "uploads/t/gone.txt")],
    };
    const [out] = await withAttachmentsRead([forged], read, true);
    expect(out!.parts.map((p) => p.type)).toEqual(["text", "text"]);
    expect(JSON.stringify(out)).not.toContain("attacker.example");
    expect((out!.parts[1] as { text: string }).text).toContain("no longer in the workspace");
  });

  it("counts an image as a fixed number of tokens, not its base64 length", () => {
    const image = `data:image/png;base64,${"A".repeat(300_000)}`;
    expect(estimateTokens({ url: image })).toBeLessThan(IMAGE_TOKENS + 20);
  });
});
