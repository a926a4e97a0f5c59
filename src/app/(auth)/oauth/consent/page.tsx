import type { Metadata } from "next";
import { AuthCard } from "@/components/auth/auth-card.tsx";
import { currentSession } from "@/components/auth/current-session.ts";
import { OAuthConsentForm } from "@/components/auth/oauth-consent-form.tsx";
import { getDb } from "@/db/client.ts";
import { findOAuthClientForConsent } from "@/lib/auth/oauth-clients.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "Allow access" };
export const dynamic = "force-dynamic";

type Search = Promise<{ client_id?: string; scope?: string; resource?: string | string[] }>;

const SCOPE_TEXT: Record<string, string> = {
  openid: "Know who you are",
  profile: "See your name",
  email: "See your email address",
  offline_access: "Stay connected until you revoke it",
};

/**
 * The OAuth provider's consent page: an MCP client (Claude Desktop, the MCP Inspector...) asks to act as the
 * signed-in user on /mcp, with their agents, permissions and credits; they allow or deny it.
 */
export default async function OAuthConsentPage({ searchParams }: { searchParams: Search }) {
  const { client_id: clientId, scope } = await searchParams;
  const session = await currentSession();
  const client = clientId ? await findOAuthClientForConsent(getDb(getEnv().DB), clientId) : null;
  if (!client || !session) {
    return (
      <AuthCard title="This request is not valid">
        <p role="alert" className="text-sm text-destructive">
          The application that sent you here is unknown or was disabled. Start the connection again from the application.
        </p>
      </AuthCard>
    );
  }
  const scopes = (scope ?? "").split(" ").filter((s) => s && SCOPE_TEXT[s]);
  const name = client.name?.trim() || "An application";
  return (
    <AuthCard title={`Allow ${name} to use netM8?`} description={`Signed in as ${session.user.email}`}>
      <div className="space-y-4 text-sm">
        <p>
          <strong>{name}</strong>
          {client.uri && <span className="text-muted-foreground"> ({client.uri})</span>} will be able to use your agents through MCP as you:
          read their threads and files, send them messages and start tasks. What it does is charged to your credits.
        </p>
        {scopes.length > 0 && (
          <ul aria-label="What it asks for" className="list-disc space-y-1 pl-5 text-muted-foreground">
            {scopes.map((s) => (
              <li key={s}>{SCOPE_TEXT[s]}</li>
            ))}
          </ul>
        )}
        <OAuthConsentForm />
      </div>
    </AuthCard>
  );
}
