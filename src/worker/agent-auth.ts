import type { Env } from "../env.ts";
import { allowedOrigins, findCaller, type Caller } from "../lib/auth/caller.ts";
import { Forbidden, NotFound, Unauthorized } from "../lib/errors.ts";
import { errorResponse } from "../lib/http/respond.ts";

/**
 * The one place every `/ws/` request (WebSocket upgrade or HTTP, sub-agent paths included) is authorized.
 * Returns a Response to refuse, or nothing to let it through: 401 without a valid session or API key, 403 for a
 * cookie-authenticated WebSocket from another origin or an unverified email, 404 for an agent the caller may not use.
 */
export async function authorizeAgentRequest(
  request: Request,
  env: Env,
  route: { className: string; name: string },
): Promise<Response | void> {
  try {
    const caller = await findCaller(request, env);
    if (!caller) throw new Unauthorized("Sign in to talk to an agent");
    // Browsers attach cookies to cross-site WebSocket handshakes without any CORS check, so Origin must be ours.
    if (caller.via === "session" && request.headers.get("upgrade")?.toLowerCase() === "websocket") {
      const origin = request.headers.get("origin");
      if (!origin || !allowedOrigins(request, env).has(origin)) throw new Forbidden("Cross-site WebSocket refused");
    }
    if (!caller.user.emailVerified) throw new Forbidden("Verify your email address before using agents");
    if (!(await callerMayUseAgent(caller, route, env))) throw new NotFound("No such agent");
  } catch (error) {
    return errorResponse(error);
  }
}

/**
 * Whether the caller may reach this agent. Agents and their ownership arrive with the agent issue, which replaces
 * this with a lookup of the agent's billing account among the caller's accounts; until then no agent is anyone's.
 */
async function callerMayUseAgent(_caller: Caller, _route: { className: string; name: string }, _env: Env): Promise<boolean> {
  return false;
}
