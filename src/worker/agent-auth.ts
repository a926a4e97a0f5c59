import { and, eq } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { account, accountMember } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { findAgentById } from "../lib/agents/agents.ts";
import { parseThreadObjectName } from "../lib/agents/ids.ts";
import { CREDENTIAL_HEADER } from "../agent/connection-auth.ts";
import { allowedOrigins, findCaller, type Caller } from "../lib/auth/caller.ts";
import { credentialOf } from "../lib/auth/live-credential.ts";
import { Forbidden, NotFound, Unauthorized } from "../lib/errors.ts";
import { errorResponse } from "../lib/http/respond.ts";
import { permissionsFor } from "../lib/teams/membership.ts";

/**
 * The one place every `/ws/` request (WebSocket upgrade or HTTP, sub-agent paths included) is authorized.
 * Returns a Response to refuse, or the request to forward: 401 without a valid session or API key, 403 for a
 * cookie-authenticated WebSocket from another origin or an unverified email, 404 for an agent of an account the
 * caller does not belong to, 403 for a member whose role lacks agents.use. An authorized request goes on with the
 * credential that authorized it in a header, which the agent records on a WebSocket to re-check it on each message.
 */
export async function authorizeAgentRequest(
  request: Request,
  env: Env,
  route: { className: string; name: string },
): Promise<Response | Request> {
  try {
    const caller = await findCaller(request, env);
    if (!caller) throw new Unauthorized("Sign in to talk to an agent");
    // Browsers attach cookies to cross-site WebSocket handshakes without any CORS check, so Origin must be ours.
    if (caller.via === "session" && request.headers.get("upgrade")?.toLowerCase() === "websocket") {
      const origin = request.headers.get("origin");
      if (!origin || !allowedOrigins(request, env).has(origin)) throw new Forbidden("Cross-site WebSocket refused");
    }
    if (!caller.user.emailVerified) throw new Forbidden("Verify your email address before using agents");
    const access = await callerAccessToAgent(caller, route, env);
    if (access === "none") throw new NotFound("No such agent");
    if (access === "member") throw new Forbidden("Your role in this team does not allow using its agents (agents.use)");
    const forwarded = new Request(request);
    forwarded.headers.delete(CREDENTIAL_HEADER);
    const credential = credentialOf(caller);
    if (credential) forwarded.headers.set(CREDENTIAL_HEADER, credential);
    return forwarded;
  } catch (error) {
    return errorResponse(error);
  }
}

/**
 * The caller's access to this agent: `/ws/agent/<agentId>` or `/ws/thread/<agentId>-<threadId>`, where the agent's
 * billing account (not X-Account: the agent itself says whose it is) must be one the caller belongs to ("member"),
 * with agents.use ("use").
 */
async function callerAccessToAgent(
  caller: Caller,
  route: { className: string; name: string },
  env: Env,
): Promise<"none" | "member" | "use"> {
  const agentId = route.className === "Agent" ? route.name : route.className === "Thread" ? parseThreadObjectName(route.name)?.agentId : undefined;
  if (!agentId) return "none";
  const db = getDb(env.DB);
  const found = await findAgentById(db, agentId);
  if (!found) return "none";
  const membership = await db
    .select({ role: accountMember.role, kind: account.kind })
    .from(accountMember)
    .innerJoin(account, eq(account.id, accountMember.accountId))
    .where(and(eq(accountMember.accountId, found.accountId), eq(accountMember.userId, caller.user.id)))
    .get();
  if (!membership) return "none";
  const permissions = await permissionsFor(db, { accountId: found.accountId, ...membership });
  return permissions.includes("agents.use") ? "use" : "member";
}
