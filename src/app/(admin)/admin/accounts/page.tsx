import type { Metadata } from "next";
import Link from "next/link";
import { formatDateTime } from "@/components/admin/format.ts";
import { Pager } from "@/components/admin/pager.tsx";
import { requireAdminPage } from "@/components/admin/require-admin-page.ts";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { Badge } from "@/components/ui/badge.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Input } from "@/components/ui/input.tsx";
import { getDb } from "@/db/client.ts";
import { searchAccounts } from "@/lib/admin/accounts.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "Accounts · Admin" };
export const dynamic = "force-dynamic";

const PAGE_SIZE = 25;

export default async function AdminAccountsPage({ searchParams }: { searchParams: Promise<{ q?: string; page?: string }> }) {
  await requireAdminPage();
  const { q = "", page: pageParam } = await searchParams;
  const page = Math.max(1, Math.min(100_000, Number.parseInt(pageParam ?? "1", 10) || 1));
  const result = await searchAccounts(getDb(getEnv().DB), { q: q.slice(0, 200), page, pageSize: PAGE_SIZE });
  return (
    <>
      <PageHeader
        title="Accounts"
        description={`${result.total} billing ${result.total === 1 ? "account" : "accounts"}${q ? ` matching “${q}”` : ""}: teams and personal accounts`}
      />
      <form className="mb-4 flex max-w-md gap-2" role="search">
        <Input name="q" defaultValue={q} placeholder="Search by name, slug or owner's email" aria-label="Search accounts" />
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </form>
      <div className="overflow-x-auto rounded-md border">
        <table className="w-full text-sm">
          <thead className="bg-muted/50 text-left text-muted-foreground">
            <tr>
              <th className="px-3 py-2 font-medium">Account</th>
              <th className="px-3 py-2 font-medium">Kind</th>
              <th className="px-3 py-2 font-medium">Created</th>
            </tr>
          </thead>
          <tbody>
            {result.accounts.map((a) => (
              <tr key={a.id} className="border-t" data-testid="admin-account-row">
                <td className="px-3 py-2">
                  <Link href={`/admin/accounts/${a.id}`} className="font-medium hover:underline">
                    {a.name}
                  </Link>
                  <div className="text-muted-foreground">{a.kind === "team" ? a.slug : a.ownerEmail}</div>
                </td>
                <td className="px-3 py-2">{a.kind === "team" ? <Badge className="text-foreground">team</Badge> : "personal"}</td>
                <td className="px-3 py-2 whitespace-nowrap">{formatDateTime(a.createdAt)}</td>
              </tr>
            ))}
            {result.accounts.length === 0 && (
              <tr>
                <td colSpan={3} className="px-3 py-6 text-center text-muted-foreground">
                  No accounts found.
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
