import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AccountCreditsForm } from "@/components/admin/account-credits-form.tsx";
import { formatNumber } from "@/components/admin/format.ts";
import { LedgerTable } from "@/components/admin/ledger-table.tsx";
import { requireAdminPage } from "@/components/admin/require-admin-page.ts";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card.tsx";
import { getDb } from "@/db/client.ts";
import { accountDetails, type AdminAccountDetails } from "@/lib/admin/accounts.ts";
import { NotFound } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "Account · Admin" };
export const dynamic = "force-dynamic";

async function load(id: string): Promise<AdminAccountDetails> {
  const env = getEnv();
  try {
    return await accountDetails(env, getDb(env.DB), id);
  } catch (error) {
    if (error instanceof NotFound) notFound();
    throw error;
  }
}

export default async function AdminAccountPage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdminPage();
  const { account, balance, members, ledger } = await load((await params).id);
  return (
    <>
      <PageHeader
        title={account.name}
        description={
          account.kind === "team" ? `Team ${account.slug ?? ""}` : `Personal account of ${account.ownerEmail ?? "a deleted user"}`
        }
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle className="text-base">Credits</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-4 text-sm">
            <p data-testid="admin-account-balance">
              <span className="text-2xl font-semibold">{formatNumber(balance.credits)}</span> credits ({formatNumber(balance.freeCredits)}{" "}
              free, {formatNumber(balance.purchasedCredits)} purchased)
            </p>
            <AccountCreditsForm accountId={account.id} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle className="text-base">Members</CardTitle>
          </CardHeader>
          <CardContent className="text-sm">
            <ul className="space-y-1">
              {members.map((m) => (
                <li key={m.userId}>
                  <Link href={`/admin/users/${m.userId}`} className="hover:underline">
                    {m.name}
                  </Link>{" "}
                  <span className="text-muted-foreground">
                    ({m.email}, {m.role.startsWith("role_") ? "custom role" : m.role})
                  </span>
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
      </div>
      <Card className="mt-4">
        <CardHeader>
          <CardTitle className="text-base">Ledger (newest 50)</CardTitle>
        </CardHeader>
        <CardContent>
          <LedgerTable ledger={ledger} />
        </CardContent>
      </Card>
    </>
  );
}
