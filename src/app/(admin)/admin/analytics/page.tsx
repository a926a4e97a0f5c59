import type { Metadata } from "next";
import Link from "next/link";
import { AnalyticsCharts } from "@/components/admin/analytics-charts.tsx";
import { requireAdminPage } from "@/components/admin/require-admin-page.ts";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { platformAnalytics } from "@/lib/admin/analytics.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "Analytics · Admin" };
export const dynamic = "force-dynamic";

const RANGES = [7, 30, 90];

export default async function AdminAnalyticsPage({ searchParams }: { searchParams: Promise<{ days?: string }> }) {
  await requireAdminPage();
  const requested = Number((await searchParams).days);
  const days = RANGES.includes(requested) ? requested : 30;
  const report = await platformAnalytics(getEnv().DB, days);
  return (
    <>
      <PageHeader
        title="Platform analytics"
        description={`Per UTC day, ${report.from} to ${report.to}.`}
        actions={
          <nav aria-label="Range" className="flex gap-1">
            {RANGES.map((r) => (
              <Link
                key={r}
                href={`?days=${r}`}
                aria-current={r === days ? "page" : undefined}
                className={`rounded-md px-3 py-1.5 text-sm ${r === days ? "bg-secondary font-medium" : "text-muted-foreground hover:bg-accent"}`}
              >
                {r} days
              </Link>
            ))}
          </nav>
        }
      />
      <AnalyticsCharts report={report} />
    </>
  );
}
