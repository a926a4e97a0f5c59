"use client";

import type { UIMessage } from "ai";
import { Wrench } from "lucide-react";
import { Markdown } from "@/components/AgentChat/markdown.tsx";

type ToolPartLike = { type: string; toolCallId?: string; input?: unknown; output?: unknown; errorText?: string };

const pretty = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value, null, 2));

/** A shared snapshot's messages, read-only: no workspace, no actions, just what was said and which tools ran. */
export function SharedThread({ messages }: { messages: UIMessage[] }) {
  return (
    <ol className="mt-6 flex flex-col gap-5" aria-label="Messages">
      {messages.map((message) =>
        message.role === "user" ? (
          <li key={message.id} className="flex justify-end" data-role="user">
            <div
              className="max-w-[85%] whitespace-pre-wrap break-words rounded-2xl bg-primary/10 px-4 py-2 text-[15px]"
              data-testid="user-message"
            >
              {message.parts.map((p) => (p.type === "text" ? p.text : "")).join("")}
            </div>
          </li>
        ) : (
          <li key={message.id} className="min-w-0" data-role="assistant" data-testid="assistant-message">
            {message.parts.map((part, i) => {
              // biome-ignore lint/suspicious/noArrayIndexKey: parts have no id and keep their position
              if (part.type === "text") return <Markdown key={i} text={part.text} />;
              if (!part.type.startsWith("tool-")) return null;
              const tool = part as ToolPartLike;
              return (
                <details key={tool.toolCallId ?? i} className="my-2 rounded-lg border px-3 py-1.5 text-sm">
                  <summary className="flex cursor-pointer items-center gap-1.5 text-muted-foreground">
                    <Wrench className="size-3.5" /> {tool.type.slice("tool-".length)}
                  </summary>
                  <pre className="mt-1 overflow-x-auto whitespace-pre-wrap text-xs">{pretty(tool.input)}</pre>
                  {(tool.errorText ?? tool.output) !== undefined && (
                    <pre className="mt-1 overflow-x-auto whitespace-pre-wrap border-t pt-1 text-xs">
                      {pretty(tool.errorText ?? tool.output)}
                    </pre>
                  )}
                </details>
              );
            })}
          </li>
        ),
      )}
    </ol>
  );
}
