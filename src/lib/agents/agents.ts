import { and, asc, eq, sql } from "drizzle-orm";
import { DEFAULT_LOOP_LIMIT } from "./loop-limit.ts";
import type { Db } from "../../db/client.ts";
import { account, agent, model } from "../../db/schema.ts";
import { enabledModel, getEnabledModel, type CatalogModel } from "../billing/catalog.ts";
import { NotFound } from "../errors.ts";
import { accountLimits, agentLimitReached, belowAgentCap } from "./account-limits.ts";
import { AGENT_ID, newAgentId } from "./ids.ts";
import { presetFor } from "./presets.ts";

export type AgentRow = typeof agent.$inferSelect;

export const DEFAULT_MODEL_ID = "gpt-oss:20b";
export const DEFAULT_MAX_STEPS = 25;

export interface AgentInput {
  name: string;
  modelId?: string;
  instructions?: string;
  preset?: string;
  maxSteps?: number;
  loopLimit?: number;
  turnCapMillicredits?: number | null;
  taskBudgetMillicredits?: number | null;
}

export async function listAgents(db: Db, accountId: string): Promise<AgentRow[]> {
  return db.select().from(agent).where(eq(agent.accountId, accountId)).orderBy(asc(agent.createdAt));
}

/** An agent of this account; any other id (another account's, or none) is NotFound, never Forbidden. */
export async function getAgent(db: Db, accountId: string, agentId: string): Promise<AgentRow> {
  if (!AGENT_ID.test(agentId)) throw new NotFound("No such agent");
  const row = await db
    .select()
    .from(agent)
    .where(and(eq(agent.id, agentId), eq(agent.accountId, accountId)))
    .get();
  if (!row) throw new NotFound("No such agent");
  return row;
}

/** The agent by id alone, for the Durable Objects and the /ws/ route (which check membership themselves). */
export async function findAgentById(db: Db, agentId: string): Promise<AgentRow | undefined> {
  if (!AGENT_ID.test(agentId)) return undefined;
  return db.select().from(agent).where(eq(agent.id, agentId)).get();
}

/** The agent and its enabled catalog model in one query (a turn reads both before its first token). */
/** An agent with its model and its account's tool approval floor (one query: it is read before every turn). */
export async function findAgentWithModel(
  db: Db,
  agentId: string,
): Promise<{ agent: AgentRow; model: CatalogModel; toolPolicyFloor: string } | undefined> {
  if (!AGENT_ID.test(agentId)) return undefined;
  const row = await db
    .select({ agent, model, toolPolicyFloor: account.toolPolicyFloor })
    .from(agent)
    .leftJoin(model, eq(model.id, agent.modelId))
    .innerJoin(account, eq(account.id, agent.accountId))
    .where(eq(agent.id, agentId))
    .get();
  if (!row) return undefined;
  return { agent: row.agent, model: enabledModel(row.model, row.agent.modelId), toolPolicyFloor: row.toolPolicyFloor };
}

/** A new agent, unless the account is at its agent cap (checked in the same statement, so concurrent creates agree). */
export async function createAgent(db: Db, accountId: string, input: AgentInput, createdByUserId?: string): Promise<AgentRow> {
  const modelId = input.modelId ?? DEFAULT_MODEL_ID;
  await getEnabledModel(db, modelId);
  const id = newAgentId();
  const instructions = input.instructions ?? (input.preset ? presetFor(input.preset).instructions : "");
  const result =
    await db.run(sql`INSERT INTO agent (id, account_id, name, model_id, instructions, preset, max_steps, loop_limit, created_by_user_id)
    SELECT ${id}, ${accountId}, ${input.name}, ${modelId}, ${instructions}, ${presetFor(input.preset).id},
      ${input.maxSteps ?? DEFAULT_MAX_STEPS}, ${input.loopLimit ?? DEFAULT_LOOP_LIMIT}, ${createdByUserId ?? null}
    WHERE ${belowAgentCap(accountId)}`);
  if (result.meta.changes !== 1) throw agentLimitReached((await accountLimits(db, accountId)).maxAgents);
  const row = await db.select().from(agent).where(eq(agent.id, id)).get();
  return row!;
}

/**
 * The account's default agent, created on first need. A unique partial index admits one default per account, so
 * concurrent first requests create one agent and the others find it.
 */
export async function ensureDefaultAgent(db: Db, accountId: string, createdByUserId?: string): Promise<AgentRow> {
  const existing = await db
    .select()
    .from(agent)
    .where(and(eq(agent.accountId, accountId), eq(agent.isDefault, true)))
    .get();
  if (existing) return existing;
  await db
    .insert(agent)
    .values({ id: newAgentId(), accountId, name: "My agent", modelId: DEFAULT_MODEL_ID, isDefault: true, createdByUserId })
    .onConflictDoNothing();
  const created = await db
    .select()
    .from(agent)
    .where(and(eq(agent.accountId, accountId), eq(agent.isDefault, true)))
    .get();
  if (!created) throw new Error("The default agent could not be created");
  return created;
}

export async function updateAgent(db: Db, accountId: string, agentId: string, changes: Partial<AgentInput>): Promise<AgentRow> {
  await getAgent(db, accountId, agentId);
  if (changes.modelId) await getEnabledModel(db, changes.modelId);
  const [row] = await db
    .update(agent)
    .set({
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.modelId !== undefined && { modelId: changes.modelId }),
      ...(changes.instructions !== undefined && { instructions: changes.instructions }),
      ...(changes.maxSteps !== undefined && { maxSteps: changes.maxSteps }),
      ...(changes.loopLimit !== undefined && { loopLimit: changes.loopLimit }),
      ...(changes.preset !== undefined && { preset: presetFor(changes.preset).id }),
      ...(changes.turnCapMillicredits !== undefined && { turnCapMillicredits: changes.turnCapMillicredits }),
      ...(changes.taskBudgetMillicredits !== undefined && { taskBudgetMillicredits: changes.taskBudgetMillicredits }),
    })
    .where(and(eq(agent.id, agentId), eq(agent.accountId, accountId)))
    .returning();
  return row!;
}

export async function deleteAgentRow(db: Db, accountId: string, agentId: string): Promise<void> {
  await db.delete(agent).where(and(eq(agent.id, agentId), eq(agent.accountId, accountId)));
}

export async function touchAgent(db: Db, agentId: string, at = new Date()): Promise<void> {
  await db.update(agent).set({ lastActiveAt: at }).where(eq(agent.id, agentId));
}
