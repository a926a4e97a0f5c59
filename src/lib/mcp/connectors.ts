import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import { mcpConnection, mcpConnector } from "../../db/schema.ts";
import type { Env } from "../../env.ts";
import { openSecret, sealSecret } from "../agents/secrets.ts";
import { Conflict, Forbidden, NotFound } from "../errors.ts";
import { allowlistOf, isServerAllowed } from "./allowlist.ts";

/**
 * MCP connectors: MCP servers added to an agent. Whoever may manage the agent adds and removes them; each user who
 * may use the agent connects with their own credential (a header token or an OAuth grant), sealed at rest with the
 * agents' secrets key, never shown again, and used only for turns that user starts. A member who has not connected
 * sees the connector as "connect to use"; a connector that needs no credential is ready for everyone.
 */

export type ConnectorRow = typeof mcpConnector.$inferSelect;
export type ConnectorAuth = ConnectorRow["auth"];

export const ConnectorName = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, "a connector name is 1-32 lower-case letters, digits and -, starting with a letter");

const HeaderName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{1,64}$/, "a header name is letters, digits and -")
  .refine(
    (name) => !/^(host|cookie|content-type|content-length|mcp-session-id|mcp-protocol-version)$/i.test(name),
    "this header cannot carry a token",
  );

const Token = z.string().trim().min(1, "the token must not be empty").max(8_000);

/** An MCP server URL: https (http only outside production, for local servers), no credentials in it. */
export function serverUrlSchema(env: Pick<Env, "ENVIRONMENT">) {
  return z
    .string()
    .trim()
    .url("url must be the MCP server's URL")
    .refine((url) => {
      const protocol = URL.canParse(url) ? new URL(url).protocol : "";
      return protocol === "https:" || (protocol === "http:" && env.ENVIRONMENT !== "production");
    }, "the MCP server URL must start with https://")
    .refine(
      (url) => !URL.canParse(url) || (!new URL(url).username && !new URL(url).password),
      "put a token in the connector, not in the URL",
    );
}

export function addConnectorBody(env: Pick<Env, "ENVIRONMENT">) {
  return z
    .object({
      name: ConnectorName,
      url: serverUrlSchema(env),
      auth: z.enum(["none", "header", "oauth"]),
      headerName: HeaderName.optional(),
      /** For `header`: the adding user's own token (their connection); others connect with theirs. */
      token: Token.optional(),
    })
    .strict()
    .superRefine((body, ctx) => {
      if (body.auth !== "header" && (body.headerName || body.token))
        ctx.addIssue({ code: "custom", path: ["token"], message: "headerName and token apply only to auth: header" });
    });
}

export const ConnectTokenBody = z.object({ token: Token }).strict();

/** One user's sealed credential for one connector. */
export type McpCredential =
  | { kind: "header"; token: string }
  | { kind: "oauth"; tokens: OAuthTokenSet; client: Record<string, unknown>; redirectUrl: string };

export interface OAuthTokenSet {
  access_token: string;
  token_type: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
}

export type ConnectorStatus = "ready" | "connected" | "connect_to_use" | "not_allowed";

export interface ConnectorView {
  id: string;
  name: string;
  url: string;
  auth: ConnectorAuth;
  headerName: string | null;
  createdAt: string;
  /** For the caller: ready (needs no credential), connected (their own), connect_to_use, or not_allowed by the team. */
  status: ConnectorStatus;
}

const sealScope = (connectorId: string) => `mcp/${connectorId}`;

export async function sealCredential(env: Env, connectorId: string, userId: string, credential: McpCredential): Promise<string> {
  return sealSecret(env, sealScope(connectorId), userId, JSON.stringify(credential));
}

export async function openCredential(env: Env, connectorId: string, userId: string, sealed: string): Promise<McpCredential> {
  return JSON.parse(await openSecret(env, sealScope(connectorId), userId, sealed)) as McpCredential;
}

export async function sealPending(env: Env, connectorId: string, userId: string, pending: unknown): Promise<string> {
  return sealSecret(env, sealScope(connectorId), `${userId}/pending`, JSON.stringify(pending));
}

export async function openPending<T>(env: Env, connectorId: string, userId: string, sealed: string): Promise<T> {
  return JSON.parse(await openSecret(env, sealScope(connectorId), `${userId}/pending`, sealed)) as T;
}

export function statusFor(connector: ConnectorRow, connected: boolean, allowlist: string[] | null): ConnectorStatus {
  if (!isServerAllowed(allowlist, connector.url)) return "not_allowed";
  if (connector.auth === "none") return "ready";
  return connected ? "connected" : "connect_to_use";
}

function view(connector: ConnectorRow, status: ConnectorStatus): ConnectorView {
  return {
    id: connector.id,
    name: connector.name,
    url: connector.url,
    auth: connector.auth,
    headerName: connector.headerName,
    createdAt: connector.createdAt.toISOString(),
    status,
  };
}

export async function connectorsOf(db: Db, agentId: string): Promise<ConnectorRow[]> {
  return db.select().from(mcpConnector).where(eq(mcpConnector.agentId, agentId)).orderBy(asc(mcpConnector.name)).all();
}

/** The ids of the agent's connectors a user has a credential for. */
async function connectedIds(db: Db, connectorIds: string[], userId: string): Promise<Set<string>> {
  if (connectorIds.length === 0) return new Set();
  const rows = await db
    .select({ id: mcpConnection.connectorId, sealed: mcpConnection.credentialSealed })
    .from(mcpConnection)
    .where(and(inArray(mcpConnection.connectorId, connectorIds), eq(mcpConnection.userId, userId)))
    .all();
  return new Set(rows.filter((row) => row.sealed).map((row) => row.id));
}

/** The agent's connectors as one user sees them. */
export async function listConnectors(db: Db, agent: { id: string; accountId: string }, userId: string): Promise<ConnectorView[]> {
  const [connectors, allowlist] = await Promise.all([connectorsOf(db, agent.id), allowlistOf(db, agent.accountId)]);
  const connected = await connectedIds(
    db,
    connectors.map((c) => c.id),
    userId,
  );
  return connectors.map((c) => view(c, statusFor(c, connected.has(c.id), allowlist)));
}

export async function findConnector(db: Db, agentId: string, connectorId: string): Promise<ConnectorRow> {
  const row = await db
    .select()
    .from(mcpConnector)
    .where(and(eq(mcpConnector.id, connectorId), eq(mcpConnector.agentId, agentId)))
    .get();
  if (!row) throw new NotFound("No such connector");
  return row;
}

export async function findConnectorById(db: Db, connectorId: string): Promise<ConnectorRow> {
  const row = await db.select().from(mcpConnector).where(eq(mcpConnector.id, connectorId)).get();
  if (!row) throw new NotFound("No such connector");
  return row;
}

/** Refuses a server a team's allow-list does not name (403), so nothing is stored. */
export async function assertAllowed(db: Db, accountId: string, url: string): Promise<string[] | null> {
  const allowlist = await allowlistOf(db, accountId);
  if (!isServerAllowed(allowlist, url))
    throw new Forbidden("This MCP server is not on the team's allow-list. A team owner or admin can add it in the team's settings.");
  return allowlist;
}

export async function addConnector(
  env: Env,
  db: Db,
  agent: { id: string; accountId: string },
  userId: string,
  input: z.infer<ReturnType<typeof addConnectorBody>>,
): Promise<ConnectorView> {
  const allowlist = await assertAllowed(db, agent.accountId, input.url);
  const existing = await db
    .select({ id: mcpConnector.id })
    .from(mcpConnector)
    .where(and(eq(mcpConnector.agentId, agent.id), eq(mcpConnector.name, input.name)))
    .get();
  if (existing) throw new Conflict(`This agent already has a connector named ${input.name}`);
  const row: ConnectorRow = {
    id: crypto.randomUUID(),
    agentId: agent.id,
    name: input.name,
    url: input.url,
    auth: input.auth,
    headerName: input.auth === "header" ? (input.headerName ?? "Authorization") : null,
    createdByUserId: userId,
    createdAt: new Date(),
  };
  const insert = db.insert(mcpConnector).values(row);
  if (input.token) {
    const credentialSealed = await sealCredential(env, row.id, userId, { kind: "header", token: input.token });
    await db.batch([insert, db.insert(mcpConnection).values({ connectorId: row.id, userId, credentialSealed, updatedAt: new Date() })]);
  } else {
    await insert;
  }
  return view(row, statusFor(row, Boolean(input.token), allowlist));
}

/** Removes a connector and, with it (cascade), every user's credential for it. */
export async function removeConnector(db: Db, agentId: string, connectorId: string): Promise<void> {
  await findConnector(db, agentId, connectorId);
  await db.delete(mcpConnector).where(and(eq(mcpConnector.id, connectorId), eq(mcpConnector.agentId, agentId)));
}

/** Stores (replaces) a user's credential for a connector, ending any OAuth flow in progress. */
export async function storeCredential(env: Env, db: Db, connectorId: string, userId: string, credential: McpCredential): Promise<void> {
  const sealed = await sealCredential(env, connectorId, userId, credential);
  await db
    .insert(mcpConnection)
    .values({ connectorId, userId, credentialSealed: sealed, pendingSealed: null, pendingState: null, updatedAt: new Date() })
    .onConflictDoUpdate({
      target: [mcpConnection.connectorId, mcpConnection.userId],
      set: { credentialSealed: sealed, pendingSealed: null, pendingState: null, updatedAt: new Date() },
    });
}

/** Forgets a user's credential for a connector; false when there was none. */
export async function deleteCredential(db: Db, connectorId: string, userId: string): Promise<boolean> {
  const removed = await db
    .delete(mcpConnection)
    .where(and(eq(mcpConnection.connectorId, connectorId), eq(mcpConnection.userId, userId)))
    .returning({ id: mcpConnection.connectorId });
  return removed.length > 0;
}

export async function credentialOf(env: Env, db: Db, connectorId: string, userId: string): Promise<McpCredential | null> {
  const row = await db
    .select({ sealed: mcpConnection.credentialSealed })
    .from(mcpConnection)
    .where(and(eq(mcpConnection.connectorId, connectorId), eq(mcpConnection.userId, userId)))
    .get();
  return row?.sealed ? openCredential(env, connectorId, userId, row.sealed) : null;
}

/** What one user's turn may use: each connector of the agent with that user's credential, or why it cannot be used. */
export interface TurnConnector {
  connector: ConnectorRow;
  credential: McpCredential | null;
  status: ConnectorStatus;
}

export async function connectorsForTurn(
  env: Env,
  db: Db,
  agent: { id: string; accountId: string },
  userId: string | null,
): Promise<TurnConnector[]> {
  const connectors = await connectorsOf(db, agent.id);
  if (connectors.length === 0) return [];
  const allowlist = await allowlistOf(db, agent.accountId);
  const rows = userId
    ? await db
        .select()
        .from(mcpConnection)
        .where(
          and(
            inArray(
              mcpConnection.connectorId,
              connectors.map((c) => c.id),
            ),
            eq(mcpConnection.userId, userId),
          ),
        )
        .all()
    : [];
  const sealed = new Map(rows.filter((r) => r.credentialSealed).map((r) => [r.connectorId, r.credentialSealed!]));
  return Promise.all(
    connectors.map(async (connector) => {
      const stored = userId ? sealed.get(connector.id) : undefined;
      const credential = stored && userId ? await openCredential(env, connector.id, userId, stored).catch(() => null) : null;
      return { connector, credential, status: statusFor(connector, credential !== null, allowlist) };
    }),
  );
}
