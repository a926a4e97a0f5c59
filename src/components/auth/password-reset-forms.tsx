"use client";

import { Loader2 } from "lucide-react";
import Link from "next/link";
import { useRef, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { authClient, errorMessage } from "./auth-client.ts";
import { FormField } from "./form-field.tsx";
import { Turnstile, type TurnstileHandle } from "./turnstile.tsx";
import { emailError, newPasswordError, PASSWORD_MIN } from "./validation.ts";

export function ForgotPasswordForm({ turnstileSiteKey }: { turnstileSiteKey?: string }) {
  const [captcha, setCaptcha] = useState<string | null>(null);
  const turnstile = useRef<TurnstileHandle>(null);
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [pending, setPending] = useState(false);
  const [sent, setSent] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = emailError(email);
    setError(found);
    if (found) return;
    setPending(true);
    setFormError(undefined);
    const { error } = await authClient.requestPasswordReset(
      { email: email.trim(), redirectTo: "/reset-password" },
      captcha ? { headers: { "x-captcha-response": captcha } } : undefined,
    );
    setPending(false);
    if (error) {
      turnstile.current?.reset();
      return setFormError(errorMessage(error));
    }
    setSent(true);
  }

  if (sent) {
    return (
      <div className="grid gap-4">
        <Alert variant="success">
          If an account uses that address, we sent it a link to choose a new password. The link works once, for one hour.
        </Alert>
        <BackToSignIn />
      </div>
    );
  }
  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-4" aria-label="Reset password">
      <FormField
        id="email"
        label="Email"
        type="email"
        autoComplete="email"
        value={email}
        error={error}
        onChange={(e) => setEmail(e.target.value)}
      />
      {turnstileSiteKey && <Turnstile ref={turnstile} siteKey={turnstileSiteKey} onToken={setCaptcha} />}
      {formError && <Alert variant="destructive">{formError}</Alert>}
      <Button type="submit" disabled={pending || Boolean(turnstileSiteKey && !captcha)}>
        {pending && <Loader2 className="animate-spin" />}
        Send reset link
      </Button>
      <BackToSignIn />
    </form>
  );
}

function BackToSignIn() {
  return (
    <p className="text-center text-sm text-muted-foreground">
      <Link href="/sign-in" className="underline-offset-4 hover:underline">
        Back to sign in
      </Link>
    </p>
  );
}

export function ResetPasswordForm({ token, invalid }: { token?: string; invalid?: boolean }) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [pending, setPending] = useState(false);

  if (invalid || !token) {
    return (
      <div className="grid gap-4">
        <Alert variant="destructive">This reset link is invalid or has expired. Links work once, for one hour.</Alert>
        <Button asChild variant="outline">
          <Link href="/forgot-password">Send a new link</Link>
        </Button>
      </div>
    );
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = newPasswordError(password);
    setError(found);
    if (found) return;
    setPending(true);
    setFormError(undefined);
    const { error } = await authClient.resetPassword({ newPassword: password, token });
    if (error) {
      setFormError(errorMessage(error, "This reset link is invalid or has expired"));
      setPending(false);
      return;
    }
    window.location.assign("/sign-in?reset=1");
  }

  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-4" aria-label="Choose a new password">
      <FormField
        id="password"
        label="New password"
        type="password"
        autoComplete="new-password"
        value={password}
        error={error}
        hint={`At least ${PASSWORD_MIN} characters`}
        onChange={(e) => setPassword(e.target.value)}
      />
      {formError && <Alert variant="destructive">{formError}</Alert>}
      <Button type="submit" disabled={pending}>
        {pending && <Loader2 className="animate-spin" />}
        Set new password
      </Button>
    </form>
  );
}
