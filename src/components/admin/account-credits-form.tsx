"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button.tsx";
import { Input } from "@/components/ui/input.tsx";
import { Label } from "@/components/ui/label.tsx";
import { adminRequest } from "./admin-api.ts";

/** Adds or removes credits on one billing account (a team's too) with a required reason, and says the new balance. */
export function AccountCreditsForm({ accountId }: { accountId: string }) {
  const router = useRouter();
  const [credits, setCredits] = useState("");
  const [reason, setReason] = useState("");
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function adjust(event: FormEvent) {
    event.preventDefault();
    const amount = Number(credits);
    if (!Number.isFinite(amount) || amount === 0) {
      setMessage({ ok: false, text: "Enter a non-zero number of credits (negative to remove)" });
      return;
    }
    setPending(true);
    setMessage(null);
    try {
      const result = await adminRequest<{ credits: number }>(`/api/admin/accounts/${encodeURIComponent(accountId)}/credits`, "POST", {
        credits: amount,
        reason,
      });
      setCredits("");
      setReason("");
      setMessage({
        ok: true,
        text: `Credits adjusted. New balance: ${result.credits.toLocaleString("en-US", { maximumFractionDigits: 2 })} credits.`,
      });
      router.refresh();
    } catch (error) {
      setMessage({ ok: false, text: error instanceof Error ? error.message : String(error) });
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={adjust} className="space-y-2">
      <Label htmlFor="account-credit-amount">Adjust credits</Label>
      <div className="flex flex-wrap gap-2">
        <Input
          id="account-credit-amount"
          className="w-32"
          inputMode="decimal"
          value={credits}
          onChange={(e) => setCredits(e.target.value)}
          placeholder="e.g. 25 or -10"
        />
        <Input
          aria-label="Reason for the adjustment"
          className="min-w-48 flex-1"
          required
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder="Reason (shown in the account's ledger)"
        />
        <Button type="submit" disabled={pending || !reason.trim() || !credits.trim()}>
          Adjust
        </Button>
      </div>
      {message && (
        <p role={message.ok ? "status" : "alert"} className={message.ok ? "text-sm text-muted-foreground" : "text-sm text-destructive"}>
          {message.text}
        </p>
      )}
    </form>
  );
}
