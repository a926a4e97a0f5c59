"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { whoAddsCredits } from "@/lib/billing/purchase-messages.ts";
import { BalanceCard } from "./balance-card.tsx";
import { fetchCredits, fetchPurchases, type CreditsResponse, type PurchasesResponse } from "./billing-api.ts";
import { PackageList } from "./package-list.tsx";
import { PurchaseHistory } from "./purchase-history.tsx";

/**
 * `canPurchase`: whether the caller may buy credits for the acting account (billing.purchase; the server enforces it).
 * `team`: whether that account is a team; `operator`: whether the caller is a platform admin, who is told what to configure.
 */
export function BillingOverview({
  canPurchase = true,
  team = false,
  operator = false,
}: {
  canPurchase?: boolean;
  team?: boolean;
  operator?: boolean;
}) {
  const canceled = useSearchParams().get("canceled") === "1";
  const [data, setData] = useState<{ credits: CreditsResponse; purchases: PurchasesResponse } | null>(null);
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    setError(undefined);
    try {
      const [credits, purchases] = await Promise.all([fetchCredits(), fetchPurchases()]);
      setData({ credits, purchases });
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  if (error) {
    return (
      <Alert variant="destructive">
        <p>Could not load your billing: {error}</p>
        <Button className="mt-2" size="sm" variant="outline" onClick={load}>
          Try again
        </Button>
      </Alert>
    );
  }
  if (!data) return <p className="text-sm text-muted-foreground">Loading billing…</p>;
  const who = whoAddsCredits({ team, purchasesEnabled: data.purchases.purchasesEnabled, canPurchase });
  return (
    <div className="grid gap-8">
      {canceled && <Alert>Checkout was canceled; nothing was charged.</Alert>}
      <div className="grid gap-2">
        <BalanceCard balance={data.credits} team={team} />
        <Link href="/billing/transactions" className="text-sm text-primary underline-offset-4 hover:underline">
          See all transactions
        </Link>
      </div>
      {canPurchase ? (
        <PackageList
          packages={data.purchases.packages}
          enabled={data.purchases.purchasesEnabled}
          whoAddsCredits={who}
          operator={operator}
        />
      ) : (
        who && <Alert data-testid="who-adds-credits">{who}</Alert>
      )}
      <PurchaseHistory
        purchases={data.purchases.purchases}
        packages={data.purchases.packages}
        portalEnabled={canPurchase && data.purchases.purchasesEnabled}
      />
    </div>
  );
}
