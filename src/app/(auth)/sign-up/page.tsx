import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card.tsx";
import { currentSession } from "@/components/auth/current-session.ts";
import { SignUpForm } from "@/components/auth/sign-up-form.tsx";
import { safeNext } from "@/components/auth/validation.ts";
import { InvitationNotice } from "@/components/teams/invitation-notice.tsx";
import { googleEnabled, turnstileSiteKey } from "@/lib/auth/config.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "Create your account" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  if (await currentSession()) redirect(safeNext(next));
  const env = getEnv();
  return (
    <AuthCard title="Create your account" description="50 free credits every month. No card needed.">
      <InvitationNotice next={next} action="sign up" />
      <SignUpForm next={next} googleEnabled={googleEnabled(env)} turnstileSiteKey={turnstileSiteKey(env)} />
    </AuthCard>
  );
}
