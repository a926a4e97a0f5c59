import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card.tsx";
import { currentSession } from "@/components/auth/current-session.ts";
import { SignInForm } from "@/components/auth/sign-in-form.tsx";
import { safeNext } from "@/components/auth/validation.ts";
import { InvitationNotice } from "@/components/teams/invitation-notice.tsx";
import { googleEnabled, turnstileSiteKey } from "@/lib/auth/config.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "Sign in" };

type Search = Promise<{ next?: string; reset?: string; error?: string }>;

export default async function SignInPage({ searchParams }: { searchParams: Search }) {
  const { next, reset, error } = await searchParams;
  if (await currentSession()) redirect(safeNext(next));
  const env = getEnv();
  const notice = reset ? "Your password was changed. Sign in with the new one." : undefined;
  return (
    <AuthCard title="Sign in" description="Welcome back to netM8.">
      <InvitationNotice next={next} action="sign in" />
      {error && (
        <p role="alert" className="mb-4 text-sm text-destructive">
          {error === "account_not_linked"
            ? "An account with this email already exists. Sign in with your password and verify your email first; then Google sign-in links to it."
            : "Google sign-in did not complete. Try again, or use your password."}
        </p>
      )}
      <SignInForm next={next} googleEnabled={googleEnabled(env)} notice={notice} turnstileSiteKey={turnstileSiteKey(env)} />
    </AuthCard>
  );
}
