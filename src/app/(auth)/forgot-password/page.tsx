import type { Metadata } from "next";
import { AuthCard } from "@/components/auth/auth-card.tsx";
import { ForgotPasswordForm } from "@/components/auth/password-reset-forms.tsx";

export const metadata: Metadata = { title: "Forgot password" };

export default function ForgotPasswordPage() {
  return (
    <AuthCard title="Forgot your password?" description="We will email you a link to choose a new one.">
      <ForgotPasswordForm />
    </AuthCard>
  );
}
