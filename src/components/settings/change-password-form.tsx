"use client";

import { Loader2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { authClient, errorMessage } from "@/components/auth/auth-client.ts";
import { FormField } from "@/components/auth/form-field.tsx";
import { newPasswordError, PASSWORD_MIN } from "@/components/auth/validation.ts";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";

export function ChangePasswordForm() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [errors, setErrors] = useState<{ current?: string; next?: string }>({});
  const [status, setStatus] = useState<{ kind: "success" | "destructive"; text: string }>();
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = { current: current ? undefined : "Enter your current password", next: newPasswordError(next) };
    setErrors(found);
    if (found.current || found.next) return;
    setPending(true);
    setStatus(undefined);
    const { error } = await authClient.changePassword({ currentPassword: current, newPassword: next, revokeOtherSessions: true });
    setPending(false);
    if (error) return setStatus({ kind: "destructive", text: errorMessage(error) });
    setCurrent("");
    setNext("");
    setStatus({ kind: "success", text: "Password changed. Every other session was signed out." });
  }

  return (
    <form noValidate onSubmit={onSubmit} className="grid max-w-md gap-4" aria-label="Change password">
      <FormField
        id="current-password"
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={current}
        error={errors.current}
        onChange={(e) => setCurrent(e.target.value)}
      />
      <FormField
        id="new-password"
        label="New password"
        type="password"
        autoComplete="new-password"
        value={next}
        error={errors.next}
        hint={`At least ${PASSWORD_MIN} characters`}
        onChange={(e) => setNext(e.target.value)}
      />
      {status && <Alert variant={status.kind}>{status.text}</Alert>}
      <div>
        <Button type="submit" disabled={pending}>
          {pending && <Loader2 className="animate-spin" />}
          Change password
        </Button>
      </div>
    </form>
  );
}
