import type { Env } from "../env.ts";
import { findCaller } from "../lib/auth/caller.ts";
import { readSession } from "../lib/auth/session.ts";
import { Unauthorized } from "../lib/errors.ts";
import { errorResponse } from "../lib/http/respond.ts";

/**
 * App pages that need a signed-in user (the (app) route group). The (admin) pages answer 404 to everyone who is
 * not an admin, signed in or not, so they do their own check instead of redirecting.
 */
export const SIGNED_IN_PAGE_PREFIXES = ["/agents", "/usage", "/billing", "/team", "/settings"];

/**
 * `/api/*` paths anyone may call; every other `/api/*` path needs a session or an API key. The dev and test hooks
 * refuse by themselves outside development and the test suite.
 */
export const PUBLIC_API_PREFIXES = ["/api/auth/", "/api/health", "/api/dev/", "/api/test/", "/api/webhooks/", "/api/stripe/webhook"];

/** Admin routes answer 404 to everyone but admins, signed in or not, so their own check (requireAdminCaller) decides. */
export const ADMIN_API_PREFIX = "/api/admin";

function matches(pathname: string, prefix: string): boolean {
  return prefix.endsWith("/") ? pathname.startsWith(prefix) : pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/**
 * Runs before Next.js: an unauthenticated request for an app page is redirected to /sign-in, one for a non-public
 * `/api/*` route answers 401 JSON. Route handlers still call requireUser for the caller; this makes signed-in the
 * default for every route, including ones not written yet.
 */
export async function gateRequest(request: Request, env: Env): Promise<Response | null> {
  const url = new URL(request.url);
  const { pathname } = url;
  try {
    if (pathname.startsWith("/api/")) {
      if (PUBLIC_API_PREFIXES.some((p) => matches(pathname, p)) || matches(pathname, ADMIN_API_PREFIX)) return null;
      if (!(await findCaller(request, env))) throw new Unauthorized();
      return null;
    }
    if (SIGNED_IN_PAGE_PREFIXES.some((p) => matches(pathname, p))) {
      if (await readSession(request, env)) return null;
      const signIn = new URL("/sign-in", url);
      signIn.searchParams.set("next", `${pathname}${url.search}`);
      return Response.redirect(signIn.toString(), 303);
    }
    return null;
  } catch (error) {
    return errorResponse(error);
  }
}
