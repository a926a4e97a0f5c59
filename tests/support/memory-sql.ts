import type { MigratableStorage, SqlTag } from "../../src/agent/sql-migrations.ts";

export interface MemorySql extends MigratableStorage {
  /** Every table and index with its SQL, and every row of every table: what must survive an upgrade. */
  snapshot(): { schema: { name: string; sql: string | null }[]; rows: Record<string, unknown[]> };
}

/**
 * A stand-in for a Durable Object's SQL tag and `transactionSync`, backed by an in-memory node:sqlite database, so
 * the SQL the agent's Durable Object runs can be unit tested.
 */
export function memorySql(): MemorySql {
  const { DatabaseSync } = process.getBuiltinModule("node:sqlite") as typeof import("node:sqlite");
  const db = new DatabaseSync(":memory:");
  const sql: SqlTag = <T>(strings: TemplateStringsArray, ...values: (string | number | boolean | null)[]): T[] => {
    const statement = db.prepare(strings.join("?"));
    const params = values.map((v) => (typeof v === "boolean" ? Number(v) : v));
    if (statement.columns().length > 0) return statement.all(...params) as T[];
    statement.run(...params);
    return [];
  };
  const transaction = (fn: () => void) => {
    db.exec("BEGIN");
    try {
      fn();
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  };
  const snapshot = () => {
    const schema = sql<{ name: string; sql: string | null }>`SELECT name, sql FROM sqlite_schema ORDER BY name`.map((r) => ({ ...r }));
    // FTS5 keeps its index in shadow tables (thread_text_data...): the virtual table's own rows are what counts.
    const tables = sql<{ name: string }>`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
      AND NOT EXISTS (SELECT 1 FROM sqlite_schema v WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE%' AND sqlite_schema.name LIKE v.name || '\\_%' ESCAPE '\\')
      ORDER BY name`;
    const rows = Object.fromEntries(
      tables.map(({ name }) => [
        name,
        db
          .prepare(`SELECT * FROM "${name}" ORDER BY rowid`)
          .all()
          .map((r) => ({ ...r })),
      ]),
    );
    return { schema, rows };
  };
  return { sql, transaction, snapshot };
}
