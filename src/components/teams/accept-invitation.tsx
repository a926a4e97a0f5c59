"use client";

import { useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card.tsx";
import { selectAccount } from "./select-account.ts";
import { teamsRequest, type InvitationPreview } from "./teams-api.ts";

/** `verified`: whether the signed-in user's email is verified; accepting needs it, so until then the page says how. */
export function AcceptInvitation({ token, email, verified }: { token: string; email: string; verified: boolean }) {
  const [preview, setPreview] = useState<InvitationPreview>();
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  const path = `/api/teams/invitations/${encodeURIComponent(token)}`;

  useEffect(() => {
    teamsRequest<InvitationPreview>(path).then(setPreview, (e: Error) => setError(e.message));
  }, [path]);

  async function accept() {
    setPending(true);
    setError(undefined);
    try {
      const { teamId } = await teamsRequest<{ teamId: string }>(`${path}/accept`, "POST");
      selectAccount(teamId, "/agents");
    } catch (e) {
      setError((e as Error).message);
      setPending(false);
    }
  }

  if (!preview)
    return error ? <Alert variant="destructive">{error}</Alert> : <p className="text-sm text-muted-foreground">Loading invitation…</p>;
  const wrongAddress = preview.email.toLowerCase() !== email.toLowerCase();
  return (
    <Card className="max-w-lg">
      <CardHeader>
        <CardTitle>Join {preview.teamName}</CardTitle>
        <CardDescription>
          Invitation for {preview.email} as {preview.role.startsWith("role_") ? "a custom role" : preview.role}.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {preview.state !== "pending" && <Alert>This invitation is {preview.state}. Ask the team for a new one.</Alert>}
        {preview.state === "pending" && wrongAddress && (
          <Alert variant="destructive">
            You are signed in as {email}. Sign in as {preview.email} to accept this invitation.
          </Alert>
        )}
        {preview.state === "pending" && !wrongAddress && !verified && (
          <Alert data-testid="verify-first">
            Verify your email address to accept: open the link we sent to {email}. It brings you back here.
          </Alert>
        )}
        {error && <Alert variant="destructive">{error}</Alert>}
        {preview.state === "pending" && !wrongAddress && verified && (
          <Button onClick={accept} disabled={pending}>
            {pending ? "Joining…" : "Accept invitation"}
          </Button>
        )}
      </CardContent>
    </Card>
  );
}
