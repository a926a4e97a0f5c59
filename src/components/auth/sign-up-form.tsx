"use client";

import { Loader2 } from "lucide-react";
import Link from "next/link";
import { useRef, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { authClient, errorMessage } from "./auth-client.ts";
import { FormField } from "./form-field.tsx";
import { GoogleButton } from "./google-button.tsx";
import { Turnstile, type TurnstileHandle } from "./turnstile.tsx";
import { emailError, nameError, newPasswordError, PASSWORD_MIN, safeNext } from "./validation.ts";

/** The address a verification link returns to: where the user was going, marked as just verified. */
function verifiedTarget(target: string): string {
  const url = new URL(target, "http://x");
  url.searchParams.set("verified", "1");
  return `${url.pathname}${url.search}${url.hash}`;
}

/** `next`: where to go once signed up (an invitation link, say); the verification email's link returns there too. */
export function SignUpForm({
  next,
  googleEnabled,
  turnstileSiteKey,
}: {
  next?: string;
  googleEnabled: boolean;
  turnstileSiteKey?: string;
}) {
  const target = safeNext(next);
  const [captcha, setCaptcha] = useState<string | null>(null);
  const turnstile = useRef<TurnstileHandle>(null);
  const [values, setValues] = useState({ name: "", email: "", password: "" });
  const [errors, setErrors] = useState<Partial<Record<keyof typeof values, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [pending, setPending] = useState(false);

  const set = (key: keyof typeof values) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [key]: e.target.value }));
    if (errors[key]) setErrors((old) => ({ ...old, [key]: undefined }));
  };

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = { name: nameError(values.name), email: emailError(values.email), password: newPasswordError(values.password) };
    setErrors(found);
    if (found.name || found.email || found.password) return;
    setPending(true);
    setFormError(undefined);
    const { error } = await authClient.signUp.email(
      { name: values.name.trim(), email: values.email.trim(), password: values.password, callbackURL: verifiedTarget(target) },
      captcha ? { headers: { "x-captcha-response": captcha } } : undefined,
    );
    if (error) {
      turnstile.current?.reset();
      setFormError(errorMessage(error));
      setPending(false);
      return;
    }
    window.location.assign(target);
  }

  return (
    <div className="grid gap-4">
      <form noValidate onSubmit={onSubmit} className="grid gap-4" aria-label="Create account">
        <FormField
          id="name"
          label="Name"
          autoComplete="name"
          maxLength={100}
          value={values.name}
          error={errors.name}
          onChange={set("name")}
        />
        <FormField
          id="email"
          label="Email"
          type="email"
          autoComplete="email"
          value={values.email}
          error={errors.email}
          onChange={set("email")}
        />
        <FormField
          id="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          value={values.password}
          error={errors.password}
          hint={`At least ${PASSWORD_MIN} characters`}
          onChange={set("password")}
        />
        {turnstileSiteKey && <Turnstile ref={turnstile} siteKey={turnstileSiteKey} onToken={setCaptcha} />}
        {formError && <Alert variant="destructive">{formError}</Alert>}
        <Button type="submit" disabled={pending || Boolean(turnstileSiteKey && !captcha)}>
          {pending && <Loader2 className="animate-spin" />}
          Create account
        </Button>
      </form>
      {googleEnabled && <GoogleButton callbackURL={target} disabled={pending} />}
      <p className="text-center text-sm text-muted-foreground">
        Already have an account?{" "}
        <Link
          href={next ? `/sign-in?next=${encodeURIComponent(target)}` : "/sign-in"}
          className="font-medium text-foreground underline-offset-4 hover:underline"
        >
          Sign in
        </Link>
      </p>
    </div>
  );
}
