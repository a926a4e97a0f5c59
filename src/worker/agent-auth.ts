import type { Env } from "../env.ts";
import { CREDENTIAL_HEADER } from "../agent/connection-auth.ts";
import { assertSameOriginWebSocket, findCaller } from "../lib/auth/caller.ts";
import { credentialOf } from "../lib/auth/live-credential.ts";
import { NotFound, Unauthorized } from "../lib/errors.ts";
import { errorResponse } from "../lib/http/respond.ts";
import { agentIdOfRoute, authorizeAgent } from "../operations/agent-access.ts";

/**
 * The one place every `/ws/` request (WebSocket upgrade or HTTP, sub-agent paths included) is authorized.
 * Returns a Response to refuse, or the request to forward: 401 without a valid session or API key, 403 for a
 * cookie-authenticated WebSocket from another origin, and otherwise exactly what REST answers for the same agent
 * (authorizeAgent: 403 email_not_verified, 404 for an agent of an account the caller does not belong to, 403 for a
 * member whose role lacks agents.use). An authorized request goes on with the credential that authorized it in a
 * header, which the agent records on a WebSocket to re-check it on each message.
 */
export async function authorizeAgentRequest(
  request: Request,
  env: Env,
  route: { className: string; name: string },
): Promise<Response | Request> {
  try {
    const caller = await findCaller(request, env);
    if (!caller) throw new Unauthorized("Sign in to talk to an agent");
    assertSameOriginWebSocket(request, env, caller);
    const agentId = agentIdOfRoute(route);
    if (!agentId) throw new NotFound("No such agent");
    await authorizeAgent(env, caller, agentId, "agents.use");
    const forwarded = new Request(request);
    forwarded.headers.delete(CREDENTIAL_HEADER);
    const credential = credentialOf(caller);
    if (credential) forwarded.headers.set(CREDENTIAL_HEADER, credential);
    return forwarded;
  } catch (error) {
    return errorResponse(error);
  }
}
