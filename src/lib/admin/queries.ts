import { z } from "zod";
import { MAX_ACCOUNT_LIMIT } from "../agents/account-limits.ts";
import { parseWith } from "../http/respond.ts";

const Page = z.object({
  q: z.string().max(200).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});

/** `?q=&page=&pageSize=` of an admin list. */
export function pageQuery(request: Request): z.infer<typeof Page> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  return parseWith(Page, params);
}

const Audit = z.object({
  before: z.iso.datetime().optional(),
  targetId: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function auditQuery(request: Request): z.infer<typeof Audit> {
  return parseWith(Audit, Object.fromEntries(new URL(request.url).searchParams));
}

const Analytics = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) });

export function analyticsQuery(request: Request): z.infer<typeof Analytics> {
  return parseWith(Analytics, Object.fromEntries(new URL(request.url).searchParams));
}

export const BanBody = z.object({
  reason: z.string().trim().min(1, "Give a reason for the ban").max(500),
  expiresAt: z.iso.datetime().optional(),
});

const cap = z.number().int().min(1).max(MAX_ACCOUNT_LIMIT).nullable().optional();

/** New caps for a user's personal account: a number sets one, null returns it to the default, absent leaves it. */
export const LimitsBody = z.strictObject({ maxAgents: cap, maxLiveWorkspaces: cap });

export const RoleBody = z.object({ role: z.enum(["admin", "user"]) });

export const CreditAdjustmentBody = z.object({
  credits: z
    .number()
    .finite()
    .refine((n) => n !== 0, "credits must not be zero")
    .refine((n) => Math.abs(n) <= 10_000_000, "credits must be at most 10,000,000 either way")
    .refine(
      (n) => Number.isInteger(Math.round(n * 1000)) && Math.abs(n * 1000 - Math.round(n * 1000)) < 1e-6,
      "credits have at most three decimals",
    ),
  reason: z.string().trim().min(1, "A reason is required").max(500),
});
