import type { Metadata } from "next";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { UsageDashboard } from "@/components/usage/usage-dashboard.tsx";

export const metadata: Metadata = { title: "Usage" };

export default function UsagePage() {
  return (
    <>
      <PageHeader title="Usage" description="Credits and tokens your agents used, per day, agent and model." />
      <UsageDashboard />
    </>
  );
}
