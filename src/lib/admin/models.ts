import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import { model } from "../../db/schema.ts";
import type { Caller } from "../auth/caller.ts";
import type { CatalogModel } from "../billing/catalog.ts";
import { Conflict, NotFound } from "../errors.ts";
import { auditStatement } from "./audit.ts";

const Rate = z.number().int("rates are whole milli-credits per 1,000 tokens").min(0).max(100_000_000);

export const NewModelBody = z.object({
  id: z
    .string()
    .trim()
    .min(1, "id must not be empty")
    .max(200)
    .regex(/^[A-Za-z0-9._:/@-]+$/, "id may hold letters, digits and . _ : / @ -"),
  label: z.string().trim().min(1, "label must not be empty").max(200),
  provider: z.string().trim().min(1, "provider must not be empty").max(100),
  inputMillicreditsPer1k: Rate,
  outputMillicreditsPer1k: Rate,
  contextWindowTokens: z.number().int().min(1024).max(10_000_000),
  enabled: z.boolean().optional(),
  vision: z.boolean().optional(),
});
export type NewModel = z.infer<typeof NewModelBody>;

export const ModelChangesBody = NewModelBody.omit({ id: true })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change");
export type ModelChanges = z.infer<typeof ModelChangesBody>;

/** The whole catalog, disabled models included. */
export async function allModels(db: Db): Promise<CatalogModel[]> {
  return db.select().from(model).orderBy(asc(model.label), asc(model.id));
}

export async function createModel(db: Db, admin: Caller, input: NewModel): Promise<CatalogModel> {
  const existing = await db.select({ id: model.id }).from(model).where(eq(model.id, input.id)).get();
  if (existing) throw new Conflict(`A model with the id "${input.id}" already exists`);
  const row = { ...input, enabled: input.enabled ?? true, vision: input.vision ?? false, createdAt: new Date() };
  await db.batch([
    db.insert(model).values(row),
    auditStatement(db, admin, { action: "model.create", targetType: "model", targetId: input.id, detail: { ...input } }),
  ]);
  return row;
}

/** Edits a model's label, rates or context window, or disables it (agents using it then get a clear message). */
export async function updateModel(db: Db, admin: Caller, id: string, changes: ModelChanges): Promise<CatalogModel> {
  const before = await db.select().from(model).where(eq(model.id, id)).get();
  if (!before) throw new NotFound("No such model");
  const [, , [after]] = await db.batch([
    db.update(model).set(changes).where(eq(model.id, id)),
    auditStatement(db, admin, { action: "model.update", targetType: "model", targetId: id, detail: { changes } }),
    db.select().from(model).where(eq(model.id, id)),
  ]);
  return after!;
}
