"use client";

import { ListChecks, Loader2, MessageSquarePlus, Pencil, Pin, PinOff, Search, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { ConfirmDialog } from "@/components/ui/confirm-dialog.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import { Input } from "@/components/ui/input.tsx";
import { cn } from "@/lib/ui/cn.ts";
import { errorMessage, relativeTime, type ThreadInfo } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";
import { groupThreads } from "./thread-groups.ts";
import { useNewChat } from "./use-new-chat.ts";

/** The agent's conversations: live from the hub, searchable over titles and messages. */
export function ThreadSidebar({ activeThreadId, onNavigate }: { activeThreadId?: string; onNavigate?: () => void }) {
  const { agentId, api, threads } = useAgentWorkspace();
  const router = useRouter();
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<ThreadInfo[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState<string>();
  const { newChat, creating, error: createError } = useNewChat(onNavigate);
  const [pinning, setPinning] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<ThreadInfo | null>(null);
  const [deleting, setDeleting] = useState<ThreadInfo | null>(null);

  useEffect(() => {
    const q = query.trim();
    if (!q) return setResults(null);
    setSearching(true);
    const timer = setTimeout(() => {
      api
        .threads(q)
        .then((found) => {
          setResults(found);
          setError(undefined);
        })
        .catch((e) => setError(errorMessage(e)))
        .finally(() => setSearching(false));
    }, 250);
    return () => clearTimeout(timer);
  }, [api, query]);

  async function togglePin(thread: ThreadInfo) {
    setPinning(thread.id);
    try {
      await api.pinThread(thread.id, !thread.pinned);
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPinning(null);
    }
  }

  // Search results keep their order but take live titles and running flags from the hub.
  const live = new Map((threads ?? []).map((t) => [t.id, t]));
  const shown = results ? results.filter((t) => live.has(t.id) || !threads).map((t) => live.get(t.id) ?? t) : threads;

  function item(thread: ThreadInfo) {
    return (
      <li key={thread.id} className="group relative" data-testid="thread-item" data-pinned={thread.pinned}>
        <Link
          href={`/agents/${agentId}/threads/${thread.id}`}
          onClick={onNavigate}
          aria-current={thread.id === activeThreadId ? "page" : undefined}
          className={cn(
            "flex flex-col rounded-md px-2 py-1.5 pr-20 text-sm hover:bg-accent",
            thread.id === activeThreadId && "bg-accent font-medium",
          )}
        >
          <span className="flex items-center gap-1.5">
            {thread.running && (
              <span className="size-2 shrink-0 animate-pulse rounded-full bg-emerald-500" role="img" aria-label="Running" />
            )}
            {thread.task && <ListChecks className="size-3.5 shrink-0 text-muted-foreground" role="img" aria-label="Task" />}
            <span className="truncate">{thread.title}</span>
          </span>
          <span className="text-xs font-normal text-muted-foreground">
            {thread.task ? "Task · " : ""}
            {relativeTime(thread.updatedAt)}
          </span>
        </Link>
        <div className="absolute right-1 top-1.5 flex opacity-100 lg:opacity-0 lg:group-focus-within:opacity-100 lg:group-hover:opacity-100">
          <Button
            variant="ghost"
            size="icon"
            className="size-7"
            aria-label={`${thread.pinned ? "Unpin" : "Pin"} ${thread.title}`}
            aria-pressed={thread.pinned}
            disabled={pinning === thread.id}
            onClick={() => void togglePin(thread)}
          >
            {thread.pinned ? <PinOff /> : <Pin />}
          </Button>
          <Button variant="ghost" size="icon" className="size-7" aria-label={`Rename ${thread.title}`} onClick={() => setRenaming(thread)}>
            <Pencil />
          </Button>
          <Button variant="ghost" size="icon" className="size-7" aria-label={`Delete ${thread.title}`} onClick={() => setDeleting(thread)}>
            <Trash2 />
          </Button>
        </div>
      </li>
    );
  }

  return (
    <nav className="flex h-full min-h-0 flex-col" aria-label="Chats">
      <div className="space-y-2 p-3">
        <Button className="w-full justify-start" variant="outline" onClick={() => void newChat()} disabled={creating}>
          {creating ? <Loader2 className="animate-spin" /> : <MessageSquarePlus />} New chat
        </Button>
        <div className="relative">
          <Search className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" />
          <Input
            type="search"
            data-shortcut="search-chats"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Search chats"
            aria-label="Search chats"
            className="pl-8"
          />
        </div>
      </div>
      {(error ?? createError) && (
        <Alert variant="destructive" className="mx-3 mb-2">
          {error ?? createError}
        </Alert>
      )}
      <div className="min-h-0 flex-1 overflow-y-auto px-2 pb-3">
        {!shown && (
          <p className="flex items-center gap-2 px-2 text-sm text-muted-foreground" role="status">
            <Loader2 className="size-4 animate-spin" /> Loading chats…
          </p>
        )}
        {searching && <p className="px-2 pb-1 text-xs text-muted-foreground">Searching…</p>}
        {shown?.length === 0 && (
          <p className="px-2 text-sm text-muted-foreground">{results ? "No chats match your search." : "No chats yet."}</p>
        )}
        {results && shown ? (
          <ul className="space-y-0.5" aria-label="Search results">
            {shown.map((thread) => item(thread))}
          </ul>
        ) : (
          groupThreads(shown ?? []).map((group) => (
            <section key={group.label} aria-label={group.label} className="mb-2">
              <h3 className="flex items-center gap-1 px-2 pb-1 pt-2 text-xs font-medium text-muted-foreground">
                {group.label === "Pinned" && <Pin className="size-3" />}
                {group.label}
              </h3>
              <ul className="space-y-0.5" aria-label={group.label === "Pinned" ? "Pinned chats" : `Chats of ${group.label}`}>
                {group.threads.map((thread) => item(thread))}
              </ul>
            </section>
          ))
        )}
      </div>
      {renaming && <RenameThreadDialog thread={renaming} onClose={() => setRenaming(null)} />}
      {deleting && (
        <DeleteThreadDialog
          thread={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setDeleting(null);
            if (deleting.id === activeThreadId) router.push(`/agents/${agentId}`);
          }}
        />
      )}
    </nav>
  );
}

function RenameThreadDialog({ thread, onClose }: { thread: ThreadInfo; onClose: () => void }) {
  const { api } = useAgentWorkspace();
  const [title, setTitle] = useState(thread.title);
  const [error, setError] = useState<string>();
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!title.trim()) return setError("Give the chat a title.");
    try {
      await api.renameThread(thread.id, title.trim());
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    }
  }
  return (
    <Dialog open onClose={onClose} title="Rename chat">
      <form onSubmit={submit} className="space-y-3">
        <Input aria-label="Chat title" value={title} maxLength={80} onChange={(e) => setTitle(e.target.value)} />
        {error && <Alert variant="destructive">{error}</Alert>}
        <div className="flex justify-end gap-2">
          <Button type="button" variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit">Save</Button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteThreadDialog({ thread, onClose, onDeleted }: { thread: ThreadInfo; onClose: () => void; onDeleted: () => void }) {
  const { api } = useAgentWorkspace();
  return (
    <ConfirmDialog
      open
      onClose={onClose}
      title="Delete chat?"
      description={
        <>
          <span className="font-medium text-foreground">{thread.title}</span> and its messages will be deleted. Files in the workspace stay.
        </>
      }
      confirmLabel="Delete chat"
      onConfirm={async () => {
        await api.deleteThread(thread.id);
        onDeleted();
      }}
    />
  );
}
