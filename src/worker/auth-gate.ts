import type { Env } from "../env.ts";
import { findCaller, findMcpCaller, handCaller } from "../lib/auth/caller.ts";
import { requestOrigin } from "../lib/auth/config.ts";
import { MCP_PATH, mcpResource } from "../lib/auth/oauth-server.ts";
import { readSession } from "../lib/auth/session.ts";
import { Unauthorized } from "../lib/errors.ts";
import { errorResponse } from "../lib/http/respond.ts";
import { openAiErrorResponse } from "../lib/openai/errors.ts";

/**
 * App pages that need a signed-in user (the (app) route group). The (admin) pages answer 404 to everyone who is
 * not an admin, signed in or not, so they do their own check instead of redirecting.
 */
export const SIGNED_IN_PAGE_PREFIXES = ["/agents", "/usage", "/billing", "/team", "/settings", "/oauth"];

/**
 * `/api/*` paths anyone may call; every other `/api/*` path needs a session or an API key. The dev and test hooks
 * refuse by themselves outside development and the test suite. `/api/shares/` answers only a share link's snapshot.
 */
export const PUBLIC_API_PREFIXES = [
  "/api/auth/",
  "/api/health",
  "/api/dev/",
  "/api/test/",
  "/api/webhooks/",
  "/api/stripe/webhook",
  "/api/shares/",
];

/** The OpenAI-compatible API (docs/api.md): gated like `/api/*`, its refusals in OpenAI's error shape. */
export const OPENAI_API_PREFIX = "/v1/";

/** Admin routes answer 404 to everyone but admins, signed in or not, so their own check (requireAdminCaller) decides. */
export const ADMIN_API_PREFIX = "/api/admin";

/** Where an MCP client reads who may sign it in for /mcp (RFC 9728), as a 401 from /mcp points it there. */
export function mcpResourceMetadataUrl(request: Request, env: Env): string {
  const resource = new URL(mcpResource(requestOrigin(request, env)));
  return `${resource.origin}/.well-known/oauth-protected-resource${resource.pathname}`;
}

/** The 401 of /mcp: our JSON error, with the challenge that starts an MCP client's OAuth sign-in. */
function mcpUnauthorized(request: Request, env: Env): Response {
  const response = errorResponse(new Unauthorized("Send an API key (Authorization: Bearer nm8_...) or sign in with OAuth"));
  response.headers.set("www-authenticate", `Bearer resource_metadata="${mcpResourceMetadataUrl(request, env)}"`);
  return response;
}

function matches(pathname: string, prefix: string): boolean {
  return prefix.endsWith("/") ? pathname.startsWith(prefix) : pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/**
 * Runs before Next.js: an unauthenticated request for an app page is redirected to /sign-in, one for a non-public
 * `/api/*` route or any `/v1/*` route answers 401 JSON (in OpenAI's error shape for `/v1`), and one for `/mcp` (API
 * key or OAuth token only) a 401 whose WWW-Authenticate names the resource metadata. This makes signed-in the default for every route, including ones not written yet.
 * Returns the refusal, or the request to hand to Next.js: for a signed-in API call it carries the caller the gate
 * looked up, so the route handler's requireUser does not read the session again.
 */
export async function gateRequest<R extends Request>(request: R, env: Env): Promise<Response | R> {
  const url = new URL(request.url);
  const { pathname } = url;
  try {
    if (pathname === MCP_PATH || pathname === `${MCP_PATH}/`) {
      const caller = await findMcpCaller(request, env);
      return caller ? handCaller(request, caller) : mcpUnauthorized(request, env);
    }
    if (pathname.startsWith(OPENAI_API_PREFIX)) {
      const caller = await findCaller(request, env);
      if (!caller) throw new Unauthorized("Send an API key: Authorization: Bearer nm8_...");
      return handCaller(request, caller);
    }
    if (pathname.startsWith("/api/")) {
      if (PUBLIC_API_PREFIXES.some((p) => matches(pathname, p)) || matches(pathname, ADMIN_API_PREFIX)) return request;
      const caller = await findCaller(request, env);
      if (!caller) throw new Unauthorized();
      return handCaller(request, caller);
    }
    if (SIGNED_IN_PAGE_PREFIXES.some((p) => matches(pathname, p))) {
      if (await readSession(request, env)) return request;
      const signIn = new URL("/sign-in", url);
      signIn.searchParams.set("next", `${pathname}${url.search}`);
      return Response.redirect(signIn.toString(), 303);
    }
    return request;
  } catch (error) {
    return pathname.startsWith(OPENAI_API_PREFIX) ? openAiErrorResponse(error) : errorResponse(error);
  }
}
