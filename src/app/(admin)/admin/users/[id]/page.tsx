import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { UserActions } from "@/components/admin/user-actions.tsx";
import { UserLimits } from "@/components/admin/user-limits.tsx";
import { requireAdminPage } from "@/components/admin/require-admin-page.ts";
import { formatDateTime, formatNumber } from "@/components/admin/format.ts";
import { LedgerTable } from "@/components/admin/ledger-table.tsx";
import { SessionRevokeButton } from "@/components/admin/session-revoke-button.tsx";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { Badge } from "@/components/ui/badge.tsx";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card.tsx";
import { getDb } from "@/db/client.ts";
import { userDetails, type AdminUserDetails } from "@/lib/admin/users.ts";
import { limitsOf } from "@/lib/agents/account-limits.ts";
import { NotFound } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "User · Admin" };
export const dynamic = "force-dynamic";

async function load(id: string): Promise<AdminUserDetails> {
  const env = getEnv();
  try {
    return await userDetails(env, getDb(env.DB), id);
  } catch (error) {
    if (error instanceof NotFound) notFound();
    throw error;
  }
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">{title}</CardTitle>
      </CardHeader>
      <CardContent className="text-sm">{children}</CardContent>
    </Card>
  );
}

const Empty = ({ children }: { children: React.ReactNode }) => <p className="text-muted-foreground">{children}</p>;

export default async function AdminUserPage({ params }: { params: Promise<{ id: string }> }) {
  const active = await requireAdminPage();
  const details = await load((await params).id);
  const { user } = details;
  return (
    <>
      <PageHeader
        title={user.name}
        description={user.email}
        actions={
          <div className="flex gap-2">
            {user.role === "admin" && <Badge className="text-foreground">admin</Badge>}
            {user.banned && <Badge className="border-destructive text-destructive">banned</Badge>}
            {!user.emailVerified && <Badge>unverified</Badge>}
          </div>
        }
      />
      {user.banned && (
        <p className="mb-4 rounded-md border border-destructive/50 p-3 text-sm" data-testid="ban-notice">
          Banned{user.banReason ? `: ${user.banReason}` : ""}
          {user.banExpires ? ` (until ${formatDateTime(user.banExpires)})` : ""}
        </p>
      )}
      <div className="grid gap-4 lg:grid-cols-2">
        <Section title="Actions">
          <UserActions
            userId={user.id}
            banned={user.banned}
            role={user.role}
            isSelf={user.id === active.user.id}
            hasPersonalAccount={details.personalAccountId !== null}
          />
        </Section>
        <Section title="Credits">
          {details.balance ? (
            <p data-testid="admin-balance">
              <span className="text-2xl font-semibold">{formatNumber(details.balance.credits)}</span> credits (
              {formatNumber(details.balance.freeCredits)} free, {formatNumber(details.balance.purchasedCredits)} purchased)
            </p>
          ) : (
            <Empty>No personal account.</Empty>
          )}
        </Section>
        <Section title="Limits">
          {details.limits ? (
            <UserLimits userId={user.id} limits={details.limits} defaults={limitsOf({ maxAgents: null, maxLiveWorkspaces: null })} />
          ) : (
            <Empty>No personal account.</Empty>
          )}
        </Section>
        <Section title="Accounts and teams">
          {details.memberships.length ? (
            <ul className="space-y-1">
              {details.memberships.map((m) => (
                <li key={m.accountId}>
                  <Link href={`/admin/accounts/${m.accountId}`} className="hover:underline">
                    {m.name}
                  </Link>{" "}
                  <span className="text-muted-foreground">
                    ({m.kind}, {m.role})
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>None.</Empty>
          )}
          <p className="mt-3 text-muted-foreground">
            Signs in with: {details.signInMethods.map((m) => m.providerId).join(", ") || "nothing yet"}
          </p>
        </Section>
        <Section title="Agents">
          {details.agents.length ? (
            <ul className="space-y-1">
              {details.agents.map((a) => (
                <li key={a.id}>
                  {a.name}{" "}
                  <span className="text-muted-foreground">
                    ({a.modelId}, last active {formatDateTime(a.lastActiveAt)})
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No agents.</Empty>
          )}
        </Section>
        <Section title="Sessions">
          {details.sessions.length ? (
            <ul className="space-y-2">
              {details.sessions.map((s) => (
                <li key={s.id} className="flex items-start justify-between gap-2">
                  <div className="min-w-0">
                    <div className="truncate">{s.userAgent ?? "Unknown device"}</div>
                    <div className="text-muted-foreground">
                      {s.ipAddress ?? "unknown IP"} · signed in {formatDateTime(s.createdAt)} · last seen {formatDateTime(s.lastSeenAt)}
                      {s.impersonatedBy ? " · impersonation" : ""}
                    </div>
                  </div>
                  <SessionRevokeButton userId={user.id} sessionId={s.id} />
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No active sessions.</Empty>
          )}
        </Section>
        <Section title="Passkeys and API keys">
          {details.passkeys.length === 0 && details.apiKeys.length === 0 && <Empty>None.</Empty>}
          <ul className="space-y-1">
            {details.passkeys.map((p) => (
              <li key={p.id}>
                Passkey {p.name ?? ""}{" "}
                <span className="text-muted-foreground">
                  ({p.deviceType}, added {formatDateTime(p.createdAt)})
                </span>
              </li>
            ))}
            {details.apiKeys.map((k) => (
              <li key={k.id}>
                API key {k.name}{" "}
                <span className="text-muted-foreground">
                  ({k.prefix}…, last used {formatDateTime(k.lastUsedAt)})
                </span>
              </li>
            ))}
          </ul>
        </Section>
      </div>
      <div className="mt-4">
        <Section title="Ledger (newest 50)">
          <LedgerTable ledger={details.ledger} />
        </Section>
      </div>
    </>
  );
}
