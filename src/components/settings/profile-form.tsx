"use client";

import { Loader2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { authClient, errorMessage } from "@/components/auth/auth-client.ts";
import { FormField } from "@/components/auth/form-field.tsx";
import { Avatar } from "@/components/auth/user-menu.tsx";
import { nameError } from "@/components/auth/validation.ts";
import { Alert } from "@/components/ui/alert.tsx";
import { Badge } from "@/components/ui/badge.tsx";
import { Button } from "@/components/ui/button.tsx";

export function ProfileForm({ name: initialName, email, emailVerified }: { name: string; email: string; emailVerified: boolean }) {
  const [name, setName] = useState(initialName);
  const [saved, setSaved] = useState(initialName);
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<{ kind: "success" | "destructive"; text: string }>();
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = nameError(name);
    setError(found);
    if (found) return;
    setPending(true);
    setStatus(undefined);
    const { error } = await authClient.updateUser({ name: name.trim() });
    setPending(false);
    if (error) return setStatus({ kind: "destructive", text: errorMessage(error) });
    setSaved(name.trim());
    setStatus({ kind: "success", text: "Profile saved" });
  }

  return (
    <form noValidate onSubmit={onSubmit} className="grid max-w-md gap-4" aria-label="Profile">
      <div className="flex items-center gap-3">
        <Avatar name={saved} className="size-12 text-base" />
        <div className="min-w-0 text-sm">
          <p className="truncate font-medium" data-testid="profile-name">
            {saved}
          </p>
          <p className="flex flex-wrap items-center gap-2 text-muted-foreground">
            <span className="truncate">{email}</span>
            <Badge>{emailVerified ? "Verified" : "Not verified"}</Badge>
          </p>
        </div>
      </div>
      <FormField
        id="name"
        label="Name"
        autoComplete="name"
        maxLength={100}
        value={name}
        error={error}
        onChange={(e) => setName(e.target.value)}
      />
      {status && <Alert variant={status.kind}>{status.text}</Alert>}
      <div>
        <Button type="submit" disabled={pending || name.trim() === saved}>
          {pending && <Loader2 className="animate-spin" />}
          Save
        </Button>
      </div>
    </form>
  );
}
