import type { Metadata } from "next";
import Link from "next/link";
import { TransactionList } from "@/components/billing/transaction-list.tsx";
import { PageHeader } from "@/components/shell/page-header.tsx";

export const metadata: Metadata = { title: "Transactions" };

export default function TransactionsPage() {
  return (
    <>
      <PageHeader
        title="Transactions"
        description="Every change to your credits: usage, purchases, refunds and the monthly free credits."
        actions={
          <Link href="/billing" className="text-sm text-primary underline-offset-4 hover:underline">
            Back to billing
          </Link>
        }
      />
      <TransactionList />
    </>
  );
}
