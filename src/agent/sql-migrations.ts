/** A value the Durable Object SQL tag binds (`this.sql` of an Agent). */
export type SqlValue = string | number | boolean | null;
/** The Durable Object SQL tag: runs one statement, returns its rows. */
export type SqlTag = <T>(strings: TemplateStringsArray, ...values: SqlValue[]) => T[];

/** One step of a Durable Object's SQLite schema. Once released it never changes; a new step follows it instead. */
export interface SqlMigration {
  /** The schema version this step brings the object to: 1, 2, 3... in list order. */
  version: number;
  description: string;
  up(sql: SqlTag): void;
}

/** What the migrations need from a Durable Object: its SQL tag and a synchronous transaction. */
export interface MigratableStorage {
  sql: SqlTag;
  /** Runs `fn` in one SQLite transaction: all of it is kept or none (`ctx.storage.transactionSync`). */
  transaction(fn: () => void): void;
}

export interface MigrationResult {
  from: number;
  to: number;
}

// workerd refuses `PRAGMA user_version` (SQLITE_AUTH), so the version is a one-row table.
function ensureVersionTable(sql: SqlTag): void {
  sql`CREATE TABLE IF NOT EXISTS _schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, updated_at INTEGER NOT NULL)`;
}

/** The schema version recorded in this database: 0 when none is (a new object, or one from before versioning). */
export function schemaVersion(sql: SqlTag): number {
  ensureVersionTable(sql);
  return sql<{ version: number }>`SELECT version FROM _schema_version WHERE id = 1`[0]?.version ?? 0;
}

function assertOrdered(migrations: readonly SqlMigration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`schema migration "${migration.description}" is numbered ${migration.version}, expected ${index + 1}`);
    }
  });
}

/**
 * Brings the database up to the last migration of the list: each one not yet applied runs once, in order, in its own
 * transaction together with the new version number, so a failing step leaves the object at the step before it.
 */
export function applyMigrations(storage: MigratableStorage, migrations: readonly SqlMigration[]): MigrationResult {
  assertOrdered(migrations);
  const { sql } = storage;
  const from = schemaVersion(sql);
  // A version above the list means newer code ran here and was rolled back: its additions stay, nothing is undone.
  for (const migration of migrations.slice(from)) {
    storage.transaction(() => {
      migration.up(sql);
      sql`INSERT INTO _schema_version (id, version, updated_at) VALUES (1, ${migration.version}, ${Date.now()})
          ON CONFLICT(id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at`;
    });
  }
  return { from, to: Math.max(from, migrations.length) };
}
