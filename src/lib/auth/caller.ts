import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client.ts";
import { account, accountMember } from "../../db/schema.ts";
import type { Env } from "../../env.ts";
import { AppError, Forbidden, NotFound, Unauthorized } from "../errors.ts";
import { permissionsFor } from "../teams/membership.ts";
import type { Permission } from "../teams/permissions.ts";
import { selectedAccountId } from "../teams/selection.ts";
import { looksLikeApiKey, userForApiKey } from "./api-keys.ts";
import { mcpResource } from "./oauth-server.ts";
import { userForOAuthToken } from "./oauth-tokens.ts";
import { requestOrigin } from "./config.ts";
import { readSession, type SessionUser } from "./session.ts";

/**
 * Who is calling: the signed-in user (by session cookie or API key, or on /mcp by an OAuth access token an MCP client
 * was given) and their personal billing account.
 */
export interface Caller {
  user: SessionUser;
  personalAccountId: string;
  via: "session" | "api_key" | "oauth";
  sessionId?: string;
  apiKeyId?: string;
  oauthTokenId?: string;
}

export class EmailNotVerified extends AppError {
  constructor() {
    super("email_not_verified", 403, "Verify your email address first: we sent you a link when you signed up");
  }
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The origins a browser may send cookie-authenticated writes from: the request's own and APP_URL's. */
export function allowedOrigins(request: Request, env: Pick<Env, "APP_URL" | "ENVIRONMENT">): Set<string> {
  const origins = new Set([requestOrigin(request, env)]);
  if (env.APP_URL) origins.add(new URL(env.APP_URL).origin);
  return origins;
}

/**
 * Refuses a cookie-authenticated write whose Origin is missing or not ours (cross-site request forgery).
 * API-key requests need no check: a browser never attaches the key on its own.
 */
export function assertSameOrigin(request: Request, env: Pick<Env, "APP_URL" | "ENVIRONMENT">): void {
  if (!WRITE_METHODS.has(request.method.toUpperCase())) return;
  const origin = request.headers.get("origin");
  if (!origin || !allowedOrigins(request, env).has(origin)) {
    throw new Forbidden("Cross-site request refused: the Origin header must be this site");
  }
}

/**
 * Refuses a cookie-authenticated WebSocket handshake from another origin: browsers attach cookies to cross-site
 * WebSocket handshakes without any CORS check, so Origin must be ours.
 */
export function assertSameOriginWebSocket(request: Request, env: Pick<Env, "APP_URL" | "ENVIRONMENT">, caller: Caller): void {
  if (caller.via !== "session" || request.headers.get("upgrade")?.toLowerCase() !== "websocket") return;
  const origin = request.headers.get("origin");
  if (!origin || !allowedOrigins(request, env).has(origin)) throw new Forbidden("Cross-site WebSocket refused");
}

function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match ? match[1]! : null;
}

/**
 * The header that hands a request's caller from the Worker's gate, which looked it up, to the route handler, so a
 * request reads its session or API key once. The Worker entry removes any client-sent header of this name first
 * (withoutHandedCaller), so only the gate can set it.
 */
const HANDED_CALLER_HEADER = "x-netm8-caller";

/** The request without a caller claimed by the client: the first thing the Worker entry does with every request. */
export function withoutHandedCaller<R extends Request>(request: R): R {
  if (!request.headers.has(HANDED_CALLER_HEADER)) return request;
  const clean = new Request(request) as R;
  clean.headers.delete(HANDED_CALLER_HEADER);
  return clean;
}

/** The request with its looked-up caller attached for the route handler (findCaller reads it instead of D1). */
export function handCaller<R extends Request>(request: R, caller: Caller): R {
  const handed = new Request(request) as R;
  handed.headers.set(HANDED_CALLER_HEADER, encodeURIComponent(JSON.stringify(caller)));
  return handed;
}

/**
 * The caller of a request, or null when it carries no valid credentials. An `Authorization: Bearer <api key>`
 * header wins over a cookie; a cookie-authenticated write must pass the Origin check. A caller the gate already
 * looked up for this request is taken as it was handed on (handCaller).
 */
export async function findCaller(request: Request, env: Env): Promise<Caller | null> {
  const handed = request.headers.get(HANDED_CALLER_HEADER);
  if (handed) return JSON.parse(decodeURIComponent(handed)) as Caller;
  return lookUpCaller(request, env);
}

async function lookUpCaller(request: Request, env: Env): Promise<Caller | null> {
  const bearer = bearerToken(request);
  if (bearer) {
    if (!looksLikeApiKey(bearer)) return null;
    const found = await userForApiKey(env.DB, bearer);
    if (!found?.personalAccountId) return null;
    return { user: found.user, personalAccountId: found.personalAccountId, via: "api_key", apiKeyId: found.apiKeyId };
  }
  const active = await readSession(request, env);
  if (!active?.personalAccountId) return null;
  assertSameOrigin(request, env);
  return { user: active.user, personalAccountId: active.personalAccountId, via: "session", sessionId: active.sessionId };
}

/**
 * The caller of an MCP request: an API key (`Authorization: Bearer nm8_...`) or an OAuth access token issued for this
 * origin's /mcp; never a cookie, so no web page can make a browser call /mcp. Null without valid credentials.
 */
export async function findMcpCaller(request: Request, env: Env): Promise<Caller | null> {
  const handed = request.headers.get(HANDED_CALLER_HEADER);
  if (handed) return JSON.parse(decodeURIComponent(handed)) as Caller;
  const bearer = bearerToken(request);
  if (!bearer) return null;
  if (looksLikeApiKey(bearer)) return lookUpCaller(request, env);
  const found = await userForOAuthToken(env.DB, bearer, mcpResource(requestOrigin(request, env)));
  if (!found?.personalAccountId) return null;
  return { user: found.user, personalAccountId: found.personalAccountId, via: "oauth", oauthTokenId: found.tokenId };
}

/** The signed-in caller; throws Unauthorized (401) otherwise. Every `/api/*` route a user may call starts here. */
export async function requireUser(request: Request, env: Env): Promise<Caller> {
  const caller = await findCaller(request, env);
  if (!caller) throw new Unauthorized();
  return caller;
}

/**
 * Like requireUser, for what only a person signed in with their session may do: manage API keys and sessions (and,
 * through Better Auth, which never accepts a key, passwords, email and account deletion). A stolen or leaked key
 * must not be able to mint more keys or lock the owner out.
 */
export async function requireSessionUser(request: Request, env: Env): Promise<Caller> {
  const caller = await requireUser(request, env);
  if (caller.via !== "session") throw new Forbidden("API keys cannot manage API keys or sessions: sign in to do this");
  return caller;
}

/** Like requireUser, and the email must be verified (agents can be used only after verification). */
export async function requireVerifiedUser(request: Request, env: Env): Promise<Caller> {
  const caller = await requireUser(request, env);
  if (!caller.user.emailVerified) throw new EmailNotVerified();
  return caller;
}

export interface ActingAccount {
  id: string;
  kind: "personal" | "team";
  role: string;
  /** What the caller may do in this account (src/lib/teams/permissions.ts). */
  permissions: Permission[];
}

/**
 * The billing account a request acts on: the account named by `X-Account` when the caller is a member of it, else
 * the one the browser's account switcher selected (cookie, src/lib/teams/selection.ts), else the personal account. Any other id answers 404, as if it did not exist. With `required`, a member
 * without that permission gets 403 (the owner of a personal account holds every permission).
 */
export async function callerAccount(request: Request, env: Env, caller: Caller, required?: Permission): Promise<ActingAccount> {
  const requested = request.headers.get("x-account")?.trim();
  if (requested) return membershipOf(env, caller, requested, required);
  const selected = caller.via === "session" ? selectedAccountId(request.headers.get("cookie")) : undefined;
  if (selected && selected !== caller.personalAccountId) {
    // The switcher's remembered choice; a team the caller has since left falls back to the personal account.
    const team = await membershipOf(env, caller, selected).catch((error: unknown) => {
      if (error instanceof NotFound) return undefined;
      throw error;
    });
    if (team) return membershipOf(env, caller, team.id, required);
  }
  return membershipOf(env, caller, caller.personalAccountId, required);
}

/** The caller's membership of one account with its permissions: 404 for a non-member, 403 without `required`. */
export async function membershipOf(env: Env, caller: Caller, accountId: string, required?: Permission): Promise<ActingAccount> {
  const db = getDb(env.DB);
  const [row] = await db
    .select({ id: account.id, kind: account.kind, role: accountMember.role })
    .from(accountMember)
    .innerJoin(account, eq(account.id, accountMember.accountId))
    .where(and(eq(accountMember.accountId, accountId), eq(accountMember.userId, caller.user.id)))
    .limit(1);
  if (!row) throw new NotFound("No such account");
  const permissions = await permissionsFor(db, { accountId: row.id, kind: row.kind, role: row.role });
  if (required && !permissions.includes(required)) throw new Forbidden(`Your role in this team does not allow this (${required})`);
  return { ...row, permissions };
}
