import type { Metadata } from "next";
import Link from "next/link";
import { Pager } from "@/components/admin/pager.tsx";
import { requireAdminPage } from "@/components/admin/require-admin-page.ts";
import { formatDateTime } from "@/components/admin/format.ts";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { Badge } from "@/components/ui/badge.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Input } from "@/components/ui/input.tsx";
import { getDb } from "@/db/client.ts";
import { searchUsers } from "@/lib/admin/users.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "Users · Admin" };
export const dynamic = "force-dynamic";

const PAGE_SIZE = 25;

export default async function AdminUsersPage({ searchParams }: { searchParams: Promise<{ q?: string; page?: string }> }) {
  await requireAdminPage();
  const { q = "", page: pageParam } = await searchParams;
  const page = Math.max(1, Math.min(100_000, Number.parseInt(pageParam ?? "1", 10) || 1));
  const result = await searchUsers(getDb(getEnv().DB), { q: q.slice(0, 200), page, pageSize: PAGE_SIZE });
  return (
    <>
      <PageHeader title="Users" description={`${result.total} ${result.total === 1 ? "user" : "users"}${q ? ` matching “${q}”` : ""}`} />
      <form className="mb-4 flex max-w-md gap-2" role="search">
        <Input name="q" defaultValue={q} placeholder="Search by email or name" aria-label="Search users" />
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </form>
      <div className="overflow-x-auto rounded-md border">
        <table className="w-full text-sm">
          <thead className="bg-muted/50 text-left text-muted-foreground">
            <tr>
              <th className="px-3 py-2 font-medium">User</th>
              <th className="px-3 py-2 font-medium">Role</th>
              <th className="px-3 py-2 font-medium">Status</th>
              <th className="px-3 py-2 font-medium">Signed up</th>
            </tr>
          </thead>
          <tbody>
            {result.users.map((u) => (
              <tr key={u.id} className="relative border-t hover:bg-muted/40" data-testid="admin-user-row">
                <td className="px-3 py-2">
                  {/* One link per row that covers the whole row: name, email and the rest open the user. */}
                  <Link href={`/admin/users/${u.id}`} className="group after:absolute after:inset-0 after:content-['']">
                    <span className="font-medium group-hover:underline">{u.name}</span>
                    <span className="block text-muted-foreground">{u.email}</span>
                  </Link>
                </td>
                <td className="px-3 py-2">{u.role === "admin" ? <Badge className="text-foreground">admin</Badge> : "user"}</td>
                <td className="px-3 py-2">
                  {u.banned ? (
                    <Badge className="border-destructive text-destructive">banned</Badge>
                  ) : u.emailVerified ? (
                    "active"
                  ) : (
                    "unverified"
                  )}
                </td>
                <td className="px-3 py-2 whitespace-nowrap">{formatDateTime(u.createdAt)}</td>
              </tr>
            ))}
            {result.users.length === 0 && (
              <tr>
                <td colSpan={4} className="px-3 py-6 text-center text-muted-foreground">
                  No users found.
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
