"use client";

import { Loader2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { authClient, errorMessage } from "@/components/auth/auth-client.ts";
import { FormField } from "@/components/auth/form-field.tsx";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";

export function DeleteAccountForm({ email, hasPassword }: { email: string; hasPassword: boolean }) {
  const [confirmation, setConfirmation] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<{ confirmation?: string; password?: string }>({});
  const [formError, setFormError] = useState<string>();
  // Set when the account is the last owner of a team (409): the teams page is where to transfer or delete them.
  const [ownsTeams, setOwnsTeams] = useState(false);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = {
      confirmation: confirmation.trim().toLowerCase() === email.toLowerCase() ? undefined : "Type your email address exactly",
      password: hasPassword && !password ? "Enter your password" : undefined,
    };
    setErrors(found);
    if (found.confirmation || found.password) return;
    setPending(true);
    setFormError(undefined);
    setOwnsTeams(false);
    const { error } = await authClient.deleteUser(hasPassword ? { password } : {});
    if (error) {
      setFormError(errorMessage(error));
      setOwnsTeams(error.status === 409);
      setPending(false);
      return;
    }
    window.location.assign("/?deleted=1");
  }

  return (
    <form noValidate onSubmit={onSubmit} className="grid max-w-md gap-4" aria-label="Delete account">
      <FormField
        id="confirm-email"
        label={`Type ${email} to confirm`}
        autoComplete="off"
        value={confirmation}
        error={errors.confirmation}
        onChange={(e) => setConfirmation(e.target.value)}
      />
      {hasPassword && (
        <FormField
          id="delete-password"
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          error={errors.password}
          onChange={(e) => setPassword(e.target.value)}
        />
      )}
      {formError && (
        <Alert variant="destructive" data-testid="delete-account-error">
          {formError}
          {ownsTeams && (
            <>
              {" "}
              <a href="/team" className="underline">
                Manage your teams
              </a>
            </>
          )}
        </Alert>
      )}
      <div>
        <Button type="submit" variant="destructive" disabled={pending}>
          {pending && <Loader2 className="animate-spin" />}
          Delete my account
        </Button>
      </div>
    </form>
  );
}
