import { isProduction, type Env } from "../env.ts";
import { COOKIE_PREFIX, LEGACY_SESSION_COOKIE_NAME, sessionCookieName } from "../lib/auth/config.ts";
import { readCookie, readSession } from "../lib/auth/session.ts";
import { previewDomain } from "../lib/previews/url.ts";
import { withHeaders } from "./security-headers.ts";

/** The request to serve, and the cookies its answer must set to finish moving the session to its new name. */
export type SessionCookieMigration<R extends Request> = { request: R; setCookies: string[] };

const EXPIRE_LEGACY = `${LEGACY_SESSION_COOKIE_NAME}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`;

/**
 * Production's session cookie was `__Secure-netm8.session_token` before it became `__Host-`. A browser that holds
 * only the old one, for a valid session, is served as if it held the new one, and the answer re-issues the same
 * signed value under the new name and expires the old: the rename signs nobody out where previews have a domain of
 * their own (PREVIEW_DOMAIN). An old cookie next to a new one, for a session that is over, or without PREVIEW_DOMAIN,
 * is only expired.
 */
export async function adoptLegacySessionCookie<R extends Request>(request: R, env: Env): Promise<SessionCookieMigration<R>> {
  const unchanged = { request, setCookies: [] };
  if (!isProduction(env)) return unchanged;
  const header = request.headers.get("cookie");
  const legacy = readCookie(header, LEGACY_SESSION_COOKIE_NAME);
  if (!legacy) return unchanged;
  // JavaScript on a preview that shares the app's domain could plant the old name (it allows a Domain attribute) in
  // a signed-out browser: without a preview domain of their own, the old cookie is only expired, never adopted, and
  // its holder signs in once more.
  if (!previewDomain(env)) return { request, setCookies: [EXPIRE_LEGACY] };
  const name = sessionCookieName(env);
  if (readCookie(header, name)) return { request, setCookies: [EXPIRE_LEGACY] };
  let session: Awaited<ReturnType<typeof readSession>>;
  try {
    session = await readSession(request, env, LEGACY_SESSION_COOKIE_NAME);
  } catch (error) {
    console.error("legacy session cookie not checked", error);
    return unchanged;
  }
  if (!session) return { request, setCookies: [EXPIRE_LEGACY] };
  const adopted = new Request(request) as R;
  adopted.headers.set("cookie", `${header}; ${name}=${legacy}`);
  // A "don't remember me" session keeps a cookie that ends with the browser session, as Better Auth sets it.
  const remembered = readCookie(header, `__Secure-${COOKIE_PREFIX}.dont_remember`) === null;
  const maxAge = Math.max(0, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000));
  return {
    request: adopted,
    setCookies: [`${name}=${legacy}; ${remembered ? `Max-Age=${maxAge}; ` : ""}Path=/; HttpOnly; Secure; SameSite=Lax`, EXPIRE_LEGACY],
  };
}

/** The answer with the migration's cookies; a new session cookie the answer sets itself (sign-in, sign-out) wins. */
export function withSessionCookieMigration(response: Response, setCookies: string[]): Response {
  if (setCookies.length === 0) return response;
  const prefixes = response.headers.getSetCookie().map((c) => `${c.slice(0, c.indexOf("="))}=`);
  const extra = setCookies.filter((cookie) => !prefixes.some((p) => cookie.startsWith(p)));
  return withHeaders(response, (h) => {
    for (const cookie of extra) h.append("set-cookie", cookie);
  });
}
