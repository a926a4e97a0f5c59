import type { Metadata } from "next";
import { AuthCard } from "@/components/auth/auth-card.tsx";
import { ForgotPasswordForm } from "@/components/auth/password-reset-forms.tsx";
import { turnstileSiteKey } from "@/lib/auth/config.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "Forgot password" };
export const dynamic = "force-dynamic";

export default function ForgotPasswordPage() {
  return (
    <AuthCard title="Forgot your password?" description="We will email you a link to choose a new one.">
      <ForgotPasswordForm turnstileSiteKey={turnstileSiteKey(getEnv())} />
    </AuthCard>
  );
}
