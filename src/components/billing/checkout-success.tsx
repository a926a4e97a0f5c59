"use client";

import { CheckCircle2, Loader2 } from "lucide-react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card.tsx";
import { fetchCredits, fetchPurchases, type CreditsResponse, type PurchaseInfo } from "./billing-api.ts";
import { credits } from "./format.ts";

const POLL_MS = 1000;
const GIVE_UP_MS = 120_000;

type State =
  | { phase: "waiting" }
  | { phase: "done"; purchase: PurchaseInfo; balance: CreditsResponse }
  | { phase: "slow" }
  | { phase: "error"; message: string };

/** Waits for the webhook: credits come only from Stripe's signed event, never from this page. */
export function CheckoutSuccess() {
  const sessionId = useSearchParams().get("session_id");
  const [state, setState] = useState<State>({ phase: "waiting" });

  useEffect(() => {
    if (!sessionId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const started = Date.now();
    const poll = async () => {
      try {
        const { purchases } = await fetchPurchases();
        const purchase = purchases.find((p) => p.stripeSessionId === sessionId);
        if (stopped) return;
        if (purchase) {
          const balance = await fetchCredits();
          if (!stopped) setState({ phase: "done", purchase, balance });
          return;
        }
        if (Date.now() - started > GIVE_UP_MS) {
          setState({ phase: "slow" });
          return;
        }
      } catch (e) {
        if (!stopped) setState({ phase: "error", message: (e as Error).message });
        return;
      }
      timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [sessionId]);

  if (!sessionId)
    return <Alert variant="destructive">This page needs the checkout session from Stripe. Go back to billing to buy credits.</Alert>;
  return (
    <Card className="max-w-lg">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          {state.phase === "done" ? (
            <CheckCircle2 className="size-5 text-emerald-600" />
          ) : state.phase === "waiting" ? (
            <Loader2 className="size-5 animate-spin" />
          ) : null}
          {state.phase === "done" ? "Payment received" : "Thank you for your purchase"}
        </CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4 text-sm">
        {state.phase === "waiting" && (
          <p role="status" data-testid="checkout-waiting">
            Waiting for Stripe to confirm your payment…
          </p>
        )}
        {state.phase === "done" && (
          <div role="status" data-testid="checkout-done" className="grid gap-1">
            <p>{credits(state.purchase.credits)} credits were added to your account.</p>
            <p className="text-base">
              New balance:{" "}
              <span className="font-semibold" data-testid="new-balance">
                {credits(state.balance.balance)} credits
              </span>
            </p>
          </div>
        )}
        {state.phase === "slow" && (
          <Alert>Stripe has not confirmed the payment yet. Your credits appear as soon as it does; you can leave this page.</Alert>
        )}
        {state.phase === "error" && <Alert variant="destructive">Could not check your purchase: {state.message}</Alert>}
        <div className="flex gap-2">
          <Button asChild variant={state.phase === "done" ? "default" : "outline"}>
            <Link href="/billing">Back to billing</Link>
          </Button>
          <Button asChild variant="ghost">
            <Link href="/agents">Go to your agents</Link>
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}
