import type { Metadata } from "next";
import { requireAdminPage } from "@/components/admin/require-admin-page.ts";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { Badge } from "@/components/ui/badge.tsx";
import { Card, CardContent } from "@/components/ui/card.tsx";
import { APP_VERSION } from "@/lib/app-version.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { adminHealth } from "@/operations/admin-health.ts";

export const metadata: Metadata = { title: "Health · Admin" };
export const dynamic = "force-dynamic";

export default async function AdminHealthPage() {
  await requireAdminPage();
  const health = await adminHealth(getEnv(), APP_VERSION);
  const problems = health.checks.filter((c) => !c.ok && !c.optional).length;
  return (
    <>
      <PageHeader
        title="Health"
        description={`${health.environment}, version ${health.version}: ${problems === 0 ? "everything needed is configured and answering" : `${problems} ${problems === 1 ? "thing needs" : "things need"} attention`}.`}
      />
      <Card>
        <CardContent className="divide-y p-0">
          {health.checks.map((check) => (
            <div key={check.id} className="grid gap-1 px-4 py-3 text-sm" data-testid={`health-${check.id}`} data-ok={String(check.ok)}>
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-medium">{check.label}</span>
                {check.ok ? (
                  <Badge className="border-emerald-500/50 text-emerald-700 dark:text-emerald-400">ok</Badge>
                ) : check.optional ? (
                  <Badge>optional</Badge>
                ) : (
                  <Badge className="border-destructive text-destructive">needs attention</Badge>
                )}
              </div>
              <p className="text-muted-foreground break-words">{check.status}</p>
              {check.hint && <p className="break-words">{check.hint}</p>}
            </div>
          ))}
        </CardContent>
      </Card>
    </>
  );
}
