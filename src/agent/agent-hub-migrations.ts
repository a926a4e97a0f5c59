import type { SqlMigration } from "./sql-migrations.ts";

/**
 * The SQLite schema of AgentHub (./agent-hub.ts), applied in order on start by ./sql-migrations.ts. A released step
 * never changes: add the next one at the end.
 */
export const AGENT_HUB_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    // Exactly what AgentHub created before schemas had versions, so on those objects it changes nothing.
    description: "threads with full-text search, memory notes, tasks, schedules, secrets, flags and the health probe",
    up(sql) {
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
    },
  },
  {
    version: 2,
    description: "secrets say whether commands get them, and git tokens the hosts they are sent to",
    up(sql) {
      sql`ALTER TABLE agent_secret ADD COLUMN commands INTEGER NOT NULL DEFAULT 1`;
      sql`ALTER TABLE agent_secret ADD COLUMN hosts TEXT`;
      // Git tokens were in every command's environment before; from now on only the platform's git calls get them.
      sql`UPDATE agent_secret SET commands = 0 WHERE name IN ('GIT_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN')`;
    },
  },
  {
    version: 3,
    description: "threads can be pinned to the top of the list",
    up(sql) {
      sql`ALTER TABLE thread ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0`;
    },
  },
];
