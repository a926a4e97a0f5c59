import type { Metadata } from "next";
import Link from "next/link";
import { requireAdminPage } from "@/components/admin/require-admin-page.ts";
import { formatDateTime } from "@/components/admin/format.ts";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { getDb } from "@/db/client.ts";
import { listAudit, type AuditEntry } from "@/lib/admin/audit.ts";
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
                  <AuditTarget entry={e} />
                </td>
                <td className="px-3 py-2 text-muted-foreground">
                  <AuditDetail detail={e.detail} />
                </td>
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

const TARGET_PAGES: Record<string, string> = { user: "/admin/users/", account: "/admin/accounts/" };

function AuditTarget({ entry }: { entry: AuditEntry }) {
  if (!entry.targetId) return <>{entry.targetType}</>;
  const label = entry.targetLabel ?? `${entry.targetType} ${entry.targetId.slice(0, 8)} (deleted)`;
  const page = TARGET_PAGES[entry.targetType];
  if (!page) return <span className="break-words">{`${entry.targetType} ${label}`}</span>;
  return (
    <Link
      href={`${page}${entry.targetId}`}
      className="break-words text-primary underline-offset-2 hover:underline"
      data-testid="audit-target"
    >
      {label}
    </Link>
  );
}

function detailValue(value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** An action's details as "key: value" lines, the way a person reads them. */
function AuditDetail({ detail }: { detail: Record<string, unknown> }) {
  const entries = Object.entries(detail);
  if (entries.length === 0) return null;
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-2" data-testid="audit-detail">
      {entries.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="font-medium">{key}:</dt>
          <dd className="break-words [overflow-wrap:anywhere]">{detailValue(value)}</dd>
        </div>
      ))}
    </dl>
  );
}
