import type { Metadata } from "next";
import { EmptyState } from "@/components/shell/empty-state.tsx";
import { PageHeader } from "@/components/shell/page-header.tsx";

export const metadata: Metadata = { title: "Billing" };

export default function BillingPage() {
  return (
    <>
      <PageHeader title="Billing" description="Your credit balance, packages and purchases." />
      <EmptyState title="Sign in to see your billing" />
    </>
  );
}
