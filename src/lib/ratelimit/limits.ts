/**
 * Every rate limit in one place. Each rule counts hits per key (client IP or email) in a fixed window; the counter
 * lives in the RateLimiter Durable Object, so it is exact and atomic in every environment, tests included.
 */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export const RATE_LIMITS = {
  signInByIp: { limit: 20, windowSeconds: 600 },
  signInByEmail: { limit: 10, windowSeconds: 600 },
  signUpByIp: { limit: 10, windowSeconds: 3600 },
  passwordResetByIp: { limit: 10, windowSeconds: 3600 },
  passwordResetByEmail: { limit: 3, windowSeconds: 3600 },
  verificationEmailByIp: { limit: 10, windowSeconds: 3600 },
  verificationEmailByEmail: { limit: 3, windowSeconds: 3600 },
  passkeySignInByIp: { limit: 30, windowSeconds: 600 },
  oauthByIp: { limit: 30, windowSeconds: 600 },
  apiKeyCreateByUser: { limit: 20, windowSeconds: 3600 },
} as const satisfies Record<string, RateLimitRule>;

export type RateLimitName = keyof typeof RATE_LIMITS;

/**
 * The rule as configured, with the window replaced when RATE_LIMIT_WINDOW_SECONDS is set (tests use a short
 * window to see a limit recover; production never sets it).
 */
export function effectiveRule(name: RateLimitName, windowOverrideSeconds?: string): RateLimitRule {
  const rule = RATE_LIMITS[name];
  const override = Number(windowOverrideSeconds);
  return Number.isFinite(override) && override > 0 ? { limit: rule.limit, windowSeconds: override } : rule;
}
