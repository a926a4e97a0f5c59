import type { Metadata } from "next";
import Link from "next/link";
import { requireAdminPage } from "@/components/admin/require-admin-page.ts";
import { formatDateTime } from "@/components/admin/format.ts";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { getDb } from "@/db/client.ts";
import { listAudit } from "@/lib/admin/audit.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "Audit log · Admin" };
export const dynamic = "force-dynamic";

const PAGE_SIZE = 50;

export default async function AdminAuditPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  await requireAdminPage();
  const { before } = await searchParams;
  const validBefore = before && !Number.isNaN(Date.parse(before)) ? before : undefined;
  const entries = await listAudit(getDb(getEnv().DB), { limit: PAGE_SIZE, ...(validBefore && { before: validBefore }) });
  return (
    <>
      <PageHeader title="Audit log" description="Every admin action, newest first." />
      <div className="overflow-x-auto rounded-md border">
        <table className="w-full text-sm" data-testid="admin-audit">
          <thead className="bg-muted/50 text-left text-muted-foreground">
            <tr>
              <th className="px-3 py-2 font-medium">When</th>
              <th className="px-3 py-2 font-medium">Admin</th>
              <th className="px-3 py-2 font-medium">Action</th>
              <th className="px-3 py-2 font-medium">Target</th>
              <th className="px-3 py-2 font-medium">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} className="border-t align-top">
                <td className="px-3 py-2 whitespace-nowrap">{formatDateTime(e.createdAt)}</td>
                <td className="px-3 py-2">{e.actorEmail}</td>
                <td className="px-3 py-2">
                  <code>{e.action}</code>
                </td>
                <td className="px-3 py-2">
                  {e.targetType === "user" && e.targetId ? (
                    <Link href={`/admin/users/${e.targetId}`} className="hover:underline">
                      user {e.targetId.slice(0, 8)}
                    </Link>
                  ) : (
                    `${e.targetType} ${e.targetId ?? ""}`
                  )}
                </td>
                <td className="px-3 py-2 break-all text-muted-foreground">{JSON.stringify(e.detail)}</td>
              </tr>
            ))}
            {entries.length === 0 && (
              <tr>
                <td colSpan={5} className="px-3 py-6 text-center text-muted-foreground">
                  No admin actions yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {entries.length === PAGE_SIZE && (
        <Link href={`?before=${encodeURIComponent(entries.at(-1)!.createdAt)}`} className="mt-4 inline-block text-sm hover:underline">
          Older →
        </Link>
      )}
    </>
  );
}
