import { redirect } from "next/navigation";
import { AUTH_BASE_PATH } from "@/lib/auth/config.ts";
import { resumedAuthorizationQuery } from "@/lib/auth/oauth-clients.ts";

export const dynamic = "force-dynamic";

type Search = Promise<Record<string, string | string[] | undefined>>;

/**
 * Where an MCP client's authorization request sends a signed-out user (the OAuth provider's login page). The sign-in
 * gate has them sign in first and brings them back here; this resumes the request, which then asks for consent.
 */
export default async function OAuthAuthorizePage({ searchParams }: { searchParams: Search }) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(await searchParams)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(key, one);
  }
  redirect(`${AUTH_BASE_PATH}/oauth2/authorize?${resumedAuthorizationQuery(params)}`);
}
