import { Agent } from "agents";
import type { Env } from "../env.ts";

/**
 * The parent Durable Object of one agent (SQLite-backed). The agent core issue gives it memory notes, the thread
 * index and the workspace id; for now it keeps a small key/value probe that proves storage survives restarts.
 */
export class AgentHub extends Agent<Env> {
  onStart(): void {
    this.sql`CREATE TABLE IF NOT EXISTS probe (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL)`;
  }

  async writeProbe(key: string, value: string): Promise<void> {
    const now = Date.now();
    this.sql`INSERT INTO probe (key, value, updated_at) VALUES (${key}, ${value}, ${now})
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`;
  }

  async readProbe(key: string): Promise<string | null> {
    const rows = this.sql<{ value: string }>`SELECT value FROM probe WHERE key = ${key}`;
    return rows[0]?.value ?? null;
  }
}
