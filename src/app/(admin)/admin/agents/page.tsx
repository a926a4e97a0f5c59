import type { Metadata } from "next";
import Link from "next/link";
import { AgentTasksButton } from "@/components/admin/agent-tasks.tsx";
import { Pager } from "@/components/admin/pager.tsx";
import { requireAdminPage } from "@/components/admin/require-admin-page.ts";
import { formatDateTime, formatNumber } from "@/components/admin/format.ts";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Input } from "@/components/ui/input.tsx";
import { getDb } from "@/db/client.ts";
import { listPlatformAgents } from "@/lib/admin/agents.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "Agents · Admin" };
export const dynamic = "force-dynamic";

const PAGE_SIZE = 25;

export default async function AdminAgentsPage({ searchParams }: { searchParams: Promise<{ q?: string; page?: string }> }) {
  await requireAdminPage();
  const { q = "", page: pageParam } = await searchParams;
  const page = Math.max(1, Math.min(100_000, Number.parseInt(pageParam ?? "1", 10) || 1));
  const result = await listPlatformAgents(getDb(getEnv().DB), { q: q.slice(0, 200), page, pageSize: PAGE_SIZE });
  return (
    <>
      <PageHeader title="Agents" description={`${result.total} agents across the platform, most recently active first.`} />
      <form className="mb-4 flex max-w-md gap-2" role="search">
        <Input name="q" defaultValue={q} placeholder="Agent name or id, owner email, team" aria-label="Search agents" />
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </form>
      <div className="overflow-x-auto rounded-md border">
        <table className="w-full text-sm">
          <thead className="bg-muted/50 text-left text-muted-foreground">
            <tr>
              <th className="px-3 py-2 font-medium">Agent</th>
              <th className="px-3 py-2 font-medium">Owner</th>
              <th className="px-3 py-2 font-medium">Status</th>
              <th className="px-3 py-2 font-medium">Last active</th>
              <th className="px-3 py-2 text-right font-medium">Credits used</th>
              <th className="px-3 py-2 text-right font-medium">Tokens</th>
              <th className="px-3 py-2 font-medium">Tasks</th>
            </tr>
          </thead>
          <tbody>
            {result.agents.map((a) => (
              <tr key={a.id} className="border-t align-top">
                <td className="px-3 py-2">
                  <div className="font-medium">{a.name}</div>
                  <div className="text-muted-foreground">
                    {a.modelId} · <code className="text-xs">{a.id}</code>
                  </div>
                </td>
                <td className="px-3 py-2">
                  {a.ownerUserId ? (
                    <Link href={`/admin/users/${a.ownerUserId}`} className="hover:underline">
                      {a.owner}
                    </Link>
                  ) : (
                    <>
                      {a.owner} <span className="text-muted-foreground">(team)</span>
                    </>
                  )}
                </td>
                <td className="px-3 py-2">
                  {a.status === "active" ? (
                    <span className="font-medium text-emerald-600">active</span>
                  ) : (
                    <span className="text-muted-foreground">idle</span>
                  )}
                </td>
                <td className="px-3 py-2 whitespace-nowrap">{formatDateTime(a.lastActiveAt)}</td>
                <td className="px-3 py-2 text-right tabular-nums">{formatNumber(a.creditsUsed)}</td>
                <td className="px-3 py-2 text-right tabular-nums">{formatNumber(a.tokens, 0)}</td>
                <td className="px-3 py-2">
                  <AgentTasksButton agentId={a.id} />
                </td>
              </tr>
            ))}
            {result.agents.length === 0 && (
              <tr>
                <td colSpan={7} className="px-3 py-6 text-center text-muted-foreground">
                  No agents found.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pager page={page} pageSize={PAGE_SIZE} total={result.total} params={{ q }} />
    </>
  );
}
