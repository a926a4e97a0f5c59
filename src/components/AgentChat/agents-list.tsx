"use client";

import { Bot, Loader2, MoreHorizontal, Pencil, Plus, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Badge } from "@/components/ui/badge.tsx";
import { Button } from "@/components/ui/button.tsx";
import { ConfirmDialog } from "@/components/ui/confirm-dialog.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import { Input } from "@/components/ui/input.tsx";
import { Label } from "@/components/ui/label.tsx";
import { agentApi, errorMessage, relativeTime, requestJson, type AgentInfo } from "./agent-api.ts";

type Editing = { kind: "create" } | { kind: "rename"; agent: AgentInfo } | { kind: "delete"; agent: AgentInfo } | null;

/** `canManage`: whether the caller may create, rename and delete agents here (agents.manage); the server enforces it. */
export function AgentsList({ canManage = true }: { canManage?: boolean }) {
  const [agents, setAgents] = useState<AgentInfo[] | null>(null);
  const [error, setError] = useState<string>();
  const [editing, setEditing] = useState<Editing>(null);

  const load = useCallback(async () => {
    try {
      setAgents((await requestJson<{ agents: AgentInfo[] }>("/api/agent")).agents);
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div className="space-y-4">
      {canManage && (
        <div className="flex justify-end">
          <Button onClick={() => setEditing({ kind: "create" })}>
            <Plus /> New agent
          </Button>
        </div>
      )}
      {error && (
        <Alert variant="destructive">
          Could not load your agents: {error}{" "}
          <button type="button" className="underline" onClick={() => void load()}>
            Try again
          </button>
        </Alert>
      )}
      {!agents && !error && (
        <div className="flex items-center gap-2 text-sm text-muted-foreground" role="status">
          <Loader2 className="size-4 animate-spin" /> Loading agents…
        </div>
      )}
      {agents?.length === 0 && (
        <div className="rounded-xl border border-dashed p-10 text-center">
          <p className="font-medium">No agents yet</p>
          <p className="mt-1 text-sm text-muted-foreground">
            {canManage
              ? "Create an agent to start a conversation and a workspace."
              : "Your role in this team does not allow creating agents. Ask a team owner or admin to create one."}
          </p>
        </div>
      )}
      <ul className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3" aria-label="Agents">
        {agents?.map((agent) => (
          <AgentCard
            key={agent.id}
            agent={agent}
            canManage={canManage}
            onRename={() => setEditing({ kind: "rename", agent })}
            onDelete={() => setEditing({ kind: "delete", agent })}
          />
        ))}
      </ul>
      <AgentNameDialog
        key={editing?.kind === "rename" ? editing.agent.id : editing?.kind}
        editing={editing?.kind === "create" || editing?.kind === "rename" ? editing : null}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          void load();
        }}
      />
      <DeleteAgentDialog
        agent={editing?.kind === "delete" ? editing.agent : null}
        onClose={() => setEditing(null)}
        onDeleted={() => {
          setEditing(null);
          void load();
        }}
      />
    </div>
  );
}

function AgentCard({
  agent,
  canManage,
  onRename,
  onDelete,
}: {
  agent: AgentInfo;
  canManage: boolean;
  onRename: () => void;
  onDelete: () => void;
}) {
  const [running, setRunning] = useState<number | null>(null);
  const [runningTasks, setRunningTasks] = useState<number | null>(null);
  const [menu, setMenu] = useState(false);
  useEffect(() => {
    agentApi(agent.id)
      .threads()
      .then((threads) => setRunning(threads.filter((t) => t.running).length))
      .catch(() => setRunning(null));
    requestJson<{ tasks: { status: string }[] }>(`/api/agent/${agent.id}/tasks`)
      .then(({ tasks }) => setRunningTasks(tasks.filter((t) => t.status === "running").length))
      .catch(() => setRunningTasks(null));
  }, [agent.id]);
  return (
    <li className="relative flex flex-col gap-3 rounded-xl border bg-card p-4 shadow-sm" aria-label={agent.name}>
      <div className="flex items-start gap-3">
        <div className="flex size-9 shrink-0 items-center justify-center rounded-lg bg-primary/10 text-primary">
          <Bot className="size-5" />
        </div>
        <div className="min-w-0 flex-1">
          <Link href={`/agents/${agent.id}`} className="block truncate font-medium hover:underline after:absolute after:inset-0">
            {agent.name}
          </Link>
          <p className="truncate text-xs text-muted-foreground">{agent.model}</p>
        </div>
        {canManage && (
          <Button
            variant="ghost"
            size="icon"
            className="relative z-10 size-8"
            aria-label={`Actions for ${agent.name}`}
            aria-expanded={menu}
            onClick={() => setMenu((m) => !m)}
          >
            <MoreHorizontal />
          </Button>
        )}
        {menu && (
          <div
            className="absolute right-3 top-12 z-20 w-36 rounded-md border bg-background p-1 shadow-lg"
            role="menu"
            onMouseLeave={() => setMenu(false)}
          >
            <button
              type="button"
              role="menuitem"
              className="flex w-full items-center gap-2 rounded px-2 py-1.5 text-sm hover:bg-accent"
              onClick={() => {
                setMenu(false);
                onRename();
              }}
            >
              <Pencil className="size-4" /> Rename
            </button>
            <button
              type="button"
              role="menuitem"
              className="flex w-full items-center gap-2 rounded px-2 py-1.5 text-sm text-destructive hover:bg-accent"
              onClick={() => {
                setMenu(false);
                onDelete();
              }}
            >
              <Trash2 className="size-4" /> Delete
            </button>
          </div>
        )}
      </div>
      <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
        <span>{agent.lastActiveAt ? `Active ${relativeTime(agent.lastActiveAt)}` : "Never used"}</span>
        {agent.preset && agent.preset !== "general" && <Badge>{PRESETS.find((p) => p.id === agent.preset)?.title ?? agent.preset}</Badge>}
        {agent.isDefault && <Badge>Default</Badge>}
        {running ? (
          <Badge className="border-emerald-500/40 text-emerald-700 dark:text-emerald-400">
            <span className="mr-1 size-1.5 animate-pulse rounded-full bg-current" /> {running} {running === 1 ? "chat" : "chats"} running
          </Badge>
        ) : null}
        {runningTasks ? (
          <Badge className="border-sky-500/40 text-sky-700 dark:text-sky-400">
            {runningTasks} {runningTasks === 1 ? "task" : "tasks"} running
          </Badge>
        ) : null}
      </div>
    </li>
  );
}

const PRESETS = [
  { id: "general", title: "General assistant", description: "Answers, researches and runs commands." },
  {
    id: "coding",
    title: "Coding assistant",
    description: "Sets up a Next.js project in its workspace on its first task, then builds, runs and previews it.",
  },
  { id: "data-analyst", title: "Data analyst", description: "Works with data files and Python; no git tools." },
] as const;

function AgentNameDialog({
  editing,
  onClose,
  onSaved,
}: {
  editing: { kind: "create" } | { kind: "rename"; agent: AgentInfo } | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const router = useRouter();
  const [name, setName] = useState(editing?.kind === "rename" ? editing.agent.name : "");
  const [preset, setPreset] = useState<string>("general");
  // A problem with the name is shown on the field; anything else the server says (e.g. an unverified email) on the form.
  const [nameError, setNameError] = useState<string>();
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    if (!editing || !name.trim()) return setNameError("Give the agent a name.");
    setNameError(undefined);
    setPending(true);
    try {
      if (editing.kind === "create") {
        const created = await requestJson<AgentInfo>("/api/agent", { method: "POST", body: JSON.stringify({ name: name.trim(), preset }) });
        // A new agent is made to be used: open it (its page starts a first chat).
        router.push(`/agents/${created.id}`);
        return;
      }
      await requestJson(`/api/agent/${editing.agent.id}`, { method: "PATCH", body: JSON.stringify({ name: name.trim() }) });
      onSaved();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  }
  return (
    <Dialog open={editing !== null} onClose={onClose} title={editing?.kind === "rename" ? "Rename agent" : "New agent"}>
      <form onSubmit={submit} className="space-y-4">
        <div className="space-y-2">
          <Label htmlFor="agent-name">Name</Label>
          <Input
            id="agent-name"
            value={name}
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={Boolean(nameError)}
            aria-describedby={nameError ? "agent-name-error" : undefined}
          />
          {nameError && (
            <p id="agent-name-error" className="text-sm text-destructive">
              {nameError}
            </p>
          )}
        </div>
        {editing?.kind === "create" && (
          <fieldset className="space-y-2">
            <legend className="mb-2 text-sm font-medium">Start as</legend>
            {PRESETS.map((p) => (
              <label
                key={p.id}
                className="flex cursor-pointer items-start gap-3 rounded-lg border p-3 has-[:checked]:border-primary has-[:checked]:bg-primary/5"
              >
                <input
                  type="radio"
                  name="preset"
                  value={p.id}
                  checked={preset === p.id}
                  onChange={() => setPreset(p.id)}
                  className="mt-1"
                />
                <span>
                  <span className="block text-sm font-medium">{p.title}</span>
                  <span className="block text-xs text-muted-foreground">{p.description}</span>
                </span>
              </label>
            ))}
          </fieldset>
        )}
        {error && <Alert variant="destructive">{error}</Alert>}
        <div className="flex justify-end gap-2">
          <Button type="button" variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={pending}>
            {pending && <Loader2 className="animate-spin" />}
            {editing?.kind === "rename" ? "Save" : "Create agent"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteAgentDialog({ agent, onClose, onDeleted }: { agent: AgentInfo | null; onClose: () => void; onDeleted: () => void }) {
  return (
    <ConfirmDialog
      open={agent !== null}
      onClose={onClose}
      title="Delete agent?"
      description={
        <>
          <span className="font-medium text-foreground">{agent?.name}</span> and all its conversations, memory notes and workspace files
          will be deleted. This cannot be undone.
        </>
      }
      confirmLabel="Delete agent"
      onConfirm={async () => {
        if (!agent) return;
        await requestJson(`/api/agent/${agent.id}`, { method: "DELETE" });
        onDeleted();
      }}
    />
  );
}
