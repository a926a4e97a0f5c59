"use client";

import { useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card.tsx";
import { selectAccount } from "./select-account.ts";
import { teamsRequest, type InvitationForMe } from "./teams-api.ts";

const roleName = (role: string) => (role.startsWith("role_") ? "a custom role" : role);

/** The pending invitations sent to the signed-in user's address, each accepted with one click; nothing when none. */
export function MyInvitations() {
  const [invitations, setInvitations] = useState<InvitationForMe[]>([]);
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState<string | null>(null);

  useEffect(() => {
    teamsRequest<{ invitations: InvitationForMe[] }>("/api/me/invitations").then(
      (r) => setInvitations(r.invitations),
      (e: Error) => setError(e.message),
    );
  }, []);

  async function accept(id: string) {
    setPending(id);
    setError(undefined);
    try {
      const { teamId } = await teamsRequest<{ teamId: string }>(`/api/me/invitations/${encodeURIComponent(id)}/accept`, "POST");
      selectAccount(teamId, "/agents");
    } catch (e) {
      setError((e as Error).message);
      setPending(null);
    }
  }

  if (invitations.length === 0 && !error) return null;
  return (
    <Card className="mb-6" data-testid="my-invitations">
      <CardHeader>
        <CardTitle>Invitations for you</CardTitle>
        <CardDescription>Teams that invited your email address.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-2">
        {error && <Alert variant="destructive">{error}</Alert>}
        <ul className="grid gap-2">
          {invitations.map((invitation) => (
            <li key={invitation.id} className="flex flex-wrap items-center justify-between gap-2 rounded-md border px-3 py-2">
              <div className="min-w-0">
                <p className="font-medium">{invitation.teamName}</p>
                <p className="text-sm text-muted-foreground">
                  As {roleName(invitation.role)}
                  {invitation.invitedBy ? `, invited by ${invitation.invitedBy}` : ""}
                </p>
              </div>
              <Button size="sm" onClick={() => accept(invitation.id)} disabled={pending !== null} aria-label="Accept">
                {pending === invitation.id ? "Joining…" : "Accept"}
              </Button>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
