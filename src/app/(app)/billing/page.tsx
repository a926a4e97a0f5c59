import type { Metadata } from "next";
import { Suspense } from "react";
import { currentSession } from "@/components/auth/current-session.ts";
import { BillingOverview } from "@/components/billing/billing-overview.tsx";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { selectedAccount } from "@/components/teams/shell-accounts.ts";

export const metadata: Metadata = { title: "Billing" };

export default async function BillingPage() {
  const active = await currentSession();
  const selected = active ? await selectedAccount(active) : undefined;
  return (
    <>
      <PageHeader
        title="Billing"
        description={
          selected?.team
            ? `${selected.team.name}'s credit balance, packages and purchases (teams get no monthly free credits).`
            : "Your credit balance, packages and purchases."
        }
      />
      <Suspense fallback={<p className="text-sm text-muted-foreground">Loading billing…</p>}>
        <BillingOverview
          canPurchase={selected ? selected.permissions.includes("billing.purchase") : true}
          team={Boolean(selected?.team)}
          operator={active?.user.role === "admin"}
        />
      </Suspense>
    </>
  );
}
