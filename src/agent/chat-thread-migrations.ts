import type { SqlMigration } from "./sql-migrations.ts";

/**
 * The SQLite schema a ChatThread (./chat-thread.ts) keeps beside the SDK's own message tables, applied in order by
 * ./sql-migrations.ts. A released step never changes: add the next one at the end.
 */
export const CHAT_THREAD_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    description: "branches: the versions of a conversation after a message, one of them active (./thread-branches.ts)",
    up(sql) {
      // parent_id is the message the versions follow ('' before the first message); the active version's messages
      // live in the SDK's history, the others here as JSON.
      sql`CREATE TABLE IF NOT EXISTS thread_branch (
        parent_id TEXT NOT NULL, position INTEGER NOT NULL, active INTEGER NOT NULL, messages TEXT,
        created_at INTEGER NOT NULL, PRIMARY KEY (parent_id, position))`;
    },
  },
];
