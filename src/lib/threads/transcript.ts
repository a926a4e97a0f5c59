import type { UIMessage } from "ai";

/** A thread as it is exported or shared: its title and the messages of its active path. */
export interface Transcript {
  title: string;
  messages: UIMessage[];
}

type ToolPartLike = { type: string; toolCallId?: string; input?: unknown; output?: unknown; errorText?: string; state?: string };

const fence = (text: string, lang = "") => {
  // A fence longer than any backtick run inside, so the content cannot close it.
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = "`".repeat(longest + 1);
  return `${ticks}${lang}\n${text}\n${ticks}`;
};

const pretty = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value, null, 2));

function authorOf(message: UIMessage): string {
  if (message.role === "assistant") return "Agent";
  if (message.role === "system") return "System";
  const author = (message.metadata as { author?: { name?: string } } | undefined)?.author?.name;
  return author ? `You (${author})` : "You";
}

/** One message in Markdown: its text as written, reasoning and tool calls as quoted and fenced blocks. */
function messageMarkdown(message: UIMessage): string {
  const blocks: string[] = [`## ${authorOf(message)}`];
  for (const part of message.parts) {
    if (part.type === "text" && part.text.trim()) blocks.push(part.text.trim());
    else if (part.type === "reasoning" && part.text.trim()) blocks.push(part.text.trim().replace(/^/gm, "> "));
    else if (part.type.startsWith("tool-")) {
      const tool = part as ToolPartLike;
      const lines = [`**Tool \`${tool.type.slice("tool-".length)}\`**`];
      if (tool.input !== undefined) lines.push(fence(pretty(tool.input), "json"));
      if (tool.errorText) lines.push(`Error: ${tool.errorText}`);
      else if (tool.output !== undefined) lines.push(fence(pretty(tool.output)));
      blocks.push(lines.join("\n\n"));
    }
  }
  return blocks.join("\n\n");
}

/** The transcript as a Markdown document: a title, then each message under who wrote it. */
export function transcriptMarkdown(transcript: Transcript, exportedAt: Date): string {
  const head = `# ${transcript.title}\n\n_Exported ${exportedAt.toISOString()}_`;
  return `${[head, ...transcript.messages.map(messageMarkdown)].join("\n\n")}\n`;
}

/** The transcript as JSON: the UI messages with their parts (text, reasoning, tool calls, metadata). */
export function transcriptJson(transcript: Transcript & { threadId: string; agentId: string }, exportedAt: Date) {
  return {
    thread: { id: transcript.threadId, agentId: transcript.agentId, title: transcript.title },
    exportedAt: exportedAt.toISOString(),
    messages: transcript.messages,
  };
}

/** A file name for a download: the title's letters and digits, lowercased, with dashes. */
export function transcriptFileName(title: string, extension: "md" | "json"): string {
  const base =
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "thread";
  return `${base}.${extension}`;
}
