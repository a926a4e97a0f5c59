"use client";

import { KeyRound, Plus, Trash2 } from "lucide-react";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { useConfirm } from "@/components/ui/confirm-dialog.tsx";
import { Input } from "@/components/ui/input.tsx";
import { errorMessage, request, requestJson, relativeTime } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";
import { DEFAULT_GIT_HOSTS, isGitCredential, type SecretInfo } from "@/lib/agents/secrets.ts";

const NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Secrets for the agent's commands: set and delete; a value is never shown again, only its hint. */
export function SecretsSection() {
  const { agentId } = useAgentWorkspace();
  const base = `/api/agent/${agentId}/secrets`;
  const [secrets, setSecrets] = useState<SecretInfo[] | null>(null);
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [commands, setCommands] = useState(true);
  const [hosts, setHosts] = useState("");
  const gitToken = isGitCredential(name);
  const [error, setError] = useState<string>();
  const [confirm, confirmDialog] = useConfirm();

  const load = useCallback(async () => {
    try {
      setSecrets((await requestJson<{ secrets: SecretInfo[] }>(base)).secrets);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [base]);
  useEffect(() => {
    void load();
  }, [load]);

  async function add(event: FormEvent) {
    event.preventDefault();
    if (!NAME.test(name))
      return setError("Names are environment variable names: capital letters, digits and _, not starting with a digit.");
    if (!value) return setError("Enter the secret's value.");
    const hostList = hosts.split(/[\s,]+/).filter(Boolean);
    const setting = gitToken ? { value, ...(hostList.length > 0 && { hosts: hostList }) } : { value, commands };
    try {
      setSecrets(
        (await requestJson<{ secrets: SecretInfo[] }>(base, { method: "PUT", body: JSON.stringify({ secrets: { [name]: setting } }) }))
          .secrets,
      );
      setName("");
      setValue("");
      setHosts("");
      setCommands(true);
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function remove(secret: string) {
    const yes = await confirm({
      title: `Delete the secret ${secret}?`,
      description: "Commands and git stop getting it at once. Its value cannot be recovered.",
      confirmLabel: "Delete secret",
    });
    if (!yes) return;
    try {
      await request(`${base}?name=${encodeURIComponent(secret)}`, { method: "DELETE" });
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <section className="p-3" aria-label="Secrets">
      {confirmDialog}
      <h3 className="flex items-center gap-1.5 text-sm font-semibold">
        <KeyRound className="size-4" /> Secrets
      </h3>
      <p className="mb-2 text-xs text-muted-foreground">
        Environment variables for the agent&apos;s commands, hidden from the model and never shown again. Anyone who can use the agent can
        make a command print a secret it gets: untick &quot;Commands get it&quot; for values only the platform needs. A git token
        (GIT_TOKEN) never reaches commands; the agent&apos;s git clone and push send it to its hosts only.
      </p>
      <form onSubmit={add} className="flex flex-wrap gap-2">
        <Input
          value={name}
          onChange={(e) => setName(e.target.value.toUpperCase())}
          placeholder="NAME"
          aria-label="Secret name"
          className="w-36 font-mono"
        />
        <Input
          type="password"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="value"
          aria-label="Secret value"
          autoComplete="off"
          className="min-w-0 flex-1"
        />
        <Button type="submit" variant="outline">
          <Plus /> Set
        </Button>
        {gitToken ? (
          <Input
            value={hosts}
            onChange={(e) => setHosts(e.target.value)}
            placeholder={`hosts (default ${DEFAULT_GIT_HOSTS.join(", ")})`}
            aria-label="Hosts the git token is sent to"
            className="w-full font-mono text-xs"
          />
        ) : (
          <label className="flex w-full items-center gap-2 text-xs">
            <input type="checkbox" checked={commands} onChange={(e) => setCommands(e.target.checked)} />
            Commands get it (as an environment variable)
          </label>
        )}
      </form>
      {error && (
        <Alert variant="destructive" className="mt-2">
          {error}
        </Alert>
      )}
      {secrets?.length === 0 && <p className="mt-2 text-xs text-muted-foreground">No secrets.</p>}
      <ul className="mt-2 divide-y" aria-label="Secret names">
        {secrets?.map((s) => (
          <li key={s.name} className="flex items-center gap-2 py-1.5">
            <span className="font-mono text-xs font-medium">{s.name}</span>
            <span className="min-w-0 flex-1 truncate font-mono text-xs text-muted-foreground">
              {s.hint} · {s.hosts ? `git: ${s.hosts.join(", ")}` : s.commands ? "commands get it" : "not in commands"}
            </span>
            <span className="hidden text-[11px] text-muted-foreground sm:inline">{relativeTime(s.updatedAt)}</span>
            <Button
              variant="ghost"
              size="icon"
              className="size-7"
              aria-label={`Delete secret ${s.name}`}
              onClick={() => void remove(s.name)}
            >
              <Trash2 />
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}
