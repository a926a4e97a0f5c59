import { asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { model } from "../../db/schema.ts";
import { NotFound } from "../errors.ts";
import { toCredits } from "./rules.ts";

export type CatalogModel = typeof model.$inferSelect;

export async function listModels(db: Db): Promise<CatalogModel[]> {
  return db.select().from(model).orderBy(asc(model.label));
}

/** The enabled models as the API shows them to users: id, label, context window and credits per 1,000 tokens. */
export async function listEnabledModels(db: Db) {
  const rows = await db.select().from(model).where(eq(model.enabled, true)).orderBy(asc(model.label));
  return rows.map((row) => ({
    id: row.id,
    label: row.label,
    contextWindowTokens: row.contextWindowTokens,
    inputCreditsPer1k: toCredits(row.inputMillicreditsPer1k),
    outputCreditsPer1k: toCredits(row.outputMillicreditsPer1k),
  }));
}

/** A model from the catalog; a missing or disabled one is a clear error that names it. */
export async function getEnabledModel(db: Db, id: string): Promise<CatalogModel> {
  return enabledModel(await db.select().from(model).where(eq(model.id, id)).get(), id);
}

/** The catalog row itself, or the clear error for a missing or disabled model (for callers that read it in a join). */
export function enabledModel(row: CatalogModel | null | undefined, id: string): CatalogModel {
  if (!row) throw new NotFound(`The model "${id}" is not in the catalog`);
  if (!row.enabled) throw new NotFound(`The model "${id}" has been disabled; choose another model for this agent`);
  return row;
}
