"use client";

import { Copy, KeyRound, Loader2, Trash2 } from "lucide-react";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { apiFetch } from "@/components/auth/auth-client.ts";
import { FormField } from "@/components/auth/form-field.tsx";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { formatTime } from "./format.ts";
import type { ApiKeySummary } from "@/lib/auth/api-keys.ts";

type KeyRow = ApiKeySummary;

export function ApiKeysPanel() {
  const [keys, setKeys] = useState<KeyRow[] | null>(null);
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string>();
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setKeys((await apiFetch<{ keys: KeyRow[] }>("/api/keys")).keys);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function create(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    const found = !trimmed ? "Name the key" : trimmed.length > 100 ? "Use at most 100 characters" : undefined;
    setNameError(found);
    if (found) return;
    setPending("create");
    setError(undefined);
    try {
      const { key } = await apiFetch<{ key: KeyRow & { secret: string } }>("/api/keys", {
        method: "POST",
        body: JSON.stringify({ name: trimmed }),
      });
      setCreated({ name: key.name, secret: key.secret });
      setCopied(false);
      setName("");
      await load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setPending(null);
    }
  }

  async function revoke(id: string) {
    setPending(id);
    setError(undefined);
    try {
      await apiFetch(`/api/keys/${encodeURIComponent(id)}`, { method: "DELETE" });
      await load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setPending(null);
    }
  }

  return (
    <div className="grid gap-4">
      {created && (
        <Alert variant="success" data-testid="new-api-key">
          <p className="font-medium">Copy your new key “{created.name}” now: it is shown only once.</p>
          <div className="mt-2 flex items-center gap-2">
            <code className="min-w-0 flex-1 break-all rounded bg-muted px-2 py-1 font-mono text-xs text-foreground">{created.secret}</code>
            <Button
              size="sm"
              variant="outline"
              onClick={async () => {
                await navigator.clipboard?.writeText(created.secret).catch(() => undefined);
                setCopied(true);
              }}
            >
              <Copy />
              {copied ? "Copied" : "Copy"}
            </Button>
          </div>
        </Alert>
      )}
      {error && <Alert variant="destructive">{error}</Alert>}
      {keys === null ? (
        <p className="text-sm text-muted-foreground">Loading keys…</p>
      ) : keys.length === 0 ? (
        <p className="text-sm text-muted-foreground">No API keys yet.</p>
      ) : (
        <ul className="divide-y rounded-md border" aria-label="API keys">
          {keys.map((k) => (
            <li key={k.id} className="flex items-center gap-3 px-3 py-2 text-sm">
              <KeyRound className="size-4 shrink-0 text-muted-foreground" />
              <div className="min-w-0 flex-1">
                <p className="truncate font-medium">{k.name}</p>
                <p className="text-xs text-muted-foreground">
                  <code>{k.prefix}…</code> · created {formatTime(k.createdAt)} · last used {formatTime(k.lastUsedAt)}
                </p>
              </div>
              <Button
                variant="ghost"
                size="icon"
                aria-label={`Revoke key ${k.name}`}
                onClick={() => revoke(k.id)}
                disabled={pending !== null}
              >
                {pending === k.id ? <Loader2 className="animate-spin" /> : <Trash2 />}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <form noValidate onSubmit={create} className="flex flex-wrap items-end gap-2" aria-label="Create an API key">
        <div className="min-w-48 flex-1">
          <FormField
            id="key-name"
            label="Key name"
            placeholder="e.g. CI deploys"
            maxLength={100}
            value={name}
            error={nameError}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <Button type="submit" disabled={pending !== null}>
          {pending === "create" && <Loader2 className="animate-spin" />}
          Create key
        </Button>
      </form>
    </div>
  );
}
