"use client";

import type { FileUIPart, UIMessage } from "ai";
import { Brain, ChevronLeft, ChevronRight, CreditCard, Gauge, Pencil, RefreshCw, Repeat, RotateCcw, Square } from "lucide-react";
import { memo, useState } from "react";
import type { BranchPoint } from "@/agent/thread-branches.ts";
import type { TurnMetadata, UserMessageMetadata } from "@/agent/wire.ts";
import { Button } from "@/components/ui/button.tsx";
import { Textarea } from "@/components/ui/textarea.tsx";
import { cn } from "@/lib/ui/cn.ts";
import { formatCredits } from "./agent-api.ts";
import { AttachmentChips } from "./composer-attachments.tsx";
import { CreditAction, CreditText } from "./credit-action.tsx";
import { OperatorLink } from "./operator-link.tsx";
import { CopyButton, Markdown } from "./markdown.tsx";
import { type ApprovalChoice, ToolCard, type ToolPart } from "./tool-card.tsx";

export function messageText(message: UIMessage): string {
  return message.parts.map((p) => (p.type === "text" ? p.text : "")).join("");
}

function Reasoning({ text, streaming }: { text: string; streaming: boolean }) {
  return (
    <details className="group my-2 rounded-lg border border-dashed px-3 py-1.5 text-sm text-muted-foreground">
      <summary className="flex cursor-pointer list-none items-center gap-1.5 select-none">
        <ChevronRight className="size-4 transition-transform group-open:rotate-90" />
        <Brain className="size-3.5" />
        {streaming ? "Thinking…" : "Reasoning"}
      </summary>
      <p className="mt-1 whitespace-pre-wrap pb-1 text-[13px]">{text}</p>
    </details>
  );
}

const smallAction =
  "inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs text-muted-foreground hover:bg-accent hover:text-foreground disabled:pointer-events-none disabled:opacity-50";

/** "< 2/3 >": the versions of the conversation from this message on (edits and regenerations). */
function BranchNav({
  branch,
  disabled,
  onSwitch,
}: {
  branch: BranchPoint;
  disabled: boolean;
  onSwitch: (parentId: string | null, index: number) => void;
}) {
  return (
    <span className="inline-flex items-center text-xs text-muted-foreground" role="group" aria-label="Versions">
      <button
        type="button"
        className={smallAction}
        aria-label="Previous version"
        disabled={disabled || branch.index <= 1}
        onClick={() => onSwitch(branch.parentId, branch.index - 1)}
      >
        <ChevronLeft className="size-3.5" />
      </button>
      <span data-testid="branch-position" title={`Version ${branch.index} of ${branch.count}`}>
        {branch.index}/{branch.count}
      </span>
      <button
        type="button"
        className={smallAction}
        aria-label="Next version"
        disabled={disabled || branch.index >= branch.count}
        onClick={() => onSwitch(branch.parentId, branch.index + 1)}
      >
        <ChevronRight className="size-3.5" />
      </button>
    </span>
  );
}

/** A sent message being edited in place: sending it starts a new version from here, the old one stays. */
function EditBox({ initial, onSave, onCancel }: { initial: string; onSave: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState(initial);
  return (
    <form
      className="flex w-full max-w-[85%] flex-col gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) onSave(text.trim());
      }}
    >
      <Textarea value={text} onChange={(e) => setText(e.target.value)} aria-label="Edit message" rows={3} autoFocus />
      <div className="flex justify-end gap-2">
        <Button type="button" variant="ghost" size="sm" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" size="sm" disabled={!text.trim() || text.trim() === initial.trim()}>
          Send edit
        </Button>
      </div>
    </form>
  );
}

/** What a message offers for branching: its fork's "< i/n >", editing a sent message, regenerating an answer. */
export interface BranchControls {
  branch?: BranchPoint;
  /** A turn runs: the history must not change under it. */
  disabled: boolean;
  onSwitch: (parentId: string | null, index: number) => void;
  onEdit?: (messageId: string, text: string) => void;
  onRegenerate?: (messageId: string) => void;
}

function TurnFooter({ metadata, text, children }: { metadata: TurnMetadata | undefined; text: string; children?: React.ReactNode }) {
  const usage = metadata?.usage;
  return (
    <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted-foreground">
      {children}
      {metadata?.stopped && (
        <span className="inline-flex items-center gap-1 font-medium text-foreground" data-testid="turn-stopped">
          <Square className="size-3 fill-current" />
          Stopped
        </span>
      )}
      {metadata?.loop && (
        <span
          className="inline-flex items-center gap-1 font-medium text-amber-700 dark:text-amber-400"
          data-testid="turn-loop"
          title={metadata.loop.what}
        >
          <Repeat className="size-3" />
          Paused: repeated {metadata.loop.repeats}× · {formatCredits(metadata.loop.refundedCredits)} credits refunded
        </span>
      )}
      {metadata?.turnCap && (
        <span className="inline-flex items-center gap-1 font-medium text-amber-700 dark:text-amber-400" data-testid="turn-cap">
          <Gauge className="size-3" />
          Stopped at the cap of {formatCredits(metadata.turnCap.credits)} credits per turn
        </span>
      )}
      {metadata?.credits !== undefined && (
        <span
          data-testid="turn-cost"
          title={usage ? `${usage.inputTokens.toLocaleString()} input and ${usage.outputTokens.toLocaleString()} output tokens` : undefined}
        >
          {formatCredits(metadata.credits)} credits
        </span>
      )}
      {usage && (
        <span>
          {usage.inputTokens.toLocaleString()} in · {usage.outputTokens.toLocaleString()} out
        </span>
      )}
      {text && <CopyButton text={text} label="Copy answer" />}
    </div>
  );
}

/** One message: the user's as plain text, the agent's as Markdown with reasoning, tool cards and its cost. */
export const MessageView = memo(function MessageView({
  message,
  streaming,
  onRetry,
  viewerId,
  onDecide,
  branch,
  historyLocked = false,
  onSwitchBranch,
  onEdit,
  onRegenerate,
}: {
  /** The fork whose active version starts here ("< i/n >"). */
  branch?: BranchPoint;
  /** A turn runs: the history must not change under it. */
  historyLocked?: boolean;
  onSwitchBranch?: BranchControls["onSwitch"];
  /** Offered on user messages: edit and send again (a new branch). */
  onEdit?: BranchControls["onEdit"];
  /** Offered on a turn's answer: answer the same message again (a new branch). */
  onRegenerate?: BranchControls["onRegenerate"];
  message: UIMessage;
  streaming: boolean;
  onRetry?: () => void;
  /** Answers a tool call waiting for approval (the card's Allow once / Always allow / Deny). */
  onDecide?: (part: ToolPart, choice: ApprovalChoice) => void;
  /** The signed-in user: a message someone else sent (in a team's shared thread) shows its author's name. */
  viewerId?: string;
}) {
  const branching: BranchControls | undefined = onSwitchBranch
    ? { branch, disabled: historyLocked, onSwitch: onSwitchBranch, onEdit, onRegenerate }
    : undefined;
  if (message.role === "user") {
    const author = (message.metadata as UserMessageMetadata | undefined)?.author;
    const someoneElse = author && viewerId && author.id !== viewerId ? author : undefined;
    return <UserMessage message={message} author={someoneElse?.name} branching={branching} />;
  }
  const metadata = message.metadata as TurnMetadata | undefined;
  const text = messageText(message);
  return (
    <div className="min-w-0" data-role="assistant" data-testid="assistant-message" data-streaming={streaming || undefined}>
      {message.parts.map((part, i) => {
        // A message's parts never reorder or disappear while it is shown, so their position is their identity.
        if (part.type === "text") {
          if (metadata?.error) return null;
          // biome-ignore lint/suspicious/noArrayIndexKey: parts have no id and keep their position
          return <Markdown key={i} text={part.text} />;
        }
        // biome-ignore lint/suspicious/noArrayIndexKey: parts have no id and keep their position
        if (part.type === "reasoning") return <Reasoning key={i} text={part.text} streaming={streaming && part.state === "streaming"} />;
        if (part.type.startsWith("tool-") || part.type === "dynamic-tool") {
          const tool = part as ToolPart;
          const decision = metadata?.approvals?.findLast((d) => d.toolCallId === tool.toolCallId);
          return <ToolCard key={tool.toolCallId ?? i} part={tool} decision={decision} onDecide={onDecide} />;
        }
        return null;
      })}
      {metadata?.error === "insufficient_credits" && (
        <div
          role="alert"
          className="my-2 flex flex-wrap items-center gap-3 rounded-lg border border-amber-500/50 bg-amber-500/5 px-3 py-2 text-sm"
        >
          <CreditCard className="size-4 shrink-0 text-amber-600" />
          <span className="min-w-0 flex-1">
            <CreditText text={text || "You are out of credits."} />
          </span>
          <CreditAction />
        </div>
      )}
      {metadata?.error === "unavailable" && (
        <div role="alert" className="my-2 grid gap-1 rounded-lg border border-destructive/50 px-3 py-2 text-sm text-destructive">
          {text}
          <OperatorLink text={text} />
        </div>
      )}
      {streaming && !text && message.parts.length === 0 && <TypingDots />}
      {!streaming && !metadata?.error && (
        <TurnFooter metadata={metadata} text={text}>
          {branching?.branch && <BranchNav branch={branching.branch} disabled={branching.disabled} onSwitch={branching.onSwitch} />}
          {branching?.onRegenerate && (
            <button
              type="button"
              className={smallAction}
              disabled={branching.disabled}
              onClick={() => branching.onRegenerate?.(message.id)}
            >
              <RefreshCw className="size-3" /> Regenerate
            </button>
          )}
        </TurnFooter>
      )}
      {!streaming && metadata?.error && branching?.branch && (
        <BranchNav branch={branching.branch} disabled={branching.disabled} onSwitch={branching.onSwitch} />
      )}
      {!streaming && (metadata?.interrupted || metadata?.error === "unavailable") && onRetry && (
        <Button variant="outline" size="sm" className="mt-2" onClick={onRetry}>
          <RotateCcw /> Retry
        </Button>
      )}
    </div>
  );
});

function UserMessage({ message, author, branching }: { message: UIMessage; author?: string; branching?: BranchControls }) {
  const [editing, setEditing] = useState(false);
  const text = messageText(message);
  return (
    <div className="group/user flex flex-col items-end" data-role="user">
      {author && (
        <span className="mb-0.5 px-1 text-xs text-muted-foreground" data-testid="message-author">
          {author}
        </span>
      )}
      <AttachmentChips parts={message.parts.filter((p): p is FileUIPart => p.type === "file")} />
      {editing && branching?.onEdit ? (
        <EditBox
          initial={text}
          onCancel={() => setEditing(false)}
          onSave={(next) => {
            setEditing(false);
            branching.onEdit?.(message.id, next);
          }}
        />
      ) : (
        (text || !message.parts.some((p) => p.type === "file")) && (
          <div
            className="max-w-[85%] whitespace-pre-wrap break-words rounded-2xl bg-primary/10 px-4 py-2 text-[15px]"
            data-testid="user-message"
          >
            {text}
          </div>
        )
      )}
      {!editing && (branching?.branch || branching?.onEdit) && (
        <div className="mt-0.5 flex items-center gap-1">
          {branching.branch && <BranchNav branch={branching.branch} disabled={branching.disabled} onSwitch={branching.onSwitch} />}
          {branching.onEdit && (
            <button
              type="button"
              className={smallAction}
              aria-label="Edit message"
              disabled={branching.disabled}
              onClick={() => setEditing(true)}
            >
              <Pencil className="size-3" /> Edit
            </button>
          )}
        </div>
      )}
    </div>
  );
}

export function TypingDots({ className }: { className?: string }) {
  return (
    <span className={cn("inline-flex items-center gap-1 py-2", className)} role="status" aria-label="The agent is working">
      {[0, 1, 2].map((i) => (
        <span key={i} className="size-1.5 animate-bounce rounded-full bg-muted-foreground/70" style={{ animationDelay: `${i * 120}ms` }} />
      ))}
    </span>
  );
}
