import type { Metadata } from "next";
import { Suspense } from "react";
import { BillingOverview } from "@/components/billing/billing-overview.tsx";
import { PageHeader } from "@/components/shell/page-header.tsx";

export const metadata: Metadata = { title: "Billing" };

export default function BillingPage() {
  return (
    <>
      <PageHeader title="Billing" description="Your credit balance, packages and purchases." />
      <Suspense fallback={<p className="text-sm text-muted-foreground">Loading billing…</p>}>
        <BillingOverview />
      </Suspense>
    </>
  );
}
