import type { Metadata } from "next";
import Link from "next/link";
import { requireAdminPage } from "@/components/admin/require-admin-page.ts";
import { formatCents, formatNumber } from "@/components/admin/format.ts";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card.tsx";
import { platformAnalytics } from "@/lib/admin/analytics.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "Admin" };
export const dynamic = "force-dynamic";

export default async function AdminOverviewPage() {
  await requireAdminPage();
  const { totals } = await platformAnalytics(getEnv().DB, 30);
  const tiles = [
    { label: "Users", value: formatNumber(totals.users, 0), href: "/admin/users" },
    { label: "Agents", value: formatNumber(totals.agents, 0), href: "/admin/agents" },
    { label: "Sign-ups (30 days)", value: formatNumber(totals.signUps, 0), href: "/admin/analytics" },
    { label: "Credits used (30 days)", value: formatNumber(totals.creditsUsed), href: "/admin/analytics" },
    { label: "Credits sold (30 days)", value: formatNumber(totals.creditsSold), href: "/admin/analytics" },
    { label: "Revenue (30 days)", value: formatCents(totals.revenueCents), href: "/admin/analytics" },
  ];
  return (
    <>
      <PageHeader title="Admin" description="The whole platform: users, agents, the model catalog, analytics and the audit log." />
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {tiles.map((t) => (
          <Link key={t.label} href={t.href}>
            <Card className="transition-colors hover:bg-accent/50">
              <CardHeader>
                <CardTitle className="text-sm font-medium text-muted-foreground">{t.label}</CardTitle>
              </CardHeader>
              <CardContent className="text-2xl font-semibold">{t.value}</CardContent>
            </Card>
          </Link>
        ))}
      </div>
    </>
  );
}
