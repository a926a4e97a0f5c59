import { lte } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { agentScheduleDue } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { agentHub } from "./client.ts";

/**
 * The cron trigger's catch-up for schedules: wakes every agent with a schedule due by `now`, which fires what has
 * not fired yet (each due time exactly once, whether the agent's own alarm got there first or not).
 */
export async function runDueAgentSchedules(env: Env, now: Date, limit = 200): Promise<number> {
  const rows = await getDb(env.DB)
    .selectDistinct({ agentId: agentScheduleDue.agentId })
    .from(agentScheduleDue)
    .where(lte(agentScheduleDue.nextRunAt, now))
    .limit(limit);
  let started = 0;
  for (const { agentId } of rows) {
    try {
      started += (await (await agentHub(env, agentId)).runDueSchedules(now.getTime())).started.length;
    } catch (error) {
      console.error(`scheduled: schedules of agent ${agentId} failed`, error);
    }
  }
  return started;
}
