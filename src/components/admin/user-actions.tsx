"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button.tsx";
import { useConfirm } from "@/components/ui/confirm-dialog.tsx";
import { Input } from "@/components/ui/input.tsx";
import { Label } from "@/components/ui/label.tsx";
import { adminRequest } from "./admin-api.ts";

interface Props {
  userId: string;
  banned: boolean;
  role: string;
  isSelf: boolean;
  hasPersonalAccount: boolean;
}

/** Ban, role, credits, sessions and impersonation for one user; each reports its outcome in words. */
export function UserActions({ userId, banned, role, isSelf, hasPersonalAccount }: Props) {
  const router = useRouter();
  const [pending, setPending] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [banReason, setBanReason] = useState("");
  const [credits, setCredits] = useState("");
  const [creditReason, setCreditReason] = useState("");
  const base = `/api/admin/users/${userId}`;
  const [confirm, confirmDialog] = useConfirm();

  async function run(name: string, action: () => Promise<string>) {
    setPending(name);
    setMessage(null);
    try {
      setMessage({ ok: true, text: await action() });
      router.refresh();
    } catch (error) {
      setMessage({ ok: false, text: error instanceof Error ? error.message : String(error) });
    } finally {
      setPending(null);
    }
  }

  const ban = async (e: FormEvent) => {
    e.preventDefault();
    const yes = await confirm({
      title: "Ban this user?",
      description: `They are signed out everywhere at once, their API keys stop working, and their running tasks, processes and previews stop. Reason: ${banReason.trim()}`,
      confirmLabel: "Ban user",
    });
    if (!yes) return;
    void run("ban", async () => {
      const result = await adminRequest<{ tasksStopped: number; processesStopped: number; previewsClosed: number }>(`${base}/ban`, "POST", {
        reason: banReason,
      });
      setBanReason("");
      const stopped = [
        result.tasksStopped && `${result.tasksStopped} running tasks`,
        result.processesStopped && `${result.processesStopped} background processes`,
        result.previewsClosed && `${result.previewsClosed} previews`,
      ].filter(Boolean);
      return `Banned. Their sessions and API keys stopped${stopped.length ? `, and so did ${stopped.join(", ")}` : ""}.`;
    });
  };

  const adjust = (e: FormEvent) => {
    e.preventDefault();
    const amount = Number(credits);
    if (!Number.isFinite(amount) || amount === 0) {
      setMessage({ ok: false, text: "Enter a non-zero number of credits (negative to remove)" });
      return;
    }
    void run("credits", async () => {
      const result = await adminRequest<{ credits: number }>(`${base}/credits`, "POST", { credits: amount, reason: creditReason });
      setCredits("");
      setCreditReason("");
      return `Credits adjusted. New balance: ${result.credits.toLocaleString("en-US", { maximumFractionDigits: 2 })} credits.`;
    });
  };

  const impersonate = () =>
    run("impersonate", async () => {
      await adminRequest(`${base}/impersonate`, "POST", {});
      window.location.assign("/agents");
      return "Signing in as this user…";
    });

  return (
    <div className="space-y-5">
      {confirmDialog}
      {banned ? (
        <Button
          variant="outline"
          disabled={pending !== null}
          onClick={() =>
            run("unban", async () => {
              await adminRequest(`${base}/ban`, "DELETE");
              return "Ban lifted.";
            })
          }
        >
          Lift ban
        </Button>
      ) : (
        !isSelf && (
          <form onSubmit={ban} className="space-y-2">
            <Label htmlFor="ban-reason">Ban reason</Label>
            <div className="flex gap-2">
              <Input
                id="ban-reason"
                required
                maxLength={500}
                value={banReason}
                onChange={(e) => setBanReason(e.target.value)}
                placeholder="Why this user is banned"
              />
              <Button type="submit" variant="destructive" disabled={pending !== null || !banReason.trim()}>
                Ban user
              </Button>
            </div>
          </form>
        )
      )}

      {hasPersonalAccount && (
        <form onSubmit={adjust} className="space-y-2">
          <Label htmlFor="credit-amount">Adjust credits</Label>
          <div className="flex flex-wrap gap-2">
            <Input
              id="credit-amount"
              className="w-32"
              inputMode="decimal"
              value={credits}
              onChange={(e) => setCredits(e.target.value)}
              placeholder="e.g. 25 or -10"
            />
            <Input
              id="credit-reason"
              aria-label="Reason for the adjustment"
              className="min-w-48 flex-1"
              required
              maxLength={500}
              value={creditReason}
              onChange={(e) => setCreditReason(e.target.value)}
              placeholder="Reason (shown in the user's ledger)"
            />
            <Button type="submit" disabled={pending !== null || !creditReason.trim() || !credits.trim()}>
              Adjust
            </Button>
          </div>
        </form>
      )}

      <div className="flex flex-wrap gap-2">
        {!isSelf && (
          <Button
            variant="outline"
            disabled={pending !== null}
            onClick={() =>
              run("role", async () => {
                const next = role === "admin" ? "user" : "admin";
                await adminRequest(`${base}/role`, "PUT", { role: next });
                return next === "admin" ? "This user is now an admin." : "Admin role revoked.";
              })
            }
          >
            {role === "admin" ? "Revoke admin" : "Make admin"}
          </Button>
        )}
        <Button
          variant="outline"
          disabled={pending !== null}
          onClick={async () => {
            const yes = await confirm({
              title: "Sign this user out everywhere?",
              description: "Every session of theirs ends; they sign in again to continue.",
              confirmLabel: "Sign out everywhere",
            });
            if (!yes) return;
            await run(
              "sessions",
              async () => `Signed out ${(await adminRequest<{ revoked: number }>(`${base}/sessions`, "DELETE")).revoked} sessions.`,
            );
          }}
        >
          Sign out everywhere
        </Button>
        {!isSelf && role !== "admin" && !banned && (
          <Button variant="outline" disabled={pending !== null} onClick={impersonate}>
            Impersonate
          </Button>
        )}
      </div>

      {message && (
        <p role={message.ok ? "status" : "alert"} className={message.ok ? "text-sm text-muted-foreground" : "text-sm text-destructive"}>
          {message.text}
        </p>
      )}
    </div>
  );
}
