import type { Metadata } from "next";
import { AuthCard } from "@/components/auth/auth-card.tsx";
import { ResetPasswordForm } from "@/components/auth/password-reset-forms.tsx";

export const metadata: Metadata = { title: "Choose a new password" };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string; error?: string }> }) {
  const { token, error } = await searchParams;
  return (
    <AuthCard title="Choose a new password" description="Setting it signs you out on every other device.">
      <ResetPasswordForm token={token} invalid={Boolean(error)} />
    </AuthCard>
  );
}
