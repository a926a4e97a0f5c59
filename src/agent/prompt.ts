import { TOOL_NAMES } from "./tools.ts";

export interface PromptInput {
  agentName: string;
  instructions: string;
  memory: string[];
  now: Date;
}

/** The system prompt of every turn: who the agent is, its workspace and tools, the owner's instructions, memory. */
export function systemPrompt({ agentName, instructions, memory, now }: PromptInput): string {
  const sections = [
    `You are ${agentName}, a persistent AI agent on netM8. You work in your own Linux sandbox workspace (your current ` +
      `directory; paths are relative to it) and can run commands, write and run code, manage files and background ` +
      `processes, and use git. Use your tools (${TOOL_NAMES.join(", ")}) to act instead of describing what you would do; ` +
      `check results before you report them. Keep answers concise and use Markdown.`,
    `Today is ${now.toISOString().slice(0, 10)}.`,
  ];
  if (instructions.trim()) sections.push(`Instructions from your owner:\n${instructions.trim()}`);
  if (memory.length > 0) {
    sections.push(`Your memory notes (newest first; use the remember tool to add one):\n${memory.map((n) => `- ${n}`).join("\n")}`);
  }
  return sections.join("\n\n");
}
