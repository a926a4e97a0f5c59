import { MailOpen } from "lucide-react";
import { safeNext } from "@/components/auth/validation.ts";
import { Alert } from "@/components/ui/alert.tsx";
import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { previewInvitation } from "@/lib/teams/invitations.ts";

const INVITE_PATH = /^\/team\/invite\/([A-Za-z0-9_-]+)$/;

/** The team invitation a sign-in or sign-up page leads on to (its `next`), while it is still pending. */
async function pendingInvitation(next: string | undefined) {
  const match = INVITE_PATH.exec(new URL(safeNext(next), "http://x").pathname);
  if (!match) return undefined;
  try {
    const preview = await previewInvitation(getDb(getEnv().DB), match[1]!, new Date());
    return preview.state === "pending" ? preview : undefined;
  } catch {
    return undefined;
  }
}

/** Tells someone who followed an invitation link what it is for, on the pages they pass through before accepting it. */
export async function InvitationNotice({ next, action }: { next?: string; action: "sign in" | "sign up" }) {
  const invitation = await pendingInvitation(next);
  if (!invitation) return null;
  return (
    <Alert className="mb-4 flex gap-2" data-testid="invitation-notice">
      <MailOpen className="mt-0.5 size-4 shrink-0" />
      <p>
        You are invited to join <strong>{invitation.teamName}</strong>.{" "}
        {action === "sign in"
          ? `Sign in as ${invitation.email}, or create an account with that address; the invitation waits for you.`
          : `Create your account with ${invitation.email}, then verify it; the link in that email brings you back to accept.`}
      </p>
    </Alert>
  );
}
