import { auth } from "@modelcontextprotocol/client";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { mcpConnection } from "../../db/schema.ts";
import type { Env } from "../../env.ts";
import { Invalid, NotFound } from "../errors.ts";
import { type ConnectorRow, type OAuthTokenSet, findConnectorById, openPending, sealPending, storeCredential } from "./connectors.ts";
import { type OAuthState, StoredOAuthProvider } from "./oauth-provider.ts";

/**
 * Connecting a user to an OAuth connector: start (discover, register, PKCE; the browser goes to the server's sign-in
 * page) and finish (the callback's code is exchanged for tokens, sealed as that user's credential). The flow in
 * progress is kept sealed on the user's connection row, found again by its `state`, and only the user who started it
 * may finish it.
 */

export const OAUTH_CALLBACK_PATH = "/api/mcp/oauth/callback";

interface PendingFlow extends OAuthState {
  state: string;
  redirectUrl: string;
}

function randomState(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A sign-in the server refused: which connector it was for, so the browser goes back to its agent with the reason. */
export class OAuthSignInFailed extends Invalid {
  readonly connector: ConnectorRow;

  constructor(message: string, connector: ConnectorRow) {
    super(message);
    this.connector = connector;
  }
}

/** Starts the flow; returns the URL of the server's sign-in page for the user's browser. */
export async function startOAuth(env: Env, db: Db, connector: ConnectorRow, userId: string, origin: string): Promise<string> {
  if (connector.auth !== "oauth") throw new Invalid("This connector does not use OAuth: give it a token instead");
  const redirectUrl = `${origin}${OAUTH_CALLBACK_PATH}`;
  const state = randomState();
  const provider = new StoredOAuthProvider(redirectUrl, state, {}, { interactive: true, connectorName: connector.name });
  try {
    await auth(provider, { serverUrl: connector.url });
  } catch (error) {
    throw new Invalid(`The MCP server's sign-in could not be started: ${describe(error)}`);
  }
  if (!provider.authorizationUrl) throw new Invalid("The MCP server did not ask for a sign-in");
  const pending: PendingFlow = { ...provider.snapshot(), state, redirectUrl };
  const sealed = await sealPending(env, connector.id, userId, pending);
  await db
    .insert(mcpConnection)
    .values({ connectorId: connector.id, userId, pendingSealed: sealed, pendingState: state, updatedAt: new Date() })
    .onConflictDoUpdate({
      target: [mcpConnection.connectorId, mcpConnection.userId],
      set: { pendingSealed: sealed, pendingState: state, updatedAt: new Date() },
    });
  return provider.authorizationUrl.toString();
}

/** Finishes the flow the callback names; returns the connector, for sending the browser back to its agent. */
export async function finishOAuth(env: Env, db: Db, input: { state: string; code: string }, userId: string): Promise<ConnectorRow> {
  const row = await db.select().from(mcpConnection).where(eq(mcpConnection.pendingState, input.state)).get();
  // Another user's flow answers as an unknown one: a sign-in link cannot connect someone else's account.
  if (!row || row.userId !== userId || !row.pendingSealed)
    throw new NotFound("This sign-in has expired or was already used: connect again");
  const connector = await findConnectorById(db, row.connectorId);
  const pending = await openPending<PendingFlow>(env, connector.id, userId, row.pendingSealed);
  const provider = new StoredOAuthProvider(pending.redirectUrl, pending.state, pending, {
    interactive: false,
    connectorName: connector.name,
  });
  try {
    await auth(provider, { serverUrl: connector.url, authorizationCode: input.code });
  } catch (error) {
    throw new OAuthSignInFailed(`The MCP server refused the sign-in: ${describe(error)}`, connector);
  }
  const { tokens, client } = provider.snapshot();
  if (!tokens) throw new OAuthSignInFailed("The MCP server gave no token", connector);
  await storeCredential(env, db, connector.id, userId, {
    kind: "oauth",
    tokens: tokens as OAuthTokenSet,
    client: (client ?? {}) as Record<string, unknown>,
    redirectUrl: pending.redirectUrl,
  });
  return connector;
}
