import type { Metadata } from "next";
import { EmptyState } from "@/components/shell/empty-state.tsx";
import { PageHeader } from "@/components/shell/page-header.tsx";

export const metadata: Metadata = { title: "Usage" };

export default function UsagePage() {
  return (
    <>
      <PageHeader title="Usage" description="Credits and tokens your agents used, per day, agent and model." />
      <EmptyState title="Sign in to see your usage" />
    </>
  );
}
