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
  return Number.isFinite(seconds) && seconds > 0 ? { limit: rule.limit, windowSeconds: seconds } : rule;
}
