import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { oauthClient } from "../../db/schema.ts";

/** What the consent page shows of a client: the name and address it registered with (its own claims, shown as text). */
export async function findOAuthClientForConsent(db: Db, clientId: string): Promise<{ name: string | null; uri: string | null } | null> {
  const [row] = await db
    .select({ name: oauthClient.name, uri: oauthClient.uri, disabled: oauthClient.disabled })
    .from(oauthClient)
    .where(eq(oauthClient.clientId, clientId))
    .limit(1);
  return row && !row.disabled ? { name: row.name, uri: row.uri } : null;
}

/** The authorization parameters the sign-in step hands back to /oauth2/authorize: the signature's own are left out. */
const SIGNATURE_PARAMS = new Set(["sig", "exp", "ba_iat", "ba_param", "ba_pl"]);

/**
 * The authorization request a signed-out user started, to resume once they have signed in: the same parameters, less
 * the login page's signature and a `prompt=login` that the sign-in just satisfied (which would loop otherwise).
 */
export function resumedAuthorizationQuery(params: URLSearchParams): URLSearchParams {
  const resumed = new URLSearchParams();
  for (const [key, value] of params) {
    if (SIGNATURE_PARAMS.has(key)) continue;
    if (key === "prompt") {
      const rest = value.split(" ").filter((p) => p && p !== "login" && p !== "create");
      if (rest.length > 0) resumed.append(key, rest.join(" "));
      continue;
    }
    resumed.append(key, value);
  }
  return resumed;
}
