"use client";

import { Mail, Plus, Trash2, Webhook } from "lucide-react";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { useConfirm } from "@/components/ui/confirm-dialog.tsx";
import { Input } from "@/components/ui/input.tsx";
import { errorMessage, request, requestJson, relativeTime } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";

/** A trigger as GET /api/agent/:id/triggers lists it (src/lib/triggers/triggers.ts, TriggerView). */
interface Trigger {
  id: string;
  kind: "webhook" | "email";
  name: string;
  address: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Webhooks and email addresses that start tasks: add, list, revoke; a webhook's secret is shown once. */
export function TriggersSection() {
  const { agentId } = useAgentWorkspace();
  const base = `/api/agent/${agentId}/triggers`;
  const [triggers, setTriggers] = useState<Trigger[] | null>(null);
  const [name, setName] = useState("");
  const [kind, setKind] = useState<Trigger["kind"]>("webhook");
  const [secret, setSecret] = useState<{ name: string; value: string }>();
  const [error, setError] = useState<string>();
  const [confirm, confirmDialog] = useConfirm();

  const load = useCallback(async () => {
    try {
      setTriggers((await requestJson<{ triggers: Trigger[] }>(base)).triggers);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [base]);
  useEffect(() => {
    void load();
  }, [load]);

  async function add(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setError("Give it a name, for example the service that sends to it.");
    try {
      const created = await requestJson<Trigger & { secret?: string }>(base, { method: "POST", body: JSON.stringify({ kind, name }) });
      setSecret(created.secret ? { name: created.name, value: created.secret } : undefined);
      setName("");
      setError(undefined);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function revoke(trigger: Trigger) {
    const yes = await confirm({
      title: `Revoke ${trigger.kind === "webhook" ? "the webhook" : "the address"} ${trigger.name}?`,
      description: "It starts no more tasks, at once. This cannot be undone.",
      confirmLabel: "Revoke",
    });
    if (!yes) return;
    try {
      await request(`${base}/${trigger.id}`, { method: "DELETE" });
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <section className="p-3" aria-label="Triggers">
      {confirmDialog}
      <h3 className="flex items-center gap-1.5 text-sm font-semibold">
        <Webhook className="size-4" /> Webhooks and email
      </h3>
      <p className="mb-2 text-xs text-muted-foreground">
        Each signed webhook request or email from a member of this agent&apos;s account starts one task, billed like any task. An email gets
        the task&apos;s report as its reply. See docs/api.md for signing requests.
      </p>
      <form onSubmit={add} className="flex flex-wrap gap-2">
        <select
          value={kind}
          onChange={(e) => setKind(e.target.value as Trigger["kind"])}
          aria-label="Trigger kind"
          className="rounded-md border bg-background px-2 text-sm"
        >
          <option value="webhook">Webhook</option>
          <option value="email">Email address</option>
        </select>
        <Input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="name"
          aria-label="Trigger name"
          className="min-w-0 flex-1"
        />
        <Button type="submit" variant="outline">
          <Plus /> Add
        </Button>
      </form>
      {secret && (
        <Alert className="mt-2">
          <p className="text-xs">Signing secret of {secret.name}, shown only now:</p>
          <code className="block break-all font-mono text-xs">{secret.value}</code>
        </Alert>
      )}
      {error && (
        <Alert variant="destructive" className="mt-2">
          {error}
        </Alert>
      )}
      {triggers?.length === 0 && <p className="mt-2 text-xs text-muted-foreground">No webhooks or addresses.</p>}
      <ul className="mt-2 divide-y" aria-label="Triggers">
        {triggers?.map((t) => (
          <li key={t.id} className="flex items-center gap-2 py-1.5">
            {t.kind === "webhook" ? <Webhook className="size-3.5 shrink-0" /> : <Mail className="size-3.5 shrink-0" />}
            <span className="text-xs font-medium">{t.name}</span>
            <span className="min-w-0 flex-1 truncate font-mono text-xs text-muted-foreground" title={t.address}>
              {t.address}
            </span>
            <span className="hidden text-[11px] text-muted-foreground sm:inline">
              {t.lastUsedAt ? `used ${relativeTime(t.lastUsedAt)}` : "never used"}
            </span>
            <Button variant="ghost" size="icon" className="size-7" aria-label={`Revoke ${t.name}`} onClick={() => void revoke(t)}>
              <Trash2 />
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}
