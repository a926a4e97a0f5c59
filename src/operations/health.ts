import { eq } from "drizzle-orm";
import { agentHub } from "../agent/client.ts";
import { getDb } from "../db/client.ts";
import { probe } from "../db/schema.ts";
import type { Env } from "../env.ts";

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

export interface ProbeValues {
  d1: string | null;
  kv: string | null;
  agent: string | null;
}

const PROBE_AGENT = "probe";

/** Writes one value to D1, KV and an agent Durable Object (development only: proves state through the runtime). */
export async function writeProbe(env: Env, key: string, value: string): Promise<void> {
  const db = getDb(env.DB);
  await Promise.all([
    db
      .insert(probe)
      .values({ key, value, updatedAt: new Date() })
      .onConflictDoUpdate({ target: probe.key, set: { value, updatedAt: new Date() } }),
    env.CACHE.put(`probe:${key}`, value),
    agentHub(env, PROBE_AGENT).then((hub) => hub.writeProbe(key, value)),
  ]);
}

export async function readProbe(env: Env, key: string): Promise<ProbeValues> {
  const db = getDb(env.DB);
  const [row, kv, agent] = await Promise.all([
    db.select().from(probe).where(eq(probe.key, key)).get(),
    env.CACHE.get(`probe:${key}`),
    agentHub(env, PROBE_AGENT).then((hub) => hub.readProbe(key)),
  ]);
  return { d1: row?.value ?? null, kv, agent };
}
