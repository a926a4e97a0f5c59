/**
 * Every rate limit in one place. Each rule counts hits per key (client IP or email) in a fixed window; the counter
 * lives in the RateLimiter Durable Object, so it is exact and atomic in every environment, tests included.
 */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
  /** What the refusal says, when the generic "Too many requests" would not tell the person what to do. */
  message?: string;
}

export const RATE_LIMITS = {
  signInByIp: { limit: 20, windowSeconds: 600 },
  // Guessing one account's password from one client stops early; from everywhere only at a looser cap, so nobody can
  // lock a person out of their account by failing to sign in as them.
  signInByEmailAndIp: {
    limit: 10,
    windowSeconds: 600,
    message: "Too many failed sign-ins for this address from here. Wait a few minutes or reset your password.",
  },
  signInByEmail: {
    limit: 100,
    windowSeconds: 600,
    message: "Too many failed sign-ins for this address. Wait a few minutes, or reset your password to sign in at once.",
  },
  signUpByIp: { limit: 10, windowSeconds: 3600 },
  passwordResetByIp: { limit: 10, windowSeconds: 3600 },
  passwordResetByEmail: { limit: 3, windowSeconds: 3600 },
  verificationEmailByIp: { limit: 10, windowSeconds: 3600 },
  verificationEmailByEmail: { limit: 3, windowSeconds: 3600 },
  passkeySignInByIp: { limit: 30, windowSeconds: 600 },
  oauthByIp: { limit: 30, windowSeconds: 600 },
  // MCP clients register themselves without an account (dynamic client registration): a flood of clients stops here.
  oauthClientRegistrationByIp: { limit: 20, windowSeconds: 3600 },
  apiKeyCreateByUser: { limit: 20, windowSeconds: 3600 },
  // Each accepted delivery starts a billed task: a runaway sender is stopped before it spends the account's credits.
  webhookDeliveryByTrigger: {
    limit: 60,
    windowSeconds: 60,
    message: "Too many deliveries to this webhook: at most 60 a minute. Retry after the time in Retry-After.",
  },
  emailDeliveryByTrigger: { limit: 30, windowSeconds: 3600, message: "Too many emails to this agent address: at most 30 an hour." },
} as const satisfies Record<string, RateLimitRule>;

export type RateLimitName = keyof typeof RATE_LIMITS;

/**
 * The rule as configured, with its window replaced by RATE_LIMIT_WINDOW_SECONDS when that names it
 * (`signInByIp=15,signUpByIp=5`) or is a bare number (every rule). Tests use it to watch a limit recover;
 * production never sets it.
 */
export function effectiveRule(name: RateLimitName, windowOverride?: string): RateLimitRule {
  const rule = RATE_LIMITS[name];
  if (!windowOverride) return rule;
  let seconds = Number(windowOverride);
  if (!Number.isFinite(seconds)) {
    const entry = windowOverride
      .split(",")
      .map((part) => part.trim().split("="))
      .find(([rule]) => rule === name);
    seconds = Number(entry?.[1]);
  }
  return Number.isFinite(seconds) && seconds > 0 ? { ...rule, windowSeconds: seconds } : rule;
}
