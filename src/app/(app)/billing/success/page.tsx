import type { Metadata } from "next";
import { Suspense } from "react";
import { CheckoutSuccess } from "@/components/billing/checkout-success.tsx";
import { PageHeader } from "@/components/shell/page-header.tsx";

export const metadata: Metadata = { title: "Purchase" };

export default function CheckoutSuccessPage() {
  return (
    <>
      <PageHeader title="Purchase" />
      <Suspense fallback={<p className="text-sm text-muted-foreground">Loading…</p>}>
        <CheckoutSuccess />
      </Suspense>
    </>
  );
}
