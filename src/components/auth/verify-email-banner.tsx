"use client";

import { Loader2, MailWarning } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { authClient, errorMessage } from "./auth-client.ts";

/** Shown until the user's email is verified; agents stay locked until then. */
export function VerifyEmailBanner({ email }: { email: string }) {
  const [state, setState] = useState<"idle" | "sending" | "sent">("idle");
  const [error, setError] = useState<string>();
  async function resend() {
    setState("sending");
    setError(undefined);
    // Back to this page once verified: someone accepting a team invitation returns to it, not to /agents.
    const callbackURL = `${window.location.pathname}?verified=1`;
    const { error } = await authClient.sendVerificationEmail({ email, callbackURL });
    if (error) {
      setError(errorMessage(error));
      setState("idle");
      return;
    }
    setState("sent");
  }
  return (
    <div
      role="status"
      data-testid="verify-email-banner"
      className="flex flex-wrap items-center gap-3 rounded-md border border-amber-500/50 bg-amber-500/10 px-4 py-3 text-sm"
    >
      <MailWarning className="size-4 shrink-0 text-amber-600" />
      <p className="min-w-0 flex-1">
        Verify your email to start using agents. We sent a link to <span className="font-medium break-all">{email}</span>.
        {state === "sent" && " A new link is on its way."}
        {error && <span className="block text-destructive">{error}</span>}
      </p>
      <Button size="sm" variant="outline" onClick={resend} disabled={state === "sending"}>
        {state === "sending" && <Loader2 className="animate-spin" />}
        Resend email
      </Button>
    </div>
  );
}
