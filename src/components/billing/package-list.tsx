"use client";

import { Loader2 } from "lucide-react";
import { useState } from "react";
import { apiFetch } from "@/components/auth/auth-client.ts";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card.tsx";
import { PURCHASES_UNAVAILABLE } from "@/lib/billing/purchase-messages.ts";
import type { PackageInfo } from "./billing-api.ts";
import { credits, money } from "./format.ts";

const BASE_CREDITS_PER_DOLLAR = 100;

/**
 * The packages and their Buy buttons. Without Stripe: a plain notice with who can add credits instead
 * (`whoAddsCredits`), and the configuration it needs only for a platform admin (`operator`).
 */
export function PackageList({
  packages,
  enabled,
  whoAddsCredits,
  operator,
}: {
  packages: PackageInfo[];
  enabled: boolean;
  whoAddsCredits: string | null;
  operator: boolean;
}) {
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string>();

  async function buy(id: string) {
    setPending(id);
    setError(undefined);
    try {
      const { url } = await apiFetch<{ url: string }>("/api/credits/checkout", { method: "POST", body: JSON.stringify({ package: id }) });
      window.location.assign(url);
    } catch (e) {
      setError((e as Error).message);
      setPending(null);
    }
  }

  return (
    <section aria-labelledby="packages-heading" className="grid gap-3">
      <h2 id="packages-heading" className="text-lg font-semibold">
        Buy credits
      </h2>
      {!enabled && (
        <Alert data-testid="purchases-disabled">
          <p className="font-medium">{PURCHASES_UNAVAILABLE}.</p>
          <p className="mt-1 text-muted-foreground" data-testid="who-adds-credits">
            {whoAddsCredits}
          </p>
          {operator && (
            <p className="mt-1 text-muted-foreground" data-testid="operator-hint">
              Operator (shown to platform admins only): set <code>STRIPE_SECRET_KEY</code> and <code>STRIPE_WEBHOOK_SECRET</code>, and point
              a Stripe webhook (events <code>checkout.session.completed</code>, <code>checkout.session.async_payment_succeeded</code>,{" "}
              <code>charge.refunded</code>) at <code>/api/stripe/webhook</code>.
            </p>
          )}
        </Alert>
      )}
      {error && <Alert variant="destructive">{error}</Alert>}
      <div className="grid gap-3 sm:grid-cols-3">
        {packages.map((pkg) => {
          const bonus = pkg.credits - (pkg.priceCents / 100) * BASE_CREDITS_PER_DOLLAR;
          return (
            <Card key={pkg.id} data-testid={`package-${pkg.id}`}>
              <CardHeader>
                <CardDescription>{pkg.name}</CardDescription>
                <CardTitle className="text-2xl">{credits(pkg.credits)} credits</CardTitle>
              </CardHeader>
              <CardContent className="grid gap-3">
                <p className="text-sm">
                  <span className="text-lg font-semibold">{money(pkg.priceCents, pkg.currency)}</span>
                  {bonus > 0 && <span className="ml-2 text-emerald-700 dark:text-emerald-400">+{credits(bonus)} bonus</span>}
                </p>
                {enabled && (
                  <Button
                    onClick={() => buy(pkg.id)}
                    disabled={pending !== null}
                    aria-label={`Buy ${pkg.credits} credits for ${money(pkg.priceCents, pkg.currency)}`}
                  >
                    {pending === pkg.id && <Loader2 className="animate-spin" />}
                    Buy
                  </Button>
                )}
              </CardContent>
            </Card>
          );
        })}
      </div>
    </section>
  );
}
