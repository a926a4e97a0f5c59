import { agentHub } from "../../agent/client.ts";
import type { Env } from "../../env.ts";

export interface DependencyStatus {
  ok: boolean;
  ms: number;
  error?: string;
}

export interface Health {
  status: "ok" | "degraded";
  version: string;
  environment: string;
  checks: { d1: DependencyStatus; kv: DependencyStatus; agent: DependencyStatus };
}

async function timed(check: () => Promise<unknown>): Promise<DependencyStatus> {
  const started = performance.now();
  try {
    await check();
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: String((error as Error).message ?? error) };
  }
}

/** Whether D1, KV and the agent namespace answer, each timed. */
export async function checkHealth(env: Env, version: string): Promise<Health> {
  const [d1, kv, agent] = await Promise.all([
    timed(() => env.DB.prepare("SELECT 1 AS ok").first()),
    timed(() => env.CACHE.get("health:probe")),
    timed(async () => (await agentHub(env, "health")).readProbe("health")),
  ]);
  const ok = d1.ok && kv.ok && agent.ok;
  return { status: ok ? "ok" : "degraded", version, environment: env.ENVIRONMENT, checks: { d1, kv, agent } };
}
