"use client";

import { useAgentChat } from "@cloudflare/ai-chat/react";
import type { UIMessage } from "ai";
import { useAgent } from "agents/react";
import { ArrowDown, ArrowUp, CreditCard, RotateCcw, Square, WifiOff } from "lucide-react";
import {
  type ClipboardEvent,
  Fragment,
  type KeyboardEvent,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { Button } from "@/components/ui/button.tsx";
import { Textarea } from "@/components/ui/textarea.tsx";
import { useAgentWorkspace, useSocketOpen } from "./agent-context.tsx";
import { AttachButton, PendingAttachments, useComposerAttachments } from "./composer-attachments.tsx";
import { CreditAction, useCreditText } from "./credit-action.tsx";
import { type BranchPoint, errorMessage } from "./agent-api.ts";
import { MessageView, TypingDots } from "./message-view.tsx";
import { ThreadActions } from "./thread-actions.tsx";
import type { ApprovalChoice, ToolPart } from "./tool-card.tsx";
import { OperatorLink } from "./operator-link.tsx";
import { TurnChanges } from "./turn-changes.tsx";
import { byMessage, useCheckpoints } from "./use-checkpoints.ts";
import { useOnline } from "./use-online.ts";
import { dialogOpen, shortcut } from "./shortcuts.ts";
import { starterPrompts } from "@/lib/agents/starter-prompts.ts";

const STICK_THRESHOLD_PX = 80;

/** Keeps a scroller pinned to the bottom while content grows, until the user scrolls up to read. */
function useStickToBottom(deps: unknown[]) {
  const ref = useRef<HTMLDivElement>(null);
  const stuck = useRef(true);
  const [atBottom, setAtBottom] = useState(true);
  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const near = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_THRESHOLD_PX;
    stuck.current = near;
    setAtBottom(near);
  }, []);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stuck.current) el.scrollTop = el.scrollHeight;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  const jump = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    stuck.current = true;
    setAtBottom(true);
    el.scrollTo({ top: el.scrollHeight, behavior: "smooth" });
  }, []);
  return { ref, onScroll, atBottom, jump };
}

/** The stored history holds at least what the page shows, and differs from it: an answer completed elsewhere. */
function isNewerHistory(stored: UIMessage[], shown: UIMessage[]): boolean {
  return stored.length >= shown.length && JSON.stringify(stored) !== JSON.stringify(shown);
}

function isCreditError(text: string | undefined): boolean {
  return Boolean(text && /credit/i.test(text) && /insufficient|out of|not enough|balance/i.test(text));
}

/** The conversation of one thread over its WebSocket: streamed, resumable, stoppable. */
export function ChatPanel({ threadId }: { threadId: string }) {
  const { agent, agentId, api, threads, viewerId } = useAgentWorkspace();
  const socket = useAgent({ agent: "thread", name: `${agentId}-${threadId}`, prefix: "ws" });
  const connected = useSocketOpen(socket);
  const online = useOnline();
  const [wasConnected, setWasConnected] = useState(false);
  useEffect(() => {
    if (connected) setWasConnected(true);
  }, [connected]);
  const chat = useAgentChat({
    agent: socket,
    // The thread's history changes only on the server (turns, branches); the page never writes it back.
    syncMessagesToServer: false,
    getInitialMessages: async () => {
      try {
        return (await api.messages(threadId)) as UIMessage[];
      } catch {
        // The socket sends the history on connect as well; an empty start is only a brief flash.
        return [];
      }
    },
  });
  const { messages, status, error, sendMessage, stop, regenerate, clearError } = chat;
  const hubRunning = threads?.find((t) => t.id === threadId)?.running ?? false;
  const busy = chat.isStreaming || status === "submitted" || chat.isRecovering;
  const [draft, setDraft] = useState("");
  const [stopping, setStopping] = useState(false);
  const scroller = useStickToBottom([messages, busy]);
  // Reloaded as turns start and end: a turn's "after" checkpoint exists once the thread stops running.
  const { checkpoints } = useCheckpoints(threadId, busy || hubRunning);
  const turns = useMemo(() => byMessage(checkpoints), [checkpoints]);
  const composer = useRef<HTMLTextAreaElement>(null);
  const attachments = useComposerAttachments(threadId);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    if (!busy) setStopping(false);
  }, [busy]);

  // An answer that finished while the connection was down is not streamed again on reconnect (there is no stream
  // left to resume), so the page would keep the part it saw. Once reconnected and idle, the stored history wins.
  const lostConnection = useRef(false);
  useEffect(() => {
    if (wasConnected && !connected) lostConnection.current = true;
  }, [wasConnected, connected]);
  // Refs, so that a re-render while the history loads (the chat's status settling) does not drop its result.
  const shownThread = useRef(threadId);
  shownThread.current = threadId;
  const setMessages = useRef(chat.setMessages);
  setMessages.current = chat.setMessages;
  useEffect(() => {
    if (!connected || busy || !lostConnection.current) return;
    lostConnection.current = false;
    const forThread = threadId;
    api
      .messages(forThread)
      .then((stored) => {
        if (shownThread.current !== forThread) return;
        setMessages.current((shown) => (isNewerHistory(stored as UIMessage[], shown) ? (stored as UIMessage[]) : shown));
      })
      .catch(() => {});
  }, [connected, busy, api, threadId]);
  useEffect(() => composer.current?.focus(), [threadId]);

  // Allow once and Deny go over the socket as the SDK's approval response; Always allow also changes the agent's
  // policy, so it goes through the REST route, which checks the team's floor and the caller's permission.
  const addApproval = useRef(chat.addToolApprovalResponse);
  addApproval.current = chat.addToolApprovalResponse;
  const [approvalError, setApprovalError] = useState<string>();
  const decide = useCallback(
    (part: ToolPart, choice: ApprovalChoice) => {
      setApprovalError(undefined);
      if (choice === "always") {
        api
          .decideApproval(threadId, { toolCallId: part.toolCallId, approved: true, always: true })
          .catch((e: unknown) => setApprovalError(errorMessage(e)));
        return;
      }
      void addApproval.current({ id: part.approval?.id ?? part.toolCallId, approved: choice === "once" });
    },
    [api, threadId],
  );

  // Branches: "< i/n >" on the message that starts each fork's active version; edits and regenerations go through
  // the REST routes (the turn streams to this socket like any other) and switching answers the new active path.
  const [branches, setBranches] = useState<BranchPoint[]>([]);
  const [branchError, setBranchError] = useState<string>();
  const messageIds = messages.map((m) => m.id).join(",");
  useEffect(() => {
    if (busy || !messageIds) return;
    const forThread = threadId;
    api
      .history(forThread)
      .then((h) => {
        if (shownThread.current === forThread) setBranches(h.branches);
      })
      .catch(() => {});
  }, [api, threadId, busy, messageIds]);
  const branchAt = useMemo(() => new Map(branches.map((b) => [b.messageId, b])), [branches]);
  // The server's history after a branch change is the truth: the page shows it.
  const showHistory = useCallback(
    async (forThread: string, history?: { messages: unknown[]; branches: BranchPoint[] }) => {
      const current = history ?? (await api.history(forThread));
      if (shownThread.current !== forThread) return;
      setMessages.current(current.messages as UIMessage[]);
      setBranches(current.branches);
    },
    [api],
  );
  const branchAction = useCallback(
    (action: () => Promise<unknown>, keep?: (shown: UIMessage[]) => UIMessage[]) => {
      setBranchError(undefined);
      clearError();
      const forThread = threadId;
      // Edit and regenerate: the page drops what is being replaced at once; the new version streams in after it.
      if (keep) setMessages.current(keep);
      action()
        .catch((e: unknown) => setBranchError(errorMessage(e)))
        .finally(() => void showHistory(forThread).catch(() => {}));
    },
    [clearError, threadId, showHistory],
  );
  const switchBranch = useCallback(
    (parentId: string | null, index: number) =>
      branchAction(async () => {
        await api.switchBranch(threadId, parentId, index);
      }),
    [api, threadId, branchAction],
  );
  const editMessage = useCallback(
    (messageId: string, text: string) =>
      branchAction(
        () => api.editMessage(threadId, messageId, text),
        (shown) =>
          shown.slice(
            0,
            Math.max(
              0,
              shown.findIndex((m) => m.id === messageId),
            ),
          ),
      ),
    [api, threadId, branchAction],
  );
  const regenerateAnswer = useCallback(
    (messageId: string) =>
      branchAction(
        () => api.regenerate(threadId, messageId),
        (shown) => {
          const at = shown.findIndex((m) => m.id === messageId);
          const asked = shown.slice(0, at).findLastIndex((m) => m.role === "user");
          return at < 0 ? shown : shown.slice(0, asked + 1);
        },
      ),
    [api, threadId, branchAction],
  );
  const historyLocked = busy || hubRunning || !connected;

  function send(text = draft.trim()) {
    // Until the socket is open a send could be lost, so the draft waits in the composer; so it does while files upload.
    if ((!text && !attachments.ready) || busy || !connected || attachments.uploading) {
      if (text) setDraft(text);
      return;
    }
    clearError();
    setDraft("");
    scroller.jump();
    const files = attachments.take();
    void sendMessage(files.length > 0 ? { text, files } : { text });
  }

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    attachments.add(files);
  }

  // Escape stops the answer; Shift+Escape puts the cursor in the message box (./shortcuts.ts).
  const stopRef = useRef<() => void>(() => {});
  stopRef.current = () => {
    if (busy && !stopping) void stopTurn();
  };
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.defaultPrevented || dialogOpen()) return;
      if (shortcut("focusComposer").matches(event)) {
        event.preventDefault();
        composer.current?.focus();
      } else if (shortcut("stop").matches(event)) {
        stopRef.current();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  }

  async function stopTurn() {
    setStopping(true);
    void stop();
    // A turn started from another tab or resumed after a reload is stopped on the server too.
    await api.stop(threadId).catch(() => {});
  }

  const last = messages.at(-1);
  const streamingId = busy && last?.role === "assistant" ? last.id : undefined;
  const creditError = isCreditError(error?.message);
  const creditText = useCreditText(error?.message ?? "");
  const errorText = creditError ? creditText : error?.message;

  return (
    <div className="relative flex min-h-0 flex-1 flex-col">
      {(!online || (wasConnected && !connected)) && (
        <div
          role="status"
          className="flex items-center justify-center gap-2 border-b bg-amber-500/10 px-3 py-1.5 text-xs text-amber-800 dark:text-amber-300"
        >
          <WifiOff className="size-3.5" />
          {online
            ? "Reconnecting… the answer continues where it left off."
            : "You are offline. Messages will resume when the connection returns."}
        </div>
      )}
      <ThreadActions threadId={threadId} empty={messages.length === 0} />
      <div ref={scroller.ref} onScroll={scroller.onScroll} className="min-h-0 flex-1 overflow-y-auto" data-testid="chat-scroller">
        <div className="mx-auto flex max-w-3xl flex-col gap-5 px-4 py-6">
          {messages.length === 0 && !busy && (
            <div className="py-16 text-center">
              <p className="text-lg font-medium">What should we build?</p>
              <p className="mt-1 text-sm text-muted-foreground">
                The agent can write files, run commands and start servers in its workspace.
              </p>
              {agent && (
                <ul className="mx-auto mt-6 grid max-w-xl gap-2 sm:grid-cols-3" aria-label="Starter prompts">
                  {starterPrompts(agent.preset).map((prompt) => (
                    <li key={prompt}>
                      <Button
                        type="button"
                        variant="outline"
                        className="h-full w-full whitespace-normal px-3 py-2 text-left text-sm font-normal"
                        onClick={() => send(prompt)}
                      >
                        {prompt}
                      </Button>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {messages.map((message, i) => {
            // Under the last answer of a turn that changed files: its diff and "Restore to here".
            const turnEnd = message.role === "assistant" && messages[i + 1]?.role !== "assistant" && message.id !== streamingId;
            const userId = turnEnd ? messages.slice(0, i).findLast((m) => m.role === "user")?.id : undefined;
            const turn = userId ? turns.get(userId) : undefined;
            return (
              <Fragment key={message.id}>
                <MessageView
                  message={message}
                  branch={branchAt.get(message.id)}
                  historyLocked={historyLocked}
                  onSwitchBranch={switchBranch}
                  onEdit={message.role === "user" ? editMessage : undefined}
                  onRegenerate={turnEnd ? regenerateAnswer : undefined}
                  viewerId={viewerId}
                  streaming={message.id === streamingId}
                  onRetry={message.id === last?.id ? () => void regenerate() : undefined}
                  onDecide={decide}
                />
                {turn && <TurnChanges turn={turn} />}
              </Fragment>
            );
          })}
          {busy && last?.role === "user" && <TypingDots />}
          {!busy && hubRunning && last?.role === "user" && <TypingDots />}
          {branchError && (
            <div role="alert" className="rounded-lg border border-destructive/50 px-3 py-2 text-sm text-destructive">
              {branchError}
            </div>
          )}
          {approvalError && (
            <div role="alert" className="rounded-lg border border-destructive/50 px-3 py-2 text-sm text-destructive">
              {approvalError}
            </div>
          )}
          {error && !busy && (
            <div
              role="alert"
              className="flex flex-wrap items-center gap-3 rounded-lg border border-destructive/50 px-3 py-2 text-sm text-destructive"
            >
              {creditError && <CreditCard className="size-4" />}
              <span className="grid min-w-0 flex-1 gap-1 break-words">
                {errorText || "The turn failed."}
                <OperatorLink text={errorText} />
              </span>
              {creditError ? (
                <CreditAction />
              ) : (
                <Button
                  variant="outline"
                  size="sm"
                  onClick={() => {
                    clearError();
                    void regenerate();
                  }}
                >
                  <RotateCcw /> Retry
                </Button>
              )}
            </div>
          )}
        </div>
      </div>
      {!scroller.atBottom && (
        <Button
          variant="outline"
          size="sm"
          className="absolute bottom-28 left-1/2 -translate-x-1/2 rounded-full shadow"
          onClick={scroller.jump}
        >
          <ArrowDown /> Latest
        </Button>
      )}
      <form
        className="border-t bg-background px-3 pb-3 pt-2"
        data-connected={connected}
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
        onDragOver={(e) => {
          if (!e.dataTransfer.types.includes("Files")) return;
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          setDragging(false);
          if (e.dataTransfer.files.length === 0) return;
          e.preventDefault();
          attachments.add([...e.dataTransfer.files]);
        }}
      >
        <PendingAttachments attachments={attachments} />
        <div
          className={`mx-auto flex max-w-3xl items-end gap-2 rounded-2xl border bg-card p-2 shadow-sm focus-within:ring-2 focus-within:ring-ring ${dragging ? "ring-2 ring-primary" : ""}`}
          data-dragging={dragging || undefined}
        >
          <AttachButton attachments={attachments} disabled={busy} />
          <Textarea
            ref={composer}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKeyDown}
            onPaste={onPaste}
            rows={1}
            placeholder={connected ? "Message the agent…" : "Connecting to the agent…"}
            aria-label="Message"
            title="Enter sends, Shift+Enter starts a new line"
            className="max-h-48 min-h-10 flex-1 resize-none border-0 bg-transparent shadow-none focus-visible:ring-0"
            style={{ fieldSizing: "content" } as React.CSSProperties}
          />
          {busy ? (
            <Button
              type="button"
              size="icon"
              variant="secondary"
              className="shrink-0 rounded-full"
              aria-label="Stop"
              onClick={() => void stopTurn()}
              disabled={stopping}
            >
              <Square className="fill-current" />
            </Button>
          ) : (
            <Button
              type="submit"
              size="icon"
              className="shrink-0 rounded-full"
              aria-label="Send"
              disabled={(!draft.trim() && !attachments.ready) || !connected || attachments.uploading}
            >
              <ArrowUp />
            </Button>
          )}
        </div>
      </form>
    </div>
  );
}
