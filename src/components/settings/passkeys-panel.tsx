"use client";

import { KeyRound, Loader2, Trash2 } from "lucide-react";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { authClient, errorMessage } from "@/components/auth/auth-client.ts";
import { FormField } from "@/components/auth/form-field.tsx";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { formatTime } from "./format.ts";

interface PasskeyRow {
  id: string;
  name?: string | null;
  createdAt?: string | Date | null;
  deviceType?: string;
}

export function PasskeysPanel() {
  const [passkeys, setPasskeys] = useState<PasskeyRow[] | null>(null);
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string>();
  const [status, setStatus] = useState<{ kind: "success" | "destructive"; text: string }>();
  const [pending, setPending] = useState<string | null>(null);

  const load = useCallback(async () => {
    const { data, error } = await authClient.passkey.listUserPasskeys();
    if (error) return setStatus({ kind: "destructive", text: errorMessage(error) });
    setPasskeys((data ?? []) as PasskeyRow[]);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function add(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed.length > 100) return setNameError("Use at most 100 characters");
    setNameError(undefined);
    setPending("add");
    setStatus(undefined);
    const result = await authClient.passkey.addPasskey({ name: trimmed || "Passkey" });
    setPending(null);
    if (result?.error) return setStatus({ kind: "destructive", text: errorMessage(result.error, "The passkey was not added") });
    setName("");
    setStatus({ kind: "success", text: "Passkey added. You can sign in with it now." });
    await load();
  }

  async function remove(id: string) {
    setPending(id);
    setStatus(undefined);
    const { error } = await authClient.passkey.deletePasskey({ id });
    setPending(null);
    if (error) return setStatus({ kind: "destructive", text: errorMessage(error) });
    await load();
  }

  return (
    <div className="grid gap-4">
      {passkeys === null ? (
        <p className="text-sm text-muted-foreground">Loading passkeys…</p>
      ) : passkeys.length === 0 ? (
        <p className="text-sm text-muted-foreground">No passkeys yet.</p>
      ) : (
        <ul className="divide-y rounded-md border" aria-label="Passkeys">
          {passkeys.map((p) => (
            <li key={p.id} className="flex items-center gap-3 px-3 py-2 text-sm">
              <KeyRound className="size-4 shrink-0 text-muted-foreground" />
              <div className="min-w-0 flex-1">
                <p className="truncate font-medium">{p.name || "Passkey"}</p>
                <p className="text-xs text-muted-foreground">
                  Added {formatTime(p.createdAt ? new Date(p.createdAt).toISOString() : null)}
                </p>
              </div>
              <Button
                variant="ghost"
                size="icon"
                aria-label={`Delete passkey ${p.name || ""}`.trim()}
                onClick={() => remove(p.id)}
                disabled={pending !== null}
              >
                {pending === p.id ? <Loader2 className="animate-spin" /> : <Trash2 />}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <form noValidate onSubmit={add} className="flex flex-wrap items-end gap-2" aria-label="Add a passkey">
        <div className="min-w-48 flex-1">
          <FormField
            id="passkey-name"
            label="Passkey name"
            placeholder="e.g. My laptop"
            maxLength={100}
            value={name}
            error={nameError}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <Button type="submit" disabled={pending !== null}>
          {pending === "add" && <Loader2 className="animate-spin" />}
          Add a passkey
        </Button>
      </form>
      {status && <Alert variant={status.kind}>{status.text}</Alert>}
    </div>
  );
}
