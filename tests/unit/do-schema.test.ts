import { describe, expect, it } from "vitest";
import { AGENT_HUB_MIGRATIONS } from "../../src/agent/agent-hub-migrations.ts";
import { applyMigrations, schemaVersion, type SqlMigration, type SqlTag } from "../../src/agent/sql-migrations.ts";
import { memorySql } from "../support/memory-sql.ts";

/** What an AgentHub created in its onStart before schemas had versions (agent-hub.ts, hub-tasks.ts, tasks.ts, schedules.ts). */
function createUnversionedHubSchema(sql: SqlTag): void {
  sql`CREATE TABLE IF NOT EXISTS probe (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL)`;
  sql`CREATE TABLE IF NOT EXISTS thread (
      id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
      running INTEGER NOT NULL DEFAULT 0, titled INTEGER NOT NULL DEFAULT 0)`;
  sql`CREATE VIRTUAL TABLE IF NOT EXISTS thread_text USING fts5(thread_id UNINDEXED, title, body)`;
  sql`CREATE TABLE IF NOT EXISTS memory_note (
      id TEXT PRIMARY KEY, text TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`;
  sql`CREATE TABLE IF NOT EXISTS task (
    id TEXT PRIMARY KEY, goal TEXT NOT NULL, thread_id TEXT NOT NULL, status TEXT NOT NULL, end_reason TEXT,
    step_budget INTEGER NOT NULL, steps_used INTEGER NOT NULL DEFAULT 0, credit_budget_mc INTEGER NOT NULL,
    spent_mc INTEGER NOT NULL DEFAULT 0, notify INTEGER NOT NULL, schedule_id TEXT, report TEXT, error TEXT,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, finished_at INTEGER)`;
  sql`CREATE TABLE IF NOT EXISTS task_schedule (
    id TEXT PRIMARY KEY, goal TEXT NOT NULL, cron TEXT, timezone TEXT NOT NULL, run_at INTEGER, paused INTEGER NOT NULL,
    step_budget INTEGER NOT NULL, credit_budget_mc INTEGER NOT NULL, notify INTEGER NOT NULL, next_run_at INTEGER,
    last_run_at INTEGER, missed_runs INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`;
  sql`CREATE TABLE IF NOT EXISTS task_schedule_run (
    schedule_id TEXT NOT NULL, due_at INTEGER NOT NULL, task_id TEXT, fired_at INTEGER NOT NULL,
    PRIMARY KEY (schedule_id, due_at))`;
  sql`CREATE TABLE IF NOT EXISTS agent_secret (name TEXT PRIMARY KEY, sealed TEXT NOT NULL, hint TEXT NOT NULL, updated_at INTEGER NOT NULL)`;
  sql`CREATE TABLE IF NOT EXISTS hub_flag (key TEXT PRIMARY KEY, value TEXT NOT NULL)`;
}

function fillHub(sql: SqlTag): void {
  sql`INSERT INTO probe (key, value, updated_at) VALUES ('health', 'ok', 1)`;
  sql`INSERT INTO thread (id, title, created_at, updated_at, running, titled) VALUES ('t1', 'Deploy notes', 10, 20, 0, 1), ('t2', 'Task: tidy', 30, 40, 1, 1)`;
  sql`INSERT INTO thread_text (thread_id, title, body) VALUES ('t1', 'Deploy notes', ' how do I deploy wrangler deploy'), ('t2', 'Task: tidy', '')`;
  sql`INSERT INTO memory_note (id, text, created_at, updated_at) VALUES ('n1', 'The user prefers pnpm', 5, 6)`;
  sql`INSERT INTO task (id, goal, thread_id, status, step_budget, steps_used, credit_budget_mc, spent_mc, notify, created_at, updated_at)
      VALUES ('k1', 'tidy', 't2', 'running', 10, 3, 5000, 1200, 1, 30, 40)`;
  sql`INSERT INTO task_schedule (id, goal, cron, timezone, paused, step_budget, credit_budget_mc, notify, next_run_at, created_at, updated_at)
      VALUES ('s1', 'nightly report', '0 3 * * *', 'Europe/Paris', 0, 10, 5000, 0, 100, 1, 1)`;
  sql`INSERT INTO task_schedule_run (schedule_id, due_at, task_id, fired_at) VALUES ('s1', 50, 'k1', 51)`;
  sql`INSERT INTO agent_secret (name, sealed, hint, updated_at) VALUES ('GITHUB_TOKEN', 'sealed-bytes', 'ghp_…1234', 7)`;
  sql`INSERT INTO hub_flag (key, value) VALUES ('provisioned', 'nextjs')`;
}

describe("Durable Object SQLite schemas", () => {
  it("upgrades an AgentHub created before schemas had versions without losing a row", () => {
    const db = memorySql();
    createUnversionedHubSchema(db.sql);
    fillHub(db.sql);
    const before = db.snapshot();
    expect(Object.keys(before.rows)).toHaveLength(9);

    expect(applyMigrations(db, AGENT_HUB_MIGRATIONS)).toEqual({ from: 0, to: AGENT_HUB_MIGRATIONS.length });

    expect(schemaVersion(db.sql)).toBe(AGENT_HUB_MIGRATIONS.length);
    const after = db.snapshot();
    // Every row is kept with every value; columns added later come with their defaults.
    for (const [table, rows] of Object.entries(before.rows)) {
      expect(after.rows[table], table).toEqual(rows.map((row) => expect.objectContaining(row)));
    }
    expect(db.sql<{ thread_id: string }>`SELECT thread_id FROM thread_text WHERE thread_text MATCH '"deploy"*'`).toEqual([
      { thread_id: "t1" },
    ]);
    // A git token stored when every command got every secret is taken out of commands' environment.
    expect(db.sql`SELECT name, commands, hosts FROM agent_secret`).toEqual([{ name: "GITHUB_TOKEN", commands: 0, hosts: null }]);
  });

  it("gives a new AgentHub the same schema as an upgraded one", () => {
    const upgraded = memorySql();
    createUnversionedHubSchema(upgraded.sql);
    applyMigrations(upgraded, AGENT_HUB_MIGRATIONS);
    const fresh = memorySql();
    applyMigrations(fresh, AGENT_HUB_MIGRATIONS);
    const tables = (db: typeof fresh) => db.snapshot().schema.map(({ name, sql }) => ({ name, sql: sql?.replace(/\s+/g, " ") }));
    expect(tables(fresh)).toEqual(tables(upgraded));
  });

  it("changes nothing when the migrations are applied again", () => {
    const db = memorySql();
    applyMigrations(db, AGENT_HUB_MIGRATIONS);
    fillHub(db.sql);
    const once = db.snapshot();

    expect(applyMigrations(db, AGENT_HUB_MIGRATIONS)).toEqual({ from: AGENT_HUB_MIGRATIONS.length, to: AGENT_HUB_MIGRATIONS.length });
    expect(db.snapshot()).toEqual(once);
  });

  it("applies each migration once, in order, and keeps the steps before one that fails", () => {
    const ran: number[] = [];
    const step = (version: number, up: (sql: SqlTag) => void): SqlMigration => ({
      version,
      description: `step ${version}`,
      up(sql) {
        ran.push(version);
        up(sql);
      },
    });
    const db = memorySql();
    const first = [
      step(1, (sql) => sql`CREATE TABLE note (id TEXT PRIMARY KEY)`),
      step(2, (sql) => sql`ALTER TABLE note ADD COLUMN body TEXT`),
    ];
    applyMigrations(db, first);
    const broken = [
      ...first,
      step(3, (sql) => sql`CREATE TABLE tag (name TEXT)`),
      step(4, (sql) => sql`ALTER TABLE missing ADD COLUMN x TEXT`),
    ];
    expect(() => applyMigrations(db, broken)).toThrow(/missing/);

    expect(ran).toEqual([1, 2, 3, 4]);
    expect(schemaVersion(db.sql)).toBe(3);
    expect(db.sql`SELECT name FROM sqlite_schema WHERE name = 'tag'`).toHaveLength(1);
    const fixed = [...first, broken[2]!, step(4, (sql) => sql`ALTER TABLE tag ADD COLUMN colour TEXT`)];
    expect(applyMigrations(db, fixed)).toEqual({ from: 3, to: 4 });
    expect(ran).toEqual([1, 2, 3, 4, 4]);
  });

  it("refuses a list that is not numbered 1, 2, 3 in order", () => {
    const noop = (version: number): SqlMigration => ({ version, description: `step ${version}`, up() {} });
    expect(() => applyMigrations(memorySql(), [noop(1), noop(3)])).toThrow(/numbered 3, expected 2/);
    expect(() => applyMigrations(memorySql(), [noop(2), noop(1)])).toThrow(/numbered 2, expected 1/);
  });

  it("leaves an object that newer code already upgraded as it is", () => {
    const db = memorySql();
    applyMigrations(db, [
      ...AGENT_HUB_MIGRATIONS,
      { version: AGENT_HUB_MIGRATIONS.length + 1, description: "newer", up: (sql) => sql`CREATE TABLE later (id TEXT)` },
    ]);
    const newer = db.snapshot();
    expect(applyMigrations(db, AGENT_HUB_MIGRATIONS)).toEqual({
      from: AGENT_HUB_MIGRATIONS.length + 1,
      to: AGENT_HUB_MIGRATIONS.length + 1,
    });
    expect(db.snapshot()).toEqual(newer);
  });
});
