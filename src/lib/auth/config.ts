import { isProduction, type Env } from "../../env.ts";
import { ServiceUnavailable } from "../errors.ts";

export const COOKIE_PREFIX = "netm8";
export const SESSION_EXPIRES_SECONDS = 30 * 24 * 3600;
export const SESSION_REFRESH_AFTER_SECONDS = 24 * 3600;
export const RESET_PASSWORD_EXPIRES_SECONDS = 3600;
export const VERIFY_EMAIL_EXPIRES_SECONDS = 24 * 3600;
/** Where Better Auth is mounted (src/app/api/auth/[...all]/route.ts). */
export const AUTH_BASE_PATH = "/api/auth";

// Only the test suite's own Workers (ENVIRONMENT=test) sign with this; every other Worker needs BETTER_AUTH_SECRET.
const TEST_SECRET = "netm8-test-suite-secret-never-used-outside-tests";

export function authSecret(env: Pick<Env, "BETTER_AUTH_SECRET" | "ENVIRONMENT">): string {
  if (env.BETTER_AUTH_SECRET) return env.BETTER_AUTH_SECRET;
  // Only the test suite's own Workers may sign with a known constant; npm start makes a random secret per state dir.
  if (env.ENVIRONMENT === "test") return TEST_SECRET;
  throw new ServiceUnavailable("Sign-in is not configured: set BETTER_AUTH_SECRET (npm start makes one for local development)");
}

/**
 * The session cookie's name. In production (HTTPS) `__Host-`: browsers then accept it only host-only, Secure and on
 * Path=/, so no other host (a preview, a sibling subdomain) can set or shadow it.
 */
export function sessionCookieName(env: Pick<Env, "ENVIRONMENT">): string {
  return `${isProduction(env) ? "__Host-" : ""}${COOKIE_PREFIX}.session_token`;
}

/** The production session cookie's name before it became `__Host-`: accepted once and re-issued under the new name. */
export const LEGACY_SESSION_COOKIE_NAME = `__Secure-${COOKIE_PREFIX}.session_token`;

// Better Auth's other cookies in production keep the names they had (`__Secure-netm8.<name>`).
const OTHER_AUTH_COOKIES = [
  "session_data",
  "account_data",
  "dont_remember",
  "admin_session",
  "state",
  "oauth_state",
  "better-auth-passkey",
];

/**
 * Better Auth's cookie names. It can only put `__Secure-` in front of every name (useSecureCookies), so production
 * turns that off and names the cookies here: `__Host-` for the session, `__Secure-` for the rest, all Secure.
 */
export function authCookieNames(env: Pick<Env, "ENVIRONMENT">): Record<string, { name: string }> {
  if (!isProduction(env)) return {};
  const names: Record<string, { name: string }> = { session_token: { name: sessionCookieName(env) } };
  for (const cookie of OTHER_AUTH_COOKIES) names[cookie] = { name: `__Secure-${COOKIE_PREFIX}.${cookie}` };
  return names;
}

export function adminEmails(env: Pick<Env, "ADMIN_EMAILS">): Set<string> {
  return new Set(
    (env.ADMIN_EMAILS ?? "")
      .split(",")
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean),
  );
}

export function googleEnabled(env: Pick<Env, "GOOGLE_CLIENT_ID" | "GOOGLE_CLIENT_SECRET">): boolean {
  return Boolean(env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET);
}

export function googleIssuer(env: Pick<Env, "GOOGLE_ISSUER">): string {
  return (env.GOOGLE_ISSUER || "https://accounts.google.com").replace(/\/+$/, "");
}

/** The client IP: Cloudflare's `CF-Connecting-IP`, else the address wrangler/workerd saw, else "unknown". */
export function clientIp(request: Request): string {
  return (
    request.headers.get("cf-connecting-ip") ??
    request.headers.get("x-real-ip") ??
    request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ??
    "unknown"
  );
}

/**
 * The origin the browser used, which links in emails, the passkey relying party and OAuth callbacks follow.
 * Production uses APP_URL when set, so a forged Host header can never steer a reset link elsewhere. Elsewhere the
 * Host header decides: inside Next.js (OpenNext under wrangler dev) `request.url` names `localhost` whatever host
 * was asked for.
 */
export function requestOrigin(request: Request, env: Pick<Env, "APP_URL" | "ENVIRONMENT">): string {
  if (isProduction(env) && env.APP_URL) return new URL(env.APP_URL).origin;
  const url = new URL(request.url);
  const host = request.headers.get("host");
  if (!host || !/^[a-z0-9.\-:[\]]+$/i.test(host)) return url.origin;
  return `${url.protocol}//${host}`;
}

/** The Turnstile site key for the forms, when Turnstile is on (both keys set). */
export function turnstileSiteKey(env: Pick<Env, "TURNSTILE_SITE_KEY" | "TURNSTILE_SECRET_KEY">): string | undefined {
  return env.TURNSTILE_SITE_KEY && env.TURNSTILE_SECRET_KEY ? env.TURNSTILE_SITE_KEY : undefined;
}

/**
 * The origin of links sent by email (verification, reset, invitations): APP_URL when it is set (npm start sets it),
 * never the request's Host, which anyone can choose; the request's origin only when no APP_URL is configured.
 */
export function emailOrigin(request: Request, env: Pick<Env, "APP_URL" | "ENVIRONMENT">): string {
  return env.APP_URL ? new URL(env.APP_URL).origin : requestOrigin(request, env);
}

/** A link built on the request's origin, moved to APP_URL's origin for an email (emailOrigin). */
export function emailLink(link: string, env: Pick<Env, "APP_URL">): string {
  if (!env.APP_URL) return link;
  const url = new URL(link);
  const app = new URL(env.APP_URL);
  url.protocol = app.protocol;
  url.host = app.host;
  return url.toString();
}
