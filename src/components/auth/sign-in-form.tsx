"use client";

import { Fingerprint, Loader2 } from "lucide-react";
import Link from "next/link";
import { useRef, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { authClient, errorMessage } from "./auth-client.ts";
import { FormField } from "./form-field.tsx";
import { GoogleButton } from "./google-button.tsx";
import { Turnstile, type TurnstileHandle } from "./turnstile.tsx";
import { emailError, safeNext } from "./validation.ts";

export function SignInForm({
  next,
  googleEnabled,
  notice,
  turnstileSiteKey,
}: {
  next?: string;
  googleEnabled: boolean;
  notice?: string;
  turnstileSiteKey?: string;
}) {
  const [captcha, setCaptcha] = useState<string | null>(null);
  const turnstile = useRef<TurnstileHandle>(null);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const [formError, setFormError] = useState<string>();
  const [pending, setPending] = useState<"password" | "passkey" | null>(null);
  const target = safeNext(next);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = { email: emailError(email), password: password ? undefined : "Enter your password" };
    setErrors(found);
    if (found.email || found.password) return;
    setPending("password");
    setFormError(undefined);
    const { error } = await authClient.signIn.email(
      { email: email.trim(), password },
      captcha ? { headers: { "x-captcha-response": captcha } } : undefined,
    );
    if (error) {
      turnstile.current?.reset();
      setFormError(errorMessage(error));
      setPending(null);
      return;
    }
    window.location.assign(target);
  }

  async function onPasskey() {
    setPending("passkey");
    setFormError(undefined);
    const result = await authClient.signIn.passkey();
    if (result?.error) {
      setFormError(errorMessage(result.error, "Passkey sign-in did not complete"));
      setPending(null);
      return;
    }
    window.location.assign(target);
  }

  return (
    <div className="grid gap-4">
      {notice && <Alert variant="success">{notice}</Alert>}
      <form noValidate onSubmit={onSubmit} className="grid gap-4" aria-label="Sign in">
        <FormField
          id="email"
          label="Email"
          type="email"
          autoComplete="username webauthn"
          value={email}
          error={errors.email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <FormField
          id="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          error={errors.password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <div className="-mt-2 text-right text-sm">
          <Link href="/forgot-password" className="text-muted-foreground underline-offset-4 hover:underline">
            Forgot password?
          </Link>
        </div>
        {turnstileSiteKey && <Turnstile ref={turnstile} siteKey={turnstileSiteKey} onToken={setCaptcha} />}
        {formError && <Alert variant="destructive">{formError}</Alert>}
        <Button type="submit" disabled={pending !== null || Boolean(turnstileSiteKey && !captcha)}>
          {pending === "password" && <Loader2 className="animate-spin" />}
          Sign in
        </Button>
      </form>
      <div className="flex items-center gap-3 text-xs text-muted-foreground">
        <span className="h-px flex-1 bg-border" />
        or
        <span className="h-px flex-1 bg-border" />
      </div>
      <Button type="button" variant="outline" onClick={onPasskey} disabled={pending !== null}>
        {pending === "passkey" ? <Loader2 className="animate-spin" /> : <Fingerprint />}
        Sign in with a passkey
      </Button>
      {googleEnabled && <GoogleButton callbackURL={target} disabled={pending !== null} />}
      <p className="text-center text-sm text-muted-foreground">
        New to netM8?{" "}
        <Link
          href={next ? `/sign-up?next=${encodeURIComponent(target)}` : "/sign-up"}
          className="font-medium text-foreground underline-offset-4 hover:underline"
        >
          Create an account
        </Link>
      </p>
    </div>
  );
}
