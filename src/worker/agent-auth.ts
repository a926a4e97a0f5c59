import type { Env } from "../env.ts";

/**
 * The one place every `/ws/` request (WebSocket upgrade or HTTP, sub-agent paths included) is authorized.
 * Returns a Response to refuse, or nothing to let it through. Until sign-in exists nobody can be authorized,
 * so every request is refused; the authentication and agent issues replace this with session and ownership checks.
 */
export async function authorizeAgentRequest(
  _request: Request,
  _env: Env,
  _route: { className: string; name: string },
): Promise<Response | void> {
  return Response.json({ error: { code: "unauthorized", message: "Sign in to talk to an agent" } }, { status: 401 });
}
