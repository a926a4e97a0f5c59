import { z } from "zod";
import type { Env } from "../../env.ts";
import { Forbidden, Invalid } from "../errors.ts";
import { parseWith } from "../http/respond.ts";
import { enforceRateLimits } from "../ratelimit/enforce.ts";
import type { RateLimitName } from "../ratelimit/limits.ts";
import { allowedOrigins } from "./caller.ts";
import { AUTH_BASE_PATH, clientIp } from "./config.ts";
import { hasSessionCookie } from "./session.ts";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password.ts";
import { isSafeName } from "../text/names.ts";

export const NAME_MAX_LENGTH = 100;
export const EMAIL_MAX_LENGTH = 254;

const Email = z.email("Enter a valid email address").max(EMAIL_MAX_LENGTH);
const Password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Passwords have at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `Passwords have at most ${PASSWORD_MAX_LENGTH} characters`);
export const DisplayName = z
  .string()
  .trim()
  .min(1, "Enter your name")
  .max(NAME_MAX_LENGTH, `Names have at most ${NAME_MAX_LENGTH} characters`)
  .refine(isSafeName, "Names cannot contain control characters or text-direction overrides");

/** What each guarded auth endpoint checks: its body, then its rate limits (by client IP, and by the body's email). */
const PasskeyName = z.string().trim().max(NAME_MAX_LENGTH, `Passkey names have at most ${NAME_MAX_LENGTH} characters`);

const GUARDED: Record<string, { byIp?: RateLimitName; byEmail?: RateLimitName; byEmailAndIp?: RateLimitName; body?: z.ZodType }> = {
  "/sign-in/email": {
    byIp: "signInByIp",
    byEmail: "signInByEmail",
    byEmailAndIp: "signInByEmailAndIp",
    body: z.looseObject({ email: Email, password: z.string().min(1, "Enter your password").max(PASSWORD_MAX_LENGTH) }),
  },
  "/sign-up/email": {
    byIp: "signUpByIp",
    body: z.looseObject({ name: DisplayName, email: Email, password: Password, image: z.string().max(2048).optional() }),
  },
  "/request-password-reset": { byIp: "passwordResetByIp", byEmail: "passwordResetByEmail", body: z.looseObject({ email: Email }) },
  "/send-verification-email": {
    byIp: "verificationEmailByIp",
    byEmail: "verificationEmailByEmail",
    body: z.looseObject({ email: Email }),
  },
  "/reset-password": { byIp: "passwordResetByIp", body: z.looseObject({ newPassword: Password, token: z.string().min(1).max(512) }) },
  "/change-password": {
    byIp: "signInByIp",
    body: z.looseObject({ newPassword: Password, currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH) }),
  },
  "/update-user": { body: z.looseObject({ name: DisplayName.optional(), image: z.string().max(2048).nullable().optional() }) },
  "/passkey/verify-registration": { body: z.looseObject({ name: PasskeyName.optional() }) },
  "/passkey/update-passkey": { body: z.looseObject({ name: PasskeyName.min(1, "Name the passkey") }) },
  "/passkey/generate-authenticate-options": { byIp: "passkeySignInByIp" },
  "/passkey/verify-authentication": { byIp: "passkeySignInByIp" },
  "/sign-in/social": { byIp: "oauthByIp" },
  "/oauth2/register": { byIp: "oauthClientRegistrationByIp" },
};

/**
 * The OAuth endpoints MCP clients call from their own origin (a desktop app, or the MCP Inspector's page): they
 * authenticate with the client's registration, a code and its PKCE verifier, or a token, never with our cookie.
 */
const OAUTH_CLIENT_ENDPOINTS = new Set(["/oauth2/register", "/oauth2/token", "/oauth2/revoke", "/oauth2/introspect"]);

/**
 * Runs before Better Auth on every `/api/auth/*` request: the Origin check, input validation with clear messages,
 * and the rate limits. Returns the request to hand to Better Auth (rebuilt when its body was read).
 */
export async function guardAuthRequest(request: Request, env: Env): Promise<Request> {
  const path = new URL(request.url).pathname.slice(AUTH_BASE_PATH.length);
  if (request.method === "POST") {
    const origin = request.headers.get("origin");
    // A browser always sends Origin on POST; a missing one is only fine for non-browser clients without a cookie.
    const cookie = hasSessionCookie(request, env);
    const clientCall = OAUTH_CLIENT_ENDPOINTS.has(path) && !cookie;
    if (!clientCall && (origin ? !allowedOrigins(request, env).has(origin) : cookie)) {
      throw new Forbidden("Cross-site request refused: the Origin header must be this site");
    }
  }
  const guard = GUARDED[path];
  if (!guard || request.method !== "POST") return request;
  const text = await request.text();
  let email: string | undefined;
  let body = text;
  if (guard.body) {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new Invalid("The request body must be valid JSON");
    }
    const parsed = parseWith(guard.body, raw) as { email?: string };
    email = parsed.email?.toLowerCase();
    body = JSON.stringify(parsed);
  }
  const checks: [RateLimitName, string][] = [];
  if (guard.byIp) checks.push([guard.byIp, clientIp(request)]);
  if (guard.byEmail && email) checks.push([guard.byEmail, email]);
  if (guard.byEmailAndIp && email) checks.push([guard.byEmailAndIp, `${email}|${clientIp(request)}`]);
  await enforceRateLimits(env, checks);
  return new Request(request.url, { method: request.method, headers: request.headers, body });
}
