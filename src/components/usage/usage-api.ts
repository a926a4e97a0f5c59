import { apiFetch } from "@/components/auth/auth-client.ts";
import type { UsageGroup, UsageReport, UsageRow } from "@/lib/billing/usage.ts";

export type { UsageGroup, UsageReport, UsageRow };

/** The last `days` UTC days, today included. */
export function lastDays(days: number, now = new Date()): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

export function fetchUsage(range: { from: string; to: string }, groupBy: UsageGroup): Promise<UsageReport> {
  return apiFetch<UsageReport>(`/api/usage?${new URLSearchParams({ ...range, groupBy })}`);
}
