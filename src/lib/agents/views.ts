import type { AgentRow } from "./agents.ts";
import { creditLimitsJson } from "./credit-limits.ts";
import { readPolicy } from "./tool-policy.ts";

/** The API's JSON form of an agent. */
export function agentJson(row: AgentRow) {
  return {
    id: row.id,
    accountId: row.accountId,
    name: row.name,
    model: row.modelId,
    instructions: row.instructions,
    preset: row.preset,
    maxSteps: row.maxSteps,
    loopLimit: row.loopLimit,
    ...creditLimitsJson(row),
    toolPolicy: readPolicy(row.toolPolicy),
    isDefault: row.isDefault,
    createdAt: row.createdAt.toISOString(),
    lastActiveAt: row.lastActiveAt?.toISOString() ?? null,
  };
}
